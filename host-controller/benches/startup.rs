//! The container image's size, and the controller's start time: process start to `/readyz`
//! answering 200, against the real API server (testenv), with the image's baked precompiled core
//! and without it (the component compiled at start, as in a fresh pod whose cache is an empty
//! `emptyDir`). The two are run alternately in one process, each with a fresh empty cache
//! directory, and reported as medians and their ratio.
//!
//! It runs the image's own files: `scripts/build-image.sh --layout DIR` (or any build-image.sh
//! run) leaves the root filesystem in `target/image/controller/rootfs` and the OCI layout in
//! `target/image/controller/oci`. Then:
//! `cargo bench -p host-controller --bench startup [-- RUNS]` (default 15 of each).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use host_controller::HelmRelease;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::PostParams;
use kube::{Api, CustomResourceExt};
use serde_json::Value;
use testenv::ControlPlane;

const NAME: &str = "planton-helm-controller";

/// Give up on one start after this long.
const LIMIT: Duration = Duration::from_secs(60);

fn image_dir() -> PathBuf {
    std::env::var_os("PLANTON_IMAGE_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/image"))
        .join("controller")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Whether `GET /readyz` on `port` answers 200 (a refused connection is "not yet").
fn ready(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

/// One start of the controller: spawn to `/readyz` 200, then stop it.
fn start(binary: &Path, kubeconfig: &Path, precompiled: Option<&Path>, scratch: &Path) -> Duration {
    let cache = scratch.join(format!("cache-{}", free_port()));
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
    while !ready(port) {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("the controller exited before it was ready: {status}");
        }
        assert!(started.elapsed() < LIMIT, "not ready within {LIMIT:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&cache);
    elapsed
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
        "{} not found: run scripts/build-image.sh --layout {} first",
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
    let scratch = cp.dir().join("startup");

    // One start of each first, unmeasured: page cache and the API server's first answers.
    start(&binary, cp.kubeconfig_path(), Some(&baked), &scratch);
    start(&binary, cp.kubeconfig_path(), None, &scratch);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..runs {
        with.push(start(&binary, cp.kubeconfig_path(), Some(&baked), &scratch));
        without.push(start(&binary, cp.kubeconfig_path(), None, &scratch));
        eprintln!(
            "bench: run {}/{runs}: baked {}, compiled {}",
            i + 1,
            ms(with[i]),
            ms(without[i])
        );
    }
    let (lo_with, hi_with) = (with.iter().min().copied(), with.iter().max().copied());
    let (lo_without, hi_without) = (without.iter().min().copied(), without.iter().max().copied());
    let (m_with, m_without) = (median(with), median(without));
    println!(
        "| controller start, process start to /readyz 200 ({runs} runs each) | median | min | max |"
    );
    println!("| --- | ---: | ---: | ---: |");
    println!(
        "| baked precompiled core (the image) | {} | {} | {} |",
        ms(m_with),
        ms(lo_with.expect("runs")),
        ms(hi_with.expect("runs"))
    );
    println!(
        "| no baked core: compiled at start, empty cache | {} | {} | {} |",
        ms(m_without),
        ms(lo_without.expect("runs")),
        ms(hi_without.expect("runs"))
    );
    println!(
        "\ncompiled / baked: {:.2}x",
        m_without.as_secs_f64() / m_with.as_secs_f64()
    );
}
