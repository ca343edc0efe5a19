//! Drift of one object of a release: the live object against what applying the release's
//! manifest would make of it (a server-side dry run). The controller's drift correction
//! (`reconcile/drift.rs`) and `planton-helm diff --cluster` both decide drift here, so that they
//! never disagree.

use kube::api::DynamicObject;
use serde_json::{Value, json};

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
/// leaving out the fields at the JSON Pointers `ignore` (the dry run sends them as they are
/// live, so they conflict with nobody). A dry run differs from the live object only where a
/// field the release manages was changed, so defaults and fields others own are no drift.
/// Without `force` the dry run leaves fields that another field manager took over to it (as
/// the apply does: [`Cluster::apply`]); they are returned, `Kind ns/name .field (conflict with
/// ...)`, and are not drift. With `force` they are drift.
pub async fn check(
    cluster: &Cluster,
    obj: &ObjectRef,
    body: &Value,
    namespace: &str,
    ignore: &[&str],
    force: bool,
) -> Result<(Drift, Vec<String>), kube::Error> {
    let Some(live) = cluster.get(obj, namespace).await? else {
        return Ok((Drift::Deleted, Vec::new()));
    };
    let live_whole = comparable(&live);
    let mut body = body.clone();
    for p in ignore {
        copy_pointer(&live_whole, &mut body, p);
    }
    let applied = cluster.apply_dry_run(obj, body, namespace, force).await?;
    let mut wanted = comparable(&applied.object);
    let mut live = live_whole.clone();
    for p in ignore {
        remove_pointer(&mut wanted, p);
        remove_pointer(&mut live, p);
    }
    let drift = if live == wanted {
        Drift::InSync
    } else {
        Drift::Modified {
            wanted,
            live,
            live_whole,
        }
    };
    Ok((drift, applied.left))
}

/// Sets the field at JSON Pointer `pointer` of `body` to its value in `live` (creating parent
/// objects), or removes it from `body` when `live` has none: a correction leaves it as it is.
pub fn copy_pointer(live: &Value, body: &mut Value, pointer: &str) {
    let Some(value) = live.pointer(pointer).cloned() else {
        remove_pointer(body, pointer);
        return;
    };
    let mut at = body;
    let parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = parts.split_last() else {
        return;
    };
    for part in parents {
        at = match at {
            Value::Object(map) => map.entry(part.clone()).or_insert_with(|| json!({})),
            Value::Array(items) => {
                match part.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(item) => item,
                    None => return,
                }
            }
            _ => return,
        };
    }
    match at {
        Value::Object(map) => {
            map.insert(last.clone(), value);
        }
        Value::Array(items) => {
            if let Some(item) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *item = value;
            }
        }
        _ => {}
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_keeps_ignored_fields_as_they_are_live() {
        let live = json!({"spec": {"replicas": 5}, "metadata": {"labels": {"a/b": "x"}}});
        let mut body = json!({"spec": {"replicas": 1, "paused": false}, "metadata": {}});
        copy_pointer(&live, &mut body, "/spec/replicas");
        copy_pointer(&live, &mut body, "/metadata/labels/a~1b");
        copy_pointer(&live, &mut body, "/spec/paused");
        assert_eq!(
            body,
            json!({"spec": {"replicas": 5}, "metadata": {"labels": {"a/b": "x"}}})
        );
    }
}
