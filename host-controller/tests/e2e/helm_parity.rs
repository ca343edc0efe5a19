//! The lifecycle chart: hooks and records as helm makes them, failed upgrades, an apiserver restart.

use super::*;

/// The `lifecycle` chart (tests/charts/lifecycle): a hook Pod for every hook event, every delete
/// policy and several weights.
fn lifecycle_chart_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts/lifecycle")
}

/// Every creation and deletion of a Pod of release `lc`, as `(namespace, "create NAME" |
/// "delete NAME")`, in the order the API server made them: one watch delivers the events of a
/// resource in resourceVersion order.
struct PodTrail {
    events: Arc<std::sync::Mutex<Vec<(String, String)>>>,
    task: JoinHandle<()>,
}

impl PodTrail {
    async fn start(client: &Client) -> PodTrail {
        use futures::StreamExt;
        use kube::api::{WatchEvent, WatchParams};
        const LABEL: &str = "app.kubernetes.io/instance=lc";
        let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::all(client.clone());
        let mut rv = pods
            .list_metadata(&ListParams::default().labels(LABEL))
            .await
            .expect("list pods")
            .metadata
            .resource_version
            .expect("a list resourceVersion");
        let events: Arc<std::sync::Mutex<Vec<(String, String)>>> = Arc::default();
        let sink = events.clone();
        let task = tokio::spawn(async move {
            loop {
                // A watch ends after its timeout; the next one resumes where it stopped.
                let Ok(stream) = pods
                    .watch_metadata(&WatchParams::default().labels(LABEL), &rv)
                    .await
                else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                let mut stream = stream.boxed();
                while let Some(Ok(event)) = stream.next().await {
                    let (verb, meta) = match event {
                        WatchEvent::Added(p) => ("create", p.metadata),
                        WatchEvent::Deleted(p) => ("delete", p.metadata),
                        WatchEvent::Modified(p) => ("", p.metadata),
                        WatchEvent::Bookmark(b) => {
                            rv = b.metadata.resource_version;
                            continue;
                        }
                        WatchEvent::Error(e) => panic!("watching the hook Pods: {e:?}"),
                    };
                    rv = meta.resource_version.clone().unwrap_or(rv);
                    if !verb.is_empty() {
                        sink.lock().unwrap().push((
                            meta.namespace.unwrap_or_default(),
                            format!("{verb} {}", meta.name.unwrap_or_default()),
                        ));
                    }
                }
            }
        });
        PodTrail { events, task }
    }

    fn of(&self, ns: &str) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == ns)
            .map(|(_, e)| e.clone())
            .collect()
    }
}

