//! Making a new revision, shared by install and upgrade: fetch the chart, render it, record the
//! revision `pending-*`, run the pre hooks, apply and prune, wait, run the post hooks, and record
//! it `deployed` or `failed`.
//!
//! Guarantees: the revision is recorded before anything is applied, so an interrupted attempt
//! leaves a `pending-*` record that the next reconcile unlocks (state `Locked`); a failure
//! leaves the previous revision's objects as far as the apply got, and the `failed` record says
//! why. Nothing is remediated here (that is state `FailedThisGeneration`).

use host_runtime::{
    Capabilities, ChartSource, Manifest, ReleaseInfo, RenderOptions, RenderOutput, RenderRequest,
    SourceFile, ValuesLayer,
};
use jiff::Timestamp;
use serde_json::Value;
use tokio::time::Instant;

use crate::chart::{Chart, FetchError};
use crate::cluster::{Cluster, ClusterLookup};
use crate::crd::{CrdPolicy, HelmRelease};
use crate::credentials;
use crate::release::{Info, Release, zero_time};
use crate::wait::{WaitRules, wait_applied};

use super::error::Error;
use super::load::Target;
use super::state::{Deployed, Failure, ReleaseAction};
use super::{Context, apply, crds, hooks, rights};

/// What an install or an upgrade does differently.
pub struct Plan {
    /// Which one.
    pub action: ReleaseAction,
    /// The hook events run before and after the apply.
    pub hooks: (&'static str, &'static str),
    /// The record's status while it runs.
    pub pending: &'static str,
    /// The record's description while it runs.
    pub description: &'static str,
    /// The deployed revision an upgrade replaces (marked `superseded` when it succeeds).
    pub from: Option<Release>,
    /// Take fields other field managers own (`spec.upgrade.force`, `forceAt`).
    pub force: bool,
}

/// How an attempt that made a revision ended.
pub enum Attempt {
    /// The revision is deployed.
    Deployed(Box<Deployed>),
    /// The revision failed.
    Failed(Box<Failure>),
}

