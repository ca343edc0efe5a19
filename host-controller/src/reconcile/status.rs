//! The one place where what a reconcile did becomes visible: every action returns an
//! [`Outcome`]; the [`Writer`] publishes its Events (at once, so they keep their order and
//! survive a later failure), counts its metrics, and at the end writes the status conditions
//! (`Ready`, `Reconciling`, `Stalled`, `TestSuccess`) and the history that the outcomes leave,
//! and sets the release's `planton_helm_release_reconciliation_status` from what it wrote.

use std::time::Duration;

use jiff::Timestamp;
use kube::api::{Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event as KubeEvent, EventType, Recorder};
use kube::{Api, Resource, ResourceExt};
use serde_json::json;

use crate::crd::{Condition, HelmRelease, HelmReleaseSpec, HelmReleaseStatus, Snapshot};
use crate::metrics::ReleaseStatus;
use crate::release::Release;

use super::condition::{ConditionStatus, ConditionType, Reason};
use super::error::Error;
use super::state::{Facts, ReleaseAction, last_deployed};
use super::values::Redaction;
use super::{Context, RETRY};

/// The first retry after a failure waits this long; each further failure doubles it.
const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// The longest wait between retries.
const BACKOFF_CAP: Duration = Duration::from_secs(300);

/// The wait before the attempt after the `failures`-th failure: [`BACKOFF_BASE`] doubled per
/// failure, capped at [`BACKOFF_CAP`], plus up to 20% random jitter (so that releases that failed
/// together, on a registry outage say, do not retry in lockstep).
pub fn backoff(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1).min(16) as i32;
    let delay = (BACKOFF_BASE.as_secs_f64() * 2f64.powi(exponent)).min(BACKOFF_CAP.as_secs_f64());
    Duration::from_secs_f64(delay * (1.0 + 0.2 * fastrand::f64()))
}

/// What one action did, for the status, the Events and the metrics.
#[derive(Debug)]
pub enum Outcome {
    /// `unlock`: a pending revision was marked failed.
    Unlocked {
        /// The revision's new description.
        message: String,
    },
    /// The spec cannot be acted on: stalled until it changes.
    Stalled {
        /// [`Reason::InvalidSpec`], [`Reason::ValidationFailed`], [`Reason::Forbidden`], ...
        reason: Reason,
        /// What is wrong.
        message: String,
    },
    /// Nothing to do: the release is in sync.
    InSync {
        /// The release name.
        release: String,
        /// The deployed revision.
        revision: u32,
        /// How it was deployed ([`Reason::InstallSucceeded`] or [`Reason::UpgradeSucceeded`]).
        reason: Reason,
        /// Fields other field managers hold (left alone).
        held: Vec<String>,
    },
    /// `drift`: objects drifted; the release is otherwise in sync.
    Drift {
        /// The release name.
        release: String,
        /// The deployed revision.
        revision: u32,
        /// How it was deployed.
        reason: Reason,
        /// The drifted objects, `Kind ns/name (deleted|modified), ...`.
        objects: String,
        /// What was done about it.
        correction: Correction,
        /// Fields other field managers hold (left alone, not corrected).
        held: Vec<String>,
    },
    /// An install or upgrade ended before making a revision ([`Error::Fetch`],
    /// [`Error::Render`]).
    Aborted(Error),
    /// `install` / `upgrade`: a revision was deployed.
    Deployed {
        /// Install or upgrade.
        action: ReleaseAction,
        /// The chart's name and version.
        chart: (String, String),
        /// The release name.
        release: String,
        /// The new revision.
        revision: u32,
        /// Fields left to other field managers.
        left: Vec<String>,
    },
    /// `test`: the chart's tests ran.
    Tested {
        /// The revision tested.
        revision: u32,
        /// How many test hooks there were.
        count: usize,
        /// `Err` names the hook that failed.
        result: Result<(), String>,
    },
    /// `remediate`: an install or upgrade failed (and was remediated, as the message says).
    Failed {
        /// Install or upgrade.
        action: ReleaseAction,
        /// What failed and what was remediated.
        message: String,
    },
    /// No retry is left: `Stalled=True`, reason [`Reason::RetriesExhausted`].
    Exhausted {
        /// Why, and how to start over.
        note: String,
        /// Whether the last retry failed in this reconcile (then an Event says so).
        fresh: bool,
    },
    /// Nothing changed (a retry not due, deletion pending): only requeue.
    Wait(Requeue),
    /// The release cannot proceed yet (`spec.dependsOn` not Ready, `spec.valuesFrom` not
    /// resolvable): `Ready=False`, not stalled; an Event when the reason or message is new.
    NotReady {
        /// [`Reason::DependencyNotReady`], [`Reason::ValuesFromNotFound`] or
        /// [`Reason::ValuesFromInvalid`].
        reason: Reason,
        /// What it waits for.
        message: String,
        /// When to look again.
        requeue: Requeue,
    },
    /// `spec.suspend`: nothing is done; `Ready` keeps its status, with reason
    /// [`Reason::Suspended`].
    Suspended,
    /// `uninstall`: the release is gone.
    Uninstalled {
        /// The release name.
        release: String,
    },
    /// `uninstall` failed.
    UninstallFailed {
        /// Why.
        message: String,
    },
}

