//! The `planton-helm` binary as a user runs it: output as helm's, usage errors on one line that
//! say what to do (exit 2), `--help`/`--version` exit 0, and completion scripts the shells accept.

use std::path::Path;
use std::process::{Command, Output};

fn planton_helm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planton-helm"))
        .args(args)
        // Keep the compiled-artifact cache of the tests away from the user's.
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run planton-helm")
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

#[test]
fn version() {
    let out = planton_helm(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        format!("planton-helm {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_every_subcommand() {
    let out = planton_helm(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for sub in [
        "validate",
        "template",
        "render",
        "pull",
        "diff",
        "status",
        "policies",
        "completion",
    ] {
        assert!(
            help.contains(&format!("\n  {sub} ")),
            "{sub} missing from:\n{help}"
        );
    }
}

#[test]
fn template_of_a_missing_chart_names_the_path() {
    let out = planton_helm(&["template", "no/such/chart"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "Error: path \"no/such/chart\" not found\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn template_of_a_missing_values_file_fails_like_helm() {
    let chart = env!("CARGO_MANIFEST_DIR");
    let out = planton_helm(&["template", chart, "-f", "no-such-values.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "Error: open no-such-values.yaml: no such file or directory\n"
    );
}

#[test]
fn template_prints_exactly_what_helm_prints() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chart-ok");
    std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: ok\nversion: 0.1.0\n",
    )
    .expect("write");
    std::fs::write(dir.join("values.yaml"), "answer: 42\n").expect("write");
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  answer: {{ .Values.answer | quote }}\n",
    )
    .expect("write");
    let out = planton_helm(&["template", dir.to_str().expect("UTF-8 path")]);
    assert_eq!(text(&out.stderr), "");
    assert!(out.status.success());
    // Helm v4.3.1 `helm template` of this chart, byte for byte (no newline added at the end).
    assert_eq!(
        text(&out.stdout),
        "---\n# Source: ok/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-name\ndata:\n  answer: \"42\"\n"
    );
}

/// Runs the oracle helm.
fn helm(args: &[&str]) -> Output {
    let helm = test_support::helm::oracle().unwrap_or_else(|e| panic!("{e}"));
    Command::new(helm)
        .args(args)
        .env("HELM_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run helm")
}

#[test]
fn helm_log_lines_go_to_stderr_as_helm_prints_them() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chart-logs");
    let files: &[(&str, &str)] = &[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: addons\nversion: 0.3.0\ndependencies:\n- name: metrics\n  \
             version: 1.0.0\n  import-values:\n  - defaults\n  - child: service.port\n    \
             parent: metricsPort\n  - child: \"not there\"\n    parent: other\n",
        ),
        (
            "templates/crd-hook.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-legacy\n  \
             annotations:\n    \"helm.sh/hook\": crd-install\n",
        ),
        (
            "templates/typo-hook.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-typo\n  \
             annotations:\n    \"helm.sh/hook\": \"pre-install, post-instal\"\n",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  \
             values: {{ toJson .Values | quote }}\n",
        ),
        (
            "charts/metrics/Chart.yaml",
            "apiVersion: v2\nname: metrics\nversion: 1.0.0\n",
        ),
        ("charts/metrics/values.yaml", "service:\n  port: 9100\n"),
    ];
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let chart = dir.to_str().expect("UTF-8 path");
    for name in ["logs", "Bad_Name"] {
        let args = ["template", name, chart, "-n", "ns"];
        let (ours, theirs) = (planton_helm(&args), helm(&args));
        assert!(!text(&theirs.stderr).is_empty(), "helm logged nothing");
        assert_eq!(text(&ours.stderr), text(&theirs.stderr), "{name}");
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{name}");
        assert_eq!(ours.status.code(), theirs.status.code(), "{name}");
    }
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
    let checked = test_support::shell::check_completions(
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
    println!("completion scripts parsed by: {checked:?}");
    assert!(checked.iter().any(|s| s == "bash"), "{checked:?}");
}

#[test]
fn template_with_a_seed_is_reproducible_keys_and_certificates_included() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("chart-seed");
    std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: certs\nversion: 0.1.0\n",
    )
    .expect("write");
    // A webhook's CA and serving certificate, a signing key of each type, and plain randomness.
    std::fs::write(
        dir.join("templates/secret.yaml"),
        concat!(
            "{{- $ca := genCA \"webhook-ca\" 365 }}\n",
            "{{- $cert := genSignedCert \"webhook\" nil (list \"webhook.default.svc\") 365 $ca }}\n",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n",
            "  ca.crt: {{ $ca.Cert | b64enc }}\n",
            "  tls.crt: {{ $cert.Cert | b64enc }}\n",
            "  tls.key: {{ $cert.Key | b64enc }}\n",
            "  rsa.key: {{ genPrivateKey \"rsa\" | b64enc }}\n",
            "  ecdsa.key: {{ genPrivateKey \"ecdsa\" | b64enc }}\n",
            "  ed25519.key: {{ genPrivateKey \"ed25519\" | b64enc }}\n",
            "  token: {{ randAlphaNum 32 | b64enc }}\n",
        ),
    )
    .expect("write");
    let chart = dir.to_str().expect("UTF-8 path");
    const NOW: &str = "2026-05-01T12:00:00Z";
    let render = |seed: &str| {
        // Certificates are valid from `now`, so reproducing them takes a fixed time too.
        let out = planton_helm(&["template", chart, "--seed", seed, "--now", NOW]);
        assert_eq!(text(&out.stderr), "");
        assert!(out.status.success());
        String::from_utf8(out.stdout).expect("UTF-8 output")
    };
    let first = render("7");
    assert_eq!(render("7"), first, "the same seed, the same output");
    let other = render("8");
    let data = |text: &str| -> Vec<String> {
        text.lines()
            .skip_while(|l| *l != "data:")
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (data(&first), data(&other));
    assert_eq!(a.len(), 7, "{first}");
    for (a, b) in a.iter().zip(&b) {
        assert_ne!(a, b, "another seed changes every key and certificate");
    }
}
