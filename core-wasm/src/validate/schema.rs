//! The HelmRelease JSON Schema (the CRD's `openAPIV3Schema`, kept in `policies/schema/`),
//! checked with `jsonschema`, and its failures turned into diagnostics with a fix each.

use std::cell::OnceCell;

use jsonschema::Validator;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use serde_json::Value as Json;

use super::source::{child, index};
use super::{Diagnostic, Severity};

/// The schema of `kubernetes.project-planton.org/v1` `HelmRelease`, exactly as the CRD carries it.
pub const HELMRELEASE_V1: &str = include_str!("../../../policies/schema/helmrelease.v1.json");

/// The schema of Project Planton's own manifests (`KubernetesHelmRelease`, snake_case spec).
pub const PLANTON: &str = include_str!("../../../policies/schema/planton-helm-release.json");

/// A compiled schema and the source it came from (for "did you mean" hints).
pub struct Schema {
    validator: Validator,
    source: Json,
}

thread_local! {
    /// The two built-in schemas, compiled once per instance (see `policy::builtin`).
    static BUILTIN: OnceCell<Result<&'static (Schema, Schema), String>> = const { OnceCell::new() };
}

/// The HelmRelease schema and the Project Planton manifest schema, compiled.
pub fn builtin() -> Result<(&'static Schema, &'static Schema), String> {
    BUILTIN
        .with(|cell| {
            cell.get_or_init(|| {
                let both = (Schema::compile(HELMRELEASE_V1)?, Schema::compile(PLANTON)?);
                Ok(&*Box::leak(Box::new(both)))
            })
            .clone()
        })
        .map(|both| (&both.0, &both.1))
}

impl Schema {
    /// Compiles `text`. Every object schema that lists `properties` and does not preserve
    /// unknown fields also rejects other fields, as the API server's strict field validation
    /// does; a CRD schema cannot say so itself (structural schemas forbid
    /// `additionalProperties: false`).
    pub fn compile(text: &str) -> Result<Schema, String> {
        let source: Json = serde_json::from_str(text)
            .map_err(|e| format!("the built-in schema is invalid: {e}"))?;
        let mut strict = source.clone();
        close_objects(&mut strict);
        let validator = jsonschema::options()
            .build(&strict)
            .map_err(|e| format!("the built-in schema does not compile: {e}"))?;
        Ok(Schema { validator, source })
    }

