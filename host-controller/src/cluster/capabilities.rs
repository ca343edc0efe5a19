//! `.Capabilities` of the live cluster, as `helm install` builds them: the server's version and
//! every API version discovery serves, as `group/version` and `group/version/Kind` (Helm's
//! `action.GetVersionSet`, which takes the kinds of subresources too: `deployments/scale` adds
//! `apps/v1/Scale`; the end-to-end test compares the whole set with `helm install`'s).
//!
//! Discovery is a few dozen requests, so the answer is cached for [`TTL`] and dropped whenever
//! the controller changes CRDs (`Cluster::invalidate_discovery`), so that a chart rendered right
//! after its CRDs were applied sees them, as `helm install` does after installing `crds/`.

use std::collections::BTreeSet;
use std::time::Duration;

use host_runtime::Capabilities;
use kube::Client;
use tokio::time::Instant;

/// How long a discovery is reused when no CRD change of ours invalidated it: CRDs installed by
/// someone else show up within this time.
pub const TTL: Duration = Duration::from_secs(60);

/// A discovery and when it was made.
#[derive(Clone)]
pub struct Cached {
    /// When it was made.
    pub at: Instant,
    /// What it found.
    pub capabilities: Capabilities,
}

impl Cached {
    /// Whether it is still fresh at `now`.
    pub fn fresh(&self, now: Instant) -> bool {
        now.duration_since(self.at) < TTL
    }
}

/// Asks the API server for its version and discovery.
///
/// Guarantees: the API versions are sorted and unique. Like Helm, a group whose resources cannot
/// be listed (an aggregated API that is down) is left out rather than failing the whole
/// discovery (Helm tolerates `ErrGroupDiscoveryFailed`); its `group/version` is still listed.
pub async fn discover(client: &Client) -> Result<Capabilities, kube::Error> {
    let version = client.apiserver_version().await?;
    let mut set = BTreeSet::new();
    let mut add_resources = |gv: &str, list: Result<_, kube::Error>| {
        let list: k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList = match list {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(group_version = gv, error = %e, "discovery of a group failed");
                return;
            }
        };
        for r in list.resources {
            set.insert(format!("{gv}/{}", r.kind));
        }
    };
    let core = client.list_core_api_versions().await?;
    let mut versions = Vec::new();
    for v in core.versions {
        let resources = client.list_core_api_resources(&v).await;
        add_resources(&v, resources);
        versions.push(v);
    }
    for group in client.list_api_groups().await?.groups {
        for gv in group.versions {
            let resources = client.list_api_group_resources(&gv.group_version).await;
            add_resources(&gv.group_version, resources);
            versions.push(gv.group_version);
        }
    }
    set.extend(versions);
    Ok(Capabilities {
        // An API server that reports no version renders with Helm's default, as `helm install`
        // would with an empty one.
        kube_version: Some(version.git_version).filter(|v| !v.is_empty()),
        api_versions: set.into_iter().collect(),
        live: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discovery_is_reused_until_its_ttl_ends() {
        let at = Instant::now();
        let cached = Cached {
            at,
            capabilities: Capabilities {
                kube_version: Some("v1.37.2".into()),
                api_versions: vec!["v1".into()],
                live: true,
            },
        };
        assert!(cached.fresh(at));
        assert!(cached.fresh(at + TTL - Duration::from_millis(1)));
        assert!(!cached.fresh(at + TTL));
    }
}
