//! go-yaml v2's implicit typing of scalars (YAML 1.1 with Go's number syntax), shared by the
//! reader (what a plain scalar means) and the writer (whether a string must be quoted).

/// A scalar as go-yaml v2 decodes it into `interface {}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers above `i64::MAX`: go-yaml gives them `uint64`.
    Uint(u64),
    Float(f64),
    Str(String),
}

/// The tag of strings.
pub const STR: &str = "!!str";
/// The tag of base64 data, decoded to a string when read.
pub const BINARY: &str = "!!binary";
/// The tag of `<<` merge keys.
pub const MERGE: &str = "!!merge";
const BOOL: &str = "!!bool";
const INT: &str = "!!int";
const FLOAT: &str = "!!float";
const NULL: &str = "!!null";
const TIMESTAMP: &str = "!!timestamp";

const LONG_PREFIX: &str = "tag:yaml.org,2002:";

/// `tag:yaml.org,2002:int` -> `!!int`; other tags unchanged.
pub fn short_tag(tag: &str) -> String {
    match tag.strip_prefix(LONG_PREFIX) {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_string(),
    }
}

/// go-yaml v2's `resolve`: the tag a scalar resolves to and its value. `tag` is the explicit
/// short tag, or "" for a plain untagged scalar. A tag the value does not fit is an error with
/// go-yaml's text.
pub fn resolve(tag: &str, s: &str) -> Result<(&'static str, Scalar), String> {
    if !matches!(tag, "" | STR | BOOL | INT | FLOAT | NULL | TIMESTAMP) {
        return Ok((STR, Scalar::Str(s.to_string())));
    }
    let (rtag, out) = resolve_untyped(tag, s);
    if tag.is_empty() || tag == rtag || tag == STR {
        return Ok((rtag, out));
    }
    if tag == FLOAT
        && rtag == INT
        && let Scalar::Int(i) = out
    {
        return Ok((FLOAT, Scalar::Float(i as f64)));
    }
    Err(format!("cannot decode {rtag} `{s}` as a {tag}"))
}

/// Whether a plain untagged scalar with this text reads as a string (`resolve("", s)` gives
/// `!!str`), without making its value: the writer asks this of every string it prints.
pub fn plain_is_str(s: &str) -> bool {
    hint(s) == 0 || resolve_untyped("", s).0 == STR
}

/// go-yaml's resolve table entry for the first byte: which kinds of value the text may be.
fn hint(s: &str) -> u8 {
    match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => 0,
    }
}

fn resolve_untyped(tag: &str, s: &str) -> (&'static str, Scalar) {
    let hint = hint(s);
    if hint == 0 || tag == STR {
        return (STR, Scalar::Str(s.to_string()));
    }
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return (BOOL, Scalar::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return (BOOL, Scalar::Bool(false));
        }
        "" | "~" | "null" | "Null" | "NULL" => return (NULL, Scalar::Null),
        ".nan" | ".NaN" | ".NAN" => return (FLOAT, Scalar::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return (FLOAT, Scalar::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return (FLOAT, Scalar::Float(f64::NEG_INFINITY)),
        "<<" => return (MERGE, Scalar::Str(s.to_string())),
        _ => {}
    }
    match hint {
        b'.' => {
            if let Some(f) = parse_decimal_float(s) {
                return (FLOAT, Scalar::Float(f));
            }
        }
        b'D' | b'S' => {
            if (tag.is_empty() || tag == TIMESTAMP) && is_timestamp(s) {
                return (TIMESTAMP, Scalar::Str(s.to_string()));
            }
            let plain = s.replace('_', "");
            if let Some(i) = parse_int(&plain) {
                return (INT, Scalar::Int(i));
            }
            if let Some(u) = parse_uint(&plain) {
                return (INT, Scalar::Uint(u));
            }
            if is_yaml_float(&plain)
                && let Some(f) = parse_decimal_float(&plain)
            {
                return (FLOAT, Scalar::Float(f));
            }
            // Go's base-0 parse already covers 0b/0o; only a negative binary or octal whose
            // magnitude is above i64::MAX is left, and that overflows anyway.
        }
        _ => {}
    }
    (STR, Scalar::Str(s.to_string()))
}

/// `strconv.ParseInt(s, 0, 64)` (no underscores: the caller removed them).
fn parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mag = parse_uint(rest)?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some((mag as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// `strconv.ParseUint(s, 0, 64)`: 0x/0o/0b prefixes and a leading 0 for octal; no sign.
fn parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let (radix, digits) = if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => (16, &s[2..]),
            b'o' | b'O' => (8, &s[2..]),
            b'b' | b'B' => (2, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` for decimal text; `None` on syntax errors and on overflow (Go's
/// ErrRange), as go-yaml then keeps the text as a string.
fn parse_decimal_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// go-yaml v2's `isBase60Float`: YAML 1.1 sexagesimal numbers, quoted on output.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if *c == b'+' || *c == b'-' || c.is_ascii_digit() => {}
        _ => return false,
    }
    if !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = usize::from(matches!(b[0], b'+' | b'-'));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if b[start] <= b'5' => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml v2's `parseTimestamp`: Go's `time.Parse` with the layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2 15:4:5.999999999`, `2006-1-2`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    // Go's non-fixed numbers take one or two digits.
    let num = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < 2 {
            *i += 1;
        }
        (*i > start).then(|| s[start..*i].parse().unwrap_or(0))
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    let Some(month) = num(&mut i) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(hour) = num(&mut i) else {
        return false;
    };
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    let Some(minute) = num(&mut i) else {
        return false;
    };
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    let Some(second) = num(&mut i) else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let z = &b[i + 1..];
            z.len() == 5
                && z[0].is_ascii_digit()
                && z[1].is_ascii_digit()
                && z[2] == b':'
                && z[3].is_ascii_digit()
                && z[4].is_ascii_digit()
        }
        _ => false,
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` (or 32 when `single`): shortest digits, exponent
/// form when the exponent is below -4 or at least 6 (`1e+06`, `1.5e-07`).
pub fn format_g(f: f64, single: bool) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    // Rust's `{:e}` prints the shortest round-tripping digits, as Go's shortest mode does.
    let sci = if single {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!(
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
    } else if exp < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-exp - 1) as usize));
        out.push_str(&digits);
    } else {
        let dp = exp as usize + 1;
        if digits.len() <= dp {
            out.push_str(&digits);
            out.push_str(&"0".repeat(dp - digits.len()));
        } else {
            out.push_str(&digits[..dp]);
            out.push('.');
            out.push_str(&digits[dp..]);
        }
    }
    out
}
