//! Readiness of applied objects, as `helm install --wait` judges it.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use kube::api::DynamicObject;

use crate::cluster::{Cluster, ObjectRef};

/// How often objects are re-read while waiting.
const POLL: Duration = Duration::from_millis(500);

/// How many objects of one wait are watched at once (each watch holds a connection).
const WATCHES: usize = 8;

/// Where an object stands.
#[derive(Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Ready (or a kind that has no readiness).
    Ready,
    /// Not yet; the reason is shown if the wait times out.
    Pending(String),
    /// Will not become ready (a Job that failed).
    Failed(String),
}

/// What a wait waits for, besides the rules of each kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitRules {
    /// Wait for Jobs to complete (Helm's `--wait-for-jobs`; `false` with
    /// `disableWaitForJobs`): without it a Job is ready once it exists and has not failed.
    pub jobs: bool,
}

impl Default for WaitRules {
    fn default() -> WaitRules {
        WaitRules { jobs: true }
    }
}

/// Readiness of `obj` (the live object as JSON) of kind `kind`, waiting for Jobs.
pub fn readiness(kind: &str, obj: &Value) -> Readiness {
    readiness_with(kind, obj, WaitRules::default())
}

/// Readiness of `obj` (the live object as JSON) of kind `kind`, with kstatus's semantics (what
/// Helm 4's waiter computes) and the exceptions Helm makes.
///
/// Every kind: an object being deleted is not ready; a `status.observedGeneration` behind
/// `metadata.generation` is not ready; `Reconciling=True` is not ready and `Stalled=True` has
/// failed. Then, for the built-in kinds: Deployments (all replicas updated, ready and
/// available, no old ones left; paused ones are ready, as Helm skips them), StatefulSets
/// (`OnDelete` ones are ready; with a partition, the replicas above it updated), DaemonSets
/// (`OnDelete` ones are ready), ReplicaSets, Jobs (Complete; Failed fails at once), Pods (Ready
/// or Succeeded), PVCs (Bound), Services of type LoadBalancer (an address), PodDisruptionBudgets
/// (budget met) and CRDs (Established). Every other kind, custom resources included: ready
/// unless it has a `Ready` condition that is not `True` (or that describes an older
/// generation).
pub fn readiness_with(kind: &str, obj: &Value, rules: WaitRules) -> Readiness {
    let int = |p: &str| obj.pointer(p).and_then(Value::as_i64);
    let text = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("");
    let pending = |what: String| Readiness::Pending(what);

    if obj
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
    {
        return pending("it is being deleted".into());
    }
    let generation = int("/metadata/generation").unwrap_or(0);
    if let Some(observed) = int("/status/observedGeneration")
        && observed != generation
    {
        return pending(format!(
            "generation {generation} is not observed yet (observed {observed})"
        ));
    }
    if let Some(c) = find_condition(obj, RECONCILING)
        && c["status"] == TRUE
    {
        return pending(format!("reconciling: {}", describe(c)));
    }
    if let Some(c) = find_condition(obj, STALLED)
        && c["status"] == TRUE
    {
        return Readiness::Failed(format!("stalled: {}", describe(c)));
    }

    // The built-in rules apply to the built-in groups only: a custom resource may be called
    // `Deployment` too. Objects without an apiVersion (unit tests) are taken as built-in.
    let group = match obj.pointer("/apiVersion").and_then(Value::as_str) {
        Some(v) => v.rsplit_once('/').map(|(g, _)| g).unwrap_or(""),
        None => builtin_group(kind).unwrap_or(""),
    };
    if builtin_group(kind) != Some(group) {
        return custom(obj, generation);
    }
    match kind {
        "Deployment" => {
            if obj.pointer("/spec/paused") == Some(&Value::Bool(true)) {
                return Readiness::Ready;
            }
            let want = int("/spec/replicas").unwrap_or(1);
            let total = int("/status/replicas").unwrap_or(0);
            let updated = int("/status/updatedReplicas").unwrap_or(0);
            let ready = int("/status/readyReplicas").unwrap_or(0);
            let available = int("/status/availableReplicas").unwrap_or(0);
            if int("/status/observedGeneration").is_none() {
                pending("the deployment controller has not seen it yet".into())
            } else if want > total || want > updated || want > ready || updated > available {
                pending(format!(
                    "{updated} of {want} replicas updated, {ready} ready, {available} available"
                ))
            } else if total > want {
                // Pods of the old ReplicaSets still count in `replicas` during a rollout.
                pending(format!("{} old replicas still terminating", total - want))
            } else {
                Readiness::Ready
            }
        }
        "StatefulSet" => {
            if text("/spec/updateStrategy/type") == "OnDelete" {
                // Its Pods are replaced only when someone deletes them: nothing to wait for.
                return Readiness::Ready;
            }
            let want = int("/spec/replicas").unwrap_or(1);
            let total = int("/status/replicas").unwrap_or(0);
            let ready = int("/status/readyReplicas").unwrap_or(0);
            let current = int("/status/currentReplicas").unwrap_or(0);
            let updated = int("/status/updatedReplicas").unwrap_or(0);
            let partition = int("/spec/updateStrategy/rollingUpdate/partition");
            if int("/status/observedGeneration").is_none() {
                pending("the statefulset controller has not seen it yet".into())
            } else if want > total || want > ready {
                pending(format!("{ready} of {want} replicas ready"))
            } else if total > want {
                pending(format!("{} replicas still terminating", total - want))
            } else if let Some(partition) = partition.filter(|p| *p > 0) {
                // Only the ordinals at or above the partition are updated.
                let expected = (want - partition).max(0);
                if updated < expected {
                    pending(format!(
                        "{updated} of {expected} replicas above the partition updated"
                    ))
                } else {
                    Readiness::Ready
                }
            } else if want > current {
                pending(format!(
                    "{current} of {want} replicas current, {updated} updated"
                ))
            } else if !text("/status/updateRevision").is_empty()
                && text("/status/currentRevision") != text("/status/updateRevision")
            {
                pending(format!("{updated} of {want} replicas at the new revision"))
            } else {
                Readiness::Ready
            }
        }
        "DaemonSet" => {
            if text("/spec/updateStrategy/type") == "OnDelete" {
                return Readiness::Ready;
            }
            let Some(want) = int("/status/desiredNumberScheduled") else {
                return pending("the daemonset controller has not seen it yet".into());
            };
            let current = int("/status/currentNumberScheduled").unwrap_or(0);
            let updated = int("/status/updatedNumberScheduled").unwrap_or(0);
            let available = int("/status/numberAvailable").unwrap_or(0);
            let ready = int("/status/numberReady").unwrap_or(0);
            if want > current || want > updated || want > available || want > ready {
                pending(format!(
                    "{updated} of {want} pods updated, {ready} ready, {available} available"
                ))
            } else {
                Readiness::Ready
            }
        }
        "ReplicaSet" => {
            let want = int("/spec/replicas").unwrap_or(1);
            let total = int("/status/replicas").unwrap_or(0);
            let labelled = int("/status/fullyLabeledReplicas").unwrap_or(0);
            let ready = int("/status/readyReplicas").unwrap_or(0);
            let available = int("/status/availableReplicas").unwrap_or(0);
            if condition(obj, "ReplicaFailure") {
                pending(condition_message(obj, "ReplicaFailure"))
            } else if want > labelled || want > available || want > ready {
                pending(format!(
                    "{ready} of {want} replicas ready, {available} available"
                ))
            } else if total > want {
                pending(format!("{} replicas still terminating", total - want))
            } else {
                Readiness::Ready
            }
        }
        "Job" => {
            if condition(obj, "Failed") {
                Readiness::Failed(condition_message(obj, "Failed"))
            } else if condition(obj, "Complete") || !rules.jobs {
                Readiness::Ready
            } else {
                pending("not complete".into())
            }
        }
        "Pod" => match obj.pointer("/status/phase").and_then(Value::as_str) {
            Some("Succeeded") => Readiness::Ready,
            Some("Failed") => Readiness::Failed("the pod failed".into()),
            _ if condition(obj, "Ready") => Readiness::Ready,
            _ => pending("not ready".into()),
        },
        "PersistentVolumeClaim" => match obj.pointer("/status/phase").and_then(Value::as_str) {
            Some("Bound") => Readiness::Ready,
            phase => pending(format!("phase {}", phase.unwrap_or("unknown"))),
        },
        "Service" => {
            let lb = text("/spec/type") == "LoadBalancer";
            let has = |p: &str| {
                obj.pointer(p)
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty())
            };
            // Helm takes a LoadBalancer with external IPs as reachable without an address.
            if lb && !has("/spec/externalIPs") && !has("/status/loadBalancer/ingress") {
                pending("no load balancer address yet".into())
            } else {
                Readiness::Ready
            }
        }
        "PodDisruptionBudget" => {
            let healthy = int("/status/currentHealthy").unwrap_or(0);
            let desired = int("/status/desiredHealthy").unwrap_or(0);
            if desired > healthy {
                pending(format!(
                    "budget not met: {healthy} of {desired} pods healthy"
                ))
            } else {
                Readiness::Ready
            }
        }
        "CustomResourceDefinition" => {
            if condition(obj, "Established") {
                Readiness::Ready
            } else {
                pending("not established".into())
            }
        }
        _ => custom(obj, generation),
    }
}

