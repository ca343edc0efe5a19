//! A real Kubernetes control plane for tests: etcd, kube-apiserver and (optionally)
//! kube-controller-manager, built from source by `scripts/install-control-plane.sh` and started
//! per test on free loopback ports.
//!
//! ```no_run
//! # async fn demo() -> Result<(), testenv::Error> {
//! let cp = testenv::ControlPlane::start().await?;
//! let client = cp.client(); // a kube::Client with cluster-admin rights
//! # let _ = client;
//! # Ok(()) }
//! ```
//!
//! Each [`ControlPlane`] owns its processes and its directory (certificates, kubeconfig, etcd
//! data, one log per process). Dropping it kills and reaps the processes, also while a test
//! panics; the directory is deleted after a passing test and kept (its path printed) after a
//! panic, a failed start, or with `PLANTON_TESTENV_KEEP=1`. Instances share nothing, so tests run
//! in parallel. See docs/testing.md.

mod binaries;
pub mod pods;
pub mod tls;

use std::fmt;
use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Api;
use kube::config::{KubeConfigOptions, Kubeconfig};

pub use binaries::binaries_dir;
pub use pods::FakeKubelet;
pub use tls::{Ca, CertPair};

/// What went wrong while starting a control plane; the message says where the logs are.
pub struct Error(String);

/// The message itself, so that `.expect(..)` in a test prints readable lines.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error {
    pub(crate) fn new(msg: impl Into<String>) -> Error {
        Error(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// How long a start may take before it fails (a cold machine with other builds running needs
/// more than the few seconds a warm start takes).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// What to start besides etcd and kube-apiserver.
#[derive(Clone, Debug, Default)]
pub struct Options {
    controller_manager: bool,
    apiserver_args: Vec<String>,
    controller_manager_args: Vec<String>,
}

impl Options {
    pub fn new() -> Options {
        Options::default()
    }

    /// Also run kube-controller-manager (Deployments make ReplicaSets and Pods, Jobs make Pods,
    /// namespaces get their `default` ServiceAccount). [`ControlPlane::start_with`] waits until it
    /// has created the `default` ServiceAccount in namespace `default`.
    pub fn controller_manager(mut self, on: bool) -> Options {
        self.controller_manager = on;
        self
    }

    /// An extra kube-apiserver flag, such as `--feature-gates=...`; given after ours, so it wins.
    pub fn apiserver_arg(mut self, arg: impl Into<String>) -> Options {
        self.apiserver_args.push(arg.into());
        self
    }

    /// An extra kube-controller-manager flag, such as `--kube-api-qps=...`; given after ours, so
    /// it wins. Only with [`Options::controller_manager`].
    pub fn controller_manager_arg(mut self, arg: impl Into<String>) -> Options {
        self.controller_manager_args.push(arg.into());
        self
    }
}

struct Proc {
    name: &'static str,
    child: Child,
}

/// A running control plane; see the crate docs.
pub struct ControlPlane {
    dir: PathBuf,
    keep: bool,
    procs: Vec<Proc>,
    server: String,
    ca: Ca,
    kubeconfig_path: PathBuf,
    kubeconfig: Kubeconfig,
    client: Option<kube::Client>,
}

impl fmt::Debug for ControlPlane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControlPlane")
            .field("dir", &self.dir)
            .field("server", &self.server)
            .field("pids", &self.pids())
            .finish_non_exhaustive()
    }
}

impl ControlPlane {
    /// Starts etcd and kube-apiserver and waits until `/readyz` answers 200.
    pub async fn start() -> Result<ControlPlane, Error> {
        ControlPlane::start_with(Options::new()).await
    }

    /// Starts etcd, kube-apiserver and what `options` asks for, and waits until they are ready.
    pub async fn start_with(options: Options) -> Result<ControlPlane, Error> {
        let bin = binaries_dir()?;
        let dir = instance_dir()?;
        let ca = Ca::new("testenv-ca")?;
        let mut cp = ControlPlane {
            kubeconfig_path: dir.join("kubeconfig"),
            dir,
            keep: std::env::var_os("PLANTON_TESTENV_KEEP").is_some_and(|v| v != "0"),
            procs: Vec::new(),
            server: String::new(),
            ca,
            kubeconfig: Kubeconfig::default(),
            client: None,
        };
        match cp.boot(&bin, &options).await {
            Ok(()) => Ok(cp),
            Err(e) => {
                cp.keep = true;
                Err(Error::new(format!(
                    "{e}\n(processes stopped; certificates, kubeconfig and logs kept in {})",
                    cp.dir.display()
                )))
            }
        }
    }

