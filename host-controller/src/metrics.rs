//! `/metrics`, `/healthz` and `/readyz`: the series are kept by the `prometheus-client` crate
//! (the Prometheus project's Rust client) and encoded in its OpenMetrics text format, served over
//! HTTP/1.1 by hyper. docs/controller.md ("Metrics") lists every series.
//!
//! `planton_helm_release_reconciliation_status{namespace,name,status}` is one-hot: every
//! HelmRelease the controller has seen has one series for each [`ReleaseStatus`], 1 for the state
//! it is in and 0 for the others (as Flux's `gotk_reconcile_condition` does for its statuses), so
//! that `== 1` selects the releases in a state and a release in no series is one the controller
//! does not know. All of a release's series are removed when it is deleted.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use std::fmt::Write as _;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use tokio::net::TcpListener;

/// Histogram buckets in seconds, for reconcile and render durations.
const BUCKETS: [f64; 10] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Histogram buckets in seconds of webhook reviews: the API server waits at most 10 s.
const REVIEW_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0];

/// The state a HelmRelease is in, as `planton_helm_release_reconciliation_status` reports it.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum ReleaseStatus {
    /// `Ready=True`: the spec's revision is deployed.
    Ready,
    /// An install or upgrade is under way, or failed and will be retried (`Ready` not `True`,
    /// not stalled).
    Reconciling,
    /// `Stalled=True`: nothing happens until the spec (or the policy rules) change, or `resetAt`.
    Stalled,
    /// `spec.suspend: true`.
    Suspended,
    /// Not known yet (no status written).
    Unknown,
}

impl ReleaseStatus {
    /// Every state, in the order the series are written.
    pub const ALL: [ReleaseStatus; 5] = [
        ReleaseStatus::Ready,
        ReleaseStatus::Reconciling,
        ReleaseStatus::Stalled,
        ReleaseStatus::Suspended,
        ReleaseStatus::Unknown,
    ];
}

/// How one reconcile ended, for `planton_helm_reconcile_total{result}`: the state it left the
/// release in, the release gone, or an error (retried).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum ReconcileResult {
    /// Left `Ready`.
    Ready,
    /// Left progressing or awaiting a retry.
    Reconciling,
    /// Left stalled.
    Stalled,
    /// Left suspended.
    Suspended,
    /// Left in no known state.
    Unknown,
    /// The release was uninstalled and the HelmRelease let go.
    Deleted,
    /// The reconcile failed (the API, the release store); retried.
    Error,
}

impl From<ReleaseStatus> for ReconcileResult {
    fn from(status: ReleaseStatus) -> ReconcileResult {
        match status {
            ReleaseStatus::Ready => ReconcileResult::Ready,
            ReleaseStatus::Reconciling => ReconcileResult::Reconciling,
            ReleaseStatus::Stalled => ReconcileResult::Stalled,
            ReleaseStatus::Suspended => ReconcileResult::Suspended,
            ReleaseStatus::Unknown => ReconcileResult::Unknown,
        }
    }
}

/// How one webhook review ended.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum ReviewResult {
    /// Admitted.
    Allowed,
    /// Denied for errors in the spec (403).
    Denied,
    /// Denied without a verdict: a timeout, rules that do not load or are not read yet (500).
    NotValidated,
}

/// What was done about drift: the label values `corrected` and `reported`.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
enum DriftAction {
    Corrected,
    Reported,
}

