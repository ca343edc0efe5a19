//! Review-level tests (no cluster, no TLS) and the certificate reload over a real TLS handshake.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use host_runtime::PolicyFile;
use serde_json::{Value, json};

use super::*;
use crate::validation::Policies;

/// One runtime for the tests, with the webhook's own settings (pooled instance slots that keep
/// their memory between reviews, long-lived call threads), shared by reviews of every test.
fn runtime() -> Arc<Runtime> {
    static RUNTIME: OnceLock<Arc<Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let config = sandbox_config(&Limits::default(), host_runtime::DEFAULT_MAX_MEMORY);
            Arc::new(Runtime::new(config).expect("the core loads"))
        })
        .clone()
}

fn webhook(policies: Policies) -> Webhook {
    Webhook::new(runtime(), PolicyStore::fixed(policies), Limits::default())
}

fn review(operation: &str, spec: Value, old_spec: Option<Value>) -> Vec<u8> {
    let object = |spec: Value| {
        json!({
            "apiVersion": "kubernetes.project-planton.org/v1",
            "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "apps",
                         "managedFields": [{"manager": "kubectl"}]},
            "spec": spec,
        })
    };
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": "kubernetes.project-planton.org", "version": "v1", "kind": "HelmRelease"},
            "operation": operation,
            "name": "web",
            "namespace": "apps",
            "object": object(spec),
            "oldObject": old_spec.map(object),
        }
    })
    .to_string()
    .into_bytes()
}

fn valid() -> Value {
    json!({"repo": "https://charts.example.com", "name": "webapp", "version": "1.2.3"})
}

async fn response(hook: &Webhook, body: &[u8]) -> Value {
    let out = hook.review(body).await.expect("a review");
    assert_eq!(out["kind"], "AdmissionReview");
    assert_eq!(
        out["response"]["uid"],
        "705ab4f5-6393-11e8-b7cc-42010a800002"
    );
    out["response"].clone()
}

fn rule(code: &str, severity: &str, when: &str, message: &str) -> PolicyFile {
    PolicyFile {
        name: format!("configmap/ops/rules/{code}.yaml"),
        content: format!(
            "rules:\n  - code: {code}\n    severity: {severity}\n    doc: test rule\n    \
             when: {when:?}\n    message: {message:?}\n"
        ),
    }
}

#[tokio::test]
async fn a_valid_spec_is_admitted_without_warnings() {
    let r = response(
        &webhook(Policies::default()),
        &review("CREATE", valid(), None),
    )
    .await;
    assert_eq!(r["allowed"], true, "{r}");
    assert!(r.get("warnings").is_none(), "{r}");
}

#[tokio::test]
async fn project_planton_manifests_are_admitted_with_their_warnings() {
    let planton = |extra: Value| {
        let mut spec = json!({
            "target_cluster": {"cluster_name": "my-cluster"},
            "namespace": {"value": "wordpress"},
            "create_namespace": true,
            "repo": "https://charts.example.com/stable",
            "name": "wordpress",
            "version": "19.0.0",
            "values": {"wordpressUsername": "admin", "service.type": "ClusterIP"},
        });
        for (k, v) in extra.as_object().expect("a map") {
            spec[k] = v.clone();
        }
        spec
    };
    let hook = webhook(Policies::default());

    let r = response(&hook, &review("CREATE", planton(json!({})), None)).await;
    assert_eq!(r["allowed"], true, "{r}");
    assert!(r.get("warnings").is_none(), "{r}");

    let values = json!({"values": {"ingress": {"enabled": "false"},
                                   "auth": {"password": "super-secret-password"}}});
    let r = response(&hook, &review("CREATE", planton(values), None)).await;
    assert_eq!(r["allowed"], true, "{r}");
    let warnings: Vec<&str> = r["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{r}");
    for prefix in [
        "[PH052] spec.values.auth.password: ",
        "[PH051] spec.values.ingress.enabled: ",
    ] {
        assert!(warnings.iter().any(|w| w.starts_with(prefix)), "{r}");
    }
    assert!(
        !r.to_string().contains("super-secret"),
        "the secret leaked: {r}"
    );

    let r = response(
        &hook,
        &review("CREATE", planton(json!({"createNamespace": false})), None),
    )
    .await;
    assert_eq!(r["allowed"], false, "{r}");
    let message = r["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("spec.createNamespace and spec.create_namespace"),
        "{message}"
    );

    let r = response(
        &hook,
        &review(
            "CREATE",
            planton(
                json!({"namespace": {"value_from": {"kind": "KubernetesNamespace", "name": "x"}}}),
            ),
            None,
        ),
    )
    .await;
    assert_eq!(r["allowed"], false, "{r}");
    let message = r["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("[PH070] spec.namespace.value_from: ")
            && message.contains("not resolvable outside Project Planton"),
        "{message}"
    );
}

