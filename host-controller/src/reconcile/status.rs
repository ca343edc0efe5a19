//! The one place where what a reconcile did becomes visible: every action returns an
//! [`Outcome`]; the [`Writer`] publishes its Events (at once, so they keep their order and
//! survive a later failure), counts its metrics, and at the end writes the status conditions
//! (`Ready`, `Reconciling`, `Stalled`, `TestSuccess`) and the history that the outcomes leave.

use std::time::Duration;

use jiff::Timestamp;
use kube::api::{Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event as KubeEvent, EventType, Recorder};
use kube::{Api, Resource, ResourceExt};
use serde_json::json;

use crate::crd::{Condition, HelmRelease, HelmReleaseStatus, Snapshot};
use crate::release::Release;

use super::condition::{ConditionStatus, ConditionType, Reason};
use super::error::Error;
use super::state::{ReleaseAction, last_deployed};
use super::{Context, RETRY};

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
        /// [`Reason::InvalidSpec`] or [`Reason::ValidationFailed`].
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
    },
    /// `drift`: objects drifted; the release is otherwise in sync.
    Drift {
        /// The release name.
        release: String,
        /// The deployed revision.
        revision: u32,
        /// The drifted objects, `Kind ns/name (deleted|modified), ...`.
        objects: String,
        /// What was done about it.
        correction: Correction,
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
    /// Nothing changed (suspended, retries exhausted, deletion pending): only requeue.
    Wait(Requeue),
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
    /// Only when the HelmRelease changes.
    AwaitChange,
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
    stalled: bool,
    /// Whether the release's history, revision and chart version are refreshed too (not when
    /// nothing was looked at, as for a spec that cannot be acted on).
    history: bool,
}

impl Outcome {
    /// The Event to publish: type, reason, message.
    fn event(&self) -> Option<(EventType, Reason, String)> {
        use EventType::{Normal, Warning};
        Some(match self {
            Outcome::Unlocked { message } => (Warning, Reason::Recovered, message.clone()),
            Outcome::Stalled { reason, message } => (Warning, *reason, message.clone()),
            Outcome::Drift {
                objects,
                correction,
                ..
            } => match correction {
                Correction::Corrected => (
                    Warning,
                    Reason::DriftCorrected,
                    format!("corrected drift of {objects}"),
                ),
                Correction::Failed(e) => (
                    Warning,
                    Reason::DriftCorrected,
                    format!("drift of {objects} could not be corrected: {e}"),
                ),
                Correction::Reported => (
                    Warning,
                    Reason::DriftDetected,
                    format!("drift detected (not corrected, mode warn): {objects}"),
                ),
            },
            Outcome::Aborted(e) => (Warning, e.reason(), e.to_string()),
            Outcome::Deployed { action, .. } => {
                (Normal, action.succeeded(), self.summary()?.message)
            }
            Outcome::Tested { .. } => match self.test() {
                TestCondition::Set(ConditionStatus::True, reason, message) => {
                    (Normal, reason, message)
                }
                TestCondition::Set(_, reason, message) => (Warning, reason, message),
                TestCondition::Keep | TestCondition::Clear => return None,
            },
            Outcome::Failed { action, message } => (Warning, action.failed(), message.clone()),
            Outcome::Uninstalled { release } => (
                Normal,
                Reason::UninstallSucceeded,
                format!("release {release} uninstalled"),
            ),
            Outcome::UninstallFailed { message } => {
                (Warning, Reason::UninstallFailed, message.clone())
            }
            Outcome::InSync { .. } | Outcome::Wait(_) => return None,
        })
    }

