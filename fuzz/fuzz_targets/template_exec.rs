//! Parse and execute arbitrary templates against fixed values, with a small output budget.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    core_wasm::fuzzing::template_exec(data);
});
