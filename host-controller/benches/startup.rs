//! The container image's size, and the controller's start time against the real API server
//! (testenv), with the image's baked precompiled core and without it (the component compiled at
//! start, as in a fresh pod whose cache is an empty `emptyDir`). Two moments are timed from the
//! process's start: `/readyz` answering 200, and the first reconcile written back to the API
//! server (a HelmRelease whose values hold a template string, given a new generation before each
//! start, is validated by the core and its status' `observedGeneration` catches up). The two
//! variants run alternately in one process, each with a fresh empty cache directory, and are
//! reported as medians and their ratio.
//!
//! It runs an image's own files: `scripts/build-image.sh --layout target/image/controller/release/oci`
//! (or any push) leaves the root filesystem and the OCI layout in
//! `target/image/controller/<profile>/{rootfs,oci}`. Then, as this harness only spawns that binary
//! and needs no optimisation itself:
//! `cargo bench --workspace --bench startup --profile dev [-- RUNS]` (default 15 of each).
//! `PLANTON_IMAGE_PROFILE=dev` measures the test suite's image (`--profile dev`) instead of the
//! release one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use host_controller::HelmRelease;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, CustomResourceExt};
use serde_json::Value;
use test_support::readyz;
use testenv::ControlPlane;

const NAME: &str = "planton-helm-controller";

/// Give up on one start after this long.
const LIMIT: Duration = Duration::from_secs(60);

fn image_dir() -> PathBuf {
    std::env::var_os("PLANTON_IMAGE_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/image"))
        .join("controller")
        .join(std::env::var("PLANTON_IMAGE_PROFILE").unwrap_or_else(|_| "release".to_string()))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The HelmRelease each start reconciles.
const PROBE: &str = "startup-probe";

/// What one start took.
struct Start {
    /// To `/readyz` 200.
    ready: Duration,
    /// To the probe release's status describing its new generation.
    reconciled: Duration,
}

