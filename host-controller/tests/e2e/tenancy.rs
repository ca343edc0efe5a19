//! Tenancy end to end: releases act as their service accounts (impersonation), and the
//! controller's chart grants the controller itself no more than it needs.

use std::collections::BTreeMap;

use host_controller::cluster::{Cluster, manifest_objects};
use host_controller::{ControllerOptions, Tenancy};
use host_runtime::{
    Capabilities, ChartSource, OfflineHost, ReleaseInfo, RenderOptions, RenderRequest, SourceFile,
    ValuesLayer,
};
use k8s_openapi::api::authentication::v1::TokenRequest;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::config::KubeConfigOptions;

use super::*;

/// The chart of the tenancy tests (tests/charts/peek): a ConfigMap reporting what its `lookup`
/// of the Secrets in `peek` found, another ConfigMap and a Service.
fn peek_charts() -> LocalCharts {
    LocalCharts::new().with(
        REPO,
        "peek",
        "1.0.0",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts/peek"),
    )
}

/// The controller's own connection (the admin's), from which releases' identities are made.
async fn admin_config(env: &Env) -> kube::Config {
    kube::Config::from_custom_kubeconfig(env.cp.kubeconfig().clone(), &KubeConfigOptions::default())
        .await
        .expect("kubeconfig")
}

impl Controller {
    /// A controller that makes releases act as their service accounts.
    async fn start_impersonating(env: &Env, charts: Arc<dyn ChartProvider>) -> Controller {
        let (tx, rx) = oneshot::channel::<()>();
        let options = ControllerOptions {
            tenancy: Tenancy {
                no_cross_namespace_refs: true,
                default_service_account: None,
            },
            config: Some(admin_config(env).await),
            ..ControllerOptions::default()
        };
        let task = tokio::spawn(host_controller::run_with_metrics(
            env.client.clone(),
            runtime(),
            charts,
            Arc::default(),
            options,
            async {
                let _ = rx.await;
            },
        ));
        Controller { task, _stop: tx }
    }
}

/// Applies `text` (YAML documents) as the admin.
async fn apply_yaml(env: &Env, text: &str, namespace: &str) {
    let cluster = Cluster::new(env.client.clone());
    for (obj, body) in manifest_objects(text) {
        cluster
            .apply(&obj, body, namespace, true)
            .await
            .unwrap_or_else(|e| panic!("applying {obj}: {e}"));
    }
}

/// Service account `name` in `ns`, allowed everything on the usual namespaced kinds of `ns`
/// and nothing elsewhere.
async fn tenant_account(env: &Env, ns: &str, name: &str) {
    let yaml = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n\
         ---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  \
         name: {name}-deployer\n  namespace: {ns}\nrules:\n  - apiGroups: [\"\", apps, batch]\n    \
         resources: [configmaps, secrets, services, pods, deployments, replicasets, jobs]\n    \
         verbs: [\"*\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n\
         metadata:\n  name: {name}-deployer\n  namespace: {ns}\nroleRef:\n  \
         apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {name}-deployer\nsubjects:\n  \
         - kind: ServiceAccount\n    name: {name}\n    namespace: {ns}\n"
    );
    apply_yaml(env, &yaml, ns).await;
}

async fn create_secret(env: &Env, ns: &str, name: &str, keys: &[&str]) {
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    let data: BTreeMap<String, String> = keys
        .iter()
        .map(|k| (k.to_string(), "s3cr3t".to_string()))
        .collect();
    secrets
        .create(
            &PostParams::default(),
            &Secret {
                metadata: kube::api::ObjectMeta {
                    name: Some(name.into()),
                    ..Default::default()
                },
                string_data: Some(data),
                ..Default::default()
            },
        )
        .await
        .expect("secret");
}

