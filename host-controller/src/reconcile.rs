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
//! | `DependenciesNotReady` | none: requeue after [`DEPENDENCY_RETRY`] (or when a dependency changes) |
//! | `ValuesUnavailable` | none: requeue after a delay (or when a referenced object changes) |
//!
//! Guarantees: every action is idempotent, so a reconcile that is cut off anywhere is finished or
//! undone by the next one; a release record left `pending-*` by a crash is marked `failed` and the
//! release proceeds as a new revision (it is never left locked). Every reconcile ends: each action
//! moves the release to a state that does not lead back to it within the reconcile.
//! Assumptions: one controller acts on a release at a time (leader election).

mod apply;
mod condition;
mod crds;
mod dependencies;
mod drift;
mod error;
mod hooks;
mod install;
mod load;
mod remediate;
mod revision;
mod rights;
mod slots;
mod state;
mod status;
mod test;
mod uninstall;
mod unlock;
mod upgrade;
mod values;

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
pub use slots::{Slot, Slots};
pub use state::duration as parse_duration;

use revision::Attempt;
use state::{Failures, Progress, ReleaseAction, ReleaseState};
use status::{Outcome, Requeue, Writer};

pub use status::StatusWrites;

/// The finalizer that makes deleting a HelmRelease uninstall its release first.
pub const FINALIZER: &str = "kubernetes.project-planton.org/helm-release";

/// Retry delay after a failure that may go away by itself (the API, a chart download).
const RETRY: Duration = Duration::from_secs(15);

/// How long a release waits before looking at its dependencies again (`spec.dependsOn`): a
/// dependency's changes reconcile it at once, so this only bounds a missed watch event.
pub const DEPENDENCY_RETRY: Duration = Duration::from_secs(10);

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
    /// How many releases are worked on at once (`--concurrent`); a release waiting for
    /// readiness holds none (`slots.rs`).
    pub slots: Slots,
    /// The versions of this process's status writes, to know when the watch cache holds them.
    pub status_writes: StatusWrites,
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

/// Adds the triggers of the objects a release reads to `controller` (which watches the
/// HelmReleases): a change of a ConfigMap or Secret reconciles the releases whose
/// `spec.valuesFrom` names it, and a change of a HelmRelease reconciles those whose
/// `spec.dependsOn` names it.
///
/// The watches are metadata-only (names, labels, resource versions: no Secret's data reaches the
/// controller through them) and cover every namespace; Helm's release records
/// (`type=helm.sh/release.v1`) are filtered out by the API server. Each event is matched against
/// the controller's cache of HelmReleases.
pub fn watch_references(
    controller: kube::runtime::Controller<HelmRelease>,
    client: &kube::Client,
) -> kube::runtime::Controller<HelmRelease> {
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};
    use kube::core::PartialObjectMeta;
    use kube::runtime::reflector::{ObjectRef, Store};
    use kube::runtime::{WatchStreamExt, watcher};

    use crate::crd::ValuesKind;

    fn readers<K: kube::Resource>(
        store: Store<HelmRelease>,
        kind: ValuesKind,
    ) -> impl Fn(PartialObjectMeta<K>) -> Vec<ObjectRef<HelmRelease>> {
        move |object| {
            let namespace = object.namespace().unwrap_or_default();
            let name = object.name_any();
            store
                .state()
                .iter()
                .filter(|hr| values::references(hr, kind, &namespace, &name))
                .map(|hr| ObjectRef::from_obj(hr.as_ref()))
                .collect()
        }
    }
    let store = controller.store();
    let secrets = watcher(
        Api::<PartialObjectMeta<Secret>>::all(client.clone()),
        watcher::Config::default().fields("type!=helm.sh/release.v1"),
    )
    .default_backoff()
    .touched_objects();
    let config_maps = watcher(
        Api::<PartialObjectMeta<ConfigMap>>::all(client.clone()),
        watcher::Config::default(),
    )
    .default_backoff()
    .touched_objects();
    let releases = watcher(
        Api::<PartialObjectMeta<HelmRelease>>::all(client.clone()),
        watcher::Config::default(),
    )
    .default_backoff()
    .touched_objects();
    let dependents = {
        let store = store.clone();
        move |changed: PartialObjectMeta<HelmRelease>| {
            let namespace = changed.namespace().unwrap_or_default();
            let state = store.state();
            dependencies::dependents(
                state.iter().map(|hr| hr.as_ref()),
                &namespace,
                &changed.name_any(),
            )
            .into_iter()
            .map(ObjectRef::from_obj)
            .collect::<Vec<_>>()
        }
    };
    controller
        .watches_stream(secrets, readers(store.clone(), ValuesKind::Secret))
        .watches_stream(config_maps, readers(store, ValuesKind::ConfigMap))
        .watches_stream(releases, dependents)
}

