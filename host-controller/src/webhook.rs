//! The validating admission webhook for HelmReleases: the API server sends every CREATE and
//! UPDATE of a HelmRelease here (an `admission.k8s.io/v1` AdmissionReview over HTTPS) and stores
//! the object only if the core's `validate` finds no error, with the same built-in rules as
//! `planton-helm validate` in CI plus the rules of a ConfigMap: the validation the reconciler
//! runs too (`validation.rs`, one verdict). See docs/webhook.md.
//!
//! Guarantees: every error diagnostic is in the denial (code, path, message, hint); warnings go
//! back as admission warnings; an evaluation that cannot finish (timeout, sandbox limit, rules
//! that do not load, rules not read yet) is a denial that says why (fail closed). At most
//! `concurrency` evaluations run at once, each on a blocking thread under the runtime's deadline,
//! and a request waits at most `timeout` in all. Every evaluated review is timed and its denial
//! codes counted on `/metrics`.
//! Caveats: the runtime's deadline is per call and set when it is built, so the runtime given to
//! [`Webhook::new`] should have a deadline no longer than `timeout` (main builds one so).

pub mod tls;

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use host_runtime::Runtime;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::metrics::{Metrics, ReviewResult};
use crate::validation::{self, PolicyStore, Validator};

pub use tls::{CertError, CertReloader};
pub use validation::Limits;

/// The path the API server posts HelmRelease reviews to.
pub const PATH: &str = "/validate-helmrelease";

/// Largest request body accepted: an AdmissionReview of an UPDATE carries the object twice, and
/// the API server stores objects of at most ~1.5 MiB.
const MAX_BODY: usize = 8 << 20;

/// The webhook: the shared validation, and where its metrics go.
pub struct Webhook {
    validator: Validator,
    metrics: Arc<Metrics>,
}

/// The verdict on one review.
struct Answer {
    allowed: bool,
    code: u16,
    message: String,
    warnings: Vec<String>,
}

impl Answer {
    fn allow(warnings: Vec<String>) -> Answer {
        Answer {
            allowed: true,
            code: 200,
            message: String::new(),
            warnings,
        }
    }
}

impl Webhook {
    /// A webhook that evaluates with `runtime` and the rules of `policies`; a pending store is a
    /// denial at once (`limits.wait_for_rules` is ignored: the API server is waiting).
    pub fn new(runtime: Arc<Runtime>, policies: Arc<PolicyStore>, limits: Limits) -> Webhook {
        let limits = Limits {
            wait_for_rules: false,
            ..limits
        };
        Webhook {
            validator: Validator::new(runtime, policies, limits),
            metrics: Arc::default(),
        }
    }

