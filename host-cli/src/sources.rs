//! `planton-helm pull` and `planton-helm render`: charts fetched by `chart-source` into the local
//! cache, then rendered in the sandbox as `helm template` would render them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use chart_source::{ChartRef, Credentials, FetchedChart, Fetcher, Options, Origin, Progress};
use clap::Args;
use helmrelease_model::defaults;
use host_runtime::{
    Capabilities, ChartSource, Config, HostServices, OfflineHost, ReleaseInfo, RenderOptions,
    RenderOutput, RenderRequest, Runtime, Severity, SourceFile, ValidateRequest, ValuesLayer,
};

use crate::units;

/// Where charts come from and how they are reached: shared by `pull` and `render`.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Chart cache directory (default: $XDG_CACHE_HOME/planton-helm/charts)
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,

    /// Use only the cache; fail for a chart that is not in it
    #[arg(long)]
    offline: bool,

    /// Repository or registry username (also $PLANTON_HELM_USERNAME)
    #[arg(long)]
    username: Option<String>,

    /// Repository or registry password (also $PLANTON_HELM_PASSWORD)
    #[arg(long)]
    password: Option<String>,

    /// Trust the CA certificates in this PEM file besides the system's
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,

    /// Talk to OCI registries over plain HTTP (local registries only)
    #[arg(long)]
    plain_http: bool,

    /// Timeout for connecting and for each read (Go duration: 30s, 2m)
    #[arg(long, value_name = "DURATION", value_parser = units::parse_duration, default_value = "60s")]
    fetch_timeout: Duration,
}

impl SourceArgs {
    fn fetcher(&self) -> anyhow::Result<Fetcher> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let username = self
            .username
            .clone()
            .or_else(|| env("PLANTON_HELM_USERNAME"));
        let password = self
            .password
            .clone()
            .or_else(|| env("PLANTON_HELM_PASSWORD"));
        let credentials = match (username, password) {
            (Some(username), Some(password)) => Some(Credentials { username, password }),
            (None, None) => None,
            _ => bail!("--username and --password go together: give both or neither"),
        };
        let ca_pem = self
            .ca_file
            .as_ref()
            .map(|p| std::fs::read(p).with_context(|| format!("read the CA file {}", p.display())))
            .transpose()?;
        let mut options = Options {
            offline: self.offline,
            timeout: self.fetch_timeout,
            ca_pem,
            credentials,
            plain_http: self.plain_http,
            progress: TerminalProgress::new().map(|p| Arc::new(p) as Arc<dyn Progress>),
            ..Options::default()
        };
        if let Some(dir) = &self.cache {
            options.cache_dir = dir.clone();
        }
        Ok(Fetcher::new(options)?)
    }
}

/// Progress on stderr when it is a terminal and not in CI; nothing otherwise.
struct TerminalProgress {
    last: Mutex<u64>,
}

impl TerminalProgress {
    fn new() -> Option<Self> {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        (std::io::stderr().is_terminal() && !ci).then(|| TerminalProgress {
            last: Mutex::new(0),
        })
    }
}

impl Progress for TerminalProgress {
    fn update(&self, label: &str, done: u64, total: Option<u64>) {
        let mut last = self.last.lock().expect("progress lock");
        if done != 0 && done - *last < 64 << 10 && Some(done) != total {
            return;
        }
        *last = done;
        let total = total.map_or(String::new(), |t| format!(" / {}", kib(t)));
        eprint!("\r\x1b[2Kpulling {label}  {}{total}", kib(done));
    }

    fn done(&self, label: &str, bytes: u64) {
        *self.last.lock().expect("progress lock") = 0;
        eprintln!("\r\x1b[2Kpulled {label} ({})", kib(bytes));
    }
}

fn kib(n: u64) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

/// `planton-helm pull <release.yaml | REPO NAME VERSION>`
#[derive(Debug, Args)]
pub struct PullArgs {
    /// A HelmRelease file (every HelmRelease in it is pulled), or REPO NAME VERSION
    #[arg(value_name = "RELEASE.yaml | REPO NAME VERSION", required = true, num_args = 1..=3)]
    target: Vec<String>,

    /// Also write each chart archive (NAME-VERSION.tgz) into this directory
    #[arg(short = 'd', long, value_name = "DIR")]
    destination: Option<PathBuf>,

    #[command(flatten)]
    source: SourceArgs,
}

