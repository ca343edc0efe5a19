//! The action of state `Locked`: the newest revision is `pending-*` because the operation that
//! wrote it was interrupted (only one controller acts on a release at a time, so nothing else is
//! running it). It is marked `failed`, and the reconcile goes on with the next state: a release
//! is never left locked.

use crate::release::{Release, status};

use super::error::Error;
use super::load::Target;
use super::status::Outcome;

/// Marks the pending newest revision of `history` failed, in the store and in `history`.
///
/// Guarantees: idempotent; after it, the newest revision is not pending.
/// `None` when it is not pending (there is nothing to unlock).
pub async fn unlock(t: &Target<'_>, history: &mut [Release]) -> Result<Option<Outcome>, Error> {
    let Some(last) = history
        .last_mut()
        .filter(|last| status::is_pending(&last.info.status))
    else {
        return Ok(None);
    };
    let was = std::mem::replace(&mut last.info.status, status::FAILED.to_string());
    last.info.description = format!(
        "{was} was interrupted (the controller stopped or lost the API server mid-operation); \
         marked failed by planton-helm-controller"
    );
    t.store.update(last).await?;
    Ok(Some(Outcome::Unlocked {
        message: last.info.description.clone(),
    }))
}
