//! The action of state `NeedsInstall`: the first revision (`pending-install`, `pre-install` and
//! `post-install` hooks, rendered with `.Release.IsInstall`).

use crate::release::{Release, status};

use super::error::Error;
use super::load::Target;
use super::revision::{self, Attempt, Plan};
use super::state::ReleaseAction;

/// Installs the spec's chart as the revision after `history` (which has no deployed revision;
/// its failed ones are pruned of objects the new revision does not have).
pub async fn install(t: &Target<'_>, history: &[Release], force: bool) -> Result<Attempt, Error> {
    let plan = Plan {
        action: ReleaseAction::Install,
        hooks: ("pre-install", "post-install"),
        pending: status::PENDING_INSTALL,
        description: "Initial install underway",
        from: None,
        force,
    };
    revision::make(t, history, plan).await
}
