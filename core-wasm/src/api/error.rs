//! The native mirror of `wit/core.wit`'s `core-error`: the one error of every export.

/// Which step refused the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Its inputs: a chart, values, release name or name template that Helm refuses before it
    /// makes a release object; a policy file that does not load, an unknown code to disable.
    InvalidRequest,
    /// Rendering the chart's templates (the kubeVersion check onward), after Helm made a release
    /// object: `helm template` then adds a hint about `--debug`.
    Rendering,
}

/// Why an export failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreError {
    pub kind: ErrorKind,
    /// Helm's (or Go's, or the rule file's) error text, without the CLI's `Error: ` prefix.
    pub message: String,
    /// Helm's log lines printed before the error; empty but for a render.
    pub logs: Vec<String>,
}

impl CoreError {
    /// A request refused for its inputs, with no log lines.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        CoreError {
            kind: ErrorKind::InvalidRequest,
            message: message.into(),
            logs: Vec::new(),
        }
    }
}

impl std::fmt::Display for CoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CoreError {}
