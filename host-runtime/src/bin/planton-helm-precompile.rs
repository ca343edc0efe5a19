//! `planton-helm-precompile DIR`: writes the core component, compiled ahead of time for a
//! portable CPU baseline, into DIR under the name the hosts look for, and prints its path.
//!
//! The container image runs this at build time and sets `PLANTON_HELM_PRECOMPILED_DIR` to DIR,
//! so that neither the controller nor the CLI compiles the component when a pod starts
//! (`docs/install.md`). The artifact only loads into a binary built from the same sources: the
//! name is the embedded wasm's digest, and wasmtime checks its own version and settings.

use std::process::ExitCode;

use host_runtime::{Config, precompile, precompiled_file_name};

const USAGE: &str = "usage: planton-helm-precompile DIR

Writes DIR/<core component sha256>.cwasm, the core compiled for a portable CPU baseline
(x86-64-v2 on x86-64), for binaries started with PLANTON_HELM_PRECOMPILED_DIR=DIR.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if dir.starts_with('-') {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let dir = std::path::Path::new(dir);
    let artifact = match precompile(&Config::default()) {
        Ok(artifact) => artifact,
        Err(e) => {
            eprintln!("planton-helm-precompile: compiling the core component: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = dir.join(precompiled_file_name());
    if let Err(e) = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, &artifact)) {
        eprintln!("planton-helm-precompile: writing {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("{}", path.display());
    ExitCode::SUCCESS
}
