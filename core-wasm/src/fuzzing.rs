//! Entry points of the `cargo fuzz` targets (`fuzz/`) and of their regression tests
//! (`core-wasm/tests/fuzz_regressions.rs`): each takes arbitrary bytes and must return, with an
//! error or a value, never panic. Not part of the renderer's API.

use crate::api::host::FixedHost;
use crate::template::exec::{Scope, Shared};
use crate::template::func::{Ctx, FuncMap};
use crate::template::parse::{TreeSet, parse_file};

/// The Go text/template lexer and parser; the lazy parse of `define` bodies must give the full
/// parse's error or trees (panics otherwise, for the fuzzer to report).
pub fn template_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let funcs = FuncMap::helm();
    let mut host = FixedHost::default();
    let mut ctx = Ctx::new(&mut host);
    let shared = Shared::new(&funcs, &mut ctx, 1 << 20);
    let is_func = |n: &str| shared.is_func(n);
    let trees = |lazy: bool| {
        let mut set = TreeSet::default();
        parse_file(&mut set, "fuzz.yaml", text, &is_func, lazy)?;
        let mut out: Vec<String> = set
            .iter()
            .map(|(n, t)| match t.tree() {
                Ok(t) => format!("{n} {:?}", t.root),
                Err(e) => format!("{n} failed: {e}"),
            })
            .collect();
        out.sort();
        Ok::<_, String>(out)
    };
    assert_eq!(trees(true), trees(false), "lazy and full parses differ");
}

/// Functions whose cost does not depend on output size (loops, key generation, hashing with a
/// work factor): an input using them can run for minutes without being wrong, so the executor
/// target skips it rather than report a timeout.
const SLOW: &[&str] = &[
    "until",
    "seq",
    "gen",
    "bcrypt",
    "htpasswd",
    "repeat",
    "derivePassword",
    "range",
    "randBytes",
    "randAlpha",
    "randNumeric",
    "randAscii",
    "shuffle",
    "encryptAES",
    "decryptAES",
];

/// Parse and execute against a fixed set of values, output capped at 1 MiB.
pub fn template_exec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if SLOW.iter().any(|s| text.contains(s)) {
        return;
    }
    let funcs = FuncMap::helm();
    let mut host = FixedHost::default();
    let mut ctx = Ctx::new(&mut host);
    let mut shared = Shared::new(&funcs, &mut ctx, 1 << 20);
    let mut set = TreeSet::default();
    // Lazily, as a render parses chart files.
    if parse_file(&mut set, "fuzz.yaml", text, &|n| shared.is_func(n), true).is_err() {
        return;
    }
    let values = crate::yaml::parse(VALUES).expect("fixed values parse");
    let scope = Scope::new(set);
    let _ = shared.execute(&scope, "fuzz.yaml", values);
}

const VALUES: &str = "\
s: text
e: ''
i: 3
f: 1.5
b: true
n: null
l: [1, two, 3.0, null, {k: v}]
m: {a: 1, b: [x, y], c: {d: e}}
";

/// The YAML reader on arbitrary text, then the writer and the reader again on what it read.
pub fn yaml_read(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = crate::yaml::parse(text)
        && let Ok(out) = crate::yaml::to_yaml(&v)
    {
        let _ = crate::yaml::parse(&out);
    }
    let _ = crate::yaml::parse_all(text);
    let _ = crate::yaml::parse_map(text);
}
