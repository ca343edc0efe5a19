//! HelmRelease validation: the spec's JSON Schema, then the policy pack.
//!
//! Input is files of YAML or JSON documents, as `kubectl apply -f` reads them. Each HelmRelease
//! document is checked against the schema the CRD carries ([`schema`]); a document that passes
//! is then checked by every enabled policy rule ([`policy`]), built-in (`policies/*.yaml`) or
//! the user's. Every finding is a [`Diagnostic`] with a code, a severity, a JSON path, a message,
//! a fix hint and, since the input is always a file, its line and column.
//!
//! Guarantees: the same input gives the same diagnostics in the same order, wherever the core
//! runs; no input makes the validator loop or recurse without bound (documents are capped in
//! size, depth and alias expansion, rule evaluation in fuel).

pub mod checks;
pub mod policy;
pub mod schema;
pub mod source;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use minijinja::value::Value as JinjaValue;
use serde_json::Value as Json;

pub use crate::api::validate::{Diagnostic, Input, PolicyFile, Request, RuleInfo, Severity};
use policy::{Pack, Rules};
use schema::Schema;
use source::{Chunk, Positions};

/// The API group of HelmRelease and of Project Planton's manifests.
pub const GROUP: &str = "kubernetes.project-planton.org";

/// Validates every HelmRelease document of `req.documents`. `Err` means the request itself is
/// unusable (a policy file that does not load, an unknown code to disable), not the documents.
pub fn validate(req: &Request) -> Result<Vec<Diagnostic>, String> {
    let pack;
    let compiled;
    let extra = match policy::prepared(&req.policies) {
        Some(c) => c,
        None => {
            pack = Pack::parse(
                req.policies
                    .iter()
                    .map(|f| (f.name.as_str(), f.content.as_str())),
            )?;
            compiled = pack.compile()?;
            &compiled
        }
    };
    let rules = Rules::new(extra, &req.disabled)?;
    let (helmrelease, planton) = schema::builtin()?;
    let mut out = Vec::new();
    for input in &req.documents {
        let mut diags = check_file(input, &rules, helmrelease, planton);
        for d in &mut diags {
            d.file = Some(input.path.clone());
        }
        diags.sort_by(|a, b| {
            (a.line, a.column, &a.code, &a.path).cmp(&(b.line, b.column, &b.code, &b.path))
        });
        out.extend(diags);
    }
    Ok(out)
}

/// Compiles what every [`validate`] needs into this instance: the two JSON Schemas, the
/// built-in pack and the extra pack `policies`. Never required (a call compiles
/// what it lacks); a host that snapshots an instance after it (a Wizer-style pre-initialisation)
/// spares every call made from the snapshot that work, for requests with exactly these
/// `policies`.
pub fn prepare(policies: &[PolicyFile]) -> Result<(), String> {
    schema::builtin()?;
    policy::prepare(policies)?;
    // One validation of a fixed document, whose findings are dropped, so that what is set up on
    // first use (the rules' regular expressions, std's hash keys, lazily built tables in the
    // libraries) is set up here and lands in the snapshot too, instead of in every call. It
    // leaves nothing a call could see: its only input is this constant.
    let _ = validate(&Request {
        documents: vec![Input {
            path: "warm-up.json".to_string(),
            data: WARM_UP.as_bytes().to_vec(),
        }],
        policies: policies.to_vec(),
        disabled: Vec::new(),
    });
    Ok(())
}

/// The document of [`prepare`]'s warm-up: a HelmRelease that reaches every built-in rule.
const WARM_UP: &str = r#"{"apiVersion":"kubernetes.project-planton.org/v1","kind":"HelmRelease","metadata":{"name":"warm-up","namespace":"default"},"spec":{"repo":"https://charts.example.com/stable","name":"warm-up","version":"1.0.0","values":{"replicaCount":1,"image":{"repository":"registry.example.com/app","tag":"latest"},"enabled":"true"},"atomic":true,"wait":true,"timeout":"5m","interval":"10m"}}"#;

