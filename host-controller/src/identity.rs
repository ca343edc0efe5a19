//! Who a release acts as. Every cluster call made for a release (reads, applies, deletes, hooks,
//! readiness waits, drift dry runs, the chart's `lookup`) is made as its service account,
//! `spec.serviceAccountName` in the HelmRelease's namespace, else the controller's
//! `--default-service-account` there, through Kubernetes impersonation (the header
//! `Impersonate-User: system:serviceaccount:NS:NAME`, so the API server authorizes the request
//! as that account and its groups). With neither, a release acts as the controller itself, as
//! Flux's helm-controller does. The controller's own identity is for its own objects only:
//! HelmReleases and their status, Events, the Lease, release records, and the Secrets a spec
//! references.
//!
//! A refusal of the API server (403) becomes a [`Forbidden`] that names who may not do what
//! where, parsed from the API server's `Status` message.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::cluster::Cluster;
use crate::crd::HelmRelease;

/// The identity a release acts as.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Identity {
    /// The controller's own: no service account named and no default.
    Controller,
    /// A service account, impersonated.
    ServiceAccount {
        /// Its namespace (the HelmRelease's).
        namespace: String,
        /// Its name.
        name: String,
    },
}

impl Identity {
    /// The user name the API server knows the identity by, when it is impersonated.
    pub fn username(&self) -> Option<String> {
        match self {
            Identity::Controller => None,
            Identity::ServiceAccount { namespace, name } => {
                Some(format!("system:serviceaccount:{namespace}:{name}"))
            }
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::Controller => f.write_str("the controller's own identity"),
            Identity::ServiceAccount { namespace, name } => {
                write!(f, "service account {namespace}/{name}")
            }
        }
    }
}

/// An impersonating client could not be built (a name that is no valid header value).
#[derive(Debug, thiserror::Error)]
#[error("cannot act as {identity}: {reason}")]
pub struct IdentityError {
    /// Whom the release should act as.
    pub identity: Identity,
    /// Why it cannot.
    pub reason: String,
}

/// The identities releases act as, with one client per identity, made once and kept.
#[derive(Clone)]
pub struct Identities {
    own: Cluster,
    config: Option<kube::Config>,
    default_service_account: Option<String>,
    clusters: Arc<Mutex<HashMap<String, Cluster>>>,
}

impl Identities {
    /// Releases act as their service account, or `default_service_account`, through clients
    /// built from `config` (the controller's own connection); `own` is the controller's client.
    /// Without `config` (a library caller that gave only a client), a release that names a
    /// service account cannot act: [`Identities::cluster`] fails for it.
    pub fn new(
        own: Cluster,
        config: Option<kube::Config>,
        default_service_account: Option<String>,
    ) -> Identities {
        Identities {
            own,
            config,
            default_service_account: default_service_account.filter(|s| !s.is_empty()),
            clusters: Arc::default(),
        }
    }

    /// The controller's own client.
    pub fn own(&self) -> &Cluster {
        &self.own
    }

    /// Whom `hr`'s release acts as: `spec.serviceAccountName`, else the default service account,
    /// in the HelmRelease's namespace; else the controller.
    pub fn of(&self, hr: &HelmRelease) -> Identity {
        let name = hr
            .spec
            .service_account_name
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| self.default_service_account.clone());
        match (name, hr.metadata.namespace.clone()) {
            (Some(name), Some(namespace)) => Identity::ServiceAccount { namespace, name },
            _ => Identity::Controller,
        }
    }

    /// The client that acts as `identity`, sharing the controller's discovery caches.
    ///
    /// Guarantees: one client per identity for the life of the controller (its connections are
    /// reused); the controller's own client for [`Identity::Controller`].
    pub fn cluster(&self, identity: &Identity) -> Result<Cluster, IdentityError> {
        let Some(user) = identity.username() else {
            return Ok(self.own.clone());
        };
        if let Some(c) = self.clusters.lock().expect("not poisoned").get(&user) {
            return Ok(c.clone());
        }
        let fail = |reason: String| IdentityError {
            identity: identity.clone(),
            reason,
        };
        let mut config = self.config.clone().ok_or_else(|| {
            fail(
                "the controller was started without a kube::Config to impersonate from \
                 (ControllerOptions::config)"
                    .into(),
            )
        })?;
        config.auth_info.impersonate = Some(user.clone());
        // The API server gives an impersonated service account its groups
        // (system:serviceaccounts, system:serviceaccounts:NS, system:authenticated) itself when
        // none are named.
        config.auth_info.impersonate_groups = None;
        let client = kube::Client::try_from(config).map_err(|e| fail(e.to_string()))?;
        let cluster = self.own.with_client(client);
        self.clusters
            .lock()
            .expect("not poisoned")
            .insert(user, cluster.clone());
        Ok(cluster)
    }
}

