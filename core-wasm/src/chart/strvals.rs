//! Helm's `strvals`: the `key=value,...` syntax of `--set`, `--set-string`, `--set-json`,
//! `--set-file` and `--set-literal`, parsed into the values built so far.
//!
//! This follows Helm's parser step by step rather than a grammar, because its quirks are what
//! users meet: a key runs to the first `=`, `[`, `,` or `.`; a `{` right after `=` starts a list
//! that ends at the first `}` (no nesting); a backslash escapes any character; a key that meets a
//! value of the wrong type (a `-f` file's `a: null`, then `--set a.b=1`) fails with Go's
//! interface-conversion panic text; the end of input in the middle of a key is not an error.

use crate::value::{List, Map, Value};

/// The largest list index `--set` accepts.
const MAX_INDEX: i64 = 65536;
/// The deepest `a.b.c...` nesting `--set` accepts.
const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How the text after `=` becomes a value.
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    /// `--set`: `true`/`false`/`null` in any case, int64 without a leading zero, else a string.
    Typed,
    /// `--set-string`: always a string.
    String,
    /// `--set-json`: a JSON value.
    Json,
    /// `--set-file`: the file's contents (read by the host), whatever the path text.
    File(&'a str),
    /// `--set-literal`: the rest of the input as one string; no escapes, no lists, no commas.
    Literal,
}

/// Why parsing stopped. `Eof` is the normal end: the values parsed so far stand.
enum Stop {
    Eof,
    Error(String),
    /// A Go runtime panic (a failed type assertion); `key` turns it into an error.
    Panic(String),
}

type Parsed<T> = Result<T, Stop>;

fn error<T>(msg: String) -> Parsed<T> {
    Err(Stop::Error(msg))
}

/// Parses `s` into `dest` the way Helm's `strvals.ParseInto` (and its siblings) do. The error is
/// the text Helm puts after `failed parsing --set data: `.
pub fn parse_into(s: &str, dest: &Map, mode: Mode<'_>) -> Result<(), String> {
    let mut p = Parser {
        s: s.chars().collect(),
        i: 0,
        mode,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => {}
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::Error(e) | Stop::Panic(e)) => return Err(e),
        }
    }
}

struct Parser<'a> {
    s: Vec<char>,
    i: usize,
    mode: Mode<'a>,
}

/// Go's `%q` of a `[]rune`: `['a' 'b']`.
fn quote_runes(r: &[char]) -> String {
    let items: Vec<String> = r.iter().map(|&c| crate::go::quote_rune(c)).collect();
    format!("[{}]", items.join(" "))
}

fn quote(r: &[char]) -> String {
    crate::go::quote(&r.iter().collect::<String>())
}

/// The panic of Go's `x.(T)` on an `interface {}` holding `v`.
fn conversion_panic(v: &Value, want: &str) -> Stop {
    let have = match v {
        Value::Nil => "nil".to_string(),
        other => other.go_type(),
    };
    Stop::Panic(format!(
        "interface conversion: interface {{}} is {have}, not {want}"
    ))
}

const MAP_TYPE: &str = "map[string]interface {}";
const LIST_TYPE: &str = "[]interface {}";

/// `v.(map[string]interface {})`.
fn as_map(v: &Value) -> Parsed<Map> {
    match v {
        Value::Map(m) if v.go_type() == MAP_TYPE => Ok(m.clone()),
        other => Err(conversion_panic(other, MAP_TYPE)),
    }
}

/// `v.([]interface {})`.
fn as_list(v: &Value) -> Parsed<Vec<Value>> {
    match v {
        Value::List(l) if v.go_type() == LIST_TYPE => Ok(l.items.to_vec()),
        other => Err(conversion_panic(other, LIST_TYPE)),
    }
}

/// Helm's `set`: an empty key is dropped.
fn set(data: &Map, key: &[char], v: Value) {
    if !key.is_empty() {
        data.insert(key.iter().collect::<String>(), v);
    }
}

