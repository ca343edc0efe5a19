//! `/metrics` over HTTP through a release's life.

use super::*;

/// The address the controller process serves `/metrics` on (it logs it once bound).
async fn metrics_addr(process: &Process) -> String {
    wait_for("the controller to serve /metrics", || async {
        process.log().lines().find_map(|line| {
            let entry: Value = serde_json::from_str(line).ok()?;
            (entry["fields"]["message"] == "metrics listening")
                .then(|| entry["fields"]["addr"].as_str().map(str::to_string))?
        })
    })
    .await
}

/// `/metrics` of the controller at `addr`, fetched over HTTP.
async fn scrape(addr: &str) -> String {
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("the metrics server answers");
    assert_eq!(response.status(), 200);
    response.text().await.expect("a body")
}

/// `status -> value` of the `planton_helm_release_reconciliation_status` series of `ns/name`.
fn status_series(text: &str, ns: &str, name: &str) -> std::collections::BTreeMap<String, String> {
    let prefix =
        format!("planton_helm_release_reconciliation_status{{namespace=\"{ns}\",name=\"{name}\",");
    text.lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .filter_map(|rest| {
            let (status, value) = rest.strip_prefix("status=\"")?.split_once("\"} ")?;
            Some((status.to_string(), value.to_string()))
        })
        .collect()
}

/// Waits until `/metrics` says `ns/name` is in `state` (1) and in no other (0), of all five.
async fn wait_series(addr: &str, ns: &str, name: &str, state: &str) -> String {
    wait_for(
        &format!("{ns}/{name} to be {state} on /metrics"),
        || async {
            let text = scrape(addr).await;
            let series = status_series(&text, ns, name);
            let want: std::collections::BTreeMap<String, String> =
                ["Ready", "Reconciling", "Stalled", "Suspended", "Unknown"]
                    .into_iter()
                    .map(|s| {
                        (
                            s.to_string(),
                            if s == state { "1" } else { "0" }.to_string(),
                        )
                    })
                    .collect();
            (series == want).then_some(text)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_over_http_follow_a_release_through_install_stall_suspend_and_delete() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |version: &str| {
        let mut spec = webapp(version, json!({}));
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };
    let process = Process::start(&env, &registry, "ctl-metrics");
    let addr = metrics_addr(&process).await;

    // Install: Ready.
    env.apply_hr(ns, "web", spec("1.0.0")).await;
    env.wait_ready(ns, "web", 1).await;
    let text = wait_series(&addr, ns, "web", "Ready").await;
    assert!(text.contains("planton_helm_leader 1"), "{text}");

    // A spec the webhook would deny (no webhook here): Stalled.
    env.apply_hr(ns, "web", spec("^1.0")).await;
    let hr = env
        .wait_status(ns, "web", "the release to stall", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    assert!(ready_message(&hr).starts_with("ValidationFailed: HelmRelease default/web is invalid"));
    wait_series(&addr, ns, "web", "Stalled").await;

    // Suspended: a condition reason, and the series.
    let mut suspended = spec("^1.0");
    suspended["suspend"] = json!(true);
    env.apply_hr(ns, "web", suspended).await;
    let hr = env
        .wait_status(ns, "web", "the suspension to show", |hr| {
            ready_message(hr).starts_with("Suspended: ")
        })
        .await;
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert_eq!(
        condition(&hr, "Ready").as_deref(),
        Some("False"),
        "Ready keeps the status it had (stalled: False)"
    );
    wait_series(&addr, ns, "web", "Suspended").await;

    // Deleted: the release is uninstalled and its series are gone.
    env.hrs(ns)
        .delete("web", &DeleteParams::default())
        .await
        .expect("HelmRelease deleted");
    let text = wait_for("the series of web to be removed", || async {
        let gone = env.hrs(ns).get_opt("web").await.expect("get").is_none();
        let text = scrape(&addr).await;
        (gone && status_series(&text, ns, "web").is_empty()).then_some(text)
    })
    .await;
    for result in ["Ready", "Stalled", "Suspended", "Deleted"] {
        assert!(
            text.contains(&format!(
                "planton_helm_reconcile_total{{result=\"{result}\"}}"
            )),
            "{result} in\n{text}"
        );
    }
    assert!(
        text.contains("planton_helm_reconcile_duration_seconds_count"),
        "{text}"
    );
    assert!(
        !text.contains("name=\"web\""),
        "no series of a deleted release:\n{text}"
    );
}
