//! `planton-helm validate` and `planton-helm policies`: the host gathers files (documents and
//! policy rules) and prints; the checking, rule loading included, happens in the core, so that
//! the verdict is the controller's and the admission webhook's too.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use host_runtime::{
    Config, Diagnostic, OfflineHost, PolicyFile, RuleInfo, Runtime, Severity, SourceFile,
    ValidateRequest,
};
use serde_json::{Value as Json, json};

/// Exit status when every document passed (warnings allowed unless `--strict`).
const CLEAN: u8 = 0;
/// Exit status when a document broke a rule.
const VIOLATIONS: u8 = 1;
/// Exit status for usage and I/O errors: nothing was validated.
const UNUSABLE: u8 = 2;

/// The file extensions read from a directory.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:column: severity[CODE] path: message`, then the hint
    Text,
    /// One JSON object: the diagnostics and a summary
    Json,
    /// SARIF 2.1.0, for code-scanning services
    Sarif,
}

/// Where extra rules come from, and which rules are off.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A directory of extra policy rule files (*.yaml, *.yml), or one such file (repeatable)
    #[arg(long = "policy", value_name = "DIR")]
    pub policy: Vec<PathBuf>,

    /// Switch off a rule by its code (repeatable, or comma-separated)
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub disable: Vec<String>,
}

/// `planton-helm validate PATH...`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files or directories of HelmRelease manifests (YAML or JSON, several documents per file);
    /// `-` reads standard input
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<String>,

    /// Output format
    #[arg(short, long, value_enum, default_value = "text")]
    output: Format,

    /// Fail (exit 1) on warnings too
    #[arg(long)]
    strict: bool,

    #[command(flatten)]
    policies: PolicyArgs,
}

/// `planton-helm policies [list|explain CODE]`
#[derive(Debug, Args)]
pub struct PoliciesArgs {
    #[command(subcommand)]
    command: Option<PoliciesCommand>,

    #[command(flatten)]
    policies: PolicyArgs,
}

#[derive(Debug, Subcommand)]
enum PoliciesCommand {
    /// List the core checks and the rules in force (the default)
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Show one rule: its documentation, where it comes from and its definition
    Explain {
        /// The rule's code, for example PH010
        code: String,
    },
}

/// Runs `validate`; every failure is reported here, so the exit status is always 0, 1 or 2.
pub fn validate(args: &ValidateArgs, config: Config) -> ExitCode {
    match run_validate(args, config) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(UNUSABLE)
        }
    }
}

/// Runs `policies`; errors exit 2 as for `validate`.
pub fn policies(args: &PoliciesArgs, config: Config) -> ExitCode {
    match run_policies(args, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(UNUSABLE)
        }
    }
}

