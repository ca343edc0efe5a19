//! Release metadata: the workspace, the controller's chart and the image share one version, and
//! the chart runs the image tagged with that version unless told otherwise; the binaries need no
//! OpenSSL at run time.

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

/// `.cargo/config.toml` links OpenSSL's libcrypto statically (loading the shared libssl and
/// libcrypto cost every process start ~2.6 ms, and a machine without them could not run the
/// binaries): the controller built for this test, which shares the CLI's `keygen`, names neither
/// as a shared library it needs, yet calls OpenSSL's big-number code.
#[test]
fn the_binaries_need_no_shared_openssl() {
    use object::read::elf::{ElfFile64, FileHeader as _};
    use object::{Object as _, ObjectSymbol as _, elf};

    let binary = std::fs::read(env!("CARGO_BIN_EXE_planton-helm-controller")).expect("the binary");
    let file = ElfFile64::<object::Endianness>::parse(binary.as_slice()).expect("an ELF64 file");
    let endian = file.elf_header().endian().expect("endianness");
    let dynamic = file
        .elf_section_table()
        .dynamic_table(endian, binary.as_slice())
        .expect("the dynamic table");
    let needed: Vec<String> = dynamic
        .iter()
        .filter(|d| d.tag == elf::DT_NEEDED)
        .map(|d| String::from_utf8_lossy(dynamic.string(d).expect("a library name")).into_owned())
        .collect();
    assert!(
        !needed.is_empty(),
        "a dynamically linked test build needs libc"
    );
    assert!(
        !needed
            .iter()
            .any(|lib| lib.starts_with("libssl") || lib.starts_with("libcrypto")),
        "the controller needs a shared OpenSSL: {needed:?}"
    );
    assert!(
        file.symbols()
            .chain(file.dynamic_symbols())
            .any(|s| s.is_definition() && s.name().is_ok_and(|n| n == "BN_mod_exp_mont_consttime")),
        "OpenSSL's BN_mod_exp_mont_consttime is not linked into the controller"
    );
}
