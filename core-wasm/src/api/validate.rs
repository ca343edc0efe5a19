//! The native mirror of `wit/core.wit`'s `validate` and `list-rules` types.

/// How bad a finding is. Only errors fail a validation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    #[default]
    Error,
    Warning,
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    /// JSON path into the document, for example `spec.values.image.tag`.
    pub path: String,
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// A file to check.
#[derive(Clone, Debug)]
pub struct Input {
    /// The name diagnostics use for it.
    pub path: String,
    pub data: Vec<u8>,
}

/// What to validate, and with which rules.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub documents: Vec<Input>,
    /// Extra rule files as (name, content), after the built-in pack.
    pub policies: Vec<(String, String)>,
    /// Codes of rules that are switched off.
    pub disabled: Vec<String>,
}

/// A rule as `planton-helm policies` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleInfo {
    pub code: String,
    pub severity: Severity,
    pub doc: String,
    /// `core` for the checks built into the validator, else the rule file and line.
    pub source: String,
    pub enabled: bool,
    /// The rule's text (`when`, `each`, `path`, `message`, `hint`), empty for core checks.
    pub definition: String,
}
