//! Go's `fmt` printing of template values: `%v`, `Sprint`, `Sprintln`, `Sprintf`.
//!
//! Printing is where Go's types show: a `float64` prints in the shortest `%g` form with an
//! exponent from 1e+06 up (`1e+06`), maps print as `map[a:1 b:2]` with sorted keys, nil inside a
//! collection prints `<nil>`. Charts print with `printf` a lot, so `Sprintf` follows Go's
//! `doPrintf` closely, error forms (`%!d(string=x)`, `%!(EXTRA ...)`) included.

use super::strconv::{can_backquote, decode_rune, escape_rune, format_float, is_print, quote_with};
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

/// Sprig's `strval`: strings as they are, `[]byte` as text, anything else as `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format_v(other),
    }
}

/// fmt's per-verb state (Go's `fmtFlags` plus width and precision).
#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
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
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
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
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
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
                // `%+v` only names struct fields, which values here do not have: drop the flag.
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
