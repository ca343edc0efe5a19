//! The questions policy rules ask that an expression cannot answer by itself: is this an exact
//! SemVer version, what are the parts of this URL, is this a Go duration, where in the values
//! are template strings and floating image tags. Rules call them as minijinja functions (see
//! [`super::policy`]); the answers are plain data so that rules stay data too.

use std::collections::BTreeMap;

use minijinja::value::{Value, ValueKind};

use super::source::{MAX_DEPTH, child, index};

/// What is wrong with a version, if anything.
#[derive(Debug, Default, PartialEq)]
pub struct Semver {
    /// `None` for an exact SemVer 2.0 version, else one of `empty`, `latest`, `range`,
    /// `partial`, `leading-v`, `invalid`.
    pub problem: Option<&'static str>,
    pub detail: String,
    /// The version the user most likely meant, when there is one.
    pub suggestion: Option<String>,
}

/// Whether `s` is an exact SemVer 2.0 version (semver.org's grammar, nothing more).
pub fn is_exact_semver(s: &str) -> bool {
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let numeric = |p: &str| {
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p == "0" || !p.starts_with('0'))
    };
    let ident =
        |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|id| ident(id) && (!id.bytes().all(|b| b.is_ascii_digit()) || numeric(id)))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
}

/// Classifies `s` as a chart version: exact, or what kind of not-exact it is.
pub fn semver(s: &str) -> Semver {
    let problem = |p: &'static str, detail: &str, suggestion: Option<String>| Semver {
        problem: Some(p),
        detail: detail.to_string(),
        suggestion,
    };
    let t = s.trim();
    if t.is_empty() {
        return problem("empty", "the version is empty", None);
    }
    if is_exact_semver(s) {
        return Semver::default();
    }
    if t != s {
        return problem(
            "invalid",
            "the version has spaces around it",
            is_exact_semver(t).then(|| t.to_string()),
        );
    }
    if matches!(
        t.to_ascii_lowercase().as_str(),
        "latest" | "stable" | "head"
    ) {
        return problem("latest", "a moving label names no particular release", None);
    }
    if let Some(rest) = t.strip_prefix(['v', 'V'])
        && is_exact_semver(rest)
    {
        return problem(
            "leading-v",
            "SemVer 2.0 has no `v` prefix",
            Some(rest.to_string()),
        );
    }
    let wildcard = t
        .split(['.', '-', '+'])
        .take(3)
        .any(|p| matches!(p, "x" | "X" | "*"));
    if wildcard || t.contains(['^', '~', '>', '<', '=', '*', '|', ',', ' ']) {
        return problem(
            "range",
            "ranges and wildcards match many releases; the spec pins one",
            None,
        );
    }
    let core = t.split(['-', '+']).next().unwrap_or(t);
    let nums: Vec<&str> = core.split('.').collect();
    if nums.len() < 3
        && nums
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut full: Vec<String> = nums.iter().map(|n| n.to_string()).collect();
        while full.len() < 3 {
            full.push("0".to_string());
        }
        return problem(
            "partial",
            "a version has three numbers, MAJOR.MINOR.PATCH",
            Some(full.join(".")),
        );
    }
    if nums.len() == 3
        && nums
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        let trimmed: Vec<String> = nums
            .iter()
            .map(|n| n.trim_start_matches('0'))
            .map(|n| if n.is_empty() { "0" } else { n }.to_string())
            .collect();
        if trimmed.join(".") != core {
            return problem(
                "invalid",
                "numbers in a version have no leading zeros",
                None,
            );
        }
    }
    problem(
        "invalid",
        "expected MAJOR.MINOR.PATCH with an optional -prerelease and +build",
        None,
    )
}

/// The parts of a repository URL, or why it is not one.
#[derive(Debug, Default, PartialEq)]
pub struct Url {
    pub error: Option<String>,
    pub scheme: String,
    pub userinfo: bool,
    pub host: String,
    pub port: Option<u32>,
    pub path: String,
    pub query: Option<String>,
    pub fragment: Option<String>,
    /// A `:tag` on the last path segment (OCI references).
    pub tag: Option<String>,
    /// An `@sha256:...` digest (OCI references).
    pub digest: Option<String>,
    /// The last non-empty path segment, without tag or digest.
    pub last_segment: String,
}

