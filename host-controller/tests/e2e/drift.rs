//! Invalid specs, drift correction, adoption and fields other managers own.

use super::*;

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
async fn a_release_helm_installed_is_adopted_only_with_take_ownership() {
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
    // Not this HelmRelease's: refused, and helm's release left as it is.
    env.apply_hr(
        ns,
        "legacy",
        webapp("1.0.0", json!({"message": "from-controller"})),
    )
    .await;
    let hr = env
        .wait_status(ns, "legacy", "legacy Stalled (OwnershipConflict)", |hr| {
            stalled_reason(hr).as_deref() == Some("OwnershipConflict")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.contains(
            "release legacy in namespace default exists and is not this \
                          HelmRelease's"
        ) && message.contains("spec.install.takeOwnership: true"),
        "{message}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(env.records(ns, "legacy").await.len(), 1, "nothing written");
    let cm = env.configmap(ns, "legacy-webapp").await.unwrap();
    assert_eq!(cm.data.unwrap()["MESSAGE"], "from-helm");

    // takeOwnership adopts it.
    let mut spec = webapp("1.0.0", json!({"message": "from-controller"}));
    spec["install"] = json!({"takeOwnership": true});
    env.apply_hr(ns, "legacy", spec).await;
    env.wait_ready(ns, "legacy", 2).await;
    let records = env.records(ns, "legacy").await;
    let owner = |s: &Secret| {
        let labels = s.metadata.labels.clone().unwrap_or_default();
        (
            labels
                .get(host_controller::release::OWNER_NAMESPACE)
                .cloned(),
            labels.get(host_controller::release::OWNER_NAME).cloned(),
        )
    };
    assert_eq!(
        owner(&records[1].0),
        (Some(ns.to_string()), Some("legacy".to_string()))
    );
    // Adopted, it stays this HelmRelease's without the field.
    env.apply_hr(
        ns,
        "legacy",
        webapp("1.0.0", json!({"message": "from-controller"})),
    )
    .await;
    env.wait_ready(ns, "legacy", 2).await;
    // Another HelmRelease naming the same release is refused, naming the owner.
    let mut spec = webapp("1.0.0", json!({"message": "intruder"}));
    spec["releaseName"] = json!("legacy");
    env.apply_hr(ns, "intruder", spec).await;
    let hr = env
        .wait_status(
            ns,
            "intruder",
            "intruder Stalled (OwnershipConflict)",
            |hr| stalled_reason(hr).as_deref() == Some("OwnershipConflict"),
        )
        .await;
    assert!(
        ready_message(&hr).contains("written by HelmRelease default/legacy"),
        "{}",
        ready_message(&hr)
    );
    // Deleting it leaves the other's release alone.
    env.hrs(ns)
        .delete("intruder", &DeleteParams::default())
        .await
        .expect("delete");
    wait_for("intruder to be gone", || async {
        env.hrs(ns)
            .get_opt("intruder")
            .await
            .expect("get")
            .is_none()
            .then_some(())
    })
    .await;
    assert_eq!(env.records(ns, "legacy").await.len(), 2);
    assert!(env.configmap(ns, "legacy-webapp").await.is_some());
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
