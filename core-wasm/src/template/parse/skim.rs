//! The check of a `define` body without building it: the parser's own walk over the tokens
//! (`item_list`, `action`, `control`, `pipeline`, `command`, `operand`, `term`, step for step,
//! against the same state) with every node left out, keeping only what the parser's checks
//! look at: whether a body holds anything but white space (Go's `IsEmptyTree`, for
//! redefinitions), how many commands a pipeline has and whether a later one starts with a
//! literal, and what kind of term an operand is.
//!
//! Guarantees: a body the check accepts is one the parser accepts, ending at the same token,
//! with the same emptiness. Caveats: it gives up ([`Unsure`]) on every error, whatever the
//! parser would say, and on `block` (which defines a template of its own) and a `define` inside
//! a body; the file is then parsed in full, which reports the error in the parser's words.

use std::borrow::Cow;

use super::{Def, Kind, MAX_DEPTH, PResult, Parser, is_space_text, parse_number, unquote};

/// The check cannot vouch for the body: the file must be parsed in full.
struct Unsure;

type SResult<T> = Result<T, Unsure>;

/// What a body's element was, as far as the enclosing list cares.
enum Element {
    /// Text, and whether it is all white space.
    Text(bool),
    /// An action or control structure.
    Node,
    End,
    Else,
}

/// An operand's kind, as far as the parser's checks care: a literal may not start a later
/// pipeline stage nor take fields (`"x".y`); fields after a field or variable extend it; after
/// anything else they make a chain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Term {
    Field,
    Variable,
    Literal,
    Other,
}

