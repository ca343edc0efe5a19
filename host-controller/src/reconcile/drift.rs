//! Correcting drift (state `Drifted`): objects of the deployed revision that someone else
//! changed or deleted are found with a server-side dry-run apply and applied again (mode
//! `enabled`) or only reported (`warn`). No new revision is made.

use serde_json::{Value, json};

use crate::cluster::manifest_objects;
use crate::crd::{DriftIgnoreRule, DriftMode, remove_pointer};
use crate::drift::{self, Drift};
use crate::release::helm_metadata;

use super::Context;
use super::state::Drifted;
use super::status::{Correction, Outcome};

/// The objects of `manifest` that someone else deleted or changed ([`crate::drift::check`]).
/// Fields that an `ignore` rule covers are left out of the comparison and keep their live values
/// in the correction. An object that cannot be read or dry-run is not reported (the next check
/// sees it again).
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
        let pointers = drift::ignored(ignore, &obj, namespace);
        let label = match drift::check(&ctx.cluster, &obj, &body, namespace, &pointers).await {
            Ok(Drift::InSync) | Err(_) => continue,
            Ok(Drift::Deleted) => format!("{obj} (deleted)"),
            Ok(Drift::Modified { live_whole, .. }) => {
                for p in &pointers {
                    copy_pointer(&live_whole, &mut body, p);
                }
                format!("{obj} (modified)")
            }
        };
        drifted.push(Drifted { label, obj, body });
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
