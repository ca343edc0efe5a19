//! The `.cases` format: many template snippets per file, each with its values, extra chart files,
//! helm flags and shape masks. `docs/testing.md` describes it for case authors.

use regex::Regex;

/// How a case's template becomes a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The snippet is the body of `define "case"`, and `templates/out.yaml` prints it base64
    /// encoded, so any text (not only YAML mappings) survives helm's YAML check.
    Raw,
    /// The snippet is `templates/case.yaml` itself.
    Direct,
}

/// Where a `--set`-like flag puts its layer in helm's fixed order of value sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LayerKind {
    SetJson,
    Set,
    SetString,
    SetLiteral,
}

/// The helm flags a case may use, decoded once so the oracle and the engine see the same thing.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// Tokens as given, passed to `helm template` unchanged.
    pub args: Vec<String>,
    pub layers: Vec<(LayerKind, String)>,
    pub namespace: Option<String>,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
    pub show_only: Vec<String>,
}

/// One differential case.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// 1-based line of the `===` header, for messages.
    pub line: usize,
    pub mode: Mode,
    pub template: String,
    /// The chart's `values.yaml`, when given.
    pub values: Option<String>,
    /// Extra chart files: (path relative to the chart root, content).
    pub files: Vec<(String, String)>,
    pub flags: Flags,
    /// Regexes whose matches are replaced by [`MASK`] in both outputs before comparing.
    pub masks: Vec<Regex>,
    pub release: String,
}

/// What a shape mask leaves in place of the text it matched.
pub const MASK: &str = "<masked>";

/// The release name `helm template` uses when none is given.
pub const DEFAULT_RELEASE: &str = "release-name";

impl Case {
    /// The case's outputs with every mask applied.
    pub fn mask(&self, text: &str) -> String {
        self.masks.iter().fold(text.to_string(), |acc, re| {
            re.replace_all(&acc, MASK).into_owned()
        })
    }
}

enum Section {
    Template,
    Values,
    File(String),
}

struct Builder {
    case: Case,
    has_template: bool,
    open: Option<(Section, Vec<String>)>,
}

/// Parses a `.cases` file. `origin` names the file in error messages.
///
/// `@values` before the first case gives the file's default values: every case without its own
/// `@values` gets them.
pub fn parse(origin: &str, text: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    let mut defaults: Option<String> = None;
    let mut prelude = Some(Builder {
        case: new_case("", 0),
        has_template: false,
        open: None,
    });
    let mut current: Option<Builder> = None;
    // Not `lines()`: a `\r` before a newline is content (CRLF cases need it).
    for (index, line) in text.split_terminator('\n').enumerate() {
        let lineno = index + 1;
        let at = |msg: String| format!("{origin}:{lineno}: {msg}");
        if let Some(name) = line.strip_prefix("=== ") {
            if let Some(mut p) = prelude.take() {
                close(&mut p);
                defaults = p.case.values;
            }
            if let Some(b) = current.take() {
                cases.push(finish(origin, b, &defaults)?);
            }
            let name = name.trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                return Err(at(format!(
                    "case name {name:?} must be non-empty and use only A-Z a-z 0-9 . _ -"
                )));
            }
            if cases.iter().any(|c| c.name == name) {
                return Err(at(format!("duplicate case name {name:?}")));
            }
            current = Some(Builder {
                case: new_case(name, lineno),
                has_template: false,
                open: None,
            });
            continue;
        }
        if let Some((word, rest)) = directive(line) {
            let b = match (current.as_mut(), prelude.as_mut()) {
                (Some(b), _) => b,
                (None, Some(p)) if matches!(word, "v" | "values" | "#") => p,
                _ => return Err(at(format!("@{word} before the first `=== name` line"))),
            };
            close(b);
            apply(b, word, rest).map_err(at)?;
            continue;
        }
        let open = current
            .as_mut()
            .or(prelude.as_mut())
            .and_then(|b| b.open.as_mut());
        match open {
            Some((_, lines)) => lines.push(line.to_string()),
            None if line.trim().is_empty() || line.starts_with('#') => {}
            None => return Err(at(format!("text outside any section: {line:?}"))),
        }
    }
    if let Some(b) = current.take() {
        cases.push(finish(origin, b, &defaults)?);
    }
    Ok(cases)
}

fn new_case(name: &str, line: usize) -> Case {
    Case {
        name: name.to_string(),
        line,
        mode: Mode::Raw,
        template: String::new(),
        values: None,
        files: Vec::new(),
        flags: Flags::default(),
        masks: Vec::new(),
        release: DEFAULT_RELEASE.to_string(),
    }
}

/// Recognises `@word rest` for the known directive words only, so content lines that merely start
/// with `@` are not swallowed silently in the middle of a section.
fn directive(line: &str) -> Option<(&str, &str)> {
    let body = line.strip_prefix('@')?;
    let (word, rest) = match body.split_once(' ') {
        Some((w, r)) => (w, r),
        None => (body, ""),
    };
    const WORDS: &[&str] = &[
        "t", "template", "v", "values", "file", "flags", "shape", "direct", "release", "#",
    ];
    WORDS.contains(&word).then_some((word, rest))
}

