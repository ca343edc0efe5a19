//! The action of state `NeedsUpgrade`: a revision after the deployed one (`pending-upgrade`,
//! `pre-upgrade` and `post-upgrade` hooks, rendered with `.Release.IsUpgrade`); the deployed one
//! becomes `superseded` when it succeeds.

use crate::release::{Release, status};

use super::error::Error;
use super::load::Target;
use super::revision::{self, Attempt, Plan};
use super::state::ReleaseAction;

/// Upgrades from revision `from` (deployed) to the spec's chart and values, as the revision
/// after `history`.
pub async fn upgrade(
    t: &Target<'_>,
    history: &[Release],
    from: u32,
    force: bool,
) -> Result<Attempt, Error> {
    let plan = Plan {
        action: ReleaseAction::Upgrade,
        hooks: ("pre-upgrade", "post-upgrade"),
        pending: status::PENDING_UPGRADE,
        description: "Preparing upgrade",
        from: history.iter().find(|r| r.version == from).cloned(),
        force,
    };
    revision::make(t, history, plan).await
}
