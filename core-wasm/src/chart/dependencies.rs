//! Dependencies as Helm 4 processes them before rendering: charts in `charts/` matched to
//! Chart.yaml `dependencies` by name and version, aliases, `tags` and `condition`, disabled
//! charts removed (recursively), then `import-values` from children into parents.
//!
//! This mirrors Helm's `ProcessDependencies` step by step, including its quirks: a condition is
//! a comma list whose first path that resolves to a bool wins (paths are not trimmed), tags are
//! read from the top of the values the level was coalesced with, and a chart in `charts/` that
//! no dependency entry matches is kept as it is.

use std::collections::BTreeMap;

use super::Chart;
use super::values::{coalesce_tables_into, coalesce_values, path_to_map, table, trim_nil_values};
use crate::value::{List, Map, Value};

/// One entry of Chart.yaml `dependencies` (Helm's `chart.Dependency`).
#[derive(Debug, Clone, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub import_values: Vec<Value>,
    pub alias: String,
}

fn field(m: &Map, key: &str) -> String {
    match m.get(key) {
        Some(Value::String(s)) => s.to_string(),
        Some(Value::Nil) | None => String::new(),
        Some(Value::Float(f)) => crate::go::format_float(f, 'g', -1),
        Some(other) => crate::go::format_v(&other),
    }
}

/// Parse a `dependencies` list; `None` when the chart has none (Helm's nil slice).
pub fn parse_list(v: Option<Value>) -> Result<Option<Vec<Dependency>>, String> {
    let list = match v {
        None | Some(Value::Nil) => return Ok(None),
        Some(Value::List(l)) => l,
        Some(_) => {
            return Err(
                "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: \
                 cannot unmarshal object into Go struct field Metadata.dependencies of type \
                 []*chart.Dependency"
                    .to_string(),
            );
        }
    };
    let mut out = Vec::new();
    for item in list.iter() {
        let Some(m) = item.as_map() else { continue };
        let tags = match m.get("tags") {
            Some(Value::List(l)) => l.iter().map(crate::go::format_v).collect(),
            _ => Vec::new(),
        };
        let import_values = match m.get("import-values") {
            Some(Value::List(l)) => l.items.to_vec(),
            _ => Vec::new(),
        };
        out.push(Dependency {
            name: field(m, "name"),
            version: field(m, "version"),
            repository: field(m, "repository"),
            condition: field(m, "condition"),
            tags,
            enabled: matches!(m.get("enabled"), Some(Value::Bool(true))),
            import_values,
            alias: field(m, "alias"),
        });
    }
    Ok(Some(out))
}

impl Dependency {
    /// Helm's `Dependency.Validate`.
    pub fn validate(&self) -> Result<(), String> {
        if !self.alias.is_empty()
            && !self
                .alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "validation: dependency {} has disallowed characters in the alias",
                crate::go::quote(&self.name)
            ));
        }
        Ok(())
    }

    /// The dependency as `.Chart.Dependencies` shows it: a map with Go's field names.
    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("Alias".to_string(), Value::from(self.alias.clone()));
        m.insert("Condition".to_string(), Value::from(self.condition.clone()));
        m.insert("Enabled".to_string(), Value::Bool(self.enabled));
        m.insert(
            "ImportValues".to_string(),
            Value::List(List::new(self.import_values.clone())),
        );
        m.insert("Name".to_string(), Value::from(self.name.clone()));
        m.insert(
            "Repository".to_string(),
            Value::from(self.repository.clone()),
        );
        m.insert(
            "Tags".to_string(),
            Value::List(List::new(
                self.tags.iter().map(|t| Value::from(t.clone())).collect(),
            )),
        );
        m.insert("Version".to_string(), Value::from(self.version.clone()));
        Value::map(m)
    }
}

/// Helm's `IsCompatibleRange`: whether `version` satisfies the constraint (false when either
/// does not parse).
fn compatible(constraint: &str, version: &str) -> bool {
    use crate::sprig::semver::{Constraints, Version};
    let Ok(v) = Version::parse(version) else {
        return false;
    };
    let Ok(c) = Constraints::parse(constraint) else {
        return false;
    };
    c.check(&v)
}

/// `action.CheckDependencies`: every Chart.yaml dependency must be in `charts/`.
pub fn check_present(chart: &Chart) -> Result<(), String> {
    let Some(reqs) = &chart.requirements else {
        return Ok(());
    };
    let missing: Vec<&str> = reqs
        .iter()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "an error occurred while checking for chart dependencies. You may need to run 'helm \
         dependency build' to fetch missing dependencies: found in Chart.yaml, but missing in \
         charts/ directory: {}",
        missing.join(", ")
    ))
}

/// Helm's `ProcessDependencies`: enable/disable, then import values.
/// Helm's warnings (an import-values table that is not there) go to `logs`.
pub fn process(chart: &mut Chart, user: &Map, logs: &mut Vec<String>) -> Result<(), String> {
    process_enabled(chart, user, "")?;
    process_imports(chart, logs)
}

