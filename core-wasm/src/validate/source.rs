//! Input files as documents: splitting on `---` lines as kubectl does, decoding each document as
//! Kubernetes does (`sigs.k8s.io/yaml`, through [`crate::yaml`]), and remembering where every
//! key and item starts so that a diagnostic can name a line and a column.

use std::collections::HashMap;

use libyaml_safer::{EventData, Parser};
use serde_json::{Map as JsonMap, Number, Value as Json};

use crate::value::Value;

/// The largest document accepted. The API server refuses objects above ~1.5 MiB (etcd's request
/// limit), so nothing real comes near this; the bound keeps a hostile input from costing memory.
pub const MAX_DOCUMENT_BYTES: usize = 3 << 20;

/// The deepest nesting accepted in a document. Real values files rarely pass 10 levels; the
/// bound keeps every recursive walk of the validator (and of `jsonschema`) short.
pub const MAX_DEPTH: usize = 100;

/// One `---`-separated document of a file, before decoding.
pub struct Chunk<'a> {
    pub text: &'a str,
    /// 0-based line of the chunk's first line in its file.
    pub first_line: u32,
}

/// Splits `src` as kubectl's YAML reader does: a line that is `---` (spaces or a comment may
/// follow) ends a document. Chunks with nothing but blanks and comments are left out.
pub fn split(src: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut start_line = 0u32;
    let mut offset = 0;
    let mut push = |from: usize, to: usize, first_line: u32| {
        let text = &src[from..to];
        let blank = text.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        });
        if !blank {
            out.push(Chunk { text, first_line });
        }
    };
    for (line_no, line) in (0u32..).zip(src.split_inclusive('\n')) {
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if rest.is_empty() || rest.starts_with('#') {
                push(start, offset, start_line);
                start = offset + line.len();
                start_line = line_no + 1;
            }
        }
        offset += line.len();
    }
    push(start, src.len(), start_line);
    out
}

/// A place in a file, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// Where each path of a document starts: the key of a map entry, the item of a list.
#[derive(Default)]
pub struct Positions {
    map: HashMap<String, Pos>,
}

impl Positions {
    /// The position of `path`, or of its nearest ancestor that has one (a missing field is
    /// reported where its parent is).
    pub fn find(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.map.get(p) {
                return Some(*pos);
            }
            p = parent(p)?;
        }
    }

    /// The document's first position, for errors that concern it as a whole.
    pub fn root(&self) -> Option<Pos> {
        self.map.get("").copied()
    }

    /// Renames a path prefix, for manifests whose fields the validator reads under other names.
    pub fn alias(&mut self, to: &str, from: &str) {
        if let Some(p) = self.map.get(from).copied() {
            self.map.insert(to.to_string(), p);
        }
    }
}

/// The parent of a path written by [`child`] and [`index`]; `None` at the root.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    if path.ends_with(']') {
        // Either `[12]` or `["key"]`: find the bracket that opens it, outside quotes.
        let bytes = path.as_bytes();
        let mut in_str = false;
        let mut i = bytes.len() - 1;
        while i > 0 {
            i -= 1;
            match bytes[i] {
                b'"' if i == 0 || bytes[i - 1] != b'\\' => in_str = !in_str,
                b'[' if !in_str => return Some(&path[..i]),
                _ => {}
            }
        }
        return Some("");
    }
    Some(path.rfind('.').map_or("", |i| &path[..i]))
}

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
pub fn child(path: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, path.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{}]", Json::String(key.to_string())),
    }
}

/// `path[i]`.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// A YAML problem with its place.
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
}