fn apply(b: &mut Builder, word: &str, rest: &str) -> Result<(), String> {
    let needs_rest = |what: &str| {
        if rest.is_empty() {
            Err(format!("@{word} needs {what}"))
        } else {
            Ok(())
        }
    };
    match word {
        "#" => {}
        "t" | "template" => {
            if b.has_template {
                return Err("a second @template".to_string());
            }
            b.has_template = true;
            if rest.is_empty() {
                b.open = Some((Section::Template, Vec::new()));
            } else {
                b.case.template = rest.to_string();
            }
        }
        "v" | "values" => {
            if b.case.values.is_some() {
                return Err("a second @values".to_string());
            }
            if rest.is_empty() {
                b.open = Some((Section::Values, Vec::new()));
                b.case.values = Some(String::new());
            } else {
                b.case.values = Some(format!("{rest}\n"));
            }
        }
        "file" => {
            needs_rest("a path relative to the chart root")?;
            b.open = Some((Section::File(rest.trim().to_string()), Vec::new()));
        }
        "flags" => {
            needs_rest("helm flags")?;
            let words = test_support::quoted_words(rest).map_err(|e| format!("{e} in @flags"))?;
            decode_flags(&mut b.case.flags, &words)?;
        }
        "shape" => {
            needs_rest("a regex")?;
            let re = Regex::new(rest).map_err(|e| format!("bad @shape regex: {e}"))?;
            b.case.masks.push(re);
        }
        "direct" => b.case.mode = Mode::Direct,
        "release" => {
            needs_rest("a release name")?;
            b.case.release = rest.trim().to_string();
        }
        _ => unreachable!("directive() admits only the words handled here"),
    }
    Ok(())
}

/// Ends the open multi-line section: its lines, minus trailing blank ones, each end with "\n".
fn close(b: &mut Builder) {
    let Some((section, mut lines)) = b.open.take() else {
        return;
    };
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let mut text = lines.join("\n");
    if !lines.is_empty() {
        text.push('\n');
    }
    match section {
        Section::Template => b.case.template = text,
        Section::Values => b.case.values = Some(text),
        Section::File(path) => b.case.files.push((path, text)),
    }
}

fn finish(origin: &str, mut b: Builder, defaults: &Option<String>) -> Result<Case, String> {
    close(&mut b);
    if b.case.values.is_none() {
        b.case.values.clone_from(defaults);
    }
    if !b.has_template {
        return Err(format!(
            "{origin}:{}: case {:?} has no @template",
            b.case.line, b.case.name
        ));
    }
    Ok(b.case)
}

fn decode_flags(flags: &mut Flags, words: &[String]) -> Result<(), String> {
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        let (name, inline) = match word.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (word.as_str(), None),
        };
        let boolean = matches!(name, "--include-crds" | "--skip-tests" | "--no-hooks");
        let value = if boolean {
            if inline.is_some() {
                return Err(format!("{name} takes no value in a case"));
            }
            String::new()
        } else if let Some(v) = inline {
            v
        } else {
            i += 1;
            words
                .get(i)
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))?
        };
        match name {
            "--set" => flags.layers.push((LayerKind::Set, value)),
            "--set-string" => flags.layers.push((LayerKind::SetString, value)),
            "--set-json" => flags.layers.push((LayerKind::SetJson, value)),
            "--set-literal" => flags.layers.push((LayerKind::SetLiteral, value)),
            "--namespace" | "-n" => flags.namespace = Some(value),
            "--kube-version" => flags.kube_version = Some(value),
            // pflag string slices split on commas.
            "--api-versions" | "-a" => flags
                .api_versions
                .extend(value.split(',').map(str::to_string)),
            "--show-only" | "-s" => flags.show_only.push(value),
            "--include-crds" => flags.include_crds = true,
            "--skip-tests" => flags.skip_tests = true,
            "--no-hooks" => flags.no_hooks = true,
            other => return Err(format!("unsupported helm flag {other:?} in @flags")),
        }
        i += 1;
    }
    flags.args.extend(words.iter().cloned());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_inline_and_multiline_sections() {
        let text = "# family notes\n=== a\n@v x: 1\n@t {{ .Values.x }}\n\n=== b\n@direct\n@values\nx:\n  - 1\n\n@template\nk: {{ .Values.x }}\n\n@file templates/_h.tpl\n{{ define \"h\" }}h{{ end }}\n@flags --set a=1 --set-string 'b=x y' -n ns\n@shape \\d+\n";
        let cases = parse("t.cases", text).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].template, "{{ .Values.x }}");
        assert_eq!(cases[0].values.as_deref(), Some("x: 1\n"));
        let b = &cases[1];
        assert_eq!(b.mode, Mode::Direct);
        assert_eq!(b.values.as_deref(), Some("x:\n  - 1\n"));
        assert_eq!(b.template, "k: {{ .Values.x }}\n");
        assert_eq!(b.files[0].1, "{{ define \"h\" }}h{{ end }}\n");
        assert_eq!(
            b.flags.layers[1],
            (LayerKind::SetString, "b=x y".to_string())
        );
        assert_eq!(b.flags.namespace.as_deref(), Some("ns"));
        assert_eq!(b.mask("a 12 b 3"), "a <masked> b <masked>");
    }

    #[test]
    fn file_default_values_apply_to_cases_without_their_own() {
        let text = "@values\nd: 1\n\n=== a\n@t x\n=== b\n@v e: 2\n@t y\n";
        let cases = parse("t.cases", text).unwrap();
        assert_eq!(cases[0].values.as_deref(), Some("d: 1\n"));
        assert_eq!(cases[1].values.as_deref(), Some("e: 2\n"));
        assert!(parse("t", "@t x\n=== a\n@t y\n").is_err());
    }

    #[test]
    fn rejects_unknown_flags_and_missing_templates() {
        assert!(parse("t", "=== a\n@t x\n@flags --debug\n").is_err());
        assert!(parse("t", "=== a\n@v a: 1\n").is_err());
        assert!(parse("t", "=== a\n@t x\n=== a\n@t y\n").is_err());
    }
}
