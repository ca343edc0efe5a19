//! The assembly of rendered files into `helm template`'s output: documents split, their heads
//! read, hooks set apart, manifests sorted by kind in Helm's install order, CRDs and
//! `--show-only` applied.

use crate::api::error::CoreError;
use crate::api::render::{Manifest, RenderOptions, RenderOutput};
use crate::chart::{self, Chart};
use crate::go::slog_value;
use crate::value::{Map, Value};

use super::errors::{fail, fail_rendering};

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Split a rendered file on lines starting with `---`; each document keeps its text verbatim but
/// for its leading whitespace, which Helm trims (a template starting with `{{- if }}\n` prints no
/// blank line after its `# Source:` header).
fn split_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            // Text after the marker starts the next document, as with Helm's separator.
            docs.push(rest.to_string());
        } else if let Some(d) = docs.last_mut() {
            d.push_str(line);
        }
    }
    docs.into_iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim_start().to_string())
        .collect()
}

fn head_str(m: &Map, key: &str) -> String {
    match m.get(key) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    }
}

/// `json.Unmarshal` of a document into Helm's `SimpleHead`, with encoding/json's error texts.
fn simple_head(doc: &Value) -> Result<Option<Map>, String> {
    let kind = match doc {
        Value::Nil => return Ok(None),
        Value::Map(m) => {
            for (field, key) in [("apiVersion", "apiVersion"), ("kind", "kind")] {
                if let Some(v) = m.get(key)
                    && !matches!(v, Value::String(_) | Value::Nil)
                {
                    return Err(format!(
                        "json: cannot unmarshal {} into Go struct field SimpleHead.{field} of type string",
                        json_kind(&v)
                    ));
                }
            }
            return Ok(Some(m.clone()));
        }
        other => json_kind(other),
    };
    Err(format!(
        "json: cannot unmarshal {kind} into Go value of type util.SimpleHead"
    ))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Float(_) | Value::Int(..) => "number",
        Value::Bool(_) => "bool",
        Value::List(_) => "array",
        _ => "object",
    }
}

fn manifest_of(source: &str, body: String, head: Option<&Map>) -> Manifest {
    let (api_version, kind, name, namespace, annotations) = match head {
        Some(h) => {
            let meta = h.get("metadata").and_then(|m| m.as_map().cloned());
            let name = meta
                .as_ref()
                .map(|m| head_str(m, "name"))
                .unwrap_or_default();
            let namespace = meta
                .as_ref()
                .map(|m| head_str(m, "namespace"))
                .filter(|s| !s.is_empty());
            let ann = meta
                .as_ref()
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.as_map().cloned());
            (
                head_str(h, "apiVersion"),
                head_str(h, "kind"),
                name,
                namespace,
                ann,
            )
        }
        None => Default::default(),
    };
    let ann = |k: &str| {
        annotations
            .as_ref()
            .map(|a| head_str(a, k))
            .unwrap_or_default()
    };
    let hook = ann("helm.sh/hook");
    Manifest {
        source: source.to_string(),
        api_version,
        kind,
        name,
        namespace,
        hook_events: if hook.is_empty() {
            vec![]
        } else {
            hook.split(',')
                .map(|e| e.trim().to_ascii_lowercase())
                .collect()
        },
        hook_weight: ann("helm.sh/hook-weight").trim().parse().unwrap_or(0),
        hook_delete_policies: ann("helm.sh/hook-delete-policy")
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        body,
    }
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

fn sort_by_kind(items: &mut [Manifest]) {
    items.sort_by(|a, b| match (kind_rank(&a.kind), kind_rank(&b.kind)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.kind.cmp(&b.kind),
    });
}

/// Sort, split and print the rendered files as `helm template` does.
pub(super) fn assemble(
    chart: &Chart,
    rendered: Vec<(String, String)>,
    notes: Option<String>,
    opts: &RenderOptions,
) -> Result<RenderOutput, CoreError> {
    let mut logs = Vec::new();
    match assemble_documents(chart, rendered, notes, opts, &mut logs) {
        Ok(mut out) => {
            out.logs = logs;
            Ok(out)
        }
        Err(mut e) => {
            e.logs = logs;
            Err(e)
        }
    }
}

