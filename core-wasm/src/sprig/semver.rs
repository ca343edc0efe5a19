//! Sprig: `semver` and `semverCompare`, with the semantics of Masterminds/semver v3.4 (the
//! version Helm 4 builds with), and the parse/compare API the chart code reuses for
//! `kubeVersion` constraints.
//!
//! Versions are "semver-ish": a `v` prefix and missing minor/patch are accepted (`v1.2` is
//! 1.2.0). Constraints are AND groups (`,` or space separated) joined by `||`, with the operators
//! `= != > < >= => <= =< ~ ~> ^`, wildcards `x X *`, and hyphen ranges. A version with a
//! pre-release satisfies a group only when some constraint of that group has a pre-release.

use std::any::Any;
use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::OnceLock;

// regex-lite, not regex: every render is a fresh instance, which compiles these patterns again,
// and regex's compiler (meta strategy, lazy DFA) cost about a tenth of a render of a chart with
// dependencies; the strings matched are a few bytes long. Same syntax, same leftmost-first
// semantics as regex (and as Go's regexp, which Masterminds uses).
use regex_lite::Regex;

use super::strings::str_arg;
use crate::template::func::Func;
use crate::value::{IntKind, Object, Sig, Ty, Value};

const S: Ty = Ty::String;

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("semver", &[S], |_, a| {
            let v = Version::parse(str_arg(&a[0]))?;
            Ok(Value::Object(Rc::new(SemverObject { v, pointer: true })))
        }),
        Func::new("semverCompare", &[S, S], |_, a| {
            let c = Constraints::parse(str_arg(&a[0]))?;
            let v = Version::parse(str_arg(&a[1]))?;
            Ok(c.check(&v).into())
        }),
    ]);
}

/// A parsed semantic version (Masterminds' `Version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    pub original: String,
}

/// Whether `s` is a non-empty run of `[0-9A-Za-z-]` identifiers separated by single dots.
fn is_idents(s: &str) -> bool {
    s.split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

fn parse_segment(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| {
        format!(
            "error parsing version segment: strconv.ParseUint: parsing {s:?}: value out of range"
        )
    })
}

