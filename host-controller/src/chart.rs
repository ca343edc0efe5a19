//! Where charts come from. The controller asks a [`ChartProvider`]; the real one (HTTP and OCI
//! repositories with a cache, through the `chart-source` crate) is
//! [`SourceCharts`](crate::source::SourceCharts). [`LocalCharts`] serves charts from directories
//! and exists for tests.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
pub use chart_source::{ClientCert, Credentials, DockerConfig};
use serde_json::{Map, Value, json};

/// The files of an unpacked chart, paths relative to the chart root, `/`-separated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    /// `(path, contents)`, sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
}

/// A chart that could not be fetched; the message says which and why.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// The future [`ChartProvider::fetch`] returns.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Chart, FetchError>> + Send + 'a>>;

/// What one HelmRelease presents to its chart's repository, read from the Secrets it names
/// (see [`crate::credentials`]). `Debug` shows no secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RepoAccess {
    /// Basic credentials (`spec.credentialsRef` with `username` and `password`).
    pub credentials: Option<Credentials>,
    /// Registry credentials per host (`spec.credentialsRef`, a `kubernetes.io/dockerconfigjson`
    /// Secret).
    pub docker_config: Option<DockerConfig>,
    /// CA certificates trusted for this release besides the system's and `--ca-file`'s
    /// (`ca.crt` of `spec.certSecretRef`).
    pub ca_pem: Option<Vec<u8>>,
    /// The client certificate (`tls.crt` and `tls.key` of `spec.certSecretRef`).
    pub client_cert: Option<ClientCert>,
    /// Talk to the `oci://` registry over plain HTTP (`spec.plainHttp`).
    pub plain_http: bool,
}

/// Fetches a chart by repository, name and exact version.
pub trait ChartProvider: Send + Sync {
    /// The chart `name` at `version` from `repo` (`https://...` or `oci://...`), reached with
    /// what the HelmRelease gives in `access` and nothing of any other release.
    fn fetch<'a>(
        &'a self,
        repo: &'a str,
        name: &'a str,
        version: &'a str,
        access: &'a RepoAccess,
    ) -> FetchFuture<'a>;
}

/// **Test-only**: charts from local directories, keyed by `(repo, name, version)`. The repository
/// is not contacted; a chart that is not in the map is an error.
#[derive(Clone, Debug, Default)]
pub struct LocalCharts {
    dirs: BTreeMap<(String, String, String), PathBuf>,
}

impl LocalCharts {
    /// An empty map.
    pub fn new() -> LocalCharts {
        LocalCharts::default()
    }

    /// Serves the chart directory `dir` as `name` `version` of `repo`.
    pub fn with(mut self, repo: &str, name: &str, version: &str, dir: impl Into<PathBuf>) -> Self {
        self.dirs.insert(
            (repo.to_string(), name.to_string(), version.to_string()),
            dir.into(),
        );
        self
    }
}

impl ChartProvider for LocalCharts {
    fn fetch<'a>(
        &'a self,
        repo: &'a str,
        name: &'a str,
        version: &'a str,
        _access: &'a RepoAccess,
    ) -> FetchFuture<'a> {
        Box::pin(async move {
            let key = (repo.to_string(), name.to_string(), version.to_string());
            let dir = self.dirs.get(&key).ok_or_else(|| {
                FetchError(format!(
                    "chart {name} {version} is not in repository {repo} (local chart map)"
                ))
            })?;
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || read_dir(&dir))
                .await
                .map_err(|e| FetchError(e.to_string()))?
        })
    }
}

fn read_dir(root: &Path) -> Result<Chart, FetchError> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| FetchError(format!("reading chart directory {}: {e}", dir.display())))?;
        for entry in entries {
            let path = entry
                .map_err(|e| FetchError(format!("reading {}: {e}", dir.display())))?
                .path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let data = std::fs::read(&path)
                    .map_err(|e| FetchError(format!("reading {}: {e}", path.display())))?;
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push((rel, data));
            }
        }
    }
    files.sort();
    Ok(Chart { files })
}

impl Chart {
    fn file(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, d)| d.as_slice())
    }

    /// The chart as Helm records it in a release (`chart.Chart` in JSON): `metadata` from
    /// Chart.yaml, `values` from values.yaml, `templates`, `schema` and the other `files`, file
    /// contents base64 as Go's `[]byte`.
    pub fn helm_record(&self) -> Value {
        let yaml = |path: &str| -> Value {
            self.file(path)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|t| serde_saphyr::from_str::<Value>(t).ok())
                .filter(|v| v.is_object())
                .unwrap_or_else(|| Value::Object(Map::new()))
        };
        let file = |(p, d): &(String, Vec<u8>)| json!({"name": p, "data": B64.encode(d)});
        // Subcharts are kept as files: Helm nests them as `dependencies`, which `helm get` and
        // `rollback` do not need.
        let templates: Vec<Value> = self
            .files
            .iter()
            .filter(|(p, _)| p.starts_with("templates/"))
            .map(file)
            .collect();
        let files: Vec<Value> = self
            .files
            .iter()
            .filter(|(p, _)| {
                !p.starts_with("templates/")
                    && !matches!(
                        p.as_str(),
                        "Chart.yaml" | "values.yaml" | "values.schema.json"
                    )
            })
            .map(file)
            .collect();
        let mut chart = json!({
            "metadata": yaml("Chart.yaml"),
            "templates": templates,
            "values": yaml("values.yaml"),
            "files": files,
        });
        if let Some(schema) = self.file("values.schema.json") {
            chart["schema"] = Value::String(B64.encode(schema));
        }
        chart
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_record_splits_templates_values_and_files() {
        let chart = Chart {
            files: vec![
                (
                    "Chart.yaml".into(),
                    b"apiVersion: v2\nname: web\nversion: 1.2.3\n".to_vec(),
                ),
                ("README.md".into(), b"hi".to_vec()),
                ("templates/cm.yaml".into(), b"kind: ConfigMap".to_vec()),
                ("values.yaml".into(), b"replicas: 2\n".to_vec()),
            ],
        };
        let record = chart.helm_record();
        assert_eq!(record["metadata"]["version"], "1.2.3");
        assert_eq!(record["values"]["replicas"], 2);
        assert_eq!(record["templates"][0]["name"], "templates/cm.yaml");
        assert_eq!(
            record["templates"][0]["data"],
            B64.encode("kind: ConfigMap")
        );
        assert_eq!(record["files"][0]["name"], "README.md");
    }
}
