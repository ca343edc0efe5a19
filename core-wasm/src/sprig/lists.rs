//! Sprig: list functions.
//!
//! Sprig reaches every slice through reflection, so these accept any Go slice (`[]string` from
//! `splitList`, `[]int` from `until`, `[]byte`...) and mostly return a new `[]interface {}`.
//! Anything else is an error naming its reflect kind (`Cannot find first on type string`); nil
//! dereferences a nil `reflect.Type` in Sprig, which Go reports as a runtime error. The `must*`
//! variants return the same errors the plain ones panic with, so both share one implementation.

use crate::template::func::{Ctx, Func, FuncImpl};
use crate::value::{Elem, IntKind, List, Ty, Value};

use super::conv::{to_int, to_strings};
use super::defaults::is_empty;

/// Go's panic text when Sprig calls `Kind()` on the nil `reflect.Type` of a nil argument.
pub(crate) const NIL_DEREF: &str =
    "runtime error: invalid memory address or nil pointer dereference";

/// A plain list function and its `must*` twin: names, parameters, variadic type, body.
type ListFunc = (
    &'static str,
    &'static str,
    &'static [Ty],
    Option<Ty>,
    FuncImpl,
);

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::variadic("list", &[], Ty::Any, list),
        Func::variadic("tuple", &[], Ty::Any, list),
        Func::variadic("concat", &[], Ty::Any, concat),
        Func::new("sortAlpha", &[Ty::Any], sort_alpha),
    ]);
    // Each plain function panics with exactly the error its must* twin returns.
    let pairs: [ListFunc; 14] = [
        ("append", "mustAppend", &[Ty::Any, Ty::Any], None, push),
        ("push", "mustPush", &[Ty::Any, Ty::Any], None, push),
        ("prepend", "mustPrepend", &[Ty::Any, Ty::Any], None, prepend),
        ("first", "mustFirst", &[Ty::Any], None, first),
        ("rest", "mustRest", &[Ty::Any], None, rest),
        ("last", "mustLast", &[Ty::Any], None, last),
        ("initial", "mustInitial", &[Ty::Any], None, initial),
        ("reverse", "mustReverse", &[Ty::Any], None, reverse),
        ("uniq", "mustUniq", &[Ty::Any], None, uniq),
        ("without", "mustWithout", &[Ty::Any], Some(Ty::Any), without),
        ("has", "mustHas", &[Ty::Any, Ty::Any], None, has),
        ("slice", "mustSlice", &[Ty::Any], Some(Ty::Any), slice),
        (
            "chunk",
            "mustChunk",
            &[Ty::Int(IntKind::Int), Ty::Any],
            None,
            chunk,
        ),
        ("compact", "mustCompact", &[Ty::Any], None, compact),
    ];
    for (plain, must, params, variadic, call) in pairs {
        for name in [plain, must] {
            out.push(match variadic {
                Some(v) => Func::variadic(name, params, v, call),
                None => Func::new(name, params, call),
            });
        }
    }
}

/// The elements of a Go slice; otherwise the error Go reports for nil, or Sprig's message built
/// by `msg` from the value's reflect kind.
fn slice_items(v: &Value, msg: impl FnOnce(&str) -> String) -> Result<Vec<Value>, String> {
    match v {
        Value::Nil => Err(NIL_DEREF.to_string()),
        Value::List(l) => Ok(l.items.to_vec()),
        Value::Bytes(b) => Ok(b
            .iter()
            .map(|&x| Value::Int(i64::from(x), IntKind::Uint8))
            .collect()),
        other => Err(msg(other.kind_name())),
    }
}

/// [`slice_items`] with Sprig's usual `Cannot <what> on type <kind>`.
fn elements(v: &Value, what: &str) -> Result<Vec<Value>, String> {
    slice_items(v, |kind| format!("Cannot {what} on type {kind}"))
}

fn any_list(items: Vec<Value>) -> Value {
    Value::list(items)
}

fn list(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(any_list(args))
}

fn push(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut items = elements(&args[0], "push")?;
    items.push(args[1].clone());
    Ok(any_list(items))
}

fn prepend(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut items = elements(&args[0], "prepend")?;
    items.insert(0, args[1].clone());
    Ok(any_list(items))
}

fn first(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let items = elements(&args[0], "find first")?;
    Ok(items.into_iter().next().unwrap_or(Value::Nil))
}

fn last(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let items = elements(&args[0], "find last")?;
    Ok(items.into_iter().last().unwrap_or(Value::Nil))
}

