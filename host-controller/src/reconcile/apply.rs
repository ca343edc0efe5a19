//! Putting a revision's objects on the cluster: server-side apply with Helm's ownership metadata,
//! pruning what the previous revision had and this one does not, and Helm's
//! `helm.sh/resource-policy: keep`. Shared by install, upgrade, rollback and uninstall.

use std::collections::BTreeSet;
use std::time::Duration;

use kube::api::PropagationPolicy;
use serde_json::Value;
use tokio::time::Instant;

use kube::api::DynamicObject;

use crate::cluster::{Cluster, ObjectRef, manifest_objects};
use crate::release::helm_metadata;

use super::crds;

/// Bound on the wait for a release's own CRDs to be `Established` (the API server takes
/// moments; the release's `timeout` still bounds the whole action).
const ESTABLISHED_TIMEOUT: Duration = Duration::from_secs(60);

/// `helm.sh/resource-policy: keep` keeps an object when it leaves the chart or the release is
/// uninstalled.
const RESOURCE_POLICY: &str = "helm.sh/resource-policy";

/// Applies every object of `manifest` and deletes those of `previous` that are not in it. The
/// manifest's CRDs go first and are waited for until `Established`, so that its custom
/// resources of those kinds can be applied. Returns the fields left to other field managers
/// (see [`crate::cluster::Cluster::apply`]; `force` takes them instead) and the objects as the
/// API server returned them (for the wait that follows).
///
/// Guarantees: idempotent (server-side apply; deleting what is gone is fine).
pub async fn deploy(
    cluster: &Cluster,
    manifest: &str,
    previous: &str,
    name: &str,
    namespace: &str,
    force: bool,
) -> Result<Rollout, String> {
    let (defs, others): (Vec<_>, Vec<_>) = manifest_objects(manifest)
        .into_iter()
        .partition(|(o, _)| crds::is_crd(o));
    let defined: Vec<_> = defs.iter().map(|(o, _)| o.clone()).collect();
    let mut keys = BTreeSet::new();
    let mut left = Vec::new();
    let mut live = Vec::new();
    let mut waited = false;
    for (i, (obj, mut body)) in defs.into_iter().chain(others).enumerate() {
        if i == defined.len() {
            crds::established(cluster, &defined, Instant::now() + ESTABLISHED_TIMEOUT).await?;
            waited = true;
        }
        keys.insert(obj.key(namespace));
        helm_metadata(&mut body, name, namespace);
        let applied = cluster
            .apply(&obj, body, namespace, force)
            .await
            .map_err(|e| format!("applying {obj}: {e}"))?;
        left.extend(applied.left);
        live.push((obj, applied.object));
    }
    if !waited {
        crds::established(cluster, &defined, Instant::now() + ESTABLISHED_TIMEOUT).await?;
    }
    for (obj, body) in manifest_objects(previous).into_iter().rev() {
        if !keys.contains(&obj.key(namespace)) && !keep(&body) {
            cluster
                .delete(&obj, namespace, PropagationPolicy::Background)
                .await
                .map_err(|e| format!("pruning {obj}: {e}"))?;
        }
    }
    Ok(Rollout { left, live })
}

/// What [`deploy`] did.
pub struct Rollout {
    /// The fields left to other field managers.
    pub left: Vec<String>,
    /// Every object applied, as the API server returned it.
    pub live: Vec<(ObjectRef, DynamicObject)>,
}

/// Deletes the objects of `manifest` that `previous` does not have (what a failed upgrade
/// created: `spec.upgrade.cleanupOnFail`), keeping `helm.sh/resource-policy: keep`.
pub async fn delete_new(
    cluster: &Cluster,
    manifest: &str,
    previous: &str,
    namespace: &str,
) -> Result<(), String> {
    let before: BTreeSet<_> = manifest_objects(previous)
        .into_iter()
        .map(|(o, _)| o.key(namespace))
        .collect();
    for (obj, body) in manifest_objects(manifest).into_iter().rev() {
        if !before.contains(&obj.key(namespace)) && !keep(&body) {
            cluster
                .delete(&obj, namespace, PropagationPolicy::Background)
                .await
                .map_err(|e| format!("deleting {obj}: {e}"))?;
        }
    }
    Ok(())
}

/// Whether the object says `helm.sh/resource-policy: keep`.
pub fn keep(body: &Value) -> bool {
    body.pointer("/metadata/annotations")
        .and_then(|a| a.get(RESOURCE_POLICY))
        .and_then(Value::as_str)
        == Some("keep")
}
