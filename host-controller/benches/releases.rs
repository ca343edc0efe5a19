//! N HelmReleases of one small chart to Ready: planton-helm-controller and Flux side by side.
//!
//! `cargo bench --workspace --bench releases [-- [--only ours|flux] [--concurrent C] N...]`
//! (default: 100, 500 and 1000, both controllers, concurrency 10). For each N and each
//! controller, alone: a fresh real control plane (testenv: etcd, kube-apiserver with an audit log,
//! kube-controller-manager, the fake kubelet), the same registry holding the same small chart of
//! our own (a ConfigMap and a one-replica Deployment) pushed by the real `helm push`, and the
//! controller as its own processes:
//!
//! - ours: the `planton-helm-controller` binary of this build (leader election on), each
//!   HelmRelease naming the chart by `oci://` repository, name and version;
//! - Flux: source-controller and helm-controller built from the Go module proxy by
//!   `scripts/install-flux.sh` (bench-only; never on the test command's path), one OCIRepository
//!   of the chart and N `helm.toolkit.fluxcd.io/v2` HelmReleases pointing at it with `chartRef`.
//!
//! Both run with the same `--concurrent`, both wait for the Deployment (ours `wait: true`, Flux's
//! default), both get distinct values per release. The clock starts before the first HelmRelease
//! is created (all N at once) and stops when every one reports `Ready=True`. Per process: peak RSS
//! (`VmHWM`) and CPU seconds from /proc; apiserver requests are counted from the audit log, where
//! each controller process has a user of its own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use host_controller::HelmRelease;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams};
use kube::{Api, CustomResourceExt};
use serde_json::{Value, json};
use test_support::{Helm, Registry, TempDir, free_port, write_chart};
use testenv::{ControlPlane, FakeKubelet, Options};

/// Give up on one measurement after this long.
const LIMIT: Duration = Duration::from_secs(20 * 60);
const NAMESPACE: &str = "bench";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Peer {
    Ours,
    Flux,
}

impl Peer {
    fn label(self) -> &'static str {
        match self {
            Peer::Ours => "planton-helm",
            Peer::Flux => "Flux",
        }
    }
}

/// One controller process measured.
struct ProcessRow {
    name: &'static str,
    peak_rss_kib: u64,
    cpu_seconds: f64,
    requests: u64,
}

struct Row {
    peer: Peer,
    releases: usize,
    elapsed: Duration,
    processes: Vec<ProcessRow>,
}

struct Args {
    sizes: Vec<usize>,
    peers: Vec<Peer>,
    concurrent: usize,
}

fn args() -> Args {
    let mut sizes = Vec::new();
    let mut peers = vec![Peer::Ours, Peer::Flux];
    let mut concurrent = 10;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--only" => {
                peers = match it.next().as_deref() {
                    Some("ours") => vec![Peer::Ours],
                    Some("flux") => vec![Peer::Flux],
                    other => panic!("--only takes ours or flux, not {other:?}"),
                }
            }
            "--concurrent" => {
                concurrent = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--concurrent takes a number")
            }
            // cargo bench passes --bench to every harness = false target.
            a if a.starts_with("--") => {}
            a => sizes.push(a.parse().expect("sizes are numbers of releases")),
        }
    }
    if sizes.is_empty() {
        sizes = vec![100, 500, 1000];
    }
    Args {
        sizes,
        peers,
        concurrent,
    }
}

