//! planton-helm-controller: `run` reconciles HelmReleases; `crd` prints the CRD; `completion`
//! prints a shell completion script. Every flag of `run` can also be set through the
//! environment variable its `--help` names (`--metrics-addr` is `$PLANTON_HELM_METRICS_ADDR`), the
//! way kube tooling is configured from a Deployment's `env`; a flag on the command line wins.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand};
use host_controller::chart::ChartProvider;
use host_controller::leader::{LeaderElection, default_identity};
use host_controller::validation::Policies;
use host_controller::{
    ControllerOptions, Metrics, PolicyStore, SourceCharts, SourceOptions, Tenancy, crd, webhook,
};
use host_runtime::{Config, Runtime};

/// Reconciles Project Planton HelmRelease objects into Helm releases that `helm` can read.
#[derive(Debug, Parser)]
#[command(name = "planton-helm-controller", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Reconcile HelmReleases (kubeconfig from $KUBECONFIG, else the in-cluster config)
    #[command(after_help = RUN_AFTER_HELP)]
    Run(Box<RunArgs>),
    /// Print the HelmRelease CRD (deploy/crds/helmreleases.yaml)
    Crd,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completion {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

const RUN_AFTER_HELP: &str = "Environment:
  PLANTON_HELM_USERNAME, PLANTON_HELM_PASSWORD, PLANTON_HELM_PLAIN_HTTP
          no longer read: run refuses to start while they are set. Repository access is per
          release (spec.credentialsRef, spec.certSecretRef, spec.plainHttp)
  POD_NAMESPACE   the default --leader-election-namespace
  POD_NAME        this instance's leader election identity and the Events' reportingInstance
  RUST_LOG        log filter (default info); logs are JSON lines on stdout";

#[derive(Debug, Args)]
struct RunArgs {
    /// Serve /metrics, /healthz and /readyz on ADDR
    #[arg(
        long,
        env = "PLANTON_HELM_METRICS_ADDR",
        value_name = "ADDR",
        default_value = "0.0.0.0:8080"
    )]
    metrics_addr: String,

    /// This cluster's name in Project Planton manifests: releases whose
    /// spec.target_cluster.cluster_name is NAME install here; releases that name another cluster
    /// are stalled as unresolvable (docs/planton.md)
    #[arg(long, env = "PLANTON_HELM_CLUSTER_NAME", value_name = "NAME")]
    cluster_name: Option<String>,

    /// Reconcile at most N releases at once (a release waiting for its objects to be ready gives
    /// its slot up meanwhile); 0 means no limit. Memory budget: docs/controller.md
    #[arg(
        long,
        env = "PLANTON_HELM_CONCURRENT",
        value_name = "N",
        default_value_t = 10
    )]
    concurrent: u16,

    /// Reconcile only the HelmReleases with matching labels (kubectl's -l syntax), e.g.
    /// sharding.project-planton.org/key=shard1: one shard of the releases, each shard run by its
    /// own instance (docs/controller.md, "Sharding")
    #[arg(
        long,
        env = "PLANTON_HELM_WATCH_LABEL_SELECTOR",
        value_name = "SELECTOR"
    )]
    watch_label_selector: Option<String>,

    /// Memory cap of the sandboxed core per call (a render, a validation, a review): bytes, or
    /// with Ki/Mi/Gi. Budget: (--concurrent + --webhook-concurrency) times this, plus ~128 MiB,
    /// should fit the container's memory limit (docs/controller.md, "Memory budget")
    #[arg(long, env = "PLANTON_HELM_MAX_MEMORY", value_name = "SIZE",
          value_parser = host_runtime::parse_size, default_value = "512Mi")]
    max_memory: usize,

    /// The chart cache [default: $XDG_CACHE_HOME/planton-helm/charts]
    #[arg(
        long,
        env = "PLANTON_HELM_CHART_CACHE",
        value_name = "DIR",
        help_heading = "Charts"
    )]
    chart_cache: Option<PathBuf>,

    /// Trust the PEM certificates in FILE besides the system's, for every release (a release
    /// adds its own: spec.certSecretRef)
    #[arg(
        long,
        env = "PLANTON_HELM_CA_FILE",
        value_name = "FILE",
        help_heading = "Charts"
    )]
    ca_file: Option<PathBuf>,

    /// Timeout to connect and for each read (Go duration: 30s, 2m)
    #[arg(long, env = "PLANTON_HELM_FETCH_TIMEOUT", value_name = "DURATION",
          value_parser = go_duration, default_value = "60s", help_heading = "Charts")]
    fetch_timeout: Duration,

    /// Refuse spec.credentialsRef and spec.certSecretRef naming a Secret in another namespace
    /// than the HelmRelease's (the release is stalled, reason AccessDenied)
    #[arg(long, env = "PLANTON_HELM_NO_CROSS_NAMESPACE_REFS", action = ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new(), help_heading = "Tenancy")]
    no_cross_namespace_refs: bool,

    /// The service account, in each HelmRelease's namespace, that releases without
    /// spec.serviceAccountName act as (impersonated); without it such releases act as the
    /// controller's own account
    #[arg(
        long,
        env = "PLANTON_HELM_DEFAULT_SERVICE_ACCOUNT",
        value_name = "NAME",
        help_heading = "Tenancy"
    )]
    default_service_account: Option<String>,

    /// The Lease's namespace [default: $POD_NAMESPACE, else default]
    #[arg(
        long,
        env = "PLANTON_HELM_LEADER_ELECTION_NAMESPACE",
        value_name = "NS",
        help_heading = "Leader election (one replica reconciles; the others stand by)"
    )]
    leader_election_namespace: Option<String>,

    /// The Lease's name [default: planton-helm-controller; with --watch-label-selector, that
    /// name, '-' and the first 8 hex digits of the selector's SHA-256, so that each shard elects
    /// its own leader]
    #[arg(
        long,
        env = "PLANTON_HELM_LEADER_ELECTION_ID",
        value_name = "NAME",
        help_heading = "Leader election (one replica reconciles; the others stand by)"
    )]
    leader_election_id: Option<String>,

    /// How long an unrenewed Lease keeps the others out (Go duration)
    #[arg(long, env = "PLANTON_HELM_LEASE_DURATION", value_name = "DURATION",
          value_parser = go_duration, default_value = "15s",
          help_heading = "Leader election (one replica reconciles; the others stand by)")]
    lease_duration: Duration,

    /// Reconcile without a Lease (run exactly one replica)
    #[arg(long, env = "PLANTON_HELM_NO_LEADER_ELECTION", action = ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new(),
          help_heading = "Leader election (one replica reconciles; the others stand by)")]
    no_leader_election: bool,

    /// Serve the admission webhook (HTTPS, POST /validate-helmrelease) on ADDR, e.g.
    /// 0.0.0.0:9443; no webhook without it
    #[arg(
        long,
        env = "PLANTON_HELM_WEBHOOK_ADDR",
        value_name = "ADDR",
        help_heading = "Admission webhook (docs/webhook.md)"
    )]
    webhook_addr: Option<String>,

    /// The webhook's PEM certificate chain; reloaded when the file changes
    #[arg(
        long,
        env = "PLANTON_HELM_WEBHOOK_CERT",
        value_name = "FILE",
        help_heading = "Admission webhook (docs/webhook.md)"
    )]
    webhook_cert: Option<String>,

    /// The webhook's PEM private key; reloaded when the file changes
    #[arg(
        long,
        env = "PLANTON_HELM_WEBHOOK_KEY",
        value_name = "FILE",
        help_heading = "Admission webhook (docs/webhook.md)"
    )]
    webhook_key: Option<String>,

    /// Extra policy rules (and `disabled` codes) from this ConfigMap, watched, for the webhook
    /// and the reconciler alike; nothing is admitted or installed until it is read
    #[arg(
        long,
        env = "PLANTON_HELM_POLICY_CONFIGMAP",
        value_parser = policy_configmap,
        value_name = "NS/NAME",
        help_heading = "Validation (the webhook's and the reconciler's)"
    )]
    policy_configmap: Option<(String, String)>,

    /// Reviews evaluated at once [default: the CPU count]
    #[arg(
        long,
        env = "PLANTON_HELM_WEBHOOK_CONCURRENCY",
        value_parser = webhook_flag("--webhook-concurrency"),
        value_name = "N",
        help_heading = "Admission webhook (docs/webhook.md)"
    )]
    webhook_concurrency: Option<String>,

    /// Bound on one review, queueing included; past it the review is denied (fails closed)
    /// [default: 5s]
    #[arg(
        long,
        env = "PLANTON_HELM_WEBHOOK_TIMEOUT",
        value_parser = webhook_flag("--webhook-timeout"),
        value_name = "DURATION",
        help_heading = "Admission webhook (docs/webhook.md)"
    )]
    webhook_timeout: Option<String>,
}

