//! `planton-helm template` against `helm template` on the chart suite (tests/charts-suite).
//!
//! For the first successful case of every chart in `cases.txt` it prints:
//! - whole-process time of our release CLI and of the oracle helm (median of `RUNS` runs each,
//!   after one warm-up run), and their ratio;
//! - the in-process render time of the same request (`host_runtime::Runtime::render`, median of
//!   `RENDERS` calls on one runtime, excluding process start, chart reading and core loading).
//!
//! `cargo bench -p host-cli --bench template`. Needs helm (env PLANTON_HELM, else
//! ~/.cache/planton-helm/helm-v4.3.1/helm; `scripts/install-helm.sh`). `BENCH_RUNS=N` changes the
//! number of process runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use host_runtime::{
    Capabilities, ChartSource, Config, OfflineHost, ReleaseInfo, RenderOptions, RenderRequest,
    Runtime, SourceFile, ValuesLayer,
};

const RENDERS: usize = 30;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/charts-suite")
}

fn helm() -> PathBuf {
    if let Some(p) = std::env::var_os("PLANTON_HELM") {
        return p.into();
    }
    let cache = std::env::var_os("PLANTON_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/planton-helm")
        });
    cache.join("helm-v4.3.1/helm")
}

struct Case {
    name: String,
    chart: String,
    args: Vec<String>,
}

/// Whitespace-separated words with '...' quoting (enough for cases.txt).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut in_word) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// The first case of each chart whose golden exit code is 0.
fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(suite().join("cases.txt")).expect("cases.txt");
    let mut out: Vec<Case> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let w = words(line);
        let ok = std::fs::read_to_string(suite().join(format!("goldens/{}.exit", w[0])))
            .is_ok_and(|c| c.trim() == "0");
        if !ok || out.iter().any(|c| c.chart == w[1]) {
            continue;
        }
        let mut args = vec![
            "template".to_string(),
            w[2].clone(),
            w[1].clone(),
            "--namespace".into(),
            w[3].clone(),
        ];
        args.extend(w[4..].iter().filter(|a| !a.starts_with("@mask=")).cloned());
        out.push(Case {
            name: w[0].clone(),
            chart: w[1].clone(),
            args,
        });
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_process(bin: &Path, args: &[String], runs: usize) -> Duration {
    let run = || {
        let start = Instant::now();
        let out = Command::new(bin)
            .args(args)
            .current_dir(suite())
            .env("TZ", "UTC")
            .output()
            .expect("run");
        assert!(out.status.success(), "{} {args:?} failed", bin.display());
        start.elapsed()
    };
    run();
    median((0..runs).map(|_| run()).collect())
}

fn files(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(root, &path, out);
        } else {
            out.push(SourceFile {
                path: path
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/"),
                data: std::fs::read(&path).expect("read"),
            });
        }
    }
}

/// The request the CLI would build for `args` (the flags the suite uses).
fn request(args: &[String]) -> RenderRequest {
    let chart_dir = suite().join(&args[2]);
    let mut chart = Vec::new();
    files(&chart_dir, &chart_dir, &mut chart);
    let mut values = Vec::new();
    let (mut set_json, mut set, mut set_string) = (vec![], vec![], vec![]);
    let mut caps = Capabilities {
        kube_version: String::new(),
        api_versions: vec![],
        live: false,
    };
    let mut options = RenderOptions {
        include_crds: false,
        skip_tests: false,
        no_hooks: false,
        show_only: vec![],
    };
    let mut it = args[5..].iter();
    while let Some(flag) = it.next() {
        let mut val = || it.next().expect("flag value").clone();
        match flag.as_str() {
            "-f" | "--values" => {
                let path = val();
                values.push(ValuesLayer::YamlFile(SourceFile {
                    data: std::fs::read(suite().join(&path)).expect("values file"),
                    path,
                }));
            }
            "--set" => set.push(ValuesLayer::Set(val())),
            "--set-string" => set_string.push(ValuesLayer::SetString(val())),
            "--set-json" => set_json.push(ValuesLayer::SetJson(val())),
            "--kube-version" => caps.kube_version = val(),
            "--api-versions" | "-a" => caps.api_versions.push(val()),
            "--show-only" | "-s" => options.show_only.push(val()),
            "--include-crds" => options.include_crds = true,
            "--skip-tests" => options.skip_tests = true,
            "--no-hooks" => options.no_hooks = true,
            other => panic!("the bench does not know flag {other}"),
        }
    }
    values.extend(set_json);
    values.extend(set);
    values.extend(set_string);
    RenderRequest {
        chart: ChartSource::Files(chart),
        values,
        release: ReleaseInfo {
            name: args[1].clone(),
            namespace: args[4].clone(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        },
        capabilities: caps,
        options,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_planton-helm"));
    let helm = helm();
    assert!(
        helm.exists(),
        "helm not found at {}; run scripts/install-helm.sh or set PLANTON_HELM",
        helm.display()
    );
    let runtime = Runtime::new(Config::default()).expect("runtime");
    println!(
        "chart suite: median of {runs} process runs (after 1 warm-up), in-process median of {RENDERS} renders\n"
    );
    println!(
        "| case | output | planton-helm (ms) | helm (ms) | helm / ours | in-process render (ms) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let (mut sum_ours, mut sum_helm, mut sum_render) = (0.0, 0.0, 0.0);
    let all = cases();
    for case in &all {
        let t_ours = time_process(&ours, &case.args, runs);
        let t_helm = time_process(&helm, &case.args, runs);
        let req = request(&case.args);
        let mut size = 0;
        let t_render = median(
            (0..RENDERS)
                .map(|_| {
                    let start = Instant::now();
                    let out = runtime
                        .render(&req, OfflineHost::default().with_seed(1))
                        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
                    let t = start.elapsed();
                    size = out.text.len();
                    t
                })
                .collect(),
        );
        sum_ours += t_ours.as_secs_f64();
        sum_helm += t_helm.as_secs_f64();
        sum_render += t_render.as_secs_f64();
        println!(
            "| {} | {:.1} KB | {} | {} | {:.1}x | {} |",
            case.name,
            size as f64 / 1000.0,
            ms(t_ours),
            ms(t_helm),
            t_helm.as_secs_f64() / t_ours.as_secs_f64(),
            ms(t_render)
        );
    }
    let n = all.len() as f64;
    println!(
        "| mean of {} charts | | {:.1} | {:.1} | {:.1}x | {:.2} |",
        all.len(),
        sum_ours / n * 1000.0,
        sum_helm / n * 1000.0,
        sum_helm / sum_ours,
        sum_render / n * 1000.0
    );
}
