//! Charts: loading from files or a `.tgz`, Chart.yaml metadata and the chart tree.

pub mod archive;
pub mod dependencies;
pub mod objects;
pub mod schema;
pub mod strvals;
pub mod templates;
pub mod values;

use std::collections::BTreeMap;

use crate::api::render::SourceFile;
use crate::value::{List, Map, Value};

/// Helm's limit on the decompressed size of one chart archive.
pub const MAX_CHART_SIZE: usize = 100 << 20;
/// Helm's limit on one file inside a chart archive.
pub const MAX_FILE_SIZE: usize = 5 << 20;

/// A loaded chart and its subcharts.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Chart.yaml as parsed (YAML 1.1, keys as written).
    pub metadata: Value,
    /// `values.yaml`, or an empty map.
    pub values: Value,
    /// `values.schema.json`, if present.
    pub schema: Option<String>,
    /// `templates/**`, paths relative to the chart root.
    pub templates: Vec<SourceFile>,
    /// Every other file `.Files` sees.
    pub files: Vec<SourceFile>,
    /// `crds/*.yaml|yml|json`.
    pub crds: Vec<SourceFile>,
    /// Subcharts from `charts/`.
    pub dependencies: Vec<Chart>,
    /// The name under which the parent refers to this chart (alias or name).
    pub alias: Option<String>,
    /// Chart.yaml `dependencies` (or requirements.yaml's), as Helm's dependency processing
    /// leaves them: aliases as names, disabled ones removed, import-values normalised.
    pub requirements: Option<Vec<dependencies::Dependency>>,
}

impl Chart {
    /// The chart's name (`Chart.yaml` `name`), or its alias when the parent gave one.
    pub fn name(&self) -> String {
        if let Some(a) = &self.alias {
            return a.clone();
        }
        self.meta_str("name")
    }

    /// A string field of Chart.yaml, empty when absent.
    pub fn meta_str(&self, key: &str) -> String {
        meta_field(&self.metadata, key)
    }

    /// Whether this is a library chart (templates contribute only `_` partials).
    pub fn is_library(&self) -> bool {
        self.meta_str("type").eq_ignore_ascii_case("library")
    }
}

/// Load a chart from its files (a directory's content, paths relative to the chart root).
pub fn load_files(files: Vec<SourceFile>) -> Result<Chart, String> {
    let files = apply_helmignore(files);
    build(files)
}

/// Load a chart from a `.tgz`: the first path component is the chart directory.
pub fn load_archive(bytes: &[u8]) -> Result<Chart, String> {
    let entries = archive::read_tgz(bytes)?;
    let mut files = Vec::new();
    for (path, data) in entries {
        let mut parts = path.splitn(2, '/');
        let _top = parts.next();
        let Some(rest) = parts.next() else { continue };
        if rest.is_empty() {
            continue;
        }
        files.push(SourceFile {
            path: rest.to_string(),
            data,
        });
    }
    if files.is_empty() {
        return Err("no files in chart archive".to_string());
    }
    build(files)
}

/// `.helmignore`: a small gitignore subset (patterns, `dir/`, `!negation`, `#` comments).
fn apply_helmignore(files: Vec<SourceFile>) -> Vec<SourceFile> {
    let Some(ignore) = files.iter().find(|f| f.path == ".helmignore") else {
        return files;
    };
    let rules: Vec<String> = String::from_utf8_lossy(&ignore.data)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    files
        .into_iter()
        .filter(|f| {
            let mut ignored = false;
            for rule in &rules {
                let (neg, pat) = match rule.strip_prefix('!') {
                    Some(p) => (true, p),
                    None => (false, rule.as_str()),
                };
                if ignore_matches(pat, &f.path) {
                    ignored = !neg;
                }
            }
            !ignored
        })
        .collect()
}

fn ignore_matches(pat: &str, path: &str) -> bool {
    let dir_only = pat.ends_with('/');
    let pat = pat.trim_end_matches('/').trim_start_matches('/');
    let parts: Vec<&str> = path.split('/').collect();
    if pat.contains('/') {
        let n = pat.split('/').count();
        return (n..=parts.len()).any(|k| {
            let prefix = parts[..k].join("/");
            glob_match(pat, &prefix) && (!dir_only || k < parts.len())
        });
    }
    parts
        .iter()
        .enumerate()
        .any(|(i, p)| glob_match(pat, p) && (!dir_only || i + 1 < parts.len()))
}

