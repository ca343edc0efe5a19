//! The controller's view of the cluster: resolving `apiVersion`/`kind` to API paths, server-side
//! apply with the `planton-helm` field manager, deletes, and the read-only `lookup` the core's
//! templates may call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use host_runtime::{Capabilities, Datetime, HostServices, OfflineHost};
use kube::api::{DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PropagationPolicy};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiResource, Scope};
use kube::{Api, Client};
use serde_json::{Value, json};

/// The field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "planton-helm";

/// One object of a release, as named in its manifest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// `apps/v1`, `v1`, ...
    pub api_version: String,
    /// `Deployment`, ...
    pub kind: String,
    /// `None` for cluster-scoped objects (and namespaced ones that take the release's).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectRef {
    /// The API group, which with kind, namespace and name identifies an object across versions.
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map(|(g, _)| g)
            .unwrap_or("")
    }

    /// Identity for pruning: the same object whatever version it is served as.
    pub fn key(&self, default_namespace: &str) -> (String, String, String, String) {
        (
            self.group().to_string(),
            self.kind.clone(),
            self.namespace
                .clone()
                .unwrap_or_else(|| default_namespace.to_string()),
            self.name.clone(),
        )
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// A resolved kind: its API resource and whether it is namespaced.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Group, version, plural.
    pub resource: ApiResource,
    /// Namespaced (else cluster-scoped).
    pub namespaced: bool,
}

/// A client with a cache of resolved kinds.
#[derive(Clone)]
pub struct Cluster {
    client: Client,
    kinds: Arc<Mutex<HashMap<(String, String), Resolved>>>,
}

impl Cluster {
    /// Wraps `client`.
    pub fn new(client: Client) -> Cluster {
        Cluster {
            client,
            kinds: Arc::default(),
        }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The API resource serving `api_version` `kind`. Only successes are cached, so a kind whose
    /// CRD appears later resolves then.
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<Resolved, kube::Error> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(r) = self.kinds.lock().expect("not poisoned").get(&key) {
            return Ok(r.clone());
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, caps) = kube::discovery::pinned_kind(&self.client, &gvk).await?;
        let resolved = Resolved {
            resource,
            namespaced: caps.scope == Scope::Namespaced,
        };
        self.kinds
            .lock()
            .expect("not poisoned")
            .insert(key, resolved.clone());
        Ok(resolved)
    }

    /// The dynamic API for `obj`, and its namespace (the release namespace when the manifest
    /// names none; `None` for cluster-scoped kinds).
    pub async fn api_for(
        &self,
        obj: &ObjectRef,
        default_namespace: &str,
    ) -> Result<(Api<DynamicObject>, Option<String>), kube::Error> {
        let r = self.resolve(&obj.api_version, &obj.kind).await?;
        if r.namespaced {
            let ns = obj
                .namespace
                .clone()
                .unwrap_or_else(|| default_namespace.to_string());
            Ok((
                Api::namespaced_with(self.client.clone(), &ns, &r.resource),
                Some(ns),
            ))
        } else {
            Ok((Api::all_with(self.client.clone(), &r.resource), None))
        }
    }

    /// Server-side applies `body` (one manifest as JSON) with our field manager, forcing
    /// conflicts (the release owns what its chart says). Idempotent.
    pub async fn apply(
        &self,
        obj: &ObjectRef,
        mut body: Value,
        default_namespace: &str,
    ) -> Result<DynamicObject, kube::Error> {
        let (api, ns) = self.api_for(obj, default_namespace).await?;
        if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
            match ns {
                Some(ns) => {
                    meta.insert("namespace".into(), Value::String(ns));
                }
                None => {
                    meta.remove("namespace");
                }
            }
        }
        let params = PatchParams::apply(FIELD_MANAGER).force();
        api.patch(&obj.name, &params, &Patch::Apply(&body)).await
    }

    /// What `apply` would make of the object (a server-side dry run), to compare with the live
    /// one: a difference means someone else changed a field the release manages.
    pub async fn apply_dry_run(
        &self,
        obj: &ObjectRef,
        mut body: Value,
        default_namespace: &str,
    ) -> Result<DynamicObject, kube::Error> {
        let (api, ns) = self.api_for(obj, default_namespace).await?;
        if let (Some(meta), Some(ns)) =
            (body.get_mut("metadata").and_then(Value::as_object_mut), ns)
        {
            meta.insert("namespace".into(), Value::String(ns));
        }
        let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
        api.patch(&obj.name, &params, &Patch::Apply(&body)).await
    }

    /// The live object, or `None` when it does not exist.
    pub async fn get(
        &self,
        obj: &ObjectRef,
        default_namespace: &str,
    ) -> Result<Option<DynamicObject>, kube::Error> {
        let (api, _) = self.api_for(obj, default_namespace).await?;
        api.get_opt(&obj.name).await
    }

    /// Deletes `obj` in the background (its dependents follow); gone already is fine.
    pub async fn delete(
        &self,
        obj: &ObjectRef,
        default_namespace: &str,
    ) -> Result<(), kube::Error> {
        let (api, _) = match self.api_for(obj, default_namespace).await {
            Ok(x) => x,
            // The kind itself is gone (its CRD was removed): so is the object.
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
            Err(e) => return Err(e),
        };
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..DeleteParams::default()
        };
        match api.delete(&obj.name, &params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `.Capabilities` as `helm install` reads them from this cluster: the API server's version,
    /// and every served `group/version` and `group/version/Kind` (discovery, subresources left
    /// out).
    pub async fn capabilities(&self) -> Result<Capabilities, kube::Error> {
        let info = self.client.apiserver_version().await?;
        let discovery = kube::discovery::Discovery::new(self.client.clone())
            .run()
            .await?;
        let mut versions = std::collections::BTreeSet::new();
        for group in discovery.groups() {
            for version in group.versions() {
                let gv = if group.name().is_empty() {
                    version.to_string()
                } else {
                    format!("{}/{version}", group.name())
                };
                for (resource, _) in group.versioned_resources(version) {
                    versions.insert(format!("{gv}/{}", resource.kind));
                }
                versions.insert(gv);
            }
        }
        Ok(Capabilities {
            kube_version: info.git_version,
            api_versions: versions.into_iter().collect(),
        })
    }

    /// Helm's `lookup`: the object as JSON, a list (`name` empty) as `{kind: XList, items}`,
    /// `None` when it does not exist or cannot be read.
    pub async fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<String> {
        let r = self.resolve(api_version, kind).await.ok()?;
        let api: Api<DynamicObject> = if r.namespaced && !namespace.is_empty() {
            Api::namespaced_with(self.client.clone(), namespace, &r.resource)
        } else {
            Api::all_with(self.client.clone(), &r.resource)
        };
        if name.is_empty() {
            let list = api.list(&ListParams::default()).await.ok()?;
            let items: Vec<Value> = list
                .items
                .into_iter()
                .filter_map(|mut o| {
                    o.types = Some(kube::core::TypeMeta {
                        api_version: api_version.to_string(),
                        kind: kind.to_string(),
                    });
                    serde_json::to_value(o).ok()
                })
                .collect();
            let list = json!({
                "apiVersion": api_version,
                "kind": format!("{kind}List"),
                "metadata": {"resourceVersion": list.metadata.resource_version},
                "items": items,
            });
            return Some(list.to_string());
        }
        let obj = api.get_opt(name).await.ok()??;
        serde_json::to_string(&obj).ok()
    }
}