    /// The `Ready` condition the outcome sets, if any.
    fn summary(&self) -> Option<Summary> {
        let (ready, reason, message, stalled) = match self {
            Outcome::Stalled { reason, message } => {
                return Some(Summary {
                    ready: ConditionStatus::False,
                    reason: *reason,
                    message: message.clone(),
                    stalled: true,
                    history: false,
                });
            }
            Outcome::InSync { release, revision }
            | Outcome::Drift {
                release, revision, ..
            } => (
                ConditionStatus::True,
                Reason::InstallSucceeded,
                format!("release {release} revision {revision} is deployed"),
                false,
            ),
            Outcome::Aborted(e) => (
                ConditionStatus::False,
                e.reason(),
                e.to_string(),
                matches!(e, Error::Render(_)),
            ),
            Outcome::Deployed {
                action,
                chart: (chart, version),
                release,
                revision,
            } => (
                ConditionStatus::True,
                action.succeeded(),
                format!(
                    "{} of chart {chart} {version} succeeded: release {release} revision \
                     {revision}",
                    action.verb()
                ),
                false,
            ),
            Outcome::Failed { action, message } => (
                ConditionStatus::False,
                action.failed(),
                message.clone(),
                true,
            ),
            Outcome::Unlocked { .. }
            | Outcome::Tested { .. }
            | Outcome::Wait(_)
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
            Outcome::Stalled { .. } | Outcome::Uninstalled { .. } => Requeue::AwaitChange,
            Outcome::Aborted(Error::Fetch(_)) | Outcome::UninstallFailed { .. } => Requeue::Retry,
            Outcome::Wait(requeue) => *requeue,
            _ => Requeue::Interval,
        }
    }
}

/// Turns the outcomes of one reconcile into Events, metrics and the status.
pub struct Writer<'a> {
    ctx: &'a Context,
    hr: &'a HelmRelease,
    outcomes: Vec<Outcome>,
}

impl<'a> Writer<'a> {
    /// A writer for `hr` (as loaded: its status is the one the reconcile started from).
    pub fn new(ctx: &'a Context, hr: &'a HelmRelease) -> Writer<'a> {
        Writer {
            ctx,
            hr,
            outcomes: Vec::new(),
        }
    }

    /// Publishes the outcome's Event and counts its metrics now; keeps it for [`Writer::finish`].
    pub async fn record(&mut self, outcome: Outcome) {
        if let Some((kind, reason, message)) = outcome.event() {
            self.publish(kind, reason, &message).await;
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
        self.patch(&status).await
    }

    /// Writes the status the recorded outcomes leave (when one of them sets `Ready`), with
    /// `history` as the release's, and returns when to reconcile again.
    pub async fn finish(self, history: &[Release], interval: Duration) -> Result<Action, Error> {
        let requeue = self
            .outcomes
            .last()
            .map(Outcome::requeue)
            .unwrap_or(Requeue::Interval);
        // The last outcome that says something about a condition has the last word on it.
        let summary = self.outcomes.iter().rev().find_map(Outcome::summary);
        if let Some(summary) = summary {
            let test = self
                .outcomes
                .iter()
                .rev()
                .map(Outcome::test)
                .find(|t| !matches!(t, TestCondition::Keep))
                .unwrap_or(TestCondition::Keep);
            self.write(&summary, test, history).await?;
        }
        Ok(match requeue {
            Requeue::Interval => Action::requeue(interval),
            Requeue::Retry => Action::requeue(RETRY),
            Requeue::AwaitChange => Action::await_change(),
        })
    }

    async fn write(
        &self,
        summary: &Summary,
        test: TestCondition,
        history: &[Release],
    ) -> Result<(), Error> {
        let hr = self.hr;
        let generation = hr.metadata.generation;
        let mut status = hr.status.clone().unwrap_or_default();
        status.observed_generation = generation;
        let c = &mut status.conditions;
        let (reason, message) = (summary.reason, summary.message.as_str());
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
        let stalled = ConditionStatus::from_bool(summary.stalled);
        set_condition(
            c,
            ConditionType::Stalled,
            stalled,
            reason,
            message,
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
            self.ctx.metrics.set_status(
                &hr.namespace().unwrap_or_default(),
                &hr.name_any(),
                summary.ready.as_str(),
            );
        }
        self.patch(&status).await
    }

    async fn patch(&self, status: &HelmReleaseStatus) -> Result<(), Error> {
        let api: Api<HelmRelease> = Api::namespaced(
            self.ctx.cluster.client().clone(),
            &self.hr.namespace().unwrap_or_default(),
        );
        api.patch_status(
            &self.hr.name_any(),
            &PatchParams::default(),
            &Patch::Merge(json!({"status": status})),
        )
        .await?;
        Ok(())
    }

    /// Publishes a Kubernetes Event about the HelmRelease; a failure to publish is logged, not
    /// fatal.
    async fn publish(&self, kind: EventType, reason: Reason, message: &str) {
        let (ctx, hr) = (self.ctx, self.hr);
        let recorder = Recorder::new(ctx.cluster.client().clone(), ctx.reporter.clone());
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
