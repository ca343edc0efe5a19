//! Policy rules as data: YAML files of rules whose conditions and messages are minijinja
//! expressions and templates, evaluated over one HelmRelease at a time, each evaluation bounded
//! by minijinja's fuel so that no rule can hang the sandbox.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};

use minijinja::value::{Value, ValueKind};
use minijinja::{Environment, Error as JinjaError, Expression, Template, UndefinedBehavior};
use serde_json::Value as Json;

use super::checks;
use super::source::{self, Chunk};
use super::{Diagnostic, PolicyFile, Severity};

/// The built-in pack, compiled in from `policies/`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "policies/version.yaml",
        include_str!("../../../policies/version.yaml"),
    ),
    (
        "policies/repo.yaml",
        include_str!("../../../policies/repo.yaml"),
    ),
    (
        "policies/chart.yaml",
        include_str!("../../../policies/chart.yaml"),
    ),
    (
        "policies/values.yaml",
        include_str!("../../../policies/values.yaml"),
    ),
    (
        "policies/release.yaml",
        include_str!("../../../policies/release.yaml"),
    ),
    (
        "policies/planton.yaml",
        include_str!("../../../policies/planton.yaml"),
    ),
];

/// `none` in rules (an absent answer), as opposed to undefined.
fn none() -> Value {
    Value::from(())
}

/// Fuel of one evaluation (a rule's `each`, `when`, `message`, `hint` or `path` for one
/// document or item). The built-in rules use a few hundred at most.
pub const FUEL: u64 = 20_000;

/// The most items a rule's `each` may give for one document. With [`FUEL`] this bounds one
/// rule's work on one document to 10^8 steps, a fraction of a second; the host's deadline is the
/// last resort beyond that.
pub const MAX_ITEMS: usize = 5_000;

/// The most findings one rule reports for one document (`each` lists longer are cut short,
/// with a note), so that a values tree full of template strings gives a readable report.
pub const MAX_FINDINGS: usize = 50;

/// One rule as written in a policy file.
#[derive(Clone, Debug)]
pub struct Rule {
    pub code: String,
    pub severity: Severity,
    pub doc: String,
    /// Template of the JSON path the diagnostic points at.
    pub path: String,
    /// Optional expression giving a list; the rule is checked once per item, bound to `item`.
    pub each: Option<String>,
    /// Expression: true means the spec breaks the rule.
    pub when: String,
    pub message: String,
    pub hint: Option<String>,
    /// The file the rule came from.
    pub file: String,
    pub line: u32,
}

/// The checks that are not rules in files but are still listed and coded.
pub const CORE_CHECKS: &[(&str, &str)] = &[
    (
        "PH001",
        "The document can be read: valid YAML or JSON, within the size, depth and alias bounds, with a known apiVersion for its kind.",
    ),
    (
        "PH002",
        "The document matches the HelmRelease JSON Schema (the CRD's openAPIV3Schema): field names, types and required fields.",
    ),
    (
        "PH003",
        "Every policy rule could be evaluated for the document (a rule that fails or runs out of fuel is an error, so a broken rule never lets a spec through).",
    ),
    (
        "PH004",
        "A file holds at least one HelmRelease (a warning: documents of other kinds are skipped).",
    ),
];

/// Rules parsed from policy files, with the environment their expressions compile in.
pub struct Pack {
    pub rules: Vec<Rule>,
    env: Environment<'static>,
}

/// A policy file that could not be read, with its place.
fn file_error(file: &str, pos: Option<source::Pos>, msg: impl std::fmt::Display) -> String {
    match pos {
        Some(p) => format!("{file}:{}:{}: {msg}", p.line, p.column),
        None => format!("{file}: {msg}"),
    }
}

