//! The decision: which state a release is in, from the HelmRelease, its release history and the
//! facts the reconcile gathered (validation findings, drift) or made (what it already did).
//!
//! Pure: no I/O. `ReleaseState::of` is called again after every action of a reconcile, so one
//! reconcile walks the states until it reaches one that ends it (as Flux's atomic release loop
//! does): for example `Locked` -> (unlock) -> `NeedsUpgrade` -> (upgrade fails) ->
//! `FailedThisGeneration` -> (roll back) -> `RetriesExhausted`.

use std::time::Duration;

use host_runtime::Manifest;
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::cluster::ObjectRef;
use crate::crd::{
    DeletionPropagation, DriftMode, HelmRelease, HelmReleaseSpec, RemediationStrategy, Unresolvable,
};
use crate::release::{Release, status};

use super::condition::{ConditionType, Reason};

pub use helmrelease_model::defaults::{
    HISTORY as DEFAULT_HISTORY, INTERVAL as DEFAULT_INTERVAL, TIMEOUT as DEFAULT_TIMEOUT,
};
pub use helmrelease_model::duration::parse as duration;
/// The shortest `spec.interval`: a shorter one (`0s`) would reconcile in a tight loop.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

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
    /// `spec.install.remediation.retries` (0).
    pub install_retries: u32,
    /// Uninstall a failed install when no retry is left: `spec.atomic`.
    pub install_remediate_last: bool,
    /// `spec.upgrade.remediation.retries` (0).
    pub upgrade_retries: u32,
    /// `spec.upgrade.remediation.strategy` (rollback).
    pub upgrade_strategy: RemediationStrategy,
    /// `spec.upgrade.remediation.remediateLastFailure`; by default true with retries or
    /// `atomic`.
    pub upgrade_remediate_last: bool,
    /// `spec.upgrade.force`: take fields other field managers own.
    pub force: bool,
    /// `spec.upgrade.cleanupOnFail`.
    pub cleanup_on_fail: bool,
    /// `spec.uninstall.keepHistory`.
    pub keep_history: bool,
    /// `spec.uninstall.deletionPropagation` (background).
    pub propagation: DeletionPropagation,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            test_timeout: DEFAULT_TIMEOUT,
            run_tests: false,
            history_limit: DEFAULT_HISTORY,
            install_retries: 0,
            install_remediate_last: false,
            upgrade_retries: 0,
            upgrade_strategy: RemediationStrategy::Rollback,
            upgrade_remediate_last: false,
            force: false,
            cleanup_on_fail: false,
            keep_history: false,
            propagation: DeletionPropagation::Background,
        }
    }
}

impl Settings {
    /// Parses the spec; the error names the field and says how to write it.
    pub fn of(spec: &HelmReleaseSpec) -> Result<Settings, String> {
        let parse = |field: &str, text: Option<&str>, default: Duration| {
            text.map(duration)
                .unwrap_or(Ok(default))
                .map_err(|e| format!("{field}: {e}"))
        };
        let interval = parse("spec.interval", spec.interval.as_deref(), DEFAULT_INTERVAL)?;
        if interval < MIN_INTERVAL {
            return Err(format!(
                "spec.interval: {:?} is shorter than {}s: the release would be reconciled in a \
                 tight loop; write at least 1s (the default is 10m)",
                spec.interval.as_deref().unwrap_or_default(),
                MIN_INTERVAL.as_secs()
            ));
        }
        let timeout = parse("spec.timeout", spec.timeout.as_deref(), DEFAULT_TIMEOUT)?;
        for (i, reference) in spec.values_from.iter().enumerate() {
            if let Some(path) = &reference.target_path {
                super::values::parse_path(path)
                    .map_err(|e| format!("spec.valuesFrom[{i}].targetPath: {e}"))?;
            }
        }
        let test_timeout = parse(
            "spec.test.timeout",
            spec.test.as_ref().and_then(|t| t.timeout.as_deref()),
            timeout,
        )?;
        let install = spec.install.as_ref().and_then(|i| i.remediation.as_ref());
        let upgrade = spec.upgrade.as_ref();
        let upgrade_remediation = upgrade.and_then(|u| u.remediation.as_ref());
        let upgrade_retries = upgrade_remediation.and_then(|r| r.retries).unwrap_or(0);
        let uninstall = spec.uninstall.as_ref();
        Ok(Settings {
            interval,
            timeout,
            test_timeout,
            run_tests: spec.test.as_ref().is_some_and(|t| t.enable),
            history_limit: spec.history_limit.unwrap_or(DEFAULT_HISTORY),
            install_retries: install.and_then(|r| r.retries).unwrap_or(0),
            install_remediate_last: spec.atomic,
            upgrade_retries,
            upgrade_strategy: upgrade_remediation
                .and_then(|r| r.strategy)
                .unwrap_or(RemediationStrategy::Rollback),
            upgrade_remediate_last: upgrade_remediation
                .and_then(|r| r.remediate_last_failure)
                .unwrap_or(upgrade_retries > 0 || spec.atomic),
            force: upgrade.is_some_and(|u| u.force),
            cleanup_on_fail: upgrade.is_some_and(|u| u.cleanup_on_fail),
            keep_history: uninstall.is_some_and(|u| u.keep_history),
            propagation: uninstall
                .and_then(|u| u.deletion_propagation)
                .unwrap_or(DeletionPropagation::Background),
        })
    }

