//! planton-helm-controller: `run` reconciles HelmReleases; `crd` prints the CRD.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use host_controller::chart::{ChartProvider, FetchError, FetchFuture, LocalCharts};
use host_controller::{Metrics, crd, webhook};
use host_runtime::{Config, Runtime};

const USAGE: &str = "usage: planton-helm-controller crd
       planton-helm-controller run [--metrics-addr ADDR] [--local-charts FILE]
             [--webhook-addr ADDR --webhook-cert FILE --webhook-key FILE
              [--policy-configmap NS/NAME] [--webhook-concurrency N] [--webhook-timeout DUR]]

  crd                   print the HelmRelease CRD (deploy/crds/helmreleases.yaml)
  run                   reconcile HelmReleases (kubeconfig from KUBECONFIG or in-cluster)
  --metrics-addr ADDR   serve /metrics, /healthz, /readyz on ADDR (default 0.0.0.0:8080)
  --local-charts FILE   TEST ONLY: serve charts from local directories, one
                        `REPO NAME VERSION DIR` per line, instead of fetching them
  --webhook-addr ADDR   serve the HelmRelease admission webhook (HTTPS, POST
                        /validate-helmrelease) on ADDR, e.g. 0.0.0.0:9443
  --webhook-cert FILE   its PEM certificate chain; reloaded when the file changes
  --webhook-key FILE    its PEM private key; reloaded when the file changes
  --policy-configmap NS/NAME
                        extra policy rules (and `disabled` codes) from this
                        ConfigMap, watched; reviews are denied until it is read
  --webhook-concurrency N
                        reviews evaluated at once (default: the CPU count)
  --webhook-timeout DUR bound on one review, queueing included (default 5s);
                        past it the review is denied (the webhook fails closed)";

/// Stands in until the chart-source crate is plugged in: every fetch fails and says so.
struct NoFetching;

impl ChartProvider for NoFetching {
    fn fetch<'a>(&'a self, repo: &'a str, name: &'a str, version: &'a str) -> FetchFuture<'a> {
        Box::pin(async move {
            Err(FetchError(format!(
                "cannot fetch chart {name} {version} from {repo}: this build has no chart \
                 fetching yet (chart-source); run with --local-charts for tests"
            )))
        })
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("crd") => {
            print!("{}", crd::crd_yaml());
            Ok(())
        }
        Some("run") => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(run(&args[1..]))
        }
        _ => bail!("{USAGE}"),
    }
}

async fn run(args: &[String]) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let mut metrics_addr = "0.0.0.0:8080".to_string();
    let mut charts: Arc<dyn ChartProvider> = Arc::new(NoFetching);
    let mut webhook_flags = webhook::Flags::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--metrics-addr" => metrics_addr = value()?,
            "--local-charts" => {
                let path = PathBuf::from(value()?);
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let base = path.parent().map(PathBuf::from).unwrap_or_default();
                let map = LocalCharts::parse(&text, &base)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                charts = Arc::new(map);
            }
            flag if webhook::Flags::takes(flag) => webhook_flags.set(flag, value()?)?,
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let client = kube::Client::try_default()
        .await
        .context("connecting to the cluster (KUBECONFIG or in-cluster config)")?;
    let _webhook = webhook_flags.start(&client).await?;
    let runtime = Arc::new(Runtime::new(Config::default())?);
    let metrics = Arc::new(Metrics::default());
    let listener = tokio::net::TcpListener::bind(&metrics_addr)
        .await
        .with_context(|| format!("binding --metrics-addr {metrics_addr}"))?;
    tokio::spawn(metrics.clone().serve(listener));
    // Kubernetes stops a Pod with SIGTERM; a terminal sends SIGINT.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    };
    host_controller::run_with_metrics(client, runtime, charts, metrics, shutdown).await;
    Ok(())
}
