//! Release records in Helm's own storage format, so that the `helm` CLI lists, inspects, rolls
//! back and uninstalls what the controller installed.
//!
//! A revision is a Secret `sh.helm.release.v1.<name>.v<revision>` of type `helm.sh/release.v1`
//! in the release namespace, labelled `name`, `owner=helm`, `status`, `version`, whose
//! `data.release` is `base64(gzip(json(release)))`. The API then base64-encodes the Secret's data
//! once more on the wire, so the bytes of `data.release` are themselves base64 text.
//!
//! The JSON is Helm's `release.Release` (`helm.sh/helm/v4/pkg/release/v1`); fields this
//! controller does not use are kept as they were read, so a record `helm` wrote survives our
//! status updates unchanged.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, ListParams, ObjectMeta, PostParams};
use kube::{Api, Client};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Helm's release states (`helm.sh/helm/v4/pkg/release/common.Status`).
pub mod status {
    /// The current revision, installed and ready.
    pub const DEPLOYED: &str = "deployed";
    /// An older revision, replaced by a newer one.
    pub const SUPERSEDED: &str = "superseded";
    /// An install or upgrade that did not succeed.
    pub const FAILED: &str = "failed";
    /// Removed (only kept with `helm uninstall --keep-history`).
    pub const UNINSTALLED: &str = "uninstalled";
    /// An install in progress.
    pub const PENDING_INSTALL: &str = "pending-install";
    /// An upgrade in progress.
    pub const PENDING_UPGRADE: &str = "pending-upgrade";
    /// A rollback in progress.
    pub const PENDING_ROLLBACK: &str = "pending-rollback";
    /// An uninstall in progress.
    pub const UNINSTALLING: &str = "uninstalling";

    /// Whether a revision in this state belongs to an operation that has not finished.
    pub fn is_pending(s: &str) -> bool {
        matches!(
            s,
            PENDING_INSTALL | PENDING_UPGRADE | PENDING_ROLLBACK | UNINSTALLING
        )
    }
}

/// Helm's `release.Release`, with its JSON field names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// The release name.
    pub name: String,
    /// State and timestamps.
    pub info: Info,
    /// The chart as Helm keeps it: `metadata`, `templates`, `values`, `files`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<Value>,
    /// The user-supplied values (`helm get values`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub config: Map<String, Value>,
    /// The rendered non-hook manifests (`helm get manifest`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    /// The chart's hooks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Value>,
    /// The revision.
    pub version: u32,
    /// The release namespace.
    pub namespace: String,
    /// Whatever else Helm writes (`apply_method`, ...), kept as read.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The labels of the record's Secret, as read (Helm keeps a release's labels there, not in
    /// the JSON); [`OWNER_NAME`] and [`OWNER_NAMESPACE`] name the HelmRelease that wrote it.
    #[serde(skip)]
    pub labels: BTreeMap<String, String>,
}

/// The label of every record the controller writes that names its HelmRelease (with
/// [`OWNER_NAMESPACE`]): a release is this HelmRelease's when its newest record says so.
pub const OWNER_NAME: &str = "kubernetes.project-planton.org/helmrelease-name";
/// The namespace of the HelmRelease that [`OWNER_NAME`] names.
pub const OWNER_NAMESPACE: &str = "kubernetes.project-planton.org/helmrelease-namespace";

impl Release {
    /// The HelmRelease (`namespace`, `name`) that wrote this record, if one of ours did.
    pub fn owner(&self) -> Option<(&str, &str)> {
        Some((
            self.labels.get(OWNER_NAMESPACE)?.as_str(),
            self.labels.get(OWNER_NAME)?.as_str(),
        ))
    }
}

/// Helm's `release.Info`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_deployed: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_deployed: Option<String>,
    /// RFC 3339; Go writes the zero time when unset.
    #[serde(default = "zero_time")]
    pub deleted: String,
    /// What happened (`Install complete`, `Upgrade "x" failed: ...`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// One of [`status`].
    pub status: String,
    /// The rendered NOTES.txt.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Whatever else Helm writes, kept as read.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Helm's ownership metadata, so that `helm upgrade` accepts the objects as the release's.