fn go_duration(text: &str) -> Result<Duration, String> {
    host_controller::reconcile::parse_duration(text)
}

fn policy_configmap(text: &str) -> Result<(String, String), String> {
    host_controller::validation::policy::configmap_ref(text)
}

/// A webhook flag's value checked as the webhook reads it, so that a bad one is a usage error.
fn webhook_flag(flag: &'static str) -> impl Fn(&str) -> Result<String, String> + Clone {
    move |value| {
        webhook::Flags::default()
            .set(flag, value.to_string())
            .map(|()| value.to_string())
            .map_err(|e| e.to_string())
    }
}

fn main() -> ExitCode {
    refuse_removed_flags(&std::env::args().skip(1).collect::<Vec<_>>());
    let cli: Cli = host_controller::cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, the causes after the context (`anyhow`'s alternate form).
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Crd => {
            print!("{}", crd::crd_yaml());
            Ok(())
        }
        Command::Completion { shell } => {
            host_controller::cli::completion(&mut Cli::command(), shell, &mut std::io::stdout());
            Ok(())
        }
        Command::Run(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(run(*args))
        }
    }
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    refuse_removed_settings()?;
    let ca_pem = args
        .ca_file
        .as_ref()
        .map(|path| {
            std::fs::read(path).with_context(|| format!("reading --ca-file {}", path.display()))
        })
        .transpose()?;
    let source = SourceOptions {
        cache_dir: args.chart_cache,
        ca_pem,
        timeout: args.fetch_timeout,
    };
    // An empty selector (the flag's value in a chart that does not shard) selects everything.
    let selector = args
        .watch_label_selector
        .clone()
        .filter(|s| !s.trim().is_empty());
    let election = (!args.no_leader_election).then(|| {
        let namespace = args
            .leader_election_namespace
            .clone()
            .or_else(|| std::env::var("POD_NAMESPACE").ok())
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_string());
        let name = args.leader_election_id.clone().unwrap_or_else(|| {
            LeaderElection::shard_name(LeaderElection::DEFAULT_NAME, selector.as_deref())
        });
        let mut election = LeaderElection::new(&namespace, &name, &default_identity());
        election.lease_duration = args.lease_duration;
        election
    });
    let mut webhook_flags = webhook::Flags::default();
    for (flag, value) in [
        ("--webhook-addr", args.webhook_addr),
        ("--webhook-cert", args.webhook_cert),
        ("--webhook-key", args.webhook_key),
        ("--webhook-concurrency", args.webhook_concurrency),
        ("--webhook-timeout", args.webhook_timeout),
    ] {
        if let Some(value) = value {
            webhook_flags.set(flag, value)?;
        }
    }
    webhook_flags.max_memory(args.max_memory);
    let budget = host_controller::budget::MemoryBudget {
        reconciles: args.concurrent,
        reviews: webhook_flags.sandboxes(),
        per_call: args.max_memory,
    };
    let limit = host_controller::budget::container_limit();
    tracing::info!(
        reconciles = budget.reconciles,
        reviews = budget.reviews,
        max_memory_mib = budget.per_call >> 20,
        worst_case_mib = budget.worst_case().map(|b| b >> 20),
        container_limit_mib = limit.map(|b| b >> 20),
        "memory budget"
    );
    if let Some(overrun) = budget.overrun(limit) {
        tracing::warn!("{overrun}");
    }
    let metrics_addr = args.metrics_addr;
    let charts: Arc<dyn ChartProvider> = Arc::new(SourceCharts::new(source).context("--ca-file")?);
    let config = kube::Config::infer()
        .await
        .context("connecting to the cluster (KUBECONFIG or in-cluster config)")?;
    let client = kube::Client::try_from(config.clone())
        .context("connecting to the cluster (KUBECONFIG or in-cluster config)")?;
    if let Some(selector) = &selector {
        host_controller::check_watch_label_selector(&client, selector).await?;
    }
    let metrics = Arc::new(Metrics::default());
    // One store of the policy rules for the webhook and the reconciler: one verdict.
    let policies = match args.policy_configmap {
        Some((ns, name)) => {
            let store = PolicyStore::configmap(&ns, &name);
            tokio::spawn(store.clone().watch(client.clone(), ns, name));
            store
        }
        None => PolicyStore::fixed(Policies::default()),
    };
    let _webhook = webhook_flags
        .start(policies.clone(), metrics.clone())
        .await?;
    let runtime = Arc::new(Runtime::new(Config {
        max_memory: args.max_memory,
        ..Config::default()
    })?);
    // Where the core came from: `Precompiled` in the image (PLANTON_HELM_PRECOMPILED_DIR), else a
    // pod compiles it at start; docs/install.md and tests/image.rs read this line.
    tracing::info!(
        source = ?runtime.compile_source(),
        millis = runtime.compile_time().as_millis() as u64,
        "core component loaded"
    );
    let listener = tokio::net::TcpListener::bind(&metrics_addr)
        .await
        .with_context(|| format!("binding --metrics-addr {metrics_addr}"))?;
    let local = listener
        .local_addr()
        .with_context(|| format!("--metrics-addr {metrics_addr}"))?;
    tracing::info!(addr = %local, "metrics listening");
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
    let options = ControllerOptions {
        cluster_name: args.cluster_name,
        tenancy: Tenancy {
            no_cross_namespace_refs: args.no_cross_namespace_refs,
            default_service_account: args.default_service_account,
        },
        concurrent: args.concurrent,
        config: Some(config),
        policies: Some(policies),
        watch_label_selector: selector,
    };
    match election {
        Some(election) => {
            host_controller::run_elected(
                client, runtime, charts, metrics, election, options, shutdown,
            )
            .await?
        }
        None => {
            host_controller::run_with_metrics(client, runtime, charts, metrics, options, shutdown)
                .await
        }
    }
    Ok(())
}

