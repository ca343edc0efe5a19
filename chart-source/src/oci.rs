//! Charts in OCI registries, as `helm push` stores them: a manifest whose config has Helm's config
//! media type and whose one chart layer is the `.tgz`. The tag is the version with `+` written
//! `_` (OCI tags cannot hold `+`).

use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::http::{Auth, Http, redact};
use crate::repo::MAX_ARCHIVE;
use crate::{Credentials, version};

/// Media type of the manifest `helm push` writes.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of a Helm chart's config blob.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// Media type of the chart archive layer.
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// The chart layer media type of Helm before 3.8, still accepted by Helm.
const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";

const MAX_MANIFEST: u64 = 4 << 20;
const MAX_TAGS: u64 = 16 << 20;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    #[serde(default)]
    media_type: Option<String>,
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    media_type: String,
    digest: String,
    size: u64,
}

/// Where a chart lives in a registry.
pub(crate) struct Location {
    /// `http(s)://host:port`, the registry API's origin.
    api: Url,
    /// The repository path inside the registry: `charts/web`.
    path: String,
}

impl Location {
    /// `oci://host:port/charts` and `web` → registry `host:port`, repository `charts/web`.
    pub fn new(repo: &str, name: &str, plain_http: bool) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidRepo {
            repo: repo.to_string(),
            reason: reason.to_string(),
        };
        let rest = repo
            .strip_prefix("oci://")
            .ok_or_else(|| invalid("an OCI repository starts with oci://"))?;
        let (host, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() || host.contains('@') {
            return Err(invalid("the registry host is missing"));
        }
        let scheme = if plain_http { "http" } else { "https" };
        let api = Url::parse(&format!("{scheme}://{host}/"))
            .map_err(|e| invalid(&format!("the registry host does not parse: {e}")))?;
        let prefix = prefix.trim_matches('/');
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        if path
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == ".." || p.contains(['?', '#', ':']))
        {
            return Err(invalid("the repository path is not a plain path"));
        }
        Ok(Location { api, path })
    }

    fn url(&self, tail: &str) -> Url {
        self.api
            .join(&format!("v2/{}/{tail}", self.path))
            .expect("registry paths join")
    }
}

/// The tag `helm push` gives a version.
pub fn tag(version: &str) -> String {
    version.replace('+', "_")
}

/// Downloads the chart archive of `name` `version`, checking the manifest's digest (when the
/// registry sends one), its media types, and the layer's digest and size.
pub(crate) async fn download(
    http: &Http,
    repo: &str,
    name: &str,
    version_wanted: &str,
    credentials: Option<&Credentials>,
    plain_http: bool,
) -> Result<Vec<u8>> {
    let location = Location::new(repo, name, plain_http)?;
    let auth = Auth::Registry(credentials);
    let url = location.url(&format!("manifests/{}", tag(version_wanted)));
    let body = match http
        .get(&url, &[MANIFEST_MEDIA_TYPE], auth, MAX_MANIFEST, None)
        .await
    {
        Ok(body) => body,
        Err(Error::NotFound { .. }) => {
            return Err(missing(http, &location, repo, name, version_wanted, auth).await);
        }
        Err(e) => return Err(e),
    };
    let shown = redact(&url);
    let actual = crate::cache::sha256_digest(&body.bytes);
    if let Some(expected) = body
        .headers
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .filter(|d| d.starts_with("sha256:"))
        && expected != actual
    {
        return Err(Error::DigestMismatch {
            url: shown,
            expected: expected.to_string(),
            actual,
        });
    }
    let manifest: Manifest = serde_json::from_slice(&body.bytes).map_err(|e| Error::Malformed {
        url: shown.clone(),
        reason: format!("the manifest is not an OCI image manifest: {e}"),
    })?;
    if manifest
        .media_type
        .as_deref()
        .is_some_and(|m| m != MANIFEST_MEDIA_TYPE)
    {
        return Err(Error::Malformed {
            url: shown,
            reason: format!(
                "the manifest has media type {:?}, not {MANIFEST_MEDIA_TYPE}",
                manifest.media_type.unwrap_or_default()
            ),
        });
    }
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(Error::Malformed {
            url: shown,
            reason: format!(
                "this is not a Helm chart: its config has media type {:?}, not {CONFIG_MEDIA_TYPE}",
                manifest.config.media_type
            ),
        });
    }
    let layer = manifest
        .layers
        .iter()
        .find(|l| l.media_type == CHART_LAYER_MEDIA_TYPE)
        .or_else(|| {
            manifest
                .layers
                .iter()
                .find(|l| l.media_type == LEGACY_CHART_LAYER_MEDIA_TYPE)
        })
        .ok_or_else(|| Error::Malformed {
            url: shown.clone(),
            reason: format!("the manifest has no layer of media type {CHART_LAYER_MEDIA_TYPE}"),
        })?;
    if layer.size > MAX_ARCHIVE {
        return Err(Error::Malformed {
            url: shown,
            reason: format!(
                "the chart layer is {} bytes, over the limit of {MAX_ARCHIVE}",
                layer.size
            ),
        });
    }
    let blob_url = location.url(&format!("blobs/{}", layer.digest));
    let label = format!("{name}-{version_wanted}.tgz");
    let blob = http
        .get(&blob_url, &[], auth, layer.size, Some(&label))
        .await?;
    let actual = crate::cache::sha256_digest(&blob.bytes);
    if actual != layer.digest || blob.bytes.len() as u64 != layer.size {
        return Err(Error::DigestMismatch {
            url: redact(&blob_url),
            expected: layer.digest.clone(),
            actual,
        });
    }
    Ok(blob.bytes)
}

