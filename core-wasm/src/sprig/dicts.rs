//! Sprig: dict functions.
//!
//! Maps are Go maps shared by reference: `set`, `unset` and `merge` change the map every holder
//! sees, and `merge` returns its (mutated) first argument. `merge`/`mergeOverwrite` follow
//! dario.cat/mergo as Sprig calls it (see [`merge_into`]). Go iterates maps in random order;
//! `keys` and `values` use key order, one of the orders Go can produce.

use crate::go::strval;
use crate::template::func::{Ctx, Func};
use crate::value::{Elem, Map, Ty, Value};

use super::defaults::is_empty;

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::variadic("dict", &[], Ty::Any, dict),
        Func::new("get", &[Ty::Map, Ty::String], get),
        Func::new("set", &[Ty::Map, Ty::String, Ty::Any], set),
        Func::new("unset", &[Ty::Map, Ty::String], unset),
        Func::new("hasKey", &[Ty::Map, Ty::String], has_key),
        Func::variadic("pluck", &[Ty::String], Ty::Map, pluck),
        Func::variadic("keys", &[], Ty::Map, keys),
        Func::new("values", &[Ty::Map], values),
        Func::variadic("pick", &[Ty::Map], Ty::String, pick),
        Func::variadic("omit", &[Ty::Map], Ty::String, omit),
        Func::variadic("merge", &[Ty::Map], Ty::Map, merge),
        Func::variadic("mustMerge", &[Ty::Map], Ty::Map, merge),
        Func::variadic("mergeOverwrite", &[Ty::Map], Ty::Map, merge_overwrite),
        Func::variadic("mustMergeOverwrite", &[Ty::Map], Ty::Map, merge_overwrite),
        Func::new("deepCopy", &[Ty::Any], deep_copy),
        Func::new("mustDeepCopy", &[Ty::Any], deep_copy),
        Func::variadic("dig", &[], Ty::Any, dig),
    ]);
}

fn key(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// `dict k1 v1 k2 v2 ...`: keys as Sprig's `strval`, a dangling key maps to "".
fn dict(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let m = Map::new();
    for pair in args.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
        m.insert(strval(&pair[0]), value);
    }
    Ok(Value::Map(m))
}

/// `get d key`: the value, or "" when the key is absent (a nil map has no keys).
fn get(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let found = args[0].as_map().and_then(|m| m.get(key(&args[1])));
    Ok(found.unwrap_or_else(|| Value::str("")))
}

fn set(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let m = args[0].as_map().ok_or("assignment to entry in nil map")?;
    m.insert(key(&args[1]), args[2].clone());
    Ok(args[0].clone())
}

fn unset(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    match &args[0] {
        Value::Map(m) => {
            m.remove(key(&args[1]));
            Ok(args[0].clone())
        }
        // Deleting from a nil map is a no-op in Go; the nil map prints as an empty one.
        _ => Ok(Value::Map(Map::new())),
    }
}

fn has_key(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let found = args[0]
        .as_map()
        .is_some_and(|m| m.contains_key(key(&args[1])));
    Ok(Value::Bool(found))
}

/// `pluck key d1 d2 ...`: the key's value from each map that has it.
fn pluck(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let k = key(&args[0]);
    let found = args[1..]
        .iter()
        .filter_map(|d| d.as_map().and_then(|m| m.get(k)))
        .collect();
    Ok(Value::list(found))
}

fn keys(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let all = args
        .iter()
        .filter_map(Value::as_map)
        .flat_map(Map::keys)
        .collect();
    Ok(Value::string_list(all))
}

fn values(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let all = args[0]
        .as_map()
        .map(|m| m.entries().into_iter().map(|(_, v)| v).collect())
        .unwrap_or_default();
    Ok(Value::list(all))
}

fn pick(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let out = Map::new();
    if let Some(m) = args[0].as_map() {
        for k in args[1..].iter().map(key) {
            if let Some(v) = m.get(k) {
                out.insert(k, v);
            }
        }
    }
    Ok(Value::Map(out))
}

fn omit(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let out = Map::new();
    if let Some(m) = args[0].as_map() {
        let drop: Vec<&str> = args[1..].iter().map(key).collect();
        for (k, v) in m.entries() {
            if !drop.contains(&k.as_str()) {
                out.insert(k, v);
            }
        }
    }
    Ok(Value::Map(out))
}

