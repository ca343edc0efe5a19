//! `planton-helm diff --cluster FILE...`: what applying HelmRelease files would do to the cluster
//! as it is now. Each release is rendered as the controller renders it (its values, the next
//! revision, an upgrade when a revision is deployed, `.Capabilities` and `lookup` from the
//! cluster) and compared with the deployed revision's manifest (its `sh.helm.release.v1.*`
//! record); separately, each object of that manifest is compared with the live object (a
//! server-side dry-run apply against the live object, as the controller's drift detection does).
//! Secrets' `data` and `stringData` are masked unless `--show-secrets`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context as _, anyhow, bail};
use base64::Engine as _;
use clap::{Args, ValueEnum};
use helmrelease_model::HelmRelease;
use host_controller::cluster::{Cluster, ClusterLookup, ObjectRef, manifest_objects};
use host_controller::drift::{self, Drift};
use host_controller::release::{self, Store};
use host_runtime::{Config, ReleaseInfo, RenderOutput, Runtime};
use serde::Serialize;
use serde_json::Value;

use crate::connect::ClusterArgs;
use crate::sources::{Diffed, Plan, Release, RenderSettings, render_files_with};

/// `diff`'s flags for comparing with a cluster.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Compare the files with the releases deployed in the cluster (and their live objects)
    /// instead of with a second file
    #[arg(long, help_heading = "Cluster")]
    pub cluster: bool,

    #[command(flatten)]
    pub connection: ClusterArgs,

    /// Show the values of Secrets' data and stringData (masked by default)
    #[arg(long, help_heading = "Cluster")]
    pub show_secrets: bool,

    /// Report format (json: for CI bots; needs --cluster)
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl LiveArgs {
    /// Refuses the cluster flags without `--cluster` (they would be silently ignored).
    pub fn check_offline(&self) -> anyhow::Result<()> {
        if self.connection.given() || self.show_secrets || self.output != Format::Text {
            bail!(
                "--kubeconfig, --kube-context, --show-secrets and --output json compare with a \
                 cluster: add --cluster"
            );
        }
        Ok(())
    }
}

/// The report on one release.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReleaseReport {
    name: String,
    namespace: String,
    /// `installed` (nothing deployed yet), `upgraded` or `unchanged`.
    action: &'static str,
    /// `NAME VERSION` of the deployed revision, if any.
    deployed_chart: Option<String>,
    deployed_revision: Option<u32>,
    planned_chart: String,
    planned_revision: u32,
    /// Objects the apply would add, change or remove.
    objects: Vec<ObjectChange>,
    /// Objects of the deployed revision that differ live from its manifest.
    drift: Vec<ObjectChange>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectChange {
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
    /// `added`, `changed`, `removed` (or `removed (kept)`), for drift `modified` or `deleted`.
    change: String,
    /// A unified diff; Secrets' values masked unless --show-secrets.
    diff: String,
}

impl ObjectChange {
    fn label(&self) -> String {
        format!(
            "{} {} {}/{}",
            self.api_version, self.kind, self.namespace, self.name
        )
    }
}

/// How changes are shown: lines of context, Secrets' values masked or not.
struct View {
    context: usize,
    show_secrets: bool,
}

