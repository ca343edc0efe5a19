//! Reading YAML as `sigs.k8s.io/yaml.Unmarshal` into `interface {}` does: go-yaml v2 decodes
//! the first document (YAML 1.1 typing, anchors, `<<` merges), keys become strings, and the JSON
//! round trip turns every number into a `float64` and rejects NaN and infinities.
//!
//! Events come from `libyaml_safer`, a line-by-line port of libyaml, which go-yaml's scanner and
//! parser are also ported from, so accepted input and error texts follow go-yaml.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use libyaml_safer::{ErrorKind, EventData, Parser, ScalarStyle};

use super::resolve::{self, Scalar};
use crate::value::{Map, Value};

/// go-yaml's nesting bound (`exceeded max depth of 10000`).
const MAX_DEPTH: usize = 10_000;

/// One node of a composed document, as go-yaml's parser builds them.
enum Node {
    Scalar {
        value: String,
        /// The short tag (`!!int`), or "" when none was written.
        tag: String,
        /// Plain and untagged: subject to implicit typing.
        implicit: bool,
    },
    Seq(Vec<usize>),
    /// Keys and values interleaved.
    Map(Vec<usize>),
    Alias {
        name: String,
        target: usize,
    },
}

/// go-yaml's `yaml: [line N: ]problem` from a libyaml error. go-yaml reports the 0-based line
/// of a parser error's mark and the 1-based line of a scanner error's, and omits line 0.
fn go_error(e: &libyaml_safer::Error) -> String {
    let mut line = 0;
    match e.problem_mark() {
        Some(m) if m.line != 0 => {
            line = m.line;
            if e.kind() == ErrorKind::Scanner {
                line += 1;
            }
        }
        _ => {
            if let Some(m) = e.context_mark() {
                line = m.line;
            }
        }
    }
    if line != 0 {
        format!("yaml: line {line}: {}", e.problem())
    } else {
        format!("yaml: {}", e.problem())
    }
}

/// go-yaml v2 (and so helm) reads a tag up to the first character outside its URI set, which
/// includes `,`, `[` and `]`: `a: !x,y` is an empty scalar tagged `!x,y`. libyaml-safer stops a
/// tag at those three, then fails ("did not find expected whitespace or line break") or, inside
/// a flow collection before a comma, panics ("TODO: What is expected here?"; found by the
/// yaml_read fuzzer). Where a `!` may start a tag and its go-yaml tag runs over such characters,
/// they are swapped for private-use stand-ins: libyaml-safer then stops the tag with its ordinary
/// error instead of panicking, and in scalars and comments the stand-ins are swapped back. When
/// the error names one of those tags, that tag is rewritten with percent escapes (`!x%2Cy`,
/// which libyaml decodes to go-yaml's `!x,y`) and the text is read again.
struct TagGuard {
    /// The text libyaml-safer reads.
    text: String,
    /// Each stand-in and the character it replaces.
    stand_ins: Vec<(char, char)>,
    /// Byte ranges in `text` of the guarded tag runs, with their original text.
    runs: Vec<(std::ops::Range<usize>, String)>,
}

/// go-yaml's tag URI characters (scannerc.go `yaml_parser_scan_tag_uri`), besides alphanumerics.
fn go_tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_;/?:@&=+$,.!~*'()[]%".contains(c)
}

