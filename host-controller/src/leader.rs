//! Leader election through a `coordination.k8s.io/v1` Lease, as client-go's `leaderelection`
//! does it, so that of several replicas exactly one reconciles.
//!
//! Guarantees: an instance reconciles only while it holds the Lease; it renews the Lease every
//! `lease_duration / 5` and stops reconciling (the caller exits) when it could not renew for
//! `2/3 * lease_duration`, which is before any other instance may take over; a graceful shutdown
//! releases the Lease (holder cleared), so a standby takes over at its next attempt instead of
//! after the lease expires.
//! Assumptions: clocks may differ between instances: expiry is judged by how long *this*
//! instance has seen the Lease unchanged, never by comparing `renewTime` with the local clock.
//! Caveats: an instance that loses the Lease while a reconcile is in flight abandons that
//! reconcile, as a crash would; reconciles are written to survive that (see `reconcile`).

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client};
use tokio::time::Instant;

/// Where the Lease is and who this instance is.
#[derive(Clone, Debug)]
pub struct LeaderElection {
    /// The Lease's namespace (the controller's own).
    pub namespace: String,
    /// The Lease's name.
    pub name: String,
    /// This instance's identity, written as the Lease's holder (the Pod name in a cluster).
    pub identity: String,
    /// How long a Lease that is not renewed keeps others out.
    pub lease_duration: Duration,
}

impl LeaderElection {
    /// The default Lease name.
    pub const DEFAULT_NAME: &'static str = "planton-helm-controller";
    /// The default lease duration (client-go's default).
    pub const DEFAULT_DURATION: Duration = Duration::from_secs(15);

    /// An election for Lease `namespace/name` with the default duration.
    pub fn new(namespace: &str, name: &str, identity: &str) -> LeaderElection {
        LeaderElection {
            namespace: namespace.to_string(),
            name: name.to_string(),
            identity: identity.to_string(),
            lease_duration: Self::DEFAULT_DURATION,
        }
    }

    /// The Lease name of an instance that reconciles only the releases `selector` matches
    /// (`--watch-label-selector`): `base` and the first 8 hex digits of the selector's SHA-256,
    /// as Flux names its shards' Leases (`leaderelection.GenerateID`). Shards with different
    /// selectors thus hold different Leases (each shard elects its own leader) without being
    /// told a name; `base` alone when there is no selector.
    pub fn shard_name(base: &str, selector: Option<&str>) -> String {
        use sha2::Digest as _;
        match selector {
            Some(selector) if !base.is_empty() => {
                let digest = sha2::Sha256::digest(selector.as_bytes());
                let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
                format!("{base}-{hex}")
            }
            _ => base.to_string(),
        }
    }

    /// How often the holder renews and a standby tries to acquire.
    pub fn retry_period(&self) -> Duration {
        (self.lease_duration / 5).max(Duration::from_millis(100))
    }

    /// How long the holder keeps acting without a successful renewal.
    pub fn renew_deadline(&self) -> Duration {
        self.lease_duration * 2 / 3
    }
}

/// This instance's identity when none is given: `$POD_NAME`, else `HOSTNAME-PID`.
pub fn default_identity() -> String {
    if let Ok(pod) = std::env::var("POD_NAME")
        && !pod.is_empty()
    {
        return pod;
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_string());
    format!("{host}-{}", std::process::id())
}

/// One instance's side of the election.
pub struct Elector {
    api: Api<Lease>,
    config: LeaderElection,
    /// The Lease as last seen (resource version) and when it was first seen so, for expiry.
    observed: Option<(String, Instant)>,
}

impl Elector {
    /// An elector that has not tried yet.
    pub fn new(client: Client, config: LeaderElection) -> Elector {
        Elector {
            api: Api::namespaced(client, &config.namespace),
            config,
            observed: None,
        }
    }

    /// The election's settings.
    pub fn config(&self) -> &LeaderElection {
        &self.config
    }

