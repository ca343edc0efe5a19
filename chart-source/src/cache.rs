//! The content-addressed chart cache.
//!
//! ```text
//! <dir>/blobs/sha256/<hex>                         chart archives, named by their SHA-256
//! <dir>/refs/<sha256(repo)[..32]>/<name>/<version>  "sha256:<hex>\n": which archive a version is
//! <dir>/refs/<sha256(repo)[..32]>/repo             the repository URL, for people reading the tree
//! ```
//!
//! Archives are written to a temporary file and renamed into place, so readers never see half a
//! file and two processes filling the same entry agree. Every read re-hashes the archive: a
//! damaged cache entry is reported as missing, never rendered.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A cache directory. Cheap to clone; holds no open files.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(data)))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

impl Cache {
    /// A cache rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// `$XDG_CACHE_HOME/planton-helm/charts`, else `$HOME/.cache/planton-helm/charts`.
    pub fn default_dir() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            })?;
        Some(base.join("planton-helm").join("charts"))
    }

    /// The cache's root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn repo_dir(&self, repo: &str) -> PathBuf {
        let key = hex(&Sha256::digest(repo.trim_end_matches('/').as_bytes()));
        self.dir.join("refs").join(&key[..32])
    }

    fn blob_path(&self, digest: &str) -> Option<PathBuf> {
        let hex = digest.strip_prefix("sha256:")?;
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.dir.join("blobs").join("sha256").join(hex))
    }

    /// The archive cached for `repo`, `name`, `version`, if present and intact.
    pub fn get(&self, repo: &str, name: &str, version: &str) -> Option<(Vec<u8>, String)> {
        if !safe_component(name) || !safe_component(version) {
            return None;
        }
        let reference = self.repo_dir(repo).join(name).join(version);
        let digest = std::fs::read_to_string(reference).ok()?.trim().to_string();
        let data = std::fs::read(self.blob_path(&digest)?).ok()?;
        (sha256_digest(&data) == digest).then_some((data, digest))
    }

    /// The versions of `name` cached for `repo`.
    pub fn versions(&self, repo: &str, name: &str) -> Vec<String> {
        if !safe_component(name) {
            return Vec::new();
        }
        let Ok(entries) = std::fs::read_dir(self.repo_dir(repo).join(name)) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.'))
            .collect()
    }

    /// Stores `data` as the archive of `repo`, `name`, `version`; returns its digest.
    pub fn put(&self, repo: &str, name: &str, version: &str, data: &[u8]) -> Result<String> {
        let digest = sha256_digest(data);
        if !safe_component(name) || !safe_component(version) {
            return Err(Error::InvalidRepo {
                repo: repo.to_string(),
                reason: format!("chart name {name:?} or version {version:?} is not a plain name"),
            });
        }
        let blob = self.blob_path(&digest).expect("a sha256 digest");
        if !blob.exists() {
            write_atomic(&blob, data)?;
        }
        let repo_dir = self.repo_dir(repo);
        write_atomic(&repo_dir.join("repo"), format!("{repo}\n").as_bytes())?;
        write_atomic(
            &repo_dir.join(name).join(version),
            format!("{digest}\n").as_bytes(),
        )?;
        Ok(digest)
    }
}

/// A name that is safe as one path component: what chart names and SemVer versions use.
fn safe_component(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-+".contains(&b))
}

fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().expect("cache paths have a parent");
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        path.file_name().and_then(|n| n.to_str()).unwrap_or("x")
    ));
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(data).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("chart-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn put_then_get_round_trips_and_lists_versions() {
        let dir = temp("rt");
        let cache = Cache::new(&dir);
        let d = cache
            .put("https://x/charts/", "web", "1.0.0+build.1", b"abc")
            .expect("put");
        assert_eq!(
            d,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let (data, digest) = cache
            .get("https://x/charts", "web", "1.0.0+build.1")
            .expect("cached");
        assert_eq!(
            (data.as_slice(), digest.as_str()),
            (&b"abc"[..], d.as_str())
        );
        assert_eq!(cache.versions("https://x/charts", "web"), ["1.0.0+build.1"]);
        assert!(cache.get("https://other", "web", "1.0.0+build.1").is_none());
        std::fs::remove_dir_all(dir).expect("cleanup");
    }

    #[test]
    fn a_damaged_blob_is_a_miss() {
        let dir = temp("damaged");
        let cache = Cache::new(&dir);
        let d = cache.put("oci://r/c", "web", "1.0.0", b"abc").expect("put");
        std::fs::write(cache.blob_path(&d).expect("path"), b"abd").expect("damage");
        assert!(cache.get("oci://r/c", "web", "1.0.0").is_none());
        std::fs::remove_dir_all(dir).expect("cleanup");
    }

    #[test]
    fn path_like_names_are_refused() {
        let cache = Cache::new(temp("unsafe"));
        assert!(cache.put("r", "../x", "1.0.0", b"a").is_err());
        assert!(cache.get("r", "web", "../../etc").is_none());
    }
}