/// The error for a manifest the registry does not have: a missing version with its nearest
/// neighbours when the repository has tags, else a missing chart.
async fn missing(
    http: &Http,
    location: &Location,
    repo: &str,
    name: &str,
    version_wanted: &str,
    auth: Auth<'_>,
) -> Error {
    #[derive(Deserialize)]
    struct Tags {
        #[serde(default)]
        tags: Option<Vec<String>>,
    }
    let url = location.url("tags/list");
    let tags = match http.get(&url, &[], auth, MAX_TAGS, None).await {
        Ok(body) => serde_json::from_slice::<Tags>(&body.bytes)
            .ok()
            .and_then(|t| t.tags)
            .unwrap_or_default(),
        Err(Error::NotFound { .. }) => Vec::new(),
        Err(e) => return e,
    };
    if tags.is_empty() {
        return Error::ChartNotFound {
            repo: repo.to_string(),
            name: name.to_string(),
        };
    }
    let versions: Vec<String> = tags.iter().map(|t| t.replace('_', "+")).collect();
    Error::VersionNotFound {
        repo: repo.to_string(),
        name: name.to_string(),
        version: version_wanted.to_string(),
        nearest: version::nearest(&versions, version_wanted, 5),
        total: versions.len(),
    }
}

/// The versions the registry has for `name`, for resolving dependency ranges.
pub(crate) async fn versions(
    http: &Http,
    repo: &str,
    name: &str,
    credentials: Option<&Credentials>,
    plain_http: bool,
) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Tags {
        #[serde(default)]
        tags: Option<Vec<String>>,
    }
    let location = Location::new(repo, name, plain_http)?;
    let url = location.url("tags/list");
    let body = http
        .get(&url, &[], Auth::Registry(credentials), MAX_TAGS, None)
        .await?;
    let tags: Tags = serde_json::from_slice(&body.bytes).map_err(|e| Error::Malformed {
        url: redact(&url),
        reason: format!("the tag list is not JSON: {e}"),
    })?;
    Ok(tags
        .tags
        .unwrap_or_default()
        .iter()
        .map(|t| t.replace('_', "+"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_registry_and_repository() {
        let l = Location::new("oci://127.0.0.1:5000/charts/team", "web", true).expect("valid");
        assert_eq!(
            l.url("manifests/1.0.0").as_str(),
            "http://127.0.0.1:5000/v2/charts/team/web/manifests/1.0.0"
        );
        let l = Location::new("oci://ghcr.io", "web", false).expect("valid");
        assert_eq!(
            l.url("tags/list").as_str(),
            "https://ghcr.io/v2/web/tags/list"
        );
        assert!(Location::new("https://ghcr.io/x", "web", false).is_err());
        assert!(Location::new("oci://", "web", false).is_err());
        assert!(Location::new("oci://h/a/../b", "web", false).is_err());
    }

    #[test]
    fn plus_becomes_underscore_in_tags() {
        assert_eq!(tag("1.2.3+build.7"), "1.2.3_build.7");
        assert_eq!(tag("1.2.3-rc.1"), "1.2.3-rc.1");
    }
}
