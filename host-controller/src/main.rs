//! planton-helm-controller: `run` reconciles HelmReleases; `crd` prints the CRD.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use host_controller::chart::{ChartProvider, Credentials};
use host_controller::leader::{LeaderElection, default_identity};
use host_controller::{Metrics, SourceCharts, SourceOptions, crd, webhook};
use host_runtime::{Config, Runtime};

const USAGE: &str = "usage: planton-helm-controller crd | --version
       planton-helm-controller run [--metrics-addr ADDR] [CHART FLAGS] [ELECTION FLAGS]
             [WEBHOOK FLAGS]

  crd                   print the HelmRelease CRD (deploy/crds/helmreleases.yaml)
  --version             print the version (the chart's appVersion and the image tag)
  run                   reconcile HelmReleases (kubeconfig from KUBECONFIG or in-cluster)
  --metrics-addr ADDR   serve /metrics, /healthz, /readyz on ADDR (default 0.0.0.0:8080)

leader election (one replica reconciles; the others stand by):
  --leader-election-namespace NS
                        the Lease's namespace (default $POD_NAMESPACE, else default)
  --leader-election-id NAME
                        the Lease's name (default planton-helm-controller)
  --lease-duration D    how long an unrenewed Lease keeps others out (default 15s)
  --no-leader-election  reconcile without a Lease (run exactly one replica)

chart flags (charts come from HTTP repositories and OCI registries through a cache):
  --chart-cache DIR     the chart cache (default $XDG_CACHE_HOME/planton-helm/charts)
  --ca-file FILE        trust the PEM certificates in FILE besides the system's
  --plain-http          talk to OCI registries over plain HTTP (in-cluster registries)
  --fetch-timeout D     timeout to connect and for each read, a Go duration (default 60s)
  $PLANTON_HELM_USERNAME / $PLANTON_HELM_PASSWORD
                        credentials for HelmReleases without spec.credentialsRef

webhook flags (the HelmRelease admission webhook; see docs/webhook.md):
  --webhook-addr ADDR   serve it (HTTPS, POST /validate-helmrelease) on ADDR,
                        e.g. 0.0.0.0:9443
  --webhook-cert FILE   its PEM certificate chain; reloaded when the file changes
  --webhook-key FILE    its PEM private key; reloaded when the file changes
  --policy-configmap NS/NAME
                        extra policy rules (and `disabled` codes) from this
                        ConfigMap, watched; reviews are denied until it is read
  --webhook-concurrency N
                        reviews evaluated at once (default: the CPU count)
  --webhook-timeout DUR bound on one review, queueing included (default 5s);
                        past it the review is denied (the webhook fails closed)";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("crd") => {
            print!("{}", crd::crd_yaml());
            Ok(())
        }
        Some("--version" | "-V") => {
            println!("planton-helm-controller {}", env!("CARGO_PKG_VERSION"));
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
    let mut source = SourceOptions {
        credentials: env_credentials()?,
        ..SourceOptions::default()
    };
    let namespace = std::env::var("POD_NAMESPACE")
        .ok()
        .filter(|ns| !ns.is_empty())
        .unwrap_or_else(|| "default".to_string());
    let mut election = Some(LeaderElection::new(
        &namespace,
        LeaderElection::DEFAULT_NAME,
        &default_identity(),
    ));
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
            "--chart-cache" => source.cache_dir = Some(PathBuf::from(value()?)),
            "--ca-file" => {
                let path = value()?;
                source.ca_pem = Some(
                    std::fs::read(&path).with_context(|| format!("reading --ca-file {path}"))?,
                );
            }
            "--plain-http" => source.plain_http = true,
            "--no-leader-election" => election = None,
            "--leader-election-namespace" => {
                let ns = value()?;
                election.iter_mut().for_each(|e| e.namespace = ns.clone());
            }
            "--leader-election-id" => {
                let name = value()?;
                election.iter_mut().for_each(|e| e.name = name.clone());
            }
            "--lease-duration" => {
                let text = value()?;
                let d = host_controller::duration::parse(&text)
                    .map_err(|e| anyhow::anyhow!("--lease-duration {text:?}: {e}"))?;
                election.iter_mut().for_each(|e| e.lease_duration = d);
            }
            "--fetch-timeout" => {
                let text = value()?;
                source.timeout = host_controller::duration::parse(&text)
                    .map_err(|e| anyhow::anyhow!("--fetch-timeout {text:?}: {e}"))?;
            }
            flag if webhook::Flags::takes(flag) => webhook_flags.set(flag, value()?)?,
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let charts: Arc<dyn ChartProvider> = Arc::new(SourceCharts::new(source).context("--ca-file")?);
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
    match election {
        Some(election) => {
            host_controller::run_elected(client, runtime, charts, metrics, election, shutdown)
                .await?
        }
        None => host_controller::run_with_metrics(client, runtime, charts, metrics, shutdown).await,
    }
    Ok(())
}

/// Default repository credentials from `$PLANTON_HELM_USERNAME` and `$PLANTON_HELM_PASSWORD` (as
/// the CLI), both or neither.
fn env_credentials() -> anyhow::Result<Option<Credentials>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (env("PLANTON_HELM_USERNAME"), env("PLANTON_HELM_PASSWORD")) {
        (Some(username), Some(password)) => Ok(Some(Credentials { username, password })),
        (None, None) => Ok(None),
        _ => bail!(
            "$PLANTON_HELM_USERNAME and $PLANTON_HELM_PASSWORD go together: set both or neither"
        ),
    }
}
