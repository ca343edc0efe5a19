//! The controller's view of the cluster: resolving `apiVersion`/`kind` to API paths, server-side
//! apply with the `planton-helm` field manager, deletes, and the read-only `lookup` the core's
//! templates may call; the live `.Capabilities` (`capabilities.rs`).

mod capabilities;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use host_runtime::{Capabilities, Datetime, HostServices, OfflineHost};
use kube::api::{DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PropagationPolicy};
use kube::core::{GroupVersionKind, response::StatusCause};
use kube::discovery::{ApiResource, Scope};
use kube::{Api, Client};
use serde_json::{Value, json};

/// The field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "planton-helm";

/// What a server-side apply made.
#[derive(Debug)]
pub struct Applied {
    /// The object as the API returned it.
    pub object: DynamicObject,
    /// The fields left to other field managers (conflicts not forced), each as
    /// `Kind ns/name .field.path (conflict with "manager" ...)`.
    pub left: Vec<String>,
}

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

impl crate::crd::ObjectIdentity for ObjectRef {
    fn group(&self) -> &str {
        ObjectRef::group(self)
    }
    fn kind(&self) -> &str {
        &self.kind
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
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
    capabilities: Arc<tokio::sync::Mutex<Option<capabilities::Cached>>>,
    /// Rights this client's identity was found to have, and when (never shared with another
    /// identity's client).
    granted: Arc<Mutex<HashMap<Right, std::time::Instant>>>,
    name: Option<String>,
}

/// A right asked of the API server: verb, group, resource (plural), namespace.
type Right = (&'static str, String, String, Option<String>);

/// How long a right the API server granted is taken as granted without asking again.
pub const GRANT_TTL: std::time::Duration = std::time::Duration::from_secs(10);

impl Cluster {
    /// Wraps `client`.
    pub fn new(client: Client) -> Cluster {
        Cluster {
            client,
            kinds: Arc::default(),
            capabilities: Arc::default(),
            granted: Arc::default(),
            name: None,
        }
    }

    /// The same cluster through `client` (another identity), sharing what discovery found.
    pub fn with_client(&self, client: Client) -> Cluster {
        Cluster {
            client,
            granted: Arc::default(),
            ..self.clone()
        }
    }

    /// Whether this client's identity may `verb` (`get`, `list`, ...) objects of `obj`'s kind in
    /// its namespace, by a `SelfSubjectAccessReview`; a grant is remembered for [`GRANT_TTL`], so
    /// that N releases of one account and namespace ask once. `false` when the API server did not
    /// grant it or could not say: the caller then makes the request itself, which gets the API
    /// server's own refusal.
    pub async fn granted(
        &self,
        verb: &'static str,
        obj: &ObjectRef,
        default_namespace: &str,
    ) -> bool {
        use k8s_openapi::api::authorization::v1::{
            ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
        };
        let Ok(r) = self.resolve(&obj.api_version, &obj.kind).await else {
            return false;
        };
        let namespace = r.namespaced.then(|| {
            obj.namespace
                .clone()
                .unwrap_or_else(|| default_namespace.to_string())
        });
        let right: Right = (
            verb,
            r.resource.group.clone(),
            r.resource.plural.clone(),
            namespace.clone(),
        );
        let now = std::time::Instant::now();
        if let Some(at) = self.granted.lock().expect("not poisoned").get(&right)
            && now.duration_since(*at) < GRANT_TTL
        {
            return true;
        }
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(verb.to_string()),
                    group: Some(right.1.clone()),
                    resource: Some(right.2.clone()),
                    namespace,
                    ..ResourceAttributes::default()
                }),
                ..SelfSubjectAccessReviewSpec::default()
            },
            ..SelfSubjectAccessReview::default()
        };
        let api: Api<SelfSubjectAccessReview> = Api::all(self.client.clone());
        let allowed = api
            .create(&kube::api::PostParams::default(), &review)
            .await
            .ok()
            .and_then(|r| r.status)
            .is_some_and(|s| s.allowed);
        let mut granted = self.granted.lock().expect("not poisoned");
        if allowed {
            granted.insert(right, now);
        } else {
            granted.remove(&right);
        }
        allowed
    }

    /// The live `.Capabilities` (server version, discovery), from a cache of at most
    /// [`capabilities::TTL`] that [`Cluster::invalidate_discovery`] empties.
    pub async fn capabilities(&self) -> Result<Capabilities, kube::Error> {
        // Held across the discovery, so concurrent reconciles make one discovery, not several.
        let mut cached = self.capabilities.lock().await;
        if let Some(c) = cached
            .as_ref()
            .filter(|c| c.fresh(tokio::time::Instant::now()))
        {
            return Ok(c.capabilities.clone());
        }
        let found = capabilities::discover(&self.client).await?;
        *cached = Some(capabilities::Cached {
            at: tokio::time::Instant::now(),
            capabilities: found.clone(),
        });
        Ok(found)
    }

    /// Forgets what discovery said (capabilities and resolved kinds): CRDs changed.
    pub async fn invalidate_discovery(&self) {
        *self.capabilities.lock().await = None;
        self.kinds.lock().expect("not poisoned").clear();
    }

    /// The same cluster, known by `name` to Project Planton manifests
    /// (`spec.target_cluster.cluster_name`).
    pub fn named(mut self, name: Option<String>) -> Cluster {
        self.name = name.filter(|n| !n.is_empty());
        self
    }

    /// This cluster's name for Project Planton manifests, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
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

    /// Server-side applies `body` (one manifest as JSON) with our field manager. Idempotent.
    ///
    /// Without `force`, as Helm 4 applies: a field that another field manager owns with another
    /// value (an autoscaler's `spec.replicas`) is a conflict; such fields are taken out of the
    /// body and the rest applied, so they keep their value and owner, and [`Applied::left`]
    /// names them. With `force` the release takes them.
    pub async fn apply(
        &self,
        obj: &ObjectRef,
        body: Value,
        default_namespace: &str,
        force: bool,
    ) -> Result<Applied, kube::Error> {
        self.apply_with(obj, body, default_namespace, force, false)
            .await
    }

    /// What `apply` would make of the object (a server-side dry run), to compare with the live
    /// one: a difference means someone else changed or removed a field the release manages.
    pub async fn apply_dry_run(
        &self,
        obj: &ObjectRef,
        body: Value,
        default_namespace: &str,
        force: bool,
    ) -> Result<Applied, kube::Error> {
        self.apply_with(obj, body, default_namespace, force, true)
            .await
    }

    async fn apply_with(
        &self,
        obj: &ObjectRef,
        mut body: Value,
        default_namespace: &str,
        force: bool,
        dry_run: bool,
    ) -> Result<Applied, kube::Error> {
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
        let mut params = PatchParams::apply(FIELD_MANAGER);
        if force {
            params = params.force();
        }
        if dry_run {
            params = params.dry_run();
        }
        let mut left = Vec::new();
        // Each round removes the fields the API named as other managers'; a second conflict can
        // only come from a manager that wrote in between. Fields of the `helm` CLI's manager
        // are the release's own (a release `helm` installed or upgraded, adopted): those are
        // taken, as `helm upgrade` itself takes them.
        for _ in 0..3 {
            let status = match api.patch(&obj.name, &params, &Patch::Apply(&body)).await {
                Ok(object) => return Ok(Applied { object, left }),
                Err(kube::Error::Api(status)) if !force && status.code == 409 => status,
                Err(e) => return Err(e),
            };
            let conflicts: Vec<_> = status
                .details
                .iter()
                .flat_map(|d| d.causes.iter())
                .filter(|c| c.reason == "FieldManagerConflict" && !c.field.is_empty())
                .collect();
            let (helm, others): (Vec<&StatusCause>, Vec<&StatusCause>) = conflicts
                .iter()
                .copied()
                .partition(|c| is_helm_manager(&c.message));
            if conflicts.is_empty()
                || !others
                    .iter()
                    .all(|c| remove_field_path(&mut body, &c.field))
            {
                return Err(kube::Error::Api(status));
            }
            left.extend(
                others
                    .iter()
                    .map(|c| format!("{obj} {} ({})", c.field, c.message)),
            );
            if !helm.is_empty() {
                params = params.force();
            }
        }
        api.patch(&obj.name, &params, &Patch::Apply(&body))
            .await
            .map(|object| Applied { object, left })
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

    /// Deletes `obj`, its dependents as `propagation` says; gone already is fine.
    pub async fn delete(
        &self,
        obj: &ObjectRef,
        default_namespace: &str,
        propagation: PropagationPolicy,
    ) -> Result<(), kube::Error> {
        let (api, _) = match self.api_for(obj, default_namespace).await {
            Ok(x) => x,
            // The kind itself is gone (its CRD was removed): so is the object.
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
            Err(e) => return Err(e),
        };
        let params = DeleteParams {
            propagation_policy: Some(propagation),
            ..DeleteParams::default()
        };
        match api.delete(&obj.name, &params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Whether deleting `obj` would be allowed, by a server-side dry run: `Ok` also when it
    /// does not exist (the API server authorizes a request before it looks for the object).
    pub async fn delete_dry_run(
        &self,
        obj: &ObjectRef,
        default_namespace: &str,
    ) -> Result<(), kube::Error> {
        let (api, _) = match self.api_for(obj, default_namespace).await {
            Ok(x) => x,
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
            Err(e) => return Err(e),
        };
        let params = DeleteParams {
            dry_run: true,
            ..DeleteParams::default()
        };
        match api.delete(&obj.name, &params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Helm's `lookup`: the object as JSON, a list (no `name`) as `{kind: XList, items}`,
    /// `None` when it does not exist or cannot be read. A release's render looks up through its
    /// own identity (`crate::identity`), so what its account may not read it sees as absent
    /// (where `helm` would fail the render with the API server's refusal).
    pub async fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Option<String> {
        let r = self.resolve(api_version, kind).await.ok()?;
        let api: Api<DynamicObject> = match namespace {
            Some(namespace) if r.namespaced => {
                Api::namespaced_with(self.client.clone(), namespace, &r.resource)
            }
            _ => Api::all_with(self.client.clone(), &r.resource),
        };
        let Some(name) = name else {
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
        };
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
        namespace: Option<&str>,
        name: Option<&str>,
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

/// The field manager of the `helm` CLI (Helm 4 names it after its executable; Helm 3's updates
/// carry the same name).
pub const HELM_FIELD_MANAGER: &str = "helm";

/// Whether a conflict's message (`conflict with "helm" using v1`) names the `helm` CLI.
fn is_helm_manager(message: &str) -> bool {
    message
        .strip_prefix("conflict with \"")
        .and_then(|rest| rest.split_once('"'))
        .is_some_and(|(manager, _)| manager == HELM_FIELD_MANAGER)
}

/// Removes the field that the API names `path` in a conflict (structured-merge-diff's
/// `fieldpath` notation: `.spec.replicas`, `.metadata.labels.app.kubernetes.io/name`,
/// `.spec.containers[name="web"].image`, `[0]`, `[="value"]`) from `body`. Map keys may contain
/// dots, so a key is matched against the body's own keys, longest first. `false` when the body
/// has no such field.
pub fn remove_field_path(body: &mut Value, path: &str) -> bool {
    if let Some(rest) = path.strip_prefix('.') {
        let Value::Object(map) = body else {
            return false;
        };
        let mut keys: Vec<String> = map
            .keys()
            .filter(|k| {
                rest.starts_with(k.as_str())
                    && matches!(rest[k.len()..].chars().next(), None | Some('.' | '['))
            })
            .cloned()
            .collect();
        keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
        for k in keys {
            let after = &rest[k.len()..];
            if after.is_empty() {
                map.remove(&k);
                return true;
            }
            if map.get_mut(&k).is_some_and(|v| remove_field_path(v, after)) {
                return true;
            }
        }
        false
    } else if let Some(rest) = path.strip_prefix('[') {
        let Value::Array(items) = body else {
            return false;
        };
        let Some(end) = selector_end(rest) else {
            return false;
        };
        let (selector, after) = (&rest[..end], &rest[end + 1..]);
        let index = if let Ok(i) = selector.parse::<usize>() {
            (i < items.len()).then_some(i)
        } else if let Some(value) = selector.strip_prefix('=') {
            let Ok(value) = serde_json::from_str::<Value>(value) else {
                return false;
            };
            items.iter().position(|item| *item == value)
        } else {
            let Some(keys) = selector_keys(selector) else {
                return false;
            };
            items
                .iter()
                .position(|item| keys.iter().all(|(k, v)| item.get(k) == Some(v)))
        };
        let Some(i) = index else {
            return false;
        };
        if after.is_empty() {
            items.remove(i);
            true
        } else {
            remove_field_path(&mut items[i], after)
        }
    } else {
        false
    }
}

/// Where the `]` that closes a selector is (not one inside a JSON string).
fn selector_end(text: &str) -> Option<usize> {
    let (mut in_string, mut escaped) = (false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// `name="web",port=80` as key/JSON value pairs.
fn selector_keys(selector: &str) -> Option<Vec<(String, Value)>> {
    let mut out = Vec::new();
    let (mut start, mut in_string, mut escaped) = (0, false, false);
    let mut parts = Vec::new();
    for (i, c) in selector.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ',' if !in_string => {
                parts.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&selector[start..]);
    for part in parts {
        let (k, v) = part.split_once('=')?;
        out.push((k.to_string(), serde_json::from_str(v).ok()?));
    }
    Some(out)
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
    fn conflicts_with_the_helm_cli_are_told_apart() {
        assert!(is_helm_manager("conflict with \"helm\" using v1"));
        assert!(!is_helm_manager("conflict with \"helm-operator\" using v1"));
        assert!(!is_helm_manager(
            "conflict with \"autoscaler\" using apps/v1"
        ));
    }

    #[test]
    fn conflicting_fields_are_removed_by_their_field_path() {
        let mut body = json!({
            "metadata": {"labels": {"app.kubernetes.io/version": "1", "app": "web"}},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "side", "image": "a"},
                {"name": "web", "image": "b", "ports": [{"containerPort": 80, "protocol": "TCP"}]}
            ]}}, "finalizers": ["x", "y"]}
        });
        assert!(remove_field_path(&mut body, ".spec.replicas"));
        assert!(remove_field_path(
            &mut body,
            ".metadata.labels.app.kubernetes.io/version"
        ));
        assert!(remove_field_path(
            &mut body,
            ".spec.template.spec.containers[name=\"web\"].image"
        ));
        assert!(remove_field_path(
            &mut body,
            ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"]"
        ));
        assert!(remove_field_path(&mut body, ".spec.finalizers[=\"y\"]"));
        assert!(remove_field_path(
            &mut body,
            ".spec.template.spec.containers[0].image"
        ));
        assert!(
            !remove_field_path(&mut body, ".spec.replicas"),
            "already gone"
        );
        assert!(!remove_field_path(
            &mut body,
            ".spec.template.spec.containers[name=\"db\"]"
        ));
        assert!(!remove_field_path(&mut body, "spec"));
        assert_eq!(
            body,
            json!({
                "metadata": {"labels": {"app": "web"}},
                "spec": {"template": {"spec": {"containers": [
                    {"name": "side"}, {"name": "web", "ports": []}
                ]}}, "finalizers": ["x"]}
            })
        );
    }

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
