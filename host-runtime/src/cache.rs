//! Precompiled component artifacts on disk, so that only the first process on a machine pays
//! for Cranelift (numbers in `docs/benchmarks.md`).

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where the artifact of `wasm_sha256` compiled by `engine` lives in `dir`. The key covers the
/// engine's settings and wasmtime's version (its compatibility hash), so a different build or
/// configuration never loads an artifact it cannot run.
pub(crate) fn artifact_path(dir: &Path, engine: &Engine, wasm_sha256: &str) -> PathBuf {
    let mut key = Sha256Hasher(Sha256::new());
    wasm_sha256.hash(&mut key);
    engine.precompile_compatibility_hash().hash(&mut key);
    let digest = key.0.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{hex}.cwasm"))
}

/// Loads the artifact at `path`, if there is a usable one: mapped from the file when `map`
/// (see [`crate::Config::map_artifact`]), else read into memory.
pub(crate) fn load(engine: &Engine, path: &Path, map: bool) -> Option<Component> {
    if map {
        // SAFETY: as below, the file is one wasmtime wrote (through `store`, or `precompile` for
        // the baked artifact); and mapping it is safe while no one truncates it in place, which
        // `store` never does (it renames a new file over the old one, and a mapping keeps the
        // old file's pages) and no one can do to the baked one in the image's read-only layer.
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize_file(engine, path) };
        return component.ok();
    }
    // Read into memory rather than `deserialize_file`'s mmap: a mapped file that someone
    // truncates in place kills the process with SIGBUS, and a controller keeps its component
    // for days. The copy costs about a millisecond per megabyte.
    let bytes = std::fs::read(path).ok()?;
    // SAFETY: `deserialize` runs the artifact's machine code, so it must be an artifact that
    // wasmtime itself wrote. The file sits either in the user's own cache directory under a name
    // derived from the wasm digest and the engine's compatibility hash, only ever created by
    // `store` below through an atomic rename, or in the precompiled directory the operator named
    // (in the container image: root-owned, read-only, written by `precompile` at build time);
    // wasmtime also checks its header, version, engine settings and CPU features and refuses a
    // mismatch. Anyone able to plant a file in either place can already run code as this user
    // (or replace the binary), so trusting it grants nothing new.
    #[allow(unsafe_code)]
    let component = unsafe { Component::deserialize(engine, &bytes) };
    component.ok()
}

/// Writes `artifact` to `path` through a temporary file and a rename, so that a concurrent reader
/// sees either nothing or the whole file. Errors are returned for the caller to ignore: the cache
/// is an optimisation only.
pub(crate) fn store(path: &Path, artifact: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let tmp = dir.join(format!(".tmp-{}-{nanos}.cwasm", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(artifact).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Feeds `Hash` impls into SHA-256, because the engine's compatibility hash is only exposed
/// through `std::hash::Hash` and `DefaultHasher` is not stable across Rust releases.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(
            digest[..8]
                .try_into()
                .expect("a SHA-256 digest has 32 bytes"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_replaces_whole_files_and_leaves_no_temporaries() {
        let dir = std::env::temp_dir().join(format!("planton-helm-cache-{}", std::process::id()));
        let path = dir.join("a.cwasm");
        store(&path, b"first").expect("store");
        store(&path, b"second").expect("store again");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        std::fs::remove_dir_all(&dir).expect("cleanup");
        assert_eq!(names, ["a.cwasm"]);
    }

    #[test]
    fn an_unwritable_cache_is_an_error_for_the_caller_to_ignore() {
        let file = std::env::temp_dir().join(format!("planton-helm-notdir-{}", std::process::id()));
        std::fs::write(&file, b"").expect("write");
        let result = store(&file.join("a.cwasm"), b"x");
        std::fs::remove_file(&file).expect("cleanup");
        assert!(result.is_err());
    }
}