/// The names of the ConfigMaps, Services and Secrets in `ns` (leaving out what the control plane
/// makes in every namespace).
async fn objects_in(env: &Env, ns: &str) -> Vec<String> {
    let mut out = Vec::new();
    let cms: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    for cm in cms.list(&ListParams::default()).await.expect("list") {
        out.push(format!(
            "ConfigMap {}",
            cm.metadata.name.unwrap_or_default()
        ));
    }
    let services: Api<k8s_openapi::api::core::v1::Service> =
        Api::namespaced(env.client.clone(), ns);
    for s in services.list(&ListParams::default()).await.expect("list") {
        out.push(format!("Service {}", s.metadata.name.unwrap_or_default()));
    }
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    for s in secrets.list(&ListParams::default()).await.expect("list") {
        out.push(format!("Secret {}", s.metadata.name.unwrap_or_default()));
    }
    out.retain(|o| o != "ConfigMap kube-root-ca.crt");
    out.sort();
    out
}

fn peek(target: Option<&str>, peek: Value) -> Value {
    let mut spec = json!({"repo": REPO, "name": "peek", "version": "1.0.0",
                          "serviceAccountName": "deployer", "timeout": "60s",
                          "values": {"peek": peek}});
    if let Some(ns) = target {
        spec["targetNamespace"] = json!(ns);
    }
    spec
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tenant_account_acts_only_where_it_was_granted_rights() {
    let env = Env::start().await;
    for ns in ["team-a", "team-b"] {
        env.create_namespace(ns).await;
    }
    tenant_account(&env, "team-a", "deployer").await;
    create_secret(&env, "team-a", "own", &["password", "username"]).await;
    create_secret(&env, "team-b", "db", &["password"]).await;
    let _controller = Controller::start_impersonating(&env, Arc::new(peek_charts())).await;

    // Into team-b, where the account has no right: refused before anything is written.
    let before = objects_in(&env, "team-b").await;
    env.apply_hr(
        "team-a",
        "into-b",
        peek(
            Some("team-b"),
            json!([{"namespace": "team-b", "name": "db"}]),
        ),
    )
    .await;
    let hr = env
        .wait_status("team-a", "into-b", "into-b Stalled (Forbidden)", |hr| {
            stalled_reason(hr).as_deref() == Some("Forbidden")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with(
            "Forbidden: install as service account team-a/deployer: forbidden: \
             system:serviceaccount:team-a:deployer may not "
        ) && message.contains(" in namespace team-b; grant that account the right"),
        "{message}"
    );
    assert_eq!(condition(&hr, "Ready").as_deref(), Some("False"));
    let events = env.event_messages("team-a", "into-b").await;
    assert!(
        events.iter().any(|(reason, _)| reason == "Forbidden"),
        "{events:?}"
    );
    // Nothing in team-b: no object, no release record.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(objects_in(&env, "team-b").await, before);
    assert_eq!(before, ["Secret db"]);

    // The same chart in team-a installs, as the account: its lookup of team-b's Secret sees
    // nothing, its lookup of team-a's Secret sees it.
    env.apply_hr(
        "team-a",
        "web",
        peek(
            None,
            json!([{"namespace": "team-b", "name": "db"},
                   {"namespace": "team-a", "name": "own"}]),
        ),
    )
    .await;
    let hr = env.wait_ready("team-a", "web", 1).await;
    assert_eq!(
        hr.status.as_ref().unwrap().last_applied_revision,
        Some(1),
        "{}",
        ready_message(&hr)
    );
    let seen = env.configmap("team-a", "web-seen").await.expect("web-seen");
    let data = seen.data.unwrap_or_default();
    assert_eq!(data["team-b.db"], "absent", "{data:?}");
    assert_eq!(data["team-a.own"], "password,username", "{data:?}");
    // The objects were written by the account's requests: the API server records the apply's
    // field manager, and the account's own rights were what let it through.
    assert!(env.configmap("team-a", "web-settings").await.is_some());
    assert_eq!(env.records("team-a", "web").await.len(), 1);

    // Once granted the rights in team-b, the refused release installs at its next attempt
    // (a requestedAt stands in for the interval).
    tenant_account(&env, "team-b", "deployer-in-b").await;
    apply_yaml(
        &env,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  \
         name: team-a-deployer\n  namespace: team-b\nroleRef:\n  \
         apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: deployer-in-b-deployer\n\
         subjects:\n  - kind: ServiceAccount\n    name: deployer\n    namespace: team-a\n",
        "team-b",
    )
    .await;
    env.annotate(
        "team-a",
        "into-b",
        json!({"kubernetes.project-planton.org/requestedAt": "granted"}),
    )
    .await;
    env.wait_ready("team-a", "into-b", 1).await;
    let seen = env
        .configmap("team-b", "into-b-seen")
        .await
        .expect("into-b-seen");
    assert_eq!(seen.data.unwrap_or_default()["team-b.db"], "password");
}

/// Our render of the controller's chart (`deploy/chart/planton-helm-controller`) as release
/// `phc` in `namespace`, with `values`.
fn render_controller_chart(namespace: &str, values: &str) -> String {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/chart/planton-helm-controller");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("chart dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(SourceFile {
                    path: path
                        .strip_prefix(&root)
                        .expect("inside")
                        .to_string_lossy()
                        .into(),
                    data: std::fs::read(&path).expect("read"),
                });
            }
        }
    }
    let request = RenderRequest {
        chart: ChartSource::Files(files),
        values: vec![ValuesLayer::YamlFile(SourceFile {
            path: "values.yaml".into(),
            data: values.as_bytes().to_vec(),
        })],
        release: ReleaseInfo {
            name: "phc".into(),
            namespace: namespace.into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        },
        capabilities: Capabilities {
            kube_version: None,
            api_versions: Vec::new(),
            live: false,
        },
        options: RenderOptions {
            include_crds: false,
            skip_tests: true,
            no_hooks: true,
            show_only: Vec::new(),
        },
    };
    runtime()
        .render(&request, OfflineHost::default())
        .expect("the controller's chart renders")
        .text
}

