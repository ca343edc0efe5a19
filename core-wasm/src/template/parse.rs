//! The parser of Go templates: pipelines, actions and `define`d templates.
//!
//! Mirrors text/template/parse so that error texts, line numbers and the node positions used in
//! execution errors (`file:line:col`) come out as Go prints them.
//!
//! A chart's files can be parsed lazily ([`parse_file`]): the body of each `define` is only
//! checked ([`skim`]) and built into a tree when the template is first used, since library charts
//! define far more helpers than a chart calls. Helm parses every file in full and fails on a
//! syntax error in any of them; the check vouches that a body parses, and when it cannot (an
//! error, or a construct it leaves to the parser) the file is parsed in full, so errors are
//! exactly the full parser's.

mod literal;
mod pipeline;
mod skim;

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::rc::Rc;

use super::lex::{Item, Kind, Lexer};
pub use super::tree::{
    Arg, Branch, Command, Node, Number, Pipe, Tree, is_empty_tree, is_space_text,
};
pub use literal::{parse_number, unquote};

/// Deepest nesting of parenthesised pipelines and control structures; Go allows 10000, this keeps
/// the recursion within the sandbox's stack.
const MAX_DEPTH: usize = 1000;

/// The set of templates parsed so far, shared by every file of a render.
pub type TreeSet = std::collections::HashMap<String, Template, rustc_hash::FxBuildHasher>;

/// A template of a [`TreeSet`]: a parsed tree, or a `define` whose body has been checked and is
/// built on first use.
#[derive(Debug)]
pub struct Template {
    tree: OnceCell<Rc<Tree>>,
    body: Option<Body>,
}

/// Where a checked `define` body lies in its file: the lexer restarts at `start` (a token
/// boundary, on line `line`) and stops after the `}}` of its `{{end}}` at `end`.
#[derive(Debug)]
struct Body {
    name: String,
    parse_name: Rc<str>,
    text: Rc<str>,
    start: usize,
    line: usize,
    end: usize,
}

impl Template {
    /// A template parsed in full.
    pub fn parsed(tree: Rc<Tree>) -> Template {
        Template {
            tree: OnceCell::from(tree),
            body: None,
        }
    }

    /// The template's tree, built now if only its body's syntax was checked so far.
    ///
    /// Guarantees: the tree is the one a full parse of the file builds. The error is the
    /// parser's and cannot happen for a body [`skim`] accepted; it is returned rather than
    /// unwrapped so that a fault in the check shows as a render error, not a crash.
    pub fn tree(&self) -> Result<&Rc<Tree>, String> {
        if let Some(t) = self.tree.get() {
            return Ok(t);
        }
        let Some(b) = &self.body else {
            unreachable!("a template without a body is built when made");
        };
        let root = parse_body(b, &|_| true)?;
        let tree = Rc::new(Tree {
            name: b.name.clone(),
            parse_name: b.parse_name.clone(),
            text: b.text.clone(),
            root,
        });
        Ok(self.tree.get_or_init(|| tree))
    }
}

/// Parse one file, adding its top-level tree and every `define`/`block` to `set` with Go's
/// redefinition rules. `is_func` tells which identifiers are functions.
///
/// The error is text/template's message, e.g. `template: x.yaml:3: unexpected "}" in operand`.
pub fn parse_into(
    set: &mut TreeSet,
    name: &str,
    text: &str,
    is_func: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    parse_file(set, name, text, is_func, false)
}

