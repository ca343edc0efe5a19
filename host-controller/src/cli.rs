//! What both binaries (`planton-helm`, `planton-helm-controller`) share on the command line:
//! usage errors on one line that say what to do, and shell completion scripts.

use std::io::Write;

use clap::Parser;
use clap::error::ErrorKind;

/// Exit status of a usage error (a bad flag, a missing argument), as clap and Go's `flag` use.
pub const USAGE_ERROR: i32 = 2;

/// Parses the process's arguments into `C`. `--help` and `--version` print to stdout and exit
/// 0; a usage error prints one line to stderr (`Error: ...; run '... --help' ...`) and exits
/// [`USAGE_ERROR`].
pub fn parse<C: Parser>() -> C {
    match C::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = match e.kind() {
                // To stdout, exit 0 (colored only on a terminal).
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => e.exit(),
                _ => {
                    let args: Vec<String> = std::env::args().collect();
                    eprintln!("Error: {}", one_line(&e, &C::command(), &args));
                    USAGE_ERROR
                }
            };
            std::process::exit(code)
        }
    }
}

/// A usage error as one line: clap's message, its tips, and the `--help` to run (of the
/// subcommand in `args`, the process's arguments, when clap's message shows no usage line).
pub fn one_line(e: &clap::Error, command: &clap::Command, args: &[String]) -> String {
    let bin = command.get_name();
    if matches!(
        e.kind(),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let subcommands: Vec<&str> = command
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| s.get_name())
            .collect();
        return format!(
            "a subcommand is required (one of: {}); run '{bin} --help' for what each does",
            subcommands.join(", ")
        );
    }
    let text = e.render().to_string();
    let mut message = String::new();
    let mut tips = Vec::new();
    let mut help_for = subcommand_path(command, args);
    for line in text.lines() {
        let line = line.trim();
        if let Some(first) = line.strip_prefix("error: ")
            && message.is_empty()
        {
            message = first.to_string();
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(tip.to_string());
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            // `planton-helm-controller run [OPTIONS]`: the command path is the leading words
            // that are names, not placeholders.
            help_for = usage
                .split_whitespace()
                .take_while(|w| {
                    w.chars().any(|c| c.is_ascii_lowercase())
                        && !w.starts_with('-')
                        && !w.contains(['[', '<'])
                })
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    if message.is_empty() {
        message = text.lines().next().unwrap_or_default().trim().to_string();
    }
    let mut out = message;
    for tip in tips {
        out.push_str("; ");
        out.push_str(&tip);
    }
    out.push_str(&format!("; run '{help_for} --help' for the usage"));
    out
}

/// `BIN SUB...`: the subcommands named in `args` (after the program's name), up to `--`.
fn subcommand_path(command: &clap::Command, args: &[String]) -> String {
    let mut path = vec![command.get_name().to_string()];
    let mut current = command;
    for arg in args.iter().skip(1).take_while(|a| *a != "--") {
        if let Some(sub) = current.find_subcommand(arg) {
            path.push(sub.get_name().to_string());
            current = sub;
        }
    }
    path.join(" ")
}

/// Writes the completion script of `command` for `shell` to `out`.
pub fn completion(command: &mut clap::Command, shell: clap_complete::Shell, out: &mut dyn Write) {
    let name = command.get_name().to_string();
    clap_complete::generate(shell, command, name, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[derive(Debug, Parser)]
    #[command(name = "demo", version)]
    #[allow(dead_code)] // parsed only for its errors
    struct Demo {
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(Debug, clap::Subcommand)]
    #[allow(dead_code)]
    enum Sub {
        /// Does it
        Run {
            #[arg(long)]
            metrics_addr: Option<String>,
        },
        Crd,
    }

    fn error(args: &[&str]) -> String {
        let e = Demo::try_parse_from(args).expect_err("a usage error");
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        one_line(&e, &Demo::command(), &args)
    }

    #[test]
    fn an_unknown_flag_is_one_line_with_the_help_to_run() {
        let line = error(&["demo", "run", "--metrics-adr", "x"]);
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.starts_with("unexpected argument '--metrics-adr' found"),
            "{line}"
        );
        assert!(
            line.contains("similar argument exists: '--metrics-addr'"),
            "{line}"
        );
        assert!(
            line.ends_with("run 'demo run --help' for the usage"),
            "{line}"
        );
    }

    #[test]
    fn a_missing_subcommand_lists_them() {
        assert_eq!(
            error(&["demo"]),
            "a subcommand is required (one of: run, crd); run 'demo --help' for what each \
             does"
        );
    }

    #[test]
    fn a_missing_value_is_one_line() {
        let line = error(&["demo", "run", "--metrics-addr"]);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("'--metrics-addr <METRICS_ADDR>'"), "{line}");
    }
}