/// kstatus's conditions that say more than `Ready`.
const RECONCILING: &str = "Reconciling";
const STALLED: &str = "Stalled";
const READY: &str = "Ready";
const TRUE: &str = "True";

/// The group of a built-in kind with a rule of its own (so that a custom resource of the same
/// kind name is not judged by it).
fn builtin_group(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps",
        "Job" => "batch",
        "Pod" | "PersistentVolumeClaim" | "Service" => "",
        "PodDisruptionBudget" => "policy",
        "CustomResourceDefinition" => "apiextensions.k8s.io",
        _ => return None,
    })
}

/// Any other kind, custom resources included: ready unless a `Ready` condition says otherwise
/// (an operator's way of saying that what the resource asks for is in place).
fn custom(obj: &Value, generation: i64) -> Readiness {
    let Some(c) = find_condition(obj, READY) else {
        return Readiness::Ready;
    };
    let seen = c["observedGeneration"].as_i64();
    if let Some(seen) = seen
        && seen != generation
    {
        return Readiness::Pending(format!(
            "its Ready condition is about generation {seen}, not {generation}"
        ));
    }
    if c["status"] == TRUE {
        Readiness::Ready
    } else {
        Readiness::Pending(format!("not Ready: {}", describe(c)))
    }
}

fn find_condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    conditions(obj).find(|c| c["type"] == kind)
}

