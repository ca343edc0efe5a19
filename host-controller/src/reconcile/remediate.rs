//! The action of state `FailedThisGeneration`: remediate the failed revision as the state says
//! (between retries, and after the last failure with `atomic` / `remediateLastFailure`: roll an
//! upgrade back or uninstall it as `upgrade.remediation.strategy` says, uninstall a failed
//! install), then record the failure.
//!
//! A rollback is Helm's: the restored revision is recorded again as a new revision
//! (`pending-rollback` -> `deployed`, description `Rollback to N`), its stored `pre-rollback` and
//! `post-rollback` hooks run around the apply and the wait, and what the failed revision added is
//! pruned. An interrupted rollback leaves `pending-rollback`, which state `Locked` unlocks.

use jiff::Timestamp;
use tokio::time::Instant;

use crate::release::{Release, status};
use crate::wait::{WaitRules, wait_applied};

use super::error::Error;
use super::load::Target;
use super::state::{Failure, Remediation, last_deployed};
use super::status::Outcome;
use super::{apply, hooks, uninstall};

/// Remediates `failure` (when `remediation` says how), keeps the history within its limit and
/// returns the failure's outcome, whose message says what was remediated.
pub async fn remediate(
    t: &Target<'_>,
    history: &[Release],
    failure: &Failure,
    remediation: Option<Remediation>,
) -> Result<Outcome, Error> {
    let failed = &failure.release;
    let mut message = format!(
        "{} of revision {} failed: {}",
        failure.action.verb(),
        failed.version,
        failure.why
    );
    let what = match remediation {
        Some(Remediation::Uninstall) => "uninstall",
        _ => "rollback",
    };
    let remedied = match remediation {
        None => None,
        Some(Remediation::Rollback { to }) => {
            Some(match history.iter().find(|r| r.version == to) {
                Some(target) => rollback(t, failed, target)
                    .await
                    .map(|rev| format!("; rolled back to revision {to} as revision {rev}")),
                None => Err(format!("revision {to} is not in the history")),
            })
        }
        Some(Remediation::Uninstall) => Some({
            // What the failed upgrade did not get to prune is the release's too.
            let mut gone = failed.clone();
            if let Some(d) = last_deployed(history) {
                gone.manifest.push_str(&d.manifest);
            }
            uninstall::uninstall(&t.cluster, &t.store, &gone, &t.namespace, &t.settings)
                .await
                .map(|()| {
                    format!(
                        "; the failed {} was uninstalled",
                        failure.action.verb().to_lowercase()
                    )
                })
        }),
    };
    match remedied {
        Some(Ok(note)) => message.push_str(&note),
        Some(Err(e)) => message.push_str(&format!("; the {what} failed too: {e}")),
        None => {}
    }
    t.store.prune(t.settings.history_limit).await?;
    Ok(Outcome::Failed {
        action: failure.action,
        message,
    })
}

/// Rolls back to `target` as a new revision after `failed`; returns the new revision.
async fn rollback(t: &Target<'_>, failed: &Release, target: &Release) -> Result<u32, String> {
    let (cluster, store, settings) = (&t.cluster, &t.store, &t.settings);
    let mut release = target.clone();
    release.version = failed.version + 1;
    release.info.status = status::PENDING_ROLLBACK.into();
    release.info.description = format!("Rollback to {}", target.version);
    release.info.last_deployed = Some(Timestamp::now().to_string());
    store.create(&release).await.map_err(|e| e.to_string())?;
    let deadline = Instant::now() + settings.timeout;
    // As `helm rollback`: the hooks are those of the revision being restored.
    let rollback_hooks: Vec<_> = target.hooks.iter().filter_map(hooks::from_record).collect();
    let namespace = release.namespace.clone();
    let mut records = std::mem::take(&mut release.hooks);
    let result = async {
        hooks::run(
            cluster,
            &rollback_hooks,
            "pre-rollback",
            &namespace,
            deadline,
            Some(&mut records),
        )
        .await?;
        let rollout = apply::deploy(
            cluster,
            &release.manifest,
            &failed.manifest,
            &release.name,
            &namespace,
            settings.force,
        )
        .await?;
        // The slot is given up while waiting, as an install's or upgrade's wait gives it up.
        let wait = wait_applied(
            cluster,
            rollout.live,
            &namespace,
            deadline,
            WaitRules::default(),
        );
        t.slot.released_while(wait).await?;
        hooks::run(
            cluster,
            &rollback_hooks,
            "post-rollback",
            &namespace,
            deadline,
            Some(&mut records),
        )
        .await
    }
    .await;
    release.hooks = records;
    release.info.status = match result {
        Ok(()) => status::DEPLOYED,
        Err(_) => status::FAILED,
    }
    .into();
    if let Err(e) = &result {
        release.info.description = format!("Rollback \"{}\" failed: {e}", release.name);
    }
    store.update(&release).await.map_err(|e| e.to_string())?;
    result?;
    let mut old = target.clone();
    old.info.status = status::SUPERSEDED.into();
    store.update(&old).await.map_err(|e| e.to_string())?;
    Ok(release.version)
}
