//! The two descriptions of a HelmRelease spec agree: the CRD's schema, generated from the Rust
//! types (what the API server enforces), and `policies/schema/helmrelease.v1.json` (what the
//! core's `validate` enforces, in the CLI and in the admission webhook). One table of documents
//! goes through both; each must be accepted by both or rejected by both.
//!
//! Both are read strictly, as they are used: the API server's strict field validation and
//! `planton-helm validate` reject fields a schema does not name, so objects without
//! `x-kubernetes-preserve-unknown-fields` get `additionalProperties: false` here. The CRD's CEL
//! rules (`x-kubernetes-validations`, one field spelt two ways) are the API server's alone;
//! `crd::tests::crd_carries_both_spellings_and_refuses_both_at_once` covers them.

use helmrelease_model::HelmRelease;
use kube::CustomResourceExt;
use serde_json::{Value, json};

/// The spec schema of the generated CRD, as JSON Schema: OpenAPI's `nullable` becomes a `null`
/// type, and objects are closed.
fn crd_spec_schema() -> Value {
    let crd = serde_json::to_value(HelmRelease::crd()).expect("a CRD serializes");
    let mut spec =
        crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].clone();
    strict(&mut spec);
    spec
}

/// The policy schema's `spec`, closed the same way.
fn policy_spec_schema() -> Value {
    let schema: Value =
        serde_json::from_str(include_str!("../../policies/schema/helmrelease.v1.json"))
            .expect("the policy schema is JSON");
    let mut spec = schema["properties"]["spec"].clone();
    strict(&mut spec);
    spec
}

fn strict(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    let object = map.get("type") == Some(&json!("object"));
    if map.remove("nullable") == Some(Value::Bool(true))
        && let Some(Value::String(t)) = map.get("type").cloned()
    {
        map.insert("type".into(), json!([t, "null"]));
    }
    map.remove("x-kubernetes-validations");
    let open = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if object && !open && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "properties" => {
                if let Value::Object(props) = child {
                    props.values_mut().for_each(strict);
                }
            }
            "items" | "additionalProperties" => strict(child),
            "anyOf" | "oneOf" | "allOf" => {
                if let Value::Array(items) = child {
                    items.iter_mut().for_each(strict);
                }
            }
            _ => {}
        }
    }
}

/// The smallest spec both accept, with `extra`'s fields added.
fn spec(extra: Value) -> Value {
    let mut doc = json!({"repo": "https://charts.example.com", "name": "web", "version": "1.2.3"});
    let fields = doc.as_object_mut().expect("an object");
    for (k, v) in extra.as_object().expect("an object") {
        fields.insert(k.clone(), v.clone());
    }
    doc
}

/// The smallest spec without `field`.
fn without(field: &str) -> Value {
    let mut doc = spec(json!({}));
    doc.as_object_mut().expect("an object").remove(field);
    doc
}

/// Specs both must accept.
fn valid() -> Vec<Value> {
    vec![
        spec(json!({})),
        spec(json!({"values": {"replicas": 2, "nested": {"any": ["thing", 1, null]}}})),
        spec(json!({"values": {}})),
        spec(json!({"atomic": true, "wait": false, "timeout": "5m", "interval": "1h"})),
        spec(json!({"releaseName": "web-v2", "targetNamespace": "edge", "createNamespace": true})),
        spec(json!({"driftDetection": {"mode": "warn"}})),
        spec(json!({"driftDetection": {"mode": "enabled", "ignore": [
            {"paths": ["/spec/replicas"]},
            {"paths": ["/metadata/annotations/example.com~1build"],
             "target": {"group": "apps", "kind": "Deployment", "name": "web", "namespace": "edge"}}
        ]}})),
        spec(json!({"historyLimit": 0})),
        spec(json!({"historyLimit": 25})),
        spec(json!({"suspend": true, "plainHttp": true})),
        spec(json!({"test": {"enable": true, "timeout": "2m"}})),
        spec(json!({"credentialsRef": {"name": "repo-creds"}})),
        spec(json!({"credentialsRef": {"name": "repo-creds", "namespace": "shared"}})),
        spec(json!({"certSecretRef": {"name": "repo-tls"}})),
        spec(json!({"serviceAccountName": "deployer"})),
        spec(json!({"kubeConfig": {"secretRef": {"name": "edge-cluster", "key": "value"}}})),
        spec(
            json!({"install": {"crds": "CreateReplace", "remediation": {"retries": 3},
            "disableWaitForJobs": true, "takeOwnership": true}}),
        ),
        spec(
            json!({"upgrade": {"crds": "Skip", "force": true, "cleanupOnFail": true,
            "disableWaitForJobs": true,
            "remediation": {"retries": 2, "strategy": "uninstall", "remediateLastFailure": false}}}),
        ),
        spec(json!({"uninstall": {"keepHistory": true, "deletionPropagation": "orphan"}})),
        spec(json!({"valuesFrom": [
            {"kind": "ConfigMap", "name": "common"},
            {"kind": "Secret", "name": "db", "valuesKey": "password",
             "targetPath": "db.password", "optional": true}
        ]})),
        spec(json!({"dependsOn": [{"name": "db"}, {"name": "cache", "namespace": "shared"}]})),
        spec(
            json!({"namespace": {"value": "wordpress"}, "create_namespace": true,
            "target_cluster": {"cluster_name": "my-cluster", "cluster_kind": "GcpGkeCluster"}}),
        ),
        spec(json!({"namespace": {"value_from": {"kind": "KubernetesNamespace", "name": "ns"}}})),
    ]
}

