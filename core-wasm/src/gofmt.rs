//! Go's `fmt` and `strconv` formatting of template values: `%v`, `Sprint`, `Sprintln`, `Sprintf`,
//! plus text/template's `html`, `js` and `urlquery` escapers.
//!
//! Printing is where Go's types show: a `float64` prints in the shortest `%g` form with an
//! exponent from 1e+06 up (`1e+06`), maps print as `map[a:1 b:2]` with sorted keys, nil inside a
//! collection prints `<nil>`. Charts print with `printf` a lot, so `Sprintf` follows Go's
//! `doPrintf` closely, error forms (`%!d(string=x)`, `%!(EXTRA ...)`) included.

use unicode_general_category::{GeneralCategory, get_general_category};

use crate::value::{IntKind, Value};

/// Go's `fmt.Sprint(v)` of one value (the `%v` verb).
pub fn format_v(v: &Value) -> String {
    let mut p = Printer::default();
    p.print_arg(v, 'v');
    p.buf
}

/// Go's `fmt.Sprint(args...)`: a space between two operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, Value::String(_));
        if i > 0 && !is_str && !matches!(args[i - 1], Value::String(_)) {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v');
    }
    p.buf
}

/// Go's `fmt.Sprintln(args...)`: always a space between operands, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v');
    }
    p.buf.push('\n');
    p.buf
}

/// Go's `fmt.Sprintf(format, args...)`, with Go's in-band error forms for bad verbs, missing,
/// extra and badly indexed arguments.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.buf
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` in `b e E f F g G x X`; `prec < 0` is
/// the shortest representation that round-trips.
pub fn format_float(f: f64, fmt: char, prec: i32) -> String {
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
        let d = shortest_digits(a);
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

/// Sprig's `strval`: strings as they are, `[]byte` as text, anything else as `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format_v(other),
    }
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

/// text/template's `HTMLEscapeString`: `< > & ' "` and NUL become entities.
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

/// text/template's `JSEscapeString`: quotes, backslash, `< > & =` and non-printable runes
/// become `\uXXXX` (or `\\ \' \"`) escapes.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) >= 0x80 && !is_print(c) => {
                // Go writes the rune as `\uXXXX` with at least four upper-case hex digits.
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`: unreserved bytes stay, space becomes `+`, the rest `%XX`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Quote bytes like Go's `strconv.Quote`/`QuoteToASCII` (or `QuoteRune` with `'\''`): invalid
/// UTF-8 bytes become `\xNN`.
fn quote_with(s: &[u8], q: char, ascii_only: bool) -> String {
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
fn decode_rune(b: &[u8]) -> (Option<char>, usize) {
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

fn escape_rune(out: &mut String, c: char, q: char, ascii_only: bool) {
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
fn can_backquote(s: &str) -> bool {
    s.chars().all(|c| {
        c != '`' && c != '\u{FEFF}' && c != '\u{7f}' && ((c as u32) >= 0x20 || c == '\t')
    })
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

/// fmt's per-verb state (Go's `fmtFlags` plus width and precision).
#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

/// Go's `pp`: an output buffer and the flags of the verb being printed.
#[derive(Default)]
struct Printer {
    buf: String,
    f: Flags,
    /// Whether a bad verb is being reported (Go then skips `String()` methods).
    erroring: bool,
}

/// Go's `tooLarge`: widths, precisions and indexes beyond a million are rejected.
const TOO_LARGE: usize = 1_000_000;

impl Printer {
    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero { '0' } else { ' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    /// Pad to the width with spaces or zeros, on the left unless `-` (width counts runes).
    fn pad(&mut self, s: &str) {
        let Some(wid) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let n = s.chars().count();
        let fill = wid.saturating_sub(n);
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(fill);
        } else {
            self.write_padding(fill);
            self.buf.push_str(s);
        }
    }

    /// Truncate to the precision (in runes), then pad.
    fn fmt_s(&mut self, s: &str) {
        let s = match self.f.prec {
            Some(p) => match s.char_indices().nth(p) {
                Some((i, _)) => &s[..i],
                None => s,
            },
            None => s,
        };
        self.pad(s);
    }

    fn fmt_q(&mut self, s: &[u8]) {
        let s = match self.f.prec {
            Some(p) => truncate_runes(s, p),
            None => s,
        };
        if self.f.sharp
            && let Ok(t) = std::str::from_utf8(s)
            && can_backquote(t)
        {
            self.pad(&format!("`{t}`"));
            return;
        }
        let q = quote_with(s, '"', self.f.plus);
        self.pad(&q);
    }

