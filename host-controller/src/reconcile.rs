//! The reconciler, as a state machine: **load** the HelmRelease, its release history and the
//! facts the decision needs (`load.rs`); **decide** the release's state in a pure function
//! (`ReleaseState::of`, `state.rs`); **act**: one action per state, each in its own module,
//! each returning an `Outcome`; then decide again, until a state ends the reconcile. The
//! outcomes become Events, metrics and the status in one place (`status.rs`, `Writer`).
//!
//! | state | action |
//! | --- | --- |
//! | `Deleting` | `uninstall.rs` (from the finalizer's cleanup) |
//! | `Suspended` | none: `Ready` keeps its status with reason `Suspended` |
//! | `Invalid` | none: stalled |
//! | `Locked` | `unlock.rs`, then decide again |
//! | `InSync` | none |
//! | `Drifted` | `drift.rs` |
//! | `NeedsInstall` / `NeedsUpgrade` | `install.rs` / `upgrade.rs` (both through `revision.rs`), then decide again |
//! | `Untested` | `test.rs`, then decide again |
//! | `FailedThisGeneration` | `remediate.rs` (rollback or uninstall, between retries and as `atomic` / `remediateLastFailure` say), then decide again |
//! | `AwaitingRetry` | none: requeue when the backoff ends |
//! | `RetriesExhausted` | none: stalled until the spec changes or `resetAt` |
//!
//! Guarantees: every action is idempotent, so a reconcile that is cut off anywhere is finished or
//! undone by the next one; a release record left `pending-*` by a crash is marked `failed` and the
//! release proceeds as a new revision (it is never left locked). Every reconcile ends: each action
//! moves the release to a state that does not lead back to it within the reconcile.
//! Assumptions: one controller acts on a release at a time (leader election).

mod apply;
mod condition;
mod crds;
mod drift;
mod error;
mod hooks;
mod install;
mod load;
mod remediate;
mod revision;
mod rights;
mod state;
mod status;
mod test;
mod uninstall;
mod unlock;
mod upgrade;

use std::sync::Arc;
use std::time::Duration;

use host_runtime::Runtime;
use kube::runtime::controller::Action;
use kube::runtime::events::Reporter;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Api, ResourceExt};

use crate::chart::ChartProvider;
use crate::cluster::Cluster;
use crate::crd::HelmRelease;
use crate::identity::Identities;
use crate::metrics::{Metrics, ReconcileResult};
use crate::remote::Remotes;
use crate::validation::Validator;

pub use condition::{ConditionStatus, ConditionType, Reason};
pub use error::Error;
pub use state::duration as parse_duration;

use revision::Attempt;
use state::{Failures, Progress, ReleaseAction, ReleaseState};
use status::{Outcome, Requeue, Writer};

/// The finalizer that makes deleting a HelmRelease uninstall its release first.
pub const FINALIZER: &str = "kubernetes.project-planton.org/helm-release";

/// Retry delay after a failure that may go away by itself (the API, a chart download).
const RETRY: Duration = Duration::from_secs(15);

/// What a reconcile needs, shared by all of them.
pub struct Context {
    /// The cluster, as the controller itself: for HelmReleases, their status and Events, release
    /// records and the Secrets specs reference.
    pub cluster: Cluster,
    /// The identities releases act as, for everything else (`crate::identity`).
    pub identities: Identities,
    /// The remote clusters releases are installed in (`spec.kubeConfig`).
    pub remotes: Remotes,
    /// The sandboxed core.
    pub runtime: Arc<Runtime>,
    /// Where charts come from.
    pub charts: Arc<dyn ChartProvider>,
    /// Who publishes events.
    pub reporter: Reporter,
    /// Counters and histograms for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// How releases of different tenants are kept apart.
    pub tenancy: Tenancy,
    /// The validation the webhook runs too (built-in and policy ConfigMap rules).
    pub validator: Arc<Validator>,
}

/// How the controller keeps tenants (the namespaces of HelmReleases) apart: the `run` flags.
#[derive(Clone, Debug, Default)]
pub struct Tenancy {
    /// Refuse references (`spec.credentialsRef`, `spec.certSecretRef`) to Secrets in another
    /// namespace than the HelmRelease's (`--no-cross-namespace-refs`).
    pub no_cross_namespace_refs: bool,
    /// The service account (in the HelmRelease's namespace) that releases without
    /// `spec.serviceAccountName` act as (`--default-service-account`); `None`: the controller's
    /// own identity.
    pub default_service_account: Option<String>,
}

impl Tenancy {
    /// Whether references to another namespace than the HelmRelease's are allowed.
    pub fn cross_namespace_refs(&self) -> bool {
        !self.no_cross_namespace_refs
    }
}

