//! The real [`ChartProvider`]: charts fetched by the `chart-source` crate (HTTP repositories and
//! OCI registries, checked against their digests) into its content-addressed cache, then unpacked
//! into the files the core renders and the release records keep.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chart_source::{ChartRef, Credentials, Fetcher, Options};

use crate::chart::{Chart, ChartProvider, FetchError, FetchFuture};

/// The largest chart, unpacked, that the controller accepts (Helm's own loader stops at 100 MiB
/// for the archive; unpacked charts of that size do not exist in practice).
const MAX_UNPACKED: u64 = 256 << 20;

/// How the controller reaches chart repositories (the `run` flags).
#[derive(Clone, Debug)]
pub struct SourceOptions {
    /// The chart cache (`--chart-cache`); default `$XDG_CACHE_HOME/planton-helm/charts`.
    pub cache_dir: Option<PathBuf>,
    /// Extra CA certificates, PEM (`--ca-file`).
    pub ca_pem: Option<Vec<u8>>,
    /// OCI registries over plain HTTP (`--plain-http`), for registries inside the cluster.
    pub plain_http: bool,
    /// Timeout for connecting and for each read (`--fetch-timeout`).
    pub timeout: Duration,
    /// Credentials for HelmReleases without `credentialsRef`
    /// (`$PLANTON_HELM_USERNAME` / `$PLANTON_HELM_PASSWORD`).
    pub credentials: Option<Credentials>,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            cache_dir: None,
            ca_pem: None,
            plain_http: false,
            timeout: chart_source::DEFAULT_TIMEOUT,
            credentials: None,
        }
    }
}

/// A username and password, `None` for anonymous access: what a [`Fetcher`] is kept per.
type CredentialsKey = Option<(String, String)>;

/// Fetches through `chart-source`. One [`Fetcher`] (one HTTP client, one token cache) per set of
/// credentials, all sharing the one cache directory.
pub struct SourceCharts {
    options: SourceOptions,
    fetchers: Mutex<HashMap<CredentialsKey, Arc<Fetcher>>>,
}

impl SourceCharts {
    /// A provider with these options; fails when the CA certificates do not parse.
    pub fn new(options: SourceOptions) -> Result<SourceCharts, chart_source::Error> {
        let provider = SourceCharts {
            options,
            fetchers: Mutex::new(HashMap::new()),
        };
        provider.fetcher(None)?;
        Ok(provider)
    }

    /// The fetcher for `credentials` (the default ones when `None`), made on first use.
    fn fetcher(
        &self,
        credentials: Option<&Credentials>,
    ) -> Result<Arc<Fetcher>, chart_source::Error> {
        let credentials = credentials.or(self.options.credentials.as_ref());
        let key = credentials.map(|c| (c.username.clone(), c.password.clone()));
        let mut fetchers = self.fetchers.lock().expect("not poisoned");
        if let Some(f) = fetchers.get(&key) {
            return Ok(f.clone());
        }
        let mut options = Options {
            timeout: self.options.timeout,
            ca_pem: self.options.ca_pem.clone(),
            credentials: credentials.cloned(),
            plain_http: self.options.plain_http,
            ..Options::default()
        };
        if let Some(dir) = &self.options.cache_dir {
            options.cache_dir = dir.clone();
        }
        let fetcher = Arc::new(Fetcher::new(options)?);
        fetchers.insert(key, fetcher.clone());
        Ok(fetcher)
    }
}

impl ChartProvider for SourceCharts {
    fn fetch<'a>(
        &'a self,
        repo: &'a str,
        name: &'a str,
        version: &'a str,
        credentials: Option<&'a Credentials>,
    ) -> FetchFuture<'a> {
        Box::pin(async move {
            let fetcher = self
                .fetcher(credentials)
                .map_err(|e| FetchError(e.to_string()))?;
            let fetched = fetcher
                .fetch(&ChartRef::new(repo, name, version))
                .await
                .map_err(|e| FetchError(e.to_string()))?;
            let label = format!("{name} {version} from {repo}");
            tokio::task::spawn_blocking(move || unpack(&fetched.archive))
                .await
                .map_err(|e| FetchError(format!("unpacking {label}: {e}")))?
                .map_err(|e| FetchError(format!("unpacking {label}: {e}")))
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

    #[test]
    fn one_fetcher_per_credentials() {
        let dir = std::env::temp_dir().join(format!("planton-source-{}", std::process::id()));
        let charts = SourceCharts::new(SourceOptions {
            cache_dir: Some(dir),
            ..SourceOptions::default()
        })
        .unwrap();
        let alice = Credentials {
            username: "alice".into(),
            password: "pw".into(),
        };
        let a = charts.fetcher(Some(&alice)).unwrap();
        let b = charts.fetcher(Some(&alice)).unwrap();
        let anonymous = charts.fetcher(None).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &anonymous));
    }
}