/// The core's host services for a render in the controller: `lookup` reads the live cluster
/// (read-only), randomness and time are the system's.
pub struct ClusterLookup {
    cluster: Cluster,
    runtime: tokio::runtime::Handle,
    offline: OfflineHost,
}

impl ClusterLookup {
    /// Answers lookups through `cluster` on the tokio runtime `runtime`.
    ///
    /// Assumptions: the render runs on a thread that is not a tokio worker (the runtime gives
    /// every call a thread of its own), so blocking on the handle there is allowed.
    pub fn new(cluster: Cluster, runtime: tokio::runtime::Handle) -> ClusterLookup {
        ClusterLookup {
            cluster,
            runtime,
            offline: OfflineHost::default(),
        }
    }
}

impl HostServices for ClusterLookup {
    fn lookup(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<String> {
        self.runtime
            .block_on(self.cluster.lookup(api_version, kind, namespace, name))
    }

    fn random_seed(&mut self) -> u64 {
        self.offline.random_seed()
    }

    fn now(&mut self) -> Datetime {
        self.offline.now()
    }
}

/// The objects a Helm manifest (`---`-separated YAML documents) names, in order.
pub fn manifest_objects(manifest: &str) -> Vec<(ObjectRef, Value)> {
    let mut out = Vec::new();
    for doc in split_documents(manifest) {
        let Ok(value) = serde_saphyr::from_str::<Value>(&doc) else {
            continue;
        };
        if let Some(obj) = object_ref(&value) {
            out.push((obj, value));
        }
    }
    out
}

/// `apiVersion`, `kind` and `metadata.{name,namespace}` of a manifest, if it has them.
pub fn object_ref(value: &Value) -> Option<ObjectRef> {
    let s = |p: &str| value.pointer(p).and_then(Value::as_str).map(str::to_string);
    Some(ObjectRef {
        api_version: s("/apiVersion")?,
        kind: s("/kind")?,
        namespace: s("/metadata/namespace").filter(|n| !n.is_empty()),
        name: s("/metadata/name")?,
    })
}

fn split_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.lines() {
        if line == "---" || line.starts_with("--- ") {
            docs.push(String::new());
        } else {
            let doc = docs.last_mut().expect("never empty");
            doc.push_str(line);
            doc.push('\n');
        }
    }
    docs.retain(|d| {
        d.lines()
            .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
    });
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_objects_reads_helm_manifests() {
        let manifest = "---\n# Source: web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n\
                        metadata:\n  name: a\n---\n# Source: web/templates/empty.yaml\n\
                        ---\n# Source: web/templates/d.yaml\napiVersion: apps/v1\n\
                        kind: Deployment\nmetadata:\n  name: d\n  namespace: other\n";
        let objects: Vec<ObjectRef> = manifest_objects(manifest)
            .into_iter()
            .map(|(o, _)| o)
            .collect();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].to_string(), "ConfigMap a");
        assert_eq!(objects[1].group(), "apps");
        assert_eq!(
            objects[1].key("apps"),
            (
                "apps".into(),
                "Deployment".into(),
                "other".into(),
                "d".into()
            )
        );
    }
}