fn set_index(mut list: Vec<Value>, index: i64, v: Value) -> Parsed<Vec<Value>> {
    if index < 0 {
        return error(format!("negative {index} index not allowed"));
    }
    if index > MAX_INDEX {
        return error(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    let index = index as usize;
    if list.len() <= index {
        list.resize(index + 1, Value::Nil);
    }
    list[index] = v;
    Ok(list)
}

/// `strconv.Atoi`, with its error text.
fn atoi(r: &[char]) -> Result<i64, String> {
    let s: String = r.iter().collect();
    s.parse::<i64>().map_err(|_| {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(&s);
        let why = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        format!("strconv.Atoi: parsing {}: {why}", crate::go::quote(&s))
    })
}

/// strvals' `typedVal`.
fn typed(r: &[char], string: bool) -> Value {
    let s: String = r.iter().collect();
    if string {
        return Value::from(s);
    }
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if s == "0" {
        return Value::int64(0);
    }
    if !s.starts_with('0')
        && let Some(i) = go_parse_int(&s)
    {
        return Value::int64(i);
    }
    Value::from(s)
}

/// `strconv.ParseInt(s, 10, 64)`: an optional sign, then decimal digits only.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse().ok()
}

impl Parser<'_> {
    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn read(&mut self) -> Option<char> {
        let c = self.s.get(self.i).copied();
        if c.is_some() {
            self.i += 1;
        }
        c
    }

    /// `runesUntil`: the text up to a stop rune (consumed and returned), `None` at the end. A
    /// backslash takes the next rune as it is (not in literal mode).
    fn until(&mut self, stop: &[char]) -> (Vec<char>, Option<char>) {
        let mut v = Vec::new();
        loop {
            match self.read() {
                None => return (v, None),
                Some(c) if stop.contains(&c) => return (v, Some(c)),
                Some('\\') if !self.literal() => match self.read() {
                    None => return (v, None),
                    Some(next) => v.push(next),
                },
                Some(c) => v.push(c),
            }
        }
    }

    fn reader(&self, r: &[char]) -> Value {
        match self.mode {
            Mode::Typed => typed(r, false),
            Mode::File(contents) => Value::from(contents.to_string()),
            Mode::String | Mode::Json | Mode::Literal => typed(r, true),
        }
    }

    fn key(&mut self, data: &Map, level: usize) -> Parsed<()> {
        match self.key_inner(data, level) {
            Err(Stop::Panic(p)) => error(format!("unable to parse key: {p}")),
            other => other,
        }
    }

    fn key_inner(&mut self, data: &Map, mut level: usize) -> Parsed<()> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        let Some(last) = last else {
            if k.is_empty() {
                return Err(Stop::Eof);
            }
            return error(format!("key {} has no value", quote(&k)));
        };
        let name: String = k.iter().collect();
        match last {
            '[' => {
                let i = self.key_index()?;
                let list = match data.get(&name) {
                    Some(v) => as_list(&v)?,
                    None => Vec::new(),
                };
                let (list, result) = self.list_item(list, i, level);
                set(data, &k, Value::List(List::new(list)));
                result
            }
            '=' => {
                match self.mode {
                    Mode::Literal => {
                        let (v, _) = self.until(&[]);
                        set(data, &k, typed(&v, true));
                        return Ok(());
                    }
                    Mode::Json => {
                        if self.empty_val() {
                            set(data, &k, Value::Nil);
                            return Ok(());
                        }
                        let v = self.json_val()?;
                        set(data, &k, v);
                        self.empty_val();
                        return Ok(());
                    }
                    _ => {}
                }
                match self.val_list() {
                    Ok(list) => {
                        set(data, &k, list);
                        Ok(())
                    }
                    Err(ValList::Eof) => {
                        set(data, &k, Value::str(""));
                        Err(Stop::Eof)
                    }
                    Err(ValList::NotList) => {
                        let (v, _) = self.until(&[',']);
                        set(data, &k, self.reader(&v));
                        Ok(())
                    }
                    Err(ValList::Error(e)) => error(e),
                }
            }
            ',' => {
                set(data, &k, Value::str(""));
                error(format!(
                    "key {} has no value (cannot end with ,)",
                    quote(&k)
                ))
            }
            _ => {
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return error(format!(
                        "value name nested level is greater than maximum supported nested level \
                         of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let inner = match data.get(&name) {
                    Some(v) => as_map(&v)?,
                    None => Map::new(),
                };
                let result = self.key(&inner, level);
                if result.is_ok() && inner.is_empty() {
                    return error(format!("key map {} has no value", quote(&k)));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                result
            }
        }
    }

    /// The index inside `[...]`; the end of input is the normal end.
    fn key_index(&mut self) -> Parsed<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err(Stop::Eof);
        }
        atoi(&v).or_else(|e| error(format!("error parsing index: {e}")))
    }

    fn list_item(&mut self, list: Vec<Value>, i: i64, level: usize) -> (Vec<Value>, Parsed<()>) {
        match self.list_item_inner(list, i, level) {
            Ok(list) => (list, Ok(())),
            Err((list, stop)) => (list, Err(stop)),
        }
    }

    fn list_item_inner(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> Result<Vec<Value>, (Vec<Value>, Stop)> {
        let fail = |list: Vec<Value>, e: Stop| Err((list, e));
        if i < 0 {
            return fail(list, Stop::Error(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            let msg = format!("unexpected data at end of array index: {}", quote_runes(&k));
            return fail(list, Stop::Error(msg));
        }
        let Some(last) = last else {
            return fail(list, Stop::Eof);
        };
        let at = |list: Vec<Value>, v: Value| -> Result<Vec<Value>, (Vec<Value>, Stop)> {
            let keep = list.clone();
            set_index(list, i, v).map_err(|e| (keep, e))
        };
        match last {
            '=' => match self.mode {
                Mode::Literal => {
                    let (v, _) = self.until(&[]);
                    at(list, typed(&v, true))
                }
                Mode::Json => {
                    if self.empty_val() {
                        return at(list, Value::Nil);
                    }
                    let v = match self.json_val() {
                        Ok(v) => v,
                        Err(e) => return fail(list, e),
                    };
                    let list = at(list, v)?;
                    self.empty_val();
                    Ok(list)
                }
                _ => match self.val_list() {
                    Ok(v) => at(list, v),
                    Err(ValList::Eof) => at(list, Value::str("")),
                    Err(ValList::NotList) => {
                        let (v, _) = self.until(&[',']);
                        let v = self.reader(&v);
                        at(list, v)
                    }
                    Err(ValList::Error(e)) => fail(list, Stop::Error(e)),
                },
            },
            '[' => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return fail(list, e),
                };
                let mut current = Vec::new();
                if let Some(existing) = list.get(i as usize)
                    && !matches!(existing, Value::Nil)
                {
                    current = match as_list(existing) {
                        Ok(l) => l,
                        Err(e) => return fail(list, e),
                    };
                }
                match self.list_item(current, next, level) {
                    (inner, Ok(())) => at(list, Value::List(List::new(inner))),
                    (_, Err(e)) => fail(list, e),
                }
            }
            _ => {
                let mut inner = Map::new();
                if let Some(existing) = list.get(i as usize) {
                    match existing {
                        Value::Map(m) if existing.go_type() == MAP_TYPE => inner = m.clone(),
                        _ => list[i as usize] = Value::Map(inner.clone()),
                    }
                }
                match self.key(&inner, level) {
                    Ok(()) => at(list, Value::Map(inner)),
                    Err(e) => fail(list, e),
                }
            }
        }
    }

    /// `emptyVal`: skips white space; true (and consumes it) at a comma or the end.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.i -= 1;
                    return false;
                }
            }
        }
    }

    /// One JSON value from here, as `json.Decoder.Decode` reads it.
    fn json_val(&mut self) -> Parsed<Value> {
        let rest: String = self.s[self.i..].iter().collect();
        match crate::json::decode_prefix(&rest) {
            Ok((v, used)) => {
                self.i += rest[..used].chars().count();
                Ok(v)
            }
            Err(e) => error(e),
        }
    }

    /// `valList`: a `{a,b}` list right after `=`.
    fn val_list(&mut self) -> Result<Value, ValList> {
        match self.read() {
            None => return Err(ValList::Eof),
            Some('{') => {}
            Some(_) => {
                self.i -= 1;
                return Err(ValList::NotList);
            }
        }
        let mut items = Vec::new();
        loop {
            let (r, last) = self.until(&[',', '}']);
            match last {
                None => return Err(ValList::Error("list must terminate with '}'".to_string())),
                Some('}') => {
                    if let Some(c) = self.read()
                        && c != ','
                    {
                        self.i -= 1;
                    }
                    items.push(self.reader(&r));
                    return Ok(Value::List(List::new(items)));
                }
                Some(_) => items.push(self.reader(&r)),
            }
        }
    }
}

