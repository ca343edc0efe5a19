//! The chart a case stands for. The oracle and the engine get the very same files.

use super::case::{Case, Mode};

/// The chart directory's name and `Chart.yaml` name; short, because it prefixes every error path.
pub const CHART_NAME: &str = "c";

const DEFAULT_CHART_YAML: &str = "apiVersion: v2\nname: c\nversion: 0.1.0\n";

/// Prints the `case` define base64 encoded: any text, even one that is not a YAML mapping or
/// that has leading or trailing whitespace, reaches stdout unchanged.
const RAW_OUT: &str = "raw: {{ include \"case\" . | b64enc | quote }}\n";

/// (path relative to the chart root, content), sorted by path.
pub fn files(case: &Case) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut put = |path: &str, data: String| {
        files.retain(|(p, _)| p != path);
        files.push((path.to_string(), data));
    };
    put("Chart.yaml", DEFAULT_CHART_YAML.to_string());
    if let Some(values) = &case.values {
        put("values.yaml", values.clone());
    }
    match case.mode {
        Mode::Raw => {
            put(
                "templates/_case.tpl",
                format!("{{{{ define \"case\" }}}}{}{{{{ end }}}}", case.template),
            );
            put("templates/out.yaml", RAW_OUT.to_string());
        }
        Mode::Direct => put("templates/case.yaml", case.template.clone()),
    }
    // Extra files come last so a case can replace Chart.yaml or the generated templates.
    for (path, data) in &case.files {
        put(path, data.clone());
    }
    files.sort();
    files
}