/// The API server refused a request (403): who may not do what, where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forbidden {
    /// The user the API server authorized (`system:serviceaccount:NS:NAME`); empty when its
    /// message did not say.
    pub user: String,
    /// `get`, `patch`, `create`, `delete`, `impersonate`, ...
    pub verb: String,
    /// The resource and its API group: `configmaps`, `deployments.apps`.
    pub resource: String,
    /// The namespace; `None` at the cluster scope.
    pub namespace: Option<String>,
    /// The API server's message, when it was not in the usual form.
    pub unparsed: Option<String>,
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(message) = &self.unparsed {
            return write!(f, "forbidden: {message}");
        }
        let scope = match &self.namespace {
            Some(ns) => format!("in namespace {ns}"),
            None => "at the cluster scope".to_string(),
        };
        write!(
            f,
            "forbidden: {} may not {} {} {scope}",
            self.user, self.verb, self.resource
        )?;
        if self.verb == "impersonate" {
            f.write_str(
                "; the controller's own account needs the impersonate verb on serviceaccounts \
                 (its ClusterRole in deploy/chart)",
            )
        } else if self.user.starts_with("system:serviceaccount:") {
            let grant = match &self.namespace {
                Some(ns) => format!("a Role and RoleBinding in {ns}"),
                None => "a ClusterRole and ClusterRoleBinding".to_string(),
            };
            write!(
                f,
                "; grant that account the right with {grant}, or name an account that has it \
                 in spec.serviceAccountName (docs/controller.md, \"Identity\")"
            )
        } else {
            Ok(())
        }
    }
}

impl std::error::Error for Forbidden {}

/// The [`Forbidden`] that `e` is, if the API server refused the request.
pub fn forbidden(e: &kube::Error) -> Option<Forbidden> {
    match e {
        kube::Error::Api(status) if status.code == 403 => Some(parse_forbidden(&status.message)),
        _ => None,
    }
}

/// Reads the API server's RBAC refusal: `... is forbidden: User "U" cannot VERB resource "R" in
/// API group "G" in the namespace "NS"` (or `at the cluster scope`).
fn parse_forbidden(message: &str) -> Forbidden {
    let parsed = (|| {
        let (_, rest) = message.split_once("User \"")?;
        let (user, rest) = rest.split_once("\" cannot ")?;
        let (verb, rest) = rest.split_once(" resource \"")?;
        let (resource, rest) = rest.split_once("\" in API group \"")?;
        let (group, rest) = rest.split_once('"')?;
        let namespace = match rest.trim_start().strip_prefix("in the namespace \"") {
            Some(ns) => Some(ns.split_once('"')?.0.to_string()),
            None => None,
        };
        let resource = if group.is_empty() {
            resource.to_string()
        } else {
            format!("{resource}.{group}")
        };
        Some(Forbidden {
            user: user.to_string(),
            verb: verb.to_string(),
            resource,
            namespace,
            unparsed: None,
        })
    })();
    parsed.unwrap_or_else(|| Forbidden {
        user: String::new(),
        verb: String::new(),
        resource: String::new(),
        namespace: None,
        unparsed: Some(message.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_who_may_not_do_what_where() {
        let f = parse_forbidden(
            "configmaps \"web\" is forbidden: User \"system:serviceaccount:team-a:deployer\" \
             cannot patch resource \"configmaps\" in API group \"\" in the namespace \"team-b\"",
        );
        assert_eq!(f.user, "system:serviceaccount:team-a:deployer");
        assert_eq!(f.verb, "patch");
        assert_eq!(f.resource, "configmaps");
        assert_eq!(f.namespace.as_deref(), Some("team-b"));
        assert_eq!(
            f.to_string(),
            "forbidden: system:serviceaccount:team-a:deployer may not patch configmaps in \
             namespace team-b; grant that account the right with a Role and RoleBinding in \
             team-b, or name an account that has it in spec.serviceAccountName \
             (docs/controller.md, \"Identity\")"
        );
        let f = parse_forbidden(
            "namespaces is forbidden: User \"system:serviceaccount:a:d\" cannot create resource \
             \"customresourcedefinitions\" in API group \"apiextensions.k8s.io\" at the cluster \
             scope",
        );
        assert_eq!(f.resource, "customresourcedefinitions.apiextensions.k8s.io");
        assert_eq!(f.namespace, None);
        assert!(f.to_string().contains("at the cluster scope"), "{f}");
        let f = parse_forbidden(
            "users \"system:serviceaccount:a:d\" is forbidden: User \"system:serviceaccount:ph:c\" \
             cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \
             \"a\"",
        );
        assert!(f.to_string().contains("needs the impersonate verb"), "{f}");
        let f = parse_forbidden("something else");
        assert_eq!(f.to_string(), "forbidden: something else");
    }

    #[test]
    fn a_release_acts_as_its_account_else_the_default_else_the_controller() {
        let hr = |sa: Option<&str>| {
            let mut hr = HelmRelease::new(
                "web",
                serde_json::from_value(serde_json::json!({
                    "repo": "oci://r/c", "name": "web", "version": "1.0.0"
                }))
                .unwrap(),
            );
            hr.metadata.namespace = Some("team-a".into());
            hr.spec.service_account_name = sa.map(str::to_string);
            hr
        };
        let sa = |name: &str| Identity::ServiceAccount {
            namespace: "team-a".into(),
            name: name.into(),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // A client needs a runtime to exist in; no request is made.
        let _guard = rt.enter();
        let config = kube::Config::new("https://127.0.0.1:1".parse().unwrap());
        let own = Cluster::new(kube::Client::try_from(config.clone()).unwrap());
        let none = Identities::new(own.clone(), Some(config.clone()), None);
        let default = Identities::new(own, Some(config), Some("tenant".into()));
        assert_eq!(none.of(&hr(None)), Identity::Controller);
        assert_eq!(none.of(&hr(Some("deployer"))), sa("deployer"));
        assert_eq!(default.of(&hr(None)), sa("tenant"));
        assert_eq!(default.of(&hr(Some("deployer"))), sa("deployer"));
        assert_eq!(
            sa("deployer").username().as_deref(),
            Some("system:serviceaccount:team-a:deployer")
        );
        assert!(default.cluster(&sa("deployer")).is_ok());
    }
}
