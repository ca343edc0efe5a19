//! Sprig v3's function set, as Helm exposes it (without `env` and `expandenv`).
//!
//! One module per family, each with a `register` that appends its functions.

pub(crate) mod conv;
mod crypto;
mod date;
mod defaults;
mod dicts;
mod encoding;
pub(crate) mod env;
mod lists;
mod math;
mod network;
mod paths;
mod reflect;
mod regex;
pub(crate) mod semver;
mod strings;
mod url;

use crate::funcs::Func;

/// Append every Sprig function Helm exposes.
pub fn register(out: &mut Vec<Func>) {
    conv::register(out);
    strings::register(out);
    encoding::register(out);
    regex::register(out);
    semver::register(out);
    date::register(out);
    url::register(out);
    paths::register(out);
    lists::register(out);
    dicts::register(out);
    math::register(out);
    reflect::register(out);
    defaults::register(out);
    crypto::register(out);
    network::register(out);
}
