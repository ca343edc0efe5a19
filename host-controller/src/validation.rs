//! One verdict: the validation of a HelmRelease that the admission webhook and the reconciler
//! share. Both call [`Validator::validate`], which runs the core's `validate` in the sandbox with
//! the built-in rules, the rules of the policy ConfigMap and its disabled codes (`policy.rs`),
//! on the object normalised the same way, and words the result the same way: a spec the webhook
//! denies is stalled by the controller with the very message the API server showed.
//!
//! Guarantees: at most `concurrency` evaluations of one validator run at once, each on a blocking
//! thread, and a call waits at most `timeout` in all (waiting for a slot and for the first read of
//! the rules included); what cannot be evaluated is a [`Verdict::NotValidated`] that says why,
//! never a pass.
//! Caveats: the sandbox's own deadline is set per [`Runtime`], so the runtime given to
//! [`Validator::new`] should have a deadline no longer than `timeout`.

pub mod policy;

use std::sync::Arc;
use std::time::Duration;

use host_runtime::{OfflineHost, Runtime, Severity, SourceFile, ValidateRequest};
use serde_json::Value;
use tokio::sync::Semaphore;

pub use policy::{Policies, PolicyStore};

/// Default bound on one webhook review, queueing included; below the API server's
/// `timeoutSeconds` (10 in the chart), so that the API server gets our clear denial rather than
/// its own timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How a validator evaluates (the defaults are the webhook's).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Evaluations that run at once; more wait for a slot.
    pub concurrency: usize,
    /// Bound on one validation from its call, waiting included.
    pub timeout: Duration,
    /// Whether a validation waits (within `timeout`) for the first read of the policy ConfigMap:
    /// the reconciler does; the webhook answers at once that the rules are not read yet.
    pub wait_for_rules: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            timeout: DEFAULT_TIMEOUT,
            wait_for_rules: false,
        }
    }
}

/// The result of one validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No error.
    Valid {
        /// Warning findings, as `[CODE] path: message (hint: ...)`.
        warnings: Vec<String>,
    },
    /// Errors: the webhook denies, the controller stalls.
    Invalid {
        /// `HelmRelease NS/NAME is invalid (N errors): [CODE] path: message (hint: ...); ...`.
        message: String,
        /// The error codes, one per error finding (a code may repeat).
        codes: Vec<String>,
        /// Warning findings.
        warnings: Vec<String>,
    },
    /// The validation could not give a verdict.
    NotValidated {
        /// Why.
        cause: Unvalidated,
        /// What happened, for the denial or the status.
        message: String,
    },
}

/// Why a validation gave no verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unvalidated {
    /// The policy ConfigMap's rules do not load: the same until the ConfigMap changes.
    Rules,
    /// The policy ConfigMap has not been read yet.
    Pending,
    /// Past the timeout (waiting for a slot, or in the sandbox).
    Timeout,
    /// The sandbox failed otherwise.
    Sandbox,
}

/// Validates HelmRelease objects with the sandboxed core and the rules in force.
pub struct Validator {
    runtime: Arc<Runtime>,
    policies: Arc<PolicyStore>,
    slots: Arc<Semaphore>,
    limits: Limits,
}

impl Validator {
    /// A validator that evaluates with `runtime` and the rules of `policies`.
    pub fn new(runtime: Arc<Runtime>, policies: Arc<PolicyStore>, limits: Limits) -> Validator {
        Validator {
            runtime,
            policies,
            slots: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            limits,
        }
    }