/// The controller's entry point for one HelmRelease.
pub async fn reconcile(hr: Arc<HelmRelease>, ctx: Arc<Context>) -> Result<Action, Error> {
    let ns = hr
        .namespace()
        .ok_or_else(|| Error::NoNamespace(hr.name_any()))?;
    let api: Api<HelmRelease> = Api::namespaced(ctx.cluster.client().clone(), &ns);
    let started = std::time::Instant::now();
    let name = hr.name_any();
    let deleting = hr.metadata.deletion_timestamp.is_some();
    if !deleting && ctx.metrics.status(&ns, &name).is_none() {
        // First sight (or a restart): the state the stored status tells, until this reconcile
        // writes its own.
        ctx.metrics.set_status(
            &ns,
            &name,
            status::release_status(&hr.spec, hr.status.as_ref()),
        );
    }
    let result = finalizer(&api, FINALIZER, hr, |event| async {
        match event {
            Event::Apply(hr) => apply(&hr, &ctx).await,
            Event::Cleanup(hr) => run(&hr, &ctx, Trigger::Cleanup).await,
        }
    })
    .await
    .map_err(|e| match e {
        kube::runtime::finalizer::Error::ApplyFailed(e)
        | kube::runtime::finalizer::Error::CleanupFailed(e) => e,
        other => Error::Finalizer(other.to_string()),
    });
    let outcome = match &result {
        Err(_) => ReconcileResult::Error,
        // The finalizer is gone (or was never ours): so are the release's series.
        Ok(_) if deleting => {
            ctx.metrics.remove_release(&ns, &name);
            ReconcileResult::Deleted
        }
        Ok(_) => ctx
            .metrics
            .status(&ns, &name)
            .map_or(ReconcileResult::Unknown, ReconcileResult::from),
    };
    ctx.metrics.observe_reconcile(
        started.elapsed(),
        outcome,
        result.as_ref().err().map(Error::metric_label),
    );
    result
}

/// After an error: try again soon.
pub fn error_policy(hr: Arc<HelmRelease>, error: &Error, _ctx: Arc<Context>) -> Action {
    tracing::warn!(
        namespace = hr.namespace(),
        name = hr.name_any(),
        reason = error.reason().as_str(),
        %error,
        "reconcile failed"
    );
    Action::requeue(RETRY)
}

/// Which finalizer event started the reconcile.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// The HelmRelease exists (its finalizer is in place).
    Apply,
    /// The HelmRelease is being deleted; returning `Ok` lets the finalizer go.
    Cleanup,
}

async fn apply(hr: &HelmRelease, ctx: &Context) -> Result<Action, Error> {
    // The watch cache can lag behind our own last status write (a reconcile queued by that
    // write may start before the write's event arrives), and the decision reads the status, so
    // it reads it from the API.
    let api: Api<HelmRelease> = Api::namespaced(
        ctx.cluster.client().clone(),
        &hr.namespace().unwrap_or_default(),
    );
    let Some(fresh) = api.get_opt(&hr.name_any()).await? else {
        return Ok(Action::await_change());
    };
    run(&fresh, ctx, Trigger::Apply).await
}