#[tokio::test]
async fn every_error_is_in_the_denial() {
    let spec = json!({"repo": "http://charts.example.com", "name": "webapp", "version": "^1.2"});
    let r = response(&webhook(Policies::default()), &review("CREATE", spec, None)).await;
    assert_eq!(r["allowed"], false, "{r}");
    assert_eq!(r["status"]["code"], 403);
    let message = r["status"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("HelmRelease apps/web is invalid (2 errors): "),
        "{message}"
    );
    assert!(message.contains("[PH010] spec.version: "), "{message}");
    assert!(message.contains("[PH020] spec.repo: "), "{message}");
    assert!(message.contains("(hint: "), "{message}");
}

#[tokio::test]
async fn warnings_become_admission_warnings() {
    let mut spec = valid();
    spec["values"] = json!({"image": {"repository": "nginx", "tag": "latest"}});
    let r = response(
        &webhook(Policies::default()),
        &review("UPDATE", spec, Some(valid())),
    )
    .await;
    assert_eq!(r["allowed"], true, "{r}");
    let warnings = r["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{r}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .starts_with("[PH050] spec.values.image.tag: "),
        "{r}"
    );
}

#[tokio::test]
async fn an_update_that_keeps_the_spec_is_not_evaluated() {
    let bad = json!({"repo": "http://x", "name": "webapp", "version": "latest"});
    let hook = webhook(Policies::default());
    let r = response(&hook, &review("UPDATE", bad.clone(), Some(bad.clone()))).await;
    assert_eq!(r["allowed"], true, "a finalizer update of an old spec: {r}");
    let r = response(&hook, &review("UPDATE", bad, Some(valid()))).await;
    assert_eq!(r["allowed"], false, "a spec change is evaluated: {r}");
    let r = response(&hook, &review("DELETE", Value::Null, None)).await;
    assert_eq!(r["allowed"], true, "{r}");
}

#[tokio::test]
async fn user_rules_and_disabled_codes_apply() {
    let policies = Policies {
        files: vec![rule(
            "ORG001",
            "error",
            "spec.repo is not startingwith('oci://registry.example.com/')",
            "repository {{ spec.repo }} is not the organisation's registry",
        )],
        disabled: vec!["PH050".into()],
    };
    let mut spec = valid();
    spec["values"] = json!({"image": {"repository": "nginx", "tag": "latest"}});
    let r = response(&webhook(policies), &review("CREATE", spec, None)).await;
    assert_eq!(r["allowed"], false, "{r}");
    let message = r["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("[ORG001] spec: repository https://charts.example.com is not"),
        "{message}"
    );
    assert!(r.get("warnings").is_none(), "PH050 is disabled: {r}");
}

#[tokio::test]
async fn rules_that_do_not_load_or_are_not_read_yet_deny() {
    let broken = Policies {
        files: vec![PolicyFile {
            name: "configmap/ops/rules/bad.yaml".into(),
            content: "rules:\n  - code: lower\n".into(),
        }],
        disabled: Vec::new(),
    };
    let r = response(&webhook(broken), &review("CREATE", valid(), None)).await;
    assert_eq!(r["allowed"], false, "{r}");
    assert_eq!(r["status"]["code"], 500);
    let message = r["status"]["message"].as_str().unwrap();
    assert!(message.contains("do not load"), "{message}");
    assert!(
        message.contains("configmap/ops/rules/bad.yaml"),
        "{message}"
    );

    let pending = Webhook::new(
        runtime(),
        PolicyStore::configmap("ops", "rules"),
        Limits::default(),
    );
    let r = response(&pending, &review("CREATE", valid(), None)).await;
    assert_eq!(r["allowed"], false, "{r}");
    assert!(
        r["status"]["message"]
            .as_str()
            .unwrap()
            .contains("the policy rules of ConfigMap ops/rules have not been read yet"),
        "{r}"
    );
}

