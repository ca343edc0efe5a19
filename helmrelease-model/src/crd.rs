//! The `HelmRelease` custom resource (`kubernetes.project-planton.org/v1`), from which the CRD in
//! `deploy/crds/` is generated (`planton-helm-controller crd`). Re-exported as
//! `host_controller::crd`.
//!
//! The spec's field names and meanings are those of `policies/schema/helmrelease.v1.json`, the
//! schema the core validates against.

use kube::CustomResource;
use kube::CustomResourceExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What to install and how.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "kubernetes.project-planton.org",
    version = "v1",
    kind = "HelmRelease",
    plural = "helmreleases",
    shortname = "hr",
    namespaced,
    status = "HelmReleaseStatus",
    printcolumn = r#"{"name":"Chart","type":"string","jsonPath":".spec.name"}"#,
    printcolumn = r#"{"name":"Version","type":"string","jsonPath":".spec.version"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "!(has(self.targetNamespace) && has(self.__namespace__))",
        "message": "spec.targetNamespace and spec.namespace are one field spelt two ways (HelmRelease's and Project Planton's): keep one"
    },
    {
        "rule": "!(has(self.createNamespace) && has(self.create_namespace))",
        "message": "spec.createNamespace and spec.create_namespace are one field spelt two ways (HelmRelease's and Project Planton's): keep one"
    }
]))]
pub struct HelmReleaseSpec {
    /// The chart repository: an https:// repository URL or an oci:// registry path.
    pub repo: String,
    /// The chart's name in the repository.
    pub name: String,
    /// The chart version: one exact SemVer 2.0 version, no range.
    pub version: String,
    /// Values for the chart, any YAML tree without template expressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "any_object")]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// Roll back to the last good revision when an install or upgrade fails; implies wait.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub atomic: bool,
    /// Wait until the release's resources are ready.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wait: bool,
    /// Bound on install, upgrade and wait, as a Go duration (5m, 1h30m). Default 5m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// The Helm release name; defaults to metadata.name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// The namespace the chart is installed into; defaults to metadata.namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_namespace: Option<String>,
    /// Create the target namespace when it does not exist.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_namespace: bool,
    /// How often the release is reconciled and drift corrected, as a Go duration. Default 10m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// What to do when live objects drift from the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_detection: Option<DriftDetection>,
    /// How many release revisions to keep (Helm's --history-max); 0 keeps all. Default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub history_limit: Option<u32>,
    /// Stop reconciling the release.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspend: bool,
    /// The cluster the release is installed in, when not the controller's own: a kubeconfig in a
    /// Secret of the HelmRelease's namespace. The release's objects and records live there;
    /// spec.serviceAccountName is impersonated there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config: Option<KubeConfigRef>,
    /// A Secret with the repository's credentials: keys username and password, or a
    /// kubernetes.io/dockerconfigjson Secret for an oci:// registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_ref: Option<SecretRef>,
    /// A Secret with TLS material for the repository (as Flux's certSecretRef): ca.crt, a CA
    /// trusted besides the system's; tls.crt and tls.key, a client certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<SecretRef>,
    /// Talk to the oci:// registry over plain HTTP (Helm's --plain-http), for a registry inside
    /// the cluster.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plain_http: bool,
    /// The service account the release is installed as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Run the chart's test hooks (`helm.sh/hook: test`) after each successful install or
    /// upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<TestSpec>,
    /// How installs are done and remediated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<InstallSpec>,
    /// How upgrades are done and remediated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<UpgradeSpec>,
    /// How the release is uninstalled when the HelmRelease is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uninstall: Option<UninstallSpec>,
    /// Project Planton's spelling of targetNamespace: `namespace.value`. Give one of the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<PlantonNamespace>,
    /// Project Planton's spelling of createNamespace. Give one of the two.
    #[serde(
        rename = "create_namespace",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub create_namespace_planton: Option<bool>,
    /// Project Planton's target cluster: `cluster_name` is this controller's own cluster (its
    /// `--cluster-name`) or a remote one, reached through the kubeconfig Secret of that name.
    #[serde(
        rename = "target_cluster",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_cluster: Option<TargetCluster>,

    // Values from the cluster and dependencies between releases (Flux's names).
    /// ConfigMaps and Secrets of the HelmRelease's namespace whose values are merged, in order,
    /// under the inline values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values_from: Vec<ValuesReference>,
    /// HelmReleases that must be Ready before this one is installed or upgraded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<DependencyReference>,
}

