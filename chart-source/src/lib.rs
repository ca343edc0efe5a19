//! Chart sources: fetch `name@version` from an HTTP(S) chart repository or an OCI registry into a
//! content-addressed cache, so that later renders work offline. Shared by the CLI and the
//! controller; the sandboxed core never touches the network.
//!
//! ```no_run
//! use chart_source::{ChartRef, Fetcher, Options};
//! # fn demo() -> Result<(), chart_source::Error> {
//! let fetcher = Fetcher::new(Options::default())?;
//! let chart = fetcher.fetch_blocking(&ChartRef::new("oci://ghcr.io/stefanprodan/charts", "podinfo", "6.7.1"))?;
//! println!("{} bytes, {}", chart.archive.len(), chart.digest);
//! # Ok(()) }
//! ```
//!
//! Charts whose Chart.yaml lists dependencies that are not vendored in `charts/` get them added
//! as `helm dependency build` would: the versions in Chart.lock when there is one (after checking
//! its digest), else the highest version matching each range.

mod archive;
mod auth;
mod cache;
mod error;
mod http;
mod oci;
mod repo;
mod version;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use archive::{ChartMeta, Dependency, Lock};
pub use auth::{ClientCert, Credentials, DockerConfig, registry_host};
pub use cache::{Cache, sha256_digest};
pub use error::{Error, Result};
pub use oci::{CHART_LAYER_MEDIA_TYPE, CONFIG_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, tag as oci_tag};

/// Default timeout for connecting and for each read.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A chart in a repository: what a HelmRelease's `repo`, `name` and `version` name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRef {
    /// `https://...` (a chart repository with `index.yaml`) or `oci://...` (a registry path).
    pub repo: String,
    /// The chart's name.
    pub name: String,
    /// An exact version.
    pub version: String,
}

impl ChartRef {
    /// A reference from its three parts.
    pub fn new(
        repo: impl Into<String>,
        name: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        ChartRef {
            repo: repo.into(),
            name: name.into(),
            version: version.into(),
        }
    }
}

impl std::fmt::Display for ChartRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{} from {}", self.name, self.version, self.repo)
    }
}

/// Receives download progress. Implementations must be cheap: they are called per chunk.
pub trait Progress: Send + Sync {
    /// `done` of `total` bytes (when the server said) of the download `label`.
    fn update(&self, label: &str, done: u64, total: Option<u64>);
    /// The download `label` finished with `bytes` bytes.
    fn done(&self, label: &str, bytes: u64);
}

/// How a [`Fetcher`] reaches repositories.
#[derive(Clone)]
pub struct Options {
    /// The cache directory ([`Cache::default_dir`] by default).
    pub cache_dir: PathBuf,
    /// Never touch the network: serve from the cache or fail with [`Error::NotCached`].
    pub offline: bool,
    /// Timeout for connecting and for each read.
    pub timeout: Duration,
    /// Extra CA certificates (PEM) trusted besides the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// A client certificate presented to servers that ask for one.
    pub client_cert: Option<ClientCert>,
    /// Credentials sent to the chart's repository or registry (not to dependencies elsewhere).
    pub credentials: Option<Credentials>,
    /// Registry credentials per host, for the chart's `oci://` registry and its dependencies'
    /// (a chart in a registry the config has no entry for is an error; a dependency there is
    /// fetched anonymously). [`Options::credentials`], when also given, win for the chart's own
    /// registry.
    pub docker_config: Option<DockerConfig>,
    /// Talk to OCI registries over plain HTTP (Helm's `--plain-http`), for local registries.
    pub plain_http: bool,
    /// Where download progress goes; none by default.
    pub progress: Option<Arc<dyn Progress>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cache_dir: Cache::default_dir().unwrap_or_else(|| PathBuf::from(".planton-helm-cache")),
            offline: false,
            timeout: DEFAULT_TIMEOUT,
            ca_pem: None,
            client_cert: None,
            credentials: None,
            docker_config: None,
            plain_http: false,
            progress: None,
        }
    }
}

/// Where a fetched chart came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Served from the cache without touching the network.
    Cache,
    /// Downloaded (and now cached).
    Network,
}

/// A chart ready to render: its archive, with missing dependencies added.
#[derive(Debug, Clone)]
pub struct FetchedChart {
    /// What was asked for.
    pub chart: ChartRef,
    /// The `.tgz` as the repository serves it, plus any dependencies added to `charts/`.
    pub archive: Vec<u8>,
    /// `sha256:` of the archive as the repository serves it (the cache key).
    pub digest: String,
    /// Cache or network, for the chart itself.
    pub origin: Origin,
    /// Dependencies that were added, as `name-version` from their repositories.
    pub added_dependencies: Vec<ChartRef>,
}

/// Fetches charts through one HTTP client and one cache. Cheap to share behind an `Arc`.
pub struct Fetcher {
    http: http::Http,
    cache: Cache,
    options: Options,
}

