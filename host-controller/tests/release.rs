//! Release metadata: the workspace, the controller's chart and the image share one version, and
//! the chart runs the image tagged with that version unless told otherwise.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use test_support::Helm;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn chart_dir() -> PathBuf {
    workspace().join("deploy/chart/planton-helm-controller")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(workspace().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[derive(Deserialize)]
struct Chart {
    version: String,
    #[serde(rename = "appVersion")]
    app_version: String,
}

#[test]
fn the_workspace_the_chart_the_manifests_and_the_changelog_share_one_version() {
    let chart: Chart =
        serde_saphyr::from_str(&read("deploy/chart/planton-helm-controller/Chart.yaml"))
            .expect("Chart.yaml");
    assert_eq!(chart.version, VERSION, "Chart.yaml version");
    assert_eq!(chart.app_version, VERSION, "Chart.yaml appVersion");

    let dockerfile = read("Dockerfile");
    let arg = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("ARG VERSION="))
        .expect("Dockerfile: ARG VERSION=...");
    assert_eq!(arg, VERSION, "Dockerfile's default VERSION");

    let manifest = read("deploy/controller.yaml");
    let images: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("image: "))
        .collect();
    assert_eq!(
        images,
        [format!(
            "ghcr.io/project-planton/planton-helm-controller:{VERSION}"
        )],
        "deploy/controller.yaml runs the image of this version"
    );

    let changelog = read("CHANGELOG.md");
    assert!(
        changelog
            .lines()
            .any(|l| l.starts_with(&format!("## [{VERSION}]"))),
        "CHANGELOG.md has no `## [{VERSION}]` section"
    );
}

#[test]
fn the_chart_runs_the_image_tagged_with_its_app_version() {
    let helm = Helm::new();
    let chart = chart_dir();
    let chart = chart.to_str().expect("utf-8 path");
    let image = |extra: &[&str]| -> String {
        let mut args = vec![
            "template",
            "phc",
            chart,
            "--show-only",
            "templates/deployment.yaml",
        ];
        args.extend_from_slice(extra);
        let out = helm.run(&args);
        let images: Vec<&str> = out
            .lines()
            .filter_map(|l| l.trim().strip_prefix("image: "))
            .collect();
        assert_eq!(images.len(), 1, "one container image in:\n{out}");
        images[0].trim_matches('"').to_string()
    };
    assert_eq!(
        image(&[]),
        format!("ghcr.io/project-planton/planton-helm-controller:{VERSION}")
    );
    assert_eq!(
        image(&[
            "--set",
            "image.repository=registry.internal/phc",
            "--set",
            "image.tag=dev"
        ]),
        "registry.internal/phc:dev"
    );
}