/// The documents sorted into manifests and hooks and printed; Helm's log lines go to `logs`.
fn assemble_documents(
    chart: &Chart,
    rendered: Vec<(String, String)>,
    notes: Option<String>,
    opts: &RenderOptions,
    logs: &mut Vec<String>,
) -> Result<RenderOutput, CoreError> {
    let mut manifests = Vec::new();
    let mut hooks = Vec::new();
    for (path, text) in rendered {
        if text.trim().is_empty() {
            continue;
        }
        for doc in split_documents(&text) {
            let parsed = crate::yaml::parse(&doc).map_err(|e| {
                // The reader's errors already carry sigs.k8s.io/yaml's prefix.
                let e = e
                    .strip_prefix("error converting YAML to JSON: ")
                    .unwrap_or(&e);
                fail_rendering(format!(
                    "YAML parse error on {path}: error converting YAML to JSON: {e}"
                ))
            })?;
            let head = simple_head(&parsed).map_err(|e| {
                fail_rendering(format!(
                    "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: {e}"
                ))
            })?;
            let m = manifest_of(&path, doc, head.as_ref());
            if m.hook_events.is_empty() {
                manifests.push(m);
            } else if m
                .hook_events
                .iter()
                .all(|e| HOOK_EVENTS.contains(&e.as_str()))
            {
                hooks.push(m);
            } else {
                // Helm skips the whole document when any of its hook types is unknown (Helm 2's
                // crd-install, a typo) and logs the annotation as written.
                let raw = head
                    .as_ref()
                    .and_then(|h| h.get("metadata"))
                    .and_then(|m| m.as_map().and_then(|m| m.get("annotations")))
                    .and_then(|a| a.as_map().and_then(|a| a.get("helm.sh/hook")))
                    .map(|v| crate::go::strval(&v))
                    .unwrap_or_default();
                logs.push(format!(
                    "level=INFO msg=\"skipping unknown hooks\" hookTypes={}",
                    slog_value(&raw)
                ));
            }
        }
    }
    sort_by_kind(&mut manifests);
    sort_by_kind(&mut hooks);

    let mut stream = String::new();
    if opts.include_crds {
        collect_crds(chart, &chart.name(), &mut stream);
    }
    for m in &manifests {
        stream.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.body));
    }
    let mut text = format!("{}\n", stream.trim());
    if !opts.no_hooks {
        for h in &hooks {
            if opts.skip_tests
                && h.hook_events
                    .iter()
                    .any(|e| e == "test" || e == "test-success")
            {
                continue;
            }
            text.push_str(&format!("---\n# Source: {}\n{}\n", h.source, h.body));
        }
    }
    if !opts.show_only.is_empty() {
        text = show_only(&text, &opts.show_only)?;
    }
    Ok(RenderOutput {
        text,
        manifests,
        hooks,
        notes,
        logs: Vec::new(),
    })
}

fn collect_crds(chart: &Chart, path: &str, out: &mut String) {
    for c in &chart.crds {
        out.push_str(&format!(
            "---\n# Source: {path}/{}\n{}\n",
            c.path,
            String::from_utf8_lossy(&c.data)
        ));
    }
    for d in &chart.dependencies {
        collect_crds(d, &format!("{path}/charts/{}", d.name()), out);
    }
}

/// `--show-only`: the documents whose template path matches one of the patterns.
fn show_only(text: &str, patterns: &[String]) -> Result<String, CoreError> {
    let docs: Vec<String> = split_documents(text);
    let mut out = String::new();
    for pat in patterns {
        let mut found = false;
        for d in &docs {
            let Some(first) = d.lines().next() else {
                continue;
            };
            let Some(src) = first.strip_prefix("# Source: ") else {
                continue;
            };
            let Some((_, rel)) = src.split_once('/') else {
                continue;
            };
            if chart::glob_match(pat, rel) {
                out.push_str(&format!("---\n{d}\n"));
                found = true;
            }
        }
        if !found {
            return Err(fail(format!("could not find template {pat} in chart")));
        }
    }
    Ok(out)
}