/// What a drift check did about drifted objects.
#[derive(Debug)]
pub enum Correction {
    /// Applied again.
    Corrected,
    /// Applying failed.
    Failed(String),
    /// Only reported (`warn`).
    Reported,
}

/// When to reconcile again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requeue {
    /// After `spec.interval`.
    Interval,
    /// Soon (a failure that may go away by itself).
    Retry,
    /// At the time given (the backoff after a failure).
    At(Timestamp),
    /// Only when the HelmRelease changes.
    AwaitChange,
    /// After this long.
    After(Duration),
}

/// What the reconcile does to the `TestSuccess` condition.
enum TestCondition {
    /// Leave it as it is.
    Keep,
    /// A revision was deployed without running tests: the old result no longer applies.
    Clear,
    /// The tests ran.
    Set(ConditionStatus, Reason, String),
}

/// The `Ready` (and `Stalled`) conditions an outcome leaves.
struct Summary {
    ready: ConditionStatus,
    reason: Reason,
    message: String,
    /// `Stalled=True` with this reason and message; `None` is `Stalled=False`.
    stalled: Option<(Reason, String)>,
    /// Whether the release's history, revision and chart version are refreshed too (not when
    /// nothing was looked at, as for a spec that cannot be acted on).
    history: bool,
}

impl Outcome {
    /// The Events to publish: type, reason, message.
    fn events(&self) -> Vec<(EventType, Reason, String)> {
        use EventType::{Normal, Warning};
        let left = |fields: &[String]| {
            (!fields.is_empty()).then(|| {
                (
                    Warning,
                    Reason::FieldManagerConflict,
                    format!(
                        "left to other field managers (spec.upgrade.force takes them): {}",
                        fields.join(", ")
                    ),
                )
            })
        };
        let event = match self {
            Outcome::Unlocked { message } => (Warning, Reason::Recovered, message.clone()),
            Outcome::Stalled { reason, message } => (Warning, *reason, message.clone()),
            Outcome::NotReady {
                reason, message, ..
            } => (Warning, *reason, message.clone()),
            Outcome::Drift {
                objects,
                correction,
                held,
                ..
            } => {
                let main = match correction {
                    _ if objects.is_empty() => None,
                    Correction::Corrected => Some((
                        Warning,
                        Reason::DriftCorrected,
                        format!("corrected drift of {objects}"),
                    )),
                    Correction::Failed(e) => Some((
                        Warning,
                        Reason::DriftCorrected,
                        format!("drift of {objects} could not be corrected: {e}"),
                    )),
                    Correction::Reported => Some((
                        Warning,
                        Reason::DriftDetected,
                        format!("drift detected (not corrected, mode warn): {objects}"),
                    )),
                };
                return main.into_iter().chain(left(held)).collect();
            }
            Outcome::Aborted(e) => (Warning, e.reason(), e.to_string()),
            Outcome::Deployed {
                action, left: l, ..
            } => {
                let Some(summary) = self.summary() else {
                    return Vec::new();
                };
                return std::iter::once((Normal, action.succeeded(), summary.message))
                    .chain(left(l))
                    .collect();
            }
            Outcome::Tested { .. } => match self.test() {
                TestCondition::Set(ConditionStatus::True, reason, message) => {
                    (Normal, reason, message)
                }
                TestCondition::Set(_, reason, message) => (Warning, reason, message),
                TestCondition::Keep | TestCondition::Clear => return Vec::new(),
            },
            Outcome::Failed { action, message } => (Warning, action.failed(), message.clone()),
            Outcome::Exhausted { note, fresh: true } => {
                (Warning, Reason::RetriesExhausted, note.clone())
            }
            Outcome::Uninstalled { release } => (
                Normal,
                Reason::UninstallSucceeded,
                format!("release {release} uninstalled"),
            ),
            Outcome::UninstallFailed { message } => {
                (Warning, Reason::UninstallFailed, message.clone())
            }
            Outcome::InSync { .. }
            | Outcome::Wait(_)
            | Outcome::Suspended
            | Outcome::Exhausted { .. } => {
                return Vec::new();
            }
        };
        vec![event]
    }

