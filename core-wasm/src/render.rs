//! Rendering a chart: the native mirror of the WIT `render` export.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::chart::objects::{
    Capabilities as CapsObject, DEFAULT_API_VERSIONS, DEFAULT_KUBE_VERSION, Files, KubeVersion,
    VersionSet,
};
use crate::chart::{self, Chart, values};
use crate::funcs::{Ctx, FuncMap, Host};
use crate::template::exec::{GoError, Scope, Shared};
use crate::template::parse::{TreeSet, parse_into};
use crate::value::{Map, Value};

/// One file of a chart or of the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub data: Vec<u8>,
}

/// A chart as an archive or as files.
#[derive(Debug, Clone)]
pub enum ChartSource {
    Archive(Vec<u8>),
    Files(Vec<SourceFile>),
}

/// One layer of user values, in the order given.
#[derive(Debug, Clone)]
pub enum ValuesLayer {
    YamlFile(SourceFile),
    SetJson(String),
    Set(String),
    SetString(String),
    SetFile(String, String),
    SetLiteral(String),
}

/// `.Release`.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
    pub revision: u32,
    pub is_install: bool,
    pub is_upgrade: bool,
}

/// `.Capabilities` inputs; an empty `kube_version` means the reference Helm's default.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    pub kube_version: String,
    pub api_versions: Vec<String>,
}

/// `helm template` switches.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
    pub show_only: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RenderRequest {
    pub chart: ChartSource,
    pub values: Vec<ValuesLayer>,
    pub release: ReleaseInfo,
    pub capabilities: Capabilities,
    pub options: RenderOptions,
}

/// One rendered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub source: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub hook_events: Vec<String>,
    pub hook_weight: i32,
    pub hook_delete_policies: Vec<String>,
    pub body: String,
}

#[derive(Debug, Clone, Default)]
pub struct RenderOutput {
    pub text: String,
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<Manifest>,
    pub notes: String,
    /// Helm's log lines for stderr, in its slog text format.
    pub logs: Vec<String>,
}

/// Helm's error text, without the CLI's `Error: ` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    pub message: String,
    /// The error arose while rendering the templates (kubeVersion check onward), after Helm has
    /// made a release object: `helm template` then adds a hint about `--debug`.
    pub during_render: bool,
    /// Helm's log lines printed before the error.
    pub logs: Vec<String>,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RenderError {}

/// The most a render may print, in bytes: far above any real chart, low enough that a runaway
/// template fails with an error instead of exhausting the sandbox memory.
pub const MAX_OUTPUT: usize = 256 << 20;

fn fail(message: impl Into<String>) -> RenderError {
    RenderError {
        message: message.into(),
        during_render: false,
        logs: Vec::new(),
    }
}

/// An error of Helm's `renderResources` step, which `helm template` reports with its hint.
fn fail_rendering(message: impl Into<String>) -> RenderError {
    RenderError {
        message: message.into(),
        during_render: true,
        logs: Vec::new(),
    }
}

/// Render a chart as `helm template` does.
pub fn render(req: &RenderRequest, host: &mut dyn Host) -> Result<RenderOutput, RenderError> {
    let mut logs = Vec::new();
    match render_logging(req, host, &mut logs) {
        Ok(mut out) => {
            logs.append(&mut out.logs);
            out.logs = logs;
            Ok(out)
        }
        Err(mut e) => {
            logs.append(&mut e.logs);
            e.logs = logs;
            Err(e)
        }
    }
}

