//! Waiting for a cluster (or a server) to reach a state.

use std::future::Future;
use std::time::Duration;

/// Polls `check` every `every` until it returns `Some`, failing the test with `what` after
/// `timeout`.
pub async fn eventually_within<T, F, Fut>(
    what: &str,
    timeout: Duration,
    every: Duration,
    mut check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(every).await;
    }
}
