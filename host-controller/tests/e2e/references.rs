//! `spec.valuesFrom` and `spec.dependsOn`.

use super::*;

/// `spec.valuesFrom`, with the controller binary (its log captured) and charts from the real
/// registry: a ConfigMap's map, a Secret's key at a `targetPath`, an `optional` reference to
/// nothing, inline values on top. A missing Secret is `ValuesFromNotFound` (retried, not
/// stalled) until it is created; rotating it upgrades the release; a template string merged in
/// from a Secret is stalled by the value rules without the Secret's text; and no Secret value
/// is in any status, Event or log line.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn values_from_a_configmap_and_a_secret_merge_upgrade_on_rotation_and_never_leak() {
    const FIRST: &str = "Rotat1on-one-9c4e";
    const SECOND: &str = "Rotat1on-two-5b1d";
    const TEMPLATED: &str = "{{ .Release.Name }}-Zq9-hidden";
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "apps";
    env.create_namespace(ns).await;
    let controller = Process::start(&env, &registry, "ctl-values");
    let config_maps: Api<ConfigMap> = Api::namespaced(env.client.clone(), ns);
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    config_maps
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "web-base"}, "data": {
                "values.yaml": "message: from-the-configmap\npodAnnotations:\n  team: blue\n  tier: web\n",
            }}))
            .expect("a ConfigMap"),
        )
        .await
        .expect("ConfigMap created");
    let mut spec = webapp("1.0.0", json!({"podAnnotations": {"tier": "inline"}}));
    spec["repo"] = json!(registry.repo());
    spec["plainHttp"] = json!(true);
    spec["valuesFrom"] = json!([
        {"kind": "ConfigMap", "name": "web-base"},
        {"kind": "Secret", "name": "web-secret", "valuesKey": "message", "targetPath": "message"},
        {"kind": "ConfigMap", "name": "not-there", "optional": true},
        {"kind": "Secret", "name": "web-base", "valuesKey": "no-key", "optional": true},
    ]);
    env.apply_hr(ns, "web", spec.clone()).await;

    // The Secret does not exist yet: a clear, retried failure, nothing installed.
    let hr = env
        .wait_status(ns, "web", "the values to be missing", |hr| {
            condition(hr, "Ready").as_deref() == Some("False")
        })
        .await;
    assert_eq!(
        ready_message(&hr),
        "ValuesFromNotFound: spec.valuesFrom[1]: Secret apps/web-secret not found; create it, \
         or set optional: true to go without it"
    );
    assert_eq!(condition(&hr, "Stalled").as_deref(), Some("False"));
    assert!(env.records(ns, "web").await.is_empty());

    let secret = |value: &str| -> Secret {
        serde_json::from_value(json!({"metadata": {"name": "web-secret"},
            "stringData": {"message": value}}))
        .expect("a Secret")
    };
    secrets
        .create(&PostParams::default(), &secret(FIRST))
        .await
        .expect("Secret created");
    env.wait_ready(ns, "web", 1).await;
    let records = env.records(ns, "web").await;
    assert_eq!(
        Value::Object(records[0].1.config.clone()),
        json!({"message": FIRST, "podAnnotations": {"team": "blue", "tier": "inline"}}),
        "the ConfigMap's map, the Secret at its targetPath, the inline values on top"
    );
    let rendered = env.configmap(ns, "web-webapp").await.expect("rendered");
    assert_eq!(rendered.data.as_ref().expect("data")["MESSAGE"], FIRST);
    let pods = env.deployment(ns, "web-webapp").await.expect("Deployment");
    let annotations = pods
        .spec
        .template
        .metadata
        .and_then(|m| m.annotations)
        .unwrap_or_default();
    assert_eq!(annotations.get("team").map(String::as_str), Some("blue"));
    assert_eq!(annotations.get("tier").map(String::as_str), Some("inline"));

    // Rotating the Secret is a new revision (the watch reconciles the release at once).
    secrets
        .replace("web-secret", &PostParams::default(), &secret(SECOND))
        .await
        .expect("Secret rotated");
    env.wait_ready(ns, "web", 2).await;
    let records = env.records(ns, "web").await;
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].1.config["message"], SECOND);
    let rendered = env.configmap(ns, "web-webapp").await.expect("rendered");
    assert_eq!(rendered.data.as_ref().expect("data")["MESSAGE"], SECOND);
    let got = env.helm(&["get", "values", "web", "-n", ns, "-o", "json"]);
    assert!(got.contains(SECOND), "helm reads the merged values: {got}");

    // A template string merged in from a Secret: the value rules see the merged values, and
    // the finding does not repeat the Secret's text.
    secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "tpl-secret"},
                "stringData": {"values.yaml": format!("message: '{TEMPLATED}'\n")}}))
            .expect("a Secret"),
        )
        .await
        .expect("Secret created");
    let mut templated = spec.clone();
    templated["valuesFrom"] = json!([{"kind": "Secret", "name": "tpl-secret"}]);
    env.apply_hr(ns, "tpl", templated).await;
    let hr = env
        .wait_status(ns, "tpl", "the merged values to be refused", |hr| {
            condition(hr, "Stalled").as_deref() == Some("True")
        })
        .await;
    let message = ready_message(&hr);
    assert!(
        message
            .starts_with("ValidationFailed: HelmRelease apps/tpl is invalid (1 error): [PH040] spec.values.message: template expression in a value")
            && message.contains("***"),
        "{message}"
    );
    assert!(env.records(ns, "tpl").await.is_empty());

    let statuses: Vec<String> = env.statuses_json(ns).await;
    let notes = event_notes(&env, ns).await;
    assert!(
        notes.iter().any(|(r, _)| r == "ValuesFromNotFound"),
        "{notes:?}"
    );
    let log = controller.log();
    assert!(log.contains("ValuesFromNotFound"), "the log is read: {log}");
    use base64::Engine as _;
    let hidden = [
        FIRST.to_string(),
        SECOND.to_string(),
        "Zq9-hidden".to_string(),
        base64::engine::general_purpose::STANDARD.encode(FIRST),
        base64::engine::general_purpose::STANDARD.encode(SECOND),
    ];
    test_support::assert_no_secret(
        &[
            ("status", &statuses.join("\n")),
            ("events", &format!("{notes:?}")),
            ("controller log", &log),
        ],
        &hidden,
    );
}