/// A condition's reason and message, for people.
fn describe(c: &Value) -> String {
    let reason = c["reason"].as_str().unwrap_or("");
    let message = c["message"].as_str().unwrap_or("");
    match (reason.is_empty(), message.is_empty()) {
        (false, false) => format!("{reason}: {message}"),
        (false, true) => reason.to_string(),
        (true, false) => message.to_string(),
        (true, true) => format!("status {}", c["status"].as_str().unwrap_or("Unknown")),
    }
}

fn conditions(obj: &Value) -> impl Iterator<Item = &Value> {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn condition(obj: &Value, kind: &str) -> bool {
    conditions(obj).any(|c| c["type"] == kind && c["status"] == "True")
}

fn condition_message(obj: &Value, kind: &str) -> String {
    conditions(obj)
        .find(|c| c["type"] == kind)
        .and_then(|c| c["message"].as_str().or(c["reason"].as_str()))
        .unwrap_or(kind)
        .to_string()
}

/// Waits until every object in `objects` is ready, up to `deadline`.
///
/// Guarantees: returns `Ok` only when all were ready at their last read; a failed object or the
/// deadline is an error naming the objects that were not ready and why.
pub async fn wait_ready(
    cluster: &Cluster,
    objects: &[ObjectRef],
    namespace: &str,
    deadline: Instant,
) -> Result<(), String> {
    wait_ready_with(cluster, objects, namespace, deadline, WaitRules::default()).await
}

/// [`wait_ready`] with `rules`.
///
/// Each object is read once; one that is not ready yet is then watched (by name, from the
/// version read, as the same identity), so that its readiness is seen the moment its status
/// changes, with one request instead of a read every [`POLL`]. When the identity may not watch
/// (or the watch fails), it is read again every [`POLL`] instead. The objects are waited for at
/// the same time (up to [`WATCHES`] of them), so that one that fails ends the wait at once.
pub async fn wait_ready_with(
    cluster: &Cluster,
    objects: &[ObjectRef],
    namespace: &str,
    deadline: Instant,
    rules: WaitRules,
) -> Result<(), String> {
    let objects: Vec<(ObjectRef, Option<DynamicObject>)> =
        objects.iter().map(|o| (o.clone(), None)).collect();
    wait_known(cluster, &objects, namespace, deadline, rules).await
}

/// [`wait_ready_with`] for objects just applied, as the apply returned them: what they were then
/// is their first read.
pub async fn wait_applied(
    cluster: &Cluster,
    applied: Vec<(ObjectRef, DynamicObject)>,
    namespace: &str,
    deadline: Instant,
    rules: WaitRules,
) -> Result<(), String> {
    let objects: Vec<(ObjectRef, Option<DynamicObject>)> = applied
        .into_iter()
        .map(|(o, live)| (o, Some(live)))
        .collect();
    wait_known(cluster, &objects, namespace, deadline, rules).await
}

async fn wait_known(
    cluster: &Cluster,
    known: &[(ObjectRef, Option<DynamicObject>)],
    namespace: &str,
    deadline: Instant,
    rules: WaitRules,
) -> Result<(), String> {
    use futures::{StreamExt as _, TryStreamExt as _};

    let objects: Vec<&ObjectRef> = known.iter().map(|(o, _)| o).collect();
    let waits: Vec<_> = known
        .iter()
        .map(|(obj, first)| wait_boxed(cluster, obj, first.clone(), namespace, deadline, rules))
        .collect();
    let waits = futures::stream::iter(waits).buffer_unordered(WATCHES);
    match waits.try_collect::<Vec<()>>().await {
        Ok(_) => Ok(()),
        Err((obj, Readiness::Failed(why))) => Err(format!("{obj} failed: {why}")),
        Err(_) => {
            // Timed out: say why about every object not ready.
            let mut reasons = Vec::new();
            for obj in objects {
                match read(cluster, obj, namespace, rules).await.0 {
                    Readiness::Ready => {}
                    Readiness::Failed(why) => return Err(format!("{obj} failed: {why}")),
                    Readiness::Pending(why) => reasons.push(format!("{obj}: {why}")),
                }
            }
            if reasons.is_empty() {
                return Ok(());
            }
            Err(format!(
                "timed out waiting for readiness: {}",
                reasons.join("; ")
            ))
        }
    }
}

/// [`wait_one`] boxed, with the object it is about: a future of a type that names its lifetime
/// (the reconcile future must be `Send` for every lifetime, which an `async` closure's is not
/// known to be).
fn wait_boxed<'a>(
    cluster: &'a Cluster,
    obj: &'a ObjectRef,
    first: Option<DynamicObject>,
    namespace: &'a str,
    deadline: Instant,
    rules: WaitRules,
) -> futures::future::BoxFuture<'a, Result<(), (&'a ObjectRef, Readiness)>> {
    Box::pin(async move {
        wait_one(cluster, obj, first, namespace, deadline, rules)
            .await
            .map_err(|r| (obj, r))
    })
}