fn merge(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    merge_all(args, false)
}

fn merge_overwrite(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    merge_all(args, true)
}

/// Sprig's merge loop: each source in turn into the first argument, which is returned. A nil
/// destination becomes a new map as soon as a non-nil source arrives (mergo sets it through
/// the pointer Sprig passes).
fn merge_all(mut args: Vec<Value>, overwrite: bool) -> Result<Value, String> {
    let srcs = args.split_off(1);
    let mut dst = args.pop().and_then(|d| d.as_map().cloned());
    for src in srcs.iter().filter_map(Value::as_map) {
        let d = dst.get_or_insert_with(Map::new);
        merge_into(d, src, overwrite)?;
    }
    Ok(Value::Map(dst.unwrap_or_default()))
}

/// mergo's `deepMerge` for two maps (with `WithOverride` when `overwrite`):
///
/// - a nil source value is skipped, or stored as nil when overwriting;
/// - a map source value is merged into a map destination value in place (other destination
///   values are left alone here);
/// - a slice source value replaces the destination value only when overwriting or when the
///   whole destination map is empty;
/// - then, unless the destination value is non-empty and the source is a slice or both are
///   maps (those cases are settled above), the source value is stored when overwriting, when
///   the key is missing, or when the destination value is empty.
///
/// Maps stored from the source are the source's own maps, shared by reference as in Go.
pub(crate) fn merge_into(dst: &Map, src: &Map, overwrite: bool) -> Result<(), String> {
    for (k, s) in src.entries() {
        let d = dst.get(&k);
        match &s {
            Value::Nil => {
                if overwrite {
                    store(dst, k, s)?;
                }
                continue;
            }
            Value::Map(sm) => {
                if let Some(Value::Map(dm)) = &d {
                    merge_into(dm, sm, overwrite)?;
                }
            }
            Value::List(_) | Value::Bytes(_) => {
                // mergo replaces the slice only when overwriting or when the whole destination
                // map is empty; otherwise it keeps (or creates an empty copy of) the destination.
                let kept = if overwrite || dst.is_empty() {
                    s.clone()
                } else {
                    match &d {
                        None | Some(Value::Nil) => empty_like(&s),
                        Some(v) => v.clone(),
                    }
                };
                store(dst, k.clone(), kept)?;
            }
            _ => {}
        }
        let dst_empty = d.as_ref().is_none_or(is_empty);
        let both_maps = matches!((&s, &d), (Value::Map(_), Some(Value::Map(_))));
        if !dst_empty && (both_maps || matches!(s, Value::List(_) | Value::Bytes(_))) {
            continue;
        }
        if overwrite || dst_empty {
            store(dst, k, s)?;
        }
    }
    Ok(())
}

/// An empty slice of the same Go type.
fn empty_like(v: &Value) -> Value {
    match v {
        Value::List(l) => Value::List(crate::value::List::typed(Vec::new(), l.elem)),
        _ => Value::Bytes(Vec::new().into()),
    }
}

/// `SetMapIndex`, which panics when the value does not fit a typed map such as
/// `map[string]string`.
fn store(dst: &Map, k: String, v: Value) -> Result<(), String> {
    if dst.elem == Elem::String && !matches!(v, Value::String(_)) {
        return Err(format!(
            "reflect.Value.SetMapIndex: value of type {} is not assignable to type string",
            v.go_type()
        ));
    }
    dst.insert(k, v);
    Ok(())
}

/// copystructure's `Copy`: no map is shared with the original. Go cannot copy a nil interface.
fn deep_copy(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    if args[0].is_nil() {
        return Err("reflect: call of reflect.Value.Type on zero Value".to_string());
    }
    Ok(args[0].deep_copy())
}