    /// The verdict on `object` (a HelmRelease as JSON, as the API server stores it), named
    /// `what` (`HelmRelease NS/NAME`, see [`name`]) in messages. `status` and
    /// `metadata.managedFields` are left out of what the rules see.
    pub async fn validate(&self, what: &str, object: &Value) -> Verdict {
        let deadline = tokio::time::Instant::now() + self.limits.timeout;
        if self.limits.wait_for_rules {
            // A timeout here leaves `current` to say that the rules are not read yet.
            let _ = tokio::time::timeout_at(deadline, self.policies.read()).await;
        }
        let policies = match self.policies.current() {
            Ok(p) => p,
            Err(e) => {
                return Verdict::NotValidated {
                    cause: Unvalidated::Pending,
                    message: format!("{what} was not validated: {e}"),
                };
            }
        };
        let mut doc = object.clone();
        if let Some(obj) = doc.as_object_mut() {
            obj.remove("status");
            if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("managedFields");
            }
        }
        let request = ValidateRequest {
            documents: vec![SourceFile {
                path: what.to_string(),
                data: serde_json::to_vec(&doc).expect("JSON serializes"),
            }],
            policies: policies.files,
            disabled: policies.disabled,
        };
        let timed_out = || Verdict::NotValidated {
            cause: Unvalidated::Timeout,
            message: format!(
                "{what} was not validated within {:?} ({} evaluations at once); it is refused \
                 because the validation fails closed; try again, and if it persists look for a \
                 slow rule in {}",
                self.limits.timeout,
                self.limits.concurrency,
                self.policies.source()
            ),
        };
        let Ok(Ok(permit)) =
            tokio::time::timeout_at(deadline, self.slots.clone().acquire_owned()).await
        else {
            return timed_out();
        };
        let runtime = self.runtime.clone();
        // The permit moves into the blocking task, so a call that timed out still holds its slot
        // until the sandbox stops it: `concurrency` bounds the threads really working.
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            runtime.validate(&request, OfflineHost::default())
        });
        let not_validated = |cause, message| Verdict::NotValidated { cause, message };
        let diagnostics = match tokio::time::timeout_at(deadline, task).await {
            Err(_) => return timed_out(),
            Ok(Err(join)) => {
                return not_validated(
                    Unvalidated::Sandbox,
                    format!("{what} was not validated: {join}"),
                );
            }
            Ok(Ok(Err(host_runtime::Error::Core(e)))) => {
                return not_validated(
                    Unvalidated::Rules,
                    format!(
                        "{what} was not validated: the rules of {} do not load: {}",
                        self.policies.source(),
                        e.message
                    ),
                );
            }
            Ok(Ok(Err(e))) => {
                return not_validated(
                    Unvalidated::Sandbox,
                    format!("{what} was not validated: {e}"),
                );
            }
            Ok(Ok(Ok(d))) => d,
        };
        let line = |d: &host_runtime::Diagnostic| {
            let path = d.path.as_deref().unwrap_or_default();
            let mut s = format!("[{}] {path}: {}", d.code, d.message);
            if let Some(hint) = &d.hint {
                s.push_str(&format!(" (hint: {hint})"));
            }
            s
        };
        let (errors, codes): (Vec<String>, Vec<String>) = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (line(d), d.code.clone()))
            .unzip();
        let warnings: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(line)
            .collect();
        if errors.is_empty() {
            return Verdict::Valid { warnings };
        }
        Verdict::Invalid {
            message: format!(
                "{what} is invalid ({} {}): {}",
                errors.len(),
                if errors.len() == 1 { "error" } else { "errors" },
                errors.join("; ")
            ),
            codes,
            warnings,
        }
    }
}

/// Keeps `runtime`'s validation snapshot ([`Runtime::prepare_validation`]: the schemas, the
/// built-in rules and the rules of `policies` compiled into a pre-initialised core) in step with
/// the rules, until the task is dropped: once they are read, and again after every change.
///
/// Guarantees: validations never wait for it. Until the snapshot of the rules in force is ready
/// (seconds of CPU per change of the rules: a compile of the core), each validation compiles the
/// rules itself, a few milliseconds more per call; a pack that does not load gets no snapshot,
/// and validations report it as before.
pub async fn keep_prepared(runtime: Arc<Runtime>, policies: Arc<PolicyStore>) {
    let mut changes = policies.changes();
    loop {
        if let Ok(current) = policies.current() {
            let runtime = runtime.clone();
            let started = std::time::Instant::now();
            let made =
                tokio::task::spawn_blocking(move || runtime.prepare_validation(&current.files))
                    .await;
            let millis = started.elapsed().as_millis() as u64;
            match made {
                Ok(Ok(())) => {
                    tracing::info!(
                        source = policies.source(),
                        millis,
                        "validation snapshot ready"
                    )
                }
                Ok(Err(e)) => tracing::warn!(
                    source = policies.source(),
                    error = %e,
                    "no validation snapshot: every validation compiles the rules itself"
                ),
                Err(e) => tracing::warn!(error = %e, "the validation snapshot task failed"),
            }
        }
        if changes.changed().await.is_err() {
            return;
        }
    }
}

/// `HelmRelease NS/NAME`, as validation messages name an object.
pub fn name(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind} {namespace}/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object() -> Value {
        json!({
            "apiVersion": "kubernetes.project-planton.org/v1",
            "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"repo": "https://charts.example.com", "name": "webapp", "version": "^1.2"},
            "status": {"conditions": []},
        })
    }

    #[tokio::test]
    async fn the_reconciler_waits_for_the_rules_and_the_webhook_does_not() {
        let runtime = Arc::new(Runtime::new(host_runtime::Config::default()).expect("the core"));
        let store = PolicyStore::configmap("ops", "rules");
        let limits = |wait_for_rules| Limits {
            timeout: Duration::from_secs(20),
            wait_for_rules,
            ..Limits::default()
        };
        let webhook = Validator::new(runtime.clone(), store.clone(), limits(false));
        let reconciler = Validator::new(runtime, store.clone(), limits(true));
        let what = name("HelmRelease", "apps", "web");
        assert!(matches!(
            webhook.validate(&what, &object()).await,
            Verdict::NotValidated {
                cause: Unvalidated::Pending,
                ..
            }
        ));
        let waiting = tokio::spawn(async move { reconciler.validate(&what, &object()).await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!waiting.is_finished(), "it waits for the first read");
        store.set(Policies {
            files: Vec::new(),
            disabled: vec!["PH010".into()],
        });
        assert_eq!(
            waiting.await.expect("a verdict"),
            Verdict::Valid {
                warnings: Vec::new()
            },
            "with the rules read, PH010 is off"
        );
    }
}