/// The rules in force for these policy files and disabled codes, core checks first.
pub fn rules(policies: &[PolicyFile], disabled: &[String]) -> Result<Vec<RuleInfo>, String> {
    let extra = Pack::parse(
        policies
            .iter()
            .map(|f| (f.name.as_str(), f.content.as_str())),
    )?;
    let compiled = extra.compile()?;
    let rules = Rules::new(&compiled, disabled)?;
    let mut out: Vec<RuleInfo> = policy::CORE_CHECKS
        .iter()
        .map(|(code, doc)| RuleInfo {
            code: code.to_string(),
            severity: if *code == "PH004" {
                Severity::Warning
            } else {
                Severity::Error
            },
            doc: doc.to_string(),
            source: "core".to_string(),
            enabled: true,
            definition: None,
        })
        .collect();
    for r in rules.all() {
        let mut def = String::new();
        if let Some(each) = &r.each {
            def.push_str(&format!("each: {each}\n"));
        }
        def.push_str(&format!(
            "when: {}\npath: {}\nmessage: {}\n",
            r.when, r.path, r.message
        ));
        if let Some(h) = &r.hint {
            def.push_str(&format!("hint: {h}\n"));
        }
        out.push(RuleInfo {
            code: r.code.clone(),
            severity: r.severity,
            doc: r.doc.clone(),
            source: format!("{}:{}", r.file, r.line),
            enabled: !rules.is_disabled(&r.code),
            definition: Some(def),
        });
    }
    Ok(out)
}

fn input_error(message: String, line: Option<u32>, column: Option<u32>) -> Diagnostic {
    Diagnostic {
        code: "PH001".to_string(),
        severity: Severity::Error,
        path: None,
        message,
        hint: None,
        file: None,
        line,
        column,
    }
}

fn check_file(
    input: &Input,
    pack: &Rules<'_>,
    helmrelease: &Schema,
    planton: &Schema,
) -> Vec<Diagnostic> {
    let text = match std::str::from_utf8(&input.data) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            return vec![Diagnostic {
                hint: Some("save the file as UTF-8".to_string()),
                ..input_error(
                    format!(
                        "the file is not UTF-8 text (invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                    None,
                    None,
                )
            }];
        }
    };
    let mut out = Vec::new();
    let mut releases = 0;
    for chunk in source::split(text) {
        let (diags, is_release) = check_document(&chunk, pack, helmrelease, planton);
        out.extend(diags);
        releases += usize::from(is_release);
    }
    if releases == 0 && out.is_empty() {
        out.push(Diagnostic {
            code: "PH004".to_string(),
            severity: Severity::Warning,
            message: format!(
                "no HelmRelease in this file (no document has apiVersion {GROUP}/v1 and kind HelmRelease or KubernetesHelmRelease)"
            ),
            hint: Some("check the apiVersion and kind, or leave the file out".to_string()),
            line: Some(1),
            column: Some(1),
            ..Diagnostic::default()
        });
    }
    out
}

/// Diagnostics of one document, and whether it was a HelmRelease.
fn check_document(
    chunk: &Chunk<'_>,
    pack: &Rules<'_>,
    helmrelease: &Schema,
    planton: &Schema,
) -> (Vec<Diagnostic>, bool) {
    let start = Some(chunk.first_line + 1);
    if chunk.text.len() > source::MAX_DOCUMENT_BYTES {
        let d = Diagnostic {
            hint: Some(
                "the API server stores at most ~1.5 MiB per object; move large data into a ConfigMap or the chart".to_string(),
            ),
            ..input_error(
                format!(
                    "the document is {} KiB, more than the {} KiB accepted",
                    chunk.text.len() >> 10,
                    source::MAX_DOCUMENT_BYTES >> 10
                ),
                start,
                Some(1),
            )
        };
        return (vec![d], true);
    }
    let mut positions = match source::positions(chunk) {
        Ok(p) => p,
        Err(e) => {
            let d = Diagnostic {
                hint: Some(
                    "fix the YAML syntax at this line (indentation, quotes, brackets)".to_string(),
                ),
                ..input_error(
                    format!("invalid YAML: {}", e.message),
                    Some(e.pos.line),
                    Some(e.pos.column),
                )
            };
            return (vec![d], true);
        }
    };
    let root = positions.root();
    let at_root = |message: String, hint: &str| Diagnostic {
        hint: Some(hint.to_string()),
        ..input_error(
            message,
            root.map_or(start, |p| Some(p.line)),
            root.map(|p| p.column).or(Some(1)),
        )
    };
    let decoded = crate::yaml::parse(chunk.text).map_err(|e| {
        e.strip_prefix("error converting YAML to JSON: ")
            .unwrap_or(&e)
            .to_string()
    });
    let doc = match decoded.and_then(|v| source::to_json(&v, 0)) {
        Ok(d) => d,
        Err(e) => {
            let hint = if e.contains("aliasing") {
                "expand fewer aliases: the document refers to its anchors too many times"
            } else if e.contains("depth") || e.contains("nesting") {
                "flatten the document"
            } else {
                "fix the YAML at this document"
            };
            return (
                vec![at_root(format!("the document cannot be read: {e}"), hint)],
                true,
            );
        }
    };
    let Some(obj) = doc.as_object() else {
        return (Vec::new(), false);
    };
    let api_version = obj
        .get("apiVersion")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let kind = obj.get("kind").and_then(Json::as_str).unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    if group != GROUP || !matches!(kind, "HelmRelease" | "KubernetesHelmRelease") {
        return (Vec::new(), false);
    }
    let locate = |mut d: Diagnostic, positions: &Positions| {
        // A finding about the whole document sits at its start (the root's position).
        if let Some(p) = positions.find(d.path.as_deref().unwrap_or_default()) {
            d.line = Some(p.line);
            d.column = Some(p.column);
        }
        d
    };
    if version != "v1" {
        let d = Diagnostic {
            path: Some("apiVersion".to_string()),
            hint: Some(format!("write apiVersion: {GROUP}/v1")),
            ..input_error(
                format!("{api_version} is not a served version of {kind}"),
                None,
                None,
            )
        };
        return (vec![locate(d, &positions)], true);
    }
    // A HelmRelease may spell Project Planton's fields its way (`namespace.value`,
    // `create_namespace`, `target_cluster`): the CRD's schema names both spellings. Project
    // Planton's own kind carries Planton's other fields too, so it has a looser schema.
    let schema = if kind == "KubernetesHelmRelease" {
        planton
    } else {
        helmrelease
    };
    let mut found = schema.check(&doc);
    if found.is_empty() {
        found = spelling_conflicts(obj.get("spec"));
    }
    if !found.is_empty() {
        return (
            found.into_iter().map(|d| locate(d, &positions)).collect(),
            true,
        );
    }
    let (ctx, renames) = context(obj);
    for (to, from) in &renames {
        positions.alias(to, from);
    }
    let diags = pack
        .check(&ctx)
        .into_iter()
        .map(|mut d| {
            let d_loc = locate(d.clone(), &positions);
            for (to, from) in &renames {
                if let Some(rest) = d.path.as_deref().and_then(|p| p.strip_prefix(to.as_str())) {
                    d.path = Some(format!("{from}{rest}"));
                }
            }
            d.line = d_loc.line;
            d.column = d_loc.column;
            d
        })
        .collect();
    (diags, true)
}