    /// The settings of an uninstall: those of the spec when it parses, else the defaults with
    /// `spec.uninstall` (a spec error never keeps a HelmRelease from being deleted).
    pub fn for_uninstall(spec: &HelmReleaseSpec) -> Settings {
        Settings::of(spec).unwrap_or_else(|_| {
            let uninstall = spec.uninstall.as_ref();
            Settings {
                timeout: Settings::uninstall_timeout(spec),
                keep_history: uninstall.is_some_and(|u| u.keep_history),
                propagation: uninstall
                    .and_then(|u| u.deletion_propagation)
                    .unwrap_or(DeletionPropagation::Background),
                ..Settings::default()
            }
        })
    }

    /// The retries of `action`.
    pub fn retries(&self, action: ReleaseAction) -> u32 {
        match action {
            ReleaseAction::Install => self.install_retries,
            ReleaseAction::Upgrade => self.upgrade_retries,
        }
    }

    /// The timeout of an uninstall: `spec.timeout` when it parses, else the default (a spec
    /// error never keeps a HelmRelease from being deleted).
    pub fn uninstall_timeout(spec: &HelmReleaseSpec) -> Duration {
        spec.timeout
            .as_deref()
            .and_then(|t| go_duration::parse_unsigned(t).ok())
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
    /// Fields its apply left to other field managers.
    pub left: Vec<String>,
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

/// Failed attempts since the last success, spec change or reset (`status.failures`,
/// `installFailures`, `upgradeFailures`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    /// Every failed attempt (a chart that could not be fetched or rendered included).
    pub total: u32,
    /// Failed installs.
    pub install: u32,
    /// Failed upgrades.
    pub upgrade: u32,
}

impl Failures {
    /// The counts a reconcile of `hr` starts from: the status's, or none when the spec changed
    /// since (a new generation) or `resetAt` asks for a reset.
    pub fn of(hr: &HelmRelease) -> Failures {
        match &hr.status {
            Some(s) if s.observed_generation == hr.metadata.generation && !hr.reset_requested() => {
                Failures {
                    total: s.failures,
                    install: s.install_failures,
                    upgrade: s.upgrade_failures,
                }
            }
            _ => Failures::default(),
        }
    }

    /// Counts one more failure (of `action`, when a revision was made).
    pub fn count(&mut self, action: Option<ReleaseAction>) {
        self.total += 1;
        match action {
            Some(ReleaseAction::Install) => self.install += 1,
            Some(ReleaseAction::Upgrade) => self.upgrade += 1,
            None => {}
        }
    }

