//! The executor of Go templates over [`crate::value::Value`], with Helm's `include` and `tpl`.
//!
//! It mirrors text/template's `exec.go` step by step where it shows in output: which node an
//! error is reported at (Go's `s.at`), how arguments are checked against a function's Go
//! signature, when a value is an `interface {}` (a nil inside a map errors on field access, a
//! nil from a pipeline does not), and how errors wrap (`error calling f: ...`), because Helm
//! reformats that chain into its own messages. The builtins, `include` and `tpl` are in
//! [`builtins`].

mod builtins;

use std::fmt;

use super::parse::{Arg, Command, Node, Pipe, Template, Tree, TreeSet};
use crate::go;
use crate::template::func::{Ctx, FuncMap};
use crate::value::{Elem, IntKind, Sig, Ty, Value};
pub(crate) use builtins::is_builtin;
use builtins::{Builtin, fmt_builtin};

/// Helm's limit on nested `include`s of one name.
const INCLUDE_LIMIT: usize = 1000;
/// Go's `maxExecDepth` for nested `template` calls.
const MAX_EXEC_DEPTH: usize = 100_000;

/// A Go error as a chain of messages: `chain[0]` is `Error()`, each next one what
/// `errors.Unwrap` gives. Helm formats execution errors by walking this chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoError {
    pub chain: Vec<String>,
}

impl GoError {
    /// A plain error (`errors.New`).
    pub fn msg(m: impl Into<String>) -> GoError {
        GoError {
            chain: vec![m.into()],
        }
    }

    /// `fmt.Errorf(prefix + "%w", inner)`.
    pub fn wrap(prefix: &str, inner: GoError) -> GoError {
        let mut chain = vec![format!("{prefix}{}", inner.chain[0])];
        chain.extend(inner.chain);
        GoError { chain }
    }

    /// The error's text.
    pub fn text(&self) -> &str {
        &self.chain[0]
    }
}

impl fmt::Display for GoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.chain[0])
    }
}

/// A value with what Go's reflection knows of its static type: whether it sits in an
/// `interface {}` (a map or slice element, a range variable). A nil there is a "nil pointer" to
/// field access; a nil that went through a pipeline is simply no value.
#[derive(Clone, Debug)]
pub struct Slot {
    pub v: Value,
    pub iface: bool,
}

impl Slot {
    fn val(v: Value) -> Slot {
        Slot { v, iface: false }
    }

    fn invalid() -> Slot {
        Slot {
            v: Value::Nil,
            iface: false,
        }
    }

    /// Go's `reflect.ValueOf(v.Interface())`: forget the interface.
    fn unwrap(self) -> Slot {
        Slot {
            v: self.v,
            iface: false,
        }
    }

    fn type_name(&self) -> String {
        if self.iface {
            "interface {}".to_string()
        } else {
            self.v.go_type()
        }
    }
}

/// Non-local exits of the executor.
enum Flow {
    Err(GoError),
    Break,
    Continue,
}

impl From<GoError> for Flow {
    fn from(e: GoError) -> Flow {
        Flow::Err(e)
    }
}

type R<T> = Result<T, Flow>;

/// The node an error is reported at (Go's `state.node`).
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Node(&'t Node),
    Pipe(&'t Pipe),
    Cmd(&'t Command),
    Arg(&'t Arg),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::None => 0,
            At::Node(n) => n.pos(),
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => a.pos(),
        }
    }

    fn context(&self) -> String {
        match self {
            At::None => String::new(),
            At::Node(n) => n.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Arg(a) => a.to_string(),
        }
    }
}

/// Templates visible to an execution: the render's set, plus what `tpl` parsed on top of it.
pub struct Scope<'p> {
    pub local: TreeSet,
    pub parent: Option<&'p Scope<'p>>,
}

impl<'p> Scope<'p> {
    /// The outermost scope over a parsed set.
    pub fn new(set: TreeSet) -> Scope<'static> {
        Scope {
            local: set,
            parent: None,
        }
    }

    pub fn lookup(&self, name: &str) -> Option<&Template> {
        match self.local.get(name) {
            Some(t) => Some(t),
            None => self.parent.and_then(|p| p.lookup(name)),
        }
    }
}