fn main() {
    let args = args();
    // Built before anything is timed, so that a cold build does not count; the script says why
    // when the Go module proxy cannot build Flux.
    let flux = args.peers.contains(&Peer::Flux).then(install_flux);
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
    for &n in &args.sizes {
        for &peer in &args.peers {
            eprintln!("bench: {} with {n} releases ...", peer.label());
            let row = runtime.block_on(measure(
                peer,
                n,
                &registry.repo(),
                args.concurrent,
                flux.as_deref(),
            ));
            eprintln!(
                "bench: {} with {n} releases: all Ready in {:.1} s",
                peer.label(),
                row.elapsed.as_secs_f64()
            );
            rows.push(row);
        }
    }
    println!();
    println!(
        "| releases | controller | time to all Ready | releases/s | process | peak RSS (VmHWM) | CPU | apiserver requests |"
    );
    println!("| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: |");
    for r in &rows {
        for (i, p) in r.processes.iter().enumerate() {
            let (releases, peer, time, rate) = if i == 0 {
                (
                    r.releases.to_string(),
                    r.peer.label().to_string(),
                    format!("{:.1} s", r.elapsed.as_secs_f64()),
                    format!("{:.1}", r.releases as f64 / r.elapsed.as_secs_f64()),
                )
            } else {
                Default::default()
            };
            println!(
                "| {releases} | {peer} | {time} | {rate} | {} | {:.1} MiB | {:.1} s | {} |",
                p.name,
                p.peak_rss_kib as f64 / 1024.0,
                p.cpu_seconds,
                p.requests,
            );
        }
    }
}

/// `scripts/install-flux.sh`: the directory holding `source-controller`, `helm-controller` and
/// their CRDs.
fn install_flux() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-flux.sh");
    let out = Command::new(&script)
        .stderr(Stdio::inherit())
        .output()
        .expect("scripts/install-flux.sh runs");
    assert!(
        out.status.success(),
        "scripts/install-flux.sh could not build Flux (its error is above)"
    );
    PathBuf::from(String::from_utf8(out.stdout).expect("utf-8 path").trim())
}

/// The audit policy: metadata of every request the benchmarked controllers make, nothing else.
const AUDIT_POLICY: &str = "apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
- level: Metadata
  users: [bench-planton-helm, bench-source-controller, bench-helm-controller]
- level: None
";

