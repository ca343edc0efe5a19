//! End-to-end: `planton-helm diff --cluster` and `planton-helm status` against a real control plane
//! (testenv), a release installed by the real controller (in this process) from the real
//! registry, and the expectation of what will change derived from two runs of the oracle
//! `helm template`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use host_controller::{HelmRelease, SourceCharts, SourceOptions};
use host_runtime::{Config, Runtime};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, Client, CustomResourceExt};
use serde_json::{Value, json};
use test_support::{Helm, Registry, TempDir};
use testenv::{ControlPlane, Options};

const NS: &str = "shop";
const WAIT: Duration = Duration::from_secs(90);
const PASSWORD_1: &str = "correct-horse-1";
const PASSWORD_2: &str = "battery-staple-2";
/// What the HelmRelease CRD adds to the cluster's API versions (the 0.2.0 chart renders one
/// object only when it is served).
const CRD_API: &str = "kubernetes.project-planton.org/v1/HelmRelease";

fn chart_dir(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/charts/shop-{version}"))
}

async fn wait_for<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    f: impl FnMut() -> F,
) -> T {
    test_support::eventually_within(what, WAIT, Duration::from_millis(200), f).await
}

/// The HelmRelease file a user keeps in git.
fn release_file(repo: &str, version: &str, greeting: &str, password: &str) -> String {
    format!(
        "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\n\
         metadata:\n  name: web\n  namespace: {NS}\n\
         spec:\n  repo: {repo}\n  plainHttp: true\n  name: shop\n  version: {version}\n\
         \x20 values:\n    greeting: {greeting}\n    password: {password}\n"
    )
}

struct Cli {
    kubeconfig: PathBuf,
    cache: TempDir,
}

