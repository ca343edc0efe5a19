//! The admission webhook against a real control plane (testenv): the API server calls our
//! webhook over HTTPS on loopback, with a CA generated here as the configuration's caBundle.
//! One control plane serves every step of a test (each start costs seconds of a shared CPU).
//! The second test bypasses the webhook and has the controller binary give the same verdict.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use host_controller::webhook::{Flags, Running};
use host_controller::{HelmRelease, Metrics, PolicyStore};
use k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, CustomResourceExt};
use serde_json::{Value, json};
use testenv::{Ca, ControlPlane};

const WAIT: Duration = Duration::from_secs(60);
const CONFIG: &str = "planton-helm-test";

async fn eventually<T, F, Fut>(what: &str, f: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    test_support::eventually_within(what, WAIT, Duration::from_millis(200), f).await
}

fn hr(spec: Value) -> HelmRelease {
    serde_json::from_value(json!({
        "apiVersion": "kubernetes.project-planton.org/v1",
        "kind": "HelmRelease",
        "metadata": {"generateName": "web-"},
        "spec": spec,
    }))
    .expect("a HelmRelease")
}

fn valid() -> Value {
    json!({"repo": "https://charts.example.com", "name": "webapp", "version": "1.2.3"})
}

fn invalid() -> Value {
    json!({"repo": "http://charts.example.com", "name": "webapp", "version": "^1.2"})
}

/// Creates a HelmRelease in `apps`: the API's error message, or `None` when it was admitted.
async fn create(client: &Client, spec: Value) -> Option<String> {
    let api: Api<HelmRelease> = Api::namespaced(client.clone(), "apps");
    match api.create(&PostParams::default(), &hr(spec)).await {
        Ok(_) => None,
        Err(kube::Error::Api(status)) => Some(status.message),
        Err(e) => panic!("creating a HelmRelease: {e}"),
    }
}

/// Creates a HelmRelease with a raw request and returns the API server's `Warning` headers.
async fn create_raw(client: &Client, spec: Value) -> (u16, Vec<String>) {
    let body = serde_json::to_vec(&hr(spec)).expect("JSON");
    let request =
        http::Request::post("/apis/kubernetes.project-planton.org/v1/namespaces/apps/helmreleases")
            .header("content-type", "application/json")
            .body(kube::client::Body::from(body))
            .expect("a request");
    let response = client.send(request).await.expect("the API answers");
    let warnings = response
        .headers()
        .get_all("warning")
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .collect();
    (response.status().as_u16(), warnings)
}

fn write_pair(dir: &Path, ca: &Ca) {
    let pair = ca.serving_cert(&["127.0.0.1"]).expect("serving cert");
    std::fs::write(dir.join("tls.crt"), pair.cert_pem).expect("write cert");
    std::fs::write(dir.join("tls.key"), pair.key_pem).expect("write key");
}

async fn configure(client: &Client, port: u16, ca: &Ca) {
    let config: ValidatingWebhookConfiguration = serde_json::from_value(json!({
        "metadata": {"name": CONFIG},
        "webhooks": [{
            "name": "helmreleases.kubernetes.project-planton.org",
            "clientConfig": {
                "url": format!("https://127.0.0.1:{port}/validate-helmrelease"),
                "caBundle": B64.encode(ca.cert_pem()),
            },
            "rules": [{"operations": ["CREATE", "UPDATE"],
                       "apiGroups": ["kubernetes.project-planton.org"], "apiVersions": ["v1"],
                       "resources": ["helmreleases"]}],
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
            "failurePolicy": "Fail",
            "timeoutSeconds": 10
        }]
    }))
    .expect("a webhook configuration");
    Api::<ValidatingWebhookConfiguration>::all(client.clone())
        .patch(
            CONFIG,
            &PatchParams::apply("test").force(),
            &Patch::Apply(json!({
                "apiVersion": "admissionregistration.k8s.io/v1",
                "kind": "ValidatingWebhookConfiguration",
                "metadata": config.metadata,
                "webhooks": config.webhooks,
            })),
        )
        .await
        .expect("webhook configuration applied");
}

