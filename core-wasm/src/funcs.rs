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

#[cfg(not(target_arch = "wasm32"))]
pub use crate::api::host::FixedHost;
pub use crate::api::host::Host;
pub use crate::template::func::{Ctx, FuncMap};

impl FuncMap {
    /// The map Helm gives chart templates.
    pub fn helm() -> FuncMap {
        FuncMap::from_funcs(all())
    }

    /// Sprig's own map (`sprig.TxtFuncMap`: `env` and `expandenv` in, Helm's functions out),
    /// which Helm gives `--name-template`.
    pub fn sprig() -> FuncMap {
        let mut out = Vec::new();
        for register in SPRIG {
            register(&mut out);
        }
        sprig::env::register(&mut out);
        FuncMap::from_funcs(out)
    }
}

/// Sprig v3's families, in Helm's registration order.
const SPRIG: &[fn(&mut Vec<Func>)] = &[
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
];

/// Every function Helm gives chart templates, in registration order.
fn all() -> Vec<Func> {
    let mut out = Vec::new();
    let own: &[fn(&mut Vec<Func>)] = &[
        // Helm's, overriding Sprig's of the same name.
        yaml::register,
        json::register,
        toml::register,
        helm::register,
    ];
    let families = SPRIG.iter().chain(own);
    for register in families {
        register(&mut out);
    }
    out
}
