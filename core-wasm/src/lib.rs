//! The sandboxed core of planton-helm.
//!
//! Compiled to a WebAssembly component (`wasm32-wasip2`) that the native hosts run with wasmtime,
//! and natively for unit tests. It does no I/O of its own: the host interface of `wit/core.wit`
//! ([`api::host::Host`] here) is its only window on the world.

pub mod api;
#[doc(hidden)]
pub mod bench_support;
pub mod chart;
pub mod funcs;
#[doc(hidden)]
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing;
pub mod go;
pub mod json;
pub mod render;
pub mod sprig;
pub mod template;
pub mod toml;
pub mod validate;
pub mod value;
pub mod yaml;

#[cfg(target_arch = "wasm32")]
mod allocator;
#[cfg(target_arch = "wasm32")]
mod component;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator::new();