/// Splits `s` into URL parts, RFC 3986 style, strictly enough that what passes is usable by
/// Helm's HTTP and OCI clients.
pub fn url(s: &str) -> Url {
    let fail = |e: &str| Url {
        error: Some(e.to_string()),
        ..Url::default()
    };
    if s.is_empty() {
        return fail("the URL is empty");
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail("the URL contains spaces or control characters");
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        return fail("the URL has no scheme (it should start with https:// or oci://)");
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return fail("the URL's scheme is not valid");
    }
    let mut u = Url {
        scheme: scheme.to_ascii_lowercase(),
        ..Url::default()
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f.to_string())),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q.to_string())),
        None => (rest, None),
    };
    u.fragment = fragment;
    u.query = query;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let hostport = match authority.rsplit_once('@') {
        Some((_, hp)) => {
            u.userinfo = true;
            hp
        }
        None => authority,
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return fail("the URL's IPv6 host has no closing `]`"),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return fail("the URL has no host");
    }
    let host_ok = if hostport.starts_with('[') {
        host.chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    };
    if !host_ok {
        return fail(&format!("`{host}` is not a valid host name"));
    }
    u.host = host.to_ascii_lowercase();
    if let Some(p) = port {
        match p.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) && !p.starts_with('+') => u.port = Some(n),
            _ => return fail(&format!("`{p}` is not a valid port")),
        }
    }
    u.path = path.to_string();
    if let Some(last) = path.split('/').rfind(|s| !s.is_empty()) {
        let (name, digest) = match last.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (last, None),
        };
        let (name, tag) = match name.split_once(':') {
            Some((n, t)) => (n, Some(t.to_string())),
            None => (name, None),
        };
        u.digest = digest;
        u.tag = tag;
        u.last_segment = name.to_string();
    }
    u
}

/// Go's `time.ParseDuration` (the shared grammar), in seconds: `300ms`, `1.5h`, `2h45m`; a lone
/// `0` is allowed.
pub fn duration(s: &str) -> Result<f64, String> {
    match go_duration::parse(s) {
        Ok(nanos) => Ok(nanos as f64 / 1e9),
        Err(go_duration::Error::MissingUnit { .. }) => {
            Err(format!("`{s}` has a number without a unit (s, m or h)"))
        }
        Err(go_duration::Error::UnknownUnit { unit, .. }) => Err(format!(
            "`{s}` has an unknown unit `{unit}` (use ms, s, m or h)"
        )),
        Err(_) => Err(format!(
            "`{s}` is not a duration (write it like 300s, 5m or 1h30m)"
        )),
    }
}

/// Whether a string holds a Go or Jinja template expression.
pub fn has_template(s: &str) -> bool {
    s.find("{{").is_some_and(|i| s[i + 2..].contains("}}"))
}

fn finding(fields: &[(&str, Value)]) -> Value {
    let map: BTreeMap<String, Value> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Value::from(map)
}

/// At most this many characters of a string are quoted in a finding.
const EXCERPT: usize = 60;

fn excerpt(s: &str) -> String {
    if s.chars().count() <= EXCERPT {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(EXCERPT).collect();
        out.push('…');
        out
    }
}

/// Map entries and list items of a minijinja value, with their paths.
fn children(v: &Value, path: &str) -> Vec<(Option<String>, String, Value)> {
    let mut out = Vec::new();
    match v.kind() {
        ValueKind::Map => {
            if let Ok(keys) = v.try_iter() {
                for k in keys {
                    let item = v.get_item(&k).unwrap_or_default();
                    let key = k.as_str().map_or_else(|| k.to_string(), str::to_string);
                    out.push((Some(key.clone()), child(path, &key), item));
                }
            }
        }
        ValueKind::Seq => {
            if let Ok(items) = v.try_iter() {
                for (i, item) in items.enumerate() {
                    out.push((None, index(path, i), item));
                }
            }
        }
        _ => {}
    }
    out
}

/// Every template expression in `v`, keys and strings, at any depth: a list of
/// `{path, text, in}` where `in` is `key` or `value`.
pub fn template_strings(v: &Value, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    walk_templates(v, path, 0, &mut out);
    out
}