impl View {
    /// `obj`'s change from `a` (`SIDES[0]/KEY`) to `b` (`SIDES[1]/KEY`), with a unified diff;
    /// `namespace` is the release's, for an object whose manifest names none.
    fn change(
        &self,
        obj: &ObjectRef,
        namespace: &str,
        change: &str,
        mut a: Option<Value>,
        mut b: Option<Value>,
        sides: [&str; 2],
    ) -> ObjectChange {
        if is_secret(obj) && !self.show_secrets {
            mask_secrets(a.as_mut(), b.as_mut());
        }
        let label = label(obj, namespace);
        ObjectChange {
            api_version: obj.api_version.clone(),
            kind: obj.kind.clone(),
            namespace: obj
                .namespace
                .clone()
                .unwrap_or_else(|| namespace.to_string()),
            name: obj.name.clone(),
            change: change.to_string(),
            diff: unified(
                a.as_ref(),
                b.as_ref(),
                &format!("{}/{label}", sides[0]),
                &format!("{}/{label}", sides[1]),
                self.context,
            ),
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    changed: bool,
    releases: &'a [ReleaseReport],
}

/// Renders the files against the cluster and reports, per release, the objects the apply would
/// add, change or remove, and the drift of the deployed objects.
pub fn diff(
    files: &[PathBuf],
    live: &LiveArgs,
    context: usize,
    settings: &RenderSettings,
    config: Config,
) -> anyhow::Result<Diffed> {
    let tokio = crate::connect::tokio()?;
    let connection = tokio.block_on(live.connection.connect())?;
    let cluster = Cluster::new(connection.client.clone());
    let capabilities = tokio
        .block_on(cluster.capabilities())
        .context("read the cluster's version and API versions (.Capabilities)")?;
    let specs = helmreleases(files)?;
    let runtime = Runtime::new(config)?;
    let mut deployed: BTreeMap<(String, String), (Option<release::Release>, u32)> = BTreeMap::new();
    let rendered = render_files_with(files, settings, &runtime, |r: &Release| {
        let store = Store::new(connection.client.clone(), &r.namespace, &r.release_name);
        let history = tokio.block_on(store.history()).with_context(|| {
            format!(
                "read the records of release {}/{} (sh.helm.release.v1 Secrets)",
                r.namespace, r.release_name
            )
        })?;
        // As the controller decides: an upgrade of the newest deployed revision, as the
        // revision after the newest record.
        let current = history
            .iter()
            .rev()
            .find(|x| x.info.status == release::status::DEPLOYED)
            .cloned();
        let next = history.last().map_or(0, |x| x.version) + 1;
        deployed.insert(
            (r.namespace.clone(), r.release_name.clone()),
            (current.clone(), next),
        );
        Ok(Plan {
            release: ReleaseInfo {
                name: r.release_name.clone(),
                namespace: r.namespace.clone(),
                revision: next,
                is_install: current.is_none(),
                is_upgrade: current.is_some(),
            },
            capabilities: capabilities.clone(),
            host: ClusterLookup::new(cluster.clone(), tokio.handle().clone()),
        })
    })?;
    let mut reports = Vec::new();
    for (r, output) in &rendered {
        let key = (r.namespace.clone(), r.release_name.clone());
        let (current, next) = deployed.remove(&key).unwrap_or((None, 1));
        let ignore = specs.get(&key).map(drift_ignore).unwrap_or_default();
        let report = tokio.block_on(compare(
            &cluster,
            r,
            output,
            current.as_ref(),
            next,
            &ignore,
            &View {
                context,
                show_secrets: live.show_secrets,
            },
        ))?;
        reports.push(report);
    }
    let changed = reports
        .iter()
        .any(|r| r.action != "unchanged" || !r.drift.is_empty());
    let stdout = match live.output {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&Report {
                changed,
                releases: &reports,
            })?;
            text.push('\n');
            text
        }
        Format::Text => text_report(&reports),
    };
    Ok(Diffed { stdout, changed })
}

/// The HelmRelease documents of the files as the controller reads them, by (target namespace,
/// release name): for their drift settings.
fn helmreleases(files: &[PathBuf]) -> anyhow::Result<BTreeMap<(String, String), HelmRelease>> {
    let mut out = BTreeMap::new();
    for file in files {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("read {}", file.display()))?;
        let docs: Vec<Value> = serde_saphyr::from_str_multiple(&text)
            .map_err(|e| anyhow!("{}: not YAML: {e}", file.display()))?;
        for doc in docs {
            if doc.get("kind").and_then(Value::as_str) != Some("HelmRelease") {
                continue;
            }
            // Anything the controller's type cannot read was reported by validation already;
            // such a release just has no drift settings here.
            if let Ok(hr) = serde_json::from_value::<HelmRelease>(doc) {
                out.insert((hr.target_namespace(), hr.release_name()), hr);
            }
        }
    }
    Ok(out)
}

/// The ignore rules of the release's drift detection (none when it sets none; drift is reported
/// whatever `spec.driftDetection.mode` is, as a dry run reports what is there).
type IgnoreRules = Vec<helmrelease_model::crd::DriftIgnoreRule>;

fn drift_ignore(hr: &HelmRelease) -> IgnoreRules {
    hr.spec
        .drift_detection
        .as_ref()
        .map(|d| d.ignore.clone())
        .unwrap_or_default()
}

/// One object of a manifest: its reference and its body.
type Objects = BTreeMap<(String, String, String, String), (ObjectRef, Value)>;

fn objects_of(manifest: &str, namespace: &str) -> Objects {
    manifest_objects(manifest)
        .into_iter()
        .map(|(obj, body)| (obj.key(namespace), (obj, body)))
        .collect()
}

