//! Loading what the decision needs, and no more: the release's history, the verdict of the
//! validation the webhook gives too (`validate`), its dependencies (`spec.dependsOn`) and values
//! (`spec.valuesFrom`, validated again once merged), and drift when the release is in sync. A
//! HelmRelease being deleted needs only its history; a suspended one or one whose spec cannot be read needs nothing (and must not touch
//! the cluster, for example by creating its namespace).

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::cluster::{Cluster, FIELD_MANAGER};
use crate::crd::{DriftMode, HelmRelease};
use crate::credentials;
use crate::identity::{self, Identity};
use crate::release::{Release, Store};
use crate::validation::{self, Unvalidated, Verdict};

use super::dependencies::{self, Blocked};
use super::drift;
use super::error::Error;
use super::state::{
    Facts, Failures, Settings, drift_mode, in_sync, last_deployed, not_owned, retry_at,
};
use super::values::{self, Redaction};
use super::{Context, Slot};

/// One reconcile's release: the HelmRelease, where its release lives, whom it acts as, and the
/// spec's settings.
pub struct Target<'a> {
    /// Shared clients.
    pub ctx: &'a Context,
    /// The cluster as the release's identity: every read and write of its objects, hooks,
    /// waits, drift checks and lookups goes through it (`crate::identity`).
    pub cluster: Cluster,
    /// Whom [`Target::cluster`] acts as.
    pub identity: Identity,
    /// The release's cluster as the controller (or, with `spec.kubeConfig`, the kubeconfig's
    /// user): its records and discovery.
    pub own: Cluster,
    /// The HelmRelease as loaded.
    pub hr: &'a HelmRelease,
    /// The Helm release name.
    pub name: String,
    /// The target namespace (where the objects and the release records live).
    pub namespace: String,
    /// The release records (written as the controller, labelled as this HelmRelease's).
    pub store: Store,
    /// The spec's settings (defaults when the spec cannot be read: then the decision stalls it
    /// before any action reads them).
    pub settings: Settings,
    /// The values a new revision is made with: `spec.valuesFrom` merged, then `spec.values`.
    pub values: serde_json::Map<String, serde_json::Value>,
    /// The strings read from Secrets (`spec.valuesFrom`), scrubbed from every message.
    pub redaction: Redaction,
    /// The reconcile's slot (`--concurrent`), given up while it waits for readiness.
    pub slot: &'a Slot,
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
pub async fn load<'a>(
    ctx: &'a Context,
    hr: &'a HelmRelease,
    slot: &'a Slot,
) -> Result<Loaded<'a>, Error> {
    let name = hr.release_name();
    let namespace = hr.target_namespace();
    let deleting = hr.metadata.deletion_timestamp.is_some();
    let remote = ctx
        .remotes
        .resolve(
            ctx.cluster.client(),
            hr,
            ctx.tenancy.default_service_account.clone(),
        )
        .await;
    let (own, identities, unreachable) = match remote {
        Ok(Some((own, identities))) => (own, identities, None),
        Ok(None) => (ctx.cluster.clone(), ctx.identities.clone(), None),
        // The release there is not forgotten: the finalizer stays until it can be uninstalled.
        Err(e) if deleting => return Err(e.into()),
        // Nothing is acted on (the state is Invalid): the local clients are never used for it.
        Err(e) => (
            ctx.cluster.clone(),
            ctx.identities.clone(),
            Some(e.to_string()),
        ),
    };
    let store = Store::new(own.client().clone(), &namespace, &name)
        .owned_by(&hr.namespace().unwrap_or_default(), &hr.name_any());
    let identity = identities.of(hr);
    let cluster = identities.cluster(&identity)?;
    let parsed = Settings::of(&hr.spec);
    let settings = match &parsed {
        _ if deleting => Settings::for_uninstall(&hr.spec),
        Ok(s) => s.clone(),
        Err(_) => Settings::default(),
    };
    let mut loaded = Loaded {
        target: Target {
            ctx,
            cluster,
            identity,
            own,
            hr,
            name,
            namespace,
            store,
            settings,
            values: hr.values(),
            redaction: Redaction::default(),
            slot,
        },
        history: Vec::new(),
        facts: Facts {
            failures: Failures::of(hr),
            retry_at: retry_at(hr),
            unreachable,
            now: jiff::Timestamp::now(),
            ..Facts::default()
        },
    };
    loaded.facts.unresolvable = hr.unresolvable(ctx.cluster.name());
    if deleting {
        // A release for a cluster this controller cannot reach was never installed here: its
        // history here (if any) belongs to another release of the same name and is left alone.
        if loaded.facts.unresolvable.is_none() {
            let history = loaded.target.store.history().await?;
            // Another's release (one this HelmRelease was refused, or never adopted) is not
            // this HelmRelease's to uninstall.
            if not_owned(hr, &history, false).is_none() {
                loaded.history = history;
            }
        }
        return Ok(loaded);
    }
    if hr.spec.suspend || parsed.is_err() {
        return Ok(loaded);
    }
    loaded.facts.findings = validate(hr, ctx).await?;
    let cross_namespace_refs = ctx.tenancy.cross_namespace_refs();
    loaded.facts.denied = credentials::check_references(hr, cross_namespace_refs)
        .err()
        .map(|e| e.to_string())
        .or_else(|| dependencies::check_namespaces(hr, cross_namespace_refs).err());
    if !loaded.facts.findings.is_empty()
        || loaded.facts.unreachable.is_some()
        || loaded.facts.unresolvable.is_some()
        || loaded.facts.denied.is_some()
    {
        return Ok(loaded);
    }
    // As Flux: the dependencies first, then the values (which a release that waits does not
    // need yet).
    match dependencies::check(ctx.cluster.client(), hr).await? {
        Some(Blocked::Cycle(cycle)) => {
            loaded.facts.dependency_cycle = Some(cycle);
            return Ok(loaded);
        }
        Some(Blocked::NotReady(message)) => {
            loaded.facts.dependencies_not_ready = Some(message);
            return Ok(loaded);
        }
        None => {}
    }
    if !hr.spec.values_from.is_empty() {
        match values::resolve(ctx.cluster.client(), hr).await? {
            Err(e) => {
                loaded.facts.values_failed = Some((e.reason(), e.to_string()));
                return Ok(loaded);
            }
            Ok(resolved) => {
                let findings = validate_merged_values(hr, &resolved, ctx).await?;
                loaded.target.values = resolved.values.clone();
                loaded.target.redaction = resolved.redaction;
                loaded.facts.values = Some(resolved.values);
                if !findings.is_empty() {
                    loaded.facts.findings = findings;
                    return Ok(loaded);
                }
            }
        }
    }
    let t = &loaded.target;
    if hr.create_namespace() {
        match ensure_namespace(&t.cluster, &t.namespace).await {
            Err(Error::Forbidden(f)) => {
                loaded.facts.forbidden = Some(f.to_string());
                return Ok(loaded);
            }
            other => other?,
        }
    }
    loaded.history = t.store.history().await?;
    adopt(t, &mut loaded.history).await?;
    let mode = drift_mode(hr);
    if mode != DriftMode::Disabled
        && in_sync(hr, &t.values, &loaded.history).is_some()
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
            &t.cluster,
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

