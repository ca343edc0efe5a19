//! End-to-end: the controller against a real control plane (testenv), with charts from
//! `tests/charts/` pushed by the real `helm push` into the real registry (Debian's
//! docker-registry) and fetched from `oci://`, or served by the test-only local chart map where
//! the fetching is not what a test is about, and the real `helm` CLI (the oracle) reading the
//! releases it writes. Each test starts its own control plane; some run the controller binary
//! as separate processes (killed with SIGKILL, stopped with SIGTERM, two at once for leader
//! election).

#[path = "../../chart-source/tests/support/mod.rs"]
mod support;

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
use support::{Helm, Registry, TempDir};
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

    /// The controller's real chart provider for this registry (plain HTTP, a fresh cache).
    fn provider(&self) -> Arc<dyn ChartProvider> {
        Arc::new(
            SourceCharts::new(SourceOptions {
                cache_dir: Some(self.cache.path().to_path_buf()),
                plain_http: true,
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
            Some(cluster_name.to_string()),
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
        let log = env.cp.dir().join(format!("controller-{name}.log"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
            .args(["run", "--metrics-addr", "127.0.0.1:0", "--plain-http"])
            .arg("--chart-cache")
            .arg(registry.cache.path())
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
        let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
        crds.create(&PostParams::default(), &HelmRelease::crd())
            .await
            .expect("CRD created");
        wait_for("the CRD to be established", || async {
            let crd = crds
                .get("helmreleases.kubernetes.project-planton.org")
                .await
                .ok()?;
            let conds = crd.status?.conditions?;
            conds
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
                .then_some(())
        })
        .await;
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
        let body = json!({
            "apiVersion": "kubernetes.project-planton.org/v1",
            "kind": "HelmRelease",
            "metadata": {"name": name, "namespace": ns},
            "spec": spec,
        });
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
        let out = Command::new(helm_bin())
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
            .expect("helm runs");
        assert!(
            out.status.success(),
            "helm {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
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
    std::env::var_os("PLANTON_HELM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/planton-helm/bin/helm")
        })
}

fn condition(hr: &HelmRelease, kind: &str) -> Option<String> {
    hr.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == kind)
        .map(|c| c.status.clone())
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
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
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
async fn two_controller_processes_elect_one_leader_and_the_other_takes_over() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |message: &str| {
        let mut spec = webapp("1.0.0", json!({"message": message}));
        spec["repo"] = json!(registry.repo());
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
async fn a_release_helm_installed_is_adopted_as_its_next_revision() {
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
    env.apply_hr(
        ns,
        "legacy",
        webapp("1.0.0", json!({"message": "from-controller"})),
    )
    .await;
    env.wait_ready(ns, "legacy", 2).await;
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
