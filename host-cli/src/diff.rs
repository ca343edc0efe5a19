//! `planton-helm diff`: two renders compared offline (`sources::diff_files`), or the files compared
//! with what is deployed (`live::diff`, with `--cluster`). This command sits above both, so neither
//! needs the other.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use host_runtime::Config;

use crate::live::{self, LiveArgs};
use crate::sources::{self, Diffed, RenderSettings};

/// `planton-helm diff BEFORE AFTER`, or `planton-helm diff --cluster FILE...`
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// BEFORE AFTER: the HelmRelease file as it is now (for example from the main branch) and
    /// with the change (from a pull request). With --cluster: the HelmRelease files, compared
    /// with what is deployed
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,

    /// Lines of context around each change
    #[arg(short = 'U', long, value_name = "N", default_value_t = 3, value_parser = context_lines)]
    context: usize,

    #[command(flatten)]
    live: LiveArgs,

    #[command(flatten)]
    settings: RenderSettings,
}

/// `--context N`: a number of lines. The cluster's context is `--kube-context`, as helm spells
/// it; say so to whoever reaches for kubectl's spelling.
fn context_lines(text: &str) -> Result<usize, String> {
    text.parse().map_err(|_| {
        format!(
            "--context is the number of context lines around each change; to choose the \
             kubeconfig context {text:?}, write --kube-context {text}"
        )
    })
}

/// Runs `diff`: with `--cluster` against the deployed releases, else BEFORE against AFTER.
pub fn diff(args: &DiffArgs, config: Config) -> anyhow::Result<Diffed> {
    if args.live.cluster {
        return live::diff(
            &args.files,
            &args.live,
            args.context,
            &args.settings,
            config,
        );
    }
    args.live.check_offline()?;
    let [before, after] = args.files.as_slice() else {
        bail!(
            "diff takes two files, BEFORE and AFTER (or --cluster and the files to compare with \
             the cluster)"
        );
    };
    sources::diff_files(before, after, args.context, &args.settings, config)
}
