//! The Go text/template lexer and parser on arbitrary text: an error is fine, a panic is not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    core_wasm::fuzzing::template_parse(data);
});