/// Load, then decide and act until a state ends the reconcile, then write the status.
async fn run(hr: &HelmRelease, ctx: &Context, trigger: Trigger) -> Result<Action, Error> {
    let load::Loaded {
        target: t,
        mut history,
        mut facts,
    } = load::load(ctx, hr).await?;
    let mut status = Writer::new(ctx, hr);
    let force = t.settings.force || hr.force_requested();
    let mut uninstall_failed = None;
    loop {
        let state = ReleaseState::of(hr, &history, &facts);
        tracing::debug!(
            namespace = hr.namespace(),
            name = hr.name_any(),
            ?state,
            "release state"
        );
        match state {
            ReleaseState::Deleting if trigger == Trigger::Cleanup => {
                let outcome = uninstall::cleanup(&t, &history).await?;
                if let Outcome::UninstallFailed { message } = &outcome {
                    uninstall_failed = Some(message.clone());
                }
                status.record(outcome).await;
                break;
            }
            // Deleted while this reconcile started: the finalizer's cleanup comes next.
            ReleaseState::Deleting => {
                status.record(Outcome::Wait(Requeue::AwaitChange)).await;
                break;
            }
            ReleaseState::Suspended => {
                status.record(Outcome::Suspended).await;
                break;
            }
            ReleaseState::Invalid { reason, message } => {
                status.record(Outcome::Stalled { reason, message }).await;
                break;
            }
            ReleaseState::Locked { .. } => {
                if let Some(outcome) = unlock::unlock(&t, &mut history).await? {
                    status.record(outcome).await;
                }
            }
            ReleaseState::InSync { revision } => {
                facts.failures = Failures::default();
                facts.retry_at = None;
                // After a deploy in this reconcile, the deploy's outcome stands.
                if matches!(facts.progress, Progress::Start) {
                    let outcome = Outcome::InSync {
                        release: t.name.clone(),
                        revision,
                        reason: state::deployed_reason(&history, revision),
                        held: std::mem::take(&mut facts.held),
                    };
                    status.record(outcome).await;
                }
                break;
            }
            ReleaseState::Drifted { revision, mode } => {
                facts.failures = Failures::default();
                facts.retry_at = None;
                let drift = drift::Found {
                    drifted: std::mem::take(&mut facts.drift),
                    held: std::mem::take(&mut facts.held),
                };
                let reason = state::deployed_reason(&history, revision);
                let outcome = drift::correct(
                    &t.cluster,
                    drift,
                    mode,
                    force,
                    (t.name.clone(), revision, reason),
                    &t.namespace,
                )
                .await;
                status.record(outcome).await;
                break;
            }
            ReleaseState::NeedsInstall | ReleaseState::NeedsUpgrade { .. } => {
                let attempt = match state {
                    ReleaseState::NeedsUpgrade { from } => {
                        status.progressing(ReleaseAction::Upgrade).await?;
                        upgrade::upgrade(&t, &history, from, force).await
                    }
                    _ => {
                        status.progressing(ReleaseAction::Install).await?;
                        install::install(&t, &history, force).await
                    }
                };
                match attempt {
                    Ok(Attempt::Deployed(deployed)) => {
                        let outcome = Outcome::Deployed {
                            action: deployed.action,
                            chart: (hr.spec.name.clone(), hr.spec.version.clone()),
                            release: t.name.clone(),
                            revision: deployed.release.version,
                            left: deployed.left.clone(),
                        };
                        status.record(outcome).await;
                        facts.failures = Failures::default();
                        facts.retry_at = None;
                        facts.progress = Progress::Deployed(deployed);
                    }
                    Ok(Attempt::Failed(failure)) => {
                        facts.failures.count(Some(failure.action));
                        facts.retry_at = Some(retry_time(&facts));
                        facts.progress = Progress::Failed(failure);
                    }
                    Err(e @ (Error::Fetch(_) | Error::Crds(_))) => {
                        // Counted and retried with backoff: a registry that is down comes back,
                        // and so does an API server that refused a CRD for a while.
                        facts.failures.count(None);
                        facts.retry_at = Some(retry_time(&facts));
                        status.record(Outcome::Aborted(e)).await;
                        facts.progress = Progress::FailureHandled;
                    }
                    Err(Error::Forbidden(f)) => {
                        // Nothing was written: retried at the interval, as a grant heals it.
                        facts.retry_at = None;
                        let outcome = Outcome::Stalled {
                            reason: Reason::Forbidden,
                            message: format!(
                                "{} as {}: {f}",
                                match state {
                                    ReleaseState::NeedsUpgrade { .. } => "upgrade",
                                    _ => "install",
                                },
                                t.identity
                            ),
                        };
                        status.record(outcome).await;
                        break;
                    }
                    Err(e @ Error::Render(_)) => {
                        facts.failures.count(None);
                        facts.retry_at = None;
                        status.record(Outcome::Aborted(e)).await;
                        break;
                    }
                    Err(e) => return Err(e),
                }
                history = t.store.history().await?;
            }
            ReleaseState::Untested { .. } => {
                let Progress::Deployed(deployed) = &mut facts.progress else {
                    unreachable!("Untested is decided only after a deploy of this reconcile");
                };
                status.record(test::test(&t, deployed).await?).await;
            }
            ReleaseState::FailedThisGeneration { remediation, .. } => {
                if let Progress::Failed(failure) = &facts.progress {
                    let outcome = remediate::remediate(&t, &history, failure, remediation).await?;
                    status.record(outcome).await;
                }
                facts.progress = Progress::FailureHandled;
                history = t.store.history().await?;
            }
            ReleaseState::AwaitingRetry { until } => {
                status.record(Outcome::Wait(Requeue::At(until))).await;
                break;
            }
            ReleaseState::RetriesExhausted => {
                facts.retry_at = None;
                let outcome = match state::exhausted(&t.settings, &facts.failures) {
                    Some(note) => Outcome::Exhausted {
                        note,
                        fresh: matches!(facts.progress, Progress::FailureHandled),
                    },
                    // A chart that does not render: the status says so already.
                    None => Outcome::Wait(Requeue::Interval),
                };
                status.record(outcome).await;
                break;
            }
        }
    }
    let action = status.finish(&history, t.settings.interval, &facts).await?;
    match uninstall_failed {
        // The finalizer stays: the uninstall is retried (error_policy).
        Some(message) => Err(Error::Uninstall(message)),
        None => Ok(action),
    }
}

/// When the attempt after the failures of `facts` is due: now plus the backoff.
fn retry_time(facts: &state::Facts) -> jiff::Timestamp {
    let wait = status::backoff(facts.failures.total);
    facts
        .now
        .max(jiff::Timestamp::now())
        .checked_add(jiff::SignedDuration::try_from(wait).unwrap_or_default())
        .unwrap_or(facts.now)
}
