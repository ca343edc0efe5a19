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

pub mod chart;
pub mod cluster;
pub mod crd;
pub mod duration;
pub mod metrics;
pub mod reconcile;
pub mod release;
pub mod wait;
pub mod webhook;

use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;
use host_runtime::Runtime;
use kube::runtime::Controller;
use kube::runtime::events::Reporter;
use kube::runtime::watcher;
use kube::{Api, Client};

pub use chart::{ChartProvider, LocalCharts};
pub use crd::{HelmRelease, HelmReleaseSpec, HelmReleaseStatus};
pub use metrics::Metrics;
pub use reconcile::Context;

/// The controller's name in Events and as the field manager.
pub const CONTROLLER_NAME: &str = "planton-helm-controller";

/// Reconciles every HelmRelease in the cluster until `shutdown` completes, then finishes the
/// reconciles in flight and returns.
pub async fn run(
    client: Client,
    runtime: Arc<Runtime>,
    charts: Arc<dyn ChartProvider>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    run_with_metrics(client, runtime, charts, Arc::default(), shutdown).await
}

/// [`run`], recording into `metrics` (which the caller may serve).
pub async fn run_with_metrics(
    client: Client,
    runtime: Arc<Runtime>,
    charts: Arc<dyn ChartProvider>,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let ctx = Arc::new(Context {
        cluster: cluster::Cluster::new(client.clone()),
        runtime,
        charts,
        reporter: Reporter {
            controller: CONTROLLER_NAME.into(),
            instance: std::env::var("POD_NAME").ok(),
        },
        metrics: metrics.clone(),
    });
    let api: Api<HelmRelease> = Api::all(client);
    metrics.set_ready(true);
    Controller::new(api, watcher::Config::default())
        .graceful_shutdown_on(shutdown)
        .run(reconcile::reconcile, reconcile::error_policy, ctx)
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(error = %e, "reconcile error");
            }
        })
        .await;
    metrics.set_ready(false);
}
