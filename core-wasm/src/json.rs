//! encoding/json as Helm's `toJson`/`fromJson` and Sprig's JSON functions use it: sorted keys,
//! HTML-safe escaping, Go's float formatting; decoded numbers are `float64`, and syntax errors
//! carry Go's exact messages because charts print them (`fromJson` returns `{"Error": ...}`).

use std::collections::BTreeMap;

use crate::go;
use crate::value::{Elem, Value};

/// `json.Marshal(v)`.
pub fn to_json(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    encode(v, &mut out, true, None, 0)?;
    Ok(out)
}

/// `json.MarshalIndent(v, "", "  ")`, as Sprig's `toPrettyJson` calls it.
pub fn to_json_pretty(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    encode(v, &mut out, true, Some("  "), 0)?;
    Ok(out)
}

/// A `json.Encoder` with HTML escaping off, its trailing newline removed (Sprig's `toRawJson`).
pub fn to_raw_json(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    encode(v, &mut out, false, None, 0)?;
    Ok(out)
}

/// `json.Unmarshal` into `interface {}`.
pub fn from_json(s: &str) -> Result<Value, String> {
    match decode(s)? {
        (v, None) => Ok(v),
        (_, Some(e)) => Err(e),
    }
}

/// The decoded value and the first error that did not stop decoding (a number out of range
/// becomes 0, as Go leaves it).
fn decode(s: &str) -> Result<(Value, Option<String>), String> {
    let mut p = Parser::new(s);
    let v = p.parse()?;
    Ok((v, p.soft))
}

/// `json.Decoder.Decode` into `interface {}` over `s`: the first value and the bytes it took
/// (with the white space after it); what follows the value is not looked at.
pub fn decode_prefix(s: &str) -> Result<(Value, usize), String> {
    let mut p = Parser::new(s);
    p.prefix = true;
    let v = p.parse()?;
    match p.soft {
        Some(e) => Err(e),
        None => Ok((v, p.i)),
    }
}

/// Go's name of a JSON value's kind in `UnmarshalTypeError` messages.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "object",
        Value::List(_) => "array",
        Value::String(_) => "string",
        Value::Float(_) => "number",
        Value::Bool(_) => "bool",
        _ => "null",
    }
}

/// Helm's `fromJson`: `json.Unmarshal` into `map[string]interface {}`, an error reported as an
/// `Error` key next to whatever was decoded. `null` gives an empty map (Go's nil map, which
/// prints the same but marshals as `null`).
pub fn from_json_map(s: &str) -> Value {
    match decode(s) {
        Ok((v @ Value::Map(_), soft)) => {
            if let (Some(e), Some(m)) = (soft, v.as_map()) {
                m.insert("Error", Value::from(e));
            }
            v
        }
        Ok((Value::Nil, _)) => Value::Map(crate::value::Map::nil()),
        Ok((other, _)) => error_map(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
        Err(e) => error_map(e),
    }
}

/// Helm's `fromJsonArray`: `json.Unmarshal` into `[]interface {}`; on error a list holding only
/// the error text.
pub fn from_json_list(s: &str) -> Value {
    let err = match decode(s) {
        Ok((v @ Value::List(_), None)) => return v,
        Ok((Value::Nil, None)) => return Value::List(crate::value::List::nil(Elem::Any)),
        Ok((Value::List(_), Some(e))) => e,
        Ok((other, _)) => format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ),
        Err(e) => e,
    };
    Value::list(vec![Value::from(err)])
}

/// Helm's in-band error value: a map holding only `Error`.
pub fn error_map(msg: String) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), Value::from(msg));
    Value::map(m)
}

/// Go's `UnsupportedValueError` text for a float JSON cannot hold.
fn check_float(f: f64) -> Result<(), String> {
    if f.is_finite() {
        Ok(())
    } else {
        Err(format!(
            "json: unsupported value: {}",
            go::format_float(f, 'g', -1)
        ))
    }
}

