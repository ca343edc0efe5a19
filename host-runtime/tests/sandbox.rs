//! The sandbox's limits hold, and a call they stop leaves the runtime usable.

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use host_runtime::{
    Capabilities, ChartSource, Config, Error, ErrorKind, OfflineHost, PolicyFile, ReleaseInfo,
    RenderOptions, RenderRequest, Runtime, SourceFile, ValidateRequest,
};

const CHART_YAML: &str = "apiVersion: v2\nname: spin\nversion: 0.1.0\n";

fn chart(files: &[(&str, &str)]) -> ChartSource {
    ChartSource::Files(
        files
            .iter()
            .map(|(path, data)| SourceFile {
                path: path.to_string(),
                data: data.as_bytes().to_vec(),
            })
            .collect(),
    )
}

fn request(chart: ChartSource) -> RenderRequest {
    RenderRequest {
        chart,
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

/// A chart that renders quickly; its expected text is what Helm v4.3.1 `helm template` prints.
fn ok_request() -> RenderRequest {
    request(chart(&[
        ("Chart.yaml", "apiVersion: v2\nname: ok\nversion: 0.1.0\n"),
        ("values.yaml", "answer: 42\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  answer: {{ .Values.answer | quote }}\n",
        ),
    ]))
}

const OK_TEXT: &str = "---\n# Source: ok/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-name\ndata:\n  answer: \"42\"\n";

/// The artifact cache the tests share (the CLI's tests use the same one), so that a test run
/// compiles the core once rather than once per test.
fn shared_cache() -> Option<PathBuf> {
    static WARM: Once = Once::new();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("planton-helm/component");
    WARM.call_once(|| drop(Runtime::new(config(Some(dir.clone()))).expect("runtime")));
    Some(dir)
}

fn config(cache_dir: Option<PathBuf>) -> Config {
    Config {
        cache_dir,
        ..Config::default()
    }
}

fn runtime(max_memory: usize, deadline: Duration) -> Runtime {
    Runtime::new(Config {
        max_memory,
        deadline,
        ..config(shared_cache())
    })
    .expect("runtime")
}

fn host() -> OfflineHost {
    OfflineHost::default().with_seed(1)
}

fn assert_next_call_succeeds(runtime: &Runtime) {
    let out = runtime
        .render(&ok_request(), host())
        .expect("the call after a stopped one renders");
    assert_eq!(out.text, OK_TEXT);
}

#[test]
fn a_call_that_never_ends_is_stopped_at_the_deadline() {
    let deadline = Duration::from_secs(1);
    let runtime = runtime(256 << 20, deadline);
    let spin = request(chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/spin.yaml",
            "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}",
        ),
    ]));
    let started = Instant::now();
    let err = runtime
        .render(&spin, host())
        .expect_err("the spin chart must be stopped");
    let took = started.elapsed();
    assert!(matches!(err, Error::Deadline { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "render stopped: exceeded the CPU deadline of 1s"
    );
    assert!(
        took >= deadline,
        "stopped after {took:?}, before the deadline"
    );
    // Generous for a loaded CI machine; an interrupt that does not fire would run for hours.
    assert!(took < deadline * 10, "stopped only after {took:?}");
    assert_next_call_succeeds(&runtime);
}

#[test]
fn an_argument_larger_than_the_memory_cap_fails_cleanly() {
    let runtime = runtime(32 << 20, Duration::from_secs(30));
    // The canonical ABI copies the archive into guest memory before the core sees it.
    let archive = vec![0x1f; 48 << 20];
    let err = runtime
        .render(&request(ChartSource::Archive(archive)), host())
        .expect_err("48 MiB cannot fit under a 32 MiB cap");
    assert!(matches!(err, Error::MemoryLimit { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "render stopped: exceeded the memory limit of 32 MiB"
    );
    assert_next_call_succeeds(&runtime);
}

#[test]
fn a_template_that_allocates_past_the_cap_fails_cleanly() {
    let runtime = runtime(64 << 20, Duration::from_secs(60));
    // 16 bytes doubled 40 times is 16 TiB.
    let doubling = request(chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/grow.yaml",
            r#"{{ $s := "xxxxxxxxxxxxxxxx" }}{{ range until 40 }}{{ $s = cat $s $s }}{{ end }}{{ $s }}"#,
        ),
    ]));
    let err = runtime
        .render(&doubling, host())
        .expect_err("16 TiB cannot fit");
    assert!(matches!(err, Error::MemoryLimit { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "render stopped: exceeded the memory limit of 64 MiB"
    );
    assert_next_call_succeeds(&runtime);
}

/// The guest's allocator never merges freed blocks but reuses them by size class: a render that
/// allocates many times the cap in total, freeing as it goes, fits under it.
#[test]
fn a_render_reuses_the_memory_it_frees() {
    let runtime = runtime(32 << 20, Duration::from_secs(60));
    // 3,000 strings of 1 to 97 kB (about 150 MB in all), each dropped after its iteration.
    let churn = request(chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/churn.yaml",
            "{{ $n := 0 }}{{ range $i := until 3000 }}\
             {{ $s := repeat (add 1 (mod $i 97) | mul 1000 | int) \"x\" }}\
             {{ $n = add $n (len $s) }}{{ end }}total: {{ $n }}",
        ),
    ]));
    let out = runtime
        .render(&churn, host())
        .expect("the garbage of each iteration is reused");
    assert_eq!(
        out.text,
        "---\n# Source: spin/templates/churn.yaml\ntotal: 146685000\n"
    );
}