/// The controller once sent `$PLANTON_HELM_USERNAME` / `$PLANTON_HELM_PASSWORD` to every
/// repository any HelmRelease named, and `$PLANTON_HELM_PLAIN_HTTP` spoke plain HTTP to every
/// registry; a deployment that still sets them must learn that they are not read, rather than see
/// releases fail with 401s or TLS errors. The message names the variables, never their values.
fn refuse_removed_settings() -> anyhow::Result<()> {
    let set: Vec<&str> = REMOVED_VARIABLES
        .iter()
        .map(|(name, _)| *name)
        .filter(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()))
        .collect();
    if set.is_empty() {
        return Ok(());
    }
    let mut instead: Vec<&str> = REMOVED_VARIABLES
        .iter()
        .filter(|(name, _)| set.contains(name))
        .map(|(_, instead)| *instead)
        .collect();
    instead.dedup();
    bail!(
        "${} {} set, but the controller has no controller-wide repository access (it would reach \
         every repository any HelmRelease names): {}; then unset it",
        set.join(" and $"),
        if set.len() == 1 { "is" } else { "are" },
        instead.join("; ")
    )
}

/// Environment variables `run` no longer reads, and what replaces each.
const REMOVED_VARIABLES: [(&str, &str); 3] = [
    (
        "PLANTON_HELM_USERNAME",
        "put credentials in a Secret in each release's namespace and name it in \
         spec.credentialsRef",
    ),
    (
        "PLANTON_HELM_PASSWORD",
        "put credentials in a Secret in each release's namespace and name it in \
         spec.credentialsRef",
    ),
    (
        "PLANTON_HELM_PLAIN_HTTP",
        "set spec.plainHttp: true on the releases whose oci:// registry speaks plain HTTP",
    ),
];

