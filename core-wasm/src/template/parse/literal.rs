//! The literals of templates: Go's quoted strings and number constants, decoded as
//! text/template/parse decodes them.

use super::{Kind, Number};

/// Go's `strconv.Unquote` for the string forms the lexer produces.
pub fn unquote(s: &str) -> Result<String, String> {
    if let Some(raw) = s.strip_prefix('`') {
        return Ok(raw.strip_suffix('`').unwrap_or(raw).replace('\r', ""));
    }
    let inner = s
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .ok_or_else(|| "invalid syntax".to_string())?;
    unescape(inner, '"')
}

/// Decode Go escape sequences (`\n`, `\x41`, `\u00e9`, `\101`...).
fn unescape(s: &str, quote: char) -> Result<String, String> {
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    let err = || "invalid syntax".to_string();
    while i < b.len() {
        let c = b[i];
        if c != b'\\' {
            if c == quote as u8 {
                return Err(err());
            }
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&e) = b.get(i) else {
            return Err(err());
        };
        i += 1;
        let simple = match e {
            b'a' => Some(7u8),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(11),
            b'\\' => Some(b'\\'),
            b'\'' if quote == '\'' => Some(b'\''),
            b'"' if quote == '"' => Some(b'"'),
            _ => None,
        };
        if let Some(v) = simple {
            out.push(v);
            continue;
        }
        let hex = |n: usize, i: &mut usize| -> Result<u32, String> {
            let h = s.get(*i..*i + n).ok_or_else(err)?;
            let v = u32::from_str_radix(h, 16).map_err(|_| err())?;
            *i += n;
            Ok(v)
        };
        match e {
            b'x' => {
                let v = hex(2, &mut i)?;
                out.push(v as u8);
            }
            b'u' | b'U' => {
                let v = hex(if e == b'u' { 4 } else { 8 }, &mut i)?;
                let ch = char::from_u32(v).ok_or_else(err)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            b'0'..=b'7' => {
                let o = s.get(i - 1..i + 2).ok_or_else(err)?;
                let v = u32::from_str_radix(o, 8).map_err(|_| err())?;
                if v > 255 {
                    return Err(err());
                }
                i += 2;
                out.push(v as u8);
            }
            _ => return Err(err()),
        }
    }
    // Go strings may hold invalid UTF-8 (`"\xff"`); Rust strings cannot, so such bytes become
    // U+FFFD. This only matters for templates that build binary strings with escapes.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Go's `strconv.ParseInt(text, 0, 64)`-family parsing of template number literals, with the
/// representations `NumberNode` keeps.
pub fn parse_number(text: &str, kind: Kind) -> Result<Number, String> {
    let mut n = Number {
        text: text.to_string(),
        is_int: false,
        int: 0,
        is_uint: false,
        uint: 0,
        is_float: false,
        float: 0.0,
        is_complex: false,
        imag: 0.0,
    };
    if kind == Kind::CharConstant {
        let inner = &text[1..text.len() - 1];
        let ch = if let Some(rest) = inner.strip_prefix('\\') {
            let decoded = unescape(&format!("\\{rest}"), '\'')
                .map_err(|_| format!("malformed character constant: {text}"))?;
            let mut cs = decoded.chars();
            let c = cs
                .next()
                .ok_or_else(|| format!("malformed character constant: {text}"))?;
            if cs.next().is_some() {
                return Err(format!("malformed character constant: {text}"));
            }
            c
        } else {
            let mut cs = inner.chars();
            let c = cs
                .next()
                .ok_or_else(|| format!("malformed character constant: {text}"))?;
            if cs.next().is_some() {
                return Err(format!("malformed character constant: {text}"));
            }
            c
        };
        n.int = ch as i64;
        n.is_int = true;
        n.uint = ch as u64;
        n.is_uint = true;
        n.float = ch as u32 as f64;
        n.is_float = true;
        return Ok(n);
    }
    // An imaginary constant (`1i`, `2.5i`): Go keeps it complex128 unless its value is zero.
    if kind != Kind::Complex
        && let Some(body) = text.strip_suffix('i')
        && let Some(f) = parse_go_float(body)
    {
        n.is_complex = true;
        n.imag = f;
        if f == 0.0 {
            n.is_float = true;
            n.is_int = true;
            n.is_uint = true;
        }
        return Ok(n);
    }
    if kind == Kind::Complex || text.ends_with('i') {
        n.is_complex = true;
        return Err(format!(
            "complex numbers are not supported: {}",
            crate::go::quote(text)
        ));
    }
    let u = parse_go_uint(text);
    if let Some(u) = u {
        n.is_uint = true;
        n.uint = u;
    }
    if let Some(i) = parse_go_int(text) {
        n.is_int = true;
        n.int = i;
        if i == 0 {
            n.is_uint = true;
            n.uint = 0;
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Some(f) = parse_go_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {text}"));
        }
        n.is_float = true;
        n.float = f;
        if !n.is_int && (f as i64) as f64 == f {
            n.is_int = true;
            n.int = f as i64;
        }
        if !n.is_uint && f >= 0.0 && (f as u64) as f64 == f {
            n.is_uint = true;
            n.uint = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!("illegal number syntax: {}", crate::go::quote(text)));
    }
    Ok(n)
}

/// Strip Go's digit separators, which are only allowed between digits or after a base prefix.
fn strip_underscores(digits: &str, has_prefix: bool) -> Option<String> {
    if !digits.contains('_') {
        return Some(digits.to_string());
    }
    let b = digits.as_bytes();
    // '_' must separate digits: not first (unless after a prefix), not last, not doubled.
    if b.last() == Some(&b'_') || (!has_prefix && b.first() == Some(&b'_')) {
        return None;
    }
    if digits.contains("__") {
        return None;
    }
    Some(digits.replace('_', ""))
}

fn split_int(text: &str) -> Option<(bool, u32, String)> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    let digits = strip_underscores(&digits, prefixed)?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some((neg, radix, digits))
}

fn parse_go_uint(text: &str) -> Option<u64> {
    if text.starts_with(['-', '+']) {
        return None;
    }
    let (_, radix, digits) = split_int(text)?;
    u64::from_str_radix(&digits, radix).ok()
}

fn parse_go_int(text: &str) -> Option<i64> {
    let (neg, radix, digits) = split_int(text)?;
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some((mag as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if mag <= i64::MAX as u64 {
        Some(mag as i64)
    } else {
        None
    }
}

fn parse_go_float(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    let neg = lower.starts_with('-');
    if let Some(hex) = body.strip_prefix("0x") {
        // Hexadecimal floating point: mantissa in hex, exponent (p) in decimal powers of two.
        let hex = hex.replace('_', "");
        let (mant, exp) = match hex.split_once('p') {
            Some((m, e)) => (m.to_string(), e.parse::<i32>().ok()?),
            None => (hex.clone(), 0),
        };
        let (int_part, frac_part) = mant.split_once('.').unwrap_or((&mant, ""));
        let mut v = 0f64;
        for c in int_part.chars() {
            v = v * 16.0 + c.to_digit(16)? as f64;
        }
        let mut scale = 1.0 / 16.0;
        for c in frac_part.chars() {
            v += c.to_digit(16)? as f64 * scale;
            scale /= 16.0;
        }
        let v = v * 2f64.powi(exp);
        return Some(if neg { -v } else { v });
    }
    let cleaned = strip_underscores(body, false)?;
    if cleaned.is_empty()
        || !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'))
    {
        return None;
    }
    let v: f64 = cleaned.parse().ok()?;
    Some(if neg { -v } else { v })
}