fn parse_rules(name: &str, content: &str) -> Result<Vec<Rule>, String> {
    let chunk = Chunk {
        text: content,
        first_line: 0,
    };
    let positions =
        source::positions(&chunk).map_err(|e| file_error(name, Some(e.pos), e.message))?;
    let doc = crate::yaml::parse(content)
        .and_then(|v| source::to_json(&v, 0))
        .map_err(|e| file_error(name, None, e))?;
    let where_ = |path: &str| positions.find(path);
    let Some(list) = doc.get("rules").and_then(Json::as_array) else {
        return Err(file_error(
            name,
            positions.root(),
            "a policy file is a mapping with a `rules:` list (see docs/validation.md)",
        ));
    };
    let mut out = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let at = source::index("rules", i);
        let Some(obj) = r.as_object() else {
            return Err(file_error(name, where_(&at), "a rule is a mapping"));
        };
        for key in obj.keys() {
            if !matches!(
                key.as_str(),
                "code" | "severity" | "doc" | "path" | "each" | "when" | "message" | "hint"
            ) {
                return Err(file_error(
                    name,
                    where_(&source::child(&at, key)),
                    format!(
                        "unknown field `{key}` in a rule (fields: code, severity, doc, path, each, when, message, hint)"
                    ),
                ));
            }
        }
        let text = |key: &str, required: bool| -> Result<Option<String>, String> {
            match obj.get(key) {
                Some(Json::String(s)) => Ok(Some(s.clone())),
                None | Some(Json::Null) if !required => Ok(None),
                None | Some(Json::Null) => Err(file_error(
                    name,
                    where_(&at),
                    format!("the rule has no `{key}`"),
                )),
                Some(_) => Err(file_error(
                    name,
                    where_(&source::child(&at, key)),
                    format!("`{key}` must be a string (quote it)"),
                )),
            }
        };
        let code = text("code", true)?.unwrap_or_default();
        let code_ok = code.len() <= 32
            && code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !code_ok {
            return Err(file_error(
                name,
                where_(&source::child(&at, "code")),
                format!(
                    "rule code `{code}` is not valid: use capital letters, digits, `-` and `_`, starting with a letter (for example ORG001)"
                ),
            ));
        }
        let severity = match text("severity", true)?.as_deref() {
            Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some("info") => Severity::Info,
            other => {
                return Err(file_error(
                    name,
                    where_(&source::child(&at, "severity")),
                    format!(
                        "rule {code}: severity `{}` is not one of error, warning, info",
                        other.unwrap_or_default()
                    ),
                ));
            }
        };
        out.push(Rule {
            severity,
            doc: text("doc", true)?.unwrap_or_default(),
            path: text("path", false)?.unwrap_or_else(|| "spec".to_string()),
            each: text("each", false)?,
            when: text("when", true)?.unwrap_or_default(),
            message: text("message", true)?.unwrap_or_default(),
            hint: text("hint", false)?,
            file: name.to_string(),
            line: where_(&at).map_or(0, |p| p.line),
            code,
        });
    }
    Ok(out)
}

/// The minijinja environment rules are evaluated in: no loader, no filesystem, chainable
/// undefined (`spec.values.image.tag` is undefined, not an error, when `image` is missing),
/// bounded fuel, and the functions of [`checks`].
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(50);
    env.add_function("semver", |s: Value| -> Value {
        let v = checks::semver(&string_of(&s));
        let mut m = BTreeMap::new();
        m.insert("ok", Value::from(v.problem.is_none()));
        m.insert("problem", v.problem.map_or_else(none, Value::from));
        m.insert("detail", Value::from(v.detail));
        m.insert("suggestion", v.suggestion.map_or_else(none, Value::from));
        Value::from_iter(m)
    });
    env.add_function("url", |s: Value| -> Value {
        let u = checks::url(&string_of(&s));
        let opt = |o: Option<String>| o.map_or_else(none, Value::from);
        let mut m = BTreeMap::new();
        m.insert("ok", Value::from(u.error.is_none()));
        m.insert("error", opt(u.error));
        m.insert("scheme", Value::from(u.scheme));
        m.insert("userinfo", Value::from(u.userinfo));
        m.insert("host", Value::from(u.host));
        m.insert("port", u.port.map_or_else(none, Value::from));
        m.insert("path", Value::from(u.path));
        m.insert("query", opt(u.query));
        m.insert("fragment", opt(u.fragment));
        m.insert("tag", opt(u.tag));
        m.insert("digest", opt(u.digest));
        m.insert("last_segment", Value::from(u.last_segment));
        Value::from_iter(m)
    });
    env.add_function("duration", |s: Value| -> Value {
        let mut m = BTreeMap::new();
        match checks::duration(&string_of(&s)) {
            Ok(secs) => {
                m.insert("ok", Value::from(true));
                m.insert("seconds", Value::from(secs));
                m.insert("error", none());
            }
            Err(e) => {
                m.insert("ok", Value::from(false));
                m.insert("seconds", none());
                m.insert("error", Value::from(e));
            }
        }
        Value::from_iter(m)
    });
    env.add_function("template_strings", |v: Value, path: String| -> Value {
        Value::from(checks::template_strings(&v, &path))
    });
    env.add_function("floating_images", |v: Value, path: String| -> Value {
        Value::from(checks::floating_images(&v, &path))
    });
    env.add_function("boolean_strings", |v: Value, path: String| -> Value {
        Value::from(checks::boolean_strings(&v, &path))
    });
    env.add_function("inline_secrets", |v: Value, path: String| -> Value {
        Value::from(checks::inline_secrets(&v, &path))
    });
    env.add_test(
        "matching",
        |v: Value, pattern: String| -> Result<bool, JinjaError> {
            matches(&pattern, v.as_str()).map_err(|e| {
                JinjaError::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("`matching`: bad regular expression: {e}"),
                )
            })
        },
    );
    env
}

