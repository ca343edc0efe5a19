//! The render pipeline, on top of everything else: `helm template`'s steps in helm's order
//! (chart loading and checks, values, schemas, templates parsed and executed), then the output's
//! assembly ([`assemble`]) and helm's wording of errors ([`errors`]).

mod assemble;
mod errors;

use std::collections::BTreeMap;
use std::rc::Rc;

pub use crate::api::error::{CoreError, ErrorKind};
use crate::api::host::Host;
pub use crate::api::render::{
    Capabilities, ChartSource, FileValue, MAX_OUTPUT, Manifest, ReleaseInfo, RenderOptions,
    RenderOutput, RenderRequest, SourceFile, ValuesLayer,
};
use crate::chart::objects::{
    Capabilities as CapsObject, DEFAULT_API_VERSIONS, DEFAULT_KUBE_VERSION, KubeVersion, VersionSet,
};
use crate::chart::templates::{Renderable, collect};
use crate::chart::{self, values};
use crate::go::slog_value;
use crate::template::exec::{Scope, Shared};
use crate::template::func::{Ctx, FuncMap};
use crate::template::parse::{TreeSet, parse_file, parse_into};
use crate::value::{Map, Value};

use assemble::assemble;
use errors::{cleanup_parse_error, fail, fail_rendering, helm_exec_error};

/// Render a chart as `helm template` does.
pub fn render(req: &RenderRequest, host: &mut dyn Host) -> Result<RenderOutput, CoreError> {
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
) -> Result<RenderOutput, CoreError> {
    // The order of the checks is helm's: flags, chart loading, installability, missing
    // dependencies, the release name, dependency processing, values and schemas, kubeVersion.
    let kube = KubeVersion::parse(
        req.capabilities
            .kube_version
            .as_deref()
            .unwrap_or(DEFAULT_KUBE_VERSION),
    )
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
    // `helm template` adds `--api-versions` to its defaults; `helm install` sees only the
    // cluster's discovery.
    let mut apis: Vec<String> = if req.capabilities.live {
        Vec::new()
    } else {
        DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect()
    };
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
    let mut set = TreeSet::default();
    for t in &tpls {
        let text = String::from_utf8_lossy(&t.data);
        // `define` bodies are built when first used: a library chart's helpers are mostly not.
        parse_file(&mut set, &t.name, &text, &|n| shared.is_func(n), true)
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
        .map(|(_, t)| t.clone());
    rendered.retain(|(n, _)| !n.ends_with("NOTES.txt"));
    rendered.sort_by(|a, b| a.0.cmp(&b.0));
    discard((scope, tpls));
    let out = assemble(&chart, rendered, notes, &req.options);
    discard(chart);
    out
}

/// Drops `v`, except in the component: each call there runs in a fresh instance whose memory
/// is thrown away whole when the call returns, so freeing the render's trees, values and chart
/// object by object (about a twentieth of a render) is wasted work.
fn discard<T>(v: T) {
    if cfg!(target_arch = "wasm32") {
        std::mem::forget(v);
    } else {
        drop(v);
    }
}

/// Helm's `--name-template`: `template` parsed as "name-template" and executed with Sprig's
/// function map (not Helm's: no `include`, `tpl` or `toYaml`) and no data. The error is Go's
/// text (`template: name-template:1: function "x" not defined`), an invalid request; the name
/// itself is checked later, by the render, as any release name.
pub fn template_name(template: &str, host: &mut dyn Host) -> Result<String, CoreError> {
    let funcs = FuncMap::sprig();
    let mut set = TreeSet::default();
    let is_func = |n: &str| crate::template::exec::is_builtin(n) || funcs.contains(n);
    parse_into(&mut set, "name-template", template, &is_func).map_err(fail)?;
    let mut ctx = Ctx::new(host);
    let mut shared = Shared::new(&funcs, &mut ctx, MAX_OUTPUT);
    shared
        .execute(&Scope::new(set), "name-template", Value::Nil)
        .map_err(|e| fail(e.text()))
}

/// Helm's `ValidateReleaseName`: a DNS-1123 subdomain of at most 53 characters.
fn validate_release_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!(
            "release name check failed: release name {}: no name provided",
            crate::go::quote(name)
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
            crate::go::quote(name)
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