#[test]
fn validate_runs_in_the_sandbox_too() {
    let runtime = runtime(64 << 20, Duration::from_secs(30));
    let empty = ValidateRequest {
        documents: Vec::new(),
        policies: Vec::new(),
        disabled: Vec::new(),
    };
    // Whatever the core answers for no documents, it answers it as a guest result, not a trap.
    match runtime.validate(&empty, host()) {
        Ok(_) | Err(Error::Core(_)) => {}
        Err(e) => panic!("validate trapped or was stopped: {e}"),
    }
}

#[test]
fn one_runtime_serves_concurrent_calls() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Runtime>();
    let runtime = runtime(64 << 20, Duration::from_secs(30));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_next_call_succeeds(&runtime));
        }
    });
}

#[test]
fn the_pooling_allocator_enforces_the_same_cap() {
    let runtime = Runtime::new(Config {
        max_memory: 32 << 20,
        pooling: Some(host_runtime::Pooling {
            max_instances: 2,
            keep_resident: 16 << 20,
        }),
        ..config(shared_cache())
    })
    .expect("pooling runtime");
    let err = runtime
        .render(&request(ChartSource::Archive(vec![0x1f; 48 << 20])), host())
        .expect_err("48 MiB cannot fit under a 32 MiB cap");
    assert!(matches!(err, Error::MemoryLimit { .. }), "{err:?}");
    assert_next_call_succeeds(&runtime);
}

/// `include` nested 999 deep: Helm allows up to 1,000 nested includes of one template.
fn deep_include_request() -> RenderRequest {
    request(chart(&[
        ("Chart.yaml", "apiVersion: v2\nname: deep\nversion: 0.1.0\n"),
        (
            "templates/cm.yaml",
            "{{- define \"rec\" -}}{{ if gt (int .) 0 }}{{ include \"rec\" (sub (int .) 1) }}{{ end }}x{{- end -}}\na: {{ include \"rec\" 998 | len }}\n",
        ),
    ]))
}

/// What helm v4.3.1 `helm template` prints for [`deep_include_request`].
const DEEP_INCLUDE_TEXT: &str = "---\n# Source: deep/templates/cm.yaml\na: 999\n";

#[test]
fn deep_legal_recursion_renders_even_when_called_from_a_small_stack() {
    let runtime = runtime(256 << 20, Duration::from_secs(30));
    // A tokio worker has 2 MiB of stack; the runtime must not depend on the caller's stack.
    let out = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || runtime.render(&deep_include_request(), host()))
        .expect("thread")
        .join()
        .expect("no panic")
        .expect("a 999-deep include renders");
    assert_eq!(out.text, DEEP_INCLUDE_TEXT);
}

#[test]
fn runaway_template_recursion_is_a_clear_error() {
    let runtime = runtime(256 << 20, Duration::from_secs(60));
    let runaway = request(chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: deep2\nversion: 0.1.0\n",
        ),
        (
            "templates/cm.yaml",
            "{{- define \"r\" -}}{{ template \"r\" . }}{{- end -}}\na: {{ template \"r\" . }}\n",
        ),
    ]));
    // Helm stops at Go's 100,000 nested templates; the sandbox's 16 MiB guest stack ends first
    // (docs/compatibility.md), and that must read as what it is, not as a crash.
    let err = runtime
        .render(&runaway, host())
        .expect_err("endless recursion must stop");
    assert!(matches!(err, Error::StackOverflow { .. }), "{err:?}");
    assert_next_call_succeeds(&runtime);
}

