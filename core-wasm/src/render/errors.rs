//! Helm's wording of render errors: how `helm template` reports a failed step, a template
//! parse error (`cleanupParseError`) and an execution error (`reformatExecErrorMsg`).

use crate::api::error::{CoreError, ErrorKind};
use crate::template::exec::GoError;

/// An error of the steps before Helm makes a release object: the request's inputs.
pub(super) fn fail(message: impl Into<String>) -> CoreError {
    CoreError::invalid_request(message)
}

/// An error of Helm's `renderResources` step, which `helm template` reports with its hint.
pub(super) fn fail_rendering(message: impl Into<String>) -> CoreError {
    CoreError {
        kind: ErrorKind::Rendering,
        message: message.into(),
        logs: Vec::new(),
    }
}

/// Helm's `cleanupParseError`.
pub(super) fn cleanup_parse_error(filename: &str, err: &str) -> String {
    let tokens: Vec<&str> = err.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {err}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// One step of Helm 4's execution-error trace.
#[derive(PartialEq, Eq)]
struct Traceable {
    location: String,
    function: String,
    message: String,
    full: String,
}

/// Parse `template: file:line:col: [executing "name" at <node>: ]message`.
fn parse_traceable(s: &str) -> Option<Traceable> {
    let rest = s.strip_prefix("template: ")?;
    // The location is the shortest prefix followed by `:<line>:<col>: `.
    let mut loc_end = None;
    for (i, _) in rest.match_indices(':') {
        let tail = &rest[i + 1..];
        let digits1 = tail.chars().take_while(char::is_ascii_digit).count();
        if digits1 == 0 || !tail[digits1..].starts_with(':') {
            continue;
        }
        let tail2 = &tail[digits1 + 1..];
        let digits2 = tail2.chars().take_while(char::is_ascii_digit).count();
        if digits2 > 0 && tail2[digits2..].starts_with(": ") {
            loc_end = Some(i + 1 + digits1 + 1 + digits2);
            break;
        }
    }
    let Some(end) = loc_end else {
        return Some(Traceable {
            location: String::new(),
            function: String::new(),
            message: s.to_string(),
            full: s.to_string(),
        });
    };
    let location = rest[..end].to_string();
    let after = &rest[end + 2..];
    if let Some(exec) = after.strip_prefix("executing \"")
        && let Some(at) = exec.find("\" at <")
        && let Some(close) = exec[at..].find(">: ")
    {
        let name = &exec[..at];
        let node = &exec[at + 6..at + close];
        return Some(Traceable {
            location,
            function: format!("executing \"{name}\" at <{node}>:"),
            message: exec[at + close + 3..].to_string(),
            full: s.to_string(),
        });
    }
    Some(Traceable {
        location,
        function: String::new(),
        message: after.to_string(),
        full: s.to_string(),
    })
}

/// Helm 4's formatting of a template execution error (its `reformatExecErrorMsg`), rebuilt
/// from its observable behaviour: `required`/`fail` messages become `execution error at
/// (...)`, a chain of template errors becomes an indented trace, anything else stays as Go
/// printed it.
pub(super) fn helm_exec_error(err: &GoError) -> String {
    let text = err.text();
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return text.to_string();
    }
    if let Some(start) = tokens[2].find("HELM_ERR_START")
        && let Some(len) = tokens[2][start + 14..].find("HELM_ERR_END")
    {
        let msg = &tokens[2][start + 14..start + 14 + len];
        return format!("execution error at ({}): {msg}", tokens[1]);
    }
    let mut steps: Vec<Traceable> = Vec::new();
    for e in &err.chain {
        let Some(t) = parse_traceable(e) else {
            return text.to_string();
        };
        if steps.last() != Some(&t) {
            steps.push(t);
        }
    }
    for i in (0..steps.len().saturating_sub(1)).rev() {
        let next_full = steps[i + 1].full.clone();
        if let Some(stripped) = steps[i].message.strip_suffix(next_full.as_str()) {
            steps[i].message = stripped.trim_end().to_string();
        }
    }
    let mut out = String::new();
    for t in &steps {
        if !t.location.is_empty() {
            out.push_str(&t.location);
            out.push_str("\n  ");
        }
        if !t.function.is_empty() {
            out.push_str(&t.function);
            out.push_str("\n    ");
        }
        if !t.message.is_empty() {
            out.push_str(&t.message);
            out.push('\n');
        }
    }
    out.trim().to_string()
}