/// [`parse_into`], with the bodies of `define`s only checked when `lazy` (see the module's
/// documentation): the same templates, the same redefinitions and the same errors, each body
/// built when [`Template::tree`] first asks for it.
pub fn parse_file(
    set: &mut TreeSet,
    name: &str,
    text: &str,
    is_func: &dyn Fn(&str) -> bool,
    lazy: bool,
) -> Result<(), String> {
    let parse_name: Rc<str> = Rc::from(name);
    let text_rc: Rc<str> = Rc::from(text);
    let parsed = |lazy: bool| -> PResult<Vec<(String, Def)>> {
        let mut p = Parser::new(Lexer::lex(text), parse_name.clone(), is_func);
        p.lazy = lazy;
        let root = p.parse()?;
        let line = p.last_line();
        p.add(name.to_string(), Def::Built(root), line)?;
        Ok(p.defs)
    };
    let defs = match lazy {
        // Any failure of the lazy pass, a real error or a body the check leaves to the parser,
        // is settled by the full parse: its result and its error text are the only ones shown.
        true => parsed(true).or_else(|_| parsed(false))?,
        false => parsed(false)?,
    };
    // Go's `associate`: a definition replaces an existing one unless it is empty.
    for (n, def) in defs {
        if set.contains_key(&n) && def.is_empty() {
            continue;
        }
        let template = match def {
            Def::Built(root) => Template::parsed(Rc::new(Tree {
                name: n.clone(),
                parse_name: parse_name.clone(),
                text: text_rc.clone(),
                root,
            })),
            Def::Checked {
                start, line, end, ..
            } => Template {
                tree: OnceCell::new(),
                body: Some(Body {
                    name: n.clone(),
                    parse_name: parse_name.clone(),
                    text: text_rc.clone(),
                    start,
                    line,
                    end,
                }),
            },
        };
        set.insert(n, template);
    }
    Ok(())
}

/// The nodes of a checked `define` body: the file's tokens from the body's start to its
/// `{{end}}`, parsed as `parse_definition` parses them (a fresh variable scope at depth 0).
/// Identifiers were checked against the function map when the body was; `is_func` is not
/// consulted again for a body the check accepted.
fn parse_body(b: &Body, is_func: &dyn Fn(&str) -> bool) -> PResult<Vec<Node>> {
    let items = Lexer::lex_from(&b.text[..b.end], b.start, b.line);
    let mut p = Parser::new(items, b.parse_name.clone(), is_func);
    let (list, end) = p.item_list()?;
    if !matches!(end, Parsed::End) {
        return p.error(format!("unexpected {} in define clause", end.describe()));
    }
    Ok(list)
}

/// A definition found in a file: built, or checked and located.
enum Def {
    Built(Vec<Node>),
    Checked {
        empty: bool,
        start: usize,
        line: usize,
        end: usize,
    },
}

impl Def {
    /// Go's `IsEmptyTree` of the body.
    fn is_empty(&self) -> bool {
        match self {
            Def::Built(nodes) => is_empty_tree(nodes),
            Def::Checked { empty, .. } => *empty,
        }
    }
}

struct Parser<'f, 't> {
    items: Vec<Item<'t>>,
    idx: usize,
    parse_name: Rc<str>,
    /// Variables in scope, innermost last.
    vars: Vec<Cow<'t, str>>,
    range_depth: usize,
    depth: usize,
    action_line: usize,
    is_func: &'f dyn Fn(&str) -> bool,
    defs: Vec<(String, Def)>,
    /// Check `define` bodies instead of building them.
    lazy: bool,
    /// The index of the furthest token read, for error lines ([`Parser::last_line`]).
    furthest: Cell<usize>,
}

type PResult<T> = Result<T, String>;

impl<'f, 't> Parser<'f, 't> {
    fn new(
        items: Vec<Item<'t>>,
        parse_name: Rc<str>,
        is_func: &'f dyn Fn(&str) -> bool,
    ) -> Parser<'f, 't> {
        Parser {
            items,
            idx: 0,
            parse_name,
            vars: vec![Cow::Borrowed("$")],
            range_depth: 0,
            depth: 0,
            action_line: 0,
            is_func,
            defs: Vec::new(),
            lazy: false,
            furthest: Cell::new(0),
        }
    }

