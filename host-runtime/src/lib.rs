//! The wasmtime embedding of the core component, shared by the CLI and the controller.
