use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::json;

use super::*;
use crate::crd::{
    Condition, DriftDetection, FORCE_AT, HelmReleaseStatus, InstallRemediation, InstallSpec,
    REQUESTED_AT, RESET_AT, TestSpec, UpgradeRemediation, UpgradeSpec, ValuesReference,
};

/// The time of every decision.
fn now() -> Timestamp {
    "2026-01-01T12:00:00Z".parse().unwrap()
}

/// `hr` with the status of failed attempts at `generation`: `(install, upgrade)` failures, a
/// retry due at `retry` (RFC 3339).
fn failing(
    hr: HelmRelease,
    reason: Reason,
    generation: i64,
    (install, upgrade): (u32, u32),
    retry: Option<&str>,
) -> HelmRelease {
    let mut hr = with_ready(hr, reason, generation);
    let s = hr.status.as_mut().unwrap();
    s.failures = install + upgrade;
    s.install_failures = install;
    s.upgrade_failures = upgrade;
    s.next_retry_at = retry.map(str::to_string);
    hr
}

/// `hr` with the annotations `pairs`.
fn annotated(mut hr: HelmRelease, pairs: &[(&str, &str)]) -> HelmRelease {
    hr.metadata.annotations = Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    hr
}

/// `hr` with `spec.install.remediation.retries` and `spec.upgrade.remediation`.
fn retrying(hr: HelmRelease, install: u32, upgrade: UpgradeRemediation) -> HelmRelease {
    let mut hr = hr;
    hr.spec.install = Some(InstallSpec {
        remediation: Some(InstallRemediation {
            retries: Some(install),
        }),
        ..InstallSpec::default()
    });
    hr.spec.upgrade = Some(UpgradeSpec {
        remediation: Some(upgrade),
        ..UpgradeSpec::default()
    });
    hr
}

fn upgrade_retries(retries: u32) -> UpgradeRemediation {
    UpgradeRemediation {
        retries: Some(retries),
        ..UpgradeRemediation::default()
    }
}

/// The spec of every case: chart `webapp` 1.0.0 with `message: a`, generation 2.
fn hr() -> HelmRelease {
    let mut hr = HelmRelease::new(
        "web",
        HelmReleaseSpec {
            repo: "oci://registry.example/charts".into(),
            name: "webapp".into(),
            version: "1.0.0".into(),
            values: Some(json!({"message": "a"}).as_object().cloned().unwrap()),
            ..HelmReleaseSpec::default()
        },
    );
    hr.metadata.namespace = Some("apps".into());
    hr.metadata.generation = Some(2);
    hr
}

/// Revision `version` of chart `webapp` `chart` with `message`, in `state`.
fn rev(version: u32, state: &str, chart: &str, message: &str) -> Release {
    Release {
        name: "web".into(),
        namespace: "apps".into(),
        labels: [
            (
                crate::release::OWNER_NAMESPACE.to_string(),
                "apps".to_string(),
            ),
            (crate::release::OWNER_NAME.to_string(), "web".to_string()),
        ]
        .into(),
        version,
        chart: Some(json!({"metadata": {"name": "webapp", "version": chart}})),
        config: json!({"message": message}).as_object().cloned().unwrap(),
        info: crate::release::Info {
            status: state.into(),
            ..Default::default()
        },
        ..Release::default()
    }
}

/// `release` as another HelmRelease in `apps` wrote it, or without owner (`None`: helm).
fn unowned(mut release: Release, owner: Option<&str>) -> Release {
    match owner {
        Some(name) => {
            release
                .labels
                .insert(crate::release::OWNER_NAME.into(), name.into());
        }
        None => release.labels.clear(),
    }
    release
}

/// `hr` whose status says it deployed `revision`.
fn with_applied(mut hr: HelmRelease, revision: u32) -> HelmRelease {
    hr.status = Some(HelmReleaseStatus {
        last_applied_revision: Some(revision),
        ..HelmReleaseStatus::default()
    });
    hr
}

/// The spec's chart and values: what an in-sync revision has.
fn current(version: u32, state: &str) -> Release {
    rev(version, state, "1.0.0", "a")
}

