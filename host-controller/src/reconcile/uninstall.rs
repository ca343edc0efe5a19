//! Uninstalling: the action of state `Deleting` (the HelmRelease is deleted; its finalizer waits
//! for this), and the remediation of a failed first install.

use tokio::time::Instant;

use crate::cluster::manifest_objects;
use crate::release::{Release, Store};

use super::error::Error;
use super::load::Target;
use super::status::Outcome;
use super::{Context, apply, hooks};

/// Uninstalls the release of a HelmRelease being deleted: the newest revision that has objects
/// is uninstalled (`pre-delete` hooks, its objects in reverse order, `post-delete` hooks) and
/// every release record is deleted.
///
/// Guarantees: idempotent (a release already gone uninstalls as nothing).
pub async fn cleanup(t: &Target<'_>, history: &[Release]) -> Result<Outcome, Error> {
    if let Some(latest) = history.iter().rev().find(|r| !r.manifest.is_empty())
        && let Err(message) =
            uninstall(t.ctx, &t.store, latest, &t.namespace, t.settings.timeout).await
    {
        return Ok(Outcome::UninstallFailed { message });
    }
    for r in history {
        t.store.delete(r.version).await?;
    }
    Ok(Outcome::Uninstalled {
        release: t.name.clone(),
    })
}

/// Deletes the release's objects (keeping `helm.sh/resource-policy: keep`), with its delete
/// hooks, then every release record.
pub async fn uninstall(
    ctx: &Context,
    store: &Store,
    release: &Release,
    namespace: &str,
    timeout: std::time::Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let delete_hooks: Vec<_> = release
        .hooks
        .iter()
        .filter_map(hooks::from_record)
        .collect();
    hooks::run(ctx, &delete_hooks, "pre-delete", namespace, deadline, None).await?;
    for (obj, body) in manifest_objects(&release.manifest).into_iter().rev() {
        if !apply::keep(&body) {
            ctx.cluster
                .delete(&obj, namespace)
                .await
                .map_err(|e| format!("deleting {obj}: {e}"))?;
        }
    }
    hooks::run(ctx, &delete_hooks, "post-delete", namespace, deadline, None).await?;
    for r in store.history().await.map_err(|e| e.to_string())? {
        store.delete(r.version).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}
