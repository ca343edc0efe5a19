//! The controller's own Helm chart (`deploy/chart/planton-helm-controller`), rendered by our core
//! and by the oracle `helm template` (env PLANTON_HELM): the outputs are equal byte for byte for
//! each value set, and so are the errors of bad values. The self-signed certificate mode
//! generates a random CA, so there the generated blobs are compared by shape.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use host_runtime::{
    Capabilities, ChartSource, Config, OfflineHost, ReleaseInfo, RenderOptions, RenderRequest,
    Runtime, SourceFile, ValuesLayer,
};

fn chart_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/chart/planton-helm-controller")
}

fn helm_bin() -> PathBuf {
    test_support::helm::oracle()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_path_buf()
}

fn chart_files(root: &Path) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("chart dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).expect("inside the chart");
                out.push(SourceFile {
                    path: rel.to_string_lossy().replace('\\', "/"),
                    data: std::fs::read(&path).expect("read"),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Our render: the text `helm template` prints, or its error message.
fn ours(values: &str) -> Result<String, String> {
    let runtime = Runtime::new(Config::default()).expect("the core loads");
    let request = RenderRequest {
        chart: ChartSource::Files(chart_files(&chart_dir())),
        values: vec![ValuesLayer::YamlFile(SourceFile {
            path: "values.yaml".into(),
            data: values.as_bytes().to_vec(),
        })],
        release: ReleaseInfo {
            name: "phc".into(),
            namespace: "planton-helm-system".into(),
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
            include_crds: true,
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
        },
    };
    runtime
        .render(&request, OfflineHost::default())
        .map(|o| o.text)
        .map_err(|e| e.to_string())
}

/// The oracle's render of the same chart, release and values.
fn oracle(values: &str) -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!("phc-chart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(format!("values-{:x}.yaml", fxhash(values)));
    std::fs::write(&file, values).expect("values file");
    let out = Command::new(helm_bin())
        .args(["template", "phc"])
        .arg(chart_dir())
        .args(["-n", "planton-helm-system", "--include-crds", "-f"])
        .arg(&file)
        .output()
        .expect("run the oracle helm (scripts/install-helm.sh installs it; env PLANTON_HELM)");
    let _ = std::fs::remove_file(&file);
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("utf-8"))
    } else {
        // helm's CLI adds a hint after the error itself.
        let err = String::from_utf8_lossy(&out.stderr);
        let err = err.split("\n\nUse --debug flag").next().unwrap_or_default();
        Err(err.trim().trim_start_matches("Error: ").to_string())
    }
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

fn assert_same(name: &str, values: &str) -> String {
    let (ours, oracle) = (ours(values), oracle(values));
    assert_eq!(
        ours, oracle,
        "value set {name:?}: our render differs from helm template"
    );
    ours.unwrap_or_default()
}

#[test]
fn chart_renders_as_helm_template_with_cert_manager() {
    let out = assert_same(
        "cert-manager, own issuer",
        "webhook:\n  certificate:\n    mode: certManager\n",
    );
    assert!(out.contains(
        "cert-manager.io/inject-ca-from: planton-helm-system/phc-planton-helm-controller-webhook"
    ));
    assert!(out.contains("kind: Issuer"));
    assert!(out.contains("kind: CustomResourceDefinition"));
    // Least privilege by default: no cluster-admin, impersonation, a default service account.
    assert!(!out.contains("cluster-admin"), "{out}");
    assert!(out.contains("verbs: [\"impersonate\"]"), "{out}");
    assert!(out.contains("- --default-service-account\n            - \"default\""));
    assert!(out.contains("- --no-cross-namespace-refs"), "on by default");

    let out = assert_same(
        "cert-manager, given issuer, narrowed RBAC, policies",
        r#"
fullnameOverride: helm-ctl
image: {tag: "0.2.0"}
imagePullSecrets: [{name: regcred}]
rbac:
  clusterAdmin: true
tenancy:
  defaultServiceAccount: deployer
webhook:
  failurePolicy: Ignore
  timeoutSeconds: 15
  timeout: 8s
  concurrency: 4
  namespaceSelector: {matchLabels: {planton-helm/admission: enabled}}
  certificate:
    mode: certManager
    validityDays: 90
    certManager:
      issuerRef: {kind: ClusterIssuer, name: internal-ca}
policies:
  disabled: [PH050, PH063]
  rules:
    org.yaml: |
      rules:
        - code: ORG001
          severity: error
          doc: Releases come from the organisation's registry.
          when: spec.repo is not startingwith("oci://registry.example.com/")
          message: "repository {{ spec.repo | tojson }} is not the organisation's registry"
"#,
    );
    assert!(out.contains("name: cluster-admin"), "the wide mode: {out}");
    assert!(out.contains("- \"deployer\""));
    assert!(out.contains("--webhook-concurrency"));
    assert!(out.contains("disabled: \"PH050,PH063\""));
}

#[test]
fn chart_renders_as_helm_template_with_an_own_secret_and_without_the_webhook() {
    let out = assert_same(
        "own secret",
        "webhook:\n  certificate:\n    mode: secret\n    secretName: my-tls\n    caBundle: Q0EK\n",
    );
    assert!(out.contains("caBundle: Q0EK"));
    assert!(out.contains("secretName: my-tls"));
    let out = assert_same(
        "no webhook",
        "webhook: {enabled: false}\nmetrics: {service: {enabled: false}}\n\
         serviceAccount: {create: false, name: ops}\nnameOverride: hc\n\
         tenancy: {noCrossNamespaceRefs: false, defaultServiceAccount: \"\"}\n",
    );
    assert!(!out.contains("ValidatingWebhookConfiguration"));
    assert!(!out.contains("- --no-cross-namespace-refs"));
    assert!(!out.contains("- --default-service-account"));
    assert!(!out.contains("--webhook-addr"));
    // Bad values fail the same way in both.
    assert_same(
        "secret mode without a CA",
        "webhook:\n  certificate:\n    mode: secret\n    secretName: my-tls\n",
    );
    assert_same(
        "bad rule file name",
        "policies: {rules: {org.txt: 'rules: []'}}\n",
    );
}

/// Lines holding generated certificate material, replaced by a marker.
fn mask(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            for key in ["ca.crt: ", "tls.crt: ", "tls.key: ", "caBundle: "] {
                if t.starts_with(key) {
                    return format!("{}{key}<generated>", &l[..l.len() - t.len()]);
                }
            }
            l.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn field<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(key))
        .unwrap_or_else(|| panic!("no {key} in\n{text}"))
}

#[test]
fn chart_self_signed_mode_matches_helm_but_for_the_generated_pair() {
    let (ours, oracle) = (ours("{}").expect("renders"), oracle("{}").expect("renders"));
    assert_eq!(mask(&ours), mask(&oracle));
    // The generated material is a CA in both the Secret and the webhook configuration, and a
    // certificate and key.
    let ca = field(&ours, "ca.crt: ");
    assert_eq!(
        ca,
        field(&ours, "caBundle: "),
        "the webhook trusts the Secret's CA"
    );
    let pem = |b64: &str| String::from_utf8(B64.decode(b64).expect("base64")).expect("PEM");
    assert!(pem(ca).starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(pem(field(&ours, "tls.crt: ")).starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(pem(field(&ours, "tls.key: ")).contains("PRIVATE KEY-----"));
}

/// The value after `--flag` in the rendered container args (`- --flag` then `- "value"`).
fn arg_value(args: &str, flag: &str) -> Option<String> {
    let mut lines = args.lines().map(str::trim);
    lines.find(|l| *l == format!("- {flag}"))?;
    let value = lines.next()?.strip_prefix("- ")?;
    Some(value.trim_matches('"').to_string())
}

#[test]
fn the_charts_default_memory_budget_fits_its_memory_limit() {
    for (name, values) in [
        ("defaults", ""),
        ("without the webhook", "webhook:\n  enabled: false\n"),
    ] {
        let out = oracle(values).expect("the chart renders");
        let deployment = out
            .split("\n---")
            .find(|doc| doc.contains("\nkind: Deployment"))
            .expect("a Deployment");
        let args = &deployment[deployment.find("args:").expect("args")..];
        let args = &args[..args.find("env:").expect("env after args")];
        let number = |flag: &str| arg_value(args, flag);
        let budget = host_controller::budget::MemoryBudget {
            reconciles: number("--concurrent")
                .expect("--concurrent")
                .parse()
                .expect("N"),
            reviews: number("--webhook-concurrency").map_or(0, |n| n.parse().expect("N")),
            per_call: host_runtime::parse_size(&number("--max-memory").expect("--max-memory"))
                .expect("a size"),
        };
        let limits = &deployment[deployment.find("limits:").expect("limits")..];
        let memory = limits
            .lines()
            .find_map(|l| l.trim().strip_prefix("memory: "))
            .expect("limits.memory");
        let limit = host_runtime::parse_size(memory.trim_matches('"')).expect("a size") as u64;
        assert_eq!(budget.overrun(Some(limit)), None, "{name}: {budget:?}");
        assert!(
            budget.worst_case().is_some(),
            "{name}: --concurrent is bounded"
        );
    }
}