/// encoding/json's float form: ES6 number-to-string, i.e. `%f`-like shortest digits between
/// 1e-6 and 1e21, exponent form outside with `e-07` cleaned to `e-7`.
pub fn format_json_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = go::format_float(f, 'e', -1);
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            return format!("{}{}", &s[..n - 2], &s[n - 1..]);
        }
        return s;
    }
    go::format_float(f, 'f', -1)
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn encode(
    v: &Value,
    out: &mut String,
    html: bool,
    indent: Option<&str>,
    depth: usize,
) -> Result<(), String> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i, k) => {
            if k.is_unsigned() {
                out.push_str(&(*i as u64).to_string());
            } else {
                out.push_str(&i.to_string());
            }
        }
        Value::Float(f) => {
            check_float(*f)?;
            out.push_str(&format_json_float(*f));
        }
        Value::String(s) => encode_string(s.as_bytes(), out, html),
        Value::Bytes(b) => {
            out.push('"');
            out.push_str(&base64_std(b));
            out.push('"');
        }
        Value::List(l) if l.nil => out.push_str("null"),
        Value::Map(m) if m.is_nil() => out.push_str("null"),
        Value::List(l) => {
            if l.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                encode(item, out, html, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Map(m) => encode_object(m.entries(), out, html, indent, depth)?,
        Value::Object(o) => match o.json_fields() {
            Some(fields) => encode_object(fields, out, html, indent, depth)?,
            None => encode(&o.to_data(), out, html, indent, depth)?,
        },
    }
    Ok(())
}

