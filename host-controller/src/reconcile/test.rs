//! The action of state `Untested`: the chart's test hooks (`test`, and the old name
//! `test-success`) of the revision this reconcile deployed, run as `helm test` runs them. Each
//! hook's `last_run` is recorded in the revision's record. A failed test leaves the release
//! deployed.

use host_runtime::Manifest;
use tokio::time::Instant;

use super::error::Error;
use super::hooks;
use super::load::Target;
use super::state::Deployed;
use super::status::Outcome;

/// Runs the tests of `deployed` (marking it tested) and records their `last_run`.
pub async fn test(t: &Target<'_>, deployed: &mut Deployed) -> Result<Outcome, Error> {
    let deadline = Instant::now() + t.settings.test_timeout;
    let release = &mut deployed.release;
    let mut records = std::mem::take(&mut release.hooks);
    let tests: Vec<Manifest> = deployed
        .hooks
        .iter()
        .filter(|h| {
            h.hook_events
                .iter()
                .any(|e| e == "test" || e == "test-success")
        })
        .cloned()
        .map(|mut h| {
            h.hook_events = vec!["test".into()];
            h
        })
        .collect();
    let result = hooks::run(
        &t.cluster,
        &tests,
        "test",
        &release.namespace,
        deadline,
        Some(&mut records),
    )
    .await;
    release.hooks = records;
    t.store.update(release).await?;
    deployed.tested = true;
    Ok(Outcome::Tested {
        revision: release.version,
        count: tests.len(),
        result,
    })
}