/// Pulls the charts into the cache and prints one line per chart.
pub fn pull(args: &PullArgs) -> anyhow::Result<String> {
    let charts = match args.target.as_slice() {
        [file] => releases_in(Path::new(file))?
            .into_iter()
            .map(|r| r.chart)
            .collect(),
        [repo, name, version] => vec![ChartRef::new(repo, name, version)],
        _ => bail!("pull takes a HelmRelease file, or REPO NAME VERSION"),
    };
    let fetcher = args.source.fetcher()?;
    let mut out = String::new();
    for chart in charts {
        let fetched = fetcher
            .fetch_blocking(&chart)
            .with_context(|| format!("pull {chart}"))?;
        if let Some(dir) = &args.destination {
            std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
            let path = dir.join(format!("{}-{}.tgz", chart.name, chart.version));
            std::fs::write(&path, &fetched.archive)
                .with_context(|| format!("write {}", path.display()))?;
        }
        out.push_str(&summary(&fetched));
        out.push('\n');
    }
    Ok(out)
}

fn summary(f: &FetchedChart) -> String {
    let mut line = format!(
        "{} {} {} {}",
        f.chart.name,
        f.chart.version,
        f.digest,
        match f.origin {
            Origin::Cache => "cached",
            Origin::Network => "pulled",
        }
    );
    for d in &f.added_dependencies {
        line.push_str(&format!(
            ", dependency {} {} from {}",
            d.name, d.version, d.repo
        ));
    }
    line
}

/// `planton-helm render FILE... [--offline] [--output-dir DIR]`
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// HelmRelease files (YAML, several documents allowed; other kinds are skipped)
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,

    /// Write each release to DIR/NAMESPACE/RELEASE.yaml instead of stdout
    #[arg(short = 'o', long, value_name = "DIR")]
    output_dir: Option<PathBuf>,

    #[command(flatten)]
    settings: RenderSettings,
}

/// How releases are rendered: shared by `render` and `diff`.
#[derive(Debug, Args)]
pub struct RenderSettings {
    /// Include CRDs in the output
    #[arg(long)]
    include_crds: bool,

    #[command(flatten)]
    capabilities: crate::template::CapabilityArgs,

    #[command(flatten)]
    source: SourceArgs,

    #[command(flatten)]
    policies: crate::validate::PolicyArgs,
}

/// One HelmRelease document, as far as rendering needs it.
pub(crate) struct Release {
    pub(crate) file: PathBuf,
    pub(crate) chart: ChartRef,
    pub(crate) release_name: String,
    pub(crate) namespace: String,
    /// `spec.values` as JSON text (a YAML document for the core), if any.
    pub(crate) values: Option<String>,
}

/// The HelmRelease documents of a file.
pub(crate) fn releases_in(path: &Path) -> anyhow::Result<Vec<Release>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    releases_from(path, &text)
}

fn releases_from(path: &Path, text: &str) -> anyhow::Result<Vec<Release>> {
    let docs: Vec<serde_json::Value> = serde_saphyr::from_str_multiple(text)
        .map_err(|e| anyhow!("{}: not YAML: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        if !is_helmrelease(doc) {
            continue;
        }
        let at = || format!("{} (document {})", path.display(), i + 1);
        let spec = doc
            .get("spec")
            .ok_or_else(|| anyhow!("{}: HelmRelease has no spec", at()))?;
        let field = |name: &str| -> anyhow::Result<String> {
            spec.get(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| anyhow!("{}: spec.{name} is missing or not a string", at()))
        };
        let meta = |name: &str| {
            doc.get("metadata")
                .and_then(|m| m.get(name))
                .and_then(|v| v.as_str())
        };
        let opt = |name: &str| spec.get(name).and_then(|v| v.as_str());
        let release_name = defaults::release_name(opt("releaseName"), meta("name"))
            .ok_or_else(|| anyhow!("{}: set metadata.name or spec.releaseName", at()))?
            .to_string();
        // Project Planton spells the target namespace `namespace.value` (`namespace.value_from`
        // is refused by validation, which runs first).
        let planton_namespace = spec
            .get("namespace")
            .and_then(|n| n.get("value"))
            .and_then(|v| v.as_str());
        let namespace = defaults::target_namespace(
            opt("targetNamespace"),
            planton_namespace,
            meta("namespace"),
        )
        .to_string();
        let values = match spec.get("values") {
            None | Some(serde_json::Value::Null) => None,
            Some(v @ serde_json::Value::Object(_)) => Some(v.to_string()),
            Some(_) => bail!("{}: spec.values must be a map", at()),
        };
        out.push(Release {
            file: path.to_path_buf(),
            chart: ChartRef::new(field("repo")?, field("name")?, field("version")?),
            release_name,
            namespace,
            values,
        });
    }
    Ok(out)
}

