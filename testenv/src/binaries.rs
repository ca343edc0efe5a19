//! Finding the control-plane binaries: `$PLANTON_CONTROL_PLANE` if set (what scripts/test.sh
//! exports), else whatever `scripts/install-control-plane.sh` prints (it builds on first use and
//! is instant once cached).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::Error;

const BINARIES: [&str; 3] = ["etcd", "kube-apiserver", "kube-controller-manager"];

fn workspace_root() -> &'static Path {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir)
}

/// `$CARGO_TARGET_DIR`, else the workspace's `target/`.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The directory holding `etcd`, `kube-apiserver` and `kube-controller-manager`, building them
/// (once per process) if need be.
pub fn binaries_dir() -> Result<PathBuf, Error> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(locate).clone().map_err(Error::new)
}

fn locate() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("PLANTON_CONTROL_PLANE") {
        Some(d) => PathBuf::from(d),
        None => install()?,
    };
    for b in BINARIES {
        if !dir.join(b).is_file() {
            return Err(format!(
                "{} has no {b}; run scripts/install-control-plane.sh and set PLANTON_CONTROL_PLANE \
                 to the directory it prints (or unset it)",
                dir.display()
            ));
        }
    }
    Ok(dir)
}

fn install() -> Result<PathBuf, String> {
    let script = workspace_root().join("scripts/install-control-plane.sh");
    let out = Command::new(&script)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed ({}); its messages are above. Set PLANTON_CONTROL_PLANE to a directory \
             with {} to use binaries built elsewhere",
            script.display(),
            out.status,
            BINARIES.join(", ")
        ));
    }
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if dir.is_empty() {
        return Err(format!("{} printed no directory", script.display()));
    }
    Ok(PathBuf::from(dir))
}
