//! The differential suite: every case rendered by our engine must match the oracle's golden.
//! `DIFF_FILTER=substring` keeps only the cases whose `family/name` contains it.
//!
//! Cases the engine does not match yet are listed in `tests/differential/known-failures.txt`.
//! The list is a ratchet: a failure not on it fails the suite (a regression), and so does a
//! listed case that now passes (the list must shrink with the fix). `DIFF_UPDATE_KNOWN=1`
//! rewrites the list from the current run. The template-engine issue is resolved only when the
//! list is empty.

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
    let known_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("differential")
        .join("known-failures.txt");
    let known: std::collections::BTreeSet<String> = std::fs::read_to_string(&known_path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let mut now_failing = std::collections::BTreeSet::new();
    let mut stale = Vec::new();
    let mut known_failed = 0usize;
    let mut tallies = Vec::new();
    let mut failures = Vec::new();
    let mut known_texts = Vec::new();
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
            let key = format!("{}/{}", family.name, case.name);
            match verdict {
                Ok(()) => {
                    tally.passed += 1;
                    if known.contains(&key) {
                        stale.push(key);
                    }
                }
                Err(why) => {
                    tally.failed += 1;
                    let template = case
                        .template
                        .lines()
                        .map(|l| format!("    | {l}\n"))
                        .collect::<String>();
                    let is_known = known.contains(&key);
                    let text = format!(
                        "{} {place}\n  template:\n{template}{}\n",
                        if is_known { "KNOWN" } else { "FAIL" },
                        why.trim_end()
                    );
                    if is_known {
                        known_failed += 1;
                        known_texts.push(text);
                    } else {
                        failures.push(text);
                    }
                    now_failing.insert(key);
                }
            }
        }
        tallies.push(tally);
    }
    let passed: usize = tallies.iter().map(|t| t.passed).sum();
    let new_failures = failures.len();
    if std::env::var("DIFF_UPDATE_KNOWN").is_ok_and(|v| v == "1") && filter.is_none() {
        let mut text = String::from(
            "# Differential cases whose output does not match helm yet (family/name).\n\
             # Rewritten by `DIFF_UPDATE_KNOWN=1 cargo test -p planton-tests --test differential`.\n",
        );
        for k in &now_failing {
            text.push_str(k);
            text.push('\n');
        }
        if let Err(e) = std::fs::write(&known_path, text) {
            eprintln!("cannot write {}: {e}", known_path.display());
            return ExitCode::FAILURE;
        }
        println!(
            "rewrote {} with {} cases",
            known_path.display(),
            now_failing.len()
        );
        return ExitCode::SUCCESS;
    }
    for k in &stale {
        failures.push(format!(
            "STALE {k}: matches helm now; remove it from tests/differential/known-failures.txt\n"
        ));
    }
    let summary = format!(
        "differential: {passed} match helm, {known_failed} known divergences (known-failures.txt), \
         {new_failures} new failures, {} stale entries",
        stale.len()
    );
    let table = report::table(&tallies);
    let full = format!(
        "{}\n{table}\n{summary}\n\n\
         Known divergences (listed in tests/differential/known-failures.txt):\n\n{}",
        failures.join("\n"),
        known_texts.join("\n")
    );
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
    if failures.is_empty() && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
