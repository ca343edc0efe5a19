//! Drift of one object of a release: the live object against what applying the release's
//! manifest would make of it (a server-side dry run), as the controller's drift detection and
//! `planton-helm diff --cluster` see it.

use kube::api::DynamicObject;
use serde_json::{Value, json};

use crate::cluster::{Cluster, ObjectRef};
use crate::crd::remove_pointer;

/// How the live object stands against the release's manifest.
#[derive(Debug, PartialEq)]
pub enum Drift {
    /// As the release says (leaving out the ignored fields).
    InSync,
    /// Someone deleted it.
    Deleted,
    /// Someone changed a field the release manages: what applying the manifest would make of the
    /// object, and the object as it is (both [`comparable`], ignored fields left out).
    Modified {
        /// The dry-run apply of the manifest's object.
        wanted: Value,
        /// The live object.
        live: Value,
    },
}

/// Compares the live object `obj` of release `name` with a server-side dry-run apply of `body`
/// (the manifest's object; Helm's ownership metadata is added here), leaving out the fields at
/// the JSON Pointers `ignore`. A dry run differs from the live object only where a field the
/// release manages was changed, so defaults and fields others own are no drift.
pub async fn check(
    cluster: &Cluster,
    obj: &ObjectRef,
    mut body: Value,
    name: &str,
    namespace: &str,
    ignore: &[&str],
) -> Result<Drift, kube::Error> {
    with_helm_metadata(&mut body, name, namespace);
    let Some(live) = cluster.get(obj, namespace).await? else {
        return Ok(Drift::Deleted);
    };
    let wanted = cluster.apply_dry_run(obj, body, namespace).await?;
    let (mut live, mut wanted) = (comparable(&live), comparable(&wanted));
    for p in ignore {
        remove_pointer(&mut wanted, p);
        remove_pointer(&mut live, p);
    }
    Ok(if live == wanted {
        Drift::InSync
    } else {
        Drift::Modified { wanted, live }
    })
}

/// An object without the fields every write changes (and its status, which is not the
/// release's).
pub fn comparable(obj: &DynamicObject) -> Value {
    let mut v = serde_json::to_value(obj).unwrap_or_default();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["managedFields", "resourceVersion", "generation"] {
            meta.remove(k);
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    v
}

/// Helm's ownership metadata, so that `helm upgrade` accepts the objects as the release's.
pub fn with_helm_metadata(body: &mut Value, name: &str, namespace: &str) {
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
