//! Builds the core component (`core-wasm` for `wasm32-wasip2`) and hands it to the library, which
//! embeds it with `include_bytes!`. A plain `cargo build` of any host therefore needs no manual step.
//!
//! The nested cargo gets its own target directory (`<workspace>/target/component`): sharing the
//! outer one would deadlock on its build lock. One directory for every outer profile means debug,
//! release, test and clippy builds share a single (slow, fully optimised) component build.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

const WASM_TARGET: &str = "wasm32-wasip2";
const PROFILE: &str = "component";

/// Variables the outer cargo sets for this build script (or inherits from a wrapper such as
/// clippy or a coverage tool) that would change what the nested cargo builds or where.
const CLEARED: &[&str] = &[
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_BUILD_DIR",
    "CARGO_BUILD_TARGET",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_RUSTC_CURRENT_DIR",
    "PROFILE",
    "OPT_LEVEL",
    "TARGET",
    "HOST",
    "DEBUG",
    "OUT_DIR",
    "NUM_JOBS",
    "RUSTC_LINKER",
];

/// Prefixes of per-package or per-profile variables of the outer build.
const CLEARED_PREFIXES: &[&str] = &[
    "CARGO_CFG_",
    "CARGO_PKG_",
    "CARGO_MANIFEST_",
    "CARGO_FEATURE_",
    "CARGO_PROFILE_",
    "DEP_",
    "__CARGO",
];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest_dir
        .parent()
        .expect("host-runtime lives in the workspace root")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));

    for input in [
        "wit",
        "core-wasm/src",
        "core-wasm/Cargo.toml",
        "core-wasm/build.rs",
        "go-duration/src",
        "go-duration/Cargo.toml",
        "Cargo.lock",
        "Cargo.toml",
    ] {
        println!(
            "cargo::rerun-if-changed={}",
            workspace.join(input).display()
        );
    }
    // A missing path would make cargo rerun this script on every build.
    let policies = workspace.join("policies");
    if policies.exists() {
        println!("cargo::rerun-if-changed={}", policies.display());
    }

    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    check_wasm_target(Path::new(&rustc));

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = workspace.join("target").join("component");
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&workspace)
        .args(["build", "-p", "core-wasm", "--lib", "--target", WASM_TARGET])
        .args(["--profile", PROFILE])
        .arg("--target-dir")
        .arg(&target_dir)
        // This script's stdout is read by cargo as directives.
        .stdout(std::io::stderr());
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if CLEARED.contains(&key) || CLEARED_PREFIXES.iter().any(|p| key.starts_with(p)) {
            cmd.env_remove(key);
        }
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("could not run cargo to build the core component: {e}"));
    if !status.success() {
        panic!(
            "building the core component (cargo build -p core-wasm --target {WASM_TARGET}) failed: {status}"
        );
    }

    let built = target_dir
        .join(WASM_TARGET)
        .join(PROFILE)
        .join("core_wasm.wasm");
    let embedded = out_dir.join("core.wasm");
    let wasm = std::fs::read(&built).unwrap_or_else(|e| {
        panic!(
            "could not read the built component {}: {e}",
            built.display()
        )
    });
    write(&embedded, &wasm);
    // The digest keys the precompiled-artifact cache; computing it here spares every process
    // from hashing megabytes at start-up.
    let digest: String = Sha256::digest(&wasm)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    write(&out_dir.join("core.wasm.sha256"), digest.as_bytes());
}

fn write(path: &Path, data: &[u8]) {
    std::fs::write(path, data)
        .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
}

/// Fails with the fix when the toolchain lacks the wasm standard library: on machines with
/// `RUSTUP_AUTO_INSTALL=0` rustup does not add the target listed in `rust-toolchain.toml`.
fn check_wasm_target(rustc: &Path) {
    let out = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .output();
    let installed = match out {
        Ok(out) if out.status.success() => {
            let dir = String::from_utf8_lossy(&out.stdout);
            Path::new(dir.trim()).is_dir()
        }
        _ => false,
    };
    if !installed {
        panic!(
            "the Rust target {WASM_TARGET} is not installed for this toolchain; \
             run `rustup target add {WASM_TARGET}` and build again"
        );
    }
}
