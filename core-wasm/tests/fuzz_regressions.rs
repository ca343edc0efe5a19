//! Every input the fuzzers (`fuzz/`, see docs/testing.md) ever found a panic with, kept under
//! `tests/fuzz-regressions/<target>/`, run through the same entry point: each must now return.

use std::fs;
use std::path::Path;

fn run(target: &str, f: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let data = fs::read(&path).expect("read input");
        let ok = std::panic::catch_unwind(|| f(&data));
        assert!(ok.is_ok(), "{} panics again", path.display());
        n += 1;
    }
    n
}

#[test]
fn template_parser_regressions() {
    run("template_parse", core_wasm::fuzzing::template_parse);
}

#[test]
fn template_executor_regressions() {
    run("template_exec", core_wasm::fuzzing::template_exec);
}

#[test]
fn yaml_reader_regressions() {
    run("yaml_read", core_wasm::fuzzing::yaml_read);
}
