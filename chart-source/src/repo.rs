//! Chart repositories served over HTTP(S): `index.yaml` plus archives, as `helm repo add` uses.

use std::collections::HashMap;

use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::http::{Auth, Http, redact};
use crate::{Credentials, version};

/// Largest index accepted (public indexes reach tens of MiB).
const MAX_INDEX: u64 = 512 << 20;
/// Largest chart archive accepted: Helm's own cap on a decompressed chart.
pub(crate) const MAX_ARCHIVE: u64 = 100 << 20;

#[derive(Debug, Deserialize)]
struct Index {
    #[serde(default)]
    entries: HashMap<String, Vec<Entry>>,
}

/// One version of a chart in an index.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Entry {
    pub version: String,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default)]
    pub digest: Option<String>,
}

/// The repository URL with a trailing slash, so relative references resolve under it.
fn base(repo: &str) -> Result<Url> {
    let mut url = Url::parse(repo).map_err(|e| Error::InvalidRepo {
        repo: repo.to_string(),
        reason: e.to_string(),
    })?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Resolves an index entry's URL as Helm does: absolute URLs stand, relative ones resolve against
/// the repository URL (with a trailing slash), keeping the repository URL's query.
pub(crate) fn resolve(repo: &str, reference: &str) -> Result<Url> {
    if let Ok(url) = Url::parse(reference) {
        return Ok(url);
    }
    let base = base(repo)?;
    let mut url = base.join(reference).map_err(|e| Error::Malformed {
        url: redact(&base),
        reason: format!("chart URL {reference:?} does not resolve: {e}"),
    })?;
    url.set_query(base.query());
    Ok(url)
}

/// Fetches and parses `<repo>/index.yaml`.
pub(crate) async fn index(
    http: &Http,
    repo: &str,
    credentials: Option<&Credentials>,
) -> Result<HashMap<String, Vec<Entry>>> {
    let mut url = base(repo)?
        .join("index.yaml")
        .expect("a relative path joins");
    url.set_query(base(repo)?.query());
    let body = http
        .get(&url, &[], Auth::Basic(credentials), MAX_INDEX, None)
        .await
        .map_err(|e| match e {
            Error::NotFound { url, .. } => Error::NotFound {
                url,
                what: "the repository has no index.yaml: check the repository URL".to_string(),
            },
            e => e,
        })?;
    parse_index(&redact(&url), &body.bytes)
}

fn parse_index(url: &str, bytes: &[u8]) -> Result<HashMap<String, Vec<Entry>>> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::Malformed {
        url: url.to_string(),
        reason: "index.yaml is not UTF-8 text".into(),
    })?;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 200_000_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    let index: Index =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| Error::Malformed {
            url: url.to_string(),
            reason: format!("index.yaml does not parse: {e}"),
        })?;
    Ok(index.entries)
}

/// The entry of `name` at `version`, or the error that lists the nearest versions.
pub(crate) fn find(
    entries: &HashMap<String, Vec<Entry>>,
    repo: &str,
    name: &str,
    version_wanted: &str,
) -> Result<Entry> {
    let versions = entries.get(name).ok_or_else(|| Error::ChartNotFound {
        repo: repo.to_string(),
        name: name.to_string(),
    })?;
    if let Some(e) = versions
        .iter()
        .find(|e| version::same(&e.version, version_wanted))
    {
        return Ok(e.clone());
    }
    let all: Vec<String> = versions.iter().map(|e| e.version.clone()).collect();
    Err(Error::VersionNotFound {
        repo: repo.to_string(),
        name: name.to_string(),
        version: version_wanted.to_string(),
        nearest: version::nearest(&all, version_wanted, 5),
        total: all.len(),
    })
}

/// Downloads the archive of `entry`, checking its digest when the index gives one.
pub(crate) async fn download(
    http: &Http,
    repo: &str,
    name: &str,
    entry: &Entry,
    credentials: Option<&Credentials>,
) -> Result<Vec<u8>> {
    let reference = entry.urls.first().ok_or_else(|| Error::Malformed {
        url: repo.to_string(),
        reason: format!("index.yaml lists {name} {} without a URL", entry.version),
    })?;
    let url = resolve(repo, reference)?;
    // Helm sends the repository's credentials to archive URLs on other hosts only when asked
    // (`--pass-credentials`); do the same and keep them to the repository's own origin.
    let same_origin = base(repo).is_ok_and(|b| b.origin() == url.origin());
    let auth = Auth::Basic(credentials.filter(|_| same_origin));
    let label = format!("{name}-{}.tgz", entry.version);
    let body = http.get(&url, &[], auth, MAX_ARCHIVE, Some(&label)).await?;
    if let Some(expected) = entry.digest.as_deref().filter(|d| !d.is_empty()) {
        let expected = expected
            .strip_prefix("sha256:")
            .unwrap_or(expected)
            .to_ascii_lowercase();
        let actual = crate::cache::sha256_digest(&body.bytes);
        if actual != format!("sha256:{expected}") {
            return Err(Error::DigestMismatch {
                url: redact(&url),
                expected: format!("sha256:{expected}"),
                actual,
            });
        }
    }
    Ok(body.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_resolve_under_the_repository_and_keep_its_query() {
        let r = |repo, reference| resolve(repo, reference).expect("resolves").to_string();
        assert_eq!(
            r("https://h/charts", "web-1.0.0.tgz"),
            "https://h/charts/web-1.0.0.tgz"
        );
        assert_eq!(
            r("https://h/charts/", "pkgs/web-1.0.0.tgz"),
            "https://h/charts/pkgs/web-1.0.0.tgz"
        );
        assert_eq!(
            r("https://h/charts?sig=1", "web-1.0.0.tgz"),
            "https://h/charts/web-1.0.0.tgz?sig=1"
        );
        assert_eq!(
            r("https://h/charts", "/abs/web.tgz"),
            "https://h/abs/web.tgz"
        );
        assert_eq!(
            r("https://h/charts", "https://cdn.example/web-1.0.0.tgz"),
            "https://cdn.example/web-1.0.0.tgz"
        );
    }

    #[test]
    fn an_index_parses_and_a_missing_version_lists_neighbours() {
        let text = "apiVersion: v1\nentries:\n  web:\n  - version: 1.2.0\n    urls: [web-1.2.0.tgz]\n    digest: abc\n    maintainers: [{name: x}]\n  - version: 1.0.0\n    urls: [web-1.0.0.tgz]\n  - version: 2.0.0\n    urls: [web-2.0.0.tgz]\ngenerated: \"2024-01-01T00:00:00Z\"\n";
        let entries = parse_index("u", text.as_bytes()).expect("parses");
        let e = find(&entries, "r", "web", "1.2.0").expect("found");
        assert_eq!(e.digest.as_deref(), Some("abc"));
        let err = find(&entries, "r", "web", "1.3.0").expect_err("missing");
        assert_eq!(
            err.to_string(),
            "chart \"web\" version \"1.3.0\" not found in r (nearest: 1.0.0, 1.2.0, 2.0.0; 3 versions in all)"
        );
        assert!(matches!(
            find(&entries, "r", "api", "1.0.0"),
            Err(Error::ChartNotFound { .. })
        ));
    }
}
