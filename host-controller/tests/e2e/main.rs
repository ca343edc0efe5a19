//! End-to-end: the controller against a real control plane (testenv), with charts from
//! `tests/charts/` pushed by the real `helm push` into the real registry (Debian's
//! docker-registry) and fetched from `oci://`, or served by the test-only local chart map where
//! the fetching is not what a test is about, and the real `helm` CLI (the oracle) reading the
//! releases it writes. Each test starts its own control plane; some run the controller binary
//! as separate processes (killed with SIGKILL, stopped with SIGTERM, two at once for leader
//! election).

mod concurrency;
mod crds;
mod drift;
mod helm_parity;
mod lifecycle;
mod metrics;
mod planton;
mod processes;
mod references;
mod retries;
mod sharding;
mod sources;
mod tenancy;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use host_controller::release::Release;
use host_controller::{ChartProvider, HelmRelease, LocalCharts, SourceCharts, SourceOptions};
use host_runtime::{Config, Runtime};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, CustomResourceExt};
use serde_json::{Value, json};
use test_support::{Helm, Registry, ServeOptions, StaticServer, TempDir, tls};
use testenv::{ControlPlane, FakeKubelet, Options};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const REPO: &str = "https://charts.example.test";
const WAIT: Duration = Duration::from_secs(90);

fn runtime() -> Arc<Runtime> {
    static RUNTIME: OnceLock<Arc<Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| Arc::new(Runtime::new(Config::default()).expect("the core loads")))
        .clone()
}

fn chart_dir(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/charts/webapp-{version}"))
}

fn charts() -> LocalCharts {
    LocalCharts::new()
        .with(REPO, "webapp", "1.0.0", chart_dir("1.0.0"))
        .with(REPO, "webapp", "1.1.0", chart_dir("1.1.0"))
}

/// The real registry (with htpasswd auth when `auth` is given), holding webapp 1.0.0 and 1.1.0
/// as the real `helm package` and `helm push` wrote them.
struct ChartRegistry {
    registry: Registry,
    /// The controller's chart cache.
    cache: TempDir,
}

impl ChartRegistry {
    fn start(auth: Option<(&str, &str)>) -> ChartRegistry {
        let helm = Helm::new();
        let registry = Registry::start(auth);
        let packages = TempDir::new("controller-packages");
        for version in ["1.0.0", "1.1.0"] {
            let archive = helm.package(&chart_dir(version), version, packages.path());
            registry.push(&helm, &archive, auth);
        }
        ChartRegistry {
            registry,
            cache: TempDir::new("controller-chart-cache"),
        }
    }

    /// `oci://127.0.0.1:PORT/charts`
    fn repo(&self) -> String {
        self.registry.repo()
    }

    /// The controller's real chart provider for this registry (a fresh cache; the releases say
    /// `plainHttp: true`).
    fn provider(&self) -> Arc<dyn ChartProvider> {
        Arc::new(
            SourceCharts::new(SourceOptions {
                cache_dir: Some(self.cache.path().to_path_buf()),
                ..SourceOptions::default()
            })
            .expect("provider"),
        )
    }
}

/// A control plane with the CRD installed and Pods made Ready.
struct Env {
    cp: ControlPlane,
    client: Client,
    _kubelet: FakeKubelet,
}

/// A controller running in this process (without leader election); dropping it stops it.
struct Controller {
    task: JoinHandle<()>,
    _stop: oneshot::Sender<()>,
}

impl Controller {
    fn start(client: &Client) -> Controller {
        Controller::start_with(client, Arc::new(charts()))
    }

    fn start_with(client: &Client, charts: Arc<dyn ChartProvider>) -> Controller {
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(host_controller::run(
            client.clone(),
            runtime(),
            charts,
            async {
                let _ = rx.await;
            },
        ));
        Controller { task, _stop: tx }
    }

    /// A controller whose cluster Project Planton manifests call `cluster_name`.
    fn start_named(client: &Client, cluster_name: &str) -> Controller {
        Controller::start_with_options(
            client,
            host_controller::ControllerOptions {
                cluster_name: Some(cluster_name.to_string()),
                ..Default::default()
            },
        )
    }

