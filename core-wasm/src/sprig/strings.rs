//! Sprig: string functions (sprig's `strings.go`, the string entries of its function map, and the
//! goutils/xstrings helpers they call).
//!
//! Go strings are byte strings: `trunc`, `substr`, `abbrev`, `initials` and `nospace` work on bytes
//! and can split a multi-byte character. A Go string may then hold invalid UTF-8; ours cannot, so
//! such bytes become U+FFFD (Helm itself then fails to parse the YAML).

mod case;

use std::collections::BTreeMap;

use crate::go::{format_v, quote as go_quote, strval};
use crate::template::func::{Ctx, Func};
use crate::value::{Elem, IntKind, Map, Ty, Value};

const S: Ty = Ty::String;
const INT: Ty = Ty::Int(IntKind::Int);

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("hello", &[], |_, _| Ok(Value::str("Hello!"))),
        Func::new("abbrev", &[INT, S], abbrev),
        Func::new("abbrevboth", &[INT, INT, S], abbrevboth),
        Func::new("trunc", &[INT, S], trunc),
        Func::new("trim", &[S], |_, a| Ok(str_arg(&a[0]).trim().into())),
        Func::new("upper", &[S], |_, a| {
            Ok(str_arg(&a[0])
                .chars()
                .map(go_upper)
                .collect::<String>()
                .into())
        }),
        Func::new("lower", &[S], |_, a| {
            Ok(str_arg(&a[0])
                .chars()
                .map(go_lower)
                .collect::<String>()
                .into())
        }),
        Func::new("title", &[S], |_, a| Ok(title(str_arg(&a[0])).into())),
        Func::new("untitle", &[S], |_, a| Ok(untitle(str_arg(&a[0])).into())),
        Func::new("substr", &[INT, INT, S], substr),
        Func::new("repeat", &[INT, S], |_, a| {
            Ok(go_repeat(str_arg(&a[1]), int_arg(&a[0]))?.into())
        }),
        Func::new("trimall", &[S, S], trim_all),
        Func::new("trimAll", &[S, S], trim_all),
        Func::new("trimSuffix", &[S, S], |_, a| {
            let (sfx, s) = (str_arg(&a[0]), str_arg(&a[1]));
            Ok(s.strip_suffix(sfx).unwrap_or(s).into())
        }),
        Func::new("trimPrefix", &[S, S], |_, a| {
            let (pfx, s) = (str_arg(&a[0]), str_arg(&a[1]));
            Ok(s.strip_prefix(pfx).unwrap_or(s).into())
        }),
        Func::new("nospace", &[S], |_, a| Ok(nospace(str_arg(&a[0])).into())),
        Func::new("initials", &[S], |_, a| Ok(initials(str_arg(&a[0])).into())),
        Func::new("swapcase", &[S], |_, a| Ok(swapcase(str_arg(&a[0])).into())),
        Func::new("shuffle", &[S], shuffle),
        Func::new("snakecase", &[S], |_, a| {
            Ok(case::to_lower_words(str_arg(&a[0]), '_').into())
        }),
        Func::new("camelcase", &[S], |_, a| {
            Ok(case::to_camel(str_arg(&a[0])).into())
        }),
        Func::new("kebabcase", &[S], |_, a| {
            Ok(case::to_lower_words(str_arg(&a[0]), '-').into())
        }),
        Func::new("wrap", &[INT, S], |_, a| {
            Ok(wrap(str_arg(&a[1]), int_arg(&a[0]), "", false).into())
        }),
        Func::new("wrapWith", &[INT, S, S], |_, a| {
            Ok(wrap(str_arg(&a[2]), int_arg(&a[0]), str_arg(&a[1]), true).into())
        }),
        Func::new("contains", &[S, S], |_, a| {
            Ok(str_arg(&a[1]).contains(str_arg(&a[0])).into())
        }),
        Func::new("hasPrefix", &[S, S], |_, a| {
            Ok(str_arg(&a[1]).starts_with(str_arg(&a[0])).into())
        }),
        Func::new("hasSuffix", &[S, S], |_, a| {
            Ok(str_arg(&a[1]).ends_with(str_arg(&a[0])).into())
        }),
        Func::variadic("quote", &[], Ty::Any, |_, a| {
            let parts: Vec<String> = a
                .iter()
                .filter(|v| !v.is_nil())
                .map(|v| go_quote(&strval(v)))
                .collect();
            Ok(parts.join(" ").into())
        }),
        Func::variadic("squote", &[], Ty::Any, |_, a| {
            let parts: Vec<String> = a
                .iter()
                .filter(|v| !v.is_nil())
                .map(|v| format!("'{}'", format_v(v)))
                .collect();
            Ok(parts.join(" ").into())
        }),
        Func::variadic("cat", &[], Ty::Any, |_, a| {
            let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(format_v).collect();
            Ok(parts.join(" ").into())
        }),
        Func::new("indent", &[INT, S], |_, a| {
            Ok(indent(int_arg(&a[0]), str_arg(&a[1]))?.into())
        }),
        Func::new("nindent", &[INT, S], |_, a| {
            Ok(format!("\n{}", indent(int_arg(&a[0]), str_arg(&a[1]))?).into())
        }),
        Func::new("replace", &[S, S, S], |_, a| {
            Ok(str_arg(&a[2])
                .replace(str_arg(&a[0]), str_arg(&a[1]))
                .into())
        }),
        Func::new("plural", &[S, S, INT], |_, a| {
            Ok(if int_arg(&a[2]) == 1 {
                a[0].clone()
            } else {
                a[1].clone()
            })
        }),
        Func::new("split", &[S, S], |_, a| {
            Ok(index_map(go_split(str_arg(&a[1]), str_arg(&a[0]), -1)))
        }),
        Func::new("splitList", &[S, S], |_, a| {
            Ok(Value::string_list(go_split(
                str_arg(&a[1]),
                str_arg(&a[0]),
                -1,
            )))
        }),
        Func::new("splitn", &[S, INT, S], |_, a| {
            Ok(index_map(go_split(
                str_arg(&a[2]),
                str_arg(&a[0]),
                int_arg(&a[1]),
            )))
        }),
        Func::new("join", &[S, Ty::Any], |_, a| {
            Ok(strslice(&a[1]).join(str_arg(&a[0])).into())
        }),
    ]);
}

