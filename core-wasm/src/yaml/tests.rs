//! Differential tests: every expected text below was printed by Helm v4.3.1 (`helm template`),
//! see the header of each table for the template that produced it.

mod read_cases;
mod write_cases;

use super::*;
use crate::value::Value;

/// encoding/json's text for a decoded value (sorted keys, HTML-safe escapes, Go's float
/// formatting), to compare against the oracle's `toJson`.
fn json(v: &Value) -> String {
    match v {
        Value::Nil => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => json_float(*f),
        Value::Int(i, _) => i.to_string(),
        Value::String(s) => json_str(s),
        Value::List(l) => format!("[{}]", l.iter().map(json).collect::<Vec<_>>().join(",")),
        Value::Map(m) => format!(
            "{{{}}}",
            m.entries()
                .iter()
                .map(|(k, v)| format!("{}:{}", json_str(k), json(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => panic!("unexpected value {other:?}"),
    }
}

fn json_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format!("{f:e}");
        if s.contains("e-") {
            s
        } else {
            s.replace('e', "e+")
        }
    } else if f == 0.0 && f.is_sign_negative() {
        "-0".to_string()
    } else {
        format!("{f}")
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Helm's `fromYaml`: the map, or `{"Error": msg}`.
fn from_yaml_json(src: &str) -> String {
    match parse_map(src) {
        Ok(m) => json(&Value::Map(m)),
        Err(e) => format!("{{\"Error\":{}}}", json_str(&e)),
    }
}

#[test]
fn reads_like_helm() {
    let mut failures = Vec::new();
    for (src, want) in read_cases::READ {
        let got = from_yaml_json(src);
        if got != *want {
            failures.push(format!("input {src:?}\n  want {want}\n  got  {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn writes_like_helm() {
    let mut failures = Vec::new();
    for (src, want) in write_cases::WRITE {
        let v = parse_map(src).unwrap().get("v").unwrap_or(Value::Nil);
        // toYaml prints "" when marshalling fails.
        let got = to_yaml(&v).unwrap_or_default();
        if got != *want {
            failures.push(format!("input {src:?}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