    /// Go's `Tree.add` within one file: an empty definition never replaces, a second non-empty
    /// one is an error.
    fn add(&mut self, name: String, body: Def, line: usize) -> PResult<()> {
        match self.defs.iter().position(|(n, _)| *n == name) {
            None => self.defs.push((name, body)),
            Some(i) if self.defs[i].1.is_empty() => self.defs[i].1 = body,
            Some(_) if !body.is_empty() => {
                return Err(format!(
                    "template: {}:{}: template: multiple definition of template {}",
                    self.parse_name,
                    line,
                    crate::go::quote(&name)
                ));
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// The line of Go's `token[0]`: the furthest token read so far, a peeked one included (a
    /// backup does not move it), so `unexpected EOF` is reported on the EOF's line.
    fn last_line(&self) -> usize {
        self.items[self.furthest.get()].line
    }

    /// Go's `errorf`: reported at the line of the furthest token read.
    fn error<T>(&self, msg: String) -> PResult<T> {
        Err(format!(
            "template: {}:{}: {}",
            self.parse_name,
            self.last_line(),
            msg
        ))
    }

    fn next(&mut self) -> Item<'t> {
        let i = self.idx.min(self.items.len() - 1);
        self.idx += 1;
        self.read(i);
        self.items[i].clone()
    }

    fn read(&self, i: usize) {
        if i > self.furthest.get() {
            self.furthest.set(i);
        }
    }

    fn backup(&mut self) {
        self.idx -= 1;
    }

    fn peek(&self) -> &Item<'t> {
        let i = self.idx.min(self.items.len() - 1);
        self.read(i);
        &self.items[i]
    }

    fn next_non_space(&mut self) -> Item<'t> {
        loop {
            let it = self.next();
            if it.kind != Kind::Space {
                return it;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'t> {
        let it = self.next_non_space();
        self.backup();
        it
    }

    fn unexpected<T>(&self, tok: &Item<'_>, context: &str) -> PResult<T> {
        if tok.kind == Kind::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != tok.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if tok.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.error(format!("{tok}{extra}"));
        }
        self.error(format!("unexpected {tok} in {context}"))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> PResult<Item<'t>> {
        let tok = self.next_non_space();
        if tok.kind != kind {
            return self.unexpected(&tok, context);
        }
        Ok(tok)
    }

    fn parse(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::LeftDelim {
                let delim_idx = self.idx;
                self.next();
                if self.next_non_space().kind == Kind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = delim_idx;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.push(n),
                Parsed::End => return self.error("unexpected {{end}}".to_string()),
                Parsed::Else => return self.error("unexpected {{else}}".to_string()),
            }
        }
        if self.peek().kind == Kind::Error {
            let tok = self.peek().clone();
            return self.unexpected(&tok, "input");
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let tok = self.next_non_space();
        let line = tok.line;
        if tok.kind != Kind::String && tok.kind != Kind::RawString {
            return self.unexpected(&tok, context);
        }
        let name = unquote(&tok.val).or_else(|e| self.error(e))?;
        self.expect(Kind::RightDelim, context)?;
        if self.lazy {
            let def = self.skim_definition()?;
            return self.add(name, def, line);
        }
        let saved_vars = std::mem::replace(&mut self.vars, vec![Cow::Borrowed("$")]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if !matches!(end, Parsed::End) {
            return self.error(format!("unexpected {} in {context}", end.describe()));
        }
        self.add(name, Def::Built(list), line)
    }

    /// `textOrAction*` up to `{{end}}` or `{{else}}`, which is returned separately.
    fn item_list(&mut self) -> PResult<(Vec<Node>, Parsed)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != Kind::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                other => return Ok((list, other)),
            }
        }
        if self.peek_non_space().kind == Kind::Error {
            let tok = self.peek_non_space();
            return self.unexpected(&tok, "input");
        }
        self.error("unexpected EOF".to_string())
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.kind {
            Kind::Text => Ok(Parsed::Node(Node::Text(tok.val.into_owned()))),
            Kind::LeftDelim => {
                let saved = self.action_line;
                self.action_line = tok.line;
                let r = self.action();
                self.action_line = saved;
                r
            }
            _ => self.unexpected(&tok, "input"),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.kind {
            Kind::Block => return self.block_control().map(Parsed::Node),
            Kind::Break | Kind::Continue => {
                let t2 = self.next_non_space();
                let word = if tok.kind == Kind::Break {
                    "break"
                } else {
                    "continue"
                };
                if t2.kind != Kind::RightDelim {
                    return self.unexpected(&t2, &format!("{{{{{word}}}}}"));
                }
                if self.range_depth == 0 {
                    return self.error(format!("{{{{{word}}}}} outside {{{{range}}}}"));
                }
                return Ok(Parsed::Node(if tok.kind == Kind::Break {
                    Node::Break { pos: tok.pos }
                } else {
                    Node::Continue { pos: tok.pos }
                }));
            }
            Kind::Else => return self.else_control(),
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            Kind::If => return self.if_control().map(Parsed::Node),
            Kind::Range => return self.range_control().map(Parsed::Node),
            Kind::Template => return self.template_control().map(Parsed::Node),
            Kind::With => return self.with_control().map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let pos = self.peek().pos;
        let pipe = self.pipeline("command", Kind::RightDelim)?;
        Ok(Parsed::Node(Node::Action {
            pos,
            pipe: Rc::new(pipe),
        }))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.kind == Kind::If || peek.kind == Kind::With {
            return Ok(Parsed::Else);
        }
        self.expect(Kind::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn if_control(&mut self) -> PResult<Node> {
        self.control("if").map(|b| Node::If(Rc::new(b)))
    }

    fn with_control(&mut self) -> PResult<Node> {
        self.control("with").map(|b| Node::With(Rc::new(b)))
    }

    fn range_control(&mut self) -> PResult<Node> {
        self.control("range").map(|b| Node::Range(Rc::new(b)))
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error("max expression depth exceeded".to_string());
        }
        let nvars = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(nvars);
        self.depth -= 1;
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        match next {
            Parsed::End => {}
            Parsed::Else => {
                if context == "if" && self.peek().kind == Kind::If {
                    self.next();
                    else_list = Some(vec![self.if_control()?]);
                } else if context == "with" && self.peek().kind == Kind::With {
                    self.next();
                    else_list = Some(vec![self.with_control()?]);
                } else {
                    let (l, n) = self.item_list()?;
                    if !matches!(n, Parsed::End) {
                        return self.error(format!("expected end; found {}", n.describe()));
                    }
                    else_list = Some(l);
                }
            }
            _ => unreachable!("item_list ends only at end or else"),
        }
        Ok(Branch {
            pos: pipe.pos,
            pipe: Rc::new(pipe),
            list,
            else_list,
        })
    }

    fn template_name(&mut self, tok: &Item<'_>, context: &str) -> PResult<String> {
        match tok.kind {
            Kind::String | Kind::RawString => unquote(&tok.val).or_else(|e| self.error(e)),
            _ => self.unexpected(tok, context),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let mut pipe = None;
        if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            pipe = Some(Rc::new(self.pipeline(context, Kind::RightDelim)?));
        }
        Ok(Node::Template {
            pos: tok.pos,
            name,
            pipe,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        let line = tok.line;
        let saved_vars = std::mem::replace(&mut self.vars, vec![Cow::Borrowed("$")]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range;
        let (list, end) = r?;
        if !matches!(end, Parsed::End) {
            return self.error(format!("unexpected {} in {context}", end.describe()));
        }
        self.add(name.clone(), Def::Built(list), line)?;
        Ok(Node::Template {
            pos: tok.pos,
            name,
            pipe: Some(Rc::new(pipe)),
        })
    }
}

/// What `text_or_action` produced.
enum Parsed {
    Node(Node),
    End,
    Else,
}

impl Parsed {
    fn describe(&self) -> &'static str {
        match self {
            Parsed::End => "{{end}}",
            Parsed::Else => "{{else}}",
            Parsed::Node(_) => "node",
        }
    }
}

#[cfg(test)]
mod tests;