/// The positions of one chunk's nodes. The walk follows the event stream only: aliases are not
/// expanded (their targets' children are reported at the alias), so it is linear in the input.
pub fn positions(chunk: &Chunk<'_>) -> Result<Positions, SyntaxError> {
    enum Frame {
        Seq {
            path: String,
            next: usize,
        },
        /// `key` is the path of the value to come, once its key has been read.
        Map {
            path: String,
            key: Option<String>,
        },
    }
    let pos = |m: &libyaml_safer::Mark| Pos {
        line: chunk.first_line + m.line as u32 + 1,
        column: m.column as u32 + 1,
    };
    let mut input = chunk.text.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut out = Positions::default();
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        let event = parser.parse().map_err(|e| SyntaxError {
            message: format!(
                "{}{}",
                e.problem(),
                e.context().map(|c| format!(" ({c})")).unwrap_or_default()
            ),
            pos: e
                .problem_mark()
                .or(e.context_mark())
                .map(|m| pos(&m))
                .unwrap_or(Pos {
                    line: chunk.first_line + 1,
                    column: 1,
                }),
        })?;
        let here = pos(&event.start_mark);
        // The path of the node this event starts, if it starts one.
        let node_path = match &event.data {
            EventData::StreamEnd | EventData::DocumentEnd { .. } => return Ok(out),
            EventData::StreamStart { .. } | EventData::DocumentStart { .. } => continue,
            EventData::SequenceEnd | EventData::MappingEnd => {
                stack.pop();
                continue;
            }
            _ => match stack.last_mut() {
                None => String::new(),
                Some(Frame::Seq { path, next }) => {
                    let p = index(path, *next);
                    *next += 1;
                    out.map.insert(p.clone(), here);
                    p
                }
                Some(Frame::Map { path, key }) => match key.take() {
                    Some(p) => p,
                    None => {
                        // This node is a key: remember where the entry starts.
                        let name = match &event.data {
                            EventData::Scalar { value, .. } => value.clone(),
                            _ => "?".to_string(),
                        };
                        let p = child(path, &name);
                        out.map.entry(p.clone()).or_insert(here);
                        *key = Some(p);
                        // A complex key's own children are of no interest.
                        match event.data {
                            EventData::SequenceStart { .. } => stack.push(Frame::Seq {
                                path: "?".into(),
                                next: 0,
                            }),
                            EventData::MappingStart { .. } => stack.push(Frame::Map {
                                path: "?".into(),
                                key: None,
                            }),
                            _ => {}
                        }
                        continue;
                    }
                },
            },
        };
        out.map.entry(node_path.clone()).or_insert(here);
        match event.data {
            EventData::SequenceStart { .. } => stack.push(Frame::Seq {
                path: node_path,
                next: 0,
            }),
            EventData::MappingStart { .. } => stack.push(Frame::Map {
                path: node_path,
                key: None,
            }),
            _ => {}
        }
    }
}

/// A decoded document as JSON, or why it cannot be one.
pub fn to_json(v: &Value, depth: usize) -> Result<Json, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
    }
    Ok(match v {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i, _) => Json::from(*i),
        Value::Float(f) => {
            // sigs.k8s.io/yaml makes every number a float64; whole ones are integers to JSON
            // Schema and to people.
            if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
                Json::from(*f as i64)
            } else {
                Number::from_f64(*f).map_or(Json::Null, Json::Number)
            }
        }
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(l) => Json::Array(
            l.iter()
                .map(|i| to_json(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut out = JsonMap::new();
            for (k, v) in m.entries() {
                out.insert(k, to_json(&v, depth + 1)?);
            }
            Json::Object(out)
        }
        Value::Object(_) => Json::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_kubectl() {
        let src = "a: 1\n---\n# only a comment\n--- # c\nb: 2\n---x\nc: 3\n";
        let chunks = split(src);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].text, "a: 1\n");
        assert_eq!(chunks[0].first_line, 0);
        assert_eq!(chunks[1].text, "b: 2\n---x\nc: 3\n");
        assert_eq!(chunks[1].first_line, 4);
    }

    #[test]
    fn paths_read_like_jsonpath() {
        assert_eq!(child("", "spec"), "spec");
        assert_eq!(child("spec", "values"), "spec.values");
        assert_eq!(
            child("spec.values", "a.b/c"),
            "spec.values[\"a.b/c\"]".to_string()
        );
        assert_eq!(index("spec.values.list", 3), "spec.values.list[3]");
        assert_eq!(parent("spec.values[\"a.b[0]\"]"), Some("spec.values"));
        assert_eq!(parent("spec.values.list[3]"), Some("spec.values.list"));
        assert_eq!(parent("spec"), Some(""));
        assert_eq!(parent(""), None);
    }

    #[test]
    fn positions_name_keys_items_and_fall_back_to_ancestors() {
        let chunk = Chunk {
            text: "spec:\n  version: 1.2.3\n  values:\n    list:\n      - a\n      - {b: \"c\"}\n",
            first_line: 10,
        };
        let p = positions(&chunk).unwrap_or_else(|e| panic!("{}", e.message));
        let at = |path: &str| p.find(path).map(|p| (p.line, p.column));
        assert_eq!(at("spec.version"), Some((12, 3)));
        assert_eq!(at("spec.values.list[1]"), Some((16, 9)));
        assert_eq!(at("spec.values.list[1].b"), Some((16, 10)));
        assert_eq!(at("spec.missing"), Some((11, 1)));
    }

    #[test]
    fn syntax_errors_carry_their_line() {
        let chunk = Chunk {
            text: "spec:\n  a: [1, 2\n  b: 3\n",
            first_line: 4,
        };
        let Err(e) = positions(&chunk) else {
            panic!("accepted broken YAML")
        };
        assert!(e.pos.line >= 6, "line {}", e.pos.line);
    }
}