    /// The failures of `action`.
    pub fn of_action(&self, action: ReleaseAction) -> u32 {
        match action {
            ReleaseAction::Install => self.install,
            ReleaseAction::Upgrade => self.upgrade,
        }
    }
}

/// When a reconcile of `hr` may try again after a failure (`status.nextRetryAt`), unless the spec
/// changed, a reset or a reconcile was requested since.
pub fn retry_at(hr: &HelmRelease) -> Option<Timestamp> {
    let s = hr.status.as_ref()?;
    if s.observed_generation != hr.metadata.generation
        || hr.reset_requested()
        || hr.reconcile_requested().is_some()
    {
        return None;
    }
    s.next_retry_at.as_deref()?.parse().ok()
}

/// Why no retry is left, for the `Stalled` condition; `None` when retries are left.
pub fn exhausted(settings: &Settings, failures: &Failures) -> Option<String> {
    [ReleaseAction::Install, ReleaseAction::Upgrade]
        .into_iter()
        .find(|&a| failures.of_action(a) > settings.retries(a))
        .map(|a| {
            let field = match a {
                ReleaseAction::Install => "install",
                ReleaseAction::Upgrade => "upgrade",
            };
            format!(
                "{} failed {} time(s) and spec.{field}.remediation.retries is {}: no retry is \
                 left; fix the cause, then set the annotations {} and {} to the same new value \
                 (or change the spec) to start over",
                a.verb(),
                failures.of_action(a),
                settings.retries(a),
                crate::crd::RESET_AT,
                crate::crd::REQUESTED_AT,
            )
        })
}

/// The reason a deployed revision is reported with: `UpgradeSucceeded` when an older revision
/// was deployed before it, else `InstallSucceeded`.
pub fn deployed_reason(history: &[Release], revision: u32) -> Reason {
    if history
        .iter()
        .any(|r| r.version < revision && r.info.status == status::SUPERSEDED)
    {
        Reason::UpgradeSucceeded
    } else {
        Reason::InstallSucceeded
    }
}

/// Why `hr` may not act on the release whose records are `history` (oldest first), with what to
/// do; `None` when it may. A release is `hr`'s when its newest record names `hr` as its owner
/// (`crate::release::OWNER_NAME`), or names no owner while `hr`'s status says it deployed a
/// revision (records written before the controller labelled them). With `adopt`
/// (`spec.install.takeOwnership`) any release is taken.
pub fn not_owned(hr: &HelmRelease, history: &[Release], adopt: bool) -> Option<String> {
    let newest = history.last()?;
    let own = (
        hr.metadata.namespace.as_deref().unwrap_or_default(),
        hr.metadata.name.as_deref().unwrap_or_default(),
    );
    let legacy = || {
        hr.status
            .as_ref()
            .is_some_and(|s| s.last_applied_revision.is_some())
    };
    let by = match newest.owner() {
        Some(owner) if owner == own => return None,
        None if legacy() => return None,
        _ if adopt => return None,
        Some((ns, name)) => format!("HelmRelease {ns}/{name}"),
        None => "another tool (the helm CLI?), not a HelmRelease".to_string(),
    };
    Some(format!(
        "release {} in namespace {} exists and is not this HelmRelease's: its newest record \
         (revision {}, {}) was written by {by}; it is left alone. Set \
         spec.install.takeOwnership: true to adopt it, or give this HelmRelease another \
         releaseName",
        newest.name, newest.namespace, newest.version, newest.info.status
    ))
}

/// What the reconcile knows besides the HelmRelease and its history.
#[derive(Debug, Default)]
pub struct Facts {
    /// The validation's refusal of the HelmRelease (the webhook's denial message, see
    /// `load::validate`); empty when the spec is valid.
    pub findings: Vec<String>,
    /// A Project Planton field this controller cannot resolve (another cluster, a namespace
    /// reference), with what to do.
    pub unresolvable: Option<(Unresolvable, String)>,
    /// A reference the controller refuses (a Secret in another namespace under
    /// `--no-cross-namespace-refs`), with what to do.
    pub denied: Option<String>,
    /// A request the release's identity was refused before any action (creating its namespace).
    pub forbidden: Option<String>,
    /// Why the cluster `spec.kubeConfig` names cannot be reached.
    pub unreachable: Option<String>,
    /// Objects of the deployed revision that someone else changed or deleted. Only looked for
    /// when the release is in sync and drift detection is not disabled.
    pub drift: Vec<Drifted>,
    /// Fields of the deployed revision's objects that other field managers hold (left alone,
    /// reported): `Kind ns/name .field (conflict with ...)`.
    pub held: Vec<String>,
    /// What this reconcile did so far.
    pub progress: Progress,
    /// The failure counts (see [`Failures::of`]), counting this reconcile's failures.
    pub failures: Failures,
    /// When the next attempt after a failure is due (see [`retry_at`]); set again by each
    /// failure of this reconcile.
    pub retry_at: Option<Timestamp>,
    /// The time of the decision.
    pub now: Timestamp,