/// Specs both must reject.
fn invalid() -> Vec<Value> {
    vec![
        without("repo"),
        without("name"),
        without("version"),
        json!("not an object"),
        json!(["a", "list"]),
        spec(json!({"repo": 7})),
        spec(json!({"version": 1.2})),
        spec(json!({"values": ["a", "list"]})),
        spec(json!({"values": "text"})),
        spec(json!({"atomic": "yes"})),
        spec(json!({"timeout": 300})),
        spec(json!({"historyLimit": -1})),
        spec(json!({"historyLimit": "10"})),
        spec(json!({"driftDetection": {"mode": "sometimes"}})),
        spec(json!({"driftDetection": {"ignore": [{"target": {"kind": "Deployment"}}]}})),
        spec(json!({"driftDetection": {"ignore": [{"paths": "/spec/replicas"}]}})),
        spec(json!({"driftDetection": {"ignore": [{"paths": ["/x"], "target": {"kinds": "A"}}]}})),
        spec(json!({"credentialsRef": {}})),
        spec(json!({"credentialsRef": {"name": "a", "key": "b"}})),
        spec(json!({"kubeConfig": {"secretRef": {}}})),
        spec(json!({"kubeConfig": {}})),
        spec(json!({"test": {"enable": "yes"}})),
        spec(json!({"install": {"crds": "Always"}})),
        spec(json!({"install": {"remediation": {"retries": -1}}})),
        spec(json!({"upgrade": {"remediation": {"strategy": "Rollback"}}})),
        spec(json!({"uninstall": {"deletionPropagation": "later"}})),
        spec(json!({"valuesFrom": [{"kind": "Deployment", "name": "x"}]})),
        spec(json!({"valuesFrom": [{"kind": "Secret"}]})),
        spec(json!({"valuesFrom": {"kind": "Secret", "name": "x"}})),
        spec(json!({"dependsOn": [{"namespace": "x"}]})),
        spec(json!({"namespace": "apps"})),
        spec(json!({"namespace": {"name": "apps"}})),
        spec(json!({"create_namespace": "yes"})),
        spec(json!({"unknownField": true})),
        spec(json!({"release_name": "snake"})),
    ]
}

#[test]
fn crd_and_policy_schemas_accept_and_reject_the_same_specs() {
    let crd = jsonschema::validator_for(&crd_spec_schema()).expect("the CRD's schema compiles");
    let policy =
        jsonschema::validator_for(&policy_spec_schema()).expect("the policy schema compiles");
    let mut wrong = Vec::new();
    for (doc, want) in valid()
        .into_iter()
        .map(|d| (d, true))
        .chain(invalid().into_iter().map(|d| (d, false)))
    {
        let (by_crd, by_policy) = (crd.is_valid(&doc), policy.is_valid(&doc));
        if by_crd != want || by_policy != want {
            wrong.push(format!(
                "{doc}: want {}, the CRD {}, the policy schema {}",
                verdict(want),
                verdict(by_crd),
                verdict(by_policy)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn verdict(accepted: bool) -> &'static str {
    if accepted { "accepts" } else { "rejects" }
}