/// Whether a document is one the validator checks: a HelmRelease of our API group, in its own
/// shape or Project Planton's (kind `KubernetesHelmRelease`). Other kinds, and other groups'
/// HelmReleases (Flux's), are skipped.
fn is_helmrelease(doc: &serde_json::Value) -> bool {
    let group = doc
        .get("apiVersion")
        .and_then(|v| v.as_str())
        .and_then(|v| v.split_once('/'))
        .map(|(g, _)| g);
    let kind = doc.get("kind").and_then(|k| k.as_str());
    group == Some(GROUP) && matches!(kind, Some("HelmRelease" | "KubernetesHelmRelease"))
}

/// The API group of HelmRelease and of Project Planton's manifests.
const GROUP: &str = "kubernetes.project-planton.org";

/// What `render` produced: the text for stdout (empty with `--output-dir`) and the files written.
pub struct Rendered {
    pub stdout: String,
    pub written: Vec<PathBuf>,
}

/// Validates the files, fetches every release's chart and renders it.
pub fn render(args: &RenderArgs, config: Config) -> anyhow::Result<Rendered> {
    let runtime = Runtime::new(config)?;
    let mut stdout = String::new();
    let mut written = Vec::new();
    for (release, output) in render_files(&args.files, &args.settings, &runtime)? {
        match &args.output_dir {
            Some(dir) => {
                let path = dir
                    .join(&release.namespace)
                    .join(format!("{}.yaml", release.release_name));
                std::fs::create_dir_all(path.parent().expect("has a parent"))
                    .with_context(|| format!("create {}", dir.display()))?;
                std::fs::write(&path, &output.text)
                    .with_context(|| format!("write {}", path.display()))?;
                written.push(path);
            }
            None => stdout.push_str(&output.text),
        }
    }
    Ok(Rendered { stdout, written })
}

/// How one release is rendered: as what revision, with which `.Capabilities`, and who answers
/// the templates' `lookup`.
pub(crate) struct Plan<H> {
    pub(crate) release: ReleaseInfo,
    pub(crate) capabilities: Capabilities,
    pub(crate) host: H,
}

/// Every HelmRelease in `files`, validated, fetched and rendered as `helm template` would:
/// revision 1, an install, `.Capabilities` from the flags, no cluster.
fn render_files(
    files: &[PathBuf],
    settings: &RenderSettings,
    runtime: &Runtime,
) -> anyhow::Result<Vec<(Release, RenderOutput)>> {
    render_files_with(files, settings, runtime, |release| {
        Ok(Plan {
            release: ReleaseInfo {
                name: release.release_name.clone(),
                namespace: release.namespace.clone(),
                revision: 1,
                is_install: true,
                is_upgrade: false,
            },
            capabilities: settings.capabilities.capabilities(),
            host: OfflineHost::default(),
        })
    })
}

/// Every HelmRelease in `files`, validated, fetched and rendered as `plan` says (called once
/// per release, after its chart is fetched).
pub(crate) fn render_files_with<H: HostServices + 'static>(
    files: &[PathBuf],
    settings: &RenderSettings,
    runtime: &Runtime,
    mut plan: impl FnMut(&Release) -> anyhow::Result<Plan<H>>,
) -> anyhow::Result<Vec<(Release, RenderOutput)>> {
    let mut releases = Vec::new();
    let mut documents = Vec::new();
    for file in files {
        let data = std::fs::read(file).with_context(|| format!("read {}", file.display()))?;
        let text = String::from_utf8(data.clone())
            .map_err(|_| anyhow!("{}: not UTF-8 text", file.display()))?;
        releases.extend(releases_from(file, &text)?);
        documents.push(SourceFile {
            path: file.display().to_string(),
            data,
        });
    }
    if releases.is_empty() {
        bail!("no HelmRelease in {}", list(files));
    }
    validate(runtime, documents, &settings.policies)?;
    let fetcher = settings.source.fetcher()?;
    let mut out = Vec::new();
    for release in releases {
        let fetched = fetcher.fetch_blocking(&release.chart).with_context(|| {
            format!(
                "{}: release {}: fetch {}",
                release.file.display(),
                release.release_name,
                release.chart
            )
        })?;
        let plan = plan(&release)?;
        let request = RenderRequest {
            chart: ChartSource::Archive(fetched.archive),
            values: release
                .values
                .iter()
                .map(|v| {
                    ValuesLayer::YamlFile(SourceFile {
                        path: format!("{} (spec.values)", release.file.display()),
                        data: v.clone().into_bytes(),
                    })
                })
                .collect(),
            release: plan.release,
            capabilities: plan.capabilities,
            options: RenderOptions {
                include_crds: settings.include_crds,
                skip_tests: false,
                no_hooks: false,
                show_only: Vec::new(),
            },
        };
        let result = runtime.render(&request, plan.host);
        crate::template::print_logs(&result);
        let output = result.with_context(|| {
            format!(
                "{}: release {}",
                release.file.display(),
                release.release_name
            )
        })?;
        out.push((release, output));
    }
    Ok(out)
}