    async fn boot(&mut self, bin: &Path, options: &Options) -> Result<(), Error> {
        let serving = self.ca.serving_cert(&[
            "127.0.0.1",
            "localhost",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
            "10.0.0.1",
        ])?;
        let admin = self
            .ca
            .client_cert("testenv-admin", Some("system:masters"))?;
        let (sa_key, sa_pub) = tls::signing_key_pem()?;
        let files = [
            ("ca.crt", self.ca.cert_pem()),
            ("apiserver.crt", serving.cert_pem),
            ("apiserver.key", serving.key_pem),
            ("sa.key", sa_key),
            ("sa.pub", sa_pub),
        ];
        for (name, pem) in &files {
            write(&self.dir.join(name), pem)?;
        }

        // Free ports are found by binding port 0 and releasing it; another process can take one
        // before etcd or the apiserver binds it, so a start that fails that way is retried.
        let mut attempt = 1;
        loop {
            let [etcd_port, peer_port, api_port] = free_ports()?;
            self.server = format!("https://127.0.0.1:{api_port}");
            let kubeconfig = kubeconfig_yaml(&self.server, &self.ca.cert_pem(), &admin);
            write(&self.kubeconfig_path, &kubeconfig)?;
            self.kubeconfig = Kubeconfig::from_yaml(&kubeconfig)
                .map_err(|e| Error::new(format!("parsing our own kubeconfig: {e}")))?;
            let config = kube::Config::from_custom_kubeconfig(
                self.kubeconfig.clone(),
                &KubeConfigOptions::default(),
            )
            .await
            .map_err(|e| Error::new(format!("loading our own kubeconfig: {e}")))?;
            self.client = Some(
                kube::Client::try_from(config)
                    .map_err(|e| Error::new(format!("building a kube::Client: {e}")))?,
            );

            let etcd_data = self.dir.join("etcd");
            let _ = fs::remove_dir_all(&etcd_data);
            let etcd_url = format!("http://127.0.0.1:{etcd_port}");
            let peer_url = format!("http://127.0.0.1:{peer_port}");
            self.spawn(
                bin,
                "etcd",
                vec![
                    "--name=testenv".into(),
                    format!("--data-dir={}", etcd_data.display()),
                    format!("--listen-client-urls={etcd_url}"),
                    format!("--advertise-client-urls={etcd_url}"),
                    format!("--listen-peer-urls={peer_url}"),
                    format!("--initial-advertise-peer-urls={peer_url}"),
                    format!("--initial-cluster=testenv={peer_url}"),
                    // Nothing here has to survive a crash; skipping fsync makes writes cheap.
                    "--unsafe-no-fsync".into(),
                ],
            )?;
            let d = |f: &str| self.dir.join(f).display().to_string();
            let mut args = vec![
                format!("--etcd-servers={etcd_url}"),
                "--bind-address=127.0.0.1".into(),
                "--advertise-address=127.0.0.1".into(),
                // The `kubernetes` Service's endpoints may not be a loopback address; nothing in
                // a test reaches the apiserver through that Service, so leave it without endpoints.
                "--endpoint-reconciler-type=none".into(),
                format!("--secure-port={api_port}"),
                format!("--cert-dir={}", d("apiserver-certs")),
                format!("--tls-cert-file={}", d("apiserver.crt")),
                format!("--tls-private-key-file={}", d("apiserver.key")),
                format!("--client-ca-file={}", d("ca.crt")),
                format!("--service-account-key-file={}", d("sa.pub")),
                format!("--service-account-signing-key-file={}", d("sa.key")),
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
                "--service-cluster-ip-range=10.0.0.0/24".into(),
                "--authorization-mode=RBAC".into(),
                "--allow-privileged=true".into(),
                "--profiling=false".into(),
            ];
            args.extend(options.apiserver_args.iter().cloned());
            self.spawn(bin, "kube-apiserver", args)?;

            match self.wait_ready().await {
                Ok(()) => break,
                Err(e) if attempt < 3 && self.port_clash() => {
                    eprintln!("testenv: {e}; a port was taken meanwhile, retrying");
                    self.stop_all();
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }

        if options.controller_manager {
            let d = |f: &str| self.dir.join(f).display().to_string();
            let mut args = vec![
                format!("--kubeconfig={}", d("kubeconfig")),
                format!("--service-account-private-key-file={}", d("sa.key")),
                format!("--root-ca-file={}", d("ca.crt")),
                "--leader-elect=false".into(),
                "--use-service-account-credentials=false".into(),
                // No HTTPS endpoint of its own (health, metrics): nothing here reads it.
                "--secure-port=0".into(),
                "--profiling=false".into(),
            ];
            args.extend(options.controller_manager_args.iter().cloned());
            self.spawn(bin, "kube-controller-manager", args)?;
            self.wait_controllers().await?;
        }
        Ok(())
    }

    fn spawn(&mut self, bin: &Path, name: &'static str, args: Vec<String>) -> Result<(), Error> {
        let log_path = self.log_path(name);
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| Error::new(format!("creating {}: {e}", log_path.display())))?;
        let log2 = log
            .try_clone()
            .map_err(|e| Error::new(format!("{}: {e}", log_path.display())))?;
        fs::write(
            self.dir.join(format!("{name}.args")),
            args.join("\n") + "\n",
        )
        .map_err(|e| Error::new(format!("writing {name}.args: {e}")))?;
        let exe = bin.join(name);
        let child = Command::new(&exe)
            .args(&args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| Error::new(format!("starting {}: {e}", exe.display())))?;
        self.procs.push(Proc { name, child });
        Ok(())
    }

    /// Fails if a process has exited, naming it and quoting the end of its log.
    fn check_alive(&mut self) -> Result<(), Error> {
        for p in &mut self.procs {
            if let Ok(Some(status)) = p.child.try_wait() {
                let log_path = self.dir.join(format!("{}.log", p.name));
                return Err(Error::new(format!(
                    "{} exited ({status}) during start; the end of {}:\n{}",
                    p.name,
                    log_path.display(),
                    log_tail(&log_path, 15)
                )));
            }
        }
        Ok(())
    }

    fn port_clash(&self) -> bool {
        ["etcd", "kube-apiserver"].iter().any(|n| {
            fs::read_to_string(self.log_path(n)).is_ok_and(|s| s.contains("address already in use"))
        })
    }

    async fn wait_ready(&mut self) -> Result<(), Error> {
        let deadline = Instant::now() + START_TIMEOUT;
        let client = self.client();
        loop {
            self.check_alive()?;
            let req = http::Request::get("/readyz")
                .body(Vec::new())
                .map_err(|e| Error::new(e.to_string()))?;
            let last = match client.request_text(req).await {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            if Instant::now() > deadline {
                let log = self.log_path("kube-apiserver");
                return Err(Error::new(format!(
                    "kube-apiserver at {} was not ready after {}s (last answer: {last}); \
                     the end of {}:\n{}",
                    self.server,
                    START_TIMEOUT.as_secs(),
                    log.display(),
                    log_tail(&log, 15)
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn wait_controllers(&mut self) -> Result<(), Error> {
        let deadline = Instant::now() + START_TIMEOUT;
        let sas: Api<ServiceAccount> = Api::namespaced(self.client(), "default");
        loop {
            self.check_alive()?;
            if let Ok(Some(_)) = sas.get_opt("default").await {
                return Ok(());
            }
            if Instant::now() > deadline {
                let log = self.log_path("kube-controller-manager");
                return Err(Error::new(format!(
                    "kube-controller-manager made no `default` ServiceAccount within {}s; \
                     the end of {}:\n{}",
                    START_TIMEOUT.as_secs(),
                    log.display(),
                    log_tail(&log, 15)
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// A client with cluster-admin rights (user `testenv-admin`, group `system:masters`).
    pub fn client(&self) -> kube::Client {
        self.client
            .clone()
            .expect("the client is set before start returns")
    }

    /// The apiserver's URL, `https://127.0.0.1:<port>`.
    pub fn server_url(&self) -> &str {
        &self.server
    }

    /// The admin kubeconfig, as written to [`kubeconfig_path`](Self::kubeconfig_path).
    pub fn kubeconfig(&self) -> &Kubeconfig {
        &self.kubeconfig
    }

    /// A kubeconfig file for processes under test (`--kubeconfig`, `KUBECONFIG`).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig_path
    }

    /// The CA that signed the apiserver's certificate and the admin's; also usable to issue
    /// serving certificates for webhooks ([`Ca::serving_cert`]).
    pub fn ca(&self) -> &Ca {
        &self.ca
    }

    /// This instance's directory: certificates, kubeconfig, etcd data, `<process>.log` and
    /// `<process>.args`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The log file of `process` (`etcd`, `kube-apiserver`, `kube-controller-manager`).
    pub fn log_path(&self, process: &str) -> PathBuf {
        self.dir.join(format!("{process}.log"))
    }

    /// The process ids, in start order.
    pub fn pids(&self) -> Vec<u32> {
        self.procs.iter().map(|p| p.child.id()).collect()
    }

    /// Keep the directory after drop even if the test passes.
    pub fn keep(&mut self) {
        self.keep = true;
    }

    /// Kills kube-apiserver (SIGKILL, as a crash) and returns once it is gone; the other
    /// processes and etcd's data stay. [`ControlPlane::start_apiserver`] brings it back.
    pub fn kill_apiserver(&mut self) -> Result<(), Error> {
        let i = self
            .procs
            .iter()
            .position(|p| p.name == "kube-apiserver")
            .ok_or_else(|| Error::new("kube-apiserver is not running"))?;
        let mut p = self.procs.remove(i);
        let _ = p.child.kill();
        let _ = p.child.wait();
        Ok(())
    }

    /// Starts kube-apiserver again with the arguments (and so the port) it had, and waits until
    /// it is ready.
    pub async fn start_apiserver(&mut self) -> Result<(), Error> {
        let args_file = self.dir.join("kube-apiserver.args");
        let args: Vec<String> = fs::read_to_string(&args_file)
            .map_err(|e| Error::new(format!("reading {}: {e}", args_file.display())))?
            .lines()
            .map(str::to_string)
            .collect();
        self.spawn(&binaries_dir()?, "kube-apiserver", args)?;
        // Keep the stop order: the apiserver goes before etcd, after the controller-manager.
        let p = self.procs.pop().expect("just spawned");
        let at = self
            .procs
            .iter()
            .position(|p| p.name == "kube-controller-manager")
            .unwrap_or(self.procs.len());
        self.procs.insert(at, p);
        self.wait_ready().await
    }

    fn stop_all(&mut self) {
        // Reverse start order: controller-manager, apiserver, then etcd. SIGKILL, then reap, so
        // no process or zombie outlives the instance.
        while let Some(mut p) = self.procs.pop() {
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        self.stop_all();
        if self.keep || std::thread::panicking() {
            eprintln!(
                "testenv: kept {} (etcd.log, kube-apiserver.log, kube-controller-manager.log, \
                 kubeconfig)",
                self.dir.display()
            );
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    fs::write(path, text).map_err(|e| Error::new(format!("writing {}: {e}", path.display())))
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn free_ports() -> Result<[u16; 3], Error> {
    let listeners = (0..3)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::new(format!("binding a free loopback port: {e}")))?;
    let port = |i: usize| listeners[i].local_addr().map(|a| a.port());
    let ports = [port(0), port(1), port(2)];
    match ports {
        [Ok(a), Ok(b), Ok(c)] => Ok([a, b, c]),
        _ => Err(Error::new("reading a bound port")),
    }
}

/// A fresh directory under `$PLANTON_TESTENV_DIR`, else `<target>/testenv`, named after the test
/// (the thread name) so a kept one is easy to find.
fn instance_dir() -> Result<PathBuf, Error> {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let base = match std::env::var_os("PLANTON_TESTENV_DIR") {
        Some(d) => PathBuf::from(d),
        None => binaries::target_dir().join("testenv"),
    };
    let thread = std::thread::current();
    let test: String = thread
        .name()
        .unwrap_or("main")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(60)
        .collect();
    let dir = base.join(format!(
        "{test}-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| Error::new(format!("creating {}: {e}", dir.display())))?;
    Ok(dir)
}

fn kubeconfig_yaml(server: &str, ca_pem: &str, admin: &CertPair) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: testenv-admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
contexts:
- name: testenv
  context:
    cluster: testenv
    user: testenv-admin
    namespace: default
current-context: testenv
",
        ca = B64.encode(ca_pem),
        cert = B64.encode(&admin.cert_pem),
        key = B64.encode(&admin.key_pem),
    )
}