async fn namespace(client: &Client, name: &str) {
    Api::<Namespace>::all(client.clone())
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": name}})).expect("namespace"),
        )
        .await
        .expect("namespace created");
}

/// A control plane with the CRD established and namespaces `apps` and `ops`.
async fn control_plane() -> ControlPlane {
    let cp = ControlPlane::start().await.expect("control plane starts");
    let client = cp.client();
    test_support::cluster::install_crd(&client, &HelmRelease::crd(), WAIT).await;
    namespace(&client, "apps").await;
    namespace(&client, "ops").await;
    cp
}

/// The webhook on `127.0.0.1:0` with the certificate in `dir`, the rules of ConfigMap
/// `ops/rules` (watched by the returned task) and its metrics in `metrics`.
async fn start_webhook(
    client: &Client,
    dir: &Path,
    metrics: Arc<Metrics>,
) -> (Running, tokio::task::JoinHandle<()>) {
    let mut flags = Flags::default();
    for (flag, value) in [
        ("--webhook-addr", "127.0.0.1:0".to_string()),
        ("--webhook-cert", dir.join("tls.crt").display().to_string()),
        ("--webhook-key", dir.join("tls.key").display().to_string()),
        ("--webhook-timeout", "5s".to_string()),
    ] {
        assert!(Flags::takes(flag));
        flags.set(flag, value).expect("a good flag");
    }
    let policies = PolicyStore::configmap("ops", "rules");
    let watch = tokio::spawn(policies.clone().watch(
        client.clone(),
        "ops".to_string(),
        "rules".to_string(),
    ));
    let running = flags
        .cert_poll(Duration::from_millis(100))
        .start(policies, metrics)
        .await
        .expect("the webhook starts")
        .expect("the webhook is configured");
    (running, watch)
}