/// A status whose Ready condition has `reason`, observed at `generation`.
fn with_ready(mut hr: HelmRelease, reason: Reason, generation: i64) -> HelmRelease {
    hr.status = Some(HelmReleaseStatus {
        observed_generation: Some(generation),
        conditions: vec![Condition {
            type_: ConditionType::Ready.as_str().into(),
            status: "False".into(),
            reason: reason.as_str().into(),
            ..Condition::default()
        }],
        ..HelmReleaseStatus::default()
    });
    hr
}

fn drift() -> Vec<Drifted> {
    let obj = ObjectRef {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: None,
        name: "web".into(),
    };
    vec![Drifted {
        label: format!("{obj} (modified)"),
        obj,
        body: Value::Null,
    }]
}

fn deployed(revision: u32, tested: bool) -> Progress {
    Progress::Deployed(Box::new(Deployed {
        action: ReleaseAction::Upgrade,
        release: current(revision, status::DEPLOYED),
        hooks: Vec::new(),
        tested,
        left: Vec::new(),
    }))
}

fn failed(action: ReleaseAction, revision: u32) -> Progress {
    Progress::Failed(Box::new(Failure {
        action,
        release: current(revision, status::FAILED),
        why: "timed out".into(),
    }))
}

fn edit_status(mut hr: HelmRelease, f: impl FnOnce(&mut HelmReleaseStatus)) -> HelmRelease {
    f(hr.status.as_mut().unwrap());
    hr
}

fn edit(f: impl FnOnce(&mut HelmRelease)) -> HelmRelease {
    let mut hr = hr();
    f(&mut hr);
    hr
}

