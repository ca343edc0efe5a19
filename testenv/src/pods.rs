//! A stand-in for the kubelet: there is no node here, so nothing would ever run a Pod. A
//! [`FakeKubelet`] writes Pod status through the API instead (as kwok does), so that
//! kube-controller-manager sees Deployments' Pods become Ready and Jobs' Pods succeed.
//!
//! Which status a Pod gets:
//! - annotation `testenv.planton-helm.io/phase` = `Running` | `Succeeded` | `Failed` | `Pending`
//!   (`Pending`: left alone, as a Pod that never starts);
//! - otherwise by `restartPolicy`: `Always` (the default, Deployments) becomes Running and Ready;
//!   `OnFailure` / `Never` (Jobs, hook Pods) becomes Succeeded with exit code 0.
//!
//! Pods are not bound to a node: ReplicaSet, Deployment and Job controllers only read status.

use std::time::Duration;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams, WatchEvent, WatchParams};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// The annotation that picks a Pod's fate; see the module docs.
pub const PHASE_ANNOTATION: &str = "testenv.planton-helm.io/phase";

/// How long to wait before listing again after a list or watch failed.
const RETRY: Duration = Duration::from_millis(250);

/// How long one watch runs before the Pods are listed again (which retries a status write that
/// failed).
const WATCH_SECONDS: u32 = 30;

/// Sets Pod status in the background until dropped; see the module docs.
#[derive(Debug)]
pub struct FakeKubelet {
    task: JoinHandle<()>,
}

impl FakeKubelet {
    /// Starts on the current tokio runtime, for Pods in `namespace` (all namespaces if `None`).
    ///
    /// The Pods are listed, then watched: a Pod gets its status as soon as its creation is seen,
    /// without listing every Pod again and again (which, with a thousand Pods, would cost the
    /// API server and the machine more than the rest of a test).
    pub fn start(client: kube::Client, namespace: Option<&str>) -> FakeKubelet {
        let pods: Api<Pod> = match namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        };
        let task = tokio::spawn(async move {
            loop {
                let Ok(list) = pods.list(&ListParams::default()).await else {
                    tokio::time::sleep(RETRY).await;
                    continue;
                };
                let version = list.metadata.resource_version.clone().unwrap_or_default();
                for pod in list {
                    set_status(&pods, &pod).await;
                }
                let params = WatchParams::default().timeout(WATCH_SECONDS);
                let Ok(events) = pods.watch(&params, &version).await else {
                    tokio::time::sleep(RETRY).await;
                    continue;
                };
                futures::pin_mut!(events);
                while let Some(event) = events.next().await {
                    match event {
                        Ok(WatchEvent::Added(pod) | WatchEvent::Modified(pod)) => {
                            set_status(&pods, &pod).await
                        }
                        Ok(WatchEvent::Deleted(_) | WatchEvent::Bookmark(_)) => {}
                        // Too old a version, or a broken stream: list again.
                        Ok(WatchEvent::Error(_)) | Err(_) => break,
                    }
                }
            }
        });
        FakeKubelet { task }
    }
}

/// Moves `pod` to its target phase, if it is not there yet. A failure (the Pod went away) is
/// retried at the next list.
async fn set_status(pods: &Api<Pod>, pod: &Pod) {
    if let Some((ns, name, patch)) = status_patch(pod) {
        let api: Api<Pod> = Api::namespaced(pods.clone().into_client(), &ns);
        let _ = api
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(patch))
            .await;
    }
}

impl Drop for FakeKubelet {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The merge patch that moves `pod` to its target phase, or `None` if it is there already (or
/// being deleted, or meant to stay Pending).
fn status_patch(pod: &Pod) -> Option<(String, String, Value)> {
    let meta = &pod.metadata;
    if meta.deletion_timestamp.is_some() {
        return None;
    }
    let spec = pod.spec.as_ref()?;
    let wanted = match meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(PHASE_ANNOTATION))
    {
        Some(p) => p.as_str(),
        None if matches!(spec.restart_policy.as_deref(), Some("OnFailure" | "Never")) => {
            "Succeeded"
        }
        None => "Running",
    };
    let current = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    if !matches!(wanted, "Running" | "Succeeded" | "Failed") || current == Some(wanted) {
        return None;
    }
    let now = serde_json::to_value(Time(Timestamp::now())).ok()?;
    let running = wanted == "Running";
    let ready = if running { "True" } else { "False" };
    let condition = |kind: &str, status: &str| json!({"type": kind, "status": status, "lastTransitionTime": now});
    let state = match wanted {
        "Running" => json!({"running": {"startedAt": now}}),
        "Succeeded" => json!({"terminated": {"exitCode": 0, "reason": "Completed",
                                             "startedAt": now, "finishedAt": now}}),
        _ => json!({"terminated": {"exitCode": 1, "reason": "Error",
                                   "startedAt": now, "finishedAt": now}}),
    };
    let container_statuses: Vec<Value> = spec
        .containers
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "image": c.image.clone().unwrap_or_default(),
                "imageID": "",
                "ready": running,
                "started": running,
                "restartCount": 0,
                "state": state,
            })
        })
        .collect();
    let patch = json!({
        "status": {
            "phase": wanted,
            "startTime": now,
            "conditions": [
                condition("PodScheduled", "True"),
                condition("Initialized", "True"),
                condition("ContainersReady", ready),
                condition("Ready", ready),
            ],
            "containerStatuses": container_statuses,
        }
    });
    Some((meta.namespace.clone()?, meta.name.clone()?, patch))
}
