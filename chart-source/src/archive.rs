//! Reading what the host needs from a chart archive (Chart.yaml, Chart.lock, which subcharts are
//! vendored) and adding downloaded dependencies to it. Rendering reads archives in the sandbox;
//! the host looks only at these few files, with the same size caps.

use std::io::Read;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::Deserialize;

/// Largest decompressed archive read (Helm's `MaxDecompressedChartSize`).
const MAX_DECOMPRESSED: u64 = 100 << 20;
/// Largest single file read (Helm's `MaxDecompressedFileSize`).
const MAX_FILE: u64 = 5 << 20;

/// Chart.yaml, as far as fetching needs it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartMeta {
    /// `v1` or `v2`.
    #[serde(default)]
    pub api_version: String,
    /// The chart's name.
    pub name: String,
    /// The chart's version.
    #[serde(default)]
    pub version: String,
    /// Declared dependencies (Chart.yaml v2; requirements.yaml for v1 is not read).
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
}

/// A dependency as Chart.yaml (or Chart.lock) declares it, with every field Helm hashes for the
/// lock digest, in Helm's field order.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
pub struct Dependency {
    /// The dependency's chart name.
    pub name: String,
    /// A version or range.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// `https://...`, `oci://...`, `file://...` or a repository alias.
    #[serde(default)]
    pub repository: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[allow(missing_docs)]
    pub condition: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[allow(missing_docs)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[allow(missing_docs)]
    pub enabled: bool,
    #[serde(
        default,
        rename = "import-values",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[allow(missing_docs)]
    pub import_values: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[allow(missing_docs)]
    pub alias: String,
}

/// Chart.lock.
#[derive(Debug, Clone, Deserialize)]
pub struct Lock {
    /// The resolved dependencies.
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    /// `sha256:` of Chart.yaml's and the lock's dependencies, as Helm computes it.
    #[serde(default)]
    pub digest: String,
}

/// What the host learns from an archive.
#[derive(Debug)]
pub struct Inspected {
    /// The archive's top directory (the chart's name as packaged).
    pub root: String,
    /// Chart.yaml.
    pub meta: ChartMeta,
    /// Chart.lock, if the archive has one.
    pub lock: Option<Lock>,
    /// Names (from their Chart.yaml) of the subcharts vendored in `charts/`.
    pub vendored: Vec<String>,
}

fn yaml<T: serde::de::DeserializeOwned>(what: &str, data: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(data).map_err(|_| format!("{what} is not UTF-8 text"))?;
    serde_saphyr::from_str(text).map_err(|e| format!("{what} does not parse: {e}"))
}

/// Every regular file of a `.tgz`, with its path, within Helm's size caps.
fn files(archive: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut tar = tar::Archive::new(GzDecoder::new(archive).take(MAX_DECOMPRESSED));
    let mut out = Vec::new();
    for entry in tar
        .entries()
        .map_err(|e| format!("not a gzipped tar archive: {e}"))?
    {
        let mut entry = entry.map_err(|e| format!("the archive is damaged: {e}"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if entry.size() > MAX_FILE {
            return Err(format!(
                "{path} is larger than Helm's limit of {MAX_FILE} bytes"
            ));
        }
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("the archive is damaged at {path}: {e}"))?;
        out.push((path, data));
    }
    Ok(out)
}

/// Reads Chart.yaml, Chart.lock and the vendored subcharts of a chart archive.
pub fn inspect(archive: &[u8]) -> Result<Inspected, String> {
    let files = files(archive)?;
    let root = files
        .iter()
        .find_map(|(p, _)| p.split_once('/').map(|(r, _)| r.to_string()))
        .ok_or("the archive holds no chart directory")?;
    let get = |rel: &str| {
        let want = format!("{root}/{rel}");
        files.iter().find(|(p, _)| *p == want).map(|(_, d)| d)
    };
    let meta: ChartMeta = yaml(
        "Chart.yaml",
        get("Chart.yaml").ok_or("the archive has no Chart.yaml")?,
    )?;
    let lock = get("Chart.lock")
        .map(|d| yaml::<Lock>("Chart.lock", d))
        .transpose()?;
    let charts = format!("{root}/charts/");
    let mut vendored = Vec::new();
    for (path, data) in &files {
        let Some(rel) = path.strip_prefix(&charts) else {
            continue;
        };
        let name = match rel.split_once('/') {
            Some((_, "Chart.yaml")) => yaml::<ChartMeta>(path, data).ok().map(|m| m.name),
            None if rel.ends_with(".tgz") => inspect(data).ok().map(|i| i.meta.name),
            _ => None,
        };
        vendored.extend(name);
    }
    Ok(Inspected {
        root,
        meta,
        lock,
        vendored,
    })
}

/// A copy of `archive` with `added` (paths relative to the chart root) appended.
pub fn with_files(
    archive: &[u8],
    root: &str,
    added: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, String> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    let mut tar = tar::Archive::new(GzDecoder::new(archive).take(MAX_DECOMPRESSED));
    for entry in tar
        .entries()
        .map_err(|e| format!("not a gzipped tar archive: {e}"))?
    {
        let mut entry = entry.map_err(|e| format!("the archive is damaged: {e}"))?;
        let header = entry.header().clone();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("the archive is damaged: {e}"))?;
        builder
            .append(&header, data.as_slice())
            .map_err(|e| e.to_string())?;
    }
    for (path, data) in added {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, format!("{root}/{path}"), data.as_slice())
            .map_err(|e| e.to_string())?;
    }
    builder
        .into_inner()
        .and_then(|gz| gz.finish())
        .map_err(|e| e.to_string())
}

