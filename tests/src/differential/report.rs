//! Reporting: per-family tables, readable diffs, the report file.

use std::path::PathBuf;

use similar::{ChangeTag, TextDiff};

/// At most this many failures are printed in full; the report file has all of them.
pub const PRINTED_FAILURES: usize = 30;

/// A line diff in which invisible differences show: each line is printed with Rust escapes, so
/// a trailing space or a missing final newline is visible.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let diff = TextDiff::from_lines(expected, actual);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
            ChangeTag::Equal => ' ',
        };
        let line = change.value();
        let shown = format!("{line:?}");
        out.push(sign);
        out.push(' ');
        out.push_str(&shown[1..shown.len() - 1]);
        out.push('\n');
    }
    out
}

/// Passed and failed counts for one family.
#[derive(Default)]
pub struct Tally {
    pub family: String,
    pub passed: usize,
    pub failed: usize,
}

pub fn table(tallies: &[Tally]) -> String {
    let width = tallies
        .iter()
        .map(|t| t.family.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!("{:<width$}  {:>6}  {:>6}\n", "family", "passed", "failed");
    for t in tallies {
        out.push_str(&format!(
            "{:<width$}  {:>6}  {:>6}\n",
            t.family, t.passed, t.failed
        ));
    }
    out
}

/// The workspace's target directory, where reports are written.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// Writes a report file under the target directory and returns its path.
pub fn write(name: &str, text: &str) -> Result<PathBuf, String> {
    let dir = target_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
