//! Values: user layers merged in Helm's order, then coalesced with chart defaults and subcharts.

use crate::api::render::{FileValue, ValuesLayer};
use crate::value::{Map, Value};

use super::Chart;

/// Helm's `mergeMaps`: `b` over `a`, maps merged deeply, anything else replaced.
pub fn merge_maps(a: &Map, b: &Map) -> Map {
    let out = Map::from_btree(a.borrow().clone());
    for (k, v) in b.entries() {
        if let (Value::Map(bv), Some(Value::Map(av))) = (&v, out.get(&k)) {
            out.insert(k, Value::Map(merge_maps(&av, bv)));
            continue;
        }
        out.insert(k, v);
    }
    out
}

/// The user's values from every layer, in the order given (Helm: `-f` files, then `--set-json`,
/// `--set`, `--set-string`, `--set-file`, `--set-literal`), each `--set` parsed into the values
/// built so far, as Helm's `strvals` does.
pub fn user_values(layers: &[ValuesLayer]) -> Result<Map, String> {
    use super::strvals::{Mode, parse_into};
    let mut base = Map::new();
    for layer in layers {
        match layer {
            ValuesLayer::YamlFile(f) => {
                let text = String::from_utf8_lossy(&f.data);
                let docs = crate::yaml::parse_all(&text)
                    .map_err(|e| format!("failed to parse {}: {e}", f.path))?;
                for d in docs {
                    if let Value::Map(m) = d {
                        base = merge_maps(&base, &m);
                    }
                }
            }
            ValuesLayer::Set(s) => parse_into(s, &base, Mode::Typed)
                .map_err(|e| format!("failed parsing --set data: {e}"))?,
            ValuesLayer::SetString(s) => parse_into(s, &base, Mode::String)
                .map_err(|e| format!("failed parsing --set-string data: {e}"))?,
            ValuesLayer::SetJson(s) if s.trim().starts_with('{') => {
                // Helm 4: a whole JSON object is merged in.
                match crate::json::from_json(s.trim()) {
                    Ok(Value::Map(m)) => base = merge_maps(&base, &m),
                    _ => return Err(format!("failed parsing --set-json data JSON: {s}")),
                }
            }
            ValuesLayer::SetJson(s) => parse_into(s, &base, Mode::Json)
                .map_err(|_| format!("failed parsing --set-json data {s}"))?,
            ValuesLayer::SetLiteral(s) => parse_into(s, &base, Mode::Literal)
                .map_err(|e| format!("failed parsing --set-literal data: {e}"))?,
            ValuesLayer::SetFile(FileValue { key, contents }) => {
                parse_into(&format!("{key}=file"), &base, Mode::File(contents))
                    .map_err(|e| format!("failed parsing --set-file data: {e}"))?
            }
        }
    }
    Ok(base)
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(m) if m.elem == crate::value::Elem::Any)
}

fn copy_map(m: &Map) -> Map {
    match Value::Map(m.clone()).deep_copy() {
        Value::Map(c) => c,
        _ => Map::new(),
    }
}

/// `Values.Table`: the table at a dotted path, if every step is a table.
pub fn table(values: &Map, path: &str) -> Option<Map> {
    table_lookup(values, path).ok()
}

/// `Values.Table` with its error: the path part that is missing or not a table.
pub fn table_lookup(values: &Map, path: &str) -> Result<Map, String> {
    let mut t = values.clone();
    for part in path.split('.') {
        match t.get(part) {
            Some(Value::Map(m)) if is_table(&Value::Map(m.clone())) => t = m,
            _ => return Err(part.to_string()),
        }
    }
    Ok(t)
}

/// Helm's `pathToMap`: `data` nested under a dotted path (`.` is the top).
pub fn path_to_map(path: &str, data: &Map) -> Map {
    if path == "." {
        return data.clone();
    }
    let mut cur = data.clone();
    for part in path.split('.').rev() {
        let m = Map::new();
        m.insert(part, Value::Map(cur));
        cur = m;
    }
    cur
}

/// Helm's `CoalesceTables`: `src` under `dst`, `dst` wins.
pub fn coalesce_tables_into(dst: &Map, src: &Map) -> Map {
    coalesce_tables(dst, src, false);
    dst.clone()
}

/// Helm's `trimNilValues`: every `null` removed, recursively.
pub fn trim_nil_values(m: &Map) {
    clean_nil_values(m);
}

/// Helm's `coalesceTablesFullKey`: `dst` is authoritative. When coalescing (not merging), a
/// `null` in `dst` deletes a key that `src` has a value for.
fn coalesce_tables(dst: &Map, src: &Map, merge: bool) {
    let src_non_nil: Vec<String> = src
        .entries()
        .into_iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k)
        .collect();
    for (k, v) in dst.entries() {
        if v.is_nil() {
            src.insert(k, Value::Nil);
        }
    }
    for (k, sv) in src.entries() {
        match dst.get(&k) {
            Some(Value::Nil) if !merge && src_non_nil.contains(&k) => {
                dst.remove(&k);
            }
            None => dst.insert(k, sv),
            Some(dv) => {
                if let (Value::Map(sm), Value::Map(dm)) = (&sv, &dv)
                    && is_table(&sv)
                    && is_table(&dv)
                {
                    coalesce_tables(dm, sm, merge);
                }
            }
        }
    }
}

