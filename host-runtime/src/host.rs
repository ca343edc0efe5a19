//! What the embedder answers when the core asks the outside world (the WIT `host` interface).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::Datetime;

/// The embedder's side of the WIT `planton:helm/host` interface, one value per call.
pub trait HostServices: Send {
    /// `lookup` for templates: the object as JSON, or `None`. A `name` of `None` asks for a list
    /// (a `<kind>List`); a `namespace` of `None` means every namespace, or a cluster-scoped kind.
    fn lookup(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Option<String>;
    /// The seed of the render's random source.
    fn random_seed(&mut self) -> u64;
    /// The current time, for `now` and friends.
    fn now(&mut self) -> Datetime;
}

/// `helm template`'s answers: no cluster, so `lookup` finds nothing; OS randomness and the system
/// clock unless a fixed seed or time is set for reproducible output.
#[derive(Debug, Default, Clone, Copy)]
pub struct OfflineHost {
    seed: Option<u64>,
    now: Option<Datetime>,
}

impl OfflineHost {
    /// Answers `random-seed` with `seed` instead of OS randomness.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Answers `now` with `now` instead of the system clock.
    pub fn with_now(mut self, now: Datetime) -> Self {
        self.now = Some(now);
        self
    }
}

impl HostServices for OfflineHost {
    fn lookup(&mut self, _: &str, _: &str, _: Option<&str>, _: Option<&str>) -> Option<String> {
        None
    }

    fn random_seed(&mut self) -> u64 {
        self.seed.unwrap_or_else(|| {
            // std seeds each `RandomState` from the OS's random source, so hashing the clock with a
            // fresh one gives an unpredictable seed without another dependency.
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(since_epoch().as_nanos());
            h.finish()
        })
    }

    fn now(&mut self) -> Datetime {
        self.now.unwrap_or_else(|| {
            let t = since_epoch();
            Datetime {
                seconds: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
                nanoseconds: t.subsec_nanos(),
            }
        })
    }
}

fn since_epoch() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}