impl Version {
    /// Masterminds' `NewVersion`: the error texts are the library's.
    pub(crate) fn parse(s: &str) -> Result<Version, String> {
        const INVALID: &str = "invalid semantic version";
        let body = s.strip_prefix('v').unwrap_or(s);
        let (rest, metadata) = match body.split_once('+') {
            Some((r, m)) => (r, m),
            None => (body, ""),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, p),
            None => (rest, ""),
        };
        if body.contains('+') && !is_idents(metadata) || rest.contains('-') && !is_idents(pre) {
            return Err(INVALID.into());
        }
        let nums: Vec<&str> = core.split('.').collect();
        if nums.len() > 3
            || nums
                .iter()
                .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(INVALID.into());
        }
        let mut parts = [0u64; 3];
        for (slot, n) in parts.iter_mut().zip(&nums) {
            *slot = parse_segment(n)?;
        }
        for p in pre.split('.').filter(|_| !pre.is_empty()) {
            if p.len() > 1 && p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()) {
                return Err("version segment starts with 0".into());
            }
        }
        Ok(Version {
            major: parts[0],
            minor: parts[1],
            patch: parts[2],
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: s.to_string(),
        })
    }

    /// Precedence: numbers, then a pre-release sorts before the release. Metadata is ignored.
    pub(crate) fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }

    fn vprefix(&self) -> &str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (xs, ys): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..xs.len().max(ys.len()) {
        let (x, y) = (
            xs.get(i).copied().unwrap_or(""),
            ys.get(i).copied().unwrap_or(""),
        );
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    if x.is_empty() {
        return Ordering::Less;
    }
    if y.is_empty() {
        return Ordering::Greater;
    }
    // Numeric identifiers sort numerically and before alphanumeric ones.
    match (x.parse::<u64>(), y.parse::<u64>()) {
        (Ok(a), Ok(b)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// The comparison operator of one constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Clone, Debug)]
struct Constraint {
    op: Op,
    con: Version,
    /// A wildcard or missing part: `1` and `1.x` are minor-dirty, `1.2` patch-dirty.
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

/// Parsed constraints: OR of AND groups (Masterminds' `Constraints`).
#[derive(Clone, Debug)]
pub(crate) struct Constraints {
    groups: Vec<(Vec<Constraint>, bool)>,
}

// The library's patterns, with Go's ASCII `\s` spelled out.
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
const WS: &str = r"[\t\n\f\r ]";

struct Patterns {
    one: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: String| Regex::new(&s).expect("semver constraint pattern");
        Patterns {
            one: re(format!("^{WS}*({OPS}){WS}*({CV}){WS}*$")),
            range: re(format!("{WS}*({CV}){WS}+-{WS}+({CV}){WS}*")),
            find: re(format!("({OPS}){WS}*({CV})")),
            valid: re(format!(
                "^({WS}*({OPS}){WS}*({CV}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({CV}){WS}*)*$"
            )),
        }
    })
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraints {
    /// Masterminds' `NewConstraint`.
    pub(crate) fn parse(input: &str) -> Result<Constraints, String> {
        if let Some(one) = simple_constraint(input) {
            let c = one?;
            let has_pre = !c.con.pre.is_empty();
            return Ok(Constraints {
                groups: vec![(vec![c], has_pre)],
            });
        }
        Self::parse_with_patterns(input)
    }

    /// [`Constraints::parse`] through the library's patterns, for any input.
    fn parse_with_patterns(input: &str) -> Result<Constraints, String> {
        let p = patterns();
        // Hyphen ranges become `>= a, <= b`.
        let mut c = input.to_string();
        let ranges: Vec<(String, String, String)> = p
            .range
            .captures_iter(input)
            .map(|m| (m[0].to_string(), m[1].to_string(), m[11].to_string()))
            .collect();
        for (whole, lo, hi) in ranges {
            c = c.replacen(&whole, &format!(">= {lo}, <= {hi} "), 1);
        }
        let mut groups = Vec::new();
        for g in c.split("||") {
            if !p.valid.is_match(g) {
                return Err(format!("improper constraint: {}", crate::go::quote(g)));
            }
            let mut cs = Vec::new();
            for m in p.find.find_iter(g) {
                cs.push(Self::parse_one(m.as_str())?);
            }
            let has_pre = cs.iter().any(|c| !c.con.pre.is_empty());
            groups.push((cs, has_pre));
        }
        Ok(Constraints { groups })
    }

    fn parse_one(s: &str) -> Result<Constraint, String> {
        let m = patterns()
            .one
            .captures(s)
            .ok_or_else(|| format!("improper constraint: {}", crate::go::quote(s)))?;
        let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
        Constraint::new(g(1), g(2), g(3), g(4), g(5), g(6))
    }
    /// Whether `v` satisfies some AND group.
    pub(crate) fn check(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .any(|(cs, has_pre)| cs.iter().all(|c| c.check(v, *has_pre)))
    }
}

impl Constraint {
    /// One constraint from the parts the library's pattern captures: the operator, the whole
    /// version, its major part, `.minor`, `.patch` and `-pre-release` (each with its separator).
    fn new(
        op: &str,
        whole: &str,
        major: &str,
        minor: &str,
        patch: &str,
        pre: &str,
    ) -> Result<Constraint, String> {
        let op = match op {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            _ => Op::Caret,
        };
        let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
        let ver = if is_x(major) {
            dirty = true;
            format!("0.0.0{pre}")
        } else if minor.is_empty() || is_x(&minor[1..]) {
            dirty = true;
            minor_dirty = true;
            format!("{major}.0.0{pre}")
        } else if patch.is_empty() || is_x(&patch[1..]) {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{pre}")
        } else {
            whole.to_string()
        };
        let con = Version::parse(&ver).map_err(|_| "constraint parser error".to_string())?;
        Ok(Constraint {
            op,
            con,
            dirty,
            minor_dirty,
            patch_dirty,
        })
    }

    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        let cmp = v.compare(c);
        match self.op {
            Op::TildeOrEqual if self.dirty => self.tilde(v),
            Op::TildeOrEqual => cmp == Ordering::Equal,
            Op::NotEqual => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    }
                    if self.minor_dirty {
                        return false;
                    }
                    if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    }
                    if self.patch_dirty {
                        return (!v.pre.is_empty() || !c.pre.is_empty())
                            && compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                    }
                }
                cmp != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty {
                    return cmp == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                // `>1` needs 2.0.0 or later, `>1.2` needs 1.3.0 or later.
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                cmp == Ordering::Greater
            }
            Op::Less => cmp == Ordering::Less,
            Op::GreaterEqual => cmp != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return cmp != Ordering::Greater;
                }
                !(v.major > c.major || v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        // ~0.0.0 accepts everything.
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }
}

