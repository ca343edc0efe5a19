//! The one error type of a reconcile. Each error names the metric label it is counted under
//! (`planton_helm_reconcile_errors_total{error}`) and the condition reason it is reported with.

use crate::chart::FetchError;
use crate::identity::{Forbidden, IdentityError};
use crate::release::StoreError;
use crate::remote::KubeConfigError;

use super::condition::Reason;

/// Why a reconcile, or a step of one, did not finish.
///
/// `Fetch`, `Render`, `Crds` and `Forbidden` end an install or upgrade before a revision exists: the reconciler turns
/// them into the status (`Ready=False` with [`Error::reason`]). The others end the reconcile
/// itself, which is retried after [`crate::reconcile::error_policy`]'s delay.
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
    /// The chart, or the credentials to fetch it with, could not be had.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The chart did not render.
    #[error("{0}")]
    Render(String),
    /// The chart's CRDs (`crds/`) could not be applied or did not become established.
    #[error("the chart's CRDs: {0}")]
    Crds(String),
    /// Uninstalling the release failed: the finalizer stays, the uninstall is retried.
    #[error("uninstall failed: {0}")]
    Uninstall(String),
    /// The release's identity may not do what the release needs (found before anything was
    /// written).
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The release's identity could not be assumed.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The cluster `spec.kubeConfig` names cannot be reached.
    #[error(transparent)]
    KubeConfig(#[from] KubeConfigError),
    /// The spec could not be validated for now (the policy ConfigMap not read yet, a timeout):
    /// retried, nothing is applied meanwhile.
    #[error("{0}")]
    NotValidated(String),
}

impl Error {
    /// The label of `planton_helm_reconcile_errors_total{error}`.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Error::Kube(_) => "kube",
            Error::Store(_) => "store",
            Error::Finalizer(_) => "finalizer",
            Error::NoNamespace(_) => "no_namespace",
            Error::Fetch(_) => "fetch",
            Error::Render(_) => "render",
            Error::Crds(_) => "crds",
            Error::Uninstall(_) => "uninstall",
            Error::Forbidden(_) => "forbidden",
            Error::Identity(_) => "identity",
            Error::KubeConfig(_) => "kubeconfig",
            Error::NotValidated(_) => "not_validated",
        }
    }

    /// The reason of the `Ready` condition (and the Event) that reports this error.
    pub fn reason(&self) -> Reason {
        match self {
            Error::Fetch(_) => Reason::ChartFetchFailed,
            Error::Render(_) => Reason::RenderFailed,
            Error::Crds(_) => Reason::CrdsFailed,
            Error::Uninstall(_) => Reason::UninstallFailed,
            Error::Forbidden(_) => Reason::Forbidden,
            Error::KubeConfig(_) => Reason::KubeConfigInvalid,
            Error::NotValidated(_) => Reason::ValidationFailed,
            Error::Kube(_)
            | Error::Identity(_)
            | Error::Store(_)
            | Error::Finalizer(_)
            | Error::NoNamespace(_) => Reason::ReconcileFailed,
        }
    }
}
