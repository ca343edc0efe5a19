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
            // Helm reports any --set-json problem with the whole argument only.
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
            SetMode::String => Value::from(unescape(v)),
            SetMode::Typed => {
                if let Some(inner) = v.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                    let items: Vec<Value> = if inner.is_empty() {
                        vec![]
                    } else {
                        split_top(inner, ',')
                            .iter()
                            .map(|x| typed(&unescape(x)))
                            .collect()
                    };
                    Value::List(List::new(items))
                } else {
                    typed(&unescape(v))
                }
            }
        };
        set_path(base, &split_key(k), value)?;
    }
    Ok(())
}

/// Go's `strconv.Atoi`, with its error texts.
fn atoi(s: &str) -> Result<i64, String> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {s:?}: invalid syntax"));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {s:?}: value out of range"))
}

/// Set `path` (with `name[i]` list indexes) in `base`, creating maps and lists on the way.
fn set_path(base: &Map, path: &[String], value: Value) -> Result<(), String> {
    let (head, rest) = path.split_first().ok_or("empty key")?;
    let (name, index) = match head.split_once('[') {
        Some((n, i)) => {
            let digits = i.trim_end_matches(']');
            let i = atoi(digits).map_err(|e| format!("error parsing index: {e}"))?;
            if i < 0 {
                return Err(format!("negative {i} index not allowed"));
            }
            (n.to_string(), Some(i as usize))
        }
        None => (head.clone(), None),
    };
    match index {
        None if rest.is_empty() => {
            base.insert(name, value);
        }
        None => {
            let child = match base.get(&name) {
                Some(Value::Map(m)) => m,
                _ => {
                    let m = Map::new();
                    base.insert(name, Value::Map(m.clone()));
                    m
                }
            };
            set_path(&child, rest, value)?;
        }
        Some(i) => {
            let mut items = match base.get(&name) {
                Some(Value::List(l)) => l.items.to_vec(),
                _ => Vec::new(),
            };
            if items.len() <= i {
                items.resize(i + 1, Value::Nil);
            }
            if rest.is_empty() {
                items[i] = value;
            } else {
                let child = match &items[i] {
                    Value::Map(m) => m.clone(),
                    _ => Map::new(),
                };
                set_path(&child, rest, value)?;
                items[i] = Value::Map(child);
            }
            base.insert(name, Value::List(List::new(items)));
        }
    }
    Ok(())
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

/// A deep copy of a chart default with its `null`s dropped from maps at every depth (not from
/// lists), as Helm's coalescing leaves them; `None` for a `null` itself.
fn without_nils(v: &Value) -> Option<Value> {
    match v {
        Value::Nil => None,
        Value::Map(m) => {
            let out = Map::new();
            for (k, v) in m.entries() {
                if let Some(v) = without_nils(&v) {
                    out.insert(k, v);
                }
            }
            Some(Value::Map(out))
        }
        other => Some(other.deep_copy()),
    }
}

/// Helm's `coalesceTables`: `dst` wins; a `null` in `dst` deletes the key.
fn coalesce_tables(dst: &Map, src: &Map) {
    for (k, sv) in src.entries() {
        match dst.get(&k) {
            Some(Value::Nil) => {
                dst.remove(&k);
            }
            None => {
                if let Some(v) = without_nils(&sv) {
                    dst.insert(k, v);
                }
            }
            Some(Value::Map(dv)) if is_table(&sv) => {
                if let Value::Map(sm) = &sv {
                    coalesce_tables(&dv, sm);
                }
            }
            Some(_) => {}
        }
    }
}

/// Coalesce the user's values `dest` with the chart's defaults and its subcharts' (Helm's
/// `CoalesceValues`).
pub fn coalesce(chart: &Chart, dest: &Map) {
    if let Value::Map(defaults) = &chart.values {
        for (k, dv) in defaults.entries() {
            match dest.get(&k) {
                Some(Value::Nil) => {
                    dest.remove(&k);
                }
                Some(Value::Map(user)) => {
                    if let Value::Map(d) = &dv {
                        coalesce_tables(&user, d);
                    }
                }
                Some(_) => {}
                None => {
                    if let Some(v) = without_nils(&dv) {
                        dest.insert(k, v);
                    }
                }
            }
        }
    }
    for sub in &chart.dependencies {
        let name = sub.name();
        let table = match dest.get(&name) {
            Some(Value::Map(m)) => m,
            _ => {
                let m = Map::new();
                dest.insert(name.clone(), Value::Map(m.clone()));
                m
            }
        };
        coalesce_globals(&table, dest);
        coalesce(sub, &table);
    }
}

/// Copy the parent's `global` into a subchart's table (parent scalars win, maps merge).
fn coalesce_globals(dest: &Map, src: &Map) {
    let dg = match dest.get("global") {
        Some(Value::Map(m)) => m,
        _ => Map::new(),
    };
    if let Some(Value::Map(sg)) = src.get("global") {
        for (k, v) in sg.entries() {
            match (&v, dg.get(&k)) {
                (Value::Map(sv), Some(Value::Map(dv))) => coalesce_tables(&dv, sv),
                (_, Some(Value::Map(_))) => {}
                _ => dg.insert(k, v.deep_copy()),
            }
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
