//! Link arguments for the `planton-helm` binary.
//!
//! `-z pack-relative-relocs` stores the binary's ~65,000 relative relocations (a position-
//! independent executable's pointers in read-only data) as DT_RELR bitmaps instead of 24-byte
//! RELA entries: the table the dynamic loader reads at every start shrinks from 1.5 MB to a few
//! KB. The CLI is started once per render, so its start is part of every render's time
//! (docs/benchmarks.md, "the process floor"). GNU ld 2.38+ and lld know the option (older GNU ld
//! warns and ignores it); the binary then needs glibc 2.36+ (DT_RELR), as on Debian 12.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if target_os == "linux" && target_env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