#[tokio::test]
async fn the_api_server_asks_our_webhook_and_follows_its_verdict() {
    let cp = control_plane().await;
    let client = cp.client();
    let dir = std::env::temp_dir().join(format!("planton-webhook-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = Ca::new("webhook-test-ca").expect("CA");
    write_pair(&dir, &ca);
    let metrics = Arc::new(Metrics::default());
    let (running, _watch) = start_webhook(&client, &dir, metrics.clone()).await;
    let port = running.addr.port();
    configure(&client, port, &ca).await;

    // Invalid: denied by the API server with every diagnostic. (The API server picks up a new
    // webhook configuration asynchronously; until then creates pass.)
    let message = eventually("the webhook to deny an invalid HelmRelease", || async {
        create(&client, invalid()).await
    })
    .await;
    assert!(
        message.contains("admission webhook \"helmreleases.kubernetes.project-planton.org\" denied the request: HelmRelease apps/web-"),
        "{message}"
    );
    assert!(message.contains(" is invalid (2 errors): "), "{message}");
    assert!(message.contains("[PH010] spec.version: "), "{message}");
    assert!(message.contains("[PH020] spec.repo: "), "{message}");
    // The reviews the API server sent are on the metrics: latency, and the denial by its codes.
    let text = metrics.render();
    for want in [
        "planton_helm_webhook_denials_total{code=\"PH010\"}",
        "planton_helm_webhook_denials_total{code=\"PH020\"}",
        "planton_helm_webhook_reviews_total{result=\"Denied\"}",
        "planton_helm_webhook_review_duration_seconds_count",
    ] {
        assert!(text.contains(want), "{want} in\n{text}");
    }

    // Valid: admitted.
    assert_eq!(
        create(&client, valid()).await,
        None,
        "a valid spec is admitted"
    );

    // A warning-level finding: admitted, and the API server passes our warning on.
    let mut spec = valid();
    spec["values"] = json!({"image": {"repository": "nginx", "tag": "latest"}});
    let (status, warnings) = create_raw(&client, spec).await;
    assert_eq!(status, 201, "admitted: {warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("299 - \"[PH050] spec.values.image.tag: ")),
        "{warnings:?}"
    );

    // A rule from the ConfigMap takes effect (the watch picks up the create), and its
    // `disabled` key switches PH050 off.
    let rules = "rules:\n  - code: ORG001\n    severity: error\n    doc: org registry\n    \
                 when: spec.repo is not startingwith('oci://registry.example.com/')\n    \
                 message: \"repository {{ spec.repo }} is not the organisation's registry\"\n";
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "rules", "namespace": "ops"},
        "data": {"org.yaml": rules, "disabled": "PH050"},
    }))
    .expect("ConfigMap");
    Api::<ConfigMap>::namespaced(client.clone(), "ops")
        .create(&PostParams::default(), &cm)
        .await
        .expect("ConfigMap created");
    let message = eventually("the ConfigMap rule to deny", || async {
        create(&client, valid()).await
    })
    .await;
    assert!(
        message.contains("[ORG001] spec: repository https://charts.example.com is not the organisation's registry"),
        "{message}"
    );
    let mut spec = valid();
    spec["repo"] = json!("oci://registry.example.com/charts");
    spec["values"] = json!({"image": {"repository": "nginx", "tag": "latest"}});
    let (status, warnings) = create_raw(&client, spec).await;
    assert_eq!(status, 201, "admitted");
    assert!(warnings.is_empty(), "PH050 is disabled: {warnings:?}");

    // Certificate reload: the files now hold a certificate of a new CA, and the configuration
    // trusts only that CA. The API server opens new connections for the new configuration, so
    // reviews work again only if the webhook serves the new certificate, without a restart.
    let new_ca = Ca::new("webhook-test-ca-2").expect("CA");
    write_pair(&dir, &new_ca);
    configure(&client, port, &new_ca).await;
    let message = eventually("reviews under the new CA", || async {
        create(&client, invalid())
            .await
            .filter(|m| m.contains("is invalid"))
    })
    .await;
    assert!(message.contains("[PH010]"), "{message}");

    // Webhook down: with failurePolicy Fail, nothing is admitted, not even a valid spec.
    drop(running);
    let message = eventually("the API server to fail closed", || async {
        create(&client, valid())
            .await
            .filter(|m| m.contains("failed calling webhook"))
    })
    .await;
    assert!(
        message.contains("helmreleases.kubernetes.project-planton.org")
            && message.contains("connection refused"),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The denial prefix the API server puts before the webhook's message.
const DENIED: &str =
    "admission webhook \"helmreleases.kubernetes.project-planton.org\" denied the request: ";

#[tokio::test]
async fn with_the_webhook_bypassed_the_controller_stalls_the_spec_with_the_webhooks_message() {
    let cp = control_plane().await;
    let client = cp.client();
    // An organisation rule that refuses the spec, and a built-in error (PH010, `^1.2` is a
    // range) switched off: both verdicts must honour both.
    let rules = "rules:\n  - code: ORG001\n    severity: error\n    doc: org registry\n    \
                 when: spec.repo is not startingwith('oci://registry.example.com/')\n    \
                 message: \"repository {{ spec.repo }} is not the organisation's registry\"\n";
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "ops");
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "rules", "namespace": "ops"},
        "data": {"org.yaml": rules, "disabled": "PH010"},
    }))
    .expect("ConfigMap");
    configmaps
        .create(&PostParams::default(), &cm)
        .await
        .expect("ConfigMap created");
    let bad = || -> HelmRelease {
        serde_json::from_value(json!({
            "apiVersion": "kubernetes.project-planton.org/v1",
            "kind": "HelmRelease",
            "metadata": {"name": "bad", "namespace": "apps"},
            "spec": {"repo": "https://charts.example.com", "name": "webapp", "version": "^1.2"},
        }))
        .expect("a HelmRelease")
    };
    let hrs: Api<HelmRelease> = Api::namespaced(client.clone(), "apps");

    // The webhook's answer, through the API server.
    let dir = std::env::temp_dir().join(format!("planton-verdict-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = Ca::new("verdict-test-ca").expect("CA");
    write_pair(&dir, &ca);
    let (running, watch) = start_webhook(&client, &dir, Arc::default()).await;
    configure(&client, running.addr.port(), &ca).await;
    let denial = eventually("the webhook to deny with the ConfigMap rule", || async {
        match hrs.create(&PostParams::default(), &bad()).await {
            Err(kube::Error::Api(status)) if status.message.contains("[ORG001]") => {
                Some(status.message)
            }
            Err(kube::Error::Api(_)) => None,
            Ok(_) => {
                // Admitted before the API server saw the configuration: try again.
                let _ = hrs.delete("bad", &DeleteParams::default()).await;
                None
            }
            Err(e) => panic!("creating a HelmRelease: {e}"),
        }
    })
    .await;
    let webhook_message = denial
        .strip_prefix(DENIED)
        .unwrap_or_else(|| panic!("a webhook denial: {denial}"))
        .to_string();
    assert_eq!(
        webhook_message,
        "HelmRelease apps/bad is invalid (1 error): [ORG001] spec: repository \
         https://charts.example.com is not the organisation's registry"
    );

    // The webhook bypassed: no configuration, nothing serving. The API server admits the spec.
    drop(running);
    watch.abort();
    Api::<ValidatingWebhookConfiguration>::all(client.clone())
        .delete(CONFIG, &DeleteParams::default())
        .await
        .expect("webhook configuration deleted");
    eventually("the API server to admit without the webhook", || async {
        match hrs.create(&PostParams::default(), &bad()).await {
            Ok(_) => Some(()),
            Err(kube::Error::Api(status)) if status.reason == "AlreadyExists" => Some(()),
            Err(_) => None,
        }
    })
    .await;

    // The controller binary without a webhook, with the same ConfigMap: Stalled, with the
    // webhook's very message.
    let log = dir.join("controller.log");
    let file = std::fs::File::create(&log).expect("log file");
    let mut controller = std::process::Command::new(env!("CARGO_BIN_EXE_planton-helm-controller"))
        .args([
            "run",
            "--metrics-addr",
            "127.0.0.1:0",
            "--no-leader-election",
        ])
        .args(["--policy-configmap", "ops/rules"])
        .arg("--chart-cache")
        .arg(dir.join("charts"))
        .args(["--fetch-timeout", "5s"])
        .env("KUBECONFIG", cp.kubeconfig_path())
        .stdout(file.try_clone().expect("log file"))
        .stderr(file)
        .spawn()
        .expect("the controller starts");
    let condition = |hr: &HelmRelease, kind: &str| hr.condition(kind).cloned();
    let hr = eventually("the controller to stall the release", || async {
        let hr = hrs.get("bad").await.ok()?;
        let stalled = condition(&hr, "Stalled")?;
        (stalled.status == "True").then_some(hr)
    })
    .await;
    let stalled = condition(&hr, "Stalled").expect("Stalled");
    let ready = condition(&hr, "Ready").expect("Ready");
    assert_eq!(
        (
            stalled.reason.as_str(),
            ready.status.as_str(),
            ready.reason.as_str()
        ),
        ("ValidationFailed", "False", "ValidationFailed"),
        "{:?}",
        hr.status
    );
    assert_eq!(stalled.message, webhook_message, "one verdict, one message");
    assert_eq!(ready.message, webhook_message);

    // Rules change, the verdict follows without a spec change: with ORG001 gone (PH010 still
    // off) the release is no longer stalled (it goes on to fetch its chart).
    let mut cm = configmaps.get("rules").await.expect("ConfigMap");
    cm.data
        .as_mut()
        .expect("data")
        .insert("org.yaml".into(), "rules: []\n".into());
    configmaps
        .replace("rules", &PostParams::default(), &cm)
        .await
        .expect("ConfigMap replaced");
    eventually("the release to be validated again and pass", || async {
        let hr = hrs.get("bad").await.ok()?;
        (condition(&hr, "Stalled")?.status == "False").then_some(())
    })
    .await;
    let _ = controller.kill();
    let _ = controller.wait();
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        output.contains("policy rules updated"),
        "the controller read the ConfigMap:\n{output}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