impl Drop for PodTrail {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The names of the Pods and ConfigMaps of release `lc` in `ns`.
async fn lifecycle_objects(env: &Env, ns: &str) -> Vec<String> {
    let lp = ListParams::default().labels("app.kubernetes.io/instance=lc");
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(env.client.clone(), ns);
    let cms: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    let mut names: Vec<String> = pods
        .list_metadata(&lp)
        .await
        .expect("pods")
        .items
        .into_iter()
        .map(|p| format!("Pod {}", p.metadata.name.unwrap_or_default()))
        .chain(
            cms.list_metadata(&lp)
                .await
                .expect("configmaps")
                .items
                .into_iter()
                .map(|c| format!("ConfigMap {}", c.metadata.name.unwrap_or_default())),
        )
        .collect();
    names.sort();
    names
}

/// What two release records must agree on: revision, status, description, values, manifest,
/// and each hook's events, weight, delete policies and the phase of its last run.
async fn lifecycle_records(env: &Env, ns: &str) -> Vec<Value> {
    env.records(ns, "lc")
        .await
        .into_iter()
        .map(|(secret, r)| {
            let labels = secret.metadata.labels.unwrap_or_default();
            let mut hooks: Vec<Value> = r
                .hooks
                .iter()
                .map(|h| {
                    json!({"name": h["name"], "events": h["events"], "weight": h["weight"],
                           "delete_policies": h["delete_policies"],
                           "phase": h["last_run"]["phase"].as_str().unwrap_or_default()})
                })
                .collect();
            hooks.sort_by_key(|h| h["name"].as_str().unwrap_or_default().to_string());
            json!({"revision": r.version, "status": r.info.status,
                   "label_status": labels.get("status"),
                   "description": r.info.description, "config": r.config,
                   "manifest": r.manifest, "hooks": hooks})
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hooks_and_records_match_helm_through_install_upgrade_rollback_and_uninstall() {
    let env = Env::start().await;
    let trail = PodTrail::start(&env.client).await;
    let (by_helm, by_us) = ("by-helm", "by-controller");
    env.create_namespace(by_helm).await;
    env.create_namespace(by_us).await;
    let chart = lifecycle_chart_dir();
    let chart = chart.to_str().unwrap();

    // The oracle: the real helm, each step as a user would run it.
    let helm = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["-n", by_helm, "--timeout", "60s"]);
        env.helm(&all);
    };
    helm(&["install", "lc", chart, "--set", "message=v1"]);
    helm(&["test", "lc"]);
    helm(&["upgrade", "lc", chart, "--set", "message=v2"]);
    helm(&["test", "lc"]);
    let failed = env.helm_output(&[
        "upgrade",
        "lc",
        chart,
        "--set",
        "message=v3",
        "--set",
        "failVerify=true",
        "--rollback-on-failure",
        "-n",
        by_helm,
        "--timeout",
        "60s",
    ]);
    assert!(!failed.status.success(), "the upgrade with a failing hook");
    let helm_records = lifecycle_records(&env, by_helm).await;
    let helm_objects = lifecycle_objects(&env, by_helm).await;
    helm(&["uninstall", "lc"]);
    let helm_after_uninstall = lifecycle_objects(&env, by_helm).await;

    // The controller: the same steps as spec changes.
    let _controller = Controller::start_with(
        &env.client,
        Arc::new(LocalCharts::new().with(REPO, "lifecycle", "1.0.0", lifecycle_chart_dir())),
    );
    let spec = |values: Value| {
        json!({"repo": REPO, "name": "lifecycle", "version": "1.0.0", "values": values,
               "atomic": true, "timeout": "60s", "test": {"enable": true, "timeout": "60s"}})
    };
    let tested = |revision: u32| {
        move |hr: &HelmRelease| {
            condition(hr, "TestSuccess").as_deref() == Some("True")
                && hr.status.as_ref().unwrap().last_applied_revision == Some(revision)
        }
    };
    env.apply_hr(by_us, "lc", spec(json!({"message": "v1"})))
        .await;
    env.wait_status(by_us, "lc", "revision 1 tested", tested(1))
        .await;
    env.apply_hr(by_us, "lc", spec(json!({"message": "v2"})))
        .await;
    env.wait_status(by_us, "lc", "revision 2 tested", tested(2))
        .await;
    env.apply_hr(
        by_us,
        "lc",
        spec(json!({"message": "v3", "failVerify": true})),
    )
    .await;
    let hr = env
        .wait_status(by_us, "lc", "revision 3 to fail and roll back", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    assert!(
        ready_message(&hr).contains("rolled back to revision 2 as revision 4"),
        "{}",
        ready_message(&hr)
    );
    let our_records = lifecycle_records(&env, by_us).await;
    let our_objects = lifecycle_objects(&env, by_us).await;
    env.hrs(by_us)
        .delete("lc", &DeleteParams::default())
        .await
        .expect("delete the HelmRelease");
    wait_for("the HelmRelease to be gone", || async {
        env.hrs(by_us)
            .get_opt("lc")
            .await
            .ok()?
            .is_none()
            .then_some(())
    })
    .await;
    let our_after_uninstall = lifecycle_objects(&env, by_us).await;

    // The same hooks, created and deleted in the same order.
    let (helm_trail, our_trail) = (trail.of(by_helm), trail.of(by_us));
    assert!(helm_trail.len() > 30, "{helm_trail:#?}");
    assert_eq!(
        our_trail, helm_trail,
        "hook Pods created and deleted (left: the controller, right: helm)"
    );
    // The same objects left before and after the uninstall.
    assert_eq!(our_objects, helm_objects);
    assert_eq!(our_after_uninstall, helm_after_uninstall);
    assert!(
        !helm_after_uninstall.is_empty(),
        "hooks without a deleting policy stay"
    );
    // The same release records.
    assert_eq!(helm_records.len(), 4, "{helm_records:#?}");
    for (ours, theirs) in our_records.iter().zip(&helm_records) {
        let mut ours = ours.clone();
        let mut theirs = theirs.clone();
        // After helm's prefix, the cause is each tool's own wording; both name the hook event.
        if theirs["status"] == "failed" {
            for d in [&mut ours["description"], &mut theirs["description"]] {
                let text = d.as_str().unwrap_or_default();
                assert!(
                    text.starts_with("Upgrade \"lc\" failed: ") && text.contains("post-upgrade"),
                    "{d}"
                );
                *d = Value::Null;
            }
        }
        assert_eq!(
            ours, theirs,
            "revision {} (left: ours, right: helm's)",
            theirs["revision"]
        );
    }
    assert_eq!(our_records.len(), helm_records.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_upgrades_are_cleaned_up_retried_and_uninstalled_as_the_spec_says() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    let statuses = |records: Vec<(Secret, Release)>| -> Vec<(u32, String)> {
        records
            .into_iter()
            .map(|(_, r)| (r.version, r.info.status))
            .collect()
    };
    let good = json!({"message": "good"});
    // Pods that never start, and a ConfigMap revision 1 does not have.
    let bad = json!({"message": "bad", "extraConfig": {"enabled": true},
                     "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}});
    for name in ["retry", "gone"] {
        env.apply_hr(ns, name, webapp("1.0.0", good.clone())).await;
    }
    env.wait_ready(ns, "retry", 1).await;
    env.wait_ready(ns, "gone", 1).await;

    // One retry, cleanupOnFail, and the last failure left as it is.
    let mut spec = webapp("1.0.0", bad.clone());
    spec["timeout"] = json!("5s");
    spec["upgrade"] = json!({"cleanupOnFail": true,
        "remediation": {"retries": 1, "remediateLastFailure": false}});
    env.apply_hr(ns, "retry", spec).await;
    // With strategy uninstall, the failed upgrade is uninstalled.
    let mut spec = webapp("1.0.0", bad);
    spec["timeout"] = json!("5s");
    spec["upgrade"] =
        json!({"remediation": {"strategy": "uninstall", "remediateLastFailure": true}});
    env.apply_hr(ns, "gone", spec).await;

    let hr = env
        .wait_status(ns, "retry", "the first upgrade failure", |hr| {
            hr.status.as_ref().unwrap().upgrade_failures == 1
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with("UpgradeFailed")
            && message.contains("cleanupOnFail: the objects it created were deleted")
            && message.contains("rolled back to revision 1 as revision 3")
            && message.contains("retrying at"),
        "{message}"
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    let hr = env
        .wait_status(ns, "retry", "the retries to be exhausted", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    let status = hr.status.as_ref().unwrap();
    assert_eq!((status.upgrade_failures, status.failures), (2, 2));
    let stalled = condition_of(&hr, "Stalled").unwrap();
    assert_eq!(stalled.reason, "RetriesExhausted");
    assert!(
        stalled
            .message
            .starts_with("Upgrade failed 2 time(s) and spec.upgrade.remediation.retries is 1"),
        "{}",
        stalled.message
    );
    assert_eq!(
        statuses(env.records(ns, "retry").await),
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "deployed".into()),
            (4, "failed".into())
        ]
    );
    // The last failure is not remediated: its changes stay, but the object it added is gone.
    assert_eq!(
        env.configmap(ns, "retry-webapp")
            .await
            .unwrap()
            .data
            .unwrap()["MESSAGE"],
        "bad"
    );
    let (_, failed) = env.records(ns, "retry").await.pop().unwrap();
    assert!(failed.manifest.contains("name: retry-webapp-extra"));
    assert!(env.configmap(ns, "retry-webapp-extra").await.is_none());
    let events = env.event_messages(ns, "retry").await;
    assert_eq!(
        events.iter().filter(|(r, _)| r == "UpgradeFailed").count(),
        2,
        "{events:?}"
    );

    let hr = env
        .wait_status(ns, "gone", "the failed upgrade to be uninstalled", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with("UpgradeFailed")
            && message.contains("the failed upgrade was uninstalled"),
        "{message}"
    );
    assert!(env.deployment(ns, "gone-webapp").await.is_none());
    assert!(env.configmap(ns, "gone-webapp").await.is_none());
    assert!(env.configmap(ns, "gone-webapp-extra").await.is_none());
    assert!(env.records(ns, "gone").await.is_empty());
    let list = env.helm(&["list", "-n", ns, "-q"]);
    assert!(!list.lines().any(|l| l == "gone"), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_apiserver_restarted_mid_upgrade_leaves_a_release_that_recovers_by_itself() {
    let mut env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    env.apply_hr(ns, "api", webapp("1.0.0", json!({"message": "v1"})))
        .await;
    env.wait_ready(ns, "api", 1).await;

    // The upgrade starts; the apiserver process is killed as soon as revision 2 is recorded
    // (while the controller applies it or waits for its Pods), and comes back 5 s later.
    env.apply_hr(ns, "api", webapp("1.0.0", json!({"message": "v2"})))
        .await;
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(Some(s)) = secrets.get_opt("sh.helm.release.v1.api.v2").await {
            let status = s.metadata.labels.unwrap_or_default()["status"].clone();
            assert_eq!(status, "pending-upgrade", "killed mid-upgrade");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "revision 2 never came"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    env.cp.kill_apiserver().expect("apiserver killed");
    tokio::time::sleep(Duration::from_secs(5)).await;
    env.cp.start_apiserver().await.expect("apiserver back");

    // No spec change, no annotation: the release ends deployed with v2, nothing pending, every
    // revision still there.
    let hr = env
        .wait_status(ns, "api", "the release to recover", |hr| {
            condition(hr, "Ready").as_deref() == Some("True")
                && hr.status.as_ref().unwrap().last_applied_revision >= Some(2)
        })
        .await;
    let records: Vec<(u32, String)> = env
        .records(ns, "api")
        .await
        .into_iter()
        .map(|(_, r)| (r.version, r.info.status))
        .collect();
    let descriptions: Vec<String> = env
        .records(ns, "api")
        .await
        .into_iter()
        .map(|(_, r)| r.info.description)
        .collect();
    eprintln!(
        "recovered: {} {records:?} {descriptions:?}",
        ready_message(&hr)
    );
    assert_eq!(records[0], (1, "superseded".into()));
    assert_eq!(records.last().unwrap().1, "deployed");
    assert!(
        records.iter().all(|(_, s)| !s.starts_with("pending")),
        "{records:?}"
    );
    let versions: Vec<u32> = records.iter().map(|(v, _)| *v).collect();
    assert_eq!(
        versions,
        (1..=versions.len() as u32).collect::<Vec<_>>(),
        "no revision lost"
    );
    assert_eq!(
        env.configmap(ns, "api-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "v2"
    );
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "api", "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(history.as_array().unwrap().len(), records.len());
    assert_eq!(hr.metadata.generation, Some(2), "no spec change");
}