async fn compare(
    cluster: &Cluster,
    r: &Release,
    output: &RenderOutput,
    current: Option<&release::Release>,
    next: u32,
    ignore: &IgnoreRules,
    view: &View,
) -> anyhow::Result<ReleaseReport> {
    let ns = r.namespace.as_str();
    let planned_manifest: String = output
        .manifests
        .iter()
        .map(|m| format!("---\n{}\n", m.body))
        .collect();
    let planned = objects_of(&planned_manifest, ns);
    let deployed = current
        .map(|c| objects_of(&c.manifest, ns))
        .unwrap_or_default();
    let mut objects = Vec::new();
    let mut keys: Vec<_> = deployed.keys().chain(planned.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (old, new) = (deployed.get(key), planned.get(key));
        let change = match (old, new) {
            (None, Some(_)) => "added",
            (Some((_, body)), None) if keeps(body) => "removed (kept)",
            (Some(_), None) => "removed",
            (Some((_, a)), Some((_, b))) if a != b => "changed",
            _ => continue,
        };
        let obj = &new.or(old).expect("one side").0;
        objects.push(view.change(
            obj,
            ns,
            change,
            old.map(|(_, b)| b.clone()),
            new.map(|(_, b)| b.clone()),
            ["deployed", "planned"],
        ));
    }
    let mut drift = Vec::new();
    for (obj, body) in deployed.values() {
        let pointers = drift::ignored(ignore, obj, ns);
        let mut body = body.clone();
        release::helm_metadata(&mut body, &r.release_name, ns);
        // Forced, as `upgrade.force` checks: every live difference from the manifest is shown,
        // fields another field manager took over included (a controller without force leaves
        // those to their manager and names them in the HelmRelease's Ready message).
        let (found, _) = drift::check(cluster, obj, &body, ns, &pointers, true)
            .await
            .with_context(|| format!("compare the live {obj} with the deployed manifest"))?;
        let (change, wanted, live) = match found {
            Drift::InSync => continue,
            Drift::Deleted => ("deleted", Some(body), None),
            Drift::Modified { wanted, live, .. } => ("modified", Some(wanted), Some(live)),
        };
        drift.push(view.change(obj, ns, change, wanted, live, ["deployed", "live"]));
    }
    let chart = |name: &str, version: &str| format!("{name} {version}");
    // As the controller decides whether to upgrade: the chart or the values differ from the
    // deployed revision's (even when no object changes, a new revision is recorded).
    let values: serde_json::Map<String, Value> = match &r.values {
        Some(text) => serde_json::from_str(text).context("spec.values")?,
        None => serde_json::Map::new(),
    };
    let action = match current {
        None => "installed",
        Some(c)
            if objects.is_empty()
                && c.chart_name() == r.chart.name
                && c.chart_version() == r.chart.version
                && c.config == values =>
        {
            "unchanged"
        }
        Some(_) => "upgraded",
    };
    Ok(ReleaseReport {
        name: r.release_name.clone(),
        namespace: ns.to_string(),
        action,
        deployed_chart: current.map(|c| chart(c.chart_name(), c.chart_version())),
        deployed_revision: current.map(|c| c.version),
        planned_chart: chart(&r.chart.name, &r.chart.version),
        planned_revision: next,
        objects,
        drift,
    })
}

fn label(obj: &ObjectRef, namespace: &str) -> String {
    format!(
        "{} {} {}/{}",
        obj.api_version,
        obj.kind,
        obj.namespace.as_deref().unwrap_or(namespace),
        obj.name
    )
}

/// `helm.sh/resource-policy: keep`: Helm leaves the object when the release drops it.
fn keeps(body: &Value) -> bool {
    body.pointer("/metadata/annotations/helm.sh~1resource-policy")
        .and_then(Value::as_str)
        == Some("keep")
}

fn is_secret(obj: &ObjectRef) -> bool {
    obj.api_version == "v1" && obj.kind == "Secret"
}