    /// The `Ready` condition the outcome sets, if any.
    fn summary(&self) -> Option<Summary> {
        let with_held = |mut message: String, held: &[String]| {
            if !held.is_empty() {
                message.push_str(&format!(
                    "; left to other field managers: {}",
                    held.join(", ")
                ));
            }
            message
        };
        let (ready, reason, message, stalled) = match self {
            Outcome::Stalled { reason, message } => {
                return Some(Summary {
                    ready: ConditionStatus::False,
                    reason: *reason,
                    message: message.clone(),
                    stalled: Some((*reason, message.clone())),
                    history: false,
                });
            }
            Outcome::NotReady {
                reason, message, ..
            } => {
                return Some(Summary {
                    ready: ConditionStatus::False,
                    reason: *reason,
                    message: message.clone(),
                    stalled: None,
                    history: false,
                });
            }
            Outcome::InSync {
                release,
                revision,
                reason,
                held,
            }
            | Outcome::Drift {
                release,
                revision,
                reason,
                held,
                ..
            } => (
                ConditionStatus::True,
                *reason,
                with_held(
                    format!("release {release} revision {revision} is deployed"),
                    held,
                ),
                None,
            ),
            Outcome::Aborted(e) => (
                ConditionStatus::False,
                e.reason(),
                e.to_string(),
                matches!(e, Error::Render(_)).then(|| (e.reason(), e.to_string())),
            ),
            Outcome::Deployed {
                action,
                chart: (chart, version),
                release,
                revision,
                left,
            } => (
                ConditionStatus::True,
                action.succeeded(),
                with_held(
                    format!(
                        "{} of chart {chart} {version} succeeded: release {release} revision \
                         {revision}",
                        action.verb()
                    ),
                    left,
                ),
                None,
            ),
            Outcome::Failed { action, message } => (
                ConditionStatus::False,
                action.failed(),
                message.clone(),
                None,
            ),
            Outcome::Unlocked { .. }
            | Outcome::Tested { .. }
            | Outcome::Wait(_)
            | Outcome::Suspended
            | Outcome::Exhausted { .. }
            | Outcome::Uninstalled { .. }
            | Outcome::UninstallFailed { .. } => return None,
        };
        Some(Summary {
            ready,
            reason,
            message,
            stalled,
            history: true,
        })
    }

    fn test(&self) -> TestCondition {
        match self {
            Outcome::Deployed { .. } => TestCondition::Clear,
            Outcome::Tested {
                revision,
                count,
                result: Ok(()),
            } => TestCondition::Set(
                ConditionStatus::True,
                Reason::TestSucceeded,
                format!("{count} test hook(s) of revision {revision} succeeded"),
            ),
            Outcome::Tested {
                revision,
                result: Err(why),
                ..
            } => TestCondition::Set(
                ConditionStatus::False,
                Reason::TestFailed,
                format!("test of revision {revision} failed: {why}"),
            ),
            _ => TestCondition::Keep,
        }
    }

    fn requeue(&self) -> Requeue {
        match self {
            // A grant of the missing right changes nothing the controller watches.
            Outcome::Stalled {
                reason: Reason::Forbidden | Reason::KubeConfigInvalid,
                ..
            } => Requeue::Interval,
            Outcome::Stalled { .. } | Outcome::Uninstalled { .. } | Outcome::Suspended => {
                Requeue::AwaitChange
            }
            Outcome::UninstallFailed { .. } => Requeue::Retry,
            Outcome::Wait(requeue) | Outcome::NotReady { requeue, .. } => *requeue,
            _ => Requeue::Interval,
        }
    }
}

