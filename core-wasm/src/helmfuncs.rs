//! Helm's own template functions (those that do not need the executor; `include` and `tpl` live
//! in the executor).

use std::collections::BTreeMap;

use crate::funcs::{Ctx, Func};
use crate::value::{Ty, Value};

/// Helm wraps the messages of `fail` and `required` in these markers; its error formatting
/// (render.rs, `helm_exec_error`) finds them and prints `execution error at (...): msg`.
pub fn warn_wrap(msg: &str) -> String {
    format!("HELM_ERR_START{msg}HELM_ERR_END")
}

/// Append Helm's functions; they take precedence over Sprig's of the same name.
pub fn register(out: &mut Vec<Func>) {
    crate::yaml::register(out);
    crate::json::register(out);
    crate::toml::register(out);
    // `lookup apiVersion kind namespace name`: the host's answer (JSON), else an empty map, which
    // is what `helm template` (no cluster) always returns.
    const STR4: &[Ty] = &[Ty::String, Ty::String, Ty::String, Ty::String];
    // `required msg val`: val, unless it is nil or an empty string.
    out.push(Func::new(
        "required",
        &[Ty::String, Ty::Any],
        |_: &mut Ctx<'_>, mut a| {
            let val = a.pop().unwrap_or(Value::Nil);
            match &val {
                Value::Nil => Err(warn_wrap(a[0].as_str().unwrap_or_default())),
                Value::String(s) if s.is_empty() => {
                    Err(warn_wrap(a[0].as_str().unwrap_or_default()))
                }
                _ => Ok(val),
            }
        },
    ));
    out.push(Func::new("lookup", STR4, |ctx: &mut Ctx<'_>, a| {
        let arg = |i: usize| a[i].as_str().unwrap_or_default().to_string();
        Ok(match ctx.host.lookup(&arg(0), &arg(1), &arg(2), &arg(3)) {
            Some(json) => crate::json::from_json_map(&json),
            None => Value::map(BTreeMap::new()),
        })
    }));
}
