//! The resource's types against the committed CRD, the policy schema and Project Planton's
//! spellings.

use super::*;

/// CI's staleness check: the committed CRDs (plain and in the controller's chart) are what
/// the Rust types generate.
#[test]
fn committed_crd_is_up_to_date() {
    for file in [
        "deploy/crds/helmreleases.yaml",
        "deploy/chart/planton-helm-controller/crds/helmreleases.yaml",
    ] {
        let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == crd_yaml(),
            "{path} is stale (or missing): regenerate it with \
             `cargo run -p host-controller -- crd > {file}`"
        );
    }
}

#[test]
fn ignore_rules_select_objects_and_remove_pointers() {
    struct Object;
    impl ObjectIdentity for Object {
        fn group(&self) -> &str {
            "apps"
        }
        fn kind(&self) -> &str {
            "Deployment"
        }
        fn name(&self) -> &str {
            "web"
        }
        fn namespace(&self) -> Option<&str> {
            None
        }
    }
    let obj = Object;
    let rule = |target: serde_json::Value| DriftIgnoreRule {
        paths: vec![],
        target: serde_json::from_value(target).unwrap(),
    };
    assert!(rule(serde_json::Value::Null).applies_to(&obj, "apps"));
    assert!(
        rule(serde_json::json!({"kind": "Deployment", "group": "apps"})).applies_to(&obj, "apps")
    );
    assert!(rule(serde_json::json!({"namespace": "apps", "name": "web"})).applies_to(&obj, "apps"));
    assert!(!rule(serde_json::json!({"kind": "StatefulSet"})).applies_to(&obj, "apps"));
    assert!(!rule(serde_json::json!({"group": ""})).applies_to(&obj, "apps"));
    assert!(!rule(serde_json::json!({"namespace": "other"})).applies_to(&obj, "apps"));

    let mut v = serde_json::json!({"spec": {"replicas": 3, "template": {}},
        "metadata": {"annotations": {"example.com/build": "7", "keep": "1"}},
        "list": [1, 2, 3]});
    remove_pointer(&mut v, "/spec/replicas");
    remove_pointer(&mut v, "/metadata/annotations/example.com~1build");
    remove_pointer(&mut v, "/list/1");
    remove_pointer(&mut v, "/no/such/path");
    remove_pointer(&mut v, "not a pointer");
    assert_eq!(
        v,
        serde_json::json!({"spec": {"template": {}},
            "metadata": {"annotations": {"keep": "1"}}, "list": [1, 3]})
    );
}

fn planton(spec: serde_json::Value) -> HelmRelease {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "kubernetes.project-planton.org/v1",
        "kind": "HelmRelease",
        "metadata": {"name": "blog", "namespace": "default"},
        "spec": spec,
    }))
    .expect("a HelmRelease")
}

