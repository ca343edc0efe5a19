//! `planton-helm template` against `helm template`, chart by chart, in one run.
//!
//! The charts: the first successful case of every chart of the chart suite (`tests/charts-suite`,
//! `cases.txt`: public-style charts of our own, including ones that mint CAs, certificates and
//! signing keys as public charts do), then three probes written to a temporary directory: a
//! one-template chart (the process floor), `genPrivateKey "rsa"` and `genCA` alone.
//!
//! For each it prints the whole-process time of our release CLI and of the oracle helm (median
//! of `BENCH_RUNS` runs each after one warm-up, the two run in turn so that both see the same
//! machine), their ratio, and the in-process render time of the same request
//! (`host_runtime::Runtime::render` on one runtime, median of `RENDERS` calls: no process start,
//! no chart reading, no core loading) with helm's process time over it. Then the totals: the
//! ratio of the summed medians, the median and the least of the per-chart ratios, and how many
//! charts were slower than helm.
//!
//! Last, where the whole process's time goes for the one-template probe and a typical chart:
//! process start and exit, loading the core's artifact, instantiating it, reading the chart, the
//! render in the guest, and what remains (writing the output, threads, exit).
//!
//! `cargo bench --workspace --bench template`. Needs helm (env PLANTON_HELM, else
//! ~/.cache/planton-helm/helm-v4.3.1/helm; `scripts/install-helm.sh`). `BENCH_RUNS=N` changes the
//! number of process runs (key-generation cases get three times as many: Go's prime search makes
//! helm's time vary by 4x from run to run); `BENCH_FILTER=WORD` keeps the cases whose name
//! contains WORD.

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
    /// Directory the chart path in `args[2]` is relative to.
    dir: PathBuf,
    /// Mints RSA keys: more runs, since helm's time varies widely.
    keys: bool,
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
        if !ok || w[2] == "-" || out.iter().any(|c| c.chart == w[1]) {
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
        let keys = chart_mints_rsa_keys(&suite().join(&w[1]));
        out.push(Case {
            name: w[0].clone(),
            chart: w[1].clone(),
            args,
            dir: suite(),
            keys,
        });
    }
    out
}

/// Whether a chart's templates call a Sprig function that makes an RSA key.
fn chart_mints_rsa_keys(dir: &Path) -> bool {
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.iter().any(|f| {
        let text = String::from_utf8_lossy(&f.data);
        [
            "genPrivateKey",
            "genCA ",
            "genSelfSignedCert ",
            "genSignedCert ",
        ]
        .iter()
        .any(|call| text.contains(call))
    })
}

