//! The harness against the real binaries. Each test starts its own control plane, and they run
//! in parallel, which is itself part of what is tested.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{
    ApiResource, DynamicObject, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use serde_json::{Value, json};
use testenv::{Ca, ControlPlane, FakeKubelet, Options};

const TIMEOUT: Duration = Duration::from_secs(90);

/// Polls `check` until it returns `Some`, failing the test with `what` after [`TIMEOUT`].
async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    test_support::eventually_within(what, TIMEOUT, Duration::from_millis(250), check).await
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("test object is valid")
}

fn has_condition(conditions: Option<Value>, kind: &str) -> bool {
    conditions
        .and_then(|c| c.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .any(|c| c["type"] == kind && c["status"] == "True")
}

/// A process is still ours if it exists and its command line names our instance directory (a
/// reused pid would not).
fn alive(pid: u32, dir: &Path) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&*dir.to_string_lossy()))
}

async fn create_namespace(client: &kube::Client, name: &str, labels: Value) {
    let ns: Namespace = from_json(json!({"metadata": {"name": name, "labels": labels}}));
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .expect("create namespace");
}

#[tokio::test]
async fn crd_server_side_apply_watch_and_clean_stop() {
    let cp = ControlPlane::start().await.expect("control plane starts");
    let client = cp.client();
    create_namespace(&client, "smoke", json!({})).await;

    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd: CustomResourceDefinition = from_json(json!({
        "metadata": {"name": "widgets.testenv.planton-helm.io"},
        "spec": {
            "group": "testenv.planton-helm.io",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "size": {"type": "integer"}, "color": {"type": "string"}}}}}}
            }]
        }
    }));
    crds.create(&PostParams::default(), &crd)
        .await
        .expect("create CRD");
    eventually("the CRD to be Established", || async {
        let c = crds.get("widgets.testenv.planton-helm.io").await.ok()?;
        let status = serde_json::to_value(c.status?).ok()?;
        has_condition(status.get("conditions").cloned(), "Established").then_some(())
    })
    .await;

    let ar = ApiResource {
        group: "testenv.planton-helm.io".into(),
        version: "v1".into(),
        api_version: "testenv.planton-helm.io/v1".into(),
        kind: "Widget".into(),
        plural: "widgets".into(),
    };
    let widgets: Api<DynamicObject> = Api::namespaced_with(client.clone(), "smoke", &ar);
    let apply = |size: i64| {
        Patch::Apply(json!({
            "apiVersion": "testenv.planton-helm.io/v1", "kind": "Widget",
            "metadata": {"name": "w1"},
            "spec": {"size": size, "color": "blue"}
        }))
    };
    let pp = PatchParams::apply("testenv-smoke");
    // A freshly Established CRD can still answer 404 for a moment while its handler is installed.
    let applied = eventually("the first server-side apply to succeed", || async {
        widgets.patch("w1", &pp, &apply(3)).await.ok()
    })
    .await;

    let read = widgets.get("w1").await.expect("read back");
    assert_eq!(read.data["spec"], json!({"size": 3, "color": "blue"}));
    let managers: Vec<String> = read
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert_eq!(managers, ["testenv-smoke"]);

    let rv = applied.metadata.resource_version.expect("resourceVersion");
    let mut events = widgets
        .watch(&WatchParams::default().timeout(60), &rv)
        .await
        .expect("watch")
        .boxed();
    widgets
        .patch("w1", &pp, &apply(4))
        .await
        .expect("second apply");
    let seen = tokio::time::timeout(TIMEOUT, async {
        while let Some(ev) = events.try_next().await.expect("watch stream") {
            if let WatchEvent::Modified(o) = ev {
                return o.data["spec"]["size"].clone();
            }
        }
        Value::Null
    })
    .await
    .expect("a MODIFIED event");
    assert_eq!(seen, json!(4));

    let pids = cp.pids();
    let dir = cp.dir().to_path_buf();
    assert_eq!(pids.len(), 2, "etcd and kube-apiserver");
    assert!(pids.iter().all(|&p| alive(p, &dir)));
    drop(cp);
    for pid in pids {
        assert!(!alive(pid, &dir), "process {pid} survived the drop");
    }
    assert!(
        !dir.exists(),
        "{} should be removed after a pass",
        dir.display()
    );
}

#[tokio::test]
async fn deployment_becomes_available_and_jobs_finish() {
    let cp = ControlPlane::start_with(Options::new().controller_manager(true))
        .await
        .expect("control plane starts");
    let client = cp.client();
    create_namespace(&client, "work", json!({})).await;
    let _kubelet = FakeKubelet::start(client.clone(), Some("work"));

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "work");
    let labels = json!({"app": "web"});
    let deploy: Deployment = from_json(json!({
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels},
                         "spec": {"containers": [{"name": "web", "image": "example.invalid/web:1"}]}}
        }
    }));
    deployments
        .create(&PostParams::default(), &deploy)
        .await
        .expect("create deployment");

    let jobs: Api<Job> = Api::namespaced(client.clone(), "work");
    let job = |name: &str, annotations: Value| -> Job {
        from_json(json!({
            "metadata": {"name": name},
            "spec": {
                "backoffLimit": 0,
                "template": {"metadata": {"annotations": annotations},
                             "spec": {"restartPolicy": "Never",
                                      "containers": [{"name": "run", "image": "example.invalid/run:1"}]}}
            }
        }))
    };
    jobs.create(&PostParams::default(), &job("ok", json!({})))
        .await
        .expect("create job");
    let failing = job("fails", json!({testenv::pods::PHASE_ANNOTATION: "Failed"}));
    jobs.create(&PostParams::default(), &failing)
        .await
        .expect("create failing job");

    eventually(
        "Deployment web to become Available with 2 ready replicas",
        || async {
            let d = deployments.get("web").await.ok()?;
            let s = serde_json::to_value(d.status?).ok()?;
            (has_condition(s.get("conditions").cloned(), "Available")
                && s["availableReplicas"] == 2
                && s["readyReplicas"] == 2)
                .then_some(())
        },
    )
    .await;
    eventually("Job ok to complete", || async {
        let s = serde_json::to_value(jobs.get("ok").await.ok()?.status?).ok()?;
        (has_condition(s.get("conditions").cloned(), "Complete") && s["succeeded"] == 1)
            .then_some(())
    })
    .await;
    eventually("Job fails to fail", || async {
        let s = serde_json::to_value(jobs.get("fails").await.ok()?.status?).ok()?;
        has_condition(s.get("conditions").cloned(), "Failed").then_some(())
    })
    .await;
}