/// The most regular expressions of `matching` kept compiled per instance: the rules' own
/// patterns, a few dozen at most; a rule that builds patterns from the document compiles the rest.
const MAX_CACHED_PATTERNS: usize = 64;

thread_local! {
    /// Compiled `matching` patterns. [`super::prepare`]'s warm-up fills it with the patterns of
    /// the pack, so that calls made from a snapshot of the instance find them compiled.
    static PATTERNS: RefCell<HashMap<String, regex_lite::Regex>> = RefCell::new(HashMap::new());
}

/// Whether `text` (none: not a string) matches `pattern`.
fn matches(pattern: &str, text: Option<&str>) -> Result<bool, regex_lite::Error> {
    PATTERNS.with(|cache| {
        if let Some(re) = cache.borrow().get(pattern) {
            return Ok(text.is_some_and(|s| re.is_match(s)));
        }
        let re = regex_lite::Regex::new(pattern)?;
        let found = text.is_some_and(|s| re.is_match(s));
        let mut cache = cache.borrow_mut();
        if cache.len() < MAX_CACHED_PATTERNS {
            cache.insert(pattern.to_string(), re);
        }
        Ok(found)
    })
}

/// A string argument as text; anything else (a number where a string was expected) as its
/// display form, so that checks report it rather than fail.
fn string_of(v: &Value) -> String {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        _ => v.as_str().map_or_else(|| v.to_string(), str::to_string),
    }
}

impl Pack {
    /// The rules of `files` (name, content), in order. Fails, naming the file, line and fix,
    /// when a file cannot be read.
    pub fn parse<'f>(files: impl IntoIterator<Item = (&'f str, &'f str)>) -> Result<Pack, String> {
        let mut rules = Vec::new();
        for (name, content) in files {
            rules.extend(parse_rules(name, content)?);
        }
        Ok(Pack {
            rules,
            env: environment(),
        })
    }

    /// Every rule's expressions and templates, compiled once for all the documents of a call.
    /// Fails, naming the file, line and rule, when one does not compile.
    pub fn compile(&self) -> Result<Compiled<'_>, String> {
        let mut rules = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            rules.push(compile_rule(&self.env, r)?);
        }
        Ok(Compiled { pack: self, rules })
    }
}

fn compile_rule<'p>(
    env: &'p Environment<'static>,
    r: &'p Rule,
) -> Result<CompiledRule<'p>, String> {
    let error = |what: &str, e: JinjaError| {
        format!(
            "{}:{}: rule {}: `{what}` does not compile: {}",
            r.file,
            r.line,
            r.code,
            e.detail().unwrap_or(&e.to_string())
        )
    };
    let expression = |what: &str, src: &'p str| -> Result<Expression<'p, 'p>, String> {
        env.compile_expression(src).map_err(|e| error(what, e))
    };
    let template = |what: &str, src: &'p str| -> Result<Template<'p, 'p>, String> {
        env.template_from_str(src).map_err(|e| error(what, e))
    };
    Ok(CompiledRule {
        rule: r,
        when: expression("when", &r.when)?,
        each: r
            .each
            .as_deref()
            .map(|e| expression("each", e))
            .transpose()?,
        message: template("message", &r.message)?,
        path: template("path", &r.path)?,
        hint: r.hint.as_deref().map(|h| template("hint", h)).transpose()?,
    })
}