#[test]
fn project_planton_fields_read_as_one_shape() {
    let base = serde_json::json!({"repo": "https://c.example.com", "name": "wordpress",
        "version": "19.0.0"});
    let with = |extra: serde_json::Value| {
        let mut spec = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        planton(spec)
    };
    let hr = with(serde_json::json!({
        "target_cluster": {"cluster_name": "my-cluster", "cluster_kind": "GcpGkeCluster"},
        "namespace": {"value": "wordpress"},
        "create_namespace": true,
        "values": {"ingress": {"enabled": "true"}, "image.tag": "1.2"},
    }));
    assert_eq!(hr.target_namespace(), "wordpress");
    assert!(hr.create_namespace());
    assert_eq!(
        hr.values()["ingress"],
        serde_json::json!({"enabled": "true"}),
        "leaves as written"
    );
    assert_eq!(hr.unresolvable(Some("my-cluster")), None);
    let (reason, message) = hr.unresolvable(Some("other")).expect("unresolvable");
    assert_eq!(reason, Unresolvable::TargetCluster);
    assert!(
        message.contains("\"my-cluster\"") && message.contains("Secret \"my-cluster\""),
        "{message}"
    );
    let (_, message) = hr.unresolvable(None).expect("unresolvable");
    assert!(message.contains("without --cluster-name"), "{message}");
    // What is read back serializes in the manifest's own spelling.
    let back = serde_json::to_value(&hr.spec).unwrap();
    assert_eq!(back["create_namespace"], true);
    assert_eq!(back["namespace"]["value"], "wordpress");
    assert!(back.get("createNamespace").is_none());

    let camel = with(serde_json::json!({"targetNamespace": "apps", "createNamespace": true}));
    assert_eq!(camel.target_namespace(), "apps");
    assert!(camel.create_namespace());
    assert_eq!(camel.unresolvable(None), None);
    let plain = with(serde_json::json!({}));
    assert_eq!(plain.target_namespace(), "default");
    assert!(!plain.create_namespace());
    let empty = with(serde_json::json!({"namespace": {"value": ""}}));
    assert_eq!(empty.target_namespace(), "default");

    let reference = with(serde_json::json!({"namespace": {"value_from": {"name": "x"}}}));
    let (reason, message) = reference.unresolvable(None).expect("unresolvable");
    assert_eq!(reason, Unresolvable::Namespace);
    assert!(message.contains("not resolvable outside Project Planton"));
}

#[test]
fn crd_carries_both_spellings_and_refuses_both_at_once() {
    let crd = serde_json::to_value(HelmRelease::crd()).unwrap();
    let spec = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
    for field in [
        "namespace",
        "create_namespace",
        "target_cluster",
        "targetNamespace",
    ] {
        assert!(spec["properties"][field].is_object(), "{field} missing");
    }
    assert_eq!(
        spec["properties"]["target_cluster"]["x-kubernetes-preserve-unknown-fields"],
        true
    );
    let rules: Vec<&str> = spec["x-kubernetes-validations"]
        .as_array()
        .expect("validation rules")
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "!(has(self.targetNamespace) && has(self.__namespace__))",
            "!(has(self.createNamespace) && has(self.create_namespace))"
        ]
    );
}

/// Every field of a schema with its type and required children, one line each, sorted.
fn shape(schema: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    required.sort();
    out.push(format!("{path}: {} required {required:?}", schema["type"]));
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            shape(v, &format!("{path}.{k}"), out);
        }
    }
    if let Some(items) = schema.get("items") {
        shape(items, &format!("{path}[]"), out);
    }
    out.sort();
}

/// The CRD and the core's schema (`policies/schema/helmrelease.v1.json`, what `validate`
/// and the webhook check) name the same fields with the same types and required fields, so
/// that they accept the same documents.
#[test]
fn crd_and_core_schema_name_the_same_fields() {
    let crd = serde_json::to_value(HelmRelease::crd()).unwrap();
    let mut ours = Vec::new();
    shape(
        &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"],
        "spec",
        &mut ours,
    );
    let core: serde_json::Value =
        serde_json::from_str(include_str!("../../../policies/schema/helmrelease.v1.json")).unwrap();
    let mut theirs = Vec::new();
    shape(&core["properties"]["spec"], "spec", &mut theirs);
    assert_eq!(ours, theirs);
}

#[test]
fn crd_has_status_short_name_and_printer_columns() {
    let crd = serde_json::to_value(HelmRelease::crd()).unwrap();
    assert_eq!(
        crd["metadata"]["name"],
        "helmreleases.kubernetes.project-planton.org"
    );
    assert_eq!(crd["spec"]["names"]["shortNames"][0], "hr");
    let version = &crd["spec"]["versions"][0];
    assert_eq!(version["name"], "v1");
    assert!(version["subresources"]["status"].is_object());
    let columns: Vec<&str> = version["additionalPrinterColumns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["Chart", "Version", "Ready", "Status", "Age"]);
    let values =
        &version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["values"];
    assert_eq!(values["x-kubernetes-preserve-unknown-fields"], true);
}
