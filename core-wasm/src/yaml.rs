//! YAML as Helm reads and writes it: go-yaml v2 (YAML 1.1) through sigs.k8s.io/yaml.
//!
//! Reading gives what `sigs.k8s.io/yaml.Unmarshal` gives Helm: numbers are `float64`, keys are
//! strings, alias expansion and nesting are bounded as go-yaml bounds them. Writing gives
//! `toYaml`'s text. Errors carry the texts Helm prints, e.g.
//! `error converting YAML to JSON: yaml: line 2: did not find expected key`.
//!
//! Known divergences from Helm (none seen in real charts):
//! - keys that collide only after becoming strings (`1:` and `"1":`): Go keeps a random one,
//!   we keep the later one;
//! - key order treats non-ASCII letters and digits with Rust's `is_alphabetic`/`is_numeric`
//!   where go-yaml uses Go's `unicode.IsLetter`/`IsDigit`;
//! - `toYamlPretty` (go-yaml v3) shares go-yaml v2's quoting rules; `[]byte` prints as a base64
//!   string where v3 would tag it `!!binary`;
//! - decoding recurses once per nesting level (up to go-yaml's 10000), so the guest's stack must
//!   be sized for the depth it should accept (about 1 KiB per level unoptimised).

mod read;
mod resolve;
mod write;

use crate::funcs::{Ctx, Func};
use crate::value::{Map, Ty, Value};

/// Parse the first YAML document of `src` the way `sigs.k8s.io/yaml.Unmarshal` into
/// `interface {}` does; an empty document is `Nil`.
pub fn parse(src: &str) -> Result<Value, String> {
    read::unmarshal(src)
}

/// Parse `src` into a `map[string]interface {}` as Helm's `fromYaml` and chart files do: `null`
/// and empty input give an empty map, any other non-map is an encoding/json type error.
pub fn parse_map(src: &str) -> Result<Map, String> {
    read::unmarshal_map(src)
}

/// The documents of a multi-document values file as Helm 4 reads them (split on `---` lines,
/// each parsed as a map); the caller merges them, later documents winning. Errors carry Helm's
/// `cannot unmarshal yaml document: ...` or `error reading yaml document: ...` prefix.
pub fn parse_all(src: &str) -> Result<Vec<Value>, String> {
    Ok(read::unmarshal_documents(src)?
        .into_iter()
        .map(Value::Map)
        .collect())
}

/// Helm's `toYaml`: JSON round trip, then go-yaml v2's output, final newline removed.
pub fn to_yaml(v: &Value) -> Result<String, String> {
    write::marshal(v, write::Flavor::V2).map(trim_newline)
}

/// Helm's `toYamlPretty`: go-yaml v3 with two-space indentation, final newline removed.
pub fn to_yaml_pretty(v: &Value) -> Result<String, String> {
    write::marshal(v, write::Flavor::V3).map(trim_newline)
}

fn trim_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

fn to_yaml_fn(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    // Helm's toYaml swallows marshalling errors and returns "".
    Ok(Value::from(to_yaml(&args[0]).unwrap_or_default()))
}

fn to_yaml_pretty_fn(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::from(to_yaml_pretty(&args[0]).unwrap_or_default()))
}

fn must_to_yaml(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    to_yaml(&args[0]).map(Value::from)
}

fn from_yaml(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let src = args[0].as_str().unwrap_or_default();
    Ok(Value::Map(parse_map(src).unwrap_or_else(|e| {
        let m = Map::new();
        m.insert("Error", Value::from(e));
        m
    })))
}

fn from_yaml_array(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let src = args[0].as_str().unwrap_or_default();
    Ok(Value::list(
        read::unmarshal_list(src).unwrap_or_else(|e| vec![Value::from(e)]),
    ))
}

/// Helm's YAML functions (`toYaml`, `toYamlPretty`, `mustToYaml`, `fromYaml`, `fromYamlArray`).
pub fn register(out: &mut Vec<Func>) {
    out.push(Func::new("toYaml", &[Ty::Any], to_yaml_fn));
    out.push(Func::new("toYamlPretty", &[Ty::Any], to_yaml_pretty_fn));
    out.push(Func::new("mustToYaml", &[Ty::Any], must_to_yaml));
    out.push(Func::new("fromYaml", &[Ty::String], from_yaml));
    out.push(Func::new("fromYamlArray", &[Ty::String], from_yaml_array));
}

#[cfg(test)]
mod tests;