/// [`render`], with helm's log lines of the steps before assembly in `logs`.
fn render_logging(
    req: &RenderRequest,
    host: &mut dyn Host,
    logs: &mut Vec<String>,
) -> Result<RenderOutput, RenderError> {
    // The order of the checks is helm's: flags, chart loading, installability, missing
    // dependencies, the release name, dependency processing, values and schemas, kubeVersion.
    let kube = if req.capabilities.kube_version.is_empty() {
        KubeVersion::parse(DEFAULT_KUBE_VERSION)
    } else {
        KubeVersion::parse(&req.capabilities.kube_version)
    }
    .map_err(fail)?;
    let mut chart = match &req.chart {
        ChartSource::Archive(bytes) => chart::load_archive(bytes),
        ChartSource::Files(files) => chart::load_files(files.clone()),
    }
    .map_err(fail)?;
    if chart.is_library() {
        return Err(fail("library charts are not installable"));
    }
    chart::dependencies::check_present(&chart).map_err(fail)?;
    validate_release_name(&req.release.name).map_err(|message| {
        // helm logs the check's error before returning it.
        let logged = message
            .strip_prefix("release name check failed: ")
            .unwrap_or(&message);
        let log = format!(
            "level=ERROR msg=\"release name check failed\" error={}",
            slog_value(logged)
        );
        let mut e = fail(message.clone());
        e.logs.push(log);
        e
    })?;
    let user = values::user_values(&req.values).map_err(fail)?;
    chart::dependencies::process(&mut chart, &user, logs)
        .map_err(|e| fail(format!("chart dependencies processing failed: {e}")))?;
    let user = values::coalesce_values(&chart, &user, false).map_err(fail)?;
    chart::schema::validate_tree(&chart, &user).map_err(|e| {
        fail(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{e}"
        ))
    })?;
    let kube_constraint = chart.meta_str("kubeVersion");
    if !kube_constraint.is_empty() && !kube_compatible(&kube_constraint, &kube.git_version) {
        return Err(fail_rendering(format!(
            "chart requires kubeVersion: {kube_constraint} which is incompatible with Kubernetes {}",
            kube.git_version
        )));
    }
    let mut apis: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
    apis.extend(req.capabilities.api_versions.iter().cloned());
    let caps = Value::Object(Rc::new(CapsObject {
        kube,
        apis: VersionSet(apis),
    }));

    let mut release = BTreeMap::new();
    release.insert("Name".to_string(), Value::from(req.release.name.clone()));
    release.insert(
        "Namespace".to_string(),
        Value::from(req.release.namespace.clone()),
    );
    release.insert(
        "Revision".to_string(),
        Value::int(i64::from(req.release.revision)),
    );
    release.insert("IsInstall".to_string(), Value::Bool(req.release.is_install));
    release.insert("IsUpgrade".to_string(), Value::Bool(req.release.is_upgrade));
    release.insert("Service".to_string(), Value::str("Helm"));
    let release = Value::map(release);

    let mut tpls: Vec<Renderable> = Vec::new();
    collect(
        &chart,
        &chart.name(),
        true,
        Value::Map(user),
        &release,
        &caps,
        &mut tpls,
    );

    let funcs = FuncMap::helm();
    let mut ctx = Ctx::new(host);
    let mut shared = Shared::new(&funcs, &mut ctx, MAX_OUTPUT);
    // Deepest paths first, ties in descending byte order: a parent's define of a name then wins
    // over a subchart's, as in Helm.
    tpls.sort_by(|a, b| {
        let (ca, cb) = (a.name.matches('/').count(), b.name.matches('/').count());
        cb.cmp(&ca).then_with(|| b.name.cmp(&a.name))
    });
    let mut set = TreeSet::new();
    for t in &tpls {
        let text = String::from_utf8_lossy(&t.data);
        parse_into(&mut set, &t.name, &text, &|n| shared.is_func(n))
            .map_err(|e| fail_rendering(cleanup_parse_error(&t.name, &e)))?;
    }
    let scope = Scope::new(set);
    let mut rendered: Vec<(String, String)> = Vec::new();
    for t in &tpls {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if base.starts_with('_') {
            continue;
        }
        if let Value::Map(top) = &t.top {
            let mut tm = BTreeMap::new();
            tm.insert("Name".to_string(), Value::from(t.name.clone()));
            tm.insert("BasePath".to_string(), Value::from(t.base_path.clone()));
            top.insert("Template", Value::Map(Map::named(tm, "common.Values")));
        }
        let out = shared
            .execute(&scope, &t.name, t.top.clone())
            .map_err(|e| fail_rendering(helm_exec_error(&e)))?;
        rendered.push((t.name.clone(), out.replace("<no value>", "")));
    }

    let root_name = chart.name();
    let notes_path = format!("{root_name}/templates/NOTES.txt");
    let notes = rendered
        .iter()
        .find(|(n, _)| *n == notes_path)
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    rendered.retain(|(n, _)| !n.ends_with("NOTES.txt"));
    rendered.sort_by(|a, b| a.0.cmp(&b.0));
    assemble(&chart, rendered, notes, &req.options)
}