/// libyaml's line breaks: CR, LF, NEL, LS, PS.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whether a token may start at `chars[i]`: at the start of a line (after indentation), right
/// after a flow indicator (`[`, `{`, `,`), or after an indicator (`:`, `?`, `-`) and a blank. In a
/// flow collection `:` and `?` are indicators without a blank too, when they themselves start a
/// token or `:` follows a quoted key (`{"a":!x}`). A `!` after anything else is inside a plain
/// scalar (`[a !b,c]` is `"a !b"` and `"c"`).
///
/// `property_ends[j]` is true where a token that may be followed by another ends at `j`: a tag or
/// an anchor (`!a !b,` is two tags; blanks are required there, but the tag or anchor run stops at
/// one anyway) or a quoted scalar (`"a"!b,`).
fn may_start_token(chars: &[char], property_ends: &[bool], mut i: usize) -> bool {
    loop {
        let mut j = i;
        while j > 0 && matches!(chars[j - 1], ' ' | '\t') {
            j -= 1;
        }
        let blanks = j < i;
        if property_ends.get(j).copied().unwrap_or(false) {
            return true;
        }
        match j.checked_sub(1).map(|p| chars[p]) {
            // libyaml's line breaks include NEL, LS and PS (YAML 1.1). A flow collection's end
            // cannot be inside a plain scalar of a flow collection, and in block context a `!`
            // after one is inside a plain scalar whose commas the guard gives back anyway.
            None
            | Some(
                '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' | '[' | '{' | ',' | ']' | '}',
            ) => {
                return true;
            }
            Some('-') => return blanks,
            Some(c @ (':' | '?')) => {
                if blanks {
                    return true;
                }
                if c == ':' && j >= 2 && matches!(chars[j - 2], '"' | '\'') {
                    return true;
                }
                // Does this indicator itself start a token?
                i = j - 1;
            }
            Some(_) => return false,
        }
    }
}

impl TagGuard {
    fn new(src: &str) -> Option<TagGuard> {
        // Only a `!` can start a tag: most documents have none and need no guard.
        if !src.contains('!') {
            return None;
        }
        let chars: Vec<char> = src.chars().collect();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut property_ends = vec![false; chars.len() + 1];
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if matches!(c, '"' | '\'') && may_start_token(&chars, &property_ends, i) {
                // A quoted scalar: skip it, so a tag-like run inside cannot reach past it.
                i += 1;
                while i < chars.len() {
                    match chars[i] {
                        '\\' if c == '"' => i += 2,
                        '\'' if c == '\'' && chars.get(i + 1) == Some(&'\'') => i += 2,
                        q if q == c => break,
                        _ => i += 1,
                    }
                }
                i += 1;
                if let Some(end) = property_ends.get_mut(i) {
                    *end = true;
                }
                continue;
            }
            if c == '#' && (i == 0 || matches!(chars[i - 1], ' ' | '\t') || is_break(chars[i - 1]))
            {
                while i < chars.len() && !is_break(chars[i]) {
                    i += 1;
                }
                continue;
            }
            if c == '&' && may_start_token(&chars, &property_ends, i) {
                // An anchor (`&a !t,`): a tag may follow it.
                let mut k = i + 1;
                while k < chars.len()
                    && (chars[k].is_ascii_alphanumeric() || "-_".contains(chars[k]))
                {
                    k += 1;
                }
                property_ends[k] = true;
                i = k;
                continue;
            }
            if c != '!' || !may_start_token(&chars, &property_ends, i) {
                i += 1;
                continue;
            }
            let mut k = i + 1;
            while k < chars.len() && go_tag_char(chars[k]) {
                k += 1;
            }
            property_ends[k] = true;
            if chars[i + 1..k].iter().any(|c| matches!(c, ',' | '[' | ']')) {
                runs.push((i, k));
            }
            i = k.max(i + 1);
        }
        if runs.is_empty() {
            return None;
        }
        let mut free = ('\u{E000}'..='\u{F8FF}').filter(|c| !src.contains(*c));
        let stand_ins = vec![
            (free.next()?, ','),
            (free.next()?, '['),
            (free.next()?, ']'),
        ];
        let swap = |c: char| {
            stand_ins
                .iter()
                .find(|(_, orig)| *orig == c)
                .map_or(c, |(s, _)| *s)
        };
        let mut text = String::with_capacity(src.len() + 16);
        let mut byte_runs = Vec::new();
        let mut next = 0;
        for (start, end) in runs {
            text.extend(&chars[next..start]);
            let from = text.len();
            text.extend(chars[start..end].iter().map(|&c| swap(c)));
            byte_runs.push((from..text.len(), chars[start..end].iter().collect()));
            next = end;
        }
        text.extend(&chars[next..]);
        Some(TagGuard {
            text,
            stand_ins,
            runs: byte_runs,
        })
    }

    /// The guarded run a scanner error at byte `at` of `text` stopped in (a tag cut short by a
    /// stand-in), rewritten with percent escapes; false when the error is not in one of them.
    fn escape_run_at(&mut self, at: usize) -> bool {
        let Some(idx) = self
            .runs
            .iter()
            .position(|(r, _)| r.start < at && at <= r.end)
        else {
            return false;
        };
        let (range, original) = self.runs.remove(idx);
        let escaped: String = original
            .chars()
            .map(|c| match c {
                ',' => "%2C".to_string(),
                '[' => "%5B".to_string(),
                ']' => "%5D".to_string(),
                c => c.to_string(),
            })
            .collect();
        let grow = escaped.len() as isize - range.len() as isize;
        self.text.replace_range(range.clone(), &escaped);
        for (r, _) in &mut self.runs {
            if r.start >= range.end {
                *r = (r.start as isize + grow) as usize..(r.end as isize + grow) as usize;
            }
        }
        true
    }

    fn restore(&self, value: &mut String) {
        if value.contains(|c: char| self.stand_ins.iter().any(|(s, _)| *s == c)) {
            *value = value
                .chars()
                .map(|c| {
                    self.stand_ins
                        .iter()
                        .find(|(s, _)| *s == c)
                        .map_or(c, |(_, o)| *o)
                })
                .collect();
        }
    }
}

