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
        "fetch-timeout",
        "no-cross-namespace-refs",
        "default-service-account",
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
        "watch-label-selector",
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

/// `--plain-http` was a controller flag until plain HTTP became per release: it is a usage error
/// that says what replaced it.
#[test]
fn the_removed_plain_http_flag_says_what_replaced_it() {
    for flag in ["--plain-http", "--plain-http=true"] {
        let out = controller(&["run", flag]);
        let err = usage_error(&out);
        assert!(
            err.starts_with("Error: --plain-http is no longer a controller flag")
                && err.contains("spec.plainHttp: true"),
            "{err}"
        );
    }
}

/// Controller-wide credentials are gone: a Deployment that still sets them does not start, and
/// the error names the variables and what replaces them, never their values.
#[test]
fn controller_wide_credentials_are_refused_without_showing_them() {
    let out = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
        .args(["run", "--no-leader-election"])
        .env("PLANTON_HELM_USERNAME", "ci-bot-name")
        .env("PLANTON_HELM_PASSWORD", "Sup3r-s3cret-value")
        .env("KUBECONFIG", "/no/such/kubeconfig")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr).to_string() + text(&out.stdout);
    assert_eq!(err.lines().count(), 1, "not one line:\n{err}");
    assert!(
        err.contains("$PLANTON_HELM_USERNAME and $PLANTON_HELM_PASSWORD are set")
            && err.contains("spec.credentialsRef"),
        "{err}"
    );
    assert!(
        !err.contains("Sup3r-s3cret-value") && !err.contains("ci-bot-name"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
        .args(["run", "--no-leader-election"])
        .env("PLANTON_HELM_PLAIN_HTTP", "true")
        .env("KUBECONFIG", "/no/such/kubeconfig")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(
        err.contains("$PLANTON_HELM_PLAIN_HTTP is set") && err.contains("spec.plainHttp: true"),
        "{err}"
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
        err.contains(
            "\"15\" is not a duration (time: missing unit in duration \"15\"): write it as Go \
             does"
        ),
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

#[test]
fn completion_scripts_parse_in_their_shells() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("controller-completions");
    std::fs::create_dir_all(&dir).expect("dir");
    let checked = test_support::shell::check_completions(
        std::path::Path::new(env!("CARGO_BIN_EXE_planton-helm-controller")),
        "planton-helm-controller",
        // Flags by name: fish spells them `-l metrics-addr`, the others `--metrics-addr`.
        &["run", "crd", "metrics-addr", "webhook-addr"],
        &dir,
    );
    println!("completion scripts parsed by: {checked:?}");
    // bash is part of every system these tests run on.
    assert!(checked.iter().any(|s| s == "bash"), "{checked:?}");
}

#[test]
fn a_bad_webhook_value_is_a_usage_error() {
    let err = usage_error(&controller(&["run", "--webhook-timeout", "soon"]));
    assert!(err.contains("write a Go duration above zero"), "{err}");
    let err = usage_error(&controller(&["run", "--policy-configmap", "policies"]));
    assert!(err.contains("write NAMESPACE/NAME"), "{err}");
}

#[test]
fn a_failure_at_start_is_one_line_and_exits_1() {
    let home = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("controller-home");
    std::fs::create_dir_all(&home).expect("home");
    let out = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
        .args([
            "run",
            "--no-leader-election",
            "--metrics-addr",
            "127.0.0.1:0",
        ])
        .env("KUBECONFIG", "/no/such/kubeconfig")
        .env("HOME", &home)
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT")
        .env("XDG_CACHE_HOME", &home)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "not one line:\n{err}");
    assert!(
        err.starts_with("Error: connecting to the cluster (KUBECONFIG or in-cluster config): "),
        "{err}"
    );
}

/// The `--flag`s of `planton-helm-controller run`, each with its environment variable.
fn run_flags() -> std::collections::BTreeMap<String, String> {
    let out = controller(&["run", "--help"]);
    let help = text(&out.stdout).to_string();
    let mut flags = std::collections::BTreeMap::new();
    let mut flag = None;
    for line in help.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("--") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect();
            flag = (name != "help").then_some(name);
        }
        if let (Some(f), Some(env)) = (&flag, line.split_once("[env: ")) {
            let var = env.1.split('=').next().expect("NAME=").to_string();
            flags.insert(f.clone(), var);
        }
    }
    flags
}

/// The `--flag` words of `text`.
fn flags_in(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter_map(|w| w.strip_prefix("--"))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
        .map(str::to_string)
        .collect()
}

fn repo_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_chart_the_manifest_and_the_docs_use_the_flags_and_variables_of_run() {
    let flags = run_flags();
    assert!(flags.len() >= 15, "{flags:?}");

    // The chart's container args, as helm renders them (the webhook's flags included).
    let helm = test_support::helm::oracle().unwrap_or_else(|e| panic!("{e}"));
    let chart = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/chart/planton-helm-controller");
    let out = Command::new(helm)
        .args(["template", "phc", chart.to_str().expect("UTF-8")])
        .args(["--set", "webhook.concurrency=4"])
        .args(["--set-string", "watchLabelSelector=shard=one"])
        .args(["--show-only", "templates/deployment.yaml"])
        .output()
        .expect("run the oracle helm");
    assert!(out.status.success(), "{out:?}");
    let deployment = text(&out.stdout);
    let args = &deployment[deployment.find("args:").expect("args")..];
    let args = &args[..args.find("env:").expect("env after args")];
    let in_chart = flags_in(args);
    assert!(in_chart.contains("webhook-concurrency"), "{in_chart:?}");
    assert!(in_chart.contains("watch-label-selector"), "{in_chart:?}");
    for flag in &in_chart {
        assert!(
            flags.contains_key(flag),
            "the chart passes --{flag}, which run lacks"
        );
    }
    let manifest = repo_file("deploy/controller.yaml");
    let manifest_args: String = manifest
        .lines()
        .filter(|l| l.trim_start().starts_with("args:"))
        .collect();
    assert!(manifest_args.contains("--metrics-addr"), "{manifest_args}");
    for flag in flags_in(&manifest_args) {
        assert!(
            flags.contains_key(&flag),
            "deploy/controller.yaml passes --{flag}"
        );
    }

    // The docs' flag tables: `| --flag ARG | $VARIABLE | meaning |`, flags and variables in
    // the same order.
    let docs = repo_file("docs/controller.md") + &repo_file("docs/webhook.md");
    let mut documented = std::collections::BTreeSet::new();
    for row in docs.lines().filter(|l| l.starts_with("| `--")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let row_flags: Vec<String> = cells[0]
            .split('`')
            .filter_map(|c| c.strip_prefix("--"))
            .map(|c| c.split(' ').next().expect("a name").to_string())
            .collect();
        let vars: Vec<&str> = cells[1]
            .split('`')
            .filter_map(|c| c.strip_prefix('$'))
            .collect();
        assert_eq!(row_flags.len(), vars.len(), "{row}");
        for (flag, var) in row_flags.iter().zip(vars) {
            assert_eq!(flags.get(flag).map(String::as_str), Some(var), "{row}");
            documented.insert(flag.clone());
        }
    }
    // --metrics-addr is documented in the prose of docs/controller.md ("Metrics").
    documented.insert("metrics-addr".into());
    assert_eq!(
        documented,
        flags.keys().cloned().collect(),
        "run's flags and the docs' tables differ"
    );
    assert!(docs.contains("`--metrics-addr` (`$PLANTON_HELM_METRICS_ADDR`"));
}
