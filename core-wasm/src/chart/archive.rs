//! Reading chart archives (`.tgz`) inside the sandbox, with Helm's limits and path checks.

use std::io::Read;

use super::{MAX_CHART_SIZE, MAX_FILE_SIZE};

/// The regular files of a gzip-compressed tar archive, paths as stored (`chart/Chart.yaml`).
///
/// Rejects absolute paths and `..` components, and archives or files over Helm's limits, so a
/// hostile archive cannot escape its chart or exhaust the sandbox's memory.
pub fn read_tgz(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut tar = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_CHART_SIZE as u64 + 1)
        .read_to_end(&mut tar)
        .map_err(|e| format!("cannot decompress chart archive: {e}"))?;
    if tar.len() > MAX_CHART_SIZE {
        return Err(format!(
            "decompressed chart is larger than the maximum size {MAX_CHART_SIZE}"
        ));
    }
    read_tar(&tar)
}

fn octal(field: &[u8]) -> Result<usize, String> {
    let s: String = field
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    let s = s.trim();
    if s.is_empty() {
        return Ok(0);
    }
    usize::from_str_radix(s, 8).map_err(|_| format!("invalid tar header number {s:?}"))
}

fn cstr(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// A minimal ustar/GNU/PAX reader: regular files only, long names from `L` and PAX `path`.
fn read_tar(tar: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut long_name: Option<String> = None;
    while pos + 512 <= tar.len() {
        let h = &tar[pos..pos + 512];
        if h.iter().all(|&b| b == 0) {
            break;
        }
        let size = octal(&h[124..136])?;
        let kind = h[156];
        let data_start = pos + 512;
        let data_end = data_start
            .checked_add(size)
            .filter(|&e| e <= tar.len())
            .ok_or_else(|| "truncated chart archive".to_string())?;
        let data = &tar[data_start..data_end];
        pos = data_start + size.div_ceil(512) * 512;
        match kind {
            b'L' => {
                long_name = Some(cstr(data));
                continue;
            }
            b'x' => {
                long_name = pax_path(data).or(long_name);
                continue;
            }
            b'g' => continue,
            b'0' | 0 | b'7' => {}
            _ => {
                long_name = None;
                continue;
            }
        }
        let name = match long_name.take() {
            Some(n) => n,
            None => {
                let prefix = cstr(&h[345..500]);
                let name = cstr(&h[0..100]);
                if prefix.is_empty() || &h[257..262] != b"ustar" {
                    name
                } else {
                    format!("{prefix}/{name}")
                }
            }
        };
        let name = name.replace('\\', "/");
        if name.starts_with('/') || name.split('/').any(|p| p == "..") {
            return Err(format!(
                "chart illegally contains content outside the base directory: {name:?}"
            ));
        }
        if size > MAX_FILE_SIZE {
            return Err(format!(
                "decompressed chart file \"{name}\" is larger than the maximum file size {MAX_FILE_SIZE}"
            ));
        }
        out.push((name, data.to_vec()));
    }
    Ok(out)
}

fn pax_path(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines().find_map(|l| {
        let (_, kv) = l.split_once(' ')?;
        kv.strip_prefix("path=").map(str::to_string)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn header(name: &str, size: usize) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let s = format!("{size:011o}\0");
        h[124..136].copy_from_slice(s.as_bytes());
        h[156] = b'0';
        h
    }

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut tar = Vec::new();
        for (n, d) in entries {
            tar.extend(header(n, d.len()));
            tar.extend_from_slice(d);
            tar.resize(tar.len().div_ceil(512) * 512, 0);
        }
        tar.extend(vec![0u8; 1024]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn reads_files() {
        let files = read_tgz(&tgz(&[("c/Chart.yaml", b"name: c"), ("c/t/x", b"")])).unwrap();
        assert_eq!(files[0], ("c/Chart.yaml".to_string(), b"name: c".to_vec()));
        assert_eq!(files.len(), 2);
    }

    #[test]
    fn rejects_escaping_paths() {
        let err = read_tgz(&tgz(&[("c/../../etc/passwd", b"x")])).unwrap_err();
        assert!(err.contains("outside the base directory"), "{err}");
    }

    #[test]
    fn rejects_garbage() {
        assert!(read_tgz(b"not gzip").is_err());
    }
}
