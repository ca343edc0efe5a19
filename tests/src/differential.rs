//! The differential suite: template snippets rendered by the oracle (`helm template`, Helm v4.3.1)
//! and by our engine, compared byte for byte after each case's shape masks.
//!
//! Expected outputs are goldens recorded from the oracle (`scripts/record-goldens`), never from
//! our own output; `goldens_match_oracle` re-runs the oracle to prove they are not stale.

pub mod case;
pub mod chart;
pub mod engine;
pub mod golden;
pub mod oracle;
pub mod report;

use std::path::{Path, PathBuf};

use base64::Engine as _;

use case::{Case, Mode};

/// The corpus directory, `tests/differential`.
pub fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("differential")
}

/// Every `.cases` file under the corpus, sorted, so runs and goldens are reproducible.
pub fn case_files() -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "cases") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(&corpus_root(), &mut out)?;
    out.sort();
    Ok(out)
}

/// A family is a cases file's path under the corpus without its extension, e.g. `template/range`.
pub fn family_of(cases_file: &Path) -> String {
    let rel = cases_file
        .strip_prefix(corpus_root())
        .unwrap_or(cases_file)
        .with_extension("");
    rel.to_string_lossy().replace('\\', "/")
}

/// The golden file that belongs to a cases file: the same path with `.golden`.
pub fn golden_path(cases_file: &Path) -> PathBuf {
    cases_file.with_extension("golden")
}

/// One family's cases, parsed.
pub struct Family {
    pub name: String,
    pub cases_file: PathBuf,
    pub cases: Vec<Case>,
}

/// Loads every family; `filter` keeps the cases whose `family/name` contains it.
pub fn load_corpus(filter: Option<&str>) -> Result<Vec<Family>, String> {
    let mut families = Vec::new();
    for file in case_files()? {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = family_of(&file);
        let mut cases = case::parse(&format!("{name}.cases"), &text)?;
        if let Some(f) = filter {
            cases.retain(|c| format!("{name}/{}", c.name).contains(f));
        }
        families.push(Family {
            name,
            cases_file: file,
            cases,
        });
    }
    Ok(families)
}

/// What one renderer made of a case, normalised so helm and the engine compare alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// Raw mode: the snippet's output, decoded from the only document helm printed. The whole
    /// stdout is a fixed frame around it, so comparing this compares the whole stdout.
    Raw(String),
    /// The complete stdout of a successful render.
    Stdout(String),
    /// A failed render: helm's message without the CLI's `Error: ` prefix and hint.
    Error(String),
}

impl Observed {
    /// Normalises a render result. A raw-mode success whose stdout is not exactly the frame of
    /// `templates/out.yaml` stays [`Observed::Stdout`], so it still compares in full.
    pub fn from_result(mode: Mode, result: Result<String, String>) -> Observed {
        match result {
            Ok(stdout) if mode == Mode::Raw => match unframe(&stdout) {
                Some(raw) => Observed::Raw(raw),
                None => Observed::Stdout(stdout),
            },
            Ok(stdout) => Observed::Stdout(stdout),
            Err(message) => Observed::Error(message),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Observed::Raw(_) => "raw",
            Observed::Stdout(_) => "stdout",
            Observed::Error(_) => "error",
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Observed::Raw(t) | Observed::Stdout(t) | Observed::Error(t) => t,
        }
    }

    pub fn from_kind(kind: &str, text: String) -> Option<Observed> {
        match kind {
            "raw" => Some(Observed::Raw(text)),
            "stdout" => Some(Observed::Stdout(text)),
            "error" => Some(Observed::Error(text)),
            _ => None,
        }
    }

    /// The same observation with the case's masks applied.
    pub fn masked(&self, case: &Case) -> Observed {
        let text = case.mask(self.text());
        Observed::from_kind(self.kind(), text).expect("kind() names a known kind")
    }
}

/// Compares after masks; on a mismatch returns a readable explanation with a line diff.
pub fn compare(case: &Case, expected: &Observed, actual: &Observed) -> Result<(), String> {
    let (e, a) = (expected.masked(case), actual.masked(case));
    if e == a {
        return Ok(());
    }
    let mut out = String::new();
    if e.kind() != a.kind() {
        out.push_str(&format!(
            "helm gave {} but we gave {}\n--- helm ({})\n{}\n--- ours ({})\n{}\n",
            e.kind(),
            a.kind(),
            e.kind(),
            e.text(),
            a.kind(),
            a.text()
        ));
    } else {
        out.push_str(&format!("{} differs (- helm, + ours):\n", e.kind()));
        out.push_str(&report::line_diff(e.text(), a.text()));
    }
    Err(out)
}

const FRAME_RAW_PREFIX: &str = "raw: \"";

/// Inverse of the raw-mode frame: `---\n# Source: <chart>/templates/out.yaml\nraw: "<b64>"\n`.
fn unframe(stdout: &str) -> Option<String> {
    let rest = stdout.strip_prefix("---\n# Source: ")?;
    let (source, rest) = rest.split_once('\n')?;
    if !source.ends_with("/templates/out.yaml") || source.contains("/charts/") {
        return None;
    }
    let b64 = rest.strip_prefix(FRAME_RAW_PREFIX)?.strip_suffix("\"\n")?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unframes_raw_output_and_keeps_other_stdout() {
        let framed = "---\n# Source: c/templates/out.yaml\nraw: \"ICBhCg==\"\n";
        assert_eq!(
            Observed::from_result(Mode::Raw, Ok(framed.to_string())),
            Observed::Raw("  a\n".to_string())
        );
        let two = format!("{framed}---\n# Source: c/templates/x.yaml\na: 1\n");
        assert_eq!(
            Observed::from_result(Mode::Raw, Ok(two.clone())),
            Observed::Stdout(two)
        );
    }
}