/// Helm's lock digest: `sha256:` of the JSON of `[Chart.yaml dependencies, lock dependencies]`,
/// written as Go's `json.Marshal` writes it (no spaces, `<`, `>`, `&` escaped).
pub fn lock_digest(requested: &[Dependency], locked: &[Dependency]) -> String {
    let json = serde_json::to_string(&(requested, locked)).expect("dependencies serialise");
    let json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    crate::cache::sha256_digest(json.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
        for (p, d) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(d.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, p, d.as_bytes()).expect("append");
        }
        b.into_inner().expect("tar").finish().expect("gz")
    }

    #[test]
    fn inspect_reads_metadata_lock_and_vendored_subcharts() {
        let sub = tgz(&[(
            "cache/Chart.yaml",
            "apiVersion: v2\nname: cache\nversion: 1.0.0\n",
        )]);
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
        for (p, d) in [
            (
                "app/Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: cache\n  version: ^1.0.0\n  repository: oci://r/c\n- name: db\n  version: 2.0.0\n  repository: https://h/c\n  condition: db.enabled\n",
            ),
            (
                "app/charts/lib/Chart.yaml",
                "name: common\nversion: 1.0.0\n",
            ),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(d.len() as u64);
            b.append_data(&mut h, p, d.as_bytes()).expect("append");
        }
        let mut h = tar::Header::new_gnu();
        h.set_size(sub.len() as u64);
        b.append_data(&mut h, "app/charts/cache-1.0.0.tgz", sub.as_slice())
            .expect("append");
        let archive = b.into_inner().expect("tar").finish().expect("gz");
        let i = inspect(&archive).expect("inspects");
        assert_eq!(i.root, "app");
        assert_eq!(i.meta.name, "app");
        assert_eq!(i.meta.dependencies.len(), 2);
        assert_eq!(i.meta.dependencies[1].condition, "db.enabled");
        assert_eq!(i.vendored, ["common", "cache"]);
        assert!(i.lock.is_none());

        let grown = with_files(
            &archive,
            "app",
            &[("charts/db-2.0.0.tgz".into(), b"x".to_vec())],
        )
        .expect("adds");
        let names: Vec<String> = files(&grown)
            .expect("reads")
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(
            names,
            [
                "app/Chart.yaml",
                "app/charts/lib/Chart.yaml",
                "app/charts/cache-1.0.0.tgz",
                "app/charts/db-2.0.0.tgz"
            ]
        );
    }

    #[test]
    fn lock_digest_is_gos_json_of_both_lists() {
        let dep = Dependency {
            name: "db".into(),
            version: ">=1.0.0 <2.0.0".into(),
            repository: "https://h/c".into(),
            condition: String::new(),
            tags: vec![],
            enabled: false,
            import_values: vec![],
            alias: String::new(),
        };
        let json =
            serde_json::to_string(&(&[dep.clone()][..], &[] as &[Dependency])).expect("json");
        assert_eq!(
            json,
            r#"[[{"name":"db","version":">=1.0.0 <2.0.0","repository":"https://h/c"}],[]]"#
        );
        assert_eq!(
            lock_digest(&[dep], &[]),
            crate::cache::sha256_digest(
                br#"[[{"name":"db","version":"\u003e=1.0.0 \u003c2.0.0","repository":"https://h/c"}],[]]"#
            )
        );
    }
}
