//! The README's main job: the example chart renders exactly as the oracle `helm template` prints
//! it. Runs helm at test time; fails (with how to install it) when helm is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use core_wasm::funcs::FixedHost;
use core_wasm::render::{
    Capabilities, ChartSource, ReleaseInfo, RenderOptions, RenderRequest, SourceFile, render,
};
use planton_tests::differential::oracle;

fn chart_files(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    for entry in std::fs::read_dir(dir).expect("chart directory") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            chart_files(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).expect("inside root");
            out.push(SourceFile {
                path: rel.to_string_lossy().replace('\\', "/"),
                data: std::fs::read(&path).expect("read chart file"),
            });
        }
    }
}

#[test]
fn example_chart_renders_like_helm() {
    let chart: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/charts/hello");
    let helm = oracle::locate().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(helm)
        .args(["template", "demo"])
        .arg(&chart)
        .output()
        .expect("run helm");
    assert!(
        out.status.success(),
        "helm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = String::from_utf8(out.stdout).expect("utf-8");

    let mut files = Vec::new();
    chart_files(&chart, &chart, &mut files);
    let req = RenderRequest {
        chart: ChartSource::Files(files),
        values: vec![],
        release: ReleaseInfo {
            name: "demo".into(),
            namespace: "default".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        },
        capabilities: Capabilities::default(),
        options: RenderOptions::default(),
    };
    let ours = render(&req, &mut FixedHost::default()).expect("our render");
    assert_eq!(ours.text, expected);
    assert!(
        ours.notes
            .as_deref()
            .is_some_and(|n| n.contains("demo-hello is listening on port 8080"))
    );
    assert_eq!(ours.manifests.len(), 3);
}

/// The synthetic chart the throughput benchmarks render is rendered correctly: a benchmark of
/// wrong output would measure nothing.
#[test]
fn benchmark_chart_renders_like_helm() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("synth-chart");
    let _ = std::fs::remove_dir_all(&dir);
    let files = core_wasm::bench_support::synthetic_chart(4);
    for f in &files {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &f.data).expect("write chart file");
    }
    let helm = oracle::locate().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(helm)
        .args(["template", "bench", "--namespace", "perf"])
        .arg(&dir)
        .output()
        .expect("run helm");
    assert!(
        out.status.success(),
        "helm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let req = RenderRequest {
        chart: ChartSource::Files(files),
        values: vec![],
        release: ReleaseInfo {
            name: "bench".into(),
            namespace: "perf".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        },
        capabilities: Capabilities::default(),
        options: RenderOptions::default(),
    };
    let ours = render(&req, &mut FixedHost::default()).expect("our render");
    assert_eq!(ours.text, String::from_utf8(out.stdout).expect("utf-8"));
}