#[tokio::test]
async fn a_rule_that_never_ends_is_cut_off_by_its_fuel() {
    let policies = Policies {
        files: vec![rule(
            "ORG666",
            "warning",
            "spec.values.spin is defined",
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        )],
        disabled: Vec::new(),
    };
    let hook = webhook(policies);
    let mut spec = valid();
    spec["values"] = json!({"spin": true});
    let r = response(&hook, &review("CREATE", spec, None)).await;
    assert_eq!(r["allowed"], false, "{r}");
    let message = r["status"]["message"].as_str().unwrap();
    assert!(message.contains("[PH003]"), "{message}");
    assert!(message.contains("ORG666"), "{message}");
    let r = response(&hook, &review("CREATE", valid(), None)).await;
    assert_eq!(r["allowed"], true, "the rule does not fire: {r}");
}

#[tokio::test]
async fn a_review_past_its_timeout_is_denied() {
    let hook = Webhook::new(
        runtime(),
        PolicyStore::fixed(Policies::default()),
        Limits {
            concurrency: 1,
            timeout: Duration::from_millis(1),
            ..Limits::default()
        },
    );
    let r = response(&hook, &review("CREATE", valid(), None)).await;
    assert_eq!(r["allowed"], false, "{r}");
    assert_eq!(r["status"]["code"], 500);
    let message = r["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("was not validated within 1ms") && message.contains("fails closed"),
        "{message}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_review_is_a_bad_request() {
    let hook = webhook(Policies::default());
    let (code, message) = hook.review(b"{not json").await.unwrap_err();
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(message.contains("not an AdmissionReview"), "{message}");
    let (code, _) = hook.review(b"{}").await.unwrap_err();
    assert_eq!(code, StatusCode::BAD_REQUEST);
}

/// The issuer's common name of the certificate a TLS server at `port` presents, trusting `ca`.
async fn handshake(port: u16, ca: &testenv::Ca) -> Result<(), String> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(ca.cert_pem().as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    connector
        .connect(name, tcp)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn write_pair(dir: &Path, pair: &testenv::CertPair) {
    std::fs::write(dir.join("tls.crt"), &pair.cert_pem).unwrap();
    std::fs::write(dir.join("tls.key"), &pair.key_pem).unwrap();
}

#[tokio::test]
async fn the_certificate_is_reloaded_when_its_files_change() {
    let dir = std::env::temp_dir().join(format!("planton-webhook-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (crt, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    let (old_ca, new_ca) = (
        testenv::Ca::new("old-ca").unwrap(),
        testenv::Ca::new("new-ca").unwrap(),
    );
    write_pair(&dir, &old_ca.serving_cert(&["127.0.0.1"]).unwrap());

    let certs = CertReloader::load(&crt, &key).expect("the first pair loads");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hook = Arc::new(webhook(Policies::default()));
    let server = tokio::spawn(hook.serve(listener, certs.clone()));
    handshake(port, &old_ca).await.expect("the old CA verifies");
    assert!(!certs.reload_if_changed().unwrap(), "nothing changed");

    // A half-written update does not replace the pair in use.
    std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\ntruncated").unwrap();
    let err = certs.reload_if_changed().unwrap_err().to_string();
    assert!(err.contains("tls.key"), "{err}");
    handshake(port, &old_ca)
        .await
        .expect("still the old pair after a bad update");

    write_pair(&dir, &new_ca.serving_cert(&["127.0.0.1"]).unwrap());
    assert!(certs.reload_if_changed().unwrap(), "the new pair is loaded");
    handshake(port, &new_ca).await.expect("the new CA verifies");
    let err = handshake(port, &old_ca).await.unwrap_err();
    assert!(err.contains("certificate"), "{err}");

    // The polling task does the same by itself.
    let watcher = tokio::spawn(certs.clone().watch(Duration::from_millis(20)));
    write_pair(&dir, &old_ca.serving_cert(&["127.0.0.1"]).unwrap());
    let mut ok = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if handshake(port, &old_ca).await.is_ok() {
            ok = true;
            break;
        }
    }
    assert!(ok, "the watch reloaded the pair");
    watcher.abort();
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
}
