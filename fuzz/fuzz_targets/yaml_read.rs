//! The YAML reader (go-yaml v2 semantics) on arbitrary bytes, then the writer on what it read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    core_wasm::fuzzing::yaml_read(data);
});