fn rest(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let items = elements(&args[0], "find rest")?;
    if items.is_empty() {
        return Ok(Value::List(List::nil(Elem::Any)));
    }
    Ok(any_list(items.into_iter().skip(1).collect()))
}

fn initial(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut items = elements(&args[0], "find initial")?;
    if items.is_empty() {
        return Ok(Value::List(List::nil(Elem::Any)));
    }
    items.pop();
    Ok(any_list(items))
}

fn reverse(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut items = elements(&args[0], "find reverse")?;
    items.reverse();
    Ok(any_list(items))
}

/// Order-preserving de-duplication with `reflect.DeepEqual`.
fn uniq(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut out: Vec<Value> = Vec::new();
    for item in elements(&args[0], "find uniq")? {
        if !out.iter().any(|o| item.deep_equal(o)) {
            out.push(item);
        }
    }
    Ok(any_list(out))
}

fn without(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let omit = &args[1..];
    let items = elements(&args[0], "find without")?;
    Ok(any_list(
        items
            .into_iter()
            .filter(|item| !omit.iter().any(|o| item.deep_equal(o)))
            .collect(),
    ))
}

fn has(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    // Sprig v3 checks for a nil haystack before reflecting on it.
    if args[1].is_nil() {
        return Ok(Value::Bool(false));
    }
    let items = elements(&args[1], "find has")?;
    Ok(Value::Bool(
        items.iter().any(|item| args[0].deep_equal(item)),
    ))
}

fn compact(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let items = elements(&args[0], "compact")?;
    Ok(any_list(
        items.into_iter().filter(|v| !is_empty(v)).collect(),
    ))
}

/// `slice list [start [end]]`: Go slicing that keeps the slice's type; nil for an empty list.
fn slice(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let len = match &args[0] {
        Value::Nil => return Err(NIL_DEREF.to_string()),
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(format!(
                "list should be type of slice or array but {}",
                other.kind_name()
            ));
        }
    };
    if len == 0 {
        return Ok(Value::Nil);
    }
    let start = args.get(1).map_or(0, to_int);
    let end = args.get(2).map_or(len as i64, to_int);
    if start < 0 || end < start || end > len as i64 {
        return Err("reflect.Value.Slice: slice index out of bounds".to_string());
    }
    let (start, end) = (start as usize, end as usize);
    Ok(match &args[0] {
        Value::Bytes(b) => Value::Bytes(b[start..end].into()),
        Value::List(l) => Value::List(List::typed(l.items[start..end].to_vec(), l.elem)),
        _ => Value::Nil,
    })
}

fn concat(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut out = Vec::new();
    for v in &args {
        out.extend(slice_items(v, |kind| {
            format!("Cannot concat type {kind} as list")
        })?);
    }
    if out.is_empty() {
        // Sprig appends to a nil slice.
        return Ok(Value::List(List::nil(Elem::Any)));
    }
    Ok(any_list(out))
}

