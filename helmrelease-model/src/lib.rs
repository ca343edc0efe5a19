//! The HelmRelease model: one place for what the CLI, the controller and the admission webhook
//! must agree on.
//!
//! - [`crd`]: the custom resource's types (`kubernetes.project-planton.org/v1`), from which the
//!   CRD in `deploy/crds/` is generated. The controller re-exports it as `host_controller::crd`.
//! - [`defaults`]: what a HelmRelease gets for a field it leaves out (release name, namespace,
//!   timeout, interval, history).
//! - [`duration`]: how `spec.timeout`, `spec.interval` and duration flags are read: Go's grammar,
//!   from the `go-duration` crate that the wasm core links too.
//!
//! The policy JSON Schema (`policies/schema/helmrelease.v1.json`) that the core validates with
//! describes the same spec; `tests/schema.rs` checks that it and the CRD's schema accept and
//! reject the same documents.

#![forbid(unsafe_code)]

pub mod crd;
pub mod defaults;
pub mod duration;

pub use crd::{HelmRelease, HelmReleaseSpec, HelmReleaseStatus};