/// The controller binary run exactly as the chart's Deployment runs it (its args, the chart's
/// service account's token), and a tenant release of the default service account reaches Ready
/// through impersonation.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_controller_with_only_its_charts_rbac_installs_a_tenant_release() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let system = "planton-helm-system";
    env.create_namespace(system).await;
    env.create_namespace("team-a").await;

    let text = render_controller_chart(system, "webhook: {enabled: false}\n");
    let rbac: String = manifest_objects(&text)
        .into_iter()
        .filter(|(o, _)| {
            matches!(
                o.kind.as_str(),
                "ServiceAccount" | "ClusterRole" | "ClusterRoleBinding" | "Role" | "RoleBinding"
            )
        })
        .map(|(_, body)| format!("---\n{}\n", serde_json::to_string(&body).unwrap()))
        .collect();
    assert!(!rbac.contains("cluster-admin"), "least privilege: {rbac}");
    apply_yaml(&env, &rbac, system).await;
    let deployment = manifest_objects(&text)
        .into_iter()
        .find(|(o, _)| o.kind == "Deployment")
        .expect("the chart's Deployment")
        .1;
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let account = deployment["spec"]["template"]["spec"]["serviceAccountName"]
        .as_str()
        .expect("serviceAccountName")
        .to_string();
    let mut args: Vec<String> = container["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("a string").to_string())
        .collect();
    let at = args
        .iter()
        .position(|a| a == "--metrics-addr")
        .expect("flag");
    args[at + 1] = "127.0.0.1:0".into();
    assert!(
        args.windows(2)
            .any(|w| w == ["--default-service-account", "default"]),
        "{args:?}"
    );

    // The tenant grants its `default` account (the chart's default service account) rights in
    // its namespace only.
    let tenant = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  \
                  name: default-admin\n  namespace: team-a\nroleRef:\n  \
                  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: admin\n\
                  subjects:\n  - kind: ServiceAccount\n    name: default\n    \
                  namespace: team-a\n";
    apply_yaml(&env, tenant, "team-a").await;

    // A token of the chart's service account (TokenRequest API) in a kubeconfig of its own.
    let accounts: Api<ServiceAccount> = Api::namespaced(env.client.clone(), system);
    let token: TokenRequest = accounts
        .create_subresource(
            "token",
            &account,
            &PostParams::default(),
            &json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                    "spec": {"expirationSeconds": 3600}}),
        )
        .await
        .expect("a token of the chart's service account");
    let token = token.status.expect("status").token.expect("a token");
    let kubeconfig = env.cp.dir().join("controller-sa.kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: testenv\n  cluster:\n    \
             server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: sa\n  \
             context: {{cluster: testenv, user: sa}}\ncurrent-context: sa\nusers:\n- name: sa\n  \
             user:\n    token: {token}\n",
            env.cp.server_url(),
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                env.cp.ca().cert_pem()
            ),
        ),
    )
    .expect("kubeconfig");

    let log = env.cp.dir().join("controller-least-privilege.log");
    let file = std::fs::File::create(&log).expect("log");
    let child = Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
        .args(&args)
        .arg("--chart-cache")
        .arg(registry.cache.path())
        .env("KUBECONFIG", &kubeconfig)
        .env("POD_NAME", "least-privilege")
        .env("POD_NAMESPACE", system)
        .env("RUST_LOG", "info")
        .stdout(file.try_clone().expect("log"))
        .stderr(file)
        .stdin(Stdio::null())
        .spawn()
        .expect("the controller binary starts");
    let process = Process {
        child,
        name: "least-privilege".into(),
        log,
    };

    env.apply_hr(
        "team-a",
        "web",
        json!({"repo": registry.repo(), "name": "webapp", "version": "1.0.0",
               "plainHttp": true, "wait": true, "timeout": "60s",
               "values": {"message": "least privilege"}}),
    )
    .await;
    let hr = env
        .wait_status("team-a", "web", "web Ready or stalled", |hr| {
            condition(hr, "Ready") == Some("True".into()) || stalled_reason(hr).is_some()
        })
        .await;
    assert_eq!(
        condition(&hr, "Ready").as_deref(),
        Some("True"),
        "{}; controller log:\n{}",
        ready_message(&hr),
        process.log()
    );
    let cm = env.configmap("team-a", "web-webapp").await.expect("made");
    assert_eq!(cm.data.unwrap()["MESSAGE"], "least privilege");
    assert!(env.deployment("team-a", "web-webapp").await.is_some());
    assert_eq!(env.records("team-a", "web").await.len(), 1);
    // Its Lease (the chart's Role) and Events (its ClusterRole) were written as itself.
    let leases: Api<k8s_openapi::api::coordination::v1::Lease> =
        Api::namespaced(env.client.clone(), system);
    let lease = leases
        .get_opt("phc-planton-helm-controller")
        .await
        .expect("get")
        .expect("the chart's Lease");
    assert_eq!(
        lease.spec.and_then(|s| s.holder_identity).as_deref(),
        Some("least-privilege")
    );
    assert!(
        env.event_reasons("team-a")
            .await
            .contains(&"InstallSucceeded".to_string())
    );

    // A release into another namespace, where `default` of team-a has no right, is refused.
    env.create_namespace("team-b").await;
    env.apply_hr(
        "team-a",
        "into-b",
        json!({"repo": registry.repo(), "name": "webapp", "version": "1.0.0",
               "plainHttp": true, "targetNamespace": "team-b", "timeout": "60s"}),
    )
    .await;
    let hr = env
        .wait_status("team-a", "into-b", "into-b Stalled (Forbidden)", |hr| {
            stalled_reason(hr).as_deref() == Some("Forbidden")
        })
        .await;
    assert!(
        ready_message(&hr).contains("system:serviceaccount:team-a:default may not"),
        "{}",
        ready_message(&hr)
    );
    assert!(env.records("team-b", "into-b").await.is_empty());
    drop(process);
}

