//! The controller binary as processes: killed mid-upgrade or mid-rollback, leader election.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_controller_process_killed_mid_upgrade_restarts_and_recovers_with_nothing_lost() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |values: Value| {
        let mut spec = webapp("1.0.0", values);
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };
    let mut first = Process::start(&env, &registry, "ctl-first");
    env.apply_hr(ns, "db", spec(json!({"message": "v1"}))).await;
    env.wait_ready(ns, "db", 1).await;

    // An upgrade whose Pods never become ready, so it waits (up to 10m); SIGKILL the process
    // while it does.
    let mut stuck = spec(
        json!({"message": "v2", "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}}),
    );
    stuck["timeout"] = json!("10m");
    env.apply_hr(ns, "db", stuck).await;
    wait_for(
        "revision 2 to be pending-upgrade, waiting for its Pods",
        || async {
            let records = env.records(ns, "db").await;
            let pending = records.len() == 2 && records[1].1.info.status == "pending-upgrade";
            let applied = env
                .configmap(ns, "db-webapp")
                .await
                .and_then(|cm| cm.data)
                .is_some_and(|d| d["MESSAGE"] == "v2");
            (pending && applied).then_some(())
        },
    )
    .await;
    first.kill();
    let log = first.log();
    assert!(
        !log.contains("UpgradeFailed") && !log.contains("UpgradeSucceeded"),
        "killed before the upgrade ended:\n{log}"
    );
    assert_eq!(
        env.records(ns, "db").await[1].1.info.status,
        "pending-upgrade",
        "the kill left the release mid-operation"
    );

    // A new spec and a restarted process (a new identity: it takes the Lease over when the dead
    // one's expires): revision 2 is marked failed, revision 3 deploys.
    env.apply_hr(ns, "db", spec(json!({"message": "v3"}))).await;
    let second = Process::start(&env, &registry, "ctl-second");
    env.wait_ready(ns, "db", 3).await;
    let statuses: Vec<(u32, String)> = env
        .records(ns, "db")
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
    assert_eq!(
        env.configmap(ns, "db-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "v3"
    );
    let reasons = env.event_reasons(ns).await;
    assert!(reasons.iter().any(|r| r == "Recovered"), "{reasons:?}");
    // Nothing lost: helm reads every revision, with the interrupted one said to be so.
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "db", "-n", ns, "-o", "json"])).unwrap();
    let rows: Vec<(i64, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "deployed".into())
        ]
    );
    let interrupted = history[1]["description"].as_str().unwrap();
    assert!(
        interrupted.contains("pending-upgrade was interrupted"),
        "{interrupted}"
    );
    let values: Value = serde_json::from_str(&env.helm(&[
        "get",
        "values",
        "db",
        "-n",
        ns,
        "--revision",
        "2",
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(
        values["message"], "v2",
        "the interrupted revision's values are kept"
    );
    // helm can act on it: a rollback through the real CLI works on our records.
    env.helm(&["rollback", "db", "1", "-n", ns, "--wait=false"]);
    let records = env.records(ns, "db").await;
    assert_eq!(records.last().unwrap().1.version, 4);
    assert_eq!(records.last().unwrap().1.info.status, "deployed");
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_controller_process_killed_mid_rollback_restarts_and_recovers_with_nothing_lost() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |values: Value| {
        let mut spec = webapp("1.0.0", values);
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };
    let mut first = Process::start(&env, &registry, "ctl-first");
    // Revision 1 is deployed without waiting, and its Pods never become ready, so a rollback to
    // it waits (up to the timeout).
    let mut v1 = spec(json!({"message": "v1",
        "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}}));
    v1["wait"] = json!(false);
    env.apply_hr(ns, "db", v1).await;
    env.wait_ready(ns, "db", 1).await;

    // An atomic upgrade whose pre-upgrade Job fails: revision 3 rolls back to revision 1 and
    // waits for its Pods; SIGKILL the process while it does.
    let mut failing = spec(json!({"message": "v2",
        "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"},
        "hooks": {"preUpgrade": true, "phase": "Failed"}}));
    failing["atomic"] = json!(true);
    failing["timeout"] = json!("10m");
    env.apply_hr(ns, "db", failing).await;
    wait_for("revision 3 to be pending-rollback", || async {
        let records = env.records(ns, "db").await;
        (records.len() == 3 && records[2].1.info.status == "pending-rollback").then_some(())
    })
    .await;
    first.kill();
    let log = first.log();
    assert!(
        !log.contains("UpgradeFailed"),
        "killed before the remediation ended:\n{log}"
    );
    let statuses = |records: Vec<(Secret, Release)>| -> Vec<(u32, String)> {
        records
            .into_iter()
            .map(|(_, r)| (r.version, r.info.status))
            .collect()
    };
    assert_eq!(
        statuses(env.records(ns, "db").await),
        [
            (1, "deployed".into()),
            (2, "failed".into()),
            (3, "pending-rollback".into())
        ],
        "the kill left the rollback mid-operation"
    );

    // A fixed spec and a restarted process: revision 3 is marked failed, revision 4 deploys.
    env.apply_hr(ns, "db", spec(json!({"message": "v3"}))).await;
    let second = Process::start(&env, &registry, "ctl-second");
    env.wait_ready(ns, "db", 4).await;
    assert_eq!(
        statuses(env.records(ns, "db").await),
        [
            (1, "superseded".into()),
            (2, "failed".into()),
            (3, "failed".into()),
            (4, "deployed".into())
        ]
    );
    assert_eq!(
        env.configmap(ns, "db-webapp").await.unwrap().data.unwrap()["MESSAGE"],
        "v3"
    );
    let reasons = env.event_reasons(ns).await;
    assert!(reasons.iter().any(|r| r == "Recovered"), "{reasons:?}");
    // Nothing lost: helm reads every revision; the interrupted rollback says so and keeps the
    // values of the revision it restored.
    let history: Value =
        serde_json::from_str(&env.helm(&["history", "db", "-n", ns, "-o", "json"])).unwrap();
    let interrupted = history[2]["description"].as_str().unwrap();
    assert!(
        interrupted.contains("pending-rollback was interrupted"),
        "{interrupted}"
    );
    let values: Value = serde_json::from_str(&env.helm(&[
        "get",
        "values",
        "db",
        "-n",
        ns,
        "--revision",
        "3",
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(values["message"], "v1", "revision 3 restored revision 1");
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_controller_processes_elect_one_leader_and_the_other_takes_over() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |message: &str| {
        let mut spec = webapp("1.0.0", json!({"message": message}));
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };
    let mut a = Process::start(&env, &registry, "ctl-a");
    wait_for("ctl-a to hold the Lease", || async {
        (env.lease_holder().await.as_deref() == Some("ctl-a")).then_some(())
    })
    .await;
    let mut b = Process::start(&env, &registry, "ctl-b");
    wait_for("ctl-b to be up", || async {
        b.log()
            .contains("waiting for the leader election lease")
            .then_some(())
    })
    .await;

    // Only the leader acts: every Event about the release comes from ctl-a.
    env.apply_hr(ns, "duo", spec("one")).await;
    env.wait_ready(ns, "duo", 1).await;
    let events = env.events(ns).await;
    assert!(!events.is_empty());
    assert!(
        events.iter().all(|(_, instance)| instance == "ctl-a"),
        "{events:?}"
    );
    assert_eq!(env.lease_holder().await.as_deref(), Some("ctl-a"));
    assert!(!b.log().contains("InstallSucceeded"), "{}", b.log());

    // A graceful stop releases the Lease: ctl-b takes over without waiting for it to expire,
    // and the next change is its.
    assert!(a.terminate(), "ctl-a exits 0 after SIGTERM:\n{}", a.log());
    assert!(a.log().contains("released the lease"), "{}", a.log());
    wait_for("ctl-b to take the released Lease", || async {
        (env.lease_holder().await.as_deref() == Some("ctl-b")).then_some(())
    })
    .await;
    env.apply_hr(ns, "duo", spec("two")).await;
    env.wait_ready(ns, "duo", 2).await;
    let events = env.events(ns).await;
    let upgrade = events
        .iter()
        .find(|(reason, _)| reason == "UpgradeSucceeded")
        .expect("an UpgradeSucceeded event");
    assert_eq!(upgrade.1, "ctl-b", "{events:?}");

    // A killed leader releases nothing: a new standby takes over once the Lease expires.
    let a2 = Process::start(&env, &registry, "ctl-a2");
    wait_for("ctl-a2 to be up", || async {
        a2.log()
            .contains("waiting for the leader election lease")
            .then_some(())
    })
    .await;
    b.kill();
    wait_for("ctl-a2 to take the expired Lease", || async {
        (env.lease_holder().await.as_deref() == Some("ctl-a2")).then_some(())
    })
    .await;
    env.apply_hr(ns, "duo", spec("three")).await;
    env.wait_ready(ns, "duo", 3).await;
    let instances: Vec<String> = env
        .events(ns)
        .await
        .into_iter()
        .filter(|(reason, _)| reason == "UpgradeSucceeded")
        .map(|(_, instance)| instance)
        .collect();
    assert_eq!(instances, ["ctl-b", "ctl-a2"]);
    let lease: k8s_openapi::api::coordination::v1::Lease =
        Api::namespaced(env.client.clone(), "default")
            .get(host_controller::LeaderElection::DEFAULT_NAME)
            .await
            .unwrap();
    assert_eq!(lease.spec.unwrap().lease_transitions, Some(2));
}