/// The constraint of the shape nearly every chart writes (`>=1.19.0-0`, `>= 1.21`, `~1.2`,
/// `^2.x`, `1.2.3`): an operator, blanks only after an operator, one version of plain numbers or
/// wildcards, and nothing else. For such input the library's patterns can only read one
/// constraint, with the parts split here (no hyphen range without blanks around a `-`, no `||`,
/// one match of the constraint pattern spanning the input), so this gives what
/// [`Constraints::parse_with_patterns`] gives without compiling them: every render is a fresh
/// instance, and compiling the patterns was most of the time `semverCompare` took. `None`: the
/// input is of another shape (test `simple_constraints_parse_as_the_patterns_do`).
fn simple_constraint(input: &str) -> Option<Result<Constraint, String>> {
    const OPS: &[&str] = &[
        "", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^",
    ];
    let b = input.as_bytes();
    let op_len = b
        .iter()
        .take_while(|c| matches!(c, b'=' | b'!' | b'>' | b'<' | b'~' | b'^'))
        .count();
    let op = &input[..op_len];
    if !OPS.contains(&op) {
        return None;
    }
    let mut i = op_len;
    if op_len > 0 {
        while i < b.len() && matches!(b[i], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ') {
            i += 1;
        }
    }
    let whole_start = i;
    if b.get(i) == Some(&b'v') {
        i += 1;
    }
    // A part is digits or one wildcard (the pattern takes any mix of both, and `|`).
    let part = |i: &mut usize| -> bool {
        let start = *i;
        if matches!(b.get(*i), Some(b'x' | b'X' | b'*')) {
            *i += 1;
        } else {
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
        }
        *i > start && !matches!(b.get(*i), Some(b'x' | b'X' | b'*' | b'|' | b'0'..=b'9'))
    };
    let major_start = i;
    if !part(&mut i) {
        return None;
    }
    let major = &input[major_start..i];
    let mut dotted = [""; 2];
    for slot in &mut dotted {
        if b.get(i) != Some(&b'.') {
            break;
        }
        let start = i;
        i += 1;
        if !part(&mut i) {
            return None;
        }
        *slot = &input[start..i];
    }
    // `-pre` and `+meta`: dot-separated identifiers of `[0-9A-Za-z-]`.
    let idents = |i: &mut usize| -> bool {
        loop {
            let start = *i;
            while *i < b.len() && (b[*i].is_ascii_alphanumeric() || b[*i] == b'-') {
                *i += 1;
            }
            if *i == start {
                return false;
            }
            if b.get(*i) != Some(&b'.') {
                return true;
            }
            *i += 1;
        }
    };
    let pre_start = i;
    if b.get(i) == Some(&b'-') {
        i += 1;
        if !idents(&mut i) {
            return None;
        }
    }
    let pre = &input[pre_start..i];
    if b.get(i) == Some(&b'+') {
        i += 1;
        if !idents(&mut i) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let [minor, patch] = dotted;
    Some(Constraint::new(
        op,
        &input[whole_start..],
        major,
        minor,
        patch,
        pre,
    ))
}

/// Masterminds' `validatePrerelease` / `validateMetadata`, as `SetPrerelease`/`SetMetadata` use.
fn valid_extra(pre: bool, s: &str) -> Result<(), String> {
    for p in s.split('.') {
        let numeric = p.bytes().all(|b| b.is_ascii_digit());
        if pre && numeric {
            if p.len() > 1 && p.starts_with('0') {
                return Err("version segment starts with 0".into());
            }
        } else if !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(if pre {
                "invalid prerelease string".into()
            } else {
                "invalid metadata string".into()
            });
        }
    }
    Ok(())
}