/// A JSON object of `entries`, in their order.
fn encode_object(
    entries: Vec<(String, Value)>,
    out: &mut String,
    html: bool,
    indent: Option<&str>,
    depth: usize,
) -> Result<(), String> {
    {
        {
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                encode_string(k.as_bytes(), out, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                encode(val, out, html, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
    Ok(())
}

/// A JSON string as encoding/json writes it: invalid UTF-8 becomes `\ufffd`, U+2028/2029 are
/// escaped for JavaScript, `< > &` too when `html`.
fn encode_string(s: &[u8], out: &mut String, html: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b < 0x80 {
            match b {
                b'\\' | b'"' => {
                    out.push('\\');
                    out.push(b as char);
                }
                b'\x08' => out.push_str("\\b"),
                b'\x0c' => out.push_str("\\f"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                b'<' | b'>' | b'&' if html => {
                    out.push_str("\\u00");
                    out.push(HEX[(b >> 4) as usize] as char);
                    out.push(HEX[(b & 15) as usize] as char);
                }
                0..0x20 => {
                    out.push_str("\\u00");
                    out.push(HEX[(b >> 4) as usize] as char);
                    out.push(HEX[(b & 15) as usize] as char);
                }
                _ => out.push(b as char),
            }
            i += 1;
            continue;
        }
        let end = (i + 4).min(s.len());
        let c = match std::str::from_utf8(&s[i..end]) {
            Ok(t) => t.chars().next(),
            Err(e) if e.valid_up_to() > 0 => std::str::from_utf8(&s[i..i + e.valid_up_to()])
                .ok()
                .and_then(|t| t.chars().next()),
            Err(_) => None,
        };
        match c {
            Some('\u{2028}') => out.push_str("\\u2028"),
            Some('\u{2029}') => out.push_str("\\u2029"),
            Some(c) => out.push(c),
            None => {
                out.push_str("\\ufffd");
                i += 1;
                continue;
            }
        }
        i += c.map_or(1, char::len_utf8);
    }
    out.push('"');
}

/// Standard base64 with padding, as encoding/json writes `[]byte`.
pub fn base64_std(b: &[u8]) -> String {
    const ALPHA: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        out.push(ALPHA[(n >> 18) as usize & 63] as char);
        out.push(ALPHA[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHA[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHA[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// encoding/json's nesting limit (its scanner's `maxNestingDepth`).
const MAX_DEPTH: usize = 10_000;

/// A container being filled while parsing (the parser keeps its own stack rather than recursing,
/// so deep input cannot overflow the sandbox's stack).
enum Frame {
    List(Vec<Value>),
    Map(BTreeMap<String, Value>, String),
}

/// A JSON parser with encoding/json's scanner error messages.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    /// Stop after the first value (a `json.Decoder`), instead of requiring the end of input.
    prefix: bool,
    stack: Vec<Frame>,
    /// The first error that let decoding go on.
    soft: Option<String>,
}

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Parser<'a> {
        Parser {
            s: s.as_bytes(),
            i: 0,
            prefix: false,
            stack: Vec::new(),
            soft: None,
        }
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// The byte at the cursor, or Go's end-of-input error.
    fn need(&self) -> Result<u8, String> {
        self.peek()
            .ok_or_else(|| "unexpected end of JSON input".to_string())
    }

    fn parse(&mut self) -> Result<Value, String> {
        loop {
            // Parse a value start.
            self.skip_ws();
            let c = self.need()?;
            let mut value = match c {
                b'{' | b'[' => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(self.syntax_here("exceeded max depth"));
                    }
                    self.i += 1;
                    self.skip_ws();
                    if c == b'[' {
                        if self.need()? == b']' {
                            self.i += 1;
                            Some(Value::list(vec![]))
                        } else {
                            self.stack.push(Frame::List(Vec::new()));
                            None
                        }
                    } else {
                        match self.need()? {
                            b'}' => {
                                self.i += 1;
                                Some(Value::map(BTreeMap::new()))
                            }
                            b'"' => {
                                let key = self.key()?;
                                self.stack.push(Frame::Map(BTreeMap::new(), key));
                                None
                            }
                            _ => {
                                return Err(
                                    self.syntax_here("looking for beginning of object key string")
                                );
                            }
                        }
                    }
                }
                b'"' => Some(Value::from(self.string()?)),
                b'-' | b'0'..=b'9' => Some(self.number()?),
                b't' => Some(self.literal("true", Value::Bool(true))?),
                b'f' => Some(self.literal("false", Value::Bool(false))?),
                b'n' => Some(self.literal("null", Value::Nil)?),
                _ => return Err(self.syntax_here("looking for beginning of value")),
            };
            // Close containers for as long as values complete them.
            while let Some(v) = value.take() {
                self.skip_ws();
                let Some(top) = self.stack.pop() else {
                    if self.prefix {
                        return Ok(v);
                    }
                    return match self.peek() {
                        None => Ok(v),
                        Some(_) => Err(self.syntax_here("after top-level value")),
                    };
                };
                match top {
                    Frame::List(mut items) => {
                        items.push(v);
                        match self.need()? {
                            b',' => {
                                self.i += 1;
                                self.stack.push(Frame::List(items));
                            }
                            b']' => {
                                self.i += 1;
                                value = Some(Value::list(items));
                            }
                            _ => return Err(self.syntax_here("after array element")),
                        }
                    }
                    Frame::Map(mut m, key) => {
                        m.insert(key, v);
                        match self.need()? {
                            b',' => {
                                self.i += 1;
                                self.skip_ws();
                                match self.need()? {
                                    b'"' => {
                                        let key = self.key()?;
                                        self.stack.push(Frame::Map(m, key));
                                    }
                                    _ => {
                                        return Err(self.syntax_here(
                                            "looking for beginning of object key string",
                                        ));
                                    }
                                }
                            }
                            b'}' => {
                                self.i += 1;
                                value = Some(Value::map(m));
                            }
                            _ => return Err(self.syntax_here("after object key:value pair")),
                        }
                    }
                }
            }
        }
    }

    /// A syntax error at the rune under the cursor (encoding/json v2 names the whole rune).
    fn syntax_here(&self, context: &str) -> String {
        let rest = std::str::from_utf8(&self.s[self.i..]).unwrap_or_default();
        syntax(rest.chars().next().unwrap_or('\u{FFFD}'), context)
    }

    /// An object key and the colon after it.
    fn key(&mut self) -> Result<String, String> {
        let k = self.string()?;
        self.skip_ws();
        match self.need()? {
            b':' => {
                self.i += 1;
                Ok(k)
            }
            _ => Err(self.syntax_here("after object key")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for &w in &word.as_bytes()[1..] {
            self.i += 1;
            let c = self.need()?;
            if c != w {
                return Err(self.syntax_here(&format!(
                    "in literal {word} (expecting {})",
                    quote_char(char::from(w))
                )));
            }
        }
        self.i += 1;
        Ok(v)
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
            let c = self.need()?;
            if !c.is_ascii_digit() {
                return Err(self.syntax_here("in numeric literal"));
            }
        }
        // A leading zero stands alone; what follows it is judged by the enclosing context.
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let c = self.need()?;
            if !c.is_ascii_digit() {
                return Err(self.syntax_here("in numeric literal"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let c = self.need()?;
            if !c.is_ascii_digit() {
                return Err(self.syntax_here("in numeric literal"));
            }
            self.digits();
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => {
                if self.soft.is_none() {
                    self.soft = Some(format!(
                        "json: cannot unmarshal number {text} into {} of type float64",
                        self.location()
                    ));
                }
                Ok(Value::Float(0.0))
            }
        }
    }

    /// Where the value being decoded sits, as encoding/json (v2) words it in type errors.
    fn location(&self) -> String {
        let mut path = String::new();
        for f in &self.stack {
            path.push('.');
            match f {
                Frame::List(items) => path.push_str(&items.len().to_string()),
                Frame::Map(_, key) => path.push_str(key),
            }
        }
        match self.stack.last() {
            None => "Go value".to_string(),
            Some(Frame::Map(..)) => format!("Go struct field {path}"),
            Some(Frame::List(_)) => path,
        }
    }

    /// Four hex digits; `Err(Some(msg))` at the end of input, `Err(None)` on a bad digit.
    fn hex4(&mut self) -> Result<u32, Option<String>> {
        let mut v = 0;
        for _ in 0..4 {
            let c = self.need().map_err(Some)?;
            let d = (c as char).to_digit(16).ok_or(None)?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    /// encoding/json's (v2) message for a bad escape: the backslash and up to five bytes after.
    fn bad_escape(&self, start: usize) -> String {
        let len = if self.s.get(start + 1) == Some(&b'u') {
            6
        } else {
            2
        };
        let end = (start + len).min(self.s.len());
        format!(
            "invalid escape sequence `{}` in string",
            String::from_utf8_lossy(&self.s[start..end])
        )
    }

    /// A string literal at the cursor (which is on its opening quote).
    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default());
            let c = self.need()?;
            self.i += 1;
            match c {
                b'"' => return Ok(out),
                b'\\' => {
                    let start_escape = self.i - 1;
                    let e = self.need()?;
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e as char),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self
                                .hex4()
                                .map_err(|e| e.unwrap_or_else(|| self.bad_escape(start_escape)))?;
                            out.push(self.surrogate_pair(hi));
                        }
                        _ => return Err(self.bad_escape(start_escape)),
                    }
                }
                c => return Err(syntax(char::from(c), "in string")),
            }
        }
    }

    /// Combine a `\uD8xx\uDCxx` pair; a lone surrogate decodes to U+FFFD as in Go.
    fn surrogate_pair(&mut self, hi: u32) -> char {
        if (0xD800..0xDC00).contains(&hi)
            && self.s.get(self.i) == Some(&b'\\')
            && self.s.get(self.i + 1) == Some(&b'u')
        {
            let save = self.i;
            self.i += 2;
            if let Ok(lo) = self.hex4()
                && (0xDC00..0xE000).contains(&lo)
            {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return char::from_u32(c).unwrap_or('\u{FFFD}');
            }
            // Not a low surrogate: leave it to be decoded on its own.
            self.i = save;
        }
        char::from_u32(hi).unwrap_or('\u{FFFD}')
    }
}

/// Go's `quoteChar`: a rune quoted like a Go rune literal.
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        c => {
            let q = go::quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// Go's `SyntaxError` text.
fn syntax(c: char, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

#[cfg(test)]
mod tests;
