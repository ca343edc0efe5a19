//! Reaching a cluster as helm does: `--kubeconfig` (else `$KUBECONFIG`, else `~/.kube/config`,
//! else the in-cluster service account) and `--kube-context` (helm's spelling; `diff`'s
//! `--context` is already the number of context lines, as in GNU diff and helm-diff).

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// `--kubeconfig` and `--kube-context`: shared by `status` and `diff --cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// The kubeconfig file [default: $KUBECONFIG, else ~/.kube/config, else in-cluster]
    #[arg(long, value_name = "FILE", help_heading = "Cluster")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context [default: its current context]
    #[arg(long, value_name = "NAME", help_heading = "Cluster")]
    pub kube_context: Option<String>,
}

/// A client, and the namespace of the kubeconfig's context (`default` when it names none).
pub struct Connection {
    pub client: kube::Client,
    pub namespace: String,
}

impl ClusterArgs {
    /// Whether either flag was given.
    pub fn given(&self) -> bool {
        self.kubeconfig.is_some() || self.kube_context.is_some()
    }

    /// Connects (no request is made yet). Errors name the file or context and what to do; they
    /// never carry credentials.
    pub async fn connect(&self) -> anyhow::Result<Connection> {
        let options = KubeConfigOptions {
            context: self.kube_context.clone(),
            ..KubeConfigOptions::default()
        };
        let config = match &self.kubeconfig {
            Some(path) => {
                let file = Kubeconfig::read_from(path).with_context(|| {
                    format!(
                        "read the kubeconfig {}; pass a readable --kubeconfig",
                        path.display()
                    )
                })?;
                kube::Config::from_custom_kubeconfig(file, &options)
                    .await
                    .with_context(|| format!("load the kubeconfig {}", path.display()))?
            }
            None if self.kube_context.is_some() => kube::Config::from_kubeconfig(&options)
                .await
                .context("load the kubeconfig ($KUBECONFIG or ~/.kube/config)")?,
            None => kube::Config::infer().await.context(
                "find the cluster: pass --kubeconfig FILE, set $KUBECONFIG, or run in a cluster",
            )?,
        };
        let namespace = config.default_namespace.clone();
        let client = kube::Client::try_from(config).context("set up the cluster client")?;
        Ok(Connection { client, namespace })
    }
}

/// A tokio runtime for the commands that talk to a cluster (the rest of the CLI is synchronous).
pub fn tokio() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("start the async runtime")
}