/// A pack ready to check documents: see [`Pack::compile`].
pub struct Compiled<'p> {
    pack: &'p Pack,
    rules: Vec<CompiledRule<'p>>,
}

struct CompiledRule<'p> {
    rule: &'p Rule,
    when: Expression<'p, 'p>,
    each: Option<Expression<'p, 'p>>,
    message: Template<'p, 'p>,
    path: Template<'p, 'p>,
    hint: Option<Template<'p, 'p>>,
}

thread_local! {
    /// The built-in pack, parsed and compiled once per instance: every call of a process (or of
    /// a pre-initialised component snapshot) shares it.
    static BUILTIN_PACK: OnceCell<Result<&'static Compiled<'static>, String>> =
        const { OnceCell::new() };
}

/// The built-in pack (`policies/`), compiled.
pub fn builtin() -> Result<&'static Compiled<'static>, String> {
    BUILTIN_PACK.with(|cell| {
        cell.get_or_init(|| {
            // Leaked once per thread (the guest has one): the pack lives as long as the instance.
            let pack: &'static Pack = Box::leak(Box::new(Pack::parse(BUILTIN.iter().copied())?));
            Ok(&*Box::leak(Box::new(pack.compile()?)))
        })
        .clone()
    })
}

/// An extra pack compiled ahead of the calls that use it, and the files it came from.
struct Prepared {
    files: Vec<PolicyFile>,
    compiled: &'static Compiled<'static>,
}

thread_local! {
    /// The extra pack of [`prepare`]: set once, before any call, in an instance that a host then
    /// snapshots, so that every call made from the snapshot starts with it compiled.
    static PREPARED: OnceCell<Prepared> = const { OnceCell::new() };
}

/// Compiles the built-in pack and the extra pack `files` into this instance,
/// for [`prepared`] to hand out. Fails as [`Pack::parse`] and [`Pack::compile`] do; a second
/// call with other files is refused (the first stays in force).
pub fn prepare(files: &[PolicyFile]) -> Result<(), String> {
    builtin()?;
    PREPARED.with(|cell| {
        if let Some(p) = cell.get() {
            return if p.files == files {
                Ok(())
            } else {
                Err("this instance already holds another prepared policy pack".to_string())
            };
        }
        // Leaked once per instance (the guest has one thread), like the built-in pack.
        let pack: &'static Pack = Box::leak(Box::new(Pack::parse(
            files.iter().map(|f| (f.name.as_str(), f.content.as_str())),
        )?));
        let compiled: &'static Compiled<'static> = Box::leak(Box::new(pack.compile()?));
        let _ = cell.set(Prepared {
            files: files.to_vec(),
            compiled,
        });
        Ok(())
    })
}

/// The extra pack [`prepare`] compiled, if it was made from exactly `files` (names, contents
/// and order): any other request compiles its own.
pub fn prepared(files: &[PolicyFile]) -> Option<&'static Compiled<'static>> {
    PREPARED.with(|cell| cell.get().filter(|p| p.files == files).map(|p| p.compiled))
}

/// The rules in force for one call: the built-in pack, then the user's files, less the
/// disabled codes.
pub struct Rules<'a> {
    builtin: &'static Compiled<'static>,
    extra: &'a Compiled<'a>,
    disabled: &'a [String],
}