/// What every execution of one render shares: the function map, the host context, `include`
/// counters and the output budget.
pub struct Shared<'a, 'h> {
    pub funcs: &'a FuncMap,
    pub ctx: &'a mut Ctx<'h>,
    include_counts: std::collections::HashMap<String, usize, rustc_hash::FxBuildHasher>,
    /// Bytes the render may still produce.
    pub budget: usize,
}

impl<'a, 'h> Shared<'a, 'h> {
    pub fn new(funcs: &'a FuncMap, ctx: &'a mut Ctx<'h>, budget: usize) -> Shared<'a, 'h> {
        Shared {
            funcs,
            ctx,
            include_counts: Default::default(),
            budget,
        }
    }

    /// Whether `name` is callable in a template (for the parser's "function not defined").
    pub fn is_func(&self, name: &str) -> bool {
        is_builtin(name) || name == "include" || name == "tpl" || self.funcs.contains(name)
    }

    /// Execute the template `name` of `scope` with `data` as dot, as Go's `ExecuteTemplate`.
    pub fn execute(
        &mut self,
        scope: &Scope<'_>,
        name: &str,
        data: Value,
    ) -> Result<String, GoError> {
        let Some(template) = scope.lookup(name) else {
            return Err(GoError::msg(format!(
                "template: no template {} associated with template \"gotpl\"",
                go::quote(name)
            )));
        };
        let tree = template.tree().map_err(GoError::msg)?.clone();
        let mut st = State {
            sh: self,
            scope,
            tree: &tree,
            at: At::None,
            vars: vec![("$".to_string(), Slot::val(data.clone()))],
            depth: 0,
            out: String::new(),
        };
        match st.walk_list(&Slot::val(data), &tree.root) {
            Ok(()) => Ok(st.out),
            Err(Flow::Err(e)) => Err(e),
            Err(Flow::Break | Flow::Continue) => Ok(st.out),
        }
    }
}

/// One execution: Go's `state`.
struct State<'s, 'a, 'h, 't> {
    sh: &'s mut Shared<'a, 'h>,
    scope: &'t Scope<'t>,
    tree: &'t Tree,
    at: At<'t>,
    vars: Vec<(String, Slot)>,
    depth: usize,
    out: String,
}

impl<'s, 'a, 'h, 't> State<'s, 'a, 'h, 't> {
    fn at(&mut self, at: At<'t>) {
        self.at = at;
    }

    /// Go's `state.errorf`, with `%w` of `inner` when given.
    fn error(&self, msg: String, inner: Option<GoError>) -> Flow {
        let name = &self.tree.name;
        let head = match self.at {
            At::None => format!("template: {name}: "),
            at => {
                let context = at.context();
                format!(
                    "template: {}: executing {} at <{}>: ",
                    self.tree.location(at.pos()),
                    go::quote(name),
                    context
                )
            }
        };
        match inner {
            Some(inner) => {
                let full = format!("{head}{msg}{}", inner.chain[0]);
                let mut chain = vec![full.clone(), full];
                chain.extend(inner.chain);
                Flow::Err(GoError { chain })
            }
            None => {
                let full = format!("{head}{msg}");
                Flow::Err(GoError {
                    chain: vec![full.clone(), full],
                })
            }
        }
    }

    fn errorf<T>(&self, msg: String) -> R<T> {
        Err(self.error(msg, None))
    }

    fn write(&mut self, s: &str) -> R<()> {
        if s.len() > self.sh.budget {
            return self.errorf(format!(
                "rendered output exceeds the limit of {} bytes",
                crate::api::render::MAX_OUTPUT
            ));
        }
        self.sh.budget -= s.len();
        self.out.push_str(s);
        Ok(())
    }

