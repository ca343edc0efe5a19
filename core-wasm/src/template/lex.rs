//! The lexer of Go templates: trim markers, comments, literals.
//!
//! It follows text/template's lexer closely because error texts and line numbers are part of
//! what Helm prints: `{{- ` and ` -}}` trim the adjacent text here, comments vanish here, and the
//! error of a malformed token is reported at the line the token starts on.

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Error,
    Bool,
    /// A single ASCII punctuation character inside an action (e.g. `,`).
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Kind {
    /// Whether a token of this kind starts an operand, and so a command of a pipeline
    /// (text/template/parse's `pipeline` loop): the parser and the check of `define` bodies
    /// (`parse/skim.rs`) share this list.
    pub fn starts_operand(self) -> bool {
        matches!(
            self,
            Kind::Bool
                | Kind::CharConstant
                | Kind::Complex
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen
        )
    }

    fn is_keyword(self) -> bool {
        matches!(
            self,
            Kind::Block
                | Kind::Break
                | Kind::Continue
                | Kind::Dot
                | Kind::Define
                | Kind::Else
                | Kind::End
                | Kind::If
                | Kind::Nil
                | Kind::Range
                | Kind::Template
                | Kind::With
        )
    }
}

/// One token: its kind, its text, its byte offset and the line it starts on. The text borrows
/// the template's (only an error's message is owned), so that the parser's look-ahead copies
/// tokens without allocating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'a> {
    pub kind: Kind,
    pub val: Cow<'a, str>,
    pub pos: usize,
    pub line: usize,
}

impl std::fmt::Display for Item<'_> {
    /// text/template's rendering of a token in "unexpected ..." messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            Kind::Eof => write!(f, "EOF"),
            Kind::Error => write!(f, "{}", self.val),
            k if k.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", crate::go::quote(&head))
                } else {
                    write!(f, "{}", crate::go::quote(&self.val))
                }
            }
        }
    }
}

use std::borrow::Cow;

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

/// Tokenises a whole template eagerly (Go's lexer runs as a goroutine; a vector is simpler and the
/// parser only needs three tokens of look-ahead).
pub struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    line: usize,
    start_line: usize,
    paren_depth: usize,
    items: Vec<Item<'a>>,
    inside_action: bool,
}

