//! The chart suite: every case of `tests/charts-suite/cases.txt` run through the real
//! `planton-helm template` binary and compared with what helm v4.3.1 printed for it (the goldens
//! recorded by `scripts/record-suite-goldens`). Stdout must be byte-identical; when helm failed,
//! our exit code must be non-zero and stderr identical.
//!
//! `tests/charts-suite/known-failures.txt` lists the cases that do not match yet, one per line as
//! `NAME: cause`. It is a ratchet: a failing case not on it fails this test, and so does a listed
//! case that now matches. `CHARTS_UPDATE_KNOWN=1` rewrites the list from this run (keeping the
//! causes already written). `CHARTS_FILTER=word` runs only the cases whose name contains it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;
use test_support::{known_failures, shell_words};

struct Case {
    name: String,
    chart: String,
    release: String,
    namespace: String,
    flags: Vec<String>,
    masks: Vec<Regex>,
    line: usize,
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/charts-suite")
}

fn load_cases() -> Vec<Case> {
    let path = suite_dir().join("cases.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut cases: Vec<Case> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let words = shell_words(line)
            .unwrap_or_else(|e| panic!("cases.txt:{line_no}: {e}; fix the quoting"));
        let [name, chart, release, namespace, rest @ ..] = words.as_slice() else {
            panic!("cases.txt:{line_no}: expected NAME CHART RELEASE NAMESPACE [FLAGS...]");
        };
        assert!(
            !cases.iter().any(|c| &c.name == name),
            "cases.txt:{line_no}: case {name} is defined twice; rename one"
        );
        let mut flags = Vec::new();
        let mut masks = Vec::new();
        for w in rest {
            match w.strip_prefix("@mask=") {
                Some(re) => {
                    masks.push(Regex::new(re).unwrap_or_else(|e| {
                        panic!("cases.txt:{line_no}: bad @mask regex {re}: {e}")
                    }))
                }
                None => flags.push(w.clone()),
            }
        }
        cases.push(Case {
            name: name.clone(),
            chart: chart.clone(),
            release: release.clone(),
            namespace: namespace.clone(),
            flags,
            masks,
            line: line_no,
        });
    }
    cases
}

struct Golden {
    stdout: String,
    stderr: String,
    exit: i32,
}

fn golden(name: &str) -> Result<Golden, String> {
    let dir = suite_dir().join("goldens");
    let read = |ext: &str| {
        std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).map_err(|e| {
            format!("no golden goldens/{name}.{ext} ({e}); run scripts/record-suite-goldens {name}")
        })
    };
    let exit = read("exit")?;
    Ok(Golden {
        stdout: read("stdout")?,
        stderr: read("stderr")?,
        exit: exit
            .trim()
            .parse()
            .map_err(|_| format!("goldens/{name}.exit is not a number"))?,
    })
}

fn mask(case: &Case, text: &str) -> String {
    case.masks.iter().fold(text.to_string(), |t, re| {
        re.replace_all(&t, "<masked>").into_owned()
    })
}

/// The first line where two texts differ, with a little context, for the report.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let i = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let show = |v: &[&str]| {
        v.iter()
            .skip(i.saturating_sub(2))
            .take(5)
            .map(|l| format!("      | {l}\n"))
            .collect::<String>()
    };
    format!(
        "    first difference at line {} (helm {} lines, ours {} lines)\n    helm:\n{}    ours:\n{}",
        i + 1,
        e.len(),
        a.len(),
        show(&e),
        show(&a)
    )
}

fn run_case(case: &Case) -> Result<(), String> {
    let golden = golden(&case.name)?;
    let out = Command::new(env!("CARGO_BIN_EXE_planton-helm"))
        .current_dir(suite_dir())
        .arg("template")
        // RELEASE `-`: no NAME argument (for --generate-name and --name-template).
        .args((case.release != "-").then_some(&case.release))
        .args([&case.chart, "--namespace", &case.namespace])
        .args(&case.flags)
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("TZ", "UTC")
        .output()
        .map_err(|e| format!("cannot run planton-helm: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if golden.exit == 0 {
        if !out.status.success() {
            return Err(format!(
                "helm succeeded, we failed ({}):\n    {}",
                out.status,
                stderr.trim_end()
            ));
        }
    } else {
        if out.status.success() {
            return Err(format!(
                "helm failed (exit {}), we succeeded; helm said:\n    {}",
                golden.exit,
                golden.stderr.trim_end()
            ));
        }
        if mask(case, &stderr) != mask(case, &golden.stderr) {
            return Err(format!(
                "stderr differs:\n    helm: {}\n    ours: {}",
                golden.stderr.trim_end(),
                stderr.trim_end()
            ));
        }
    }
    let (expected, actual) = (mask(case, &golden.stdout), mask(case, &stdout));
    if expected != actual {
        return Err(format!(
            "stdout differs\n{}",
            first_difference(&expected, &actual)
        ));
    }
    Ok(())
}

#[test]
fn charts_render_exactly_as_helm_template() {
    let filter = std::env::var("CHARTS_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let known_path = suite_dir().join("known-failures.txt");
    let known = known_failures(&known_path);
    let cases = load_cases();
    assert!(
        cases.len() >= 40,
        "the suite has only {} cases",
        cases.len()
    );
    for name in known.keys() {
        assert!(
            cases.iter().any(|c| &c.name == name),
            "known-failures.txt lists {name}, which is not a case of cases.txt; remove it"
        );
    }
    let (mut passed, mut known_failed) = (0usize, 0usize);
    let mut problems = Vec::new();
    let mut failing = BTreeMap::new();
    for case in &cases {
        if filter
            .as_ref()
            .is_some_and(|f| !case.name.contains(f.as_str()))
        {
            continue;
        }
        match run_case(case) {
            Ok(()) => {
                passed += 1;
                if known.contains_key(&case.name) {
                    problems.push(format!(
                        "STALE {}: matches helm now; remove it from tests/charts-suite/known-failures.txt",
                        case.name
                    ));
                }
            }
            Err(why) => {
                let cause = known.get(&case.name).cloned();
                failing.insert(case.name.clone(), cause.clone().unwrap_or_default());
                if cause.is_some() {
                    known_failed += 1;
                } else {
                    problems.push(format!(
                        "FAIL {} (cases.txt:{}): {}",
                        case.name, case.line, why
                    ));
                }
            }
        }
    }
    if std::env::var("CHARTS_UPDATE_KNOWN").is_ok_and(|v| v == "1") && filter.is_none() {
        let mut text = String::from(
            "# Chart-suite cases whose output does not match helm yet, as `NAME: cause`.\n\
             # A ratchet: see host-cli/tests/charts_suite.rs.\n",
        );
        for (name, cause) in &failing {
            let cause = if cause.is_empty() {
                "cause not yet found"
            } else {
                cause
            };
            text.push_str(&format!("{name}: {cause}\n"));
        }
        std::fs::write(&known_path, text).expect("write known-failures.txt");
        println!(
            "rewrote {} with {} cases",
            known_path.display(),
            failing.len()
        );
        return;
    }
    println!(
        "charts-suite: {passed} match helm, {known_failed} known divergences, {} problems",
        problems.len()
    );
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n\n"));
}
