//! Known-failures lists: the cases of a suite that do not match the oracle yet, one per line as
//! `NAME: cause` (`#` starts a comment line). Suites use them as ratchets: a failing case not on
//! the list fails, and so does a listed case that now passes.

use std::collections::BTreeMap;
use std::path::Path;

/// The list at `path` as name -> cause (empty when the file does not exist).
pub fn known_failures(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(':') {
            Some((name, cause)) => (name.trim().to_string(), cause.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}