/// One entry of `spec.valuesFrom`: values read from a ConfigMap or Secret in the HelmRelease's
/// namespace (Flux's `ValuesReference`).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValuesReference {
    /// `ConfigMap` or `Secret`.
    pub kind: ValuesKind,
    /// The object's name, in the HelmRelease's namespace.
    pub name: String,
    /// The data key to read; default values.yaml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_key: Option<String>,
    /// A dotted path, as Helm's --set-string writes it (a.b, list[0].c; a backslash escapes a
    /// dot in a key), at which the key's content is set as one string; without it the key holds
    /// a YAML map that is merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_path: Option<String>,
    /// Skip this entry when the object or its key does not exist (instead of failing).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// See [`ValuesReference::kind`].
#[derive(
    Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, JsonSchema,
)]
pub enum ValuesKind {
    /// A ConfigMap (`data`).
    #[default]
    ConfigMap,
    /// A Secret (`data`, never shown in messages).
    Secret,
}

impl ValuesKind {
    /// The kind as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ValuesKind::ConfigMap => "ConfigMap",
            ValuesKind::Secret => "Secret",
        }
    }
}

impl ValuesReference {
    /// `spec.valuesFrom[].valuesKey`, `values.yaml` by default.
    pub fn key(&self) -> &str {
        self.values_key.as_deref().unwrap_or("values.yaml")
    }
}

/// One entry of `spec.dependsOn`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct DependencyReference {
    /// The HelmRelease's name.
    pub name: String,
    /// Its namespace, when not this HelmRelease's; refused when the controller runs with
    /// --no-cross-namespace-refs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// What an install or upgrade does with the CRDs of the chart's `crds/` directories (Flux's
/// values; Helm itself creates missing ones on install and never touches them on upgrade).
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum CrdPolicy {
    /// Neither create nor update them.
    Skip,
    /// Create those that do not exist; leave existing ones as they are.
    Create,
    /// Create those that do not exist and update existing ones to the chart's.
    CreateReplace,
}

/// Project Planton's `StringValueOrRef` for the namespace.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct PlantonNamespace {
    /// The namespace the chart is installed into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A reference to another Project Planton resource's output: only Project Planton's own
    /// tooling resolves it; a release that uses it is refused here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "planton_reference")]
    pub value_from: Option<serde_json::Value>,
}

/// Project Planton's cluster selector. Its other fields (`cluster_kind`, ...) are kept by the API
/// server and not read.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct TargetCluster {
    /// The cluster's name in Project Planton.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
}

/// Which of Project Planton's fields this controller cannot resolve ([`HelmRelease::unresolvable`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unresolvable {
    /// `spec.namespace.value_from`: only Project Planton's own tooling resolves it.
    Namespace,
    /// `spec.target_cluster.cluster_name` names a cluster this controller cannot reach.
    TargetCluster,
}

/// `spec.install` (Flux's names).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstallSpec {
    /// What happens after a failed install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<InstallRemediation>,
    /// The chart's CRDs (its `crds/` directories) on install: `Skip`, `Create` (the default) or
    /// `CreateReplace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crds: Option<CrdPolicy>,
    /// With wait, do not wait for the chart's Jobs to complete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disable_wait_for_jobs: bool,
    /// Adopt an existing Helm release of the same name that another HelmRelease or the helm
    /// CLI made (by default such a release is left alone and this HelmRelease is stalled).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub take_ownership: bool,
}

/// `spec.install.remediation`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstallRemediation {
    /// How many times a failed install is retried (uninstalling the failed one first); 0 by
    /// default. Retries wait with a capped exponential backoff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub retries: Option<u32>,
}

/// `spec.upgrade` (Flux's names).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeSpec {
    /// What happens after a failed upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<UpgradeRemediation>,
    /// The chart's CRDs (its `crds/` directories) on upgrade: `Skip` (the default), `Create` or
    /// `CreateReplace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crds: Option<CrdPolicy>,
    /// With wait, do not wait for the chart's Jobs to complete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disable_wait_for_jobs: bool,
    /// Take fields that other field managers own (server-side apply with forced conflicts), in
    /// upgrades, rollbacks and drift corrections. Off: such fields are left alone and reported.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force: bool,
    /// After a failed upgrade, delete the objects it created.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cleanup_on_fail: bool,
}