impl EncodeLabelValue for DriftAction {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> std::fmt::Result {
        encoder.write_str(match self {
            DriftAction::Corrected => "corrected",
            DriftAction::Reported => "reported",
        })
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    namespace: String,
    name: String,
    status: ReleaseStatus,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: ReconcileResult,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    error: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DriftLabels {
    namespace: String,
    name: String,
    action: DriftAction,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReviewLabels {
    result: ReviewResult,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

/// The controller's metrics.
pub struct Metrics {
    registry: Registry,
    status: Family<StatusLabels, Gauge>,
    /// The state of each release, as the status series say it (for the reconcile's result).
    current: Mutex<HashMap<(String, String), ReleaseStatus>>,
    reconciles: Family<ResultLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    reconcile_duration: Histogram,
    render_duration: Histogram,
    drift: Family<DriftLabels, Counter>,
    reviews: Family<ReviewLabels, Counter>,
    review_duration: Histogram,
    denials: Family<CodeLabels, Counter>,
    leader: Gauge,
    ready: AtomicBool,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("planton_helm");
        let status = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "release_reconciliation_status",
            "1 for the state each HelmRelease is in (Ready, Reconciling, Stalled, Suspended, \
             Unknown), 0 for the others",
            status.clone(),
        );
        let reconciles = Family::<ResultLabels, Counter>::default();
        registry.register(
            "reconcile",
            "Reconciles by result: the state they left the release in, Deleted, or Error",
            reconciles.clone(),
        );
        let errors = Family::<ErrorLabels, Counter>::default();
        registry.register(
            "reconcile_errors",
            "Reconciles that ended in an error (retried), by error",
            errors.clone(),
        );
        let reconcile_duration = Histogram::new(BUCKETS);
        registry.register_with_unit(
            "reconcile_duration",
            "Time one reconcile took",
            Unit::Seconds,
            reconcile_duration.clone(),
        );
        let render_duration = Histogram::new(BUCKETS);
        registry.register_with_unit(
            "render_duration",
            "Time one chart render in the sandbox took",
            Unit::Seconds,
            render_duration.clone(),
        );
        let drift = Family::<DriftLabels, Counter>::default();
        registry.register(
            "drift",
            "Drift of managed objects found, by action",
            drift.clone(),
        );
        let reviews = Family::<ReviewLabels, Counter>::default();
        registry.register(
            "webhook_reviews",
            "Admission reviews evaluated, by result (Allowed, Denied, NotValidated)",
            reviews.clone(),
        );
        let review_duration = Histogram::new(REVIEW_BUCKETS);
        registry.register_with_unit(
            "webhook_review_duration",
            "Time one admission review took, waiting for a slot included",
            Unit::Seconds,
            review_duration.clone(),
        );
        let denials = Family::<CodeLabels, Counter>::default();
        registry.register(
            "webhook_denials",
            "Error findings in denied admission reviews, by diagnostic code",
            denials.clone(),
        );
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this instance holds the leader election Lease",
            leader.clone(),
        );
        Metrics {
            registry,
            status,
            current: Mutex::default(),
            reconciles,
            errors,
            reconcile_duration,
            render_duration,
            drift,
            reviews,
            review_duration,
            denials,
            leader,
            ready: AtomicBool::new(false),
        }
    }
}

impl Metrics {
    /// Records one reconcile: how long it took, and its result (`error` is the error's metric
    /// label when it failed).
    pub fn observe_reconcile(
        &self,
        d: Duration,
        result: ReconcileResult,
        error: Option<&'static str>,
    ) {
        self.reconcile_duration.observe(d.as_secs_f64());
        self.reconciles
            .get_or_create(&ResultLabels { result })
            .inc();
        if let Some(error) = error {
            self.errors
                .get_or_create(&ErrorLabels {
                    error: error.to_string(),
                })
                .inc();
        }
    }

    /// Records one render.
    pub fn observe_render(&self, d: Duration) {
        self.render_duration.observe(d.as_secs_f64());
    }

    /// Sets the state of a HelmRelease: its series of `status` to 1, the others to 0.
    pub fn set_status(&self, namespace: &str, name: &str, status: ReleaseStatus) {
        let mut current = self.current.lock().expect("not poisoned");
        for s in ReleaseStatus::ALL {
            self.status
                .get_or_create(&StatusLabels {
                    namespace: namespace.into(),
                    name: name.into(),
                    status: s,
                })
                .set(i64::from(s == status));
        }
        current.insert((namespace.into(), name.into()), status);
    }