impl<'a> Lexer<'a> {
    /// Tokenise `input`; the result always ends with an `Eof` or an `Error` token.
    pub fn lex(input: &'a str) -> Vec<Item<'a>> {
        Lexer::lex_from(input, 0, 1)
    }

    /// Tokenise `input` from byte `start`, which must be where a token outside any action began
    /// when the whole input was tokenised (on line `line`): the tokens are the ones the whole
    /// input gives from there on, positions counted from the input's start.
    pub fn lex_from(input: &'a str, start: usize, line: usize) -> Vec<Item<'a>> {
        let mut l = Lexer {
            input,
            pos: start,
            start,
            line,
            start_line: line,
            paren_depth: 0,
            items: Vec::new(),
            inside_action: false,
        };
        l.run();
        l.items
    }

    fn run(&mut self) {
        loop {
            let ok = if self.inside_action {
                self.lex_inside_action()
            } else {
                self.lex_text()
            };
            match self.items.last() {
                Some(it) if it.kind == Kind::Eof || it.kind == Kind::Error => return,
                _ => {}
            }
            if !ok {
                return;
            }
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        // Template text is mostly ASCII: decode only when the byte starts a longer character.
        match self.input.as_bytes().get(self.pos) {
            Some(&b) if b.is_ascii() => Some(b as char),
            Some(_) => self.rest().chars().next(),
            None => None,
        }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn backup(&mut self, c: char) {
        self.pos -= c.len_utf8();
        if c == '\n' {
            self.line -= 1;
        }
    }

    fn emit(&mut self, kind: Kind) {
        let val = Cow::Borrowed(&self.input[self.start..self.pos]);
        self.items.push(Item {
            kind,
            val,
            pos: self.start,
            line: self.start_line,
        });
        self.ignore();
    }

    fn ignore(&mut self) {
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn error(&mut self, msg: String) -> bool {
        self.items.push(Item {
            kind: Kind::Error,
            val: Cow::Owned(msg),
            pos: self.start,
            line: self.start_line,
        });
        false
    }

    /// Skip `n` bytes that contain no newline accounting of their own (delimiters, markers).
    fn skip(&mut self, n: usize) {
        let s = &self.input.as_bytes()[self.pos..self.pos + n];
        self.line += s.iter().filter(|&&b| b == b'\n').count();
        self.pos += n;
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.rest();
        if has_right_trim(r) && r[2..].starts_with(RIGHT) {
            return (true, true);
        }
        (r.starts_with(RIGHT), false)
    }

    fn lex_text(&mut self) -> bool {
        if let Some(x) = find_left_delim(self.rest()) {
            if x > 0 {
                let text_end = self.pos + x;
                let delim_end = text_end + LEFT.len();
                let mut trim = 0;
                if has_left_trim(&self.input[delim_end..]) {
                    let text = &self.input[self.start..text_end];
                    trim = text.len() - text.trim_end_matches(is_space).len();
                }
                self.skip(x - trim);
                let val = Cow::Borrowed(&self.input[self.start..self.pos]);
                let item = Item {
                    kind: Kind::Text,
                    val,
                    pos: self.start,
                    line: self.start_line,
                };
                self.skip(trim);
                self.start = self.pos;
                self.start_line = self.line;
                if !item.val.is_empty() {
                    self.items.push(item);
                }
            }
            return self.lex_left_delim();
        }
        let n = self.rest().len();
        self.skip(n);
        if self.pos > self.start {
            self.emit(Kind::Text);
        }
        self.emit(Kind::Eof);
        true
    }

    fn lex_left_delim(&mut self) -> bool {
        self.skip(LEFT.len());
        let trim = has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.input[self.pos + after..].starts_with(LEFT_COMMENT) {
            self.skip(after);
            self.start = self.pos;
            self.start_line = self.line;
            return self.lex_comment();
        }
        let item = Item {
            kind: Kind::LeftDelim,
            val: Cow::Borrowed(&self.input[self.start..self.pos]),
            pos: self.start,
            line: self.start_line,
        };
        self.inside_action = true;
        self.skip(after);
        self.start = self.pos;
        self.start_line = self.line;
        self.paren_depth = 0;
        self.items.push(item);
        true
    }

    fn lex_comment(&mut self) -> bool {
        self.skip(LEFT_COMMENT.len());
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".to_string());
        };
        self.skip(x + RIGHT_COMMENT.len());
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".to_string());
        }
        if trim {
            self.skip(2);
        }
        self.skip(RIGHT.len());
        if trim {
            let r = self.rest();
            let n = r.len() - r.trim_start_matches(is_space).len();
            self.skip(n);
        }
        self.start = self.pos;
        self.start_line = self.line;
        true
    }

    fn lex_right_delim(&mut self) -> bool {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.skip(2);
            self.start = self.pos;
            self.start_line = self.line;
        }
        self.skip(RIGHT.len());
        let item = Item {
            kind: Kind::RightDelim,
            val: Cow::Borrowed(&self.input[self.start..self.pos]),
            pos: self.start,
            line: self.start_line,
        };
        if trim {
            let r = self.rest();
            let n = r.len() - r.trim_start_matches(is_space).len();
            self.skip(n);
        }
        self.start = self.pos;
        self.start_line = self.line;
        self.inside_action = false;
        self.items.push(item);
        true
    }

    fn lex_inside_action(&mut self) -> bool {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return self.lex_right_delim();
            }
            return self.error("unclosed left paren".to_string());
        }
        let Some(r) = self.next() else {
            return self.error("unclosed action".to_string());
        };
        match r {
            c if is_space(c) => {
                self.backup(c);
                self.lex_space()
            }
            '=' => {
                self.emit(Kind::Assign);
                true
            }
            ':' => {
                if self.next() != Some('=') {
                    return self.error("expected :=".to_string());
                }
                self.emit(Kind::Declare);
                true
            }
            '|' => {
                self.emit(Kind::Pipe);
                true
            }
            '"' => self.lex_quote(),
            '`' => self.lex_raw_quote(),
            '$' => self.lex_variable(),
            '\'' => self.lex_char(),
            '.' => {
                if let Some(c) = self.peek()
                    && !c.is_ascii_digit()
                {
                    return self.lex_field_or_variable(Kind::Field);
                }
                self.backup('.');
                self.lex_number()
            }
            '+' | '-' | '0'..='9' => {
                self.backup(r);
                self.lex_number()
            }
            c if is_alnum(c) => {
                self.backup(c);
                self.lex_identifier()
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(Kind::LeftParen);
                true
            }
            ')' => {
                if self.paren_depth == 0 {
                    return self.error("unexpected right paren".to_string());
                }
                self.paren_depth -= 1;
                self.emit(Kind::RightParen);
                true
            }
            c if c.is_ascii() && !c.is_ascii_control() => {
                self.emit(Kind::Char);
                true
            }
            c => self.error(format!(
                "unrecognized character in action: {}",
                go_unicode_repr(c)
            )),
        }
    }