/// One start of the controller: gives the probe release a new generation, spawns the
/// controller, waits for `/readyz` 200 and the probe's reconcile, then stops it.
fn start(
    rt: &tokio::runtime::Runtime,
    releases: &Api<HelmRelease>,
    binary: &Path,
    kubeconfig: &Path,
    precompiled: Option<&Path>,
    scratch: &Path,
) -> Start {
    let nonce = free_port();
    let patch =
        serde_json::json!({"spec": {"values": {"probe": format!("{{{{ .Values.run{nonce} }}}}")}}});
    let generation = rt
        .block_on(releases.patch(PROBE, &PatchParams::default(), &Patch::Merge(&patch)))
        .expect("patch the probe release")
        .metadata
        .generation;
    let cache = scratch.join(format!("cache-{nonce}"));
    std::fs::create_dir_all(&cache).expect("cache dir");
    let port = free_port();
    let mut command = Command::new(binary);
    command
        .args(["run", "--no-leader-election", "--metrics-addr"])
        .arg(format!("127.0.0.1:{port}"))
        .env_clear()
        .env("KUBECONFIG", kubeconfig)
        .env("XDG_CACHE_HOME", &cache)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(dir) = precompiled {
        command.env(host_runtime::PRECOMPILED_DIR_ENV, dir);
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("start the controller");
    let (mut is_ready, mut reconciled) = (None, None);
    while is_ready.is_none() || reconciled.is_none() {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("the controller exited: {status}");
        }
        assert!(started.elapsed() < LIMIT, "not ready within {LIMIT:?}");
        if is_ready.is_none() && readyz(port) {
            is_ready = Some(started.elapsed());
        }
        if reconciled.is_none() {
            let hr = rt
                .block_on(releases.get_status(PROBE))
                .expect("get the probe");
            if hr.status.and_then(|s| s.observed_generation) == generation {
                reconciled = Some(started.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&cache);
    Start {
        ready: is_ready.expect("ready"),
        reconciled: reconciled.expect("reconciled"),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The image's sizes: the compressed layer from the OCI layout, and the files that make it up.
fn sizes(dir: &Path) {
    let layout = dir.join("oci");
    let blob = |digest: &str| {
        layout
            .join("blobs/sha256")
            .join(digest.strip_prefix("sha256:").expect("sha256 digest"))
    };
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index.json"))
            .expect("index JSON");
    let manifest_digest = index["manifests"][0]["digest"].as_str().expect("manifest");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(blob(manifest_digest)).expect("manifest"))
            .expect("manifest JSON");
    let compressed: u64 = manifest["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["size"].as_u64().expect("size"))
        .sum();
    let file_size = |path: &Path| std::fs::metadata(path).expect("stat").len();
    let rootfs = dir.join("rootfs");
    let binary = file_size(&rootfs.join("usr/bin").join(NAME));
    let artifact = file_size(
        &rootfs
            .join("usr/lib/planton-helm")
            .join(host_runtime::precompiled_file_name()),
    );
    let certs = file_size(&rootfs.join("etc/ssl/certs/ca-certificates.crt"));
    println!("| image part | size |");
    println!("| --- | ---: |");
    println!(
        "| the layer, compressed (what a node pulls) | {} |",
        mib(compressed)
    );
    println!("| `/usr/bin/{NAME}` (static) | {} |", mib(binary));
    println!("| the precompiled core (`.cwasm`) | {} |", mib(artifact));
    println!("| CA bundle | {} |", mib(certs));
    println!(
        "| binary + core + certificates, uncompressed | {} |",
        mib(binary + artifact + certs)
    );
    println!();
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(|a| a.parse().expect("RUNS is a number"))
        .unwrap_or(15);
    let dir = image_dir();
    let binary = dir.join("rootfs/usr/bin").join(NAME);
    assert!(
        binary.is_file(),
        "{} not found: run scripts/build-image.sh [--profile dev] --layout {} first",
        binary.display(),
        dir.join("oci").display()
    );
    let baked = dir.join("rootfs/usr/lib/planton-helm");
    sizes(&dir);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let cp = runtime
        .block_on(ControlPlane::start())
        .expect("control plane starts");
    let crds: Api<CustomResourceDefinition> = Api::all(cp.client());
    runtime
        .block_on(crds.create(&PostParams::default(), &HelmRelease::crd()))
        .expect("CRD created");
    let releases: Api<HelmRelease> = Api::namespaced(cp.client(), "default");
    let probe: HelmRelease = serde_json::from_value(serde_json::json!({
        "apiVersion": "kubernetes.project-planton.org/v1",
        "kind": "HelmRelease",
        "metadata": {"name": PROBE},
        "spec": {"repo": "oci://registry.invalid/charts", "name": "probe", "version": "1.0.0"},
    }))
    .expect("a HelmRelease");
    // The CRD takes a moment to be served.
    let deadline = Instant::now() + LIMIT;
    while let Err(e) = runtime.block_on(releases.create(&PostParams::default(), &probe)) {
        assert!(Instant::now() < deadline, "creating the probe release: {e}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let scratch = cp.dir().join("startup");
    let one = |precompiled: Option<&Path>| {
        start(
            &runtime,
            &releases,
            &binary,
            cp.kubeconfig_path(),
            precompiled,
            &scratch,
        )
    };

    // One start of each first, unmeasured: page cache and the API server's first answers.
    one(Some(&baked));
    one(None);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..runs {
        with.push(one(Some(&baked)));
        without.push(one(None));
        eprintln!(
            "bench: run {}/{runs}: baked {} / {}, compiled {} / {}",
            i + 1,
            ms(with[i].ready),
            ms(with[i].reconciled),
            ms(without[i].ready),
            ms(without[i].reconciled)
        );
    }
    println!("| controller start ({runs} runs each) | median | min | max |");
    println!("| --- | ---: | ---: | ---: |");
    let row = |what: &str, samples: Vec<Duration>| -> Duration {
        let (lo, hi) = (samples.iter().min().copied(), samples.iter().max().copied());
        let m = median(samples);
        println!(
            "| {what} | {} | {} | {} |",
            ms(m),
            ms(lo.expect("runs")),
            ms(hi.expect("runs"))
        );
        m
    };
    let ready_with = row(
        "to `/readyz` 200, baked core (the image)",
        with.iter().map(|s| s.ready).collect(),
    );
    let ready_without = row(
        "to `/readyz` 200, compiled at start (empty cache)",
        without.iter().map(|s| s.ready).collect(),
    );
    let rec_with = row(
        "to the first reconcile written, baked core",
        with.iter().map(|s| s.reconciled).collect(),
    );
    let rec_without = row(
        "to the first reconcile written, compiled at start",
        without.iter().map(|s| s.reconciled).collect(),
    );
    println!(
        "\ncompiled / baked: {:.2}x to ready, {:.2}x to the first reconcile",
        ready_without.as_secs_f64() / ready_with.as_secs_f64(),
        rec_without.as_secs_f64() / rec_with.as_secs_f64()
    );
}
