//! `planton-helm`: validate HelmReleases and render Helm charts offline, in the sandboxed core.

mod cli;
mod sources;
mod template;
mod units;
mod validate;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(err) => {
            // Helm's own error format, so scripts that read `helm template`'s stderr keep working.
            eprintln!("Error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