impl Fetcher {
    /// A fetcher with these options. Fails only when the CA certificates or the client
    /// certificate do not parse.
    pub fn new(options: Options) -> Result<Self> {
        let http = http::Http::new(
            options.timeout,
            options.ca_pem.as_deref(),
            options.client_cert.as_ref(),
            options.progress.clone(),
        )?;
        Ok(Fetcher {
            http,
            cache: Cache::new(options.cache_dir.clone()),
            options,
        })
    }

    /// The cache this fetcher fills.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Fetches `chart` (from the cache when it is there) and adds its missing dependencies.
    ///
    /// Guarantees: the archive returned hashes to what the repository's index or the registry's
    /// manifest promised when it was downloaded, and its Chart.yaml names `chart.name` and
    /// `chart.version`; a cache entry is re-hashed on every read.
    /// Caveats: HTTP repositories whose index lists no digest are trusted as served.
    pub async fn fetch(&self, chart: &ChartRef) -> Result<FetchedChart> {
        let credentials = self.credentials_for(&chart.repo, &chart.repo)?;
        if credentials.is_none()
            && let (Some(config), Some(host)) =
                (&self.options.docker_config, registry_host(&chart.repo))
        {
            let known = config.registries();
            return Err(Error::Credentials(format!(
                "the registry credentials have no entry for {host} (they have {}): add one \
                 for it",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        let (archive, digest, origin) = self.fetch_one(chart, credentials.as_ref()).await?;
        let inspected = archive::inspect(&archive).map_err(|reason| Error::Malformed {
            url: chart.to_string(),
            reason,
        })?;
        if inspected.meta.name != chart.name
            || !version::same(&inspected.meta.version, &chart.version)
        {
            return Err(Error::Malformed {
                url: chart.to_string(),
                reason: format!(
                    "the archive holds chart {:?} version {:?}, not what was asked for",
                    inspected.meta.name, inspected.meta.version
                ),
            });
        }
        let (archive, added_dependencies) =
            self.add_dependencies(chart, archive, inspected).await?;
        Ok(FetchedChart {
            chart: chart.clone(),
            archive,
            digest,
            origin,
            added_dependencies,
        })
    }

    /// [`Fetcher::fetch`] for callers without an async runtime (it starts a small one; do not
    /// call it from inside one).
    pub fn fetch_blocking(&self, chart: &ChartRef) -> Result<FetchedChart> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Client(format!("cannot start the async runtime: {e}")))?
            .block_on(self.fetch(chart))
    }

    /// One archive, from the cache or the network, without looking at its dependencies.
    async fn fetch_one(
        &self,
        chart: &ChartRef,
        credentials: Option<&Credentials>,
    ) -> Result<(Vec<u8>, String, Origin)> {
        if let Some((data, digest)) = self.cache.get(&chart.repo, &chart.name, &chart.version) {
            return Ok((data, digest, Origin::Cache));
        }
        if self.options.offline {
            return Err(Error::NotCached {
                repo: chart.repo.clone(),
                name: chart.name.clone(),
                version: chart.version.clone(),
                cache: self.cache.dir().to_path_buf(),
            });
        }
        let data = if chart.repo.starts_with("oci://") {
            oci::download(
                &self.http,
                &chart.repo,
                &chart.name,
                &chart.version,
                credentials,
                self.options.plain_http,
            )
            .await?
        } else if chart.repo.starts_with("https://") || chart.repo.starts_with("http://") {
            let index = repo::index(&self.http, &chart.repo, credentials).await?;
            let entry = repo::find(&index, &chart.repo, &chart.name, &chart.version)?;
            repo::download(&self.http, &chart.repo, &chart.name, &entry, credentials).await?
        } else {
            return Err(Error::InvalidRepo {
                repo: chart.repo.clone(),
                reason: "a chart repository is an https:// or oci:// URL".to_string(),
            });
        };
        let digest = self
            .cache
            .put(&chart.repo, &chart.name, &chart.version, &data)?;
        Ok((data, digest, Origin::Network))
    }

    /// Adds to `archive` the dependencies Chart.yaml lists that `charts/` lacks, as
    /// `helm dependency build` resolves them.
    async fn add_dependencies(
        &self,
        chart: &ChartRef,
        archive: Vec<u8>,
        inspected: archive::Inspected,
    ) -> Result<(Vec<u8>, Vec<ChartRef>)> {
        let meta = &inspected.meta;
        let missing: Vec<&Dependency> = meta
            .dependencies
            .iter()
            .filter(|d| !inspected.vendored.contains(&d.name))
            .collect();
        if missing.is_empty() {
            return Ok((archive, Vec::new()));
        }
        let label = format!("{}-{}", meta.name, meta.version);
        if let Some(lock) = &inspected.lock
            && archive::lock_digest(&meta.dependencies, &lock.dependencies) != lock.digest
        {
            return Err(Error::LockOutOfSync { chart: label });
        }
        let mut added = Vec::new();
        let mut files = Vec::new();
        for dep in missing {
            let fail = |reason: String| Error::Dependency {
                chart: label.clone(),
                dependency: dep.name.clone(),
                reason,
            };
            let repository = dep.repository.trim_end_matches('/').to_string();
            if !(repository.starts_with("https://")
                || repository.starts_with("http://")
                || repository.starts_with("oci://"))
            {
                return Err(fail(if repository.is_empty() {
                    "it has no repository and is not vendored in charts/; vendor it or give its \
                     repository URL"
                        .to_string()
                } else {
                    format!(
                        "repository {:?} is not an https:// or oci:// URL (file:// paths and \
                         repository aliases do not exist in a fetched chart); vendor it in charts/",
                        dep.repository
                    )
                }));
            }
            let version = match &inspected.lock {
                Some(lock) => lock
                    .dependencies
                    .iter()
                    .find(|l| {
                        l.name == dep.name && l.repository.trim_end_matches('/') == repository
                    })
                    .map(|l| l.version.clone())
                    .ok_or_else(|| {
                        fail("Chart.lock does not list it; run helm dependency update".to_string())
                    })?,
                None => self
                    .resolve_range(&repository, dep, &chart.repo)
                    .await
                    .map_err(|e| match e {
                        Error::Dependency { reason, .. } => fail(reason),
                        other => fail(other.to_string()),
                    })?,
            };
            let dep_ref = ChartRef::new(repository.clone(), dep.name.clone(), version.clone());
            let credentials = self
                .credentials_for(&repository, &chart.repo)
                .map_err(|e| fail(e.to_string()))?;
            let (data, _, _) = self
                .fetch_one(&dep_ref, credentials.as_ref())
                .await
                .map_err(|e| fail(e.to_string()))?;
            files.push((format!("charts/{}-{}.tgz", dep.name, version), data));
            added.push(dep_ref);
        }
        let archive = archive::with_files(&archive, &inspected.root, &files).map_err(|reason| {
            Error::Malformed {
                url: chart.to_string(),
                reason,
            }
        })?;
        Ok((archive, added))
    }

    /// The highest version of `dep` in its repository that its range allows (from the cached
    /// versions when offline).
    async fn resolve_range(
        &self,
        repository: &str,
        dep: &Dependency,
        chart_repo: &str,
    ) -> Result<String> {
        let credentials = self.credentials_for(repository, chart_repo)?;
        let credentials = credentials.as_ref();
        let constraint =
            version::Constraint::parse(&dep.version).map_err(|reason| Error::Dependency {
                chart: String::new(),
                dependency: dep.name.clone(),
                reason,
            })?;
        let versions = if self.options.offline {
            self.cache.versions(repository, &dep.name)
        } else if repository.starts_with("oci://") {
            oci::versions(
                &self.http,
                repository,
                &dep.name,
                credentials,
                self.options.plain_http,
            )
            .await?
        } else {
            let index = repo::index(&self.http, repository, credentials).await?;
            index
                .get(&dep.name)
                .map(|v| v.iter().map(|e| e.version.clone()).collect())
                .unwrap_or_default()
        };
        constraint
            .best(versions.iter().map(String::as_str))
            .map(str::to_string)
            .ok_or_else(|| {
                let mut reason = format!(
                    "no version matches {:?} in {repository} (versions: {})",
                    dep.version,
                    if versions.is_empty() {
                        "none".to_string()
                    } else {
                        version::nearest(&versions, "", 5).join(", ")
                    }
                );
                if self.options.offline {
                    reason.push_str(
                        "; offline, only cached versions count: pull without --offline first",
                    );
                }
                Error::Dependency {
                    chart: String::new(),
                    dependency: dep.name.clone(),
                    reason,
                }
            })
    }
}

impl Fetcher {
    /// What to present to `repo` while fetching a chart from `chart_repo`: for an `oci://`
    /// registry, [`Options::credentials`] when it is the chart's own, else the Docker config's
    /// entry for it; for an HTTP repository, [`Options::credentials`] when it is on the chart's
    /// repository's host (Helm keeps credentials per repository).
    fn credentials_for(&self, repo: &str, chart_repo: &str) -> Result<Option<Credentials>> {
        let own = same_host(repo, chart_repo);
        if own && let Some(c) = &self.options.credentials {
            return Ok(Some(c.clone()));
        }
        match (&self.options.docker_config, registry_host(repo)) {
            (Some(config), Some(host)) => config.credentials_for(&host),
            _ => Ok(None),
        }
    }
}

fn same_host(a: &str, b: &str) -> bool {
    let host = |s: &str| {
        s.split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or("").to_string())
    };
    host(a).is_some() && host(a) == host(b)
}
