//! Running the oracle, Helm v4.3.1 `helm template`, over cases.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Observed;
use super::case::Case;
use super::chart;

/// The oracle, located and checked as every suite does (the test toolkit's).
pub use test_support::helm::{HELM_VERSION, locate, version};

/// Appended by `helm template` to errors raised while rendering; it is CLI advice, not part of
/// the error, so it is stripped and the engine does not produce it.
pub const DEBUG_HINT: &str = "\n\nUse --debug flag to render out invalid YAML";

/// Two helm processes at a time: the machine's cores are shared.
pub const JOBS: usize = 2;

static SCRATCH_SEQ: AtomicUsize = AtomicUsize::new(0);

/// Runs `helm template <release> c <flags>` on the case's chart. The outer error is a harness
/// failure (helm could not run or printed something unexpected), never a case result.
pub fn run(helm: &Path, case: &Case) -> Result<Observed, String> {
    let dir = std::env::temp_dir().join(format!(
        "planton-diff-{}-{}",
        std::process::id(),
        SCRATCH_SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let result = run_in(helm, case, &dir);
    // Best effort: a leftover scratch dir in the temp dir is harmless.
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_in(helm: &Path, case: &Case, dir: &Path) -> Result<Observed, String> {
    let chart_dir = dir.join(chart::CHART_NAME);
    for (path, data) in chart::files(case) {
        let file = chart_dir.join(&path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&file, data).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let home = dir.join("helm-home");
    let out = Command::new(helm)
        .current_dir(dir)
        .arg("template")
        .arg(&case.release)
        .arg(chart::CHART_NAME)
        .args(&case.flags.args)
        // Keep the user's helm repositories, plugins and registry logins out of the oracle.
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env_remove("KUBECONFIG")
        // Date functions format in the local zone; the engine's hosts run in UTC.
        .env("TZ", "UTC")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", helm.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        if !stderr.is_empty() {
            return Err(format!(
                "case {}: helm succeeded but wrote to stderr: {stderr}",
                case.name
            ));
        }
        return Ok(Observed::from_result(case.mode, Ok(stdout)));
    }
    let message = error_message(&stderr).ok_or_else(|| {
        format!(
            "case {}: helm failed ({}) with unexpected stderr: {stderr:?}",
            case.name, out.status
        )
    })?;
    if !stdout.is_empty() {
        return Err(format!(
            "case {}: helm failed but also printed to stdout: {stdout:?}",
            case.name
        ));
    }
    Ok(Observed::from_result(case.mode, Err(message)))
}

/// helm's stderr on failure is `Error: <message>\n`, with [`DEBUG_HINT`] before the final
/// newline when the error came from rendering.
pub fn error_message(stderr: &str) -> Option<String> {
    let body = stderr.strip_prefix("Error: ")?.strip_suffix('\n')?;
    Some(body.strip_suffix(DEBUG_HINT).unwrap_or(body).to_string())
}

/// Runs every case on [`JOBS`] threads; results come back in input order.
pub fn run_all(helm: &Path, cases: &[&Case]) -> Vec<Result<Observed, String>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Observed, String>>>> = Mutex::new(vec![None; cases.len()]);
    std::thread::scope(|s| {
        for _ in 0..JOBS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let r = run(helm, case);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("harness: case was not run".to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_strips_prefix_and_hint() {
        assert_eq!(
            error_message("Error: a\n  b\n\nUse --debug flag to render out invalid YAML\n"),
            Some("a\n  b".to_string())
        );
        assert_eq!(
            error_message("Error: cannot load values.yaml\n"),
            Some("cannot load values.yaml".to_string())
        );
        assert_eq!(error_message("panic: x\n"), None);
    }
}