/// `spec.dependsOn`: a release waits (`DependencyNotReady`, naming the dependency and why) until
/// its dependency exists and is Ready, then installs; a cycle is stalled naming it; a
/// dependency in another namespace is refused under `--no-cross-namespace-refs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_release_waits_for_its_dependencies_and_a_cycle_is_stalled() {
    let env = Env::start().await;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(host_controller::run_with_metrics(
        env.client.clone(),
        runtime(),
        Arc::new(charts()),
        Arc::default(),
        host_controller::ControllerOptions {
            tenancy: host_controller::Tenancy {
                no_cross_namespace_refs: true,
                default_service_account: None,
            },
            ..Default::default()
        },
        async {
            let _ = rx.await;
        },
    ));
    let _controller = Controller { task, _stop: tx };
    let ns = "apps";
    env.create_namespace(ns).await;
    let depending = |deps: Value| {
        let mut spec = webapp("1.0.0", json!({}));
        spec["dependsOn"] = deps;
        spec
    };
    let waiting = |hr: &HelmRelease, why: &str| {
        ready_message(hr).starts_with("DependencyNotReady: ")
            && ready_message(hr).contains(why)
            && condition(hr, "Stalled").as_deref() == Some("False")
    };

    env.apply_hr(ns, "a", depending(json!([{"name": "b"}])))
        .await;
    env.wait_status(ns, "a", "a to wait for b, which does not exist", |hr| {
        waiting(hr, "b (not found)")
    })
    .await;
    let mut b = webapp("1.0.0", json!({}));
    b["suspend"] = json!(true);
    env.apply_hr(ns, "b", b.clone()).await;
    env.wait_status(ns, "a", "a to wait for b, which is suspended", |hr| {
        waiting(hr, "b (suspended)")
    })
    .await;
    assert!(env.records(ns, "a").await.is_empty(), "a waits");

    b["suspend"] = json!(false);
    env.apply_hr(ns, "b", b).await;
    let b_ready = env.wait_ready(ns, "b", 1).await;
    env.wait_ready(ns, "a", 1).await;
    let b_at: jiff::Timestamp = condition_of(&b_ready, "Ready")
        .expect("Ready")
        .last_transition_time
        .parse()
        .expect("a time");
    let a_at: jiff::Timestamp = env.records(ns, "a").await[0]
        .1
        .info
        .first_deployed
        .as_deref()
        .expect("first deployed")
        .parse()
        .expect("a time");
    assert!(
        a_at >= b_at,
        "a installed ({a_at}) after b was Ready ({b_at})"
    );
    // How many reasons a sees depends on when it looks (b missing, not reconciled yet,
    // suspended, its new generation not reconciled yet, installing): what must not happen is
    // an Event per look, which would repeat a reason (a looks every 10 s and at each change of b).
    let waits: Vec<String> = env
        .event_messages(ns, "a")
        .await
        .into_iter()
        .filter(|(r, _)| r == "DependencyNotReady")
        .map(|(_, m)| m)
        .collect();
    let distinct: std::collections::BTreeSet<&String> = waits.iter().collect();
    assert!(
        !waits.is_empty() && distinct.len() == waits.len(),
        "one Event per new reason for waiting, not one per look: {waits:#?}"
    );

    // c -> d -> c: no wait ends it.
    env.apply_hr(ns, "c", depending(json!([{"name": "d"}])))
        .await;
    env.apply_hr(ns, "d", depending(json!([{"name": "c"}])))
        .await;
    for (name, cycle) in [("c", "c -> d -> c"), ("d", "d -> c -> d")] {
        let hr = env
            .wait_status(ns, name, "the cycle to be stalled", |hr| {
                condition(hr, "Stalled").as_deref() == Some("True")
            })
            .await;
        let message = ready_message(&hr);
        assert!(
            message.starts_with(&format!(
                "DependencyCycle: spec.dependsOn makes a cycle: {cycle};"
            )),
            "{message}"
        );
        assert!(env.records(ns, name).await.is_empty());
    }

    // Another namespace, refused by the tenancy flag.
    env.apply_hr(
        ns,
        "e",
        depending(json!([{"name": "b", "namespace": "platform"}])),
    )
    .await;
    let hr = env
        .wait_status(
            ns,
            "e",
            "the cross-namespace dependency to be refused",
            |hr| condition(hr, "Stalled").as_deref() == Some("True"),
        )
        .await;
    let message = ready_message(&hr);
    assert!(
        message.starts_with("AccessDenied: spec.dependsOn names HelmRelease platform/b")
            && message.contains("--no-cross-namespace-refs"),
        "{message}"
    );
}