impl Cli {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_planton-helm"))
            .args(args)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
            .output()
            .expect("run planton-helm")
    }

    fn diff(&self, file: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["diff", "--cluster", "--plain-http", "--cache"];
        let cache = self.cache.path().to_str().expect("UTF-8");
        args.push(cache);
        args.extend(extra);
        args.push(file.to_str().expect("UTF-8"));
        self.run(&args)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

/// The objects of `helm template` output by (group, kind, namespace, name), as parsed values.
fn oracle_objects(stdout: &str) -> BTreeMap<(String, String, String), Value> {
    let mut out = BTreeMap::new();
    for doc in stdout.split("\n---\n") {
        let Ok(v) = serde_saphyr::from_str::<Value>(doc) else {
            continue;
        };
        let (Some(kind), Some(name)) = (v["kind"].as_str(), v["metadata"]["name"].as_str()) else {
            continue;
        };
        let group = v["apiVersion"]
            .as_str()
            .and_then(|a| a.rsplit_once('/'))
            .map_or("", |(g, _)| g);
        out.insert((group.to_string(), kind.to_string(), name.to_string()), v);
    }
    out
}

/// What helm says an upgrade from `before` to `after` changes: `(kind, name) -> change`.
fn expected_changes(
    before: &BTreeMap<(String, String, String), Value>,
    after: &BTreeMap<(String, String, String), Value>,
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for (key, b) in after {
        match before.get(key) {
            None => {
                out.insert((key.1.clone(), key.2.clone()), "added".to_string());
            }
            Some(a) if a != b => {
                out.insert((key.1.clone(), key.2.clone()), "changed".to_string());
            }
            Some(_) => {}
        }
    }
    for key in before.keys().filter(|k| !after.contains_key(*k)) {
        out.insert((key.1.clone(), key.2.clone()), "removed".to_string());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_cluster_lists_what_helm_says_will_change_and_reports_drift() {
    let cp = ControlPlane::start_with(Options::new())
        .await
        .expect("control plane starts");
    let client = cp.client();
    install_crd(&client).await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": NS}})).expect("namespace"),
        )
        .await
        .expect("namespace created");

    let helm = Helm::new();
    let registry = Registry::start(None);
    let packages = TempDir::new("shop-packages");
    for version in ["0.1.0", "0.2.0"] {
        let archive = helm.package(&chart_dir(version), version, packages.path());
        registry.push(&helm, &archive, None);
    }
    let repo = registry.repo();
    let controller_cache = TempDir::new("shop-controller-cache");
    let charts = Arc::new(
        SourceCharts::new(SourceOptions {
            cache_dir: Some(controller_cache.path().to_path_buf()),
            ..SourceOptions::default()
        })
        .expect("chart provider"),
    );
    let runtime = Arc::new(Runtime::new(Config::default()).expect("the core loads"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn(host_controller::run(
        client.clone(),
        runtime,
        charts,
        async {
            let _ = stopped.await;
        },
    ));

    // Revision 1, installed by the controller from the file as it is on main.
    let work = TempDir::new("shop-files");
    let v1 = work.path().join("v1.yaml");
    std::fs::write(&v1, release_file(&repo, "0.1.0", "hello", PASSWORD_1)).expect("write");
    let hr: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(&v1).expect("read")).expect("YAML");
    let hrs: Api<HelmRelease> = Api::namespaced(client.clone(), NS);
    hrs.patch("web", &PatchParams::apply("test"), &Patch::Apply(hr))
        .await
        .expect("HelmRelease applied");
    wait_for("web Ready at revision 1", || async {
        let hr = hrs.get("web").await.ok()?;
        let s = hr.status?;
        let ready = s
            .conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        (ready && s.last_applied_revision == Some(1)).then_some(())
    })
    .await;

    let cli = Cli {
        kubeconfig: cp.kubeconfig_path().to_path_buf(),
        cache: TempDir::new("shop-cli-cache"),
    };

    // The file as deployed: nothing to do.
    let out = cli.diff(&v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "{}", text(&out.stderr));

    // `status` shows it.
    let out = cli.run(&["status", "-n", NS]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let row = table.lines().nth(1).expect("a row");
    let cells: Vec<&str> = row
        .split("   ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        &cells[..7],
        [
            NS,
            "web",
            "shop",
            "0.1.0",
            "True",
            "InstallSucceeded",
            "1 (deployed)"
        ],
        "{table}"
    );
    assert!(cells[7].starts_with("1 at "), "{table}");
    let out = cli.run(&["status", v1.to_str().expect("UTF-8")]);
    assert_eq!(text(&out.stdout), table, "status FILE shows the same row");
    let out = cli.run(&["get", "-n", NS, "web", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!("Error: HelmRelease {NS}/nope not found\n")
    );

    // The pull request: a new chart version and new values.
    let v2 = work.path().join("v2.yaml");
    std::fs::write(&v2, release_file(&repo, "0.2.0", "hi there", PASSWORD_2)).expect("write");
    let out = cli.diff(&v2, &["--output", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).expect("JSON report");

    // The oracle: helm's own rendering of both sides, with the cluster's capabilities.
    let kube_version = client
        .apiserver_version()
        .await
        .expect("version")
        .git_version;
    let template = |version: &str, greeting: &str, password: &str| {
        let out = helm.run(&[
            "template",
            "web",
            chart_dir(version).to_str().expect("UTF-8"),
            "--namespace",
            NS,
            "--kube-version",
            &kube_version,
            "--api-versions",
            CRD_API,
            "--set-string",
            &format!("greeting={greeting},password={password}"),
        ]);
        oracle_objects(&out)
    };
    let expected = expected_changes(
        &template("0.1.0", "hello", PASSWORD_1),
        &template("0.2.0", "hi there", PASSWORD_2),
    );
    let reported: BTreeMap<(String, String), String> = report["releases"][0]["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| {
            (
                (
                    o["kind"].as_str().unwrap().to_string(),
                    o["name"].as_str().unwrap().to_string(),
                ),
                o["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(reported, expected, "{stdout}");
    // The chart is what the test is about: it changes some objects, not all, and adds one only
    // a cluster serving HelmReleases gets.
    assert!(expected.contains_key(&("ConfigMap".into(), "web-shop-planton".into())));
    assert!(!expected.contains_key(&("ConfigMap".into(), "web-shop-static".into())));
    assert_eq!(
        expected
            .get(&("ConfigMap".into(), "web-shop-legacy".into()))
            .map(String::as_str),
        Some("removed")
    );
    assert_eq!(report["changed"], true);
    assert_eq!(report["releases"][0]["action"], "upgraded");
    assert_eq!(report["releases"][0]["plannedRevision"], 2);
    assert_eq!(report["releases"][0]["drift"], json!([]));
    assert_no_secret(&stdout);
    let secret_diff = report["releases"][0]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "Secret")
        .expect("the Secret changed")["diff"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        secret_diff.contains("-  password: hidden (15 bytes)"),
        "{secret_diff}"
    );
    assert!(
        secret_diff.contains("+  password: hidden (16 bytes, changed)"),
        "{secret_diff}"
    );

    // --show-secrets shows them.
    let out = cli.diff(&v2, &["--output", "json", "--show-secrets"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains(&b64(PASSWORD_2)),
        "--show-secrets shows the values"
    );

    // Hand edits: a ConfigMap value and the Secret's data, live (with the controller stopped, so
    // that it does not correct them meanwhile).
    let _ = stop.send(());
    let _ = controller.await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    cms.patch(
        "web-shop-static",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"motd": "closed today"}})),
    )
    .await
    .expect("edit the ConfigMap");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    secrets
        .patch(
            "web-shop-db",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"password": b64("edited-by-hand")}})),
        )
        .await
        .expect("edit the Secret");
    let out = cli.diff(&v1, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(&format!("HelmRelease {NS}/web unchanged: shop 0.1.0 (revision 1)\nDrift: live objects that differ from revision 1's manifest\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains("v1 ConfigMap shop/web-shop-static modified\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-  motd: welcome\n+  motd: closed today\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("v1 Secret shop/web-shop-db modified\n"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("-  password: hidden (15 bytes)\n+  password: hidden (14 bytes, changed)\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("web-shop-settings"),
        "untouched objects are no drift:\n{stdout}"
    );
    assert_no_secret(&stdout);
    assert!(!stdout.contains("edited-by-hand") && !stdout.contains(&b64("edited-by-hand")));

    // A cluster it cannot reach: exit 2, one line.
    let out = Command::new(env!("CARGO_BIN_EXE_planton-helm"))
        .args(["diff", "--cluster", "--kubeconfig", "/no/such/kubeconfig"])
        .arg(&v1)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/no/such/kubeconfig"), "{err}");
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn assert_no_secret(text: &str) {
    for secret in [PASSWORD_1, PASSWORD_2] {
        assert!(!text.contains(secret), "{secret} printed:\n{text}");
        assert!(
            !text.contains(&b64(secret)),
            "{secret} (base64) printed:\n{text}"
        );
    }
}

async fn install_crd(client: &Client) {
    test_support::cluster::install_crd(client, &HelmRelease::crd(), WAIT).await;
}
