//! Every Sprig, Helm and text/template function has differential cases, and the 60 most used
//! functions have edge cases (nil, a missing key, float64, "", lists, maps).
//!
//! The lists come from `tests/differential/functions.txt` (a copy of HELM-COMPAT's frequency
//! list, Sprig's function map as Helm exposes it, Helm's functions and Go's built-ins). A case
//! "uses" a function when its name appears as a bare identifier inside an action of the case's
//! template or extra files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use planton_tests::differential::load_corpus;

/// How many of the most used functions need edge cases.
const TOP: usize = 60;

/// The family whose cases `<function>-<variant>` are the edge cases.
const EDGE_FAMILY: &str = "edge/top-functions";

struct Lists {
    sections: BTreeMap<String, Vec<String>>,
}

impl Lists {
    fn load() -> Lists {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("differential/functions.txt");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut current = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = Some(name.to_string());
                sections.entry(name.to_string()).or_default();
                continue;
            }
            let Some(section) = &current else {
                panic!(
                    "{}:{}: text before the first [section]",
                    path.display(),
                    n + 1
                );
            };
            sections.get_mut(section).unwrap().push(line.to_string());
        }
        Lists { sections }
    }

    fn words(&self, section: &str) -> Vec<String> {
        self.sections
            .get(section)
            .unwrap_or_else(|| panic!("functions.txt has no [{section}] section"))
            .iter()
            .flat_map(|l| l.split_whitespace().map(str::to_string))
            .collect()
    }

    /// Every function that needs a case: Sprig's, Helm's and the built-ins.
    fn functions(&self) -> BTreeSet<String> {
        ["sprig", "helm", "builtin"]
            .iter()
            .flat_map(|s| self.words(s))
            .collect()
    }

    /// The frequency list's function names, most used first, actions left out.
    fn by_frequency(&self) -> Vec<String> {
        let actions: BTreeSet<String> = self.words("actions").into_iter().collect();
        let text = self.sections["frequency"].join(" ");
        text.split(',')
            .filter_map(|entry| {
                let mut parts = entry.split_whitespace();
                let name = parts.next()?;
                let count = parts.next()?;
                assert!(
                    count.starts_with(|c: char| c.is_ascii_digit()),
                    "functions.txt [frequency]: `{entry}` is not `name count`"
                );
                Some(name.to_string())
            })
            .filter(|n| !actions.contains(n))
            .collect()
    }

    /// The edge-case variant groups: each is a list of acceptable case-name suffixes.
    fn variant_groups(&self) -> Vec<Vec<String>> {
        self.sections["edge-variants"]
            .iter()
            .map(|l| l.split_whitespace().map(str::to_string).collect())
            .collect()
    }
}

/// Bare identifiers inside the `{{ }}` actions of `text`: function names, keywords, `true`...
/// Fields (`.x`), variables (`$x`), strings, characters and comments are skipped.
fn identifiers(text: &str, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let action = &rest[start + 2..];
        let b = action.as_bytes();
        let mut i = 0;
        let mut prev = b' ';
        while i < b.len() {
            let c = b[i];
            if action[i..].starts_with("}}") {
                i += 2;
                break;
            }
            if action[i..].starts_with("/*") {
                i += action[i..].find("*/").map_or(b.len() - i, |e| e + 2);
                prev = b' ';
                continue;
            }
            if c == b'"' || c == b'\'' || c == b'`' {
                i += 1;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' && c != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                prev = b'"';
                continue;
            }
            if c.is_ascii_alphabetic() || c == b'_' {
                let len = action[i..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(b.len() - i);
                if !(prev == b'.' || prev == b'$' || prev.is_ascii_alphanumeric() || prev == b'_') {
                    out.insert(action[i..i + len].to_string());
                }
                i += len;
                prev = b'a';
                continue;
            }
            prev = c;
            i += 1;
        }
        rest = &action[i.min(action.len())..];
    }
}

/// For each identifier, the cases (`family/name`) that use it; and the case names per family.
fn corpus_usage() -> (
    BTreeMap<String, Vec<String>>,
    BTreeMap<String, BTreeSet<String>>,
) {
    let families = load_corpus(None).expect("the differential corpus loads");
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for family in &families {
        for case in &family.cases {
            let mut ids = BTreeSet::new();
            identifiers(&case.template, &mut ids);
            for (_, content) in &case.files {
                identifiers(content, &mut ids);
            }
            for id in ids {
                used.entry(id)
                    .or_default()
                    .push(format!("{}/{}", family.name, case.name));
            }
            names
                .entry(family.name.clone())
                .or_default()
                .insert(case.name.clone());
        }
    }
    (used, names)
}

#[test]
fn identifiers_are_found_in_actions_only() {
    let mut ids = BTreeSet::new();
    identifiers(
        r#"quote x {{ quote .Values.a | default "trim" }}{{/* upper */}}{{ $v := 'a' }}{{- nindent 2 $x.y -}}"#,
        &mut ids,
    );
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(ids, ["default", "nindent", "quote"]);
}

#[test]
fn every_function_has_a_case() {
    let lists = Lists::load();
    let (used, _) = corpus_usage();
    let missing: Vec<String> = lists
        .functions()
        .into_iter()
        .filter(|f| !used.contains_key(f))
        .collect();
    assert!(
        missing.is_empty(),
        "these functions have no differential case; add cases under tests/differential/ and \
         record them with scripts/record-goldens: {missing:?}"
    );
}

#[test]
fn the_frequency_list_names_known_functions() {
    let lists = Lists::load();
    let all = lists.functions();
    let freq = lists.by_frequency();
    assert!(
        freq.len() >= TOP,
        "the frequency list has fewer than {TOP} functions"
    );
    let unknown: Vec<&String> = freq.iter().filter(|f| !all.contains(*f)).collect();
    assert!(
        unknown.is_empty(),
        "tests/differential/functions.txt: frequency-list names missing from [sprig], [helm] or \
         [builtin]: {unknown:?}"
    );
}

#[test]
fn the_engine_has_no_function_outside_the_lists() {
    let lists = Lists::load();
    let all = lists.functions();
    let map = core_wasm::funcs::FuncMap::helm();
    let mut extra: Vec<&str> = map.names().filter(|n| !all.contains(*n)).collect();
    extra.sort_unstable();
    assert!(
        extra.is_empty(),
        "the engine defines functions Helm does not list; add them to \
         tests/differential/functions.txt with cases, or remove them: {extra:?}"
    );
}

#[test]
fn the_most_used_functions_have_edge_cases() {
    let lists = Lists::load();
    let (_, names) = corpus_usage();
    let edge = names
        .get(EDGE_FAMILY)
        .unwrap_or_else(|| panic!("no {EDGE_FAMILY}.cases"));
    let mut missing = Vec::new();
    for f in lists.by_frequency().iter().take(TOP) {
        for group in lists.variant_groups() {
            if !group.iter().any(|v| edge.contains(&format!("{f}-{v}"))) {
                missing.push(format!("{f}-{}", group.join("|")));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{EDGE_FAMILY}.cases lacks these edge cases (function-variant); add them and record \
         their goldens with scripts/record-goldens {EDGE_FAMILY}: {missing:?}"
    );
}
