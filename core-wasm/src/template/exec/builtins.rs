//! text/template's builtin functions (`and`, `or`, `not`, `len`, `index`, `slice`, `call`, `eq`
//! and the other comparisons, `print`, `printf`, `println`, `html`, `js`, `urlquery`) and Helm's
//! `include` and `tpl`: the functions that need the executor itself, not the function map.

use super::*;

pub(crate) fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "and"
            | "or"
            | "not"
            | "len"
            | "index"
            | "slice"
            | "print"
            | "printf"
            | "println"
            | "html"
            | "js"
            | "urlquery"
            | "call"
            | "eq"
            | "ne"
            | "lt"
            | "le"
            | "gt"
            | "ge"
    )
}

/// The reflect.Value-taking builtins of text/template: arguments arrive unconverted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Call,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Builtin {
    pub(super) fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "and" => Builtin::And,
            "or" => Builtin::Or,
            "not" => Builtin::Not,
            "len" => Builtin::Len,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "call" => Builtin::Call,
            "eq" => Builtin::Eq,
            "ne" => Builtin::Ne,
            "lt" => Builtin::Lt,
            "le" => Builtin::Le,
            "gt" => Builtin::Gt,
            "ge" => Builtin::Ge,
            _ => return None,
        })
    }

    /// (fixed parameter count, variadic)
    fn arity(self) -> (usize, bool) {
        match self {
            Builtin::And
            | Builtin::Or
            | Builtin::Index
            | Builtin::Slice
            | Builtin::Call
            | Builtin::Eq => (1, true),
            Builtin::Not | Builtin::Len => (1, false),
            Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => (2, false),
        }
    }
}

/// The fmt-based builtins, as ordinary Go functions.
pub(super) type FmtBuiltin = fn(&[Value]) -> Value;

pub(super) fn fmt_builtin(name: &str) -> Option<(Sig, FmtBuiltin)> {
    const ANY: &[Ty] = &[];
    const FORMAT: &[Ty] = &[Ty::String];
    let sig = |params: &'static [Ty]| Sig {
        params,
        variadic: Some(Ty::Any),
    };
    Some(match name {
        "print" => (sig(ANY), |a| Value::from(go::sprint(a))),
        "println" => (sig(ANY), |a| Value::from(go::sprintln(a))),
        "printf" => (sig(FORMAT), |a| {
            let f = a[0].as_str().unwrap_or_default().to_string();
            Value::from(go::sprintf(&f, &a[1..]))
        }),
        "html" => (sig(ANY), |a| Value::from(go::html_escape(&eval_args(a)))),
        "js" => (sig(ANY), |a| Value::from(go::js_escape(&eval_args(a)))),
        "urlquery" => (sig(ANY), |a| Value::from(go::query_escape(&eval_args(a)))),
        _ => return None,
    })
}

/// text/template's `evalArgs`: one string as is, otherwise `fmt.Sprint` with nils as
/// `<no value>`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil() {
                Value::str("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    go::sprint(&printable)
}

