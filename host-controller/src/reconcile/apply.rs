//! Putting a revision's objects on the cluster: server-side apply with Helm's ownership metadata,
//! pruning what the previous revision had and this one does not, and Helm's
//! `helm.sh/resource-policy: keep`. Shared by install, upgrade, rollback and uninstall.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::cluster::manifest_objects;

use super::Context;

/// `helm.sh/resource-policy: keep` keeps an object when it leaves the chart or the release is
/// uninstalled.
const RESOURCE_POLICY: &str = "helm.sh/resource-policy";

/// Applies every object of `manifest` and deletes those of `previous` that are not in it.
///
/// Guarantees: idempotent (server-side apply; deleting what is gone is fine).
pub async fn deploy(
    ctx: &Context,
    manifest: &str,
    previous: &str,
    name: &str,
    namespace: &str,
) -> Result<(), String> {
    let objects = manifest_objects(manifest);
    let mut keys = BTreeSet::new();
    for (obj, mut body) in objects {
        keys.insert(obj.key(namespace));
        helm_metadata(&mut body, name, namespace);
        ctx.cluster
            .apply(&obj, body, namespace)
            .await
            .map_err(|e| format!("applying {obj}: {e}"))?;
    }
    for (obj, body) in manifest_objects(previous).into_iter().rev() {
        if !keys.contains(&obj.key(namespace)) && !keep(&body) {
            ctx.cluster
                .delete(&obj, namespace)
                .await
                .map_err(|e| format!("pruning {obj}: {e}"))?;
        }
    }
    Ok(())
}

/// Helm's ownership metadata, so that `helm upgrade` accepts the objects as the release's.
pub fn helm_metadata(body: &mut Value, name: &str, namespace: &str) {
    let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert("app.kubernetes.io/managed-by".into(), "Helm".into());
    }
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    if let Some(a) = annotations.as_object_mut() {
        a.insert("meta.helm.sh/release-name".into(), name.into());
        a.insert("meta.helm.sh/release-namespace".into(), namespace.into());
    }
}

/// Whether the object says `helm.sh/resource-policy: keep`.
pub fn keep(body: &Value) -> bool {
    body.pointer("/metadata/annotations")
        .and_then(|a| a.get(RESOURCE_POLICY))
        .and_then(Value::as_str)
        == Some("keep")
}
