//! The precompiled-artifact cache: written once, loaded after, and never trusted when broken;
//! and the artifact baked into the container image: made by `precompile`, loaded from
//! `Config::precompiled_dir` before any cache, and never trusted when broken or misnamed.

use std::path::{Path, PathBuf};

use host_runtime::{
    CompileSource, Config, Error, OfflineHost, Runtime, ValidateRequest, precompile,
    precompiled_file_name,
};

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
        Ok(_) | Err(Error::Core(_)) => {}
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

fn dir(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("precompiled-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create dir");
    dir
}

fn baked_runtime(precompiled: &Path) -> Runtime {
    Runtime::new(Config {
        precompiled_dir: Some(precompiled.to_path_buf()),
        cache_dir: None,
        ..Config::default()
    })
    .expect("runtime")
}

#[test]
fn a_precompiled_artifact_is_loaded_and_is_the_same_every_time() {
    let dir = dir("load");
    let artifact = precompile(&Config::default()).expect("precompile");
    // Reproducible images need the same bytes from the same sources.
    assert!(
        precompile(&Config::default()).expect("precompile again") == artifact,
        "two precompiles of the same component differ"
    );
    std::fs::write(dir.join(precompiled_file_name()), &artifact).expect("write");
    let rt = baked_runtime(&dir);
    assert_eq!(rt.compile_source(), CompileSource::Precompiled);
    works(&rt);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn a_broken_or_misnamed_artifact_is_compiled_around() {
    let dir = dir("broken");
    std::fs::write(dir.join(precompiled_file_name()), b"not an artifact").expect("write");
    let rt = baked_runtime(&dir);
    assert_eq!(rt.compile_source(), CompileSource::Compiled);
    works(&rt);

    // A real artifact under another wasm's name is not this binary's component.
    let artifact = precompile(&Config::default()).expect("precompile");
    std::fs::remove_file(dir.join(precompiled_file_name())).expect("remove");
    std::fs::write(dir.join(format!("{}.cwasm", "0".repeat(64))), &artifact).expect("write");
    assert_eq!(
        baked_runtime(&dir).compile_source(),
        CompileSource::Compiled
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
