//! The decision: which state a release is in, from the HelmRelease, its release history and the
//! facts the reconcile gathered (validation findings, drift) or made (what it already did).
//!
//! Pure: no I/O. `ReleaseState::of` is called again after every action of a reconcile, so one
//! reconcile walks the states until it reaches one that ends it (as Flux's atomic release loop
//! does): for example `Locked` -> (unlock) -> `NeedsUpgrade` -> (upgrade fails) ->
//! `FailedThisGeneration` -> (roll back) -> `RetriesExhausted`.

use std::time::Duration;

use host_runtime::Manifest;
use serde_json::Value;

use crate::cluster::ObjectRef;
use crate::crd::{DriftMode, HelmRelease, HelmReleaseSpec};
use crate::duration;
use crate::release::{Release, status};

use super::condition::{ConditionType, Reason};

/// `spec.timeout` when unset.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// `spec.interval` when unset.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(600);
/// `spec.historyLimit` when unset.
pub const DEFAULT_HISTORY: u32 = 10;

/// The spec's durations and switches, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// `spec.interval`.
    pub interval: Duration,
    /// `spec.timeout`: bounds hooks, apply and wait of one action.
    pub timeout: Duration,
    /// `spec.test.timeout`, else `timeout`.
    pub test_timeout: Duration,
    /// `spec.test.enable`.
    pub run_tests: bool,
    /// `spec.historyLimit`.
    pub history_limit: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            test_timeout: DEFAULT_TIMEOUT,
            run_tests: false,
            history_limit: DEFAULT_HISTORY,
        }
    }
}

impl Settings {
    /// Parses the spec; the error names the field and says how to write it.
    pub fn of(spec: &HelmReleaseSpec) -> Result<Settings, String> {
        let parse = |field: &str, text: Option<&str>, default: Duration| {
            text.map(duration::parse)
                .unwrap_or(Ok(default))
                .map_err(|e| format!("{field}: {e}"))
        };
        let interval = parse("spec.interval", spec.interval.as_deref(), DEFAULT_INTERVAL)?;
        let timeout = parse("spec.timeout", spec.timeout.as_deref(), DEFAULT_TIMEOUT)?;
        let test_timeout = parse(
            "spec.test.timeout",
            spec.test.as_ref().and_then(|t| t.timeout.as_deref()),
            timeout,
        )?;
        Ok(Settings {
            interval,
            timeout,
            test_timeout,
            run_tests: spec.test.as_ref().is_some_and(|t| t.enable),
            history_limit: spec.history_limit.unwrap_or(DEFAULT_HISTORY),
        })
    }

    /// The timeout of an uninstall: `spec.timeout` when it parses, else the default (a spec
    /// error never keeps a HelmRelease from being deleted).
    pub fn uninstall_timeout(spec: &HelmReleaseSpec) -> Duration {
        spec.timeout
            .as_deref()
            .and_then(|t| duration::parse(t).ok())
            .unwrap_or(DEFAULT_TIMEOUT)
    }
}

/// The action that makes a new revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseAction {
    /// The first revision (no revision was ever deployed).
    Install,
    /// A revision after a deployed one.
    Upgrade,
}

impl ReleaseAction {
    /// `Install` or `Upgrade`, as messages and Helm's descriptions say it.
    pub fn verb(self) -> &'static str {
        match self {
            ReleaseAction::Install => "Install",
            ReleaseAction::Upgrade => "Upgrade",
        }
    }

    /// The reason of a success.
    pub fn succeeded(self) -> Reason {
        match self {
            ReleaseAction::Install => Reason::InstallSucceeded,
            ReleaseAction::Upgrade => Reason::UpgradeSucceeded,
        }
    }

    /// The reason of a failure.
    pub fn failed(self) -> Reason {
        match self {
            ReleaseAction::Install => Reason::InstallFailed,
            ReleaseAction::Upgrade => Reason::UpgradeFailed,
        }
    }
}

/// How a failed revision is undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remediation {
    /// Roll back to the deployed revision `to`, as a new revision.
    Rollback {
        /// The revision restored.
        to: u32,
    },
    /// Uninstall the release (a first install failed).
    Uninstall,
}

