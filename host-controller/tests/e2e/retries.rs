//! Failures retried with backoff, retries exhausted, the reset annotation.

use super::*;

fn retry_at(hr: &HelmRelease) -> jiff::Timestamp {
    hr.status
        .as_ref()
        .and_then(|s| s.next_retry_at.as_deref())
        .expect("nextRetryAt")
        .parse()
        .expect("RFC 3339")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registry_outage_at_install_is_retried_with_backoff_and_heals_without_a_spec_change() {
    let env = Env::start().await;
    let mut registry = ChartRegistry::start(None);
    let repo = registry.repo();
    let _controller = Controller::start_with(&env.client, registry.provider());
    let ns = "default";
    // The registry goes down before the release is installed.
    registry.registry.down();
    let mut spec = webapp("1.0.0", json!({"message": "outage"}));
    spec["repo"] = json!(repo);
    spec["plainHttp"] = json!(true);
    env.apply_hr(ns, "late", spec).await;

    // Each failed fetch is counted, reported and retried after a growing wait.
    let mut retries = Vec::new();
    for failures in 1..=3u32 {
        let hr = env
            .wait_status(ns, "late", &format!("fetch failure {failures}"), |hr| {
                hr.status.as_ref().unwrap().failures == failures
            })
            .await;
        let status = hr.status.as_ref().unwrap();
        let ready = condition_of(&hr, "Ready").unwrap();
        assert_eq!(ready.status, "False");
        assert_eq!(ready.reason, "ChartFetchFailed", "{}", ready.message);
        assert!(
            ready.message.contains(&format!(
                "failure {failures} of this generation, retrying at"
            )),
            "{}",
            ready.message
        );
        assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
        assert_eq!(
            (status.install_failures, status.upgrade_failures),
            (0, 0),
            "no revision was made"
        );
        retries.push(retry_at(&hr));
    }
    assert!(env.records(ns, "late").await.is_empty());
    // Backoff: 2s, 4s, 8s (each with up to 20% jitter) after each failure; an attempt starts
    // no sooner than the previous retry time.
    let gap = |a: jiff::Timestamp, b: jiff::Timestamp| b.duration_since(a).as_secs_f64();
    assert!(gap(retries[0], retries[1]) >= 4.0, "{retries:?}");
    assert!(gap(retries[1], retries[2]) >= 8.0, "{retries:?}");
    let fetch_events = env
        .event_messages(ns, "late")
        .await
        .into_iter()
        .filter(|(reason, _)| reason == "ChartFetchFailed")
        .count();
    assert!(fetch_events >= 1, "failed fetches are Events");

    // The registry comes back: the next retry installs, with no change to the spec.
    registry.registry.up();
    let hr = env.wait_ready(ns, "late", 1).await;
    let status = hr.status.as_ref().unwrap();
    assert_eq!(hr.metadata.generation, Some(1), "the spec never changed");
    assert_eq!(
        (status.failures, status.next_retry_at.as_deref()),
        (0, None),
        "a success clears the failures"
    );
    assert_eq!(
        condition_of(&hr, "Ready").unwrap().reason,
        "InstallSucceeded"
    );
    assert_eq!(
        env.configmap(ns, "late-webapp")
            .await
            .unwrap()
            .data
            .unwrap()["MESSAGE"],
        "outage"
    );
    let reasons: Vec<String> = env
        .event_messages(ns, "late")
        .await
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert!(
        reasons.iter().any(|r| r == "InstallSucceeded"),
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retries_exhausted_stall_the_release_and_the_reset_annotation_starts_over() {
    let env = Env::start().await;
    let _controller = Controller::start(&env.client);
    let ns = "default";
    // A pre-install Job that fails until ConfigMap stall-db says otherwise; one retry.
    let mut spec = webapp(
        "1.0.0",
        json!({"message": "m", "hooks": {"preInstall": true, "phase": "Failed", "gate": "stall-db"}}),
    );
    spec["timeout"] = json!("30s");
    spec["install"] = json!({"remediation": {"retries": 1}});
    env.apply_hr(ns, "stall", spec).await;

    // The first failure is remediated (uninstalled) and retried after the backoff.
    let hr = env
        .wait_status(ns, "stall", "the first install to fail", |hr| {
            hr.status.as_ref().unwrap().install_failures == 1
        })
        .await;
    let ready = condition_of(&hr, "Ready").unwrap();
    assert_eq!(ready.reason, "InstallFailed");
    assert!(
        ready.message.contains("pre-install hook Job")
            && ready.message.contains("the failed install was uninstalled")
            && ready.message.contains("retrying at"),
        "{}",
        ready.message
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));

    // The retry fails too: no retry is left, Stalled with the reason.
    let hr = env
        .wait_status(ns, "stall", "the retries to be exhausted", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    let status = hr.status.as_ref().unwrap();
    assert_eq!((status.install_failures, status.failures), (2, 2));
    assert_eq!(status.next_retry_at, None);
    let stalled = condition_of(&hr, "Stalled").unwrap();
    assert_eq!(stalled.reason, "RetriesExhausted");
    assert!(
        stalled
            .message
            .starts_with("Install failed 2 time(s) and spec.install.remediation.retries is 1"),
        "{}",
        stalled.message
    );
    assert_eq!(condition_of(&hr, "Ready").unwrap().reason, "InstallFailed");
    let events = env.event_messages(ns, "stall").await;
    assert_eq!(
        events.iter().filter(|(r, _)| r == "InstallFailed").count(),
        2,
        "{events:?}"
    );
    assert!(
        events.iter().any(|(r, _)| r == "RetriesExhausted"),
        "{events:?}"
    );

    // The cause goes away; a stalled release stays as it is (no new attempt) ...
    let cms: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    cms.create(
        &PostParams::default(),
        &serde_json::from_value(
            json!({"metadata": {"name": "stall-db"}, "data": {"phase": "Succeeded"}}),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let records = env.records(ns, "stall").await.len();
    env.annotate(
        ns,
        "stall",
        json!({"kubernetes.project-planton.org/requestedAt": "look"}),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let hr = env.hrs(ns).get("stall").await.unwrap();
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("True"));
    assert_eq!(env.records(ns, "stall").await.len(), records);
    // ... until the reset annotation (with requestedAt of the same value) starts over.
    env.annotate(
        ns,
        "stall",
        json!({"kubernetes.project-planton.org/requestedAt": "again",
               "kubernetes.project-planton.org/resetAt": "again"}),
    )
    .await;
    let hr = env
        .wait_status(ns, "stall", "the install after the reset", |hr| {
            condition(hr, "Ready").as_deref() == Some("True")
        })
        .await;
    let status = hr.status.as_ref().unwrap();
    assert_eq!(
        (status.failures, status.install_failures),
        (0, 0),
        "counts start over"
    );
    assert_eq!(status.last_handled_reset_at.as_deref(), Some("again"));
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert_eq!(hr.metadata.generation, Some(1), "the spec never changed");
    let statuses: Vec<String> = env
        .records(ns, "stall")
        .await
        .into_iter()
        .map(|(_, r)| r.info.status)
        .collect();
    assert_eq!(statuses.last().map(String::as_str), Some("deployed"));
}