/// A second control plane as the remote cluster, reached through a kubeconfig Secret: the
/// release's objects and records live there (helm lists it there), its `lookup` reads there, and
/// nothing of it is in the controller's own cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_release_with_a_kubeconfig_secret_lives_in_the_remote_cluster() {
    let env = Env::start().await;
    let remote = testenv::ControlPlane::start()
        .await
        .expect("the remote control plane starts");
    env.create_namespace("team-a").await;
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(remote.client());
    namespaces
        .patch(
            "team-a",
            &PatchParams::apply("test"),
            &Patch::Apply(json!({"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": "team-a"}})),
        )
        .await
        .expect("remote namespace");
    let remote_secrets: Api<Secret> = Api::namespaced(remote.client(), "team-a");
    remote_secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "only-there"},
                                           "stringData": {"token": "x"}}))
            .unwrap(),
        )
        .await
        .expect("remote secret");
    let kubeconfig = std::fs::read_to_string(remote.kubeconfig_path()).expect("kubeconfig");
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), "team-a");
    secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "remote"},
                                           "stringData": {"value.yaml": kubeconfig}}))
            .unwrap(),
        )
        .await
        .expect("kubeconfig secret");
    let _controller = Controller::start_impersonating(&env, Arc::new(peek_charts())).await;

    // A Secret without the kubeconfig's key: stalled, saying which keys were looked for.
    env.apply_hr(
        "team-a",
        "broken",
        json!({"repo": REPO, "name": "peek", "version": "1.0.0",
               "kubeConfig": {"secretRef": {"name": "remote", "key": "value"}}}),
    )
    .await;
    let hr = env
        .wait_status("team-a", "broken", "broken Stalled", |hr| {
            stalled_reason(hr).as_deref() == Some("KubeConfigInvalid")
        })
        .await;
    assert!(
        ready_message(&hr)
            .contains("Secret team-a/remote (spec.kubeConfig.secretRef) has no key value"),
        "{}",
        ready_message(&hr)
    );

    env.apply_hr(
        "team-a",
        "far",
        json!({"repo": REPO, "name": "peek", "version": "1.0.0", "timeout": "60s",
               "kubeConfig": {"secretRef": {"name": "remote"}},
               "values": {"peek": [{"namespace": "team-a", "name": "only-there"}]}}),
    )
    .await;
    env.wait_ready("team-a", "far", 1).await;
    let remote_cms: Api<ConfigMap> = Api::namespaced(remote.client(), "team-a");
    let seen = remote_cms
        .get("far-seen")
        .await
        .expect("made in the remote");
    assert_eq!(seen.data.unwrap_or_default()["team-a.only-there"], "token");
    assert!(env.configmap("team-a", "far-seen").await.is_none());
    assert!(env.records("team-a", "far").await.is_empty());
    let records = remote_secrets
        .list(&ListParams::default().labels("owner=helm,name=far"))
        .await
        .expect("records");
    assert_eq!(records.items.len(), 1, "the record is in the remote");
    let out = Command::new(helm_bin())
        .args(["list", "-n", "team-a", "-o", "json", "--kubeconfig"])
        .arg(remote.kubeconfig_path())
        .output()
        .expect("helm runs");
    assert!(out.status.success(), "{out:?}");
    let listed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(listed[0]["name"], "far", "{listed}");
    assert_eq!(listed[0]["status"], "deployed", "{listed}");

    // The kubeconfig's credentials appear in no status or Event.
    let key = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("client-key-data: "))
        .expect("a client key");
    for name in ["broken", "far"] {
        let hr = env.hrs("team-a").get(name).await.expect("get");
        let status = serde_json::to_string(&hr.status).unwrap();
        let events = format!("{:?}", env.event_messages("team-a", name).await);
        for text in [status, events] {
            assert!(!text.contains(&key[..40]), "{name}: {text}");
        }
    }

    // Deleting the HelmRelease uninstalls it there.
    env.hrs("team-a")
        .delete("far", &DeleteParams::default())
        .await
        .expect("delete");
    wait_for("the remote release to be uninstalled", || async {
        let gone = remote_cms.get_opt("far-seen").await.ok()?.is_none();
        let records = remote_secrets
            .list(&ListParams::default().labels("owner=helm,name=far"))
            .await
            .ok()?;
        (gone && records.items.is_empty()).then_some(())
    })
    .await;
}