/// `PathValue`: the value at a dotted path when it exists and is not a table.
fn path_value(values: &Map, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (key, parents) = parts.split_last()?;
    let t = if parents.is_empty() {
        values.clone()
    } else {
        table(values, &parents.join("."))?
    };
    match t.get(key) {
        Some(Value::Map(_)) | None => None,
        Some(v) => Some(v),
    }
}

fn process_enabled(c: &mut Chart, v: &Map, path: &str) -> Result<(), String> {
    let Some(mut reqs) = c.requirements.take() else {
        return Ok(());
    };
    let existing = std::mem::take(&mut c.dependencies);
    let mut deps: Vec<Chart> = existing
        .iter()
        .filter(|e| {
            !reqs
                .iter()
                .any(|r| e.name() == r.name && compatible(&r.version, &e.meta_str("version")))
        })
        .cloned()
        .collect();
    for r in reqs.iter_mut() {
        if let Some(found) = existing
            .iter()
            .find(|e| e.name() == r.name && compatible(&r.version, &e.meta_str("version")))
        {
            let mut copy = found.clone();
            if !r.alias.is_empty() {
                copy.alias = Some(r.alias.clone());
            }
            deps.push(copy);
        }
        if !r.alias.is_empty() {
            r.name = r.alias.clone();
        }
    }
    c.dependencies = deps;
    for r in reqs.iter_mut() {
        r.enabled = true;
    }
    let cvals = coalesce_values(c, v, false)?;
    if let Some(tags) = table(&cvals, "tags") {
        for r in reqs.iter_mut() {
            let (mut has_true, mut has_false) = (false, false);
            for t in &r.tags {
                match tags.get(t) {
                    Some(Value::Bool(true)) => has_true = true,
                    Some(Value::Bool(false)) => has_false = true,
                    _ => {}
                }
            }
            r.enabled = has_true || !has_false;
        }
    }
    for r in reqs.iter_mut() {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            if let Some(Value::Bool(b)) = path_value(&cvals, &format!("{path}{cond}")) {
                r.enabled = b;
                break;
            }
        }
    }
    let removed: Vec<String> = reqs
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies.retain(|d| !removed.contains(&d.name()));
    reqs.retain(|r| !removed.contains(&r.name));
    for d in c.dependencies.iter_mut() {
        let sub_path = format!("{path}{}.", d.name());
        process_enabled(d, &cvals, &sub_path)?;
    }
    c.requirements = Some(reqs);
    Ok(())
}

fn process_imports(c: &mut Chart, logs: &mut Vec<String>) -> Result<(), String> {
    for d in c.dependencies.iter_mut() {
        process_imports(d, logs)?;
    }
    let Some(mut reqs) = c.requirements.take() else {
        return Ok(());
    };
    // Helm 4.3.1 imports with coalescing (nulls trimmed), not merging: a chart default of
    // `null` does not survive into the parent (see tests/charts `observability-*`).
    let cvals = coalesce_values(c, &Map::new(), false)?;
    trim_nil_values(&cvals);
    let mut b = Map::new();
    for r in reqs.iter_mut() {
        let mut out = Vec::new();
        for iv in &r.import_values {
            let (child, parent, from_map) = match iv {
                Value::Map(m) => (
                    crate::go::format_v(&m.get("child").unwrap_or(Value::Nil)),
                    crate::go::format_v(&m.get("parent").unwrap_or(Value::Nil)),
                    true,
                ),
                Value::String(s) => (format!("exports.{s}"), ".".to_string(), false),
                _ => continue,
            };
            let mut pair = BTreeMap::new();
            pair.insert("child".to_string(), Value::from(child.clone()));
            pair.insert("parent".to_string(), Value::from(parent.clone()));
            out.push(Value::Map(Map::typed(pair, crate::value::Elem::String)));
            let vv =
                match crate::chart::values::table_lookup(&cvals, &format!("{}.{child}", r.name)) {
                    Ok(vv) => vv,
                    Err(key) => {
                        let error = crate::go::slog_value(&format!(
                            "{} is not a table",
                            crate::go::quote(&key)
                        ));
                        logs.push(if from_map {
                            format!(
                                "level=WARN msg=\"ImportValues missing table from chart\" chart={} \
                             error={error}",
                                crate::go::slog_value(&r.name)
                            )
                        } else {
                            format!("level=WARN msg=\"ImportValues missing table\" error={error}")
                        });
                        continue;
                    }
                };
            b = coalesce_tables_into(&b, &path_to_map(&parent, &vv));
        }
        r.import_values = out;
    }
    let cvals = match Value::Map(cvals).deep_copy() {
        Value::Map(m) => m,
        _ => Map::new(),
    };
    c.values = Value::Map(coalesce_tables_into(&cvals, &b));
    c.requirements = Some(reqs);
    Ok(())
}
