//! `planton-helm status [FILE|NAME]...`: the HelmReleases in a cluster as one table, like
//! `flux get helmreleases`: chart, version, Ready, reason, revisions, message. Read from the
//! HelmRelease objects' status, which the controller writes.

use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use clap::Args;
use helmrelease_model::{HelmRelease, HelmReleaseStatus};
use kube::api::ListParams;
use kube::{Api, ResourceExt as _};
use serde_json::Value;

use crate::connect::ClusterArgs;

/// `planton-helm status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// HelmRelease files (each HelmRelease in them) or HelmRelease names [default: every
    /// HelmRelease in the namespace]
    #[arg(value_name = "FILE|NAME")]
    targets: Vec<String>,

    /// The namespace of the names and of the list [default: the kubeconfig context's]
    #[arg(short = 'n', long, value_name = "NS")]
    namespace: Option<String>,

    /// List the HelmReleases of every namespace
    #[arg(short = 'A', long, conflicts_with = "targets")]
    all_namespaces: bool,

    #[command(flatten)]
    cluster: ClusterArgs,
}

/// The condition type the table's READY column shows.
const READY: &str = "Ready";

/// The table, and whether every release asked for was found.
pub struct Table {
    pub stdout: String,
    pub missing: Vec<String>,
}

/// Reads the HelmReleases and prints one row each.
pub fn status(args: &StatusArgs) -> anyhow::Result<Table> {
    let tokio = crate::connect::tokio()?;
    tokio.block_on(async {
        let connection = args.cluster.connect().await?;
        let namespace = args.namespace.clone().unwrap_or(connection.namespace);
        let client = connection.client;
        let mut rows = Vec::new();
        let mut missing = Vec::new();
        if args.targets.is_empty() {
            let api: Api<HelmRelease> = if args.all_namespaces {
                Api::all(client)
            } else {
                Api::namespaced(client, &namespace)
            };
            let list = api.list(&ListParams::default()).await.map_err(|e| {
                anyhow!(
                    "list HelmReleases: {e}; is the CRD installed (planton-helm-controller crd)?"
                )
            })?;
            rows.extend(list.items);
        } else {
            for (ns, name) in names(&args.targets, &namespace)? {
                let api: Api<HelmRelease> = Api::namespaced(client.clone(), &ns);
                match api
                    .get_opt(&name)
                    .await
                    .with_context(|| format!("read HelmRelease {ns}/{name}"))?
                {
                    Some(hr) => rows.push(hr),
                    None => missing.push(format!("{ns}/{name}")),
                }
            }
        }
        if rows.is_empty() && missing.is_empty() {
            let place = if args.all_namespaces {
                "any namespace".to_string()
            } else {
                format!("namespace {namespace}")
            };
            bail!("no HelmRelease found in {place}");
        }
        rows.sort_by_key(|hr| (hr.namespace().unwrap_or_default(), hr.name_any()));
        Ok(Table {
            stdout: table(&rows),
            missing,
        })
    })
}

/// (namespace, name) of each target: the HelmReleases of a file (their own namespace, else
/// `namespace`), or a name in `namespace`.
fn names(targets: &[String], namespace: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for target in targets {
        let path = Path::new(target);
        if !path.is_file() {
            out.push((namespace.to_string(), target.clone()));
            continue;
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
        let docs: Vec<Value> = serde_saphyr::from_str_multiple(&text)
            .map_err(|e| anyhow!("{}: not YAML: {e}", path.display()))?;
        let before = out.len();
        for doc in docs {
            if doc.get("kind").and_then(Value::as_str) != Some("HelmRelease") {
                continue;
            }
            let meta = |k: &str| {
                doc.pointer(&format!("/metadata/{k}"))
                    .and_then(Value::as_str)
            };
            let name = meta("name")
                .ok_or_else(|| anyhow!("{}: a HelmRelease has no metadata.name", path.display()))?;
            out.push((
                meta("namespace").unwrap_or(namespace).to_string(),
                name.to_string(),
            ));
        }
        if out.len() == before {
            bail!("no HelmRelease in {}", path.display());
        }
    }
    Ok(out)
}

const HEADER: [&str; 9] = [
    "NAMESPACE",
    "NAME",
    "CHART",
    "VERSION",
    "READY",
    "REASON",
    "REVISION",
    "LAST APPLIED",
    "MESSAGE",
];

/// The rows, aligned as kubectl aligns its tables (the last column runs free).
fn table(releases: &[HelmRelease]) -> String {
    let mut rows = vec![HEADER.map(str::to_string)];
    for hr in releases {
        rows.push(row(hr));
    }
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}   ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn row(hr: &HelmRelease) -> [String; 9] {
    let status = hr.status.clone().unwrap_or_default();
    let ready = status.conditions.iter().find(|c| c.type_ == READY);
    let dash = || "-".to_string();
    let mut version = hr.spec.version.clone();
    if let Some(applied) = status
        .chart_version
        .as_ref()
        .filter(|v| **v != hr.spec.version && status.last_applied_revision.is_some())
    {
        version.push_str(&format!(" ({applied} applied)"));
    }
    let mut message = ready.map(|c| c.message.clone()).unwrap_or_default();
    if hr.spec.suspend {
        message = format!("suspended; {message}");
    }
    [
        hr.namespace().unwrap_or_default(),
        hr.name_any(),
        hr.spec.name.clone(),
        version,
        ready.map_or("Unknown".to_string(), |c| c.status.clone()),
        ready.map_or_else(dash, |c| c.reason.clone()),
        status
            .history
            .first()
            .map_or_else(dash, |s| format!("{} ({})", s.revision, s.status)),
        last_applied(&status),
        message.replace('\n', " "),
    ]
}

/// `REVISION at TIME` of the revision last deployed successfully.
fn last_applied(status: &HelmReleaseStatus) -> String {
    let Some(revision) = status.last_applied_revision else {
        return "-".to_string();
    };
    match status
        .history
        .iter()
        .find(|s| s.revision == revision)
        .and_then(|s| s.last_deployed.as_deref())
    {
        Some(at) => format!("{revision} at {at}"),
        None => revision.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_ready_reason_and_revisions() {
        let hr: HelmRelease = serde_json::from_value(serde_json::json!({
            "apiVersion": "kubernetes.project-planton.org/v1", "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"repo": "oci://r/charts", "name": "web", "version": "0.2.0"},
            "status": {"conditions": [{"type": "Ready", "status": "False",
                "reason": "UpgradeFailed", "message": "applying Deployment web:\nforbidden",
                "lastTransitionTime": "2026-12-01T10:00:00Z"}],
                "lastAppliedRevision": 1, "chartVersion": "0.1.0",
                "history": [{"revision": 2, "chartVersion": "0.2.0", "status": "failed"},
                    {"revision": 1, "chartVersion": "0.1.0", "status": "deployed",
                     "lastDeployed": "2026-12-01T09:00:00Z"}]}
        }))
        .expect("a HelmRelease");
        let text = table(&[hr]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        let cells: Vec<&str> = lines[1]
            .split("   ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(
            cells,
            [
                "apps",
                "web",
                "web",
                "0.2.0 (0.1.0 applied)",
                "False",
                "UpgradeFailed",
                "2 (failed)",
                "1 at 2026-12-01T09:00:00Z",
                "applying Deployment web: forbidden"
            ],
            "{text}"
        );
        assert!(lines[0].starts_with("NAMESPACE   NAME"), "{text}");
    }
}
