//! Sprig: type conversions (spf13/cast semantics) shared by the other families.
//!
//! Sprig converts loosely through spf13/cast and swallows every error as a zero value, so
//! `int "1.5"` is 0 while `int "5.0"` is 5 and `int "010"` is 8 (Go's base-0 integer syntax). The
//! parsers here follow Go's `strconv` exactly because charts feed them strings from values files.

use crate::go::{format_v, strval};
use crate::template::func::{Ctx, Func};
use crate::value::{Elem, Ty, Value};

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("atoi", &[Ty::String], atoi),
        Func::new("int", &[Ty::Any], int),
        Func::new("int64", &[Ty::Any], int64),
        Func::new("float64", &[Ty::Any], float64),
        Func::new("toString", &[Ty::Any], to_string),
        Func::new("toStrings", &[Ty::Any], to_strings_fn),
        Func::new("toDecimal", &[Ty::Any], to_decimal),
    ]);
}

fn atoi(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let s = args[0].as_str().unwrap_or_default();
    Ok(Value::int(go_atoi(s)))
}

fn int(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int(to_int(&args[0])))
}

fn int64(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int64(to_int64(&args[0])))
}

fn float64(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Float(to_float64(&args[0])))
}

fn to_string(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::from(strval(&args[0])))
}

fn to_strings_fn(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::string_list(to_strings(&args[0])))
}

/// Sprig's `toDecimal`: the `%v` text read as an octal number (a Unix mode), 0 when it is not one.
fn to_decimal(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int64(
        parse_go_int(&format_v(&args[0]), 8).unwrap_or(0),
    ))
}

/// spf13/cast's `ToInt64`: numbers truncate, bools are 0/1, strings use Go's base-0 integer
/// syntax after trailing `.0`s are dropped, anything else (nil included) is 0.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        Value::Float(f) => float_to_int64(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_go_int(trim_zero_decimal(s), 0).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast's `ToInt` (Go's `int` is 64 bits on the platforms Helm ships for).
pub(crate) fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// spf13/cast's `ToFloat64`: strings through `strconv.ParseFloat`, failures are 0.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i, k) if k.is_unsigned() => *i as u64 as f64,
        Value::Int(i, _) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Sprig's `strslice` (`toStrings`, `join`, `sortAlpha`): a slice becomes the text of each
/// non-nil element, nil becomes no strings, anything else one string.
pub(crate) fn to_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Nil => Vec::new(),
        Value::List(l) if l.elem == Elem::String => l.iter().map(strval).collect(),
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        other => vec![strval(other)],
    }
}

