//! `planton-helm pull` and `planton-helm render` against real servers on loopback, compared with
//! what the oracle helm prints for the same chart, version and values when helm fetches it itself.

use std::path::Path;
use std::process::{Command, Output};

use test_support::{Helm, Registry, ServeOptions, StaticServer, TempDir, write_chart};

const VALUES: &str = "replicaCount: 3\ngreeting: hi there\nimage:\n  tag: \"9.9\"\nresources:\n  limits:\n    cpu: 100m\n    memory: 64Mi\n";

fn planton(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planton-helm"))
        .args(args)
        .env_remove("PLANTON_HELM_USERNAME")
        .env_remove("PLANTON_HELM_PASSWORD")
        .output()
        .expect("run planton-helm")
}

fn stdout_ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "planton-helm failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

/// A HelmRelease file with the test values indented under spec.values.
fn release_file(
    dir: &Path,
    name: &str,
    namespace: &str,
    repo: &str,
    chart: &str,
    version: &str,
) -> String {
    let values: String = VALUES.lines().map(|l| format!("    {l}\n")).collect();
    let text = format!(
        "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\n\
         metadata:\n  name: {name}\n  namespace: {namespace}\n\
         spec:\n  repo: {repo}\n  name: {chart}\n  version: {version}\n  values:\n{values}"
    );
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).expect("write release");
    std::fs::write(dir.join("values.yaml"), VALUES).expect("write values");
    path.to_str().expect("utf-8").to_string()
}

