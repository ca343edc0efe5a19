//! The bottom layer: the native mirror of the WIT contract (`wit/core.wit`).
//!
//! The render and validate requests, their outputs and errors, and the host interface, as plain
//! Rust types. Everything else in the core builds on these; this module imports nothing of the
//! crate. `component.rs` converts between them and the generated bindings.

pub mod error;
pub mod host;
pub mod render;
pub mod validate;
