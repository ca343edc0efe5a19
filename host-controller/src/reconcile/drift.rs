//! Correcting drift (state `Drifted`): objects of the deployed revision that someone else
//! changed or deleted are found with a server-side dry-run apply and applied again (mode
//! `enabled`) or only reported (`warn`). No new revision is made.

use crate::cluster::{Cluster, manifest_objects};
use crate::crd::{DriftIgnoreRule, DriftMode};
use crate::drift::{self, Drift, copy_pointer};
use crate::release::helm_metadata;

use super::condition::Reason;
use super::state::Drifted;
use super::status::{Correction, Outcome};

/// What a drift check found.
#[derive(Debug, Default)]
pub struct Found {
    /// Objects deleted, or changed where the release still owns the fields.
    pub drifted: Vec<Drifted>,
    /// Fields that other field managers took over, `Kind ns/name .field (conflict with ...)`:
    /// left alone unless `force` (then they are drift, taken back).
    pub held: Vec<String>,
}

/// The objects of `manifest` that someone else deleted or changed ([`crate::drift::check`]).
/// Without `force` the check, as the apply, leaves fields that another field manager owns to it:
/// they are reported in [`Found::held`], not as drift. Fields that an `ignore` rule covers are
/// left out of the comparison and keep their live values in the correction. An object that
/// cannot be read or dry-run is not reported (the next check sees it again).
pub async fn detect(
    cluster: &Cluster,
    manifest: &str,
    name: &str,
    namespace: &str,
    ignore: &[DriftIgnoreRule],
    force: bool,
) -> Found {
    let mut found = Found::default();
    for (obj, mut body) in manifest_objects(manifest) {
        helm_metadata(&mut body, name, namespace);
        let pointers = drift::ignored(ignore, &obj, namespace);
        let Ok((checked, held)) =
            drift::check(cluster, &obj, &body, namespace, &pointers, force).await
        else {
            continue;
        };
        found.held.extend(held);
        let label = match checked {
            Drift::InSync => continue,
            Drift::Deleted => format!("{obj} (deleted)"),
            Drift::Modified { live_whole, .. } => {
                for p in &pointers {
                    copy_pointer(&live_whole, &mut body, p);
                }
                format!("{obj} (modified)")
            }
        };
        found.drifted.push(Drifted { label, obj, body });
    }
    found
}

/// The action of state `Drifted`: applies the drifted objects again (mode `enabled`) or leaves
/// them (`warn`); fields other field managers hold stay theirs unless `force`. Idempotent:
/// applying the same bodies twice changes nothing more.
pub async fn correct(
    cluster: &Cluster,
    found: Found,
    mode: DriftMode,
    force: bool,
    (release, revision, reason): (String, u32, Reason),
    namespace: &str,
) -> Outcome {
    let objects = found
        .drifted
        .iter()
        .map(|d| d.label.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut held = found.held;
    let correction = if mode == DriftMode::Enabled {
        match apply_all(cluster, found.drifted, namespace, force).await {
            Ok(left) => {
                held.extend(left);
                Correction::Corrected
            }
            Err(e) => Correction::Failed(e),
        }
    } else {
        Correction::Reported
    };
    held.sort();
    held.dedup();
    Outcome::Drift {
        release,
        revision,
        reason,
        objects,
        correction,
        held,
    }
}

async fn apply_all(
    cluster: &Cluster,
    drifted: Vec<Drifted>,
    namespace: &str,
    force: bool,
) -> Result<Vec<String>, String> {
    let mut left = Vec::new();
    for d in drifted {
        let applied = cluster
            .apply(&d.obj, d.body, namespace, force)
            .await
            .map_err(|e| format!("applying {}: {e}", d.obj))?;
        left.extend(applied.left);
    }
    Ok(left)
}