    fn walk_list(&mut self, dot: &Slot, list: &'t [Node]) -> R<()> {
        for n in list {
            self.walk(dot, n)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Slot, node: &'t Node) -> R<()> {
        self.at(At::Node(node));
        match node {
            Node::Text(t) => self.write(t),
            Node::Action { pipe, .. } => {
                let val = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at(At::Node(node));
                    let text = print_value(&val.v);
                    self.write(&text)?;
                }
                Ok(())
            }
            Node::If(b) | Node::With(b) => {
                let mark = self.vars.len();
                let val = self.eval_pipeline(dot, &b.pipe);
                let r = val.and_then(|val| {
                    if val.v.truthy() {
                        if matches!(node, Node::With(_)) {
                            self.walk_list(&val, &b.list)
                        } else {
                            self.walk_list(dot, &b.list)
                        }
                    } else if let Some(e) = &b.else_list {
                        self.walk_list(dot, e)
                    } else {
                        Ok(())
                    }
                });
                self.vars.truncate(mark);
                r
            }
            Node::Range(b) => {
                let mark = self.vars.len();
                let r = self.walk_range(dot, b);
                self.vars.truncate(mark);
                match r {
                    Err(Flow::Break) => Ok(()),
                    other => other,
                }
            }
            Node::Template { name, pipe, .. } => {
                let Some(template) = self.scope.lookup(name) else {
                    return self.errorf(format!("template {} not defined", go::quote(name)));
                };
                let tree = match template.tree() {
                    Ok(t) => t,
                    Err(e) => return self.errorf(e),
                };
                if self.depth >= MAX_EXEC_DEPTH {
                    return self.errorf(format!(
                        "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
                    ));
                }
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(dot, p)?,
                    None => Slot::invalid(),
                };
                let tree: &'t Tree = tree;
                let saved_vars =
                    std::mem::replace(&mut self.vars, vec![("$".to_string(), new_dot.clone())]);
                let saved_tree = std::mem::replace(&mut self.tree, tree);
                self.depth += 1;
                let r = self.walk_list(&new_dot, &tree.root);
                self.depth -= 1;
                self.tree = saved_tree;
                self.vars = saved_vars;
                r
            }
            Node::Break { .. } => Err(Flow::Break),
            Node::Continue { .. } => Err(Flow::Continue),
        }
    }

    fn walk_range(&mut self, dot: &Slot, b: &'t super::parse::Branch) -> R<()> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let mark = self.vars.len();
        let decl = b.pipe.decl.len();
        let items: Vec<(Slot, Slot)> = match &val.v {
            Value::List(l) => {
                let iface = l.elem == Elem::Any;
                l.iter()
                    .enumerate()
                    .map(|(i, e)| {
                        (
                            Slot::val(Value::int(i as i64)),
                            Slot {
                                v: e.clone(),
                                iface,
                            },
                        )
                    })
                    .collect()
            }
            Value::Bytes(bs) => bs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    (
                        Slot::val(Value::int(i as i64)),
                        Slot::val(Value::Int(*x as i64, IntKind::Uint8)),
                    )
                })
                .collect(),
            Value::Map(m) => {
                let iface = m.elem == Elem::Any;
                m.entries()
                    .into_iter()
                    .map(|(k, v)| (Slot::val(Value::from(k)), Slot { v, iface }))
                    .collect()
            }
            // A named map or slice type (Helm's `Files`, `VersionSet`) ranges like its data; the
            // elements have the type's element type, not `interface {}`.
            Value::Object(o) if o.collection_len().is_some() => match o.to_data() {
                Value::Map(m) => m
                    .entries()
                    .into_iter()
                    .map(|(k, v)| (Slot::val(Value::from(k)), Slot::val(v)))
                    .collect(),
                Value::List(l) => l
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (Slot::val(Value::int(i as i64)), Slot::val(e.clone())))
                    .collect(),
                _ => Vec::new(),
            },
            Value::Int(n, kind) => {
                if decl > 1 {
                    return self.errorf(format!(
                        "can't use {} to iterate over more than one variable",
                        go::format_v(&val.v)
                    ));
                }
                (0..(*n).max(0))
                    .map(|i| {
                        let v = Slot::val(Value::Int(i, *kind));
                        (v.clone(), v)
                    })
                    .collect()
            }
            Value::Nil => Vec::new(),
            other => {
                return self.errorf(format!("range can't iterate over {}", go::format_v(other)));
            }
        };
        if items.is_empty() {
            if let Some(e) = &b.else_list {
                return self.walk_list(dot, e);
            }
            return Ok(());
        }
        for (index, elem) in items {
            if decl > 0 {
                if b.pipe.is_assign {
                    if decl > 1 {
                        self.set_var(&b.pipe.decl[0], index.clone())?;
                    } else {
                        self.set_var(&b.pipe.decl[0], elem.clone())?;
                    }
                } else {
                    let n = self.vars.len();
                    self.vars[n - 1].1 = elem.clone();
                }
            }
            if decl > 1 {
                if b.pipe.is_assign {
                    self.set_var(&b.pipe.decl[1], elem.clone())?;
                } else {
                    let n = self.vars.len();
                    self.vars[n - 2].1 = index.clone();
                }
            }
            let r = self.walk_list(&elem, &b.list);
            self.vars.truncate(mark);
            match r {
                Ok(()) | Err(Flow::Continue) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn set_var(&mut self, name: &str, v: Slot) -> R<()> {
        for (n, slot) in self.vars.iter_mut().rev() {
            if n == name {
                *slot = v;
                return Ok(());
            }
        }
        self.errorf(format!("undefined variable: {name}"))
    }

    fn var_value(&self, name: &str) -> R<Slot> {
        for (n, slot) in self.vars.iter().rev() {
            if n == name {
                return Ok(slot.clone());
            }
        }
        self.errorf(format!("undefined variable: {name}"))
    }

    fn eval_pipeline(&mut self, dot: &Slot, pipe: &'t Pipe) -> R<Slot> {
        self.at(At::Pipe(pipe));
        let mut value: Option<Slot> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(v.unwrap());
        }
        let value = value.unwrap_or_else(Slot::invalid);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Slot>) -> R<()> {
        if args.len() > 1 || fin.is_some() {
            return self.errorf(format!("can't give argument to non-function {}", args[0]));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Slot, cmd: &'t Command, fin: Option<Slot>) -> R<Slot> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.at(At::Arg(first));
                self.eval_field_chain(dot, dot.clone(), first, idents, &cmd.args, fin)
            }
            Arg::Chain { node, fields, .. } => {
                self.at(At::Arg(first));
                if matches!(**node, Arg::Nil { .. }) {
                    return self.errorf(format!("indirection through explicit nil in {first}"));
                }
                let recv = self.eval_arg_any(dot, node)?;
                self.eval_field_chain(dot, recv, first, fields, &cmd.args, fin)
            }
            Arg::Identifier { name, .. } => {
                self.at(At::Arg(first));
                self.eval_function(dot, name, At::Cmd(cmd), &cmd.args[1..], fin)
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                self.eval_pipeline(dot, p)
            }
            Arg::Variable { idents, .. } => {
                self.at(At::Arg(first));
                let value = self.var_value(&idents[0])?;
                if idents.len() == 1 {
                    self.not_a_function(&cmd.args, &fin)?;
                    return Ok(value);
                }
                self.eval_field_chain(dot, value, first, &idents[1..], &cmd.args, fin)
            }
            _ => {
                self.at(At::Arg(first));
                self.not_a_function(&cmd.args, &fin)?;
                match first {
                    Arg::Bool { val, .. } => Ok(Slot::val(Value::Bool(*val))),
                    Arg::Dot { .. } => Ok(dot.clone()),
                    Arg::Nil { .. } => self.errorf("nil is not a command".to_string()),
                    Arg::Number { num, .. } => self.ideal_constant(first, num).map(Slot::val),
                    Arg::String { text, .. } => Ok(Slot::val(Value::from(text.as_str()))),
                    _ => self.errorf(format!(
                        "can't evaluate command {}",
                        go::quote(&first.to_string())
                    )),
                }
            }
        }
    }

    fn ideal_constant(&mut self, node: &'t Arg, num: &super::parse::Number) -> R<Value> {
        self.at(At::Arg(node));
        let is_hex_int = {
            let t = num.text.as_bytes();
            t.len() > 2
                && t[0] == b'0'
                && (t[1] == b'x' || t[1] == b'X')
                && !num.text.contains(['p', 'P'])
        };
        let is_rune = num.text.starts_with('\'');
        if num.is_complex {
            return Ok(Value::Object(std::rc::Rc::new(Complex128(
                num.float, num.imag,
            ))));
        }
        if num.is_float && !is_hex_int && !is_rune && num.text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(num.float));
        }
        if num.is_int {
            return Ok(Value::int(num.int));
        }
        if num.is_uint {
            return self.errorf(format!("{} overflows int", num.text));
        }
        Ok(Value::Nil)
    }

    /// `.X.Y.Z` on `receiver`, the last step receiving the command's arguments.
    fn eval_field_chain(
        &mut self,
        dot: &Slot,
        mut receiver: Slot,
        node: &'t Arg,
        idents: &'t [String],
        args: &'t [Arg],
        fin: Option<Slot>,
    ) -> R<Slot> {
        let n = idents.len();
        for ident in &idents[..n - 1] {
            receiver = self.eval_field(dot, ident, node, &[], None, receiver)?;
        }
        self.eval_field(dot, &idents[n - 1], node, args, fin, receiver)
    }

    fn eval_field(
        &mut self,
        dot: &Slot,
        field: &str,
        node: &'t Arg,
        args: &'t [Arg],
        fin: Option<Slot>,
        receiver: Slot,
    ) -> R<Slot> {
        if receiver.v.is_nil() {
            if !receiver.iface {
                return Ok(Slot::invalid());
            }
            return self.errorf(format!("nil pointer evaluating interface {{}}.{field}"));
        }
        let typ = receiver.type_name();
        let has_args = args.len() > 1 || fin.is_some();
        match &receiver.v {
            Value::Object(o) => {
                if let Some(sig) = o.method(field) {
                    let o = o.clone();
                    let call_args = if args.is_empty() { &[] } else { &args[1..] };
                    let argv = self.eval_call_args(dot, field, sig, call_args, fin)?;
                    return match o.call_method(field, argv) {
                        Ok(v) => Ok(Slot::val(v)),
                        Err(e) => {
                            self.at(At::Arg(node));
                            Err(self
                                .error(format!("error calling {field}: "), Some(GoError::msg(e))))
                        }
                    };
                }
                if let Some(r) = o.field(field) {
                    if has_args {
                        return self.errorf(format!(
                            "{field} has arguments but cannot be invoked as function"
                        ));
                    }
                    return match r {
                        Ok(v) => Ok(Slot::val(v)),
                        Err(e) => {
                            self.at(At::Arg(node));
                            Err(self
                                .error(format!("error calling {field}: "), Some(GoError::msg(e))))
                        }
                    };
                }
            }
            Value::Map(m) => {
                if has_args {
                    return self.errorf(format!("{field} is not a method but has arguments"));
                }
                let iface = m.elem == Elem::Any;
                return Ok(match m.get(field) {
                    Some(v) => Slot { v, iface },
                    None => Slot {
                        v: zero_of(m.elem),
                        iface,
                    },
                });
            }
            _ => {}
        }
        self.errorf(format!("can't evaluate field {field} in type {typ}"))
    }

    fn eval_function(
        &mut self,
        dot: &Slot,
        name: &str,
        call_node: At<'t>,
        args: &'t [Arg],
        fin: Option<Slot>,
    ) -> R<Slot> {
        if name == "include" || name == "tpl" {
            return self.eval_helm(dot, name, call_node, args, fin);
        }
        if let Some(f) = self.sh.funcs.get(name).copied() {
            let argv = self.eval_call_args(dot, name, f.sig, args, fin)?;
            return match (f.call)(self.sh.ctx, argv) {
                Ok(v) => Ok(Slot::val(v)),
                Err(e) => {
                    self.at(call_node);
                    Err(self.error(format!("error calling {name}: "), Some(GoError::msg(e))))
                }
            };
        }
        if let Some((sig, f)) = fmt_builtin(name) {
            let argv = self.eval_call_args(dot, name, sig, args, fin)?;
            return Ok(Slot::val(f(&argv)));
        }
        if let Some(b) = Builtin::from_name(name) {
            return self.eval_builtin(dot, b, name, call_node, args, fin);
        }
        self.errorf(format!("{} is not a defined function", go::quote(name)))
    }

    /// Count, evaluate and convert arguments against a Go signature (Go's `evalCall`).
    fn eval_call_args(
        &mut self,
        dot: &Slot,
        name: &str,
        sig: Sig,
        args: &'t [Arg],
        fin: Option<Slot>,
    ) -> R<Vec<Value>> {
        let num_in = args.len() + usize::from(fin.is_some());
        let num_fixed = sig.params.len();
        match sig.variadic {
            Some(_) => {
                if num_in < num_fixed {
                    return self.errorf(format!(
                        "wrong number of args for {name}: want at least {num_fixed} got {}",
                        args.len()
                    ));
                }
            }
            None => {
                if num_in != num_fixed {
                    return self.errorf(format!(
                        "wrong number of args for {name}: want {num_fixed} got {num_in}"
                    ));
                }
            }
        }
        let mut argv = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            argv.push(self.eval_arg(dot, sig.params[i], &args[i])?);
            i += 1;
        }
        if let Some(vt) = sig.variadic {
            while i < args.len() {
                argv.push(self.eval_arg(dot, vt, &args[i])?);
                i += 1;
            }
        }
        if let Some(f) = fin {
            let t = match sig.variadic {
                Some(vt) if num_in > num_fixed => vt,
                _ => sig.params[num_in - 1],
            };
            argv.push(self.validate_type(f, t)?);
        }
        Ok(argv)
    }

    /// Go's `validateType`: a value against a parameter type.
    fn validate_type(&self, s: Slot, ty: Ty) -> R<Value> {
        if s.v.is_nil() {
            if !s.iface {
                if ty.can_be_nil() {
                    return Ok(Value::Nil);
                }
                return self.errorf(format!("invalid value; expected {}", ty.go_name()));
            }
            if ty == Ty::Any {
                return Ok(Value::Nil);
            }
            return self.errorf(format!(
                "wrong type for value; expected {}; got interface {{}}",
                ty.go_name()
            ));
        }
        if ty.accepts(&s.v) {
            return Ok(s.v);
        }
        self.errorf(format!(
            "wrong type for value; expected {}; got {}",
            ty.go_name(),
            s.v.go_type()
        ))
    }

    /// Go's `evalArg` for a typed parameter.
    fn eval_arg(&mut self, dot: &Slot, ty: Ty, n: &'t Arg) -> R<Value> {
        self.at(At::Arg(n));
        match n {
            Arg::Dot { .. } => return self.validate_type(dot.clone(), ty),
            Arg::Nil { .. } => {
                if ty.can_be_nil() {
                    return Ok(Value::Nil);
                }
                return self.errorf(format!("cannot assign nil to {}", ty.go_name()));
            }
            Arg::Field { idents, .. } => {
                let v = self.eval_field_chain(
                    dot,
                    dot.clone(),
                    n,
                    idents,
                    std::slice::from_ref(n),
                    None,
                )?;
                return self.validate_type(v, ty);
            }
            Arg::Variable { idents, .. } => {
                let value = self.var_value(&idents[0])?;
                let v = if idents.len() == 1 {
                    value
                } else {
                    self.eval_field_chain(dot, value, n, &idents[1..], &[], None)?
                };
                return self.validate_type(v, ty);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, p)?;
                return self.validate_type(v, ty);
            }
            Arg::Identifier { name, .. } => {
                let v = self.eval_function(dot, name, At::Arg(n), &[], None)?;
                return self.validate_type(v, ty);
            }
            Arg::Chain { node, fields, .. } => {
                if matches!(**node, Arg::Nil { .. }) {
                    return self.errorf(format!("indirection through explicit nil in {n}"));
                }
                let recv = self.eval_arg_any(dot, node)?;
                let v = self.eval_field_chain(dot, recv, n, fields, &[], None)?;
                return self.validate_type(v, ty);
            }
            _ => {}
        }
        match ty {
            Ty::Bool => match n {
                Arg::Bool { val, .. } => Ok(Value::Bool(*val)),
                _ => self.errorf(format!("expected bool; found {n}")),
            },
            Ty::Float64 => match n {
                Arg::Number { num, .. } if num.is_float => Ok(Value::Float(num.float)),
                _ => self.errorf(format!("expected float; found {n}")),
            },
            Ty::Int(k) if !k.is_unsigned() => match n {
                Arg::Number { num, .. } if num.is_int => Ok(Value::Int(num.int, k)),
                _ => self.errorf(format!("expected integer; found {n}")),
            },
            Ty::Int(k) => match n {
                Arg::Number { num, .. } if num.is_uint => Ok(Value::Int(num.uint as i64, k)),
                _ => self.errorf(format!("expected unsigned integer; found {n}")),
            },
            Ty::Any => self.eval_empty_interface(dot, n),
            Ty::String => match n {
                Arg::String { text, .. } => Ok(Value::from(text.as_str())),
                _ => self.errorf(format!("expected string; found {n}")),
            },
            other => self.errorf(format!(
                "can't handle {n} for arg of type {}",
                other.go_name()
            )),
        }
    }

    fn eval_empty_interface(&mut self, dot: &Slot, n: &'t Arg) -> R<Value> {
        self.at(At::Arg(n));
        match n {
            Arg::Bool { val, .. } => Ok(Value::Bool(*val)),
            Arg::Number { num, .. } => self.ideal_constant(n, num),
            Arg::String { text, .. } => Ok(Value::from(text.as_str())),
            _ => self.eval_arg_any(dot, n).map(|s| s.v),
        }
    }

    /// An argument of type `reflect.Value` (the builtins) or the term of a chain: evaluated,
    /// never converted.
    fn eval_arg_any(&mut self, dot: &Slot, n: &'t Arg) -> R<Slot> {
        self.at(At::Arg(n));
        match n {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Ok(Slot::invalid()),
            Arg::Field { idents, .. } => {
                self.eval_field_chain(dot, dot.clone(), n, idents, std::slice::from_ref(n), None)
            }
            Arg::Variable { idents, .. } => {
                let value = self.var_value(&idents[0])?;
                if idents.len() == 1 {
                    return Ok(value);
                }
                self.eval_field_chain(dot, value, n, &idents[1..], &[], None)
            }
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Identifier { name, .. } => self.eval_function(dot, name, At::Arg(n), &[], None),
            Arg::Chain { node, fields, .. } => {
                if matches!(**node, Arg::Nil { .. }) {
                    return self.errorf(format!("indirection through explicit nil in {n}"));
                }
                let recv = self.eval_arg_any(dot, node)?;
                self.eval_field_chain(dot, recv, n, fields, &[], None)
            }
            Arg::Bool { val, .. } => Ok(Slot::val(Value::Bool(*val))),
            Arg::Number { num, .. } => self.ideal_constant(n, num).map(Slot::val),
            Arg::String { text, .. } => Ok(Slot::val(Value::from(text.as_str()))),
        }
    }
}

/// The zero value of a map's element type (`missingkey=zero`).
fn zero_of(elem: Elem) -> Value {
    match elem {
        Elem::String => Value::str(""),
        Elem::Int => Value::int(0),
        Elem::Any | Elem::AnyList => Value::Nil,
    }
}

/// How an action prints its value: nil as `<no value>`, the rest with `fmt.Fprint`.
fn print_value(v: &Value) -> String {
    match v {
        Value::Nil => "<no value>".to_string(),
        Value::String(s) => s.to_string(),
        other => go::format_v(other),
    }
}

/// A Go `complex128` constant (`{{ 1i }}`); templates can only print it.
struct Complex128(f64, f64);

impl crate::value::Object for Complex128 {
    fn type_name(&self) -> &'static str {
        "complex128"
    }
    fn kind_name(&self) -> &'static str {
        "complex128"
    }
    fn field(&self, _: &str) -> Option<Result<Value, String>> {
        None
    }
    fn format_v(&self) -> String {
        let im = go::format_float(self.1, 'g', -1);
        let sign = if im.starts_with(['-', '+']) { "" } else { "+" };
        format!("({}{sign}{im}i)", go::format_float(self.0, 'g', -1))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests;
