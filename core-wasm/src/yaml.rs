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

use std::cell::RefCell;
use std::collections::HashMap;

use crate::value::{Map, Value};

/// Parse the first YAML document of `src` the way `sigs.k8s.io/yaml.Unmarshal` into
/// `interface {}` does; an empty document is `Nil`.
pub fn parse(src: &str) -> Result<Value, String> {
    read::unmarshal(src)
}

/// Parse `src` into a `map[string]interface {}` as Helm's `fromYaml` and chart files do: `null`
/// and empty input give an empty map, any other non-map is an encoding/json type error.
///
/// Library charts run `include ... | fromYaml` on the same text for every object they make
/// (labels, merged annotations): a text read before in this render (this thread, natively) is
/// not read again, its map is copied, which costs a fraction of the reading. The copy shares no
/// map with the kept one, so a template that changes it changes only its own.
pub fn parse_map(src: &str) -> Result<Map, String> {
    if src.len() > READ_KEPT_LEN {
        return read::unmarshal_map(src);
    }
    if let Some(read) = READ.with(|r| r.borrow().get(src).cloned()) {
        return read.map(copy_map);
    }
    let read = read::unmarshal_map(src);
    READ.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= READ_KEPT {
            r.clear();
        }
        r.insert(src.to_string(), read.clone().map(copy_map));
    });
    read
}

/// Texts of [`parse_map`] kept, and the longest kept: a chart's helpers return a few short ones.
const READ_KEPT: usize = 128;
const READ_KEPT_LEN: usize = 16 << 10;

thread_local! {
    static READ: RefCell<HashMap<String, Result<Map, String>>> = RefCell::new(HashMap::new());
}

fn copy_map(m: Map) -> Map {
    match Value::Map(m).deep_copy() {
        Value::Map(m) => m,
        _ => unreachable!("the copy of a map is a map"),
    }
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

/// Parse `src` into an `[]interface {}` as Helm's `fromYamlArray` does.
pub fn parse_list(src: &str) -> Result<Vec<Value>, String> {
    read::unmarshal_list(src)
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

#[cfg(test)]
pub(crate) mod tests;
