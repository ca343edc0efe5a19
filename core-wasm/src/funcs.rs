//! The function registry: every family of template functions Helm gives charts, by name.
//!
//! This is the one place that knows them all (as minijinja's `defaults.rs` does): Sprig's
//! families (`sprig/`, without `env` and `expandenv`, as in Helm), then Helm's own (`funcs/`).
//! The order matters: a later registration of a name wins, as Helm's functions override Sprig's
//! (`fail`, `toJson`, ...). Nothing below this module imports it; what a function *is* lives with
//! the template engine (`template::func`).

pub mod helm;
pub mod json;
pub mod toml;
pub mod yaml;

use crate::sprig;
use crate::template::func::Func;

pub use crate::api::host::{FixedHost, Host};
pub use crate::template::func::{Ctx, FuncMap};

impl FuncMap {
    /// The map Helm gives chart templates.
    pub fn helm() -> FuncMap {
        FuncMap::from_funcs(all())
    }
}

/// Every function Helm gives chart templates, in registration order.
fn all() -> Vec<Func> {
    let mut out = Vec::new();
    let families: &[fn(&mut Vec<Func>)] = &[
        // Sprig v3.
        sprig::conv::register,
        sprig::strings::register,
        sprig::encoding::register,
        sprig::regex::register,
        sprig::semver::register,
        sprig::date::register,
        sprig::url::register,
        sprig::paths::register,
        sprig::lists::register,
        sprig::dicts::register,
        sprig::math::register,
        sprig::reflect::register,
        sprig::defaults::register,
        sprig::crypto::register,
        sprig::network::register,
        // Helm's, overriding Sprig's of the same name.
        yaml::register,
        json::register,
        toml::register,
        helm::register,
    ];
    for register in families {
        register(&mut out);
    }
    out
}
