//! Go's `log/slog` text handler, as Helm's log lines print values.

use super::strconv::{is_print, quote};

/// A string as slog's text handler prints a value: bare, or Go-quoted when it is empty or has a
/// space, `=`, `"` or a character outside printable ASCII that JSON would escape.
pub fn slog_value(s: &str) -> String {
    let needs_quoting = s.is_empty()
        || s.chars().any(|c| {
            if c.is_ascii() {
                c != '\\' && (c == ' ' || c == '=' || c == '"' || c.is_ascii_control())
            } else {
                c.is_whitespace() || !is_print(c)
            }
        });
    if needs_quoting {
        quote(s)
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_values_are_quoted_like_slog_text() {
        // As helm v4.3.1 printed them for these hook annotations.
        assert_eq!(slog_value("crd-install"), "crd-install");
        assert_eq!(
            slog_value("crd-install, foo ,pre-install"),
            "\"crd-install, foo ,pre-install\""
        );
        assert_eq!(slog_value("bar baz"), "\"bar baz\"");
        assert_eq!(slog_value(""), "\"\"");
        assert_eq!(slog_value("a=b"), "\"a=b\"");
        assert_eq!(
            slog_value(r#"release name "B": invalid, ^[a-z](\.[a-z])?$"#),
            r#""release name \"B\": invalid, ^[a-z](\\.[a-z])?$""#
        );
    }
}