/// A revision this reconcile deployed.
#[derive(Clone, Debug)]
pub struct Deployed {
    /// Install or upgrade.
    pub action: ReleaseAction,
    /// Its record, as stored.
    pub release: Release,
    /// The chart's rendered hooks (the test hooks run from these).
    pub hooks: Vec<Manifest>,
    /// Whether its tests ran.
    pub tested: bool,
}

/// A revision this reconcile made that failed.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Install or upgrade.
    pub action: ReleaseAction,
    /// Its record, marked failed.
    pub release: Release,
    /// What failed (a hook, an apply, the wait).
    pub why: String,
}

/// What this reconcile already did: the decision's memory between its actions.
#[derive(Clone, Debug, Default)]
pub enum Progress {
    /// Nothing yet (an unlock does not count: it only makes the history readable).
    #[default]
    Start,
    /// A revision was deployed.
    Deployed(Box<Deployed>),
    /// A revision failed and was not remediated yet.
    Failed(Box<Failure>),
    /// A failure was handled (remediated, or recorded when there is no remediation).
    FailureHandled,
}

/// An object of the release that someone else deleted or changed (found by `drift.rs`).
#[derive(Clone, Debug)]
pub struct Drifted {
    /// The object.
    pub obj: ObjectRef,
    /// What to apply to correct it: the manifest's object with Helm's metadata, and the fields
    /// that ignore rules cover set to their live values.
    pub body: Value,
    /// `Kind ns/name (deleted|modified)`.
    pub label: String,
}

/// What the reconcile knows besides the HelmRelease and its history.
#[derive(Debug, Default)]
pub struct Facts {
    /// Error findings of the core's validation of the HelmRelease (`path: message (code)`).
    pub findings: Vec<String>,
    /// Objects of the deployed revision that someone else changed or deleted. Only looked for
    /// when the release is in sync and drift detection is not disabled.
    pub drift: Vec<Drifted>,
    /// What this reconcile did so far.
    pub progress: Progress,
}

/// The state of a release: what the next action is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseState {
    /// The HelmRelease is being deleted: uninstall, then let the finalizer go.
    Deleting,
    /// `spec.suspend`: do nothing until the spec changes.
    Suspended,
    /// The spec cannot be acted on (`InvalidSpec`, `ValidationFailed`): stall, apply nothing.
    Invalid {
        /// [`Reason::InvalidSpec`] or [`Reason::ValidationFailed`].
        reason: Reason,
        /// What is wrong.
        message: String,
    },
    /// The newest revision is `pending-*`: an operation was interrupted (a crash). Unlock it.
    Locked {
        /// The pending revision.
        revision: u32,
    },
    /// The newest revision is deployed with the spec's chart and values.
    InSync {
        /// That revision.
        revision: u32,
    },
    /// In sync, but objects drifted; correct them (`enabled`) or report them (`warn`).
    Drifted {
        /// The deployed revision.
        revision: u32,
        /// `enabled` or `warn`.
        mode: DriftMode,
    },
    /// No revision was ever deployed: install.
    NeedsInstall,
    /// A revision is deployed but not the spec's: upgrade.
    NeedsUpgrade {
        /// The deployed revision.
        from: u32,
    },
    /// This reconcile deployed a revision whose tests (`spec.test.enable`) have not run.
    Untested {
        /// That revision.
        revision: u32,
    },
    /// This reconcile's install or upgrade failed: remediate (with `atomic`) and record.
    FailedThisGeneration {
        /// Which action failed.
        action: ReleaseAction,
        /// How to undo it; `None` leaves the failed revision as it is.
        remediation: Option<Remediation>,
    },
    /// An attempt at this generation failed and no retry is left (today none are made): wait for
    /// a change to the spec.
    RetriesExhausted,
}

