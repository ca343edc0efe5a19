//! `spec.valuesFrom`: the values of a release are the ConfigMaps' and Secrets' values merged in
//! the order given, then the inline `spec.values` on top (Flux's semantics):
//!
//! - without `targetPath`, the key (`valuesKey`, default `values.yaml`) holds one YAML document,
//!   a map, deep-merged into the values so far: maps merge key by key, anything else (a string,
//!   a list, `null`) replaces what was there (as Helm merges `-f` files);
//! - with `targetPath`, the key's content, verbatim, is set as one string at that path, written
//!   as Helm's `--set-string` writes it (`a.b`, `list[0].c`, `a\.b` for a key with a dot);
//! - a missing object or key fails the reconcile (`ValuesFromNotFound`, retried) unless the entry
//!   is `optional`.
//!
//! Guarantees: the objects are read from the HelmRelease's own namespace, each once per
//! reconcile; no message names a Secret's data (errors name the object and the key), and every
//! scalar read from a Secret goes into a [`Redaction`] that scrubs the release's messages.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::{Api, Client, ResourceExt};
use serde_json::{Map, Value};

use crate::crd::{HelmRelease, ValuesKind};

use super::condition::Reason;

/// The largest list index of a `targetPath` (Helm's strvals bound).
const MAX_INDEX: usize = 65536;

/// Strings read from Secrets shorter than this are not scrubbed from messages: they would
/// garble every message (a value `a`) and hide nothing worth hiding.
const MIN_SCRUBBED: usize = 4;

/// One step of a `targetPath`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Parses a `targetPath` as Helm's strvals reads the key of `--set-string key=value`: keys
/// separated by dots, each followed by any number of `[N]` list indexes; a backslash escapes
/// the next character (`a\.b` is the one key `a.b`).
pub fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut key = String::new();
    let mut chars = path.chars().peekable();
    // Whether the last segment ended with an index, so that a dot may follow without a key.
    let mut after_index = false;
    let fail = |what: &str| Err(format!("{path:?} is not a path: {what}"));
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => key.push(escaped),
                None => return fail("it ends with a lone backslash"),
            },
            '.' => {
                if key.is_empty() && !after_index {
                    return fail("a key is empty (two dots, or a dot at an end)");
                }
                if !key.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut key)));
                }
                after_index = false;
                if chars.peek().is_none() {
                    return fail("a key is empty (two dots, or a dot at an end)");
                }
            }
            '[' => {
                if key.is_empty() && !after_index {
                    return fail("a list index must follow a key (a[0])");
                }
                if !key.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut key)));
                }
                let mut digits = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == ']' {
                        closed = true;
                        break;
                    }
                    digits.push(c);
                }
                let index = digits
                    .parse::<usize>()
                    .ok()
                    .filter(|_| closed && digits.chars().all(|c| c.is_ascii_digit()));
                match index {
                    Some(i) if i <= MAX_INDEX => steps.push(Step::Index(i)),
                    Some(_) => {
                        return fail(&format!("the list index {digits} is above {MAX_INDEX}"));
                    }
                    None => return fail(&format!("[{digits}] is not a list index such as [0]")),
                }
                after_index = true;
            }
            ']' | '=' | ',' => {
                return fail(&format!(
                    "{c:?} is not allowed in a key (escape it with a backslash)"
                ));
            }
            _ if after_index => return fail("a key must follow a list index after a dot"),
            _ => key.push(c),
        }
    }
    if !key.is_empty() {
        steps.push(Step::Key(key));
    }
    if steps.is_empty() {
        return fail("it is empty");
    }
    Ok(steps)
}

/// Sets `value` at `steps` under `values`, making the maps and lists on the way (a list is
/// extended with nulls up to the index); whatever is in the way and is not the container the
/// next step needs is replaced, as `--set` replaces it.
pub fn set_path(values: &mut Map<String, Value>, steps: &[Step], value: Value) {
    let mut root = Value::Object(std::mem::take(values));
    set(&mut root, steps, value);
    if let Value::Object(map) = root {
        *values = map;
    }
}

fn set(target: &mut Value, steps: &[Step], value: Value) {
    let Some((step, rest)) = steps.split_first() else {
        *target = value;
        return;
    };
    let child = match step {
        Step::Key(key) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let Value::Object(map) = target else {
                unreachable!("made a map above")
            };
            map.entry(key.clone()).or_insert(Value::Null)
        }
        Step::Index(i) => {
            if !target.is_array() {
                *target = Value::Array(Vec::new());
            }
            let Value::Array(list) = target else {
                unreachable!("made a list above")
            };
            if list.len() <= *i {
                list.resize(i + 1, Value::Null);
            }
            &mut list[*i]
        }
    };
    set(child, rest, value);
}