fn run_validate(args: &ValidateArgs, config: Config) -> anyhow::Result<u8> {
    let documents = read_inputs(&args.paths)?;
    let policies = read_policies(&args.policies.policy)?;
    let disabled = args.policies.disable.clone();
    let runtime = Runtime::new(config)?;
    let request = ValidateRequest {
        documents,
        policies: policies.clone(),
        disabled: disabled.clone(),
    };
    let diags = runtime.validate(&request, OfflineHost::default())?;
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let mut out = String::new();
    match args.output {
        Format::Text => {
            for d in &diags {
                out.push_str(&text_line(d));
            }
            let files = request.documents.len();
            out.push_str(&format!(
                "{} checked: {errors} {}, {warnings} {}\n",
                plural(files, "file"),
                if errors == 1 { "error" } else { "errors" },
                if warnings == 1 { "warning" } else { "warnings" },
            ));
        }
        Format::Json => {
            let doc = json!({
                "diagnostics": diags.iter().map(diagnostic_json).collect::<Vec<_>>(),
                "summary": {
                    "files": request.documents.len(),
                    "errors": errors,
                    "warnings": warnings,
                    "infos": infos,
                },
            });
            out = serde_json::to_string_pretty(&doc)? + "\n";
        }
        Format::Sarif => {
            let rules = runtime.list_rules(&policies, &disabled, OfflineHost::default())?;
            out = serde_json::to_string_pretty(&sarif(&diags, &rules))? + "\n";
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    let failed = errors > 0 || (args.strict && warnings > 0);
    Ok(if failed { VIOLATIONS } else { CLEAN })
}

fn run_policies(args: &PoliciesArgs, config: Config) -> anyhow::Result<()> {
    let policies = read_policies(&args.policies.policy)?;
    let runtime = Runtime::new(config)?;
    let rules = runtime.list_rules(&policies, &args.policies.disable, OfflineHost::default())?;
    let mut out = String::new();
    match &args.command {
        None | Some(PoliciesCommand::List { json: false }) => {
            for r in &rules {
                let state = if r.enabled { "" } else { " (disabled)" };
                out.push_str(&format!(
                    "{:<10} {:<8} {}{state}\n{}\n",
                    r.code,
                    severity_name(r.severity),
                    r.source,
                    wrap(&r.doc, 78, "    ")
                ));
            }
        }
        Some(PoliciesCommand::List { json: true }) => {
            let list: Vec<Json> = rules
                .iter()
                .map(|r| {
                    json!({
                        "code": r.code,
                        "severity": severity_name(r.severity),
                        "doc": r.doc,
                        "source": r.source,
                        "enabled": r.enabled,
                    })
                })
                .collect();
            out = serde_json::to_string_pretty(&list)? + "\n";
        }
        Some(PoliciesCommand::Explain { code }) => {
            let Some(r) = rules.iter().find(|r| r.code.eq_ignore_ascii_case(code)) else {
                bail!("no rule has the code {code}; `planton-helm policies` lists them");
            };
            out.push_str(&format!(
                "{} ({}, {}{})\n\n{}\n",
                r.code,
                severity_name(r.severity),
                r.source,
                if r.enabled { "" } else { ", disabled" },
                wrap(&r.doc, 80, "")
            ));
            if let Some(definition) = &r.definition {
                out.push('\n');
                out.push_str(definition);
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// The documents named on the command line: files as they are, directories walked for YAML and
/// JSON files (sorted, so output is stable), `-` as standard input.
fn read_inputs(paths: &[String]) -> anyhow::Result<Vec<SourceFile>> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            let mut data = Vec::new();
            std::io::stdin()
                .read_to_end(&mut data)
                .context("could not read standard input")?;
            out.push(SourceFile {
                path: "<stdin>".to_string(),
                data,
            });
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {p}"))?;
        let files = if meta.is_dir() {
            let found = walk(path)?;
            if found.is_empty() {
                bail!(
                    "directory {p} has no {} files",
                    EXTENSIONS
                        .iter()
                        .map(|e| format!(".{e}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            found
        } else {
            vec![path.to_path_buf()]
        };
        for f in files {
            let data = std::fs::read(&f).with_context(|| format!("cannot read {}", f.display()))?;
            out.push(SourceFile {
                path: f.display().to_string(),
                data,
            });
        }
    }
    Ok(out)
}

/// YAML and JSON files under `dir`, recursively, sorted; hidden entries are skipped.
fn walk(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read directory {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read directory {}", dir.display()))?;
    entries.sort();
    for e in entries {
        let name = e.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if e.is_dir() {
            out.extend(walk(&e)?);
        } else if e
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| EXTENSIONS.contains(&x))
        {
            out.push(e);
        }
    }
    Ok(out)
}

/// `--policy` directories (their *.yaml and *.yml files, sorted) and files.
pub fn read_policies(paths: &[PathBuf]) -> anyhow::Result<Vec<PolicyFile>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .with_context(|| format!("cannot read policy path {}", p.display()))?;
        let files = if meta.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot read policy directory {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| x == "yaml" || x == "yml")
                })
                .collect();
            files.sort();
            if files.is_empty() {
                bail!(
                    "policy directory {} has no .yaml or .yml files",
                    p.display()
                );
            }
            files
        } else {
            vec![p.clone()]
        };
        for f in files {
            let content = std::fs::read_to_string(&f)
                .with_context(|| format!("cannot read policy file {}", f.display()))?;
            out.push(PolicyFile {
                name: f.display().to_string(),
                content,
            });
        }
    }
    Ok(out)
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `file:line:column: severity[CODE] path: message` and an indented hint, as compilers print.
fn text_line(d: &Diagnostic) -> String {
    let mut place = d.file.clone().unwrap_or_default();
    if let Some(l) = d.line {
        place.push_str(&format!(":{l}"));
        if let Some(c) = d.column {
            place.push_str(&format!(":{c}"));
        }
    }
    let path = match &d.path {
        Some(p) => format!(" {p}:"),
        None => String::new(),
    };
    let mut s = format!(
        "{place}: {}[{}]{path} {}\n",
        severity_name(d.severity),
        d.code,
        d.message
    );
    if let Some(h) = &d.hint {
        s.push_str(&format!("  hint: {h}\n"));
    }
    s
}

fn diagnostic_json(d: &Diagnostic) -> Json {
    json!({
        "code": d.code,
        "severity": severity_name(d.severity),
        // `""` for a finding about the whole document, as the format has always said.
        "path": d.path.as_deref().unwrap_or_default(),
        "message": d.message,
        "hint": d.hint,
        "file": d.file,
        "line": d.line,
        "column": d.column,
    })
}

/// A relative file path as a SARIF `uri` (a URI reference): `/` separators, and characters that
/// URIs reserve percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF 2.1.0 log of a run: the rules in force as the tool's rules, one result per
/// diagnostic, the hint appended to the message (SARIF's `fixes` need replacement text).
fn sarif(diags: &[Diagnostic], rules: &[RuleInfo]) -> Json {
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let rule_list: Vec<Json> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "shortDescription": {"text": r.doc.split(". ").next().unwrap_or(&r.doc)},
                "fullDescription": {"text": r.doc},
                "defaultConfiguration": {"level": level(r.severity), "enabled": r.enabled},
            })
        })
        .collect();
    let results: Vec<Json> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.hint {
                text.push_str(&format!(" (hint: {h})"));
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": {"text": text},
            });
            if let Some(i) = rules.iter().position(|r| r.code == d.code) {
                result["ruleIndex"] = json!(i);
            }
            let mut location = json!({});
            if let Some(file) = &d.file {
                let mut physical = json!({"artifactLocation": {"uri": uri(file)}});
                if let Some(line) = d.line {
                    physical["region"] = json!({"startLine": line});
                    if let Some(col) = d.column {
                        physical["region"]["startColumn"] = json!(col);
                    }
                }
                location["physicalLocation"] = physical;
            }
            if let Some(path) = &d.path {
                location["logicalLocations"] =
                    json!([{"fullyQualifiedName": path, "kind": "member"}]);
            }
            result["locations"] = json!([location]);
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "planton-helm",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/project-planton/planton-helm",
                "rules": rule_list,
            }},
            "results": results,
        }],
    })
}

/// `text` wrapped at `width` columns, each line starting with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            lines.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_uris_are_uri_references() {
        assert_eq!(uri("deploy/web app.yaml"), "deploy/web%20app.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("a\\b#c.yaml"), "a/b%23c.yaml");
    }

    #[test]
    fn docs_wrap_at_the_width() {
        let w = wrap("one two three four five six", 15, "  ");
        assert_eq!(w, "  one two three\n  four five six");
        assert!(w.lines().all(|l| l.len() <= 15));
    }
}