/// Helm's `--name-template`: `template` parsed as "name-template" and executed with Sprig's
/// function map (not Helm's: no `include`, `tpl` or `toYaml`) and no data. The error is Go's
/// text (`template: name-template:1: function "x" not defined`); the name itself is checked
/// later, by the render, as any release name.
pub fn template_name(template: &str, host: &mut dyn Host) -> Result<String, String> {
    let funcs = FuncMap::sprig();
    let mut set = TreeSet::new();
    let is_func = |n: &str| crate::template::exec::is_builtin(n) || funcs.contains(n);
    parse_into(&mut set, "name-template", template, &is_func)?;
    let mut ctx = Ctx::new(host);
    let mut shared = Shared::new(&funcs, &mut ctx, MAX_OUTPUT);
    shared
        .execute(&Scope::new(set), "name-template", Value::Nil)
        .map_err(|e| e.text().to_string())
}

/// Helm's `ValidateReleaseName`: a DNS-1123 subdomain of at most 53 characters.
fn validate_release_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!(
            "release name check failed: release name {}: no name provided",
            crate::gofmt::quote(name)
        ));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() > 53 || !name.split('.').all(label_ok) {
        return Err(format!(
            "release name check failed: release name {}: invalid release name, must match regex \
             ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length \
             must not be longer than 53",
            crate::gofmt::quote(name)
        ));
    }
    Ok(())
}

/// Helm's `IsCompatibleRange` for the chart's `kubeVersion` against the capabilities.
fn kube_compatible(constraint: &str, version: &str) -> bool {
    use crate::sprig::semver::{Constraints, Version};
    match (Constraints::parse(constraint), Version::parse(version)) {
        (Ok(c), Ok(v)) => c.check(&v),
        _ => false,
    }
}

/// One template file with the objects it sees.
struct Renderable {
    name: String,
    data: Vec<u8>,
    top: Value,
    base_path: String,
}

/// Helm's `recAllTpls`: every chart's templates keyed by `<chart path>/templates/...`, each
/// chart seeing its own slice of the values.
fn collect(
    chart: &Chart,
    path: &str,
    is_root: bool,
    values: Value,
    release: &Value,
    caps: &Value,
    out: &mut Vec<Renderable>,
) -> Value {
    let subcharts = Map::new();
    let files = Files(
        chart
            .files
            .iter()
            .map(|f| (f.path.clone(), Rc::from(f.data.clone())))
            .collect(),
    );
    let values = match values {
        Value::Map(m) => Value::Map(Map::named(m.borrow().clone(), "common.Values")),
        _ => Value::Map(Map::named(BTreeMap::new(), "common.Values")),
    };
    let mut top = BTreeMap::new();
    top.insert("Chart".to_string(), chart::chart_object(chart, is_root));
    top.insert("Files".to_string(), Value::Object(Rc::new(files)));
    top.insert("Release".to_string(), release.clone());
    top.insert("Capabilities".to_string(), caps.clone());
    top.insert("Values".to_string(), values.clone());
    top.insert("Subcharts".to_string(), Value::Map(subcharts.clone()));
    let top = Value::Map(Map::named(top, "common.Values"));
    for dep in &chart.dependencies {
        let name = dep.name();
        let sub_values = values
            .as_map()
            .and_then(|m| m.get(&name))
            .unwrap_or_else(|| Value::Map(Map::new()));
        let sub_path = format!("{path}/charts/{name}");
        let sub_top = collect(dep, &sub_path, false, sub_values, release, caps, out);
        subcharts.insert(name, sub_top);
    }
    let library = chart.is_library();
    for t in &chart.templates {
        let base = t.path.rsplit('/').next().unwrap_or(&t.path);
        if library && !base.starts_with('_') {
            continue;
        }
        out.push(Renderable {
            name: format!("{path}/{}", t.path),
            data: t.data.clone(),
            top: top.clone(),
            base_path: format!("{path}/templates"),
        });
    }
    top
}

