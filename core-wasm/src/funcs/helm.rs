//! Helm's own template functions other than its codecs' (`funcs/{yaml,json,toml}.rs`) and those
//! that need the executor (`include` and `tpl` live in the executor).

use crate::template::func::{Ctx, Func, warn_wrap};
use crate::value::{Map, Ty, Value};

/// Append `required`, `fail` and `lookup`.
pub fn register(out: &mut Vec<Func>) {
    out.push(Func::new("required", &[Ty::String, Ty::Any], required));
    out.push(Func::new("fail", &[Ty::String], fail));
    out.push(Func::new(
        "lookup",
        &[Ty::String, Ty::String, Ty::String, Ty::String],
        lookup,
    ));
}

/// `required msg value`: the value, or an error when it is nil or `""`.
fn required(_: &mut Ctx<'_>, mut args: Vec<Value>) -> Result<Value, String> {
    let val = args.pop().unwrap_or(Value::Nil);
    let missing = match &val {
        Value::Nil => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if missing {
        return Err(warn_wrap(args[0].as_str().unwrap_or_default()));
    }
    Ok(val)
}

/// Helm's override of Sprig's `fail`: the message, wrapped for Helm's error formatting.
fn fail(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Err(warn_wrap(args[0].as_str().unwrap_or_default()))
}

/// `lookup apiVersion kind namespace name`: what the host finds, as a map; an empty map when it
/// finds nothing (always, under `helm template`). An empty namespace or name is Helm's way of
/// saying "every namespace" and "a list": the host is asked with none.
fn lookup(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let s = |i: usize| args[i].as_str().unwrap_or_default();
    let given = |i: usize| Some(s(i)).filter(|v| !v.is_empty());
    match ctx.host.lookup(s(0), s(1), given(2), given(3)) {
        None => Ok(Value::Map(Map::new())),
        Some(json) => match crate::json::from_json(&json)? {
            v @ Value::Map(_) => Ok(v),
            _ => Ok(Value::Map(Map::new())),
        },
    }
}
