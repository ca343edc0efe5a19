//! Go's standard library, as far as the texts Helm prints depend on it: `fmt`'s printing,
//! `strconv`'s float formatting and quoting, text/template's escapers and `log/slog`'s value
//! quoting. Below the codecs and the template engine; imports only `value`.

pub mod escape;
pub mod fmt;
pub mod slog;
pub mod strconv;

#[cfg(test)]
mod tests;

pub use escape::{html_escape, js_escape, query_escape};
pub use fmt::{format_v, sprint, sprintf, sprintln, strval};
pub use slog::slog_value;
pub use strconv::{format_float, format_float32, is_print, quote, quote_rune};