fn walk_templates(v: &Value, path: &str, depth: usize, out: &mut Vec<Value>) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(s) = v.as_str() {
        if has_template(s) {
            out.push(finding(&[
                ("path", Value::from(path)),
                ("text", Value::from(excerpt(s))),
                ("in", Value::from("value")),
            ]));
        }
        return;
    }
    for (key, p, item) in children(v, path) {
        if let Some(k) = key
            && has_template(&k)
        {
            out.push(finding(&[
                ("path", Value::from(p.as_str())),
                ("text", Value::from(excerpt(&k))),
                ("in", Value::from("key")),
            ]));
        }
        walk_templates(&item, &p, depth + 1, out);
    }
}

/// Every floating image reference in `v`: a list of `{path, image, tag, problem}` where
/// `problem` is `latest` (the tag is `latest`) or `empty` (an empty tag next to a repository,
/// or an `image:` string without tag or digest).
pub fn floating_images(v: &Value, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    walk_images(v, path, 0, &mut out);
    out
}

fn walk_images(v: &Value, path: &str, depth: usize, out: &mut Vec<Value>) {
    if depth > MAX_DEPTH {
        return;
    }
    if v.kind() == ValueKind::Map {
        let repo = v
            .get_attr("repository")
            .ok()
            .and_then(|r| r.as_str().map(str::to_string));
        let tag = v.get_attr("tag").unwrap_or_default();
        if let Some(repo) = repo.filter(|r| !r.is_empty())
            && !tag.is_undefined()
        {
            let digest = v
                .get_attr("digest")
                .ok()
                .and_then(|d| d.as_str().map(|d| !d.is_empty()))
                .unwrap_or(false);
            let tag_str = tag.as_str().map(str::to_string);
            let problem = match tag_str.as_deref() {
                _ if digest => None,
                Some("latest") => Some("latest"),
                Some("") => Some("empty"),
                None if tag.is_none() => Some("empty"),
                _ => None,
            };
            if let Some(problem) = problem {
                out.push(finding(&[
                    ("path", Value::from(child(path, "tag"))),
                    ("image", Value::from(repo)),
                    ("tag", Value::from(tag_str.unwrap_or_default())),
                    ("problem", Value::from(problem)),
                ]));
            }
        }
        if let Ok(image) = v.get_attr("image")
            && let Some(s) = image.as_str()
            && let Some((name, problem)) = floating_reference(s)
        {
            out.push(finding(&[
                ("path", Value::from(child(path, "image"))),
                ("image", Value::from(name)),
                (
                    "tag",
                    Value::from(if problem == "latest" { "latest" } else { "" }),
                ),
                ("problem", Value::from(problem)),
            ]));
        }
    }
    for (_, p, item) in children(v, path) {
        walk_images(&item, &p, depth + 1, out);
    }
}

/// Whether a map under this key holds text that Kubernetes or a program reads as strings
/// (annotations, labels, environment variables), where a quoted `"true"` or a `password` entry
/// is the right thing or not ours to judge.
fn holds_strings(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    is_metadata(key) || k == "env" || k.ends_with("envvars") || k == "extraenv"
}

/// Whether a map under this key is Kubernetes metadata (annotations, labels, selectors).
fn is_metadata(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.ends_with("annotations") || k.ends_with("labels") || k.ends_with("selector")
}

/// Whether a key names an on/off switch by the conventions of public charts: `enabled`,
/// `create`, or a camelCase `enableX`, `useX`, `isX`, `createX`, `disableX`, `skipX`.
fn is_switch(key: &str) -> bool {
    if matches!(
        key.to_ascii_lowercase().as_str(),
        "enabled" | "enable" | "disabled" | "disable" | "create"
    ) {
        return true;
    }
    ["enable", "use", "is", "create", "disable", "skip"]
        .iter()
        .any(|p| {
            key.strip_prefix(p)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c.is_ascii_uppercase())
        })
}