/// The nodes of the first document of `src` and its root, `None` for an empty stream, read the
/// way go-yaml v2 reads tags (see [`TagGuard`]).
fn compose(src: &str) -> Result<Option<(Vec<Node>, usize)>, String> {
    let Some(mut guard) = TagGuard::new(src) else {
        return compose_text(src, None).map_err(ComposeError::text);
    };
    loop {
        match compose_text(&guard.text.clone(), Some(&guard)) {
            Ok(nodes) => return Ok(nodes),
            Err(ComposeError::Yaml(e))
                if e.kind() == ErrorKind::Scanner
                    && e.problem_mark()
                        .is_some_and(|m| guard.escape_run_at(m.index as usize)) => {}
            Err(e) => return Err(e.text()),
        }
    }
}

/// A reader error (its marks tell [`compose`] where it stopped) or one of ours, as go-yaml's text.
enum ComposeError {
    Yaml(libyaml_safer::Error),
    Text(String),
}

impl From<String> for ComposeError {
    fn from(s: String) -> Self {
        ComposeError::Text(s)
    }
}

impl ComposeError {
    fn text(self) -> String {
        match self {
            ComposeError::Yaml(e) => go_error(&e),
            ComposeError::Text(s) => s,
        }
    }
}

/// [`compose`] over `src` as libyaml-safer reads it, stand-ins swapped back in scalars.
fn compose_text(
    src: &str,
    guard: Option<&TagGuard>,
) -> Result<Option<(Vec<Node>, usize)>, ComposeError> {
    // libyaml-safer panics ("unexpected end of input") on a block scalar that ends the input
    // without a line break (found by the yaml_read fuzzer); C libyaml, and so helm, reads it and
    // gives the scalar no trailing newline. Give the reader the line break, then take back the
    // one it adds to a block scalar that ends there.
    let with_break;
    let added_break = !src.is_empty() && !src.ends_with(['\n', '\r']);
    let src = if added_break {
        with_break = format!("{src}\n");
        with_break.as_str()
    } else {
        src
    };
    let mut input = src.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut nodes: Vec<Node> = Vec::new();
    let mut anchors: HashMap<String, usize> = HashMap::new();
    let mut open: Vec<usize> = Vec::new();
    let mut root = None;
    loop {
        let event = parser.parse().map_err(ComposeError::Yaml)?;
        if let EventData::Scalar {
            style: ScalarStyle::DoubleQuoted,
            ..
        } = event.data
        {
            let raw = src
                .get(event.start_mark.index as usize..event.end_mark.index as usize)
                .unwrap_or_default();
            check_escapes(raw, event.start_mark.line)?;
        }
        let id = nodes.len();
        let (node, anchor, opens) = match event.data {
            EventData::StreamStart { .. } | EventData::DocumentStart { .. } => continue,
            EventData::StreamEnd => return Ok(None),
            EventData::DocumentEnd { .. } => return Ok(root.map(|r| (nodes, r))),
            EventData::SequenceEnd | EventData::MappingEnd => {
                open.pop();
                continue;
            }
            EventData::Alias { anchor } => {
                let Some(&target) = anchors.get(&anchor) else {
                    return Err(format!("yaml: unknown anchor '{anchor}' referenced").into());
                };
                (
                    Node::Alias {
                        name: anchor,
                        target,
                    },
                    None,
                    false,
                )
            }
            EventData::Scalar {
                anchor,
                tag,
                mut value,
                plain_implicit,
                style,
                ..
            } => {
                if added_break
                    && matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && event.end_mark.index as usize >= src.len()
                    && value.ends_with('\n')
                {
                    value.pop();
                }
                if let Some(g) = guard {
                    g.restore(&mut value);
                }
                // libyaml passes the non-specific `!` through as a tag; go-yaml then resolves
                // it as an unknown tag, giving a string.
                let tag = tag.map(|t| resolve::short_tag(&t)).unwrap_or_default();
                (
                    Node::Scalar {
                        value,
                        tag,
                        implicit: plain_implicit,
                    },
                    anchor,
                    false,
                )
            }
            EventData::SequenceStart { anchor, .. } => (Node::Seq(Vec::new()), anchor, true),
            EventData::MappingStart { anchor, .. } => (Node::Map(Vec::new()), anchor, true),
        };
        nodes.push(node);
        if let Some(a) = anchor {
            anchors.insert(a, id);
        }
        match open.last() {
            Some(&parent) => match &mut nodes[parent] {
                Node::Seq(items) | Node::Map(items) => items.push(id),
                _ => unreachable!("only collections are open"),
            },
            None => root = Some(id),
        }
        if opens {
            open.push(id);
            if open.len() > MAX_DEPTH {
                return Err(depth_error().into());
            }
        }
    }
}