/// Merges `overlay` into `base` as Flux's `MergeMaps` (and Helm for `-f` files): a map merges
/// into a map key by key; anything else replaces.
pub fn merge(base: &mut Map<String, Value>, overlay: Map<String, Value>) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(into)), Value::Object(from)) => merge(into, from),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Why `spec.valuesFrom` could not be resolved. The messages name the entry, the object and the
/// key, never data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValuesError {
    /// An object or key that is not there (and not `optional`).
    #[error("{0}")]
    NotFound(String),
    /// A key that does not hold what the entry needs (a YAML map, UTF-8 text).
    #[error("{0}")]
    Invalid(String),
}

impl ValuesError {
    /// The condition reason.
    pub fn reason(&self) -> Reason {
        match self {
            ValuesError::NotFound(_) => Reason::ValuesFromNotFound,
            ValuesError::Invalid(_) => Reason::ValuesFromInvalid,
        }
    }
}

/// Strings read from Secrets, scrubbed from every message of the release (status, Events, log
/// lines): a chart's render error or the API's refusal of an object may quote a value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redaction {
    /// Longest first, so that a secret containing another is replaced whole.
    secrets: Vec<String>,
}

impl Redaction {
    /// Adds `text`, and each line of it (a message may quote one line of a PEM key).
    fn add(&mut self, text: &str) {
        let lines = text
            .contains('\n')
            .then(|| text.lines())
            .into_iter()
            .flatten();
        for part in std::iter::once(text).chain(lines) {
            let part = part.trim();
            if part.chars().count() >= MIN_SCRUBBED && !self.secrets.iter().any(|s| s == part) {
                self.secrets.push(part.to_string());
            }
        }
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Every scalar of `value` (strings, numbers, booleans), as text.
    fn add_scalars(&mut self, value: &Value) {
        match value {
            Value::Object(map) => map.values().for_each(|v| self.add_scalars(v)),
            Value::Array(items) => items.iter().for_each(|v| self.add_scalars(v)),
            Value::String(s) => self.add(s),
            Value::Number(n) => self.add(&n.to_string()),
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// `text` with every Secret string replaced by `***`.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), "***"));
            }
        }
        out
    }
}

/// The values and the redaction of a release with `spec.valuesFrom`.
#[derive(Debug, PartialEq)]
pub struct Resolved {
    /// The merged values: the references in order, then `spec.values`.
    pub values: Map<String, Value>,
    /// What to scrub from messages.
    pub redaction: Redaction,
}

/// The data of one object, by key; `None` when the object does not exist.
pub type Data = Option<BTreeMap<String, Vec<u8>>>;

/// Merges `hr`'s references, whose objects' data `read` gives (by kind and name), and then its
/// inline values. Pure.
pub fn compose(
    hr: &HelmRelease,
    read: impl Fn(ValuesKind, &str) -> Data,
) -> Result<Resolved, ValuesError> {
    let namespace = hr.namespace().unwrap_or_default();
    let mut values = Map::new();
    let mut redaction = Redaction::default();
    for (i, reference) in hr.spec.values_from.iter().enumerate() {
        let kind = reference.kind.as_str();
        let object = format!("{kind} {namespace}/{}", reference.name);
        let entry = format!("spec.valuesFrom[{i}]");
        let key = reference.key();
        let Some(data) = read(reference.kind, &reference.name) else {
            if reference.optional {
                continue;
            }
            return Err(ValuesError::NotFound(format!(
                "{entry}: {object} not found; create it, or set optional: true to go without it"
            )));
        };
        let Some(bytes) = data.get(key) else {
            if reference.optional {
                continue;
            }
            let keys: Vec<&str> = data.keys().map(String::as_str).collect();
            return Err(ValuesError::NotFound(format!(
                "{entry}: {object} has no key {key:?} (its keys: {}); name the key with \
                 valuesKey, or set optional: true to go without it",
                if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                }
            )));
        };
        let secret = reference.kind == ValuesKind::Secret;
        let text = std::str::from_utf8(bytes).map_err(|_| {
            ValuesError::Invalid(format!(
                "{entry}: key {key:?} of {object} is not UTF-8 text: values are YAML"
            ))
        })?;
        if let Some(path) = &reference.target_path {
            let steps = parse_path(path)
                .map_err(|e| ValuesError::Invalid(format!("{entry}.targetPath: {e}")))?;
            if secret {
                redaction.add(text);
            }
            set_path(&mut values, &steps, Value::String(text.to_string()));
            continue;
        }
        let parsed = parse_values(text, secret)
            .map_err(|e| ValuesError::Invalid(format!("{entry}: key {key:?} of {object} {e}")))?;
        if secret {
            redaction.add_scalars(&Value::Object(parsed.clone()));
        }
        merge(&mut values, parsed);
    }
    merge(&mut values, hr.values());
    Ok(Resolved { values, redaction })
}