#[test]
fn a_native_stack_overflow_is_a_clear_error_and_the_next_call_succeeds() {
    let runtime = Runtime::new(Config {
        max_wasm_stack: 256 << 10,
        ..config(shared_cache())
    })
    .expect("runtime");
    let err = runtime
        .render(&deep_include_request(), host())
        .expect_err("999 nested includes do not fit in 256 KiB");
    assert!(matches!(err, Error::StackOverflow { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "render stopped: the templates or values nest too deeply for the sandbox's stack; \
         look for a template that includes itself without an end condition"
    );
    assert_next_call_succeeds(&runtime);
}

fn render_text(runtime: &Runtime, template: &str, host: OfflineHost) -> Result<String, Error> {
    let req = request(chart(&[
        ("Chart.yaml", CHART_YAML),
        ("templates/t.yaml", template),
    ]));
    runtime.render(&req, host).map(|out| out.text)
}

#[test]
fn rsa_and_dsa_keys_come_from_the_host_sized_as_sprig_asks_and_follow_the_seed() {
    let runtime = runtime(256 << 20, Duration::from_secs(120));
    // The first bytes of the DER say the key's size.
    let template = concat!(
        "k: {{ genPrivateKey \"rsa\" | quote }}\n",
        "ca: {{ (genCA \"c\" 1).Key | quote }}\n",
        "dsa: {{ genPrivateKey \"dsa\" | quote }}\n",
    );
    let seeded = |seed| render_text(&runtime, template, OfflineHost::default().with_seed(seed));
    let first = seeded(7).expect("render");
    assert_eq!(
        seeded(7).expect("render"),
        first,
        "a fixed seed gives the same keys"
    );
    let other = seeded(8).expect("render");
    let keys = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains("PRIVATE KEY"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(keys(&first).len(), 3, "{first}");
    for (a, b) in keys(&first).iter().zip(&keys(&other)) {
        assert_ne!(a, b, "another seed, other keys");
    }
    // PKCS#1 of a 4096-bit key begins `MIIJ` (a 2.3 KB SEQUENCE), of a 2048-bit one `MIIE`;
    // an L2048N256 DSA key (six INTEGERs, 0.8 KB) `MIID`.
    assert!(
        first.contains("k: \"-----BEGIN RSA PRIVATE KEY-----\\nMIIJ"),
        "{first}"
    );
    assert!(
        first.contains("ca: \"-----BEGIN RSA PRIVATE KEY-----\\nMIIE"),
        "{first}"
    );
    assert!(
        first.contains("dsa: \"-----BEGIN DSA PRIVATE KEY-----\\nMIID"),
        "{first}"
    );
}

#[test]
fn key_generation_counts_against_the_deadline() {
    let deadline = Duration::from_millis(300);
    let runtime = runtime(256 << 20, deadline);
    for kind in ["rsa", "dsa"] {
        let started = Instant::now();
        let err = render_text(
            &runtime,
            &format!(
                "{{{{ range until 1000 }}}}{{{{ genPrivateKey {kind:?} | len }}}}{{{{ end }}}}"
            ),
            host(),
        )
        .expect_err("a thousand keys cannot fit in 300 ms");
        assert_stopped_by_the_deadline(&runtime, err, started, deadline, kind);
    }
}

/// `err` is the deadline's, it came soon after the deadline (a host call in progress is cut, not
/// waited for), and the runtime renders again after it.
fn assert_stopped_by_the_deadline(
    runtime: &Runtime,
    err: Error,
    started: Instant,
    deadline: Duration,
    what: &str,
) {
    assert!(matches!(err, Error::Deadline { .. }), "{what}: {err:?}");
    assert!(
        started.elapsed() < deadline * 20,
        "{what}: stopped only after {:?}",
        started.elapsed()
    );
    assert_next_call_succeeds(runtime);
}

/// Every way a template signs a certificate with an RSA key: a new CA and a certificate it
/// signs, a self-signed certificate, a CA and certificates on a key from `genPrivateKey`, and a
/// certificate signed by a CA rebuilt with `buildCustomCert`.
const RSA_CERTIFICATES: &str = concat!(
    "{{- $ca := genCA \"golden-ca\" 365 }}\n",
    "{{- $leaf := genSignedCert \"svc\" (list \"10.0.0.1\") (list \"svc.ns.svc\") 365 $ca }}\n",
    "{{- $self := genSelfSignedCert \"self\" nil (list \"self.example\") 30 }}\n",
    "{{- $key := genPrivateKey \"rsa\" }}\n",
    "{{- $own := genCAWithKey \"own-ca\" 10 $key }}\n",
    "{{- $ownLeaf := genSignedCertWithKey \"own-leaf\" nil nil 10 $own $key }}\n",
    "{{- $selfKey := genSelfSignedCertWithKey \"self-key\" nil nil 10 $key }}\n",
    "{{- $custom := buildCustomCert ($ca.Cert | b64enc) ($ca.Key | b64enc) }}\n",
    "{{- $customLeaf := genSignedCert \"custom-leaf\" nil nil 5 $custom }}\n",
    "{{- range $i, $c := list $ca $leaf $self $own $ownLeaf $selfKey $customLeaf }}\n",
    "cert{{ $i }}: {{ $c.Cert | quote }}\n",
    "key{{ $i }}: {{ $c.Key | quote }}\n",
    "{{- end }}\n",
);

#[test]
fn rsa_signatures_by_the_host_are_the_guests_byte_for_byte() {
    // `rsa-certificates.golden` is what the core printed for this template with `--seed 7
    // --now 2026-05-01T12:00:00Z` when it still signed in the sandbox (the CLI of commit
    // 9c3728f; `openssl verify` accepts every certificate in it): a PKCS#1 v1.5 signature is a
    // function of the key and the message, so every certificate must come out byte for byte
    // the same now that the host signs.
    let runtime = runtime(256 << 20, Duration::from_secs(120));
    let now = host_runtime::Datetime {
        seconds: 1_777_636_800,
        nanoseconds: 0,
    };
    let text = render_text(
        &runtime,
        RSA_CERTIFICATES,
        OfflineHost::default().with_seed(7).with_now(now),
    )
    .expect("render");
    assert_eq!(text, include_str!("rsa-certificates.golden"));
}

#[test]
fn signing_counts_against_the_deadline() {
    let deadline = Duration::from_millis(300);
    let runtime = runtime(256 << 20, deadline);
    let template = format!(
        "{{{{ range until 100000 }}}}{{{{ (genSelfSignedCertWithKey \"x\" nil nil 1 {:?}).Cert | len }}}}{{{{ end }}}}",
        TEST_RSA_KEY
    );
    let started = Instant::now();
    let err = render_text(&runtime, &template, host())
        .expect_err("a hundred thousand signatures cannot fit in 300 ms");
    assert_stopped_by_the_deadline(&runtime, err, started, deadline, "signing");
}

/// A 2048-bit RSA key made for this test with `openssl genrsa -traditional 2048`.
const TEST_RSA_KEY: &str = concat!(
    "-----BEGIN RSA PRIVATE KEY-----\n",
    "MIIEowIBAAKCAQEAtpxsgALjyY9Ys7oYjarUC5BJ+PS5dOJST+aDM6PECeuJ13KI\n",
    "c1rWRU/iF46O4c9qi5kevtr/2nakPE2oBxVW6Q+mteIAi3UIotxfmWi9ewhpWXTn\n",
    "bhN/C3MggKa6pr54E7JJsLeQoYqy/DOmRlDIDwFGVujTYyW+A3o4IqszlIj2Sbw2\n",
    "DofLmv6dLhCYf/TRJY1MI8a8n/RKBcErRVPTgWsA811aQNrREchvfc1Q6sHZod+7\n",
    "MlPXPcyiFJPx1lvC03YOC2DhzAF8UTldsSIYb+C3ew8EKIHMJp9qnwQdytPughRR\n",
    "tq+4J00o/qyjhkStNLkT9sMjQJ44iJ6BNnwbqQIDAQABAoIBABiwq6bfPSc6f3bF\n",
    "eZ5l84egua+0fwLDuvdcpm6r/MyOkTOVI8fdB02V0G748m6rma9IQ7TwbVl/YxNY\n",
    "OJjElNysJhE/fm1cpI9IlpBqbfwdlgjnWocykaHdrg5W/LOg2yFmoLoJB8AfvbWF\n",
    "0jx9nZ8RwA3uKu6j4r4bn01osm+pnhmxBshqwToFWFXht+AJHzaIhFVHqugsoEXd\n",
    "NGbKBkXc0HnqwxPNCHlimmWSvRdgqkUTKxBZRK/iNEzKQrootU8bad6oGnvn9WxH\n",
    "ziKploVnnHEBqtNyXSrmVa7zeq6IpYFz5+1NvvYctU9tQSvyJoq3JbZOU50YIY6F\n",
    "kTE0thECgYEA9ZxeXqcMqC+vHbuFAi0NsbCaM32oOYCMnAJGjTYHNc6Gk64BFw4C\n",
    "CXuFm4xaLgS6sTwTniwH5knOGRurFJjaPG2Hzdqp42OJutkrb747QiCSp8hzyfEL\n",
    "XIBUG0G7TWQYigZGELXgrWviFWuv9/BqGZu4XjetkAo4K6IJLsJS+gUCgYEAvlXa\n",
    "Z3gT3VZC+ld5IhMy9CF+CQZh/s7fEmT4mhKyMZfghE32goK56p6Fg4kQXnBVoo4H\n",
    "gi9IamBHkLcUnlyx/W7WRa1vvtHKUNFDGusFxhLN2V2Mla5e/PI0S9TbrQKHno0K\n",
    "n9hXqHqnrUS8HHv1X3uZ4DPb8MbyJrXIja+mOFUCgYEAix0GVpZHlPttNGoB7DmY\n",
    "iAx/SqrhnbAx9CtVyqXPb6qKjxr/gw9sF/LeujvE2EvVco2UjwJhdw5WreH+BKyO\n",
    "76saQH6ZuzGl0S8waxpUdh/88QuYicj9pmcJPGb+r9cCDyt+g/iASbnRVFCqWsTR\n",
    "U6/fvX3L0Mn5Br3AdbubRAECgYA9L8RCNuvL34swhyY9ugZLTOkDZbXjAAXeF++D\n",
    "ODdokfZvEdEJK5Uwwz0Qh+NnOJ2O4DGxvBl/eOwIrZJHRm1Bl3vyckrWAQMU7/Cu\n",
    "mpcEkc7y7YvgImoOzp3ZMthbydBnO9gKgrXLR4LXxJzkW0UKKOXSmVk/EfWOVCng\n",
    "wnKg8QKBgGiwwVQFXQLth91Pz9mL9asVHkv7VjEIbmsdbD/j3I1O/AfDb+0OspNJ\n",
    "zRALc1HEjT1krrRagSCtdkxTX7sV3AV2eXyz77XBjxkQVvgMGQXohx9Gzerr5sxq\n",
    "4lpfkauOhA2wQyPHl7/cnJjFLXzGyUS1vf8nIwmKUZzOdRl0ipwA\n",
    "-----END RSA PRIVATE KEY-----\n",
);

#[test]
fn name_templates_run_with_sprig_and_no_data() {
    let runtime = runtime(256 << 20, Duration::from_secs(30));
    let name = |t: &str| runtime.template_name(t, host()).map_err(|e| e.to_string());
    assert_eq!(
        name("app-{{ \"X\" | lower }}-{{ add 1 2 }}").unwrap(),
        "app-x-3"
    );
    assert_eq!(name("{{ .Foo }}").unwrap(), "<no value>");
    assert_eq!(
        name("{{ env \"HOME\" }}|{{ expandenv \"$HOME/x\" }}").unwrap(),
        "|/x"
    );
    assert_eq!(
        name("{{ include \"x\" . }}").unwrap_err(),
        "template: name-template:1: function \"include\" not defined"
    );
}

/// A HelmRelease named `name`, valid but for `version`.
fn release_doc(name: &str, version: &str) -> SourceFile {
    SourceFile {
        path: format!("{name}.yaml"),
        data: format!(
            "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata:\n  name: {name}\nspec:\n  repo: https://charts.example.com\n  name: web\n  version: {version}\n"
        )
        .into_bytes(),
    }
}

#[test]
fn validations_from_a_snapshot_start_fresh_and_answer_as_without_one() {
    fresh_from_a_snapshot(&runtime(256 << 20, Duration::from_secs(30)));
}

/// The same with the webhook's kind of runtime: one pooled instance slot that keeps its memory
/// resident between calls (reset by rewriting what a call changed) and one long-lived call
/// thread, so that every call reuses the very slot and thread of the one before it.
#[test]
fn pooled_validations_from_a_snapshot_start_fresh_too() {
    let runtime = Runtime::new(Config {
        max_memory: 256 << 20,
        // One slot for the calls, one for making the snapshot; they never overlap here.
        pooling: Some(host_runtime::Pooling {
            max_instances: 2,
            keep_resident: 64 << 20,
        }),
        call_threads: Some(1),
        ..config(shared_cache())
    })
    .expect("pooling runtime");
    fresh_from_a_snapshot(&runtime);
}

/// Calls with and without the snapshot answer alike, and none sees anything of another.
fn fresh_from_a_snapshot(runtime: &Runtime) {
    let rules = |code: &str, extra: &str| {
        vec![PolicyFile {
            name: "org/rules.yaml".into(),
            content: format!(
                "rules:\n  - code: {code}\n    severity: warning\n    doc: d\n    when: 'true'\n    message: \"{code} saw {{{{ metadata.name }}}}\"\n{extra}"
            ),
        }]
    };
    // The prepared pack also holds a rule that never ends: fuel still stops it.
    let spin = "  - code: ORG-SPIN\n    severity: warning\n    doc: d\n    when: metadata.name == 'spin'\n    message: '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}'\n";
    let (prepared, other) = (rules("ORG001", spin), rules("ORG002", ""));
    let calls = [
        (release_doc("first", "1.2.3"), prepared.clone()),
        (release_doc("second", "^1.2"), prepared.clone()),
        (release_doc("spin", "1.2.3"), prepared.clone()),
        (release_doc("first", "1.2.3"), other.clone()),
        (release_doc("second", "^1.2"), Vec::new()),
        (release_doc("first", "1.2.3"), prepared.clone()),
    ];
    let answer = |(doc, policies): &(SourceFile, Vec<PolicyFile>)| {
        let diags = runtime
            .validate(
                &ValidateRequest {
                    documents: vec![doc.clone()],
                    policies: policies.clone(),
                    disabled: Vec::new(),
                },
                host(),
            )
            .expect("validates");
        diags
            .iter()
            .map(|d| {
                let path = d.path.as_deref().unwrap_or_default();
                format!("{} {path}: {}", d.code, d.message)
            })
            .collect::<Vec<_>>()
    };
    let without: Vec<_> = calls.iter().map(answer).collect();
    assert!(!runtime.is_prepared_for(&prepared));
    runtime.prepare_validation(&prepared).expect("the snapshot");
    assert!(runtime.is_prepared_for(&prepared));
    assert!(!runtime.is_prepared_for(&other));
    assert!(!runtime.is_prepared_for(&[]));
    // Each call sees its own document and rules only: nothing of the calls before it (the
    // first document again after others, another pack, no pack) shows in its answer.
    let with: Vec<_> = calls.iter().map(answer).collect();
    assert_eq!(with, without);
    assert_eq!(with[0], ["ORG001 spec: ORG001 saw first"]);
    assert_eq!(with[5], with[0]);
    assert!(
        with[1].iter().any(|d| d.starts_with("PH010")),
        "{:?}",
        with[1]
    );
    assert!(
        with[2]
            .iter()
            .any(|d| d.starts_with("PH003") && d.contains("fuel")),
        "{:?}",
        with[2]
    );
    assert_eq!(with[3], ["ORG002 spec: ORG002 saw first"]);
    assert!(with[4].iter().all(|d| !d.contains("ORG")), "{:?}", with[4]);
    // A pack that does not load gets no snapshot, and says why as `validate` does.
    let bad = vec![PolicyFile {
        name: "org/bad.yaml".into(),
        content: "rules: [".into(),
    }];
    match runtime.prepare_validation(&bad) {
        Err(Error::Core(e)) => {
            assert_eq!(e.kind, ErrorKind::InvalidRequest);
            assert!(e.message.contains("org/bad.yaml:2:1"), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        runtime.is_prepared_for(&prepared),
        "the last snapshot stays"
    );
    assert_next_call_succeeds(runtime);
}
