//! Sprig: regular expressions with Go's RE2 syntax and `regexp` package semantics.
//!
//! Patterns run on the Rust `regex` crate, which shares RE2's syntax and leftmost-first
//! semantics. Where Go differs, the pattern is rewritten first: `\d \s \w \b` are ASCII-only in
//! Go, a `{` that does not start a valid repeat is a literal, `\Q...\E` quotes. Go's parse errors
//! (`error parsing regexp: missing closing ): `(a``) are reproduced for the common mistakes.
//! The `All` variants follow Go's rule that an empty match right after a match is skipped, and
//! replacement templates use Go's `Expand` (`$1`, `${1}`, `$name`; `$1x` names group `1x`).
//! A `FindAllString` without matches is a nil `[]string` (`toJson` prints `null`), as in Go.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Captures, Regex};
use regex_syntax::ast::{self, ErrorKind};

use super::strings::{int_arg, str_arg};
use crate::template::func::Func;
use crate::value::{IntKind, Ty, Value};

const S: Ty = Ty::String;
const INT: Ty = Ty::Int(IntKind::Int);

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("regexMatch", &[S, S], |_, a| {
            Ok(compile(str_arg(&a[0]))
                .is_ok_and(|re| re.is_match(str_arg(&a[1])))
                .into())
        }),
        Func::new("mustRegexMatch", &[S, S], |_, a| {
            Ok(compile(str_arg(&a[0]))?.is_match(str_arg(&a[1])).into())
        }),
        Func::new("regexFindAll", &[S, S, INT], |_, a| {
            let re = must_compile(str_arg(&a[0]))?;
            Ok(find_all(&re, str_arg(&a[1]), int_arg(&a[2])))
        }),
        Func::new("mustRegexFindAll", &[S, S, INT], |_, a| {
            let re = compile(str_arg(&a[0]))?;
            Ok(find_all(&re, str_arg(&a[1]), int_arg(&a[2])))
        }),
        Func::new("regexFind", &[S, S], |_, a| {
            let re = must_compile(str_arg(&a[0]))?;
            Ok(find(&re, str_arg(&a[1])))
        }),
        Func::new("mustRegexFind", &[S, S], |_, a| {
            let re = compile(str_arg(&a[0]))?;
            Ok(find(&re, str_arg(&a[1])))
        }),
        Func::new("regexReplaceAll", &[S, S, S], |_, a| {
            let re = must_compile(str_arg(&a[0]))?;
            Ok(replace_all(&re, str_arg(&a[1]), str_arg(&a[2]), false).into())
        }),
        Func::new("mustRegexReplaceAll", &[S, S, S], |_, a| {
            let re = compile(str_arg(&a[0]))?;
            Ok(replace_all(&re, str_arg(&a[1]), str_arg(&a[2]), false).into())
        }),
        Func::new("regexReplaceAllLiteral", &[S, S, S], |_, a| {
            let re = must_compile(str_arg(&a[0]))?;
            Ok(replace_all(&re, str_arg(&a[1]), str_arg(&a[2]), true).into())
        }),
        Func::new("mustRegexReplaceAllLiteral", &[S, S, S], |_, a| {
            let re = compile(str_arg(&a[0]))?;
            Ok(replace_all(&re, str_arg(&a[1]), str_arg(&a[2]), true).into())
        }),
        Func::new("regexSplit", &[S, S, INT], |_, a| {
            let re = must_compile(str_arg(&a[0]))?;
            Ok(split(&re, str_arg(&a[0]), str_arg(&a[1]), int_arg(&a[2])))
        }),
        Func::new("mustRegexSplit", &[S, S, INT], |_, a| {
            let re = compile(str_arg(&a[0]))?;
            Ok(split(&re, str_arg(&a[0]), str_arg(&a[1]), int_arg(&a[2])))
        }),
        Func::new("regexQuoteMeta", &[S], |_, a| {
            Ok(quote_meta(str_arg(&a[0])).into())
        }),
    ]);
}

/// Go's `regexp.MustCompile`, whose panic text becomes the error.
fn must_compile(pattern: &str) -> Result<Regex, String> {
    compile(pattern).map_err(|e| {
        let shown = if pattern.contains('`') || pattern.chars().any(|c| c.is_control() && c != '\t')
        {
            crate::go::quote(pattern)
        } else {
            format!("`{pattern}`")
        };
        format!("regexp: Compile({shown}): {e}")
    })
}

/// Patterns compiled so far, with their errors: charts call the same `regex*` function with
/// the same pattern for every object (a helper run per resource), and compiling one costs far
/// more than matching the few bytes it is given. Bounded, for templates that build patterns.
const COMPILED_KEPT: usize = 64;

thread_local! {
    static COMPILED: RefCell<HashMap<String, Result<Regex, String>>> = RefCell::new(HashMap::new());
}

