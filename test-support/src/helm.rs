//! The oracle: the real helm v4.3.1 whose output the project matches byte for byte. Found at
//! `$PLANTON_HELM`, else where `scripts/install-helm.sh` puts it, and checked to be that version
//! (goldens from another helm would be wrong, not merely different).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::temp::{TempDir, cache_root};

/// The helm version the goldens come from.
pub const HELM_VERSION: &str = "v4.3.1";

/// The oracle binary, located and checked once per process ([`locate`]).
pub fn oracle() -> Result<&'static Path, String> {
    static ORACLE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    ORACLE
        .get_or_init(locate)
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(Clone::clone)
}

/// The oracle binary: `$PLANTON_HELM`, else where `scripts/install-helm.sh` puts it; an error
/// that says what to do when it is missing or another version.
pub fn locate() -> Result<PathBuf, String> {
    let path = match std::env::var_os("PLANTON_HELM") {
        Some(p) => PathBuf::from(p),
        None => cache_root().join(format!("helm-{HELM_VERSION}/helm")),
    };
    if !path.is_file() {
        return Err(format!(
            "the oracle helm {HELM_VERSION} is not at {}.\n\
             Install it with `scripts/install-helm.sh` (or point $PLANTON_HELM at a helm {HELM_VERSION} binary).",
            path.display()
        ));
    }
    let version = version(&path)?;
    if version != HELM_VERSION {
        return Err(format!(
            "{} is helm {version}, but the goldens come from helm {HELM_VERSION}; \
             run `scripts/install-helm.sh` and unset $PLANTON_HELM or point it at {HELM_VERSION}",
            path.display()
        ));
    }
    Ok(path)
}

/// `helm version --template {{ .Version }}`.
pub fn version(helm: &Path) -> Result<String, String> {
    let out = Command::new(helm)
        .args(["version", "--template", "{{ .Version }}"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", helm.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} version failed: {}",
            helm.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The oracle helm, run with its own config, cache and data dirs so the user's are untouched.
pub struct Helm {
    bin: PathBuf,
    home: TempDir,
}

impl Helm {
    /// The oracle ([`oracle`]); panics with what to install when it is missing or not
    /// [`HELM_VERSION`].
    pub fn new() -> Self {
        Helm {
            bin: oracle().unwrap_or_else(|e| panic!("{e}")).to_path_buf(),
            home: TempDir::new("helm-home"),
        }
    }

    pub fn bin(&self) -> &Path {
        &self.bin
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        let h = self.home.path();
        c.env("HELM_CONFIG_HOME", h.join("config"))
            .env("HELM_CACHE_HOME", h.join("cache"))
            .env("HELM_DATA_HOME", h.join("data"))
            .env_remove("HELM_DEBUG");
        c
    }

    /// Runs helm and returns stdout; panics with stderr when it fails.
    pub fn run(&self, args: &[&str]) -> String {
        self.run_in(None, args)
    }

    pub fn run_in(&self, dir: Option<&Path>, args: &[&str]) -> String {
        let mut c = self.command();
        c.args(args);
        if let Some(d) = dir {
            c.current_dir(d);
        }
        let out = c.output().expect("run helm");
        assert!(
            out.status.success(),
            "helm {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// `helm package DIR --version V -d DEST`, returning the archive's path.
    pub fn package(&self, chart_dir: &Path, version: &str, dest: &Path) -> PathBuf {
        std::fs::create_dir_all(dest).expect("mkdir");
        let out = self.run(&[
            "package",
            chart_dir.to_str().expect("utf-8 path"),
            "--version",
            version,
            "-d",
            dest.to_str().expect("utf-8 path"),
        ]);
        let path = out
            .trim()
            .rsplit(": ")
            .next()
            .expect("helm package names the archive");
        PathBuf::from(path)
    }
}

impl Default for Helm {
    fn default() -> Self {
        Helm::new()
    }
}
