//! Drift of one object of a release: the live object against what applying the release's
//! manifest would make of it (a server-side dry run). The controller's drift correction
//! (`reconcile/drift.rs`) and `planton-helm diff --cluster` both decide drift here, so that they
//! never disagree.

use kube::api::DynamicObject;
use serde_json::Value;

use crate::cluster::{Cluster, ObjectRef};
use crate::crd::{DriftIgnoreRule, remove_pointer};

/// How the live object stands against the release's manifest.
#[derive(Debug, PartialEq)]
pub enum Drift {
    /// As the release says (leaving out the ignored fields).
    InSync,
    /// Someone deleted it.
    Deleted,
    /// Someone changed a field the release manages.
    Modified {
        /// What applying the manifest's object would make of it ([`comparable`], ignored
        /// fields left out).
        wanted: Value,
        /// The live object ([`comparable`], ignored fields left out).
        live: Value,
        /// The live object with the ignored fields ([`comparable`]): a correction keeps them.
        live_whole: Value,
    },
}

/// The JSON Pointers of the `rules` that apply to `obj` (whose namespace, when the manifest has
/// none, is `namespace`).
pub fn ignored<'a>(rules: &'a [DriftIgnoreRule], obj: &ObjectRef, namespace: &str) -> Vec<&'a str> {
    rules
        .iter()
        .filter(|r| r.applies_to(obj, namespace))
        .flat_map(|r| r.paths.iter().map(String::as_str))
        .collect()
}

/// Compares the live `obj` with a server-side dry-run apply of `body` (the manifest's object as
/// an apply sends it, with Helm's ownership metadata: [`crate::release::helm_metadata`]),
/// leaving out the fields at the JSON Pointers `ignore`. A dry run differs from the live object
/// only where a field the release manages was changed, so defaults and fields others own are no
/// drift.
pub async fn check(
    cluster: &Cluster,
    obj: &ObjectRef,
    body: &Value,
    namespace: &str,
    ignore: &[&str],
) -> Result<Drift, kube::Error> {
    let Some(live) = cluster.get(obj, namespace).await? else {
        return Ok(Drift::Deleted);
    };
    let wanted = cluster.apply_dry_run(obj, body.clone(), namespace).await?;
    let (live_whole, mut wanted) = (comparable(&live), comparable(&wanted));
    let mut live = live_whole.clone();
    for p in ignore {
        remove_pointer(&mut wanted, p);
        remove_pointer(&mut live, p);
    }
    Ok(if live == wanted {
        Drift::InSync
    } else {
        Drift::Modified {
            wanted,
            live,
            live_whole,
        }
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
