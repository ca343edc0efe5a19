//! `planton-helm`: validate HelmReleases and render Helm charts offline, in the sandboxed core.

mod cli;
mod connect;
mod diff;
mod live;
mod sources;
mod status;
mod template;
mod units;
mod validate;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli: cli::Cli = host_controller::cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(err) => {
            // Helm's own error format, so scripts that read `helm template`'s stderr keep working.
            eprintln!("Error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
