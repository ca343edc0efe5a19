//! Project Planton manifests applied as they are.

use super::*;

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
