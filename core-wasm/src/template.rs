//! Go's `text/template`: lexer, parser and executor, with Helm's execution options
//! (`missingkey=zero`, `<no value>` removal is done by the chart renderer).

pub mod exec;
pub mod lex;
pub mod parse;
