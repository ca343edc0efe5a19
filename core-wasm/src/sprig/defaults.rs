//! Sprig: defaults and flow control (`default`, `empty`, `coalesce`, `all`, `any`, `ternary`,
//! `fail`).

use crate::template::func::{Ctx, Func};
use crate::value::{Ty, Value};

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::variadic("default", &[Ty::Any], Ty::Any, default),
        Func::new("empty", &[Ty::Any], empty),
        Func::variadic("coalesce", &[], Ty::Any, coalesce),
        Func::variadic("all", &[], Ty::Any, all),
        Func::variadic("any", &[], Ty::Any, any),
        Func::new("ternary", &[Ty::Any, Ty::Any, Ty::Bool], ternary),
        Func::new("fail", &[Ty::String], fail),
    ]);
}

/// Sprig's `empty`: nil, false, zero numbers and empty strings, slices and maps (an empty
/// `.Files.Glob` result too). Structs and non-nil pointers are never empty.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.collection_len() == Some(0),
        other => !other.truthy(),
    }
}

/// `default d [v]`: `v` unless it is missing or empty.
fn default(_: &mut Ctx<'_>, mut args: Vec<Value>) -> Result<Value, String> {
    match args.get(1) {
        Some(given) if !is_empty(given) => Ok(args.swap_remove(1)),
        _ => Ok(args.swap_remove(0)),
    }
}

fn empty(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Bool(is_empty(&args[0])))
}

/// The first non-empty argument, or nil.
fn coalesce(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(args
        .into_iter()
        .find(|v| !is_empty(v))
        .unwrap_or(Value::Nil))
}

fn all(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Bool(args.iter().all(|v| !is_empty(v))))
}

fn any(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Bool(args.iter().any(|v| !is_empty(v))))
}

/// `ternary whenTrue whenFalse condition`.
fn ternary(_: &mut Ctx<'_>, mut args: Vec<Value>) -> Result<Value, String> {
    let pick = if args[2].truthy() { 0 } else { 1 };
    Ok(args.swap_remove(pick))
}

/// `fail msg`: an error whose text is exactly `msg` (Helm shows it as an execution error).
fn fail(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Err(crate::template::func::warn_wrap(
        args[0].as_str().unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;
    use crate::go::format_v;
    use crate::value::Map;

    fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
        let mut funcs = Vec::new();
        register(&mut funcs);
        let f = funcs.iter().find(|f| f.name == name).unwrap();
        let mut h = FixedHost::default();
        let mut ctx = Ctx::new(&mut h);
        (f.call)(&mut ctx, args)
    }

    fn show(name: &str, args: Vec<Value>) -> String {
        format_v(&call(name, args).unwrap())
    }

    #[test]
    fn default_replaces_empty_values() {
        let d = || Value::str("d");
        // Oracle: `default "d" X` for each X.
        for empty in [
            Value::Nil,
            Value::Bool(false),
            Value::int(0),
            Value::Float(0.0),
            Value::str(""),
            Value::list(vec![]),
            Value::Map(Map::new()),
        ] {
            assert_eq!(show("default", vec![d(), empty.clone()]), "d", "{empty:?}");
        }
        assert_eq!(show("default", vec![d()]), "d");
        assert_eq!(show("default", vec![d(), Value::str("false")]), "false");
        assert_eq!(show("default", vec![d(), Value::Bool(true)]), "true");
        assert_eq!(
            show("default", vec![d(), Value::list(vec![Value::Nil])]),
            "[<nil>]"
        );
    }

    #[test]
    fn emptiness() {
        assert_eq!(show("empty", vec![Value::Nil]), "true");
        assert_eq!(show("empty", vec![Value::str("0")]), "false");
        assert_eq!(show("coalesce", vec![]), "<nil>");
        assert_eq!(
            show(
                "coalesce",
                vec![Value::Nil, Value::int(0), Value::str("x"), Value::int(1)]
            ),
            "x"
        );
        assert_eq!(show("all", vec![]), "true");
        assert_eq!(show("all", vec![Value::int(1), Value::str("")]), "false");
        assert_eq!(show("any", vec![]), "false");
        assert_eq!(show("any", vec![Value::int(0), Value::str("a")]), "true");
    }

    #[test]
    fn ternary_and_fail() {
        let args = |c| vec![Value::str("yes"), Value::str("no"), Value::Bool(c)];
        assert_eq!(show("ternary", args(true)), "yes");
        assert_eq!(show("ternary", args(false)), "no");
        assert_eq!(
            call("fail", vec![Value::str("boom")]).unwrap_err(),
            "HELM_ERR_STARTboomHELM_ERR_END"
        );
    }
}
