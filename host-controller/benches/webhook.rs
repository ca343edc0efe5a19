//! Load on the admission webhook: `cargo bench -p host-controller --bench webhook`.
//!
//! The bench starts the webhook in a child process (this binary again, with
//! `PLANTON_WEBHOOK_BENCH_SERVE` set) and drives it from this process over loopback HTTPS, one
//! keep-alive connection per concurrent client, as the API server does. Each level sends
//! `REQUESTS` AdmissionReviews (a mix of valid, invalid and warning specs) and checks every answer
//! (HTTP 200, the request's uid, the expected verdict); any other answer is a failure, and the
//! bench exits non-zero if there is one. The last scenario adds a user rule that never ends (two
//! nested loops of 100,000 in a message template) to one request in ten: it must be cut off by
//! its fuel (PH003, denied) while the other requests keep their latency.
//!
//! Every request reviews a different object: its name, namespace, repository, chart, version and
//! values change with the request's number, so no cache keyed by the object could serve it.
//!
//! The server prepares its validation snapshot (`Runtime::prepare_validation`, the pack compiled
//! into a pre-initialised core) before it reports its port, as the controller does in the
//! background when the rules change; the first row runs without one (every review compiles the
//! rules, the controller's slow path until the snapshot is ready) for comparison. Before the load,
//! the bench times the pieces of one sandboxed validation in-process.
//!
//! The servers run the webhook's own sandbox settings (`webhook::sandbox_config`: pooled
//! instance slots, long-lived call threads); one more row runs the same snapshot under the
//! runtime's defaults (a fresh mapping and a new thread per review), as the webhook did before,
//! to compare in the same run. Every row also gives the CPU time the server and this process (the
//! client) spent per review, from /proc, and the run starts and ends with the load average: the
//! client shares the machine with the server, and so may other work.
//!
//! `PLANTON_WEBHOOK_BENCH_REQUESTS` overrides the number of requests per level (default 2,000).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use host_controller::validation::{Policies, PolicyStore};
use host_controller::webhook::{CertReloader, Limits, PATH, Webhook, sandbox_config};
use host_runtime::{Config, OfflineHost, PolicyFile, Runtime, SourceFile, ValidateRequest};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rustls::pki_types::pem::PemObject;
use serde_json::{Value, json};

const SERVE_ENV: &str = "PLANTON_WEBHOOK_BENCH_SERVE";
const LEVELS: [usize; 4] = [1, 8, 32, 128];

/// The rule of the last scenario: fires on `spec.values.spin`, and its message never ends.
const SPIN_RULE: &str = "rules:\n  - code: ORG666\n    severity: warning\n    doc: never ends\n    \
    when: spec.values.spin is defined\n    message: \"{% for i in range(100000) %}{% for j in \
    range(100000) %}{% endfor %}{% endfor %}\"\n";