    // spec.dependsOn and spec.valuesFrom.
    /// A cycle through `spec.dependsOn` (`a -> b -> a`).
    pub dependency_cycle: Option<String>,
    /// The dependencies that are not Ready, and why.
    pub dependencies_not_ready: Option<String>,
    /// Why `spec.valuesFrom` could not be resolved: [`Reason::ValuesFromNotFound`] or
    /// [`Reason::ValuesFromInvalid`], and what to do.
    pub values_failed: Option<(Reason, String)>,
    /// The values when `spec.valuesFrom` is set (its references merged, then `spec.values`);
    /// `None`: `spec.values` alone.
    pub values: Option<Map<String, Value>>,
}

/// The values a revision of `hr` is made with: [`Facts::values`], else `spec.values`.
pub fn desired_values(hr: &HelmRelease, facts: &Facts) -> Map<String, Value> {
    facts.values.clone().unwrap_or_else(|| hr.values())
}

/// The state of a release: what the next action is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseState {
    /// The HelmRelease is being deleted: uninstall, then let the finalizer go.
    Deleting,
    /// `spec.suspend`: do nothing until the spec changes.
    Suspended,
    /// The spec cannot be acted on (`InvalidSpec`, `ValidationFailed`, a Project Planton field
    /// that cannot be resolved here): stall, apply nothing.
    Invalid {
        /// [`Reason::InvalidSpec`], [`Reason::ValidationFailed`],
        /// [`Reason::NamespaceUnresolvable`], [`Reason::TargetClusterUnresolvable`],
        /// [`Reason::AccessDenied`], [`Reason::KubeConfigInvalid`], [`Reason::Forbidden`],
        /// [`Reason::OwnershipConflict`] or [`Reason::DependencyCycle`].
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
    /// An attempt at this generation failed and its retry is not due yet (the backoff): wait.
    AwaitingRetry {
        /// When it is due.
        until: Timestamp,
    },
    /// Attempts at this generation failed and no retry is left (more failures than
    /// `remediation.retries`, or a chart that does not render): stalled until the spec changes
    /// or `resetAt` asks to start over.
    RetriesExhausted,

    // spec.dependsOn and spec.valuesFrom.
    /// A HelmRelease of `spec.dependsOn` is not Ready: wait (requeue after a delay, or when it
    /// changes).
    DependenciesNotReady {
        /// Which, and why.
        message: String,
    },
    /// `spec.valuesFrom` cannot be resolved (an object or key missing, data that is not a map
    /// of values): `Ready=False`, retried, and reconciled again when the object changes.
    ValuesUnavailable {
        /// [`Reason::ValuesFromNotFound`] or [`Reason::ValuesFromInvalid`].
        reason: Reason,
        /// What is wrong.
        message: String,
    },
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
        if let Some((what, message)) = &facts.unresolvable {
            return ReleaseState::Invalid {
                reason: Reason::from(*what),
                message: message.clone(),
            };
        }
        if let Some(message) = &facts.denied {
            return ReleaseState::Invalid {
                reason: Reason::AccessDenied,
                message: message.clone(),
            };
        }
        if let Some(message) = &facts.unreachable {
            return ReleaseState::Invalid {
                reason: Reason::KubeConfigInvalid,
                message: message.clone(),
            };
        }
        if let Some(message) = &facts.forbidden {
            return ReleaseState::Invalid {
                reason: Reason::Forbidden,
                message: message.clone(),
            };
        }
        if let Some(message) = not_owned(hr, history, hr.take_ownership()) {
            return ReleaseState::Invalid {
                reason: Reason::OwnershipConflict,
                message,
            };
        }
        if let Some(cycle) = &facts.dependency_cycle {
            return ReleaseState::Invalid {
                reason: Reason::DependencyCycle,
                message: format!(
                    "spec.dependsOn makes a cycle: {cycle}; no release of it can be installed \
                     first: remove one of the dependencies"
                ),
            };
        }
        if let Some(message) = &facts.dependencies_not_ready {
            return ReleaseState::DependenciesNotReady {
                message: message.clone(),
            };
        }
        if let Some((reason, message)) = &facts.values_failed {
            return ReleaseState::ValuesUnavailable {
                reason: *reason,
                message: message.clone(),
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
                return ReleaseState::FailedThisGeneration {
                    action: f.action,
                    remediation: remediation(&settings, history, f.action, &facts.failures),
                };
            }
            Progress::FailureHandled => {
                if exhausted(&settings, &facts.failures).is_some() {
                    return ReleaseState::RetriesExhausted;
                }
                return ReleaseState::AwaitingRetry {
                    until: facts.retry_at.unwrap_or(facts.now),
                };
            }
            Progress::Start => {}
        }
        // `forceAt`: one upgrade now, whatever the state.
        let forced = hr.force_requested();
        if !forced && let Some(revision) = in_sync(hr, &desired_values(hr, facts), history) {
            let mode = drift_mode(hr);
            if mode != DriftMode::Disabled && !facts.drift.is_empty() {
                return ReleaseState::Drifted { revision, mode };
            }
            return ReleaseState::InSync { revision };
        }
        if !forced {
            // A chart that did not render renders the same way until the spec changes.
            if (render_failed_this_generation(hr) && !hr.reset_requested())
                || exhausted(&settings, &facts.failures).is_some()
            {
                return ReleaseState::RetriesExhausted;
            }
            if let Some(until) = facts.retry_at
                && until > facts.now
            {
                return ReleaseState::AwaitingRetry { until };
            }
        }
        match last_deployed(history) {
            Some(d) => ReleaseState::NeedsUpgrade { from: d.version },
            None => ReleaseState::NeedsInstall,
        }
    }
}