/// libyaml 0.2.5 accepts the YAML 1.2 escape `\/` in double quotes; go-yaml v2 does not.
fn check_escapes(raw: &str, first_line: u64) -> Result<(), String> {
    let mut line = first_line;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '\\' => match chars.next() {
                Some('/') => {
                    // A scanner error: go-yaml prints the 1-based line, and none on line 1.
                    let place = if line == 0 {
                        String::new()
                    } else {
                        format!("line {}: ", line + 1)
                    };
                    return Err(format!("yaml: {place}found unknown escape character"));
                }
                Some('\n') => line += 1,
                _ => {}
            },
            _ => {}
        }
    }
    Ok(())
}

/// A decoded node before the JSON step: scalars keep go-yaml's Go type (for map keys).
enum Decoded {
    Scalar(Scalar),
    Value(Value),
}

/// go-yaml v2's decoder into `interface {}`, fused with sigs.k8s.io/yaml's conversion to JSON.
struct Decoder<'a> {
    nodes: &'a [Node],
    decode_count: u64,
    alias_count: u64,
    alias_depth: u64,
    /// Alias nodes being expanded, to catch an anchor that contains itself.
    expanding: Vec<usize>,
    /// The first error of the JSON step; go-yaml's own errors come first, so it is kept aside.
    json_err: Option<String>,
}

