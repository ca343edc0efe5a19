//! Link settings of the wasm component build; the native build needs none.

/// The guest's shadow stack (Rust locals that live in linear memory): 16 MiB instead of the
/// default 1 MiB, so deep but legal renders (Helm allows 1,000 nested `include`s; deeply nested
/// YAML) do not overflow it. It counts against the call's memory cap. Overflow traps, because
/// rustc places the stack first in linear memory.
const GUEST_STACK_SIZE: u32 = 16 << 20;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size={GUEST_STACK_SIZE}");
    }
}
