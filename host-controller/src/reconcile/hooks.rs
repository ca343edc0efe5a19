//! Chart hooks as Helm runs them: selected by event, ordered by weight then name, re-created,
//! waited for (Jobs complete, Pods succeed) and deleted as their delete policies say. Also the
//! conversion between a rendered hook and its entry in the release record.

use std::time::Duration;

use host_runtime::Manifest;
use jiff::Timestamp;
use kube::api::PropagationPolicy;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::cluster::{Cluster, ObjectRef};
use crate::release::zero_time;
use crate::wait::{Readiness, readiness};

/// Runs the hooks for `event` in Helm's order (weight, then name): each is re-created, waited for
/// (Jobs complete, Pods succeed) and deleted as its delete policies say.
///
/// With `records` (the release record's hooks), each hook's `last_run` is written there as Helm
/// writes it: start and completion time, phase `Succeeded` or `Failed`.
pub async fn run(
    cluster: &Cluster,
    hooks: &[Manifest],
    event: &str,
    namespace: &str,
    deadline: Instant,
    mut records: Option<&mut Vec<Value>>,
) -> Result<(), String> {
    let mut selected: Vec<&Manifest> = hooks
        .iter()
        .filter(|h| h.hook_events.iter().any(|e| e == event))
        .collect();
    selected.sort_by(|a, b| (a.hook_weight, &a.name).cmp(&(b.hook_weight, &b.name)));
    for hook in selected {
        let body: Value = serde_saphyr::from_str(&hook.body)
            .map_err(|e| format!("hook {} ({}): {e}", hook.name, hook.source))?;
        let obj = ObjectRef {
            api_version: hook.api_version.clone(),
            kind: hook.kind.clone(),
            namespace: hook.namespace.clone(),
            name: hook.name.clone(),
        };
        let policies = &hook.hook_delete_policies;
        let has = |p: &str| policies.iter().any(|x| x == p);
        let started = Timestamp::now().to_string();
        if policies.is_empty() || has("before-hook-creation") {
            delete_and_wait(cluster, &obj, namespace, deadline).await?;
        }
        let result = match cluster.apply(&obj, body, namespace, true).await {
            Ok(_) => wait_hook(cluster, &obj, namespace, deadline).await,
            Err(e) => Err(format!("creating it: {e}")),
        };
        if let Some(records) = records.as_deref_mut() {
            let phase = if result.is_ok() {
                "Succeeded"
            } else {
                "Failed"
            };
            let last_run = json!({"started_at": started,
                "completed_at": Timestamp::now().to_string(), "phase": phase});
            for r in records.iter_mut().filter(|r| {
                r["name"].as_str() == Some(hook.name.as_str())
                    && r["kind"].as_str() == Some(hook.kind.as_str())
            }) {
                r["last_run"] = last_run.clone();
            }
        }
        let delete = match &result {
            Ok(()) => has("hook-succeeded"),
            Err(_) => has("hook-failed"),
        };
        if delete {
            cluster
                .delete(&obj, namespace, PropagationPolicy::Background)
                .await
                .map_err(|e| format!("deleting {event} hook {obj}: {e}"))?;
        }
        result.map_err(|e| format!("{event} hook {obj} failed: {e}"))?;
    }
    Ok(())
}

async fn wait_hook(
    cluster: &Cluster,
    obj: &ObjectRef,
    namespace: &str,
    deadline: Instant,
) -> Result<(), String> {
    if !matches!(obj.kind.as_str(), "Job" | "Pod") {
        return Ok(());
    }
    loop {
        if let Ok(Some(live)) = cluster.get(obj, namespace).await {
            match readiness(&obj.kind, &serde_json::to_value(&live).unwrap_or_default()) {
                Readiness::Ready if obj.kind == "Job" => return Ok(()),
                Readiness::Ready
                    if live.data.pointer("/status/phase").and_then(Value::as_str)
                        == Some("Succeeded") =>
                {
                    return Ok(());
                }
                Readiness::Failed(why) => return Err(why),
                _ => {}
            }
        }
        if Instant::now() >= deadline {
            return Err("timed out".into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn delete_and_wait(
    cluster: &Cluster,
    obj: &ObjectRef,
    namespace: &str,
    deadline: Instant,
) -> Result<(), String> {
    cluster
        .delete(obj, namespace, PropagationPolicy::Background)
        .await
        .map_err(|e| format!("deleting the previous {obj}: {e}"))?;
    while let Ok(Some(_)) = cluster.get(obj, namespace).await {
        if Instant::now() >= deadline {
            return Err(format!("timed out deleting the previous {obj}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Helm's `release.Hook` JSON for a rendered hook.
pub fn record(m: &Manifest) -> Value {
    json!({
        "name": m.name,
        "kind": m.kind,
        "path": m.source,
        "manifest": m.body,
        "events": m.hook_events,
        "last_run": {"started_at": zero_time(), "completed_at": zero_time(), "phase": ""},
        "weight": m.hook_weight,
        "delete_policies": m.hook_delete_policies,
    })
}

/// A hook read back from a release record (also one `helm` wrote).
pub fn from_record(v: &Value) -> Option<Manifest> {
    let body = v["manifest"].as_str()?.to_string();
    let parsed: Value = serde_saphyr::from_str(&body).ok()?;
    let obj = crate::cluster::object_ref(&parsed)?;
    let strings = |k: &str| -> Vec<String> {
        v[k].as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    Some(Manifest {
        source: v["path"].as_str().unwrap_or_default().to_string(),
        api_version: obj.api_version,
        kind: obj.kind,
        name: obj.name,
        namespace: obj.namespace,
        hook_events: strings("events"),
        hook_weight: v["weight"].as_i64().unwrap_or(0) as i32,
        hook_delete_policies: strings("delete_policies"),
        body,
    })
}
