//! Whole charts against the oracle: each case of `tests/charts/cases.txt` is rendered by the core
//! (natively) and compared byte for byte with what helm v4.3.1 printed, recorded in
//! `tests/charts/goldens/` by `scripts/record-chart-goldens`. A failing case compares helm's
//! error text (stderr without `Error: ` and the CLI's `--debug` hint) with ours.
//!
//! Cases listed in `tests/charts/known-failures.txt` (`NAME: reason`, read by the toolkit's
//! `known_failures`) are expected to differ (each with the reason, also in
//! docs/compatibility.md); one of them passing fails the test so the list stays true.

use std::path::{Path, PathBuf};

use core_wasm::funcs::FixedHost;
use core_wasm::render::{
    Capabilities, ChartSource, FileValue, ReleaseInfo, RenderOptions, RenderRequest, SourceFile,
    ValuesLayer, render,
};
use planton_tests::differential::oracle::DEBUG_HINT;
use test_support::{known_failures, shell_words};

fn charts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("charts")
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("chart directory")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            out.push(SourceFile {
                path: path
                    .strip_prefix(root)
                    .expect("inside root")
                    .to_string_lossy()
                    .replace('\\', "/"),
                data: std::fs::read(&path).expect("read chart file"),
            });
        }
    }
}

/// The request `helm template ARGS` makes, with helm's order of the values layers.
fn request(args: &[String]) -> RenderRequest {
    let base = charts_dir();
    let mut positional = Vec::new();
    let mut namespace = "default".to_string();
    let (mut files, mut json, mut set, mut string, mut file, mut literal) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut kube_version = None;
    let mut api_versions = Vec::new();
    let mut options = RenderOptions::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().expect("flag value").clone();
        match a.as_str() {
            "-n" | "--namespace" => namespace = value(),
            "-f" | "--values" => {
                let path = value();
                files.push(ValuesLayer::YamlFile(SourceFile {
                    data: std::fs::read(base.join(&path)).expect("values file"),
                    path,
                }));
            }
            "--set" => set.push(ValuesLayer::Set(value())),
            "--set-string" => string.push(ValuesLayer::SetString(value())),
            "--set-json" => json.push(ValuesLayer::SetJson(value())),
            "--set-literal" => literal.push(ValuesLayer::SetLiteral(value())),
            "--set-file" => {
                let spec = value();
                let (k, p) = spec.split_once('=').expect("key=path");
                let text = std::fs::read_to_string(base.join(p)).expect("set-file");
                file.push(ValuesLayer::SetFile(FileValue {
                    key: k.to_string(),
                    contents: text,
                }));
            }
            "--kube-version" => kube_version = Some(value()).filter(|v| !v.is_empty()),
            "-a" | "--api-versions" => api_versions.extend(value().split(',').map(String::from)),
            "-s" | "--show-only" => options.show_only.push(value()),
            "--include-crds" => options.include_crds = true,
            "--skip-tests" => options.skip_tests = true,
            "--no-hooks" => options.no_hooks = true,
            flag if flag.starts_with('-') => panic!("flag {flag} is not supported by the harness"),
            _ => positional.push(a.clone()),
        }
    }
    let (name, chart) = match positional.as_slice() {
        [chart] => ("release-name".to_string(), chart.clone()),
        [name, chart] => (name.clone(), chart.clone()),
        _ => panic!("expected [NAME] CHART in {args:?}"),
    };
    let chart_path = base.join(&chart);
    let chart = if chart_path.is_dir() {
        let mut out = Vec::new();
        walk(&chart_path, &chart_path, &mut out);
        ChartSource::Files(out)
    } else {
        ChartSource::Archive(std::fs::read(&chart_path).expect("chart archive"))
    };
    let values = files
        .into_iter()
        .chain(json)
        .chain(set)
        .chain(string)
        .chain(file)
        .chain(literal)
        .collect();
    RenderRequest {
        chart,
        values,
        release: ReleaseInfo {
            name,
            namespace,
            revision: 1,
            is_install: true,
            is_upgrade: false,
        },
        capabilities: Capabilities {
            kube_version,
            api_versions,
            live: false,
        },
        options,
    }
}

/// What helm printed: `Ok(stdout)` or `Err(message)`.
fn golden(name: &str) -> Result<String, String> {
    let dir = charts_dir().join("goldens");
    if let Ok(out) = std::fs::read_to_string(dir.join(format!("{name}.out"))) {
        return Ok(out);
    }
    let err = std::fs::read_to_string(dir.join(format!("{name}.err")))
        .unwrap_or_else(|_| panic!("no golden for {name}: run scripts/record-chart-goldens"));
    let msg = err.strip_prefix("Error: ").unwrap_or(&err);
    let msg = msg.strip_suffix('\n').unwrap_or(msg);
    Err(msg.strip_suffix(DEBUG_HINT).unwrap_or(msg).to_string())
}

fn cases() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(charts_dir().join("cases.txt")).expect("cases.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, args) = l.split_once(':').expect("name: args");
            (
                name.to_string(),
                shell_words(args).unwrap_or_else(|e| panic!("cases.txt: {name}: {e}")),
            )
        })
        .collect()
}

#[test]
fn charts_render_like_helm() {
    let known = known_failures(&charts_dir().join("known-failures.txt"));
    let mut failures = Vec::new();
    let mut fixed = Vec::new();
    let all = cases();
    assert!(all.len() >= 40, "the chart cases went missing");
    for (name, args) in &all {
        let expected = golden(name);
        let got = render(&request(args), &mut FixedHost::default())
            .map(|o| o.text)
            .map_err(|e| e.message);
        let same = got == expected;
        match (same, known.contains_key(name)) {
            (true, true) => fixed.push(name.clone()),
            (false, false) => {
                // Both sides in files, for `diff` by hand.
                let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/chart-cases");
                let _ = std::fs::create_dir_all(&dir);
                let text = |r: &Result<String, String>| match r {
                    Ok(s) | Err(s) => s.clone(),
                };
                let _ = std::fs::write(dir.join(format!("{name}.helm")), text(&expected));
                let _ = std::fs::write(dir.join(format!("{name}.ours")), text(&got));
                failures.push(format!(
                    "=== {name}\n--- helm\n{expected:?}\n--- ours\n{got:?}\n"
                ))
            }
            _ => {}
        }
    }
    assert!(
        failures.is_empty() && fixed.is_empty(),
        "{} of {} chart cases differ from helm:\n{}\nlisted as known failures but now pass: {fixed:?}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