/// What of a HelmRelease, when it changes, calls for a reconcile (the controller's trigger
/// filter): its spec (`metadata.generation`), labels, annotations (`requestedAt`, `forceAt`,
/// `resetAt`), finalizers and deletion. A change of the status alone (the controller's own
/// writes) does not: each would cost a reconcile that finds nothing to do.
pub fn wants_reconcile(hr: &HelmRelease) -> Option<u64> {
    use std::hash::{Hash, Hasher};

    let meta = &hr.metadata;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    meta.generation.hash(&mut hasher);
    meta.labels.hash(&mut hasher);
    meta.annotations.hash(&mut hasher);
    meta.finalizers.hash(&mut hasher);
    meta.deletion_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .hash(&mut hasher);
    Some(hasher.finish())
}

/// The controller's entry point for one HelmRelease: once a slot is free (`--concurrent`), the
/// reconcile.
pub async fn reconcile(hr: Arc<HelmRelease>, ctx: Arc<Context>) -> Result<Action, Error> {
    // Queued for a slot, a release holds only this small future; the reconcile's own (much
    // larger) future is made once it has one.
    let Some(slot) = ctx.slots.take().await else {
        // Shutting down: not started; the next leader takes it up from the cache it lists.
        return Ok(Action::await_change());
    };
    Box::pin(reconcile_holding(hr, ctx, slot)).await
}

/// [`reconcile`], holding `slot` (given up while the release waits for readiness).
async fn reconcile_holding(
    hr: Arc<HelmRelease>,
    ctx: Arc<Context>,
    slot: Slot,
) -> Result<Action, Error> {
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
            Event::Apply(hr) => apply(&hr, &ctx, &slot).await,
            Event::Cleanup(hr) => run(&hr, &ctx, &slot, Trigger::Cleanup).await,
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
            ctx.status_writes.forget(&ns, &name);
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

async fn apply(hr: &HelmRelease, ctx: &Context, slot: &Slot) -> Result<Action, Error> {
    // The watch cache can lag behind our own last status write (a reconcile may start before
    // that write's event arrives), and the decision reads the status: unless the cached
    // HelmRelease is the version our last write made (or we made none), it is read from the API.
    if ctx.status_writes.seen_in(hr) {
        return run(hr, ctx, slot, Trigger::Apply).await;
    }
    let api: Api<HelmRelease> = Api::namespaced(
        ctx.cluster.client().clone(),
        &hr.namespace().unwrap_or_default(),
    );
    let Some(fresh) = api.get_opt(&hr.name_any()).await? else {
        return Ok(Action::await_change());
    };
    run(&fresh, ctx, slot, Trigger::Apply).await
}

/// Load, then decide and act until a state ends the reconcile, then write the status.
async fn run(
    hr: &HelmRelease,
    ctx: &Context,
    slot: &Slot,
    trigger: Trigger,
) -> Result<Action, Error> {
    let load::Loaded {
        target: t,
        mut history,
        mut facts,
    } = load::load(ctx, hr, slot).await?;
    let mut status = Writer::new(ctx, hr, t.redaction.clone());
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
            ReleaseState::DependenciesNotReady { message } => {
                let outcome = Outcome::NotReady {
                    reason: Reason::DependencyNotReady,
                    message,
                    requeue: Requeue::After(DEPENDENCY_RETRY),
                };
                status.record(outcome).await;
                break;
            }
            ReleaseState::ValuesUnavailable { reason, message } => {
                let outcome = Outcome::NotReady {
                    reason,
                    message,
                    requeue: Requeue::Retry,
                };
                status.record(outcome).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_writes_alone_do_not_call_for_a_reconcile() {
        let mut hr = HelmRelease::new("web", crate::crd::HelmReleaseSpec::default());
        hr.metadata.generation = Some(1);
        let first = wants_reconcile(&hr);
        hr.status = Some(crate::crd::HelmReleaseStatus {
            observed_generation: Some(1),
            ..Default::default()
        });
        hr.metadata.resource_version = Some("2".into());
        assert_eq!(wants_reconcile(&hr), first, "a status write");

        let changed = |f: &dyn Fn(&mut HelmRelease)| {
            let mut other = hr.clone();
            f(&mut other);
            wants_reconcile(&other) != first
        };
        assert!(changed(&|hr| hr.metadata.generation = Some(2)));
        assert!(changed(&|hr| {
            hr.metadata.annotations =
                Some([(crate::crd::REQUESTED_AT.to_string(), "now".to_string())].into())
        }));
        assert!(changed(
            &|hr| hr.metadata.finalizers = Some(vec![FINALIZER.into()])
        ));
        assert!(changed(&|hr| {
            hr.metadata.deletion_timestamp = Some(
                k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(jiff::Timestamp::UNIX_EPOCH),
            )
        }));
        assert!(changed(&|hr| {
            hr.metadata.labels = Some([("shard".to_string(), "a".to_string())].into())
        }));
    }
}
