//! Sprig v3's function set, as Helm exposes it (without `env` and `expandenv`).
//!
//! One module per family, each with a `register` that appends its functions; the registry
//! (`funcs.rs`) calls them in Helm's order.

pub(crate) mod conv;
pub(crate) mod crypto;
pub(crate) mod date;
pub(crate) mod defaults;
pub(crate) mod dicts;
pub(crate) mod encoding;
pub(crate) mod env;
pub(crate) mod lists;
pub(crate) mod math;
pub(crate) mod network;
pub(crate) mod paths;
pub(crate) mod reflect;
pub(crate) mod regex;
pub(crate) mod semver;
pub(crate) mod strings;
pub(crate) mod url;
