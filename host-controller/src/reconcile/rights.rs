//! Checking, before a revision writes anything (its record included), that the release's identity
//! may do what the revision needs: read and apply each of its objects and hooks, delete its
//! hooks, and delete what the previous revision had and this one prunes. Each object is applied
//! as a server-side dry run and deleted as a dry run, so the API server's own authorization
//! (RBAC, and its admission of the object) answers, object by object. A refusal stops the
//! revision before its first write: a release whose account lacks a right leaves nothing
//! half-applied.
//!
//! The right to read is asked of the API server once per kind and namespace (a
//! `SelfSubjectAccessReview`, remembered for [`crate::cluster::GRANT_TTL`]); a right withdrawn
//! within that time shows at the read itself.
//!
//! Caveats: an object of a kind that does not exist yet (one the revision's own CRDs define) or
//! in a namespace that does not exist is not checked here (the dry run cannot be made); the
//! apply reports what then fails. Only refusals (403) stop the revision; other dry-run errors
//! are left to the apply, which reports them as the revision's failure.

use std::collections::BTreeSet;

use host_runtime::Manifest;
use serde_json::Value;

use crate::cluster::{Cluster, ObjectRef, manifest_objects};
use crate::identity::{Forbidden, forbidden};
use crate::release::helm_metadata;

/// `Err` names the first request the identity of `cluster` is refused among those that applying
/// `manifest` and running `hooks` (replacing `previous`) need.
pub async fn check(
    cluster: &Cluster,
    manifest: &str,
    hooks: &[Manifest],
    previous: &str,
    (name, namespace): (&str, &str),
) -> Result<(), Forbidden> {
    let mut keys = BTreeSet::new();
    for (obj, mut body) in manifest_objects(manifest) {
        keys.insert(obj.key(namespace));
        helm_metadata(&mut body, name, namespace);
        may_apply(cluster, &obj, body, namespace).await?;
    }
    for hook in hooks {
        let Ok(body) = serde_saphyr::from_str::<Value>(&hook.body) else {
            continue;
        };
        let obj = ObjectRef {
            api_version: hook.api_version.clone(),
            kind: hook.kind.clone(),
            namespace: hook.namespace.clone(),
            name: hook.name.clone(),
        };
        may_apply(cluster, &obj, body, namespace).await?;
        refused(cluster.delete_dry_run(&obj, namespace).await)?;
    }
    for (obj, _) in manifest_objects(previous) {
        if !keys.contains(&obj.key(namespace)) {
            refused(cluster.delete_dry_run(&obj, namespace).await)?;
        }
    }
    Ok(())
}

/// Reading (readiness, drift) and applying `obj`.
async fn may_apply(
    cluster: &Cluster,
    obj: &ObjectRef,
    body: Value,
    namespace: &str,
) -> Result<(), Forbidden> {
    // Reading is asked once per kind and namespace for a while (N releases of one account
    // share the answer); only a refusal reads the object itself, for the API server's message.
    if !cluster.granted("get", obj, namespace).await {
        refused(cluster.get(obj, namespace).await)?;
    }
    refused(cluster.apply_dry_run(obj, body, namespace, true).await)
}

/// The refusal in `result`, if it is one; anything else is for the real request to report.
fn refused<T>(result: Result<T, kube::Error>) -> Result<(), Forbidden> {
    match result {
        Err(e) => forbidden(&e).map_or(Ok(()), Err),
        Ok(_) => Ok(()),
    }
}
