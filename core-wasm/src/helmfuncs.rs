//! Helm's own template functions (those that do not need the executor; `include` and `tpl` live
//! in the executor).

use crate::funcs::Func;

/// Append Helm's functions; they take precedence over Sprig's of the same name.
pub fn register(out: &mut Vec<Func>) {
    crate::yaml::register(out);
    crate::json::register(out);
    crate::toml::register(out);
}
