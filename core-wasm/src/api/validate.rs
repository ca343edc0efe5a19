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
    /// JSON path into the document, for example `spec.values.image.tag`; `None` when the
    /// finding is about the document or file as a whole.
    pub path: Option<String>,
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

/// A file of extra policy rules; `name` is used in error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFile {
    pub name: String,
    pub content: String,
}

/// What to validate, and with which rules.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub documents: Vec<Input>,
    /// Extra rule files, after the built-in pack.
    pub policies: Vec<PolicyFile>,
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
    /// The rule's text (`when`, `each`, `path`, `message`, `hint`); `None` for core checks.
    pub definition: Option<String>,
}
