//! Putting a revision's objects on the cluster: server-side apply with Helm's ownership metadata,
//! pruning what the previous revision had and this one does not, and Helm's
//! `helm.sh/resource-policy: keep`. Shared by install, upgrade, rollback and uninstall.

use std::collections::BTreeSet;

use kube::api::PropagationPolicy;
use serde_json::Value;

use crate::cluster::manifest_objects;
use crate::release::helm_metadata;

use super::Context;

/// `helm.sh/resource-policy: keep` keeps an object when it leaves the chart or the release is
/// uninstalled.
const RESOURCE_POLICY: &str = "helm.sh/resource-policy";

/// Applies every object of `manifest` and deletes those of `previous` that are not in it.
/// Returns the fields left to other field managers (see [`crate::cluster::Cluster::apply`];
/// `force` takes them instead).
///
/// Guarantees: idempotent (server-side apply; deleting what is gone is fine).
pub async fn deploy(
    ctx: &Context,
    manifest: &str,
    previous: &str,
    name: &str,
    namespace: &str,
    force: bool,
) -> Result<Vec<String>, String> {
    let objects = manifest_objects(manifest);
    let mut keys = BTreeSet::new();
    let mut left = Vec::new();
    for (obj, mut body) in objects {
        keys.insert(obj.key(namespace));
        helm_metadata(&mut body, name, namespace);
        let applied = ctx
            .cluster
            .apply(&obj, body, namespace, force)
            .await
            .map_err(|e| format!("applying {obj}: {e}"))?;
        left.extend(applied.left);
    }
    for (obj, body) in manifest_objects(previous).into_iter().rev() {
        if !keys.contains(&obj.key(namespace)) && !keep(&body) {
            ctx.cluster
                .delete(&obj, namespace, PropagationPolicy::Background)
                .await
                .map_err(|e| format!("pruning {obj}: {e}"))?;
        }
    }
    Ok(left)
}

/// Deletes the objects of `manifest` that `previous` does not have (what a failed upgrade
/// created: `spec.upgrade.cleanupOnFail`), keeping `helm.sh/resource-policy: keep`.
pub async fn delete_new(
    ctx: &Context,
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
            ctx.cluster
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