/// Helm's `cleanupParseError`.
fn cleanup_parse_error(filename: &str, err: &str) -> String {
    let tokens: Vec<&str> = err.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {err}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// One step of Helm 4's execution-error trace.
#[derive(PartialEq, Eq)]
struct Traceable {
    location: String,
    function: String,
    message: String,
    full: String,
}

/// Parse `template: file:line:col: [executing "name" at <node>: ]message`.
fn parse_traceable(s: &str) -> Option<Traceable> {
    let rest = s.strip_prefix("template: ")?;
    // The location is the shortest prefix followed by `:<line>:<col>: `.
    let mut loc_end = None;
    for (i, _) in rest.match_indices(':') {
        let tail = &rest[i + 1..];
        let digits1 = tail.chars().take_while(char::is_ascii_digit).count();
        if digits1 == 0 || !tail[digits1..].starts_with(':') {
            continue;
        }
        let tail2 = &tail[digits1 + 1..];
        let digits2 = tail2.chars().take_while(char::is_ascii_digit).count();
        if digits2 > 0 && tail2[digits2..].starts_with(": ") {
            loc_end = Some(i + 1 + digits1 + 1 + digits2);
            break;
        }
    }
    let Some(end) = loc_end else {
        return Some(Traceable {
            location: String::new(),
            function: String::new(),
            message: s.to_string(),
            full: s.to_string(),
        });
    };
    let location = rest[..end].to_string();
    let after = &rest[end + 2..];
    if let Some(exec) = after.strip_prefix("executing \"")
        && let Some(at) = exec.find("\" at <")
        && let Some(close) = exec[at..].find(">: ")
    {
        let name = &exec[..at];
        let node = &exec[at + 6..at + close];
        return Some(Traceable {
            location,
            function: format!("executing \"{name}\" at <{node}>:"),
            message: exec[at + close + 3..].to_string(),
            full: s.to_string(),
        });
    }
    Some(Traceable {
        location,
        function: String::new(),
        message: after.to_string(),
        full: s.to_string(),
    })
}

/// Helm 4's formatting of a template execution error (its `reformatExecErrorMsg`), rebuilt
/// from its observable behaviour: `required`/`fail` messages become `execution error at
/// (...)`, a chain of template errors becomes an indented trace, anything else stays as Go
/// printed it.
fn helm_exec_error(err: &GoError) -> String {
    let text = err.text();
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return text.to_string();
    }
    if let Some(start) = tokens[2].find("HELM_ERR_START")
        && let Some(len) = tokens[2][start + 14..].find("HELM_ERR_END")
    {
        let msg = &tokens[2][start + 14..start + 14 + len];
        return format!("execution error at ({}): {msg}", tokens[1]);
    }
    let mut steps: Vec<Traceable> = Vec::new();
    for e in &err.chain {
        let Some(t) = parse_traceable(e) else {
            return text.to_string();
        };
        if steps.last() != Some(&t) {
            steps.push(t);
        }
    }
    for i in (0..steps.len().saturating_sub(1)).rev() {
        let next_full = steps[i + 1].full.clone();
        if let Some(stripped) = steps[i].message.strip_suffix(next_full.as_str()) {
            steps[i].message = stripped.trim_end().to_string();
        }
    }
    let mut out = String::new();
    for t in &steps {
        if !t.location.is_empty() {
            out.push_str(&t.location);
            out.push_str("\n  ");
        }
        if !t.function.is_empty() {
            out.push_str(&t.function);
            out.push_str("\n    ");
        }
        if !t.message.is_empty() {
            out.push_str(&t.message);
            out.push('\n');
        }
    }
    out.trim().to_string()
}

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Split a rendered file on lines starting with `---`; each document keeps its text verbatim but
/// for its leading whitespace, which Helm trims (a template starting with `{{- if }}\n` prints no
/// blank line after its `# Source:` header).
fn split_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            // Text after the marker starts the next document, as with Helm's separator.
            docs.push(rest.to_string());
        } else if let Some(d) = docs.last_mut() {
            d.push_str(line);
        }
    }
    docs.into_iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim_start().to_string())
        .collect()
}

fn head_str(m: &Map, key: &str) -> String {
    match m.get(key) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    }
}

