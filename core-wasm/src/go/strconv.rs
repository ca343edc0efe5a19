//! Go's `strconv`: float formatting (`FormatFloat`), quoting (`Quote`, `QuoteRune`) and
//! `IsPrint`, as `fmt` and the error texts Helm prints use them.

use unicode_general_category::{GeneralCategory, get_general_category};

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` in `b e E f F g G x X`; `prec < 0` is
/// the shortest representation that round-trips.
pub fn format_float(f: f64, fmt: char, prec: i32) -> String {
    format_float_bits(f, fmt, prec, false)
}

/// Go's `strconv.FormatFloat(float64(f), fmt, prec, 32)`: shortest digits that identify the
/// float32 (Helm prints Chart.yaml numbers in string fields this way: `1.10` -> `1.1`).
pub fn format_float32(f: f32, fmt: char, prec: i32) -> String {
    format_float_bits(f64::from(f), fmt, prec, true)
}

fn format_float_bits(f: f64, fmt: char, prec: i32, bits32: bool) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let neg = f.is_sign_negative();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let a = f.abs();
    match fmt {
        'b' => {
            let (mant, exp) = decompose(a);
            out.push_str(&format!("{}p{:+}", mant, exp - 52));
            return out;
        }
        'x' | 'X' => {
            out.push_str(&format_hex_float(a, fmt, prec));
            return out;
        }
        _ => {}
    }
    let shortest = prec < 0;
    let mut prec = prec;
    let digs = if shortest {
        let d = if bits32 {
            Digits::from_sci(&format!("{:e}", a as f32))
        } else {
            shortest_digits(a)
        };
        prec = match fmt {
            'e' | 'E' => d.d.len() as i32 - 1,
            'f' | 'F' => (d.d.len() as i32 - d.dp).max(0),
            _ => d.d.len() as i32,
        };
        d
    } else {
        match fmt {
            'e' | 'E' => exp_digits(a, prec as usize + 1),
            'f' | 'F' => fixed_digits(a, prec as usize),
            'g' | 'G' => {
                if prec == 0 {
                    prec = 1;
                }
                exp_digits(a, prec as usize)
            }
            _ => exp_digits(a, 1),
        }
    };
    match fmt {
        'e' | 'E' => fmt_e(&mut out, &digs, prec, fmt),
        'f' | 'F' => fmt_f(&mut out, &digs, prec),
        'g' | 'G' => {
            let nd = digs.d.len() as i32;
            let mut eprec = prec;
            if eprec > nd && nd >= digs.dp {
                eprec = nd;
            }
            // Go decides on the exponent form with precision 6 when printing shortest.
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            if exp < -4 || exp >= eprec {
                if prec > nd {
                    prec = nd;
                }
                let e = if fmt == 'g' { 'e' } else { 'E' };
                fmt_e(&mut out, &digs, prec - 1, e);
            } else {
                if prec > digs.dp {
                    prec = nd;
                }
                fmt_f(&mut out, &digs, (prec - digs.dp).max(0));
            }
        }
        _ => {
            out.clear();
            out.push('%');
            out.push(fmt);
        }
    }
    out
}

/// Go's `strconv.Quote`: a double-quoted Go string literal, non-printable runes escaped.
pub fn quote(s: &str) -> String {
    quote_with(s.as_bytes(), '"', false)
}

/// Go's `strconv.QuoteRune`: `'x'`.
pub fn quote_rune(c: char) -> String {
    let mut b = [0; 4];
    quote_with(c.encode_utf8(&mut b).as_bytes(), '\'', false)
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
/// Categories come from the `unicode-general-category` tables, whose Unicode version may trail or
/// lead Go's by one release for newly assigned characters.
pub fn is_print(c: char) -> bool {
    use GeneralCategory::*;
    if c == ' ' {
        return true;
    }
    !matches!(
        get_general_category(c),
        Control
            | Format
            | Surrogate
            | PrivateUse
            | Unassigned
            | SpaceSeparator
            | LineSeparator
            | ParagraphSeparator
    )
}

/// Quote bytes like Go's `strconv.Quote`/`QuoteToASCII` (or `QuoteRune` with `'\''`): invalid
/// UTF-8 bytes become `\xNN`.
pub(super) fn quote_with(s: &[u8], q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    let mut i = 0;
    while i < s.len() {
        match decode_rune(&s[i..]) {
            (Some(c), w) => {
                escape_rune(&mut out, c, q, ascii_only);
                i += w;
            }
            (None, _) => {
                out.push_str(&format!("\\x{:02x}", s[i]));
                i += 1;
            }
        }
    }
    out.push(q);
    out
}

/// Decode one rune the way Go's `utf8.DecodeRune` does: an invalid sequence is one bad byte.
pub(super) fn decode_rune(b: &[u8]) -> (Option<char>, usize) {
    let w = match b[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (None, 1),
    };
    if b.len() < w {
        return (None, 1);
    }
    match std::str::from_utf8(&b[..w]) {
        Ok(s) => (s.chars().next(), w),
        Err(_) => (None, 1),
    }
}

pub(super) fn escape_rune(out: &mut String, c: char, q: char, ascii_only: bool) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    let printable = if ascii_only {
        (c as u32) < 0x80 && is_print(c)
    } else {
        is_print(c)
    };
    if printable {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.CanBackquote`: no control characters other than tab, no backquote, no U+FEFF,