    /// The schema's findings for `doc`, as PH002 diagnostics.
    pub fn check(&self, doc: &Json) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for e in self.validator.iter_errors(doc) {
            let mut path = String::new();
            let mut segments = Vec::new();
            for s in e.instance_path().segments() {
                match s {
                    LocationSegment::Property(p) => {
                        path = child(&path, &p);
                        segments.push(Some(p.to_string()));
                    }
                    LocationSegment::Index(i) => {
                        path = index(&path, i);
                        segments.push(None);
                    }
                }
            }
            let at = if path.is_empty() {
                "the document"
            } else {
                &path
            };
            let diag = |path: String, message: String, hint: Option<String>| Diagnostic {
                code: "PH002".to_string(),
                severity: Severity::Error,
                // The root's path is empty: a finding about the document as a whole.
                path: Some(path).filter(|p| !p.is_empty()),
                message,
                hint,
                ..Diagnostic::default()
            };
            match e.kind() {
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    out.push(diag(
                        child(&path, name),
                        format!("`{name}` is required in {at}"),
                        Some(format!("add `{name}:` to {at}")),
                    ));
                }
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let known = self.known_fields(&segments);
                    for name in unexpected {
                        let hint = match closest(name, &known) {
                            Some(k) => format!("did you mean `{k}`?"),
                            None => {
                                format!("remove it; the fields of {at} are: {}", known.join(", "))
                            }
                        };
                        out.push(diag(
                            child(&path, name),
                            format!("unknown field `{name}` in {at}"),
                            Some(hint),
                        ));
                    }
                }
                ValidationErrorKind::Type { kind } => {
                    let want = match kind {
                        TypeKind::Single(t) => t.to_string(),
                        TypeKind::Multiple(ts) => ts
                            .into_iter()
                            .map(|t| t.to_string())
                            .collect::<Vec<_>>()
                            .join(" or "),
                    };
                    let got = e.instance();
                    let hint = if want == "string" && (got.is_number() || got.is_boolean()) {
                        format!(
                            "quote it: \"{got}\"; unquoted YAML reads it as a {} (and reads 1.10 as 1.1)",
                            type_name(got)
                        )
                    } else {
                        format!("write {} {want} here", article(&want))
                    };
                    out.push(diag(
                        path.clone(),
                        format!(
                            "{at} must be {} {want}, not {}",
                            article(&want),
                            describe(got)
                        ),
                        Some(hint),
                    ));
                }
                ValidationErrorKind::Enum { options } => {
                    let list = options
                        .as_array()
                        .map(|a| a.iter().map(Json::to_string).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default();
                    out.push(diag(
                        path.clone(),
                        format!("{at} is {}, not one of {list}", e.instance()),
                        Some(format!("use one of {list}")),
                    ));
                }
                ValidationErrorKind::Minimum { limit } => out.push(diag(
                    path.clone(),
                    format!("{at} is {}, less than the minimum of {limit}", e.instance()),
                    Some(format!("use {limit} or more")),
                )),
                _ => out.push(diag(
                    path.clone(),
                    format!("{at}: {e}"),
                    Some("see the HelmRelease fields in docs/validation.md".to_string()),
                )),
            }
        }
        out
    }

    /// The property names the schema allows at an instance location.
    fn known_fields(&self, segments: &[Option<String>]) -> Vec<String> {
        let mut s = &self.source;
        for seg in segments {
            s = match seg {
                Some(name) => &s["properties"][name.as_str()],
                None => &s["items"],
            };
        }
        s["properties"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// Adds `additionalProperties: false` to every object schema with `properties`, unless it
/// preserves unknown fields or says otherwise.
fn close_objects(s: &mut Json) {
    let Some(obj) = s.as_object_mut() else { return };
    let preserve = obj
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    if obj.contains_key("properties") && !preserve && !obj.contains_key("additionalProperties") {
        obj.insert("additionalProperties".to_string(), Json::Bool(false));
    }
    for key in ["properties"] {
        if let Some(Json::Object(props)) = obj.get_mut(key) {
            props.values_mut().for_each(close_objects);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = obj.get_mut(key) {
            close_objects(sub);
        }
    }
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "list",
        Json::Object(_) => "mapping",
    }
}

fn describe(v: &Json) -> String {
    match v {
        Json::Array(_) | Json::Object(_) => format!("a {}", type_name(v)),
        Json::Null => "null".to_string(),
        _ => format!("{} {v}", article(type_name(v))),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The known name closest to a misspelt one, if close enough to be a typo.
fn closest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(&name.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Levenshtein distance with adjacent transpositions (so `verison` is one edit from `version`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_field() {
        let known: Vec<String> = ["repo", "name", "version", "values", "timeout"]
            .map(String::from)
            .to_vec();
        assert_eq!(closest("verison", &known), Some("version"));
        assert_eq!(closest("Values", &known), Some("values"));
        assert_eq!(closest("timeuot", &known), Some("timeout"));
        assert_eq!(closest("replicas", &known), None);
    }

    #[test]
    fn the_strict_schema_closes_only_what_the_crd_prunes() {
        let mut s: Json = serde_json::from_str(HELMRELEASE_V1).expect("schema is JSON");
        close_objects(&mut s);
        assert_eq!(s["properties"]["spec"]["additionalProperties"], false);
        assert_eq!(
            s["properties"]["spec"]["properties"]["values"]["additionalProperties"],
            Json::Null
        );
        assert_eq!(
            s["properties"]["status"]["additionalProperties"],
            Json::Null
        );
        // `metadata` is the API server's to check.
        assert_eq!(
            s["properties"]["metadata"]["additionalProperties"],
            Json::Null
        );
    }
}