/// What `diff` found: the report for stdout and whether anything changed.
pub struct Diffed {
    pub stdout: String,
    pub changed: bool,
}

/// One rendered object, keyed the way the cluster knows it.
fn objects(release: &Release, out: &RenderOutput) -> std::collections::BTreeMap<String, String> {
    let mut map = std::collections::BTreeMap::new();
    for m in out.manifests.iter().chain(&out.hooks) {
        let namespace = m.namespace.as_deref().unwrap_or(&release.namespace);
        let key = if m.kind.is_empty() {
            format!("{} (no kind)", m.source)
        } else {
            format!("{} {} {namespace}/{}", m.api_version, m.kind, m.name)
        };
        let mut body = m.body.clone();
        if !body.ends_with('\n') {
            body.push('\n');
        }
        map.entry(key).or_insert_with(String::new).push_str(&body);
    }
    map
}

/// Renders both files and prints, per release and per object, what would change: objects
/// added, removed, and unified diffs (`context` lines around each change) of the changed ones.
pub fn diff_files(
    before: &Path,
    after: &Path,
    context: usize,
    settings: &RenderSettings,
    config: Config,
) -> anyhow::Result<Diffed> {
    let runtime = Runtime::new(config)?;
    let side = |file: &Path| -> anyhow::Result<std::collections::BTreeMap<String, (Release, RenderOutput)>> {
        Ok(render_files(&[file.to_path_buf()], settings, &runtime)?
            .into_iter()
            .map(|(r, o)| (format!("{}/{}", r.namespace, r.release_name), (r, o)))
            .collect())
    };
    let before = side(before)?;
    let after = side(after)?;
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    let mut stdout = String::new();
    let mut changed = false;
    for name in names {
        let (old, new) = (before.get(name), after.get(name));
        let old_objects = old.map(|(r, o)| objects(r, o)).unwrap_or_default();
        let new_objects = new.map(|(r, o)| objects(r, o)).unwrap_or_default();
        let chart = |side: Option<&(Release, RenderOutput)>| {
            side.map_or("(none)".to_string(), |(r, _)| {
                format!("{} {}", r.chart.name, r.chart.version)
            })
        };
        let mut report = String::new();
        let mut keys: Vec<&String> = old_objects.keys().chain(new_objects.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let (a, b) = (old_objects.get(key), new_objects.get(key));
            if a == b {
                continue;
            }
            let what = match (a, b) {
                (None, Some(_)) => "added",
                (Some(_), None) => "removed",
                _ => "changed",
            };
            report.push_str(&format!("{key} {what}\n"));
            let (a, b) = (a.map_or("", String::as_str), b.map_or("", String::as_str));
            let text = similar::TextDiff::from_lines(a, b)
                .unified_diff()
                .context_radius(context)
                .header(&format!("before/{key}"), &format!("after/{key}"))
                .to_string();
            report.push_str(&text);
        }
        if report.is_empty() && old.is_some() == new.is_some() {
            continue;
        }
        changed = true;
        let state = match (old, new) {
            (None, _) => "installed",
            (_, None) => "uninstalled",
            _ => "upgraded",
        };
        stdout.push_str(&format!(
            "HelmRelease {name} {state}: {} -> {}\n{report}",
            chart(old),
            chart(new)
        ));
    }
    Ok(Diffed { stdout, changed })
}

