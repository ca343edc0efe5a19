//! The lexer of Go templates: trim markers, comments, literals.
