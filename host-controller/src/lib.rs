//! planton-helm-controller: reconciles `HelmRelease` objects (`kubernetes.project-planton.org/v1`)
//! into Helm releases that the `helm` CLI can read. See docs/controller.md.
//!
//! ```no_run
//! # async fn demo(charts: std::sync::Arc<dyn host_controller::ChartProvider>) -> anyhow::Result<()> {
//! let client = kube::Client::try_default().await?;
//! let runtime = std::sync::Arc::new(host_runtime::Runtime::new(host_runtime::Config::default())?);
//! host_controller::run(client, runtime, charts, std::future::pending()).await;
//! # Ok(()) }
//! ```

pub mod budget;
pub mod chart;
pub mod cli;
pub mod cluster;
/// The HelmRelease resource's types, from the shared model crate.
pub use helmrelease_model::crd;
pub mod credentials;
pub mod drift;
pub mod identity;
pub mod leader;
pub mod metrics;
pub mod reconcile;
pub mod release;
pub mod remote;
pub mod source;
pub mod validation;
pub mod wait;
pub mod webhook;

use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;
use host_runtime::Runtime;
use kube::runtime::Controller;
use kube::runtime::events::Reporter;
use kube::runtime::{WatchStreamExt as _, watcher};
use kube::{Api, Client};

pub use chart::{ChartProvider, LocalCharts};
pub use crd::{HelmRelease, HelmReleaseSpec, HelmReleaseStatus};
pub use leader::LeaderElection;
pub use metrics::Metrics;
pub use reconcile::{Context, Tenancy};
pub use source::{SourceCharts, SourceOptions};
pub use validation::PolicyStore;

/// The controller's name in Events and as the field manager.
pub const CONTROLLER_NAME: &str = "planton-helm-controller";

/// What the `run` flags say about the releases this controller takes on.
#[derive(Clone, Debug, Default)]
pub struct ControllerOptions {
    /// This cluster's name in Project Planton manifests (`spec.target_cluster.cluster_name`,
    /// `--cluster-name`); releases that name another cluster are stalled as unresolvable.
    pub cluster_name: Option<String>,
    /// How tenants are kept apart (`--no-cross-namespace-refs`, `--default-service-account`).
    pub tenancy: Tenancy,
    /// The connection the client was made from: releases that act as a service account
    /// (`spec.serviceAccountName`, `--default-service-account`) get clients made from it that
    /// impersonate the account. Without it such releases cannot act (their reconcile fails).
    pub config: Option<kube::Config>,
    /// The policy rules the webhook validates with too (`--policy-configmap`); `None` is the
    /// built-in rules only.
    pub policies: Option<Arc<PolicyStore>>,
    /// How many releases are reconciled at once (`--concurrent`; a release waiting for
    /// readiness holds no slot, `reconcile::Slots`); 0 means no limit.
    pub concurrent: u16,
    /// Reconcile only the HelmReleases this label selector matches (`--watch-label-selector`,
    /// kubectl's `-l` syntax): one shard of the releases. `None` takes them all.
    pub watch_label_selector: Option<String>,
}

/// Checks `selector` as a `--watch-label-selector` by asking the API server to list the
/// HelmReleases it matches (one at most): the server's parser is the one that would refuse the
/// watch, so its words are the error's. A selector it refuses is [`BadSelector`]; any other
/// failure (connection, rights) is returned as it is.
pub async fn check_watch_label_selector(client: &Client, selector: &str) -> anyhow::Result<()> {
    let api: Api<HelmRelease> = Api::all(client.clone());
    let params = kube::api::ListParams::default().labels(selector).limit(1);
    match api.list_metadata(&params).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 400 => Err(BadSelector {
            selector: selector.to_string(),
            message: e.message,
        }
        .into()),
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "listing the HelmReleases --watch-label-selector {selector:?} matches"
        ))),
    }
}

/// A `--watch-label-selector` the API server does not parse.
#[derive(Debug, thiserror::Error)]
#[error(
    "--watch-label-selector {selector:?} is not a label selector: {message}; write it as \
     kubectl's -l, e.g. sharding.project-planton.org/key=shard1 (the releases of shard1) or \
     !sharding.project-planton.org/key (the releases of no shard)"
)]
pub struct BadSelector {
    /// The selector as given.
    pub selector: String,
    /// The API server's reason.
    pub message: String,
}

/// How long a reconcile waits for a validation (a slot, the first read of the policy ConfigMap,
/// the sandbox) before it is retried.
const VALIDATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Reconciles every HelmRelease in the cluster until `shutdown` completes, then finishes the
/// reconciles in flight and returns.
pub async fn run(
    client: Client,
    runtime: Arc<Runtime>,
    charts: Arc<dyn ChartProvider>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    run_with_metrics(
        client,
        runtime,
        charts,
        Arc::default(),
        ControllerOptions::default(),
        shutdown,
    )
    .await
}

