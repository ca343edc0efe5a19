//! Readiness of applied objects, as `helm install --wait` judges it.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::cluster::{Cluster, ObjectRef};

/// How often objects are re-read while waiting.
const POLL: Duration = Duration::from_millis(500);

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

/// Readiness of `obj` (the live object as JSON) of kind `kind`: Deployments, StatefulSets,
/// DaemonSets, Jobs, Pods, PVCs, Services of type LoadBalancer and CRDs; every other kind is
/// ready once it exists.
pub fn readiness(kind: &str, obj: &Value) -> Readiness {
    let int = |p: &str| obj.pointer(p).and_then(Value::as_i64);
    let generation_seen =
        int("/status/observedGeneration").unwrap_or(0) >= int("/metadata/generation").unwrap_or(0);
    let pending = |what: String| Readiness::Pending(what);
    match kind {
        "Deployment" => {
            let want = int("/spec/replicas").unwrap_or(1);
            let updated = int("/status/updatedReplicas").unwrap_or(0);
            let available = int("/status/availableReplicas").unwrap_or(0);
            // Pods of the old ReplicaSets still count in `replicas` during a rollout.
            let total = int("/status/replicas").unwrap_or(0);
            if !generation_seen {
                pending("the new generation is not observed yet".into())
            } else if updated < want || available < want || total > want {
                pending(format!(
                    "{updated} of {want} replicas updated, {available} available, {total} in total"
                ))
            } else {
                Readiness::Ready
            }
        }
        "StatefulSet" => {
            let want = int("/spec/replicas").unwrap_or(1);
            let ready = int("/status/readyReplicas").unwrap_or(0);
            let updated = int("/status/updatedReplicas").unwrap_or(0);
            if !generation_seen {
                pending("the new generation is not observed yet".into())
            } else if ready < want || updated < want {
                pending(format!("{ready} of {want} replicas ready"))
            } else {
                Readiness::Ready
            }
        }
        "DaemonSet" => {
            let want = int("/status/desiredNumberScheduled").unwrap_or(0);
            let ready = int("/status/numberReady").unwrap_or(0);
            let updated = int("/status/updatedNumberScheduled").unwrap_or(0);
            if !generation_seen {
                pending("the new generation is not observed yet".into())
            } else if ready < want || updated < want {
                pending(format!("{ready} of {want} pods ready"))
            } else {
                Readiness::Ready
            }
        }
        "Job" => {
            if condition(obj, "Failed") {
                Readiness::Failed(condition_message(obj, "Failed"))
            } else if condition(obj, "Complete") {
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
            let lb = obj.pointer("/spec/type").and_then(Value::as_str) == Some("LoadBalancer");
            let ingress = obj
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            if lb && !ingress {
                pending("no load balancer address yet".into())
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
        _ => Readiness::Ready,
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
    let mut remaining: Vec<ObjectRef> = objects.to_vec();
    loop {
        let mut still = Vec::new();
        let mut reasons = Vec::new();
        for obj in remaining {
            let state = match cluster.get(&obj, namespace).await {
                Ok(Some(live)) => readiness(
                    &obj.kind,
                    &serde_json::to_value(&live).unwrap_or(Value::Null),
                ),
                Ok(None) => Readiness::Pending("it does not exist".into()),
                Err(e) => Readiness::Pending(format!("reading it failed: {e}")),
            };
            match state {
                Readiness::Ready => {}
                Readiness::Failed(why) => return Err(format!("{obj} failed: {why}")),
                Readiness::Pending(why) => {
                    reasons.push(format!("{obj}: {why}"));
                    still.push(obj);
                }
            }
        }
        if still.is_empty() {
            return Ok(());
        }
        if Instant::now() + POLL > deadline {
            return Err(format!(
                "timed out waiting for readiness: {}",
                reasons.join("; ")
            ));
        }
        remaining = still;
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployments_need_the_new_generation_and_all_replicas() {
        let d = |gen_seen: i64, avail: i64| {
            json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
                   "status": {"observedGeneration": gen_seen, "updatedReplicas": 2,
                              "replicas": 2, "availableReplicas": avail}})
        };
        // Mid-rollout: the new Pods exist, the old ones are still the available ones.
        let rolling = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 2, "updatedReplicas": 2, "replicas": 4,
                       "availableReplicas": 2}});
        assert!(matches!(
            readiness("Deployment", &rolling),
            Readiness::Pending(_)
        ));
        assert!(matches!(
            readiness("Deployment", &d(1, 2)),
            Readiness::Pending(_)
        ));
        assert!(matches!(
            readiness("Deployment", &d(2, 1)),
            Readiness::Pending(_)
        ));
        assert_eq!(readiness("Deployment", &d(2, 2)), Readiness::Ready);
    }

    #[test]
    fn jobs_fail_and_complete() {
        let failed = json!({"status": {"conditions": [
            {"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]}});
        assert_eq!(
            readiness("Job", &failed),
            Readiness::Failed("BackoffLimitExceeded".into())
        );
        let done = json!({"status": {"conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(readiness("Job", &done), Readiness::Ready);
        assert_eq!(readiness("ConfigMap", &json!({})), Readiness::Ready);
        let lb = json!({"spec": {"type": "LoadBalancer"}, "status": {}});
        assert!(matches!(readiness("Service", &lb), Readiness::Pending(_)));
    }
}