impl<'a> Rules<'a> {
    /// The built-in pack plus `extra` (compiled by [`Pack::compile`] or [`prepared`]), less
    /// `disabled`. Fails (naming the file, line and fix) when a code is reserved, duplicated or
    /// unknown.
    pub fn new(extra: &'a Compiled<'a>, disabled: &'a [String]) -> Result<Rules<'a>, String> {
        let builtin = builtin()?;
        let mut seen: BTreeMap<&str, &Rule> = BTreeMap::new();
        for r in builtin.pack.rules.iter().chain(&extra.pack.rules) {
            if let Some(&(code, _)) = CORE_CHECKS.iter().find(|(c, _)| *c == r.code) {
                return Err(format!(
                    "{}:{}: rule code {code} is reserved for a core check; pick another code",
                    r.file, r.line
                ));
            }
            if let Some(first) = seen.insert(&r.code, r) {
                return Err(format!(
                    "{}:{}: rule code {} is already used by {}:{}; pick another code (disable the other rule by its code if yours replaces it)",
                    r.file, r.line, r.code, first.file, first.line
                ));
            }
        }
        for d in disabled {
            if CORE_CHECKS.iter().any(|(c, _)| c == d) {
                return Err(format!(
                    "{d} is a core check and cannot be disabled (the API server applies the same schema)"
                ));
            }
            if !seen.contains_key(d.as_str()) {
                return Err(format!(
                    "cannot disable {d}: no rule has this code (`planton-helm policies` lists them)"
                ));
            }
        }
        Ok(Rules {
            builtin,
            extra,
            disabled,
        })
    }

    /// Every rule, built-in first, in file order.
    pub fn all(&self) -> impl Iterator<Item = &Rule> {
        self.builtin.pack.rules.iter().chain(&self.extra.pack.rules)
    }

    /// Whether a rule is switched off.
    pub fn is_disabled(&self, code: &str) -> bool {
        self.disabled.iter().any(|d| d == code)
    }

    /// The diagnostics of every enabled rule for one document. `ctx` holds `spec`, `metadata`,
    /// `apiVersion` and `kind`. Paths and positions are filled in by the caller.
    pub fn check(&self, ctx: &BTreeMap<String, Value>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let compiled = self.builtin.rules.iter().chain(&self.extra.rules);
        for compiled in compiled.filter(|r| !self.is_disabled(&r.rule.code)) {
            let rule = compiled.rule;
            if let Err(e) = check_rule(compiled, ctx, &mut out) {
                out.push(Diagnostic {
                    code: "PH003".to_string(),
                    severity: Severity::Error,
                    path: Some("spec".to_string()),
                    message: format!(
                        "policy rule {} ({}:{}) could not be evaluated: {e}",
                        rule.code, rule.file, rule.line
                    ),
                    hint: Some(format!(
                        "fix the rule, or disable it with --disable {}",
                        rule.code
                    )),
                    ..Diagnostic::default()
                });
            }
        }
        out
    }
}

/// One rule's findings for one document.
fn check_rule(
    compiled: &CompiledRule<'_>,
    ctx: &BTreeMap<String, Value>,
    out: &mut Vec<Diagnostic>,
) -> Result<(), String> {
    let rule = compiled.rule;
    let err = |what: &str, e: JinjaError| format!("`{what}`: {e}");
    let items: Vec<Option<Value>> = match &compiled.each {
        None => vec![None],
        Some(each) => {
            let list = each.eval(ctx).map_err(|e| err("each", e))?;
            match list.kind() {
                ValueKind::Undefined | ValueKind::None => Vec::new(),
                ValueKind::Seq | ValueKind::Iterable => list
                    .try_iter()
                    .map_err(|e| err("each", e))?
                    .map(Some)
                    .collect(),
                other => return Err(format!("`each` gave a {other}, not a list")),
            }
        }
    };
    let total = items.len();
    if total > MAX_ITEMS {
        return Err(format!(
            "`each` gave {total} items, more than the {MAX_ITEMS} a rule may check per document"
        ));
    }
    let when = &compiled.when;
    let mut found = 0;
    for item in items {
        let mut ctx = ctx.clone();
        if let Some(item) = item {
            ctx.insert("item".to_string(), item);
        }
        if !when.eval(&ctx).map_err(|e| err("when", e))?.is_true() {
            continue;
        }
        found += 1;
        if found > MAX_FINDINGS {
            continue;
        }
        let render = |what: &str, template: &Template<'_, '_>| {
            template
                .render(&ctx)
                .map_err(|e| err(what, e))
                .map(|s| s.trim().to_string())
        };
        let hint = match &compiled.hint {
            Some(h) => Some(render("hint", h)?).filter(|h| !h.is_empty()),
            None => None,
        };
        out.push(Diagnostic {
            code: rule.code.clone(),
            severity: rule.severity,
            // A rule whose path renders empty speaks of the document as a whole.
            path: Some(render("path", &compiled.path)?).filter(|p| !p.is_empty()),
            message: render("message", &compiled.message)?,
            hint,
            ..Diagnostic::default()
        });
    }
    if found > MAX_FINDINGS {
        out.push(Diagnostic {
            code: rule.code.clone(),
            severity: rule.severity,
            path: Some("spec".to_string()),
            message: format!(
                "{} more findings of {} not shown (of {total} checked)",
                found - MAX_FINDINGS,
                rule.code
            ),
            hint: None,
            ..Diagnostic::default()
        });
    }
    Ok(())
}