/// Makes the next revision after `history` as `plan` says. `Err` before a revision exists
/// ([`Error::Fetch`], [`Error::Render`], [`Error::Crds`], [`Error::Forbidden`], or the API);
/// after that, the revision's fate is in the [`Attempt`].
///
/// Every request for the release's objects is made as its identity ([`Target::cluster`]),
/// rendering's `lookup` included; before the revision is recorded, that identity's rights to
/// everything the revision does are checked (`rights.rs`).
///
/// As `helm install` does, the chart's `crds/` are applied (as the CRD policy says) before its
/// templates are rendered, with `.Capabilities` from the live cluster's discovery refreshed
/// after them. (The core renders the chart once to list its CRDs; when they changed anything,
/// it renders again with the new capabilities.)
pub async fn make(t: &Target<'_>, history: &[Release], plan: Plan) -> Result<Attempt, Error> {
    let (ctx, hr) = (t.ctx, t.hr);
    // Read at each attempt: a rotated Secret is used at the next install or upgrade.
    let access = credentials::access(ctx.cluster.client(), hr, ctx.tenancy.cross_namespace_refs())
        .await
        .map_err(|e| FetchError(e.to_string()))?;
    let chart = ctx
        .charts
        .fetch(&hr.spec.repo, &hr.spec.name, &hr.spec.version, &access)
        .await?;
    let values = t.values.clone();
    let revision = history.last().map(|r| r.version).unwrap_or(0) + 1;
    let is_upgrade = plan.action == ReleaseAction::Upgrade;
    let policy = if is_upgrade {
        hr.upgrade_crds()
    } else {
        hr.install_crds()
    };
    let include_crds = policy != CrdPolicy::Skip;
    let request = |capabilities: Capabilities| {
        render(
            ctx,
            &t.cluster,
            &chart,
            &values,
            (&t.name, &t.namespace, revision, is_upgrade),
            capabilities,
            include_crds,
        )
    };
    let mut rendered = request(t.own.capabilities().await?)
        .await
        .map_err(Error::Render)?;
    if include_crds {
        let defs = crds::chart_crds(&rendered.text);
        let crd_deadline = Instant::now() + t.settings.timeout;
        if crds::apply(&t.cluster, &defs, policy, crd_deadline).await? {
            rendered = request(t.own.capabilities().await?)
                .await
                .map_err(Error::Render)?;
        }
    }

    let previous = history
        .iter()
        .rev()
        .find(|r| !r.manifest.is_empty())
        .map(|r| r.manifest.clone())
        .unwrap_or_default();
    let manifest = helm_manifest(&rendered.manifests);
    rights::check(
        &t.cluster,
        &manifest,
        &rendered.hooks,
        &previous,
        (&t.name, &t.namespace),
    )
    .await?;

    let now = Timestamp::now().to_string();
    let mut release = Release {
        name: t.name.clone(),
        namespace: t.namespace.clone(),
        version: revision,
        chart: Some(chart.helm_record()),
        config: values,
        manifest,
        hooks: rendered.hooks.iter().map(hooks::record).collect(),
        info: Info {
            first_deployed: Some(
                plan.from
                    .as_ref()
                    .and_then(|d| d.info.first_deployed.clone())
                    .unwrap_or_else(|| now.clone()),
            ),
            last_deployed: Some(now),
            deleted: zero_time(),
            description: plan.description.into(),
            status: plan.pending.into(),
            notes: rendered.notes.clone().unwrap_or_default(),
            extra: Default::default(),
        },
        extra: Default::default(),
        labels: Default::default(),
    };
    t.store.create(&release).await?;

    let deadline = Instant::now() + t.settings.timeout;
    let (pre, post) = plan.hooks;
    let cluster = &t.cluster;
    let mut left = Vec::new();
    // Each hook's `last_run` goes into the record, as Helm writes it.
    let mut records = std::mem::take(&mut release.hooks);
    let run = async {
        hooks::run(
            cluster,
            &rendered.hooks,
            pre,
            &t.namespace,
            deadline,
            Some(&mut records),
        )
        .await?;
        let rollout = apply::deploy(
            cluster,
            &release.manifest,
            &previous,
            &t.name,
            &t.namespace,
            plan.force,
        )
        .await?;
        left = rollout.left;
        if hr.spec.wait || hr.spec.atomic {
            let rules = WaitRules {
                jobs: !disable_wait_for_jobs(hr, plan.action),
            };
            wait_applied(cluster, rollout.live, &t.namespace, deadline, rules).await?;
        }
        hooks::run(
            cluster,
            &rendered.hooks,
            post,
            &t.namespace,
            deadline,
            Some(&mut records),
        )
        .await
    };
    let result: Result<(), String> = run.await;
    release.hooks = records;

    let verb = plan.action.verb();
    match result {
        Ok(()) => {
            release.info.status = crate::release::status::DEPLOYED.into();
            release.info.description = format!("{verb} complete");
            t.store.update(&release).await?;
            if let Some(mut d) = plan.from {
                d.info.status = crate::release::status::SUPERSEDED.into();
                t.store.update(&d).await?;
            }
            t.store.prune(t.settings.history_limit).await?;
            Ok(Attempt::Deployed(Box::new(Deployed {
                action: plan.action,
                release,
                hooks: rendered.hooks,
                tested: false,
                left,
            })))
        }
        Err(mut why) => {
            if plan.action == ReleaseAction::Upgrade && t.settings.cleanup_on_fail {
                match apply::delete_new(cluster, &release.manifest, &previous, &t.namespace).await {
                    Ok(()) => why.push_str(" (cleanupOnFail: the objects it created were deleted)"),
                    Err(e) => why.push_str(&format!(" (cleanupOnFail failed: {e})")),
                }
            }
            release.info.status = crate::release::status::FAILED.into();
            // Helm's wording: `Release "x" failed` for an install, `Upgrade "x" failed` for an upgrade.
            let what = match plan.action {
                ReleaseAction::Install => "Release",
                ReleaseAction::Upgrade => "Upgrade",
            };
            release.info.description = format!("{what} \"{}\" failed: {why}", t.name);
            t.store.update(&release).await?;
            Ok(Attempt::Failed(Box::new(Failure {
                action: plan.action,
                release,
                why,
            })))
        }
    }
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

/// `spec.install.disableWaitForJobs` or `spec.upgrade.disableWaitForJobs`, as `action` is.
fn disable_wait_for_jobs(hr: &HelmRelease, action: ReleaseAction) -> bool {
    match action {
        ReleaseAction::Install => hr
            .spec
            .install
            .as_ref()
            .is_some_and(|i| i.disable_wait_for_jobs),
        ReleaseAction::Upgrade => hr
            .spec
            .upgrade
            .as_ref()
            .is_some_and(|u| u.disable_wait_for_jobs),
    }
}

/// Renders `chart` in the sandbox for release `(name, namespace, revision, is_upgrade)`, its
/// `lookup` reading `cluster` (the release's identity).
async fn render(
    ctx: &Context,
    cluster: &Cluster,
    chart: &Chart,
    values: &serde_json::Map<String, Value>,
    (name, namespace, revision, is_upgrade): (&str, &str, u32, bool),
    capabilities: Capabilities,
    include_crds: bool,
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
        capabilities,
        options: RenderOptions {
            // Only to list them: the CRDs are applied by `crds::apply`, not as release objects.
            include_crds,
            // Kept in the record (as Helm keeps them) and run only with spec.test.enable.
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
        },
    };
    let runtime = ctx.runtime.clone();
    let host = ClusterLookup::new(cluster.clone(), tokio::runtime::Handle::current());
    let started = std::time::Instant::now();
    let out = tokio::task::spawn_blocking(move || runtime.render(&request, host))
        .await
        .map_err(|e| format!("the render task failed: {e}"))?
        .map_err(|e| e.to_string());
    ctx.metrics.observe_render(started.elapsed());
    out
}
