//! Loading what the decision needs, and no more: the release's history, the core's validation of
//! the spec, and drift when the release is in sync. A HelmRelease being deleted needs only its
//! history; a suspended one or one whose spec cannot be read needs nothing (and must not touch
//! the cluster, for example by creating its namespace).

use host_runtime::{Severity, SourceFile, ValidateRequest};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::cluster::FIELD_MANAGER;
use crate::crd::{DriftMode, HelmRelease};
use crate::credentials;
use crate::release::{Release, Store};

use super::Context;
use super::drift;
use super::error::Error;
use super::state::{Facts, Failures, Settings, drift_mode, in_sync, last_deployed, retry_at};

/// One reconcile's release: the HelmRelease, where its release lives, and the spec's settings.
pub struct Target<'a> {
    /// Shared clients.
    pub ctx: &'a Context,
    /// The HelmRelease as loaded.
    pub hr: &'a HelmRelease,
    /// The Helm release name.
    pub name: String,
    /// The target namespace (where the objects and the release records live).
    pub namespace: String,
    /// The release records.
    pub store: Store,
    /// The spec's settings (defaults when the spec cannot be read: then the decision stalls it
    /// before any action reads them).
    pub settings: Settings,
}

/// What [`load`] found.
pub struct Loaded<'a> {
    /// The release.
    pub target: Target<'a>,
    /// Its revisions, oldest first.
    pub history: Vec<Release>,
    /// Findings and drift.
    pub facts: Facts,
}

/// Loads `hr`'s release, history and facts.
pub async fn load<'a>(ctx: &'a Context, hr: &'a HelmRelease) -> Result<Loaded<'a>, Error> {
    let name = hr.release_name();
    let namespace = hr.target_namespace();
    let store = Store::new(ctx.cluster.client().clone(), &namespace, &name);
    let deleting = hr.metadata.deletion_timestamp.is_some();
    let parsed = Settings::of(&hr.spec);
    let settings = match &parsed {
        _ if deleting => Settings::for_uninstall(&hr.spec),
        Ok(s) => s.clone(),
        Err(_) => Settings::default(),
    };
    let mut loaded = Loaded {
        target: Target {
            ctx,
            hr,
            name,
            namespace,
            store,
            settings,
        },
        history: Vec::new(),
        facts: Facts {
            failures: Failures::of(hr),
            retry_at: retry_at(hr),
            now: jiff::Timestamp::now(),
            ..Facts::default()
        },
    };
    let t = &loaded.target;
    loaded.facts.unresolvable = hr.unresolvable(ctx.cluster.name());
    if deleting {
        // A release for a cluster this controller cannot reach was never installed here: its
        // history here (if any) belongs to another release of the same name and is left alone.
        if loaded.facts.unresolvable.is_none() {
            loaded.history = t.store.history().await?;
        }
        return Ok(loaded);
    }
    if hr.spec.suspend || parsed.is_err() {
        return Ok(loaded);
    }
    loaded.facts.findings = validate(hr, ctx).await;
    loaded.facts.denied = credentials::check_references(hr, ctx.tenancy.cross_namespace_refs())
        .err()
        .map(|e| e.to_string());
    if !loaded.facts.findings.is_empty()
        || loaded.facts.unresolvable.is_some()
        || loaded.facts.denied.is_some()
    {
        return Ok(loaded);
    }
    if hr.create_namespace() {
        ensure_namespace(ctx, &t.namespace).await?;
    }
    loaded.history = t.store.history().await?;
    let mode = drift_mode(hr);
    if mode != DriftMode::Disabled
        && in_sync(hr, &loaded.history).is_some()
        && let Some(deployed) = last_deployed(&loaded.history)
    {
        let ignore = hr
            .spec
            .drift_detection
            .as_ref()
            .map(|d| d.ignore.as_slice())
            .unwrap_or_default();
        let force = t.settings.force || hr.force_requested();
        let found = drift::detect(
            ctx,
            &deployed.manifest,
            &t.name,
            &t.namespace,
            ignore,
            force,
        )
        .await;
        loaded.facts.drift = found.drifted;
        loaded.facts.held = found.held;
    }
    Ok(loaded)
}

/// The error findings of the core's validation of `hr`, as `path: message (code)` lines.
async fn validate(hr: &HelmRelease, ctx: &Context) -> Vec<String> {
    let mut doc = serde_json::to_value(hr).expect("a HelmRelease serializes");
    if let Some(obj) = doc.as_object_mut() {
        obj.remove("status");
    }
    let request = ValidateRequest {
        documents: vec![SourceFile {
            path: format!("{}/{}", hr.namespace().unwrap_or_default(), hr.name_any()),
            data: serde_json::to_vec(&doc).expect("JSON serializes"),
        }],
        policies: Vec::new(),
        disabled: Vec::new(),
    };
    let runtime = ctx.runtime.clone();
    let result = tokio::task::spawn_blocking(move || {
        runtime.validate(&request, host_runtime::OfflineHost::default())
    })
    .await;
    match result {
        Ok(Ok(diagnostics)) => diagnostics
            .into_iter()
            .filter(|d| matches!(d.severity, Severity::Error))
            .map(|d| format!("{}: {} ({})", d.path, d.message, d.code))
            .collect(),
        Ok(Err(e)) => vec![format!("validation could not run: {e}")],
        Err(e) => vec![format!("validation could not run: {e}")],
    }
}

/// Creates the target namespace when it does not exist (`spec.createNamespace`).
async fn ensure_namespace(ctx: &Context, namespace: &str) -> Result<(), Error> {
    let api: Api<Namespace> = Api::all(ctx.cluster.client().clone());
    if api.get_opt(namespace).await?.is_none() {
        let body =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
        api.patch(
            namespace,
            &PatchParams::apply(FIELD_MANAGER),
            &Patch::Apply(&body),
        )
        .await?;
    }
    Ok(())
}