/// `run --plain-http` was a controller flag; it is a usage error that says what replaced it
/// (clap alone would only call it unexpected).
fn refuse_removed_flags(args: &[String]) {
    if args.first().map(String::as_str) != Some("run") {
        return;
    }
    if args
        .iter()
        .any(|a| a == "--plain-http" || a.starts_with("--plain-http="))
    {
        eprintln!(
            "Error: --plain-http is no longer a controller flag: plain HTTP is chosen per \
             release, set spec.plainHttp: true on the HelmReleases whose oci:// registry speaks \
             plain HTTP; run 'planton-helm-controller run --help' for the usage"
        );
        std::process::exit(host_controller::cli::USAGE_ERROR);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_flag_defaults_are_the_libraries_defaults() {
        let Command::Run(args) = Cli::parse_from(["planton-helm-controller", "run"]).command else {
            panic!("run parses");
        };
        assert_eq!(args.lease_duration, LeaderElection::DEFAULT_DURATION);
        assert_eq!(args.fetch_timeout, chart_source::DEFAULT_TIMEOUT);
        assert_eq!(args.max_memory, host_runtime::DEFAULT_MAX_MEMORY);
        assert_eq!(args.leader_election_id, None);
        assert_eq!(args.watch_label_selector, None);
    }

    #[test]
    fn every_flag_of_run_has_an_environment_variable_named_after_it() {
        let command = Cli::command();
        let run = command.find_subcommand("run").expect("run");
        for arg in run.get_arguments().filter(|a| a.get_long().is_some()) {
            let long = arg.get_long().expect("long");
            if long == "help" {
                continue;
            }
            let want = format!("PLANTON_HELM_{}", long.replace('-', "_").to_uppercase());
            assert_eq!(
                arg.get_env().and_then(|e| e.to_str()),
                Some(want.as_str()),
                "--{long}"
            );
        }
    }
}
