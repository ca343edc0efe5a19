//! Correcting drift (state `Drifted`): objects of the deployed revision that someone else
//! changed or deleted are found with a server-side dry-run apply and applied again (mode
//! `enabled`) or only reported (`warn`). No new revision is made.

use serde_json::{Value, json};

use crate::cluster::manifest_objects;
use crate::crd::{DriftIgnoreRule, DriftMode, remove_pointer};

use super::Context;
use super::apply::helm_metadata;
use super::state::Drifted;
use super::status::{Correction, Outcome};

/// The objects of `manifest` that someone else deleted or changed: a server-side dry-run apply
/// differs from the live object only when a field the release manages was changed. Fields that
/// an `ignore` rule covers are left out of the comparison. An object that cannot be read or
/// dry-run is not reported (the next check sees it again).
pub async fn detect(
    ctx: &Context,
    manifest: &str,
    name: &str,
    namespace: &str,
    ignore: &[DriftIgnoreRule],
) -> Vec<Drifted> {
    let mut drifted = Vec::new();
    for (obj, mut body) in manifest_objects(manifest) {
        helm_metadata(&mut body, name, namespace);
        let pointers: Vec<&str> = ignore
            .iter()
            .filter(|r| r.applies_to(&obj, namespace))
            .flat_map(|r| r.paths.iter().map(String::as_str))
            .collect();
        let live = match ctx.cluster.get(&obj, namespace).await {
            Ok(Some(live)) => live,
            Ok(None) => {
                drifted.push(Drifted {
                    label: format!("{obj} (deleted)"),
                    obj,
                    body,
                });
                continue;
            }
            Err(_) => continue,
        };
        let Ok(wanted) = ctx
            .cluster
            .apply_dry_run(&obj, body.clone(), namespace)
            .await
        else {
            continue;
        };
        let (mut live, mut wanted) = (comparable(&live), comparable(&wanted));
        for p in &pointers {
            remove_pointer(&mut wanted, p);
        }
        let live_full = live.clone();
        for p in &pointers {
            remove_pointer(&mut live, p);
        }
        if live != wanted {
            for p in &pointers {
                copy_pointer(&live_full, &mut body, p);
            }
            drifted.push(Drifted {
                label: format!("{obj} (modified)"),
                obj,
                body,
            });
        }
    }
    drifted
}

/// The action of state `Drifted`: applies the drifted objects again (mode `enabled`) or leaves
/// them (`warn`). Idempotent: applying the same bodies twice changes nothing more.
pub async fn correct(
    ctx: &Context,
    drifted: Vec<Drifted>,
    mode: DriftMode,
    release: String,
    revision: u32,
    namespace: &str,
) -> Outcome {
    let objects = drifted
        .iter()
        .map(|d| d.label.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let correction = if mode == DriftMode::Enabled {
        match apply_all(ctx, drifted, namespace).await {
            Ok(()) => Correction::Corrected,
            Err(e) => Correction::Failed(e),
        }
    } else {
        Correction::Reported
    };
    Outcome::Drift {
        release,
        revision,
        objects,
        correction,
    }
}

async fn apply_all(ctx: &Context, drifted: Vec<Drifted>, namespace: &str) -> Result<(), String> {
    for d in drifted {
        ctx.cluster
            .apply(&d.obj, d.body, namespace)
            .await
            .map_err(|e| format!("applying {}: {e}", d.obj))?;
    }
    Ok(())
}

/// Sets the field at JSON Pointer `pointer` of `body` to its value in `live` (creating parent
/// objects), or removes it from `body` when `live` has none: a correction leaves it as it is.
fn copy_pointer(live: &Value, body: &mut Value, pointer: &str) {
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

/// An object without the fields every write changes.
fn comparable(obj: &kube::api::DynamicObject) -> Value {
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
