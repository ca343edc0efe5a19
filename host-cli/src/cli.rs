//! The command line: flags as `helm` spells them.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use host_runtime::Config;

use crate::{diff, sources, status, template, units, validate};

/// Exit status of `diff` when it could not compare (1 means "there are changes").
const DIFF_ERROR: u8 = 2;

/// Validate HelmRelease specs and render Helm charts offline, byte for byte as Helm v4 does.
#[derive(Debug, Parser)]
#[command(name = "planton-helm", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Memory cap of the sandboxed core per call (bytes, or with Ki/Mi/Gi)
    #[arg(long, global = true, value_name = "SIZE", value_parser = units::parse_size,
          default_value = "512Mi", help_heading = "Sandbox")]
    max_memory: usize,

    /// Deadline of the sandboxed core per call (Go duration: 30s, 2m, 1m30s)
    #[arg(long, global = true, value_name = "DURATION", value_parser = units::parse_duration,
          default_value = "30s", help_heading = "Sandbox")]
    timeout: Duration,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check HelmRelease documents against the schema and the policy pack
    Validate(validate::ValidateArgs),
    /// Render a chart locally and print the manifests, like `helm template`
    #[command(override_usage = "planton-helm template [NAME] CHART [OPTIONS]")]
    Template(Box<template::TemplateArgs>),
    /// Validate HelmRelease files, fetch their charts (or use the cache) and render them
    Render(Box<sources::RenderArgs>),
    /// Download charts into the local cache: every chart a HelmRelease file names, or one
    Pull(Box<sources::PullArgs>),
    /// Show what a change to HelmRelease files would do to the cluster's objects: two versions
    /// of the files rendered, or (--cluster) the files against the deployed releases and their
    /// live objects (exit 0: no change, 1: changes, 2: error)
    #[command(override_usage = "planton-helm diff BEFORE AFTER [OPTIONS]\n       \
                                planton-helm diff --cluster FILE... [OPTIONS]")]
    Diff(Box<diff::DiffArgs>),
    /// Show the HelmReleases of a cluster: chart, version, Ready, reason, revisions, as the
    /// controller reports them
    #[command(visible_alias = "get")]
    Status(Box<status::StatusArgs>),
    /// List the policy rules in force, or explain one
    Policies(validate::PoliciesArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_help = "bash:  source <(planton-helm completion bash)\n\
                            zsh:   planton-helm completion zsh > \"${fpath[1]}/_planton-helm\"\n\
                            fish:  planton-helm completion fish | source")]
    Completion {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let config = Config {
            max_memory: self.max_memory,
            deadline: self.timeout,
            // One call per process: mapping the artifact is most of the start-up saved.
            map_artifact: true,
            ..Config::default()
        };
        let print = |text: &str| -> anyhow::Result<ExitCode> {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
            Ok(ExitCode::SUCCESS)
        };
        match self.command {
            Command::Template(args) => print(&template::run(&args, config)?),
            Command::Render(args) => {
                let rendered = sources::render(&args, config)?;
                for path in &rendered.written {
                    eprintln!("wrote {}", path.display());
                }
                print(&rendered.stdout)
            }
            Command::Pull(args) => print(&sources::pull(&args)?),
            Command::Validate(args) => Ok(validate::validate(&args, config)),
            Command::Policies(args) => Ok(validate::policies(&args, config)),
            Command::Status(args) => {
                let table = status::status(&args)?;
                print(&table.stdout)?;
                if table.missing.is_empty() {
                    Ok(ExitCode::SUCCESS)
                } else {
                    eprintln!("Error: HelmRelease {} not found", table.missing.join(", "));
                    Ok(ExitCode::FAILURE)
                }
            }
            Command::Completion { shell } => {
                use clap::CommandFactory;
                let mut stdout = std::io::stdout().lock();
                host_controller::cli::completion(&mut Cli::command(), shell, &mut stdout);
                stdout.flush()?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Diff(args) => Ok(match diff::diff(&args, config) {
                Ok(d) => {
                    print(&d.stdout)?;
                    ExitCode::from(u8::from(d.changed))
                }
                Err(e) => {
                    eprintln!("Error: {e:#}");
                    ExitCode::from(DIFF_ERROR)
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use host_runtime::{DEFAULT_DEADLINE, DEFAULT_MAX_MEMORY};

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_flag_defaults_are_the_runtime_defaults() {
        let cli = Cli::parse_from(["planton-helm", "policies"]);
        assert_eq!(cli.max_memory, DEFAULT_MAX_MEMORY);
        assert_eq!(cli.timeout, DEFAULT_DEADLINE);
    }
}
