//! The wasmtime embedding of the core component, shared by the CLI and the controller.
//!
//! A [`Runtime`] holds one [`wasmtime::Engine`], the core component compiled once (or loaded from
//! the precompiled cache, see [`Config::cache_dir`]) and one pre-linked instance. Every call gets a
//! fresh [`wasmtime::Store`] with a memory cap and a deadline, so nothing leaks between calls and a
//! call that is stopped leaves the runtime usable. See `docs/sandbox.md` for the limits.
//!
//! ```no_run
//! use host_runtime::{Config, OfflineHost, Runtime};
//! # fn demo(req: host_runtime::RenderRequest) -> Result<(), host_runtime::Error> {
//! let runtime = Runtime::new(Config::default())?;
//! let out = runtime.render(&req, OfflineHost::default().with_seed(1))?;
//! print!("{}", out.text);
//! # Ok(()) }
//! ```

mod cache;
mod config;
mod error;
mod host;
mod runtime;
mod sandbox;
mod snapshot;

pub use config::{
    Config, DEFAULT_DEADLINE, DEFAULT_EPOCH_TICK, DEFAULT_MAX_MEMORY, PRECOMPILED_DIR_ENV, Pooling,
    parse_size,
};
pub use error::Error;
pub use host::{HostServices, OfflineHost};
pub use runtime::{
    CompileSource, PERF_MAP_ENV, Runtime, pagemap_scan_available, precompile, precompiled_file_name,
};

/// The core component's bytes, built by `build.rs` from `core-wasm` for `wasm32-wasip2`.
pub static CORE_COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/core.wasm"));

/// SHA-256 of [`CORE_COMPONENT`], lowercase hex, computed at build time: part of the key of
/// every compiled artifact and snapshot on disk, so that none made from another core (other
/// code, another WIT contract, another built-in policy pack) is ever loaded.
pub const CORE_COMPONENT_SHA256: &str = include_str!(concat!(env!("OUT_DIR"), "/core.wasm.sha256"));

mod bindings {
    wasmtime::component::bindgen!({
        world: "core",
        path: "../wit",
        // Key generation and signing may outlast the call's deadline; they then trap like the
        // guest would.
        imports: {
            "planton:helm/host.generate-rsa-key": trappable,
            "planton:helm/host.generate-dsa-key": trappable,
            "planton:helm/host.sign-rsa": trappable,
        },
    });
}

pub use bindings::planton::helm::types::{
    Capabilities, ChartSource, CoreError, Datetime, Diagnostic, ErrorKind, FileValue, Manifest,
    PolicyFile, ReleaseInfo, RenderOptions, RenderOutput, RenderRequest, RuleInfo, Severity,
    SourceFile, ValidateRequest, ValuesLayer,
};