/// The resource version of the last status write this process made for each HelmRelease (by
/// namespace and name): a HelmRelease in the watch cache at that version already holds it, so
/// its reconcile need not read it from the API. Empty: a write whose outcome is not known.
#[derive(Default)]
pub struct StatusWrites(std::sync::Mutex<std::collections::HashMap<(String, String), String>>);

impl StatusWrites {
    /// Whether `hr` (as the watch cache holds it) holds every status write this process made
    /// for it: none was made, or the last one is its version.
    pub fn seen_in(&self, hr: &HelmRelease) -> bool {
        match self.lock().get(&key(hr)) {
            None => true,
            Some(written) => {
                !written.is_empty() && hr.metadata.resource_version.as_ref() == Some(written)
            }
        }
    }

    /// The HelmRelease is gone: nothing to remember.
    pub fn forget(&self, namespace: &str, name: &str) {
        self.lock()
            .remove(&(namespace.to_string(), name.to_string()));
    }

    fn set(&self, hr: &HelmRelease, version: String) {
        self.lock().insert(key(hr), version);
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<(String, String), String>> {
        // A poisoned lock only means a panic elsewhere; the map is still right.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn key(hr: &HelmRelease) -> (String, String) {
    (hr.namespace().unwrap_or_default(), hr.name_any())
}

/// Turns the outcomes of one reconcile into Events, metrics and the status.
pub struct Writer<'a> {
    ctx: &'a Context,
    hr: &'a HelmRelease,
    outcomes: Vec<Outcome>,
    /// Scrubs what was read from Secrets out of every message written.
    redaction: Redaction,
}

impl<'a> Writer<'a> {
    /// A writer for `hr` (as loaded: its status is the one the reconcile started from) that
    /// scrubs `redaction`'s strings from its messages.
    pub fn new(ctx: &'a Context, hr: &'a HelmRelease, redaction: Redaction) -> Writer<'a> {
        Writer {
            ctx,
            hr,
            outcomes: Vec::new(),
            redaction,
        }
    }

    /// Publishes the outcome's Event and counts its metrics now; keeps it for [`Writer::finish`].
    pub async fn record(&mut self, outcome: Outcome) {
        // A release that keeps waiting says so once, not at every look.
        let repeated = match &outcome {
            Outcome::NotReady {
                reason, message, ..
            } => {
                let current = self.current_ready();
                current.reason == *reason && current.message == *message
            }
            _ => false,
        };
        for (kind, reason, message) in outcome.events() {
            if !repeated {
                self.publish(kind, reason, &message).await;
            }
        }
        if let Outcome::Drift { correction, .. } = &outcome {
            self.ctx.metrics.count_drift(
                &self.hr.namespace().unwrap_or_default(),
                &self.hr.name_any(),
                !matches!(correction, Correction::Reported),
            );
        }
        self.outcomes.push(outcome);
    }

    /// `Reconciling=True`, `Ready=Unknown`: an install or upgrade is under way.
    pub async fn progressing(&self, action: ReleaseAction) -> Result<(), Error> {
        let message = format!("{} in progress", action.verb());
        let mut status = self.hr.status.clone().unwrap_or_default();
        let generation = self.hr.metadata.generation;
        let c = &mut status.conditions;
        let reason = Reason::Progressing;
        set_condition(
            c,
            ConditionType::Reconciling,
            ConditionStatus::True,
            reason,
            &message,
            generation,
        );
        set_condition(
            c,
            ConditionType::Ready,
            ConditionStatus::Unknown,
            reason,
            &message,
            generation,
        );
        set_condition(
            c,
            ConditionType::Stalled,
            ConditionStatus::False,
            reason,
            &message,
            generation,
        );
        self.patch(&status).await?;
        self.ctx.metrics.set_status(
            &self.hr.namespace().unwrap_or_default(),
            &self.hr.name_any(),
            ReleaseStatus::Reconciling,
        );
        Ok(())
    }