    /// Records review latencies and denials into `metrics` (served by the metrics server).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Webhook {
        self.metrics = metrics;
        self
    }

    /// Answers one AdmissionReview (the request body): the response review, or an HTTP error
    /// for a body that is not a review.
    pub async fn review(&self, body: &[u8]) -> Result<Value, (StatusCode, String)> {
        let review: Value = serde_json::from_slice(body).map_err(|e| {
            (
                StatusCode::BAD_REQUEST,
                format!("the body is not an AdmissionReview: {e}"),
            )
        })?;
        let request = review.get("request").ok_or_else(|| {
            (
                StatusCode::BAD_REQUEST,
                "the AdmissionReview has no `request`".to_string(),
            )
        })?;
        let uid = request.get("uid").cloned().unwrap_or(Value::Null);
        let verdict = self.decide(request).await;
        let mut response = json!({"uid": uid, "allowed": verdict.allowed});
        if !verdict.allowed {
            response["status"] = json!({
                "code": verdict.code,
                "reason": if verdict.code == 403 { "Invalid" } else { "InternalError" },
                "message": verdict.message,
            });
        }
        if !verdict.warnings.is_empty() {
            response["warnings"] = json!(verdict.warnings);
        }
        Ok(json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": response,
        }))
    }

    async fn decide(&self, request: &Value) -> Answer {
        let operation = request["operation"].as_str().unwrap_or_default();
        let object = &request["object"];
        if !matches!(operation, "CREATE" | "UPDATE") || !object.is_object() {
            return Answer::allow(Vec::new());
        }
        // An update that leaves the spec alone (a finalizer, a label, deletion in progress)
        // is always let through: the controller must be able to finish with a release whose
        // spec newer rules would refuse.
        if operation == "UPDATE"
            && (object["spec"] == request["oldObject"]["spec"]
                || !object["metadata"]["deletionTimestamp"].is_null())
        {
            return Answer::allow(Vec::new());
        }
        let started = Instant::now();
        let verdict = self.validator.validate(&object_name(request), object).await;
        let (answer, result, codes) = match verdict {
            validation::Verdict::Valid { warnings } => {
                (Answer::allow(warnings), ReviewResult::Allowed, Vec::new())
            }
            validation::Verdict::Invalid {
                message,
                codes,
                warnings,
            } => (
                Answer {
                    allowed: false,
                    code: 403,
                    message,
                    warnings,
                },
                ReviewResult::Denied,
                codes,
            ),
            validation::Verdict::NotValidated { message, .. } => (
                Answer {
                    allowed: false,
                    code: 500,
                    message,
                    warnings: Vec::new(),
                },
                ReviewResult::NotValidated,
                Vec::new(),
            ),
        };
        self.metrics
            .observe_review(started.elapsed(), result, &codes);
        answer
    }

    /// Answers one HTTP request: `POST` [`PATH`] with a review, `GET /healthz`, else 404.
    pub async fn handle(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        match (req.method(), req.uri().path()) {
            (&Method::POST, PATH) => {}
            (&Method::GET, "/healthz") => return text(StatusCode::OK, "ok\n".into()),
            (_, PATH) => {
                return text(
                    StatusCode::METHOD_NOT_ALLOWED,
                    format!("{PATH} takes POST\n"),
                );
            }
            (_, path) => {
                return text(
                    StatusCode::NOT_FOUND,
                    format!("no {path} here; the webhook serves {PATH}\n"),
                );
            }
        }
        let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                return text(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("reading the request body (at most {MAX_BODY} bytes): {e}\n"),
                );
            }
        };
        match self.review(&body).await {
            Ok(review) => {
                let mut response = Response::new(Full::new(Bytes::from(review.to_string())));
                response.headers_mut().insert(
                    hyper::header::CONTENT_TYPE,
                    hyper::header::HeaderValue::from_static("application/json"),
                );
                response
            }
            Err((code, message)) => text(code, message + "\n"),
        }
    }

    /// Serves HTTPS on `listener` with the certificate of `cert` until the task is dropped, which
    /// also closes its connections.
    pub async fn serve(self: Arc<Self>, listener: TcpListener, cert: Arc<CertReloader>) {
        let config = match cert.server_config() {
            Ok(c) => Arc::new(c),
            Err(e) => {
                tracing::error!(error = %e, "the webhook cannot serve TLS");
                return;
            }
        };
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        // Connections live in a set owned by this task, so dropping the server closes them too
        // (the API server keeps connections alive between reviews).
        let mut connections = tokio::task::JoinSet::new();
        loop {
            while connections.try_join_next().is_some() {}
            let (tcp, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "webhook accept");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let acceptor = acceptor.clone();
            let webhook = self.clone();
            connections.spawn(async move {
                let stream = match acceptor.accept(tcp).await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::debug!(%peer, error = %e, "webhook TLS handshake");
                        return;
                    }
                };
                let service = hyper::service::service_fn(move |req| {
                    let webhook = webhook.clone();
                    async move { Ok::<_, Infallible>(webhook.handle(req).await) }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await
                {
                    tracing::debug!(%peer, error = %e, "webhook connection");
                }
            });
        }
    }
}

/// The webhook's flags of `planton-helm-controller run`; the webhook runs when `--webhook-addr`
/// is given.
#[derive(Debug, Default)]
pub struct Flags {
    addr: Option<String>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    limits: Limits,
    cert_poll: Option<Duration>,
    max_memory: Option<usize>,
}

/// A webhook flag or set-up that is wrong; the message says which and what to do.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FlagError(String);

impl Flags {
    /// Whether `arg` is one of the webhook's flags (each takes a value).
    pub fn takes(arg: &str) -> bool {
        matches!(
            arg,
            "--webhook-addr"
                | "--webhook-cert"
                | "--webhook-key"
                | "--webhook-concurrency"
                | "--webhook-timeout"
        )
    }