/// Go's conversion of a `float64` to `int64` as amd64 performs it: truncation, with NaN and
/// out-of-range values giving the "integer indefinite" value `i64::MIN` (Rust would saturate).
pub(crate) fn float_to_int64(f: f64) -> i64 {
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// spf13/cast's `trimZeroDecimal`: `"5.00"` -> `"5"`, but `"5.10"` and `"5."` stay as they are.
fn trim_zero_decimal(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b'.' if found_zero => return &s[..i],
            b'.' => {}
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go's `strconv.Atoi` as Sprig uses it: decimal only, 0 on a syntax error, clamped on overflow.
pub(crate) fn go_atoi(s: &str) -> i64 {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let mut n: i128 = 0;
    for c in digits.bytes() {
        n = (n * 10 + i128::from(c - b'0')).min(i128::from(u64::MAX) + 1);
    }
    let n = if neg { -n } else { n };
    n.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Go's `strconv.ParseInt(s, base, 64)` for base 0 (Go literal syntax: `0x`, `0o`, `0b`,
/// leading-0 octal, `_` separators) or an explicit base; `None` on a syntax or range error.
pub(crate) fn parse_go_int(s: &str, base: u32) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = parse_go_uint(body, base)?;
    if neg {
        if n > 1u64 << 63 {
            return None;
        }
        Some((n as i64).wrapping_neg())
    } else {
        i64::try_from(n).ok()
    }
}

/// Go's `strconv.ParseUint` without a sign.
fn parse_go_uint(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let base0 = base == 0;
    let (base, digits) = if base0 {
        let b = s.as_bytes();
        if b[0] == b'0' {
            match b.get(1).map(u8::to_ascii_lowercase) {
                Some(b'b') if b.len() >= 3 => (2, &s[2..]),
                Some(b'o') if b.len() >= 3 => (8, &s[2..]),
                Some(b'x') if b.len() >= 3 => (16, &s[2..]),
                _ => (8, &s[1..]),
            }
        } else {
            (10, s)
        }
    } else {
        (base, s)
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for c in digits.chars() {
        if c == '_' && base0 {
            underscores = true;
            continue;
        }
        let d = c.to_digit(36)?;
        if d >= base {
            return None;
        }
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    if underscores && !underscore_ok(s) {
        return None;
    }
    Some(n)
}

/// Go's rule for `_` in number literals: only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let b = match b.first() {
        Some(b'-' | b'+') => &b[1..],
        _ => b,
    };
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        i += 1;
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
    }
    saw != b'_'
}

/// Go's `strconv.ParseFloat(s, 64)`; `None` on a syntax error or overflow (where Go returns an
/// error that cast turns into 0).
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    if let Some(f) = parse_special(s) {
        return Some(f);
    }
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let b = body.as_bytes();
    let f = if b.len() >= 2 && b[0] == b'0' && b[1].eq_ignore_ascii_case(&b'x') {
        parse_hex_float(&body[2..])?
    } else {
        if !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        if body.contains('_') && !underscore_ok(body) {
            return None;
        }
        let cleaned: String = body.chars().filter(|&c| c != '_').collect();
        if cleaned.starts_with(['+', '-']) {
            return None;
        }
        cleaned.parse::<f64>().ok()?
    };
    if f.is_infinite() {
        return None;
    }
    Some(if neg { -f } else { f })
}

/// Go's `inf`, `infinity` (optionally signed) and `nan`, in any case.
fn parse_special(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let (sign, rest) = match lower.as_bytes().first() {
        Some(b'-') => (-1.0, &lower[1..]),
        Some(b'+') => (1.0, &lower[1..]),
        _ => (1.0, lower.as_str()),
    };
    if rest == "inf" || rest == "infinity" {
        return Some(sign * f64::INFINITY);
    }
    (lower == "nan").then_some(f64::NAN)
}