/// Every state, and every transition a reconcile makes between two actions.
#[test]
fn the_state_of_a_release() {
    use ReleaseState::*;
    let facts = |progress: Progress| Facts {
        progress,
        ..Facts::default()
    };
    // This reconcile's failure, counted: `(install, upgrade)` failures so far.
    let after = |progress: Progress, (install, upgrade): (u32, u32)| Facts {
        progress,
        failures: Failures {
            total: install + upgrade,
            install,
            upgrade,
        },
        retry_at: Some("2026-01-01T12:00:04Z".parse().unwrap()),
        ..Facts::default()
    };
    let none = Facts::default;
    let atomic = edit(|hr| hr.spec.atomic = true);
    let tests = edit(|hr| {
        hr.spec.test = Some(TestSpec {
            enable: true,
            timeout: None,
        })
    });
    let warn = edit(|hr| {
        hr.spec.drift_detection = Some(DriftDetection {
            mode: Some(DriftMode::Warn),
            ignore: Vec::new(),
        })
    });
    let no_drift = edit(|hr| {
        hr.spec.drift_detection = Some(DriftDetection {
            mode: Some(DriftMode::Disabled),
            ignore: Vec::new(),
        })
    });
    let deleting = edit(|hr| hr.metadata.deletion_timestamp = Some(Time(Default::default())));
    let suspended = edit(|hr| hr.spec.suspend = true);
    let bad_timeout = edit(|hr| hr.spec.timeout = Some("5 minutes".into()));
    let bad_test_timeout = edit(|hr| {
        hr.spec.test = Some(TestSpec {
            enable: true,
            timeout: Some("soon".into()),
        })
    });
    let findings = || Facts {
        findings: vec!["spec.version: not SemVer (PH001)".into()],
        ..Facts::default()
    };
    let installed = || vec![current(1, status::DEPLOYED)];
    let upgraded_failed = || {
        vec![
            current(1, status::SUPERSEDED),
            rev(2, status::DEPLOYED, "0.9.0", "a"),
            current(3, status::FAILED),
        ]
    };

    #[rustfmt::skip]
    let cases: Vec<(&str, HelmRelease, Vec<Release>, Facts, ReleaseState)> = vec![
        ("deleting wins over everything", deleting, vec![current(1, status::PENDING_UPGRADE)], findings(), Deleting),
        ("deleting a suspended release", edit(|hr| { hr.spec.suspend = true; hr.metadata.deletion_timestamp = Some(Time(Default::default())) }), installed(), none(), Deleting),
        ("suspended", suspended, vec![current(1, status::PENDING_INSTALL)], none(), Suspended),
        ("suspended with a bad spec", edit(|hr| { hr.spec.suspend = true; hr.spec.interval = Some("x".into()) }), vec![], none(), Suspended),
        ("a timeout that is no duration", bad_timeout, installed(), none(), Invalid { reason: Reason::InvalidSpec, message: "spec.timeout: \"5 minutes\" is not a duration (time: unknown unit \" minutes\" in duration \"5 minutes\"): write it as Go does, like 5m, 1h30m or 90s".into() }),
        ("a test timeout that is no duration", bad_test_timeout, vec![], none(), Invalid { reason: Reason::InvalidSpec, message: "spec.test.timeout: \"soon\" is not a duration (time: invalid duration \"soon\"): write it as Go does, like 5m, 1h30m or 90s".into() }),
        ("validation findings", hr(), vec![current(1, status::PENDING_UPGRADE)], findings(), Invalid { reason: Reason::ValidationFailed, message: "spec.version: not SemVer (PH001)".into() }),
        ("another cluster", hr(), installed(), Facts { unresolvable: Some((Unresolvable::TargetCluster, "elsewhere".into())), ..Facts::default() }, Invalid { reason: Reason::TargetClusterUnresolvable, message: "elsewhere".into() }),
        ("a namespace reference", hr(), vec![], Facts { unresolvable: Some((Unresolvable::Namespace, "value_from".into())), ..Facts::default() }, Invalid { reason: Reason::NamespaceUnresolvable, message: "value_from".into() }),
        ("a Secret in another namespace, refused", hr(), installed(), Facts { denied: Some("spec.credentialsRef names Secret platform/pull".into()), ..Facts::default() }, Invalid { reason: Reason::AccessDenied, message: "spec.credentialsRef names Secret platform/pull".into() }),
        ("findings before a refused reference", hr(), vec![], Facts { denied: Some("refused".into()), ..findings() }, Invalid { reason: Reason::ValidationFailed, message: "spec.version: not SemVer (PH001)".into() }),
        ("findings before another cluster", hr(), vec![], Facts { unresolvable: Some((Unresolvable::TargetCluster, "elsewhere".into())), ..findings() }, Invalid { reason: Reason::ValidationFailed, message: "spec.version: not SemVer (PH001)".into() }),
        ("a release helm made", hr(), vec![unowned(current(1, status::DEPLOYED), None)], none(), Invalid { reason: Reason::OwnershipConflict, message: "release web in namespace apps exists and is not this HelmRelease's: its newest record (revision 1, deployed) was written by another tool (the helm CLI?), not a HelmRelease; it is left alone. Set spec.install.takeOwnership: true to adopt it, or give this HelmRelease another releaseName".into() }),
        ("another HelmRelease's release", hr(), vec![current(1, status::SUPERSEDED), unowned(current(2, status::PENDING_UPGRADE), Some("other"))], none(), Invalid { reason: Reason::OwnershipConflict, message: "release web in namespace apps exists and is not this HelmRelease's: its newest record (revision 2, pending-upgrade) was written by HelmRelease apps/other; it is left alone. Set spec.install.takeOwnership: true to adopt it, or give this HelmRelease another releaseName".into() }),
        ("a release helm made, taken over", edit(|hr| hr.spec.install = Some(InstallSpec { take_ownership: true, ..InstallSpec::default() })), vec![unowned(current(1, status::DEPLOYED), None)], none(), InSync { revision: 1 }),
        ("a release helm upgraded after us", edit(|hr| hr.spec.install = Some(InstallSpec { take_ownership: true, ..InstallSpec::default() })), vec![current(1, status::SUPERSEDED), unowned(rev(2, status::DEPLOYED, "1.0.0", "b"), None)], none(), NeedsUpgrade { from: 2 }),
        ("records of ours written before they were labelled", with_applied(hr(), 1), vec![unowned(current(1, status::DEPLOYED), None)], none(), InSync { revision: 1 }),
        ("pending-install left by a crash", hr(), vec![current(1, status::PENDING_INSTALL)], none(), Locked { revision: 1 }),
        ("pending-upgrade left by a crash", hr(), vec![current(1, status::SUPERSEDED), current(2, status::PENDING_UPGRADE)], none(), Locked { revision: 2 }),
        ("pending-rollback left by a crash", atomic.clone(), vec![current(1, status::SUPERSEDED), current(2, status::FAILED), current(3, status::PENDING_ROLLBACK)], none(), Locked { revision: 3 }),
        ("uninstalling left by a crash", hr(), vec![current(1, status::UNINSTALLING)], none(), Locked { revision: 1 }),
        ("locked even right after a deploy of this reconcile", hr(), vec![current(1, status::PENDING_UPGRADE)], facts(deployed(1, false)), Locked { revision: 1 }),
        ("unlocked install: nothing deployed, install again", hr(), vec![current(1, status::FAILED)], none(), NeedsInstall),
        ("unlocked upgrade: upgrade from the deployed one", hr(), vec![current(1, status::DEPLOYED), current(2, status::FAILED)], none(), NeedsUpgrade { from: 1 }),
        ("no history", hr(), vec![], none(), NeedsInstall),
        ("only superseded and failed revisions", hr(), vec![current(1, status::SUPERSEDED), current(2, status::FAILED)], none(), NeedsInstall),
        ("in sync", hr(), installed(), none(), InSync { revision: 1 }),
        ("in sync, adopted from helm", hr(), vec![rev(1, status::SUPERSEDED, "0.9.0", "a"), current(2, status::DEPLOYED)], none(), InSync { revision: 2 }),
        ("in sync but drifted", hr(), installed(), Facts { drift: drift(), ..Facts::default() }, Drifted { revision: 1, mode: DriftMode::Enabled }),
        ("in sync but drifted, warn", warn, installed(), Facts { drift: drift(), ..Facts::default() }, Drifted { revision: 1, mode: DriftMode::Warn }),
        ("drift detection disabled", no_drift, installed(), Facts { drift: drift(), ..Facts::default() }, InSync { revision: 1 }),
        ("in sync wins over an old failure", with_ready(hr(), Reason::UpgradeFailed, 2), installed(), none(), InSync { revision: 1 }),
        ("values changed", hr(), vec![rev(1, status::DEPLOYED, "1.0.0", "b")], none(), NeedsUpgrade { from: 1 }),
        ("chart version changed", hr(), vec![rev(1, status::DEPLOYED, "0.9.0", "a")], none(), NeedsUpgrade { from: 1 }),
        ("chart name changed", hr(), vec![Release { chart: Some(json!({"metadata": {"name": "other", "version": "1.0.0"}})), ..current(1, status::DEPLOYED) }], none(), NeedsUpgrade { from: 1 }),
        ("the spec's revision failed after a deployed one", hr(), vec![rev(1, status::DEPLOYED, "0.9.0", "a"), current(2, status::FAILED)], none(), NeedsUpgrade { from: 1 }),
        ("a rollback deployed an older revision", hr(), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
        ("upgrade failed this generation, no retries", failing(hr(), Reason::UpgradeFailed, 2, (0, 1), None), upgraded_failed(), none(), RetriesExhausted),
        ("install failed this generation, no retries", failing(hr(), Reason::InstallFailed, 2, (1, 0), None), vec![current(1, status::FAILED)], none(), RetriesExhausted),
        ("install failed, a retry left, backoff running", failing(retrying(hr(), 2, upgrade_retries(0)), Reason::InstallFailed, 2, (2, 0), Some("2026-01-01T12:00:30Z")), vec![], none(), AwaitingRetry { until: "2026-01-01T12:00:30Z".parse().unwrap() }),
        ("install failed, a retry left, backoff over", failing(retrying(hr(), 2, upgrade_retries(0)), Reason::InstallFailed, 2, (2, 0), Some("2026-01-01T11:59:00Z")), vec![], none(), NeedsInstall),
        ("install retries exhausted", failing(retrying(hr(), 2, upgrade_retries(0)), Reason::InstallFailed, 2, (3, 0), None), vec![], none(), RetriesExhausted),
        ("upgrade retries exhausted", failing(retrying(hr(), 0, upgrade_retries(1)), Reason::UpgradeFailed, 2, (0, 2), None), upgraded_failed(), none(), RetriesExhausted),
        ("upgrade failed, a retry left, backoff running", failing(retrying(hr(), 0, upgrade_retries(1)), Reason::UpgradeFailed, 2, (0, 1), Some("2026-01-01T12:05:00Z")), upgraded_failed(), none(), AwaitingRetry { until: "2026-01-01T12:05:00Z".parse().unwrap() }),
        ("a fetch failure waits for its backoff", failing(hr(), Reason::ChartFetchFailed, 2, (0, 0), Some("2026-01-01T12:00:10Z")), vec![], none(), AwaitingRetry { until: "2026-01-01T12:00:10Z".parse().unwrap() }),
        ("requestedAt skips the backoff", annotated(failing(hr(), Reason::ChartFetchFailed, 2, (0, 0), Some("2026-01-01T12:00:10Z")), &[(REQUESTED_AT, "now")]), vec![], none(), NeedsInstall),
        ("resetAt starts over", annotated(failing(hr(), Reason::InstallFailed, 2, (1, 0), None), &[(REQUESTED_AT, "r1"), (RESET_AT, "r1")]), vec![current(1, status::FAILED)], none(), NeedsInstall),
        ("resetAt without the same requestedAt is no request", annotated(failing(hr(), Reason::InstallFailed, 2, (1, 0), None), &[(REQUESTED_AT, "r2"), (RESET_AT, "r1")]), vec![current(1, status::FAILED)], none(), RetriesExhausted),
        ("resetAt already handled", annotated(edit_status(failing(hr(), Reason::InstallFailed, 2, (1, 0), None), |s| { s.last_handled_reset_at = Some("r1".into()); s.last_handled_reconcile_at = Some("r1".into()) }), &[(REQUESTED_AT, "r1"), (RESET_AT, "r1")]), vec![current(1, status::FAILED)], none(), RetriesExhausted),
        ("resetAt also retries a chart that did not render", annotated(with_ready(hr(), Reason::RenderFailed, 2), &[(REQUESTED_AT, "r1"), (RESET_AT, "r1")]), vec![], none(), NeedsInstall),
        ("forceAt upgrades an in-sync release", annotated(hr(), &[(REQUESTED_AT, "f1"), (FORCE_AT, "f1")]), installed(), none(), NeedsUpgrade { from: 1 }),
        ("forceAt upgrades over exhausted retries", annotated(failing(hr(), Reason::UpgradeFailed, 2, (0, 1), None), &[(REQUESTED_AT, "f1"), (FORCE_AT, "f1")]), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
        ("forceAt already handled", annotated(edit_status(with_ready(hr(), Reason::InstallSucceeded, 2), |s| s.last_handled_force_at = Some("f1".into())), &[(REQUESTED_AT, "f1"), (FORCE_AT, "f1")]), installed(), none(), InSync { revision: 1 }),
        ("a new generation starts the counts over", failing(hr(), Reason::UpgradeFailed, 1, (0, 5), Some("2026-01-01T13:00:00Z")), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
        ("an interval of 0s", edit(|hr| hr.spec.interval = Some("0s".into())), installed(), none(), Invalid { reason: Reason::InvalidSpec, message: "spec.interval: \"0s\" is shorter than 1s: the release would be reconciled in a tight loop; write at least 1s (the default is 10m)".into() }),
        ("render failed this generation", with_ready(hr(), Reason::RenderFailed, 2), vec![], none(), RetriesExhausted),
        ("failed at an older generation: try again", with_ready(hr(), Reason::UpgradeFailed, 1), upgraded_failed(), none(), NeedsUpgrade { from: 2 }),
        ("a fetch failure is retried", with_ready(hr(), Reason::ChartFetchFailed, 2), vec![], none(), NeedsInstall),
        ("deployed this reconcile", hr(), installed(), facts(deployed(1, false)), InSync { revision: 1 }),
        ("deployed this reconcile, tests to run", tests.clone(), installed(), facts(deployed(1, false)), Untested { revision: 1 }),
        ("deployed and tested", tests, installed(), facts(deployed(1, true)), InSync { revision: 1 }),
        ("upgrade failed, not atomic", hr(), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 1)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: None }),
        ("upgrade failed, atomic: roll back", atomic.clone(), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 1)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Rollback { to: 2 }) }),
        ("install failed, atomic: uninstall", atomic.clone(), vec![current(1, status::FAILED)], after(failed(ReleaseAction::Install, 1), (1, 0)), FailedThisGeneration { action: ReleaseAction::Install, remediation: Some(Remediation::Uninstall) }),
        ("install failed, not atomic", hr(), vec![current(1, status::FAILED)], after(failed(ReleaseAction::Install, 1), (1, 0)), FailedThisGeneration { action: ReleaseAction::Install, remediation: None }),
        ("install failed, a retry left: uninstall before it", retrying(hr(), 1, upgrade_retries(0)), vec![current(1, status::FAILED)], after(failed(ReleaseAction::Install, 1), (1, 0)), FailedThisGeneration { action: ReleaseAction::Install, remediation: Some(Remediation::Uninstall) }),
        ("install failed, the last retry, not atomic", retrying(hr(), 1, upgrade_retries(0)), vec![current(1, status::FAILED)], after(failed(ReleaseAction::Install, 1), (2, 0)), FailedThisGeneration { action: ReleaseAction::Install, remediation: None }),
        ("upgrade failed, a retry left: roll back before it", retrying(hr(), 0, upgrade_retries(1)), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 1)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Rollback { to: 2 }) }),
        ("upgrade failed, the last retry: retries imply remediateLastFailure", retrying(hr(), 0, upgrade_retries(1)), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 2)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Rollback { to: 2 }) }),
        ("upgrade failed, the last retry, remediateLastFailure: false", retrying(hr(), 0, UpgradeRemediation { retries: Some(1), remediate_last_failure: Some(false), ..UpgradeRemediation::default() }), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 2)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: None }),
        ("upgrade failed, strategy uninstall", retrying(atomic.clone(), 0, UpgradeRemediation { strategy: Some(RemediationStrategy::Uninstall), ..UpgradeRemediation::default() }), upgraded_failed(), after(failed(ReleaseAction::Upgrade, 3), (0, 1)), FailedThisGeneration { action: ReleaseAction::Upgrade, remediation: Some(Remediation::Uninstall) }),
        ("failure handled", atomic.clone(), vec![], after(Progress::FailureHandled, (1, 0)), RetriesExhausted),
        ("failure handled, rolled back", atomic, vec![current(1, status::SUPERSEDED), current(2, status::FAILED), current(3, status::DEPLOYED)], after(Progress::FailureHandled, (0, 1)), RetriesExhausted),
        ("failure handled, a retry left: wait for it", retrying(hr(), 1, upgrade_retries(0)), vec![], after(Progress::FailureHandled, (1, 0)), AwaitingRetry { until: "2026-01-01T12:00:04Z".parse().unwrap() }),
        ("a fetch failure handled: wait for its retry", hr(), vec![], Facts { progress: Progress::FailureHandled, failures: Failures { total: 1, ..Failures::default() }, retry_at: Some("2026-01-01T12:00:02Z".parse().unwrap()), ..Facts::default() }, AwaitingRetry { until: "2026-01-01T12:00:02Z".parse().unwrap() }),
        // spec.dependsOn and spec.valuesFrom.
        ("a dependency not Ready", hr(), installed(), Facts { dependencies_not_ready: Some("b (not found)".into()), ..Facts::default() }, DependenciesNotReady { message: "b (not found)".into() }),
        ("a dependency not Ready, even when locked", hr(), vec![current(1, status::PENDING_INSTALL)], Facts { dependencies_not_ready: Some("b (not found)".into()), ..Facts::default() }, DependenciesNotReady { message: "b (not found)".into() }),
        ("a dependency cycle", hr(), vec![], Facts { dependency_cycle: Some("web -> db -> web".into()), ..Facts::default() }, Invalid { reason: Reason::DependencyCycle, message: "spec.dependsOn makes a cycle: web -> db -> web; no release of it can be installed first: remove one of the dependencies".into() }),
        ("a refused dependency before a cycle", hr(), vec![], Facts { denied: Some("refused".into()), dependency_cycle: Some("web -> web".into()), ..Facts::default() }, Invalid { reason: Reason::AccessDenied, message: "refused".into() }),
        ("values from a missing Secret", hr(), installed(), Facts { values_failed: Some((Reason::ValuesFromNotFound, "Secret apps/db not found".into())), ..Facts::default() }, ValuesUnavailable { reason: Reason::ValuesFromNotFound, message: "Secret apps/db not found".into() }),
        ("the merged values changed (a rotated Secret): upgrade", hr(), installed(), Facts { values: Some(json!({"message": "b"}).as_object().cloned().unwrap()), ..Facts::default() }, NeedsUpgrade { from: 1 }),
        ("the merged values are deployed", hr(), vec![rev(1, status::DEPLOYED, "1.0.0", "b")], Facts { values: Some(json!({"message": "b"}).as_object().cloned().unwrap()), ..Facts::default() }, InSync { revision: 1 }),
        ("a malformed targetPath", edit(|hr| hr.spec.values_from = vec![ValuesReference { name: "db".into(), target_path: Some("a..b".into()), ..ValuesReference::default() }]), installed(), none(), Invalid { reason: Reason::InvalidSpec, message: "spec.valuesFrom[0].targetPath: \"a..b\" is not a path: a key is empty (two dots, or a dot at an end)".into() }),
    ];
    let mut seen = std::collections::HashSet::new();
    for (name, hr, history, facts, want) in cases {
        // What load() adds: the counts and retry time the status gives, the time.
        let facts = Facts {
            failures: match facts.progress {
                Progress::Start => Failures::of(&hr),
                _ => facts.failures,
            },
            retry_at: match facts.progress {
                Progress::Start => retry_at(&hr),
                _ => facts.retry_at,
            },
            now: now(),
            ..facts
        };
        let got = ReleaseState::of(&hr, &history, &facts);
        assert_eq!(got, want, "{name}");
        seen.insert(std::mem::discriminant(&got));
    }
    assert_eq!(seen.len(), 14, "every state has a case");
}