/// `chunk size list`: `[][]interface {}` of `size`-long pieces. Sprig sizes the result with
/// float arithmetic, so a size of 0 or a negative size fails (or yields nothing) exactly as Go.
fn chunk(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    const MAKESLICE: &str = "runtime error: makeslice: len out of range";
    let size = to_int(&args[0]);
    let items = slice_items(&args[1], |kind| format!("Cannot chunk type {kind}"))?;
    let l = items.len() as i64;
    let count = ((l - 1) as f64 / size as f64).floor() + 1.0;
    let count = super::conv::float_to_int64(count);
    if count < 0 {
        return Err(MAKESLICE.to_string());
    }
    let mut out = Vec::new();
    for i in 0..count {
        let mut clen = size;
        if i == count - 1 {
            clen = super::conv::float_to_int64((l as f64 % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(MAKESLICE.to_string());
        }
        let start = i.wrapping_mul(size);
        let piece = usize::try_from(start)
            .ok()
            .and_then(|start| items.get(start..start + clen as usize))
            .ok_or("reflect: slice index out of range")?;
        out.push(any_list(piece.to_vec()));
    }
    Ok(Value::List(List::typed(out, Elem::AnyList)))
}

/// `sortAlpha`: the strings of a slice in byte order; a non-slice becomes a one-string list.
fn sort_alpha(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut items = match &args[0] {
        v @ (Value::List(_) | Value::Bytes(_)) => to_strings(v),
        other => vec![crate::go::strval(other)],
    };
    // Go sorts a `[]string` argument in place (strslice returns it as is); lists are immutable
    // values here, so the caller's list keeps its order.
    items.sort();
    Ok(Value::string_list(items))
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

    fn ty(name: &str, args: Vec<Value>) -> String {
        call(name, args).unwrap().go_type()
    }

    fn i(n: i64) -> Value {
        Value::int(n)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn l(items: Vec<Value>) -> Value {
        Value::list(items)
    }

    /// `splitList "," "b,a,,c,a"`
    fn strs() -> Value {
        Value::string_list(["b", "a", "", "c", "a"].map(String::from).to_vec())
    }

    #[test]
    fn string_slices_from_split_list() {
        // Oracle: helm template over `$s := splitList "," "b,a,,c,a"`.
        assert_eq!(show("first", vec![strs()]), "b");
        assert_eq!(ty("first", vec![strs()]), "string");
        assert_eq!(show("rest", vec![strs()]), "[a  c a]");
        assert_eq!(ty("rest", vec![strs()]), "[]interface {}");
        assert_eq!(show("last", vec![strs()]), "a");
        assert_eq!(show("initial", vec![strs()]), "[b a  c]");
        assert_eq!(show("append", vec![strs(), s("x")]), "[b a  c a x]");
        assert_eq!(ty("append", vec![strs(), s("x")]), "[]interface {}");
        assert_eq!(show("prepend", vec![strs(), i(1)]), "[1 b a  c a]");
        assert_eq!(show("reverse", vec![strs()]), "[a c  a b]");
        assert_eq!(show("uniq", vec![strs()]), "[b a  c]");
        assert_eq!(show("without", vec![strs(), s("a")]), "[b  c]");
        assert_eq!(show("has", vec![s("a"), strs()]), "true");
        assert_eq!(show("compact", vec![strs()]), "[b a c a]");
        assert_eq!(show("slice", vec![strs(), i(1), i(3)]), "[a ]");
        assert_eq!(ty("slice", vec![strs(), i(1), i(3)]), "[]string");
        assert_eq!(show("chunk", vec![i(2), strs()]), "[[b a] [ c] [a]]");
        assert_eq!(ty("chunk", vec![i(2), strs()]), "[][]interface {}");
        assert_eq!(show("sortAlpha", vec![strs()]), "[ a a b c]");
        assert_eq!(ty("sortAlpha", vec![strs()]), "[]string");
        let z = Value::string_list(vec!["z".into()]);
        assert_eq!(
            show("concat", vec![strs(), l(vec![i(1)]), z]),
            "[b a  c a 1 z]"
        );
    }

    #[test]
    fn empty_lists() {
        assert!(call("first", vec![l(vec![])]).unwrap().is_nil());
        assert!(call("last", vec![l(vec![])]).unwrap().is_nil());
        assert_eq!(show("rest", vec![l(vec![])]), "[]");
        assert!(call("slice", vec![l(vec![]), i(1), i(2)]).unwrap().is_nil());
        assert_eq!(show("chunk", vec![i(2), l(vec![])]), "[]");
        assert_eq!(show("reverse", vec![l(vec![])]), "[]");
        assert_eq!(show("concat", vec![]), "[]");
        assert_eq!(ty("concat", vec![]), "[]interface {}");
        assert_eq!(ty("list", vec![]), "[]interface {}");
    }

    #[test]
    fn deep_equality_keeps_types_apart() {
        assert_eq!(show("has", vec![i(1), l(vec![Value::Float(1.0)])]), "false");
        assert_eq!(show("has", vec![i(1), Value::Nil]), "false");
        let m = || {
            let m = Map::new();
            m.insert("a", i(1));
            Value::Map(m)
        };
        let items = vec![
            i(1),
            Value::Float(1.0),
            s("1"),
            i(1),
            l(vec![i(1)]),
            l(vec![i(1)]),
            m(),
            m(),
        ];
        assert_eq!(show("uniq", vec![l(items)]), "[1 1 1 [1] map[a:1]]");
        let nums = l(vec![i(1), i(2), i(3), i(1)]);
        assert_eq!(show("without", vec![nums, i(1), i(3)]), "[2]");
        let mixed = l(vec![
            i(0),
            s(""),
            Value::Nil,
            Value::Bool(false),
            l(vec![]),
            Value::Map(Map::new()),
            s("a"),
            i(1),
            Value::Float(0.0),
        ]);
        assert_eq!(show("compact", vec![mixed]), "[a 1]");
    }

    #[test]
    fn slicing_and_chunking() {
        let one23 = || l(vec![i(1), i(2), i(3)]);
        assert_eq!(show("slice", vec![one23()]), "[1 2 3]");
        assert_eq!(show("slice", vec![one23(), i(1)]), "[2 3]");
        assert_eq!(show("slice", vec![one23(), i(1), i(1)]), "[]");
        assert_eq!(
            show("slice", vec![one23(), s("1"), Value::Float(2.7)]),
            "[2]"
        );
        assert_eq!(show("slice", vec![one23(), i(3)]), "[]");
        let oob = "reflect.Value.Slice: slice index out of bounds";
        assert_eq!(call("slice", vec![one23(), i(2), i(1)]).unwrap_err(), oob);
        assert_eq!(call("slice", vec![one23(), i(1), i(5)]).unwrap_err(), oob);
        assert_eq!(call("slice", vec![one23(), i(-1)]).unwrap_err(), oob);
        let five = l((1..=5).map(i).collect());
        assert_eq!(show("chunk", vec![i(2), five]), "[[1 2] [3 4] [5]]");
        assert_eq!(show("chunk", vec![i(5), l(vec![i(1), i(2)])]), "[[1 2]]");
        assert_eq!(show("chunk", vec![i(-1), l(vec![i(1), i(2)])]), "[]");
        assert_eq!(
            call("chunk", vec![i(0), l(vec![i(1), i(2)])]).unwrap_err(),
            "runtime error: makeslice: len out of range"
        );
    }

    #[test]
    fn errors_name_the_kind() {
        assert_eq!(
            call("first", vec![s("abc")]).unwrap_err(),
            "Cannot find first on type string"
        );
        assert_eq!(
            call("mustFirst", vec![i(1)]).unwrap_err(),
            "Cannot find first on type int"
        );
        assert_eq!(
            call("first", vec![Value::Map(Map::new())]).unwrap_err(),
            "Cannot find first on type map"
        );
        assert_eq!(
            call("slice", vec![s("abc"), i(1)]).unwrap_err(),
            "list should be type of slice or array but string"
        );
        assert_eq!(
            call("concat", vec![l(vec![i(1)]), s("a")]).unwrap_err(),
            "Cannot concat type string as list"
        );
        assert_eq!(
            call("has", vec![s("a"), s("abc")]).unwrap_err(),
            "Cannot find has on type string"
        );
        for name in [
            "without",
            "uniq",
            "compact",
            "reverse",
            "rest",
            "last",
            "initial",
            "mustFirst",
            "slice",
        ] {
            assert_eq!(
                call(name, vec![Value::Nil]).unwrap_err(),
                NIL_DEREF,
                "{name}"
            );
        }
        for name in ["append", "prepend"] {
            assert_eq!(call(name, vec![Value::Nil, i(1)]).unwrap_err(), NIL_DEREF);
        }
        assert_eq!(
            call("concat", vec![Value::Nil, l(vec![])]).unwrap_err(),
            NIL_DEREF
        );
        assert_eq!(
            call("chunk", vec![i(2), Value::Nil]).unwrap_err(),
            NIL_DEREF
        );
    }

    #[test]
    fn sort_alpha_stringifies() {
        let mixed = l(vec![
            s("b"),
            i(1),
            s("a"),
            Value::Float(2.5),
            Value::Nil,
            l(vec![i(1)]),
        ]);
        assert_eq!(show("sortAlpha", vec![mixed]), "[1 2.5 [1] a b]");
        assert_eq!(show("sortAlpha", vec![s("x")]), "[x]");
        assert_eq!(show("sortAlpha", vec![i(3)]), "[3]");
        assert_eq!(show("sortAlpha", vec![Value::Nil]), "[<nil>]");
    }

    #[test]
    fn list_and_tuple() {
        assert_eq!(show("list", vec![i(1), s("a"), Value::Nil]), "[1 a <nil>]");
        assert_eq!(show("tuple", vec![i(1)]), "[1]");
        assert_eq!(show("mustAppend", vec![l(vec![i(3)]), i(4)]), "[3 4]");
        assert_eq!(
            show("mustChunk", vec![i(1), l(vec![i(3), i(4)])]),
            "[[3] [4]]"
        );
        assert_eq!(show("mustCompact", vec![l(vec![i(0), i(3)])]), "[3]");
    }
}