    /// Writes the status the recorded outcomes leave (when one of them sets `Ready`), with
    /// `history` as the release's and the failure counts and retry time of `facts`, and returns
    /// when to reconcile again (`interval` when healthy).
    pub async fn finish(
        self,
        history: &[Release],
        interval: Duration,
        facts: &Facts,
    ) -> Result<Action, Error> {
        let requeue = self
            .outcomes
            .last()
            .map(Outcome::requeue)
            .unwrap_or(Requeue::Interval);
        // The last outcome that says something about a condition has the last word on it.
        let mut summary = self.outcomes.iter().rev().find_map(Outcome::summary);
        if let Some(Outcome::Exhausted { note, .. }) = self.outcomes.last() {
            // Ready keeps what the last failure said (now, or as the status has it).
            let mut s = summary.unwrap_or_else(|| self.current_ready());
            s.stalled = Some((Reason::RetriesExhausted, note.clone()));
            summary = Some(s);
        }
        if let Some(Outcome::Suspended) = self.outcomes.last() {
            // As Flux: suspending changes nothing, so Ready keeps its status (a deployed release
            // stays Ready=True for kstatus and `kubectl wait`); the reason says why nothing moves.
            let ready = self
                .ready_condition()
                .and_then(|c| match c.status.as_str() {
                    "True" => Some(ConditionStatus::True),
                    "False" => Some(ConditionStatus::False),
                    _ => None,
                });
            summary = Some(Summary {
                ready: ready.unwrap_or(ConditionStatus::Unknown),
                reason: Reason::Suspended,
                message: "spec.suspend is true: nothing is installed, upgraded, rolled back, \
                          retried or corrected until it is false again"
                    .to_string(),
                stalled: None,
                history: false,
            });
        }
        if let Some(mut summary) = summary {
            if summary.ready == ConditionStatus::False
                && summary.stalled.is_none()
                && let Some(until) = facts.retry_at
            {
                summary.message.push_str(&format!(
                    "; failure {} of this generation, retrying at {until}",
                    facts.failures.total
                ));
            }
            let test = self
                .outcomes
                .iter()
                .rev()
                .map(Outcome::test)
                .find(|t| !matches!(t, TestCondition::Keep))
                .unwrap_or(TestCondition::Keep);
            self.write(&summary, test, history, facts).await?;
        }
        Ok(match requeue {
            Requeue::Interval => Action::requeue(interval),
            Requeue::Retry => Action::requeue(RETRY),
            Requeue::At(until) => {
                let wait = until.duration_since(Timestamp::now());
                Action::requeue(
                    Duration::try_from(wait)
                        .unwrap_or_default()
                        .max(Duration::from_millis(100)),
                )
            }
            Requeue::AwaitChange => Action::await_change(),
            Requeue::After(wait) => Action::requeue(wait),
        })
    }

    /// The `Ready` condition as the status has it.
    fn ready_condition(&self) -> Option<&Condition> {
        self.hr.condition(ConditionType::Ready.as_str())
    }

    /// The `Ready` condition as the status has it (after a failure of an earlier reconcile).
    fn current_ready(&self) -> Summary {
        let ready = self.ready_condition();
        Summary {
            ready: ConditionStatus::False,
            reason: ready
                .and_then(|c| Reason::parse(&c.reason))
                .unwrap_or(Reason::ReconcileFailed),
            message: ready.map(|c| c.message.clone()).unwrap_or_default(),
            stalled: None,
            history: true,
        }
    }

    async fn write(
        &self,
        summary: &Summary,
        test: TestCondition,
        history: &[Release],
        facts: &Facts,
    ) -> Result<(), Error> {
        let hr = self.hr;
        let generation = hr.metadata.generation;
        let mut status = hr.status.clone().unwrap_or_default();
        status.observed_generation = generation;
        status.failures = facts.failures.total;
        status.install_failures = facts.failures.install;
        status.upgrade_failures = facts.failures.upgrade;
        status.next_retry_at = facts.retry_at.map(|t| t.to_string());
        let (requested, force, reset) = hr.requests();
        if hr.force_requested() {
            status.last_handled_force_at = force;
        }
        if hr.reset_requested() {
            status.last_handled_reset_at = reset;
        }
        status.last_handled_reconcile_at = requested;
        let c = &mut status.conditions;
        let message = self.redaction.scrub(&summary.message);
        let (reason, message) = (summary.reason, message.as_ref());
        set_condition(
            c,
            ConditionType::Ready,
            summary.ready,
            reason,
            message,
            generation,
        );
        set_condition(
            c,
            ConditionType::Reconciling,
            ConditionStatus::False,
            reason,
            "",
            generation,
        );
        let stalled_text = summary
            .stalled
            .as_ref()
            .map(|(_, m)| self.redaction.scrub(m).into_owned());
        let (stalled, stalled_reason, stalled_message) = match (&summary.stalled, &stalled_text) {
            (Some((r, _)), Some(m)) => (ConditionStatus::True, *r, m.as_str()),
            _ => (ConditionStatus::False, reason, ""),
        };
        set_condition(
            c,
            ConditionType::Stalled,
            stalled,
            stalled_reason,
            stalled_message,
            generation,
        );
        match test {
            TestCondition::Keep => {}
            TestCondition::Clear => c.retain(|c| c.type_ != ConditionType::TestSuccess.as_str()),
            TestCondition::Set(value, reason, message) => set_condition(
                c,
                ConditionType::TestSuccess,
                value,
                reason,
                &message,
                generation,
            ),
        }
        status.release_name = Some(hr.release_name());
        status.release_namespace = Some(hr.target_namespace());
        if summary.history {
            if let Some(d) = last_deployed(history) {
                status.last_applied_revision = Some(d.version);
                status.chart_version = Some(d.chart_version().to_string());
            }
            status.history = history
                .iter()
                .rev()
                .take(5)
                .map(|r| Snapshot {
                    revision: r.version,
                    chart_version: r.chart_version().to_string(),
                    status: r.info.status.clone(),
                    last_deployed: r.info.last_deployed.clone(),
                })
                .collect();
        }
        self.patch(&status).await?;
        self.ctx.metrics.set_status(
            &hr.namespace().unwrap_or_default(),
            &hr.name_any(),
            release_status(&hr.spec, Some(&status)),
        );
        Ok(())
    }