async fn measure(peer: Peer, n: usize, repo: &str, concurrent: usize, flux: Option<&Path>) -> Row {
    let audit_dir = TempDir::new("bench-audit");
    let policy = audit_dir.path().join("policy.yaml");
    std::fs::write(&policy, AUDIT_POLICY).expect("audit policy");
    let audit_log = audit_dir.path().join("audit.log");
    let cp = ControlPlane::start_with(
        Options::new()
            .controller_manager(true)
            .apiserver_arg(format!("--audit-policy-file={}", policy.display()))
            .apiserver_arg(format!("--audit-log-path={}", audit_log.display()))
            .apiserver_arg("--audit-log-maxsize=0"),
    )
    .await
    .expect("control plane starts");
    let client = cp.client();
    let _kubelet = FakeKubelet::start(client.clone(), None);
    apply(
        &client,
        "v1",
        "Namespace",
        json!({"metadata": {"name": NAMESPACE}}),
    )
    .await;

    let mut procs: Vec<(&'static str, &'static str, Child)> = Vec::new();
    let ready_api: Api<DynamicObject>;
    match peer {
        Peer::Ours => {
            install_crds(&client, vec![HelmRelease::crd()]).await;
            let cache = audit_dir.path().join("chart-cache");
            let kubeconfig = kubeconfig_for(&cp, "bench-planton-helm", audit_dir.path());
            let child = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
                .args(["run", "--metrics-addr", "127.0.0.1:0"])
                .args(["--concurrent", &concurrent.to_string()])
                .arg("--chart-cache")
                .arg(&cache)
                .env("KUBECONFIG", &kubeconfig)
                .env("RUST_LOG", "info")
                .stdout(log_file(&cp, "planton-helm"))
                .stderr(log_file(&cp, "planton-helm"))
                .stdin(Stdio::null())
                .spawn()
                .expect("the controller starts");
            procs.push(("planton-helm-controller", "bench-planton-helm", child));
            ready_api = dynamic(
                &client,
                "kubernetes.project-planton.org",
                "v1",
                "HelmRelease",
            );
        }
        Peer::Flux => {
            let flux = flux.expect("Flux was built");
            install_crds(&client, flux_crds(&flux.join("crds"))).await;
            let storage = audit_dir.path().join("storage");
            std::fs::create_dir_all(&storage).expect("storage dir");
            let storage_addr = format!("127.0.0.1:{}", free_port());
            for (bin, user) in [
                ("source-controller", "bench-source-controller"),
                ("helm-controller", "bench-helm-controller"),
            ] {
                let kubeconfig = kubeconfig_for(&cp, user, audit_dir.path());
                let mut cmd = Command::new(flux.join(bin));
                cmd.args([
                    "--enable-leader-election=false",
                    "--log-level=info",
                    "--metrics-addr=0",
                    "--events-addr=",
                ])
                .arg(format!("--health-addr=127.0.0.1:{}", free_port()))
                .arg(format!("--concurrent={concurrent}"));
                if bin == "source-controller" {
                    cmd.arg(format!("--storage-path={}", storage.display()))
                        .arg(format!("--storage-addr={storage_addr}"))
                        .arg(format!("--storage-adv-addr={storage_addr}"));
                }
                let child = cmd
                    .env("KUBECONFIG", &kubeconfig)
                    .env("RUNTIME_NAMESPACE", NAMESPACE)
                    .stdout(log_file(&cp, bin))
                    .stderr(log_file(&cp, bin))
                    .stdin(Stdio::null())
                    .spawn()
                    .unwrap_or_else(|e| panic!("{bin} starts: {e}"));
                procs.push((bin, user, child));
            }
            // One source for every release: the way Flux users share a chart.
            let chart_url = format!("{repo}/tiny");
            apply(
                &client,
                "source.toolkit.fluxcd.io/v1",
                "OCIRepository",
                json!({
                    "metadata": {"name": "tiny", "namespace": NAMESPACE},
                    "spec": {"interval": "1h", "url": chart_url, "ref": {"tag": "0.1.0"},
                             "insecure": true,
                             "layerSelector": {
                                 "mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                                 "operation": "copy"}},
                }),
            )
            .await;
            ready_api = dynamic(&client, "helm.toolkit.fluxcd.io", "v2", "HelmRelease");
        }
    }

    let started = Instant::now();
    futures::stream::iter(0..n)
        .map(|i| {
            let client = client.clone();
            async move {
                let name = format!("app-{i:04}");
                let greeting = format!("hello {i}");
                match peer {
                    Peer::Ours => {
                        apply(
                            &client,
                            "kubernetes.project-planton.org/v1",
                            "HelmRelease",
                            json!({
                                "metadata": {"name": name, "namespace": NAMESPACE},
                                "spec": {"repo": repo, "name": "tiny", "version": "0.1.0",
                                         "wait": true, "timeout": "10m", "interval": "1h",
                                         "plainHttp": true, "values": {"greeting": greeting}},
                            }),
                        )
                        .await
                    }
                    Peer::Flux => {
                        apply(
                            &client,
                            "helm.toolkit.fluxcd.io/v2",
                            "HelmRelease",
                            json!({
                                "metadata": {"name": name, "namespace": NAMESPACE},
                                "spec": {"interval": "1h", "timeout": "10m",
                                         "chartRef": {"kind": "OCIRepository", "name": "tiny"},
                                         "values": {"greeting": greeting}},
                            }),
                        )
                        .await
                    }
                }
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;

    let mut last_report = Instant::now();
    loop {
        let list = ready_api
            .list(&ListParams::default())
            .await
            .expect("list HelmReleases");
        let ready = list.items.iter().filter(|o| is_ready(&o.data)).count();
        if ready == n {
            break;
        }
        for (name, _, child) in &mut procs {
            if let Some(status) = child.try_wait().expect("wait") {
                panic!("{name} exited ({status}); logs in {}", cp.dir().display());
            }
        }
        assert!(
            started.elapsed() < LIMIT,
            "{}: only {ready} of {n} Ready after {LIMIT:?}; logs in {}",
            peer.label(),
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
    let mut processes = Vec::new();
    for (name, user, mut child) in procs {
        let pid = child.id();
        processes.push(ProcessRow {
            name,
            peak_rss_kib: proc_status(pid, "VmHWM:"),
            cpu_seconds: proc_cpu_seconds(pid),
            requests: 0,
        });
        let _ = child.kill();
        let _ = child.wait();
        let row = processes.last_mut().expect("pushed");
        row.requests = audited_requests(&audit_log, user);
    }
    Row {
        peer,
        releases: n,
        elapsed,
        processes,
    }
}

fn is_ready(data: &Value) -> bool {
    data.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

fn dynamic(client: &kube::Client, group: &str, version: &str, kind: &str) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(group, version, kind);
    Api::namespaced_with(client.clone(), NAMESPACE, &ApiResource::from_gvk(&gvk))
}

/// Server-side apply of one object, whose kind is given apart.
async fn apply(client: &kube::Client, api_version: &str, kind: &str, mut body: Value) {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let mut resource = ApiResource::from_gvk(&gvk);
    if kind == "OCIRepository" {
        resource.plural = "ocirepositories".into();
    }
    body["apiVersion"] = json!(api_version);
    body["kind"] = json!(kind);
    let name = body["metadata"]["name"].as_str().expect("name").to_string();
    let api: Api<DynamicObject> = if kind == "Namespace" {
        Api::all_with(client.clone(), &resource)
    } else {
        Api::namespaced_with(client.clone(), NAMESPACE, &resource)
    };
    api.patch(&name, &PatchParams::apply("bench"), &Patch::Apply(body))
        .await
        .unwrap_or_else(|e| panic!("applying {kind} {name}: {e}"));
}

async fn install_crds(client: &kube::Client, crds: Vec<CustomResourceDefinition>) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let names: Vec<String> = crds
        .iter()
        .map(|c| c.metadata.name.clone().expect("CRD name"))
        .collect();
    for crd in crds {
        let name = crd.metadata.name.clone().expect("CRD name");
        api.patch(&name, &PatchParams::apply("bench"), &Patch::Apply(crd))
            .await
            .unwrap_or_else(|e| panic!("CRD {name}: {e}"));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    for name in names {
        loop {
            let established = api
                .get(&name)
                .await
                .ok()
                .and_then(|c| c.status)
                .is_some_and(|s| {
                    s.conditions
                        .unwrap_or_default()
                        .iter()
                        .any(|c| c.type_ == "Established" && c.status == "True")
                });
            if established {
                break;
            }
            assert!(Instant::now() < deadline, "CRD {name} not Established");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Flux's CRDs, as scripts/install-flux.sh copied them from the two modules.
fn flux_crds(dir: &Path) -> Vec<CustomResourceDefinition> {
    let mut crds = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("CRD file");
        for doc in text.split("\n---") {
            let doc = doc.trim_start_matches("---");
            if doc.trim().is_empty() {
                continue;
            }
            let crd: CustomResourceDefinition =
                serde_saphyr::from_str(doc).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            crds.push(crd);
        }
    }
    assert!(!crds.is_empty(), "no CRDs in {}", dir.display());
    crds
}

/// A kubeconfig for USER (in `system:masters`, as both controllers run cluster-wide here), so
/// that the audit log tells each process's requests apart.
fn kubeconfig_for(cp: &ControlPlane, user: &str, dir: &Path) -> PathBuf {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let pair = cp
        .ca()
        .client_cert(user, Some("system:masters"))
        .expect("client certificate");
    let yaml = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: bench
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: {user}
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
contexts:
- name: bench
  context: {{cluster: bench, user: {user}, namespace: default}}
current-context: bench
",
        server = cp.server_url(),
        ca = b64.encode(cp.ca().cert_pem()),
        cert = b64.encode(&pair.cert_pem),
        key = b64.encode(&pair.key_pem),
    );
    let path = dir.join(format!("{user}.kubeconfig"));
    std::fs::write(&path, yaml).expect("kubeconfig");
    path
}

fn log_file(cp: &ControlPlane, name: &str) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(cp.dir().join(format!("{name}.log")))
        .expect("log file")
}

/// Requests USER made, from the apiserver's audit log (one JSON event per finished request).
fn audited_requests(log: &Path, user: &str) -> u64 {
    let needle = format!("\"username\":\"{user}\"");
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(&needle))
        .count() as u64
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