/// An HTTPS admission webhook on 127.0.0.1 that denies objects labelled `deny: "true"`.
async fn serve_webhook(cert: &testenv::CertPair, calls: Arc<AtomicUsize>) -> u16 {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let certs = vec![CertificateDer::from_pem_slice(cert.cert_pem.as_bytes()).expect("cert")];
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let calls = calls.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let calls = calls.clone();
                        async move {
                            calls.fetch_add(1, Ordering::SeqCst);
                            let body = req.into_body().collect().await?.to_bytes();
                            let review: Value = serde_json::from_slice(&body).unwrap_or_default();
                            let request = &review["request"];
                            let deny = request["object"]["metadata"]["labels"]["deny"] == "true";
                            let response = json!({
                                "apiVersion": "admission.k8s.io/v1",
                                "kind": "AdmissionReview",
                                "response": {
                                    "uid": request["uid"],
                                    "allowed": !deny,
                                    "status": {"code": 403, "message": "denied by the testenv webhook"}
                                }
                            });
                            Ok::<_, hyper::Error>(hyper::Response::new(Full::new(Bytes::from(
                                response.to_string(),
                            ))))
                        }
                    },
                );
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    port
}

#[tokio::test]
async fn apiserver_calls_a_validating_webhook_on_loopback() {
    let cp = ControlPlane::start().await.expect("control plane starts");
    let client = cp.client();

    let ca = Ca::new("webhook-ca").expect("ca");
    let cert = ca.serving_cert(&["127.0.0.1"]).expect("serving cert");
    let calls = Arc::new(AtomicUsize::new(0));
    let port = serve_webhook(&cert, calls.clone()).await;

    use base64::Engine as _;
    let ca_bundle = base64::engine::general_purpose::STANDARD.encode(ca.cert_pem());
    let config: ValidatingWebhookConfiguration = from_json(json!({
        "metadata": {"name": "testenv-deny"},
        "webhooks": [{
            "name": "deny.testenv.planton-helm.io",
            "clientConfig": {"url": format!("https://127.0.0.1:{port}/validate"), "caBundle": ca_bundle},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                       "resources": ["configmaps"]}],
            "namespaceSelector": {"matchLabels": {"testenv-webhook": "on"}},
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
            "failurePolicy": "Fail",
            "timeoutSeconds": 5
        }]
    }));
    Api::<ValidatingWebhookConfiguration>::all(client.clone())
        .create(&PostParams::default(), &config)
        .await
        .expect("create webhook configuration");
    create_namespace(&client, "hooked", json!({"testenv-webhook": "on"})).await;

    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "hooked");
    let cm = |labels: Value| -> ConfigMap {
        from_json(json!({"metadata": {"generateName": "cm-", "labels": labels}}))
    };
    // The apiserver picks up a new webhook configuration asynchronously; until then creates pass.
    let message = eventually("the webhook to deny a labelled ConfigMap", || async {
        match cms
            .create(&PostParams::default(), &cm(json!({"deny": "true"})))
            .await
        {
            Err(kube::Error::Api(status)) => Some(status.message),
            Err(e) => panic!("unexpected error: {e}"),
            Ok(_) => None,
        }
    })
    .await;
    assert!(
        message.contains("denied by the testenv webhook"),
        "message: {message}"
    );
    let before = calls.load(Ordering::SeqCst);
    cms.create(&PostParams::default(), &cm(json!({})))
        .await
        .expect("an unlabelled ConfigMap is allowed");
    assert!(
        calls.load(Ordering::SeqCst) > before,
        "the webhook saw the allowed create"
    );
}

#[test]
fn a_panicking_test_leaves_no_process_behind() {
    let (tx, rx) = std::sync::mpsc::channel::<(Vec<u32>, PathBuf)>();
    let outcome = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let cp = ControlPlane::start_with(Options::new().controller_manager(true))
                .await
                .expect("control plane starts");
            tx.send((cp.pids(), cp.dir().to_path_buf())).expect("send");
            panic!("deliberate panic with a running control plane (this message is expected)");
        })
    })
    .join();
    assert!(outcome.is_err(), "the thread panicked");
    let (pids, dir) = rx.recv().expect("the control plane had started");
    assert_eq!(
        pids.len(),
        3,
        "etcd, kube-apiserver, kube-controller-manager"
    );
    for pid in pids {
        assert!(!alive(pid, &dir), "process {pid} survived the panic");
    }
    assert!(
        dir.join("kube-apiserver.log").is_file(),
        "the logs are kept after a panic"
    );
    std::fs::remove_dir_all(&dir).expect("clean up the kept directory");
}