/// The probes: tiny charts of one template each, written under `dir`.
fn probes(dir: &Path) -> Vec<Case> {
    let probes = [
        (
            "probe-one-template",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: b\n",
            false,
        ),
        (
            "probe-genprivatekey-rsa",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n  key: {{ genPrivateKey \"rsa\" | quote }}\n",
            true,
        ),
        (
            "probe-genca",
            "{{- $ca := genCA \"probe-ca\" 365 }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n  ca.crt: {{ $ca.Cert | quote }}\n  ca.key: {{ $ca.Key | quote }}\n",
            true,
        ),
    ];
    probes
        .into_iter()
        .map(|(name, template, keys)| {
            let chart = dir.join(name);
            std::fs::create_dir_all(chart.join("templates")).expect("probe dir");
            std::fs::write(
                chart.join("Chart.yaml"),
                format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
            )
            .expect("probe Chart.yaml");
            std::fs::write(chart.join("templates/t.yaml"), template).expect("probe template");
            Case {
                name: name.to_string(),
                chart: name.to_string(),
                args: ["template", "probe", name, "--namespace", "default"]
                    .map(String::from)
                    .to_vec(),
                dir: dir.to_path_buf(),
                keys,
            }
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One run of `bin args` from `dir`: its wall time.
fn run_once(bin: &Path, args: &[String], dir: &Path) -> Duration {
    let start = Instant::now();
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("TZ", "UTC")
        .output()
        .expect("run");
    let t = start.elapsed();
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        bin.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    t
}

/// Medians of `runs` runs of ours and of helm, taken in turn (ours, helm, ours, ...) after one
/// warm-up each, so that a change in the machine's load hits both alike.
fn time_pair(ours: &Path, helm: &Path, case: &Case, runs: usize) -> (Duration, Duration) {
    run_once(ours, &case.args, &case.dir);
    run_once(helm, &case.args, &case.dir);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        a.push(run_once(ours, &case.args, &case.dir));
        b.push(run_once(helm, &case.args, &case.dir));
    }
    (median(a), median(b))
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, out);
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
fn request(case: &Case) -> RenderRequest {
    let args = &case.args;
    let chart_dir = case.dir.join(&args[2]);
    let mut chart = Vec::new();
    collect(&chart_dir, &chart_dir, &mut chart);
    let mut values = Vec::new();
    let (mut set_json, mut set, mut set_string) = (vec![], vec![], vec![]);
    let mut caps = Capabilities {
        kube_version: None,
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
                    data: std::fs::read(case.dir.join(&path)).expect("values file"),
                    path,
                }));
            }
            "--set" => set.push(ValuesLayer::Set(val())),
            "--set-string" => set_string.push(ValuesLayer::SetString(val())),
            "--set-json" => set_json.push(ValuesLayer::SetJson(val())),
            "--kube-version" => caps.kube_version = Some(val()),
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

fn median_f64(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let filter = std::env::var("BENCH_FILTER").unwrap_or_default();
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_planton-helm"));
    let helm = helm();
    assert!(
        helm.exists(),
        "helm not found at {}; run scripts/install-helm.sh or set PLANTON_HELM",
        helm.display()
    );
    let probe_dir =
        std::env::temp_dir().join(format!("planton-helm-probes-{}", std::process::id()));
    let mut all = cases();
    all.extend(probes(&probe_dir));
    all.retain(|c| c.name.contains(&filter));
    let runtime = Runtime::new(Config::default()).expect("runtime");
    println!(
        "{} charts: median of {runs} process runs each (x3 for charts that make RSA keys), after 1 warm-up; in-process median of {RENDERS} renders\n",
        all.len()
    );
    println!(
        "| case | output | planton-helm (ms) | helm (ms) | helm / ours | in-process render (ms) | helm / in-process |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let (mut sum_ours, mut sum_helm, mut sum_render) = (0.0, 0.0, 0.0);
    let (mut ratios, mut in_process_ratios) = (Vec::new(), Vec::new());
    for case in &all {
        let n = if case.keys { runs * 3 } else { runs };
        let (t_ours, t_helm) = time_pair(&ours, &helm, case, n);
        let req = request(case);
        let mut size = 0;
        let renders = if case.keys { RENDERS / 3 } else { RENDERS };
        let t_render = median(
            (0..renders)
                .map(|_| {
                    let start = Instant::now();
                    let out = runtime
                        .render(&req, OfflineHost::default())
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
        let ratio = t_helm.as_secs_f64() / t_ours.as_secs_f64();
        let in_process = t_helm.as_secs_f64() / t_render.as_secs_f64();
        ratios.push(ratio);
        in_process_ratios.push(in_process);
        println!(
            "| {} | {:.1} KB | {} | {} | {:.1}x | {} | {:.0}x |",
            case.name,
            size as f64 / 1000.0,
            ms(t_ours),
            ms(t_helm),
            ratio,
            ms(t_render),
            in_process
        );
    }
    let n = all.len() as f64;
    println!(
        "| total of {} charts | | {:.1} | {:.1} | {:.1}x | {:.1} | {:.0}x |",
        all.len(),
        sum_ours * 1000.0,
        sum_helm * 1000.0,
        sum_helm / sum_ours,
        sum_render * 1000.0,
        sum_helm / sum_render
    );
    println!(
        "| mean per chart | | {:.1} | {:.1} | | {:.2} | |",
        sum_ours / n * 1000.0,
        sum_helm / n * 1000.0,
        sum_render / n * 1000.0
    );
    let slower = ratios.iter().filter(|r| **r < 1.0).count();
    let least = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "\nhelm / ours: total {:.2}x, median {:.2}x, least {:.2}x; {slower} of {} charts slower than helm; helm / in-process: median {:.0}x, least {:.0}x",
        sum_helm / sum_ours,
        median_f64(ratios.clone()),
        least,
        all.len(),
        median_f64(in_process_ratios.clone()),
        in_process_ratios
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
    );
    for case in all
        .iter()
        .filter(|c| c.name == "probe-one-template" || c.name == "webapp-default")
    {
        breakdown(&ours, case, runs.max(15));
    }
    let _ = std::fs::remove_dir_all(&probe_dir);
}

/// Where one whole-process render of `case` goes, each part the median of `runs`: process start
/// and exit (`planton-helm --version`: exec, loading the binary, parsing arguments); loading the
/// core (`Runtime::new` as the CLI configures it, the artifact mapped); instantiating it (the
/// first call on a fresh runtime that does nothing: a one-word `--name-template`); reading the
/// chart from disk; the render in the guest (the first render on a fresh runtime, less the
/// empty call); and the rest of the whole process (writing the output, threads, exit).
fn breakdown(ours: &Path, case: &Case, runs: usize) {
    let config = Config {
        map_artifact: true,
        ..Config::default()
    };
    let timed = |f: &mut dyn FnMut() -> Duration| median((0..runs).map(|_| f()).collect());
    let version = ["--version".to_string()];
    let whole = timed(&mut || run_once(ours, &case.args, &case.dir));
    let start = timed(&mut || run_once(ours, &version, &case.dir));
    let load = timed(&mut || {
        let t = Instant::now();
        let runtime = Runtime::new(config.clone()).expect("runtime");
        let t = t.elapsed();
        drop(runtime);
        t
    });
    let fresh_call = |f: &dyn Fn(&Runtime)| {
        let runtime = Runtime::new(config.clone()).expect("runtime");
        let t = Instant::now();
        f(&runtime);
        t.elapsed()
    };
    let instantiate = timed(&mut || {
        fresh_call(&|r| {
            r.template_name("x", OfflineHost::default()).expect("name");
        })
    });
    let read = timed(&mut || {
        let t = Instant::now();
        std::hint::black_box(request(case));
        t.elapsed()
    });
    let req = request(case);
    let first_render = timed(&mut || {
        fresh_call(&|r| {
            r.render(&req, OfflineHost::default()).expect("render");
        })
    });
    let guest = first_render.saturating_sub(instantiate);
    let parts = start + load + instantiate + read + guest;
    println!(
        "\nWhere the whole process goes, {} (median of {runs} each):\n",
        case.name
    );
    println!("| part | ms |\n| --- | ---: |");
    for (part, t) in [
        ("process start and exit (`--version`)", start),
        ("load the core (mapped artifact)", load),
        (
            "instantiate (an empty call on a fresh runtime)",
            instantiate,
        ),
        ("read the chart", read),
        (
            "render in the guest (first render, less the empty call)",
            guest,
        ),
        ("rest (output, threads, exit)", whole.saturating_sub(parts)),
        ("whole process", whole),
    ] {
        println!("| {part} | {} |", ms(t));
    }
}
