//! Validation tests. The per-rule tables live next to the rules, in `policies/tests/CODE.yaml`:
//! adding a rule means adding its file of passing and failing specs, and this test checks that
//! every rule of the pack has one.

use std::path::PathBuf;

use serde_json::{Value as Json, json};

use super::*;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies/tests")
}

/// A valid spec that every case changes one way or another.
fn base_spec() -> Json {
    json!({
        "repo": "oci://ghcr.io/stefanprodan/charts",
        "name": "podinfo",
        "version": "6.7.1",
        "values": {"replicaCount": 2, "image": {"repository": "ghcr.io/stefanprodan/podinfo", "tag": "6.7.1"}},
        "atomic": true,
        "wait": true,
        "timeout": "5m"
    })
}

/// The document for a case: the base spec with the case's fields set (null removes a field),
/// or the case's own `document:` verbatim.
fn document(case: &Json) -> String {
    if let Some(doc) = case.get("document").and_then(Json::as_str) {
        return doc.to_string();
    }
    let mut spec = base_spec();
    let mut metadata = json!({"name": "podinfo", "namespace": "apps"});
    for (k, v) in case.as_object().expect("a case is a mapping") {
        if k == "expect_path" {
            continue;
        }
        if k == "metadata" {
            metadata = v.clone();
            continue;
        }
        let s = spec.as_object_mut().expect("the base spec is a mapping");
        if v.is_null() {
            s.remove(k);
        } else {
            s.insert(k.clone(), v.clone());
        }
    }
    let doc = json!({
        "apiVersion": "kubernetes.project-planton.org/v1",
        "kind": "HelmRelease",
        "metadata": metadata,
        "spec": spec,
    });
    serde_json::to_string_pretty(&doc).expect("JSON")
}

fn run(doc: &str) -> Vec<Diagnostic> {
    validate(&Request {
        documents: vec![Input {
            path: "case.yaml".to_string(),
            data: doc.as_bytes().to_vec(),
        }],
        ..Request::default()
    })
    .expect("the built-in pack loads")
}

