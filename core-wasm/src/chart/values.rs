//! Values: user layers merged in Helm's order, then coalesced with chart defaults and subcharts.

use crate::render::ValuesLayer;
use crate::value::{List, Map, Value};

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

/// The user's values from every layer, in the order given (Helm: `-f` files, then the `--set`
/// family).
pub fn user_values(layers: &[ValuesLayer]) -> Result<Map, String> {
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
            ValuesLayer::Set(s) => parse_set(s, &base, SetMode::Typed)
                .map_err(|e| format!("failed parsing --set data: {e}"))?,
            ValuesLayer::SetString(s) => parse_set(s, &base, SetMode::String)
                .map_err(|e| format!("failed parsing --set-string data: {e}"))?,
            ValuesLayer::SetJson(s) => parse_set(s, &base, SetMode::Json)
                .map_err(|_| format!("failed parsing --set-json data {s}"))?,
            ValuesLayer::SetLiteral(s) => {
                let (k, v) = s.split_once('=').unwrap_or((s, ""));
                set_path(&base, &split_key(k), Value::str(v))?;
            }
            ValuesLayer::SetFile(k, contents) => {
                set_path(&base, &split_key(k), Value::from(contents.clone()))?;
            }
        }
    }
    Ok(base)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetMode {
    Typed,
    String,
    Json,
}

/// Split `a.b\.c` into `["a", "b.c"]`.
fn split_key(k: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut esc = false;
    for c in k.chars() {
        if esc {
            parts.last_mut().unwrap_or(&mut String::new()).push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == '.' {
            parts.push(String::new());
        } else if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    parts
}

/// strvals' typing for `--set`: int64 without a leading zero, bools and null in any case.
fn typed(v: &str) -> Value {
    match v.to_ascii_lowercase().as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Nil,
        _ => {}
    }
    if v == "0" {
        return Value::int64(0);
    }
    if !v.starts_with('0')
        && !v.starts_with("-0")
        && let Ok(i) = v.parse::<i64>()
        && !v.starts_with('+')
    {
        return Value::int64(i);
    }
    Value::str(v)
}

/// Split on unescaped `sep` outside `{...}`.
fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0;
    let mut esc = false;
    for c in s.chars() {
        let cur = out.last_mut().expect("never empty");
        if esc {
            cur.push('\\');
            cur.push(c);
            esc = false;
            continue;
        }
        match c {
            '\\' => esc = true,
            '{' => {
                depth += 1;
                cur.push(c);
            }
            '}' => {
                depth -= 1;
                cur.push(c);
            }
            c if c == sep && depth == 0 => out.push(String::new()),
            c => cur.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut esc = false;
    for c in s.chars() {
        if esc {
            out.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_set(s: &str, base: &Map, mode: SetMode) -> Result<(), String> {
    let items = if mode == SetMode::Json {
        vec![s.to_string()]
    } else {
        split_top(s, ',')
    };
    for item in items {
        if item.is_empty() {
            continue;
        }
        let Some((k, v)) = item.split_once('=') else {
            return Err(format!("key \"{item}\" has no value"));
        };
        let value = match mode {
            SetMode::Json => crate::json::from_json(v)?,
            SetMode::String | SetMode::Typed => {
                let conv = |x: &str| {
                    if mode == SetMode::Typed {
                        typed(&unescape(x))
                    } else {
                        Value::from(unescape(x))
                    }
                };
                if let Some(inner) = v.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                    Value::List(List::new(
                        split_top(inner, ',').iter().map(|x| conv(x)).collect(),
                    ))
                } else {
                    conv(v)
                }
            }
        };
        set_path(base, &split_key(k), value)?;
    }
    Ok(())
}

/// One step of a `--set` key: a map key or a list index.
enum Seg {
    Key(String),
    Index(usize),
}

/// `a.b[0][1]` as strvals reads it, with its error texts.
fn parse_segments(path: &[String]) -> Result<Vec<Seg>, String> {
    let mut out = Vec::new();
    for part in path {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part.as_str(), ""),
        };
        out.push(Seg::Key(name.to_string()));
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']').unwrap_or(inner.len());
            let idx = &inner[..close];
            let digits = idx.strip_prefix(['+', '-']).unwrap_or(idx);
            let why = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                "value out of range"
            } else {
                "invalid syntax"
            };
            let i: i64 = idx.parse().map_err(|_| {
                format!(
                    "error parsing index: strconv.Atoi: parsing {}: {why}",
                    crate::gofmt::quote(idx)
                )
            })?;
            if i < 0 {
                return Err(format!("negative {i} index not allowed"));
            }
            out.push(Seg::Index(i as usize));
            rest = inner.get(close + 1..).unwrap_or("");
        }
    }
    Ok(out)
}

fn set_value(cur: Option<Value>, segs: &[Seg], value: Value) -> Value {
    match segs.first() {
        None => value,
        Some(Seg::Key(k)) => {
            let m = match cur {
                Some(Value::Map(m)) => m,
                _ => Map::new(),
            };
            let nv = set_value(m.get(k), &segs[1..], value);
            m.insert(k.clone(), nv);
            Value::Map(m)
        }
        Some(Seg::Index(i)) => {
            let mut items = match cur {
                Some(Value::List(l)) => l.items.to_vec(),
                _ => Vec::new(),
            };
            if items.len() <= *i {
                items.resize(i + 1, Value::Nil);
            }
            let child = std::mem::replace(&mut items[*i], Value::Nil);
            items[*i] = set_value(Some(child), &segs[1..], value);
            Value::List(List::new(items))
        }
    }
}

/// Set `path` (with `name[i]` list indexes, nested) in `base`, creating maps and lists on the
/// way.
fn set_path(base: &Map, path: &[String], value: Value) -> Result<(), String> {
    let segs = parse_segments(path)?;
    let Some(Seg::Key(first)) = segs.first() else {
        return Err("empty key".to_string());
    };
    let nv = set_value(base.get(first), &segs[1..], value);
    base.insert(first.clone(), nv);
    Ok(())
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
    let mut t = values.clone();
    for part in path.split('.') {
        match t.get(part) {
            Some(Value::Map(m)) if is_table(&Value::Map(m.clone())) => t = m,
            _ => return None,
        }
    }
    Some(t)
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
                    crate::gofmt::sprintf("%t", &[other])
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
    use super::*;

    #[test]
    fn set_types_and_paths() {
        let m = Map::new();
        parse_set(
            "a.b=1,c=true,d=0123,e={x,y},f[1]=z,g=null",
            &m,
            SetMode::Typed,
        )
        .unwrap();
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
        parse_set("x.y=1,x.z=2,l={1,2}", &a, SetMode::Typed).unwrap();
        let b = Map::new();
        parse_set("x.y=3,l={9}", &b, SetMode::Typed).unwrap();
        let m = merge_maps(&a, &b);
        let x = m.get("x").unwrap();
        assert_eq!(x.as_map().unwrap().len(), 2);
        assert_eq!(m.get("l").unwrap().as_list().unwrap().len(), 1);
    }
}
