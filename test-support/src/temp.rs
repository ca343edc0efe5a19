//! Scratch directories under the build's target dir, and the test tools the project's scripts
//! install into `~/.cache/planton-helm`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static SEQ: AtomicU64 = AtomicU64::new(0);

/// A fresh directory under `target/tmp`, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir = target_tmp().join(format!(
            "chart-source-{tag}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `target/tmp`, where cargo's `CARGO_TARGET_TMPDIR` points integration tests: found from the
/// running test or bench (`target/<profile>/deps/<exe>`), since a library is not given that
/// variable; the system temp dir when the executable lives elsewhere.
fn target_tmp() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let deps = exe.parent()?;
            (deps.file_name()? == "deps").then(|| deps.parent()?.parent().map(|t| t.join("tmp")))?
        })
        .unwrap_or_else(std::env::temp_dir)
}

/// `$PLANTON_CACHE`, else `~/.cache/planton-helm`: where `scripts/install-*.sh` put the tools.
pub fn cache_root() -> PathBuf {
    std::env::var_os("PLANTON_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/planton-helm")
        })
}

/// A tool: `$env`, else `default` under [`cache_root`]; panics naming the install script when
/// it is missing.
pub fn tool(env: &str, default: &str, install: &str) -> PathBuf {
    let path = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| cache_root().join(default));
    assert!(
        path.exists(),
        "{} not found; run scripts/{install} (or set ${env})",
        path.display()
    );
    path
}
