//! Validation throughput (`cargo bench -p host-cli --bench validate`): validations per second
//! natively (the core as a Rust library), in-process through the sandboxed component (a fresh
//! store per call, as the controller and the webhook make them), and per CLI call (a process
//! per file, as CI runs it). Prints a markdown table.
//!
//! `PLANTON_BENCH_RUNS` sets the number of timed calls per row (default 200; CLI rows a tenth).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use host_runtime::{Config, OfflineHost, Runtime, SourceFile, ValidateRequest};

/// A typical release: pinned chart, a values tree of a few dozen keys, one finding (a warning).
const RELEASE: &str = r#"apiVersion: kubernetes.project-planton.org/v1
kind: HelmRelease
metadata:
  name: shop-frontend
  namespace: shop
spec:
  repo: oci://registry.example.com/charts
  name: frontend
  version: 4.12.0
  atomic: true
  timeout: 10m
  values:
    replicaCount: 3
    image:
      repository: registry.example.com/shop/frontend
      tag: 4.12.0
    sidecar:
      image: {repository: registry.example.com/proxy, tag: latest}
    resources:
      requests: {cpu: 250m, memory: 256Mi}
      limits: {cpu: "1", memory: 512Mi}
    ingress:
      enabled: true
      className: nginx
      annotations:
        cert-manager.io/cluster-issuer: letsencrypt
        nginx.ingress.kubernetes.io/proxy-body-size: 8m
      hosts:
        - host: shop.example.com
          paths: [{path: /, pathType: Prefix}]
      tls: [{secretName: shop-tls, hosts: [shop.example.com]}]
    env:
      - {name: API_URL, value: "https://api.example.com"}
      - {name: LOG_LEVEL, value: info}
    autoscaling: {enabled: true, minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 70}
    podDisruptionBudget: {minAvailable: 2}
    existingSecret: shop-frontend-env
"#;

fn runs() -> usize {
    std::env::var("PLANTON_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// `n` documents in one file.
fn file_of(n: usize) -> String {
    vec![RELEASE; n].join("---\n")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(n: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..n.min(10) {
        f();
    }
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn row(what: &str, docs: usize, d: Duration) {
    let per_sec = docs as f64 / d.as_secs_f64();
    println!(
        "| {what} | {docs} | {:.3} ms | {:.0} |",
        d.as_secs_f64() * 1e3,
        per_sec
    );
}

fn main() {
    let n = runs();
    println!("| how | documents per call | median per call | documents per second |");
    println!("| --- | --- | --- | --- |");

    for docs in [1, 100] {
        let req = core_wasm::validate::Request {
            documents: vec![core_wasm::validate::Input {
                path: "bench.yaml".into(),
                data: file_of(docs).into_bytes(),
            }],
            ..Default::default()
        };
        let d = time(n, || {
            let diags = core_wasm::validate::validate(&req).expect("validates");
            assert_eq!(diags.len(), docs);
        });
        row("native (core-wasm as a Rust library)", docs, d);
    }

    let runtime = Runtime::new(Config::default()).expect("runtime");
    for docs in [1, 100] {
        let req = ValidateRequest {
            documents: vec![SourceFile {
                path: "bench.yaml".into(),
                data: file_of(docs).into_bytes(),
            }],
            policies: Vec::new(),
            disabled: Vec::new(),
        };
        let d = time(n, || {
            let diags = runtime
                .validate(&req, OfflineHost::default())
                .expect("validates");
            assert_eq!(diags.len(), docs);
        });
        row("in-process, sandboxed (`Runtime::validate`)", docs, d);
    }

    let exe = PathBuf::from(env!("CARGO_BIN_EXE_planton-helm"));
    {
        {
            let dir =
                std::env::temp_dir().join(format!("planton-helm-vbench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            for docs in [1, 100] {
                let file = dir.join(format!("r{docs}.yaml"));
                std::fs::write(&file, file_of(docs)).expect("write");
                let d = time((n / 10).max(5), || {
                    let out = Command::new(&exe)
                        .arg("validate")
                        .arg(&file)
                        .env("XDG_CACHE_HOME", &dir)
                        .output()
                        .expect("run planton-helm");
                    assert_eq!(out.status.code(), Some(0));
                });
                row(
                    "per CLI call (`planton-helm validate FILE`, cached artifact)",
                    docs,
                    d,
                );
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
