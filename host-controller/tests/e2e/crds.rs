//! Charts with CRDs: `crds/` first, custom resources gating readiness, CRDs among templates.

use super::*;

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
