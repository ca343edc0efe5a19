//! Differential tests: every expected text below was printed by Helm v4.3.1 (`helm template`),
//! see the header of each table for the template that produced it.

mod read_cases;
mod write_cases;

use super::*;
use crate::value::Value;

/// encoding/json's text for a decoded value (sorted keys, HTML-safe escapes, Go's float
/// formatting), to compare against the oracle's `toJson`.
pub(crate) fn json(v: &Value) -> String {
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

#[test]
fn pretty_indents_sequences_and_does_not_wrap() {
    // Oracle: `toYamlPretty .Values.a` of the values below.
    let src = "a:\n  long: \"word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word \"\n  q: [yes, \"yes\", \"on\", \"1.0\", \"0755\", \"\", \"a: b\", \"-\", \"x\\ty\", \"l1\\nl2\", \"2020-01-01\", \"12:30\", 1.5, 100, 1e21]\n  m: {k: [{a: 1, b: [2]}]}\n  lst: [[1, 2], [3]]\n";
    let want = "long: 'word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word '\nlst:\n  - - 1\n    - 2\n  - - 3\nm:\n  k:\n    - a: 1\n      b:\n        - 2\nq:\n  - true\n  - \"yes\"\n  - \"on\"\n  - \"1.0\"\n  - \"0755\"\n  - \"\"\n  - 'a: b'\n  - '-'\n  - \"x\\ty\"\n  - |-\n    l1\n    l2\n  - \"2020-01-01\"\n  - \"12:30\"\n  - 1.5\n  - 100\n  - 1e+21";
    let v = parse_map(src).unwrap().get("a").unwrap();
    assert_eq!(to_yaml_pretty(&v).unwrap(), want);
    // Oracle: toYamlPretty of 1000000 from values prints the float64 as `1e+06`.
    assert_eq!(to_yaml_pretty(&Value::Float(1e6)).unwrap(), "1e+06");
    assert_eq!(to_yaml_pretty(&Value::Nil).unwrap(), "null");
    assert_eq!(to_yaml_pretty(&Value::list(vec![])).unwrap(), "[]");
}

#[test]
fn scalars_and_empties_print_like_helm() {
    // Oracle: toYaml of "str", 3, nil, (dict), (list), "" and "a\n".
    assert_eq!(to_yaml(&Value::str("str")).unwrap(), "str");
    assert_eq!(to_yaml(&Value::int(3)).unwrap(), "3");
    assert_eq!(to_yaml(&Value::Nil).unwrap(), "null");
    assert_eq!(to_yaml(&Value::map(Default::default())).unwrap(), "{}");
    assert_eq!(to_yaml(&Value::list(vec![])).unwrap(), "[]");
    assert_eq!(to_yaml(&Value::str("")).unwrap(), "\"\"");
    assert_eq!(to_yaml(&Value::str("a\n")).unwrap(), "|\n  a");
    assert!(to_yaml(&Value::Float(f64::NAN)).is_err());
}

#[test]
fn alias_bombs_fail_fast() {
    // Nine levels of nine aliases: ~387 million nodes if expanded. Oracle:
    // `yaml: document contains excessive aliasing`.
    let mut src = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for n in "bcdefghi".chars() {
        let refs = vec![format!("*{prev}"); 9].join(",");
        src.push_str(&format!("{n}: &{n} [{refs}]\n"));
        prev = n;
    }
    let start = std::time::Instant::now();
    assert_eq!(
        parse(&src).unwrap_err(),
        "error converting YAML to JSON: yaml: document contains excessive aliasing"
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    // Moderate reuse is fine (oracle: decodes, and `y` is true).
    let ok = format!("a: &a [x, y]\nb: [{}]\n", vec!["*a"; 50].join(", "));
    let v = parse_map(&ok).unwrap();
    assert_eq!(v.get("b").unwrap().as_list().unwrap().len(), 50);
}

#[test]
fn nesting_is_bounded() {
    // Oracle: 10001 nested flow sequences fail, 9000 decode.
    let deep = |n: usize| format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
    assert_eq!(
        parse(&deep(10_001)).unwrap_err(),
        "error converting YAML to JSON: yaml: exceeded max depth of 10000"
    );
    // Decoding recurses once per level (about 1 KiB of stack per level unoptimised), so the
    // deepest accepted document needs a stack of several MiB.
    let src = deep(9_000);
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || assert!(parse(&src).is_ok()))
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn multi_document_values() {
    // Oracle: Helm 4 values files, merged by the chart code.
    let docs = parse_all("a: 1\n---\nb: 2\n---\n").unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(json(&docs[1]), "{\"b\":2}");
    let docs = parse_all("---\n# only comment\n---\na: 1\n").unwrap();
    assert_eq!(
        docs.iter().map(json).collect::<Vec<_>>(),
        ["{}", "{\"a\":1}"]
    );
    assert_eq!(parse_all("a: 1\n---  \nb: 2\n").unwrap().len(), 2);
    assert_eq!(parse_all("a: 1\n---#x\nb: 2\n").unwrap().len(), 2);
    assert_eq!(
        parse_all("--- {a: 1}\n--- {b: 2}\n").unwrap_err(),
        "error reading yaml document: invalid Yaml document separator: {a: 1}"
    );
    assert_eq!(
        parse_all("a: 1\n---\nb: 2\nc: [\n").unwrap_err(),
        "cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 2: did not find expected node content"
    );
    assert_eq!(
        parse_all("a: 1\n---\n- 1\n").unwrap_err(),
        "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    assert_eq!(
        parse_all("%YAML 1.1\n---\na: 1\n").unwrap_err(),
        "cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 1: did not find expected <document start>"
    );
}

#[test]
fn a_text_read_again_gives_a_map_of_its_own() {
    let src = "labels:\n  app: web\nports: [{name: http}]\n";
    let first = parse_map(src).unwrap();
    // Maps are shared by reference in templates (`set`, `merge`): a change to one result must
    // not reach the next reading of the same text, at any depth.
    first.insert("added", Value::from("x"));
    first
        .get("labels")
        .unwrap()
        .as_map()
        .unwrap()
        .insert("tier", Value::from("front"));
    let port = first.get("ports").unwrap().as_list().unwrap().items[0].clone();
    port.as_map().unwrap().insert("port", Value::from(80.0));
    let second = parse_map(src).unwrap();
    assert_eq!(
        json(&Value::Map(second.clone())),
        r#"{"labels":{"app":"web"},"ports":[{"name":"http"}]}"#
    );
    assert!(!second.same(&first));
    // The same for errors: they are read once and given again.
    let error = |src| parse_map(src).err().expect("an error");
    assert_eq!(error("a: ["), error("a: ["));
}
