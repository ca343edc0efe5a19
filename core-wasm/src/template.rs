//! Go's `text/template`: lexer, parser and executor, with Helm's execution options
//! (`missingkey=zero`, `<no value>` removal is done by the chart renderer), and what a template
//! function is ([`func`]).

pub mod exec;
pub mod func;
pub mod lex;
pub mod parse;
pub mod tree;
