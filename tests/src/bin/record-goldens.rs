//! Records the goldens: runs the oracle (helm v4.3.1) over each cases file and writes its
//! `.golden` next to it. Arguments are substrings; only families whose name contains one of them
//! are recorded (all when none are given). Goldens are only ever written from helm's output.

use std::process::ExitCode;

use planton_tests::differential::{golden, golden_path, load_corpus, oracle};

fn main() -> ExitCode {
    let patterns: Vec<String> = std::env::args().skip(1).collect();
    let helm = match oracle::locate() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("record-goldens: {e}");
            return ExitCode::FAILURE;
        }
    };
    let families = match load_corpus(None) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("record-goldens: {e}");
            return ExitCode::FAILURE;
        }
    };
    let families: Vec<_> = families
        .into_iter()
        .filter(|f| patterns.is_empty() || patterns.iter().any(|p| f.name.contains(p.as_str())))
        .collect();
    let cases: Vec<_> = families.iter().flat_map(|f| f.cases.iter()).collect();
    let started = std::time::Instant::now();
    let mut results = oracle::run_all(&helm, &cases).into_iter();
    let mut failed = false;
    for family in &families {
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        let (mut ok, mut err) = (0, 0);
        for case in &family.cases {
            match results.next() {
                Some(Ok(obs)) => {
                    if matches!(obs, planton_tests::differential::Observed::Error(_)) {
                        err += 1;
                    } else {
                        ok += 1;
                    }
                    entries.push((case.name.clone(), obs));
                }
                Some(Err(e)) => errors.push(e),
                None => errors.push(format!("case {}: not run", case.name)),
            }
        }
        if !errors.is_empty() {
            failed = true;
            for e in &errors {
                eprintln!("record-goldens: {}: {e}", family.name);
            }
            eprintln!("record-goldens: {}: not written", family.name);
            continue;
        }
        let path = golden_path(&family.cases_file);
        let text = golden::render(&family.name, oracle::HELM_VERSION, &entries);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("record-goldens: {}: {e}", path.display());
            failed = true;
            continue;
        }
        println!(
            "{:<28} {:>4} cases ({ok} rendered, {err} errors)",
            family.name,
            entries.len()
        );
    }
    println!(
        "recorded {} cases in {:.1}s with {}",
        cases.len(),
        started.elapsed().as_secs_f64(),
        helm.display()
    );
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
