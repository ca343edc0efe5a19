//! `/metrics` (Prometheus text format), `/healthz` and `/readyz`.
//!
//! A dependency-free registry: the controller has a handful of series, and the text format is
//! simple enough that a client library would add more than it saves.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Histogram buckets in seconds, for reconcile and render durations.
const BUCKETS: [f64; 10] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, d: Duration) {
        let s = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += s;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {}", self.counts[i]);
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}", self.sum);
        let _ = writeln!(out, "{name}_count {}", self.count);
    }
}

#[derive(Default)]
struct Inner {
    reconcile: Histogram,
    render: Histogram,
    results: BTreeMap<&'static str, u64>,
    errors: BTreeMap<&'static str, u64>,
    status: BTreeMap<(String, String), String>,
    drift: BTreeMap<(String, String, &'static str), u64>,
}

/// The controller's metrics.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    ready: AtomicBool,
    leader: AtomicBool,
}

impl Metrics {
    /// Records one reconcile: `error` is `None` after a success, else the error's metric label.
    pub fn observe_reconcile(&self, d: Duration, error: Option<&'static str>) {
        let mut m = self.inner.lock().expect("not poisoned");
        m.reconcile.observe(d);
        let result = if error.is_some() { "error" } else { "success" };
        *m.results.entry(result).or_default() += 1;
        if let Some(label) = error {
            *m.errors.entry(label).or_default() += 1;
        }
    }

    /// Records one render.
    pub fn observe_render(&self, d: Duration) {
        self.inner.lock().expect("not poisoned").render.observe(d);
    }

    /// Sets the Ready status (`True`, `False`, `Unknown`) of a HelmRelease.
    pub fn set_status(&self, namespace: &str, name: &str, ready: &str) {
        self.inner
            .lock()
            .expect("not poisoned")
            .status
            .insert((namespace.into(), name.into()), ready.into());
    }

    /// Counts one drift detection of a HelmRelease, `corrected` or only reported.
    pub fn count_drift(&self, namespace: &str, name: &str, corrected: bool) {
        let action = if corrected { "corrected" } else { "reported" };
        *self
            .inner
            .lock()
            .expect("not poisoned")
            .drift
            .entry((namespace.into(), name.into(), action))
            .or_default() += 1;
    }

    /// Marks the controller ready (`/readyz` answers 200).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    /// Marks this instance as the leader (`planton_helm_leader` 1) or not.
    pub fn set_leader(&self, leader: bool) {
        self.leader.store(leader, Ordering::SeqCst);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let m = self.inner.lock().expect("not poisoned");
        let mut out = String::new();
        let name = "planton_helm_release_reconciliation_status";
        let _ = writeln!(
            out,
            "# HELP {name} 1 for the Ready status each HelmRelease is in.\n# TYPE {name} gauge"
        );
        for ((ns, hr), ready) in &m.status {
            for s in ["True", "False", "Unknown"] {
                let v = u8::from(ready == s);
                let _ = writeln!(
                    out,
                    "{name}{{namespace=\"{ns}\",name=\"{hr}\",status=\"{s}\"}} {v}"
                );
            }
        }
        let name = "planton_helm_leader";
        let _ = writeln!(
            out,
            "# HELP {name} 1 while this instance holds the leader election Lease.\n# TYPE {name} gauge\n{name} {}",
            u8::from(self.leader.load(Ordering::SeqCst))
        );
        let name = "planton_helm_reconcile_total";
        let _ = writeln!(
            out,
            "# HELP {name} Reconciles by result.\n# TYPE {name} counter"
        );
        for (result, n) in &m.results {
            let _ = writeln!(out, "{name}{{result=\"{result}\"}} {n}");
        }
        let name = "planton_helm_reconcile_errors_total";
        let _ = writeln!(
            out,
            "# HELP {name} Reconciles that ended in an error, by error.\n# TYPE {name} counter"
        );
        for (error, n) in &m.errors {
            let _ = writeln!(out, "{name}{{error=\"{error}\"}} {n}");
        }
        let name = "planton_helm_drift_total";
        let _ = writeln!(
            out,
            "# HELP {name} Drift of managed objects found, by action.\n# TYPE {name} counter"
        );
        for ((ns, hr, action), n) in &m.drift {
            let _ = writeln!(
                out,
                "{name}{{namespace=\"{ns}\",name=\"{hr}\",action=\"{action}\"}} {n}"
            );
        }
        m.reconcile.write(
            &mut out,
            "planton_helm_reconcile_duration_seconds",
            "Time one reconcile took.",
        );
        m.render.write(
            &mut out,
            "planton_helm_render_duration_seconds",
            "Time one chart render in the sandbox took.",
        );
        out
    }

    /// Serves `/metrics`, `/healthz` and `/readyz` on `listener` until the task is dropped.
    pub async fn serve(self: std::sync::Arc<Self>, listener: TcpListener) {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let metrics = self.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let (code, body) = match path {
                    "/metrics" => ("200 OK", metrics.render()),
                    "/healthz" => ("200 OK", "ok\n".to_string()),
                    "/readyz" if metrics.ready.load(Ordering::SeqCst) => {
                        ("200 OK", "ok\n".to_string())
                    }
                    "/readyz" => ("503 Service Unavailable", "not ready\n".to_string()),
                    _ => ("404 Not Found", "not found\n".to_string()),
                };
                let response = format!(
                    "HTTP/1.1 {code}\r\ncontent-type: text/plain; version=0.0.4\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_has_status_and_histograms() {
        let m = Metrics::default();
        m.set_status("apps", "web", "True");
        m.observe_reconcile(Duration::from_millis(30), None);
        m.observe_reconcile(Duration::from_millis(30), Some("kube"));
        let text = m.render();
        assert!(text.contains(
            "planton_helm_release_reconciliation_status{namespace=\"apps\",name=\"web\",status=\"True\"} 1"
        ));
        assert!(text.contains("planton_helm_reconcile_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("planton_helm_reconcile_total{result=\"success\"} 1"));
        assert!(text.contains("planton_helm_reconcile_total{result=\"error\"} 1"));
        assert!(text.contains("planton_helm_reconcile_errors_total{error=\"kube\"} 1"));
    }
}