/// The fields HelmRelease and Project Planton spell differently: (HelmRelease's, Planton's).
pub const SPELLINGS: &[(&str, &str)] = &[
    ("targetNamespace", "namespace"),
    ("createNamespace", "create_namespace"),
];

/// PH002 for every field given in both spellings: which one wins would be a guess, so neither
/// does (the CRD refuses the same with a validation rule).
fn spelling_conflicts(spec: Option<&Json>) -> Vec<Diagnostic> {
    let Some(spec) = spec.and_then(Json::as_object) else {
        return Vec::new();
    };
    SPELLINGS
        .iter()
        .filter(|(ours, theirs)| spec.contains_key(*ours) && spec.contains_key(*theirs))
        .map(|(ours, theirs)| Diagnostic {
            code: "PH002".to_string(),
            severity: Severity::Error,
            path: Some(format!("spec.{theirs}")),
            message: format!(
                "spec.{ours} and spec.{theirs} are one field spelt two ways (HelmRelease's and Project Planton's), and both are given"
            ),
            hint: Some(format!("keep one: remove spec.{ours} or spec.{theirs}")),
            ..Diagnostic::default()
        })
        .collect()
}

/// What rules see: `apiVersion`, `kind`, `metadata` and `spec`, with Project Planton's
/// spellings also given under HelmRelease's names (`namespace.value` as `targetNamespace`,
/// `create_namespace` as `createNamespace`) so that one rule serves both; and the renames to
/// report paths under the manifest's own names (rule path, manifest path).
fn context(
    obj: &serde_json::Map<String, Json>,
) -> (BTreeMap<String, JinjaValue>, Vec<(String, String)>) {
    let mut spec = obj.get("spec").cloned().unwrap_or(Json::Null);
    let mut renames = Vec::new();
    if let Some(s) = spec.as_object_mut() {
        if let Some(v) = s.get("namespace").and_then(|ns| ns.get("value")).cloned() {
            s.insert("targetNamespace".to_string(), v);
            renames.push((
                "spec.targetNamespace".to_string(),
                "spec.namespace.value".to_string(),
            ));
        }
        if let Some(c) = s.get("create_namespace").cloned() {
            s.insert("createNamespace".to_string(), c);
            renames.push((
                "spec.createNamespace".to_string(),
                "spec.create_namespace".to_string(),
            ));
        }
    }
    let mut ctx = BTreeMap::new();
    for key in ["apiVersion", "kind", "metadata"] {
        if let Some(v) = obj.get(key) {
            ctx.insert(key.to_string(), JinjaValue::from_serialize(v));
        }
    }
    ctx.insert("spec".to_string(), JinjaValue::from_serialize(&spec));
    (ctx, renames)
}
