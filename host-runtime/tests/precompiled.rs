//! The artifact baked into the container image: made by `precompile`, loaded from
//! `Config::precompiled_dir` before any cache, and never trusted when broken or misnamed.

use std::path::{Path, PathBuf};

use host_runtime::{
    CompileSource, Config, Error, OfflineHost, Runtime, ValidateRequest, precompile,
    precompiled_file_name,
};

fn dir(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("precompiled-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create dir");
    dir
}

fn runtime(precompiled: &Path) -> Runtime {
    Runtime::new(Config {
        precompiled_dir: Some(precompiled.to_path_buf()),
        cache_dir: None,
        ..Config::default()
    })
    .expect("runtime")
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
fn a_precompiled_artifact_is_loaded_and_is_the_same_every_time() {
    let dir = dir("load");
    let artifact = precompile(&Config::default()).expect("precompile");
    // Reproducible images need the same bytes from the same sources.
    assert!(
        precompile(&Config::default()).expect("precompile again") == artifact,
        "two precompiles of the same component differ"
    );
    std::fs::write(dir.join(precompiled_file_name()), &artifact).expect("write");
    let rt = runtime(&dir);
    assert_eq!(rt.compile_source(), CompileSource::Precompiled);
    works(&rt);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn a_broken_or_misnamed_artifact_is_compiled_around() {
    let dir = dir("broken");
    std::fs::write(dir.join(precompiled_file_name()), b"not an artifact").expect("write");
    let rt = runtime(&dir);
    assert_eq!(rt.compile_source(), CompileSource::Compiled);
    works(&rt);

    // A real artifact under another wasm's name is not this binary's component.
    let artifact = precompile(&Config::default()).expect("precompile");
    std::fs::remove_file(dir.join(precompiled_file_name())).expect("remove");
    std::fs::write(dir.join(format!("{}.cwasm", "0".repeat(64))), &artifact).expect("write");
    assert_eq!(runtime(&dir).compile_source(), CompileSource::Compiled);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