    fn lex_space(&mut self) -> bool {
        let mut num = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.next();
            num += 1;
        }
        // A trim-marked right delimiter starts with a space: leave that space to it.
        let before = &self.input[self.pos - 1..];
        if has_right_trim(before) && before[2..].starts_with(RIGHT) {
            let c = self.input[..self.pos].chars().next_back().unwrap_or(' ');
            self.backup(c);
            if num == 1 {
                return self.lex_right_delim();
            }
        }
        self.emit(Kind::Space);
        true
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_identifier(&mut self) -> bool {
        loop {
            match self.next() {
                Some(c) if is_alnum(c) => {}
                other => {
                    if let Some(c) = other {
                        self.backup(c);
                    }
                    if !self.at_terminator() {
                        let c = self.peek().unwrap_or('\u{0}');
                        return self.error(format!("bad character {}", go_unicode_repr(c)));
                    }
                    let word = &self.input[self.start..self.pos];
                    let kind = match word {
                        "block" => Kind::Block,
                        "break" => Kind::Break,
                        "continue" => Kind::Continue,
                        "define" => Kind::Define,
                        "else" => Kind::Else,
                        "end" => Kind::End,
                        "if" => Kind::If,
                        "range" => Kind::Range,
                        "nil" => Kind::Nil,
                        "template" => Kind::Template,
                        "with" => Kind::With,
                        "true" | "false" => Kind::Bool,
                        _ => Kind::Identifier,
                    };
                    self.emit(kind);
                    return true;
                }
            }
        }
    }

    fn lex_variable(&mut self) -> bool {
        if self.at_terminator() {
            self.emit(Kind::Variable);
            return true;
        }
        self.lex_field_or_variable(Kind::Variable)
    }

    fn lex_field_or_variable(&mut self, kind: Kind) -> bool {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable {
                Kind::Variable
            } else {
                Kind::Dot
            });
            return true;
        }
        let mut last = None;
        while let Some(c) = self.next() {
            if !is_alnum(c) {
                self.backup(c);
                last = Some(c);
                break;
            }
        }
        if !self.at_terminator() {
            let c = last.unwrap_or('\u{0}');
            return self.error(format!("bad character {}", go_unicode_repr(c)));
        }
        self.emit(kind);
        true
    }

    fn lex_char(&mut self) -> bool {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.error("unterminated character constant".to_string());
                    }
                    Some(_) => {}
                },
                Some('\n') | None => {
                    return self.error("unterminated character constant".to_string());
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::CharConstant);
        true
    }

    fn lex_number(&mut self) -> bool {
        if !self.scan_number() {
            let text = self.input[self.start..self.pos].to_string();
            return self.error(format!("bad number syntax: {}", crate::go::quote(&text)));
        }
        if let Some(sign @ ('+' | '-')) = self.peek() {
            let _ = sign;
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let text = self.input[self.start..self.pos].to_string();
                return self.error(format!("bad number syntax: {}", crate::go::quote(&text)));
            }
            self.emit(Kind::Complex);
            return true;
        }
        self.emit(Kind::Number);
        true
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek()
            && valid.contains(c)
        {
            self.next();
            return true;
        }
        false
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek()
            && is_alnum(c)
        {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> bool {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.error("unterminated quoted string".to_string());
                    }
                    Some(_) => {}
                },
                Some('\n') | None => return self.error("unterminated quoted string".to_string()),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::String);
        true
    }

    fn lex_raw_quote(&mut self) -> bool {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".to_string()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::RawString);
        true
    }
}

/// The offset of the first `{{` in `s` (a byte search: `str::find` sets up a substring searcher
/// on every call, and this is called once per text run).
fn find_left_delim(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == b'{') {
        let at = from + i;
        if b.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Go's `%#U` of a rune: `U+0023 '#'`.
pub fn go_unicode_repr(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{}'", c as u32, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        Lexer::lex(src)
            .into_iter()
            .map(|i| (i.kind, i.val.into_owned()))
            .collect()
    }

    #[test]
    fn trim_markers_eat_adjacent_space() {
        let items = kinds("a \n {{- .x -}} \n b");
        assert_eq!(items[0], (Kind::Text, "a".to_string()));
        assert_eq!(items[2], (Kind::Field, ".x".to_string()));
        assert_eq!(items[4], (Kind::Text, "b".to_string()));
    }

    #[test]
    fn negative_number_is_not_a_trim_marker() {
        let items = kinds("{{-3}}");
        assert_eq!(items[1], (Kind::Number, "-3".to_string()));
    }

    #[test]
    fn comments_vanish_and_trim() {
        let items = kinds("a  {{- /* hi */ -}}  b");
        assert_eq!(
            items,
            vec![
                (Kind::Text, "a".to_string()),
                (Kind::Text, "b".to_string()),
                (Kind::Eof, String::new())
            ]
        );
    }

    #[test]
    fn lines_are_counted() {
        let items = Lexer::lex("a\nb\n{{ .x\n}}\n{{ y }}");
        let y = items.iter().find(|i| i.val == "y").unwrap();
        assert_eq!(y.line, 5);
    }

    #[test]
    fn unclosed_action_is_an_error() {
        let items = kinds("{{ .x ");
        assert_eq!(items.last().unwrap().0, Kind::Error);
        assert_eq!(items.last().unwrap().1, "unclosed action");
    }
}