/// Replaces the values of a Secret's `data` and `stringData` (and kubectl's copy of the whole
/// object in its last-applied annotation) by their size, on both sides of a comparison; on the
/// second side a value that differs from the first says so, so that the change still shows
/// without its content.
fn mask_secrets(a: Option<&mut Value>, b: Option<&mut Value>) {
    const LAST_APPLIED: &str =
        "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration";
    let original_a = a.as_deref().cloned();
    let size = |field: &str, v: &Value| -> usize {
        let text = v.as_str().unwrap_or_default();
        if field == "data" {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_or(text.len(), |d| d.len())
        } else {
            text.len()
        }
    };
    let mask = |side: &mut Value, other: Option<&Value>| {
        for field in ["data", "stringData"] {
            let Some(map) = side.get_mut(field).and_then(Value::as_object_mut) else {
                continue;
            };
            for (key, value) in map.iter_mut() {
                let theirs = other.and_then(|o| o.get(field)).and_then(|d| d.get(key));
                let changed = theirs.is_some_and(|t| *t != *value);
                *value = Value::String(format!(
                    "hidden ({} bytes{})",
                    size(field, value),
                    if changed { ", changed" } else { "" }
                ));
            }
        }
        if let Some(annotation) = side.pointer_mut(LAST_APPLIED) {
            *annotation = Value::String("hidden".into());
        }
    };
    // A changed value is marked on the second side only, so that its line differs.
    if let Some(a) = a {
        mask(a, None);
    }
    if let Some(b) = b {
        mask(b, original_a.as_ref());
    }
}

/// A unified diff of two objects as YAML ("" for a side that does not exist).
fn unified(a: Option<&Value>, b: Option<&Value>, from: &str, to: &str, context: usize) -> String {
    let yaml = |v: Option<&Value>| {
        v.map(|v| serde_saphyr::to_string(v).unwrap_or_else(|e| format!("# not printable: {e}\n")))
            .unwrap_or_default()
    };
    let (a, b) = (yaml(a), yaml(b));
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(context)
        .header(from, to)
        .to_string()
}

fn text_report(reports: &[ReleaseReport]) -> String {
    let mut out = String::new();
    for r in reports {
        if r.action == "unchanged" && r.drift.is_empty() {
            continue;
        }
        let deployed = match (&r.deployed_chart, r.deployed_revision) {
            (Some(chart), Some(rev)) => format!("{chart} (revision {rev})"),
            _ => "(none)".to_string(),
        };
        let planned = format!("{} (revision {})", r.planned_chart, r.planned_revision);
        out.push_str(&match r.action {
            "unchanged" => format!(
                "HelmRelease {}/{} unchanged: {deployed}\n",
                r.namespace, r.name
            ),
            action => format!(
                "HelmRelease {}/{} {action}: {deployed} -> {planned}\n",
                r.namespace, r.name
            ),
        });
        for o in &r.objects {
            out.push_str(&format!("{} {}\n{}", o.label(), o.change, o.diff));
        }
        if !r.drift.is_empty() {
            out.push_str(&format!(
                "Drift: live objects that differ from revision {}'s manifest\n",
                r.deployed_revision.unwrap_or_default()
            ));
            for o in &r.drift {
                out.push_str(&format!("{} {}\n{}", o.label(), o.change, o.diff));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_are_masked_and_changes_still_show() {
        let mut a = json!({"kind": "Secret", "data": {"password": "aHVudGVyMg==", "same": "eA=="},
            "stringData": {"token": "abc"},
            "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                "{\"data\":{\"password\":\"aHVudGVyMg==\"}}"}}});
        let mut b = json!({"kind": "Secret", "data": {"password": "c2VjcmV0MQ==", "same": "eA==",
            "new": "eHl6"}, "stringData": {"token": "abc"}});
        mask_secrets(Some(&mut a), Some(&mut b));
        let text = format!("{a}{b}");
        for secret in [
            "aHVudGVyMg",
            "c2VjcmV0MQ",
            "hunter2",
            "secret1",
            "abc",
            "eHl6",
        ] {
            assert!(!text.contains(secret), "{secret} leaks: {text}");
        }
        assert_eq!(a["data"]["password"], "hidden (7 bytes)");
        assert_eq!(b["data"]["password"], "hidden (7 bytes, changed)");
        assert_eq!(a["data"]["same"], b["data"]["same"]);
        assert_eq!(b["data"]["new"], "hidden (3 bytes)");
        assert_eq!(a["stringData"]["token"], "hidden (3 bytes)");
        let d = unified(Some(&a), Some(&b), "a", "b", 3);
        assert!(d.contains("-  password: hidden (7 bytes)\n"), "{d}");
        assert!(
            d.contains("+  password: hidden (7 bytes, changed)\n"),
            "{d}"
        );
        assert!(d.contains("+  new: hidden (3 bytes)\n"), "{d}");
    }
}