#[test]
fn render_from_a_registry_equals_helm_template_and_then_works_offline() {
    let helm = Helm::new();
    let work = TempDir::new("cli-oci");
    let registry = Registry::start(None);
    let src = work.path().join("src/web");
    write_chart(&src, "web", "");
    let archive = helm.package(&src, "1.4.0+build.2", &work.path().join("pkg"));
    registry.push(&helm, &archive, None);
    let release = release_file(
        work.path(),
        "web-prod",
        "apps",
        &registry.repo(),
        "web",
        "1.4.0+build.2",
    );
    let cache = work.path().join("cache");
    let cache = cache.to_str().expect("utf-8");

    let expected = helm.run(&[
        "template",
        "web-prod",
        &format!("{}/web", registry.repo()),
        "--version",
        "1.4.0+build.2",
        "--plain-http",
        "-n",
        "apps",
        "-f",
        work.path().join("values.yaml").to_str().expect("utf-8"),
    ]);
    assert!(expected.contains("replicas: 3"), "{expected}");

    let got = stdout_ok(&planton(&[
        "render",
        &release,
        "--cache",
        cache,
        "--plain-http",
    ]));
    assert_eq!(got, expected);

    registry.stop();
    let out_dir = work.path().join("out");
    let out = planton(&[
        "render",
        &release,
        "--cache",
        cache,
        "--offline",
        "--output-dir",
        out_dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(stdout_ok(&out), "");
    let written = std::fs::read_to_string(out_dir.join("apps/web-prod.yaml")).expect("written");
    assert_eq!(written, expected);

    let empty = work.path().join("empty-cache");
    let out = planton(&[
        "render",
        &release,
        "--cache",
        empty.to_str().expect("utf-8"),
        "--offline",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not in the cache") && stderr.contains("web-prod.yaml"),
        "{stderr}"
    );
}

#[test]
fn render_resolves_unvendored_dependencies_like_helm_dependency_build() {
    let helm = Helm::new();
    let work = TempDir::new("cli-deps");
    let registry = Registry::start(None);
    let repo_root = work.path().join("repo");
    std::fs::create_dir_all(&repo_root).expect("mkdir");
    let server = StaticServer::start(&repo_root, ServeOptions::default());

    let web = work.path().join("src/web");
    write_chart(&web, "web", "");
    for v in ["1.0.0", "1.1.0"] {
        helm.package(&web, v, &repo_root);
    }
    let cache_chart = work.path().join("src/cache");
    write_chart(&cache_chart, "cache", "");
    let cache_archive = helm.package(&cache_chart, "0.3.0", &work.path().join("pkg"));
    registry.push(&helm, &cache_archive, None);

    let app = work.path().join("src/app");
    write_chart(
        &app,
        "app",
        &format!(
            "dependencies:\n- name: web\n  version: ~1.1.0\n  repository: {}\n\
             - name: cache\n  version: 0.3.0\n  repository: {}\n",
            server.url(),
            registry.repo()
        ),
    );
    helm.run(&["repo", "index", repo_root.to_str().expect("utf-8")]);
    helm.run(&["repo", "add", "local", &server.url()]);
    helm.run_in(Some(&app), &["dependency", "update", ".", "--plain-http"]);
    // Served without charts/: the renderer must fetch web and cache itself, from Chart.lock.
    std::fs::remove_dir_all(app.join("charts")).expect("unvendor");
    let packaged = work.path().join("pkg/app-2.0.0.tgz");
    let listing = tar_without_charts(&app, "app", "2.0.0", &packaged);
    assert!(listing.iter().any(|p| p == "app/Chart.lock"), "{listing:?}");
    std::fs::copy(&packaged, repo_root.join("app-2.0.0.tgz")).expect("copy");
    helm.run(&["repo", "index", repo_root.to_str().expect("utf-8")]);

    let release = release_file(work.path(), "shop", "web", &server.url(), "app", "2.0.0");

    // The oracle: helm pulls the same chart, builds its dependencies and templates it.
    let pulled = work.path().join("pulled");
    helm.run(&[
        "pull",
        "app",
        "--repo",
        &server.url(),
        "--version",
        "2.0.0",
        "--untar",
        "-d",
        pulled.to_str().expect("utf-8"),
    ]);
    helm.run_in(
        Some(&pulled.join("app")),
        &["dependency", "build", ".", "--plain-http"],
    );
    let expected = helm.run(&[
        "template",
        "shop",
        pulled.join("app").to_str().expect("utf-8"),
        "-n",
        "web",
        "-f",
        work.path().join("values.yaml").to_str().expect("utf-8"),
    ]);
    assert!(
        expected.contains("# Source: app/charts/web/templates/deployment.yaml"),
        "{expected}"
    );
    assert!(expected.contains("version: \"1.1.0\""), "{expected}");

    let cache = work.path().join("cache");
    let out = planton(&[
        "pull",
        &release,
        "--cache",
        cache.to_str().expect("utf-8"),
        "--plain-http",
    ]);
    let line = stdout_ok(&out);
    assert!(line.starts_with("app 2.0.0 sha256:"), "{line}");
    assert!(line.contains("dependency web 1.1.0 from"), "{line}");
    assert!(
        line.contains("dependency cache 0.3.0 from oci://"),
        "{line}"
    );

    // The release names a plain-HTTP repository: render validates it like `validate` does and
    // refuses it (PH020) unless the rule is switched off, as one does for a local dev server.
    let refused = planton(&[
        "render",
        &release,
        "--cache",
        cache.to_str().expect("utf-8"),
        "--offline",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("shop.yaml:7:3: error[PH020] spec.repo:")
            && stderr.contains("nothing was rendered"),
        "{stderr}"
    );
    assert!(refused.stdout.is_empty());

    let got = stdout_ok(&planton(&[
        "render",
        &release,
        "--cache",
        cache.to_str().expect("utf-8"),
        "--offline",
        "--disable",
        "PH020",
    ]));
    assert_eq!(got, expected);
}

#[test]
fn pull_reports_wrong_credentials_and_missing_versions() {
    let helm = Helm::new();
    let work = TempDir::new("cli-auth");
    let registry = Registry::start(Some(("ci-bot", "s3cret")));
    let src = work.path().join("src/web");
    write_chart(&src, "web", "");
    for v in ["1.0.0", "1.1.0"] {
        let archive = helm.package(&src, v, &work.path().join("pkg"));
        registry.push(&helm, &archive, Some(("ci-bot", "s3cret")));
    }
    let cache = work.path().join("cache");
    let cache = cache.to_str().expect("utf-8");
    let repo = registry.repo();
    let base = [
        "pull",
        &repo,
        "web",
        "1.1.0",
        "--cache",
        cache,
        "--plain-http",
    ];

    let out = planton(&[&base[..], &["--username", "ci-bot", "--password", "nope"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("401 Unauthorized"), "{stderr}");
    assert!(
        stderr.contains("refused the credentials of user \"ci-bot\""),
        "{stderr}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_planton-helm"))
        .args([
            "pull",
            &repo,
            "web",
            "1.2.0",
            "--cache",
            cache,
            "--plain-http",
        ])
        .env("PLANTON_HELM_USERNAME", "ci-bot")
        .env("PLANTON_HELM_PASSWORD", "s3cret")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("version \"1.2.0\" not found")
            && stderr.contains("(nearest: 1.0.0, 1.1.0; 2 versions in all)"),
        "{stderr}"
    );

    let dest = work.path().join("dest");
    let out = planton(
        &[
            &base[..],
            &[
                "--username",
                "ci-bot",
                "--password",
                "s3cret",
                "-d",
                dest.to_str().expect("utf-8"),
            ],
        ]
        .concat(),
    );
    let line = stdout_ok(&out);
    assert!(
        line.starts_with("web 1.1.0 sha256:") && line.trim_end().ends_with(" pulled"),
        "{line}"
    );
    assert_eq!(
        std::fs::read(dest.join("web-1.1.0.tgz")).expect("written"),
        std::fs::read(work.path().join("pkg/web-1.1.0.tgz")).expect("packaged")
    );
}

/// Packages `dir` as helm would lay it out (`root/...`) into `out`, skipping `charts/`; returns the
/// archive's paths. `helm package` refuses a chart whose dependencies are missing.
fn tar_without_charts(dir: &Path, root: &str, version: &str, out: &Path) -> Vec<String> {
    let chart_yaml = std::fs::read_to_string(dir.join("Chart.yaml")).expect("Chart.yaml");
    let chart_yaml = chart_yaml.replace("version: 0.0.0", &format!("version: {version}"));
    let mut files = vec![("Chart.yaml".to_string(), chart_yaml.into_bytes())];
    for rel in [
        "Chart.lock",
        "values.yaml",
        "templates/_helpers.tpl",
        "templates/configmap.yaml",
        "templates/deployment.yaml",
    ] {
        files.push((
            rel.to_string(),
            std::fs::read(dir.join(rel)).expect("chart file"),
        ));
    }
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut listing = Vec::new();
    for (rel, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        let path = format!("{root}/{rel}");
        tar.append_data(&mut h, &path, data.as_slice())
            .expect("append");
        listing.push(path);
    }
    std::fs::create_dir_all(out.parent().expect("parent")).expect("mkdir");
    std::fs::write(out, tar.into_inner().expect("tar").finish().expect("gz")).expect("write");
    listing
}

/// The lines of a rendered stream without document separators and `# Source:` headers, counted.
fn line_counts(text: &str) -> std::collections::BTreeMap<String, i64> {
    let mut m = std::collections::BTreeMap::new();
    for l in text.lines() {
        if l != "---" && !l.starts_with("# Source:") {
            *m.entry(l.to_string()).or_insert(0) += 1;
        }
    }
    m
}

#[test]
fn diff_shows_what_a_version_bump_changes_as_helm_renders_it() {
    let helm = Helm::new();
    let work = TempDir::new("cli-diff");
    let registry = Registry::start(None);
    let src = work.path().join("src/web");
    write_chart(&src, "web", "");
    for v in ["1.0.0", "1.1.0"] {
        let archive = helm.package(&src, v, &work.path().join("pkg"));
        registry.push(&helm, &archive, None);
    }
    let (before_dir, after_dir) = (work.path().join("before"), work.path().join("after"));
    std::fs::create_dir_all(&before_dir).expect("mkdir");
    std::fs::create_dir_all(&after_dir).expect("mkdir");
    let before = release_file(
        &before_dir,
        "web-prod",
        "apps",
        &registry.repo(),
        "web",
        "1.0.0",
    );
    let after = release_file(
        &after_dir,
        "web-prod",
        "apps",
        &registry.repo(),
        "web",
        "1.1.0",
    );
    // The change also adds a second release.
    let mut text = std::fs::read_to_string(&after).expect("read");
    text.push_str(&format!(
        "---\napiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\n\
         metadata:\n  name: web-canary\n  namespace: apps\n\
         spec:\n  repo: {}\n  name: web\n  version: 1.1.0\n",
        registry.repo()
    ));
    std::fs::write(&after, text).expect("write");
    let cache = work.path().join("cache");
    let cache = cache.to_str().expect("utf-8");
    let oracle = |version: &str| {
        helm.run(&[
            "template",
            "web-prod",
            &format!("{}/web", registry.repo()),
            "--version",
            version,
            "--plain-http",
            "-n",
            "apps",
            "-f",
            before_dir.join("values.yaml").to_str().expect("utf-8"),
        ])
    };
    let (old, new) = (oracle("1.0.0"), oracle("1.1.0"));

    let out = planton(&["diff", &before, &after, "--cache", cache, "--plain-http"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        report.starts_with("HelmRelease apps/web-canary installed: (none) -> web 1.1.0\n"),
        "{report}"
    );
    assert!(
        report.contains("\nHelmRelease apps/web-prod upgraded: web 1.0.0 -> web 1.1.0\n"),
        "{report}"
    );
    assert!(
        report.contains("apps/v1 Deployment apps/web-prod-web changed\n"),
        "{report}"
    );
    assert!(
        report.contains("v1 ConfigMap apps/web-prod-web changed\n"),
        "{report}"
    );

    // The removed and added lines of web-prod are exactly how helm's two renders differ.
    let prod = &report[report.find("HelmRelease apps/web-prod").expect("prod")..];
    let mut got = std::collections::BTreeMap::new();
    for l in prod.lines() {
        if l.starts_with("---") || l.starts_with("+++") {
            continue;
        }
        if let Some(rest) = l.strip_prefix('-') {
            *got.entry(rest.to_string()).or_insert(0) -= 1;
        } else if let Some(rest) = l.strip_prefix('+') {
            *got.entry(rest.to_string()).or_insert(0) += 1;
        }
    }
    let mut want = line_counts(&new);
    for (l, n) in line_counts(&old) {
        *want.entry(l).or_insert(0) -= n;
    }
    want.retain(|_, n| *n != 0);
    got.retain(|_, n| *n != 0);
    assert!(!want.is_empty());
    assert_eq!(got, want, "{report}");

    // No change: exit 0 and nothing printed; a broken file: exit 2.
    let same = planton(&["diff", &before, &before, "--cache", cache, "--offline"]);
    assert_eq!(same.status.code(), Some(0));
    assert!(same.stdout.is_empty());
    let missing = planton(&[
        "diff",
        &before,
        "no/such.yaml",
        "--cache",
        cache,
        "--offline",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no/such.yaml"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}

/// A chart written the way public charts are: switches tested with `if`, a replica count and a
/// hostname from values, an optional Ingress.
fn write_blog_chart(dir: &Path) {
    let files: &[(&str, &str)] = &[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: blog\ndescription: A blog for Project Planton manifest tests\ntype: application\nversion: 0.0.0\nappVersion: \"6.4.2\"\n",
        ),
        (
            "values.yaml",
            "replicaCount: 1\nwordpressUsername: user\nservice:\n  type: ClusterIP\n  port: 80\ningress:\n  enabled: false\n  hostname: blog.local\n  pathType: ImplementationSpecific\npersistence:\n  enabled: false\n  size: 8Gi\n",
        ),
        (
            "templates/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-blog\n  namespace: {{ .Release.Namespace }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  selector:\n    matchLabels:\n      app: {{ .Release.Name }}\n  template:\n    metadata:\n      labels:\n        app: {{ .Release.Name }}\n    spec:\n      containers:\n        - name: blog\n          image: \"registry.example/blog:{{ .Chart.AppVersion }}\"\n          env:\n            - name: BLOG_USERNAME\n              value: {{ .Values.wordpressUsername | quote }}\n          {{- if .Values.persistence.enabled }}\n          volumeMounts:\n            - name: data\n              mountPath: /data\n      volumes:\n        - name: data\n          persistentVolumeClaim:\n            claimName: {{ .Release.Name }}-data\n          {{- end }}\n",
        ),
        (
            "templates/service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-blog\n  namespace: {{ .Release.Namespace }}\nspec:\n  type: {{ .Values.service.type }}\n  ports:\n    - port: {{ .Values.service.port }}\n  selector:\n    app: {{ .Release.Name }}\n",
        ),
        (
            "templates/ingress.yaml",
            "{{- if .Values.ingress.enabled }}\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ .Release.Name }}-blog\n  namespace: {{ .Release.Namespace }}\nspec:\n  rules:\n    - host: {{ .Values.ingress.hostname | quote }}\n      http:\n        paths:\n          - path: /\n            pathType: {{ .Values.ingress.pathType }}\n            backend:\n              service:\n                name: {{ .Release.Name }}-blog\n                port:\n                  number: {{ .Values.service.port }}\n{{- end }}\n",
        ),
        (
            "templates/pvc.yaml",
            "{{- if .Values.persistence.enabled }}\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ .Release.Name }}-data\n  namespace: {{ .Release.Namespace }}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {{ .Values.persistence.size | quote }}\n{{- end }}\n",
        ),
    ];
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write chart file");
    }
}

/// A Project Planton manifest as its published examples write it: kind HelmRelease,
/// snake_case fields, a target cluster, the namespace as `namespace.value`, string leaves.
fn planton_file(dir: &Path, file: &str, repo: &str, values: &str) -> String {
    let indented: String = values.lines().map(|l| format!("    {l}\n")).collect();
    let text = format!(
        "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\n\
         metadata:\n  name: blog\n\
         spec:\n  target_cluster:\n    cluster_name: my-cluster\n  namespace:\n    value: wordpress\n  \
         create_namespace: true\n  repo: {repo}\n  name: blog\n  version: 19.0.0\n  values:\n{indented}"
    );
    let path = dir.join(file);
    std::fs::write(&path, text).expect("write release");
    path.to_str().expect("utf-8").to_string()
}

#[test]
fn render_and_diff_of_project_planton_manifests_equal_helm_template() {
    // Planton's API declares values as a map of strings; its examples nest maps whose leaves
    // are strings. Planton hands them to Helm as a values map, which is what `-f` gives helm.
    const FLAT: &str =
        "replicaCount: \"2\"\nwordpressUsername: \"admin\"\nservice.type: \"NodePort\"\n";
    const NESTED: &str = "replicaCount: \"3\"\nwordpressUsername: \"admin\"\ningress:\n  enabled: \"true\"\n  hostname: \"blog.example.com\"\n  pathType: \"Prefix\"\npersistence:\n  enabled: \"false\"\n  size: \"10Gi\"\nservice:\n  type: \"ClusterIP\"\n";
    let helm = Helm::new();
    let work = TempDir::new("cli-planton");
    let registry = Registry::start(None);
    let src = work.path().join("src/blog");
    write_blog_chart(&src);
    let archive = helm.package(&src, "19.0.0", &work.path().join("pkg"));
    registry.push(&helm, &archive, None);
    let cache = work.path().join("cache");
    let cache = cache.to_str().expect("utf-8");

    let mut rendered = Vec::new();
    for (style, values) in [("flat", FLAT), ("nested", NESTED)] {
        let release = planton_file(
            work.path(),
            &format!("{style}.yaml"),
            &registry.repo(),
            values,
        );
        let values_file = work.path().join(format!("{style}-values.yaml"));
        std::fs::write(&values_file, values).expect("write values");
        let expected = helm.run(&[
            "template",
            "blog",
            &format!("{}/blog", registry.repo()),
            "--version",
            "19.0.0",
            "--plain-http",
            "-n",
            "wordpress",
            "-f",
            values_file.to_str().expect("utf-8"),
        ]);
        let out = planton(&["render", &release, "--cache", cache, "--plain-http"]);
        let got = stdout_ok(&out);
        assert_eq!(got, expected, "{style}");
        assert!(got.contains("namespace: wordpress"), "{got}");
        rendered.push((
            release,
            got,
            String::from_utf8_lossy(&out.stderr).to_string(),
        ));
    }
    let (flat, nested) = (&rendered[0], &rendered[1]);
    assert!(flat.1.contains("replicas: 2") && !flat.1.contains("kind: Ingress"));
    // A flat key with a dot is a key, not a path (as in a values file): the chart's
    // service.type stays its default.
    assert!(flat.1.contains("type: ClusterIP"), "{}", flat.1);
    // The string "false" switches persistence on, in helm as here; validation warns about it.
    assert!(nested.1.contains("kind: Ingress") && nested.1.contains("kind: PersistentVolumeClaim"));
    assert!(
        nested
            .2
            .contains("warning[PH051] spec.values.persistence.enabled"),
        "{}",
        nested.2
    );

    // diff reads the same manifests: going from the flat to the nested values adds the Ingress.
    let out = planton(&["diff", &flat.0, &nested.0, "--cache", cache, "--plain-http"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        report.starts_with("HelmRelease wordpress/blog upgraded: blog 19.0.0 -> blog 19.0.0\n"),
        "{report}"
    );
    assert!(
        report.contains("networking.k8s.io/v1 Ingress wordpress/blog-blog added\n"),
        "{report}"
    );
    registry.stop();
}