    /// A controller run with `options` (the `run` flags), charts from the local map.
    fn start_with_options(
        client: &Client,
        options: host_controller::ControllerOptions,
    ) -> Controller {
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(host_controller::run_with_metrics(
            client.clone(),
            runtime(),
            Arc::new(charts()),
            Arc::default(),
            options,
            async {
                let _ = rx.await;
            },
        ));
        Controller { task, _stop: tx }
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The controller binary as its own process, with leader election on (a short Lease), charts
/// from `registry`, and its JSON log in a file.
struct Process {
    child: Child,
    name: String,
    log: PathBuf,
}

impl Process {
    fn start(env: &Env, registry: &ChartRegistry, name: &str) -> Process {
        Process::start_with(env, registry.cache.path(), name, &[])
    }

    /// With the chart cache `cache` and `extra` flags.
    fn start_with(env: &Env, cache: &Path, name: &str, extra: &[&str]) -> Process {
        let log = env.cp.dir().join(format!("controller-{name}.log"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
            .args(["run", "--metrics-addr", "127.0.0.1:0"])
            .arg("--chart-cache")
            .arg(cache)
            .args(extra)
            .args(["--lease-duration", LEASE])
            .args(["--leader-election-namespace", "default"])
            .env("KUBECONFIG", env.cp.kubeconfig_path())
            .env("POD_NAME", name)
            .env("RUST_LOG", "info")
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .stdin(Stdio::null())
            .spawn()
            .expect("the controller binary starts");
        Process {
            child,
            name: name.to_string(),
            log,
        }
    }

    /// SIGKILL: no cleanup of any kind runs.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, then waits for the graceful shutdown; returns whether it exited with 0.
    fn terminate(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {pid}");
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.success();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} did not stop after SIGTERM; log {}",
                self.name,
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Lease duration of the process tests: short, so that a takeover after a SIGKILL is quick.
const LEASE: &str = "3s";

impl Env {
    async fn start() -> Env {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let cp = ControlPlane::start_with(Options::new().controller_manager(true))
            .await
            .expect("control plane starts");
        let client = cp.client();
        test_support::cluster::install_crd(&client, &HelmRelease::crd(), WAIT).await;
        let kubelet = FakeKubelet::start(client.clone(), None);
        Env {
            cp,
            client,
            _kubelet: kubelet,
        }
    }

    fn hrs(&self, ns: &str) -> Api<HelmRelease> {
        Api::namespaced(self.client.clone(), ns)
    }

    async fn create_namespace(&self, ns: &str) {
        let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(self.client.clone());
        api.patch(
            ns,
            &PatchParams::apply("test"),
            &Patch::Apply(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            ),
        )
        .await
        .expect("namespace");
    }

    async fn apply_hr(&self, ns: &str, name: &str, spec: Value) {
        self.apply_hr_labelled(ns, name, None, spec).await
    }

    /// [`Env::apply_hr`] with `labels` on the HelmRelease.
    async fn apply_hr_labelled(&self, ns: &str, name: &str, labels: Option<Value>, spec: Value) {
        let mut body = json!({
            "apiVersion": "kubernetes.project-planton.org/v1",
            "kind": "HelmRelease",
            "metadata": {"name": name, "namespace": ns},
            "spec": spec,
        });
        if let Some(labels) = labels {
            body["metadata"]["labels"] = labels;
        }
        self.hrs(ns)
            .patch(
                name,
                &PatchParams::apply("test").force(),
                &Patch::Apply(body),
            )
            .await
            .expect("HelmRelease applied");
    }

    /// Sets annotations of a HelmRelease (as `kubectl annotate --overwrite` does).
    async fn annotate(&self, ns: &str, name: &str, annotations: Value) {
        self.hrs(ns)
            .patch(
                name,
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"annotations": annotations}})),
            )
            .await
            .expect("HelmRelease annotated");
    }

    /// `(reason, message)` of every Event about HelmRelease `name` in `ns`, oldest first.
    async fn event_messages(&self, ns: &str, name: &str) -> Vec<(String, String)> {
        let api: Api<k8s_openapi::api::events::v1::Event> =
            Api::namespaced(self.client.clone(), ns);
        let mut events: Vec<_> = api
            .list(&ListParams::default())
            .await
            .expect("events")
            .items
            .into_iter()
            .filter(|e| {
                e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name)
                    && e.regarding.as_ref().and_then(|r| r.kind.as_deref()) == Some("HelmRelease")
            })
            .collect();
        events.sort_by_key(|e| e.metadata.creation_timestamp.clone().map(|t| t.0));
        events
            .into_iter()
            .map(|e| (e.reason.unwrap_or_default(), e.note.unwrap_or_default()))
            .collect()
    }

    /// Waits until the HelmRelease's status describes its current generation and `pred` holds.
    async fn wait_status(
        &self,
        ns: &str,
        name: &str,
        what: &str,
        pred: impl Fn(&HelmRelease) -> bool,
    ) -> HelmRelease {
        let api = self.hrs(ns);
        wait_for(what, || async {
            let hr = api.get(name).await.ok()?;
            let status = hr.status.as_ref()?;
            (status.observed_generation == hr.metadata.generation && pred(&hr)).then_some(hr)
        })
        .await
    }

    async fn wait_ready(&self, ns: &str, name: &str, revision: u32) -> HelmRelease {
        self.wait_status(
            ns,
            name,
            &format!("{name} Ready at revision {revision}"),
            |hr| {
                let s = hr.status.as_ref().expect("status");
                condition(hr, "Ready") == Some("True".into())
                    && s.last_applied_revision == Some(revision)
            },
        )
        .await
    }

    /// The release records, decoded, by revision.
    async fn records(&self, ns: &str, name: &str) -> Vec<(Secret, Release)> {
        let secrets: Api<Secret> = Api::namespaced(self.client.clone(), ns);
        let lp = ListParams::default().labels(&format!("owner=helm,name={name}"));
        let mut out: Vec<(Secret, Release)> = secrets
            .list(&lp)
            .await
            .expect("list secrets")
            .items
            .into_iter()
            .map(|s| {
                let data = &s.data.as_ref().expect("data")["release"].0;
                let release = Release::decode(data).expect("a Helm release record");
                (s, release)
            })
            .collect();
        out.sort_by_key(|(_, r)| r.version);
        out
    }