pub fn helm_metadata(body: &mut Value, name: &str, namespace: &str) {
    let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert("app.kubernetes.io/managed-by".into(), "Helm".into());
    }
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    if let Some(a) = annotations.as_object_mut() {
        a.insert("meta.helm.sh/release-name".into(), name.into());
        a.insert("meta.helm.sh/release-namespace".into(), namespace.into());
    }
}

/// Go's zero `time.Time` in JSON, which Helm writes for `info.deleted` when unset.
pub fn zero_time() -> String {
    "0001-01-01T00:00:00Z".to_string()
}

/// Failures of the release store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The API refused or could not be reached.
    #[error("release store: {0}")]
    Kube(#[from] kube::Error),
    /// A release Secret is not in Helm's format.
    #[error("release Secret {secret} is not a Helm release record: {reason}")]
    Corrupt {
        /// The Secret's name.
        secret: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl Release {
    /// The chart version recorded in `chart.metadata.version`.
    pub fn chart_version(&self) -> &str {
        self.chart
            .as_ref()
            .and_then(|c| c.pointer("/metadata/version"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The chart name recorded in `chart.metadata.name`.
    pub fn chart_name(&self) -> &str {
        self.chart
            .as_ref()
            .and_then(|c| c.pointer("/metadata/name"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The Secret's name: `sh.helm.release.v1.<name>.v<revision>`.
    pub fn secret_name(&self) -> String {
        secret_name(&self.name, self.version)
    }

    /// `base64(gzip(json))`, Helm's `encodeRelease`.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a release always serializes");
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&json).expect("writing to memory");
        B64.encode(gz.finish().expect("writing to memory"))
    }

    /// The inverse of [`Release::encode`]; like Helm, also accepts JSON that is not gzipped.
    pub fn decode(text: &[u8]) -> Result<Release, String> {
        let raw = B64
            .decode(text.trim_ascii())
            .map_err(|e| format!("data.release is not base64: {e}"))?;
        let json = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            GzDecoder::new(raw.as_slice())
                .read_to_end(&mut out)
                .map_err(|e| format!("data.release is not valid gzip: {e}"))?;
            out
        } else {
            raw
        };
        serde_json::from_slice(&json).map_err(|e| format!("the release JSON does not parse: {e}"))
    }

    /// The Secret that stores this revision.
    pub fn to_secret(&self) -> Secret {
        let labels = BTreeMap::from([
            ("name".to_string(), self.name.clone()),
            ("owner".to_string(), "helm".to_string()),
            ("status".to_string(), self.info.status.clone()),
            ("version".to_string(), self.version.to_string()),
        ]);
        Secret {
            metadata: ObjectMeta {
                name: Some(self.secret_name()),
                namespace: Some(self.namespace.clone()),
                labels: Some(labels),
                ..ObjectMeta::default()
            },
            type_: Some("helm.sh/release.v1".to_string()),
            data: Some(BTreeMap::from([(
                "release".to_string(),
                ByteString(self.encode().into_bytes()),
            )])),
            ..Secret::default()
        }
    }
}

fn unix_now() -> String {
    jiff::Timestamp::now().as_second().to_string()
}

/// `sh.helm.release.v1.<name>.v<revision>`.
pub fn secret_name(name: &str, revision: u32) -> String {
    format!("sh.helm.release.v1.{name}.v{revision}")
}

/// The revisions of one release, kept as Helm's Secrets driver keeps them.
///
/// A store reads the records once ([`Store::history`]) and then keeps what it read and what it
/// wrote itself, with each Secret's resource version: a reconcile's later reads cost no request,
/// and a rewrite needs no read first. A write that finds the record changed by someone else (a
/// conflict) reads it again; any failure forgets what the store knew, so the next read lists.
/// Made for one reconcile (one writer per release: leader election).
#[derive(Clone)]
pub struct Store {
    api: Api<Secret>,
    name: String,
    owner: BTreeMap<String, String>,
    known: Arc<Mutex<Option<Vec<Known>>>>,
}

/// A record as the store last read or wrote it.
#[derive(Clone)]
struct Known {
    release: Release,
    resource_version: Option<String>,
}

impl Store {
    /// The store of release `name` in `namespace`.
    pub fn new(client: Client, namespace: &str, name: &str) -> Store {
        Store {
            api: Api::namespaced(client, namespace),
            name: name.to_string(),
            owner: BTreeMap::new(),
            known: Arc::default(),
        }
    }

    /// The same store, labelling every record it creates or rewrites as HelmRelease
    /// `namespace/name`'s ([`OWNER_NAME`], [`OWNER_NAMESPACE`]).
    pub fn owned_by(mut self, namespace: &str, name: &str) -> Store {
        self.owner = BTreeMap::from([
            (OWNER_NAMESPACE.to_string(), namespace.to_string()),
            (OWNER_NAME.to_string(), name.to_string()),
        ]);
        self
    }

    /// Every revision, oldest first: listed the first time, then as the store knows them.
    pub async fn history(&self) -> Result<Vec<Release>, StoreError> {
        if let Some(known) = self.known.lock().expect("not poisoned").as_ref() {
            return Ok(known.iter().map(|k| k.release.clone()).collect());
        }
        let lp = ListParams::default().labels(&format!("owner=helm,name={}", self.name));
        let mut out = Vec::new();
        for secret in self.api.list(&lp).await? {
            let secret_name = secret.metadata.name.clone().unwrap_or_default();
            let data = secret
                .data
                .as_ref()
                .and_then(|d| d.get("release"))
                .ok_or_else(|| StoreError::Corrupt {
                    secret: secret_name.clone(),
                    reason: "it has no data.release".to_string(),
                })?;
            let mut release = Release::decode(&data.0).map_err(|reason| StoreError::Corrupt {
                secret: secret_name,
                reason,
            })?;
            release.labels = secret.metadata.labels.clone().unwrap_or_default();
            out.push(Known {
                release,
                resource_version: secret.metadata.resource_version.clone(),
            });
        }
        out.sort_by_key(|k| k.release.version);
        let releases = out.iter().map(|k| k.release.clone()).collect();
        *self.known.lock().expect("not poisoned") = Some(out);
        Ok(releases)
    }

    /// Runs `f` on what the store knows, if it knows the history.
    fn with_known(&self, f: impl FnOnce(&mut Vec<Known>)) {
        if let Some(known) = self.known.lock().expect("not poisoned").as_mut() {
            f(known);
        }
    }

    /// Forgets what the store knew after a failed write: the next read lists.
    fn forget<T, E>(&self, result: Result<T, E>) -> Result<T, E> {
        if result.is_err() {
            *self.known.lock().expect("not poisoned") = None;
        }
        result
    }

    /// Records `secret` (as the API returned it) as what the store knows of `release`.
    fn remember(&self, release: &Release, secret: &Secret) {
        let mut release = release.clone();
        release.labels = secret.metadata.labels.clone().unwrap_or_default();
        let entry = Known {
            release,
            resource_version: secret.metadata.resource_version.clone(),
        };
        self.with_known(|known| {
            match known
                .iter_mut()
                .find(|k| k.release.version == entry.release.version)
            {
                Some(k) => *k = entry,
                None => {
                    known.push(entry);
                    known.sort_by_key(|k| k.release.version);
                }
            }
        });
    }

    /// Stores a new revision; fails if it exists (two writers never take the same revision).
    /// Labelled `createdAt` (Unix seconds), as Helm's driver does.
    pub async fn create(&self, release: &Release) -> Result<(), StoreError> {
        let mut secret = release.to_secret();
        let labels = secret.metadata.labels.get_or_insert_default();
        labels.insert("createdAt".into(), unix_now());
        labels.extend(self.owner.clone());
        let created = self.forget(self.api.create(&PostParams::default(), &secret).await)?;
        self.remember(release, &created);
        Ok(())
    }

    /// Rewrites an existing revision (its status changed), keeping the labels it had (Helm's
    /// `createdAt`, custom release labels) and setting `modifiedAt`, as Helm's driver does.
    pub async fn update(&self, release: &Release) -> Result<(), StoreError> {
        let mut known = None;
        self.with_known(|k| {
            known = k
                .iter()
                .find(|k| k.release.version == release.version)
                .filter(|k| k.resource_version.is_some())
                .cloned();
        });
        if let Some(known) = known {
            // As the store last saw it: no read first. A conflict means someone else wrote it
            // meanwhile: read it, as below.
            match self
                .replace(release, known.release.labels, known.resource_version)
                .await
            {
                Err(kube::Error::Api(s)) if s.code == 409 => {}
                other => return Ok(self.forget(other)?),
            }
        }
        let current = self.forget(self.api.get(&release.secret_name()).await)?;
        let labels = current.metadata.labels.unwrap_or_default();
        let replaced = self
            .replace(release, labels, current.metadata.resource_version)
            .await;
        Ok(self.forget(replaced)?)
    }

    /// Replaces `release`'s Secret, at `resource_version`, with `labels` kept.
    async fn replace(
        &self,
        release: &Release,
        mut labels: BTreeMap<String, String>,
        resource_version: Option<String>,
    ) -> Result<(), kube::Error> {
        let mut secret = release.to_secret();
        labels.extend(secret.metadata.labels.take().unwrap_or_default());
        labels.extend(self.owner.clone());
        labels.insert("modifiedAt".into(), unix_now());
        secret.metadata.labels = Some(labels);
        secret.metadata.resource_version = resource_version;
        let replaced = self
            .api
            .replace(&release.secret_name(), &PostParams::default(), &secret)
            .await?;
        self.remember(release, &replaced);
        Ok(())
    }

    /// Deletes one revision; a revision that is already gone is fine.
    pub async fn delete(&self, revision: u32) -> Result<(), StoreError> {
        let result: Result<(), StoreError> = match self
            .api
            .delete(&secret_name(&self.name, revision), &DeleteParams::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(e.into()),
        };
        self.forget(result)?;
        self.with_known(|known| known.retain(|k| k.release.version != revision));
        Ok(())
    }

    /// Keeps the newest `limit` revisions (0 keeps all) and never the last deployed one, as
    /// Helm's `--history-max` does.
    pub async fn prune(&self, limit: u32) -> Result<(), StoreError> {
        if limit == 0 {
            return Ok(());
        }
        let history = self.history().await?;
        let last_deployed = history
            .iter()
            .rev()
            .find(|r| r.info.status == status::DEPLOYED)
            .map(|r| r.version);
        let excess = history.len().saturating_sub(limit as usize);
        for release in history.iter().take(excess) {
            if Some(release.version) != last_deployed {
                self.delete(release.version).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip_keeps_unknown_fields() {
        let json = serde_json::json!({
            "name": "web", "version": 3, "namespace": "apps",
            "info": {"status": "deployed", "deleted": "0001-01-01T00:00:00Z", "resources": {"x": 1}},
            "manifest": "---\n# Source: c/templates/a.yaml\nkind: ConfigMap\n",
            "apply_method": "ssa"
        });
        let release: Release = serde_json::from_value(json.clone()).unwrap();
        let back = Release::decode(release.encode().as_bytes()).unwrap();
        assert_eq!(back, release);
        assert_eq!(serde_json::to_value(&back).unwrap(), json);
        assert_eq!(back.secret_name(), "sh.helm.release.v1.web.v3");
    }

    #[test]
    fn decode_says_what_is_wrong() {
        assert!(Release::decode(b"%%%").unwrap_err().contains("not base64"));
        let not_json = B64.encode(b"{");
        assert!(
            Release::decode(not_json.as_bytes())
                .unwrap_err()
                .contains("does not parse")
        );
    }
}
