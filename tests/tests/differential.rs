//! The differential suite: every case rendered by our engine must match the oracle's golden.
//! `DIFF_FILTER=substring` keeps only the cases whose `family/name` contains it.

use std::process::ExitCode;

use planton_tests::differential::{
    Observed, compare, engine, golden, golden_path, load_corpus, oracle, report,
};

fn main() -> ExitCode {
    let filter = std::env::var("DIFF_FILTER").ok().filter(|f| !f.is_empty());
    let families = match load_corpus(filter.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("differential: cannot load the corpus: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut tallies = Vec::new();
    let mut failures = Vec::new();
    for family in families.iter().filter(|f| !f.cases.is_empty()) {
        let mut tally = report::Tally {
            family: family.name.clone(),
            ..Default::default()
        };
        let goldens = golden::read(&golden_path(&family.cases_file)).and_then(|g| {
            if g.helm_version == oracle::HELM_VERSION {
                Ok(g)
            } else {
                Err(format!(
                    "goldens come from helm {}, not {}; run scripts/record-goldens",
                    g.helm_version,
                    oracle::HELM_VERSION
                ))
            }
        });
        for case in &family.cases {
            let place = format!(
                "{}/{} ({}.cases:{})",
                family.name, case.name, family.name, case.line
            );
            let expected = match &goldens {
                Ok(g) => g.entries.get(&case.name).ok_or_else(|| {
                    "no golden for this case; run scripts/record-goldens".to_string()
                }),
                Err(e) => Err(e.clone()),
            };
            let verdict = expected.and_then(|expected| {
                let actual = Observed::from_result(case.mode, engine::run(case));
                compare(case, expected, &actual)
            });
            match verdict {
                Ok(()) => tally.passed += 1,
                Err(why) => {
                    tally.failed += 1;
                    let template = case
                        .template
                        .lines()
                        .map(|l| format!("    | {l}\n"))
                        .collect::<String>();
                    failures.push(format!(
                        "FAIL {place}\n  template:\n{template}{}\n",
                        why.trim_end()
                    ));
                }
            }
        }
        tallies.push(tally);
    }
    let passed: usize = tallies.iter().map(|t| t.passed).sum();
    let failed: usize = tallies.iter().map(|t| t.failed).sum();
    let summary = format!("differential: {passed} passed, {failed} failed");
    let table = report::table(&tallies);
    let full = format!("{}\n{table}\n{summary}\n", failures.join("\n"));
    for f in failures.iter().take(report::PRINTED_FAILURES) {
        println!("{f}");
    }
    if failures.len() > report::PRINTED_FAILURES {
        println!(
            "... {} more failures not shown\n",
            failures.len() - report::PRINTED_FAILURES
        );
    }
    print!("{table}");
    match report::write("differential-report.txt", &full) {
        Ok(path) => println!("full report: {}", path.display()),
        Err(e) => println!("cannot write the report: {e}"),
    }
    println!("{summary}");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