fn main() {
    if let Ok(mode) = std::env::var(SERVE_ENV) {
        serve(&mode);
        return;
    }
    let requests: usize = std::env::var("PLANTON_WEBHOOK_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let dir = std::env::temp_dir().join(format!("planton-webhook-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = testenv::Ca::new("bench-ca").expect("CA");
    let pair = ca.serving_cert(&["127.0.0.1"]).expect("cert");
    std::fs::write(dir.join("tls.crt"), &pair.cert_pem).expect("write");
    std::fs::write(dir.join("tls.key"), &pair.key_pem).expect("write");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio");

    println!(
        "webhook load: {requests} AdmissionReviews per row, client and server in separate \
         processes over loopback HTTPS, {} CPUs",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("load average at the start: {}", load_average());
    pieces(&dir);
    println!(
        "{:<26} {:>5} {:>8} {:>6} {:>9} {:>9} {:>9} {:>11} {:>11}",
        "scenario",
        "conc",
        "requests",
        "failed",
        "p50 ms",
        "p99 ms",
        "req/s",
        "server CPU",
        "client CPU"
    );
    println!("{:>93}", "(ms per review)");
    let mut failed_total = 0;
    let mut row = |server: &Server, name: &str, conc: usize, spin_every: usize| {
        let cpu = (server.cpu(), own_cpu());
        let r = rt.block_on(drive(server.port, &ca, conc, requests, spin_every));
        let per_review = |before: Duration, after: Duration| {
            (after - before).as_secs_f64() * 1000.0 / requests as f64
        };
        let cpu = (
            per_review(cpu.0, server.cpu()),
            per_review(cpu.1, own_cpu()),
        );
        if spin_every > 0 {
            r.print(&format!("{name}: others"), conc, &r.normal, Some(cpu));
            r.print("  the 1 in 10 it fires on", conc, &r.spin, None);
        } else {
            r.print(name, conc, &r.normal, Some(cpu));
        }
        failed_total += r.failed;
    };
    let server = Server::start(&dir, "slow");
    row(&server, "built-in, no snapshot", 8, 0);
    drop(server);
    let server = Server::start(&dir, "before");
    row(&server, "snapshot, default sandbox", 8, 0);
    drop(server);
    let server = Server::start(&dir, "plain");
    for conc in LEVELS {
        row(&server, "built-in rules", conc, 0);
    }
    drop(server);
    let server = Server::start(&dir, "spin");
    for conc in [8, 32] {
        row(&server, "+ never-ending rule", conc, 10);
    }
    drop(server);
    println!("load average at the end: {}", load_average());
    let _ = std::fs::remove_dir_all(&dir);
    if failed_total > 0 {
        eprintln!("{failed_total} requests failed");
        std::process::exit(1);
    }
    println!("no failed request");
}

/// `/proc/loadavg`'s three averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// User and system CPU time of process `pid` (all its threads), from `/proc/PID/stat`.
fn cpu_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses: utime and stime
    // are the 12th and 13th, in clock ticks of 1/100 s on Linux.
    let ticks: u64 = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|t| t.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn own_cpu() -> Duration {
    cpu_of("self")
}

/// The webhook in a child process; killed on drop.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Server {
    fn start(dir: &std::path::Path, mode: &str) -> Server {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .env(SERVE_ENV, mode)
            .env("PLANTON_WEBHOOK_BENCH_DIR", dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server process");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server's port");
        let (port, prepared) = line.trim().split_once(' ').expect("port and preparation");
        println!("(server \"{mode}\": validation snapshot {prepared})");
        let port = port.parse().expect("a port number");
        Server { child, port }
    }
}

impl Server {
    fn cpu(&self) -> Duration {
        cpu_of(&self.child.id().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child: serves until its stdin closes.
fn serve(mode: &str) {
    let dir = std::path::PathBuf::from(std::env::var("PLANTON_WEBHOOK_BENCH_DIR").expect("dir"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio");
    rt.block_on(async {
        let limits = Limits::default();
        // The webhook's own settings, but for the row that shows the runtime's defaults (a
        // fresh mapping and a new thread per review), the webhook's before they were tuned.
        let config = if mode == "before" {
            Config {
                deadline: limits.timeout,
                ..Config::default()
            }
        } else {
            sandbox_config(&limits, host_runtime::DEFAULT_MAX_MEMORY)
        };
        let runtime = Arc::new(Runtime::new(config).expect("the core loads"));
        let policies = match mode {
            "spin" => Policies {
                files: vec![PolicyFile {
                    name: "bench/spin.yaml".into(),
                    content: SPIN_RULE.into(),
                }],
                disabled: Vec::new(),
            },
            _ => Policies::default(),
        };
        // As the controller's background preparation, but waited for: the rows measure the
        // fast path, except the one of the "slow" server.
        let prepared = if mode == "slow" {
            "not made".to_string()
        } else {
            let started = Instant::now();
            runtime
                .prepare_validation(&policies.files)
                .expect("the snapshot");
            format!("made in {:.2} s", started.elapsed().as_secs_f64())
        };
        let certs = CertReloader::load(&dir.join("tls.crt"), &dir.join("tls.key")).expect("cert");
        let webhook = Arc::new(Webhook::new(runtime, PolicyStore::fixed(policies), limits));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(webhook.serve(listener, certs));
        println!("{port} {prepared}");
        std::io::stdout().flush().expect("flush");
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            let _ = std::io::stdin().read_line(&mut sink);
        })
        .await
        .expect("stdin");
    });
}

#[derive(Default)]
struct Run {
    normal: Vec<Duration>,
    spin: Vec<Duration>,
    failed: usize,
    elapsed: Duration,
}

impl Run {
    fn print(&self, name: &str, conc: usize, lat: &[Duration], cpu: Option<(f64, f64)>) {
        let mut lat = lat.to_vec();
        lat.sort();
        let pct = |p: f64| {
            lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        let total = self.normal.len() + self.spin.len();
        let cpu = cpu.map_or(String::new(), |(server, client)| {
            format!(" {server:>11.3} {client:>11.3}")
        });
        println!(
            "{:<26} {:>5} {:>8} {:>6} {:>9.2} {:>9.2} {:>9.0}{cpu}",
            name,
            conc,
            lat.len(),
            self.failed,
            pct(0.50),
            pct(0.99),
            total as f64 / self.elapsed.as_secs_f64()
        );
    }
}

/// What request `i` sends, and the verdict it must get: every field that varies varies with `i`.
fn case(i: usize, spin_every: usize) -> (Value, bool, bool) {
    let mut spec = json!({
        "repo": format!("https://charts{}.example.com/team-{}", i % 17, i % 5),
        "name": format!("webapp-{}", i % 41),
        "version": format!("1.{}.{}", i % 23, i % 7),
        "values": {
            "replicaCount": i % 9 + 1,
            "podLabels": {"shard": format!("s{i}")},
            "image": {"repository": format!("registry.example.com/app-{}", i % 11), "tag": format!("2.{}.{}", i % 13, i % 3)},
        },
    });
    if spin_every > 0 && i.is_multiple_of(spin_every) {
        spec["values"]["spin"] = json!(true);
        return (spec, false, true);
    }
    match i % 3 {
        0 => (spec, true, false),
        1 => {
            spec["version"] = json!(format!("^1.{}", i % 23));
            (spec, false, false)
        }
        _ => {
            spec["values"]["image"]["tag"] = json!("latest");
            (spec, true, false)
        }
    }
}

fn review(i: usize, spec: Value) -> Bytes {
    Bytes::from(
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": format!("req-{i}"),
                "kind": {"group": "kubernetes.project-planton.org", "version": "v1", "kind": "HelmRelease"},
                "operation": "CREATE",
                "name": format!("web-{i}"),
                "namespace": format!("apps-{}", i % 13),
                "object": {
                    "apiVersion": "kubernetes.project-planton.org/v1",
                    "kind": "HelmRelease",
                    "metadata": {"name": format!("web-{i}"), "namespace": format!("apps-{}", i % 13)},
                    "spec": spec,
                },
            }
        })
        .to_string(),
    )
}

async fn drive(
    port: u16,
    ca: &testenv::Ca,
    conc: usize,
    requests: usize,
    spin_every: usize,
) -> Run {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(
            rustls::pki_types::CertificateDer::from_pem_slice(ca.cert_pem().as_bytes())
                .expect("CA"),
        )
        .expect("root");
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..conc {
        let connector = connector.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut run = Run::default();
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connect");
            tcp.set_nodelay(true).expect("nodelay");
            let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
            let stream = connector.connect(name, tcp).await.expect("TLS handshake");
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .expect("HTTP handshake");
            tokio::spawn(conn);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let (spec, allowed, spin) = case(i, spin_every);
                let request = hyper::Request::post(PATH)
                    .header("host", "127.0.0.1")
                    .header("content-type", "application/json")
                    .body(Full::new(review(i, spec)))
                    .expect("request");
                let t = Instant::now();
                let ok = match sender.send_request(request).await {
                    Ok(response) if response.status() == 200 => {
                        let body = response.into_body().collect().await.map(|b| b.to_bytes());
                        body.ok()
                            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                            .is_some_and(|v| {
                                let r = &v["response"];
                                r["uid"] == format!("req-{i}")
                                    && r["allowed"] == allowed
                                    && (!spin
                                        || r["status"]["message"]
                                            .as_str()
                                            .is_some_and(|m| m.contains("[PH003]")))
                            })
                    }
                    _ => false,
                };
                let d = t.elapsed();
                if !ok {
                    run.failed += 1;
                } else if spin {
                    run.spin.push(d);
                } else {
                    run.normal.push(d);
                }
            }
            run
        }));
    }
    let mut total = Run::default();
    for w in workers {
        let r = w.await.expect("worker");
        total.normal.extend(r.normal);
        total.spin.extend(r.spin);
        total.failed += r.failed;
    }
    total.elapsed = started.elapsed();
    total
}