/// go-yaml's bound on alias expansion: the share of decoded nodes that came through aliases.
fn allowed_alias_ratio(decode_count: u64) -> f64 {
    const LOW: u64 = 400_000;
    const HIGH: u64 = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

impl Decoder<'_> {
    fn count(&mut self) -> Result<(), String> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err("yaml: document contains excessive aliasing".to_string());
        }
        Ok(())
    }

    fn enter_alias(&mut self, id: usize, name: &str) -> Result<(), String> {
        if self.expanding.contains(&id) {
            return Err(format!("yaml: anchor '{name}' value contains itself"));
        }
        self.expanding.push(id);
        self.alias_depth += 1;
        Ok(())
    }

    fn leave_alias(&mut self) {
        self.expanding.pop();
        self.alias_depth -= 1;
    }

    // The recursive path (unmarshal, sequence, mapping_into, entry) keeps its frames small:
    // scalar work and error texts live in functions that return before the next level starts.
    fn unmarshal(&mut self, id: usize, depth: usize) -> Result<Decoded, String> {
        self.count()?;
        if depth > MAX_DEPTH {
            return Err(depth_error());
        }
        let nodes = self.nodes;
        match &nodes[id] {
            Node::Scalar { .. } => self.scalar(id).map(Decoded::Scalar),
            Node::Seq(items) => self.sequence(items, depth).map(Decoded::Value),
            Node::Map(_) => {
                let mut out = BTreeMap::new();
                self.mapping_into(id, &mut out, depth)?;
                Ok(Decoded::Value(Value::Map(Map::from_btree(out))))
            }
            Node::Alias { name, target } => {
                self.enter_alias(id, name)?;
                let r = self.unmarshal(*target, depth);
                self.leave_alias();
                r
            }
        }
    }

    #[inline(never)]
    fn scalar(&self, id: usize) -> Result<Scalar, String> {
        let Node::Scalar {
            value,
            tag,
            implicit,
        } = &self.nodes[id]
        else {
            unreachable!("caller checked the kind")
        };
        if tag.is_empty() && !implicit {
            return Ok(Scalar::Str(value.clone()));
        }
        let (rtag, out) = resolve::resolve(tag, value).map_err(|e| format!("yaml: {e}"))?;
        if rtag == resolve::BINARY || tag == resolve::BINARY {
            return decode_binary(value).map(Scalar::Str);
        }
        Ok(out)
    }

    fn sequence(&mut self, items: &[usize], depth: usize) -> Result<Value, String> {
        let mut out = Vec::with_capacity(items.len());
        for &item in items {
            let v = self.unmarshal(item, depth + 1)?;
            out.push(self.json_value(v));
        }
        Ok(Value::list(out))
    }

    /// The entries of mapping node `id` into `out`, later keys (and merges) overwriting earlier
    /// ones as go-yaml v2 does.
    fn mapping_into(
        &mut self,
        id: usize,
        out: &mut BTreeMap<String, Value>,
        depth: usize,
    ) -> Result<(), String> {
        let Node::Map(items) = &self.nodes[id] else {
            unreachable!("caller checked the kind")
        };
        for pair in items.chunks(2) {
            if self.is_merge(pair[0]) {
                self.merge(pair[1], out, depth)?;
            } else {
                self.entry(pair[0], pair[1], out, depth)?;
            }
        }
        Ok(())
    }

    fn entry(
        &mut self,
        k: usize,
        v: usize,
        out: &mut BTreeMap<String, Value>,
        depth: usize,
    ) -> Result<(), String> {
        let key = match self.unmarshal(k, depth + 1)? {
            Decoded::Scalar(s) => s,
            Decoded::Value(v) => return Err(invalid_key(&v)),
        };
        let val = self.unmarshal(v, depth + 1)?;
        let val = self.json_value(val);
        match key_string(&key) {
            Ok(k) => {
                out.insert(k, val);
            }
            Err(kind) => self.bad_key(kind, &key, &val),
        }
        Ok(())
    }

    #[inline(never)]
    fn bad_key(&mut self, kind: &str, key: &Scalar, val: &Value) {
        let key = match key {
            Scalar::Uint(u) => format!("{u:#x}"),
            _ => "<nil>".to_string(),
        };
        // A later duplicate of the same key replaces the earlier entry in go-yaml's map, so
        // its value is the one reported.
        let head = format!("unsupported map key of type: {kind}, key: {key}, value: ");
        if self.json_err.as_ref().is_none_or(|e| e.starts_with(&head)) {
            self.json_err = Some(format!("{head}{}", go_sharp_v(val)));
        }
    }

    fn is_merge(&self, id: usize) -> bool {
        matches!(&self.nodes[id], Node::Scalar { value, tag, implicit }
            if value == "<<" && (*implicit || tag == resolve::MERGE))
    }

    /// The mapping an alias or mapping node stands for, or `None` for anything else.
    fn target_map(&self, id: usize) -> Option<usize> {
        match &self.nodes[id] {
            Node::Map(_) => Some(id),
            Node::Alias { target, .. } if matches!(self.nodes[*target], Node::Map(_)) => {
                Some(*target)
            }
            _ => None,
        }
    }

    /// `<<: value`: a map, or a list of maps where earlier ones take precedence.
    fn merge(
        &mut self,
        id: usize,
        out: &mut BTreeMap<String, Value>,
        depth: usize,
    ) -> Result<(), String> {
        let want_map =
            || "yaml: map merge requires map or sequence of maps as the value".to_string();
        match &self.nodes[id] {
            Node::Map(_) | Node::Alias { .. } => {
                self.target_map(id).ok_or_else(want_map)?;
                self.map_node_into(id, out, depth)
            }
            Node::Seq(items) => {
                for &item in items.iter().rev() {
                    self.target_map(item).ok_or_else(want_map)?;
                    self.map_node_into(item, out, depth)?;
                }
                Ok(())
            }
            Node::Scalar { .. } => Err(want_map()),
        }
    }

    /// Decode a mapping node (possibly through an alias) into an existing map.
    fn map_node_into(
        &mut self,
        id: usize,
        out: &mut BTreeMap<String, Value>,
        depth: usize,
    ) -> Result<(), String> {
        self.count()?;
        match &self.nodes[id] {
            Node::Alias { name, target } => {
                let target = *target;
                self.enter_alias(id, name)?;
                self.count()?;
                let r = self.mapping_into(target, out, depth);
                self.leave_alias();
                r
            }
            _ => self.mapping_into(id, out, depth),
        }
    }

    /// The JSON step for one value: numbers become `float64`; NaN and infinities are an error.
    fn json_value(&mut self, d: Decoded) -> Value {
        match d {
            Decoded::Value(v) => v,
            Decoded::Scalar(s) => match s {
                Scalar::Null => Value::Nil,
                Scalar::Bool(b) => Value::Bool(b),
                Scalar::Int(i) => Value::Float(i as f64),
                Scalar::Uint(u) => Value::Float(u as f64),
                Scalar::Float(f) => {
                    if !f.is_finite() {
                        self.json_err.get_or_insert(format!(
                            "json: unsupported value: {}",
                            resolve::format_g(f, false)
                        ));
                    }
                    Value::Float(f)
                }
                Scalar::Str(s) => Value::String(Rc::from(s)),
            },
        }
    }
}