impl ReleaseState {
    /// The state of `hr`'s release given its `history` (oldest first) and `facts`.
    ///
    /// Guarantees: total (every input has a state); the same inputs give the same state.
    pub fn of(hr: &HelmRelease, history: &[Release], facts: &Facts) -> ReleaseState {
        if hr.metadata.deletion_timestamp.is_some() {
            return ReleaseState::Deleting;
        }
        if hr.spec.suspend {
            return ReleaseState::Suspended;
        }
        let settings = match Settings::of(&hr.spec) {
            Ok(s) => s,
            Err(message) => {
                return ReleaseState::Invalid {
                    reason: Reason::InvalidSpec,
                    message,
                };
            }
        };
        if !facts.findings.is_empty() {
            return ReleaseState::Invalid {
                reason: Reason::ValidationFailed,
                message: facts.findings.join("; "),
            };
        }
        if let Some(last) = history.last()
            && status::is_pending(&last.info.status)
        {
            return ReleaseState::Locked {
                revision: last.version,
            };
        }
        match &facts.progress {
            Progress::Deployed(d) if settings.run_tests && !d.tested => {
                return ReleaseState::Untested {
                    revision: d.release.version,
                };
            }
            Progress::Deployed(d) => {
                return ReleaseState::InSync {
                    revision: d.release.version,
                };
            }
            Progress::Failed(f) => {
                let remediation = hr.spec.atomic.then(|| match last_deployed(history) {
                    Some(target) => Remediation::Rollback { to: target.version },
                    None => Remediation::Uninstall,
                });
                return ReleaseState::FailedThisGeneration {
                    action: f.action,
                    remediation,
                };
            }
            Progress::FailureHandled => return ReleaseState::RetriesExhausted,
            Progress::Start => {}
        }
        if let Some(revision) = in_sync(hr, history) {
            let mode = drift_mode(hr);
            if mode != DriftMode::Disabled && !facts.drift.is_empty() {
                return ReleaseState::Drifted { revision, mode };
            }
            return ReleaseState::InSync { revision };
        }
        if failed_this_generation(hr) {
            // A failure is not retried until the spec changes (as `helm upgrade` is not re-run
            // on its own): retrying would add revisions without changing anything.
            return ReleaseState::RetriesExhausted;
        }
        match last_deployed(history) {
            Some(d) => ReleaseState::NeedsUpgrade { from: d.version },
            None => ReleaseState::NeedsInstall,
        }
    }
}

/// The newest deployed revision.
pub fn last_deployed(history: &[Release]) -> Option<&Release> {
    history
        .iter()
        .rev()
        .find(|r| r.info.status == status::DEPLOYED)
}

/// The deployed revision when it is the newest one and has the spec's chart name, version and
/// values (so a new revision would change nothing).
pub fn in_sync(hr: &HelmRelease, history: &[Release]) -> Option<u32> {
    let latest = history.last()?;
    let d = last_deployed(history)?;
    (d.version == latest.version
        && d.chart_name() == hr.spec.name
        && d.chart_version() == hr.spec.version
        && d.config == hr.values())
    .then_some(d.version)
}

/// `spec.driftDetection.mode`, `enabled` by default.
pub fn drift_mode(hr: &HelmRelease) -> DriftMode {
    hr.spec
        .drift_detection
        .as_ref()
        .and_then(|d| d.mode)
        .unwrap_or(DriftMode::Enabled)
}