#[test]
fn a_deployed_revision_after_a_superseded_one_is_an_upgrade() {
    let installed = [current(1, status::DEPLOYED)];
    assert_eq!(deployed_reason(&installed, 1), Reason::InstallSucceeded);
    let upgraded = [current(1, status::SUPERSEDED), current(2, status::DEPLOYED)];
    assert_eq!(deployed_reason(&upgraded, 2), Reason::UpgradeSucceeded);
    let reinstalled = [current(1, status::FAILED), current(2, status::DEPLOYED)];
    assert_eq!(deployed_reason(&reinstalled, 2), Reason::InstallSucceeded);
}

#[test]
fn settings_default_and_parse() {
    assert_eq!(Settings::of(&hr().spec).unwrap(), Settings::default());
    let s = Settings::of(&HelmReleaseSpec {
        timeout: Some("1m".into()),
        interval: Some("30s".into()),
        history_limit: Some(3),
        test: Some(TestSpec {
            enable: true,
            timeout: None,
        }),
        ..HelmReleaseSpec::default()
    })
    .unwrap();
    assert_eq!(s.timeout, Duration::from_secs(60));
    assert_eq!(
        s.test_timeout,
        Duration::from_secs(60),
        "defaults to timeout"
    );
    assert_eq!(s.interval, Duration::from_secs(30));
    assert_eq!(s.history_limit, 3);
    assert!(s.run_tests);
    let bad = HelmReleaseSpec {
        timeout: Some("never".into()),
        ..HelmReleaseSpec::default()
    };
    assert_eq!(Settings::uninstall_timeout(&bad), DEFAULT_TIMEOUT);
}