    async fn patch(&self, status: &HelmReleaseStatus) -> Result<(), Error> {
        // A merge patch leaves fields it does not name: counters back at zero and a retry time
        // that is gone are written as nulls, which remove them.
        let mut body = serde_json::to_value(status).expect("a status serializes");
        if let Some(fields) = body.as_object_mut() {
            for key in [
                "failures",
                "installFailures",
                "upgradeFailures",
                "nextRetryAt",
            ] {
                fields.entry(key).or_insert(serde_json::Value::Null);
            }
        }
        let api: Api<HelmRelease> = Api::namespaced(
            self.ctx.cluster.client().clone(),
            &self.hr.namespace().unwrap_or_default(),
        );
        let writes = &self.ctx.status_writes;
        // Until the answer says which version holds it, no cached version does for sure.
        writes.set(self.hr, String::new());
        let written = api
            .patch_status(
                &self.hr.name_any(),
                &PatchParams::default(),
                &Patch::Merge(json!({"status": body})),
            )
            .await?;
        writes.set(
            self.hr,
            written.metadata.resource_version.unwrap_or_default(),
        );
        Ok(())
    }

    /// Publishes a Kubernetes Event about the HelmRelease; a failure to publish is logged, not
    /// fatal.
    async fn publish(&self, kind: EventType, reason: Reason, message: &str) {
        let (ctx, hr) = (self.ctx, self.hr);
        let recorder = Recorder::new(ctx.cluster.client().clone(), ctx.reporter.clone());
        let message = self.redaction.scrub(message);
        let message = message.as_ref();
        let note: String = message.chars().take(1000).collect();
        let event = KubeEvent {
            type_: kind,
            reason: reason.as_str().to_string(),
            note: Some(note),
            action: reason.as_str().to_string(),
            secondary: None,
        };
        tracing::info!(
            namespace = hr.namespace(),
            name = hr.name_any(),
            reason = reason.as_str(),
            message,
            "event"
        );
        if let Err(e) = recorder.publish(&event, &hr.object_ref(&())).await {
            tracing::warn!(error = %e, "publishing an event failed");
        }
    }
}

/// The state `planton_helm_release_reconciliation_status` reports for a HelmRelease with `spec`
/// and `status`: `Suspended` with `spec.suspend`; else `Stalled` with `Stalled=True`; `Reconciling`
/// with `Reconciling=True` or `Ready=False` (a failure that will be retried); `Ready` with
/// `Ready=True`; `Unknown` without a status or with `Ready=Unknown`.
pub fn release_status(spec: &HelmReleaseSpec, status: Option<&HelmReleaseStatus>) -> ReleaseStatus {
    if spec.suspend {
        return ReleaseStatus::Suspended;
    }
    let is = |kind: ConditionType, value: ConditionStatus| {
        status.is_some_and(|s| {
            s.conditions
                .iter()
                .any(|c| c.type_ == kind.as_str() && c.status == value.as_str())
        })
    };
    if is(ConditionType::Stalled, ConditionStatus::True) {
        ReleaseStatus::Stalled
    } else if is(ConditionType::Reconciling, ConditionStatus::True)
        || is(ConditionType::Ready, ConditionStatus::False)
    {
        ReleaseStatus::Reconciling
    } else if is(ConditionType::Ready, ConditionStatus::True) {
        ReleaseStatus::Ready
    } else {
        ReleaseStatus::Unknown
    }
}

