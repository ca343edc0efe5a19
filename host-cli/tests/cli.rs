//! The `planton-helm` binary as a user runs it.

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
    for sub in ["validate", "template", "render", "pull", "diff", "policies"] {
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
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("chart-ok");
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