/// A hexadecimal float body after `0x`: hex digits with an optional point, then a mandatory
/// binary exponent `p±d`.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once(['p', 'P'])?;
    let exp: i32 = {
        let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
            return None;
        }
        let v: i64 = digits.replace('_', "").parse().ok().unwrap_or(i64::MAX);
        let v = v.min(100_000) as i32;
        if exp.starts_with('-') { -v } else { v }
    };
    let mut value = 0f64;
    let mut scale = 0i32;
    let mut seen_point = false;
    let mut seen_digit = false;
    for c in mant.chars() {
        match c {
            '.' if !seen_point => seen_point = true,
            '_' => {}
            _ => {
                let d = c.to_digit(16)?;
                seen_digit = true;
                value = value * 16.0 + f64::from(d);
                if seen_point {
                    scale -= 4;
                }
            }
        }
    }
    if !seen_digit {
        return None;
    }
    Some(value * 2f64.powi(exp + scale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;
    use crate::value::IntKind;

    fn call(name: &str, args: Vec<Value>) -> Value {
        let mut funcs = Vec::new();
        register(&mut funcs);
        let f = funcs.iter().find(|f| f.name == name).unwrap();
        let mut h = FixedHost::default();
        let mut ctx = Ctx::new(&mut h);
        (f.call)(&mut ctx, args).unwrap()
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn int_follows_cast() {
        // Oracle: helm template with `int "..."` probes.
        let cases = [
            ("010", 8),
            ("5.0", 5),
            ("1.5", 0),
            ("0x1F", 31),
            (" 5", 0),
            ("1e3", 0),
            ("-7", -7),
            ("1_000", 1000),
            ("0b101", 5),
            ("0o17", 15),
            ("5.", 0),
            (".0", 0),
            ("+5", 5),
            ("-010", -8),
            ("0.0", 0),
            ("5.00", 5),
            ("-0x10", -16),
            ("0X10", 16),
            ("1.50", 0),
            ("", 0),
            ("abc", 0),
            ("9223372036854775808", 0),
        ];
        for (input, want) in cases {
            assert_eq!(to_int64(&s(input)), want, "int {input:?}");
        }
        assert_eq!(to_int64(&Value::Float(1.5)), 1);
        assert_eq!(to_int64(&Value::Float(-1.9)), -1);
        assert_eq!(to_int64(&Value::Float(1e19)), i64::MIN);
        assert_eq!(to_int64(&Value::Nil), 0);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_int64(&Value::list(vec![Value::int(1)])), 0);
        assert_eq!(call("int", vec![s("010")]).go_type(), "int");
        assert_eq!(call("int64", vec![s("0b11")]).go_type(), "int64");
    }

    #[test]
    fn float64_follows_strconv() {
        let cases = [
            ("1.5", 1.5),
            ("010", 10.0),
            ("abc", 0.0),
            ("1e3", 1000.0),
            ("0x10", 0.0),
            (" 1", 0.0),
            ("1_0", 10.0),
            ("0x1p4", 16.0),
            ("1.5.0", 0.0),
            ("+1.5", 1.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("1,5", 0.0),
            ("1e400", 0.0),
        ];
        for (input, want) in cases {
            assert_eq!(to_float64(&s(input)), want, "float64 {input:?}");
        }
        assert_eq!(to_float64(&s("Inf")), f64::INFINITY);
        assert_eq!(to_float64(&s("inf")), f64::INFINITY);
        assert!(to_float64(&s("NaN")).is_nan());
        assert_eq!(to_float64(&Value::Bool(true)), 1.0);
        assert_eq!(to_float64(&Value::Nil), 0.0);
        assert_eq!(to_float64(&Value::int64(3)), 3.0);
    }

    #[test]
    fn atoi_is_decimal_only() {
        let cases = [
            ("12", 12),
            ("1.5", 0),
            (" 1", 0),
            ("+3", 3),
            ("010", 10),
            ("-5", -5),
            ("0x10", 0),
            ("1_0", 0),
            ("99999999999999999999", i64::MAX),
        ];
        for (input, want) in cases {
            assert!(
                call("atoi", vec![s(input)]).deep_equal(&Value::int(want)),
                "{input}"
            );
        }
    }

    #[test]
    fn to_decimal_reads_octal() {
        let cases = [
            (s("0777"), 511),
            (Value::int(777), 511),
            (s("8"), 0),
            (Value::Float(1.5), 0),
            (s("-7"), -7),
            (s("+7"), 7),
            (s("0o17"), 0),
            (s("7_7"), 0),
            (Value::Nil, 0),
            (Value::Bool(true), 0),
        ];
        for (input, want) in cases {
            assert!(
                call("toDecimal", vec![input.clone()]).deep_equal(&Value::int64(want)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn to_strings_skips_nil() {
        let l = Value::list(vec![Value::int(1), Value::Nil, Value::int(2)]);
        let got = call("toStrings", vec![l]);
        assert_eq!(got.go_type(), "[]string");
        assert!(got.deep_equal(&Value::string_list(vec!["1".into(), "2".into()])));
        assert_eq!(to_strings(&Value::Nil), Vec::<String>::new());
        assert_eq!(to_strings(&s("abc")), vec!["abc".to_string()]);
        assert_eq!(call("toString", vec![Value::Nil]).as_str(), Some("<nil>"));
        assert_eq!(Value::Int(3, IntKind::Int).go_type(), "int");
    }
}
