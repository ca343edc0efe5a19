//! Writing YAML as Helm's `toYaml` does: `json.Marshal`, go-yaml v2 decodes that JSON (so
//! integral numbers become ints), then go-yaml v2's emitter (a port of libyaml's) prints it.
//!
//! The emitter here follows libyaml's block emitter for the shapes JSON can take: scalar style
//! selection from the text's analysis, indentless sequences under mapping keys, `{}`/`[]` for
//! empty collections, folding of long scalars past column 80, and `? ` for keys that cannot be
//! simple (over 128 bytes or multi-line).

use super::resolve::{self, Scalar};
use crate::value::Value;

/// go-yaml's default line width and indentation.
const BEST_WIDTH: usize = 80;
const BEST_INDENT: i32 = 2;

/// The two encoders Helm uses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `toYaml`: JSON round trip, then go-yaml v2 (indentless sequences, 80 columns).
    V2,
    /// `toYamlPretty`: go-yaml v3 on the value itself with indent 2 (indented sequences, no
    /// line wrapping, floats as Go's `g`).
    V3,
}

/// A value after the JSON round trip, with go-yaml's Go types and sorted keys.
enum Node {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// The value as json.Marshal then go-yaml's decoder would leave it.
fn round_trip(v: &Value, json: bool, depth: usize) -> Result<Node, String> {
    if depth > 10_000 {
        return Err("json: unsupported value: encountered a cycle".to_string());
    }
    Ok(match v {
        Value::Nil => Node::Scalar(Scalar::Null),
        Value::Bool(b) => Node::Scalar(Scalar::Bool(*b)),
        Value::Int(i, kind) => {
            if kind.is_unsigned() && *i < 0 {
                Node::Scalar(Scalar::Uint(*i as u64))
            } else {
                Node::Scalar(Scalar::Int(*i))
            }
        }
        Value::Float(f) if json => Node::Scalar(float_round_trip(*f)?),
        Value::Float(f) => Node::Scalar(Scalar::Float(*f)),
        Value::String(s) if json => Node::Scalar(Scalar::Str(reread(s)?)),
        Value::String(s) => Node::Scalar(Scalar::Str(s.to_string())),
        Value::Bytes(b) => Node::Scalar(Scalar::Str(base64(b))),
        Value::List(l) if json && l.nil => Node::Scalar(Scalar::Null),
        Value::Map(m) if json && m.is_nil() => Node::Scalar(Scalar::Null),
        Value::List(l) => Node::Seq(
            l.iter()
                .map(|x| round_trip(x, json, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut entries = m
                .borrow()
                .iter()
                .map(|(k, x)| {
                    let k = if json { reread(k)? } else { k.clone() };
                    Ok((k, round_trip(x, json, depth + 1)?))
                })
                .collect::<Result<Vec<_>, String>>()?;
            sort_keys(&mut entries);
            Node::Map(entries)
        }
        Value::Object(o) => round_trip(&o.to_data(), json, depth + 1)?,
    })
}

/// A string as go-yaml reads it back from encoding/json's text. JSON leaves a few characters
/// raw that YAML treats specially: C1 controls (except NEL), U+FFFE and U+FFFF are rejected by
/// go-yaml's reader, and NEL is a line break inside the double-quoted scalar, folded with the
/// spaces around it.
fn reread(s: &str) -> Result<String, String> {
    if s.chars()
        .any(|c| matches!(c, '\u{7F}'..='\u{84}' | '\u{86}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}'))
    {
        return Err("yaml: control characters are not allowed".to_string());
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut blanks = String::new();
    while let Some(c) = chars.next() {
        match c {
            ' ' => blanks.push(c),
            '\u{85}' => {
                // Spaces before the break and at the start of the next lines are dropped; one
                // break folds to a space, each further one is kept as a newline.
                blanks.clear();
                let mut breaks = 1;
                while let Some(&n) = chars.peek() {
                    match n {
                        ' ' => {}
                        '\u{85}' => breaks += 1,
                        _ => break,
                    }
                    chars.next();
                }
                if breaks == 1 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', breaks - 1));
                }
            }
            _ => {
                out.push_str(&blanks);
                blanks.clear();
                out.push(c);
            }
        }
    }
    out.push_str(&blanks);
    Ok(out)
}

/// encoding/json prints an integral float64 below 1e21 without a fraction, which go-yaml then
/// reads back as an int (or a uint64 above `i64::MAX`); everything else stays a float.
fn float_round_trip(f: f64) -> Result<Scalar, String> {
    if !f.is_finite() {
        return Err(format!(
            "json: unsupported value: {}",
            resolve::format_g(f, false)
        ));
    }
    if f.fract() != 0.0 || f.abs() >= 1e21 {
        return Ok(Scalar::Float(f));
    }
    // JSON prints the shortest digits padded with zeros (2^63 is 9223372036854776000), and
    // go-yaml parses that text as an int64, else a uint64, else a float.
    let sci = format!("{:e}", f.abs());
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let exp: usize = exp.parse().unwrap_or(0);
    let text = format!(
        "{digits}{}",
        "0".repeat((exp + 1).saturating_sub(digits.len()))
    );
    let mag: Option<u64> = text.parse().ok();
    Ok(match (mag, f < 0.0) {
        (Some(m), true) if m <= 1 << 63 => Scalar::Int((m as i64).wrapping_neg()),
        (Some(m), false) if m <= i64::MAX as u64 => Scalar::Int(m as i64),
        (Some(m), false) => Scalar::Uint(m),
        _ => Scalar::Float(f),
    })
}

fn base64(b: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &x)| acc | (u32::from(x) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// go-yaml v2's key order: rune by rune, letters after non-letters, runs of digits compared
/// as numbers. Keys are nearly always ASCII, compared here byte by byte without collecting
/// their runes (for ASCII, `char::is_alphabetic` and `is_numeric` are the ASCII classes).
fn key_less(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return key_less_runes(a.as_bytes(), b.as_bytes());
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    key_less_runes(&ar, &br)
}

/// A rune of a key, as go-yaml's key order classifies it.
trait Rune: Copy + PartialOrd {
    fn is_letter(self) -> bool;
    fn is_digit(self) -> bool;
    fn code(self) -> u32;
}

impl Rune for u8 {
    fn is_letter(self) -> bool {
        self.is_ascii_alphabetic()
    }
    fn is_digit(self) -> bool {
        self.is_ascii_digit()
    }
    fn code(self) -> u32 {
        u32::from(self)
    }
}

impl Rune for char {
    fn is_letter(self) -> bool {
        self.is_alphabetic()
    }
    fn is_digit(self) -> bool {
        self.is_numeric()
    }
    fn code(self) -> u32 {
        self as u32
    }
}

fn key_less_runes<R: Rune>(ar: &[R], br: &[R]) -> bool {
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = ar[i].is_letter();
        let bl = br[i].is_letter();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let digit_value = |c: R| i64::from(c.code()) - i64::from(b'0');
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i].code() == u32::from(b'0') || br[i].code() == u32::from(b'0') {
            // A zero inside a longer number is compared as a digit, not as a leading zero.
            if ar[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_digit())
                .any(|c| c.code() != u32::from(b'0'))
            {
                an = 1;
                bn = 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_digit() {
            an = an.wrapping_mul(10).wrapping_add(digit_value(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// A stable top-down merge sort with `key_less`, which is not a total order for every input;
/// Rust's own sorts may panic on such a comparator. The halves and the choices of each merge
/// are go-yaml's (the left half is the first `len / 2` entries; a right entry goes first only
/// when it is less), so the order is the same for every comparator.
fn sort_keys(entries: &mut Vec<(String, Node)>) {
    if entries.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    let mut buf = order.clone();
    merge_sort(&mut order, &mut buf, &|a, b| {
        key_less(&entries[a].0, &entries[b].0)
    });
    let mut slots: Vec<Option<(String, Node)>> = entries.drain(..).map(Some).collect();
    entries.extend(order.iter().filter_map(|&i| slots[i].take()));
}

fn merge_sort(v: &mut [usize], buf: &mut [usize], less: &dyn Fn(usize, usize) -> bool) {
    if v.len() < 2 {
        return;
    }
    let mid = v.len() / 2;
    merge_sort(&mut v[..mid], &mut buf[..mid], less);
    merge_sort(&mut v[mid..], &mut buf[mid..], less);
    let (mut l, mut r, mut k) = (0, mid, 0);
    while l < mid && r < v.len() {
        if less(v[r], v[l]) {
            buf[k] = v[r];
            r += 1;
        } else {
            buf[k] = v[l];
            l += 1;
        }
        k += 1;
    }
    buf[k..k + mid - l].copy_from_slice(&v[l..mid]);
    k += mid - l;
    buf[k..].copy_from_slice(&v[r..]);
    v.copy_from_slice(&buf[..v.len()]);
}

/// What libyaml's `yaml_emitter_analyze_scalar` finds out about a text.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_end(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c) || c == '\0',
    }
}

/// go-yaml's `is_printable`: no tabs, no C1 controls, nothing outside the Basic Multilingual
/// Plane, no BOM or non-characters.
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}'
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break, mut previous_space, mut previous_break) =
        (false, false, false, false);
    let (mut line_breaks, mut special) = (false, false);
    let mut preceded_by_ws = true;
    let mut chars = s.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let followed_by_ws = is_blank_or_end(next);
        let last = next.is_none();
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            leading_space |= first;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            leading_break |= first;
            trailing_break |= last;
            space_break |= previous_space;
            previous_break = true;
            previous_space = false;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_blank_or_end(Some(c));
        first = false;
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// libyaml's emitter state for one block document.
struct Emitter {
    out: String,
    width: usize,
    indentless_seqs: bool,
    column: usize,
    indent: i32,
    indents: Vec<i32>,
    whitespace: bool,
    indention: bool,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, n: &Node, mapping_ctx: bool) {
        match n {
            Node::Scalar(s) => self.scalar(s, false),
            Node::Seq(items) if items.is_empty() => {
                self.write_indicator("[", true, true, false);
                self.write_indicator("]", false, false, false);
            }
            Node::Map(entries) if entries.is_empty() => {
                self.write_indicator("{", true, true, false);
                self.write_indicator("}", false, false, false);
            }
            Node::Seq(items) => {
                self.increase_indent(
                    false,
                    self.indentless_seqs && mapping_ctx && !self.indention,
                );
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(item, false);
                }
                self.pop_indent();
            }
            Node::Map(entries) => {
                self.increase_indent(false, false);
                for (k, v) in entries {
                    self.write_indent();
                    if k.len() <= 128 && !analyze(k).multiline {
                        self.string(k, true);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.string(k, false);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(v, true);
                }
                self.pop_indent();
            }
        }
    }

    fn scalar(&mut self, s: &Scalar, simple_key: bool) {
        let text = match s {
            Scalar::Null => "null".to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Uint(u) => u.to_string(),
            Scalar::Float(f) => match resolve::format_g(*f, false).as_str() {
                "+Inf" => ".inf".to_string(),
                "-Inf" => "-.inf".to_string(),
                "NaN" => ".nan".to_string(),
                other => other.to_string(),
            },
            Scalar::Str(s) => return self.string(s, simple_key),
        };
        self.styled(&text, Style::Plain, simple_key);
    }

    /// A string scalar: go-yaml's encoder asks for literal when it has a line break, plain when
    /// it reads back as a string, else double-quoted.
    fn string(&mut self, s: &str, simple_key: bool) {
        let requested = if s.contains('\n') {
            Style::Literal
        } else if resolve::plain_is_str(s) && !resolve::is_base60_float(s) {
            Style::Plain
        } else {
            Style::Double
        };
        self.styled(s, requested, simple_key);
    }

    /// libyaml's emitter: the requested style, or the one the text allows.
    fn styled(&mut self, text: &str, requested: Style, simple_key: bool) {
        let a = analyze(text);
        let mut style = requested;
        if style == Style::Plain && (!a.block_plain_allowed || (text.is_empty() && simple_key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        match style {
            Style::Plain => self.write_plain(text, !simple_key),
            Style::Single => self.write_single(text, !simple_key),
            Style::Double => self.write_double(text, !simple_key),
            Style::Literal => self.write_literal(text),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, s: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let mut chars = s.chars().peekable();
        let mut spaces = false;
        while let Some(c) = chars.next() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > self.width && chars.peek() != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let mut chars = s.chars().peekable();
        let mut spaces = false;
        let mut breaks = false;
        let mut first = true;
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width
                    && !first
                    && next.is_some()
                    && next != Some(' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                breaks = false;
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
            }
            first = false;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let mut chars = s.chars().peekable();
        let mut spaces = false;
        let mut first = true;
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            if !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                let esc = match c {
                    '\0' => "0".to_string(),
                    '\u{7}' => "a".to_string(),
                    '\u{8}' => "b".to_string(),
                    '\t' => "t".to_string(),
                    '\n' => "n".to_string(),
                    '\u{B}' => "v".to_string(),
                    '\u{C}' => "f".to_string(),
                    '\r' => "r".to_string(),
                    '\u{1B}' => "e".to_string(),
                    '"' => "\"".to_string(),
                    '\\' => "\\".to_string(),
                    '\u{85}' => "N".to_string(),
                    '\u{A0}' => "_".to_string(),
                    '\u{2028}' => "L".to_string(),
                    '\u{2029}' => "P".to_string(),
                    c if (c as u32) <= 0xFF => format!("x{:02X}", c as u32),
                    c if (c as u32) <= 0xFFFF => format!("u{:04X}", c as u32),
                    c => format!("U{:08X}", c as u32),
                };
                self.put('\\');
                for e in esc.chars() {
                    self.put(e);
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.width && !first && next.is_some() {
                    self.write_indent();
                    if next == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            first = false;
        }
        self.write_indicator("\"", false, false, false);
    }

    fn write_literal(&mut self, s: &str) {
        self.write_indicator("|", true, false, false);
        if s.starts_with(|c: char| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let mut rev = s.chars().rev();
        let (last, before) = (rev.next(), rev.next());
        match (last, before) {
            (Some(l), _) if !is_break(l) => self.write_indicator("-", false, false, false),
            (None, _) => self.write_indicator("-", false, false, false),
            (Some(_), None) => self.write_indicator("+", false, false, false),
            (Some(_), Some(b)) if is_break(b) => self.write_indicator("+", false, false, false),
            _ => {}
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in s.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// The YAML text of `v` (with its final newline): go-yaml v2's `Marshal` of the JSON round trip
/// of `v`, or go-yaml v3's encoder.
pub fn marshal(v: &Value, flavor: Flavor) -> Result<String, String> {
    let node = round_trip(v, flavor == Flavor::V2, 0).map_err(|e| {
        if e.starts_with("yaml:") {
            format!("error converting JSON to YAML: {e}")
        } else {
            format!("error marshaling into JSON: {e}")
        }
    })?;
    let mut e = Emitter {
        out: String::new(),
        width: if flavor == Flavor::V2 {
            BEST_WIDTH
        } else {
            usize::MAX
        },
        indentless_seqs: flavor == Flavor::V2,
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
    };
    e.node(&node, false);
    e.write_indent();
    Ok(e.out)
}
