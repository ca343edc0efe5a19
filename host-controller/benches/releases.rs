//! Time and peak memory for the controller to bring N HelmReleases of a small chart to Ready.
//!
//! `cargo bench -p host-controller --bench releases [-- N...]` (default: 100 and 500). For each
//! N: a fresh real control plane (testenv: etcd, kube-apiserver, kube-controller-manager, the fake
//! kubelet), the real registry holding a small chart of our own (a ConfigMap and a one-replica
//! Deployment) pushed by the real `helm push`, and the controller binary as its own process
//! (release build, leader election on). The clock starts before the first HelmRelease is created
//! (all N are created at once, `wait: true`) and stops when every one reports `Ready=True`. Peak
//! memory is the controller process's `VmHWM` (peak resident set) from /proc. Everything runs on
//! the same machine, so the control plane's own CPU use is part of the time, as in a kind cluster.
//!
//! The anchor is Flux helm-controller's published figures on 2 CPUs: 100 releases in 27 s and 500
//! in 2 min 45 s, at 190 to 240 MiB. See docs/benchmarks.md.

#[path = "../../chart-source/tests/support/mod.rs"]
mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use host_controller::HelmRelease;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::{Api, CustomResourceExt};
use serde_json::json;
use support::{Helm, Registry, TempDir, write_chart};
use testenv::{ControlPlane, FakeKubelet, Options};

/// Give up on a size after this long.
const LIMIT: Duration = Duration::from_secs(20 * 60);

struct Row {
    releases: usize,
    elapsed: Duration,
    peak_rss_kib: u64,
    cpu_seconds: f64,
    installs: u64,
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse().expect("sizes are numbers of releases"))
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100, 500]
    } else {
        sizes
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let helm = Helm::new();
    let registry = Registry::start(None);
    let dir = TempDir::new("bench-chart");
    let chart = dir.path().join("tiny");
    write_chart(&chart, "tiny", "");
    let archive = helm.package(&chart, "0.1.0", &dir.path().join("packages"));
    registry.push(&helm, &archive, None);

    let mut rows = Vec::new();
    for n in sizes {
        eprintln!("bench: {n} releases ...");
        let row = runtime.block_on(measure(n, &registry.repo()));
        eprintln!(
            "bench: {n} releases Ready in {:.1} s",
            row.elapsed.as_secs_f64()
        );
        rows.push(row);
    }
    println!();
    println!(
        "| releases | time to all Ready | releases/s | peak RSS (VmHWM) | controller CPU | installs |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &rows {
        println!(
            "| {} | {:.1} s | {:.1} | {:.1} MiB | {:.1} s | {} |",
            r.releases,
            r.elapsed.as_secs_f64(),
            r.releases as f64 / r.elapsed.as_secs_f64(),
            r.peak_rss_kib as f64 / 1024.0,
            r.cpu_seconds,
            r.installs,
        );
    }
}

async fn measure(n: usize, repo: &str) -> Row {
    let cp = ControlPlane::start_with(Options::new().controller_manager(true))
        .await
        .expect("control plane starts");
    let client = cp.client();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &HelmRelease::crd())
        .await
        .expect("CRD created");
    wait_until(
        Duration::from_secs(60),
        "the CRD to be established",
        || async {
            let crd = crds
                .get("helmreleases.kubernetes.project-planton.org")
                .await
                .ok()?;
            crd.status?
                .conditions?
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
                .then_some(())
        },
    )
    .await;
    let _kubelet = FakeKubelet::start(client.clone(), None);
    let cache = TempDir::new("bench-cache");
    let log = std::fs::File::create(cp.dir().join("controller.log")).expect("log");
    let mut controller = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
        .args(["run", "--metrics-addr", "127.0.0.1:0"])
        .arg("--chart-cache")
        .arg(cache.path())
        .env("KUBECONFIG", cp.kubeconfig_path())
        .env("RUST_LOG", "info")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("the controller starts");
    let pid = controller.id();

    let ns = "bench";
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    namespaces
        .patch(
            ns,
            &PatchParams::apply("bench"),
            &Patch::Apply(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            ),
        )
        .await
        .expect("namespace");
    let hrs: Api<HelmRelease> = Api::namespaced(client.clone(), ns);
    let started = Instant::now();
    futures::stream::iter(0..n)
        .map(|i| {
            let hrs = hrs.clone();
            async move {
                let name = format!("app-{i:04}");
                let body = json!({
                    "apiVersion": "kubernetes.project-planton.org/v1",
                    "kind": "HelmRelease",
                    "metadata": {"name": name, "namespace": ns},
                    "spec": {"repo": repo, "name": "tiny", "version": "0.1.0", "wait": true,
                             "timeout": "10m", "interval": "1h", "plainHttp": true,
                             "values": {"greeting": format!("hello {i}")}},
                });
                hrs.patch(&name, &PatchParams::apply("bench"), &Patch::Apply(body))
                    .await
                    .expect("HelmRelease created");
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    let mut last_report = Instant::now();
    loop {
        let list = hrs.list(&ListParams::default()).await.expect("list");
        let ready = list
            .items
            .iter()
            .filter(|hr| {
                hr.status.as_ref().is_some_and(|s| {
                    s.conditions
                        .iter()
                        .any(|c| c.type_ == "Ready" && c.status == "True")
                })
            })
            .count();
        if ready == n {
            break;
        }
        check_alive(&mut controller, &cp);
        assert!(
            started.elapsed() < LIMIT,
            "only {ready} of {n} Ready after {LIMIT:?}; logs in {}",
            cp.dir().display()
        );
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!(
                "bench:   {ready}/{n} Ready after {:.0} s",
                started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let elapsed = started.elapsed();
    let peak_rss_kib = proc_status(pid, "VmHWM:");
    let cpu_seconds = proc_cpu_seconds(pid);
    let installs = std::fs::read_to_string(cp.dir().join("controller.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("\"reason\":\"InstallSucceeded\""))
        .count() as u64;
    let _ = controller.kill();
    let _ = controller.wait();
    Row {
        releases: n,
        elapsed,
        peak_rss_kib,
        cpu_seconds,
        installs,
    }
}

fn check_alive(controller: &mut Child, cp: &ControlPlane) {
    if let Some(status) = controller.try_wait().expect("wait") {
        panic!(
            "the controller exited ({status}); log in {}",
            cp.dir().join("controller.log").display()
        );
    }
}

/// A `kB` field of /proc/PID/status, in KiB.
fn proc_status(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// User plus system CPU time of the process, in seconds (fields 14 and 15 of /proc/PID/stat).
fn proc_cpu_seconds(pid: u32) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // The command name (field 2) may hold spaces; the fields after it start past its ')'.
    let rest = &text[text.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 =
        fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
    // USER_HZ is 100 on every Linux this runs on.
    ticks as f64 / 100.0
}

async fn wait_until<T, F, Fut>(limit: Duration, what: &str, f: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