/// Go's `regexp.Compile`.
fn compile(pattern: &str) -> Result<Regex, String> {
    if let Some(done) = COMPILED.with(|c| c.borrow().get(pattern).cloned()) {
        return done;
    }
    let done = compile_uncached(pattern);
    COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= COMPILED_KEPT {
            c.clear();
        }
        c.insert(pattern.to_string(), done.clone());
    });
    done
}

fn compile_uncached(pattern: &str) -> Result<Regex, String> {
    let translated = translate(pattern).map_err(|(code, arg)| go_error(code, &arg))?;
    if let Err(e) = ast::parse::Parser::new().parse(&translated) {
        let (code, arg) = map_ast_error(pattern, &translated, &e);
        return Err(go_error(code, &arg));
    }
    if let Err(regex_syntax::Error::Translate(e)) = regex_syntax::Parser::new().parse(&translated) {
        // Unknown Unicode classes are the translation errors a Go pattern can hit.
        let span = e.span();
        let text = translated
            .get(span.start.offset..span.end.offset)
            .unwrap_or(pattern);
        let code = match e.kind() {
            regex_syntax::hir::ErrorKind::UnicodePropertyNotFound
            | regex_syntax::hir::ErrorKind::UnicodePropertyValueNotFound
            | regex_syntax::hir::ErrorKind::UnicodePerlClassNotFound => {
                "invalid character class range"
            }
            _ => "invalid or unsupported Perl syntax",
        };
        return Err(go_error(code, text));
    }
    Regex::new(&translated).map_err(|_| go_error("expression too large", pattern))
}

fn go_error(code: &str, arg: &str) -> String {
    format!("error parsing regexp: {code}: `{arg}`")
}

/// Map a regex-syntax parse error onto Go's error code and the text Go shows with it.
fn map_ast_error(original: &str, translated: &str, e: &ast::Error) -> (&'static str, String) {
    let span = e.span();
    let text = translated
        .get(span.start.offset..span.end.offset)
        .unwrap_or_default()
        .to_string();
    let from_start = translated
        .get(span.start.offset..)
        .unwrap_or_default()
        .to_string();
    match e.kind() {
        ErrorKind::GroupUnclosed => ("missing closing )", original.to_string()),
        ErrorKind::GroupUnopened => ("unexpected )", original.to_string()),
        ErrorKind::ClassUnclosed => ("missing closing ]", from_start),
        ErrorKind::ClassRangeInvalid | ErrorKind::ClassRangeLiteral => {
            ("invalid character class range", text)
        }
        ErrorKind::UnicodeClassInvalid => {
            let class = match from_start.get(2..3) {
                Some("{") => from_start
                    .find('}')
                    .map_or(&from_start[..], |i| &from_start[..=i]),
                _ => from_start.get(..3).unwrap_or(&from_start),
            };
            ("invalid character class range", class.to_string())
        }
        ErrorKind::EscapeUnexpectedEof => {
            ("trailing backslash at end of expression", String::new())
        }
        ErrorKind::EscapeUnrecognized
        | ErrorKind::UnsupportedBackreference
        | ErrorKind::ClassEscapeInvalid
        | ErrorKind::EscapeHexEmpty
        | ErrorKind::EscapeHexInvalid
        | ErrorKind::EscapeHexInvalidDigit => ("invalid escape sequence", text),
        ErrorKind::RepetitionMissing => {
            // The span is empty at the operator; Go shows the operator itself.
            let op = match parse_repeat(&from_start) {
                Some((len, ..)) => from_start[..len].to_string(),
                None => from_start.chars().take(1).collect(),
            };
            ("missing argument to repetition operator", op)
        }
        ErrorKind::RepetitionCountInvalid => ("invalid repeat count", text),
        ErrorKind::GroupNameDuplicate { .. } => ("duplicate capture group name", text),
        ErrorKind::GroupNameEmpty
        | ErrorKind::GroupNameInvalid
        | ErrorKind::GroupNameUnexpectedEof => {
            let start = translated[..span.start.offset].rfind("(?").unwrap_or(0);
            let end = translated[span.start.offset..]
                .find('>')
                .map_or(translated.len(), |i| span.start.offset + i + 1);
            ("invalid named capture", translated[start..end].to_string())
        }
        ErrorKind::UnsupportedLookAround => {
            if from_start.starts_with("(?<") {
                let end = from_start.find(')').map_or(from_start.len(), |i| i + 1);
                ("invalid named capture", from_start[..end].to_string())
            } else {
                (
                    "invalid or unsupported Perl syntax",
                    from_start.chars().take(3).collect(),
                )
            }
        }
        ErrorKind::NestLimitExceeded(_) => ("expression nests too deeply", original.to_string()),
        _ => {
            // Flag errors and the like: Go shows the group opening up to the bad character.
            let start = translated[..span.start.offset].rfind("(?").unwrap_or(0);
            let end = span
                .end
                .offset
                .max(span.start.offset + 1)
                .min(translated.len());
            (
                "invalid or unsupported Perl syntax",
                translated[start..end].to_string(),
            )
        }
    }
}