fn codes(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn the_base_spec_is_clean() {
    let diags = run(&document(&json!({})));
    assert_eq!(diags, Vec::new());
}

#[test]
fn every_rule_has_a_table_of_passing_and_failing_specs() {
    let rules = rules(&[], &[]).expect("the built-in pack loads");
    let mut checked = 0;
    for rule in rules.iter().filter(|r| r.code != "PH003") {
        let file = cases_dir().join(format!("{}.yaml", rule.code));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!("rule {} has no cases in {}: {e}", rule.code, file.display())
        });
        let table = crate::yaml::parse(&text)
            .and_then(|v| source::to_json(&v, 0))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let pass = table["pass"].as_array().map_or(&[][..], Vec::as_slice);
        let fail = table["fail"].as_array().map_or(&[][..], Vec::as_slice);
        assert!(
            !fail.is_empty() && (!pass.is_empty() || rule.source == "core"),
            "{}: a table needs passing and failing cases",
            file.display()
        );
        for case in pass {
            let diags = run(&document(case));
            assert!(
                !codes(&diags).contains(&rule.code.as_str()),
                "{}: {case} should pass {} but gave {diags:#?}",
                file.display(),
                rule.code
            );
            checked += 1;
        }
        for case in fail {
            let diags = run(&document(case));
            let hit = diags
                .iter()
                .find(|d| d.code == rule.code)
                .unwrap_or_else(|| {
                    panic!(
                        "{}: {case} should fail {} but gave {diags:#?}",
                        file.display(),
                        rule.code
                    )
                });
            assert_eq!(hit.severity, rule.severity, "{}: {case}", file.display());
            assert!(
                hit.line.is_some() && hit.column.is_some(),
                "{hit:?} has no place"
            );
            assert!(!hit.message.is_empty(), "{hit:?}");
            assert!(
                hit.hint.as_deref().is_some_and(|h| !h.is_empty()),
                "{}: {hit:?} has no hint",
                file.display()
            );
            if let Some(path) = case.get("expect_path").and_then(Json::as_str) {
                assert_eq!(
                    hit.path.as_deref().unwrap_or_default(),
                    path,
                    "{}: {case}",
                    file.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} cases");
}

#[test]
fn diagnostics_name_file_line_column_and_path() {
    let doc = "# a comment\n---\napiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  repo: http://charts.example.com\n  name: web\n  version: ^1.2.0\n  values:\n    image:\n      repository: nginx\n      tag: latest\n";
    let diags = run(doc);
    let summary: Vec<(String, Option<u32>, Option<u32>, String)> = diags
        .iter()
        .map(|d| {
            (
                d.code.clone(),
                d.line,
                d.column,
                d.path.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("PH020".into(), Some(8), Some(3), "spec.repo".into()),
            ("PH010".into(), Some(10), Some(3), "spec.version".into()),
            (
                "PH050".into(),
                Some(14),
                Some(7),
                "spec.values.image.tag".into()
            ),
        ]
    );
    assert!(diags.iter().all(|d| d.file.as_deref() == Some("case.yaml")));
    assert_eq!(diags[2].severity, Severity::Warning);
}

#[test]
fn an_interval_of_zero_is_an_error_at_its_line_and_column() {
    let doc = "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  repo: https://charts.example.com\n  name: web\n  version: 1.2.0\n  interval: 0s\n";
    let diags = run(doc);
    let summary: Vec<(&str, Option<u32>, Option<u32>, &str)> = diags
        .iter()
        .map(|d| {
            (
                d.code.as_str(),
                d.line,
                d.column,
                d.path.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(summary, [("PH065", Some(9), Some(3), "spec.interval")]);
    assert_eq!(diags[0].severity, Severity::Error);
    assert_eq!(diags[0].message, "interval \"0s\" is shorter than 1s");
}

#[test]
fn every_document_of_a_file_is_checked_and_other_kinds_are_skipped() {
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {name: a}\nspec: {repo: 'https://c.example.com', name: a, version: 1.0.0}\n---\napiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {name: b}\nspec: {repo: 'https://c.example.com', name: b, version: latest}\n";
    let diags = run(doc);
    assert_eq!(codes(&diags), ["PH010"]);
    assert_eq!(diags[0].line, Some(13));
}

#[test]
fn a_file_without_helmreleases_is_a_warning() {
    let diags = run("apiVersion: v1\nkind: ConfigMap\n");
    assert_eq!(codes(&diags), ["PH004"]);
    assert_eq!(diags[0].severity, Severity::Warning);
}

#[test]
fn project_planton_manifests_are_checked_under_their_own_names() {
    let doc = "apiVersion: kubernetes.project-planton.org/v1\nkind: KubernetesHelmRelease\nmetadata:\n  name: web\n  org: acme\nspec:\n  namespace:\n    value: apps\n  create_namespace: true\n  repo: https://charts.example.com\n  name: web\n  version: 1.2.3\n  values:\n    image.tag: latest\n    greeting: '{{ .Release.Name }}'\n";
    let diags = run(doc);
    assert_eq!(codes(&diags), ["PH040"]);
    assert_eq!(diags[0].path.as_deref(), Some("spec.values.greeting"));
    assert_eq!(diags[0].line, Some(15));
}

/// A Project Planton manifest as its published examples write it (kind HelmRelease,
/// snake_case fields), with `kind`, `version`, `repo`, extra spec lines and a values block.
fn planton_doc(kind: &str, repo: &str, version: &str, extra: &str, values: &str) -> String {
    format!(
        "apiVersion: kubernetes.project-planton.org/v1\nkind: {kind}\nmetadata:\n  name: blog\nspec:\n  target_cluster:\n    cluster_name: my-cluster\n  namespace:\n    value: blog\n  create_namespace: true\n  repo: {repo}\n  name: wordpress\n  version: {version}\n  values:\n{values}{extra}"
    )
}

#[test]
fn project_planton_manifests_in_both_value_styles() {
    const REPO: &str = "https://charts.example.com/stable";
    const FLAT: &str =
        "    wordpressUsername: admin\n    replicaCount: \"2\"\n    service.type: ClusterIP\n";
    const NESTED: &str = "    wordpressUsername: \"admin\"\n    ingress:\n      hostname: \"blog.example.com\"\n      pathType: \"Prefix\"\n    resources:\n      requests: {memory: \"256Mi\"}\n    hosts:\n      - \"blog.example.com\"\n";
    // (kind, repo, version, extra spec lines, values) -> [(code, line, column, path)]
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a [(&'a str, u32, u32, &'a str)],
    );
    let cases: &[Case<'_>] = &[
        // Valid, both styles and both kinds.
        ("HelmRelease", REPO, "19.0.0", "", FLAT, &[]),
        ("HelmRelease", REPO, "19.0.0", "", NESTED, &[]),
        ("KubernetesHelmRelease", REPO, "19.0.0", "", NESTED, &[]),
        (
            "HelmRelease",
            "oci://ghcr.io/example/charts",
            "1.5.0",
            "",
            NESTED,
            &[],
        ),
        // Leaves are passed as written: a non-string leaf is fine too.
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "",
            "    replicaCount: 2\n    persistence: {enabled: false}\n",
            &[],
        ),
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "  atomic: true\n  timeout: 10m\n",
            FLAT,
            &[],
        ),
        // Valid, with warnings.
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "",
            "    ingress:\n      enabled: \"true\"\n    autoscaling:\n      enabled: \"false\"\n",
            &[
                ("PH051", 16, 7, "spec.values.ingress.enabled"),
                ("PH051", 18, 7, "spec.values.autoscaling.enabled"),
            ],
        ),
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "",
            "    debug.enabled: \"false\"\n",
            &[("PH051", 15, 5, "spec.values[\"debug.enabled\"]")],
        ),
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "",
            "    auth:\n      enabled: true\n      password: \"super-secret-password\"\n",
            &[("PH052", 17, 7, "spec.values.auth.password")],
        ),
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "",
            "    auth.password: \"changeme\"\n",
            &[("PH052", 15, 5, "spec.values[\"auth.password\"]")],
        ),
        // Invalid: version, repo, template strings at depth, in both styles.
        (
            "HelmRelease",
            REPO,
            "^19.0",
            "",
            FLAT,
            &[("PH010", 13, 3, "spec.version")],
        ),
        (
            "HelmRelease",
            REPO,
            "v19.0.0",
            "",
            NESTED,
            &[("PH011", 13, 3, "spec.version")],
        ),
        (
            "HelmRelease",
            REPO,
            "latest",
            "",
            NESTED,
            &[("PH010", 13, 3, "spec.version")],
        ),
        (
            "HelmRelease",
            "http://charts.example.com",
            "19.0.0",
            "",
            FLAT,
            &[("PH020", 11, 3, "spec.repo")],
        ),
        (
            "KubernetesHelmRelease",
            "charts.example.com",
            "19.0.0",
            "",
            NESTED,
            &[("PH021", 11, 3, "spec.repo")],
        ),
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "",
            "    ingress:\n      hostname: \"{{ .Release.Name }}.example.com\"\n      tls:\n        - hosts: [\"{{ .Values.host }}\"]\n",
            &[
                ("PH040", 16, 7, "spec.values.ingress.hostname"),
                ("PH040", 18, 19, "spec.values.ingress.tls[0].hosts[0]"),
            ],
        ),
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "",
            "    ingress.hostname: \"{{ .Release.Name }}\"\n",
            &[("PH040", 15, 5, "spec.values[\"ingress.hostname\"]")],
        ),
        // Fields of one meaning given twice, and a namespace only Planton can resolve.
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "  createNamespace: false\n",
            FLAT,
            &[("PH002", 10, 3, "spec.create_namespace")],
        ),
        (
            "HelmRelease",
            REPO,
            "19.0.0",
            "  targetNamespace: other\n",
            FLAT,
            &[("PH002", 8, 3, "spec.namespace")],
        ),
    ];
    for (kind, repo, version, extra, values, want) in cases {
        let doc = planton_doc(kind, repo, version, extra, values);
        let diags = run(&doc);
        let got: Vec<(&str, u32, u32, &str)> = diags
            .iter()
            .map(|d| {
                (
                    d.code.as_str(),
                    d.line.unwrap_or_default(),
                    d.column.unwrap_or_default(),
                    d.path.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(&got, want, "{doc}\n{diags:#?}");
        for d in &diags {
            assert_eq!(d.file.as_deref(), Some("case.yaml"));
            assert!(d.hint.as_deref().is_some_and(|h| !h.is_empty()), "{d:?}");
        }
    }

    // The conflict names both spellings; the secret's value appears nowhere.
    let diags = run(&planton_doc(
        "HelmRelease",
        REPO,
        "19.0.0",
        "  createNamespace: true\n",
        FLAT,
    ));
    assert!(
        diags[0].message.contains("spec.createNamespace")
            && diags[0].message.contains("spec.create_namespace"),
        "{diags:?}"
    );
    let diags = run(&planton_doc(
        "HelmRelease",
        REPO,
        "19.0.0",
        "",
        "    auth:\n      password: \"super-secret-password\"\n",
    ));
    assert!(!format!("{diags:?}").contains("super-secret"), "{diags:?}");

    // namespace.value_from is an error that says why, at its place.
    let diags = run(
        &planton_doc("HelmRelease", REPO, "19.0.0", "", FLAT).replace(
            "    value: blog\n",
            "    value_from:\n      kind: KubernetesNamespace\n      name: blog\n",
        ),
    );
    assert_eq!(codes(&diags), ["PH070"], "{diags:?}");
    assert_eq!((diags[0].line, diags[0].column), (Some(9), Some(5)));
    assert!(
        diags[0]
            .message
            .contains("not resolvable outside Project Planton")
    );
}

#[test]
fn schema_errors_say_what_to_do() {
    let diags = run(&document(&json!({"verison": "1.2.3", "version": null})));
    let msgs: Vec<(String, String)> = diags
        .iter()
        .map(|d| (d.message.clone(), d.hint.clone().unwrap_or_default()))
        .collect();
    assert_eq!(codes(&diags), ["PH002", "PH002"], "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|(m, h)| m.contains("`version` is required") && h.contains("add `version:`"))
    );
    assert!(msgs.iter().any(
        |(m, h)| m.contains("unknown field `verison`") && h.contains("did you mean `version`")
    ));

    let diags = run(
        "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {name: a}\nspec:\n  repo: https://c.example.com\n  name: a\n  version: 1.10\n",
    );
    assert_eq!(codes(&diags), ["PH002"]);
    assert_eq!(diags[0].line, Some(7));
    assert!(diags[0].message.contains("must be a string"), "{diags:?}");
    assert!(
        diags[0]
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("quote it"),
        "{diags:?}"
    );
}

#[test]
fn malformed_inputs_are_clear_errors() {
    let cases: &[(&str, &str, Option<u32>)] = &[
        (
            "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nspec:\n  repo: [a, b\n  name: x\n",
            "invalid YAML",
            Some(5),
        ),
        ("a: b\n---\nkey: 'unterminated\n", "invalid YAML", Some(4)),
        ("\tspec: 1\n", "invalid YAML", Some(1)),
        (
            "apiVersion: kubernetes.project-planton.org/v2\nkind: HelmRelease\nspec: {}\n",
            "not a served version",
            Some(1),
        ),
    ];
    for (doc, want, line) in cases {
        let diags = run(doc);
        assert_eq!(codes(&diags), ["PH001"], "{doc:?}: {diags:?}");
        assert!(diags[0].message.contains(want), "{doc:?}: {diags:?}");
        assert_eq!(diags[0].line, *line, "{doc:?}: {diags:?}");
        assert!(diags[0].hint.is_some(), "{diags:?}");
    }
    let diags = validate(&Request {
        documents: vec![Input {
            path: "bin".into(),
            data: vec![0xff, 0xfe, 0x00],
        }],
        ..Request::default()
    })
    .expect("loads");
    assert_eq!(codes(&diags), ["PH001"]);
    assert!(diags[0].message.contains("not UTF-8"));
}

#[test]
fn alias_bombs_are_refused_quickly() {
    let mut doc = String::from(
        "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {name: a}\nspec:\n  repo: https://c.example.com\n  name: a\n  version: 1.0.0\n  values:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        let prev = i - 1;
        doc.push_str(&format!(
            "    a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    let diags = run(&doc);
    assert_eq!(codes(&diags), ["PH001"], "{diags:?}");
    assert!(diags[0].message.contains("excessive aliasing"), "{diags:?}");
}

#[test]
fn deep_and_large_documents_are_bounded() {
    let deep = format!(
        "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {{name: a}}\nspec:\n  repo: https://c.example.com\n  name: a\n  version: 1.0.0\n  values: {}{}\n",
        "{a: ".repeat(200),
        "}".repeat(200)
    );
    let diags = run(&deep);
    assert_eq!(codes(&diags), ["PH001"]);
    assert!(
        diags[0].message.contains("nesting deeper than"),
        "{diags:?}"
    );

    // Under the size cap: validated as usual, findings and all.
    let mut big = String::from(
        "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {name: a}\nspec:\n  repo: https://c.example.com\n  name: a\n  version: 1.0.0\n  values:\n",
    );
    for i in 0..20_000 {
        big.push_str(&format!(
            "    key{i}: value number {i} of a large values tree\n"
        ));
    }
    big.push_str("    last: '{{ x }}'\n");
    assert!(big.len() > 1 << 20);
    let diags = run(&big);
    assert_eq!(codes(&diags), ["PH040"]);
    assert_eq!(diags[0].line, Some(20_009));

    // Over it: one clear error.
    let huge = big.repeat(3);
    let diags = run(&huge);
    assert_eq!(codes(&diags), ["PH001"]);
    assert!(diags[0].message.contains("more than the"), "{diags:?}");
}

#[test]
fn many_findings_are_capped_per_rule() {
    let values: serde_json::Map<String, Json> = (0..200)
        .map(|i| (format!("k{i:03}"), json!("{{ x }}")))
        .collect();
    let diags = run(&document(&json!({ "values": values })));
    assert_eq!(diags.len(), policy::MAX_FINDINGS + 1);
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("150 more findings"))
    );
}

fn user_rules(content: &str) -> Vec<PolicyFile> {
    vec![PolicyFile {
        name: "org/rules.yaml".to_string(),
        content: content.to_string(),
    }]
}

#[test]
fn user_rules_run_after_the_pack_and_rules_can_be_disabled() {
    let rules_file = user_rules(
        "rules:\n  - code: ORG001\n    severity: error\n    doc: Releases set a timeout.\n    path: spec\n    when: spec.timeout is undefined\n    message: \"release {{ metadata.name }} has no timeout\"\n    hint: add timeout, for example 10m\n",
    );
    let doc = document(&json!({"timeout": null, "version": "v6.7.1"}));
    let req = |disabled: Vec<String>| Request {
        documents: vec![Input {
            path: "r.yaml".into(),
            data: doc.clone().into_bytes(),
        }],
        policies: rules_file.clone(),
        disabled,
    };
    let diags = validate(&req(vec![])).expect("loads");
    assert_eq!(codes(&diags), ["ORG001", "PH011"], "{diags:?}");
    assert_eq!(diags[0].message, "release podinfo has no timeout");
    let diags = validate(&req(vec!["PH011".into()])).expect("loads");
    assert_eq!(codes(&diags), ["ORG001"]);

    let listed = rules(&rules_file, &["PH011".to_string()]).expect("loads");
    let org = listed.iter().find(|r| r.code == "ORG001").expect("listed");
    assert_eq!(org.source, "org/rules.yaml:2");
    assert!(
        !listed
            .iter()
            .find(|r| r.code == "PH011")
            .expect("listed")
            .enabled
    );
}

#[test]
fn bad_policy_files_and_disables_are_request_errors() {
    let cases: &[(&str, &str)] = &[
        (
            "rules: [",
            "org/rules.yaml:2:1: did not find expected node content",
        ),
        ("items: []\n", "a mapping with a `rules:` list"),
        (
            "rules:\n  - code: org1\n    severity: error\n    doc: d\n    when: 'true'\n    message: m\n",
            "org/rules.yaml:2:5: rule code `org1` is not valid",
        ),
        (
            "rules:\n  - code: ORG1\n    severity: fatal\n    doc: d\n    when: 'true'\n    message: m\n",
            "severity `fatal`",
        ),
        (
            "rules:\n  - code: ORG1\n    severity: error\n    doc: d\n    when: 'spec.version =='\n    message: m\n",
            "rule ORG1: `when` does not compile",
        ),
        (
            "rules:\n  - code: ORG1\n    severity: error\n    doc: d\n    when: 'true'\n    message: '{% if %}'\n",
            "`message` does not compile",
        ),
        (
            "rules:\n  - code: PH010\n    severity: error\n    doc: d\n    when: 'true'\n    message: m\n",
            "already used by policies/version.yaml",
        ),
        (
            "rules:\n  - code: PH002\n    severity: error\n    doc: d\n    when: 'true'\n    message: m\n",
            "reserved for a core check",
        ),
        (
            "rules:\n  - code: ORG1\n    severity: error\n    doc: d\n    when: 'true'\n    message: m\n    fix: x\n",
            "org/rules.yaml:7:5: unknown field `fix`",
        ),
        (
            "rules:\n  - code: ORG1\n    severity: error\n    doc: d\n    message: m\n",
            "the rule has no `when`",
        ),
    ];
    for (content, want) in cases {
        let err = rules(&user_rules(content), &[]).expect_err(content);
        assert!(err.contains(want), "{content:?}: {err}");
    }
    let err = rules(&[], &["PH999".to_string()]).expect_err("unknown code");
    assert!(err.contains("no rule has this code"), "{err}");
    let err = rules(&[], &["PH002".to_string()]).expect_err("core check");
    assert!(err.contains("cannot be disabled"), "{err}");
}

#[test]
fn a_rule_that_loops_runs_out_of_fuel_and_fails_closed() {
    let policies = user_rules(
        "rules:\n  - code: ORG-LOOP\n    severity: warning\n    doc: d\n    when: 'true'\n    message: '{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}'\n  - code: ORG-MANY\n    severity: warning\n    doc: d\n    each: range(6000)\n    when: 'true'\n    message: m\n  - code: ORG-BAD\n    severity: warning\n    doc: d\n    when: spec.version + 1\n    message: m\n",
    );
    let diags = validate(&Request {
        documents: vec![Input {
            path: "r.yaml".into(),
            data: document(&json!({})).into_bytes(),
        }],
        policies,
        disabled: vec![],
    })
    .expect("loads");
    assert_eq!(codes(&diags), ["PH003", "PH003", "PH003"], "{diags:?}");
    assert_eq!(diags[0].severity, Severity::Error);
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("ORG-LOOP") && d.message.contains("fuel")),
        "{diags:?}"
    );
    assert!(
        diags.iter().any(|d| d.message.contains("ORG-BAD")),
        "{diags:?}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("ORG-MANY") && d.message.contains("6000 items")),
        "{diags:?}"
    );
}

#[test]
fn a_bad_crd_policy_names_its_line_column_and_the_choices() {
    let doc = "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {name: web}\nspec:\n  repo: https://charts.example.com\n  name: web\n  version: 1.2.3\n  install:\n    crds: Create\n  upgrade:\n    crds: Replace\n";
    let diags = run(doc);
    assert_eq!(codes(&diags), ["PH002"], "{diags:?}");
    assert_eq!(diags[0].path.as_deref(), Some("spec.upgrade.crds"));
    assert_eq!((diags[0].line, diags[0].column), (Some(11), Some(5)));
    let said = format!(
        "{} {}",
        diags[0].message,
        diags[0].hint.clone().unwrap_or_default()
    );
    assert!(said.contains("CreateReplace"), "{said}");
}

#[test]
fn a_prepared_pack_serves_exactly_its_own_policies() {
    // The prepared pack lives per thread (per instance in the component): a thread of its own.
    std::thread::spawn(|| {
        let rule = |code: &str| {
            user_rules(&format!(
                "rules:\n  - code: {code}\n    severity: error\n    doc: d\n    when: 'true'\n    message: \"{code} saw {{{{ metadata.name }}}}\"\n"
            ))
        };
        let (first, second) = (rule("ORG001"), rule("ORG002"));
        let req = |policies: &[PolicyFile]| Request {
            documents: vec![Input {
                path: "r.yaml".into(),
                data: document(&json!({})).into_bytes(),
            }],
            policies: policies.to_vec(),
            disabled: vec![],
        };
        let before: Vec<_> = [&first[..], &second[..], &[]]
            .iter()
            .map(|p| validate(&req(p)).expect("loads"))
            .collect();
        let err = prepare(&user_rules("rules: [")).expect_err("a bad pack");
        assert!(err.contains("org/rules.yaml:2:1"), "{err}");
        prepare(&first).expect("the pack loads");
        assert!(policy::prepared(&first).is_some());
        assert!(policy::prepared(&second).is_none());
        let after: Vec<_> = [&first[..], &second[..], &[]]
            .iter()
            .map(|p| validate(&req(p)).expect("loads"))
            .collect();
        assert_eq!(after, before, "the same findings with and without the prepared pack");
        assert_eq!(codes(&after[0]), ["ORG001"]);
        assert_eq!(after[0][0].message, "ORG001 saw podinfo");
        assert_eq!(codes(&after[1]), ["ORG002"]);
        assert!(after[2].is_empty(), "{:?}", after[2]);
        prepare(&first).expect("the same pack again");
        let err = prepare(&second).expect_err("one pack per instance");
        assert!(err.contains("another prepared policy pack"), "{err}");
    })
    .join()
    .expect("the test thread");
}