impl<'t> Parser<'_, 't> {
    /// `parse_definition` after the name and its `}}`: the body checked up to its `{{end}}`,
    /// which is consumed. The error is a stand-in: `parse_file` then parses the file in full.
    pub(super) fn skim_definition(&mut self) -> PResult<Def> {
        let start = self.peek().pos;
        let line = self.peek().line;
        let saved_vars = std::mem::replace(&mut self.vars, vec![Cow::Borrowed("$")]);
        let r = self.skim_item_list();
        self.vars = saved_vars;
        match r {
            Ok((nonempty, Element::End)) => {
                let close = &self.items[self.idx - 1];
                Ok(Def::Checked {
                    empty: !nonempty,
                    start,
                    line,
                    end: close.pos + close.val.len(),
                })
            }
            _ => Err("a define body the check leaves to the parser".to_string()),
        }
    }

    /// `item_list`: elements up to `{{end}}` or `{{else}}`, and whether any was not white space.
    fn skim_item_list(&mut self) -> SResult<(bool, Element)> {
        let mut nonempty = false;
        while self.peek_non_space().kind != Kind::Eof {
            match self.skim_text_or_action()? {
                Element::Text(space) => nonempty |= !space,
                Element::Node => nonempty = true,
                end => return Ok((nonempty, end)),
            }
        }
        Err(Unsure)
    }

    fn skim_text_or_action(&mut self) -> SResult<Element> {
        let tok = self.next_non_space();
        match tok.kind {
            Kind::Text => Ok(Element::Text(is_space_text(&tok.val))),
            Kind::LeftDelim => self.skim_action(),
            _ => Err(Unsure),
        }
    }

    fn skim_action(&mut self) -> SResult<Element> {
        let tok = self.next_non_space();
        match tok.kind {
            Kind::Break | Kind::Continue => {
                if self.next_non_space().kind != Kind::RightDelim || self.range_depth == 0 {
                    return Err(Unsure);
                }
                return Ok(Element::Node);
            }
            Kind::Else => {
                let peek = self.peek_non_space();
                if peek.kind == Kind::If || peek.kind == Kind::With {
                    return Ok(Element::Else);
                }
                self.skim_expect(Kind::RightDelim)?;
                return Ok(Element::Else);
            }
            Kind::End => {
                self.skim_expect(Kind::RightDelim)?;
                return Ok(Element::End);
            }
            Kind::If => return self.skim_control("if").map(|()| Element::Node),
            Kind::Range => return self.skim_control("range").map(|()| Element::Node),
            Kind::With => return self.skim_control("with").map(|()| Element::Node),
            Kind::Template => return self.skim_template().map(|()| Element::Node),
            Kind::Block | Kind::Define => return Err(Unsure),
            _ => {}
        }
        self.backup();
        self.skim_pipeline("command", Kind::RightDelim)?;
        Ok(Element::Node)
    }

    fn skim_expect(&mut self, kind: Kind) -> SResult<()> {
        if self.next_non_space().kind != kind {
            return Err(Unsure);
        }
        Ok(())
    }

    fn skim_control(&mut self, context: &str) -> SResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Unsure);
        }
        let nvars = self.vars.len();
        let r = self.skim_control_inner(context);
        self.vars.truncate(nvars);
        self.depth -= 1;
        r
    }

    fn skim_control_inner(&mut self, context: &str) -> SResult<()> {
        self.skim_pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.skim_item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        match r?.1 {
            Element::End => Ok(()),
            Element::Else => {
                if context == "if" && self.peek().kind == Kind::If {
                    self.next();
                    self.skim_control("if")
                } else if context == "with" && self.peek().kind == Kind::With {
                    self.next();
                    self.skim_control("with")
                } else {
                    match self.skim_item_list()?.1 {
                        Element::End => Ok(()),
                        _ => Err(Unsure),
                    }
                }
            }
            Element::Text(_) | Element::Node => Err(Unsure),
        }
    }

    fn skim_template(&mut self) -> SResult<()> {
        let tok = self.next_non_space();
        match tok.kind {
            Kind::String | Kind::RawString => skim_string(&tok.val)?,
            _ => return Err(Unsure),
        }
        if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            self.skim_pipeline("template clause", Kind::RightDelim)?;
        }
        Ok(())
    }

    fn skim_pipeline(&mut self, context: &str, end: Kind) -> SResult<()> {
        let mut decls = 0;
        'decls: loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                break;
            }
            let v_idx = {
                self.next_non_space();
                self.idx - 1
            };
            let next = self.peek_non_space();
            if next.kind == Kind::Assign || next.kind == Kind::Declare {
                self.next_non_space();
                self.vars.push(v.val);
            } else if next.kind == Kind::Char && next.val == "," {
                self.next_non_space();
                decls += 1;
                self.vars.push(v.val);
                if context == "range" && decls < 2 {
                    match self.peek_non_space().kind {
                        Kind::Variable | Kind::RightDelim | Kind::RightParen => continue 'decls,
                        _ => return Err(Unsure),
                    }
                }
                return Err(Unsure);
            } else {
                self.idx = v_idx;
            }
            break;
        }
        let mut commands = 0;
        loop {
            let tok = self.next_non_space();
            if tok.kind == end {
                // `check_pipeline`: a pipeline needs a command.
                return if commands == 0 { Err(Unsure) } else { Ok(()) };
            }
            if !tok.kind.starts_operand() {
                return Err(Unsure);
            }
            self.backup();
            let first = self.skim_command()?;
            // `check_pipeline`: a later stage must be executable.
            if commands > 0 && first == Term::Literal {
                return Err(Unsure);
            }
            commands += 1;
        }
    }

    /// `command`: the kind of its first operand.
    fn skim_command(&mut self) -> SResult<Term> {
        let mut first = None;
        loop {
            self.peek_non_space();
            if let Some(op) = self.skim_operand()? {
                first.get_or_insert(op);
            }
            let tok = self.next();
            match tok.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return Err(Unsure),
            }
            break;
        }
        first.ok_or(Unsure)
    }

    fn skim_operand(&mut self) -> SResult<Option<Term>> {
        let Some(term) = self.skim_term()? else {
            return Ok(None);
        };
        if self.peek().kind == Kind::Field {
            while self.peek().kind == Kind::Field {
                self.next();
            }
            return match term {
                Term::Literal => Err(Unsure),
                Term::Field | Term::Variable => Ok(Some(term)),
                Term::Other => Ok(Some(Term::Other)),
            };
        }
        Ok(Some(term))
    }

    fn skim_term(&mut self) -> SResult<Option<Term>> {
        let tok = self.next_non_space();
        let term = match tok.kind {
            Kind::Identifier => {
                if !(self.is_func)(&tok.val) {
                    return Err(Unsure);
                }
                Term::Other
            }
            Kind::Dot | Kind::Nil | Kind::Bool => Term::Literal,
            Kind::Variable => {
                if !self.vars.contains(&tok.val) {
                    return Err(Unsure);
                }
                Term::Variable
            }
            Kind::Field => Term::Field,
            Kind::CharConstant | Kind::Complex | Kind::Number => {
                parse_number(&tok.val, tok.kind).map_err(|_| Unsure)?;
                Term::Literal
            }
            Kind::LeftParen => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(Unsure);
                }
                let p = self.skim_pipeline("parenthesized pipeline", Kind::RightParen);
                self.depth -= 1;
                p?;
                Term::Other
            }
            Kind::String | Kind::RawString => {
                skim_string(&tok.val)?;
                Term::Literal
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(term))
    }
}

/// Whether a quoted string token unquotes: the lexer ends a string at its first unescaped
/// quote, so only an escape sequence can be malformed.
fn skim_string(quoted: &str) -> SResult<()> {
    if quoted.contains('\\') && !quoted.starts_with('`') {
        unquote(quoted).map_err(|_| Unsure)?;
    }
    Ok(())
}
