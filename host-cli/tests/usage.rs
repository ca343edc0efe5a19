//! `planton-helm`'s command line as a user meets it: usage errors on one line that say what to
//! do (exit 2), `--help`/`--version` exit 0, and completion scripts the shells accept.

use std::path::Path;
use std::process::{Command, Output};

#[path = "../../host-controller/tests/support/shells.rs"]
mod shells;

fn planton_helm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planton-helm"))
        .args(args)
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run planton-helm")
}

fn usage_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let err = String::from_utf8(out.stderr.clone()).expect("UTF-8");
    assert_eq!(err.lines().count(), 1, "not one line:\n{err}");
    err.trim_end().to_string()
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["diff", "--help"],
        &["help"],
    ] {
        let out = planton_helm(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn an_unknown_flag_is_one_line_with_the_help_to_run() {
    let err = usage_error(&planton_helm(&["render", "--ofline", "x.yaml"]));
    assert_eq!(
        err,
        "Error: unexpected argument '--ofline' found; a similar argument exists: '--offline'; \
         run 'planton-helm render --help' for the usage"
    );
}

#[test]
fn a_bad_value_is_one_line() {
    let err = usage_error(&planton_helm(&["--timeout", "soon", "policies"]));
    assert!(
        err.starts_with("Error: invalid value 'soon' for '--timeout <DURATION>'"),
        "{err}"
    );
    assert!(err.ends_with("for the usage"), "{err}");
}

#[test]
fn no_subcommand_lists_them() {
    let err = usage_error(&planton_helm(&[]));
    assert!(
        err.starts_with("Error: a subcommand is required (one of: validate, template,"),
        "{err}"
    );
}

#[test]
fn completion_scripts_parse_in_their_shells() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-completions");
    std::fs::create_dir_all(&dir).expect("dir");
    let checked = shells::check_completions(
        Path::new(env!("CARGO_BIN_EXE_planton-helm")),
        "planton-helm",
        &[
            "validate",
            "template",
            "render",
            "diff",
            "status",
            // A flag of a subcommand (fish spells it `-l kubeconfig`, the others `--kubeconfig`).
            "kubeconfig",
        ],
        &dir,
    );
    assert!(checked.iter().any(|s| s == "bash"), "{checked:?}");
}