/// [`run`], recording into `metrics` (which the caller may serve), with `options`.
pub async fn run_with_metrics(
    client: Client,
    runtime: Arc<Runtime>,
    charts: Arc<dyn ChartProvider>,
    metrics: Arc<Metrics>,
    options: ControllerOptions,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let cluster = cluster::Cluster::new(client.clone()).named(options.cluster_name);
    let identities = identity::Identities::new(
        cluster.clone(),
        options.config,
        options.tenancy.default_service_account.clone(),
    );
    let policies = options
        .policies
        .unwrap_or_else(|| PolicyStore::fixed(validation::Policies::default()));
    let validator = validation::Validator::new(
        runtime.clone(),
        policies.clone(),
        validation::Limits {
            timeout: VALIDATION_TIMEOUT,
            wait_for_rules: true,
            ..validation::Limits::default()
        },
    );
    let slots = reconcile::Slots::new(options.concurrent);
    let ctx = Arc::new(Context {
        cluster,
        identities,
        remotes: remote::Remotes::default(),
        runtime,
        charts,
        reporter: Reporter {
            controller: CONTROLLER_NAME.into(),
            instance: std::env::var("POD_NAME").ok(),
        },
        metrics: metrics.clone(),
        tenancy: options.tenancy,
        validator: Arc::new(validator),
        slots: slots.clone(),
        status_writes: Default::default(),
    });
    let api: Api<HelmRelease> = Api::all(client.clone());
    metrics.set_ready(true);
    // A change of the policy rules may change the verdict on any release: validate all again.
    let (rules_changed, on_rules_change) = futures::channel::mpsc::unbounded();
    let mut changes = policies.changes();
    let forward = tokio::spawn(async move {
        while changes.changed().await.is_ok() {
            if rules_changed.unbounded_send(()).is_err() {
                break;
            }
        }
    });
    let mut watch = watcher::Config::default();
    if let Some(selector) = &options.watch_label_selector {
        tracing::info!(
            selector,
            "reconciling only the HelmReleases this selector matches"
        );
        watch = watch.labels(selector);
    }
    // Only changes that ask for work reconcile (reconcile::wants_reconcile): not the status
    // writes of the controller's own reconciles, which would each start one more reconcile per
    // release for nothing.
    let (reader, writer) = kube::runtime::reflector::store();
    let releases = watcher(api, watch)
        .default_backoff()
        .reflect(writer)
        .applied_objects()
        .predicate_filter(reconcile::wants_reconcile, Default::default());
    // `--concurrent` is kept by the reconcile slots (`reconcile::Slots`), not by the runtime's
    // own limit: a release that waits for readiness gives its slot up but goes on running.
    let controller = Controller::for_stream(releases, reader)
        .reconcile_all_on(on_rules_change)
        .with_config(kube::runtime::controller::Config::default().concurrency(0));
    let controller = reconcile::watch_references(controller, &client);
    // At shutdown no queued reconcile starts; the ones in flight (waiting ones too) finish.
    let shutdown = async move {
        shutdown.await;
        slots.close();
    };
    controller
        .graceful_shutdown_on(shutdown)
        .run(reconcile::reconcile, reconcile::error_policy, ctx)
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(error = %e, "reconcile error");
            }
        })
        .await;
    forward.abort();
    metrics.set_ready(false);
}

/// Leadership was lost (the Lease could not be renewed in time, or another instance took it):
/// reconciles were abandoned and the process should exit so that it restarts as a standby.
#[derive(Debug, thiserror::Error)]
#[error(
    "lost the leader election Lease {namespace}/{name}: stopped reconciling; exiting so that \
     this instance restarts as a standby"
)]
pub struct LeaderLost {
    /// The Lease's namespace.
    pub namespace: String,
    /// The Lease's name.
    pub name: String,
}

/// [`run_with_metrics`] behind leader election: waits until this instance holds the Lease
/// (`/readyz` answers 200 meanwhile: a standby is healthy), reconciles while it keeps it, and on
/// `shutdown` finishes the reconciles in flight and releases the Lease. When the Lease is lost,
/// the reconciles are dropped at once and [`LeaderLost`] returned.
pub async fn run_elected(
    client: Client,
    runtime: Arc<Runtime>,
    charts: Arc<dyn ChartProvider>,
    metrics: Arc<Metrics>,
    election: LeaderElection,
    options: ControllerOptions,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) -> Result<(), LeaderLost> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let lost = LeaderLost {
        namespace: election.namespace.clone(),
        name: election.name.clone(),
    };
    let identity = election.identity.clone();
    let mut elector = leader::Elector::new(client.clone(), election);
    metrics.set_ready(true);
    tracing::info!(
        identity,
        lease = elector.config().name,
        "waiting for the leader election lease"
    );
    tokio::select! {
        () = elector.acquire() => {}
        () = stopped(stop_rx.clone()) => {
            metrics.set_ready(false);
            return Ok(());
        }
    }
    tracing::info!(
        identity,
        lease = elector.config().name,
        "acquired the lease: leading"
    );
    metrics.set_leader(true);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let keeper = tokio::spawn(async move {
        tokio::select! {
            () = elector.keep() => None,
            _ = done_rx => Some(elector),
        }
    });
    let controller = run_with_metrics(
        client,
        runtime,
        charts,
        metrics.clone(),
        options,
        stopped(stop_rx),
    );
    tokio::pin!(controller);
    let mut keeper = keeper;
    tokio::select! {
        () = &mut controller => {}
        _ = &mut keeper => {
            metrics.set_leader(false);
            metrics.set_ready(false);
            return Err(lost);
        }
    }
    metrics.set_leader(false);
    let _ = done_tx.send(());
    match keeper.await {
        Ok(Some(mut elector)) => {
            if let Err(e) = elector.release().await {
                tracing::warn!(error = %e, "releasing the lease failed; it expires on its own");
            } else {
                tracing::info!(identity, "released the lease");
            }
            Ok(())
        }
        _ => Err(lost),
    }
}