/// The text of a `string` argument (the executor has checked the type).
pub(super) fn str_arg(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The value of an integer argument (the executor has checked the type).
pub(super) fn int_arg(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        _ => 0,
    }
}

/// Bytes sliced out of a Go string, as text (see the module note on invalid UTF-8).
pub(super) fn from_go_bytes(b: &[u8]) -> String {
    crate::value::go_string_from_bytes(b)
}

/// Go's `unicode.ToUpper` of one rune: only single-rune mappings apply (`ß` stays `ß`).
pub(super) fn go_upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower` of one rune (`İ` becomes `i`).
pub(super) fn go_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's `unicode.ToTitle`: upper case except for the four Latin digraphs that have a title form.
fn go_title(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        _ => go_upper(c),
    }
}

/// Go's `unicode.IsSpace` of a byte taken as a rune, as goutils' byte loops use it.
fn byte_is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

fn trim_all(_: &mut Ctx<'_>, a: Vec<Value>) -> Result<Value, String> {
    let cutset = str_arg(&a[0]);
    Ok(str_arg(&a[1]).trim_matches(|c| cutset.contains(c)).into())
}

fn trunc(_: &mut Ctx<'_>, a: Vec<Value>) -> Result<Value, String> {
    let (c, s) = (int_arg(&a[0]), str_arg(&a[1]));
    let b = &*crate::value::go_bytes(s);
    let len = b.len() as i64;
    Ok(if c < 0 && len + c > 0 {
        from_go_bytes(&b[(len + c) as usize..]).into()
    } else if c >= 0 && len > c {
        from_go_bytes(&b[..c as usize]).into()
    } else {
        a[1].clone()
    })
}

/// Sprig's `substring`, including the runtime panics of its unchecked slicing.
fn substr(_: &mut Ctx<'_>, a: Vec<Value>) -> Result<Value, String> {
    let (start, end, s) = (int_arg(&a[0]), int_arg(&a[1]), str_arg(&a[2]));
    let b = &*crate::value::go_bytes(s);
    let len = b.len() as i64;
    let oob = |what: String| format!("runtime error: slice bounds out of range {what}");
    if start < 0 {
        if end < 0 {
            return Err(oob(format!("[:{end}]")));
        }
        if end > len {
            return Err(oob(format!("[:{end}] with length {len}")));
        }
        return Ok(from_go_bytes(&b[..end as usize]).into());
    }
    if end < 0 || end > len {
        if start > len {
            return Err(oob(format!("[{start}:{len}]")));
        }
        return Ok(from_go_bytes(&b[start as usize..]).into());
    }
    if start > end {
        return Err(oob(format!("[{start}:{end}]")));
    }
    Ok(from_go_bytes(&b[start as usize..end as usize]).into())
}

/// Go's `strings.Repeat`, which panics on a negative count.
fn go_repeat(s: &str, count: i64) -> Result<String, String> {
    if count < 0 {
        return Err("strings: negative Repeat count".to_string());
    }
    Ok(s.repeat(count as usize))
}

fn indent(spaces: i64, s: &str) -> Result<String, String> {
    let pad = go_repeat(" ", spaces)?;
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

/// Go's `strings.Title`: upper-case (title-case) the first letter of every word, where words are
/// separated by anything but ASCII alphanumerics, `_`, and non-ASCII letters and digits.
fn title(s: &str) -> String {
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphabetic() || c.is_numeric() {
            return false;
        }
        c.is_whitespace()
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { go_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils' `Uncapitalize`: lower-case the first rune of every whitespace-separated word.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if c.is_whitespace() {
                next = true;
                c
            } else if next {
                next = false;
                go_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils' `SwapCase`: lower case after whitespace becomes title case.
fn swapcase(s: &str) -> String {
    let mut after_space = true;
    s.chars()
        .map(|c| {
            if c.is_uppercase() || go_title(c) == c && go_lower(c) != c {
                after_space = false;
                go_lower(c)
            } else if c.is_lowercase() {
                if after_space {
                    after_space = false;
                    go_title(c)
                } else {
                    go_upper(c)
                }
            } else {
                after_space = c.is_whitespace();
                c
            }
        })
        .collect()
}

/// goutils' `DeleteWhiteSpace`, which walks bytes and writes each kept byte as a rune.
fn nospace(s: &str) -> String {
    if !s.bytes().any(byte_is_space) {
        return s.to_string();
    }
    s.bytes()
        .filter(|b| !byte_is_space(*b))
        .map(char::from)
        .collect()
}

/// goutils' `Initials`: the first byte of every whitespace-separated word, written as a rune.
fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for b in s.bytes() {
        if byte_is_space(b) {
            gap = true;
        } else if gap {
            out.push(char::from(b));
            gap = false;
        }
    }
    out
}

fn shuffle(ctx: &mut Ctx<'_>, a: Vec<Value>) -> Result<Value, String> {
    let mut runes: Vec<char> = str_arg(&a[0]).chars().collect();
    for i in (1..runes.len()).rev() {
        let j = ctx.rng.below(i as u64 + 1) as usize;
        runes.swap(i, j);
    }
    Ok(runes.into_iter().collect::<String>().into())
}

/// goutils' `AbbreviateFull` (byte based), for widths its callers have already checked.
fn abbreviate_full(s: &str, offset: i64, max: i64) -> String {
    let b = s.as_bytes();
    let len = b.len() as i64;
    if s.is_empty() || len <= max {
        return s.to_string();
    }
    let mut offset = offset.min(len);
    if len - offset < max - 3 {
        offset = len - (max - 3);
    }
    if offset <= 4 {
        return format!("{}...", from_go_bytes(&b[..(max - 3) as usize]));
    }
    if offset + max - 3 < len {
        let rest = from_go_bytes(&b[offset as usize..]);
        // Sprig's guards keep `max >= 7` here, so the inner width is valid.
        return format!("...{}", abbreviate_full(&rest, 0, max - 3));
    }
    format!("...{}", from_go_bytes(&b[(len - (max - 3)) as usize..]))
}

fn abbrev(_: &mut Ctx<'_>, a: Vec<Value>) -> Result<Value, String> {
    let width = int_arg(&a[0]);
    if width < 4 {
        return Ok(a[1].clone());
    }
    Ok(abbreviate_full(str_arg(&a[1]), 0, width).into())
}

fn abbrevboth(_: &mut Ctx<'_>, a: Vec<Value>) -> Result<Value, String> {
    let (left, right) = (int_arg(&a[0]), int_arg(&a[1]));
    if right < 4 || left > 0 && right < 7 {
        return Ok(a[2].clone());
    }
    Ok(abbreviate_full(str_arg(&a[2]), left, right).into())
}

/// goutils' `WrapCustom`: break at spaces so that lines fit `width` bytes.
fn wrap(s: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut out: Vec<u8> = Vec::with_capacity(len + 8);
    let mut offset = 0;
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        if let Some(sp) = b[offset..end].iter().rposition(|&c| c == b' ') {
            let at = offset + sp;
            out.extend_from_slice(&b[offset..at]);
            out.extend_from_slice(newline.as_bytes());
            offset = at + 1;
        } else if wrap_long {
            out.extend_from_slice(&b[offset..width + offset]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                Some(i) => {
                    out.extend_from_slice(&b[offset..end + i]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + i + 1;
                }
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    from_go_bytes(&out)
}

/// Go's `strings.SplitN` (`n < 0`: no limit; `n == 0`: nothing). An empty separator splits
/// after each character.
pub(super) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let mut out: Vec<String> = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            if out.len() + 1 == limit {
                out.push(rest.to_string());
                break;
            }
            let c = rest.chars().next().map_or(1, char::len_utf8);
            out.push(rest[..c].to_string());
            rest = &rest[c..];
        }
        return out;
    }
    s.splitn(limit, sep).map(str::to_string).collect()
}

/// Sprig's `split`/`splitn` result: a `map[string]string` keyed `_0`, `_1`...
fn index_map(parts: Vec<String>) -> Value {
    let entries: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::from(p)))
        .collect();
    Value::Map(Map::typed(entries, Elem::String))
}

/// Sprig's `strslice`: a `[]string` as is, nils dropped from other slices, nil as no strings and
/// any other value as one string.
fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::Nil => Vec::new(),
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        other => vec![strval(other)],
    }
}

/// Test helper for this family and its siblings: call `name` from `register`'s functions.
#[cfg(test)]
pub(super) fn call_fn(
    register: fn(&mut Vec<Func>),
    name: &str,
    args: Vec<Value>,
) -> Result<Value, String> {
    let mut funcs = Vec::new();
    register(&mut funcs);
    let f = funcs
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"));
    let mut host = crate::api::host::FixedHost::default();
    let mut ctx = Ctx::new(&mut host);
    (f.call)(&mut ctx, args)
}

#[cfg(test)]
mod tests;