/// The readiness of `obj` as read now, and the resource version read (to watch from).
async fn read(
    cluster: &Cluster,
    obj: &ObjectRef,
    namespace: &str,
    rules: WaitRules,
) -> (Readiness, Option<String>) {
    match cluster.get(obj, namespace).await {
        Ok(Some(live)) => judge(obj, &live, rules),
        Ok(None) => (Readiness::Pending("it does not exist".into()), None),
        Err(e) => (Readiness::Pending(format!("reading it failed: {e}")), None),
    }
}

/// The readiness of `live` (the object `obj`), and its resource version.
fn judge(obj: &ObjectRef, live: &DynamicObject, rules: WaitRules) -> (Readiness, Option<String>) {
    (
        readiness_with(
            &obj.kind,
            &serde_json::to_value(live).unwrap_or(Value::Null),
            rules,
        ),
        live.metadata.resource_version.clone(),
    )
}

/// Waits until `obj` is ready (`Ok`), has failed, or `deadline` passed (`Err` with its last
/// readiness). `first` is the object as it was just read (or applied), if it was.
async fn wait_one(
    cluster: &Cluster,
    obj: &ObjectRef,
    mut first: Option<DynamicObject>,
    namespace: &str,
    deadline: Instant,
    rules: WaitRules,
) -> Result<(), Readiness> {
    loop {
        let (state, version) = match first.take() {
            Some(live) => judge(obj, &live, rules),
            None => read(cluster, obj, namespace, rules).await,
        };
        match state {
            Readiness::Ready => return Ok(()),
            failed @ Readiness::Failed(_) => return Err(failed),
            Readiness::Pending(_) if Instant::now() + POLL > deadline => return Err(state),
            Readiness::Pending(_) => {}
        }
        let watched = match version {
            Some(version) => watch_until_ready(cluster, obj, namespace, &version, deadline, rules)
                .await
                .unwrap_or(Watched::Unavailable),
            None => Watched::Unavailable,
        };
        match watched {
            Watched::Ready => return Ok(()),
            Watched::Failed(why) => return Err(Readiness::Failed(why)),
            // The watch ended (its timeout, a compaction, the object went away): read again.
            Watched::Ended => {}
            Watched::Unavailable => tokio::time::sleep(POLL).await,
        }
    }
}

