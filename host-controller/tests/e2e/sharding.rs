//! Sharding end to end: controller processes with different `--watch-label-selector`s each
//! reconcile only the releases their selector matches, each elects its own leader (a Lease per
//! shard), a release moved to another shard by its label is taken on by that shard, and a
//! selector the API server does not parse stops the process with its reason.

use super::*;

/// The sharding label of the deployment example in docs/controller.md.
const KEY: &str = "sharding.project-planton.org/key";

/// The reporting instance of every Event about HelmRelease `name` in `ns`, by reason.
async fn reporters(env: &Env, ns: &str, name: &str) -> Vec<(String, String)> {
    let api: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(env.client.clone(), ns);
    api.list(&ListParams::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .filter(|e| {
            e.regarding.as_ref().is_some_and(|r| {
                r.kind.as_deref() == Some("HelmRelease") && r.name.as_deref() == Some(name)
            })
        })
        .map(|e| {
            (
                e.reason.unwrap_or_default(),
                e.reporting_instance.unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_shards_each_reconcile_only_their_own_releases() {
    let env = Env::start().await;
    let registry = ChartRegistry::start(None);
    let ns = "default";
    let spec = |message: &str| {
        let mut spec = webapp("1.0.0", json!({"message": message}));
        spec["repo"] = json!(registry.repo());
        spec["plainHttp"] = json!(true);
        spec
    };

    // A selector the API server refuses stops the process before it reconciles anything.
    let mut bad = Process::start_with(
        &env,
        registry.cache.path(),
        "ctl-bad",
        &["--watch-label-selector", "tier in (web"],
    );
    let deadline = std::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = bad.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "ctl-bad still runs:\n{}",
            bad.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!status.success(), "{}", bad.log());
    assert!(
        bad.log()
            .contains(r#"--watch-label-selector \"tier in (web\" is not a label selector"#)
            || bad
                .log()
                .contains(r#"--watch-label-selector "tier in (web" is not a label selector"#),
        "{}",
        bad.log()
    );

    // The shard of `shard1`, and the main instance with the releases of no shard (Flux's way).
    let shard1 = format!("{KEY}=shard1");
    let unsharded = format!("!{KEY}");
    let one = Process::start_with(
        &env,
        registry.cache.path(),
        "ctl-shard1",
        &["--watch-label-selector", &shard1],
    );
    let main = Process::start_with(
        &env,
        registry.cache.path(),
        "ctl-main",
        &["--watch-label-selector", &unsharded],
    );
    // Each elects itself on its own Lease, named as Flux names a shard's.
    let lease_one = host_controller::LeaderElection::shard_name(
        host_controller::LeaderElection::DEFAULT_NAME,
        Some(&shard1),
    );
    let lease_main = host_controller::LeaderElection::shard_name(
        host_controller::LeaderElection::DEFAULT_NAME,
        Some(&unsharded),
    );
    wait_for("each shard to hold its own Lease", || async {
        (env.lease_holder_of(&lease_one).await.as_deref() == Some("ctl-shard1")
            && env.lease_holder_of(&lease_main).await.as_deref() == Some("ctl-main"))
        .then_some(())
    })
    .await;

    env.apply_hr_labelled(ns, "in-shard1", Some(json!({KEY: "shard1"})), spec("one"))
        .await;
    env.apply_hr_labelled(ns, "unsharded", Some(json!({"team": "web"})), spec("one"))
        .await;
    // A release of a shard no instance runs stays untouched.
    env.apply_hr_labelled(ns, "in-shard2", Some(json!({KEY: "shard2"})), spec("one"))
        .await;
    env.wait_ready(ns, "in-shard1", 1).await;
    env.wait_ready(ns, "unsharded", 1).await;

    let only = |events: &[(String, String)], instance: &str| {
        !events.is_empty() && events.iter().all(|(_, by)| by == instance)
    };
    let events = reporters(&env, ns, "in-shard1").await;
    assert!(only(&events, "ctl-shard1"), "{events:?}");
    let events = reporters(&env, ns, "unsharded").await;
    assert!(only(&events, "ctl-main"), "{events:?}");
    // Neither instance took on shard2's release: no status, no finalizer, no Event.
    let other = env.hrs(ns).get("in-shard2").await.expect("get");
    assert!(other.status.is_none(), "{:?}", other.status);
    assert!(other.metadata.finalizers.unwrap_or_default().is_empty());
    assert!(reporters(&env, ns, "in-shard2").await.is_empty());
    assert!(env.records(ns, "in-shard2").await.is_empty());

    // Relabelled into shard1 with a new spec: shard1 upgrades it, the main instance no longer
    // sees it.
    env.apply_hr_labelled(ns, "unsharded", Some(json!({KEY: "shard1"})), spec("two"))
        .await;
    env.wait_ready(ns, "unsharded", 2).await;
    let events = reporters(&env, ns, "unsharded").await;
    let upgrade = events
        .iter()
        .find(|(reason, _)| reason == "UpgradeSucceeded")
        .expect("an UpgradeSucceeded event");
    assert_eq!(upgrade.1, "ctl-shard1", "{events:?}");
    assert!(
        events
            .iter()
            .filter(|(_, by)| by == "ctl-main")
            .all(|(reason, _)| reason != "UpgradeSucceeded"),
        "{events:?}"
    );
    assert!(
        one.log()
            .contains("reconciling only the HelmReleases this selector matches"),
        "{}",
        one.log()
    );
    drop(main);
}
