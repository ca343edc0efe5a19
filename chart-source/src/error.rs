//! What can go wrong while fetching a chart, worded for the person who asked for it.

use std::path::PathBuf;
use std::time::Duration;

/// An error of [`Fetcher`](crate::Fetcher). Each message names the chart or URL and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository string is not an `https://`, `http://` or `oci://` URL.
    #[error("invalid repository {repo:?}: {reason}")]
    InvalidRepo {
        /// The repository as given.
        repo: String,
        /// Why it was refused.
        reason: String,
    },
    /// The server refused the credentials (401) or the access (403).
    #[error(
        "{url}: {status} {}: {hint}",
        if *.status == 401 { "Unauthorized" } else { "Forbidden" }
    )]
    Denied {
        /// The URL that was refused.
        url: String,
        /// 401 or 403.
        status: u16,
        /// What to do about it.
        hint: String,
    },
    /// The server has no such file, repository or manifest (404).
    #[error("{url}: 404 Not Found: {what}")]
    NotFound {
        /// The URL that was not found.
        url: String,
        /// What was being looked for, and what to check.
        what: String,
    },
    /// The repository has the chart but not this version.
    #[error(
        "chart {name:?} version {version:?} not found in {repo}{}",
        nearest_text(.nearest, *.total)
    )]
    VersionNotFound {
        /// The repository.
        repo: String,
        /// The chart name.
        name: String,
        /// The version asked for.
        version: String,
        /// The closest versions the repository has, lowest first.
        nearest: Vec<String>,
        /// How many versions of the chart the repository has.
        total: usize,
    },
    /// The repository's index has no chart of this name.
    #[error("chart {name:?} not found in {repo}: check the chart name and the repository URL")]
    ChartNotFound {
        /// The repository.
        repo: String,
        /// The chart name.
        name: String,
    },
    /// Downloaded bytes do not hash to the digest the index or manifest promised.
    #[error(
        "{url}: digest mismatch: expected {expected}, got {actual}; the archive is corrupt or \
         was replaced after it was published: ask the repository's owner, do not bypass the check"
    )]
    DigestMismatch {
        /// What was downloaded.
        url: String,
        /// The digest that was promised (`sha256:...`).
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// The server did not answer in time.
    #[error("{url}: timed out after {}s; check the network or raise --fetch-timeout", .after.as_secs_f64())]
    Timeout {
        /// The URL that timed out.
        url: String,
        /// The configured timeout.
        after: Duration,
    },
    /// The server could not be reached at all.
    #[error(
        "{url}: cannot connect: {reason}; check that the repository is up and the URL is right"
    )]
    Connect {
        /// The URL.
        url: String,
        /// The transport's reason (connection refused, TLS, DNS, ...).
        reason: String,
    },
    /// The TLS handshake failed in a way the client can fix: a server certificate that is not
    /// trusted, or a server that wants a client certificate.
    #[error("{url}: TLS: {reason}; {hint}")]
    Tls {
        /// The URL.
        url: String,
        /// What TLS reported.
        reason: String,
        /// What to do about it.
        hint: String,
    },
    /// Credentials that cannot be used: a malformed Docker config, one without an entry for the
    /// chart's registry. The message names registries and keys, never their values.
    #[error("{0}")]
    Credentials(String),
    /// Any other unexpected HTTP answer.
    #[error("{url}: unexpected {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body, for diagnosis.
        body: String,
    },
    /// A repository index, OCI manifest or chart archive that cannot be understood.
    #[error("{url}: {reason}")]
    Malformed {
        /// Where it came from.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `--offline` and the chart is not in the cache.
    #[error(
        "chart {name:?} version {version:?} from {repo} is not in the cache {}; run \
         `planton-helm pull` for it without --offline first",
        .cache.display()
    )]
    NotCached {
        /// The repository.
        repo: String,
        /// The chart name.
        name: String,
        /// The version.
        version: String,
        /// The cache directory.
        cache: PathBuf,
    },
    /// A chart dependency cannot be resolved as `helm dependency build` would.
    #[error("{chart}: dependency {dependency:?}: {reason}")]
    Dependency {
        /// The chart whose Chart.yaml lists it (`name-version`).
        chart: String,
        /// The dependency's name.
        dependency: String,
        /// Why it cannot be resolved, and what to do.
        reason: String,
    },
    /// Chart.lock does not match Chart.yaml's dependencies.
    #[error(
        "{chart}: the lock file (Chart.lock) is out of sync with the dependencies file \
         (Chart.yaml). Please update the dependencies (helm dependency update)"
    )]
    LockOutOfSync {
        /// The chart (`name-version`).
        chart: String,
    },
    /// Reading or writing the cache or a credentials file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The HTTP client could not be built (a CA file that is not PEM, for example).
    #[error("HTTP client: {0}")]
    Client(String),
}

fn nearest_text(nearest: &[String], total: usize) -> String {
    if nearest.is_empty() {
        "; the repository lists no versions of it".to_string()
    } else {
        format!(
            " (nearest: {}; {total} version{} in all)",
            nearest.join(", "),
            if total == 1 { "" } else { "s" }
        )
    }
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_version_lists_the_nearest() {
        let e = Error::VersionNotFound {
            repo: "https://charts.example.com".into(),
            name: "web".into(),
            version: "1.2.9".into(),
            nearest: vec!["1.2.3".into(), "1.3.0".into()],
            total: 7,
        };
        assert_eq!(
            e.to_string(),
            "chart \"web\" version \"1.2.9\" not found in https://charts.example.com \
             (nearest: 1.2.3, 1.3.0; 7 versions in all)"
        );
    }

    #[test]
    fn denied_names_the_status() {
        let e = Error::Denied {
            url: "u".into(),
            status: 403,
            hint: "h".into(),
        };
        assert_eq!(e.to_string(), "u: 403 Forbidden: h");
    }
}