/// Every string in `v` that reads as a boolean: a list of `{path, key, text, reads}` where
/// `reads` is `false` (`"false"`, `"0"`: true in a Go template's `if`, the opposite of what it
/// says), `true` (`"true"`: true in `if`, but a string to `eq`, `not`, a values schema and
/// `toYaml`) or `empty` (`""`: false in `if`, but `default` replaces it with the chart's
/// default). `"true"` and `"false"` count under any key, `"0"` and `""` under switch-like keys
/// (`enabled`, `create`, `useX`, ...); maps of annotations, labels and environment variables,
/// whose values are strings by nature, are skipped.
pub fn boolean_strings(v: &Value, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    walk_booleans(v, path, None, 0, &mut out);
    out
}

fn walk_booleans(v: &Value, path: &str, key: Option<&str>, depth: usize, out: &mut Vec<Value>) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(s) = v.as_str() {
        let Some(key) = key else {
            return;
        };
        let reads = match s.to_ascii_lowercase().as_str() {
            "false" => "false",
            "true" => "true",
            "0" if is_switch(key) => "false",
            "" if is_switch(key) => "empty",
            _ => return,
        };
        out.push(finding(&[
            ("path", Value::from(path)),
            ("key", Value::from(key)),
            ("text", Value::from(s)),
            ("reads", Value::from(reads)),
        ]));
        return;
    }
    if key.is_some_and(holds_strings) {
        return;
    }
    for (k, p, item) in children(v, path) {
        // A list item is judged under its list's key (`features: ["true"]`).
        let k = k.as_deref().or(key);
        walk_booleans(&item, &p, k, depth + 1, out);
    }
}

/// Whether a key names a secret by the conventions of public charts and applications:
/// `password`, `adminPassword`, `token`, `apiKey`, `clientSecret`, `secretKey`, `privateKey`,
/// in any case and with `_` or `-`; keys that name where a secret is (`existingSecret`,
/// `passwordSecretName`, `tokenKey`) do not end so.
pub fn is_secret_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if k.starts_with("existing") {
        return false;
    }
    [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "accesskey",
        "secretkey",
        "privatekey",
    ]
    .iter()
    .any(|s| k.ends_with(s))
}

/// Every literal secret in `v`: a list of `{path, key}` for each non-empty string under a
/// secret-like key (see [`is_secret_key`]), and for each `{name, value}` item (an environment
/// variable) whose name is secret-like. Booleans and boolean-looking strings (`enabled`-style
/// switches named `token`) and template strings are not secrets; nor is anything under
/// annotations or labels. The secret itself is never part of the finding.
pub fn inline_secrets(v: &Value, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    walk_secrets(v, path, 0, &mut out);
    out
}

fn literal_secret(s: &str) -> bool {
    !s.trim().is_empty()
        && !has_template(s)
        && !matches!(s.to_ascii_lowercase().as_str(), "true" | "false")
}

fn walk_secrets(v: &Value, path: &str, depth: usize, out: &mut Vec<Value>) {
    if depth > MAX_DEPTH {
        return;
    }
    if v.kind() == ValueKind::Map
        && let Some(name) = v
            .get_attr("name")
            .ok()
            .and_then(|n| n.as_str().map(str::to_string))
        && is_secret_key(&name)
        && v.get_attr("value")
            .ok()
            .and_then(|x| x.as_str().map(literal_secret))
            .unwrap_or(false)
    {
        out.push(finding(&[
            ("path", Value::from(child(path, "value"))),
            ("key", Value::from(name)),
        ]));
    }
    for (key, p, item) in children(v, path) {
        match key.as_deref() {
            Some(k) if is_metadata(k) => {}
            Some(k) if is_secret_key(k) && item.as_str().is_some_and(literal_secret) => {
                out.push(finding(&[
                    ("path", Value::from(p.as_str())),
                    ("key", Value::from(k)),
                ]));
            }
            _ => walk_secrets(&item, &p, depth + 1, out),
        }
    }
}