/// How a watch of one object ended.
enum Watched {
    Ready,
    Failed(String),
    /// Ended before either (its own timeout, the deadline, an error event, a deletion).
    Ended,
    /// Could not be made (no right to watch, an API error): poll instead.
    Unavailable,
}

/// Watches `obj` from `version` until it is ready, has failed, or the watch ends.
async fn watch_until_ready(
    cluster: &Cluster,
    obj: &ObjectRef,
    namespace: &str,
    version: &str,
    deadline: Instant,
    rules: WaitRules,
) -> Result<Watched, kube::Error> {
    use futures::StreamExt as _;
    use kube::api::{WatchEvent, WatchParams};

    let (api, _) = cluster.api_for(obj, namespace).await?;
    let left = deadline.saturating_duration_since(Instant::now());
    // The API server ends the watch itself at the deadline (at most its 290 s maximum; then it
    // is made again), and the timer below stops waiting even if it does not.
    let seconds = u32::try_from(left.as_secs())
        .unwrap_or(u32::MAX)
        .clamp(1, 290);
    let params = WatchParams::default()
        .fields(&format!("metadata.name={}", obj.name))
        .timeout(seconds);
    let stream = api.watch(&params, version).await?;
    futures::pin_mut!(stream);
    let judge = |live: &kube::api::DynamicObject| {
        readiness_with(
            &obj.kind,
            &serde_json::to_value(live).unwrap_or(Value::Null),
            rules,
        )
    };
    let sleep = tokio::time::sleep_until(deadline);
    tokio::pin!(sleep);
    loop {
        let event = tokio::select! {
            event = stream.next() => event,
            () = &mut sleep => return Ok(Watched::Ended),
        };
        match event {
            Some(Ok(WatchEvent::Added(live) | WatchEvent::Modified(live))) => match judge(&live) {
                Readiness::Ready => return Ok(Watched::Ready),
                Readiness::Failed(why) => return Ok(Watched::Failed(why)),
                Readiness::Pending(_) => {}
            },
            Some(Ok(WatchEvent::Bookmark(_))) => {}
            Some(Ok(WatchEvent::Deleted(_) | WatchEvent::Error(_))) | None => {
                return Ok(Watched::Ended);
            }
            // A refusal before the first event ends here too: the caller polls.
            Some(Err(_)) => return Ok(Watched::Unavailable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pending(r: Readiness) -> bool {
        matches!(r, Readiness::Pending(_))
    }

    #[test]
    fn deployments_need_the_new_generation_and_all_replicas() {
        let d = |seen: i64, ready: i64, avail: i64| {
            json!({"apiVersion": "apps/v1", "metadata": {"generation": 2}, "spec": {"replicas": 2},
                   "status": {"observedGeneration": seen, "updatedReplicas": 2, "replicas": 2,
                              "readyReplicas": ready, "availableReplicas": avail}})
        };
        // Mid-rollout: the new Pods exist, the old ones are still the available ones.
        let rolling = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 2, "updatedReplicas": 2, "replicas": 4,
                       "readyReplicas": 2, "availableReplicas": 2}});
        assert!(pending(readiness("Deployment", &rolling)));
        assert!(pending(readiness("Deployment", &d(1, 2, 2))));
        assert!(pending(readiness("Deployment", &d(2, 2, 1))));
        assert!(pending(readiness("Deployment", &d(2, 1, 2))));
        assert_eq!(readiness("Deployment", &d(2, 2, 2)), Readiness::Ready);
        // Never seen by the controller yet.
        let fresh = json!({"metadata": {"generation": 1}, "spec": {"replicas": 1}});
        assert!(pending(readiness("Deployment", &fresh)));
    }

    #[test]
    fn paused_deployments_are_ready_as_helm_skips_them() {
        let paused = json!({"metadata": {"generation": 3}, "spec": {"replicas": 2, "paused": true},
            "status": {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 0}});
        assert_eq!(readiness("Deployment", &paused), Readiness::Ready);
    }

    #[test]
    fn statefulsets_roll_out_all_replicas_unless_on_delete_or_partitioned() {
        let sts = |strategy: Value, current: i64, updated: i64, revs: (&str, &str)| {
            json!({"metadata": {"generation": 4},
                   "spec": {"replicas": 3, "updateStrategy": strategy},
                   "status": {"observedGeneration": 4, "replicas": 3, "readyReplicas": 3,
                              "currentReplicas": current, "updatedReplicas": updated,
                              "currentRevision": revs.0, "updateRevision": revs.1}})
        };
        let rolling = json!({"type": "RollingUpdate"});
        assert_eq!(
            readiness("StatefulSet", &sts(rolling.clone(), 3, 3, ("r2", "r2"))),
            Readiness::Ready
        );
        // Mid-rollout: one replica at the new revision.
        assert!(pending(readiness(
            "StatefulSet",
            &sts(rolling.clone(), 2, 1, ("r1", "r2"))
        )));
        assert!(pending(readiness(
            "StatefulSet",
            &sts(rolling, 3, 3, ("r1", "r2"))
        )));
        // Partition 2: only ordinal 2 is updated, and that is the whole rollout.
        let part = json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 2}});
        assert_eq!(
            readiness("StatefulSet", &sts(part.clone(), 2, 1, ("r1", "r2"))),
            Readiness::Ready
        );
        assert!(pending(readiness(
            "StatefulSet",
            &sts(part, 3, 0, ("r1", "r2"))
        )));
        // OnDelete: Pods change only when deleted; nothing to wait for.
        let on_delete = json!({"type": "OnDelete"});
        assert_eq!(
            readiness("StatefulSet", &sts(on_delete, 0, 0, ("r1", "r2"))),
            Readiness::Ready
        );
        let unready = json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 1, "replicas": 2, "readyReplicas": 1}});
        assert!(pending(readiness("StatefulSet", &unready)));
    }

    #[test]
    fn daemonsets_need_every_scheduled_pod_updated_and_ready() {
        let ds = |ready: i64, strategy: &str| {
            json!({"metadata": {"generation": 1}, "spec": {"updateStrategy": {"type": strategy}},
                   "status": {"observedGeneration": 1, "desiredNumberScheduled": 3,
                              "currentNumberScheduled": 3, "updatedNumberScheduled": 3,
                              "numberAvailable": ready, "numberReady": ready}})
        };
        assert_eq!(
            readiness("DaemonSet", &ds(3, "RollingUpdate")),
            Readiness::Ready
        );
        assert!(pending(readiness("DaemonSet", &ds(2, "RollingUpdate"))));
        assert_eq!(readiness("DaemonSet", &ds(0, "OnDelete")), Readiness::Ready);
        assert!(pending(readiness("DaemonSet", &json!({"spec": {}}))));
    }

    #[test]
    fn replicasets_need_their_replicas_ready_and_available() {
        let rs = |ready: i64| {
            json!({"spec": {"replicas": 2}, "status": {"replicas": 2,
                   "fullyLabeledReplicas": 2, "readyReplicas": ready, "availableReplicas": ready}})
        };
        assert_eq!(readiness("ReplicaSet", &rs(2)), Readiness::Ready);
        assert!(pending(readiness("ReplicaSet", &rs(1))));
        let failing = json!({"spec": {"replicas": 1}, "status": {"conditions": [
            {"type": "ReplicaFailure", "status": "True", "message": "quota exceeded"}]}});
        assert_eq!(
            readiness("ReplicaSet", &failing),
            Readiness::Pending("quota exceeded".into())
        );
    }

    #[test]
    fn jobs_fail_and_complete_and_need_not_be_waited_for() {
        let failed = json!({"status": {"conditions": [
            {"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]}});
        assert_eq!(
            readiness("Job", &failed),
            Readiness::Failed("BackoffLimitExceeded".into())
        );
        let done = json!({"status": {"conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(readiness("Job", &done), Readiness::Ready);
        let running = json!({"status": {"active": 1, "startTime": "2026-01-01T00:00:00Z"}});
        assert!(pending(readiness("Job", &running)));
        let no_jobs = WaitRules { jobs: false };
        assert_eq!(readiness_with("Job", &running, no_jobs), Readiness::Ready);
        assert!(matches!(
            readiness_with("Job", &failed, no_jobs),
            Readiness::Failed(_)
        ));
    }

    #[test]
    fn pods_are_ready_or_succeeded() {
        let pod = |phase: &str, ready: &str| json!({"status": {"phase": phase, "conditions": [{"type": "Ready", "status": ready}]}});
        assert_eq!(readiness("Pod", &pod("Running", "True")), Readiness::Ready);
        assert!(pending(readiness("Pod", &pod("Running", "False"))));
        assert_eq!(
            readiness("Pod", &pod("Succeeded", "False")),
            Readiness::Ready
        );
        assert!(matches!(
            readiness("Pod", &pod("Failed", "False")),
            Readiness::Failed(_)
        ));
    }

    #[test]
    fn claims_are_bound_and_load_balancers_have_an_address() {
        let pvc = |phase: &str| json!({"status": {"phase": phase}});
        assert_eq!(
            readiness("PersistentVolumeClaim", &pvc("Bound")),
            Readiness::Ready
        );
        assert!(pending(readiness("PersistentVolumeClaim", &pvc("Pending"))));
        let lb = json!({"spec": {"type": "LoadBalancer"}, "status": {}});
        assert!(pending(readiness("Service", &lb)));
        let lb_up = json!({"spec": {"type": "LoadBalancer"},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}});
        assert_eq!(readiness("Service", &lb_up), Readiness::Ready);
        let external = json!({"spec": {"type": "LoadBalancer", "externalIPs": ["10.0.0.2"]}});
        assert_eq!(readiness("Service", &external), Readiness::Ready);
        let cluster_ip = json!({"spec": {"type": "ClusterIP"}});
        assert_eq!(readiness("Service", &cluster_ip), Readiness::Ready);
        assert_eq!(readiness("ConfigMap", &json!({})), Readiness::Ready);
    }

    #[test]
    fn disruption_budgets_and_crds() {
        let pdb = |healthy: i64| {
            json!({"metadata": {"generation": 1}, "status": {"observedGeneration": 1,
                   "currentHealthy": healthy, "desiredHealthy": 2}})
        };
        assert_eq!(readiness("PodDisruptionBudget", &pdb(2)), Readiness::Ready);
        assert!(pending(readiness("PodDisruptionBudget", &pdb(1))));
        let crd = |established: &str| {
            json!({"apiVersion": "apiextensions.k8s.io/v1", "status": {"conditions": [
                {"type": "Established", "status": established}]}})
        };
        assert_eq!(
            readiness("CustomResourceDefinition", &crd("True")),
            Readiness::Ready
        );
        assert!(pending(readiness(
            "CustomResourceDefinition",
            &crd("False")
        )));
    }

    #[test]
    fn custom_resources_follow_kstatus_and_their_ready_condition() {
        let cr = |generation: i64, status: Value| {
            json!({"apiVersion": "example.com/v1", "kind": "Widget",
                   "metadata": {"generation": generation}, "status": status})
        };
        // No status at all: nothing says it is not ready (kstatus: Current).
        assert_eq!(readiness("Widget", &cr(1, json!(null))), Readiness::Ready);
        let ready = |s: &str, seen: i64| {
            json!({"observedGeneration": seen, "conditions": [
                {"type": "Ready", "status": s, "reason": "Provisioning", "message": "wait"}]})
        };
        assert_eq!(
            readiness("Widget", &cr(2, ready("True", 2))),
            Readiness::Ready
        );
        assert_eq!(
            readiness("Widget", &cr(2, ready("False", 2))),
            Readiness::Pending("not Ready: Provisioning: wait".into())
        );
        // The operator has not seen the new spec yet.
        assert!(pending(readiness("Widget", &cr(3, ready("True", 2)))));
        // A Ready condition about an older generation does not count.
        let stale = json!({"conditions": [
            {"type": "Ready", "status": "True", "observedGeneration": 1}]});
        assert!(pending(readiness("Widget", &cr(2, stale))));
        let reconciling = json!({"conditions": [{"type": "Reconciling", "status": "True"}]});
        assert!(pending(readiness("Widget", &cr(1, reconciling))));
        let stalled = json!({"conditions": [
            {"type": "Stalled", "status": "True", "reason": "BadSpec"}]});
        assert_eq!(
            readiness("Widget", &cr(1, stalled)),
            Readiness::Failed("stalled: BadSpec".into())
        );
        // A custom kind named like a built-in one is judged as a custom resource.
        let mut own = cr(
            1,
            json!({"conditions": [{"type": "Ready", "status": "True"}]}),
        );
        own["kind"] = "Deployment".into();
        assert_eq!(readiness("Deployment", &own), Readiness::Ready);
        let mut deleting = cr(1, json!(null));
        deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z".into();
        assert!(pending(readiness("Widget", &deleting)));
    }
}