/// valid UTF-8.
pub(super) fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && c != '\u{7f}' && ((c as u32) >= 0x20 || c == '\t'))
}

/// Decimal digits of a non-negative float without leading or trailing zeros, and the position
/// of the decimal point relative to them (Go's `decimalSlice`). Zero has no digits.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

impl Digits {
    /// From Rust's `LowerExp` output, e.g. `1.2345e-7`.
    fn from_sci(s: &str) -> Digits {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
        Digits::trimmed(d, exp + 1)
    }

    fn trimmed(mut d: Vec<u8>, mut dp: i32) -> Digits {
        let lead = d.iter().take_while(|&&c| c == b'0').count();
        d.drain(..lead);
        dp -= lead as i32;
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            dp = 0;
        }
        Digits { d, dp }
    }
}

/// Shortest round-trip digits: Rust's and Go's shortest algorithms pick the same digits.
fn shortest_digits(a: f64) -> Digits {
    Digits::from_sci(&format!("{a:e}"))
}

/// Correctly rounded to `n` significant digits (ties to even on the exact binary value, as Go).
fn exp_digits(a: f64, n: usize) -> Digits {
    Digits::from_sci(&format!("{:.*e}", n.saturating_sub(1), a))
}

/// Correctly rounded to `frac` digits after the decimal point.
fn fixed_digits(a: f64, frac: usize) -> Digits {
    let s = format!("{a:.frac$}");
    let (int, fr) = s.split_once('.').unwrap_or((&s, ""));
    let dp = int.len() as i32;
    let d: Vec<u8> = int.bytes().chain(fr.bytes()).collect();
    Digits::trimmed(d, dp)
}

/// `%e`: one digit, `prec` more after the point, then an exponent of at least two digits.
fn fmt_e(out: &mut String, digs: &Digits, prec: i32, e: char) {
    let first = digs.d.first().copied().unwrap_or(b'0');
    out.push(first as char);
    if prec > 0 {
        out.push('.');
        let mut i = 1usize;
        let m = digs.d.len().min(prec as usize + 1);
        if i < m {
            out.push_str(std::str::from_utf8(&digs.d[i..m]).unwrap_or(""));
            i = m;
        }
        while i <= prec as usize {
            out.push('0');
            i += 1;
        }
    }
    out.push(e);
    let exp = if digs.d.is_empty() { 0 } else { digs.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

/// `%f`: the integer part (at least `0`), then `prec` digits after the point.
fn fmt_f(out: &mut String, digs: &Digits, prec: i32) {
    let nd = digs.d.len() as i32;
    if digs.dp > 0 {
        let m = nd.min(digs.dp);
        out.push_str(std::str::from_utf8(&digs.d[..m as usize]).unwrap_or(""));
        for _ in m..digs.dp {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = digs.dp + i - 1;
            let c = if 0 <= j && j < nd {
                digs.d[j as usize]
            } else {
                b'0'
            };
            out.push(c as char);
        }
    }
}

/// The integer mantissa and binary exponent of a finite non-negative float such that
/// `a = mant * 2^(exp - 52)`, as Go's `FormatFloat` splits it.
fn decompose(a: f64) -> (u64, i32) {
    let bits = a.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << 52;
    }
    (mant, exp - 1023)
}

/// `%x` of a float: `0x1.8p+00`, rounded to `prec` hex digits when `prec >= 0`.
fn format_hex_float(a: f64, fmt: char, prec: i32) -> String {
    let (mut mant, mut exp) = decompose(a);
    if mant == 0 {
        exp = 0;
    }
    // Put the leading 1 (if any) at bit 60.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = prec as u32 * 4;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if fmt == 'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::from("0");
    out.push(fmt);
    out.push((b'0' + ((mant >> 60) & 1) as u8) as char);
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    }
    out.push(if fmt == 'X' { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}