    /// Runs the real `helm` with this control plane's kubeconfig.
    fn helm(&self, args: &[&str]) -> String {
        let out = self.helm_output(args);
        assert!(
            out.status.success(),
            "helm {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs the real `helm` with this control plane's kubeconfig, successful or not.
    fn helm_output(&self, args: &[&str]) -> std::process::Output {
        Command::new(helm_bin())
            .args(args)
            .arg("--kubeconfig")
            .arg(self.cp.kubeconfig_path())
            .env(
                "HELM_CACHE_HOME",
                self.cp.kubeconfig_path().with_file_name("helm-cache"),
            )
            .env(
                "HELM_CONFIG_HOME",
                self.cp.kubeconfig_path().with_file_name("helm-config"),
            )
            .env(
                "HELM_DATA_HOME",
                self.cp.kubeconfig_path().with_file_name("helm-data"),
            )
            .output()
            .expect("helm runs")
    }

    async fn deployment(&self, ns: &str, name: &str) -> Option<Deployment> {
        let api: Api<Deployment> = Api::namespaced(self.client.clone(), ns);
        api.get_opt(name).await.expect("get deployment")
    }

    async fn configmap(&self, ns: &str, name: &str) -> Option<ConfigMap> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), ns);
        api.get_opt(name).await.expect("get configmap")
    }

    /// `(reason, reportingInstance)` of every Event about a HelmRelease in `ns`, oldest first.
    async fn events(&self, ns: &str) -> Vec<(String, String)> {
        let api: Api<k8s_openapi::api::events::v1::Event> =
            Api::namespaced(self.client.clone(), ns);
        let mut events: Vec<_> = api
            .list(&ListParams::default())
            .await
            .expect("events")
            .items
            .into_iter()
            .filter(|e| e.regarding.as_ref().and_then(|r| r.kind.as_deref()) == Some("HelmRelease"))
            .collect();
        events.sort_by_key(|e| e.metadata.creation_timestamp.clone().map(|t| t.0));
        events
            .into_iter()
            .map(|e| {
                (
                    e.reason.unwrap_or_default(),
                    e.reporting_instance.unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The holder of the controller's leader election Lease in `default`.
    async fn lease_holder(&self) -> Option<String> {
        self.lease_holder_of(host_controller::LeaderElection::DEFAULT_NAME)
            .await
    }

    /// The holder of Lease `name` in `default`.
    async fn lease_holder_of(&self, name: &str) -> Option<String> {
        let api: Api<k8s_openapi::api::coordination::v1::Lease> =
            Api::namespaced(self.client.clone(), "default");
        api.get_opt(name)
            .await
            .expect("get lease")?
            .spec?
            .holder_identity
    }

    /// The status of every HelmRelease in `ns`, as JSON (to search for what must not be there).
    async fn statuses_json(&self, ns: &str) -> Vec<String> {
        self.hrs(ns)
            .list(&ListParams::default())
            .await
            .expect("list")
            .items
            .iter()
            .map(|hr| serde_json::to_string(&hr.status).expect("json"))
            .collect()
    }

    async fn event_reasons(&self, ns: &str) -> Vec<String> {
        let api: Api<k8s_openapi::api::events::v1::Event> =
            Api::namespaced(self.client.clone(), ns);
        api.list(&ListParams::default())
            .await
            .expect("events")
            .items
            .into_iter()
            .filter_map(|e| e.reason)
            .collect()
    }
}

fn helm_bin() -> PathBuf {
    test_support::helm::oracle()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_path_buf()
}

fn condition(hr: &HelmRelease, kind: &str) -> Option<String> {
    hr.condition(kind).map(|c| c.status.clone())
}

/// The reason of `Stalled=True`, if the release is stalled.
fn stalled_reason(hr: &HelmRelease) -> Option<String> {
    hr.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == "Stalled" && c.status == "True")
        .map(|c| c.reason.clone())
}

fn ready_message(hr: &HelmRelease) -> String {
    hr.condition("Ready")
        .map(|c| format!("{}: {}", c.reason, c.message))
        .unwrap_or_default()
}

async fn wait_for<T, F, Fut>(what: &str, f: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    test_support::eventually_within(what, WAIT, Duration::from_millis(250), f).await
}

fn condition_of(hr: &HelmRelease, kind: &str) -> Option<host_controller::crd::Condition> {
    hr.condition(kind).cloned()
}

/// Every Event's reason and note about a HelmRelease in `ns`, for leak checks and messages.
async fn event_notes(env: &Env, ns: &str) -> Vec<(String, String)> {
    let api: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(env.client.clone(), ns);
    api.list(&ListParams::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .map(|e| (e.reason.unwrap_or_default(), e.note.unwrap_or_default()))
        .collect()
}

fn webapp(version: &str, values: Value) -> Value {
    json!({"repo": REPO, "name": "webapp", "version": version, "values": values,
           "wait": true, "timeout": "60s"})
}
