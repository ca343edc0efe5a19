//! Sprig: `base dir clean ext isAbs` (Go's `path`) and their `os*` twins (Go's `path/filepath`,
//! which on Linux, where Helm runs them, behaves the same: `/` is the only separator).

use super::strings::str_arg;
use crate::template::func::{Ctx, Func};
use crate::value::{Ty, Value};

const S: &[Ty] = &[Ty::String];

type Impl = fn(&mut Ctx<'_>, Vec<Value>) -> Result<Value, String>;

pub(crate) fn register(out: &mut Vec<Func>) {
    let table: [(&'static str, &'static str, Impl); 5] = [
        ("base", "osBase", |_, a| Ok(base(str_arg(&a[0])).into())),
        ("dir", "osDir", |_, a| Ok(dir(str_arg(&a[0])).into())),
        ("clean", "osClean", |_, a| Ok(clean(str_arg(&a[0])).into())),
        ("ext", "osExt", |_, a| Ok(ext(str_arg(&a[0])).into())),
        ("isAbs", "osIsAbs", |_, a| {
            Ok(str_arg(&a[0]).starts_with('/').into())
        }),
    ];
    for (plain, os, call) in table {
        out.push(Func::new(plain, S, call));
        out.push(Func::new(os, S, call));
    }
}

/// Go's `path.Clean`: the shortest equivalent path, lexically.
fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`: the last element, trailing slashes ignored.
fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Dir`: everything before the last element, cleaned.
fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go's `path.Ext`: the suffix from the last `.` in the last element.
fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return &p[i..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_go() {
        // (input, base, dir, clean, ext) from Helm 4.3.1.
        let cases = [
            ("", ".", ".", ".", ""),
            ("/", "/", "/", "/", ""),
            ("a/b/c.tar.gz", "c.tar.gz", "a/b", "a/b/c.tar.gz", ".gz"),
            ("/a//b/../c/./d/", "d", "/a/c/d", "/a/c/d", ""),
            ("../../x", "x", "../..", "../../x", ""),
            ("/../x", "x", "/", "/x", ""),
            ("a/..", "..", "a", ".", "."),
            ("x.y/z", "z", "x.y", "x.y/z", ""),
            (".hidden", ".hidden", ".", ".hidden", ".hidden"),
            ("//", "/", "/", "/", ""),
        ];
        let call = |name: &str, p: &str| match super::super::strings::call_fn(
            register,
            name,
            vec![Value::str(p)],
        ) {
            Ok(Value::String(s)) => s.to_string(),
            other => panic!("{other:?}"),
        };
        for (p, b, d, c, e) in cases {
            assert_eq!(
                [
                    call("base", p),
                    call("dir", p),
                    call("clean", p),
                    call("ext", p)
                ],
                [b, d, c, e],
                "{p:?}"
            );
            assert_eq!(call("osDir", p), d);
        }
    }
}