/// `json.Unmarshal` of a document into Helm's `SimpleHead`, with encoding/json's error texts.
fn simple_head(doc: &Value) -> Result<Option<Map>, String> {
    let kind = match doc {
        Value::Nil => return Ok(None),
        Value::Map(m) => {
            for (field, key) in [("apiVersion", "apiVersion"), ("kind", "kind")] {
                if let Some(v) = m.get(key)
                    && !matches!(v, Value::String(_) | Value::Nil)
                {
                    return Err(format!(
                        "json: cannot unmarshal {} into Go struct field SimpleHead.{field} of type string",
                        json_kind(&v)
                    ));
                }
            }
            return Ok(Some(m.clone()));
        }
        other => json_kind(other),
    };
    Err(format!(
        "json: cannot unmarshal {kind} into Go value of type util.SimpleHead"
    ))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Float(_) | Value::Int(..) => "number",
        Value::Bool(_) => "bool",
        Value::List(_) => "array",
        _ => "object",
    }
}

fn manifest_of(source: &str, body: String, head: Option<&Map>) -> Manifest {
    let (api_version, kind, name, namespace, annotations) = match head {
        Some(h) => {
            let meta = h.get("metadata").and_then(|m| m.as_map().cloned());
            let name = meta
                .as_ref()
                .map(|m| head_str(m, "name"))
                .unwrap_or_default();
            let namespace = meta
                .as_ref()
                .map(|m| head_str(m, "namespace"))
                .filter(|s| !s.is_empty());
            let ann = meta
                .as_ref()
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.as_map().cloned());
            (
                head_str(h, "apiVersion"),
                head_str(h, "kind"),
                name,
                namespace,
                ann,
            )
        }
        None => Default::default(),
    };
    let ann = |k: &str| {
        annotations
            .as_ref()
            .map(|a| head_str(a, k))
            .unwrap_or_default()
    };
    let hook = ann("helm.sh/hook");
    Manifest {
        source: source.to_string(),
        api_version,
        kind,
        name,
        namespace,
        hook_events: if hook.is_empty() {
            vec![]
        } else {
            hook.split(',')
                .map(|e| e.trim().to_ascii_lowercase())
                .collect()
        },
        hook_weight: ann("helm.sh/hook-weight").trim().parse().unwrap_or(0),
        hook_delete_policies: ann("helm.sh/hook-delete-policy")
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        body,
    }
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

fn sort_by_kind(items: &mut [Manifest]) {
    items.sort_by(|a, b| match (kind_rank(&a.kind), kind_rank(&b.kind)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.kind.cmp(&b.kind),
    });
}

/// Sort, split and print the rendered files as `helm template` does.
fn assemble(
    chart: &Chart,
    rendered: Vec<(String, String)>,
    notes: String,
    opts: &RenderOptions,
) -> Result<RenderOutput, RenderError> {
    let mut logs = Vec::new();
    match assemble_documents(chart, rendered, notes, opts, &mut logs) {
        Ok(mut out) => {
            out.logs = logs;
            Ok(out)
        }
        Err(mut e) => {
            e.logs = logs;
            Err(e)
        }
    }
}