/// `*semver.Version` (from `semver`) or `semver.Version` (from its `Inc*`/`Set*` methods).
struct SemverObject {
    v: Version,
    pointer: bool,
}

impl SemverObject {
    fn value(v: Version) -> Value {
        Value::Object(Rc::new(SemverObject { v, pointer: false }))
    }

    fn other(arg: &Value) -> Option<&Version> {
        match arg {
            Value::Object(o) => o.as_any().downcast_ref::<SemverObject>().map(|s| &s.v),
            _ => None,
        }
    }
}

const VERSION_ARG: &[Ty] = &[Ty::Object("*semver.Version")];

impl Object for SemverObject {
    fn type_name(&self) -> &'static str {
        if self.pointer {
            "*semver.Version"
        } else {
            "semver.Version"
        }
    }

    fn field(&self, name: &str) -> Option<Result<Value, String>> {
        let v = &self.v;
        let uint = |n: u64| Value::Int(n as i64, IntKind::Uint64);
        let bump = |mut n: Version, major: bool, minor: bool| {
            let had_pre = !n.pre.is_empty();
            n.pre.clear();
            n.metadata.clear();
            if major {
                n.major += 1;
                n.minor = 0;
                n.patch = 0;
            } else if minor {
                n.minor += 1;
                n.patch = 0;
            } else if !had_pre {
                n.patch += 1;
            }
            n.original = format!("{}{n}", v.vprefix());
            SemverObject::value(n)
        };
        Some(Ok(match name {
            "Major" => uint(v.major),
            "Minor" => uint(v.minor),
            "Patch" => uint(v.patch),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.metadata),
            "Original" if self.pointer => Value::str(&v.original),
            "String" => Value::from(v.to_string()),
            "IncPatch" => bump(v.clone(), false, false),
            "IncMinor" => bump(v.clone(), false, true),
            "IncMajor" => bump(v.clone(), true, false),
            _ => return None,
        }))
    }

    fn method(&self, name: &str) -> Option<Sig> {
        match name {
            "Compare" | "LessThan" | "GreaterThan" | "Equal" | "LessThanEqual"
            | "GreaterThanEqual"
                if self.pointer =>
            {
                Some(Sig {
                    params: VERSION_ARG,
                    variadic: None,
                })
            }
            "SetPrerelease" | "SetMetadata" => Some(Sig {
                params: &[Ty::String],
                variadic: None,
            }),
            _ => None,
        }
    }

    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        if let Some(arg) = args.first().and_then(|a| a.as_str()) {
            let mut n = self.v.clone();
            if !arg.is_empty() {
                valid_extra(name == "SetPrerelease", arg)?;
            }
            if name == "SetPrerelease" {
                n.pre = arg.to_string();
            } else {
                n.metadata = arg.to_string();
            }
            n.original = format!("{}{n}", self.v.vprefix());
            return Ok(SemverObject::value(n));
        }
        let o = args
            .first()
            .and_then(SemverObject::other)
            .ok_or_else(|| format!("{name}: invalid version argument"))?;
        let cmp = self.v.compare(o);
        Ok(match name {
            "Compare" => Value::int(cmp as i64),
            "LessThan" => (cmp == Ordering::Less).into(),
            "GreaterThan" => (cmp == Ordering::Greater).into(),
            "Equal" => (cmp == Ordering::Equal).into(),
            "LessThanEqual" => (cmp != Ordering::Greater).into(),
            _ => (cmp != Ordering::Less).into(),
        })
    }

    fn format_v(&self) -> String {
        self.v.to_string()
    }

    fn to_data(&self) -> Value {
        Value::from(self.v.to_string())
    }

    fn stringer(&self) -> Option<String> {
        Some(self.v.to_string())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests;