/// `spec.upgrade.remediation`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeRemediation {
    /// How many times a failed upgrade is retried (remediating the failed one first); 0 by
    /// default. Retries wait with a capped exponential backoff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub retries: Option<u32>,
    /// How a failed upgrade is remediated: `rollback` (the default) or `uninstall`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<RemediationStrategy>,
    /// Remediate the last failure too, when no retry is left. Default: true with `retries` > 0
    /// or `atomic`, else false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediate_last_failure: Option<bool>,
}

/// See [`UpgradeRemediation::strategy`].
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RemediationStrategy {
    /// Roll back to the last deployed revision, as a new revision.
    Rollback,
    /// Uninstall the release.
    Uninstall,
}

/// `spec.uninstall` (Flux's names).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UninstallSpec {
    /// Keep the release records (marked `uninstalled`), as `helm uninstall --keep-history`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_history: bool,
    /// How the release's objects' dependents are deleted: `background` (the default),
    /// `foreground` or `orphan`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_propagation: Option<DeletionPropagation>,
}

/// See [`UninstallSpec::deletion_propagation`].
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeletionPropagation {
    /// The API deletes dependents after the object.
    Background,
    /// Dependents are deleted before the object.
    Foreground,
    /// Dependents are left.
    Orphan,
}

/// Running the chart's tests, as `helm test` does.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct TestSpec {
    /// Run the tests.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enable: bool,
    /// Bound on the tests, as a Go duration; defaults to spec.timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// What to do when live objects drift from the release.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct DriftDetection {
    /// `enabled` corrects drift, `warn` reports it, `disabled` ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<DriftMode>,
    /// Fields that are neither drift nor corrected (owned by someone else, such as an
    /// autoscaler's `/spec/replicas`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<DriftIgnoreRule>,
}

/// Fields of some objects that drift detection leaves alone.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct DriftIgnoreRule {
    /// JSON Pointers (RFC 6901) into the objects, such as `/spec/replicas` or
    /// `/metadata/annotations/example.com~1build`.
    pub paths: Vec<String>,
    /// The objects the paths apply to; every object of the release when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<DriftTarget>,
}

/// Selects objects of a release; each field that is set must match.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct DriftTarget {
    /// The API group (`apps`; empty for the core group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The kind (`Deployment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The object's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The object's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl DriftIgnoreRule {
    /// Whether the rule applies to `obj` (whose namespace, when the manifest has none, is
    /// `default_namespace`).
    pub fn applies_to(&self, obj: &impl ObjectIdentity, default_namespace: &str) -> bool {
        let Some(t) = &self.target else {
            return true;
        };
        let namespace = obj.namespace().unwrap_or(default_namespace);
        t.group.as_deref().is_none_or(|g| g == obj.group())
            && t.kind.as_deref().is_none_or(|k| k == obj.kind())
            && t.name.as_deref().is_none_or(|n| n == obj.name())
            && t.namespace.as_deref().is_none_or(|n| n == namespace)
    }
}

/// What a [`DriftTarget`] matches: an object of a release (the controller's
/// `cluster::ObjectRef`).
pub trait ObjectIdentity {
    /// The API group (`apps`; empty for the core group).
    fn group(&self) -> &str;
    /// The kind.
    fn kind(&self) -> &str;
    /// `metadata.name`.
    fn name(&self) -> &str;
    /// `metadata.namespace`, when the manifest sets one.
    fn namespace(&self) -> Option<&str>;
}

