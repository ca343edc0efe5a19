//! The closed vocabulary of the status: condition types, condition statuses and reasons (of
//! conditions and of Events). The reconciler names them only through these enums, never as
//! string literals.

use std::fmt;

use crate::crd::Unresolvable;

/// A condition type of `status.conditions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionType {
    /// The summary (kstatus): `True` when the current generation's release is deployed.
    Ready,
    /// kstatus: an install or upgrade is in progress.
    Reconciling,
    /// kstatus: the release cannot progress without a change to the spec (or, after
    /// `RetriesExhausted`, a reset).
    Stalled,
    /// The result of the chart's test hooks (only with `spec.test.enable`).
    TestSuccess,
}

impl ConditionType {
    /// The name written in `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionType::Ready => "Ready",
            ConditionType::Reconciling => "Reconciling",
            ConditionType::Stalled => "Stalled",
            ConditionType::TestSuccess => "TestSuccess",
        }
    }
}

/// A condition's `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionStatus {
    /// `True`.
    True,
    /// `False`.
    False,
    /// `Unknown`.
    Unknown,
}

impl ConditionStatus {
    /// The word written in `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionStatus::True => "True",
            ConditionStatus::False => "False",
            ConditionStatus::Unknown => "Unknown",
        }
    }

    /// `True` for `true`, `False` for `false`.
    pub fn from_bool(value: bool) -> ConditionStatus {
        if value {
            ConditionStatus::True
        } else {
            ConditionStatus::False
        }
    }
}

/// Why a condition is what it is, or why an Event was published: a CamelCase word for programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// An install or upgrade is under way.
    Progressing,
    /// A revision was installed (also: the release is in sync).
    InstallSucceeded,
    /// A revision was upgraded to.
    UpgradeSucceeded,
    /// An install failed.
    InstallFailed,
    /// An upgrade failed.
    UpgradeFailed,
    /// The chart did not render.
    RenderFailed,
    /// The chart's CRDs could not be applied or did not become established.
    CrdsFailed,
    /// The chart (or its repository's credentials) could not be fetched.
    ChartFetchFailed,
    /// The core's validation found errors in the spec.
    ValidationFailed,
    /// A field of the spec cannot be read (a duration that is not one).
    InvalidSpec,
    /// `spec.namespace.value_from` (Project Planton's reference) cannot be resolved here.
    NamespaceUnresolvable,
    /// `spec.target_cluster.cluster_name` names a cluster this controller cannot reach.
    TargetClusterUnresolvable,
    /// The spec names a Secret in another namespace and the controller runs with
    /// `--no-cross-namespace-refs`.
    AccessDenied,
    /// A release left `pending-*` by an interrupted operation was marked failed.
    Recovered,
    /// Drifted objects were applied again.
    DriftCorrected,
    /// Drifted objects were reported and left (`driftDetection.mode: warn`).
    DriftDetected,
    /// The chart's test hooks succeeded.
    TestSucceeded,
    /// A test hook failed.
    TestFailed,
    /// The release was uninstalled (the HelmRelease is being deleted).
    UninstallSucceeded,
    /// Uninstalling the release failed.
    UninstallFailed,
    /// A reconcile could not finish (the API or the release store failed); retried.
    ReconcileFailed,
    /// More attempts failed than `remediation.retries` allows (the `Stalled` reason).
    RetriesExhausted,
    /// Fields that other field managers own were left to them (not forced).
    FieldManagerConflict,
    /// The API server refused the release's identity a request it needs (the `Stalled` reason;
    /// retried at the interval, as a grant heals it).
    Forbidden,
    /// A Helm release of the same name exists and is not this HelmRelease's (the `Stalled`
    /// reason; `spec.install.takeOwnership` adopts it).
    OwnershipConflict,
    /// The kubeconfig of `spec.kubeConfig` cannot be read or used (the `Stalled` reason; retried
    /// at the interval, as the Secret may be fixed).
    KubeConfigInvalid,
    /// `spec.suspend`: nothing is done until it is false again (Flux's reason).
    Suspended,
}

impl Reason {
    /// The word written in `reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Progressing => "Progressing",
            Reason::InstallSucceeded => "InstallSucceeded",
            Reason::UpgradeSucceeded => "UpgradeSucceeded",
            Reason::InstallFailed => "InstallFailed",
            Reason::UpgradeFailed => "UpgradeFailed",
            Reason::RenderFailed => "RenderFailed",
            Reason::CrdsFailed => "CRDsFailed",
            Reason::ChartFetchFailed => "ChartFetchFailed",
            Reason::ValidationFailed => "ValidationFailed",
            Reason::InvalidSpec => "InvalidSpec",
            Reason::NamespaceUnresolvable => "NamespaceUnresolvable",
            Reason::TargetClusterUnresolvable => "TargetClusterUnresolvable",
            Reason::AccessDenied => "AccessDenied",
            Reason::Recovered => "Recovered",
            Reason::DriftCorrected => "DriftCorrected",
            Reason::DriftDetected => "DriftDetected",
            Reason::TestSucceeded => "TestSucceeded",
            Reason::TestFailed => "TestFailed",
            Reason::UninstallSucceeded => "UninstallSucceeded",
            Reason::UninstallFailed => "UninstallFailed",
            Reason::ReconcileFailed => "ReconcileFailed",
            Reason::RetriesExhausted => "RetriesExhausted",
            Reason::FieldManagerConflict => "FieldManagerConflict",
            Reason::Forbidden => "Forbidden",
            Reason::OwnershipConflict => "OwnershipConflict",
            Reason::KubeConfigInvalid => "KubeConfigInvalid",
            Reason::Suspended => "Suspended",
        }
    }

    /// The reason named `text`, if it is one of ours.
    pub fn parse(text: &str) -> Option<Reason> {
        ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Every reason, for [`Reason::parse`].
const ALL: [Reason; 27] = [
    Reason::Progressing,
    Reason::InstallSucceeded,
    Reason::UpgradeSucceeded,
    Reason::InstallFailed,
    Reason::UpgradeFailed,
    Reason::RenderFailed,
    Reason::CrdsFailed,
    Reason::ChartFetchFailed,
    Reason::ValidationFailed,
    Reason::InvalidSpec,
    Reason::NamespaceUnresolvable,
    Reason::TargetClusterUnresolvable,
    Reason::AccessDenied,
    Reason::Recovered,
    Reason::DriftCorrected,
    Reason::DriftDetected,
    Reason::TestSucceeded,
    Reason::TestFailed,
    Reason::UninstallSucceeded,
    Reason::UninstallFailed,
    Reason::ReconcileFailed,
    Reason::RetriesExhausted,
    Reason::FieldManagerConflict,
    Reason::Forbidden,
    Reason::OwnershipConflict,
    Reason::KubeConfigInvalid,
    Reason::Suspended,
];

impl From<Unresolvable> for Reason {
    fn from(what: Unresolvable) -> Reason {
        match what {
            Unresolvable::Namespace => Reason::NamespaceUnresolvable,
            Unresolvable::TargetCluster => Reason::TargetClusterUnresolvable,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_parses_back() {
        for r in ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reason::parse("SomethingElse"), None);
    }
}