#[inline(never)]
fn depth_error() -> String {
    format!("yaml: exceeded max depth of {MAX_DEPTH}")
}

#[inline(never)]
fn invalid_key(v: &Value) -> String {
    format!("yaml: invalid map key: {}", go_sharp_v(v))
}

/// sigs.k8s.io/yaml's key conversion: ints in decimal, floats as float32 `g`, bools as words;
/// the Go type name when the key has no JSON form.
fn key_string(k: &Scalar) -> Result<String, &'static str> {
    Ok(match k {
        Scalar::Str(s) => s.clone(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => match resolve::format_g(*f, true).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        },
        Scalar::Bool(b) => b.to_string(),
        Scalar::Uint(_) => return Err("uint64"),
        Scalar::Null => return Err("%!s(<nil>)"),
    })
}

/// `!!binary`: standard base64 (line breaks allowed, as Go's decoder skips them), decoded bytes
/// as a string, invalid UTF-8 replaced byte by byte as encoding/json does.
fn decode_binary(s: &str) -> Result<String, String> {
    let bad = || "yaml: !!binary value contains invalid base64 data".to_string();
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut bytes = Vec::new();
    let mut pad = 0;
    let mut n = 0;
    for c in s.bytes() {
        if c == b'\n' || c == b'\r' {
            continue;
        }
        n += 1;
        if c == b'=' {
            pad += 1;
            continue;
        }
        if pad > 0 {
            return Err(bad());
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(bad()),
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            bytes.push((bits >> nbits) as u8);
        }
    }
    if n % 4 != 0 || pad > 2 {
        return Err(bad());
    }
    Ok(lossy_utf8(&bytes))
}

