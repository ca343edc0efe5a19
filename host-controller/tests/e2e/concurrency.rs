//! `--concurrent`: a release waiting for readiness holds no reconcile slot.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_release_waiting_for_readiness_does_not_keep_others_waiting() {
    let env = Env::start().await;
    // One slot: a release that held it while waiting would keep every other release waiting.
    let _controller = Controller::start_with_options(
        &env.client,
        host_controller::ControllerOptions {
            concurrent: 1,
            ..Default::default()
        },
    );
    let ns = "default";
    let status_of = |records: &[(Secret, Release)]| {
        records
            .iter()
            .map(|(_, r)| (r.version, r.info.status.clone()))
            .collect::<Vec<_>>()
    };

    // Pods that never start, atomic, a long timeout: its wait lasts until the timeout.
    let mut stuck = webapp(
        "1.0.0",
        json!({"message": "stuck", "podAnnotations": {"testenv.planton-helm.io/phase": "Pending"}}),
    );
    stuck["atomic"] = json!(true);
    stuck["timeout"] = json!("45s");
    env.apply_hr(ns, "stuck", stuck).await;
    wait_for("stuck to wait for its Pods", || async {
        let deployment = env.deployment(ns, "stuck-webapp").await?;
        let records = env.records(ns, "stuck").await;
        (deployment.status.is_some() && status_of(&records) == [(1, "pending-install".into())])
            .then_some(())
    })
    .await;

    // Another release is installed and Ready while the first one waits.
    env.apply_hr(ns, "quick", webapp("1.0.0", json!({"message": "quick"})))
        .await;
    env.wait_ready(ns, "quick", 1).await;
    let hr = env.hrs(ns).get("stuck").await.unwrap();
    assert_eq!(condition(&hr, "Reconciling").as_deref(), Some("True"));
    assert_eq!(condition(&hr, "Ready").as_deref(), Some("Unknown"));
    assert_eq!(
        condition_of(&hr, "Ready").unwrap().message,
        "Install in progress"
    );
    assert_eq!(
        status_of(&env.records(ns, "stuck").await),
        [(1, "pending-install".into())],
        "still waiting"
    );

    // Then the wait times out and the release is remediated as before: the atomic install is
    // uninstalled, objects and records, and stalled (no retries).
    let hr = env
        .wait_status(ns, "stuck", "the install to time out", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    let message = ready_message(&hr);
    assert!(message.starts_with("InstallFailed"), "{message}");
    assert!(
        message.contains("timed out waiting for readiness")
            && message.contains("Deployment")
            && message.contains("the failed install was uninstalled"),
        "{message}"
    );
    assert_eq!(stalled_reason(&hr).as_deref(), Some("RetriesExhausted"));
    assert!(env.records(ns, "stuck").await.is_empty());
    assert!(env.deployment(ns, "stuck-webapp").await.is_none());
    // The other release is untouched.
    let quick = env.hrs(ns).get("quick").await.unwrap();
    assert_eq!(condition(&quick, "Ready").as_deref(), Some("True"));
    assert_eq!(
        status_of(&env.records(ns, "quick").await),
        [(1, "deployed".into())]
    );
}