/// The reconcile's one entry to the validation it shares with the webhook
/// ([`validation::Validator::validate`]: built-in rules, the policy ConfigMap's rules and disabled
/// codes): empty when the spec is valid, else the webhook's denial message, which stalls the
/// release (`ValidationFailed`). Rules that do not load stall it too (the webhook denies then);
/// a verdict that could not be had for now (rules not read yet, a timeout) is an error, retried.
pub async fn validate(hr: &HelmRelease, ctx: &Context) -> Result<Vec<String>, Error> {
    let object = serde_json::to_value(hr).expect("a HelmRelease serializes");
    let what = validation::name(
        "HelmRelease",
        &hr.namespace().unwrap_or_default(),
        &hr.name_any(),
    );
    match ctx.validator.validate(&what, &object).await {
        Verdict::Valid { .. } => Ok(Vec::new()),
        Verdict::Invalid { message, .. }
        | Verdict::NotValidated {
            cause: Unvalidated::Rules,
            message,
        } => Ok(vec![message]),
        Verdict::NotValidated { message, .. } => Err(Error::NotValidated(message)),
    }
}

/// The error findings of the core's validation of `hr` with its merged values as `spec.values`:
/// CI saw only the inline values, so the value rules (no template strings, ...) run again on what
/// the release is made with. A finding's text goes through the Secrets' redaction, as a rule may
/// quote a value.
async fn validate_merged_values(
    hr: &HelmRelease,
    resolved: &values::Resolved,
    ctx: &Context,
) -> Result<Vec<String>, Error> {
    let mut merged = hr.clone();
    merged.spec.values = Some(resolved.values.clone());
    // A verdict that could not be had is retried; its message may quote values too.
    let findings = validate(&merged, ctx).await.map_err(|e| match e {
        Error::NotValidated(message) => {
            Error::NotValidated(resolved.redaction.scrub(&message).into_owned())
        }
        other => other,
    })?;
    Ok(findings
        .iter()
        .map(|f| resolved.redaction.scrub(f).into_owned())
        .collect())
}

/// With `spec.install.takeOwnership`, makes a release that is not the HelmRelease's its own: its
/// newest record is labelled as the HelmRelease's (no new revision: an adopted release in sync
/// stays as it is), so that it stays owned once the field is removed, and is uninstalled with
/// the HelmRelease.
///
/// Guarantees: idempotent; nothing changes without `takeOwnership` or for a release already
/// owned.
async fn adopt(t: &Target<'_>, history: &mut Vec<Release>) -> Result<(), Error> {
    if !t.hr.take_ownership() || not_owned(t.hr, history, false).is_none() {
        return Ok(());
    }
    if let Some(newest) = history.last() {
        t.store.update(newest).await?;
        *history = t.store.history().await?;
    }
    Ok(())
}

/// Creates the target namespace when it does not exist (`spec.createNamespace`), as the
/// release's identity.
async fn ensure_namespace(cluster: &Cluster, namespace: &str) -> Result<(), Error> {
    let api: Api<Namespace> = Api::all(cluster.client().clone());
    let forbidden = |e: kube::Error| match identity::forbidden(&e) {
        Some(f) => Error::Forbidden(f),
        None => Error::Kube(e),
    };
    if api.get_opt(namespace).await.map_err(forbidden)?.is_none() {
        let body =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
        api.patch(
            namespace,
            &PatchParams::apply(FIELD_MANAGER),
            &Patch::Apply(&body),
        )
        .await
        .map_err(forbidden)?;
    }
    Ok(())
}