/// The documents sorted into manifests and hooks and printed; Helm's log lines go to `logs`.
fn assemble_documents(
    chart: &Chart,
    rendered: Vec<(String, String)>,
    notes: String,
    opts: &RenderOptions,
    logs: &mut Vec<String>,
) -> Result<RenderOutput, RenderError> {
    let mut manifests = Vec::new();
    let mut hooks = Vec::new();
    for (path, text) in rendered {
        if text.trim().is_empty() {
            continue;
        }
        for doc in split_documents(&text) {
            let parsed = crate::yaml::parse(&doc).map_err(|e| {
                // The reader's errors already carry sigs.k8s.io/yaml's prefix.
                let e = e
                    .strip_prefix("error converting YAML to JSON: ")
                    .unwrap_or(&e);
                fail_rendering(format!(
                    "YAML parse error on {path}: error converting YAML to JSON: {e}"
                ))
            })?;
            let head = simple_head(&parsed).map_err(|e| {
                fail_rendering(format!(
                    "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: {e}"
                ))
            })?;
            let m = manifest_of(&path, doc, head.as_ref());
            if m.hook_events.is_empty() {
                manifests.push(m);
            } else if m
                .hook_events
                .iter()
                .all(|e| HOOK_EVENTS.contains(&e.as_str()))
            {
                hooks.push(m);
            } else {
                // Helm skips the whole document when any of its hook types is unknown (Helm 2's
                // crd-install, a typo) and logs the annotation as written.
                let raw = head
                    .as_ref()
                    .and_then(|h| h.get("metadata"))
                    .and_then(|m| m.as_map().and_then(|m| m.get("annotations")))
                    .and_then(|a| a.as_map().and_then(|a| a.get("helm.sh/hook")))
                    .map(|v| crate::gofmt::strval(&v))
                    .unwrap_or_default();
                logs.push(format!(
                    "level=INFO msg=\"skipping unknown hooks\" hookTypes={}",
                    slog_value(&raw)
                ));
            }
        }
    }
    sort_by_kind(&mut manifests);
    sort_by_kind(&mut hooks);

    let mut stream = String::new();
    if opts.include_crds {
        collect_crds(chart, &chart.name(), &mut stream);
    }
    for m in &manifests {
        stream.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.body));
    }
    let mut text = format!("{}\n", stream.trim());
    if !opts.no_hooks {
        for h in &hooks {
            if opts.skip_tests
                && h.hook_events
                    .iter()
                    .any(|e| e == "test" || e == "test-success")
            {
                continue;
            }
            text.push_str(&format!("---\n# Source: {}\n{}\n", h.source, h.body));
        }
    }
    if !opts.show_only.is_empty() {
        text = show_only(&text, &opts.show_only)?;
    }
    Ok(RenderOutput {
        text,
        manifests,
        hooks,
        notes,
        logs: Vec::new(),
    })
}

/// A string as slog's text handler prints a value: bare, or Go-quoted when it is empty or has a
/// space, `=`, `"` or a character outside printable ASCII that JSON would escape.
pub(crate) fn slog_value(s: &str) -> String {
    let needs_quoting = s.is_empty()
        || s.chars().any(|c| {
            if c.is_ascii() {
                c != '\\' && (c == ' ' || c == '=' || c == '"' || c.is_ascii_control())
            } else {
                c.is_whitespace() || !crate::gofmt::is_print(c)
            }
        });
    if needs_quoting {
        crate::gofmt::quote(s)
    } else {
        s.to_string()
    }
}

fn collect_crds(chart: &Chart, path: &str, out: &mut String) {
    for c in &chart.crds {
        out.push_str(&format!(
            "---\n# Source: {path}/{}\n{}\n",
            c.path,
            String::from_utf8_lossy(&c.data)
        ));
    }
    for d in &chart.dependencies {
        collect_crds(d, &format!("{path}/charts/{}", d.name()), out);
    }
}

/// `--show-only`: the documents whose template path matches one of the patterns.
fn show_only(text: &str, patterns: &[String]) -> Result<String, RenderError> {
    let docs: Vec<String> = split_documents(text);
    let mut out = String::new();
    for pat in patterns {
        let mut found = false;
        for d in &docs {
            let Some(first) = d.lines().next() else {
                continue;
            };
            let Some(src) = first.strip_prefix("# Source: ") else {
                continue;
            };
            let Some((_, rel)) = src.split_once('/') else {
                continue;
            };
            if chart::glob_match(pat, rel) {
                out.push_str(&format!("---\n{d}\n"));
                found = true;
            }
        }
        if !found {
            return Err(fail(format!("could not find template {pat} in chart")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::slog_value;

    #[test]
    fn log_values_are_quoted_like_slog_text() {
        // As helm v4.3.1 printed them for these hook annotations.
        assert_eq!(slog_value("crd-install"), "crd-install");
        assert_eq!(
            slog_value("crd-install, foo ,pre-install"),
            "\"crd-install, foo ,pre-install\""
        );
        assert_eq!(slog_value("bar baz"), "\"bar baz\"");
        assert_eq!(slog_value(""), "\"\"");
        assert_eq!(slog_value("a=b"), "\"a=b\"");
        assert_eq!(
            slog_value(r#"release name "B": invalid, ^[a-z](\.[a-z])?$"#),
            r#""release name \"B\": invalid, ^[a-z](\\.[a-z])?$""#
        );
    }
}
