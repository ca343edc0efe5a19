//! The reconciler: validate -> fetch -> render -> record (pending) -> hooks -> server-side apply
//! -> prune -> wait -> hooks -> record (deployed or failed) -> status, with `atomic` rollback,
//! uninstall through a finalizer, and recovery from operations a crash interrupted.
//!
//! Guarantees: every step is idempotent, so a reconcile that is cut off anywhere is finished or
//! undone by the next one; a release record left `pending-*` by a crash is marked `failed` and the
//! release proceeds as a new revision (it is never left locked).
//! Assumptions: one controller acts on a release at a time (leader election).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use host_runtime::{
    Capabilities, ChartSource, Manifest, ReleaseInfo, RenderOptions, RenderOutput, RenderRequest,
    Runtime, Severity, SourceFile, ValidateRequest, ValuesLayer,
};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event as KubeEvent, EventType, Recorder, Reporter};
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Api, Resource, ResourceExt};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::chart::{Chart, ChartProvider, Credentials, FetchError};
use crate::cluster::{Cluster, ClusterLookup, FIELD_MANAGER, ObjectRef, manifest_objects};
use crate::crd::{
    Condition, DriftIgnoreRule, DriftMode, HelmRelease, HelmReleaseStatus, Snapshot, remove_pointer,
};
use crate::duration;
use crate::metrics::Metrics;
use crate::release::{Release, Store, StoreError, status, zero_time};
use crate::wait::{Readiness, readiness, wait_ready};

/// The finalizer that makes deleting a HelmRelease uninstall its release first.
pub const FINALIZER: &str = "kubernetes.project-planton.org/helm-release";

/// `helm.sh/resource-policy: keep` keeps an object when it leaves the chart or the release is
/// uninstalled.
const RESOURCE_POLICY: &str = "helm.sh/resource-policy";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
const DEFAULT_INTERVAL: Duration = Duration::from_secs(600);
const DEFAULT_HISTORY: u32 = 10;
/// Retry delay after a failure that may go away by itself (the API, a chart download).
const RETRY: Duration = Duration::from_secs(15);

/// What a reconcile needs, shared by all of them.
pub struct Context {
    /// The cluster.
    pub cluster: Cluster,
    /// The sandboxed core.
    pub runtime: Arc<Runtime>,
    /// Where charts come from.
    pub charts: Arc<dyn ChartProvider>,
    /// Who publishes events.
    pub reporter: Reporter,
    /// Counters and histograms for `/metrics`.
    pub metrics: Arc<Metrics>,
}

/// A reconcile that could not finish; retried with backoff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API refused or could not be reached.
    #[error(transparent)]
    Kube(#[from] kube::Error),
    /// The release records could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Adding or removing the finalizer failed.
    #[error("finalizer: {0}")]
    Finalizer(String),
    /// The HelmRelease has no namespace (it is a namespaced kind, so the API never sends one).
    #[error("HelmRelease {0} has no namespace")]
    NoNamespace(String),
}

/// The controller's entry point for one HelmRelease.
pub async fn reconcile(hr: Arc<HelmRelease>, ctx: Arc<Context>) -> Result<Action, Error> {
    let ns = hr
        .namespace()
        .ok_or_else(|| Error::NoNamespace(hr.name_any()))?;
    let api: Api<HelmRelease> = Api::namespaced(ctx.cluster.client().clone(), &ns);
    let started = std::time::Instant::now();
    let result = finalizer(&api, FINALIZER, hr, |event| async {
        match event {
            Event::Apply(hr) => apply(&hr, &ctx).await,
            Event::Cleanup(hr) => cleanup(&hr, &ctx).await,
        }
    })
    .await
    .map_err(|e| match e {
        kube::runtime::finalizer::Error::ApplyFailed(e)
        | kube::runtime::finalizer::Error::CleanupFailed(e) => e,
        other => Error::Finalizer(other.to_string()),
    });
    ctx.metrics
        .observe_reconcile(started.elapsed(), result.is_ok());
    result
}

/// After an error: try again soon.
pub fn error_policy(hr: Arc<HelmRelease>, error: &Error, _ctx: Arc<Context>) -> Action {
    tracing::warn!(namespace = hr.namespace(), name = hr.name_any(), %error, "reconcile failed");
    Action::requeue(RETRY)
}

/// What one reconcile decided, for the status.
struct Outcome {
    ready: &'static str,
    reason: &'static str,
    message: String,
    stalled: bool,
    test: TestCondition,
}

/// What the reconcile does to the `TestSuccess` condition.
enum TestCondition {
    /// Leave it as it is (nothing was deployed).
    Keep,
    /// A revision was deployed without running tests: the old result no longer applies.
    Clear,
    /// The tests ran: `True` or `False`, a reason and a message.
    Set(&'static str, &'static str, String),
}

impl Outcome {
    fn ready(reason: &'static str, message: String) -> Outcome {
        Outcome {
            ready: "True",
            reason,
            message,
            stalled: false,
            test: TestCondition::Keep,
        }
    }

    fn failed(reason: &'static str, message: String, stalled: bool) -> Outcome {
        Outcome {
            ready: "False",
            reason,
            message,
            stalled,
            test: TestCondition::Keep,
        }
    }
}

