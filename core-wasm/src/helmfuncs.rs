//! Helm's own template functions (those that do not need the executor; `include` and `tpl` live
//! in the executor).

use std::collections::BTreeMap;

use crate::funcs::{Ctx, Func};
use crate::value::{Ty, Value};

/// Append Helm's functions; they take precedence over Sprig's of the same name.
pub fn register(out: &mut Vec<Func>) {
    crate::yaml::register(out);
    crate::json::register(out);
    crate::toml::register(out);
    // `lookup apiVersion kind namespace name`: the host's answer (JSON), else an empty map, which
    // is what `helm template` (no cluster) always returns.
    const STR4: &[Ty] = &[Ty::String, Ty::String, Ty::String, Ty::String];
    out.push(Func::new("lookup", STR4, |ctx: &mut Ctx<'_>, a| {
        let arg = |i: usize| a[i].as_str().unwrap_or_default().to_string();
        Ok(match ctx.host.lookup(&arg(0), &arg(1), &arg(2), &arg(3)) {
            Some(json) => crate::json::from_json_map(&json),
            None => Value::map(BTreeMap::new()),
        })
    }));
}