/// `path.Match`-style glob: `*` and `?` do not cross `/`, `[...]` classes.
pub fn glob_match(pat: &str, s: &str) -> bool {
    fn rec(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != '/')
                .any(|i| rec(&p[1..], &s[i..])),
            Some('?') => !s.is_empty() && s[0] != '/' && rec(&p[1..], &s[1..]),
            Some('[') => {
                let Some(end) = p.iter().position(|&c| c == ']') else {
                    return false;
                };
                if s.is_empty() {
                    return false;
                }
                let class = &p[1..end];
                let (neg, class) = match class.first() {
                    Some('^' | '!') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        if class[i] <= s[0] && s[0] <= class[i + 2] {
                            hit = true;
                        }
                        i += 3;
                    } else {
                        if class[i] == s[0] {
                            hit = true;
                        }
                        i += 1;
                    }
                }
                hit != neg && rec(&p[end + 1..], &s[1..])
            }
            Some('\\') if p.len() > 1 => !s.is_empty() && s[0] == p[1] && rec(&p[2..], &s[1..]),
            Some(c) => !s.is_empty() && s[0] == *c && rec(&p[1..], &s[1..]),
        }
    }
    let p: Vec<char> = pat.chars().collect();
    let s: Vec<char> = s.chars().collect();
    rec(&p, &s)
}

fn text(f: &SourceFile) -> String {
    String::from_utf8_lossy(&f.data).into_owned()
}

fn build(files: Vec<SourceFile>) -> Result<Chart, String> {
    let mut metadata = None;
    let mut values = None;
    let mut schema = None;
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut crds = Vec::new();
    let mut sub_dirs: BTreeMap<String, Vec<SourceFile>> = BTreeMap::new();
    let mut sub_archives = Vec::new();
    let mut requirements_yaml = None;
    for f in files {
        let path = f.path.clone();
        if path == "Chart.yaml" {
            let m = crate::yaml::parse(&text(&f))
                .map_err(|e| format!("cannot load Chart.yaml: {e}"))?;
            metadata = Some(m);
        } else if path == "values.yaml" {
            // Helm 4 reads every document of values.yaml, later ones merged over earlier.
            let docs = crate::yaml::parse_all(&text(&f))
                .map_err(|e| format!("cannot load values.yaml: {e}"))?;
            let mut merged = Map::new();
            for d in docs {
                if let Value::Map(m) = d {
                    merged = values::merge_maps(&merged, &m);
                }
            }
            values = Some(Value::Map(merged));
        } else if path == "values.schema.json" {
            schema = Some(text(&f));
        } else if path == "requirements.yaml" {
            requirements_yaml = Some(f);
        } else if path == "Chart.lock" || path == "requirements.lock" {
            // Dependency locks never reach templates.
        } else if let Some(rest) = path.strip_prefix("charts/") {
            match rest.split_once('/') {
                Some((dir, inner)) => {
                    sub_dirs
                        .entry(dir.to_string())
                        .or_default()
                        .push(SourceFile {
                            path: inner.to_string(),
                            data: f.data,
                        })
                }
                None if rest.ends_with(".tgz") || rest.ends_with(".tar.gz") => sub_archives.push(f),
                None => other.push(f),
            }
        } else if path.starts_with("templates/") {
            templates.push(f);
        } else {
            if path.starts_with("crds/")
                && (path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json"))
            {
                crds.push(f.clone());
            }
            other.push(f);
        }
    }
    let Some(metadata) = metadata else {
        return Err("Chart.yaml file is missing".to_string());
    };
    let mut requirements =
        dependencies::parse_list(metadata.as_map().and_then(|m| m.get("dependencies")))?;
    if let Some(f) = requirements_yaml {
        // Helm unmarshals requirements.yaml over the metadata: its `dependencies` replace
        // Chart.yaml's. An apiVersion v1 chart also shows the file in `.Files`.
        let req = crate::yaml::parse(&text(&f))
            .map_err(|e| format!("cannot load requirements.yaml: {e}"))?;
        if let Some(deps) = req.as_map().and_then(|m| m.get("dependencies")) {
            requirements = dependencies::parse_list(Some(deps))?;
        }
        if meta_field(&metadata, "apiVersion") == "v1" {
            other.push(f);
        }
    }
    validate_metadata(&metadata, requirements.as_deref().unwrap_or_default())?;
    let mut dependencies = Vec::new();
    for (_, files) in sub_dirs {
        if files.iter().any(|f| f.path == "Chart.yaml") {
            dependencies.push(load_files(files)?);
        }
    }
    for a in sub_archives {
        dependencies.push(load_archive(&a.data).map_err(|e| format!("{}: {e}", a.path))?);
    }
    let values = match values {
        Some(Value::Map(m)) => Value::Map(m),
        _ => Value::Map(Map::new()),
    };
    templates.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Chart {
        metadata,
        values,
        schema,
        templates,
        files: other,
        crds,
        dependencies,
        alias: None,
        requirements,
    })
}

/// A string field of Chart.yaml as Helm's `Metadata` struct holds it.
fn meta_field(metadata: &Value, key: &str) -> String {
    match metadata.as_map().and_then(|m| m.get(key)) {
        Some(Value::String(s)) => s.to_string(),
        Some(Value::Float(f)) => crate::go::format_float32(f as f32, 'g', -1),
        Some(Value::Nil) | None => String::new(),
        Some(other) => crate::go::format_v(&other),
    }
}

