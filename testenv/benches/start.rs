//! How long a warm start takes (binaries already built): `cargo bench -p testenv`. Starts each
//! configuration a few times in a row, stops it, and prints a table of wall times.

use std::time::{Duration, Instant};

use testenv::{ControlPlane, Options};

const RUNS: usize = 3;

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // Locate (or build) the binaries before timing anything.
    let bin = testenv::binaries_dir().expect("control-plane binaries");
    println!("binaries: {}", bin.display());
    println!(
        "{:<44} {:>8} {:>8} {:>8} {:>8}",
        "configuration", "min s", "median s", "max s", "stop s"
    );
    for (name, options) in [
        ("etcd + kube-apiserver (/readyz)", Options::new()),
        (
            "+ kube-controller-manager (default SA made)",
            Options::new().controller_manager(true),
        ),
    ] {
        let mut starts: Vec<Duration> = Vec::new();
        let mut stops: Vec<Duration> = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let cp = rt
                .block_on(ControlPlane::start_with(options.clone()))
                .expect("control plane starts");
            starts.push(t.elapsed());
            let t = Instant::now();
            drop(cp);
            stops.push(t.elapsed());
        }
        starts.sort();
        stops.sort();
        println!(
            "{:<44} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            name,
            starts[0].as_secs_f64(),
            starts[RUNS / 2].as_secs_f64(),
            starts[RUNS - 1].as_secs_f64(),
            stops[RUNS / 2].as_secs_f64()
        );
    }
}
