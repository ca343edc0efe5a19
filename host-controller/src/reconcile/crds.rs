//! The chart's CustomResourceDefinitions. Those of its `crds/` directories (and its
//! subcharts') are applied before the chart is rendered, as `spec.install.crds` /
//! `spec.upgrade.crds` say, and are not part of the release (Helm neither records, upgrades
//! nor deletes them). Those among its templates are release objects like any other, applied
//! before the rest of the release (`apply.rs`). Either way they are waited for until
//! `Established`, and discovery is refreshed, before anything that uses them.

use kube::ResourceExt;
use kube::api::{Patch, PatchParams};
use serde_json::Value;
use tokio::time::Instant;

use crate::cluster::{Cluster, FIELD_MANAGER, ObjectRef, object_ref};
use crate::crd::CrdPolicy;
use crate::identity::forbidden;
use crate::wait::wait_ready;

use super::error::Error;

/// The kind, in the API group [`CRD_GROUP`].
pub const CRD_KIND: &str = "CustomResourceDefinition";
/// The group of [`CRD_KIND`].
pub const CRD_GROUP: &str = "apiextensions.k8s.io";

/// Whether `obj` is a CustomResourceDefinition.
pub fn is_crd(obj: &ObjectRef) -> bool {
    obj.kind == CRD_KIND && obj.group() == CRD_GROUP
}

/// The CRDs of the `crds/` directories in a render's text (rendered with `include_crds`, which
/// puts them first, each under `# Source: <chart>[/charts/<sub>]*/crds/<file>`), in order.
/// Only the subcharts the render kept (their conditions and tags hold) are there, as with Helm.
pub fn chart_crds(text: &str) -> Vec<(ObjectRef, Value)> {
    let mut docs: Vec<(bool, String)> = Vec::new();
    let mut from_crds = false;
    for line in text.lines() {
        if line == "---" || line.starts_with("--- ") {
            docs.push((from_crds, String::new()));
        } else if let Some(path) = line.strip_prefix("# Source: ") {
            from_crds = in_crds_dir(path);
            match docs.last_mut() {
                Some(d) => d.0 = from_crds,
                None => docs.push((from_crds, String::new())),
            }
        } else {
            if docs.is_empty() {
                docs.push((from_crds, String::new()));
            }
            let doc = &mut docs.last_mut().expect("not empty").1;
            doc.push_str(line);
            doc.push('\n');
        }
    }
    docs.into_iter()
        .filter(|(crds, _)| *crds)
        .filter_map(|(_, doc)| serde_saphyr::from_str::<Value>(&doc).ok())
        .filter_map(|v| object_ref(&v).filter(is_crd).map(|o| (o, v)))
        .collect()
}

/// Whether a `# Source:` path is in a chart's `crds/` directory: `<chart>/crds/...` or
/// `<chart>/charts/<sub>/crds/...` (at any depth), not a template that happens to be in a
/// directory of that name.
fn in_crds_dir(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    let mut i = 1;
    while segments.get(i) == Some(&"charts") {
        i += 2;
    }
    segments.get(i) == Some(&"crds") && segments.len() > i + 1
}

/// Applies `crds` as `policy` says (`Create`: only those that do not exist; `CreateReplace`:
/// all, with server-side apply forcing conflicts, since the chart's CRD is the one wanted) and
/// waits until they are `Established`, up to `deadline`. Returns whether a CRD was created or
/// changed, in which case discovery has been refreshed.
///
/// Guarantees: idempotent; an unchanged CRD is not changed (its resourceVersion stays).
/// A refusal of the release's identity is [`Error::Forbidden`]; anything else [`Error::Crds`].
pub async fn apply(
    cluster: &Cluster,
    crds: &[(ObjectRef, Value)],
    policy: CrdPolicy,
    deadline: Instant,
) -> Result<bool, Error> {
    if policy == CrdPolicy::Skip {
        return Ok(false);
    }
    let failed = |what: String| {
        move |e: kube::Error| match forbidden(&e) {
            Some(f) => Error::Forbidden(f),
            None => Error::Crds(format!("{what}: {e}")),
        }
    };
    let mut changed = Vec::new();
    for (obj, body) in crds {
        let live = cluster
            .get(obj, "")
            .await
            .map_err(failed(format!("reading {obj}")))?;
        let before = live.as_ref().and_then(|l| l.resource_version());
        if before.is_some() && policy == CrdPolicy::Create {
            continue;
        }
        let (api, _) = cluster
            .api_for(obj, "")
            .await
            .map_err(failed(format!("applying {obj}")))?;
        let params = PatchParams::apply(FIELD_MANAGER).force();
        let after = api
            .patch(&obj.name, &params, &Patch::Apply(body))
            .await
            .map_err(failed(format!("applying {obj}")))?;
        if after.resource_version() != before {
            changed.push(obj.clone());
        }
    }
    established(cluster, &changed, deadline)
        .await
        .map_err(Error::Crds)?;
    Ok(!changed.is_empty())
}

/// Waits until `crds` are `Established`, then drops what discovery said, so that the kinds they
/// define resolve and show in `.Capabilities`.
pub async fn established(
    cluster: &Cluster,
    crds: &[ObjectRef],
    deadline: Instant,
) -> Result<(), String> {
    if crds.is_empty() {
        return Ok(());
    }
    wait_ready(cluster, crds, "", deadline).await?;
    cluster.invalidate_discovery().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crds_of_a_render_are_those_of_crds_directories() {
        let crd = |name: &str| {
            format!(
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
                 metadata:\n  name: {name}\n"
            )
        };
        let text = format!(
            "---\n# Source: op/crds/widgets.yaml\n{}---\n{}\
             ---\n# Source: op/charts/sub/crds/gadgets.yaml\n{}\
             ---\n# Source: op/templates/crds/not-from-crds.yaml\n{}\
             ---\n# Source: op/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n\
             metadata:\n  name: cm\n",
            crd("widgets.example.com"),
            crd("sprockets.example.com"),
            crd("gadgets.example.com"),
            crd("templated.example.com"),
        );
        let names: Vec<String> = chart_crds(&text).into_iter().map(|(o, _)| o.name).collect();
        assert_eq!(
            names,
            [
                "widgets.example.com",
                "sprockets.example.com",
                "gadgets.example.com"
            ]
        );
        assert!(in_crds_dir("op/charts/a/charts/b/crds/x.yaml"));
        assert!(!in_crds_dir("op/charts/crds/templates/x.yaml"));
        assert!(!in_crds_dir("op/crds"));
    }
}