    /// Sets flag `arg` to `value`.
    pub fn set(&mut self, arg: &str, value: String) -> Result<(), FlagError> {
        match arg {
            "--webhook-addr" => self.addr = Some(value),
            "--webhook-cert" => self.cert = Some(value.into()),
            "--webhook-key" => self.key = Some(value.into()),
            "--webhook-concurrency" => {
                self.limits.concurrency =
                    value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        FlagError(format!(
                            "--webhook-concurrency {value:?}: write a whole number of at least 1"
                        ))
                    })?;
            }
            "--webhook-timeout" => {
                self.limits.timeout = go_duration::parse_unsigned(&value)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| {
                        FlagError(format!(
                            "--webhook-timeout {value:?}: write a Go duration above zero, like 5s"
                        ))
                    })?;
            }
            other => return Err(FlagError(format!("{other} is not a webhook flag"))),
        }
        Ok(())
    }

    /// The memory cap of one review's sandbox (`--max-memory`; default
    /// [`host_runtime::DEFAULT_MAX_MEMORY`]).
    pub fn max_memory(&mut self, bytes: usize) {
        self.max_memory = Some(bytes);
    }

    /// How many reviews may run at once: `--webhook-concurrency` when the webhook is served,
    /// else 0 (the memory budget counts them).
    pub fn sandboxes(&self) -> usize {
        if self.addr.is_some() {
            self.limits.concurrency
        } else {
            0
        }
    }

    /// How often the certificate files are checked for a change (default [`CERT_POLL`]).
    pub fn cert_poll(mut self, every: Duration) -> Flags {
        self.cert_poll = Some(every);
        self
    }

    /// Starts the webhook (HTTPS server, certificate reload) on tasks of the current runtime if
    /// `--webhook-addr` was given, validating with the rules of `policies` (the reconciler's) and
    /// recording into `metrics`, and returns once it is listening. The webhook runs until the
    /// returned handle is dropped.
    pub async fn start(
        self,
        policies: Arc<PolicyStore>,
        metrics: Arc<Metrics>,
    ) -> Result<Option<Running>, FlagError> {
        let Some(addr) = self.addr else {
            if self.cert.is_some() || self.key.is_some() {
                return Err(FlagError(
                    "--webhook-cert and --webhook-key need --webhook-addr".into(),
                ));
            }
            return Ok(None);
        };
        let (Some(cert), Some(key)) = (self.cert, self.key) else {
            return Err(FlagError(
                "--webhook-addr needs --webhook-cert FILE and --webhook-key FILE (PEM)".into(),
            ));
        };
        let certs = CertReloader::load(&cert, &key).map_err(|e| FlagError(e.to_string()))?;
        let config = sandbox_config(
            &self.limits,
            self.max_memory.unwrap_or(host_runtime::DEFAULT_MAX_MEMORY),
        );
        let runtime = Arc::new(
            Runtime::new(config).map_err(|e| FlagError(format!("the webhook's sandbox: {e}")))?,
        );
        let mut tasks = Vec::new();
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|e| FlagError(format!("binding --webhook-addr {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| FlagError(format!("--webhook-addr {addr}: {e}")))?;
        tracing::info!(addr = %local, policies = policies.source(), "admission webhook listening");
        tasks.push(tokio::spawn(
            certs.clone().watch(self.cert_poll.unwrap_or(CERT_POLL)),
        ));
        tasks.push(tokio::spawn(validation::keep_prepared(
            runtime.clone(),
            policies.clone(),
        )));
        let webhook = Arc::new(Webhook::new(runtime, policies, self.limits).with_metrics(metrics));
        tasks.push(tokio::spawn(webhook.serve(listener, certs)));
        Ok(Some(Running { addr: local, tasks }))
    }
}

/// A started webhook; dropping it stops the server and the certificate reload.
#[derive(Debug)]
pub struct Running {
    /// The address the server listens on.
    pub addr: std::net::SocketAddr,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// How often the certificate files are checked for a change.
pub const CERT_POLL: Duration = Duration::from_secs(10);

/// Bytes of a review's linear memory kept mapped between reviews, per instance slot, when the
/// kernel can tell which pages a review changed (Linux 6.7 and later): more than one review
/// touches, so the next one starts without page faults. Without that, the first bytes of the
/// slot are rewritten whole on every reset, so only a little is kept.
const KEEP_RESIDENT: usize = 64 << 20;
const KEEP_RESIDENT_WITHOUT_PAGEMAP: usize = 1 << 20;

/// The settings of the webhook's own runtime, with `max_memory` per review (`--max-memory`).
///
/// Why not the defaults: the sandbox's deadline is set per runtime, and a review must be
/// stopped well before the API server gives up on us; and a review is a short call made again
/// and again on the same snapshot, so its instances come from wasmtime's pooling allocator
/// (memory slots that keep the snapshot mapped and are reset by rewriting what a review
/// changed, instead of a fresh mapping that every review faults in page by page) and it runs on
/// one of `concurrency` long-lived threads instead of a new one per review. Every review still
/// gets a fresh store and instance (docs/benchmarks.md, "Admission throughput").
pub fn sandbox_config(limits: &Limits, max_memory: usize) -> host_runtime::Config {
    let keep_resident = if host_runtime::pagemap_scan_available() {
        KEEP_RESIDENT
    } else {
        KEEP_RESIDENT_WITHOUT_PAGEMAP
    };
    let concurrency = limits.concurrency.max(1);
    host_runtime::Config {
        deadline: limits.timeout,
        max_memory,
        pooling: Some(host_runtime::Pooling {
            // The reviews at once, plus the snapshot being made and a review that compiles the
            // rules itself meanwhile.
            max_instances: u32::try_from(concurrency + 2).unwrap_or(u32::MAX),
            keep_resident: keep_resident.min(max_memory),
        }),
        call_threads: Some(concurrency),
        ..host_runtime::Config::default()
    }
}

/// `HelmRelease NS/NAME` as the review names it (`generateName` + `*` before a name is chosen).
fn object_name(request: &Value) -> String {
    let meta = &request["object"]["metadata"];
    let ns = request["namespace"]
        .as_str()
        .or_else(|| meta["namespace"].as_str())
        .unwrap_or_default();
    let name = match (request["name"].as_str(), meta["name"].as_str()) {
        (Some(n), _) | (None, Some(n)) if !n.is_empty() => n.to_string(),
        _ => format!("{}*", meta["generateName"].as_str().unwrap_or_default()),
    };
    let kind = request["kind"]["kind"].as_str().unwrap_or("HelmRelease");
    validation::name(kind, ns, &name)
}

fn text(code: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = code;
    response
}

#[cfg(test)]
mod tests;
