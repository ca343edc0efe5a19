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

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// The annotation that picks a Pod's fate; see the module docs.
pub const PHASE_ANNOTATION: &str = "testenv.planton-helm.io/phase";

/// How often the Pods are listed.
const POLL: Duration = Duration::from_millis(250);

/// Sets Pod status in the background until dropped; see the module docs.
#[derive(Debug)]
pub struct FakeKubelet {
    task: JoinHandle<()>,
}

impl FakeKubelet {
    /// Starts on the current tokio runtime, for Pods in `namespace` (all namespaces if `None`).
    pub fn start(client: kube::Client, namespace: Option<&str>) -> FakeKubelet {
        let pods: Api<Pod> = match namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        };
        let task = tokio::spawn(async move {
            loop {
                if let Ok(list) = pods.list(&ListParams::default()).await {
                    for pod in list {
                        if let Some((ns, name, patch)) = status_patch(&pod) {
                            let api: Api<Pod> = Api::namespaced(pods.clone().into_client(), &ns);
                            // A failure (the Pod went away, a conflict) is retried next round.
                            let _ = api
                                .patch_status(&name, &PatchParams::default(), &Patch::Merge(patch))
                                .await;
                        }
                    }
                }
                tokio::time::sleep(POLL).await;
            }
        });
        FakeKubelet { task }
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