impl<'t> State<'_, '_, '_, 't> {
    pub(super) fn eval_builtin(
        &mut self,
        dot: &Slot,
        b: Builtin,
        name: &str,
        call_node: At<'t>,
        args: &'t [Arg],
        fin: Option<Slot>,
    ) -> R<Slot> {
        let num_in = args.len() + usize::from(fin.is_some());
        let (fixed, variadic) = b.arity();
        if variadic {
            if num_in < fixed {
                return self.errorf(format!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    args.len()
                ));
            }
        } else if num_in != fixed {
            return self.errorf(format!(
                "wrong number of args for {name}: want {fixed} got {num_in}"
            ));
        }
        if matches!(b, Builtin::And | Builtin::Or) {
            let want = b == Builtin::Or;
            let mut v = Slot::invalid();
            for a in args {
                v = self.eval_arg_any(dot, a)?;
                if v.v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        for a in args {
            argv.push(self.eval_arg_any(dot, a)?);
        }
        if let Some(f) = fin {
            argv.push(f);
        }
        let callee_name = args.first().map(|a| a.to_string()).unwrap_or_default();
        let r = match b {
            Builtin::Not => Ok(Slot::val(Value::Bool(!argv[0].v.truthy()))),
            Builtin::Len => builtin_len(&argv[0]).map(|n| Slot::val(Value::int(n))),
            Builtin::Index => builtin_index(&argv[0], &argv[1..]),
            Builtin::Slice => builtin_slice(&argv[0], &argv[1..]),
            Builtin::Call => builtin_call(&callee_name, &argv[0]),
            Builtin::Eq => builtin_eq(&argv[0], &argv[1..]).map(|b| Slot::val(Value::Bool(b))),
            Builtin::Ne => builtin_eq(&argv[0], &argv[1..2]).map(|b| Slot::val(Value::Bool(!b))),
            Builtin::Lt => builtin_lt(&argv[0], &argv[1]).map(|b| Slot::val(Value::Bool(b))),
            Builtin::Le => builtin_le(&argv[0], &argv[1]).map(|b| Slot::val(Value::Bool(b))),
            Builtin::Gt => builtin_le(&argv[0], &argv[1]).map(|b| Slot::val(Value::Bool(!b))),
            Builtin::Ge => builtin_lt(&argv[0], &argv[1]).map(|b| Slot::val(Value::Bool(!b))),
            Builtin::And | Builtin::Or => unreachable!("handled above"),
        };
        r.map_err(|e| {
            self.at(call_node);
            self.error(format!("error calling {name}: "), Some(GoError::msg(e)))
        })
    }

    /// Helm's `include` and `tpl`, which need the executor.
    pub(super) fn eval_helm(
        &mut self,
        dot: &Slot,
        name: &str,
        call_node: At<'t>,
        args: &'t [Arg],
        fin: Option<Slot>,
    ) -> R<Slot> {
        const INCLUDE: Sig = Sig {
            params: &[Ty::String, Ty::Any],
            variadic: None,
        };
        let argv = self.eval_call_args(dot, name, INCLUDE, args, fin)?;
        let first = argv[0].as_str().unwrap_or_default().to_string();
        let data = argv[1].clone();
        let r = if name == "include" {
            self.include(&first, data)
        } else {
            self.tpl(&first, data)
        };
        match r {
            Ok(s) => Ok(Slot::val(Value::from(s))),
            Err(e) => {
                self.at(call_node);
                Err(self.error(format!("error calling {name}: "), Some(e)))
            }
        }
    }

    fn include(&mut self, name: &str, data: Value) -> Result<String, GoError> {
        let count = self.sh.include_counts.entry(name.to_string()).or_insert(0);
        if *count > INCLUDE_LIMIT {
            return Err(GoError::msg(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
        }
        *count += 1;
        let scope = self.scope;
        let r = self.sh.execute(scope, name, data);
        if let Some(c) = self.sh.include_counts.get_mut(name) {
            *c -= 1;
        }
        r
    }

    /// Helm 4's `tpl`: the text is parsed as the template "gotpl" over a copy of every define,
    /// so defines inside it are visible to it (and its `include`s) only.
    fn tpl(&mut self, text: &str, data: Value) -> Result<String, GoError> {
        let mut local = TreeSet::default();
        let funcs = self.sh.funcs;
        let is_func = |n: &str| is_builtin(n) || n == "include" || n == "tpl" || funcs.contains(n);
        if let Err(e) = crate::template::parse::parse_into(&mut local, "gotpl", text, &is_func) {
            return Err(GoError::wrap(
                &format!("cannot parse template {}: ", go::quote(text)),
                GoError::msg(e),
            ));
        }
        let scope = Scope {
            local,
            parent: Some(self.scope),
        };
        match self.sh.execute(&scope, "gotpl", data) {
            Ok(s) => Ok(s.replace("<no value>", "")),
            Err(e) => Err(GoError::wrap(
                &format!(
                    "error during tpl function execution for {}: ",
                    go::quote(text)
                ),
                e,
            )),
        }
    }
}

fn builtin_len(s: &Slot) -> Result<i64, String> {
    match &s.v {
        Value::Nil if s.iface => Err("len of nil pointer".to_string()),
        Value::Nil => Err("reflect: call of reflect.Value.Type on zero Value".to_string()),
        Value::String(x) => Ok(crate::value::go_bytes(x).len() as i64),
        Value::Bytes(b) => Ok(b.len() as i64),
        Value::List(l) => Ok(l.len() as i64),
        Value::Map(m) => Ok(m.len() as i64),
        Value::Object(o) if o.collection_len().is_some() => {
            Ok(o.collection_len().unwrap_or_default() as i64)
        }
        other => Err(format!("len of type {}", other.go_type())),
    }
}

fn index_arg(i: &Value, cap: usize) -> Result<usize, String> {
    let x = match i {
        Value::Int(x, _) => *x,
        Value::Nil => return Err("cannot index slice/array with nil".to_string()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.go_type()
            ));
        }
    };
    if x < 0 || x as usize > cap {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn builtin_index(item: &Slot, indexes: &[Slot]) -> Result<Slot, String> {
    let mut item = item.v.clone();
    if item.is_nil() {
        return Err("index of untyped nil".to_string());
    }
    for idx in indexes {
        let idx = &idx.v;
        item = match &item {
            Value::Nil => return Err("index of nil pointer".to_string()),
            Value::List(l) => {
                let x = index_arg(idx, l.len())?;
                l.items
                    .get(x)
                    .cloned()
                    .ok_or_else(|| "reflect: slice index out of range".to_string())?
            }
            Value::Bytes(b) => {
                let x = index_arg(idx, b.len())?;
                let v = b
                    .get(x)
                    .ok_or_else(|| "reflect: slice index out of range".to_string())?;
                Value::Int(*v as i64, IntKind::Uint8)
            }
            Value::String(s) => {
                let x = index_arg(idx, s.len())?;
                let v = s
                    .as_bytes()
                    .get(x)
                    .ok_or_else(|| "reflect: string index out of range".to_string())?;
                Value::Int(*v as i64, IntKind::Uint8)
            }
            Value::Map(m) => {
                let key = match idx {
                    Value::String(k) => k.to_string(),
                    Value::Nil => return Err("value is nil; should be of type string".to_string()),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.go_type()
                        ));
                    }
                };
                m.get(&key).unwrap_or_else(|| zero_of(m.elem))
            }
            other => return Err(format!("can't index item of type {}", other.go_type())),
        };
    }
    Ok(Slot::val(item))
}

