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
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use serde_json::json;

    use super::*;
    use crate::crd::{
        Condition, DriftDetection, FORCE_AT, HelmReleaseStatus, InstallRemediation, InstallSpec,
        REQUESTED_AT, RESET_AT, TestSpec, UpgradeRemediation, UpgradeSpec, ValuesReference,
    };

    /// The time of every decision.
    fn now() -> Timestamp {
        "2026-01-01T12:00:00Z".parse().unwrap()
    }

    /// `hr` with the status of failed attempts at `generation`: `(install, upgrade)` failures, a
    /// retry due at `retry` (RFC 3339).
    fn failing(
        hr: HelmRelease,
        reason: Reason,
        generation: i64,
        (install, upgrade): (u32, u32),
        retry: Option<&str>,
    ) -> HelmRelease {
        let mut hr = with_ready(hr, reason, generation);
        let s = hr.status.as_mut().unwrap();
        s.failures = install + upgrade;
        s.install_failures = install;
        s.upgrade_failures = upgrade;
        s.next_retry_at = retry.map(str::to_string);
        hr
    }

    /// `hr` with the annotations `pairs`.
    fn annotated(mut hr: HelmRelease, pairs: &[(&str, &str)]) -> HelmRelease {
        hr.metadata.annotations = Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        hr
    }

    /// `hr` with `spec.install.remediation.retries` and `spec.upgrade.remediation`.
    fn retrying(hr: HelmRelease, install: u32, upgrade: UpgradeRemediation) -> HelmRelease {
        let mut hr = hr;
        hr.spec.install = Some(InstallSpec {
            remediation: Some(InstallRemediation {
                retries: Some(install),
            }),
            ..InstallSpec::default()
        });
        hr.spec.upgrade = Some(UpgradeSpec {
            remediation: Some(upgrade),
            ..UpgradeSpec::default()
        });
        hr
    }

    fn upgrade_retries(retries: u32) -> UpgradeRemediation {
        UpgradeRemediation {
            retries: Some(retries),
            ..UpgradeRemediation::default()
        }
    }

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
            labels: [
                (
                    crate::release::OWNER_NAMESPACE.to_string(),
                    "apps".to_string(),
                ),
                (crate::release::OWNER_NAME.to_string(), "web".to_string()),
            ]
            .into(),
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

    /// `release` as another HelmRelease in `apps` wrote it, or without owner (`None`: helm).
    fn unowned(mut release: Release, owner: Option<&str>) -> Release {
        match owner {
            Some(name) => {
                release
                    .labels
                    .insert(crate::release::OWNER_NAME.into(), name.into());
            }
            None => release.labels.clear(),
        }
        release
    }

    /// `hr` whose status says it deployed `revision`.
    fn with_applied(mut hr: HelmRelease, revision: u32) -> HelmRelease {
        hr.status = Some(HelmReleaseStatus {
            last_applied_revision: Some(revision),
            ..HelmReleaseStatus::default()
        });
        hr
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
            left: Vec::new(),
        }))
    }

    fn failed(action: ReleaseAction, revision: u32) -> Progress {
        Progress::Failed(Box::new(Failure {
            action,
            release: current(revision, status::FAILED),
            why: "timed out".into(),
        }))
    }

    fn edit_status(mut hr: HelmRelease, f: impl FnOnce(&mut HelmReleaseStatus)) -> HelmRelease {
        f(hr.status.as_mut().unwrap());
        hr
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
        // This reconcile's failure, counted: `(install, upgrade)` failures so far.
        let after = |progress: Progress, (install, upgrade): (u32, u32)| Facts {
            progress,
            failures: Failures {
                total: install + upgrade,
                install,
                upgrade,
            },
            retry_at: Some("2026-01-01T12:00:04Z".parse().unwrap()),
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
            ("a timeout that is no duration", bad_timeout, installed(), none(), Invalid { reason: Reason::InvalidSpec, message: "spec.timeout: \"5 minutes\" is not a duration (time: unknown unit \" minutes\" in duration \"5 minutes\"): write it as Go does, like 5m, 1h30m or 90s".into() }),
            ("a test timeout that is no duration", bad_test_timeout, vec![], none(), Invalid { reason: Reason::InvalidSpec, message: "spec.test.timeout: \"soon\" is not a duration (time: invalid duration \"soon\"): write it as Go does, like 5m, 1h30m or 90s".into() }),
            ("validation findings", hr(), vec![current(1, status::PENDING_UPGRADE)], findings(), Invalid { reason: Reason::ValidationFailed, message: "spec.version: not SemVer (PH001)".into() }),
            ("another cluster", hr(), installed(), Facts { unresolvable: Some((Unresolvable::TargetCluster, "elsewhere".into())), ..Facts::default() }, Invalid { reason: Reason::TargetClusterUnresolvable, message: "elsewhere".into() }),
            ("a namespace reference", hr(), vec![], Facts { unresolvable: Some((Unresolvable::Namespace, "value_from".into())), ..Facts::default() }, Invalid { reason: Reason::NamespaceUnresolvable, message: "value_from".into() }),
            ("a Secret in another namespace, refused", hr(), installed(), Facts { denied: Some("spec.credentialsRef names Secret platform/pull".into()), ..Facts::default() }, Invalid { reason: Reason::AccessDenied, message: "spec.credentialsRef names Secret platform/pull".into() }),
            ("findings before a refused reference", hr(), vec![], Facts { denied: Some("refused".into()), ..findings() }, Invalid { reason: Reason::ValidationFailed, message: "spec.version: not SemVer (PH001)".into() }),
            ("findings before another cluster", hr(), vec![], Facts { unresolvable: Some((Unresolvable::TargetCluster, "elsewhere".into())), ..findings() }, Invalid { reason: Reason::ValidationFailed, message: "spec.version: not SemVer (PH001)".into() }),
            ("a release helm made", hr(), vec![unowned(current(1, status::DEPLOYED), None)], none(), Invalid { reason: Reason::OwnershipConflict, message: "release web in namespace apps exists and is not this HelmRelease's: its newest record (revision 1, deployed) was written by another tool (the helm CLI?), not a HelmRelease; it is left alone. Set spec.install.takeOwnership: true to adopt it, or give this HelmRelease another releaseName".into() }),
            ("another HelmRelease's release", hr(), vec![current(1, status::SUPERSEDED), unowned(current(2, status::PENDING_UPGRADE), Some("other"))], none(), Invalid { reason: Reason::OwnershipConflict, message: "release web in namespace apps exists and is not this HelmRelease's: its newest record (revision 2, pending-upgrade) was written by HelmRelease apps/other; it is left alone. Set spec.install.takeOwnership: true to adopt it, or give this HelmRelease another releaseName".into() }),
            ("a release helm made, taken over", edit(|hr| hr.spec.install = Some(InstallSpec { take_ownership: true, ..InstallSpec::default() })), vec![unowned(current(1, status::DEPLOYED), None)], none(), InSync { revision: 1 }),
            ("a release helm upgraded after us", edit(|hr| hr.spec.install = Some(InstallSpec { take_ownership: true, ..InstallSpec::default() })), vec![current(1, status::SUPERSEDED), unowned(rev(2, status::DEPLOYED, "1.0.0", "b"), None)], none(), NeedsUpgrade { from: 2 }),
            ("records of ours written before they were labelled", with_applied(hr(), 1), vec![unowned(current(1, status::DEPLOYED), None)], none(), InSync { revision: 1 }),
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
            ("upgrade failed this generation, no retries", failing(hr(), Reason::UpgradeFailed, 2, (0, 1), None), upgraded_failed(), none(), RetriesExhausted),
            ("install failed this generation, no retries", failing(hr(), Reason::InstallFailed, 2, (1, 0), None), vec![current(1, status::FAILED)], none(), RetriesExhausted),
            ("install failed, a retry left, backoff running", failing(retrying(hr(), 2, upgrade_retries(0)), Reason::InstallFailed, 2, (2, 0), Some("2026-01-01T12:00:30Z")), vec![], none(), AwaitingRetry { until: "2026-01-01T12:00:30Z".parse().unwrap() }),
            ("install failed, a retry left, backoff over", failing(retrying(hr(), 2, upgrade_retries(0)), Reason::InstallFailed, 2, (2, 0), Some("2026-01-01T11:59:00Z")), vec![], none(), NeedsInstall),
            ("install retries exhausted", failing(retrying(hr(), 2, upgrade_retries(0)), Reason::InstallFailed, 2, (3, 0), None), vec![], none(), RetriesExhausted),
            ("upgrade retries exhausted", failing(retrying(hr(), 0, upgrade_retries(1)), Reason::UpgradeFailed, 2, (0, 2), None), upgraded_failed(), none(), RetriesExhausted),
            ("upgrade failed, a retry left, backoff running", failing(retrying(hr(), 0, upgrade_retries(1)), Reason::UpgradeFailed, 2, (0, 1), Some("2026-01-01T12:05:00Z")), upgraded_failed(), none(), AwaitingRetry { until: "2026-01-01T12:05:00Z".parse().unwrap() }),
            ("a fetch failure waits for its backoff", failing(hr(), Reason::ChartFetchFailed, 2, (0, 0), Some("2026-01-01T12:00:10Z")), vec![], none(), AwaitingRetry { until: "2026-01-01T12:00:10Z".parse().unwrap() }),
            ("requestedAt skips the backoff", annotated(failing(hr(), Reason::ChartFetchFailed, 2, (0, 0), Some("2026-01-01T12:00:10Z")), &[(REQUESTED_AT, "now")]), vec![], none(), NeedsInstall),
            ("resetAt starts over", annotated(failing(hr(), Reason::InstallFailed, 2, (1, 0), None), &[(REQUESTED_AT, "r1"), (RESET_AT, "r1")]), vec![current(1, status::FAILED)], none(), NeedsInstall),
            ("resetAt without the same requestedAt is no request", annotated(failing(hr(), Reason::InstallFailed, 2, (1, 0), None), &[(REQUESTED_AT, "r2"), (RESET_AT, "r1")]), vec![current(1, status::FAILED)], none(), RetriesExhausted),
            ("resetAt already handled", annotated(edit_status(failing(hr(), Reason::InstallFailed, 2, (1, 0), None), |s| { s.last_handled_reset_at = Some("r1".into()); s.last_handled_reconcile_at = Some("r1".into()) }), &[(REQUESTED_AT, "r1"), (RESET_AT, "r1")]), vec![current(1, status::FAILED)], none(), RetriesExhausted),
            ("resetAt also retries a chart that did not render", annotated(with_ready(hr(), Reason::RenderFailed, 2), &[(REQUESTED_AT, "r1"), (RESET_AT, "r1")]), vec![], none(), NeedsInstall),
            ("forceAt upgrades an in-sync release", annotated(hr(), &[(REQUESTED_AT, "f1"), (FORCE_AT, "f1")]), installed(), none(), NeedsUpgrade { from: 1 }),
            ("forceAt upgrades over exhausted retries", annotated(failing(hr(), Reason::UpgradeFailed, 2, (0, 1), None), &[(REQUESTED_AT, "f1"), (FORCE_AT, "f1")]), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
            ("forceAt already handled", annotated(edit_status(with_ready(hr(), Reason::InstallSucceeded, 2), |s| s.last_handled_force_at = Some("f1".into())), &[(REQUESTED_AT, "f1"), (FORCE_AT, "f1")]), installed(), none(), InSync { revision: 1 }),
            ("a new generation starts the counts over", failing(hr(), Reason::UpgradeFailed, 1, (0, 5), Some("2026-01-01T13:00:00Z")), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
            ("an interval of 0s", edit(|hr| hr.spec.interval = Some("0s".into())), installed(), none(), Invalid { reason: Reason::InvalidSpec, message: "spec.interval: \"0s\" is shorter than 1s: the release would be reconciled in a tight loop; write at least 1s (the default is 10m)".into() }),
            ("render failed this generation", with_ready(hr(), Reason::RenderFailed, 2), vec![], none(), RetriesExhausted),
            ("failed at an older generation: try again", with_ready(hr(), Reason::UpgradeFailed, 1), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
            ("a fetch failure is retried", with_ready(hr(), Reason::ChartFetchFailed, 2), vec![], none(), NeedsInstall),
            ("deployed this reconcile", hr(), installed(), facts(deployed(1, false)), InSync { revision: 1 }),
            ("deployed this reconcile, tests to run", tests.clone(), installed(), facts(deployed(1, false)), Untested { revision: 1 }),
            ("deployed and tested", tests, installed(), facts(deployed(1, true)), InSync { revision: 1 }),
            ("upgrade failed, not atomic", hr(), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 1)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: None }),
            ("upgrade failed, atomic: roll back", atomic.clone(), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 1)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Rollback { to: 2 }) }),
            ("install failed, atomic: uninstall", atomic.clone(), vec![current(1, status::FAILED)], after(failed(ReleaseAction::Install, 1), (1, 0)), FailedThisGeneration { action: ReleaseAction::Install, remediation: Some(Remediation::Uninstall) }),
            ("install failed, not atomic", hr(), vec![current(1, status::FAILED)], after(failed(ReleaseAction::Install, 1), (1, 0)), FailedThisGeneration { action: ReleaseAction::Install, remediation: None }),
            ("install failed, a retry left: uninstall before it", retrying(hr(), 1, upgrade_retries(0)), vec![current(1, status::FAILED)], after(failed(ReleaseAction::Install, 1), (1, 0)), FailedThisGeneration { action: ReleaseAction::Install, remediation: Some(Remediation::Uninstall) }),
            ("install failed, the last retry, not atomic", retrying(hr(), 1, upgrade_retries(0)), vec![current(1, status::FAILED)], after(failed(ReleaseAction::Install, 1), (2, 0)), FailedThisGeneration { action: ReleaseAction::Install, remediation: None }),
            ("upgrade failed, a retry left: roll back before it", retrying(hr(), 0, upgrade_retries(1)), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 1)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Rollback { to: 2 }) }),
            ("upgrade failed, the last retry: retries imply remediateLastFailure", retrying(hr(), 0, upgrade_retries(1)), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 2)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Rollback { to: 2 }) }),
            ("upgrade failed, the last retry, remediateLastFailure: false", retrying(hr(), 0, UpgradeRemediation { retries: Some(1), remediate_last_failure: Some(false), ..UpgradeRemediation::default() }), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 2)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: None }),
            ("upgrade failed, strategy uninstall", retrying(atomic.clone(), 0, UpgradeRemediation { strategy: Some(RemediationStrategy::Uninstall), ..UpgradeRemediation::default() }), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 1)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Uninstall) }),
            ("failure handled", atomic.clone(), vec![], after(Progress::FailureHandled, (1, 0)), RetriesExhausted),
            ("failure handled, rolled back", atomic, vec![current(1, status::SUPERSEDED), current(2, status::FAILED), current(3, status::DEPLOYED)], after(Progress::FailureHandled, (0, 1)), RetriesExhausted),
            ("failure handled, a retry left: wait for it", retrying(hr(), 1, upgrade_retries(0)), vec![], after(Progress::FailureHandled, (1, 0)), AwaitingRetry { until: "2026-01-01T12:00:04Z".parse().unwrap() }),
            ("a fetch failure handled: wait for its retry", hr(), vec![], Facts { progress: Progress::FailureHandled, failures: Failures { total: 1, ..Failures::default() }, retry_at: Some("2026-01-01T12:00:02Z".parse().unwrap()), ..Facts::default() }, AwaitingRetry { until: "2026-01-01T12:00:02Z".parse().unwrap() }),
            // spec.dependsOn and spec.valuesFrom.
            ("a dependency not Ready", hr(), installed(), Facts { dependencies_not_ready: Some("b (not found)".into()), ..Facts::default() }, DependenciesNotReady { message: "b (not found)".into() }),
            ("a dependency not Ready, even when locked", hr(), vec![current(1, status::PENDING_INSTALL)], Facts { dependencies_not_ready: Some("b (not found)".into()), ..Facts::default() }, DependenciesNotReady { message: "b (not found)".into() }),
            ("a dependency cycle", hr(), vec![], Facts { dependency_cycle: Some("web -> db -> web".into()), ..Facts::default() }, Invalid { reason: Reason::DependencyCycle, message: "spec.dependsOn makes a cycle: web -> db -> web; no release of it can be installed first: remove one of the dependencies".into() }),
            ("a refused dependency before a cycle", hr(), vec![], Facts { denied: Some("refused".into()), dependency_cycle: Some("web -> web".into()), ..Facts::default() }, Invalid { reason: Reason::AccessDenied, message: "refused".into() }),
            ("values from a missing Secret", hr(), installed(), Facts { values_failed: Some((Reason::ValuesFromNotFound, "Secret apps/db not found".into())), ..Facts::default() }, ValuesUnavailable { reason: Reason::ValuesFromNotFound, message: "Secret apps/db not found".into() }),
            ("the merged values changed (a rotated Secret): upgrade", hr(), installed(), Facts { values: Some(json!({"message": "b"}).as_object().cloned().unwrap()), ..Facts::default() }, NeedsUpgrade { from: 1 }),
            ("the merged values are deployed", hr(), vec![rev(1, status::DEPLOYED, "1.0.0", "b")], Facts { values: Some(json!({"message": "b"}).as_object().cloned().unwrap()), ..Facts::default() }, InSync { revision: 1 }),
            ("a malformed targetPath", edit(|hr| hr.spec.values_from = vec![ValuesReference { name: "db".into(), target_path: Some("a..b".into()), ..ValuesReference::default() }]), installed(), none(), Invalid { reason: Reason::InvalidSpec, message: "spec.valuesFrom[0].targetPath: \"a..b\" is not a path: a key is empty (two dots, or a dot at an end)".into() }),
        ];
        let mut seen = std::collections::HashSet::new();
        for (name, hr, history, facts, want) in cases {
            // What load() adds: the counts and retry time the status gives, the time.
            let facts = Facts {
                failures: match facts.progress {
                    Progress::Start => Failures::of(&hr),
                    _ => facts.failures,
                },
                retry_at: match facts.progress {
                    Progress::Start => retry_at(&hr),
                    _ => facts.retry_at,
                },
                now: now(),
                ..facts
            };
            let got = ReleaseState::of(&hr, &history, &facts);
            assert_eq!(got, want, "{name}");
            seen.insert(std::mem::discriminant(&got));
        }
        assert_eq!(seen.len(), 14, "every state has a case");
    }

    #[test]
    fn a_deployed_revision_after_a_superseded_one_is_an_upgrade() {
        let installed = [current(1, status::DEPLOYED)];
        assert_eq!(deployed_reason(&installed, 1), Reason::InstallSucceeded);
        let upgraded = [current(1, status::SUPERSEDED), current(2, status::DEPLOYED)];
        assert_eq!(deployed_reason(&upgraded, 2), Reason::UpgradeSucceeded);
        let reinstalled = [current(1, status::FAILED), current(2, status::DEPLOYED)];
        assert_eq!(deployed_reason(&reinstalled, 2), Reason::InstallSucceeded);
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
