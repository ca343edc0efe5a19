//! Re-runs the oracle over every case and fails when a golden is stale, missing or orphaned, so
//! the goldens provably come from helm v4.3.1 and not from anyone's hand or our engine.
//! `DIFF_FILTER=substring` keeps only the cases whose `family/name` contains it.

use std::process::ExitCode;

use planton_tests::differential::{compare, golden, golden_path, load_corpus, oracle, report};

fn main() -> ExitCode {
    let helm = match oracle::locate() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("goldens_match_oracle: {e}");
            return ExitCode::FAILURE;
        }
    };
    let filter = std::env::var("DIFF_FILTER").ok().filter(|f| !f.is_empty());
    let families = match load_corpus(filter.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("goldens_match_oracle: cannot load the corpus: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cases: Vec<_> = families.iter().flat_map(|f| f.cases.iter()).collect();
    let started = std::time::Instant::now();
    let mut results = oracle::run_all(&helm, &cases).into_iter();
    let mut tallies = Vec::new();
    let mut problems = Vec::new();
    for family in &families {
        let mut tally = report::Tally {
            family: family.name.clone(),
            ..Default::default()
        };
        let goldens = golden::read(&golden_path(&family.cases_file));
        if let Ok(g) = &goldens {
            if g.helm_version != oracle::HELM_VERSION {
                problems.push(format!(
                    "{}: goldens come from helm {}",
                    family.name, g.helm_version
                ));
            }
            // Only a full run can tell that a golden has lost its case.
            if filter.is_none() {
                for name in g.entries.keys() {
                    if !family.cases.iter().any(|c| &c.name == name) {
                        tally.failed += 1;
                        problems.push(format!("{}/{name}: golden without a case", family.name));
                    }
                }
            }
        }
        for case in &family.cases {
            let fresh = results
                .next()
                .unwrap_or_else(|| Err("harness: missing result".to_string()));
            let place = format!(
                "{}/{} ({}.cases:{})",
                family.name, case.name, family.name, case.line
            );
            let verdict = match (&goldens, fresh) {
                (Err(e), _) => Err(e.clone()),
                (_, Err(e)) => Err(format!("oracle run failed: {e}")),
                (Ok(g), Ok(fresh)) => match g.entries.get(&case.name) {
                    None => Err("no golden for this case".to_string()),
                    Some(recorded) => {
                        compare(case, recorded, &fresh).map_err(|d| d.replace("ours", "fresh helm"))
                    }
                },
            };
            match verdict {
                Ok(()) => tally.passed += 1,
                Err(why) => {
                    tally.failed += 1;
                    problems.push(format!("STALE {place}\n{}\n", why.trim_end()));
                }
            }
        }
        tallies.push(tally);
    }
    let fresh: usize = tallies.iter().map(|t| t.passed).sum();
    let stale: usize = tallies.iter().map(|t| t.failed).sum();
    for p in problems.iter().take(report::PRINTED_FAILURES) {
        println!("{p}");
    }
    let table = report::table(&tallies);
    print!("{table}");
    let _ = report::write(
        "goldens-report.txt",
        &format!("{}\n{table}", problems.join("\n")),
    );
    println!(
        "oracle ran {} cases in {:.1}s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    if !problems.is_empty() {
        println!("refresh with scripts/record-goldens after checking why they changed");
    }
    println!("goldens_match_oracle: {fresh} fresh, {stale} stale");
    if problems.is_empty() && fresh > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
