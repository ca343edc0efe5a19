//! Install, upgrade, atomic rollback, hooks, tests and uninstall, with helm reading our releases.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn install_upgrade_prune_and_uninstall_with_helm_reading_our_releases() {
    let env = Env::start().await;
    // Charts come from the real registry, behind htpasswd, through the real chart provider.
    let registry = ChartRegistry::start(Some(("deployer", "s3cret-pw")));
    let repo = registry.repo();
    let _controller = Controller::start_with(&env.client, registry.provider());
    let ns = "apps";
    env.create_namespace(ns).await;
    let webapp = |version: &str, values: Value| {
        let mut spec = webapp(version, values);
        spec["repo"] = json!(repo);
        spec["plainHttp"] = json!(true);
        spec["credentialsRef"] = json!({"name": "registry-login"});
        spec
    };

    // A credentials Secret that does not exist: Ready=False (it may appear), not stalled, nothing
    // made.
    let mut locked = webapp("1.0.0", json!({}));
    locked["credentialsRef"] = json!({"name": "no-such-login"});
    env.apply_hr(ns, "locked", locked).await;
    let hr = env
        .wait_status(ns, "locked", "the fetch to fail", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with(
            "ChartFetchFailed: Secret apps/no-such-login (spec.credentialsRef) not found"
        ),
        "{message}"
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert!(env.records(ns, "locked").await.is_empty());
    env.hrs(ns)
        .delete("locked", &DeleteParams::default())
        .await
        .unwrap();
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({
                "metadata": {"name": "registry-login"},
                "stringData": {"username": "deployer", "password": "s3cret-pw"},
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    // `lookup` in the chart reads this from the live cluster.
    let cms: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    cms.create(
        &PostParams::default(),
        &serde_json::from_value(
            json!({"metadata": {"name": "webapp-seed"}, "data": {"seed": "42"}}),
        )
        .unwrap(),
    )
    .await
    .unwrap();

    // Install.
    env.apply_hr(
        ns,
        "web",
        webapp(
            "1.0.0",
            json!({"message": "one", "keptConfig": {"enabled": true}}),
        ),
    )
    .await;
    let hr = env.wait_ready(ns, "web", 1).await;
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert_eq!(condition(&hr, "Reconciling").as_deref(), Some("False"));
    assert!(
        hr.metadata
            .finalizers
            .unwrap_or_default()
            .contains(&host_controller::reconcile::FINALIZER.to_string())
    );
    let d = env.deployment(ns, "web-webapp").await.expect("deployment");
    assert_eq!(
        d.status.unwrap().available_replicas,
        Some(1),
        "waited for readiness"
    );
    let cm = env.configmap(ns, "web-webapp").await.expect("configmap");
    let data = cm.data.unwrap();
    assert_eq!(data["MESSAGE"], "one");
    assert_eq!(data["SEED"], "42", "lookup read the live cluster");
    assert!(
        cm.metadata
            .managed_fields
            .unwrap()
            .iter()
            .any(|m| m.manager.as_deref() == Some("planton-helm")
                && m.operation.as_deref() == Some("Apply"))
    );
    let records = env.records(ns, "web").await;
    assert_eq!(records.len(), 1);
    let (secret, release) = &records[0];
    assert_eq!(
        secret.metadata.name.as_deref(),
        Some("sh.helm.release.v1.web.v1")
    );
    assert_eq!(secret.type_.as_deref(), Some("helm.sh/release.v1"));
    let labels = secret.metadata.labels.clone().unwrap();
    assert_eq!(labels["owner"], "helm");
    assert_eq!(labels["status"], "deployed");
    assert_eq!(labels["version"], "1");
    assert!(labels["createdAt"].parse::<i64>().is_ok(), "{labels:?}");
    assert!(labels["modifiedAt"].parse::<i64>().is_ok(), "{labels:?}");
    assert_eq!(release.info.status, "deployed");

    // The real helm reads it.
    let list: Value = serde_json::from_str(&env.helm(&["list", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(list[0]["name"], "web");
    assert_eq!(list[0]["status"], "deployed");
    assert_eq!(list[0]["chart"], "webapp-1.0.0");
    assert_eq!(list[0]["app_version"], "1.0");
    assert_eq!(list[0]["revision"], "1");
    let values: Value =
        serde_json::from_str(&env.helm(&["get", "values", "web", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(values["message"], "one");
    // `helm get manifest` prints what `helm template` prints for the same chart and values
    // (without hooks); SEED differs only because helm template has no cluster for lookup.
    let manifest = env.helm(&["get", "manifest", "web", "-n", ns]);
    let chart_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts/webapp-1.0.0");
    let template = Command::new(helm_bin())
        .args(["template", "web"])
        .arg(&chart_dir)
        .args(["-n", ns, "--set", "message=one,keptConfig.enabled=true"])
        .output()
        .unwrap();
    let template = String::from_utf8(template.stdout).unwrap();
    assert_eq!(
        manifest
            .replace("SEED: \"42\"", "SEED: \"none\"")
            .trim_end(),
        template.trim_end()
    );

    // Values change: revision 2 adds a ConfigMap.
    env.apply_hr(ns, "web", webapp("1.0.0", json!({"message": "two", "extraConfig": {"enabled": true}, "keptConfig": {"enabled": true}})))
        .await;
    env.wait_ready(ns, "web", 2).await;
    assert_eq!(
        env.configmap(ns, "web-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "two"
    );
    assert!(env.configmap(ns, "web-webapp-extra").await.is_some());
    let statuses: Vec<String> = env
        .records(ns, "web")
        .await
        .into_iter()
        .map(|(_, r)| r.info.status)
        .collect();
    assert_eq!(statuses, ["superseded", "deployed"]);

    // Values change that removes it: revision 3 prunes it.
    env.apply_hr(
        ns,
        "web",
        webapp(
            "1.0.0",
            json!({"message": "three", "keptConfig": {"enabled": true}}),
        ),
    )
    .await;
    env.wait_ready(ns, "web", 3).await;
    wait_for("the extra ConfigMap to be pruned", || async {
        env.configmap(ns, "web-webapp-extra")
            .await
            .is_none()
            .then_some(())
    })
    .await;

    // Version change: revision 4 with chart 1.1.0.
    env.apply_hr(
        ns,
        "web",
        webapp(
            "1.1.0",
            json!({"message": "three", "keptConfig": {"enabled": true}}),
        ),
    )
    .await;
    let hr = env.wait_ready(ns, "web", 4).await;
    assert_eq!(hr.status.unwrap().chart_version.as_deref(), Some("1.1.0"));
    let d = env.deployment(ns, "web-webapp").await.unwrap();
    assert_eq!(d.metadata.labels.unwrap()["helm.sh/chart"], "webapp-1.1.0");
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "web", "-n", ns, "-o", "json"])).unwrap();
    let rows: Vec<(i64, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
                r["chart"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "superseded".into(), "webapp-1.0.0".into()),
            (2, "superseded".into(), "webapp-1.0.0".into()),
            (3, "superseded".into(), "webapp-1.0.0".into()),
            (4, "deployed".into(), "webapp-1.1.0".into()),
        ]
    );
    let reasons = env.event_reasons(ns).await;
    assert!(
        reasons.iter().any(|r| r == "InstallSucceeded"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r == "UpgradeSucceeded"),
        "{reasons:?}"
    );

    // Uninstall: delete, the finalizer removes the objects and the records, keeps the kept one.
    env.hrs(ns)
        .delete("web", &DeleteParams::default())
        .await
        .unwrap();
    wait_for("the HelmRelease to be gone", || async {
        env.hrs(ns)
            .get_opt("web")
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;
    assert!(env.deployment(ns, "web-webapp").await.is_none());
    assert!(env.configmap(ns, "web-webapp").await.is_none());
    assert!(
        env.configmap(ns, "web-webapp-kept").await.is_some(),
        "resource-policy keep"
    );
    assert!(env.records(ns, "web").await.is_empty());
    assert_eq!(env.helm(&["list", "-n", ns, "-q"]).trim(), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn atomic_upgrade_rolls_back_after_a_timeout_and_after_a_failing_hook() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let spec = |values: Value, timeout: &str| {
        json!({"repo": REPO, "name": "webapp", "version": "1.0.0", "values": values,
               "atomic": true, "timeout": timeout})
    };
    env.apply_hr(ns, "api", spec(json!({"message": "good"}), "60s"))
        .await;
    env.wait_ready(ns, "api", 1).await;

    // Pods that never start: the wait times out, the release rolls back to revision 1.
    env.apply_hr(
        ns,
        "api",
        spec(json!({"message": "bad", "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}}), "5s"),
    )
    .await;
    let hr = env
        .wait_status(ns, "api", "the upgrade to fail", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(message.starts_with("UpgradeFailed"), "{message}");
    assert!(message.contains("timed out"), "{message}");
    assert!(
        message.contains("rolled back to revision 1 as revision 3"),
        "{message}"
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("True"));
    let statuses: Vec<(u32, String)> = env
        .records(ns, "api")
        .await
        .into_iter()
        .map(|(_, r)| (r.version, r.info.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "deployed".into())
        ]
    );
    let cm = env.configmap(ns, "api-webapp").await.unwrap();
    assert_eq!(cm.data.unwrap()["MESSAGE"], "good", "rolled back");

    // A pre-upgrade hook whose Job fails: nothing of the upgrade is applied, rolled back.
    env.apply_hr(
        ns,
        "api",
        spec(
            json!({"message": "hooked", "hooks": {"preUpgrade": true, "phase": "Failed"}}),
            "30s",
        ),
    )
    .await;
    let hr = env
        .wait_status(ns, "api", "the hooked upgrade to fail", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
                && ready_message(hr).contains("revision 4")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.contains("pre-upgrade hook Job default/api-webapp-migrate failed")
            || message.contains("pre-upgrade hook Job api-webapp-migrate failed"),
        "{message}"
    );
    assert!(
        message.contains("rolled back to revision 3 as revision 5"),
        "{message}"
    );
    assert_eq!(
        env.configmap(ns, "api-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "good"
    );
    // helm sees the rollback too.
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "api", "-n", ns, "-o", "json"])).unwrap();
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["status"], "deployed");
    assert_eq!(last["description"], "Rollback to 3");
    let reasons = env.event_reasons(ns).await;
    assert!(reasons.iter().any(|r| r == "UpgradeFailed"), "{reasons:?}");
}

/// `last_run.phase` of hook `name` in the record of `revision`.
async fn hook_phase(env: &Env, ns: &str, release: &str, revision: u32, name: &str) -> String {
    let records = env.records(ns, release).await;
    let (_, record) = records
        .iter()
        .find(|(_, r)| r.version == revision)
        .unwrap_or_else(|| panic!("no record of revision {revision}"));
    let hook = record
        .hooks
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("no hook {name} in revision {revision}: {:?}", record.hooks));
    hook["last_run"]["phase"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rollback_hooks_run_on_an_atomic_rollback_and_test_hooks_set_test_success() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let spec = |values: Value| {
        json!({"repo": REPO, "name": "webapp", "version": "1.0.0", "values": values,
               "atomic": true, "timeout": "30s", "test": {"enable": true, "timeout": "30s"}})
    };
    let test_success = |hr: &HelmRelease, value: &str, revision: u32| {
        condition(hr, "TestSuccess").as_deref() == Some(value)
            && hr.status.as_ref().unwrap().last_applied_revision == Some(revision)
    };

    // Revision 1 has rollback hooks and a test Pod that succeeds.
    env.apply_hr(
        ns,
        "tst",
        spec(json!({"message": "good", "hooks": {"rollback": true}, "tests": {"enabled": true}})),
    )
    .await;
    let hr = env
        .wait_status(ns, "tst", "the test of revision 1 to pass", |hr| {
            test_success(hr, "True", 1)
        })
        .await;
    assert_eq!(condition(&hr, "Ready").as_deref(), Some("True"));
    assert_eq!(
        hook_phase(&env, ns, "tst", 1, "tst-webapp-test-connection").await,
        "Succeeded"
    );
    assert!(env.configmap(ns, "tst-webapp-pre-rollback").await.is_none());
    assert!(
        env.event_reasons(ns)
            .await
            .contains(&"TestSucceeded".to_string())
    );

    // Revision 2 fails (its pre-upgrade Job fails) and has no rollback hooks of its own: the
    // rollback to revision 1 runs revision 1's pre- and post-rollback hooks.
    env.apply_hr(
        ns,
        "tst",
        spec(
            json!({"message": "bad", "hooks": {"preUpgrade": true, "phase": "Failed"},
                    "tests": {"enabled": true}}),
        ),
    )
    .await;
    let hr = env
        .wait_status(ns, "tst", "the upgrade to fail and roll back", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.contains("rolled back to revision 1 as revision 3"),
        "{message}"
    );
    for hook in ["tst-webapp-pre-rollback", "tst-webapp-post-rollback"] {
        let cm = env.configmap(ns, hook).await.expect(hook);
        assert_eq!(cm.data.unwrap()["restoredRevision"], "1", "{hook}");
        assert_eq!(hook_phase(&env, ns, "tst", 3, hook).await, "Succeeded");
    }
    assert_eq!(
        env.configmap(ns, "tst-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "good"
    );

    // Revision 4 deploys, but its test Pod fails: TestSuccess=False, the release stays deployed.
    env.apply_hr(
        ns,
        "tst",
        spec(json!({"message": "v4", "tests": {"enabled": true, "phase": "Failed"}})),
    )
    .await;
    let hr = env
        .wait_status(ns, "tst", "the test of revision 4 to fail", |hr| {
            test_success(hr, "False", 4)
        })
        .await;
    assert_eq!(condition(&hr, "Ready").as_deref(), Some("True"));
    let test = hr
        .status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == "TestSuccess")
        .unwrap();
    assert!(
        test.message
            .contains("test hook Pod default/tst-webapp-test-connection failed")
            || test
                .message
                .contains("test hook Pod tst-webapp-test-connection failed"),
        "{}",
        test.message
    );
    assert_eq!(
        hook_phase(&env, ns, "tst", 4, "tst-webapp-test-connection").await,
        "Failed"
    );
    let records = env.records(ns, "tst").await;
    assert_eq!(records.last().unwrap().1.info.status, "deployed");
    assert!(
        env.event_reasons(ns)
            .await
            .contains(&"TestFailed".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_uninstall_keeps_the_finalizer_and_keep_history_keeps_the_records() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    // A pre-delete Pod that never runs on its own (Pending), and the records kept on uninstall.
    let mut spec = webapp(
        "1.0.0",
        json!({"message": "bye", "hooks": {"preDelete": true, "deletePhase": "Pending"}}),
    );
    spec["timeout"] = json!("5s");
    spec["uninstall"] = json!({"keepHistory": true, "deletionPropagation": "foreground"});
    env.apply_hr(ns, "gone", spec).await;
    env.wait_ready(ns, "gone", 1).await;
    env.hrs(ns)
        .delete("gone", &DeleteParams::default())
        .await
        .unwrap();

    // The hook times out: the uninstall failed, the HelmRelease and its finalizer stay.
    wait_for("the uninstall to fail", || async {
        env.event_messages(ns, "gone")
            .await
            .into_iter()
            .any(|(r, m)| r == "UninstallFailed" && m.contains("pre-delete hook Pod"))
            .then_some(())
    })
    .await;
    let hr = env.hrs(ns).get("gone").await.expect("still there");
    assert!(hr.metadata.deletion_timestamp.is_some());
    assert!(
        hr.metadata
            .finalizers
            .unwrap_or_default()
            .contains(&host_controller::reconcile::FINALIZER.to_string())
    );
    assert!(env.deployment(ns, "gone-webapp").await.is_some());

    // The hook's Pod runs (the test plays its kubelet): the retried uninstall completes.
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(env.client.clone(), ns);
    wait_for("the HelmRelease to be gone", || async {
        if let Ok(Some(pod)) = pods.get_opt("gone-webapp-goodbye").await
            && pod.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Succeeded")
        {
            let _ = pods
                .patch_status(
                    "gone-webapp-goodbye",
                    &PatchParams::default(),
                    &Patch::Merge(json!({"status": {"phase": "Succeeded"}})),
                )
                .await;
        }
        env.hrs(ns)
            .get_opt("gone")
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;
    wait_for("the Deployment to be deleted", || async {
        env.deployment(ns, "gone-webapp")
            .await
            .is_none()
            .then_some(())
    })
    .await;
    // keepHistory: the record stays, marked uninstalled, and helm reads it.
    let records = env.records(ns, "gone").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].1.info.status, "uninstalled");
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "gone", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(history[0]["status"], "uninstalled");
    assert_eq!(history[0]["description"], "Uninstallation complete");
}