/// One YAML document holding a map (an empty document is an empty map). For a Secret the
/// parser's message is left out, as it may quote the data; its position is kept.
fn parse_values(text: &str, secret: bool) -> Result<Map<String, Value>, String> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        if secret {
            format!(
                "is not valid YAML{at} (the parser's message is withheld: it may quote the \
                 Secret)"
            )
        } else {
            format!("is not valid YAML: {e}")
        }
    })?;
    let mut documents = documents.into_iter();
    let first = documents.next().unwrap_or(Value::Null);
    if documents.next().is_some() {
        return Err(
            "holds more than one YAML document: give one map of values (Helm reads only the \
             first)"
                .to_string(),
        );
    }
    match first {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(format!(
            "holds a YAML {}, not a map of values: write `key: value` lines, or set targetPath \
             to use the content as one value",
            match other {
                Value::Array(_) => "list",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                _ => "boolean",
            }
        )),
    }
}

/// Reads the objects `hr`'s `spec.valuesFrom` names (each once, from the HelmRelease's
/// namespace, with the controller's identity) and [`compose`]s them. `Err` only when the API
/// fails; the inner result says whether the values resolve.
pub async fn resolve(
    client: &Client,
    hr: &HelmRelease,
) -> Result<Result<Resolved, ValuesError>, kube::Error> {
    let namespace = hr.namespace().unwrap_or_default();
    let mut objects: BTreeMap<(ValuesKind, String), Data> = BTreeMap::new();
    for reference in &hr.spec.values_from {
        let id = (reference.kind, reference.name.clone());
        if objects.contains_key(&id) {
            continue;
        }
        let data = match reference.kind {
            ValuesKind::ConfigMap => Api::<ConfigMap>::namespaced(client.clone(), &namespace)
                .get_opt(&reference.name)
                .await?
                .map(|cm| {
                    cm.data
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| (k, v.into_bytes()))
                        .collect()
                }),
            ValuesKind::Secret => Api::<Secret>::namespaced(client.clone(), &namespace)
                .get_opt(&reference.name)
                .await?
                .map(|s| {
                    s.data
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| (k, v.0))
                        .collect()
                }),
        };
        objects.insert(id, data);
    }
    Ok(compose(hr, |kind, name| {
        objects.get(&(kind, name.to_string())).cloned().flatten()
    }))
}