/// Go's repeat operator `{n}`, `{n,}` or `{n,m}` at the start of `s`: its length and bounds.
fn parse_repeat(s: &str) -> Option<(usize, i64, Option<i64>)> {
    let body_end = s.find('}')?;
    let body = &s[1..body_end];
    let num = |t: &str| {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<i64>().unwrap_or(i64::MAX))
    };
    let (lo, hi) = match body.split_once(',') {
        None => {
            let n = num(body)?;
            (n, Some(n))
        }
        Some((a, "")) => (num(a)?, None),
        Some((a, b)) => (num(a)?, Some(num(b)?)),
    };
    Some((body_end + 1, lo, hi))
}

/// Rewrite a Go pattern into an equivalent Rust one, or fail with Go's error for the syntax the
/// Rust parser accepts but Go rejects (nested repetition, counts over 1000).
fn translate(p: &str) -> Result<String, (&'static str, String)> {
    let mut out = String::with_capacity(p.len() + 8);
    let mut in_class = false;
    // Start of the previous repetition operator, when the last thing parsed was one.
    let mut last_repeat: Option<usize> = None;
    let mut i = 0;
    let b = p.as_bytes();
    while i < p.len() {
        let c = p[i..].chars().next().unwrap_or_default();
        let repeat_len = if in_class {
            None
        } else {
            match c {
                '*' | '+' | '?' => Some(1),
                '{' => match parse_repeat(&p[i..]) {
                    Some((len, lo, hi)) => {
                        if lo > 1000 || hi.is_some_and(|h| h > 1000 || h < lo) {
                            return Err(("invalid repeat count", p[i..i + len].to_string()));
                        }
                        Some(len)
                    }
                    None => None,
                },
                _ => None,
            }
        };
        if let Some(mut len) = repeat_len {
            if b.get(i + len) == Some(&b'?') {
                len += 1;
            }
            if let Some(start) = last_repeat {
                return Err((
                    "invalid nested repetition operator",
                    p[start..i + len].to_string(),
                ));
            }
            out.push_str(&p[i..i + len]);
            last_repeat = Some(i);
            i += len;
            continue;
        }
        last_repeat = None;
        match c {
            '\\' => {
                let Some(e) = p[i + 1..].chars().next() else {
                    out.push('\\');
                    break;
                };
                let class = match e {
                    'd' => Some("[0-9]"),
                    'D' => Some("[^0-9]"),
                    's' => Some("[\\t\\n\\f\\r ]"),
                    'S' => Some("[^\\t\\n\\f\\r ]"),
                    'w' => Some("[0-9A-Za-z_]"),
                    'W' => Some("[^0-9A-Za-z_]"),
                    _ => None,
                };
                if let Some(class) = class {
                    out.push_str(class);
                } else if e == 'Q' {
                    let body = &p[i + 2..];
                    let (lit, rest) = match body.find("\\E") {
                        Some(j) => (&body[..j], j + 2),
                        None => (body, body.len()),
                    };
                    out.push_str(&regex::escape(lit));
                    i += 2 + rest;
                    continue;
                } else if matches!(e, 'p' | 'P' | 'x') && b.get(i + 2) == Some(&b'{') {
                    // `\p{Greek}`, `\x{263a}`: the braces belong to the escape.
                    let end = p[i..].find('}').map_or(p.len(), |j| i + j + 1);
                    out.push_str(&p[i..end]);
                    i = end;
                    continue;
                } else if !in_class && (e == 'b' || e == 'B') {
                    out.push_str(if e == 'b' { "(?-u:\\b)" } else { "(?-u:\\B)" });
                } else {
                    out.push('\\');
                    out.push(e);
                }
                i += 1 + e.len_utf8();
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                i += 1;
                // A leading `^` and then a leading `]` are literal parts of the class.
                if b.get(i) == Some(&b'^') {
                    out.push('^');
                    i += 1;
                }
                if b.get(i) == Some(&b']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '[' if b.get(i + 1) == Some(&b':') => {
                // A POSIX class such as [:alpha:] inside a bracket expression.
                let end = p[i..].find(":]").map_or(p.len(), |j| i + j + 2);
                out.push_str(&p[i..end]);
                i = end;
            }
            '[' => {
                out.push_str("\\[");
                i += 1;
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
                i += 1;
            }
            '{' if !in_class => {
                out.push_str("\\{");
                i += 1;
            }
            '}' if !in_class => {
                out.push_str("\\}");
                i += 1;
            }
            '&' | '~' if in_class && b.get(i + 1) == Some(&b[i]) => {
                // Rust reads `&&` and `~~` in a class as set operations; Go as literals.
                out.push('\\');
                out.push(c);
                i += 1;
            }
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Ok(out)
}

fn find(re: &Regex, s: &str) -> Value {
    re.find(s)
        .map_or_else(|| Value::str(""), |m| Value::str(m.as_str()))
}

/// The spans of Go's `FindAll` iteration (at most `n` when `n >= 0`).
fn all_matches<'h>(re: &Regex, s: &'h str, n: i64) -> Vec<Captures<'h>> {
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    let mut pos = 0;
    let mut prev_end: Option<usize> = None;
    while out.len() < limit && pos <= s.len() {
        let Some(caps) = re.captures_at(s, pos) else {
            break;
        };
        let m = caps.get(0).map_or(pos..pos, |m| m.range());
        let mut accept = true;
        if m.end == pos {
            // An empty match right after the previous match is skipped.
            if Some(m.start) == prev_end {
                accept = false;
            }
            pos += s[pos..].chars().next().map_or(1, char::len_utf8);
        } else {
            pos = m.end;
        }
        prev_end = Some(m.end);
        if accept {
            out.push(caps);
        }
    }
    out
}

fn find_all(re: &Regex, s: &str, n: i64) -> Value {
    let found = all_matches(re, s, n);
    if found.is_empty() {
        return Value::List(crate::value::List::nil(crate::value::Elem::String));
    }
    Value::string_list(
        found
            .iter()
            .map(|c| c.get(0).map_or("", |m| m.as_str()).to_string())
            .collect(),
    )
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, pattern: &str, s: &str, n: i64) -> Value {
    if n == 0 {
        return Value::string_list(Vec::new());
    }
    if !pattern.is_empty() && s.is_empty() {
        return Value::string_list(vec![String::new()]);
    }
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for caps in all_matches(re, s, n) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        let m = caps.get(0).map_or(0..0, |m| m.range());
        end = m.start;
        if m.end != 0 {
            parts.push(s[beg..end].to_string());
        }
        beg = m.end;
    }
    if end != s.len() {
        parts.push(s[beg..].to_string());
    }
    Value::string_list(parts)
}

/// Go's `Regexp.ReplaceAllString` (templates expanded) or `ReplaceAllLiteralString`.
fn replace_all(re: &Regex, s: &str, repl: &str, literal: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_end = 0;
    let mut pos = 0;
    while pos <= s.len() {
        let Some(caps) = re.captures_at(s, pos) else {
            break;
        };
        let m = caps.get(0).map_or(pos..pos, |m| m.range());
        out.push_str(&s[last_end..m.start]);
        // No replacement for an empty match right after a previous match.
        if m.end > last_end || m.start == 0 {
            if literal {
                out.push_str(repl);
            } else {
                expand(re, &caps, repl, &mut out);
            }
        }
        last_end = m.end;
        let width = s[pos..].chars().next().map_or(1, char::len_utf8);
        pos = if pos + width > m.end {
            pos + width
        } else {
            m.end
        };
    }
    out.push_str(s.get(last_end..).unwrap_or_default());
    out
}

/// Go's `Regexp.Expand`: `$$`, `$name`, `${name}`; names are the longest run of letters, digits
/// and `_`; an all-digit name is a group number; unknown groups expand to nothing.
fn expand(re: &Regex, caps: &Captures<'_>, template: &str, out: &mut String) {
    let mut t = template;
    while let Some(d) = t.find('$') {
        out.push_str(&t[..d]);
        t = &t[d + 1..];
        if let Some(rest) = t.strip_prefix('$') {
            out.push('$');
            t = rest;
            continue;
        }
        let (brace, body) = match t.strip_prefix('{') {
            Some(b) => (true, b),
            None => (false, t),
        };
        let name_len: usize = body
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .map(char::len_utf8)
            .sum();
        let name = &body[..name_len];
        let after = &body[name_len..];
        let rest = if brace {
            after.strip_prefix('}')
        } else {
            Some(after)
        };
        let Some(rest) = rest.filter(|_| name_len > 0) else {
            // Malformed: the `$` is literal text.
            out.push('$');
            continue;
        };
        t = rest;
        let group = if name.bytes().all(|b| b.is_ascii_digit())
            && !(name.len() > 1 && name.starts_with('0'))
            && name.len() <= 8
        {
            name.parse::<usize>().ok().and_then(|i| caps.get(i))
        } else {
            re.capture_names()
                .position(|n| n == Some(name))
                .and_then(|i| caps.get(i))
        };
        if let Some(g) = group {
            out.push_str(g.as_str());
        }
    }
    out.push_str(t);
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
