//! The precompiled-artifact cache: written once, loaded after, and never trusted when broken.

use std::path::{Path, PathBuf};

use host_runtime::{CompileSource, Config, Error, OfflineHost, Runtime, ValidateRequest};

fn runtime(dir: &Path) -> Runtime {
    Runtime::new(Config {
        cache_dir: Some(dir.to_path_buf()),
        ..Config::default()
    })
    .expect("runtime")
}

fn artifacts(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// A call completes inside the guest (an answer, not a trap) with this runtime.
fn works(rt: &Runtime) {
    let empty = ValidateRequest {
        documents: Vec::new(),
        policies: Vec::new(),
        disabled: Vec::new(),
    };
    match rt.validate(&empty, OfflineHost::default()) {
        Ok(_) | Err(Error::Validate(_)) => {}
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_first_process_compiles_and_later_ones_load() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cache-roundtrip");
    let _ = std::fs::remove_dir_all(&dir);

    let first = runtime(&dir);
    assert_eq!(first.compile_source(), CompileSource::Compiled);
    works(&first);
    let written = artifacts(&dir);
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(
        written[0].extension().and_then(|e| e.to_str()),
        Some("cwasm")
    );

    let second = runtime(&dir);
    assert_eq!(second.compile_source(), CompileSource::Cache);
    works(&second);

    // A damaged artifact is ignored and replaced, never run.
    std::fs::write(&written[0], b"not an artifact").expect("damage");
    let third = runtime(&dir);
    assert_eq!(third.compile_source(), CompileSource::Compiled);
    works(&third);
    assert_eq!(runtime(&dir).compile_source(), CompileSource::Cache);
}