/// Whether `hr`'s `spec.valuesFrom` names the `kind` object `namespace`/`name` (for the watch
/// that reconciles a release when an object it reads changes).
pub fn references(hr: &HelmRelease, kind: ValuesKind, namespace: &str, name: &str) -> bool {
    hr.namespace().as_deref() == Some(namespace)
        && hr
            .spec
            .values_from
            .iter()
            .any(|r| r.kind == kind && r.name == name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::crd::{HelmReleaseSpec, ValuesReference};

    fn reference(kind: ValuesKind, name: &str) -> ValuesReference {
        ValuesReference {
            kind,
            name: name.to_string(),
            ..ValuesReference::default()
        }
    }

    fn release(inline: Value, refs: Vec<ValuesReference>) -> HelmRelease {
        let mut hr = HelmRelease::new(
            "web",
            HelmReleaseSpec {
                values: inline.as_object().cloned(),
                values_from: refs,
                ..HelmReleaseSpec::default()
            },
        );
        hr.metadata.namespace = Some("apps".into());
        hr
    }

    /// An object: its kind, name and data.
    type Object = (
        ValuesKind,
        &'static str,
        &'static [(&'static str, &'static str)],
    );
    /// A case: its name, the inline values, the references, the merged values.
    type Case = (
        &'static str,
        Value,
        Vec<ValuesReference>,
        Result<Value, ValuesError>,
    );

    /// The objects of every case, by kind and name.
    fn cluster(kind: ValuesKind, name: &str) -> Data {
        let objects: &[Object] = &[
            (
                ValuesKind::ConfigMap,
                "base",
                &[
                    (
                        "values.yaml",
                        "replicas: 2\nimage: {repository: web, tag: '1.0'}\nlist: [a, b]\n",
                    ),
                    ("other.yaml", "image: {tag: '2.0'}\nextra: true\n"),
                    ("list.yaml", "- a\n"),
                    ("two.yaml", "a: 1\n---\nb: 2\n"),
                    ("empty.yaml", ""),
                    ("broken.yaml", "a: [1,\n"),
                ],
            ),
            (
                ValuesKind::Secret,
                "db",
                &[
                    ("values.yaml", "db: {password: hunter22, port: 5432}\n"),
                    ("password", "s3cr3t-pw"),
                    ("broken.yaml", "a: [hunter22,\n"),
                ],
            ),
        ];
        objects
            .iter()
            .find(|(k, n, _)| *k == kind && *n == name)
            .map(|(_, _, data)| {
                data.iter()
                    .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                    .collect()
            })
    }

    #[test]
    fn values_merge_in_order_with_target_paths_and_optional_entries() {
        let cm = |name: &str| reference(ValuesKind::ConfigMap, name);
        let secret = |name: &str| reference(ValuesKind::Secret, name);
        let key = |mut r: ValuesReference, key: &str| {
            r.values_key = Some(key.to_string());
            r
        };
        let path = |mut r: ValuesReference, path: &str| {
            r.target_path = Some(path.to_string());
            r
        };
        let optional = |mut r: ValuesReference| {
            r.optional = true;
            r
        };
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            ("no references: the inline values", json!({"a": 1}), vec![], Ok(json!({"a": 1}))),
            ("one ConfigMap", json!({}), vec![cm("base")], Ok(json!({"replicas": 2, "image": {"repository": "web", "tag": "1.0"}, "list": ["a", "b"]}))),
            ("nested maps merge, later wins", json!({}), vec![cm("base"), key(cm("base"), "other.yaml")], Ok(json!({"replicas": 2, "image": {"repository": "web", "tag": "2.0"}, "list": ["a", "b"], "extra": true}))),
            ("the order decides", json!({}), vec![key(cm("base"), "other.yaml"), cm("base")], Ok(json!({"replicas": 2, "image": {"repository": "web", "tag": "1.0"}, "list": ["a", "b"], "extra": true}))),
            ("inline values on top; lists and nulls replace", json!({"replicas": 3, "list": ["c"], "image": {"tag": null}}), vec![cm("base")], Ok(json!({"replicas": 3, "image": {"repository": "web", "tag": null}, "list": ["c"]}))),
            ("a Secret's map", json!({"db": {"host": "pg"}}), vec![secret("db")], Ok(json!({"db": {"host": "pg", "password": "hunter22", "port": 5432}}))),
            ("targetPath sets the content as a string", json!({}), vec![path(key(secret("db"), "password"), "db.auth.password")], Ok(json!({"db": {"auth": {"password": "s3cr3t-pw"}}}))),
            ("targetPath overrides a merged value, inline overrides both", json!({"db": {"port": 1}}), vec![secret("db"), path(key(secret("db"), "password"), "db.password")], Ok(json!({"db": {"password": "s3cr3t-pw", "port": 1}}))),
            ("targetPath with list indexes and an escaped dot", json!({}), vec![path(key(secret("db"), "password"), "env[1].value"), path(key(secret("db"), "password"), "annotations.example\\.com/pw")], Ok(json!({"env": [null, {"value": "s3cr3t-pw"}], "annotations": {"example.com/pw": "s3cr3t-pw"}}))),
            ("targetPath replaces a scalar in the way", json!({}), vec![cm("base"), path(key(secret("db"), "password"), "replicas.x")], Ok(json!({"replicas": {"x": "s3cr3t-pw"}, "image": {"repository": "web", "tag": "1.0"}, "list": ["a", "b"]}))),
            ("an empty document is no values", json!({"a": 1}), vec![key(cm("base"), "empty.yaml")], Ok(json!({"a": 1}))),
            ("an optional missing object is skipped", json!({"a": 1}), vec![optional(cm("absent"))], Ok(json!({"a": 1}))),
            ("an optional missing key is skipped", json!({"a": 1}), vec![optional(key(secret("db"), "absent"))], Ok(json!({"a": 1}))),
            ("a missing object fails", json!({}), vec![cm("base"), secret("absent")], Err(ValuesError::NotFound("spec.valuesFrom[1]: Secret apps/absent not found; create it, or set optional: true to go without it".into()))),
            ("a missing key fails and lists the keys", json!({}), vec![key(secret("db"), "absent")], Err(ValuesError::NotFound("spec.valuesFrom[0]: Secret apps/db has no key \"absent\" (its keys: broken.yaml, password, values.yaml); name the key with valuesKey, or set optional: true to go without it".into()))),
            ("a list is not a map of values", json!({}), vec![key(cm("base"), "list.yaml")], Err(ValuesError::Invalid("spec.valuesFrom[0]: key \"list.yaml\" of ConfigMap apps/base holds a YAML list, not a map of values: write `key: value` lines, or set targetPath to use the content as one value".into()))),
            ("two documents are refused", json!({}), vec![key(cm("base"), "two.yaml")], Err(ValuesError::Invalid("spec.valuesFrom[0]: key \"two.yaml\" of ConfigMap apps/base holds more than one YAML document: give one map of values (Helm reads only the first)".into()))),
            ("a malformed target path", json!({}), vec![path(key(secret("db"), "password"), "a..b")], Err(ValuesError::Invalid("spec.valuesFrom[0].targetPath: \"a..b\" is not a path: a key is empty (two dots, or a dot at an end)".into()))),
        ];
        for (name, inline, refs, want) in cases {
            let got = compose(&release(inline, refs), cluster).map(|r| Value::Object(r.values));
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn broken_yaml_in_a_secret_is_reported_without_its_text() {
        let mut r = reference(ValuesKind::Secret, "db");
        r.values_key = Some("broken.yaml".into());
        let err = compose(&release(json!({}), vec![r]), cluster).unwrap_err();
        let message = err.to_string();
        assert_eq!(err.reason(), Reason::ValuesFromInvalid);
        assert!(
            message.starts_with("spec.valuesFrom[0]: key \"broken.yaml\" of Secret apps/db is not valid YAML at line"),
            "{message}"
        );
        assert!(!message.contains("hunter22"), "{message}");
        let mut r = reference(ValuesKind::ConfigMap, "base");
        r.values_key = Some("broken.yaml".into());
        let message = compose(&release(json!({}), vec![r]), cluster)
            .unwrap_err()
            .to_string();
        assert!(message.contains("is not valid YAML: "), "{message}");
    }

    #[test]
    fn secret_scalars_are_scrubbed_from_messages() {
        let mut pw = reference(ValuesKind::Secret, "db");
        pw.values_key = Some("password".into());
        pw.target_path = Some("pw".into());
        let resolved = compose(
            &release(json!({}), vec![reference(ValuesKind::Secret, "db"), pw]),
            cluster,
        )
        .unwrap();
        let r = &resolved.redaction;
        assert_eq!(
            r.scrub("invalid value \"s3cr3t-pw\" and hunter22 on port 5432"),
            "invalid value \"***\" and *** on port ***"
        );
        assert!(matches!(r.scrub("nothing secret"), Cow::Borrowed(_)));
        let mut pem = Redaction::default();
        pem.add("-----BEGIN KEY-----\nMIIEvQIBADANBg\n-----END KEY-----\n");
        assert_eq!(pem.scrub("bad line: MIIEvQIBADANBg"), "bad line: ***");
        // ConfigMap data is not secret.
        let plain = compose(
            &release(json!({}), vec![reference(ValuesKind::ConfigMap, "base")]),
            cluster,
        )
        .unwrap();
        assert_eq!(plain.redaction, Redaction::default());
    }

    #[test]
    fn target_paths_parse_as_helm_set_keys() {
        use Step::{Index, Key};
        let k = |s: &str| Key(s.to_string());
        assert_eq!(parse_path("a").unwrap(), [k("a")]);
        assert_eq!(parse_path("a.b-c_d/e").unwrap(), [k("a"), k("b-c_d/e")]);
        assert_eq!(parse_path("a\\.b.c").unwrap(), [k("a.b"), k("c")]);
        assert_eq!(
            parse_path("a[0][2].b").unwrap(),
            [k("a"), Index(0), Index(2), k("b")]
        );
        for bad in [
            "", ".a", "a.", "a..b", "[0]", "a[x]", "a[-1]", "a[65537]", "a[0]b", "a[0", "a=b",
            "a\\",
        ] {
            assert!(parse_path(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn references_match_kind_namespace_and_name() {
        let hr = release(json!({}), vec![reference(ValuesKind::Secret, "db")]);
        assert!(references(&hr, ValuesKind::Secret, "apps", "db"));
        assert!(!references(&hr, ValuesKind::ConfigMap, "apps", "db"));
        assert!(!references(&hr, ValuesKind::Secret, "other", "db"));
        assert!(!references(&hr, ValuesKind::Secret, "apps", "web"));
    }
}
