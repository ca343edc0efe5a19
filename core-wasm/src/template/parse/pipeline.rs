//! Pipelines, commands and operands: text/template/parse's `pipeline`, `command`, `operand` and
//! `term`, with the checks Go makes of them (declarations, empty and non-executable commands,
//! fields after a literal).

use std::rc::Rc;

use super::{Arg, Command, Kind, MAX_DEPTH, PResult, Parser, Pipe, parse_number, unquote};

impl Parser<'_, '_> {
    pub(super) fn pipeline(&mut self, context: &str, end: Kind) -> PResult<Pipe> {
        let tok = self.peek_non_space();
        let mut pipe = Pipe {
            pos: tok.pos,
            line: tok.line,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
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
                pipe.is_assign = next.kind == Kind::Assign;
                self.next_non_space();
                pipe.decl.push(v.val.to_string());
                self.vars.push(v.val);
            } else if next.kind == Kind::Char && next.val == "," {
                self.next_non_space();
                pipe.decl.push(v.val.to_string());
                self.vars.push(v.val);
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().kind {
                        Kind::Variable | Kind::RightDelim | Kind::RightParen => continue 'decls,
                        _ => return self.error("range can only initialize variables".to_string()),
                    }
                }
                return self.error(format!("too many declarations in {context}"));
            } else {
                // `$x` is an operand, not a declaration: put it back.
                self.idx = v_idx;
            }
            break;
        }
        loop {
            let tok = self.next_non_space();
            if tok.kind == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            if !tok.kind.starts_operand() {
                return self.unexpected(&tok, context);
            }
            self.backup();
            let cmd = self.command()?;
            pipe.cmds.push(cmd);
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.error(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool { .. }
                    | Arg::Dot { .. }
                    | Arg::Nil { .. }
                    | Arg::Number { .. }
                    | Arg::String { .. }
            ) {
                return self.error(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let tok = self.next();
            match tok.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(&tok, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.error("empty command".to_string());
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind == Kind::Field {
            let chain_pos = self.peek().pos;
            let mut fields = Vec::new();
            while self.peek().kind == Kind::Field {
                let f = self.next();
                fields.push(f.val[1..].to_string());
            }
            return match node {
                Arg::Field { mut idents, .. } => {
                    idents.extend(fields);
                    Ok(Some(Arg::Field {
                        pos: chain_pos,
                        idents,
                    }))
                }
                Arg::Variable { mut idents, .. } => {
                    idents.extend(fields);
                    Ok(Some(Arg::Variable {
                        pos: chain_pos,
                        idents,
                    }))
                }
                Arg::Bool { .. }
                | Arg::String { .. }
                | Arg::Number { .. }
                | Arg::Nil { .. }
                | Arg::Dot { .. } => self.error(format!(
                    "unexpected . after term {}",
                    crate::go::quote(&node.to_string())
                )),
                other => Ok(Some(Arg::Chain {
                    pos: chain_pos,
                    node: Box::new(other),
                    fields,
                })),
            };
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let tok = self.next_non_space();
        let arg = match tok.kind {
            Kind::Identifier => {
                if !(self.is_func)(&tok.val) {
                    return self.error(format!(
                        "function {} not defined",
                        crate::go::quote(&tok.val)
                    ));
                }
                Arg::Identifier {
                    pos: tok.pos,
                    name: tok.val.into_owned(),
                }
            }
            Kind::Dot => Arg::Dot { pos: tok.pos },
            Kind::Nil => Arg::Nil { pos: tok.pos },
            Kind::Variable => {
                if !self.vars.contains(&tok.val) {
                    return self
                        .error(format!("undefined variable {}", crate::go::quote(&tok.val)));
                }
                Arg::Variable {
                    pos: tok.pos,
                    idents: vec![tok.val.into_owned()],
                }
            }
            Kind::Field => Arg::Field {
                pos: tok.pos,
                idents: vec![tok.val[1..].to_string()],
            },
            Kind::Bool => Arg::Bool {
                pos: tok.pos,
                val: tok.val == "true",
            },
            Kind::CharConstant | Kind::Complex | Kind::Number => {
                let num = parse_number(&tok.val, tok.kind).or_else(|e| self.error(e))?;
                Arg::Number {
                    pos: tok.pos,
                    num: Rc::new(num),
                }
            }
            Kind::LeftParen => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return self.error("max expression depth exceeded".to_string());
                }
                let p = self.pipeline("parenthesized pipeline", Kind::RightParen);
                self.depth -= 1;
                Arg::Pipe(Rc::new(p?))
            }
            Kind::String | Kind::RawString => {
                let text = unquote(&tok.val).or_else(|e| self.error(e))?;
                Arg::String {
                    pos: tok.pos,
                    quoted: tok.val.into_owned(),
                    text,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }
}