/// Sets condition `kind`, keeping its transition time when its status did not change.
fn set_condition(
    conditions: &mut Vec<Condition>,
    kind: ConditionType,
    value: ConditionStatus,
    reason: Reason,
    message: &str,
    generation: Option<i64>,
) {
    let fresh = Condition {
        type_: kind.as_str().to_string(),
        status: value.as_str().to_string(),
        reason: reason.as_str().to_string(),
        message: message.to_string(),
        last_transition_time: Timestamp::now().to_string(),
        observed_generation: generation,
    };
    match conditions.iter_mut().find(|c| c.type_ == fresh.type_) {
        Some(c) if c.status == fresh.status => {
            c.reason = fresh.reason;
            c.message = fresh.message;
            c.observed_generation = generation;
        }
        Some(c) => *c = fresh,
        None => conditions.push(fresh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_holds_our_status_write_only_at_its_version() {
        let writes = StatusWrites::default();
        let mut hr = HelmRelease::new("web", HelmReleaseSpec::default());
        hr.metadata.namespace = Some("apps".into());
        hr.metadata.resource_version = Some("7".into());
        assert!(writes.seen_in(&hr), "no write made");
        writes.set(&hr, String::new());
        assert!(!writes.seen_in(&hr), "a write whose answer is not known");
        writes.set(&hr, "9".into());
        assert!(!writes.seen_in(&hr), "the cache lags behind the write");
        hr.metadata.resource_version = Some("9".into());
        assert!(writes.seen_in(&hr));
        hr.metadata.resource_version = Some("10".into());
        assert!(!writes.seen_in(&hr), "changed since: read it");
        writes.forget("apps", "web");
        assert!(writes.seen_in(&hr));
    }

    #[test]
    fn the_release_status_follows_suspend_then_the_conditions() {
        let spec: HelmReleaseSpec = serde_json::from_value(json!({
            "repo": "https://charts.example.com", "name": "webapp", "version": "1.0.0"
        }))
        .unwrap();
        let status = |conditions: &[(&str, &str)]| HelmReleaseStatus {
            conditions: conditions
                .iter()
                .map(|(kind, value)| Condition {
                    type_: kind.to_string(),
                    status: value.to_string(),
                    reason: "Progressing".into(),
                    message: String::new(),
                    last_transition_time: String::new(),
                    observed_generation: None,
                })
                .collect(),
            ..HelmReleaseStatus::default()
        };
        let cases = [
            (vec![], ReleaseStatus::Unknown),
            (vec![("Ready", "Unknown")], ReleaseStatus::Unknown),
            (
                vec![("Ready", "True"), ("Stalled", "False")],
                ReleaseStatus::Ready,
            ),
            (
                vec![("Ready", "False"), ("Stalled", "False")],
                ReleaseStatus::Reconciling,
            ),
            (
                vec![("Ready", "Unknown"), ("Reconciling", "True")],
                ReleaseStatus::Reconciling,
            ),
            (
                vec![("Ready", "False"), ("Stalled", "True")],
                ReleaseStatus::Stalled,
            ),
        ];
        for (conditions, want) in cases {
            assert_eq!(
                release_status(&spec, Some(&status(&conditions))),
                want,
                "{conditions:?}"
            );
        }
        assert_eq!(release_status(&spec, None), ReleaseStatus::Unknown);
        let suspended = HelmReleaseSpec {
            suspend: true,
            ..spec.clone()
        };
        assert_eq!(
            release_status(&suspended, Some(&status(&[("Stalled", "True")]))),
            ReleaseStatus::Suspended
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_its_cap() {
        for (failures, base) in [
            (0, 2),
            (1, 2),
            (2, 4),
            (3, 8),
            (7, 128),
            (9, 300),
            (40, 300),
        ] {
            for _ in 0..50 {
                let d = backoff(failures).as_secs_f64();
                let base = base as f64;
                assert!(d >= base && d <= base * 1.2, "{failures}: {d}");
            }
        }
    }
}