/// Helm's `Metadata.Validate`, with its error texts.
fn validate_metadata(metadata: &Value, deps: &[dependencies::Dependency]) -> Result<(), String> {
    let api = meta_field(metadata, "apiVersion");
    if !api.is_empty() && api != "v1" && api != "v2" {
        return Err("invalid chart apiVersion".to_string());
    }
    let name = clean_string(&meta_field(metadata, "name"));
    if name.is_empty() {
        return Err("validation: chart.metadata.name is required".to_string());
    }
    if name.contains('/') {
        return Err(format!(
            "validation: chart.metadata.name {} is invalid",
            crate::go::quote(&name)
        ));
    }
    let version = clean_string(&meta_field(metadata, "version"));
    if version.is_empty() {
        return Err("validation: chart.metadata.version is required".to_string());
    }
    if crate::sprig::semver::Version::parse(&version).is_err() {
        return Err(format!(
            "validation: chart.metadata.version {} is invalid",
            crate::go::quote(&version)
        ));
    }
    let kind = meta_field(metadata, "type");
    if !(kind.is_empty() || kind == "application" || kind == "library") {
        return Err("validation: chart.metadata.type must be application or library".to_string());
    }
    let mut seen = std::collections::BTreeSet::new();
    for d in deps {
        d.validate()?;
        let key = if d.alias.is_empty() {
            &d.name
        } else {
            &d.alias
        };
        if !seen.insert(key.clone()) {
            return Err(format!(
                "validation: more than one dependency with name or alias {}",
                crate::go::quote(key)
            ));
        }
    }
    Ok(())
}

/// `.Chart` as Helm 4 shows it: a map with Go's field names of chart.Metadata plus `IsRoot`.
pub fn chart_object(c: &Chart, is_root: bool) -> Value {
    let m = c.metadata.as_map().cloned().unwrap_or_default();
    let s = |k: &str| Value::from(clean_string(&c.meta_str(k)));
    let list = |k: &str| match m.get(k) {
        Some(Value::List(l)) => Value::List(l),
        _ => Value::List(List::new(vec![])),
    };
    let mut out = BTreeMap::new();
    out.insert("APIVersion".to_string(), s("apiVersion"));
    out.insert(
        "Annotations".to_string(),
        match m.get("annotations") {
            Some(Value::Map(a)) => Value::Map(a),
            // No annotations in Chart.yaml: Go's nil map, `null` to toJson.
            _ => Value::Map(Map::typed_nil(crate::value::Elem::String)),
        },
    );
    out.insert("AppVersion".to_string(), s("appVersion"));
    out.insert("Condition".to_string(), s("condition"));
    out.insert(
        "Dependencies".to_string(),
        match &c.requirements {
            Some(reqs) => Value::list(
                reqs.iter()
                    .map(dependencies::Dependency::to_value)
                    .collect(),
            ),
            None => Value::List(List::new(vec![])),
        },
    );
    out.insert(
        "Deprecated".to_string(),
        Value::Bool(matches!(m.get("deprecated"), Some(Value::Bool(true)))),
    );
    out.insert("Description".to_string(), s("description"));
    out.insert("Home".to_string(), s("home"));
    out.insert("Icon".to_string(), s("icon"));
    out.insert("IsRoot".to_string(), Value::Bool(is_root));
    out.insert("Keywords".to_string(), list("keywords"));
    out.insert("KubeVersion".to_string(), s("kubeVersion"));
    out.insert("Maintainers".to_string(), list("maintainers"));
    out.insert("Name".to_string(), Value::from(clean_string(&c.name())));
    out.insert("Sources".to_string(), list("sources"));
    out.insert("Tags".to_string(), s("tags"));
    out.insert("Type".to_string(), s("type"));
    out.insert("Version".to_string(), s("version"));
    Value::map(out)
}

/// Helm sanitises Chart.yaml strings: every Unicode space becomes ' ', non-printables go.
fn clean_string(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_path_match() {
        assert!(glob_match("*.yaml", "a.yaml"));
        assert!(!glob_match("*.yaml", "d/a.yaml"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("[a-c]x", "bx"));
    }

    #[test]
    fn helmignore_drops_matching_files() {
        let f = |p: &str| SourceFile {
            path: p.to_string(),
            data: b"x".to_vec(),
        };
        let files = vec![
            f(".helmignore"),
            f("a.txt"),
            f("b.bak"),
            f("dir/c.txt"),
            f("dir/keep.bak"),
        ];
        let mut files = files;
        files[0].data = b"*.bak\n!keep.bak\n# comment\ndir/\n".to_vec();
        let kept: Vec<String> = apply_helmignore(files)
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(kept, vec![".helmignore", "a.txt"]);
    }
}