/// How a failure of `action` is remediated: between retries always (so that a retry starts from
/// the last good state), after the last one as `remediateLastFailure` (or `atomic`) says. A
/// failed install is uninstalled; a failed upgrade is rolled back or uninstalled as
/// `upgrade.remediation.strategy` says.
fn remediation(
    settings: &Settings,
    history: &[Release],
    action: ReleaseAction,
    failures: &Failures,
) -> Option<Remediation> {
    let retry_left = failures.of_action(action) <= settings.retries(action);
    match action {
        ReleaseAction::Install => {
            (retry_left || settings.install_remediate_last).then_some(Remediation::Uninstall)
        }
        ReleaseAction::Upgrade => (retry_left || settings.upgrade_remediate_last).then(|| {
            match (settings.upgrade_strategy, last_deployed(history)) {
                (RemediationStrategy::Rollback, Some(target)) => {
                    Remediation::Rollback { to: target.version }
                }
                _ => Remediation::Uninstall,
            }
        }),
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
/// `values` (so a new revision would change nothing). The values compared are those a new
/// revision would record, `spec.valuesFrom`'s data included: a changed ConfigMap or Secret
/// makes the release need an upgrade.
pub fn in_sync(hr: &HelmRelease, values: &Map<String, Value>, history: &[Release]) -> Option<u32> {
    let latest = history.last()?;
    let d = last_deployed(history)?;
    (d.version == latest.version
        && d.chart_name() == hr.spec.name
        && d.chart_version() == hr.spec.version
        && d.config == *values)
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

/// Whether the status says the chart of the current generation did not render.
fn render_failed_this_generation(hr: &HelmRelease) -> bool {
    let Some(status) = &hr.status else {
        return false;
    };
    let failed = status
        .conditions
        .iter()
        .find(|c| c.type_ == ConditionType::Ready.as_str())
        .and_then(|c| Reason::parse(&c.reason))
        == Some(Reason::RenderFailed);
    failed && status.observed_generation == hr.metadata.generation
}

#[cfg(test)]
mod tests;