async fn apply(hr: &HelmRelease, ctx: &Context) -> Result<Action, Error> {
    // The watch cache can lag behind our own last status write (a reconcile queued by that
    // write may start before the write's event arrives), and the decisions below read the
    // status, so they read it from the API.
    let api: Api<HelmRelease> = Api::namespaced(
        ctx.cluster.client().clone(),
        &hr.namespace().unwrap_or_default(),
    );
    let Some(fresh) = api.get_opt(&hr.name_any()).await? else {
        return Ok(Action::await_change());
    };
    let hr = &fresh;
    let generation = hr.metadata.generation;
    let status = hr.status.clone().unwrap_or_default();
    if hr.spec.suspend {
        return Ok(Action::await_change());
    }
    let interval = match parse_opt(hr.spec.interval.as_deref(), DEFAULT_INTERVAL) {
        Ok(d) => d,
        Err(e) => return stall(hr, ctx, "InvalidSpec", format!("spec.interval: {e}")).await,
    };
    let timeout = match parse_opt(hr.spec.timeout.as_deref(), DEFAULT_TIMEOUT) {
        Ok(d) => d,
        Err(e) => return stall(hr, ctx, "InvalidSpec", format!("spec.timeout: {e}")).await,
    };

    let test_timeout = match parse_opt(
        hr.spec.test.as_ref().and_then(|t| t.timeout.as_deref()),
        timeout,
    ) {
        Ok(d) => d,
        Err(e) => return stall(hr, ctx, "InvalidSpec", format!("spec.test.timeout: {e}")).await,
    };
    let run_tests = hr.spec.test.as_ref().is_some_and(|t| t.enable);

    let findings = validate(hr, ctx).await;
    if !findings.is_empty() {
        return stall(hr, ctx, "ValidationFailed", findings.join("; ")).await;
    }

    let name = hr.release_name();
    let namespace = hr.target_namespace();
    let store = Store::new(ctx.cluster.client().clone(), &namespace, &name);
    if hr.spec.create_namespace {
        ensure_namespace(ctx, &namespace).await?;
    }
    let mut history = store.history().await?;
    if let Some(last) = history.last_mut()
        && status::is_pending(&last.info.status)
    {
        let was = last.info.status.clone();
        last.info.status = status::FAILED.to_string();
        last.info.description = format!(
            "{was} was interrupted (the controller stopped mid-operation); marked failed by \
             planton-helm-controller"
        );
        store.update(last).await?;
        publish(
            ctx,
            hr,
            EventType::Warning,
            "Recovered",
            &last.info.description,
        )
        .await;
    }

    let values = hr.values();
    let deployed = history
        .iter()
        .rev()
        .find(|r| r.info.status == status::DEPLOYED)
        .cloned();
    let latest_version = history.last().map(|r| r.version).unwrap_or(0);
    let in_sync = deployed.as_ref().is_some_and(|d| {
        d.version == latest_version
            && d.chart_name() == hr.spec.name
            && d.chart_version() == hr.spec.version
            && d.config == values
    });
    if in_sync {
        let d = deployed.as_ref().expect("in sync implies deployed");
        let mode = hr
            .spec
            .drift_detection
            .as_ref()
            .and_then(|d| d.mode)
            .unwrap_or(DriftMode::Enabled);
        if mode != DriftMode::Disabled {
            let ignore = hr
                .spec
                .drift_detection
                .as_ref()
                .map(|d| d.ignore.as_slice())
                .unwrap_or_default();
            let drifted = detect_drift(ctx, &d.manifest, &name, &namespace, ignore).await;
            if !drifted.is_empty() {
                let list = drifted
                    .iter()
                    .map(|d| d.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                ctx.metrics.count_drift(
                    &hr.namespace().unwrap_or_default(),
                    &hr.name_any(),
                    mode == DriftMode::Enabled,
                );
                if mode == DriftMode::Enabled {
                    let result = correct_drift(ctx, drifted, &namespace).await;
                    let message = match result {
                        Ok(()) => format!("corrected drift of {list}"),
                        Err(e) => format!("drift of {list} could not be corrected: {e}"),
                    };
                    publish(ctx, hr, EventType::Warning, "DriftCorrected", &message).await;
                } else {
                    let message = format!("drift detected (not corrected, mode warn): {list}");
                    publish(ctx, hr, EventType::Warning, "DriftDetected", &message).await;
                }
            }
        }
        let message = format!("release {name} revision {} is deployed", d.version);
        let outcome = Outcome::ready("InstallSucceeded", message);
        write_status(hr, ctx, &outcome, Some(&history), generation).await?;
        return Ok(Action::requeue(interval));
    }
    let ready_reason = status_condition(&status, "Ready").map(|c| c.reason.clone());
    let failed_before = matches!(
        ready_reason.as_deref(),
        Some("InstallFailed" | "UpgradeFailed" | "RenderFailed")
    );
    if failed_before && status.observed_generation == generation {
        // A failure is not retried until the spec changes (as `helm upgrade` is not re-run on its
        // own): retrying would add revisions without changing anything.
        return Ok(Action::requeue(interval));
    }

    let is_upgrade = deployed.is_some();
    let (verb, failed_reason) = if is_upgrade {
        ("Upgrade", "UpgradeFailed")
    } else {
        ("Install", "InstallFailed")
    };
    mark_reconciling(hr, ctx, &format!("{verb} in progress")).await?;

    let fetched = match credentials(hr, ctx).await {
        Ok(credentials) => {
            ctx.charts
                .fetch(
                    &hr.spec.repo,
                    &hr.spec.name,
                    &hr.spec.version,
                    credentials.as_ref(),
                )
                .await
        }
        Err(e) => Err(e),
    };
    let chart = match fetched {
        Ok(c) => c,
        Err(e) => {
            let outcome = Outcome::failed("ChartFetchFailed", e.to_string(), false);
            publish(
                ctx,
                hr,
                EventType::Warning,
                "ChartFetchFailed",
                &e.to_string(),
            )
            .await;
            write_status(hr, ctx, &outcome, Some(&history), generation).await?;
            return Ok(Action::requeue(RETRY));
        }
    };

    let revision = latest_version + 1;
    let rendered = match render(
        ctx, &chart, &values, &name, &namespace, revision, is_upgrade,
    )
    .await
    {
        Ok(out) => out,
        Err(message) => {
            publish(ctx, hr, EventType::Warning, "RenderFailed", &message).await;
            let outcome = Outcome::failed("RenderFailed", message, true);
            write_status(hr, ctx, &outcome, Some(&history), generation).await?;
            return Ok(Action::requeue(interval));
        }
    };

    let now = Timestamp::now().to_string();
    let mut release = Release {
        name: name.clone(),
        namespace: namespace.clone(),
        version: revision,
        chart: Some(chart.helm_record()),
        config: values.clone(),
        manifest: helm_manifest(&rendered.manifests),
        hooks: rendered.hooks.iter().map(hook_record).collect(),
        info: crate::release::Info {
            first_deployed: Some(
                deployed
                    .as_ref()
                    .and_then(|d| d.info.first_deployed.clone())
                    .unwrap_or_else(|| now.clone()),
            ),
            last_deployed: Some(now),
            deleted: zero_time(),
            description: if is_upgrade {
                "Preparing upgrade".into()
            } else {
                "Initial install underway".into()
            },
            status: if is_upgrade {
                status::PENDING_UPGRADE
            } else {
                status::PENDING_INSTALL
            }
            .to_string(),
            notes: rendered.notes.clone(),
            extra: Default::default(),
        },
        extra: Default::default(),
    };
    store.create(&release).await?;
    history.push(release.clone());

    let deadline = Instant::now() + timeout;
    let (pre, post) = if is_upgrade {
        ("pre-upgrade", "post-upgrade")
    } else {
        ("pre-install", "post-install")
    };
    let previous = history
        .iter()
        .rev()
        .skip(1)
        .find(|r| !r.manifest.is_empty())
        .map(|r| r.manifest.clone())
        .unwrap_or_default();
    let run = async {
        run_hooks(ctx, &rendered.hooks, pre, &namespace, deadline, None).await?;
        deploy(ctx, &release.manifest, &previous, &name, &namespace).await?;
        if hr.spec.wait || hr.spec.atomic {
            let objects: Vec<ObjectRef> = manifest_objects(&release.manifest)
                .into_iter()
                .map(|(o, _)| o)
                .collect();
            wait_ready(&ctx.cluster, &objects, &namespace, deadline).await?;
        }
        run_hooks(ctx, &rendered.hooks, post, &namespace, deadline, None).await
    };
    let result: Result<(), String> = run.await;

    match result {
        Ok(()) => {
            release.info.status = status::DEPLOYED.into();
            release.info.description = format!("{verb} complete");
            store.update(&release).await?;
            if let Some(mut d) = deployed {
                d.info.status = status::SUPERSEDED.into();
                store.update(&d).await?;
            }
            store
                .prune(hr.spec.history_limit.unwrap_or(DEFAULT_HISTORY))
                .await?;
            let message = format!(
                "{verb} of chart {} {} succeeded: release {name} revision {revision}",
                hr.spec.name, hr.spec.version
            );
            publish(
                ctx,
                hr,
                EventType::Normal,
                &format!("{verb}Succeeded"),
                &message,
            )
            .await;
            let test = if run_tests {
                run_test_hooks(ctx, hr, &store, &mut release, &rendered.hooks, test_timeout).await?
            } else {
                TestCondition::Clear
            };
            let history = store.history().await?;
            let reason = if is_upgrade {
                "UpgradeSucceeded"
            } else {
                "InstallSucceeded"
            };
            let mut outcome = Outcome::ready(reason, message);
            outcome.test = test;
            write_status(hr, ctx, &outcome, Some(&history), generation).await?;
            Ok(Action::requeue(interval))
        }
        Err(why) => {
            release.info.status = status::FAILED.into();
            release.info.description = format!("Release \"{name}\" failed: {why}");
            store.update(&release).await?;
            let mut message = format!("{verb} of revision {revision} failed: {why}");
            if hr.spec.atomic {
                let remedied = match &deployed {
                    Some(target) => {
                        rollback(ctx, &store, &release, target, timeout)
                            .await
                            .map(|rev| {
                                format!(
                                    "; rolled back to revision {} as revision {rev}",
                                    target.version
                                )
                            })
                    }
                    None => uninstall(ctx, &store, &release, &namespace, timeout)
                        .await
                        .map(|()| "; the failed install was uninstalled".to_string()),
                };
                match remedied {
                    Ok(note) => message.push_str(&note),
                    Err(e) => message.push_str(&format!("; the rollback failed too: {e}")),
                }
            }
            publish(ctx, hr, EventType::Warning, failed_reason, &message).await;
            store
                .prune(hr.spec.history_limit.unwrap_or(DEFAULT_HISTORY))
                .await?;
            let history = store.history().await?;
            let outcome = Outcome::failed(failed_reason, message, true);
            write_status(hr, ctx, &outcome, Some(&history), generation).await?;
            Ok(Action::requeue(interval))
        }
    }
}

/// Rolls back to `target` as a new revision after `failed`; returns the new revision.
async fn rollback(
    ctx: &Context,
    store: &Store,
    failed: &Release,
    target: &Release,
    timeout: Duration,
) -> Result<u32, String> {
    let mut release = target.clone();
    release.version = failed.version + 1;
    release.info.status = status::PENDING_ROLLBACK.into();
    release.info.description = format!("Rollback to {}", target.version);
    release.info.last_deployed = Some(Timestamp::now().to_string());
    store.create(&release).await.map_err(|e| e.to_string())?;
    let deadline = Instant::now() + timeout;
    // As `helm rollback`: the hooks are those of the revision being restored.
    let hooks: Vec<Manifest> = target.hooks.iter().filter_map(hook_manifest).collect();
    let namespace = release.namespace.clone();
    let mut records = std::mem::take(&mut release.hooks);
    let result = async {
        run_hooks(
            ctx,
            &hooks,
            "pre-rollback",
            &namespace,
            deadline,
            Some(&mut records),
        )
        .await?;
        deploy(
            ctx,
            &release.manifest,
            &failed.manifest,
            &release.name,
            &namespace,
        )
        .await?;
        let objects: Vec<ObjectRef> = manifest_objects(&release.manifest)
            .into_iter()
            .map(|(o, _)| o)
            .collect();
        wait_ready(&ctx.cluster, &objects, &namespace, deadline).await?;
        run_hooks(
            ctx,
            &hooks,
            "post-rollback",
            &namespace,
            deadline,
            Some(&mut records),
        )
        .await
    }
    .await;
    release.hooks = records;
    release.info.status = match result {
        Ok(()) => status::DEPLOYED,
        Err(_) => status::FAILED,
    }
    .into();
    if let Err(e) = &result {
        release.info.description = format!("Rollback \"{}\" failed: {e}", release.name);
    }
    store.update(&release).await.map_err(|e| e.to_string())?;
    result?;
    let mut old = target.clone();
    old.info.status = status::SUPERSEDED.into();
    store.update(&old).await.map_err(|e| e.to_string())?;
    Ok(release.version)
}

/// Deletes the release's objects (keeping `helm.sh/resource-policy: keep`), with its delete
/// hooks, then every release record.
async fn uninstall(
    ctx: &Context,
    store: &Store,
    release: &Release,
    namespace: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let hooks: Vec<Manifest> = release.hooks.iter().filter_map(hook_manifest).collect();
    run_hooks(ctx, &hooks, "pre-delete", namespace, deadline, None).await?;
    for (obj, body) in manifest_objects(&release.manifest).into_iter().rev() {
        if !keep(&body) {
            ctx.cluster
                .delete(&obj, namespace)
                .await
                .map_err(|e| format!("deleting {obj}: {e}"))?;
        }
    }
    run_hooks(ctx, &hooks, "post-delete", namespace, deadline, None).await?;
    for r in store.history().await.map_err(|e| e.to_string())? {
        store.delete(r.version).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn cleanup(hr: &HelmRelease, ctx: &Context) -> Result<Action, Error> {
    let name = hr.release_name();
    let namespace = hr.target_namespace();
    let store = Store::new(ctx.cluster.client().clone(), &namespace, &name);
    let history = store.history().await?;
    let timeout = parse_opt(hr.spec.timeout.as_deref(), DEFAULT_TIMEOUT).unwrap_or(DEFAULT_TIMEOUT);
    if let Some(latest) = history
        .iter()
        .rev()
        .find(|r| !r.manifest.is_empty())
        .cloned()
        && let Err(e) = uninstall(ctx, &store, &latest, &namespace, timeout).await
    {
        publish(ctx, hr, EventType::Warning, "UninstallFailed", &e).await;
        return Ok(Action::requeue(RETRY));
    }
    for r in &history {
        store.delete(r.version).await?;
    }
    publish(
        ctx,
        hr,
        EventType::Normal,
        "UninstallSucceeded",
        &format!("release {name} uninstalled"),
    )
    .await;
    Ok(Action::await_change())
}

/// Applies every object of `manifest` and deletes those of `previous` that are not in it.
async fn deploy(
    ctx: &Context,
    manifest: &str,
    previous: &str,
    name: &str,
    namespace: &str,
) -> Result<(), String> {
    let objects = manifest_objects(manifest);
    let mut keys = BTreeSet::new();
    for (obj, mut body) in objects {
        keys.insert(obj.key(namespace));
        helm_metadata(&mut body, name, namespace);
        ctx.cluster
            .apply(&obj, body, namespace)
            .await
            .map_err(|e| format!("applying {obj}: {e}"))?;
    }
    for (obj, body) in manifest_objects(previous).into_iter().rev() {
        if !keys.contains(&obj.key(namespace)) && !keep(&body) {
            ctx.cluster
                .delete(&obj, namespace)
                .await
                .map_err(|e| format!("pruning {obj}: {e}"))?;
        }
    }
    Ok(())
}

/// An object of the release that someone else deleted or changed.
struct Drifted {
    obj: ObjectRef,
    /// What to apply to correct it: the manifest's object with Helm's metadata, and the fields
    /// that ignore rules cover set to their live values.
    body: Value,
    /// `Kind ns/name (deleted|modified)`.
    label: String,
}

/// The objects of `manifest` that someone else deleted or changed: a server-side dry-run apply
/// differs from the live object only when a field the release manages was changed. Fields that
/// an `ignore` rule covers are left out of the comparison.
async fn detect_drift(
    ctx: &Context,
    manifest: &str,
    name: &str,
    namespace: &str,
    ignore: &[DriftIgnoreRule],
) -> Vec<Drifted> {
    let mut drifted = Vec::new();
    for (obj, mut body) in manifest_objects(manifest) {
        helm_metadata(&mut body, name, namespace);
        let pointers: Vec<&str> = ignore
            .iter()
            .filter(|r| r.applies_to(&obj, namespace))
            .flat_map(|r| r.paths.iter().map(String::as_str))
            .collect();
        let live = match ctx.cluster.get(&obj, namespace).await {
            Ok(Some(live)) => live,
            Ok(None) => {
                drifted.push(Drifted {
                    label: format!("{obj} (deleted)"),
                    obj,
                    body,
                });
                continue;
            }
            Err(_) => continue,
        };
        let Ok(wanted) = ctx
            .cluster
            .apply_dry_run(&obj, body.clone(), namespace)
            .await
        else {
            continue;
        };
        let (mut live, mut wanted) = (comparable(&live), comparable(&wanted));
        for p in &pointers {
            remove_pointer(&mut wanted, p);
        }
        let live_full = live.clone();
        for p in &pointers {
            remove_pointer(&mut live, p);
        }
        if live != wanted {
            for p in &pointers {
                copy_pointer(&live_full, &mut body, p);
            }
            drifted.push(Drifted {
                label: format!("{obj} (modified)"),
                obj,
                body,
            });
        }
    }
    drifted
}

/// Applies the drifted objects again (no new revision).
async fn correct_drift(
    ctx: &Context,
    drifted: Vec<Drifted>,
    namespace: &str,
) -> Result<(), String> {
    for d in drifted {
        ctx.cluster
            .apply(&d.obj, d.body, namespace)
            .await
            .map_err(|e| format!("applying {}: {e}", d.obj))?;
    }
    Ok(())
}

/// Sets the field at JSON Pointer `pointer` of `body` to its value in `live` (creating parent
/// objects), or removes it from `body` when `live` has none: a correction leaves it as it is.
fn copy_pointer(live: &Value, body: &mut Value, pointer: &str) {
    let Some(value) = live.pointer(pointer).cloned() else {
        remove_pointer(body, pointer);
        return;
    };
    let mut at = body;
    let parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = parts.split_last() else {
        return;
    };
    for part in parents {
        at = match at {
            Value::Object(map) => map.entry(part.clone()).or_insert_with(|| json!({})),
            Value::Array(items) => {
                match part.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(item) => item,
                    None => return,
                }
            }
            _ => return,
        };
    }
    match at {
        Value::Object(map) => {
            map.insert(last.clone(), value);
        }
        Value::Array(items) => {
            if let Some(item) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *item = value;
            }
        }
        _ => {}
    }
}

/// An object without the fields every write changes.
fn comparable(obj: &kube::api::DynamicObject) -> Value {
    let mut v = serde_json::to_value(obj).unwrap_or_default();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["managedFields", "resourceVersion", "generation"] {
            meta.remove(k);
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    v
}

/// Helm's ownership metadata, so that `helm upgrade` accepts the objects as the release's.
fn helm_metadata(body: &mut Value, name: &str, namespace: &str) {
    let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert("app.kubernetes.io/managed-by".into(), "Helm".into());
    }
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    if let Some(a) = annotations.as_object_mut() {
        a.insert("meta.helm.sh/release-name".into(), name.into());
        a.insert("meta.helm.sh/release-namespace".into(), namespace.into());
    }
}

fn keep(body: &Value) -> bool {
    body.pointer("/metadata/annotations")
        .and_then(|a| a.get(RESOURCE_POLICY))
        .and_then(Value::as_str)
        == Some("keep")
}

/// Runs the chart's test hooks (`test`, and the old name `test-success`) of the revision just
/// deployed, as `helm test` does: records each hook's `last_run` in the release record and
/// publishes `TestSucceeded` or `TestFailed`. A failed test leaves the release deployed.
async fn run_test_hooks(
    ctx: &Context,
    hr: &HelmRelease,
    store: &Store,
    release: &mut Release,
    hooks: &[Manifest],
    timeout: Duration,
) -> Result<TestCondition, Error> {
    let deadline = Instant::now() + timeout;
    let mut records = std::mem::take(&mut release.hooks);
    let tests: Vec<Manifest> = hooks
        .iter()
        .filter(|h| {
            h.hook_events
                .iter()
                .any(|e| e == "test" || e == "test-success")
        })
        .cloned()
        .map(|mut h| {
            h.hook_events = vec!["test".into()];
            h
        })
        .collect();
    let result = run_hooks(
        ctx,
        &tests,
        "test",
        &release.namespace,
        deadline,
        Some(&mut records),
    )
    .await;
    release.hooks = records;
    store.update(release).await?;
    let count = tests.len();
    let revision = release.version;
    Ok(match result {
        Ok(()) => {
            let message = format!("{count} test hook(s) of revision {revision} succeeded");
            publish(ctx, hr, EventType::Normal, "TestSucceeded", &message).await;
            TestCondition::Set("True", "TestSucceeded", message)
        }
        Err(why) => {
            let message = format!("test of revision {revision} failed: {why}");
            publish(ctx, hr, EventType::Warning, "TestFailed", &message).await;
            TestCondition::Set("False", "TestFailed", message)
        }
    })
}

/// Runs the hooks for `event` in Helm's order (weight, then name): each is re-created, waited for
/// (Jobs complete, Pods succeed) and deleted as its delete policies say.
///
/// With `records` (the release record's hooks), each hook's `last_run` is written there as Helm
/// writes it: start and completion time, phase `Succeeded` or `Failed`.
async fn run_hooks(
    ctx: &Context,
    hooks: &[Manifest],
    event: &str,
    namespace: &str,
    deadline: Instant,
    mut records: Option<&mut Vec<Value>>,
) -> Result<(), String> {
    let mut selected: Vec<&Manifest> = hooks
        .iter()
        .filter(|h| h.hook_events.iter().any(|e| e == event))
        .collect();
    selected.sort_by(|a, b| (a.hook_weight, &a.name).cmp(&(b.hook_weight, &b.name)));
    for hook in selected {
        let body: Value = serde_saphyr::from_str(&hook.body)
            .map_err(|e| format!("hook {} ({}): {e}", hook.name, hook.source))?;
        let obj = ObjectRef {
            api_version: hook.api_version.clone(),
            kind: hook.kind.clone(),
            namespace: hook.namespace.clone(),
            name: hook.name.clone(),
        };
        let policies = &hook.hook_delete_policies;
        let has = |p: &str| policies.iter().any(|x| x == p);
        let started = Timestamp::now().to_string();
        if policies.is_empty() || has("before-hook-creation") {
            delete_and_wait(ctx, &obj, namespace, deadline).await?;
        }
        let result = match ctx.cluster.apply(&obj, body, namespace).await {
            Ok(_) => wait_hook(ctx, &obj, namespace, deadline).await,
            Err(e) => Err(format!("creating it: {e}")),
        };
        if let Some(records) = records.as_deref_mut() {
            let phase = if result.is_ok() {
                "Succeeded"
            } else {
                "Failed"
            };
            let last_run = json!({"started_at": started,
                "completed_at": Timestamp::now().to_string(), "phase": phase});
            for r in records.iter_mut().filter(|r| {
                r["name"].as_str() == Some(hook.name.as_str())
                    && r["kind"].as_str() == Some(hook.kind.as_str())
            }) {
                r["last_run"] = last_run.clone();
            }
        }
        let delete = match &result {
            Ok(()) => has("hook-succeeded"),
            Err(_) => has("hook-failed"),
        };
        if delete {
            ctx.cluster
                .delete(&obj, namespace)
                .await
                .map_err(|e| format!("deleting {event} hook {obj}: {e}"))?;
        }
        result.map_err(|e| format!("{event} hook {obj} failed: {e}"))?;
    }
    Ok(())
}

async fn wait_hook(
    ctx: &Context,
    obj: &ObjectRef,
    namespace: &str,
    deadline: Instant,
) -> Result<(), String> {
    if !matches!(obj.kind.as_str(), "Job" | "Pod") {
        return Ok(());
    }
    loop {
        if let Ok(Some(live)) = ctx.cluster.get(obj, namespace).await {
            match readiness(&obj.kind, &serde_json::to_value(&live).unwrap_or_default()) {
                Readiness::Ready if obj.kind == "Job" => return Ok(()),
                Readiness::Ready
                    if live.data.pointer("/status/phase").and_then(Value::as_str)
                        == Some("Succeeded") =>
                {
                    return Ok(());
                }
                Readiness::Failed(why) => return Err(why),
                _ => {}
            }
        }
        if Instant::now() >= deadline {
            return Err("timed out".into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn delete_and_wait(
    ctx: &Context,
    obj: &ObjectRef,
    namespace: &str,
    deadline: Instant,
) -> Result<(), String> {
    ctx.cluster
        .delete(obj, namespace)
        .await
        .map_err(|e| format!("deleting the previous {obj}: {e}"))?;
    while let Ok(Some(_)) = ctx.cluster.get(obj, namespace).await {
        if Instant::now() >= deadline {
            return Err(format!("timed out deleting the previous {obj}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Helm's `release.Hook` JSON for a rendered hook.
fn hook_record(m: &Manifest) -> Value {
    json!({
        "name": m.name,
        "kind": m.kind,
        "path": m.source,
        "manifest": m.body,
        "events": m.hook_events,
        "last_run": {"started_at": zero_time(), "completed_at": zero_time(), "phase": ""},
        "weight": m.hook_weight,
        "delete_policies": m.hook_delete_policies,
    })
}

/// A hook read back from a release record (also one `helm` wrote).
fn hook_manifest(v: &Value) -> Option<Manifest> {
    let body = v["manifest"].as_str()?.to_string();
    let parsed: Value = serde_saphyr::from_str(&body).ok()?;
    let obj = crate::cluster::object_ref(&parsed)?;
    let strings = |k: &str| -> Vec<String> {
        v[k].as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    Some(Manifest {
        source: v["path"].as_str().unwrap_or_default().to_string(),
        api_version: obj.api_version,
        kind: obj.kind,
        name: obj.name,
        namespace: obj.namespace,
        hook_events: strings("events"),
        hook_weight: v["weight"].as_i64().unwrap_or(0) as i32,
        hook_delete_policies: strings("delete_policies"),
        body,
    })
}

/// The release's `manifest` as Helm writes it: `---\n# Source: <path>\n<body>\n` per document.
fn helm_manifest(manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for m in manifests {
        out.push_str("---\n# Source: ");
        out.push_str(&m.source);
        out.push('\n');
        out.push_str(&m.body);
        out.push('\n');
    }
    out
}

async fn render(
    ctx: &Context,
    chart: &Chart,
    values: &serde_json::Map<String, Value>,
    name: &str,
    namespace: &str,
    revision: u32,
    is_upgrade: bool,
) -> Result<RenderOutput, String> {
    let values_yaml = serde_json::to_string(values).expect("JSON values serialize");
    let request = RenderRequest {
        chart: ChartSource::Files(
            chart
                .files
                .iter()
                .map(|(path, data)| SourceFile {
                    path: path.clone(),
                    data: data.clone(),
                })
                .collect(),
        ),
        // JSON is YAML, and Helm coalesces a values file the same way as `spec.values`.
        values: vec![ValuesLayer::YamlFile(SourceFile {
            path: "spec.values".into(),
            data: values_yaml.into_bytes(),
        })],
        release: ReleaseInfo {
            name: name.to_string(),
            namespace: namespace.to_string(),
            revision,
            is_install: !is_upgrade,
            is_upgrade,
        },
        capabilities: Capabilities {
            kube_version: String::new(),
            api_versions: Vec::new(),
        },
        options: RenderOptions {
            include_crds: false,
            // Kept in the record (as Helm keeps them) and run only with spec.test.enable.
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
        },
    };
    let runtime = ctx.runtime.clone();
    let host = ClusterLookup::new(ctx.cluster.clone(), tokio::runtime::Handle::current());
    let started = std::time::Instant::now();
    let out = tokio::task::spawn_blocking(move || runtime.render(&request, host))
        .await
        .map_err(|e| format!("the render task failed: {e}"))?
        .map_err(|e| e.to_string());
    ctx.metrics.observe_render(started.elapsed());
    out
}

/// The error findings of the core's validation of `hr`, as `path: message` lines.
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

/// The credentials of `spec.credentialsRef`: keys `username` and `password` of that Secret in the
/// HelmRelease's namespace (as Flux's `secretRef`). `None` without a reference.
async fn credentials(hr: &HelmRelease, ctx: &Context) -> Result<Option<Credentials>, FetchError> {
    let Some(reference) = &hr.spec.credentials_ref else {
        return Ok(None);
    };
    let ns = hr.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.cluster.client().clone(), &ns);
    let where_ = format!("Secret {ns}/{} (spec.credentialsRef)", reference.name);
    let secret = secrets
        .get_opt(&reference.name)
        .await
        .map_err(|e| FetchError(format!("reading {where_}: {e}")))?
        .ok_or_else(|| {
            FetchError(format!(
                "{where_} not found: create it with keys username and password"
            ))
        })?;
    let data = secret.data.unwrap_or_default();
    let key = |k: &str| -> Result<String, FetchError> {
        let bytes = data.get(k).ok_or_else(|| {
            FetchError(format!(
                "{where_} has no key {k:?}: it needs username and password"
            ))
        })?;
        String::from_utf8(bytes.0.clone())
            .map_err(|_| FetchError(format!("{where_}: key {k:?} is not UTF-8")))
    };
    Ok(Some(Credentials {
        username: key("username")?,
        password: key("password")?,
    }))
}

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

fn parse_opt(text: Option<&str>, default: Duration) -> Result<Duration, String> {
    text.map(duration::parse).unwrap_or(Ok(default))
}

fn status_condition<'a>(status: &'a HelmReleaseStatus, kind: &str) -> Option<&'a Condition> {
    status.conditions.iter().find(|c| c.type_ == kind)
}

/// Sets condition `kind`, keeping its transition time when its status did not change.
fn set_condition(
    conditions: &mut Vec<Condition>,
    kind: &str,
    value: &str,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    let now = Timestamp::now().to_string();
    let fresh = Condition {
        type_: kind.to_string(),
        status: value.to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
        last_transition_time: now,
        observed_generation: generation,
    };
    match conditions.iter_mut().find(|c| c.type_ == kind) {
        Some(c) if c.status == value => {
            c.reason = fresh.reason;
            c.message = fresh.message;
            c.observed_generation = generation;
        }
        Some(c) => *c = fresh,
        None => conditions.push(fresh),
    }
}

async fn patch_status(
    hr: &HelmRelease,
    ctx: &Context,
    status: &HelmReleaseStatus,
) -> Result<(), Error> {
    let api: Api<HelmRelease> = Api::namespaced(
        ctx.cluster.client().clone(),
        &hr.namespace().unwrap_or_default(),
    );
    api.patch_status(
        &hr.name_any(),
        &PatchParams::default(),
        &Patch::Merge(json!({"status": status})),
    )
    .await?;
    Ok(())
}

async fn mark_reconciling(hr: &HelmRelease, ctx: &Context, message: &str) -> Result<(), Error> {
    let mut status = hr.status.clone().unwrap_or_default();
    let generation = hr.metadata.generation;
    set_condition(
        &mut status.conditions,
        "Reconciling",
        "True",
        "Progressing",
        message,
        generation,
    );
    set_condition(
        &mut status.conditions,
        "Ready",
        "Unknown",
        "Progressing",
        message,
        generation,
    );
    set_condition(
        &mut status.conditions,
        "Stalled",
        "False",
        "Progressing",
        message,
        generation,
    );
    patch_status(hr, ctx, &status).await
}

async fn write_status(
    hr: &HelmRelease,
    ctx: &Context,
    outcome: &Outcome,
    history: Option<&[Release]>,
    generation: Option<i64>,
) -> Result<(), Error> {
    let mut status = hr.status.clone().unwrap_or_default();
    status.observed_generation = generation;
    let c = &mut status.conditions;
    set_condition(
        c,
        "Ready",
        outcome.ready,
        outcome.reason,
        &outcome.message,
        generation,
    );
    set_condition(c, "Reconciling", "False", outcome.reason, "", generation);
    let stalled = if outcome.stalled { "True" } else { "False" };
    set_condition(
        c,
        "Stalled",
        stalled,
        outcome.reason,
        &outcome.message,
        generation,
    );
    match &outcome.test {
        TestCondition::Keep => {}
        TestCondition::Clear => c.retain(|c| c.type_ != "TestSuccess"),
        TestCondition::Set(value, reason, message) => {
            set_condition(c, "TestSuccess", value, reason, message, generation)
        }
    }
    status.release_name = Some(hr.release_name());
    status.release_namespace = Some(hr.target_namespace());
    let Some(history) = history else {
        return patch_status(hr, ctx, &status).await;
    };
    if let Some(d) = history
        .iter()
        .rev()
        .find(|r| r.info.status == status::DEPLOYED)
    {
        status.last_applied_revision = Some(d.version);
        status.chart_version = Some(d.chart_version().to_string());
    }
    status.history = history
        .iter()
        .rev()
        .take(5)
        .map(|r| Snapshot {
            revision: r.version,
            chart_version: r.chart_version().to_string(),
            status: r.info.status.clone(),
            last_deployed: r.info.last_deployed.clone(),
        })
        .collect();
    ctx.metrics.set_status(
        &hr.namespace().unwrap_or_default(),
        &hr.name_any(),
        outcome.ready,
    );
    patch_status(hr, ctx, &status).await
}

/// Marks the release stalled (nothing is applied) and waits for a spec change.
async fn stall(
    hr: &HelmRelease,
    ctx: &Context,
    reason: &'static str,
    message: String,
) -> Result<Action, Error> {
    publish(ctx, hr, EventType::Warning, reason, &message).await;
    let outcome = Outcome::failed(reason, message, true);
    write_status(hr, ctx, &outcome, None, hr.metadata.generation).await?;
    Ok(Action::await_change())
}

/// Publishes a Kubernetes Event about `hr`; a failure to publish is logged, not fatal.
async fn publish(ctx: &Context, hr: &HelmRelease, kind: EventType, reason: &str, message: &str) {
    let recorder = Recorder::new(ctx.cluster.client().clone(), ctx.reporter.clone());
    let note: String = message.chars().take(1000).collect();
    let event = KubeEvent {
        type_: kind,
        reason: reason.to_string(),
        note: Some(note),
        action: reason.to_string(),
        secondary: None,
    };
    tracing::info!(
        namespace = hr.namespace(),
        name = hr.name_any(),
        reason,
        message,
        "event"
    );
    if let Err(e) = recorder.publish(&event, &hr.object_ref(&())).await {
        tracing::warn!(error = %e, "publishing an event failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_keeps_ignored_fields_as_they_are_live() {
        let live = json!({"spec": {"replicas": 5}, "metadata": {"labels": {"a/b": "x"}}});
        let mut body = json!({"spec": {"replicas": 1, "paused": false}, "metadata": {}});
        copy_pointer(&live, &mut body, "/spec/replicas");
        copy_pointer(&live, &mut body, "/metadata/labels/a~1b");
        copy_pointer(&live, &mut body, "/spec/paused");
        assert_eq!(
            body,
            json!({"spec": {"replicas": 5}, "metadata": {"labels": {"a/b": "x"}}})
        );
    }
}