    /// One attempt: creates, renews or takes over the Lease. `Ok(true)` when this instance holds
    /// it afterwards; `Ok(false)` when another live holder has it or another instance won a race.
    /// Idempotent: safe to call at any time, as often as wanted.
    pub async fn try_acquire_or_renew(&mut self) -> Result<bool, kube::Error> {
        let now = MicroTime(k8s_openapi::jiff::Timestamp::now());
        let seconds = i32::try_from(self.config.lease_duration.as_secs().max(1)).unwrap_or(15);
        let Some(mut lease) = self.api.get_opt(&self.config.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.config.name.clone()),
                    namespace: Some(self.config.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(self.config.identity.clone()),
                    lease_duration_seconds: Some(seconds),
                    acquire_time: Some(now.clone()),
                    renew_time: Some(now),
                    lease_transitions: Some(0),
                    ..LeaseSpec::default()
                }),
            };
            return conflict_is_false(self.api.create(&PostParams::default(), &lease).await);
        };
        let version = lease.metadata.resource_version.clone().unwrap_or_default();
        let seen_at = match &self.observed {
            Some((v, at)) if *v == version => *at,
            _ => {
                let at = Instant::now();
                self.observed = Some((version, at));
                at
            }
        };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        let holder = spec.holder_identity.clone().unwrap_or_default();
        if holder == self.config.identity {
            spec.renew_time = Some(now);
            spec.lease_duration_seconds = Some(seconds);
        } else {
            let theirs = spec
                .lease_duration_seconds
                .map_or(self.config.lease_duration, |s| {
                    Duration::from_secs(s.max(0) as u64)
                });
            if !holder.is_empty() && seen_at.elapsed() < theirs {
                return Ok(false);
            }
            spec.holder_identity = Some(self.config.identity.clone());
            spec.acquire_time = Some(now.clone());
            spec.renew_time = Some(now);
            spec.lease_duration_seconds = Some(seconds);
            spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
        }
        // The resource version in `lease` makes this a compare-and-swap: of two instances
        // taking over at once, one gets a conflict.
        conflict_is_false(
            self.api
                .replace(&self.config.name, &PostParams::default(), &lease)
                .await,
        )
    }

    /// Gives the Lease up if this instance holds it: the holder is cleared and the duration set
    /// to one second, so a standby acquires it at its next attempt.
    pub async fn release(&mut self) -> Result<(), kube::Error> {
        let Some(mut lease) = self.api.get_opt(&self.config.name).await? else {
            return Ok(());
        };
        let Some(spec) = lease.spec.as_mut() else {
            return Ok(());
        };
        if spec.holder_identity.as_deref() != Some(self.config.identity.as_str()) {
            return Ok(());
        }
        spec.holder_identity = None;
        spec.lease_duration_seconds = Some(1);
        spec.renew_time = Some(MicroTime(k8s_openapi::jiff::Timestamp::now()));
        conflict_is_false(
            self.api
                .replace(&self.config.name, &PostParams::default(), &lease)
                .await,
        )
        .map(|_| ())
    }

    /// Tries every retry period until this instance holds the Lease.
    pub async fn acquire(&mut self) {
        loop {
            match self.try_acquire_or_renew().await {
                Ok(true) => return,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %e, lease = self.config.name, "acquiring the lease failed")
                }
            }
            tokio::time::sleep(self.config.retry_period()).await;
        }
    }

    /// Renews every retry period while this instance holds the Lease; returns when it could not
    /// renew for the renew deadline (or another instance holds it): leadership is lost.
    pub async fn keep(&mut self) {
        let mut renewed = Instant::now();
        loop {
            tokio::time::sleep(self.config.retry_period()).await;
            match self.try_acquire_or_renew().await {
                Ok(true) => renewed = Instant::now(),
                Ok(false) => {
                    tracing::error!(lease = self.config.name, "another instance holds the lease");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, lease = self.config.name, "renewing the lease failed")
                }
            }
            if renewed.elapsed() >= self.config.renew_deadline() {
                tracing::error!(
                    lease = self.config.name,
                    "the lease could not be renewed within the renew deadline"
                );
                return;
            }
        }
    }
}

fn conflict_is_false<T>(result: Result<T, kube::Error>) -> Result<bool, kube::Error> {
    match result {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_comes_well_before_the_deadline_and_the_deadline_before_expiry() {
        let e = LeaderElection::new("ns", "lease", "me");
        assert_eq!(e.retry_period(), Duration::from_secs(3));
        assert_eq!(e.renew_deadline(), Duration::from_secs(10));
        assert!(e.renew_deadline() < e.lease_duration);
        let short = LeaderElection {
            lease_duration: Duration::from_millis(200),
            ..e
        };
        assert_eq!(short.retry_period(), Duration::from_millis(100));
    }

    #[test]
    fn a_shard_holds_its_own_lease_named_as_flux_names_it() {
        // sha256("sharding.fluxcd.io/key in (shard1)") starts 7ee98f29 (sha256sum agrees).
        assert_eq!(
            LeaderElection::shard_name(
                "planton-helm-controller",
                Some("sharding.fluxcd.io/key in (shard1)")
            ),
            "planton-helm-controller-7ee98f29"
        );
        assert_eq!(
            LeaderElection::shard_name("planton-helm-controller", None),
            "planton-helm-controller"
        );
        assert_ne!(
            LeaderElection::shard_name("x", Some("key=a")),
            LeaderElection::shard_name("x", Some("key=b"))
        );
    }
}