/// Removes the field at JSON Pointer `pointer` from `value`, if it is there.
pub fn remove_pointer(value: &mut serde_json::Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    let target = if parent.is_empty() {
        Some(value)
    } else {
        value.pointer_mut(parent)
    };
    match target {
        Some(serde_json::Value::Object(map)) => {
            map.remove(&last);
        }
        Some(serde_json::Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// See [`DriftDetection`].
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DriftMode {
    /// Report and correct.
    Enabled,
    /// Report only.
    Warn,
    /// Neither.
    Disabled,
}

/// `spec.kubeConfig` (Flux's): where the kubeconfig of the release's cluster is.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KubeConfigRef {
    /// The Secret holding the kubeconfig.
    pub secret_ref: KubeConfigSecretRef,
}

/// `spec.kubeConfig.secretRef`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct KubeConfigSecretRef {
    /// The Secret's name, in the HelmRelease's namespace.
    pub name: String,
    /// The key holding the kubeconfig; by default value, else value.yaml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A Secret, in the HelmRelease's namespace unless another is named.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct SecretRef {
    /// The Secret's name.
    pub name: String,
    /// Its namespace, when not the HelmRelease's; refused when the controller runs with
    /// --no-cross-namespace-refs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// What the controller observed, written through the status subresource.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmReleaseStatus {
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// kstatus conditions: `Ready`, `Reconciling`, `Stalled`; `TestSuccess` when tests run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The Helm release name and namespace the controller manages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// See `release_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_namespace: Option<String>,
    /// The release revision last deployed successfully.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_revision: Option<u32>,
    /// The chart version of that revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    /// The newest revisions, newest first (at most 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Snapshot>,
    /// Failed attempts of any kind (a chart that could not be fetched included) since the last
    /// success, the last spec change or the last reset.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failures: u32,
    /// Failed installs since then.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub install_failures: u32,
    /// Failed upgrades since then.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub upgrade_failures: u32,
    /// When the next attempt after a failure is due (RFC 3339): the backoff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_retry_at: Option<String>,
    /// The last `requestedAt` annotation value handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// The last `forceAt` annotation value handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_force_at: Option<String>,
    /// The last `resetAt` annotation value handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reset_at: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One release revision, as `helm history` shows it.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// The revision number.
    pub revision: u32,
    /// The chart version.
    pub chart_version: String,
    /// `deployed`, `superseded`, `failed`, `pending-install`, ...
    pub status: String,
    /// When it was last deployed, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_deployed: Option<String>,
}

/// A kstatus condition (the shape of `metav1.Condition`).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `Ready`, `Reconciling` or `Stalled`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// A CamelCase word for programs.
    pub reason: String,
    /// A sentence for people.
    pub message: String,
    /// When `status` last changed, RFC 3339.
    pub last_transition_time: String,
    /// The `metadata.generation` this condition describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// `type: object` that keeps every field (`x-kubernetes-preserve-unknown-fields`).
fn any_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "description": "Values for the chart, any YAML tree without template expressions.",
        "x-kubernetes-preserve-unknown-fields": true,
    })
}

/// Annotation: reconcile now (its value, any string, is compared with
/// `status.lastHandledReconcileAt`; a new value skips the wait of a failure backoff).
pub const REQUESTED_AT: &str = "kubernetes.project-planton.org/requestedAt";
/// Annotation: one forced upgrade (even when in sync, even when retries are exhausted, taking
/// fields other managers own), when equal to `requestedAt` and new (as Flux's `forceAt`).
pub const FORCE_AT: &str = "kubernetes.project-planton.org/forceAt";
/// Annotation: reset the failure counts and try again, when equal to `requestedAt` and new (as
/// Flux's `resetAt`).
pub const RESET_AT: &str = "kubernetes.project-planton.org/resetAt";

/// `type: object` that keeps every field, for Project Planton's references.
fn planton_reference(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "description": "A reference to another Project Planton resource's output; not resolvable outside Project Planton.",
        "x-kubernetes-preserve-unknown-fields": true,
    })
}