/// Whether the status says an install, upgrade or render of the current generation failed.
fn failed_this_generation(hr: &HelmRelease) -> bool {
    let Some(status) = &hr.status else {
        return false;
    };
    let failed = status
        .conditions
        .iter()
        .find(|c| c.type_ == ConditionType::Ready.as_str())
        .and_then(|c| Reason::parse(&c.reason))
        .is_some_and(Reason::is_release_failure);
    failed && status.observed_generation == hr.metadata.generation
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use serde_json::json;

    use super::*;
    use crate::crd::{Condition, DriftDetection, HelmReleaseStatus, TestSpec};

    /// The spec of every case: chart `webapp` 1.0.0 with `message: a`, generation 2.
    fn hr() -> HelmRelease {
        let mut hr = HelmRelease::new(
            "web",
            HelmReleaseSpec {
                repo: "oci://registry.example/charts".into(),
                name: "webapp".into(),
                version: "1.0.0".into(),
                values: Some(json!({"message": "a"}).as_object().cloned().unwrap()),
                ..HelmReleaseSpec::default()
            },
        );
        hr.metadata.namespace = Some("apps".into());
        hr.metadata.generation = Some(2);
        hr
    }

    /// Revision `version` of chart `webapp` `chart` with `message`, in `state`.
    fn rev(version: u32, state: &str, chart: &str, message: &str) -> Release {
        Release {
            name: "web".into(),
            namespace: "apps".into(),
            version,
            chart: Some(json!({"metadata": {"name": "webapp", "version": chart}})),
            config: json!({"message": message}).as_object().cloned().unwrap(),
            info: crate::release::Info {
                status: state.into(),
                ..Default::default()
            },
            ..Release::default()
        }
    }

    /// The spec's chart and values: what an in-sync revision has.
    fn current(version: u32, state: &str) -> Release {
        rev(version, state, "1.0.0", "a")
    }

    /// A status whose Ready condition has `reason`, observed at `generation`.
    fn with_ready(mut hr: HelmRelease, reason: Reason, generation: i64) -> HelmRelease {
        hr.status = Some(HelmReleaseStatus {
            observed_generation: Some(generation),
            conditions: vec![Condition {
                type_: ConditionType::Ready.as_str().into(),
                status: "False".into(),
                reason: reason.as_str().into(),
                ..Condition::default()
            }],
            ..HelmReleaseStatus::default()
        });
        hr
    }

    fn drift() -> Vec<Drifted> {
        let obj = ObjectRef {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: None,
            name: "web".into(),
        };
        vec![Drifted {
            label: format!("{obj} (modified)"),
            obj,
            body: Value::Null,
        }]
    }

    fn deployed(revision: u32, tested: bool) -> Progress {
        Progress::Deployed(Box::new(Deployed {
            action: ReleaseAction::Upgrade,
            release: current(revision, status::DEPLOYED),
            hooks: Vec::new(),
            tested,
        }))
    }

    fn failed(action: ReleaseAction, revision: u32) -> Progress {
        Progress::Failed(Box::new(Failure {
            action,
            release: current(revision, status::FAILED),
            why: "timed out".into(),
        }))
    }

    fn edit(f: impl FnOnce(&mut HelmRelease)) -> HelmRelease {
        let mut hr = hr();
        f(&mut hr);
        hr
    }

    /// Every state, and every transition a reconcile makes between two actions.
    #[test]
    fn the_state_of_a_release() {
        use ReleaseState::*;
        let facts = |progress: Progress| Facts {
            progress,
            ..Facts::default()
        };
        let none = Facts::default;
        let atomic = edit(|hr| hr.spec.atomic = true);
        let tests = edit(|hr| {
            hr.spec.test = Some(TestSpec {
                enable: true,
                timeout: None,
            })
        });
        let warn = edit(|hr| {
            hr.spec.drift_detection = Some(DriftDetection {
                mode: Some(DriftMode::Warn),
                ignore: Vec::new(),
            })
        });
        let no_drift = edit(|hr| {
            hr.spec.drift_detection = Some(DriftDetection {
                mode: Some(DriftMode::Disabled),
                ignore: Vec::new(),
            })
        });
        let deleting = edit(|hr| hr.metadata.deletion_timestamp = Some(Time(Default::default())));
        let suspended = edit(|hr| hr.spec.suspend = true);
        let bad_timeout = edit(|hr| hr.spec.timeout = Some("5 minutes".into()));
        let bad_test_timeout = edit(|hr| {
            hr.spec.test = Some(TestSpec {
                enable: true,
                timeout: Some("soon".into()),
            })
        });
        let findings = || Facts {
            findings: vec!["spec.version: not SemVer (PH001)".into()],
            ..Facts::default()
        };
        let installed = || vec![current(1, status::DEPLOYED)];
        let upgraded_failed = || {
            vec![
                current(1, status::SUPERSEDED),
                rev(2, status::DEPLOYED, "0.9.0", "a"),
                current(3, status::FAILED),
            ]
        };

        #[rustfmt::skip]
        let cases: Vec<(&str, HelmRelease, Vec<Release>, Facts, ReleaseState)> = vec![
            ("deleting wins over everything", deleting, vec![current(1, status::PENDING_UPGRADE)], findings(), Deleting),
            ("deleting a suspended release", edit(|hr| { hr.spec.suspend = true; hr.metadata.deletion_timestamp = Some(Time(Default::default())) }), installed(), none(), Deleting),
            ("suspended", suspended, vec![current(1, status::PENDING_INSTALL)], none(), Suspended),
            ("suspended with a bad spec", edit(|hr| { hr.spec.suspend = true; hr.spec.interval = Some("x".into()) }), vec![], none(), Suspended),
            ("a timeout that is no duration", bad_timeout, installed(), none(), Invalid { reason: Reason::InvalidSpec, message: "spec.timeout: \"5 minutes\" is not a duration: write it as Go does, like 5m, 1h30m or 90s".into() }),
            ("a test timeout that is no duration", bad_test_timeout, vec![], none(), Invalid { reason: Reason::InvalidSpec, message: "spec.test.timeout: \"soon\" is not a duration: write it as Go does, like 5m, 1h30m or 90s".into() }),
            ("validation findings", hr(), vec![current(1, status::PENDING_UPGRADE)], findings(), Invalid { reason: Reason::ValidationFailed, message: "spec.version: not SemVer (PH001)".into() }),
            ("pending-install left by a crash", hr(), vec![current(1, status::PENDING_INSTALL)], none(), Locked { revision: 1 }),
            ("pending-upgrade left by a crash", hr(), vec![current(1, status::SUPERSEDED), current(2, status::PENDING_UPGRADE)], none(), Locked { revision: 2 }),
            ("pending-rollback left by a crash", atomic.clone(), vec![current(1, status::SUPERSEDED), current(2, status::FAILED), current(3, status::PENDING_ROLLBACK)], none(), Locked { revision: 3 }),
            ("uninstalling left by a crash", hr(), vec![current(1, status::UNINSTALLING)], none(), Locked { revision: 1 }),
            ("locked even right after a deploy of this reconcile", hr(), vec![current(1, status::PENDING_UPGRADE)], facts(deployed(1, false)), Locked { revision: 1 }),
            ("unlocked install: nothing deployed, install again", hr(), vec![current(1, status::FAILED)], none(), NeedsInstall),
            ("unlocked upgrade: upgrade from the deployed one", hr(), vec![current(1, status::DEPLOYED), current(2, status::FAILED)], none(), NeedsUpgrade { from: 1 }),
            ("no history", hr(), vec![], none(), NeedsInstall),
            ("only superseded and failed revisions", hr(), vec![current(1, status::SUPERSEDED), current(2, status::FAILED)], none(), NeedsInstall),
            ("in sync", hr(), installed(), none(), InSync { revision: 1 }),
            ("in sync, adopted from helm", hr(), vec![rev(1, status::SUPERSEDED, "0.9.0", "a"), current(2, status::DEPLOYED)], none(), InSync { revision: 2 }),
            ("in sync but drifted", hr(), installed(), Facts { drift: drift(), ..Facts::default() }, Drifted { revision: 1, mode: DriftMode::Enabled }),
            ("in sync but drifted, warn", warn, installed(), Facts { drift: drift(), ..Facts::default() }, Drifted { revision: 1, mode: DriftMode::Warn }),
            ("drift detection disabled", no_drift, installed(), Facts { drift: drift(), ..Facts::default() }, InSync { revision: 1 }),
            ("in sync wins over an old failure", with_ready(hr(), Reason::UpgradeFailed, 2), installed(), none(), InSync { revision: 1 }),
            ("values changed", hr(), vec![rev(1, status::DEPLOYED, "1.0.0", "b")], none(), NeedsUpgrade { from: 1 }),
            ("chart version changed", hr(), vec![rev(1, status::DEPLOYED, "0.9.0", "a")], none(), NeedsUpgrade { from: 1 }),
            ("chart name changed", hr(), vec![Release { chart: Some(json!({"metadata": {"name": "other", "version": "1.0.0"}})), ..current(1, status::DEPLOYED) }], none(), NeedsUpgrade { from: 1 }),
            ("the spec's revision failed after a deployed one", hr(), vec![rev(1, status::DEPLOYED, "0.9.0", "a"), current(2, status::FAILED)], none(), NeedsUpgrade { from: 1 }),
            ("a rollback deployed an older revision", hr(), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
            ("upgrade failed this generation", with_ready(hr(), Reason::UpgradeFailed, 2), upgraded_failed(), none(), RetriesExhausted),
            ("install failed this generation", with_ready(hr(), Reason::InstallFailed, 2), vec![current(1, status::FAILED)], none(), RetriesExhausted),
            ("render failed this generation", with_ready(hr(), Reason::RenderFailed, 2), vec![], none(), RetriesExhausted),
            ("failed at an older generation: try again", with_ready(hr(), Reason::UpgradeFailed, 1), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
            ("a fetch failure is retried", with_ready(hr(), Reason::ChartFetchFailed, 2), vec![], none(), NeedsInstall),
            ("deployed this reconcile", hr(), installed(), facts(deployed(1, false)), InSync { revision: 1 }),
            ("deployed this reconcile, tests to run", tests.clone(), installed(), facts(deployed(1, false)), Untested { revision: 1 }),
            ("deployed and tested", tests, installed(), facts(deployed(1, true)), InSync { revision: 1 }),
            ("upgrade failed, not atomic", hr(), upgraded_failed(), facts(failed(ReleaseAction::Upgrade, 3)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: None }),
            ("upgrade failed, atomic: roll back", atomic.clone(), upgraded_failed(), facts(failed(ReleaseAction::Upgrade, 3)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Rollback { to: 2 }) }),
            ("install failed, atomic: uninstall", atomic.clone(), vec![current(1, status::FAILED)], facts(failed(ReleaseAction::Install, 1)), FailedThisGeneration { action: ReleaseAction::Install, remediation: Some(Remediation::Uninstall) }),
            ("install failed, not atomic", hr(), vec![current(1, status::FAILED)], facts(failed(ReleaseAction::Install, 1)), FailedThisGeneration { action: ReleaseAction::Install, remediation: None }),
            ("failure handled", atomic.clone(), vec![], facts(Progress::FailureHandled), RetriesExhausted),
            ("failure handled, rolled back", atomic, vec![current(1, status::SUPERSEDED), current(2, status::FAILED), current(3, status::DEPLOYED)], facts(Progress::FailureHandled), RetriesExhausted),
        ];
        let mut seen = std::collections::HashSet::new();
        for (name, hr, history, facts, want) in cases {
            let got = ReleaseState::of(&hr, &history, &facts);
            assert_eq!(got, want, "{name}");
            seen.insert(std::mem::discriminant(&got));
        }
        assert_eq!(seen.len(), 11, "every state has a case");
    }

    #[test]
    fn settings_default_and_parse() {
        assert_eq!(Settings::of(&hr().spec).unwrap(), Settings::default());
        let s = Settings::of(&HelmReleaseSpec {
            timeout: Some("1m".into()),
            interval: Some("30s".into()),
            history_limit: Some(3),
            test: Some(TestSpec {
                enable: true,
                timeout: None,
            }),
            ..HelmReleaseSpec::default()
        })
        .unwrap();
        assert_eq!(s.timeout, Duration::from_secs(60));
        assert_eq!(
            s.test_timeout,
            Duration::from_secs(60),
            "defaults to timeout"
        );
        assert_eq!(s.interval, Duration::from_secs(30));
        assert_eq!(s.history_limit, 3);
        assert!(s.run_tests);
        let bad = HelmReleaseSpec {
            timeout: Some("never".into()),
            ..HelmReleaseSpec::default()
        };
        assert_eq!(Settings::uninstall_timeout(&bad), DEFAULT_TIMEOUT);
    }
}
