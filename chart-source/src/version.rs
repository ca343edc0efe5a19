//! Chart versions: exact matching, the nearest versions for error messages, and the version
//! ranges Chart.yaml dependencies may use (Masterminds/semver syntax, as Helm reads them).

use semver::{Version, VersionReq};

/// Parses a version as Helm does, leniently: a leading `v` and missing minor or patch are allowed.
pub(crate) fn parse(v: &str) -> Option<Version> {
    let v = v.trim().trim_start_matches(['v', 'V']);
    if let Ok(parsed) = Version::parse(v) {
        return Some(parsed);
    }
    let split = v.find(['-', '+']).unwrap_or(v.len());
    let (core, rest) = v.split_at(split);
    let parts = core.split('.').count();
    let padded = match parts {
        1 => format!("{core}.0.0{rest}"),
        2 => format!("{core}.0{rest}"),
        _ => return None,
    };
    Version::parse(&padded).ok()
}

/// Whether two version strings name the same version (build metadata included).
pub(crate) fn same(a: &str, b: &str) -> bool {
    a == b || matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

/// Up to `n` versions of `all` closest to `wanted` in SemVer order, lowest first.
pub(crate) fn nearest(all: &[String], wanted: &str, n: usize) -> Vec<String> {
    let mut sorted: Vec<(Version, &String)> =
        all.iter().filter_map(|s| Some((parse(s)?, s))).collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let Some(target) = parse(wanted) else {
        return sorted
            .iter()
            .rev()
            .take(n)
            .rev()
            .map(|(_, s)| (*s).clone())
            .collect();
    };
    let at = sorted.partition_point(|(v, _)| *v < target);
    let start = at.saturating_sub(n / 2).min(sorted.len().saturating_sub(n));
    sorted[start..(start + n).min(sorted.len())]
        .iter()
        .map(|(_, s)| (*s).clone())
        .collect()
}

/// A dependency's version constraint, as Helm's Masterminds/semver reads it.
#[derive(Debug)]
pub(crate) struct Constraint {
    alternatives: Vec<VersionReq>,
}

impl Constraint {
    /// Parses `^1.2`, `~1.2.3`, `>=1.0 <2.0`, `1.2 - 1.4`, `1.x`, `*`, `a || b`, and a bare version
    /// (which, unlike Cargo, means exactly that version).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut alternatives = Vec::new();
        for alt in text.split("||") {
            let terms = translate(alt.trim())?;
            let req = VersionReq::parse(&terms)
                .map_err(|e| format!("version constraint {text:?} does not parse: {e}"))?;
            alternatives.push(req);
        }
        Ok(Constraint { alternatives })
    }

    /// The highest of `versions` that satisfies the constraint.
    pub fn best<'a>(&self, versions: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        versions
            .into_iter()
            .filter_map(|s| Some((parse(s)?, s)))
            .filter(|(v, _)| self.alternatives.iter().any(|r| r.matches(v)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, s)| s)
    }
}

/// One alternative of a Masterminds constraint in `semver::VersionReq` syntax.
fn translate(alt: &str) -> Result<String, String> {
    if alt.is_empty() || alt == "*" || alt.eq_ignore_ascii_case("x") {
        return Ok("*".to_string());
    }
    if let Some((low, high)) = alt.split_once(" - ") {
        return Ok(format!(">={}, <={}", fill(low.trim()), fill(high.trim())));
    }
    // Terms are separated by commas or spaces; an operator may be followed by a space.
    let mut terms: Vec<String> = Vec::new();
    let mut pending_op: Option<String> = None;
    for token in alt.split([',', ' ']).filter(|t| !t.is_empty()) {
        if token.chars().all(|c| "<>=!~^".contains(c)) {
            pending_op = Some(token.to_string());
            continue;
        }
        let token = match pending_op.take() {
            Some(op) => format!("{op}{token}"),
            None => token.to_string(),
        };
        let op_len = token
            .find(|c: char| !"<>=!~^".contains(c))
            .unwrap_or(token.len());
        let (op, v) = token.split_at(op_len);
        let v = v.trim_start_matches(['v', 'V']);
        if op == "!=" {
            return Err(format!(
                "version constraint {alt:?}: != is not supported; use a range"
            ));
        }
        let wildcard = v
            .split(['-', '+'])
            .next()
            .unwrap_or("")
            .split('.')
            .any(|p| p == "*" || p.eq_ignore_ascii_case("x"));
        let op = match op {
            "" if wildcard => "",
            "" | "=" => "=",
            "~>" => "~",
            other => other,
        };
        terms.push(format!("{op}{v}"));
    }
    Ok(terms.join(", "))
}

fn fill(v: &str) -> String {
    parse(v).map_or_else(|| v.to_string(), |p| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn exact_versions_compare_as_semver() {
        assert!(same("1.2.3", "v1.2.3"));
        assert!(same("1.2.3+build.1", "1.2.3+build.1"));
        assert!(!same("1.2.3+build.1", "1.2.3+build.2"));
        assert!(!same("1.2.3", "1.2.4"));
    }

    #[test]
    fn nearest_takes_neighbours_on_both_sides() {
        let all = s(&[
            "0.1.0", "1.0.0", "1.1.0", "1.2.0", "1.3.0", "2.0.0", "3.0.0",
        ]);
        assert_eq!(
            nearest(&all, "1.2.5", 4),
            s(&["1.1.0", "1.2.0", "1.3.0", "2.0.0"])
        );
        assert_eq!(nearest(&all, "0.0.1", 3), s(&["0.1.0", "1.0.0", "1.1.0"]));
        assert_eq!(nearest(&all, "9.0.0", 2), s(&["2.0.0", "3.0.0"]));
        assert_eq!(nearest(&all, "latest", 2), s(&["2.0.0", "3.0.0"]));
    }

    #[test]
    fn constraints_read_as_helm_reads_them() {
        let versions = ["1.0.0", "1.2.0", "1.2.7", "1.9.0", "2.0.0", "2.1.0-rc.1"];
        let best = |c: &str| {
            Constraint::parse(c)
                .expect("parses")
                .best(versions.iter().copied())
                .map(str::to_string)
        };
        assert_eq!(best("1.2.0").as_deref(), Some("1.2.0"));
        assert_eq!(best("^1.2.0").as_deref(), Some("1.9.0"));
        assert_eq!(best("~1.2.0").as_deref(), Some("1.2.7"));
        assert_eq!(best(">= 1.0.0, < 2.0.0").as_deref(), Some("1.9.0"));
        assert_eq!(best(">=1.0.0 <1.5.0").as_deref(), Some("1.2.7"));
        assert_eq!(best("1.2.x").as_deref(), Some("1.2.7"));
        assert_eq!(best("1.0.0 - 1.2.0").as_deref(), Some("1.2.0"));
        assert_eq!(best("*").as_deref(), Some("2.0.0"));
        assert_eq!(best("^3.0.0 || ~1.0.0").as_deref(), Some("1.0.0"));
        assert_eq!(best("^5").as_deref(), None);
    }
}
