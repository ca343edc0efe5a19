//! The real [`ChartProvider`]: charts fetched by the `chart-source` crate (HTTP repositories and
//! OCI registries, checked against their digests) into its content-addressed cache, then unpacked
//! into the files the core renders and the release records keep.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chart_source::{ChartRef, Fetcher, Options, sha256_digest};

use crate::chart::{Chart, ChartProvider, FetchError, FetchFuture, RepoAccess};

/// The largest chart, unpacked, that the controller accepts (Helm's own loader stops at 100 MiB
/// for the archive; unpacked charts of that size do not exist in practice).
const MAX_UNPACKED: u64 = 256 << 20;

/// How many unpacked charts are kept in memory; past it they are all dropped (and read from the
/// cache directory again on use).
const MAX_UNPACKED_CHARTS: usize = 16;

/// How many fetchers (HTTP clients with their token caches) are kept; past it they are all
/// dropped and made again on use, so rotated or abandoned Secrets do not pile up.
const MAX_FETCHERS: usize = 256;

/// How the controller reaches chart repositories (the `run` flags). What a release presents to
/// its repository (credentials, its own CA and client certificate, plain HTTP) comes from the
/// release ([`RepoAccess`]), never from here.
#[derive(Clone, Debug)]
pub struct SourceOptions {
    /// The chart cache (`--chart-cache`); default `$XDG_CACHE_HOME/planton-helm/charts`.
    pub cache_dir: Option<PathBuf>,
    /// CA certificates, PEM, trusted for every release besides the system's (`--ca-file`).
    pub ca_pem: Option<Vec<u8>>,
    /// Timeout for connecting and for each read (`--fetch-timeout`).
    pub timeout: Duration,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            cache_dir: None,
            ca_pem: None,
            timeout: chart_source::DEFAULT_TIMEOUT,
        }
    }
}

/// Fetches through `chart-source`. One [`Fetcher`] (one HTTP client, one token cache) per
/// [`RepoAccess`], each with its own part of the cache directory: a chart one release fetched
/// with its credentials (or its client certificate) is not served from the cache to a release
/// without them, which must ask the repository itself.
///
/// A chart once unpacked is kept in memory (by the same partition, repository, name and version
/// as the cache directory keeps its archive, which it never fetches again either): N releases of
/// one chart cost one fetch and one unpacking.
pub struct SourceCharts {
    options: SourceOptions,
    fetchers: Mutex<HashMap<String, Arc<Fetcher>>>,
    unpacked: Mutex<HashMap<UnpackedKey, Arc<Chart>>>,
}

/// Partition, repository, name, version.
type UnpackedKey = (String, String, String, String);

impl SourceCharts {
    /// A provider with these options; fails when the CA certificates do not parse.
    pub fn new(options: SourceOptions) -> Result<SourceCharts, chart_source::Error> {
        let provider = SourceCharts {
            options,
            fetchers: Mutex::new(HashMap::new()),
            unpacked: Mutex::new(HashMap::new()),
        };
        provider.fetcher(&RepoAccess::default())?;
        Ok(provider)
    }

    /// The fetcher for `access`, made on first use.
    fn fetcher(&self, access: &RepoAccess) -> Result<Arc<Fetcher>, chart_source::Error> {
        let key = partition(access);
        let mut fetchers = self.fetchers.lock().expect("not poisoned");
        if let Some(f) = fetchers.get(&key) {
            return Ok(f.clone());
        }
        let ca_pem = match (&self.options.ca_pem, &access.ca_pem) {
            (Some(a), Some(b)) => Some([a.as_slice(), &b"\n"[..], b.as_slice()].concat()),
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        let mut options = Options {
            timeout: self.options.timeout,
            ca_pem,
            client_cert: access.client_cert.clone(),
            credentials: access.credentials.clone(),
            docker_config: access.docker_config.clone(),
            plain_http: access.plain_http,
            ..Options::default()
        };
        let root = self.options.cache_dir.clone().unwrap_or(options.cache_dir);
        options.cache_dir = root.join(&key);
        let fetcher = Arc::new(Fetcher::new(options)?);
        if fetchers.len() >= MAX_FETCHERS {
            fetchers.clear();
        }
        fetchers.insert(key, fetcher.clone());
        Ok(fetcher)
    }
}

/// The cache directory (under the root) and fetcher key of `access`: `anonymous`, or a digest of
/// everything it presents, so that the key reveals nothing and equal access shares one.
fn partition(access: &RepoAccess) -> String {
    if *access == RepoAccess::default() {
        return "anonymous".to_string();
    }
    let mut material = Vec::new();
    let mut add = |part: Option<&[u8]>| match part {
        None => material.push(0u8),
        Some(bytes) => {
            material.push(1);
            material.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            material.extend_from_slice(bytes);
        }
    };
    let c = access.credentials.as_ref();
    add(c.map(|c| c.username.as_bytes()));
    add(c.map(|c| c.password.as_bytes()));
    let docker = access.docker_config.as_ref().map(|d| d.digest());
    add(docker.as_deref().map(str::as_bytes));
    add(access.ca_pem.as_deref());
    add(access.client_cert.as_ref().map(|k| k.cert_pem.as_slice()));
    add(access.client_cert.as_ref().map(|k| k.key_pem.as_slice()));
    add(Some(&[u8::from(access.plain_http)]));
    let digest = sha256_digest(&material);
    format!("access-{}", &digest["sha256:".len().."sha256:".len() + 32])
}

impl ChartProvider for SourceCharts {
    fn fetch<'a>(
        &'a self,
        repo: &'a str,
        name: &'a str,
        version: &'a str,
        access: &'a RepoAccess,
    ) -> FetchFuture<'a> {
        Box::pin(async move {
            let key = (
                partition(access),
                repo.to_string(),
                name.to_string(),
                version.to_string(),
            );
            if let Some(chart) = self.unpacked.lock().expect("not poisoned").get(&key) {
                return Ok(Chart::clone(chart));
            }
            let fetcher = self.fetcher(access).map_err(|e| {
                FetchError(format!(
                    "the CA or client certificate of spec.certSecretRef: {e}"
                ))
            })?;
            let fetched = fetcher
                .fetch(&ChartRef::new(repo, name, version))
                .await
                .map_err(|e| FetchError(e.to_string()))?;
            let label = format!("{name} {version} from {repo}");
            let chart = tokio::task::spawn_blocking(move || unpack(&fetched.archive))
                .await
                .map_err(|e| FetchError(format!("unpacking {label}: {e}")))?
                .map_err(|e| FetchError(format!("unpacking {label}: {e}")))?;
            let mut unpacked = self.unpacked.lock().expect("not poisoned");
            if unpacked.len() >= MAX_UNPACKED_CHARTS {
                unpacked.clear();
            }
            unpacked.insert(key, Arc::new(chart.clone()));
            Ok(chart)
        })
    }
}