    /// `%x`/`%X` of a string or byte slice: two hex digits per byte, `# ` flags add `0x` and
    /// spaces.
    fn fmt_sbx(&mut self, b: &[u8], upper: bool) {
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let x = if upper { 'X' } else { 'x' };
        let mut length = b.len();
        if let Some(p) = self.f.prec
            && p < length
        {
            length = p;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if let Some(w) = self.f.wid {
                self.write_padding(w);
            }
            return;
        }
        let wid = self.f.wid.unwrap_or(0);
        if wid > width && !self.f.minus {
            self.write_padding(wid - width);
        }
        if self.f.sharp {
            self.buf.push('0');
            self.buf.push(x);
        }
        for (i, &c) in b[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(' ');
                if self.f.sharp {
                    self.buf.push('0');
                    self.buf.push(x);
                }
            }
            self.buf.push(digits[(c >> 4) as usize] as char);
            self.buf.push(digits[(c & 15) as usize] as char);
        }
        if wid > width && self.f.minus {
            self.write_padding(wid - width);
        }
    }

    /// Go's `fmt.fmtInteger`: `u` is the two's complement bits when `signed`.
    fn fmt_integer(&mut self, u: u64, base: u64, signed: bool, verb: char, upper: bool) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative { (u as i64).unsigned_abs() } else { u };
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            // Precision 0 and value 0 print nothing but padding.
            if p == 0 && u == 0 {
                let old = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid.unwrap_or(0));
                self.f.zero = old;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid.is_some() {
            prec = self.f.wid.unwrap_or(0);
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let mut rev: Vec<u8> = Vec::new();
        loop {
            rev.push(digits[(u % base) as usize]);
            u /= base;
            if u == 0 {
                break;
            }
        }
        while rev.len() < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 => {
                    if rev.last() != Some(&b'0') {
                        rev.push(b'0');
                    }
                }
                16 => {
                    rev.push(if upper { b'X' } else { b'x' });
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let s = String::from_utf8(rev).unwrap_or_default();
        // Zero padding was done as precision above (or is off because of an explicit one).
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    /// Go's `fmt0x64`: hex with (or without) a leading `0x`, as `%#v` prints unsigned ints.
    fn fmt_0x64(&mut self, v: u64, leading: bool) {
        let sharp = self.f.sharp;
        self.f.sharp = leading;
        self.fmt_integer(v, 16, false, 'v', false);
        self.f.sharp = sharp;
    }

    fn fmt_c(&mut self, u: u64) {
        let c = u32::try_from(u)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}');
        self.pad(c.encode_utf8(&mut [0; 4]));
    }

    fn fmt_qc(&mut self, u: u64) {
        let c = u32::try_from(u)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}');
        let mut s = String::from("'");
        escape_rune(&mut s, c, '\'', self.f.plus);
        s.push('\'');
        self.pad(&s);
    }

    fn fmt_unicode(&mut self, u: u64) {
        let prec = match self.f.prec {
            Some(p) if p > 4 => p,
            _ => 4,
        };
        let mut s = format!("U+{u:0prec$X}");
        if self.f.sharp
            && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
            && is_print(c)
        {
            s.push_str(&format!(" '{c}'"));
        }
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    /// Go's `fmt.fmtFloat` over `strconv.FormatFloat`: sign flags, `#` and zero padding.
    fn fmt_float_str(&mut self, v: f64, verb: char, prec: i32) {
        let prec = self.f.prec.map_or(prec, |p| p as i32);
        let s = format_float(v, verb, prec);
        let mut num: Vec<u8> = if s.starts_with('-') || s.starts_with('+') {
            s.into_bytes()
        } else {
            let mut n = vec![b'+'];
            n.extend_from_slice(s.as_bytes());
            n
        };
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        // Infinities and NaN are not padded with zeros; NaN loses its sign unless asked for.
        if num[1] == b'I' || num[1] == b'N' {
            let old = self.f.zero;
            self.f.zero = false;
            if num[1] == b'N' && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad(std::str::from_utf8(&num).unwrap_or(""));
            self.f.zero = old;
            return;
        }
        if self.f.sharp && verb != 'b' {
            let mut digits: i32 = match verb {
                'v' | 'g' | 'G' | 'x' => {
                    if prec == -1 {
                        6
                    } else {
                        prec
                    }
                }
                _ => 0,
            };
            let mut tail: Vec<u8> = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail = num.split_off(i);
                        break;
                    }
                    b'e' | b'E' if verb != 'x' && verb != 'X' => {
                        tail = num.split_off(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                // A lone leading zero counts as one digit.
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        let num = String::from_utf8(num).unwrap_or_default();
        if self.f.plus || !num.starts_with('+') {
            let wid = self.f.wid.unwrap_or(0);
            // With zero padding the sign goes before the zeros.
            if self.f.zero && !self.f.minus && wid > num.len() {
                self.buf.push_str(&num[..1]);
                self.write_padding(wid - num.len());
                self.buf.push_str(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }

    fn fmt_float(&mut self, v: f64, verb: char) {
        match verb {
            'v' => self.fmt_float_str(v, 'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_str(v, verb, -1),
            'f' | 'e' | 'E' | 'F' => self.fmt_float_str(v, verb, 6),
            _ => self.bad_verb(verb, &Value::Float(v)),
        }
    }

    fn fmt_int(&mut self, v: &Value, i: i64, unsigned: bool, verb: char) {
        let u = i as u64;
        let signed = !unsigned;
        match verb {
            'v' => {
                if self.f.sharp_v && unsigned {
                    self.fmt_0x64(u, true)
                } else {
                    self.fmt_integer(u, 10, signed, verb, false)
                }
            }
            'd' => self.fmt_integer(u, 10, signed, verb, false),
            'b' => self.fmt_integer(u, 2, signed, verb, false),
            'o' | 'O' => self.fmt_integer(u, 8, signed, verb, false),
            'x' => self.fmt_integer(u, 16, signed, verb, false),
            'X' => self.fmt_integer(u, 16, signed, verb, true),
            'c' => self.fmt_c(u),
            'q' => self.fmt_qc(u),
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, v),
        }
    }

    fn fmt_string(&mut self, s: &str, verb: char) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s.as_bytes()),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s.as_bytes(), false),
            'X' => self.fmt_sbx(s.as_bytes(), true),
            'q' => self.fmt_q(s.as_bytes()),
            _ => self.bad_verb(verb, &Value::str(s)),
        }
    }

    /// `[]byte`: `[104 105]`, text for `%s`, hex for `%x`; `type_name` differs at top level
    /// (`[]byte`) and inside a collection (`[]uint8`) in `%#v`.
    fn fmt_bytes(&mut self, v: &[u8], verb: char, type_name: &str) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    self.buf.push_str(type_name);
                    self.buf.push('{');
                    for (i, &c) in v.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.fmt_0x64(c as u64, true);
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, &c) in v.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.fmt_integer(c as u64, 10, false, verb, false);
                    }
                    self.buf.push(']');
                }
            }
            's' => {
                let s = String::from_utf8_lossy(v).into_owned();
                let s = match self.f.prec {
                    Some(p) => String::from_utf8_lossy(truncate_runes(v, p)).into_owned(),
                    None => s,
                };
                self.pad(&s);
            }
            'x' => self.fmt_sbx(v, false),
            'X' => self.fmt_sbx(v, true),
            'q' => self.fmt_q(v),
            _ => {
                self.buf.push('[');
                for (i, &c) in v.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    self.fmt_int(&Value::Int(c as i64, IntKind::Uint8), c as i64, true, verb);
                }
                self.buf.push(']');
            }
        }
    }

    /// Go's `badVerb`: `%!verb(type=value)`, the value printed with `%v` and the same flags.
    fn bad_verb(&mut self, verb: char, arg: &Value) {
        self.erroring = true;
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        if arg.is_nil() {
            self.buf.push_str("<nil>");
        } else {
            self.buf.push_str(&arg.go_type());
            self.buf.push('=');
            self.print_value(arg, 'v', 0);
        }
        self.buf.push(')');
        self.erroring = false;
    }

    /// Go's `printArg`: one operand of a top-level verb.
    fn print_arg(&mut self, arg: &Value, verb: char) {
        if arg.is_nil() {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(verb, arg),
            }
            return;
        }
        if verb == 'T' {
            self.fmt_s(&arg.go_type());
            return;
        }
        self.print_value(arg, verb, 0);
    }

    /// Go's `printValue`: any value, at any depth inside collections.
    fn print_value(&mut self, v: &Value, verb: char, depth: usize) {
        if verb == 'p' {
            // Map and slice addresses are not reproducible; every other kind is a bad verb in Go.
            self.bad_verb(verb, v);
            return;
        }
        match v {
            // Nil inside a collection prints unpadded, whatever the verb.
            Value::Nil => {
                if self.f.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else {
                    self.buf.push_str("<nil>");
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, v),
            },
            Value::Int(i, k) => self.fmt_int(v, *i, k.is_unsigned(), verb),
            Value::Float(x) => self.fmt_float(*x, verb),
            Value::String(s) => self.fmt_string(s, verb),
            Value::Bytes(b) => {
                let name = if depth == 0 { "[]byte" } else { "[]uint8" };
                self.fmt_bytes(b, verb, name)
            }
            Value::List(l) => {
                if self.f.sharp_v {
                    self.buf.push_str(&l.go_type());
                    self.buf.push('{');
                    for (i, item) in l.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.print_value(item, verb, depth + 1);
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, item) in l.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.print_value(item, verb, depth + 1);
                    }
                    self.buf.push(']');
                }
            }
            Value::Map(m) => {
                if self.f.sharp_v {
                    self.buf.push_str(&m.go_type());
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                for (i, (k, val)) in m.entries().iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(k, verb);
                    self.buf.push(':');
                    self.print_value(val, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) => {
                // A `String()` method wins for the string verbs, as in Go's handleMethods.
                if !self.erroring
                    && !self.f.sharp_v
                    && matches!(verb, 'v' | 's' | 'x' | 'X' | 'q')
                    && let Some(s) = o.stringer()
                {
                    self.fmt_string(&s, verb);
                    return;
                }
                self.pad(&o.format_v());
            }
        }
    }

    /// Go's `doPrintf`.
    fn do_printf(&mut self, format: &str, a: &[Value]) {
        let fb = format.as_bytes();
        let end = fb.len();
        let mut arg_num = 0usize;
        let mut after_index;
        let mut reordered = false;
        let mut i = 0;
        'format: while i < end {
            let mut good_arg_num = true;
            let lasti = i;
            while i < end && fb[i] != b'%' {
                i += 1;
            }
            if i > lasti {
                self.buf.push_str(&format[lasti..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                match fb[i] {
                    b'#' => self.f.sharp = true,
                    // Zero padding only applies on the left.
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }

            // An explicit argument index?
            let (n, ni, found) =
                arg_number(arg_num, fb, i, a.len(), &mut good_arg_num, &mut reordered);
            (arg_num, i, after_index) = (n, ni, found);

            // Width.
            if i < end && fb[i] == b'*' {
                i += 1;
                let (w, ok, n) = int_from_arg(a, arg_num);
                arg_num = n;
                if !ok {
                    self.buf.push_str("%!(BADWIDTH)");
                    self.f.wid = None;
                } else if w < 0 {
                    // A negative width means left-justify.
                    self.f.wid = Some(w.unsigned_abs() as usize);
                    self.f.minus = true;
                    self.f.zero = false;
                } else {
                    self.f.wid = Some(w as usize);
                }
                after_index = false;
            } else {
                let (w, ok, ni) = parse_num(fb, i, end);
                i = ni;
                self.f.wid = ok.then_some(w);
                if after_index && ok {
                    good_arg_num = false;
                }
            }

            // Precision.
            if i + 1 < end && fb[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                let (n, ni, found) =
                    arg_number(arg_num, fb, i, a.len(), &mut good_arg_num, &mut reordered);
                (arg_num, i, after_index) = (n, ni, found);
                if i < end && fb[i] == b'*' {
                    i += 1;
                    let (p, ok, n) = int_from_arg(a, arg_num);
                    arg_num = n;
                    // A negative precision counts as a bad one.
                    self.f.prec = (ok && p >= 0).then_some(p.max(0) as usize);
                    if self.f.prec.is_none() {
                        self.buf.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, ok, ni) = parse_num(fb, i, end);
                    i = ni;
                    self.f.prec = Some(if ok { p } else { 0 });
                }
            }

            if !after_index {
                let (n, ni, _) =
                    arg_number(arg_num, fb, i, a.len(), &mut good_arg_num, &mut reordered);
                (arg_num, i) = (n, ni);
            }

            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().unwrap_or('?');
            i += verb.len_utf8();

            if verb == '%' {
                // `%%` takes no operand and ignores width and precision.
                self.buf.push('%');
                continue 'format;
            }
            if !good_arg_num {
                self.buf.push_str(&format!("%!{verb}(BADINDEX)"));
                continue 'format;
            }
            if arg_num >= a.len() {
                self.buf.push_str(&format!("%!{verb}(MISSING)"));
                continue 'format;
            }
            if verb == 'w' {
                // Only Errorf may wrap errors; Go reports `%w` as a bad verb on the operand.
                self.bad_verb(verb, &a[arg_num]);
                arg_num += 1;
                continue 'format;
            }
            if verb == 'v' {
                self.f.sharp_v = self.f.sharp;
                self.f.sharp = false;
                self.f.plus_v = self.f.plus;
                self.f.plus = false;
            }
            self.print_arg(&a[arg_num], verb);
            arg_num += 1;
        }

        if !reordered && arg_num < a.len() {
            self.f = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (k, arg) in a[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.buf.push_str(", ");
                }
                if arg.is_nil() {
                    self.buf.push_str("<nil>");
                } else {
                    self.buf.push_str(&arg.go_type());
                    self.buf.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(')');
        }
    }
}

/// The prefix of `b` holding at most `n` runes (Go counts each invalid byte as one rune).
fn truncate_runes(b: &[u8], n: usize) -> &[u8] {
    let mut i = 0;
    for _ in 0..n {
        if i >= b.len() {
            break;
        }
        i += decode_rune(&b[i..]).1;
    }
    &b[..i]
}

/// Go's `parsenum`: a decimal number at `s[start..end]`, if any.
fn parse_num(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num = 0usize;
    let mut isnum = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if num > TOO_LARGE {
            return (0, false, end);
        }
        num = num * 10 + (s[i] - b'0') as usize;
        isnum = true;
        i += 1;
    }
    (num, isnum, i)
}

/// Go's `argNumber`: an explicit `[n]` index at `i`; returns the new argument number, position
/// and whether an index was found.
fn arg_number(
    arg_num: usize,
    s: &[u8],
    i: usize,
    num_args: usize,
    good: &mut bool,
    reordered: &mut bool,
) -> (usize, usize, bool) {
    if s.len() <= i || s[i] != b'[' {
        return (arg_num, i, false);
    }
    *reordered = true;
    let (index, wid, ok) = parse_arg_number(&s[i..]);
    if ok && index.is_some_and(|x| x < num_args) {
        return (index.unwrap_or(0), i + wid, true);
    }
    *good = false;
    (arg_num, i + wid, ok)
}

/// Go's `parseArgNumber`: `[n]` (one-based) at the start of `s`.
fn parse_arg_number(s: &[u8]) -> (Option<usize>, usize, bool) {
    if s.len() < 3 {
        return (None, 1, false);
    }
    for i in 1..s.len() {
        if s[i] == b']' {
            let (w, ok, ni) = parse_num(s, 1, i);
            if !ok || ni != i {
                return (None, i + 1, false);
            }
            return (w.checked_sub(1), i + 1, true);
        }
    }
    (None, 1, false)
}

/// Go's `intFromArg`: a `*` width or precision taken from an integer operand.
fn int_from_arg(a: &[Value], arg_num: usize) -> (i64, bool, usize) {
    if arg_num >= a.len() {
        return (0, false, arg_num);
    }
    let (mut num, mut ok) = match &a[arg_num] {
        Value::Int(i, _) => (*i, true),
        _ => (0, false),
    };
    if num.unsigned_abs() > TOO_LARGE as u64 {
        num = 0;
        ok = false;
    }
    (num, ok, arg_num + 1)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::rc::Rc;

    use super::*;

    /// The chart values the oracle cases were rendered with (YAML numbers are float64).
    fn vals(name: &str) -> Value {
        let mut m = BTreeMap::new();
        m.insert("a".to_string(), Value::Float(1.0));
        m.insert(
            "b".to_string(),
            Value::list(vec![Value::str("x"), Value::Float(2.5), Value::Nil]),
        );
        m.insert("c".to_string(), Value::str("s"));
        match name {
            "m" => Value::map(m),
            "l" => Value::list(vec![
                Value::Float(1.0),
                Value::str("a"),
                Value::Nil,
                Value::Float(1e6),
            ]),
            "e" => Value::map(BTreeMap::new()),
            "el" => Value::list(vec![]),
            "s" => Value::str("héllo"),
            _ => unreachable!("no value {name}"),
        }
    }

    /// `.Files.GetBytes` of a file holding `hi\xff\xc3\xa9\n`.
    fn bytes() -> Value {
        Value::Bytes(Rc::from(&b"hi\xff\xc3\xa9\n"[..]))
    }

    #[test]
    fn sprintf_matches_helm() {
        // Expected outputs rendered by Helm v4.3.1's printf.
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
        ("%v|%v|%v|%v|%v|%v|%v|%v|%v", vec![Value::Float(3.0), Value::Float(2.5), Value::Float(100000.0), Value::Float(1.0e6), Value::Float(1234567.0), Value::Float(1.0e-5), Value::Float(0.0001), Value::Float(-0.0), Value::Float(123456789.0)], "3|2.5|100000|1e+06|1.234567e+06|1e-05|0.0001|-0|1.23456789e+08"),
        ("%v %v %v %v", vec![Value::Float(1.0e21), Value::Float(1.0e20), Value::Float(0.1), Value::Float(-1.5e-10)], "1e+21 1e+20 0.1 -1.5e-10"),
        ("%v %v %v", vec![vals("m"), vals("l"), Value::Nil], "map[a:1 b:[x 2.5 <nil>] c:s] [1 a <nil> 1e+06] <nil>"),
        ("%v %v %v %v", vec![vals("e"), vals("el"), Value::Bool(true), Value::str("str")], "map[] [] true str"),
        ("%d %5d %-5d| %05d %+d % d %x %X %o %O %b %#x %#o %#b %#X", vec![Value::int(42), Value::int(42), Value::int(42), Value::int(-42), Value::int(42), Value::int(42), Value::int(255), Value::int(255), Value::int(8), Value::int(8), Value::int(5), Value::int(255), Value::int(8), Value::int(5), Value::int(255)], "42    42 42   | -0042 +42  42 ff FF 10 0o10 101 0xff 010 0b101 0XFF"),
        ("%.3d|%6.3d|%-06d|%06d|%+06d|%.0d|%5.0d|%x", vec![Value::int(7), Value::int(7), Value::int(7), Value::int(-7), Value::int(7), Value::int(0), Value::int(0), Value::int(-255)], "007|   007|7     |-00007|+00007||     |-ff"),
        ("%06s|%-6s|%6s|%.2s|%6.2s|%x|%X|% x|%#x|%# x|%.1x|%10x", vec![Value::str("ab"), Value::str("ab"), Value::str("héllo"), Value::str("héllo"), Value::str("héllo"), Value::str("hi"), Value::str("hi"), Value::str("hi"), Value::str("hi"), Value::str("hi"), Value::str("hi"), Value::str("hi")], "0000ab|ab    | héllo|hé|    hé|6869|6869|68 69|0x6869|0x68 0x69|68|      6869"),
        ("%q|%#q|%#q|%+q|%q|%8q|%-8q|%.3q", vec![Value::str("a\"b\\c\n"), Value::str("ab"), Value::str("a`b"), Value::str("é☺"), Value::str("\u{0}\u{7}\u{8}\u{c}\u{b}\r\t\u{7f} ​ 😀󠀁"), Value::str("a"), Value::str("a"), Value::str("héllo")], "\"a\\\"b\\\\c\\n\"|`ab`|\"a`b\"|\"\\u00e9\\u263a\"|\"\\x00\\a\\b\\f\\v\\r\\t\\x7f\\u00a0\\u200b\\u2028😀\\U000e0001\"|     \"a\"|\"a\"     |\"hél\""),
        ("%c|%c|%c|%q|%q|%q|%+q|%U|%#U|%#U|%.6U|%c", vec![Value::int(65), Value::int(233), Value::int(-1), Value::int(10), Value::int(39), Value::int(34), Value::int(233), Value::int(0x1F600), Value::int(0x1F600), Value::int(10), Value::int(65), Value::int(1114112)], "A|é|�|'\\n'|'\\''|'\"'|'\\u00e9'|U+1F600|U+1F600 '😀'|U+000A|U+000041|�"),
        ("%e|%E|%f|%F|%g|%G|%.2e|%.3f|%.3g|%10.3f|%-10.3f|%+.3f|% .3f|%010.3f", vec![Value::Float(1234.5678), Value::Float(1234.5678), Value::Float(1234.5678), Value::Float(1234.5678), Value::Float(1234.5678), Value::Float(1.0e-7), Value::Float(1234.5678), Value::Float(1234.5678), Value::Float(1234.5678), Value::Float(3.14159), Value::Float(3.14159), Value::Float(3.14159), Value::Float(3.14159), Value::Float(-3.14159)], "1.234568e+03|1.234568E+03|1234.567800|1234.567800|1234.5678|1E-07|1.23e+03|1234.568|1.23e+03|     3.142|3.142     |+3.142| 3.142|-00003.142"),
        ("%.1f %.0f %.0f %.2f %.1f %.0f %.0f %.3g %.3g %.3g %g %.0e", vec![Value::Float(0.25), Value::Float(0.5), Value::Float(2.5), Value::Float(0.125), Value::Float(0.35), Value::Float(1.5), Value::Float(3.5), Value::Float(1.0), Value::Float(100.0), Value::Float(1000.0), Value::Float(0.0001), Value::Float(15.0)], "0.2 0 2 0.12 0.3 2 4 1 100 1e+03 0.0001 2e+01"),
        ("%#g|%#.3g|%#v|%#v|%#e|%#.0f|%#.0e|%#g|%#g", vec![Value::Float(1.0), Value::Float(1.0), Value::Float(1.0), Value::Float(1.0e6), Value::Float(1.0), Value::Float(2.0), Value::Float(2.0), Value::Float(123456789.0), Value::Float(0.0)], "1.00000|1.00|1|1e+06|1.000000e+00|2.|2.e+00|1.23456789e+08|0.00000"),
        ("%b|%x|%X|%#x|%.2x|%x|%x|%x|%x", vec![Value::Float(1.0), Value::Float(1.5), Value::Float(-255.0), Value::Float(1.0), Value::Float(1.0), Value::Float(0.0), Value::Float(1.0e300), Value::Float(5.0e-324), Value::Float(0.1)], "4503599627370496p-52|0x1.8p+00|-0X1.FEP+07|0x1.0000p+00|0x1.00p+00|0x0p+00|0x1.7e43c8800759cp+996|0x1p-1074|0x1.999999999999ap-04"),
        ("%.30f|%.20e|%.17g|%g|%g|%v|%6.2v|%08.3f|%-8.2f|%+v", vec![Value::Float(0.1), Value::Float(0.1), Value::Float(0.1), Value::Float(1.0e100), Value::Float(123456.0), Value::Float(9.999999e-5), Value::Float(3.14159), Value::Float(-3.14159), Value::Float(2.5), Value::Float(2.5)], "0.100000000000000005551115123126|1.00000000000000005551e-01|0.10000000000000001|1e+100|123456|9.999999e-05|   3.1|-003.142|2.50    |2.5"),
        ("%t|%v|%5t|%-6t|%d|%s", vec![Value::Bool(true), Value::Bool(false), Value::Bool(true), Value::Bool(false), Value::Bool(true), Value::Bool(true)], "true|false| true|false |%!d(bool=true)|%!s(bool=true)"),
        ("%d %d", vec![Value::int(1)], "1 %!d(MISSING)"),
        ("%d", vec![Value::int(1), Value::int(2), Value::str("x"), Value::Nil], "1%!(EXTRA int=2, string=x, <nil>)"),
        ("%!", vec![], "%!!(MISSING)"),
        ("%", vec![], "%!(NOVERB)"),
        ("%[2]d %[1]d", vec![Value::int(1), Value::int(2)], "2 1"),
        ("%[3]d", vec![Value::int(1)], "%!d(BADINDEX)"),
        ("%[2]d %d", vec![Value::int(1), Value::int(2), Value::int(3)], "2 3"),
        ("%[1]d %[1]q", vec![Value::int(65)], "65 'A'"),
        ("%*d|%-*d|%.*f|%*d", vec![Value::int(5), Value::int(1), Value::int(5), Value::int(1), Value::int(2), Value::Float(3.14159), Value::int(-5), Value::int(1)], "    1|1    |3.14|1    "),
        ("%*d", vec![Value::str("x"), Value::int(1)], "%!(BADWIDTH)1"),
        ("%.*d", vec![Value::str("x"), Value::int(1)], "%!(BADPREC)1"),
        ("%.*d", vec![Value::int(-1), Value::int(1)], "%!(BADPREC)1"),
        ("%[0]d", vec![Value::int(1)], "%!d(BADINDEX)"),
        ("%[x]d", vec![Value::int(1)], "%!d(BADINDEX)"),
        ("%[1]*d", vec![Value::int(3), Value::int(1)], "  1"),
        ("%[3]*.[2]*[1]f", vec![Value::Float(12.0), Value::int(2), Value::int(6)], " 12.00"),
        ("%d %d %#[1]x %#x", vec![Value::int(16), Value::int(17)], "16 17 0x10 0x11"),
        ("%.d|%5.d|%.f|%.s|%.q", vec![Value::int(0), Value::int(3), Value::Float(3.7), Value::str("abc"), Value::str("abc")], "|    3|4||\"\""),
        ("%-+5d|%0-5d|%-05d|% +d", vec![Value::int(3), Value::int(3), Value::int(3), Value::int(3)], "+3   |3    |3    |+3"),
        ("%v %d %s %x %q %T", vec![vals("l"), vals("l"), vals("l"), vals("l"), vals("l"), vals("l")], "[1 a <nil> 1e+06] [%!d(float64=1) %!d(string=a) <nil> %!d(float64=1e+06)] [%!s(float64=1) a <nil> %!s(float64=1e+06)] [0x1p+00 61 <nil> 0x1.e848p+19] [%!q(float64=1) \"a\" <nil> %!q(float64=1e+06)] []interface {}"),
        ("%#v|%#v|%#v|%#v|%#v|%#v|%T|%T|%T|%T|%T", vec![vals("m"), vals("l"), Value::str("s"), Value::int(42), Value::Nil, Value::Bool(true), Value::Nil, Value::int(42), Value::Float(1.5), Value::str("s"), vals("e")], "map[string]interface {}{\"a\":1, \"b\":[]interface {}{\"x\", 2.5, interface {}(nil)}, \"c\":\"s\"}|[]interface {}{1, \"a\", interface {}(nil), 1e+06}|\"s\"|42|<nil>|true|<nil>|int|float64|string|map[string]interface {}"),
        ("%+v|%5v|%-5v|%05v|%x|%X|%d", vec![vals("m"), vals("m"), vals("l"), vals("l"), vals("m"), vals("m"), vals("m")], "map[a:1 b:[x 2.5 <nil>] c:s]|map[    a:    1     b:[    x   2.5 <nil>]     c:    s]|[1     a     <nil> 1e+06]|[00001 0000a <nil> 1e+06]|map[61:0x1p+00 62:[78 0x1.4p+01 <nil>] 63:73]|map[61:0X1P+00 62:[78 0X1.4P+01 <nil>] 63:73]|map[%!d(string=a):%!d(float64=1) %!d(string=b):[%!d(string=x) %!d(float64=2.5) <nil>] %!d(string=c):%!d(string=s)]"),
        ("%s|%d|%v|%5s|%t|%e|%q", vec![Value::Nil, Value::Nil, Value::Nil, Value::Nil, Value::Nil, Value::Nil, Value::Nil], "%!s(<nil>)|%!d(<nil>)|<nil>|%!s(<nil>)|%!t(<nil>)|%!e(<nil>)|%!q(<nil>)"),
        ("%s|%d|%v|%x|%X|%q|%#v|%T|%o|%c|% x|%#x", vec![bytes(), bytes(), bytes(), bytes(), bytes(), bytes(), bytes(), bytes(), bytes(), bytes(), bytes(), bytes()], "hi\u{fffd}é\n|[104 105 255 195 169 10]|[104 105 255 195 169 10]|6869ffc3a90a|6869FFC3A90A|\"hi\\xffé\\n\"|[]byte{0x68, 0x69, 0xff, 0xc3, 0xa9, 0xa}|[]uint8|[150 151 377 303 251 12]|[h i ÿ Ã © \n]|68 69 ff c3 a9 0a|0x6869ffc3a90a"),
        ("%5.1s|%.1s|%-8q|%z|%!|%ä", vec![vals("s"), Value::str("日本"), Value::str("日本"), Value::int(3), Value::int(4), Value::int(5)], "    h|日|\"日本\"    |%!z(int=3)|%!!(int=4)|%!ä(int=5)"),
        ("%s %d %v %x", vec![Value::int64(5), Value::int64(-5), Value::int64(9223372036854775807), Value::int64(-9223372036854775807)], "%!s(int64=5) -5 9223372036854775807 -7fffffffffffffff"),
        ("%08.3e|%+08d|%x|%X|% d|%+.2e|%+x", vec![Value::Float(-3.14), Value::int(-3), Value::str("日本"), Value::Float(-1.0), Value::int(-3), Value::Float(-0.0), Value::str("a")], "-3.140e+00|-0000003|e697a5e69cac|-0X1P+00|-3|-0.00e+00|61"),
        ("%w %v", vec![Value::int(1), Value::int(2)], "%!w(int=1) 2"),
        ("%6.2f%%|%5%|%-5%|100%%", vec![Value::Float(99.5)], " 99.50%|%|%|100%"),
        ];
        for (format, args, want) in cases {
            assert_eq!(sprintf(format, &args), want, "format {format:?}");
        }
    }
}