/// Invalid UTF-8 bytes each become U+FFFD, as Go's encoding/json writes them.
fn lossy_utf8(mut b: &[u8]) -> String {
    let mut out = String::new();
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (ok, rest) = b.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(ok).unwrap_or_default());
                out.push('\u{FFFD}');
                b = &rest[1..];
            }
        }
    }
}

/// Go's `%#v` of a decoded value, for go-yaml's "invalid map key" message.
fn go_sharp_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".to_string(),
        other => go_sharp_v_elem(other),
    }
}

/// `%#v` of a value inside a slice or map of `interface {}`: there a nil prints as
/// `interface {}(nil)`, not `<nil>`.
fn go_sharp_v_elem(v: &Value) -> String {
    match v {
        Value::Nil => "interface {}(nil)".to_string(),
        Value::String(s) => format!("{:?}", &**s),
        Value::Float(f) => resolve::format_g(*f, false),
        Value::List(l) => format!(
            "[]interface {{}}{{{}}}",
            l.iter().map(go_sharp_v_elem).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) => format!(
            "map[interface {{}}]interface {{}}{{{}}}",
            m.entries()
                .iter()
                .map(|(k, v)| format!("{k:?}:{}", go_sharp_v_elem(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => crate::go::format_v(other),
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` of the first document into `interface {}`.
pub fn unmarshal(src: &str) -> Result<Value, String> {
    let wrap = |e: String| format!("error converting YAML to JSON: {e}");
    let Some((nodes, root)) = compose(src).map_err(wrap)? else {
        return Ok(Value::Nil);
    };
    let mut d = Decoder {
        nodes: &nodes,
        decode_count: 0,
        alias_count: 0,
        alias_depth: 0,
        expanding: Vec::new(),
        json_err: None,
    };
    // go-yaml counts the document node too.
    d.count().map_err(wrap)?;
    let v = d.unmarshal(root, 1).map_err(wrap)?;
    let v = d.json_value(v);
    match d.json_err {
        Some(e) => Err(wrap(e)),
        None => Ok(v),
    }
}

/// encoding/json's name for the JSON type of a decoded value, for its type-mismatch errors.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Bool(_) => "bool",
        Value::Float(_) => "number",
        _ => "string",
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` into a `map[string]interface {}`: `null` leaves it empty.
pub fn unmarshal_map(src: &str) -> Result<Map, String> {
    match unmarshal(src)? {
        Value::Nil => Ok(Map::new()),
        Value::Map(m) => Ok(m),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` into a `[]interface {}`: `null` leaves it empty.
pub fn unmarshal_list(src: &str) -> Result<Vec<Value>, String> {
    match unmarshal(src)? {
        Value::Nil => Ok(Vec::new()),
        Value::List(l) => Ok(l.items.as_ref().clone()),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        )),
    }
}

/// The documents of a values file as Helm 4 reads them: split on lines starting with `---`
/// (k8s.io/apimachinery's YAML reader: only spaces or a comment may follow the marker), each
/// non-empty chunk unmarshalled into a map.
pub fn unmarshal_documents(src: &str) -> Result<Vec<Map>, String> {
    let mut docs = Vec::new();
    let mut chunk = String::new();
    let mut flush = |chunk: &mut String| -> Result<(), String> {
        if !chunk.is_empty() {
            docs.push(
                unmarshal_map(chunk).map_err(|e| format!("cannot unmarshal yaml document: {e}"))?,
            );
            chunk.clear();
        }
        Ok(())
    };
    for line in src.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim_matches(|c: char| c.is_whitespace());
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(format!(
                    "error reading yaml document: invalid Yaml document separator: {trimmed}"
                ));
            }
            flush(&mut chunk)?;
            continue;
        }
        chunk.push_str(line);
    }
    flush(&mut chunk)?;
    Ok(docs)
}