fn builtin_slice(item: &Slot, indexes: &[Slot]) -> Result<Slot, String> {
    let item = &item.v;
    if item.is_nil() {
        return Err("slice of untyped nil".to_string());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let cap = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".to_string());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        other => return Err(format!("can't slice item of type {}", other.go_type())),
    };
    let mut idx = [0usize, cap, cap];
    for (i, x) in indexes.iter().enumerate() {
        idx[i] = index_arg(&x.v, cap)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    Ok(Slot::val(match item {
        Value::String(s) => {
            Value::from(String::from_utf8_lossy(&s.as_bytes()[idx[0]..idx[1]]).into_owned())
        }
        Value::List(l) => Value::List(crate::value::List::typed(
            l.items[idx[0]..idx[1]].to_vec(),
            l.elem,
        )),
        _ => unreachable!("checked above"),
    }))
}

fn builtin_call(name: &str, f: &Slot) -> Result<Slot, String> {
    if f.v.is_nil() {
        return Err("call of nil".to_string());
    }
    Err(format!("non-function {name} of type {}", f.v.go_type()))
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum BasicKind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    String,
}

fn basic_kind(v: &Value) -> BasicKind {
    match v {
        Value::Bool(_) => BasicKind::Bool,
        Value::Int(_, k) if k.is_unsigned() => BasicKind::Uint,
        Value::Int(..) => BasicKind::Int,
        Value::Float(_) => BasicKind::Float,
        Value::String(_) => BasicKind::String,
        _ => BasicKind::Invalid,
    }
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        _ => 0,
    }
}

fn incompatible(a: &Value, b: &Value) -> String {
    format!(
        "incompatible types for comparison: {} and {}",
        a.go_type(),
        b.go_type()
    )
}

fn builtin_eq(a: &Slot, rest: &[Slot]) -> Result<bool, String> {
    let a = &a.v;
    if rest.is_empty() {
        return Err("missing argument for comparison".to_string());
    }
    let k1 = basic_kind(a);
    for b in rest {
        let b = &b.v;
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (BasicKind::Int, BasicKind::Uint) | (BasicKind::Uint, BasicKind::Int) => {
                    int_of(a) >= 0 && int_of(a) == int_of(b)
                }
                _ => {
                    if !a.is_nil() && !b.is_nil() {
                        return Err(incompatible(a, b));
                    }
                    false
                }
            }
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x, _), Value::Int(y, _)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                _ => {
                    // Neither is a basic kind: nil compares with nil; maps, slices and structs
                    // are not comparable in Go.
                    if a.is_nil_like() || b.is_nil_like() {
                        a.is_nil_like() == b.is_nil_like()
                    } else if std::mem::discriminant(a) != std::mem::discriminant(b) {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            go::sprintf("%s", std::slice::from_ref(a)),
                            a.go_type(),
                            b.go_type(),
                            go::format_v(b)
                        ));
                    } else {
                        return Err(format!(
                            "non-comparable type {}: {}",
                            go::sprintf("%s", std::slice::from_ref(b)),
                            b.go_type()
                        ));
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn builtin_lt(a: &Slot, b: &Slot) -> Result<bool, String> {
    let (a, b) = (&a.v, &b.v);
    let k1 = basic_kind(a);
    if k1 == BasicKind::Invalid {
        return Err("invalid type for comparison".to_string());
    }
    let k2 = basic_kind(b);
    if k2 == BasicKind::Invalid {
        return Err("invalid type for comparison".to_string());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (BasicKind::Int, BasicKind::Uint) => Ok(int_of(a) < 0 || int_of(a) < int_of(b)),
            (BasicKind::Uint, BasicKind::Int) => Ok(int_of(b) >= 0 && int_of(a) < int_of(b)),
            _ => Err(incompatible(a, b)),
        };
    }
    match (a, b) {
        (Value::Bool(_), _) => Err("invalid type for comparison".to_string()),
        (Value::Int(x, _), Value::Int(y, _)) => Ok(x < y),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::String(x), Value::String(y)) => Ok(x < y),
        _ => Err("invalid type for comparison".to_string()),
    }
}

fn builtin_le(a: &Slot, b: &Slot) -> Result<bool, String> {
    let lt = builtin_lt(a, b)?;
    if lt {
        return Ok(true);
    }
    builtin_eq(a, std::slice::from_ref(b))
}