    /// The state of a HelmRelease, if it has series.
    pub fn status(&self, namespace: &str, name: &str) -> Option<ReleaseStatus> {
        self.current
            .lock()
            .expect("not poisoned")
            .get(&(namespace.into(), name.into()))
            .copied()
    }

    /// Removes every series of a HelmRelease (it was deleted).
    pub fn remove_release(&self, namespace: &str, name: &str) {
        let mut current = self.current.lock().expect("not poisoned");
        for status in ReleaseStatus::ALL {
            self.status.remove(&StatusLabels {
                namespace: namespace.into(),
                name: name.into(),
                status,
            });
        }
        for action in [DriftAction::Corrected, DriftAction::Reported] {
            self.drift.remove(&DriftLabels {
                namespace: namespace.into(),
                name: name.into(),
                action,
            });
        }
        current.remove(&(namespace.into(), name.into()));
    }

    /// Counts one drift detection of a HelmRelease, `corrected` or only reported.
    pub fn count_drift(&self, namespace: &str, name: &str, corrected: bool) {
        let action = if corrected {
            DriftAction::Corrected
        } else {
            DriftAction::Reported
        };
        self.drift
            .get_or_create(&DriftLabels {
                namespace: namespace.into(),
                name: name.into(),
                action,
            })
            .inc();
    }

    /// Records one evaluated admission review: its latency, result and, for a denial, the codes
    /// of its error findings.
    pub fn observe_review(&self, d: Duration, result: ReviewResult, codes: &[String]) {
        self.review_duration.observe(d.as_secs_f64());
        self.reviews.get_or_create(&ReviewLabels { result }).inc();
        for code in codes {
            self.denials
                .get_or_create(&CodeLabels { code: code.clone() })
                .inc();
        }
    }

    /// Marks the controller ready (`/readyz` answers 200).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    /// Marks this instance as the leader (`planton_helm_leader` 1) or not.
    pub fn set_leader(&self, leader: bool) {
        self.leader.set(i64::from(leader));
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String does not fail");
        out
    }

    /// Answers one request: `/metrics`, `/healthz`, `/readyz`, else 404.
    pub fn handle<B>(&self, req: &Request<B>) -> Response<Full<Bytes>> {
        let (code, content_type, body) = match req.uri().path() {
            "/metrics" => (
                StatusCode::OK,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                self.render(),
            ),
            "/healthz" => (StatusCode::OK, "text/plain", "ok\n".to_string()),
            "/readyz" if self.ready.load(Ordering::SeqCst) => {
                (StatusCode::OK, "text/plain", "ok\n".to_string())
            }
            "/readyz" => (
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                "not ready\n".to_string(),
            ),
            path => (
                StatusCode::NOT_FOUND,
                "text/plain",
                format!("no {path} here: /metrics, /healthz, /readyz\n"),
            ),
        };
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = code;
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static(content_type),
        );
        response
    }

