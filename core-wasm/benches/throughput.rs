//! Template execution throughput on a large synthetic chart (`core_wasm::bench_support`): the
//! whole native render pipeline (load, values, parse, execute, assemble), no sandbox. Prints a
//! Markdown table; `cargo bench -p core-wasm --bench throughput`. The sandboxed figure for the
//! same chart is in `host-runtime`'s bench.

use std::time::{Duration, Instant};

use core_wasm::bench_support::synthetic_chart;
use core_wasm::funcs::FixedHost;
use core_wasm::render::{
    Capabilities, ChartSource, ReleaseInfo, RenderOptions, RenderRequest, render,
};

fn main() {
    println!(
        "| components | templates | output | median render | p90 | templates/s | output MiB/s |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for components in [10, 50, 200] {
        let request = RenderRequest {
            chart: ChartSource::Files(synthetic_chart(components)),
            values: Vec::new(),
            release: ReleaseInfo {
                name: "bench".into(),
                namespace: "perf".into(),
                revision: 1,
                is_install: true,
                is_upgrade: false,
            },
            capabilities: Capabilities::default(),
            options: RenderOptions::default(),
        };
        let mut bytes = 0;
        let runs = if components >= 200 { 10 } else { 30 };
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let mut host = FixedHost::default();
                let started = Instant::now();
                let out = render(&request, &mut host).expect("the synthetic chart renders");
                let took = started.elapsed();
                bytes = out.text.len();
                took
            })
            .collect();
        times.sort();
        let median = times[times.len() / 2];
        let p90 = times[times.len() * 9 / 10];
        let templates = components * 3;
        println!(
            "| {components} | {templates} | {:.0} KiB | {:.1} ms | {:.1} ms | {:.0} | {:.2} |",
            bytes as f64 / 1024.0,
            median.as_secs_f64() * 1e3,
            p90.as_secs_f64() * 1e3,
            templates as f64 / median.as_secs_f64(),
            bytes as f64 / (1 << 20) as f64 / median.as_secs_f64(),
        );
    }
}