/// Where one sandboxed validation's time goes, in this process (medians of `RUNS` calls): an
/// empty call (fresh store and instance, no work), compiling the built-in rules (`list_rules`),
/// a whole validation compiling everything (no snapshot), making the snapshot, and a validation
/// from it.
fn pieces(dir: &std::path::Path) {
    const RUNS: usize = 200;
    let runtime = Runtime::new(Config {
        // A cache of its own, so that the snapshot is really made here.
        cache_dir: Some(dir.join("cache")),
        ..Config::default()
    })
    .expect("the core loads");
    let request = |i: usize| {
        let (spec, _, _) = case(i, 0);
        let object = json!({
            "apiVersion": "kubernetes.project-planton.org/v1",
            "kind": "HelmRelease",
            "metadata": {"name": format!("web-{i}"), "namespace": "apps"},
            "spec": spec,
        });
        ValidateRequest {
            documents: vec![SourceFile {
                path: format!("HelmRelease apps/web-{i}"),
                data: serde_json::to_vec(&object).expect("JSON"),
            }],
            policies: Vec::new(),
            disabled: Vec::new(),
        }
    };
    let median = |f: &mut dyn FnMut(usize)| {
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|i| {
                let t = Instant::now();
                f(i);
                t.elapsed()
            })
            .collect();
        times.sort();
        times[RUNS / 2].as_secs_f64() * 1000.0
    };
    let host = OfflineHost::default;
    println!("one sandboxed validation, in-process, median of {RUNS} calls:");
    let empty = median(&mut |_| {
        runtime.template_name("x", host()).expect("call");
    });
    println!("  empty call (fresh store, instantiate, call, drop)   {empty:>7.3} ms");
    let pack = median(&mut |_| {
        runtime.list_rules(&[], &[], host()).expect("rules");
    });
    println!("  compile the built-in rules (list-rules)             {pack:>7.3} ms");
    let slow = median(&mut |i| {
        runtime.validate(&request(i), host()).expect("validate");
    });
    println!("  validate, no snapshot (schemas + rules compiled)    {slow:>7.3} ms");
    let started = Instant::now();
    runtime.prepare_validation(&[]).expect("the snapshot");
    println!(
        "  make the snapshot (instrument, compile x2, prepare)  {:>7.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let fast = median(&mut |i| {
        runtime.validate(&request(i), host()).expect("validate");
    });
    println!("  validate from the snapshot                          {fast:>7.3} ms");
    // The same with the webhook's settings (pooled slots, long-lived call threads); its snapshot
    // comes from the cache just written (the allocator does not change compiled code).
    let tuned = Runtime::new(Config {
        cache_dir: Some(dir.join("cache")),
        ..sandbox_config(&Limits::default(), host_runtime::DEFAULT_MAX_MEMORY)
    })
    .expect("the core loads");
    tuned.prepare_validation(&[]).expect("the snapshot");
    println!("with the webhook's sandbox settings (pooled slots, call threads):");
    let empty = median(&mut |_| {
        tuned.template_name("x", host()).expect("call");
    });
    println!("  empty call                                          {empty:>7.3} ms");
    let fast = median(&mut |i| {
        tuned.validate(&request(i), host()).expect("validate");
    });
    println!("  validate from the snapshot                          {fast:>7.3} ms");
}