/// Remove every `null` from a table, recursively (Helm's `cleanNilValues`).
fn clean_nil_values(m: &Map) {
    for (k, v) in m.entries() {
        match &v {
            Value::Nil => {
                m.remove(&k);
            }
            Value::Map(sub) if is_table(&v) => clean_nil_values(sub),
            _ => {}
        }
    }
}

/// Helm's `CoalesceValues` (`merge` false) and `MergeValues` (`merge` true): a copy of `vals`
/// with the chart's defaults and its subcharts' coalesced in.
pub fn coalesce_values(chart: &Chart, vals: &Map, merge: bool) -> Result<Map, String> {
    let dest = copy_map(vals);
    coalesce(chart, &dest, "", merge)?;
    Ok(dest)
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(chart: &Chart, dest: &Map, prefix: &str, merge: bool) -> Result<(), String> {
    coalesce_chart_values(chart, dest, merge);
    for sub in &chart.dependencies {
        let name = sub.name();
        let table = match dest.get(&name) {
            None => {
                let m = Map::new();
                dest.insert(name.clone(), Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) if is_table(&Value::Map(m.clone())) => m,
            Some(other) => {
                return Err(format!(
                    "type mismatch on {name}: {}",
                    crate::go::sprintf("%t", &[other])
                ));
            }
        };
        let sub_prefix = concat_prefix(prefix, &chart.name());
        coalesce_globals(&table, dest);
        coalesce(sub, &table, &sub_prefix, merge)?;
    }
    Ok(())
}

/// Helm's `coalesceValues`: the chart's defaults under `v`.
fn coalesce_chart_values(chart: &Chart, v: &Map, merge: bool) {
    let Value::Map(defaults) = chart.values.deep_copy() else {
        return;
    };
    for (key, val) in defaults.entries() {
        match v.get(&key) {
            Some(Value::Nil) if !merge => {
                v.remove(&key);
            }
            Some(dv @ Value::Map(_)) if is_table(&dv) => {
                let (Value::Map(dest), Value::Map(src)) = (&dv, &val) else {
                    continue;
                };
                if !is_table(&val) {
                    continue;
                }
                let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                if !merge {
                    clean_nil_values(src);
                }
                coalesce_tables(dest, src, merge);
            }
            Some(_) => {}
            None => {
                if !merge {
                    if val.is_nil() {
                        continue;
                    }
                    if let Value::Map(sub) = &val
                        && is_table(&val)
                    {
                        clean_nil_values(sub);
                    }
                }
                v.insert(key, val);
            }
        }
    }
}

/// Helm's `coalesceGlobals`: the parent's `global` into a subchart's table; the parent wins.
fn coalesce_globals(dest: &Map, src: &Map) {
    let dg = match dest.get("global") {
        None => Map::new(),
        Some(Value::Map(m)) if is_table(&Value::Map(m.clone())) => m,
        Some(_) => return,
    };
    let sg = match src.get("global") {
        None => Map::new(),
        Some(Value::Map(m)) if is_table(&Value::Map(m.clone())) => m,
        Some(_) => return,
    };
    for (key, val) in sg.entries() {
        if let Value::Map(vm) = &val
            && is_table(&val)
        {
            let vv = Map::from_btree(vm.borrow().clone());
            match dg.get(&key) {
                None => dg.insert(key, Value::Map(vv)),
                Some(Value::Map(dm)) if is_table(&Value::Map(dm.clone())) => {
                    coalesce_tables(&vv, &dm, true);
                    dg.insert(key, Value::Map(vv));
                }
                Some(_) => {}
            }
        } else if matches!(dg.get(&key), Some(dv) if is_table(&dv)) {
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert("global", Value::Map(dg));
}

#[cfg(test)]
mod tests {
    use super::super::strvals::{Mode, parse_into};
    use super::*;

    #[test]
    fn set_types_and_paths() {
        let m = Map::new();
        parse_into("a.b=1,c=true,d=0123,e={x,y},f[1]=z,g=null", &m, Mode::Typed).unwrap();
        let a = m.get("a").unwrap();
        assert!(
            a.as_map()
                .unwrap()
                .get("b")
                .unwrap()
                .deep_equal(&Value::int64(1))
        );
        assert!(m.get("c").unwrap().deep_equal(&Value::Bool(true)));
        assert!(m.get("d").unwrap().deep_equal(&Value::str("0123")));
        assert_eq!(m.get("e").unwrap().as_list().unwrap().len(), 2);
        assert_eq!(m.get("f").unwrap().as_list().unwrap().len(), 2);
        assert!(m.get("g").unwrap().is_nil());
    }

    #[test]
    fn merge_is_deep_for_maps_only() {
        let a = Map::new();
        parse_into("x.y=1,x.z=2,l={1,2}", &a, Mode::Typed).unwrap();
        let b = Map::new();
        parse_into("x.y=3,l={9}", &b, Mode::Typed).unwrap();
        let m = merge_maps(&a, &b);
        let x = m.get("x").unwrap();
        assert_eq!(x.as_map().unwrap().len(), 2);
        assert_eq!(m.get("l").unwrap().as_list().unwrap().len(), 1);
    }
}
