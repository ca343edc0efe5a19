//! The `planton-helm-controller` binary's command line as an operator meets it: `--help` and
//! `--version` succeed, a usage error is one line that says what to do, and completion scripts
//! are valid for the shells that read them.

use std::process::{Command, Output};

fn controller(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
        .args(args)
        // None of the environment's settings leak into what is checked here.
        .env_remove("PLANTON_HELM_METRICS_ADDR")
        .env_remove("PLANTON_HELM_FETCH_TIMEOUT")
        .env_remove("KUBECONFIG")
        .output()
        .expect("run planton-helm-controller")
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

/// The one line of a usage error, checked for its shape: exit 2, `Error: ...` with the `--help`
/// to run, nothing on stdout.
fn usage_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "not one line:\n{err}");
    assert!(err.starts_with("Error: "), "{err}");
    err.trim_end().to_string()
}

#[test]
fn version_prints_the_version_and_exits_0() {
    let out = controller(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        format!("planton-helm-controller {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_the_subcommands_and_exits_0() {
    let out = controller(&["--help"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let help = text(&out.stdout);
    for sub in ["run", "crd", "completion"] {
        assert!(
            help.contains(&format!("\n  {sub} ")),
            "{sub} missing:\n{help}"
        );
    }
}

#[test]
fn run_help_names_every_flag_and_its_environment_variable() {
    let out = controller(&["run", "--help"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let help = text(&out.stdout);
    // Every flag the chart, deploy/controller.yaml and the docs use, with its variable.
    for flag in [
        "metrics-addr",
        "chart-cache",
        "ca-file",
        "plain-http",
        "fetch-timeout",
        "leader-election-namespace",
        "leader-election-id",
        "lease-duration",
        "no-leader-election",
        "webhook-addr",
        "webhook-cert",
        "webhook-key",
        "policy-configmap",
        "webhook-concurrency",
        "webhook-timeout",
    ] {
        assert!(
            help.contains(&format!("--{flag}")),
            "--{flag} missing:\n{help}"
        );
        let env = format!(
            "[env: PLANTON_HELM_{}=",
            flag.replace('-', "_").to_uppercase()
        );
        assert!(help.contains(&env), "{env} missing:\n{help}");
    }
    assert!(help.contains("PLANTON_HELM_USERNAME"), "{help}");
}

#[test]
fn an_unknown_flag_is_a_one_line_error_with_what_to_do() {
    let err = usage_error(&controller(&["run", "--metrics-adress", "x"]));
    assert_eq!(
        err,
        "Error: unexpected argument '--metrics-adress' found; a similar argument exists: \
         '--metrics-addr'; run 'planton-helm-controller run --help' for the usage"
    );
}

#[test]
fn a_flag_without_its_value_is_a_one_line_error() {
    let err = usage_error(&controller(&["run", "--lease-duration"]));
    assert!(err.contains("'--lease-duration <DURATION>'"), "{err}");
    assert!(
        err.ends_with("run 'planton-helm-controller run --help' for the usage"),
        "{err}"
    );
}

#[test]
fn a_bad_duration_says_how_to_write_one() {
    let err = usage_error(&controller(&["run", "--lease-duration", "15"]));
    assert!(
        err.contains("\"15\" is not a duration: write it as Go does"),
        "{err}"
    );
}

#[test]
fn a_bad_value_from_the_environment_is_reported_like_a_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
        .args(["run"])
        .env("PLANTON_HELM_FETCH_TIMEOUT", "soon")
        .output()
        .expect("run");
    let err = usage_error(&out);
    assert!(err.contains("--fetch-timeout"), "{err}");
    assert!(err.contains("\"soon\" is not a duration"), "{err}");
}

#[test]
fn no_subcommand_lists_them_in_one_line() {
    let err = usage_error(&controller(&[]));
    assert_eq!(
        err,
        "Error: a subcommand is required (one of: run, crd, completion); run \
         'planton-helm-controller --help' for what each does"
    );
}

#[test]
fn an_unknown_subcommand_is_one_line() {
    let err = usage_error(&controller(&["reconcile"]));
    assert!(
        err.starts_with("Error: unrecognized subcommand 'reconcile'"),
        "{err}"
    );
}

#[test]
fn crd_prints_the_crd() {
    let out = controller(&["crd"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), host_controller::crd::crd_yaml());
}

#[path = "support/shells.rs"]
mod shells;

#[test]
fn completion_scripts_parse_in_their_shells() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("controller-completions");
    std::fs::create_dir_all(&dir).expect("dir");
    let checked = shells::check_completions(
        std::path::Path::new(env!("CARGO_BIN_EXE_planton-helm-controller")),
        "planton-helm-controller",
        // Flags by name: fish spells them `-l metrics-addr`, the others `--metrics-addr`.
        &["run", "crd", "metrics-addr", "webhook-addr"],
        &dir,
    );
    // bash is part of every system these tests run on.
    assert!(checked.iter().any(|s| s == "bash"), "{checked:?}");
}
