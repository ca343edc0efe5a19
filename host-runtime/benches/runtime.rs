//! Start-up and per-call costs of the core component (`cargo bench -p host-runtime`).
//!
//! Prints a table of medians: the release component's size, `Component::new` (Cranelift)
//! against loading the precompiled artifact, and the overhead of one call (fresh `Store`,
//! instantiate, an empty `validate`, drop) with wasmtime's on-demand and pooling allocators,
//! and a whole render of a one-template chart.
//! `PLANTON_BENCH_RUNS` sets the number of calls per allocator (default 500).
//! `PLANTON_BENCH_COMPONENT=path.wasm` also times compiling and loading another component, to
//! see how the numbers grow with code size.

use std::time::{Duration, Instant};

use host_runtime::{
    CORE_COMPONENT, Capabilities, ChartSource, CompileSource, Config, OfflineHost, Pooling,
    ReleaseInfo, RenderOptions, RenderRequest, Runtime, SourceFile, ValidateRequest,
};

const START_RUNS: usize = 7;

fn main() {
    let calls: usize = std::env::var("PLANTON_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let cache = std::env::temp_dir().join(format!("planton-helm-bench-{}", std::process::id()));

    println!("| measure | median | p90 | runs |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| core component size | {} bytes | | |",
        CORE_COMPONENT.len()
    );

    for (label, pooling) in [
        ("on-demand", None),
        ("pooling", Some(Pooling { max_instances: 16 })),
    ] {
        // Both engines would share one artifact (the allocator does not change compiled code),
        // so each gets its own directory to time its first compile and write.
        let cache = cache.join(label);
        let config = |cache_dir| Config {
            cache_dir,
            pooling,
            ..Config::default()
        };
        let compile = repeat(START_RUNS, || {
            let rt = Runtime::new(config(None)).expect("runtime");
            assert_eq!(rt.compile_source(), CompileSource::Compiled);
            rt.compile_time()
        });
        row(&format!("Component::new, {label} engine"), &compile);

        // The first runtime compiles and writes the artifact; the rest load it.
        let first = Runtime::new(config(Some(cache.clone()))).expect("runtime");
        assert_eq!(first.compile_source(), CompileSource::Compiled);
        let load = repeat(START_RUNS, || {
            let rt = Runtime::new(config(Some(cache.clone()))).expect("runtime");
            assert_eq!(rt.compile_source(), CompileSource::Cache);
            rt.compile_time()
        });
        row(
            &format!("deserialize cached artifact, {label} engine"),
            &load,
        );
        let setup = repeat(START_RUNS, || {
            let started = Instant::now();
            drop(Runtime::new(config(Some(cache.clone()))).expect("runtime"));
            started.elapsed()
        });
        row(&format!("Runtime::new + drop from cache, {label}"), &setup);

        let empty = ValidateRequest {
            documents: Vec::new(),
            policies: Vec::new(),
            disabled: Vec::new(),
        };
        let call = || {
            let started = Instant::now();
            // Whether the core accepts no documents or says why not, the call completed.
            let _ = first.validate(&empty, OfflineHost::default().with_seed(1));
            started.elapsed()
        };
        for _ in 0..20 {
            call();
        }
        let per_call = repeat(calls, call);
        row(
            &format!("per call (Store + instantiate + empty validate), {label}"),
            &per_call,
        );

        let chart = one_template_chart();
        let render = || {
            let started = Instant::now();
            first
                .render(&chart, OfflineHost::default().with_seed(1))
                .expect("render");
            started.elapsed()
        };
        let per_render = repeat(calls, render);
        row(
            &format!("per call, render of a one-template chart, {label}"),
            &per_render,
        );
    }
    let _ = std::fs::remove_dir_all(&cache);
    println!(
        "| smallest memory cap an empty call runs under | {} KiB | | |",
        smallest_cap() >> 10
    );

    if let Some(path) = std::env::var_os("PLANTON_BENCH_COMPONENT") {
        other_component(std::path::Path::new(&path));
    }
}

/// A chart with one ConfigMap template reading `.Release` and `.Values`.
fn one_template_chart() -> RenderRequest {
    let file = |path: &str, data: &str| SourceFile {
        path: path.to_string(),
        data: data.as_bytes().to_vec(),
    };
    RenderRequest {
        chart: ChartSource::Files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: ok\nversion: 0.1.0\n"),
            file("values.yaml", "answer: 42\n"),
            file(
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  answer: {{ .Values.answer | quote }}\n",
            ),
        ]),
        values: Vec::new(),
        release: ReleaseInfo {
            name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        },
        capabilities: Capabilities {
            kube_version: None,
            api_versions: Vec::new(),
            live: false,
        },
        options: RenderOptions {
            include_crds: false,
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
        },
    }
}

/// The guest's memory footprint before it does any work: the least cap (to 64 KiB, one wasm
/// page) under which an empty `validate` still completes.
fn smallest_cap() -> usize {
    let empty = ValidateRequest {
        documents: Vec::new(),
        policies: Vec::new(),
        disabled: Vec::new(),
    };
    let runs_under = |cap: usize| {
        let rt = Runtime::new(Config {
            max_memory: cap,
            cache_dir: None,
            ..Config::default()
        })
        .expect("runtime");
        !matches!(
            rt.validate(&empty, OfflineHost::default()),
            Err(host_runtime::Error::MemoryLimit { .. })
        )
    };
    let (mut low, mut high) = (1usize, 1 << 14);
    while low < high {
        let mid = (low + high) / 2;
        if runs_under(mid << 16) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    low << 16
}

/// Compile and load times of an arbitrary component with the runtime's engine settings.
fn other_component(path: &std::path::Path) {
    let bytes = std::fs::read(path).expect("read PLANTON_BENCH_COMPONENT");
    let mut config = wasmtime::Config::new();
    config.epoch_interruption(true);
    let engine = wasmtime::Engine::new(&config).expect("engine");
    println!("| {} size | {} bytes | | |", path.display(), bytes.len());
    let mut artifact = Vec::new();
    let compile = repeat(START_RUNS, || {
        let started = Instant::now();
        let c = wasmtime::component::Component::new(&engine, &bytes).expect("compile");
        let took = started.elapsed();
        artifact = c.serialize().expect("serialize");
        took
    });
    row("  Component::new", &compile);
    let load = repeat(START_RUNS, || {
        let started = Instant::now();
        // SAFETY: the bytes were produced by `serialize` of this engine just above.
        #[allow(unsafe_code)]
        let c = unsafe { wasmtime::component::Component::deserialize(&engine, &artifact) };
        c.expect("deserialize");
        started.elapsed()
    });
    row("  Component::deserialize", &load);
}

fn repeat(n: usize, mut f: impl FnMut() -> Duration) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..n).map(|_| f()).collect();
    times.sort();
    times
}

fn row(what: &str, sorted: &[Duration]) {
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    println!(
        "| {what} | {} | {} | {} |",
        fmt(at(0.5)),
        fmt(at(0.9)),
        sorted.len()
    );
}

fn fmt(d: Duration) -> String {
    if d >= Duration::from_millis(10) {
        format!("{:.0} ms", d.as_secs_f64() * 1e3)
    } else if d >= Duration::from_millis(1) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.0} µs", d.as_secs_f64() * 1e6)
    }
}
