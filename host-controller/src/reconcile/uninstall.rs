//! Uninstalling: the action of state `Deleting` (the HelmRelease is deleted; its finalizer waits
//! for this), and the remediation of a failed install (or, with `strategy: uninstall`, upgrade).
//! `spec.uninstall.keepHistory` keeps the records (the newest marked `uninstalled`, as
//! `helm uninstall --keep-history`); `deletionPropagation` says how dependents are deleted.

use kube::api::PropagationPolicy;
use tokio::time::Instant;

use crate::cluster::{Cluster, manifest_objects};
use crate::crd::DeletionPropagation;
use crate::release::{Release, Store, status};

use super::error::Error;
use super::load::Target;
use super::state::Settings;
use super::status::Outcome;
use super::{apply, hooks};

/// Uninstalls the release of a HelmRelease being deleted: the newest revision that has objects
/// is uninstalled (`pre-delete` hooks, its objects in reverse order, `post-delete` hooks) and
/// every release record is deleted (or kept, with `keepHistory`).
///
/// Guarantees: idempotent (a release already gone uninstalls as nothing). A failure is an
/// [`Outcome::UninstallFailed`]; the reconciler then keeps the finalizer and tries again.
pub async fn cleanup(t: &Target<'_>, history: &[Release]) -> Result<Outcome, Error> {
    if let Some(latest) = history.iter().rev().find(|r| !r.manifest.is_empty())
        && let Err(message) =
            uninstall(&t.cluster, &t.store, latest, &t.namespace, &t.settings).await
    {
        return Ok(Outcome::UninstallFailed { message });
    }
    if !t.settings.keep_history {
        for r in history {
            t.store.delete(r.version).await?;
        }
    }
    Ok(Outcome::Uninstalled {
        release: t.name.clone(),
    })
}

/// Deletes the release's objects (keeping `helm.sh/resource-policy: keep`), with its delete
/// hooks, then every release record, or with `keepHistory` marks `release` `uninstalled`.
pub async fn uninstall(
    cluster: &Cluster,
    store: &Store,
    release: &Release,
    namespace: &str,
    settings: &Settings,
) -> Result<(), String> {
    let deadline = Instant::now() + settings.timeout;
    let delete_hooks: Vec<_> = release
        .hooks
        .iter()
        .filter_map(hooks::from_record)
        .collect();
    let propagation = match settings.propagation {
        DeletionPropagation::Background => PropagationPolicy::Background,
        DeletionPropagation::Foreground => PropagationPolicy::Foreground,
        DeletionPropagation::Orphan => PropagationPolicy::Orphan,
    };
    hooks::run(
        cluster,
        &delete_hooks,
        "pre-delete",
        namespace,
        deadline,
        None,
    )
    .await?;
    for (obj, body) in manifest_objects(&release.manifest).into_iter().rev() {
        if !apply::keep(&body) {
            cluster
                .delete(&obj, namespace, propagation.clone())
                .await
                .map_err(|e| format!("deleting {obj}: {e}"))?;
        }
    }
    hooks::run(
        cluster,
        &delete_hooks,
        "post-delete",
        namespace,
        deadline,
        None,
    )
    .await?;
    if settings.keep_history {
        let mut kept = release.clone();
        kept.info.status = status::UNINSTALLED.into();
        kept.info.description = "Uninstallation complete".into();
        return store.update(&kept).await.map_err(|e| e.to_string());
    }
    for r in store.history().await.map_err(|e| e.to_string())? {
        store.delete(r.version).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}