/// `dig k1 k2 ... default dict`: walk nested maps; the default when a key is missing. Sprig
/// type-asserts every step, so a non-map step fails with Go's interface conversion text.
fn dig(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    if args.len() < 3 {
        return Err("dig needs at least three arguments".to_string());
    }
    let (keys, rest) = args.split_at(args.len() - 2);
    let default = &rest[0];
    let mut cur = as_dict(&rest[1])?;
    let keys = keys
        .iter()
        .map(|k| {
            k.as_str()
                .map(str::to_string)
                .ok_or_else(|| conversion_error(k, "string"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = cur.get(k) else {
            return Ok(default.clone());
        };
        if i == keys.len() - 1 {
            return Ok(step);
        }
        cur = as_dict(&step)?;
    }
    Ok(default.clone())
}

/// Go's `v.(map[string]interface {})`: the exact type, so a named map such as Helm's `.Values`
/// (`common.Values`) fails as it does in Helm.
fn as_dict(v: &Value) -> Result<Map, String> {
    match v {
        Value::Map(m) if m.elem == Elem::Any && m.go_type() == "map[string]interface {}" => {
            Ok(m.clone())
        }
        other => Err(conversion_error(other, "map[string]interface {}")),
    }
}

/// The panic text of a failed type assertion from `interface {}`.
fn conversion_error(v: &Value, want: &str) -> String {
    let got = match v {
        Value::Nil => "nil".to_string(),
        other => other.go_type(),
    };
    format!("interface conversion: interface {{}} is {got}, not {want}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;
    use crate::go::format_v;

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

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn i(n: i64) -> Value {
        Value::int(n)
    }

    /// `dict k1 v1 ...` built directly.
    fn d(pairs: Vec<(&str, Value)>) -> Value {
        let m = Map::new();
        for (k, v) in pairs {
            m.insert(k, v);
        }
        Value::Map(m)
    }

    #[test]
    fn dict_get_set_unset() {
        // Oracle: `dict "a" 1 "b"`, `dict 1 2 nil 3 2.5 4 true 5`, get/set/unset probes.
        assert_eq!(show("dict", vec![s("a"), i(1), s("b")]), "map[a:1 b:]");
        let mixed = vec![
            i(1),
            i(2),
            Value::Nil,
            i(3),
            Value::Float(2.5),
            i(4),
            Value::Bool(true),
            i(5),
        ];
        assert_eq!(show("dict", mixed), "map[1:2 2.5:4 <nil>:3 true:5]");
        assert_eq!(
            call("dict", vec![]).unwrap().go_type(),
            "map[string]interface {}"
        );
        assert_eq!(show("get", vec![d(vec![("a", i(1))]), s("a")]), "1");
        assert_eq!(
            call("get", vec![d(vec![("a", i(1))]), s("b")])
                .unwrap()
                .as_str(),
            Some("")
        );
        assert!(
            call("get", vec![d(vec![("a", Value::Nil)]), s("a")])
                .unwrap()
                .is_nil()
        );
        assert_eq!(
            call("get", vec![Value::Nil, s("a")]).unwrap().as_str(),
            Some("")
        );
        assert_eq!(
            show("hasKey", vec![d(vec![("a", Value::Nil)]), s("a")]),
            "true"
        );
        assert_eq!(show("hasKey", vec![Value::Nil, s("a")]), "false");
        let m = d(vec![("a", i(1))]);
        assert_eq!(show("set", vec![m.clone(), s("b"), i(2)]), "map[a:1 b:2]");
        assert_eq!(format_v(&m), "map[a:1 b:2]");
        assert_eq!(show("unset", vec![m.clone(), s("a")]), "map[b:2]");
        assert_eq!(format_v(&m), "map[b:2]");
        assert_eq!(
            call("set", vec![Value::Nil, s("a"), i(1)]).unwrap_err(),
            "assignment to entry in nil map"
        );
        assert_eq!(show("unset", vec![Value::Nil, s("a")]), "map[]");
    }

    #[test]
    fn pluck_keys_values_pick_omit() {
        let args = vec![
            s("a"),
            d(vec![("a", i(1))]),
            d(vec![("b", i(2))]),
            d(vec![("a", i(3))]),
        ];
        assert_eq!(show("pluck", args), "[1 3]");
        assert_eq!(show("pluck", vec![s("a"), Value::Nil]), "[]");
        let k = call(
            "keys",
            vec![d(vec![("b", i(1)), ("a", i(2))]), d(vec![("c", i(1))])],
        )
        .unwrap();
        assert_eq!(k.go_type(), "[]string");
        assert_eq!(format_v(&k), "[a b c]");
        assert_eq!(show("keys", vec![Value::Nil]), "[]");
        assert_eq!(show("values", vec![d(vec![("a", i(1))])]), "[1]");
        assert_eq!(show("values", vec![Value::Nil]), "[]");
        let ab = || d(vec![("a", i(1)), ("b", i(2))]);
        assert_eq!(show("pick", vec![ab(), s("a"), s("c")]), "map[a:1]");
        assert_eq!(show("omit", vec![ab(), s("a"), s("c")]), "map[b:2]");
        assert_eq!(show("pick", vec![Value::Nil, s("a")]), "map[]");
        assert_eq!(show("omit", vec![Value::Nil, s("a")]), "map[]");
    }

    #[test]
    fn merge_keeps_non_empty_destination_values() {
        // Oracle case 1: every kind of empty destination value is filled, "x" stays.
        let dst = d(vec![
            ("a", Value::Bool(false)),
            ("b", i(0)),
            ("c", s("")),
            ("d", Value::Nil),
            ("e", Value::list(vec![])),
            ("f", d(vec![])),
            ("g", s("x")),
        ]);
        let src = d(vec![
            ("a", Value::Bool(true)),
            ("b", i(1)),
            ("c", s("y")),
            ("d", i(2)),
            ("e", Value::list(vec![i(1)])),
            ("f", d(vec![("k", i(1))])),
            ("g", s("z")),
        ]);
        let out = call("merge", vec![dst.clone(), src]).unwrap();
        assert_eq!(
            format_v(&out),
            "map[a:true b:1 c:y d:2 e:[1] f:map[k:1] g:x]"
        );
        assert!(out.as_map().unwrap().same(dst.as_map().unwrap()));
        // Case 4/5/6/7: a scalar against a map or a list, lists against lists.
        let scalar_vs_map = vec![d(vec![("a", s("x"))]), d(vec![("a", d(vec![("b", i(1))]))])];
        assert_eq!(show("merge", scalar_vs_map.clone()), "map[a:x]");
        assert_eq!(show("mergeOverwrite", scalar_vs_map), "map[a:map[b:1]]");
        let map_vs_scalar = vec![d(vec![("a", d(vec![("b", i(1))]))]), d(vec![("a", s("x"))])];
        assert_eq!(show("merge", map_vs_scalar.clone()), "map[a:map[b:1]]");
        assert_eq!(show("mergeOverwrite", map_vs_scalar), "map[a:x]");
        let lists = vec![
            d(vec![("a", Value::list(vec![i(1)]))]),
            d(vec![("a", Value::list(vec![i(2), i(3)]))]),
        ];
        assert_eq!(show("merge", lists), "map[a:[1]]");
        let to_empty = vec![
            d(vec![("a", Value::list(vec![i(1)]))]),
            d(vec![("a", Value::list(vec![]))]),
        ];
        assert_eq!(show("mergeOverwrite", to_empty), "map[a:[]]");
        let strs = Value::string_list(vec!["p".into(), "q".into()]);
        let typed = call(
            "mergeOverwrite",
            vec![d(vec![("a", s("x"))]), d(vec![("a", strs)])],
        )
        .unwrap();
        assert_eq!(
            typed.as_map().unwrap().get("a").unwrap().go_type(),
            "[]string"
        );
        assert_eq!(
            show(
                "merge",
                vec![
                    d(vec![("a", s("x"))]),
                    d(vec![("a", Value::list(vec![i(2)]))])
                ]
            ),
            "map[a:x]"
        );
        assert_eq!(
            show(
                "merge",
                vec![d(vec![("a", Value::list(vec![]))]), d(vec![("a", s("s"))])]
            ),
            "map[a:s]"
        );
        assert_eq!(
            show(
                "mergeOverwrite",
                vec![
                    d(vec![("a", Value::list(vec![i(1)]))]),
                    d(vec![("a", s("s"))])
                ]
            ),
            "map[a:s]"
        );
    }

    #[test]
    fn merge_overwrite_sets_empty_and_nil_values() {
        // Oracle case 2 and 3.
        let dst = d(vec![
            ("a", Value::Bool(true)),
            ("b", i(1)),
            ("g", s("x")),
            ("h", d(vec![("k", i(1)), ("j", i(2))])),
        ]);
        let src = d(vec![
            ("a", Value::Bool(false)),
            ("b", i(0)),
            ("g", s("")),
            ("h", d(vec![("k", Value::Nil)])),
        ]);
        assert_eq!(
            show("mergeOverwrite", vec![dst, src]),
            "map[a:false b:0 g: h:map[j:2 k:<nil>]]"
        );
        assert_eq!(
            show("merge", vec![d(vec![]), d(vec![("a", Value::Nil)])]),
            "map[]"
        );
        assert_eq!(
            show(
                "mergeOverwrite",
                vec![d(vec![("a", i(1))]), d(vec![("a", Value::Nil)])]
            ),
            "map[a:<nil>]"
        );
    }

    #[test]
    fn merge_shares_and_recurses() {
        // Oracle case 8: nested maps merge in place; maps new to dst are src's own maps.
        let dst = d(vec![("n", d(vec![("x", i(1))]))]);
        let src_m = d(vec![("z", i(3))]);
        let src_n = d(vec![("y", i(2))]);
        let src = d(vec![("n", src_n.clone()), ("m", src_m.clone())]);
        call("merge", vec![dst.clone(), src]).unwrap();
        src_m.as_map().unwrap().insert("w", i(4));
        src_n.as_map().unwrap().insert("q", i(5));
        assert_eq!(format_v(&dst), "map[m:map[w:4 z:3] n:map[x:1 y:2]]");
        // Case 9: several sources in order.
        let three = || {
            vec![
                d(vec![("a", i(1))]),
                d(vec![("a", i(2)), ("b", i(2))]),
                d(vec![("b", i(3)), ("c", i(3))]),
            ]
        };
        assert_eq!(show("merge", three()), "map[a:1 b:2 c:3]");
        assert_eq!(show("mergeOverwrite", three()), "map[a:2 b:3 c:3]");
        // Case 10: deep nesting.
        let deep_dst = d(vec![(
            "a",
            d(vec![("b", d(vec![("c", i(1)), ("d", i(0))]))]),
        )]);
        let deep_src = d(vec![(
            "a",
            d(vec![("b", d(vec![("d", i(5)), ("e", i(6))]))]),
        )]);
        assert_eq!(
            show("merge", vec![deep_dst, deep_src]),
            "map[a:map[b:map[c:1 d:5 e:6]]]"
        );
        // Case 14: a nil destination.
        assert_eq!(
            show("merge", vec![Value::Nil, d(vec![("a", i(1))])]),
            "map[a:1]"
        );
        assert_eq!(
            show("mustMerge", vec![d(vec![("a", i(1))]), Value::Nil]),
            "map[a:1]"
        );
    }

    #[test]
    fn deep_copy_and_dig() {
        let orig = d(vec![("a", i(1)), ("b", d(vec![("c", i(2))]))]);
        let copy = call("deepCopy", vec![orig.clone()]).unwrap();
        copy.as_map().unwrap().insert("a", i(99));
        assert_eq!(format_v(&orig), "map[a:1 b:map[c:2]]");
        assert_eq!(
            call("mustDeepCopy", vec![Value::Nil]).unwrap_err(),
            "reflect: call of reflect.Value.Type on zero Value"
        );
        let ab = || d(vec![("a", d(vec![("b", i(1))]))]);
        assert_eq!(show("dig", vec![s("a"), s("b"), s("def"), ab()]), "1");
        assert_eq!(show("dig", vec![s("a"), s("x"), s("def"), ab()]), "def");
        assert_eq!(show("dig", vec![s("z"), s("def"), d(vec![])]), "def");
        assert_eq!(show("dig", vec![s("a"), i(1), d(vec![])]), "1");
        let err = |args| call("dig", args).unwrap_err();
        assert_eq!(
            err(vec![s("a"), s("b"), s("d"), d(vec![("a", s("s"))])]),
            "interface conversion: interface {} is string, not map[string]interface {}"
        );
        assert_eq!(
            err(vec![i(1), s("d"), d(vec![])]),
            "interface conversion: interface {} is int, not string"
        );
        assert_eq!(
            err(vec![s("a"), d(vec![])]),
            "dig needs at least three arguments"
        );
        assert_eq!(
            err(vec![s("a"), s("b"), s("d"), d(vec![("a", Value::Nil)])]),
            "interface conversion: interface {} is nil, not map[string]interface {}"
        );
        assert_eq!(
            err(vec![s("a"), s("d"), Value::Nil]),
            "interface conversion: interface {} is nil, not map[string]interface {}"
        );
    }
}