/// Runs the core's validation (with the user's policy pack and disabled codes) over the files;
/// any error stops the render before anything is fetched.
fn validate(
    runtime: &Runtime,
    documents: Vec<SourceFile>,
    policies: &crate::validate::PolicyArgs,
) -> anyhow::Result<()> {
    let request = ValidateRequest {
        documents,
        policies: crate::validate::read_policies(&policies.policy)?,
        disabled: policies.disable.clone(),
    };
    let diagnostics = runtime.validate(&request, OfflineHost::default())?;
    let mut errors = 0;
    let mut stderr = std::io::stderr().lock();
    for d in &diagnostics {
        let severity = match d.severity {
            Severity::Error => {
                errors += 1;
                "error"
            }
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let place = match (&d.file, d.line, d.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}: "),
            (Some(f), Some(l), None) => format!("{f}:{l}: "),
            (Some(f), None, _) => format!("{f}: "),
            _ => String::new(),
        };
        let _ = writeln!(
            stderr,
            "{place}{severity}[{}] {}: {}",
            d.code,
            d.path.as_deref().unwrap_or_default(),
            d.message
        );
    }
    if errors > 0 {
        bail!("validation failed with {errors} error(s); nothing was rendered");
    }
    Ok(())
}

fn list(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helmreleases_are_read_with_their_defaults() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n\
            apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\n\
            metadata: {name: web, namespace: apps}\n\
            spec:\n  repo: oci://r/charts\n  name: web\n  version: 1.2.3\n  values: {replicaCount: 2}\n---\n\
            apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {name: api}\n\
            spec: {repo: 'https://h/c', name: api, version: 0.1.0, releaseName: api-v2, targetNamespace: edge}\n";
        let r = releases_from(Path::new("r.yaml"), text).expect("parses");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].chart, ChartRef::new("oci://r/charts", "web", "1.2.3"));
        assert_eq!(
            (r[0].release_name.as_str(), r[0].namespace.as_str()),
            ("web", "apps")
        );
        assert_eq!(r[0].values.as_deref(), Some(r#"{"replicaCount":2}"#));
        assert_eq!(
            (r[1].release_name.as_str(), r[1].namespace.as_str()),
            ("api-v2", "edge")
        );
        assert!(r[1].values.is_none());
    }

    #[test]
    fn project_planton_manifests_are_read_in_both_value_styles() {
        let text = "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\n\
            metadata: {name: blog, namespace: default}\n\
            spec:\n  target_cluster: {cluster_name: my-cluster}\n  namespace: {value: wordpress}\n  \
            create_namespace: true\n  repo: https://h/c\n  name: wordpress\n  version: 19.0.0\n  \
            values:\n    ingress: {enabled: \"true\", hostname: blog.example.com}\n---\n\
            apiVersion: kubernetes.project-planton.org/v1\nkind: KubernetesHelmRelease\n\
            metadata: {name: flat}\n\
            spec: {namespace: {value: edge}, repo: 'https://h/c', name: api, version: 0.1.0, values: {image.tag: '1.2'}}\n---\n\
            apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: flux}\nspec: {}\n";
        let r = releases_from(Path::new("r.yaml"), text).expect("parses");
        assert_eq!(r.len(), 2, "Flux's HelmRelease is not ours");
        assert_eq!(
            (r[0].release_name.as_str(), r[0].namespace.as_str()),
            ("blog", "wordpress")
        );
        assert_eq!(
            r[0].values.as_deref(),
            Some(r#"{"ingress":{"enabled":"true","hostname":"blog.example.com"}}"#)
        );
        assert_eq!(
            (r[1].release_name.as_str(), r[1].namespace.as_str()),
            ("flat", "edge")
        );
        assert_eq!(r[1].values.as_deref(), Some(r#"{"image.tag":"1.2"}"#));
    }

    /// As the controller reads it (`helmrelease_model::defaults`): an empty Project Planton
    /// `namespace.value` is no namespace, so the HelmRelease's own namespace is the target.
    #[test]
    fn an_empty_planton_namespace_falls_back_to_the_helmreleases_own() {
        let text = "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\n\
            metadata: {name: blog, namespace: apps}\n\
            spec: {namespace: {value: ''}, repo: 'https://h/c', name: blog, version: 1.0.0}\n";
        let r = releases_from(Path::new("r.yaml"), text).expect("parses");
        assert_eq!(r[0].namespace, "apps");
    }

    #[test]
    fn a_helmrelease_without_version_names_the_field() {
        let err = releases_from(
            Path::new("r.yaml"),
            "apiVersion: kubernetes.project-planton.org/v1\nkind: HelmRelease\nmetadata: {name: w}\nspec: {repo: 'oci://r', name: w}\n",
        )
        .err()
        .expect("fails");
        assert_eq!(
            err.to_string(),
            "r.yaml (document 1): spec.version is missing or not a string"
        );
    }
}