enum ValList {
    Eof,
    NotList,
    Error(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, mode: Mode<'_>) -> Result<String, String> {
        let m = Map::new();
        parse_into(s, &m, mode)?;
        crate::json::to_json(&Value::Map(m))
    }

    #[test]
    fn lists_end_at_the_first_brace() {
        assert_eq!(
            parse("a={x,{y},z}", Mode::Typed),
            Err("key \"z}\" has no value".to_string())
        );
        assert_eq!(
            parse("a={1,b}", Mode::Typed).as_deref(),
            Ok(r#"{"a":[1,"b"]}"#)
        );
    }

    #[test]
    fn a_key_into_a_value_of_another_type_is_go_s_panic() {
        let m = Map::new();
        m.insert("a", Value::Nil);
        assert_eq!(
            parse_into("a.b=1", &m, Mode::Typed),
            Err(
                "unable to parse key: interface conversion: interface {} is nil, not \
                 map[string]interface {}"
                    .to_string()
            )
        );
    }

    #[test]
    fn json_values_are_decoded_one_after_another() {
        assert_eq!(
            parse("a=1b=2,c=,d=[1, {\"x\":null}]", Mode::Json).as_deref(),
            Ok(r#"{"a":1,"b":2,"c":null,"d":[1,{"x":null}]}"#)
        );
    }
}