/// The files of a chart archive (`.tgz` with one top directory, as `helm package` writes), paths
/// relative to that directory. Subchart archives under `charts/` stay archives, as Helm loads
/// them.
pub fn unpack(archive: &[u8]) -> Result<Chart, String> {
    let gz = flate2::read::GzDecoder::new(archive);
    let mut tar = tar::Archive::new(gz.take(MAX_UNPACKED));
    let mut files = Vec::new();
    for entry in tar.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        let mut parts = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let _root = parts.next();
        let rel: Vec<String> = parts.collect();
        if rel.is_empty() || rel.iter().any(|p| p == ".." || p.is_empty()) {
            return Err(format!(
                "archive entry {} is outside the chart",
                path.display()
            ));
        }
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        files.push((rel.join("/"), data));
    }
    if !files.iter().any(|(p, _)| p == "Chart.yaml") {
        return Err("the archive has no Chart.yaml in its top directory".to_string());
    }
    files.sort();
    Ok(Chart { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, text) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, text.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn unpack_strips_the_top_directory_and_sorts() {
        let chart = unpack(&tgz(&[
            ("web/values.yaml", "a: 1\n"),
            ("web/Chart.yaml", "name: web\n"),
            ("web/templates/cm.yaml", "kind: ConfigMap\n"),
        ]))
        .unwrap();
        let paths: Vec<&str> = chart.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["Chart.yaml", "templates/cm.yaml", "values.yaml"]);
        assert_eq!(chart.files[2].1, b"a: 1\n");
    }

    #[test]
    fn unpack_refuses_an_archive_without_chart_yaml() {
        let err = unpack(&tgz(&[("web/values.yaml", "a: 1\n")])).unwrap_err();
        assert!(err.contains("no Chart.yaml"), "{err}");
        assert!(unpack(b"not gzip").is_err());
    }

    #[tokio::test]
    async fn a_chart_unpacked_once_is_served_from_memory_to_the_same_access_only() {
        let dir = std::env::temp_dir().join(format!("planton-unpacked-{}", std::process::id()));
        let charts = SourceCharts::new(SourceOptions {
            cache_dir: Some(dir),
            timeout: Duration::from_secs(2),
            ..SourceOptions::default()
        })
        .unwrap();
        // Nothing listens there: only the memory can answer.
        let repo = "oci://127.0.0.1:1/charts";
        let chart = Chart {
            files: vec![("Chart.yaml".into(), b"name: web\n".to_vec())],
        };
        let plain = RepoAccess {
            plain_http: true,
            ..RepoAccess::default()
        };
        charts.unpacked.lock().unwrap().insert(
            (partition(&plain), repo.into(), "web".into(), "1.0.0".into()),
            Arc::new(chart.clone()),
        );
        assert_eq!(
            charts.fetch(repo, "web", "1.0.0", &plain).await.unwrap(),
            chart
        );
        let alice = RepoAccess {
            credentials: Some(crate::chart::Credentials {
                username: "alice".into(),
                password: "pw".into(),
            }),
            ..plain.clone()
        };
        assert!(charts.fetch(repo, "web", "1.0.0", &alice).await.is_err());
        assert!(charts.fetch(repo, "web", "1.0.1", &plain).await.is_err());
    }

    #[test]
    fn one_fetcher_and_one_cache_per_access() {
        let dir = std::env::temp_dir().join(format!("planton-source-{}", std::process::id()));
        let charts = SourceCharts::new(SourceOptions {
            cache_dir: Some(dir),
            ..SourceOptions::default()
        })
        .unwrap();
        let alice = RepoAccess {
            credentials: Some(crate::chart::Credentials {
                username: "alice".into(),
                password: "pw-SECRET".into(),
            }),
            ..RepoAccess::default()
        };
        let a = charts.fetcher(&alice).unwrap();
        let b = charts.fetcher(&alice.clone()).unwrap();
        let anonymous = charts.fetcher(&RepoAccess::default()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &anonymous));
        assert_ne!(a.cache().dir(), anonymous.cache().dir());
        let key = partition(&alice);
        assert!(!key.contains("alice") && !key.contains("SECRET"), "{key}");
        let plain = RepoAccess {
            plain_http: true,
            ..alice.clone()
        };
        assert_ne!(partition(&plain), key);
        let other = RepoAccess {
            credentials: Some(crate::chart::Credentials {
                username: "alicepw".into(),
                password: "-SECRET".into(),
            }),
            ..RepoAccess::default()
        };
        assert_ne!(partition(&other), key);
    }
}