/// For an image reference string (`nginx`, `ghcr.io/a/b:1.2`, `x@sha256:...`): its name and
/// `latest` or `empty` when its tag floats; `None` when it is pinned or not a reference.
fn floating_reference(s: &str) -> Option<(String, &'static str)> {
    if s.is_empty() || s.contains(char::is_whitespace) || has_template(s) || s.contains('@') {
        return None;
    }
    let last = s.rsplit('/').next().unwrap_or(s);
    match last.split_once(':') {
        Some((_, "latest")) => Some((s.trim_end_matches(":latest").to_string(), "latest")),
        Some((_, "")) => Some((s.trim_end_matches(':').to_string(), "empty")),
        Some(_) => None,
        None => Some((s.to_string(), "empty")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions_pass_and_every_near_miss_is_named() {
        for ok in [
            "0.0.0",
            "1.2.3",
            "6.7.1",
            "10.20.30",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85",
            "1.0.0-rc.1+build.1-2",
        ] {
            assert_eq!(semver(ok), Semver::default(), "{ok}");
        }
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("", "empty", None),
            ("   ", "empty", None),
            ("latest", "latest", None),
            ("LATEST", "latest", None),
            ("^1.2", "range", None),
            ("~1.2", "range", None),
            (">=1", "range", None),
            (">=1.0.0 <2.0.0", "range", None),
            ("1.x", "range", None),
            ("1.2.X", "range", None),
            ("*", "range", None),
            ("1.2.3 || 1.2.4", "range", None),
            ("1", "partial", Some("1.0.0")),
            ("1.2", "partial", Some("1.2.0")),
            ("v1.2.3", "leading-v", Some("1.2.3")),
            ("V1.2.3-rc.1", "leading-v", Some("1.2.3-rc.1")),
            ("01.2.3", "invalid", None),
            ("1.2.3.4", "invalid", None),
            ("1.2.3-", "invalid", None),
            ("1.2.3-01", "invalid", None),
            ("1.2.3+", "invalid", None),
            ("1.2.3-a..b", "invalid", None),
            (" 1.2.3", "invalid", Some("1.2.3")),
            ("one", "invalid", None),
            ("v1.2", "invalid", None),
        ];
        for (input, problem, suggestion) in cases {
            let got = semver(input);
            assert_eq!(got.problem, Some(*problem), "{input:?}");
            assert_eq!(got.suggestion.as_deref(), *suggestion, "{input:?}");
            assert!(!got.detail.is_empty());
        }
    }

    #[test]
    fn urls_split_into_parts() {
        let u = url("oci://ghcr.io/stefanprodan/charts");
        assert_eq!(u.error, None);
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.path.as_str()),
            ("oci", "ghcr.io", "/stefanprodan/charts")
        );
        assert_eq!(u.last_segment, "charts");
        let u = url("oci://registry:5000/charts/podinfo:6.7.1");
        assert_eq!((u.port, u.tag.as_deref()), (Some(5000), Some("6.7.1")));
        let u = url("oci://r.io/charts@sha256:abc");
        assert_eq!(u.digest.as_deref(), Some("sha256:abc"));
        let u = url("https://user:pw@charts.example.com/x?a=1#f");
        assert!(u.userinfo);
        assert_eq!(u.query.as_deref(), Some("a=1"));
        assert_eq!(u.fragment.as_deref(), Some("f"));
        let u = url("https://[::1]:8443/charts");
        assert_eq!((u.host.as_str(), u.port), ("::1", Some(8443)));
        for bad in [
            "",
            "charts.example.com",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://example.com:0",
            "https://example.com:99999",
            "https://example.com:http",
            "https://-bad-.com",
            "https://a..b",
            "1ttps://a.b",
            "https://[::1/x",
        ] {
            assert!(url(bad).error.is_some(), "{bad:?} accepted");
        }
    }

    #[test]
    fn durations_follow_go() {
        for (s, secs) in [
            ("0", 0.0),
            ("5m", 300.0),
            ("1h30m", 5400.0),
            ("1.5h", 5400.0),
            ("300ms", 0.3),
            ("2h45m10s", 9910.0),
            ("-1s", -1.0),
        ] {
            assert_eq!(duration(s), Ok(secs), "{s}");
        }
        for s in ["", "5", "5 m", "5min", "m", "1..5s", "five minutes", "5m-"] {
            assert!(duration(s).is_err(), "{s:?} accepted");
        }
    }

    /// Go's own answers (`go_duration::cases`), which the HelmRelease model's reader passes
    /// too: the check accepts exactly what Go accepts, with Go's value.
    #[test]
    fn durations_follow_the_shared_case_table() {
        for (s, want) in go_duration::cases::CASES {
            match want {
                Ok(nanos) => assert_eq!(duration(s), Ok(*nanos as f64 / 1e9), "{s:?}"),
                Err(_) => assert!(duration(s).is_err(), "{s:?} accepted"),
            }
        }
    }

    #[test]
    fn template_strings_are_found_in_keys_and_values_at_depth() {
        let v = Value::from_serialize(serde_json::json!({
            "a": {"b": [1, "x {{ .Values.y }}"]},
            "{{ k }}": "plain",
            "c": "only {{ open",
            "d": "}} {{ reversed",
        }));
        let found: Vec<String> = template_strings(&v, "spec.values")
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f.get_attr("in").unwrap_or_default(),
                    f.get_attr("path").unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            found,
            ["value spec.values.a.b[1]", "key spec.values[\"{{ k }}\"]"]
        );
    }

    fn found(list: Vec<Value>, fields: &[&str]) -> Vec<String> {
        list.iter()
            .map(|f| {
                fields
                    .iter()
                    .map(|k| f.get_attr(k).unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn boolean_strings_are_found_where_charts_test_truthiness() {
        let v = Value::from_serialize(serde_json::json!({
            "ingress": {"enabled": "true", "tls": "false", "hostname": "a.example.com"},
            "persistence": {"enabled": "0", "size": "0"},
            "metrics": {"enabled": "", "path": ""},
            "serviceAccount": {"create": "FALSE", "createToken": ""},
            "features": ["true", "x"],
            "podAnnotations": {"sidecar.istio.io/inject": "false"},
            "env": [{"name": "DEBUG", "value": "true"}],
            "real": {"enabled": false, "count": 0},
        }));
        assert_eq!(
            found(boolean_strings(&v, "spec.values"), &["reads", "path"]),
            [
                "true spec.values.features[0]",
                "true spec.values.ingress.enabled",
                "false spec.values.ingress.tls",
                "empty spec.values.metrics.enabled",
                "false spec.values.persistence.enabled",
                "false spec.values.serviceAccount.create",
                "empty spec.values.serviceAccount.createToken",
            ]
        );
        assert!(is_switch("useTLS") && is_switch("isDefault") && !is_switch("user"));
    }

    #[test]
    fn inline_secrets_are_found_without_their_values() {
        let v = Value::from_serialize(serde_json::json!({
            "auth": {"password": "hunter2", "existingSecret": "db-auth", "passwordKey": "pw"},
            "global": {"postgresql": {"auth": {"postgresPassword": "s3cret"}}},
            "api_key": "abc",
            "client-secret": "xyz",
            "token": "",
            "adminToken": "{{ .Values.x }}",
            "serviceAccountToken": "true",
            "secretName": "tls",
            "env": [{"name": "DB_PASSWORD", "value": "pw"}, {"name": "API_TOKEN", "valueFrom": {}}],
            "podAnnotations": {"vault.io/secret": "path"},
            "automountToken": true,
        }));
        let list = inline_secrets(&v, "spec.values");
        assert_eq!(
            found(list.clone(), &["path"]),
            [
                "spec.values.api_key",
                "spec.values.auth.password",
                "spec.values.client-secret",
                "spec.values.env[0].value",
                "spec.values.global.postgresql.auth.postgresPassword",
            ]
        );
        let text = format!("{list:?}");
        for secret in ["hunter2", "s3cret", "abc", "xyz"] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }

    #[test]
    fn floating_images_are_found() {
        let v = Value::from_serialize(serde_json::json!({
            "image": {"repository": "nginx", "tag": "latest"},
            "sidecar": {"image": {"repository": "busybox", "tag": ""}},
            "pinned": {"image": {"repository": "busybox", "tag": "1.36"}},
            "digest": {"image": {"repository": "busybox", "tag": "", "digest": "sha256:0"}},
            "job": {"image": "ghcr.io/a/b"},
            "job2": {"image": "ghcr.io/a/b:1.0"},
            "job3": {"image": "localhost:5000/b:latest"},
            "defaulted": {"image": {"repository": "x"}},
        }));
        let found: Vec<String> = floating_images(&v, "spec.values")
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f.get_attr("problem").unwrap_or_default(),
                    f.get_attr("path").unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                "latest spec.values.image.tag",
                "empty spec.values.job.image",
                "latest spec.values.job3.image",
                "empty spec.values.sidecar.image.tag",
            ]
        );
    }
}