    /// Serves `/metrics`, `/healthz` and `/readyz` over HTTP/1.1 on `listener` until the task is
    /// dropped, which also closes its connections.
    pub async fn serve(self: std::sync::Arc<Self>, listener: TcpListener) {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            while connections.try_join_next().is_some() {}
            let (tcp, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "metrics accept");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let metrics = self.clone();
            connections.spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let response = metrics.handle(&req);
                    async move { Ok::<_, Infallible>(response) }
                });
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
                    .await
                {
                    tracing::debug!(%peer, error = %e, "metrics connection");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(m: &Metrics, prefix: &str) -> Vec<String> {
        m.render()
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_status_is_one_hot_per_release_and_removed_on_delete() {
        let m = Metrics::default();
        m.set_status("apps", "web", ReleaseStatus::Reconciling);
        m.set_status("apps", "web", ReleaseStatus::Ready);
        m.set_status("apps", "db", ReleaseStatus::Stalled);
        let web = lines(
            &m,
            "planton_helm_release_reconciliation_status{namespace=\"apps\",name=\"web\"",
        );
        assert_eq!(web.len(), 5, "{web:?}");
        for s in ["Ready", "Reconciling", "Stalled", "Suspended", "Unknown"] {
            let want = format!(
                "planton_helm_release_reconciliation_status{{namespace=\"apps\",name=\"web\",\
                 status=\"{s}\"}} {}",
                u8::from(s == "Ready")
            );
            assert!(web.contains(&want), "{want} in {web:?}");
        }
        assert_eq!(m.status("apps", "web"), Some(ReleaseStatus::Ready));
        m.count_drift("apps", "web", true);
        assert_eq!(lines(&m, "planton_helm_drift_total{").len(), 1);

        m.remove_release("apps", "web");
        assert!(
            lines(
                &m,
                "planton_helm_release_reconciliation_status{namespace=\"apps\",name=\"web\""
            )
            .is_empty()
        );
        assert!(lines(&m, "planton_helm_drift_total{").is_empty());
        assert_eq!(m.status("apps", "web"), None);
        assert_eq!(
            lines(&m, "planton_helm_release_reconciliation_status{").len(),
            5,
            "the other release keeps its series"
        );
        assert!(m.render().ends_with("# EOF\n"));
    }

    #[test]
    fn reconciles_count_by_result_and_reviews_by_code() {
        let m = Metrics::default();
        m.observe_reconcile(Duration::from_millis(30), ReconcileResult::Ready, None);
        m.observe_reconcile(
            Duration::from_millis(30),
            ReconcileResult::Error,
            Some("kube"),
        );
        m.observe_reconcile(Duration::from_secs(2), ReconcileResult::Stalled, None);
        m.observe_review(
            Duration::from_millis(3),
            ReviewResult::Denied,
            &["PH010".into(), "PH020".into(), "PH010".into()],
        );
        m.observe_review(Duration::from_millis(3), ReviewResult::Allowed, &[]);
        m.set_leader(true);
        let text = m.render();
        for want in [
            "planton_helm_reconcile_total{result=\"Ready\"} 1",
            "planton_helm_reconcile_total{result=\"Error\"} 1",
            "planton_helm_reconcile_total{result=\"Stalled\"} 1",
            "planton_helm_reconcile_errors_total{error=\"kube\"} 1",
            "planton_helm_reconcile_duration_seconds_bucket{le=\"0.05\"} 2",
            "planton_helm_reconcile_duration_seconds_count 3",
            "planton_helm_webhook_reviews_total{result=\"Denied\"} 1",
            "planton_helm_webhook_reviews_total{result=\"Allowed\"} 1",
            "planton_helm_webhook_denials_total{code=\"PH010\"} 2",
            "planton_helm_webhook_denials_total{code=\"PH020\"} 1",
            "planton_helm_webhook_review_duration_seconds_count 2",
            "planton_helm_leader 1",
        ] {
            assert!(text.contains(want), "{want} in\n{text}");
        }
    }

    #[tokio::test]
    async fn served_over_http() {
        let m = std::sync::Arc::new(Metrics::default());
        m.set_status("apps", "web", ReleaseStatus::Suspended);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(m.clone().serve(listener));
        let get = |path: &'static str| async move {
            let response = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        };
        let (code, body) = get("/metrics").await;
        assert_eq!(code, 200);
        assert!(
            body.contains(
                "planton_helm_release_reconciliation_status{namespace=\"apps\",name=\"web\",\
                 status=\"Suspended\"} 1"
            ),
            "{body}"
        );
        assert_eq!(get("/readyz").await.0, 503);
        m.set_ready(true);
        assert_eq!(get("/readyz").await, (200, "ok\n".to_string()));
        assert_eq!(get("/healthz").await.0, 200);
        assert_eq!(get("/nope").await.0, 404);
        server.abort();
    }
}
