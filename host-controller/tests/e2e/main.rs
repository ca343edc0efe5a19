//! End-to-end: the controller against a real control plane (testenv), with charts from
//! `tests/charts/` pushed by the real `helm push` into the real registry (Debian's
//! docker-registry) and fetched from `oci://`, or served by the test-only local chart map where
//! the fetching is not what a test is about, and the real `helm` CLI (the oracle) reading the
//! releases it writes. Each test starts its own control plane; some run the controller binary
//! as separate processes (killed with SIGKILL, stopped with SIGTERM, two at once for leader
//! election).

mod sharding;
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
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(host_controller::run_with_metrics(
            client.clone(),
            runtime(),
            Arc::new(charts()),
            Arc::default(),
            host_controller::ControllerOptions {
                cluster_name: Some(cluster_name.to_string()),
                ..Default::default()
            },
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
        let api: Api<k8s_openapi::api::coordination::v1::Lease> =
            Api::namespaced(self.client.clone(), "default");
        api.get_opt(host_controller::LeaderElection::DEFAULT_NAME)
            .await
            .expect("get lease")?
            .spec?
            .holder_identity
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
    hr.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == kind)
        .map(|c| c.status.clone())
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
    hr.status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
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

fn webapp(version: &str, values: Value) -> Value {
    json!({"repo": REPO, "name": "webapp", "version": version, "values": values,
           "wait": true, "timeout": "60s"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn install_upgrade_prune_and_uninstall_with_helm_reading_our_releases() {
    let env = Env::start().await;
    // Charts come from the real registry, behind htpasswd, through the real chart provider.
    let registry = ChartRegistry::start(Some(("deployer", "s3cret-pw")));
    let repo = registry.repo();
    let _controller = Controller::start_with(&env.client, registry.provider());
    let ns = "apps";
    env.create_namespace(ns).await;
    let webapp = |version: &str, values: Value| {
        let mut spec = webapp(version, values);
        spec["repo"] = json!(repo);
        spec["plainHttp"] = json!(true);
        spec["credentialsRef"] = json!({"name": "registry-login"});
        spec
    };

    // A credentials Secret that does not exist: Ready=False (it may appear), not stalled, nothing
    // made.
    let mut locked = webapp("1.0.0", json!({}));
    locked["credentialsRef"] = json!({"name": "no-such-login"});
    env.apply_hr(ns, "locked", locked).await;
    let hr = env
        .wait_status(ns, "locked", "the fetch to fail", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with(
            "ChartFetchFailed: Secret apps/no-such-login (spec.credentialsRef) not found"
        ),
        "{message}"
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert!(env.records(ns, "locked").await.is_empty());
    env.hrs(ns)
        .delete("locked", &DeleteParams::default())
        .await
        .unwrap();
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({
                "metadata": {"name": "registry-login"},
                "stringData": {"username": "deployer", "password": "s3cret-pw"},
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    // `lookup` in the chart reads this from the live cluster.
    let cms: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    cms.create(
        &PostParams::default(),
        &serde_json::from_value(
            json!({"metadata": {"name": "webapp-seed"}, "data": {"seed": "42"}}),
        )
        .unwrap(),
    )
    .await
    .unwrap();

    // Install.
    env.apply_hr(
        ns,
        "web",
        webapp(
            "1.0.0",
            json!({"message": "one", "keptConfig": {"enabled": true}}),
        ),
    )
    .await;
    let hr = env.wait_ready(ns, "web", 1).await;
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert_eq!(condition(&hr, "Reconciling").as_deref(), Some("False"));
    assert!(
        hr.metadata
            .finalizers
            .unwrap_or_default()
            .contains(&host_controller::reconcile::FINALIZER.to_string())
    );
    let d = env.deployment(ns, "web-webapp").await.expect("deployment");
    assert_eq!(
        d.status.unwrap().available_replicas,
        Some(1),
        "waited for readiness"
    );
    let cm = env.configmap(ns, "web-webapp").await.expect("configmap");
    let data = cm.data.unwrap();
    assert_eq!(data["MESSAGE"], "one");
    assert_eq!(data["SEED"], "42", "lookup read the live cluster");
    assert!(
        cm.metadata
            .managed_fields
            .unwrap()
            .iter()
            .any(|m| m.manager.as_deref() == Some("planton-helm")
                && m.operation.as_deref() == Some("Apply"))
    );
    let records = env.records(ns, "web").await;
    assert_eq!(records.len(), 1);
    let (secret, release) = &records[0];
    assert_eq!(
        secret.metadata.name.as_deref(),
        Some("sh.helm.release.v1.web.v1")
    );
    assert_eq!(secret.type_.as_deref(), Some("helm.sh/release.v1"));
    let labels = secret.metadata.labels.clone().unwrap();
    assert_eq!(labels["owner"], "helm");
    assert_eq!(labels["status"], "deployed");
    assert_eq!(labels["version"], "1");
    assert!(labels["createdAt"].parse::<i64>().is_ok(), "{labels:?}");
    assert!(labels["modifiedAt"].parse::<i64>().is_ok(), "{labels:?}");
    assert_eq!(release.info.status, "deployed");

    // The real helm reads it.
    let list: Value = serde_json::from_str(&env.helm(&["list", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(list[0]["name"], "web");
    assert_eq!(list[0]["status"], "deployed");
    assert_eq!(list[0]["chart"], "webapp-1.0.0");
    assert_eq!(list[0]["app_version"], "1.0");
    assert_eq!(list[0]["revision"], "1");
    let values: Value =
        serde_json::from_str(&env.helm(&["get", "values", "web", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(values["message"], "one");
    // `helm get manifest` prints what `helm template` prints for the same chart and values
    // (without hooks); SEED differs only because helm template has no cluster for lookup.
    let manifest = env.helm(&["get", "manifest", "web", "-n", ns]);
    let chart_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts/webapp-1.0.0");
    let template = Command::new(helm_bin())
        .args(["template", "web"])
        .arg(&chart_dir)
        .args(["-n", ns, "--set", "message=one,keptConfig.enabled=true"])
        .output()
        .unwrap();
    let template = String::from_utf8(template.stdout).unwrap();
    assert_eq!(
        manifest
            .replace("SEED: \"42\"", "SEED: \"none\"")
            .trim_end(),
        template.trim_end()
    );

    // Values change: revision 2 adds a ConfigMap.
    env.apply_hr(ns, "web", webapp("1.0.0", json!({"message": "two", "extraConfig": {"enabled": true}, "keptConfig": {"enabled": true}})))
        .await;
    env.wait_ready(ns, "web", 2).await;
    assert_eq!(
        env.configmap(ns, "web-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "two"
    );
    assert!(env.configmap(ns, "web-webapp-extra").await.is_some());
    let statuses: Vec<String> = env
        .records(ns, "web")
        .await
        .into_iter()
        .map(|(_, r)| r.info.status)
        .collect();
    assert_eq!(statuses, ["superseded", "deployed"]);

    // Values change that removes it: revision 3 prunes it.
    env.apply_hr(
        ns,
        "web",
        webapp(
            "1.0.0",
            json!({"message": "three", "keptConfig": {"enabled": true}}),
        ),
    )
    .await;
    env.wait_ready(ns, "web", 3).await;
    wait_for("the extra ConfigMap to be pruned", || async {
        env.configmap(ns, "web-webapp-extra")
            .await
            .is_none()
            .then_some(())
    })
    .await;

    // Version change: revision 4 with chart 1.1.0.
    env.apply_hr(
        ns,
        "web",
        webapp(
            "1.1.0",
            json!({"message": "three", "keptConfig": {"enabled": true}}),
        ),
    )
    .await;
    let hr = env.wait_ready(ns, "web", 4).await;
    assert_eq!(hr.status.unwrap().chart_version.as_deref(), Some("1.1.0"));
    let d = env.deployment(ns, "web-webapp").await.unwrap();
    assert_eq!(d.metadata.labels.unwrap()["helm.sh/chart"], "webapp-1.1.0");
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "web", "-n", ns, "-o", "json"])).unwrap();
    let rows: Vec<(i64, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
                r["chart"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "superseded".into(), "webapp-1.0.0".into()),
            (2, "superseded".into(), "webapp-1.0.0".into()),
            (3, "superseded".into(), "webapp-1.0.0".into()),
            (4, "deployed".into(), "webapp-1.1.0".into()),
        ]
    );
    let reasons = env.event_reasons(ns).await;
    assert!(
        reasons.iter().any(|r| r == "InstallSucceeded"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r == "UpgradeSucceeded"),
        "{reasons:?}"
    );

    // Uninstall: delete, the finalizer removes the objects and the records, keeps the kept one.
    env.hrs(ns)
        .delete("web", &DeleteParams::default())
        .await
        .unwrap();
    wait_for("the HelmRelease to be gone", || async {
        env.hrs(ns)
            .get_opt("web")
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;
    assert!(env.deployment(ns, "web-webapp").await.is_none());
    assert!(env.configmap(ns, "web-webapp").await.is_none());
    assert!(
        env.configmap(ns, "web-webapp-kept").await.is_some(),
        "resource-policy keep"
    );
    assert!(env.records(ns, "web").await.is_empty());
    assert_eq!(env.helm(&["list", "-n", ns, "-q"]).trim(), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn atomic_upgrade_rolls_back_after_a_timeout_and_after_a_failing_hook() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let spec = |values: Value, timeout: &str| {
        json!({"repo": REPO, "name": "webapp", "version": "1.0.0", "values": values,
               "atomic": true, "timeout": timeout})
    };
    env.apply_hr(ns, "api", spec(json!({"message": "good"}), "60s"))
        .await;
    env.wait_ready(ns, "api", 1).await;

    // Pods that never start: the wait times out, the release rolls back to revision 1.
    env.apply_hr(
        ns,
        "api",
        spec(json!({"message": "bad", "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}}), "5s"),
    )
    .await;
    let hr = env
        .wait_status(ns, "api", "the upgrade to fail", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(message.starts_with("UpgradeFailed"), "{message}");
    assert!(message.contains("timed out"), "{message}");
    assert!(
        message.contains("rolled back to revision 1 as revision 3"),
        "{message}"
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("True"));
    let statuses: Vec<(u32, String)> = env
        .records(ns, "api")
        .await
        .into_iter()
        .map(|(_, r)| (r.version, r.info.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "deployed".into())
        ]
    );
    let cm = env.configmap(ns, "api-webapp").await.unwrap();
    assert_eq!(cm.data.unwrap()["MESSAGE"], "good", "rolled back");

    // A pre-upgrade hook whose Job fails: nothing of the upgrade is applied, rolled back.
    env.apply_hr(
        ns,
        "api",
        spec(
            json!({"message": "hooked", "hooks": {"preUpgrade": true, "phase": "Failed"}}),
            "30s",
        ),
    )
    .await;
    let hr = env
        .wait_status(ns, "api", "the hooked upgrade to fail", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
                && ready_message(hr).contains("revision 4")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.contains("pre-upgrade hook Job default/api-webapp-migrate failed")
            || message.contains("pre-upgrade hook Job api-webapp-migrate failed"),
        "{message}"
    );
    assert!(
        message.contains("rolled back to revision 3 as revision 5"),
        "{message}"
    );
    assert_eq!(
        env.configmap(ns, "api-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "good"
    );
    // helm sees the rollback too.
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "api", "-n", ns, "-o", "json"])).unwrap();
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["status"], "deployed");
    assert_eq!(last["description"], "Rollback to 3");
    let reasons = env.event_reasons(ns).await;
    assert!(reasons.iter().any(|r| r == "UpgradeFailed"), "{reasons:?}");
}

/// `last_run.phase` of hook `name` in the record of `revision`.
async fn hook_phase(env: &Env, ns: &str, release: &str, revision: u32, name: &str) -> String {
    let records = env.records(ns, release).await;
    let (_, record) = records
        .iter()
        .find(|(_, r)| r.version == revision)
        .unwrap_or_else(|| panic!("no record of revision {revision}"));
    let hook = record
        .hooks
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("no hook {name} in revision {revision}: {:?}", record.hooks));
    hook["last_run"]["phase"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rollback_hooks_run_on_an_atomic_rollback_and_test_hooks_set_test_success() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let spec = |values: Value| {
        json!({"repo": REPO, "name": "webapp", "version": "1.0.0", "values": values,
               "atomic": true, "timeout": "30s", "test": {"enable": true, "timeout": "30s"}})
    };
    let test_success = |hr: &HelmRelease, value: &str, revision: u32| {
        condition(hr, "TestSuccess").as_deref() == Some(value)
            && hr.status.as_ref().unwrap().last_applied_revision == Some(revision)
    };

    // Revision 1 has rollback hooks and a test Pod that succeeds.
    env.apply_hr(
        ns,
        "tst",
        spec(json!({"message": "good", "hooks": {"rollback": true}, "tests": {"enabled": true}})),
    )
    .await;
    let hr = env
        .wait_status(ns, "tst", "the test of revision 1 to pass", |hr| {
            test_success(hr, "True", 1)
        })
        .await;
    assert_eq!(condition(&hr, "Ready").as_deref(), Some("True"));
    assert_eq!(
        hook_phase(&env, ns, "tst", 1, "tst-webapp-test-connection").await,
        "Succeeded"
    );
    assert!(env.configmap(ns, "tst-webapp-pre-rollback").await.is_none());
    assert!(
        env.event_reasons(ns)
            .await
            .contains(&"TestSucceeded".to_string())
    );

    // Revision 2 fails (its pre-upgrade Job fails) and has no rollback hooks of its own: the
    // rollback to revision 1 runs revision 1's pre- and post-rollback hooks.
    env.apply_hr(
        ns,
        "tst",
        spec(
            json!({"message": "bad", "hooks": {"preUpgrade": true, "phase": "Failed"},
                    "tests": {"enabled": true}}),
        ),
    )
    .await;
    let hr = env
        .wait_status(ns, "tst", "the upgrade to fail and roll back", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.contains("rolled back to revision 1 as revision 3"),
        "{message}"
    );
    for hook in ["tst-webapp-pre-rollback", "tst-webapp-post-rollback"] {
        let cm = env.configmap(ns, hook).await.expect(hook);
        assert_eq!(cm.data.unwrap()["restoredRevision"], "1", "{hook}");
        assert_eq!(hook_phase(&env, ns, "tst", 3, hook).await, "Succeeded");
    }
    assert_eq!(
        env.configmap(ns, "tst-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "good"
    );

    // Revision 4 deploys, but its test Pod fails: TestSuccess=False, the release stays deployed.
    env.apply_hr(
        ns,
        "tst",
        spec(json!({"message": "v4", "tests": {"enabled": true, "phase": "Failed"}})),
    )
    .await;
    let hr = env
        .wait_status(ns, "tst", "the test of revision 4 to fail", |hr| {
            test_success(hr, "False", 4)
        })
        .await;
    assert_eq!(condition(&hr, "Ready").as_deref(), Some("True"));
    let test = hr
        .status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == "TestSuccess")
        .unwrap();
    assert!(
        test.message
            .contains("test hook Pod default/tst-webapp-test-connection failed")
            || test
                .message
                .contains("test hook Pod tst-webapp-test-connection failed"),
        "{}",
        test.message
    );
    assert_eq!(
        hook_phase(&env, ns, "tst", 4, "tst-webapp-test-connection").await,
        "Failed"
    );
    let records = env.records(ns, "tst").await;
    assert_eq!(records.last().unwrap().1.info.status, "deployed");
    assert!(
        env.event_reasons(ns)
            .await
            .contains(&"TestFailed".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_controller_process_killed_mid_upgrade_restarts_and_recovers_with_nothing_lost() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |values: Value| {
        let mut spec = webapp("1.0.0", values);
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };
    let mut first = Process::start(&env, &registry, "ctl-first");
    env.apply_hr(ns, "db", spec(json!({"message": "v1"}))).await;
    env.wait_ready(ns, "db", 1).await;

    // An upgrade whose Pods never become ready, so it waits (up to 10m); SIGKILL the process
    // while it does.
    let mut stuck = spec(
        json!({"message": "v2", "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}}),
    );
    stuck["timeout"] = json!("10m");
    env.apply_hr(ns, "db", stuck).await;
    wait_for(
        "revision 2 to be pending-upgrade, waiting for its Pods",
        || async {
            let records = env.records(ns, "db").await;
            let pending = records.len() == 2 && records[1].1.info.status == "pending-upgrade";
            let applied = env
                .configmap(ns, "db-webapp")
                .await
                .and_then(|cm| cm.data)
                .is_some_and(|d| d["MESSAGE"] == "v2");
            (pending && applied).then_some(())
        },
    )
    .await;
    first.kill();
    let log = first.log();
    assert!(
        !log.contains("UpgradeFailed") && !log.contains("UpgradeSucceeded"),
        "killed before the upgrade ended:\n{log}"
    );
    assert_eq!(
        env.records(ns, "db").await[1].1.info.status,
        "pending-upgrade",
        "the kill left the release mid-operation"
    );

    // A new spec and a restarted process (a new identity: it takes the Lease over when the dead
    // one's expires): revision 2 is marked failed, revision 3 deploys.
    env.apply_hr(ns, "db", spec(json!({"message": "v3"}))).await;
    let second = Process::start(&env, &registry, "ctl-second");
    env.wait_ready(ns, "db", 3).await;
    let statuses: Vec<(u32, String)> = env
        .records(ns, "db")
        .await
        .into_iter()
        .map(|(_, r)| (r.version, r.info.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "deployed".into())
        ]
    );
    assert_eq!(
        env.configmap(ns, "db-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "v3"
    );
    let reasons = env.event_reasons(ns).await;
    assert!(reasons.iter().any(|r| r == "Recovered"), "{reasons:?}");
    // Nothing lost: helm reads every revision, with the interrupted one said to be so.
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "db", "-n", ns, "-o", "json"])).unwrap();
    let rows: Vec<(i64, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "deployed".into())
        ]
    );
    let interrupted = history[1]["description"].as_str().unwrap();
    assert!(
        interrupted.contains("pending-upgrade was interrupted"),
        "{interrupted}"
    );
    let values: Value = serde_json::from_str(&env.helm(&[
        "get",
        "values",
        "db",
        "-n",
        ns,
        "--revision",
        "2",
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(
        values["message"], "v2",
        "the interrupted revision's values are kept"
    );
    // helm can act on it: a rollback through the real CLI works on our records.
    env.helm(&["rollback", "db", "1", "-n", ns, "--wait=false"]);
    let records = env.records(ns, "db").await;
    assert_eq!(records.last().unwrap().1.version, 4);
    assert_eq!(records.last().unwrap().1.info.status, "deployed");
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_controller_process_killed_mid_rollback_restarts_and_recovers_with_nothing_lost() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |values: Value| {
        let mut spec = webapp("1.0.0", values);
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };
    let mut first = Process::start(&env, &registry, "ctl-first");
    // Revision 1 is deployed without waiting, and its Pods never become ready, so a rollback to
    // it waits (up to the timeout).
    let mut v1 = spec(json!({"message": "v1",
        "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}}));
    v1["wait"] = json!(false);
    env.apply_hr(ns, "db", v1).await;
    env.wait_ready(ns, "db", 1).await;

    // An atomic upgrade whose pre-upgrade Job fails: revision 3 rolls back to revision 1 and
    // waits for its Pods; SIGKILL the process while it does.
    let mut failing = spec(json!({"message": "v2",
        "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"},
        "hooks": {"preUpgrade": true, "phase": "Failed"}}));
    failing["atomic"] = json!(true);
    failing["timeout"] = json!("10m");
    env.apply_hr(ns, "db", failing).await;
    wait_for("revision 3 to be pending-rollback", || async {
        let records = env.records(ns, "db").await;
        (records.len() == 3 && records[2].1.info.status == "pending-rollback").then_some(())
    })
    .await;
    first.kill();
    let log = first.log();
    assert!(
        !log.contains("UpgradeFailed"),
        "killed before the remediation ended:\n{log}"
    );
    let statuses = |records: Vec<(Secret, Release)>| -> Vec<(u32, String)> {
        records
            .into_iter()
            .map(|(_, r)| (r.version, r.info.status))
            .collect()
    };
    assert_eq!(
        statuses(env.records(ns, "db").await),
        [
            (1, "deployed".into()),
            (2, "failed".into()),
            (3, "pending-rollback".into())
        ],
        "the kill left the rollback mid-operation"
    );

    // A fixed spec and a restarted process: revision 3 is marked failed, revision 4 deploys.
    env.apply_hr(ns, "db", spec(json!({"message": "v3"}))).await;
    let second = Process::start(&env, &registry, "ctl-second");
    env.wait_ready(ns, "db", 4).await;
    assert_eq!(
        statuses(env.records(ns, "db").await),
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "failed".into()),
            (4, "deployed".into())
        ]
    );
    assert_eq!(
        env.configmap(ns, "db-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "v3"
    );
    let reasons = env.event_reasons(ns).await;
    assert!(reasons.iter().any(|r| r == "Recovered"), "{reasons:?}");
    // Nothing lost: helm reads every revision; the interrupted rollback says so and keeps the
    // values of the revision it restored.
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "db", "-n", ns, "-o", "json"])).unwrap();
    let interrupted = history[2]["description"].as_str().unwrap();
    assert!(
        interrupted.contains("pending-rollback was interrupted"),
        "{interrupted}"
    );
    let values: Value = serde_json::from_str(&env.helm(&[
        "get",
        "values",
        "db",
        "-n",
        ns,
        "--revision",
        "3",
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(values["message"], "v1", "revision 3 restored revision 1");
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_controller_processes_elect_one_leader_and_the_other_takes_over() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |message: &str| {
        let mut spec = webapp("1.0.0", json!({"message": message}));
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };
    let mut a = Process::start(&env, &registry, "ctl-a");
    wait_for("ctl-a to hold the Lease", || async {
        (env.lease_holder().await.as_deref() == Some("ctl-a")).then_some(())
    })
    .await;
    let mut b = Process::start(&env, &registry, "ctl-b");
    wait_for("ctl-b to be up", || async {
        b.log()
            .contains("waiting for the leader election lease")
            .then_some(())
    })
    .await;

    // Only the leader acts: every Event about the release comes from ctl-a.
    env.apply_hr(ns, "duo", spec("one")).await;
    env.wait_ready(ns, "duo", 1).await;
    let events = env.events(ns).await;
    assert!(!events.is_empty());
    assert!(
        events.iter().all(|(_, instance)| instance == "ctl-a"),
        "{events:?}"
    );
    assert_eq!(env.lease_holder().await.as_deref(), Some("ctl-a"));
    assert!(!b.log().contains("InstallSucceeded"), "{}", b.log());

    // A graceful stop releases the Lease: ctl-b takes over without waiting for it to expire,
    // and the next change is its.
    assert!(a.terminate(), "ctl-a exits 0 after SIGTERM:\n{}", a.log());
    assert!(a.log().contains("released the lease"), "{}", a.log());
    wait_for("ctl-b to take the released Lease", || async {
        (env.lease_holder().await.as_deref() == Some("ctl-b")).then_some(())
    })
    .await;
    env.apply_hr(ns, "duo", spec("two")).await;
    env.wait_ready(ns, "duo", 2).await;
    let events = env.events(ns).await;
    let upgrade = events
        .iter()
        .find(|(reason, _)| reason == "UpgradeSucceeded")
        .expect("an UpgradeSucceeded event");
    assert_eq!(upgrade.1, "ctl-b", "{events:?}");

    // A killed leader releases nothing: a new standby takes over once the Lease expires.
    let a2 = Process::start(&env, &registry, "ctl-a2");
    wait_for("ctl-a2 to be up", || async {
        a2.log()
            .contains("waiting for the leader election lease")
            .then_some(())
    })
    .await;
    b.kill();
    wait_for("ctl-a2 to take the expired Lease", || async {
        (env.lease_holder().await.as_deref() == Some("ctl-a2")).then_some(())
    })
    .await;
    env.apply_hr(ns, "duo", spec("three")).await;
    env.wait_ready(ns, "duo", 3).await;
    let instances: Vec<String> = env
        .events(ns)
        .await
        .into_iter()
        .filter(|(reason, _)| reason == "UpgradeSucceeded")
        .map(|(_, instance)| instance)
        .collect();
    assert_eq!(instances, ["ctl-b", "ctl-a2"]);
    let lease: k8s_openapi::api::coordination::v1::Lease =
        Api::namespaced(env.client.clone(), "default")
            .get(host_controller::LeaderElection::DEFAULT_NAME)
            .await
            .unwrap();
    assert_eq!(lease.spec.unwrap().lease_transitions, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invalid_spec_is_stalled_and_nothing_is_applied() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let mut spec = webapp("1.0.0", json!({}));
    spec["timeout"] = json!("5 minutes");
    env.apply_hr(ns, "bad", spec).await;
    let hr = env
        .wait_status(ns, "bad", "the release to stall", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    assert_eq!(condition(&hr, "Ready").as_deref(), Some("False"));
    let message = ready_message(&hr);
    assert!(
        message.starts_with("InvalidSpec: spec.timeout"),
        "{message}"
    );
    assert!(message.contains("like 5m"), "{message}");
    assert!(env.records(ns, "bad").await.is_empty());
    assert!(env.deployment(ns, "bad-webapp").await.is_none());

    // A chart that is not in the repository: Ready False, not stalled (it may appear).
    env.apply_hr(ns, "missing", webapp("9.9.9", json!({})))
        .await;
    let hr = env
        .wait_status(ns, "missing", "the fetch to fail", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    assert!(
        ready_message(&hr).starts_with("ChartFetchFailed"),
        "{}",
        ready_message(&hr)
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn drift_of_a_modified_and_a_deleted_object_is_corrected_or_reported() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let mut spec = webapp("1.0.0", json!({"message": "desired"}));
    spec["interval"] = json!("1s");
    // Fields another manager wrote are taken back only when forced (without force they are left
    // to it: fields_another_manager_owns_are_left_alone_unless_forced).
    spec["upgrade"] = json!({"force": true});
    // An autoscaler owns the Deployment's replicas.
    spec["driftDetection"] = json!({"mode": "enabled", "ignore": [
        {"paths": ["/spec/replicas"], "target": {"kind": "Deployment", "group": "apps"}}]});
    env.apply_hr(ns, "shop", spec.clone()).await;
    env.wait_ready(ns, "shop", 1).await;
    let deployments: Api<Deployment> = Api::namespaced(env.client.clone(), ns);
    deployments
        .patch(
            "shop-webapp",
            &PatchParams::apply("autoscaler").force(),
            &Patch::Apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                                 "metadata": {"name": "shop-webapp"}, "spec": {"replicas": 3}})),
        )
        .await
        .unwrap();
    // A few intervals on an untouched release, and on one changed only where an ignore rule says:
    // no drift is found (the comparison is not noisy).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let reasons = env.event_reasons(ns).await;
    assert!(
        !reasons.iter().any(|r| r.starts_with("Drift")),
        "{reasons:?}"
    );

    // Someone else changes a field the release manages and deletes an object.
    let cms: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    let edit = json!({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "shop-webapp"}, "data": {"MESSAGE": "edited"}});
    cms.patch(
        "shop-webapp",
        &PatchParams::apply("someone").force(),
        &Patch::Apply(edit.clone()),
    )
    .await
    .unwrap();
    let services: Api<k8s_openapi::api::core::v1::Service> =
        Api::namespaced(env.client.clone(), ns);
    services
        .delete("shop-webapp", &DeleteParams::default())
        .await
        .unwrap();
    // And changes a label of the Deployment the release manages.
    deployments
        .patch(
            "shop-webapp",
            &PatchParams::apply("someone").force(),
            &Patch::Apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                                 "metadata": {"name": "shop-webapp",
                                              "labels": {"app.kubernetes.io/version": "edited"}}})),
        )
        .await
        .unwrap();
    wait_for("the drift to be corrected", || async {
        let cm = env.configmap(ns, "shop-webapp").await?;
        let restored = cm.data?.get("MESSAGE")? == "desired";
        let service = services.get_opt("shop-webapp").await.ok()??;
        let d = env.deployment(ns, "shop-webapp").await?;
        let label = d.metadata.labels?.get("app.kubernetes.io/version")?.clone();
        (restored && service.metadata.deletion_timestamp.is_none() && label != "edited")
            .then_some(())
    })
    .await;
    let d = env.deployment(ns, "shop-webapp").await.unwrap();
    assert_eq!(
        d.spec.replicas,
        Some(3),
        "the correction left the ignored replicas as they are"
    );
    let reasons = env.event_reasons(ns).await;
    assert!(reasons.iter().any(|r| r == "DriftCorrected"), "{reasons:?}");
    assert_eq!(env.records(ns, "shop").await.len(), 1, "no new revision");

    // In warn mode drift is reported, not corrected.
    spec["driftDetection"] = json!({"mode": "warn"});
    env.apply_hr(ns, "shop", spec).await;
    env.wait_status(ns, "shop", "the new generation", |_| true)
        .await;
    cms.patch(
        "shop-webapp",
        &PatchParams::apply("someone").force(),
        &Patch::Apply(edit),
    )
    .await
    .unwrap();
    wait_for("the drift to be reported", || async {
        env.event_reasons(ns)
            .await
            .iter()
            .any(|r| r == "DriftDetected")
            .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let cm = env.configmap(ns, "shop-webapp").await.unwrap();
    assert_eq!(
        cm.data.unwrap()["MESSAGE"],
        "edited",
        "warn does not correct"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_release_helm_installed_is_adopted_only_with_take_ownership() {
    let env = Env::start().await;
    let ns = "default";
    let chart_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts/webapp-1.0.0");
    env.helm(&[
        "install",
        "legacy",
        chart_dir.to_str().unwrap(),
        "-n",
        ns,
        "--set",
        "message=from-helm",
    ]);
    let records = env.records(ns, "legacy").await;
    assert_eq!(records.len(), 1, "helm wrote revision 1");

    let _controller = Controller::start(&env.client);
    // Not this HelmRelease's: refused, and helm's release left as it is.
    env.apply_hr(
        ns,
        "legacy",
        webapp("1.0.0", json!({"message": "from-controller"})),
    )
    .await;
    let hr = env
        .wait_status(ns, "legacy", "legacy Stalled (OwnershipConflict)", |hr| {
            stalled_reason(hr).as_deref() == Some("OwnershipConflict")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.contains(
            "release legacy in namespace default exists and is not this \
                          HelmRelease's"
        ) && message.contains("spec.install.takeOwnership: true"),
        "{message}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(env.records(ns, "legacy").await.len(), 1, "nothing written");
    let cm = env.configmap(ns, "legacy-webapp").await.unwrap();
    assert_eq!(cm.data.unwrap()["MESSAGE"], "from-helm");

    // takeOwnership adopts it.
    let mut spec = webapp("1.0.0", json!({"message": "from-controller"}));
    spec["install"] = json!({"takeOwnership": true});
    env.apply_hr(ns, "legacy", spec).await;
    env.wait_ready(ns, "legacy", 2).await;
    let records = env.records(ns, "legacy").await;
    let owner = |s: &Secret| {
        let labels = s.metadata.labels.clone().unwrap_or_default();
        (
            labels
                .get(host_controller::release::OWNER_NAMESPACE)
                .cloned(),
            labels.get(host_controller::release::OWNER_NAME).cloned(),
        )
    };
    assert_eq!(
        owner(&records[1].0),
        (Some(ns.to_string()), Some("legacy".to_string()))
    );
    // Adopted, it stays this HelmRelease's without the field.
    env.apply_hr(
        ns,
        "legacy",
        webapp("1.0.0", json!({"message": "from-controller"})),
    )
    .await;
    env.wait_ready(ns, "legacy", 2).await;
    // Another HelmRelease naming the same release is refused, naming the owner.
    let mut spec = webapp("1.0.0", json!({"message": "intruder"}));
    spec["releaseName"] = json!("legacy");
    env.apply_hr(ns, "intruder", spec).await;
    let hr = env
        .wait_status(
            ns,
            "intruder",
            "intruder Stalled (OwnershipConflict)",
            |hr| stalled_reason(hr).as_deref() == Some("OwnershipConflict"),
        )
        .await;
    assert!(
        ready_message(&hr).contains("written by HelmRelease default/legacy"),
        "{}",
        ready_message(&hr)
    );
    // Deleting it leaves the other's release alone.
    env.hrs(ns)
        .delete("intruder", &DeleteParams::default())
        .await
        .expect("delete");
    wait_for("intruder to be gone", || async {
        env.hrs(ns)
            .get_opt("intruder")
            .await
            .expect("get")
            .is_none()
            .then_some(())
    })
    .await;
    assert_eq!(env.records(ns, "legacy").await.len(), 2);
    assert!(env.configmap(ns, "legacy-webapp").await.is_some());
    let statuses: Vec<(u32, String)> = env
        .records(ns, "legacy")
        .await
        .into_iter()
        .map(|(_, r)| (r.version, r.info.status))
        .collect();
    assert_eq!(statuses, [(1, "superseded".into()), (2, "deployed".into())]);
    let cm = env.configmap(ns, "legacy-webapp").await.unwrap();
    assert_eq!(cm.data.unwrap()["MESSAGE"], "from-controller");
    let values: Value =
        serde_json::from_str(&env.helm(&["get", "values", "legacy", "-n", ns, "-o", "json"]))
            .unwrap();
    assert_eq!(values["message"], "from-controller");
    // helm's own revision 1 still reads back through helm after our rewrite of its status.
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "legacy", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(history[0]["status"], "superseded");
    assert_eq!(history[0]["description"], "Install complete");
}

/// The operator chart `widget-operator` (tests/charts/widget-operator, version 1.0.0).
fn operator_chart_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts/widget-operator")
}

/// Another version of the operator chart under `base`: a copy with its `version` set.
fn operator_copy(base: &Path, version: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read chart dir") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).expect("copy");
            }
        }
    }
    let dir = base.join(format!("widget-operator-{version}"));
    copy(&operator_chart_dir(), &dir);
    let chart_yaml = dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&chart_yaml).expect("Chart.yaml");
    std::fs::write(
        &chart_yaml,
        text.replace("version: 1.0.0", &format!("version: {version}")),
    )
    .expect("Chart.yaml");
    dir
}

/// A later version of the operator chart under `base`, as its maintainers would publish it: the
/// chart's `version` bumped, and its CRD at revision `crd_revision` with one more `spec`
/// property (`property`, a YAML mapping entry).
fn operator_version(base: &Path, version: &str, crd_revision: &str, property: &str) -> PathBuf {
    let dir = operator_copy(base, version);
    let crd = dir.join("crds/widgets.demo.planton.test.yaml");
    let text = std::fs::read_to_string(&crd).expect("CRD");
    let size =
        "                size:\n                  type: integer\n                  minimum: 1\n";
    assert!(text.contains(size), "the CRD names spec.size");
    let text = text
        .replace(
            "crd-revision: \"1\"",
            &format!("crd-revision: \"{crd_revision}\""),
        )
        .replace(size, &format!("{size}                {property}\n"));
    std::fs::write(&crd, text).expect("CRD");
    dir
}

/// A version of the operator chart under `base` whose `kubeVersion` constraint is `constraint`.
fn operator_for_kube(base: &Path, version: &str, constraint: &str) -> PathBuf {
    let dir = operator_copy(base, version);
    let chart_yaml = dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&chart_yaml).expect("Chart.yaml");
    let pinned = text.replace(
        "kubeVersion: \">=1.29.0-0\"",
        &format!("kubeVersion: {constraint:?}"),
    );
    assert_ne!(pinned, text, "Chart.yaml has a kubeVersion");
    std::fs::write(&chart_yaml, pinned).expect("Chart.yaml");
    dir
}

/// The `data` of the ConfigMap named `name` among the documents of `manifest`.
fn configmap_data(manifest: &str, name: &str) -> Value {
    host_controller::cluster::manifest_objects(manifest)
        .into_iter()
        .find(|(o, _)| o.kind == "ConfigMap" && o.name == name)
        .map(|(_, body)| body["data"].clone())
        .unwrap_or_else(|| panic!("no ConfigMap {name} in {manifest}"))
}

const WIDGET_CRD: &str = "widgets.demo.planton.test";

/// The live Widget CRD's revision annotation and its `spec` properties.
async fn widget_crd(env: &Env) -> (String, Vec<String>) {
    let crds: Api<CustomResourceDefinition> = Api::all(env.client.clone());
    let crd = crds.get(WIDGET_CRD).await.expect("the Widget CRD exists");
    let revision =
        crd.metadata.annotations.clone().unwrap_or_default()["demo.planton.test/crd-revision"]
            .clone();
    let crd = serde_json::to_value(&crd).expect("JSON");
    let mut properties: Vec<String> = crd
        .pointer("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    properties.sort();
    (revision, properties)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_operator_chart_installs_its_crds_first_and_its_custom_resource_gates_ready() {
    use kube::core::{ApiResource, DynamicObject, GroupVersionKind};

    let env = Env::start().await;
    let server = env.client.apiserver_version().await.expect("version");
    // Satisfied by helm template's default Kubernetes version (v1.37.0), not by the live one.
    let live = server.git_version.trim_start_matches('v');
    let below_live = format!("<{}-0", live.split(['-', '+']).next().unwrap_or(live));
    let versions = TempDir::new("widget-operator-versions");
    let too_new = operator_for_kube(versions.path(), "0.9.0", &below_live);
    let charts = LocalCharts::new()
        .with(REPO, "widget-operator", "1.0.0", operator_chart_dir())
        .with(REPO, "widget-operator", "0.9.0", too_new.clone())
        .with(
            REPO,
            "widget-operator",
            "2.0.0-rc.1",
            operator_version(versions.path(), "2.0.0-rc.1", "4", "colour: {type: colour}"),
        )
        .with(
            REPO,
            "widget-operator",
            "1.1.0",
            operator_version(
                versions.path(),
                "1.1.0",
                "2",
                "shape: {type: string, enum: [round, square]}",
            ),
        )
        .with(
            REPO,
            "widget-operator",
            "1.2.0",
            operator_version(versions.path(), "1.2.0", "3", "weight: {type: integer}"),
        );
    let _controller = Controller::start_with(&env.client, Arc::new(charts));
    let ns = "default";
    let spec = |version: &str, values: Value| {
        json!({"repo": REPO, "name": "widget-operator", "version": version, "values": values,
               "wait": true, "timeout": "90s"})
    };
    let gvk = GroupVersionKind::gvk("demo.planton.test", "v1alpha1", "Widget");
    let widgets: Api<DynamicObject> = Api::namespaced_with(
        env.client.clone(),
        ns,
        &ApiResource::from_gvk_with_plural(&gvk, "widgets"),
    );
    let widget = "ops-widget-operator-default";

    // Install (crds: Create by default): the CRD from crds/ is created before the templates are
    // rendered, so `.Capabilities.APIVersions.Has` sees the Widget API and the Widget is made.
    env.apply_hr(ns, "ops", spec("1.0.0", json!({}))).await;
    env.wait_ready(ns, "ops", 1).await;
    assert_eq!(widget_crd(&env).await, ("1".into(), vec!["size".into()]));
    let w = widgets
        .get(widget)
        .await
        .expect("the default Widget exists");
    assert_eq!(w.data["spec"], json!({"size": 1}));
    let records = env.records(ns, "ops").await;
    let manifest = &records[0].1.manifest;
    assert!(manifest.contains("kind: Widget\n"), "{manifest}");
    assert!(
        !manifest.contains("kind: CustomResourceDefinition"),
        "crds/ are not release objects, as with Helm: {manifest}"
    );
    // `.Capabilities` are the live cluster's: its version, its APIs and not Helm's defaults.
    let info: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    let data = info
        .get("ops-widget-operator-cluster-info")
        .await
        .expect("cluster-info")
        .data
        .expect("data");
    assert_eq!(data["kubeVersion"], server.git_version);
    assert_eq!(data["kubeMinor"], server.minor);
    assert_eq!(data["widgetApi"], "true");
    assert_eq!(
        data["policyV1beta1"], "false",
        "a group the server does not serve is not in .Capabilities.APIVersions"
    );
    // The real helm installing the same chart on the same cluster sees the same.
    let chart = operator_chart_dir();
    let chart = chart.to_str().expect("UTF-8 path");
    let dry_run = env.helm(&["install", "probe", chart, "-n", ns, "--dry-run=server"]);
    let mut theirs = configmap_data(&dry_run, "probe-widget-operator-cluster-info");
    let mut ours = serde_json::to_value(&data).expect("JSON");
    // Every API version, in no particular order (helm's comes from a Go map).
    let api_versions = |data: &mut Value| {
        let text = data["apiVersions"].take();
        let mut list: Vec<String> =
            serde_json::from_str(text.as_str().expect("a string")).expect("a JSON list");
        list.sort();
        list
    };
    let (our_apis, their_apis) = (api_versions(&mut ours), api_versions(&mut theirs));
    assert_eq!(our_apis, their_apis);
    assert!(our_apis.contains(&"demo.planton.test/v1alpha1/Widget".to_string()));
    assert_eq!(ours, theirs);
    assert!(dry_run.contains("kind: Widget\n"), "{dry_run}");

    // A kubeVersion constraint is checked against the live version, as `helm install` does,
    // though `helm template`'s default version would pass.
    let too_new = too_new.to_str().expect("UTF-8 path");
    env.helm(&["template", "probe", too_new]);
    let refused = env.helm_output(&["install", "probe", too_new, "-n", ns, "--dry-run=server"]);
    let why = format!(
        "chart requires kubeVersion: {below_live} which is incompatible with Kubernetes {}",
        server.git_version
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(&why),
        "{refused:?}"
    );
    env.apply_hr(ns, "old-cluster", spec("0.9.0", json!({})))
        .await;
    let hr = env
        .wait_status(ns, "old-cluster", "the kubeVersion refusal", |hr| {
            condition(hr, "Ready") == Some("False".into())
        })
        .await;
    let message = ready_message(&hr);
    assert!(message.starts_with("RenderFailed: "), "{message}");
    assert!(message.contains(&why), "{message}");

    // The operator (this test) reports the Widget ready.
    let report = |generation: i64, ready: &str, reason: &str| {
        json!({"status": {"observedGeneration": generation, "conditions": [{
            "type": "Ready", "status": ready, "reason": reason, "message": "by the test",
            "observedGeneration": generation,
            "lastTransitionTime": "2026-01-01T00:00:00Z"}]}})
    };
    widgets
        .patch_status(
            widget,
            &PatchParams::default(),
            &Patch::Merge(report(1, "True", "Ok")),
        )
        .await
        .expect("status");

    // Upgrade to 1.1.0 with crds: CreateReplace: the CRD gains `shape`, and the Widget that uses
    // it is applied after the CRD changed (an unknown field would have been pruned).
    let mut upgrade = spec(
        "1.1.0",
        json!({"defaultWidget": {"size": 2, "shape": "round"}}),
    );
    upgrade["upgrade"] = json!({"crds": "CreateReplace"});
    env.apply_hr(ns, "ops", upgrade).await;
    wait_for("the Widget's new generation", || async {
        let w = widgets.get(widget).await.ok()?;
        (w.metadata.generation == Some(2)).then_some(())
    })
    .await;
    assert_eq!(
        widget_crd(&env).await,
        ("2".into(), vec!["shape".into(), "size".into()])
    );
    let w = widgets.get(widget).await.expect("Widget");
    assert_eq!(w.data["spec"], json!({"size": 2, "shape": "round"}));
    // The operator has not observed generation 2: the release waits for it.
    let still_waiting = |what: &'static str| {
        let env = &env;
        async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let records = env.records(ns, "ops").await;
            assert_eq!(
                records
                    .last()
                    .map(|(_, r)| (r.version, r.info.status.clone())),
                Some((2, "pending-upgrade".into())),
                "{what}"
            );
            let hr = env.hrs(ns).get("ops").await.expect("hr");
            assert_ne!(condition(&hr, "Ready"), Some("True".into()), "{what}");
        }
    };
    still_waiting("observedGeneration 1 of 2").await;
    widgets
        .patch_status(
            widget,
            &PatchParams::default(),
            &Patch::Merge(report(2, "False", "Provisioning")),
        )
        .await
        .expect("status");
    still_waiting("Ready=False").await;
    widgets
        .patch_status(
            widget,
            &PatchParams::default(),
            &Patch::Merge(report(2, "True", "Ok")),
        )
        .await
        .expect("status");
    env.wait_ready(ns, "ops", 2).await;

    // Upgrade to 1.2.0 with the default (crds: Skip): its CRD (revision 3, with `weight`) is not
    // applied; the cluster keeps revision 2.
    env.apply_hr(
        ns,
        "ops",
        spec(
            "1.2.0",
            json!({"defaultWidget": {"size": 2, "shape": "round"}}),
        ),
    )
    .await;
    env.wait_ready(ns, "ops", 3).await;
    assert_eq!(
        widget_crd(&env).await,
        ("2".into(), vec!["shape".into(), "size".into()])
    );
    let records = env.records(ns, "ops").await;
    assert_eq!(records.len(), 3);
    assert_eq!(records[2].1.info.status, "deployed");

    // A CRD the API server refuses (a type that does not exist): no revision, Ready=False with
    // the reason and the server's word, retried; the cluster's CRD is left as it was.
    let mut broken = spec("2.0.0-rc.1", json!({}));
    broken["install"] = json!({"crds": "CreateReplace"});
    env.apply_hr(ns, "broken", broken).await;
    let hr = env
        .wait_status(ns, "broken", "the refused CRD", |hr| {
            condition(hr, "Ready") == Some("False".into())
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with("CRDsFailed: the chart's CRDs: applying CustomResourceDefinition widgets.demo.planton.test: "),
        "{message}"
    );
    assert!(message.contains("colour"), "{message}");
    assert_eq!(condition(&hr, "Stalled"), Some("False".into()));
    assert!(env.records(ns, "broken").await.is_empty());
    assert_eq!(
        widget_crd(&env).await,
        ("2".into(), vec!["shape".into(), "size".into()])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crds_among_templates_go_first_and_jobs_need_not_be_waited_for() {
    use k8s_openapi::api::batch::v1::Job;
    use kube::core::{ApiResource, DynamicObject, GroupVersionKind};

    let env = Env::start().await;
    let charts = LocalCharts::new().with(REPO, "widget-operator", "1.0.0", operator_chart_dir());
    let _controller = Controller::start_with(&env.client, Arc::new(charts));
    let ns = "default";
    // The Gizmo CRD is a template, and so is a Gizmo: the CRD is applied and established
    // before the Gizmo (else its kind would not resolve). The migration Job's Pod keeps running.
    let values = json!({"gizmos": {"enabled": true}, "migration": {"enabled": true,
        "podAnnotations": {"testenv.planton-helm.io/phase": "Running"}}});
    let mut spec = json!({"repo": REPO, "name": "widget-operator", "version": "1.0.0",
        "values": values, "wait": true, "timeout": "60s",
        "install": {"disableWaitForJobs": true}});
    env.apply_hr(ns, "tools", spec.clone()).await;
    env.wait_ready(ns, "tools", 1).await;
    let gvk = GroupVersionKind::gvk("demo.planton.test", "v1alpha1", "Gizmo");
    let gizmos: Api<DynamicObject> = Api::namespaced_with(
        env.client.clone(),
        ns,
        &ApiResource::from_gvk_with_plural(&gvk, "gizmos"),
    );
    let gizmo = gizmos
        .get("tools-widget-operator-starter")
        .await
        .expect("the Gizmo exists");
    assert_eq!(
        gizmo.data["spec"]["widget"],
        "tools-widget-operator-default"
    );
    // A template CRD is a release object: in the manifest, with Helm's ownership metadata.
    let records = env.records(ns, "tools").await;
    assert!(
        records[0]
            .1
            .manifest
            .contains("kind: CustomResourceDefinition\n")
    );
    let crds: Api<CustomResourceDefinition> = Api::all(env.client.clone());
    let crd = crds.get("gizmos.demo.planton.test").await.expect("CRD");
    assert_eq!(
        crd.metadata.labels.unwrap_or_default()["app.kubernetes.io/managed-by"],
        "Helm"
    );
    // disableWaitForJobs: Ready while the Job is still running.
    let jobs: Api<Job> = Api::namespaced(env.client.clone(), ns);
    let job = jobs
        .get("tools-widget-operator-migrate-r1")
        .await
        .expect("Job");
    let status = job.status.unwrap_or_default();
    assert_eq!(status.succeeded.unwrap_or(0), 0, "{status:?}");
    assert!(
        !status
            .conditions
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "Complete"),
        "the Job has not completed"
    );

    // Without it (spec.upgrade does not disable it), an upgrade waits for its Job and times out.
    spec["values"]["defaultWidget"] = json!({"size": 2});
    spec["timeout"] = json!("8s");
    env.apply_hr(ns, "tools", spec).await;
    let hr = env
        .wait_status(ns, "tools", "the upgrade to time out on its Job", |hr| {
            condition(hr, "Ready") == Some("False".into())
        })
        .await;
    let message = ready_message(&hr);
    assert!(message.starts_with("UpgradeFailed: "), "{message}");
    assert!(
        message.contains("Job tools-widget-operator-migrate-r2: not complete"),
        "{message}"
    );
}

fn condition_of(hr: &HelmRelease, kind: &str) -> Option<host_controller::crd::Condition> {
    hr.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == kind)
        .cloned()
}

fn retry_at(hr: &HelmRelease) -> jiff::Timestamp {
    hr.status
        .as_ref()
        .and_then(|s| s.next_retry_at.as_deref())
        .expect("nextRetryAt")
        .parse()
        .expect("RFC 3339")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registry_outage_at_install_is_retried_with_backoff_and_heals_without_a_spec_change() {
    let env = Env::start().await;
    let mut registry = ChartRegistry::start(None);
    let repo = registry.repo();
    let _controller = Controller::start_with(&env.client, registry.provider());
    let ns = "default";
    // The registry goes down before the release is installed.
    registry.registry.down();
    let mut spec = webapp("1.0.0", json!({"message": "outage"}));
    spec["repo"] = json!(repo);
    spec["plainHttp"] = json!(true);
    env.apply_hr(ns, "late", spec).await;

    // Each failed fetch is counted, reported and retried after a growing wait.
    let mut retries = Vec::new();
    for failures in 1..=3u32 {
        let hr = env
            .wait_status(ns, "late", &format!("fetch failure {failures}"), |hr| {
                hr.status.as_ref().unwrap().failures == failures
            })
            .await;
        let status = hr.status.as_ref().unwrap();
        let ready = condition_of(&hr, "Ready").unwrap();
        assert_eq!(ready.status, "False");
        assert_eq!(ready.reason, "ChartFetchFailed", "{}", ready.message);
        assert!(
            ready.message.contains(&format!(
                "failure {failures} of this generation, retrying at"
            )),
            "{}",
            ready.message
        );
        assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
        assert_eq!(
            (status.install_failures, status.upgrade_failures),
            (0, 0),
            "no revision was made"
        );
        retries.push(retry_at(&hr));
    }
    assert!(env.records(ns, "late").await.is_empty());
    // Backoff: 2s, 4s, 8s (each with up to 20% jitter) after each failure; an attempt starts
    // no sooner than the previous retry time.
    let gap = |a: jiff::Timestamp, b: jiff::Timestamp| b.duration_since(a).as_secs_f64();
    assert!(gap(retries[0], retries[1]) >= 4.0, "{retries:?}");
    assert!(gap(retries[1], retries[2]) >= 8.0, "{retries:?}");
    let fetch_events = env
        .event_messages(ns, "late")
        .await
        .into_iter()
        .filter(|(reason, _)| reason == "ChartFetchFailed")
        .count();
    assert!(fetch_events >= 1, "failed fetches are Events");

    // The registry comes back: the next retry installs, with no change to the spec.
    registry.registry.up();
    let hr = env.wait_ready(ns, "late", 1).await;
    let status = hr.status.as_ref().unwrap();
    assert_eq!(hr.metadata.generation, Some(1), "the spec never changed");
    assert_eq!(
        (status.failures, status.next_retry_at.as_deref()),
        (0, None),
        "a success clears the failures"
    );
    assert_eq!(
        condition_of(&hr, "Ready").unwrap().reason,
        "InstallSucceeded"
    );
    assert_eq!(
        env.configmap(ns, "late-webapp")
            .await
            .unwrap()
            .data
            .unwrap()["MESSAGE"],
        "outage"
    );
    let reasons: Vec<String> = env
        .event_messages(ns, "late")
        .await
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert!(
        reasons.iter().any(|r| r == "InstallSucceeded"),
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retries_exhausted_stall_the_release_and_the_reset_annotation_starts_over() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    // A pre-install Job that fails until ConfigMap stall-db says otherwise; one retry.
    let mut spec = webapp(
        "1.0.0",
        json!({"message": "m", "hooks": {"preInstall": true, "phase": "Failed", "gate": "stall-db"}}),
    );
    spec["timeout"] = json!("30s");
    spec["install"] = json!({"remediation": {"retries": 1}});
    env.apply_hr(ns, "stall", spec).await;

    // The first failure is remediated (uninstalled) and retried after the backoff.
    let hr = env
        .wait_status(ns, "stall", "the first install to fail", |hr| {
            hr.status.as_ref().unwrap().install_failures == 1
        })
        .await;
    let ready = condition_of(&hr, "Ready").unwrap();
    assert_eq!(ready.reason, "InstallFailed");
    assert!(
        ready.message.contains("pre-install hook Job")
            && ready.message.contains("the failed install was uninstalled")
            && ready.message.contains("retrying at"),
        "{}",
        ready.message
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));

    // The retry fails too: no retry is left, Stalled with the reason.
    let hr = env
        .wait_status(ns, "stall", "the retries to be exhausted", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    let status = hr.status.as_ref().unwrap();
    assert_eq!((status.install_failures, status.failures), (2, 2));
    assert_eq!(status.next_retry_at, None);
    let stalled = condition_of(&hr, "Stalled").unwrap();
    assert_eq!(stalled.reason, "RetriesExhausted");
    assert!(
        stalled
            .message
            .starts_with("Install failed 2 time(s) and spec.install.remediation.retries is 1"),
        "{}",
        stalled.message
    );
    assert_eq!(condition_of(&hr, "Ready").unwrap().reason, "InstallFailed");
    let events = env.event_messages(ns, "stall").await;
    assert_eq!(
        events.iter().filter(|(r, _)| r == "InstallFailed").count(),
        2,
        "{events:?}"
    );
    assert!(
        events.iter().any(|(r, _)| r == "RetriesExhausted"),
        "{events:?}"
    );

    // The cause goes away; a stalled release stays as it is (no new attempt) ...
    let cms: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    cms.create(
        &PostParams::default(),
        &serde_json::from_value(
            json!({"metadata": {"name": "stall-db"}, "data": {"phase": "Succeeded"}}),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let records = env.records(ns, "stall").await.len();
    env.annotate(
        ns,
        "stall",
        json!({"kubernetes.project-planton.org/requestedAt": "look"}),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let hr = env.hrs(ns).get("stall").await.unwrap();
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("True"));
    assert_eq!(env.records(ns, "stall").await.len(), records);
    // ... until the reset annotation (with requestedAt of the same value) starts over.
    env.annotate(
        ns,
        "stall",
        json!({"kubernetes.project-planton.org/requestedAt": "again",
               "kubernetes.project-planton.org/resetAt": "again"}),
    )
    .await;
    let hr = env
        .wait_status(ns, "stall", "the install after the reset", |hr| {
            condition(hr, "Ready").as_deref() == Some("True")
        })
        .await;
    let status = hr.status.as_ref().unwrap();
    assert_eq!(
        (status.failures, status.install_failures),
        (0, 0),
        "counts start over"
    );
    assert_eq!(status.last_handled_reset_at.as_deref(), Some("again"));
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert_eq!(hr.metadata.generation, Some(1), "the spec never changed");
    let statuses: Vec<String> = env
        .records(ns, "stall")
        .await
        .into_iter()
        .map(|(_, r)| r.info.status)
        .collect();
    assert_eq!(statuses.last().map(String::as_str), Some("deployed"));
}

/// Who owns `spec.replicas` of a Deployment, by its managed fields.
fn replicas_owners(d: &Deployment) -> Vec<String> {
    d.metadata
        .managed_fields
        .iter()
        .flatten()
        .filter(|m| {
            m.fields_v1
                .as_ref()
                .and_then(|f| f.0.pointer("/f:spec/f:replicas"))
                .is_some()
        })
        .filter_map(|m| m.manager.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fields_another_manager_owns_are_left_alone_unless_forced() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let spec = |message: &str, force: bool| {
        let mut spec = webapp("1.0.0", json!({"message": message}));
        // Reconciles come from spec changes and requestedAt only.
        spec["interval"] = json!("1h");
        if force {
            spec["upgrade"] = json!({"force": true});
        }
        spec
    };
    env.apply_hr(ns, "own", spec("one", false)).await;
    env.wait_ready(ns, "own", 1).await;
    let deployments: Api<Deployment> = Api::namespaced(env.client.clone(), ns);
    let autoscale = || async {
        deployments
            .patch(
                "own-webapp",
                &PatchParams::apply("autoscaler").force(),
                &Patch::Apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                                     "metadata": {"name": "own-webapp"}, "spec": {"replicas": 3}})),
            )
            .await
            .unwrap();
    };
    autoscale().await;

    // An upgrade applies everything else and leaves the replicas to the autoscaler.
    env.apply_hr(ns, "own", spec("two", false)).await;
    let hr = env.wait_ready(ns, "own", 2).await;
    let d = env.deployment(ns, "own-webapp").await.unwrap();
    assert_eq!(d.spec.replicas, Some(3));
    assert_eq!(replicas_owners(&d), ["autoscaler"]);
    assert_eq!(
        env.configmap(ns, "own-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "two"
    );
    let message = ready_message(&hr);
    assert!(
        message.contains("left to other field managers: Deployment ")
            && message.contains("own-webapp .spec.replicas")
            && message.contains("autoscaler"),
        "{message}"
    );
    let events = env.event_messages(ns, "own").await;
    assert!(
        events
            .iter()
            .any(|(r, m)| r == "FieldManagerConflict" && m.contains(".spec.replicas")),
        "{events:?}"
    );

    // A drift correction (a deleted Service) leaves them alone too.
    let services: Api<k8s_openapi::api::core::v1::Service> =
        Api::namespaced(env.client.clone(), ns);
    services
        .delete("own-webapp", &DeleteParams::default())
        .await
        .unwrap();
    env.annotate(
        ns,
        "own",
        json!({"kubernetes.project-planton.org/requestedAt": "drift-1"}),
    )
    .await;
    wait_for("the Service to be re-created", || async {
        let service = services.get_opt("own-webapp").await.ok()??;
        service.metadata.deletion_timestamp.is_none().then_some(())
    })
    .await;
    let d = env.deployment(ns, "own-webapp").await.unwrap();
    assert_eq!(d.spec.replicas, Some(3));
    assert_eq!(replicas_owners(&d), ["autoscaler"]);
    let hr = env
        .wait_status(ns, "own", "requestedAt to be handled", |hr| {
            hr.status
                .as_ref()
                .unwrap()
                .last_handled_reconcile_at
                .as_deref()
                == Some("drift-1")
        })
        .await;
    assert!(
        ready_message(&hr).contains(".spec.replicas"),
        "{}",
        ready_message(&hr)
    );
    assert_eq!(env.records(ns, "own").await.len(), 2, "no new revision");

    // forceAt (with requestedAt of the same value): one forced upgrade of the in-sync release.
    env.annotate(
        ns,
        "own",
        json!({"kubernetes.project-planton.org/requestedAt": "force-1",
               "kubernetes.project-planton.org/forceAt": "force-1"}),
    )
    .await;
    let hr = env.wait_ready(ns, "own", 3).await;
    assert_eq!(
        hr.status.as_ref().unwrap().last_handled_force_at.as_deref(),
        Some("force-1")
    );
    let d = env.deployment(ns, "own-webapp").await.unwrap();
    assert_eq!(d.spec.replicas, Some(1));
    assert_eq!(replicas_owners(&d), ["planton-helm"]);
    // Handled once: the next reconcile does not force again.
    autoscale().await;
    env.annotate(
        ns,
        "own",
        json!({"kubernetes.project-planton.org/requestedAt": "look-2"}),
    )
    .await;
    env.wait_status(ns, "own", "requestedAt look-2 to be handled", |hr| {
        hr.status
            .as_ref()
            .unwrap()
            .last_handled_reconcile_at
            .as_deref()
            == Some("look-2")
    })
    .await;
    assert_eq!(env.records(ns, "own").await.len(), 3, "no new revision");
    let d = env.deployment(ns, "own-webapp").await.unwrap();
    assert_eq!(d.spec.replicas, Some(3), "not forced again");

    // With force, drift correction takes them ...
    env.apply_hr(ns, "own", spec("two", true)).await;
    wait_for("the forced drift correction", || async {
        let d = env.deployment(ns, "own-webapp").await?;
        (d.spec.replicas == Some(1)).then_some(())
    })
    .await;
    let d = env.deployment(ns, "own-webapp").await.unwrap();
    assert_eq!(replicas_owners(&d), ["planton-helm"]);
    assert_eq!(env.records(ns, "own").await.len(), 3, "no new revision");
    // ... and so does an upgrade.
    autoscale().await;
    env.apply_hr(ns, "own", spec("three", true)).await;
    env.wait_ready(ns, "own", 4).await;
    let d = env.deployment(ns, "own-webapp").await.unwrap();
    assert_eq!(d.spec.replicas, Some(1));
    assert_eq!(replicas_owners(&d), ["planton-helm"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_uninstall_keeps_the_finalizer_and_keep_history_keeps_the_records() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    // A pre-delete Pod that never runs on its own (Pending), and the records kept on uninstall.
    let mut spec = webapp(
        "1.0.0",
        json!({"message": "bye", "hooks": {"preDelete": true, "deletePhase": "Pending"}}),
    );
    spec["timeout"] = json!("5s");
    spec["uninstall"] = json!({"keepHistory": true, "deletionPropagation": "foreground"});
    env.apply_hr(ns, "gone", spec).await;
    env.wait_ready(ns, "gone", 1).await;
    env.hrs(ns)
        .delete("gone", &DeleteParams::default())
        .await
        .unwrap();

    // The hook times out: the uninstall failed, the HelmRelease and its finalizer stay.
    wait_for("the uninstall to fail", || async {
        env.event_messages(ns, "gone")
            .await
            .into_iter()
            .any(|(r, m)| r == "UninstallFailed" && m.contains("pre-delete hook Pod"))
            .then_some(())
    })
    .await;
    let hr = env.hrs(ns).get("gone").await.expect("still there");
    assert!(hr.metadata.deletion_timestamp.is_some());
    assert!(
        hr.metadata
            .finalizers
            .unwrap_or_default()
            .contains(&host_controller::reconcile::FINALIZER.to_string())
    );
    assert!(env.deployment(ns, "gone-webapp").await.is_some());

    // The hook's Pod runs (the test plays its kubelet): the retried uninstall completes.
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(env.client.clone(), ns);
    wait_for("the HelmRelease to be gone", || async {
        if let Ok(Some(pod)) = pods.get_opt("gone-webapp-goodbye").await
            && pod.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Succeeded")
        {
            let _ = pods
                .patch_status(
                    "gone-webapp-goodbye",
                    &PatchParams::default(),
                    &Patch::Merge(json!({"status": {"phase": "Succeeded"}})),
                )
                .await;
        }
        env.hrs(ns)
            .get_opt("gone")
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;
    wait_for("the Deployment to be deleted", || async {
        env.deployment(ns, "gone-webapp")
            .await
            .is_none()
            .then_some(())
    })
    .await;
    // keepHistory: the record stays, marked uninstalled, and helm reads it.
    let records = env.records(ns, "gone").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].1.info.status, "uninstalled");
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "gone", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(history[0]["status"], "uninstalled");
    assert_eq!(history[0]["description"], "Uninstallation complete");
}

/// A Project Planton manifest as its published examples write it: kind HelmRelease, snake_case
/// fields, a target cluster, the namespace as `namespace.value`, values nested with string
/// leaves, no `metadata.namespace`.
const PLANTON_MANIFEST: &str = "\
apiVersion: kubernetes.project-planton.org/v1
kind: HelmRelease
metadata:
  name: blog
  labels:
    environment: production
spec:
  target_cluster:
    cluster_name: my-cluster
  namespace:
    value: wordpress
  create_namespace: true
  repo: https://charts.example.test
  name: webapp
  version: 1.0.0
  values:
    replicaCount: \"1\"
    message: \"published\"
    extraConfig:
      enabled: \"true\"
";

/// Applies a manifest's text as `kubectl apply --server-side` does (strict field validation:
/// a field the CRD does not know is an error, not silently dropped) into `default`.
async fn apply_text(env: &Env, text: &str) -> Result<HelmRelease, kube::Error> {
    let doc: Value = serde_saphyr::from_str(text).expect("the manifest is YAML");
    let name = doc["metadata"]["name"]
        .as_str()
        .expect("a name")
        .to_string();
    env.hrs("default")
        .patch(
            &name,
            &PatchParams::apply("kubectl").validation_strict(),
            &Patch::Apply(doc),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_project_planton_manifest_applied_as_it_is_installs_in_namespace_value() {
    let env = Env::start().await;
    let _controller = Controller::start_named(&env.client, "my-cluster");

    let hr = apply_text(&env, PLANTON_MANIFEST)
        .await
        .expect("the API server takes Planton's fields as they are");
    assert_eq!(
        hr.spec.namespace.as_ref().and_then(|n| n.value.as_deref()),
        Some("wordpress")
    );
    assert_eq!(hr.spec.create_namespace_planton, Some(true));
    let hr = env.wait_ready("default", "blog", 1).await;
    let status = hr.status.expect("status");
    assert_eq!(status.release_namespace.as_deref(), Some("wordpress"));

    // Installed in namespace.value (created for it), recorded there, read by the real helm.
    let records = env.records("wordpress", "blog").await;
    assert_eq!(records.len(), 1);
    assert!(env.records("default", "blog").await.is_empty());
    let list: Value =
        serde_json::from_str(&env.helm(&["list", "-n", "wordpress", "-o", "json"])).unwrap();
    assert_eq!(list[0]["name"], "blog");
    assert_eq!(list[0]["namespace"], "wordpress");
    assert_eq!(list[0]["status"], "deployed");
    assert_eq!(list[0]["chart"], "webapp-1.0.0");
    // The values are what the manifest wrote: strings stay strings, and the string "true"
    // switches the extra ConfigMap on, as in helm.
    let values: Value = serde_json::from_str(&env.helm(&[
        "get",
        "values",
        "blog",
        "-n",
        "wordpress",
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(
        values,
        json!({"replicaCount": "1", "message": "published", "extraConfig": {"enabled": "true"}})
    );
    let cm = env
        .configmap("wordpress", "blog-webapp")
        .await
        .expect("configmap");
    assert_eq!(cm.data.unwrap()["MESSAGE"], "published");
    assert!(
        env.configmap("wordpress", "blog-webapp-extra")
            .await
            .is_some()
    );

    // One field in both spellings is refused by the API server itself, naming both.
    let both = PLANTON_MANIFEST
        .replace("name: blog\n", "name: twice\n")
        .replace(
            "  create_namespace: true\n",
            "  create_namespace: true\n  createNamespace: true\n",
        );
    let err = apply_text(&env, &both).await.expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("spec.createNamespace and spec.create_namespace"),
        "{text}"
    );

    // Another cluster: stalled as unresolvable, nothing installed anywhere; deleting it is quick.
    let remote = PLANTON_MANIFEST
        .replace("name: blog\n", "name: remote\n")
        .replace("cluster_name: my-cluster", "cluster_name: prod-cluster");
    apply_text(&env, &remote).await.expect("applied");
    let hr = env
        .wait_status("default", "remote", "the release to stall", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with(
            "TargetClusterUnresolvable: spec.target_cluster.cluster_name \"prod-cluster\" is \
             unresolvable"
        ),
        "{message}"
    );
    assert!(message.contains("Secret \"prod-cluster\""), "{message}");
    assert!(env.records("wordpress", "remote").await.is_empty());
    env.hrs("default")
        .delete("remote", &DeleteParams::default())
        .await
        .unwrap();
    wait_for("the remote release to be deleted", || async {
        env.hrs("default")
            .get_opt("remote")
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;

    // namespace.value_from: stalled with the core's reason, nothing installed.
    let reference = PLANTON_MANIFEST
        .replace("name: blog\n", "name: referenced\n")
        .replace(
            "    value: wordpress\n",
            "    value_from:\n      kind: KubernetesNamespace\n      name: shared\n",
        );
    apply_text(&env, &reference).await.expect("applied");
    let hr = env
        .wait_status("default", "referenced", "the release to stall", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.contains("not resolvable outside Project Planton"),
        "{message}"
    );
    assert!(env.records("default", "referenced").await.is_empty());

    // Deleting the Planton release uninstalls it from namespace.value.
    env.hrs("default")
        .delete("blog", &DeleteParams::default())
        .await
        .unwrap();
    wait_for("blog to be uninstalled", || async {
        env.records("wordpress", "blog")
            .await
            .is_empty()
            .then_some(())
    })
    .await;
    assert_eq!(env.helm(&["list", "-n", "wordpress", "-q"]).trim(), "");
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

/// Repository access is the release's own: an `https://` chart repository behind TLS with a CA
/// of the test's making that also wants a client certificate, and the real registry serving TLS
/// with that CA behind htpasswd. Releases that bring `certSecretRef` (and, for the registry, a
/// `kubernetes.io/dockerconfigjson` Secret) install; the same releases without them fail with a
/// clear status and Event; a Secret in another namespace is refused under
/// `--no-cross-namespace-refs`; and no password, token or key shows up in any status, Event or
/// line the controller logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn per_release_tls_and_registry_credentials_against_real_tls_servers() {
    use base64::Engine as _;
    const USER: &str = "deployer";
    const PASSWORD: &str = "Reg1stry-pa55-7d2e";
    let env = Env::start().await;
    let work = TempDir::new("repo-access");
    let pki = tls::TestPki::new("planton-e2e-repo-ca", &work.path().join("pki"));
    let helm = Helm::new();

    // The https:// repository: `helm package` + `helm repo index`, the static server, rustls in
    // front of it requiring a client certificate of the test CA.
    let pkgs = work.path().join("root/pkgs");
    for version in ["1.0.0", "1.1.0"] {
        helm.package(&chart_dir(version), version, &pkgs);
    }
    helm.run(&["repo", "index", pkgs.to_str().expect("utf-8")]);
    let server = StaticServer::start(&work.path().join("root"), ServeOptions::default());
    let front = tls::TlsFront::start(server.addr, &pki, true);
    let https_repo = format!("{}/pkgs", front.url());

    // The registry: its own TLS with the test CA's certificate, htpasswd.
    let registry = Registry::start_with(Some((USER, PASSWORD)), Some(pki.registry_tls(false)));
    let archive = helm.package(&chart_dir("1.1.0"), "1.1.0", &work.path().join("oci"));
    registry.push(&helm, &archive, Some((USER, PASSWORD)));
    let host = format!("127.0.0.1:{}", registry.port);
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let mut auths = serde_json::Map::new();
    auths.insert(host, json!({"auth": auth}));
    let docker_config = json!({"auths": auths}).to_string();

    let ns = "tenant";
    env.create_namespace(ns).await;
    env.create_namespace("platform").await;
    let secret = |ns: &str, body: Value| {
        let api: Api<Secret> = Api::namespaced(env.client.clone(), ns);
        async move {
            api.create(
                &PostParams::default(),
                &serde_json::from_value(body).expect("a Secret"),
            )
            .await
            .expect("Secret created");
        }
    };
    secret(
        ns,
        json!({"metadata": {"name": "repo-tls"}, "stringData": {
            "ca.crt": pki.ca.cert_pem(), "tls.crt": pki.client.cert_pem.clone(),
            "tls.key": pki.client.key_pem.clone(),
        }}),
    )
    .await;
    secret(
        ns,
        json!({"metadata": {"name": "registry-ca"},
        "stringData": {"ca.crt": pki.ca.cert_pem()}}),
    )
    .await;
    for namespace in [ns, "platform"] {
        secret(
            namespace,
            json!({"metadata": {"name": "registry-login"},
            "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": docker_config.clone()}}),
        )
        .await;
    }

    let cache = TempDir::new("repo-access-cache");
    let controller = Process::start_with(
        &env,
        cache.path(),
        "ctl-tenancy",
        &["--no-cross-namespace-refs"],
    );
    let release = |repo: &str, version: &str, refs: Value| {
        let mut spec = webapp(version, json!({}));
        spec["repo"] = json!(repo);
        for (k, v) in refs.as_object().expect("refs") {
            spec[k] = v.clone();
        }
        spec
    };
    env.apply_hr(
        ns,
        "https-ok",
        release(
            &https_repo,
            "1.0.0",
            json!({"certSecretRef": {"name": "repo-tls"}}),
        ),
    )
    .await;
    env.apply_hr(
        ns,
        "https-untrusted",
        release(&https_repo, "1.0.0", json!({})),
    )
    .await;
    env.apply_hr(
        ns,
        "https-no-client-cert",
        release(
            &https_repo,
            "1.0.0",
            json!({"certSecretRef": {"name": "registry-ca"}}),
        ),
    )
    .await;
    env.apply_hr(ns, "oci-ok", release(&registry.repo(), "1.1.0", json!({
        "certSecretRef": {"name": "registry-ca"}, "credentialsRef": {"name": "registry-login"},
    }))).await;
    env.apply_hr(
        ns,
        "oci-anonymous",
        release(
            &registry.repo(),
            "1.1.0",
            json!({"certSecretRef": {"name": "registry-ca"}}),
        ),
    )
    .await;
    env.apply_hr(
        ns,
        "oci-cross-namespace",
        release(
            &registry.repo(),
            "1.1.0",
            json!({
                "certSecretRef": {"name": "registry-ca"},
                "credentialsRef": {"name": "registry-login", "namespace": "platform"},
            }),
        ),
    )
    .await;

    for name in ["https-ok", "oci-ok"] {
        let hr = env
            .wait_status(ns, name, name, |hr| {
                matches!(condition(hr, "Ready").as_deref(), Some("True" | "False"))
            })
            .await;
        assert_eq!(
            condition(&hr, "Ready").as_deref(),
            Some("True"),
            "{name}: {}\n{}",
            ready_message(&hr),
            controller.log()
        );
    }
    assert_eq!(
        env.records(ns, "oci-ok").await[0].1.chart_version(),
        "1.1.0"
    );
    assert!(env.deployment(ns, "https-ok-webapp").await.is_some());
    let listed = env.helm(&["list", "-n", ns, "-o", "json"]);
    assert!(
        listed.contains("\"https-ok\"") && listed.contains("\"oci-ok\""),
        "{listed}"
    );

    let expectations = [
        (
            "https-untrusted",
            "ChartFetchFailed",
            "invalid peer certificate",
            "key ca.crt of the Secret spec.certSecretRef names",
        ),
        (
            "https-no-client-cert",
            "ChartFetchFailed",
            "wants a client certificate",
            "keys tls.crt and tls.key",
        ),
        (
            "oci-anonymous",
            "ChartFetchFailed",
            "401 Unauthorized",
            "spec.credentialsRef",
        ),
        (
            "oci-cross-namespace",
            "AccessDenied",
            "names Secret platform/registry-login",
            "--no-cross-namespace-refs",
        ),
    ];
    for (name, reason, what, hint) in expectations {
        let hr = env
            .wait_status(ns, name, name, |hr| {
                condition(hr, "Ready").as_deref() == Some("False")
            })
            .await;
        let message = ready_message(&hr);
        assert!(
            message.starts_with(&format!("{reason}: ")),
            "{name}: {message}"
        );
        assert!(
            message.contains(what) && message.contains(hint),
            "{name}: {message}"
        );
        let stalled = reason == "AccessDenied";
        assert_eq!(
            condition(&hr, "Stalled").as_deref(),
            Some(if stalled { "True" } else { "False" }),
            "{name}: {message}"
        );
        assert!(
            env.records(ns, name).await.is_empty(),
            "{name}: nothing installed"
        );
    }
    let notes = event_notes(&env, ns).await;
    for (reason, what) in [
        ("ChartFetchFailed", "invalid peer certificate"),
        ("ChartFetchFailed", "wants a client certificate"),
        ("ChartFetchFailed", "401 Unauthorized"),
        ("AccessDenied", "platform/registry-login"),
    ] {
        assert!(
            notes.iter().any(|(r, n)| r == reason && n.contains(what)),
            "no {reason} Event about {what}: {notes:?}"
        );
    }

    // Nothing secret anywhere: not the password, its base64, the Docker config, or any line of
    // the client key.
    let mut secrets = vec![PASSWORD.to_string(), auth.clone(), docker_config.clone()];
    secrets.extend(
        pki.client
            .key_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_string),
    );
    let statuses: Vec<String> = env
        .hrs(ns)
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .iter()
        .map(|hr| serde_json::to_string(&hr.status).expect("json"))
        .collect();
    let log = controller.log();
    assert!(log.contains("ChartFetchFailed"), "the log is read: {log}");
    test_support::assert_no_secret(
        &[
            ("status", &statuses.join("\n")),
            ("events", &format!("{notes:?}")),
            ("controller log", &log),
        ],
        &secrets,
    );
}

/// `spec.valuesFrom`, with the controller binary (its log captured) and charts from the real
/// registry: a ConfigMap's map, a Secret's key at a `targetPath`, an `optional` reference to
/// nothing, inline values on top. A missing Secret is `ValuesFromNotFound` (retried, not
/// stalled) until it is created; rotating it upgrades the release; a template string merged in
/// from a Secret is stalled by the value rules without the Secret's text; and no Secret value
/// is in any status, Event or log line.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn values_from_a_configmap_and_a_secret_merge_upgrade_on_rotation_and_never_leak() {
    const FIRST: &str = "Rotat1on-one-9c4e";
    const SECOND: &str = "Rotat1on-two-5b1d";
    const TEMPLATED: &str = "{{ .Release.Name }}-Zq9-hidden";
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "apps";
    env.create_namespace(ns).await;
    let controller = Process::start(&env, &registry, "ctl-values");
    let config_maps: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    config_maps
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "web-base"}, "data": {
                "values.yaml": "message: from-the-configmap\npodAnnotations:\n  team: blue\n  tier: web\n",
            }}))
            .expect("a ConfigMap"),
        )
        .await
        .expect("ConfigMap created");
    let mut spec = webapp("1.0.0", json!({"podAnnotations": {"tier": "inline"}}));
    spec["repo"] = json!(registry.repo());
    spec["plainHttp"] = json!(true);
    spec["valuesFrom"] = json!([
        {"kind": "ConfigMap", "name": "web-base"},
        {"kind": "Secret", "name": "web-secret", "valuesKey": "message", "targetPath": "message"},
        {"kind": "ConfigMap", "name": "not-there", "optional": true},
        {"kind": "Secret", "name": "web-base", "valuesKey": "no-key", "optional": true},
    ]);
    env.apply_hr(ns, "web", spec.clone()).await;

    // The Secret does not exist yet: a clear, retried failure, nothing installed.
    let hr = env
        .wait_status(ns, "web", "the values to be missing", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    assert_eq!(
        ready_message(&hr),
        "ValuesFromNotFound: spec.valuesFrom[1]: Secret apps/web-secret not found; create it, \
         or set optional: true to go without it"
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert!(env.records(ns, "web").await.is_empty());

    let secret = |value: &str| -> Secret {
        serde_json::from_value(json!({"metadata": {"name": "web-secret"},
            "stringData": {"message": value}}))
        .expect("a Secret")
    };
    secrets
        .create(&PostParams::default(), &secret(FIRST))
        .await
        .expect("Secret created");
    env.wait_ready(ns, "web", 1).await;
    let records = env.records(ns, "web").await;
    assert_eq!(
        Value::Object(records[0].1.config.clone()),
        json!({"message": FIRST, "podAnnotations": {"team": "blue", "tier": "inline"}}),
        "the ConfigMap's map, the Secret at its targetPath, the inline values on top"
    );
    let rendered = env.configmap(ns, "web-webapp").await.expect("rendered");
    assert_eq!(rendered.data.as_ref().expect("data")["MESSAGE"], FIRST);
    let pods = env.deployment(ns, "web-webapp").await.expect("Deployment");
    let annotations = pods
        .spec
        .template
        .metadata
        .and_then(|m| m.annotations)
        .unwrap_or_default();
    assert_eq!(annotations.get("team").map(String::as_str), Some("blue"));
    assert_eq!(annotations.get("tier").map(String::as_str), Some("inline"));

    // Rotating the Secret is a new revision (the watch reconciles the release at once).
    secrets
        .replace("web-secret", &PostParams::default(), &secret(SECOND))
        .await
        .expect("Secret rotated");
    env.wait_ready(ns, "web", 2).await;
    let records = env.records(ns, "web").await;
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].1.config["message"], SECOND);
    let rendered = env.configmap(ns, "web-webapp").await.expect("rendered");
    assert_eq!(rendered.data.as_ref().expect("data")["MESSAGE"], SECOND);
    let got = env.helm(&["get", "values", "web", "-n", ns, "-o", "json"]);
    assert!(got.contains(SECOND), "helm reads the merged values: {got}");

    // A template string merged in from a Secret: the value rules see the merged values, and
    // the finding does not repeat the Secret's text.
    secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "tpl-secret"},
                "stringData": {"values.yaml": format!("message: '{TEMPLATED}'\n")}}))
            .expect("a Secret"),
        )
        .await
        .expect("Secret created");
    let mut templated = spec.clone();
    templated["valuesFrom"] = json!([{"kind": "Secret", "name": "tpl-secret"}]);
    env.apply_hr(ns, "tpl", templated).await;
    let hr = env
        .wait_status(ns, "tpl", "the merged values to be refused", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message
            .starts_with("ValidationFailed: HelmRelease apps/tpl is invalid (1 error): [PH040] spec.values.message: template expression in a value")
            && message.contains("***"),
        "{message}"
    );
    assert!(env.records(ns, "tpl").await.is_empty());

    let statuses: Vec<String> = env
        .hrs(ns)
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .iter()
        .map(|hr| serde_json::to_string(&hr.status).expect("json"))
        .collect();
    let notes = event_notes(&env, ns).await;
    assert!(
        notes.iter().any(|(r, _)| r == "ValuesFromNotFound"),
        "{notes:?}"
    );
    let log = controller.log();
    assert!(log.contains("ValuesFromNotFound"), "the log is read: {log}");
    use base64::Engine as _;
    let hidden = [
        FIRST.to_string(),
        SECOND.to_string(),
        "Zq9-hidden".to_string(),
        base64::engine::general_purpose::STANDARD.encode(FIRST),
        base64::engine::general_purpose::STANDARD.encode(SECOND),
    ];
    test_support::assert_no_secret(
        &[
            ("status", &statuses.join("\n")),
            ("events", &format!("{notes:?}")),
            ("controller log", &log),
        ],
        &hidden,
    );
}

/// `spec.dependsOn`: a release waits (`DependencyNotReady`, naming the dependency and why) until
/// its dependency exists and is Ready, then installs; a cycle is stalled naming it; a
/// dependency in another namespace is refused under `--no-cross-namespace-refs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_release_waits_for_its_dependencies_and_a_cycle_is_stalled() {
    let env = Env::start().await;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(host_controller::run_with_metrics(
        env.client.clone(),
        runtime(),
        Arc::new(charts()),
        Arc::default(),
        host_controller::ControllerOptions {
            tenancy: host_controller::Tenancy {
                no_cross_namespace_refs: true,
                default_service_account: None,
            },
            ..Default::default()
        },
        async {
            let _ = rx.await;
        },
    ));
    let _controller = Controller { task, _stop: tx };
    let ns = "apps";
    env.create_namespace(ns).await;
    let depending = |deps: Value| {
        let mut spec = webapp("1.0.0", json!({}));
        spec["dependsOn"] = deps;
        spec
    };
    let waiting = |hr: &HelmRelease, why: &str| {
        ready_message(hr).starts_with("DependencyNotReady: ")
            && ready_message(hr).contains(why)
            && condition(hr, "Stalled").as_deref() == Some("False")
    };

    env.apply_hr(ns, "a", depending(json!([{"name": "b"}])))
        .await;
    env.wait_status(ns, "a", "a to wait for b, which does not exist", |hr| {
        waiting(hr, "b (not found)")
    })
    .await;
    let mut b = webapp("1.0.0", json!({}));
    b["suspend"] = json!(true);
    env.apply_hr(ns, "b", b.clone()).await;
    env.wait_status(ns, "a", "a to wait for b, which is suspended", |hr| {
        waiting(hr, "b (suspended)")
    })
    .await;
    assert!(env.records(ns, "a").await.is_empty(), "a waits");

    b["suspend"] = json!(false);
    env.apply_hr(ns, "b", b).await;
    let b_ready = env.wait_ready(ns, "b", 1).await;
    env.wait_ready(ns, "a", 1).await;
    let b_at: jiff::Timestamp = condition_of(&b_ready, "Ready")
        .expect("Ready")
        .last_transition_time
        .parse()
        .expect("a time");
    let a_at: jiff::Timestamp = env.records(ns, "a").await[0]
        .1
        .info
        .first_deployed
        .as_deref()
        .expect("first deployed")
        .parse()
        .expect("a time");
    assert!(
        a_at >= b_at,
        "a installed ({a_at}) after b was Ready ({b_at})"
    );
    // How many reasons a sees depends on when it looks (b missing, not reconciled yet,
    // suspended, its new generation not reconciled yet, installing): what must not happen is
    // an Event per look, which would repeat a reason (a looks every 10 s and at each change of b).
    let waits: Vec<String> = env
        .event_messages(ns, "a")
        .await
        .into_iter()
        .filter(|(r, _)| r == "DependencyNotReady")
        .map(|(_, m)| m)
        .collect();
    let distinct: std::collections::BTreeSet<&String> = waits.iter().collect();
    assert!(
        !waits.is_empty() && distinct.len() == waits.len(),
        "one Event per new reason for waiting, not one per look: {waits:#?}"
    );

    // c -> d -> c: no wait ends it.
    env.apply_hr(ns, "c", depending(json!([{"name": "d"}])))
        .await;
    env.apply_hr(ns, "d", depending(json!([{"name": "c"}])))
        .await;
    for (name, cycle) in [("c", "c -> d -> c"), ("d", "d -> c -> d")] {
        let hr = env
            .wait_status(ns, name, "the cycle to be stalled", |hr| {
                condition(hr, "Stalled").as_deref() == Some("True")
            })
            .await;
        let message = ready_message(&hr);
        assert!(
            message.starts_with(&format!(
                "DependencyCycle: spec.dependsOn makes a cycle: {cycle};"
            )),
            "{message}"
        );
        assert!(env.records(ns, name).await.is_empty());
    }

    // Another namespace, refused by the tenancy flag.
    env.apply_hr(
        ns,
        "e",
        depending(json!([{"name": "b", "namespace": "platform"}])),
    )
    .await;
    let hr = env
        .wait_status(
            ns,
            "e",
            "the cross-namespace dependency to be refused",
            |hr| condition(hr, "Stalled").as_deref() == Some("True"),
        )
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with("AccessDenied: spec.dependsOn names HelmRelease platform/b")
            && message.contains("--no-cross-namespace-refs"),
        "{message}"
    );
}

/// The address the controller process serves `/metrics` on (it logs it once bound).
async fn metrics_addr(process: &Process) -> String {
    wait_for("the controller to serve /metrics", || async {
        process.log().lines().find_map(|line| {
            let entry: Value = serde_json::from_str(line).ok()?;
            (entry["fields"]["message"] == "metrics listening")
                .then(|| entry["fields"]["addr"].as_str().map(str::to_string))?
        })
    })
    .await
}

/// `/metrics` of the controller at `addr`, fetched over HTTP.
async fn scrape(addr: &str) -> String {
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("the metrics server answers");
    assert_eq!(response.status(), 200);
    response.text().await.expect("a body")
}

/// `status -> value` of the `planton_helm_release_reconciliation_status` series of `ns/name`.
fn status_series(text: &str, ns: &str, name: &str) -> std::collections::BTreeMap<String, String> {
    let prefix =
        format!("planton_helm_release_reconciliation_status{{namespace=\"{ns}\",name=\"{name}\",");
    text.lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .filter_map(|rest| {
            let (status, value) = rest.strip_prefix("status=\"")?.split_once("\"} ")?;
            Some((status.to_string(), value.to_string()))
        })
        .collect()
}

/// Waits until `/metrics` says `ns/name` is in `state` (1) and in no other (0), of all five.
async fn wait_series(addr: &str, ns: &str, name: &str, state: &str) -> String {
    wait_for(
        &format!("{ns}/{name} to be {state} on /metrics"),
        || async {
            let text = scrape(addr).await;
            let series = status_series(&text, ns, name);
            let want: std::collections::BTreeMap<String, String> =
                ["Ready", "Reconciling", "Stalled", "Suspended", "Unknown"]
                    .into_iter()
                    .map(|s| {
                        (
                            s.to_string(),
                            if s == state { "1" } else { "0" }.to_string(),
                        )
                    })
                    .collect();
            (series == want).then_some(text)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_over_http_follow_a_release_through_install_stall_suspend_and_delete() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |version: &str| {
        let mut spec = webapp(version, json!({}));
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };
    let process = Process::start(&env, &registry, "ctl-metrics");
    let addr = metrics_addr(&process).await;

    // Install: Ready.
    env.apply_hr(ns, "web", spec("1.0.0")).await;
    env.wait_ready(ns, "web", 1).await;
    let text = wait_series(&addr, ns, "web", "Ready").await;
    assert!(text.contains("planton_helm_leader 1"), "{text}");

    // A spec the webhook would deny (no webhook here): Stalled.
    env.apply_hr(ns, "web", spec("^1.0")).await;
    let hr = env
        .wait_status(ns, "web", "the release to stall", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    assert!(ready_message(&hr).starts_with("ValidationFailed: HelmRelease default/web is invalid"));
    wait_series(&addr, ns, "web", "Stalled").await;

    // Suspended: a condition reason, and the series.
    let mut suspended = spec("^1.0");
    suspended["suspend"] = json!(true);
    env.apply_hr(ns, "web", suspended).await;
    let hr = env
        .wait_status(ns, "web", "the suspension to show", |hr| {
            ready_message(hr).starts_with("Suspended: ")
        })
        .await;
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert_eq!(
        condition(&hr, "Ready").as_deref(),
        Some("False"),
        "Ready keeps the status it had (stalled: False)"
    );
    wait_series(&addr, ns, "web", "Suspended").await;

    // Deleted: the release is uninstalled and its series are gone.
    env.hrs(ns)
        .delete("web", &DeleteParams::default())
        .await
        .expect("HelmRelease deleted");
    let text = wait_for("the series of web to be removed", || async {
        let gone = env.hrs(ns).get_opt("web").await.expect("get").is_none();
        let text = scrape(&addr).await;
        (gone && status_series(&text, ns, "web").is_empty()).then_some(text)
    })
    .await;
    for result in ["Ready", "Stalled", "Suspended", "Deleted"] {
        assert!(
            text.contains(&format!(
                "planton_helm_reconcile_total{{result=\"{result}\"}}"
            )),
            "{result} in\n{text}"
        );
    }
    assert!(
        text.contains("planton_helm_reconcile_duration_seconds_count"),
        "{text}"
    );
    assert!(
        !text.contains("name=\"web\""),
        "no series of a deleted release:\n{text}"
    );
}

/// The `lifecycle` chart (tests/charts/lifecycle): a hook Pod for every hook event, every delete
/// policy and several weights.
fn lifecycle_chart_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts/lifecycle")
}

/// Every creation and deletion of a Pod of release `lc`, as `(namespace, "create NAME" |
/// "delete NAME")`, in the order the API server made them: one watch delivers the events of a
/// resource in resourceVersion order.
struct PodTrail {
    events: Arc<std::sync::Mutex<Vec<(String, String)>>>,
    task: JoinHandle<()>,
}

impl PodTrail {
    async fn start(client: &Client) -> PodTrail {
        use futures::StreamExt;
        use kube::api::{WatchEvent, WatchParams};
        const LABEL: &str = "app.kubernetes.io/instance=lc";
        let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::all(client.clone());
        let mut rv = pods
            .list_metadata(&ListParams::default().labels(LABEL))
            .await
            .expect("list pods")
            .metadata
            .resource_version
            .expect("a list resourceVersion");
        let events: Arc<std::sync::Mutex<Vec<(String, String)>>> = Arc::default();
        let sink = events.clone();
        let task = tokio::spawn(async move {
            loop {
                // A watch ends after its timeout; the next one resumes where it stopped.
                let Ok(stream) = pods
                    .watch_metadata(&WatchParams::default().labels(LABEL), &rv)
                    .await
                else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                let mut stream = stream.boxed();
                while let Some(Ok(event)) = stream.next().await {
                    let (verb, meta) = match event {
                        WatchEvent::Added(p) => ("create", p.metadata),
                        WatchEvent::Deleted(p) => ("delete", p.metadata),
                        WatchEvent::Modified(p) => ("", p.metadata),
                        WatchEvent::Bookmark(b) => {
                            rv = b.metadata.resource_version;
                            continue;
                        }
                        WatchEvent::Error(e) => panic!("watching the hook Pods: {e:?}"),
                    };
                    rv = meta.resource_version.clone().unwrap_or(rv);
                    if !verb.is_empty() {
                        sink.lock().unwrap().push((
                            meta.namespace.unwrap_or_default(),
                            format!("{verb} {}", meta.name.unwrap_or_default()),
                        ));
                    }
                }
            }
        });
        PodTrail { events, task }
    }

    fn of(&self, ns: &str) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == ns)
            .map(|(_, e)| e.clone())
            .collect()
    }
}

impl Drop for PodTrail {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The names of the Pods and ConfigMaps of release `lc` in `ns`.
async fn lifecycle_objects(env: &Env, ns: &str) -> Vec<String> {
    let lp = ListParams::default().labels("app.kubernetes.io/instance=lc");
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(env.client.clone(), ns);
    let cms: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    let mut names: Vec<String> = pods
        .list_metadata(&lp)
        .await
        .expect("pods")
        .items
        .into_iter()
        .map(|p| format!("Pod {}", p.metadata.name.unwrap_or_default()))
        .chain(
            cms.list_metadata(&lp)
                .await
                .expect("configmaps")
                .items
                .into_iter()
                .map(|c| format!("ConfigMap {}", c.metadata.name.unwrap_or_default())),
        )
        .collect();
    names.sort();
    names
}

/// What two release records must agree on: revision, status, description, values, manifest,
/// and each hook's events, weight, delete policies and the phase of its last run.
async fn lifecycle_records(env: &Env, ns: &str) -> Vec<Value> {
    env.records(ns, "lc")
        .await
        .into_iter()
        .map(|(secret, r)| {
            let labels = secret.metadata.labels.unwrap_or_default();
            let mut hooks: Vec<Value> = r
                .hooks
                .iter()
                .map(|h| {
                    json!({"name": h["name"], "events": h["events"], "weight": h["weight"],
                           "delete_policies": h["delete_policies"],
                           "phase": h["last_run"]["phase"].as_str().unwrap_or_default()})
                })
                .collect();
            hooks.sort_by_key(|h| h["name"].as_str().unwrap_or_default().to_string());
            json!({"revision": r.version, "status": r.info.status,
                   "label_status": labels.get("status"),
                   "description": r.info.description, "config": r.config,
                   "manifest": r.manifest, "hooks": hooks})
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hooks_and_records_match_helm_through_install_upgrade_rollback_and_uninstall() {
    let env = Env::start().await;
    let trail = PodTrail::start(&env.client).await;
    let (by_helm, by_us) = ("by-helm", "by-controller");
    env.create_namespace(by_helm).await;
    env.create_namespace(by_us).await;
    let chart = lifecycle_chart_dir();
    let chart = chart.to_str().unwrap();

    // The oracle: the real helm, each step as a user would run it.
    let helm = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["-n", by_helm, "--timeout", "60s"]);
        env.helm(&all);
    };
    helm(&["install", "lc", chart, "--set", "message=v1"]);
    helm(&["test", "lc"]);
    helm(&["upgrade", "lc", chart, "--set", "message=v2"]);
    helm(&["test", "lc"]);
    let failed = env.helm_output(&[
        "upgrade",
        "lc",
        chart,
        "--set",
        "message=v3",
        "--set",
        "failVerify=true",
        "--rollback-on-failure",
        "-n",
        by_helm,
        "--timeout",
        "60s",
    ]);
    assert!(!failed.status.success(), "the upgrade with a failing hook");
    let helm_records = lifecycle_records(&env, by_helm).await;
    let helm_objects = lifecycle_objects(&env, by_helm).await;
    helm(&["uninstall", "lc"]);
    let helm_after_uninstall = lifecycle_objects(&env, by_helm).await;

    // The controller: the same steps as spec changes.
    let _controller = Controller::start_with(
        &env.client,
        Arc::new(LocalCharts::new().with(REPO, "lifecycle", "1.0.0", lifecycle_chart_dir())),
    );
    let spec = |values: Value| {
        json!({"repo": REPO, "name": "lifecycle", "version": "1.0.0", "values": values,
               "atomic": true, "timeout": "60s", "test": {"enable": true, "timeout": "60s"}})
    };
    let tested = |revision: u32| {
        move |hr: &HelmRelease| {
            condition(hr, "TestSuccess").as_deref() == Some("True")
                && hr.status.as_ref().unwrap().last_applied_revision == Some(revision)
        }
    };
    env.apply_hr(by_us, "lc", spec(json!({"message": "v1"})))
        .await;
    env.wait_status(by_us, "lc", "revision 1 tested", tested(1))
        .await;
    env.apply_hr(by_us, "lc", spec(json!({"message": "v2"})))
        .await;
    env.wait_status(by_us, "lc", "revision 2 tested", tested(2))
        .await;
    env.apply_hr(
        by_us,
        "lc",
        spec(json!({"message": "v3", "failVerify": true})),
    )
    .await;
    let hr = env
        .wait_status(by_us, "lc", "revision 3 to fail and roll back", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    assert!(
        ready_message(&hr).contains("rolled back to revision 2 as revision 4"),
        "{}",
        ready_message(&hr)
    );
    let our_records = lifecycle_records(&env, by_us).await;
    let our_objects = lifecycle_objects(&env, by_us).await;
    env.hrs(by_us)
        .delete("lc", &DeleteParams::default())
        .await
        .expect("delete the HelmRelease");
    wait_for("the HelmRelease to be gone", || async {
        env.hrs(by_us)
            .get_opt("lc")
            .await
            .ok()?
            .is_none()
            .then_some(())
    })
    .await;
    let our_after_uninstall = lifecycle_objects(&env, by_us).await;

    // The same hooks, created and deleted in the same order.
    let (helm_trail, our_trail) = (trail.of(by_helm), trail.of(by_us));
    assert!(helm_trail.len() > 30, "{helm_trail:#?}");
    assert_eq!(
        our_trail, helm_trail,
        "hook Pods created and deleted (left: the controller, right: helm)"
    );
    // The same objects left before and after the uninstall.
    assert_eq!(our_objects, helm_objects);
    assert_eq!(our_after_uninstall, helm_after_uninstall);
    assert!(
        !helm_after_uninstall.is_empty(),
        "hooks without a deleting policy stay"
    );
    // The same release records.
    assert_eq!(helm_records.len(), 4, "{helm_records:#?}");
    for (ours, theirs) in our_records.iter().zip(&helm_records) {
        let mut ours = ours.clone();
        let mut theirs = theirs.clone();
        // After helm's prefix, the cause is each tool's own wording; both name the hook event.
        if theirs["status"] == "failed" {
            for d in [&mut ours["description"], &mut theirs["description"]] {
                let text = d.as_str().unwrap_or_default();
                assert!(
                    text.starts_with("Upgrade \"lc\" failed: ") && text.contains("post-upgrade"),
                    "{d}"
                );
                *d = Value::Null;
            }
        }
        assert_eq!(
            ours, theirs,
            "revision {} (left: ours, right: helm's)",
            theirs["revision"]
        );
    }
    assert_eq!(our_records.len(), helm_records.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_upgrades_are_cleaned_up_retried_and_uninstalled_as_the_spec_says() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let statuses = |records: Vec<(Secret, Release)>| -> Vec<(u32, String)> {
        records
            .into_iter()
            .map(|(_, r)| (r.version, r.info.status))
            .collect()
    };
    let good = json!({"message": "good"});
    // Pods that never start, and a ConfigMap revision 1 does not have.
    let bad = json!({"message": "bad", "extraConfig": {"enabled": true},
                     "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}});
    for name in ["retry", "gone"] {
        env.apply_hr(ns, name, webapp("1.0.0", good.clone())).await;
    }
    env.wait_ready(ns, "retry", 1).await;
    env.wait_ready(ns, "gone", 1).await;

    // One retry, cleanupOnFail, and the last failure left as it is.
    let mut spec = webapp("1.0.0", bad.clone());
    spec["timeout"] = json!("5s");
    spec["upgrade"] = json!({"cleanupOnFail": true,
        "remediation": {"retries": 1, "remediateLastFailure": false}});
    env.apply_hr(ns, "retry", spec).await;
    // With strategy uninstall, the failed upgrade is uninstalled.
    let mut spec = webapp("1.0.0", bad);
    spec["timeout"] = json!("5s");
    spec["upgrade"] =
        json!({"remediation": {"strategy": "uninstall", "remediateLastFailure": true}});
    env.apply_hr(ns, "gone", spec).await;

    let hr = env
        .wait_status(ns, "retry", "the first upgrade failure", |hr| {
            hr.status.as_ref().unwrap().upgrade_failures == 1
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with("UpgradeFailed")
            && message.contains("cleanupOnFail: the objects it created were deleted")
            && message.contains("rolled back to revision 1 as revision 3")
            && message.contains("retrying at"),
        "{message}"
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    let hr = env
        .wait_status(ns, "retry", "the retries to be exhausted", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    let status = hr.status.as_ref().unwrap();
    assert_eq!((status.upgrade_failures, status.failures), (2, 2));
    let stalled = condition_of(&hr, "Stalled").unwrap();
    assert_eq!(stalled.reason, "RetriesExhausted");
    assert!(
        stalled
            .message
            .starts_with("Upgrade failed 2 time(s) and spec.upgrade.remediation.retries is 1"),
        "{}",
        stalled.message
    );
    assert_eq!(
        statuses(env.records(ns, "retry").await),
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "deployed".into()),
            (4, "failed".into())
        ]
    );
    // The last failure is not remediated: its changes stay, but the object it added is gone.
    assert_eq!(
        env.configmap(ns, "retry-webapp")
            .await
            .unwrap()
            .data
            .unwrap()["MESSAGE"],
        "bad"
    );
    let (_, failed) = env.records(ns, "retry").await.pop().unwrap();
    assert!(failed.manifest.contains("name: retry-webapp-extra"));
    assert!(env.configmap(ns, "retry-webapp-extra").await.is_none());
    let events = env.event_messages(ns, "retry").await;
    assert_eq!(
        events.iter().filter(|(r, _)| r == "UpgradeFailed").count(),
        2,
        "{events:?}"
    );

    let hr = env
        .wait_status(ns, "gone", "the failed upgrade to be uninstalled", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with("UpgradeFailed")
            && message.contains("the failed upgrade was uninstalled"),
        "{message}"
    );
    assert!(env.deployment(ns, "gone-webapp").await.is_none());
    assert!(env.configmap(ns, "gone-webapp").await.is_none());
    assert!(env.configmap(ns, "gone-webapp-extra").await.is_none());
    assert!(env.records(ns, "gone").await.is_empty());
    let list = env.helm(&["list", "-n", ns, "-q"]);
    assert!(!list.lines().any(|l| l == "gone"), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_apiserver_restarted_mid_upgrade_leaves_a_release_that_recovers_by_itself() {
    let mut env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    env.apply_hr(ns, "api", webapp("1.0.0", json!({"message": "v1"})))
        .await;
    env.wait_ready(ns, "api", 1).await;

    // The upgrade starts; the apiserver process is killed as soon as revision 2 is recorded
    // (while the controller applies it or waits for its Pods), and comes back 5 s later.
    env.apply_hr(ns, "api", webapp("1.0.0", json!({"message": "v2"})))
        .await;
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(Some(s)) = secrets.get_opt("sh.helm.release.v1.api.v2").await {
            let status = s.metadata.labels.unwrap_or_default()["status"].clone();
            assert_eq!(status, "pending-upgrade", "killed mid-upgrade");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "revision 2 never came"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    env.cp.kill_apiserver().expect("apiserver killed");
    tokio::time::sleep(Duration::from_secs(5)).await;
    env.cp.start_apiserver().await.expect("apiserver back");

    // No spec change, no annotation: the release ends deployed with v2, nothing pending, every
    // revision still there.
    let hr = env
        .wait_status(ns, "api", "the release to recover", |hr| {
            condition(hr, "Ready").as_deref() == Some("True")
                && hr.status.as_ref().unwrap().last_applied_revision >= Some(2)
        })
        .await;
    let records: Vec<(u32, String)> = env
        .records(ns, "api")
        .await
        .into_iter()
        .map(|(_, r)| (r.version, r.info.status))
        .collect();
    let descriptions: Vec<String> = env
        .records(ns, "api")
        .await
        .into_iter()
        .map(|(_, r)| r.info.description)
        .collect();
    eprintln!(
        "recovered: {} {records:?} {descriptions:?}",
        ready_message(&hr)
    );
    assert_eq!(records[0], (1, "superseded".into()));
    assert_eq!(records.last().unwrap().1, "deployed");
    assert!(
        records.iter().all(|(_, s)| !s.starts_with("pending")),
        "{records:?}"
    );
    let versions: Vec<u32> = records.iter().map(|(v, _)| *v).collect();
    assert_eq!(
        versions,
        (1..=versions.len() as u32).collect::<Vec<_>>(),
        "no revision lost"
    );
    assert_eq!(
        env.configmap(ns, "api-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "v2"
    );
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "api", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(history.as_array().unwrap().len(), records.len());
    assert_eq!(hr.metadata.generation, Some(2), "no spec change");
}