impl HelmRelease {
    /// The status condition of type `type_` (`Ready`, `Stalled`, ...), if the status has one.
    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.status
            .as_ref()?
            .conditions
            .iter()
            .find(|c| c.type_ == type_)
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .map(String::as_str)
    }

    fn last_handled(&self, field: fn(&HelmReleaseStatus) -> &Option<String>) -> Option<&str> {
        self.status.as_ref().and_then(|s| field(s).as_deref())
    }

    /// The `requestedAt` value when it was not handled yet.
    pub fn reconcile_requested(&self) -> Option<&str> {
        self.annotation(REQUESTED_AT)
            .filter(|v| Some(*v) != self.last_handled(|s| &s.last_handled_reconcile_at))
    }

    /// Whether `forceAt` asks for a forced upgrade now: equal to `requestedAt`, not handled yet.
    pub fn force_requested(&self) -> bool {
        self.annotation(FORCE_AT).is_some_and(|v| {
            Some(v) == self.annotation(REQUESTED_AT)
                && Some(v) != self.last_handled(|s| &s.last_handled_force_at)
        })
    }

    /// Whether `resetAt` asks for the failure counts to be reset: equal to `requestedAt`, not
    /// handled yet.
    pub fn reset_requested(&self) -> bool {
        self.annotation(RESET_AT).is_some_and(|v| {
            Some(v) == self.annotation(REQUESTED_AT)
                && Some(v) != self.last_handled(|s| &s.last_handled_reset_at)
        })
    }

    /// The annotations' values, to record as handled: `(requestedAt, forceAt, resetAt)`.
    pub fn requests(&self) -> (Option<String>, Option<String>, Option<String>) {
        let get = |k| self.annotation(k).map(str::to_string);
        (get(REQUESTED_AT), get(FORCE_AT), get(RESET_AT))
    }

    /// The Helm release name: `spec.releaseName`, else `metadata.name`.
    pub fn release_name(&self) -> String {
        crate::defaults::release_name(
            self.spec.release_name.as_deref(),
            self.metadata.name.as_deref(),
        )
        .unwrap_or_default()
        .to_string()
    }

    /// Where the chart goes and where the release records live: `spec.targetNamespace` (or
    /// Project Planton's `spec.namespace.value`), else the HelmRelease's own namespace.
    pub fn target_namespace(&self) -> String {
        crate::defaults::target_namespace(
            self.spec.target_namespace.as_deref(),
            self.spec
                .namespace
                .as_ref()
                .and_then(|n| n.value.as_deref()),
            self.metadata.namespace.as_deref(),
        )
        .to_string()
    }

    /// `spec.install.crds`, `Create` by default (as Flux and `helm install`).
    pub fn install_crds(&self) -> CrdPolicy {
        self.spec
            .install
            .as_ref()
            .and_then(|i| i.crds)
            .unwrap_or(CrdPolicy::Create)
    }

    /// `spec.upgrade.crds`, `Skip` by default (as Flux and `helm upgrade`).
    pub fn upgrade_crds(&self) -> CrdPolicy {
        self.spec
            .upgrade
            .as_ref()
            .and_then(|u| u.crds)
            .unwrap_or(CrdPolicy::Skip)
    }

    /// `spec.install.takeOwnership`: adopt a release of the same name that is not this
    /// HelmRelease's.
    pub fn take_ownership(&self) -> bool {
        self.spec.install.as_ref().is_some_and(|i| i.take_ownership)
    }

    /// Whether to create the target namespace: `spec.createNamespace` or Project Planton's
    /// `spec.create_namespace`.
    pub fn create_namespace(&self) -> bool {
        self.spec.create_namespace || self.spec.create_namespace_planton == Some(true)
    }

    /// Why this controller cannot install the release where Project Planton's fields say, as a
    /// condition reason and a message; `None` when it can. `local_cluster` is this controller's
    /// own cluster's name (`--cluster-name`).
    ///
    /// A `target_cluster.cluster_name` other than `local_cluster` is a remote cluster, reached by
    /// convention through the kubeconfig in the Secret of that name in the HelmRelease's
    /// namespace (what `spec.kubeConfig` reads); until that convention is resolved to a
    /// `spec.kubeConfig` it is reported, never ignored.
    pub fn unresolvable(&self, local_cluster: Option<&str>) -> Option<(Unresolvable, String)> {
        if self
            .spec
            .namespace
            .as_ref()
            .is_some_and(|n| n.value_from.is_some())
        {
            return Some((
                Unresolvable::Namespace,
                "spec.namespace.value_from is not resolvable outside Project Planton: write the \
                 namespace as spec.namespace.value"
                    .to_string(),
            ));
        }
        let cluster = self
            .spec
            .target_cluster
            .as_ref()
            .and_then(|t| t.cluster_name.as_deref())
            .filter(|c| !c.is_empty())?;
        if Some(cluster) == local_cluster {
            return None;
        }
        let this = match local_cluster {
            Some(name) => format!("this controller's cluster is {name:?} (--cluster-name)"),
            None => "this controller was started without --cluster-name".to_string(),
        };
        Some((
            Unresolvable::TargetCluster,
            format!(
                "spec.target_cluster.cluster_name {cluster:?} is unresolvable: {this}, and a \
                 remote cluster (by convention the kubeconfig in Secret {cluster:?} of this \
                 namespace) is not supported by this controller yet; see docs/planton.md"
            ),
        ))
    }

    /// The values as a JSON object (empty when unset).
    pub fn values(&self) -> serde_json::Map<String, serde_json::Value> {
        self.spec.values.clone().unwrap_or_default()
    }
}

/// The CRD as YAML, exactly as committed in `deploy/crds/helmreleases.yaml`.
pub fn crd_yaml() -> String {
    let crd = serde_json::to_value(HelmRelease::crd()).expect("a CRD always serializes");
    let mut out = String::from(
        "# Generated by `planton-helm-controller crd` from helmrelease-model/src/crd.rs; do not edit.\n",
    );
    out.push_str(&serde_saphyr::to_string(&crd).expect("a CRD always serializes to YAML"));
    out
}

#[cfg(test)]
mod tests;
