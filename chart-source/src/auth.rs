//! What a fetch presents to a repository: basic credentials, registry credentials from a Docker
//! config (`kubernetes.io/dockerconfigjson`), and a TLS client certificate. None of these types
//! ever prints its secret part: `Debug` redacts it and errors name hosts and keys, never values.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::error::{Error, Result};

/// A username and password (or token) for a repository or registry.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// The username.
    pub username: String,
    /// The password or token.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A TLS client certificate (chain) and its private key, both PEM, presented to servers that ask
/// for one (Flux's `certSecretRef` keys `tls.crt` and `tls.key`, Helm's `--cert-file` and
/// `--key-file`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClientCert {
    /// The certificate chain, PEM, leaf first.
    pub cert_pem: Vec<u8>,
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for ClientCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCert")
            .field("cert_pem", &format_args!("{} bytes", self.cert_pem.len()))
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// One registry's entry of a Docker config.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Entry {
    Basic(Credentials),
    /// An entry this crate cannot use, with the reason (no secret in it).
    Unusable(&'static str),
}

/// Registry credentials per registry host, from a Docker config file (`~/.docker/config.json`,
/// the `.dockerconfigjson` key of a `kubernetes.io/dockerconfigjson` Secret): the `auths` map of
/// `auth` (base64 `user:password`) or `username` and `password`, as `docker login` and
/// `kubectl create secret docker-registry` write it. Used for `oci://` registries only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DockerConfig {
    /// Normalised registry host (`host[:port]`, lower case) → entry.
    auths: BTreeMap<String, Entry>,
}

impl std::fmt::Debug for DockerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerConfig")
            .field("registries", &self.registries())
            .finish()
    }
}

/// Docker Hub's registry answers for several names, and `docker login` files it under its v1 URL.
const DOCKER_HUB: &str = "index.docker.io";

impl DockerConfig {
    /// Parses a Docker config. The error says where the document is wrong, never what it holds.
    pub fn parse(json: &[u8]) -> Result<DockerConfig> {
        let value: serde_json::Value = serde_json::from_slice(json).map_err(|e| {
            // serde_json's syntax errors quote no input, but its data errors can (an
            // "invalid type: string ..." quotes the string); only the position is kept.
            Error::Credentials(format!(
                "the Docker config is not JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let auths = value
            .get("auths")
            .and_then(|a| a.as_object())
            .ok_or_else(|| {
                Error::Credentials(
                    "the Docker config has no \"auths\" object (write it with `kubectl create \
                     secret docker-registry` or `docker login`)"
                        .to_string(),
                )
            })?;
        let mut out = BTreeMap::new();
        for (key, entry) in auths {
            let host = normalise(key);
            if host.is_empty() {
                continue;
            }
            out.insert(host, parse_entry(entry));
        }
        Ok(DockerConfig { auths: out })
    }

    /// The credentials for `registry` (`host[:port]`), `None` when the config has no entry for it.
    /// An entry that exists but cannot be used (an identity token, a malformed `auth`) is an error
    /// naming the registry.
    pub fn credentials_for(&self, registry: &str) -> Result<Option<Credentials>> {
        let host = normalise(registry);
        match self.auths.get(&host) {
            None => Ok(None),
            Some(Entry::Basic(c)) => Ok(Some(c.clone())),
            Some(Entry::Unusable(why)) => Err(Error::Credentials(format!(
                "the Docker config's entry for {host}: {why}"
            ))),
        }
    }

    /// The registries the config has entries for, normalised, for messages.
    pub fn registries(&self) -> Vec<String> {
        self.auths.keys().cloned().collect()
    }

    /// `sha256:` of the entries (not of the file's bytes: two files with the same entries have
    /// the same digest), for keeping things per set of credentials without holding them twice.
    pub fn digest(&self) -> String {
        let mut canonical = Vec::new();
        for (host, entry) in &self.auths {
            let parts: [&str; 3] = match entry {
                Entry::Basic(c) => [host, &c.username, &c.password],
                Entry::Unusable(why) => [host, "", why],
            };
            for part in parts {
                canonical.extend_from_slice(&(part.len() as u64).to_le_bytes());
                canonical.extend_from_slice(part.as_bytes());
            }
        }
        crate::sha256_digest(&canonical)
    }
}

fn parse_entry(entry: &serde_json::Value) -> Entry {
    let text = |k: &str| {
        entry
            .get(k)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    if let Some(auth) = text("auth") {
        let Ok(decoded) = B64.decode(auth.trim()) else {
            return Entry::Unusable("\"auth\" is not base64");
        };
        let Ok(decoded) = String::from_utf8(decoded) else {
            return Entry::Unusable("\"auth\" is not base64 of UTF-8 text");
        };
        return match decoded.split_once(':') {
            Some((user, password)) if !user.is_empty() => Entry::Basic(Credentials {
                username: user.to_string(),
                password: password.to_string(),
            }),
            _ => Entry::Unusable("\"auth\" is not base64 of username:password"),
        };
    }
    match (text("username"), text("password")) {
        (Some(username), Some(password)) => Entry::Basic(Credentials {
            username: username.to_string(),
            password: password.to_string(),
        }),
        _ if text("identitytoken").is_some() || text("registrytoken").is_some() => Entry::Unusable(
            "it holds an identity or registry token, which is not supported; log in with a \
             username and password (or an access token as the password)",
        ),
        _ => Entry::Unusable("it has neither \"auth\" nor \"username\" and \"password\""),
    }
}

/// `https://Registry.example:5000/v1/` → `registry.example:5000`; Docker Hub's names → one.
fn normalise(key: &str) -> String {
    let rest = key
        .trim()
        .strip_prefix("https://")
        .or_else(|| key.trim().strip_prefix("http://"))
        .unwrap_or(key.trim());
    let host = rest.split('/').next().unwrap_or("").to_ascii_lowercase();
    match host.as_str() {
        "docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
        _ => host,
    }
}

/// The registry host (`host[:port]`) of an `oci://` repository, `None` for other schemes.
pub fn registry_host(repo: &str) -> Option<String> {
    let rest = repo.strip_prefix("oci://")?;
    let host = rest.split('/').next().unwrap_or("");
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> DockerConfig {
        DockerConfig::parse(json.as_bytes()).expect("parses")
    }

    #[test]
    fn entries_match_by_host_whatever_the_key_spelling() {
        let c = config(&format!(
            r#"{{"auths": {{
                "https://Registry.Example:5000/v1/": {{"auth": "{}"}},
                "ghcr.io": {{"username": "bot", "password": "tok:en"}},
                "https://index.docker.io/v1/": {{"auth": "{}"}}
            }}}}"#,
            B64.encode("alice:pa:ss"),
            B64.encode("hub:pw"),
        ));
        let got = c.credentials_for("registry.example:5000").unwrap().unwrap();
        assert_eq!(
            (got.username.as_str(), got.password.as_str()),
            ("alice", "pa:ss")
        );
        let got = c.credentials_for("ghcr.io").unwrap().unwrap();
        assert_eq!(got.password, "tok:en");
        assert_eq!(
            c.credentials_for("registry-1.docker.io")
                .unwrap()
                .unwrap()
                .username,
            "hub"
        );
        assert_eq!(c.credentials_for("registry.example").unwrap(), None);
        assert_eq!(
            c.registries(),
            ["ghcr.io", "index.docker.io", "registry.example:5000"]
        );
    }

    #[test]
    fn unusable_entries_fail_on_use_and_never_show_their_contents() {
        let c = config(
            r#"{"auths": {"a.example": {"identitytoken": "refresh-SECRET"},
                          "b.example": {"auth": "%%%SECRET"},
                          "c.example": {"username": "only"},
                          "d.example": {"auth": "bm9jb2xvbg=="}}}"#,
        );
        for host in ["a.example", "b.example", "c.example", "d.example"] {
            let err = c.credentials_for(host).expect_err(host).to_string();
            assert!(err.contains(host), "{err}");
            assert!(!err.contains("SECRET") && !err.contains("nocolon"), "{err}");
        }
        assert!(format!("{c:?}").contains("a.example"));
        assert!(!format!("{c:?}").contains("SECRET"));
    }

    #[test]
    fn a_malformed_config_says_where_but_not_what() {
        for bad in [
            r#"{"auths": {"h": {"auth": "SECRET"}"#,
            r#"{"auths": "SECRET"}"#,
            r#"["SECRET"]"#,
        ] {
            let err = DockerConfig::parse(bad.as_bytes())
                .expect_err(bad)
                .to_string();
            assert!(!err.contains("SECRET"), "{err}");
            assert!(err.contains("Docker config"), "{err}");
        }
    }

    #[test]
    fn redacted_debug() {
        let c = Credentials {
            username: "u".into(),
            password: "SECRET".into(),
        };
        let k = ClientCert {
            cert_pem: b"cert".to_vec(),
            key_pem: b"SECRET".to_vec(),
        };
        assert!(!format!("{c:?}{k:?}").contains("SECRET"));
    }

    #[test]
    fn registry_hosts_of_oci_repositories() {
        assert_eq!(
            registry_host("oci://Ghcr.io/org/charts").as_deref(),
            Some("ghcr.io")
        );
        assert_eq!(
            registry_host("oci://127.0.0.1:5000").as_deref(),
            Some("127.0.0.1:5000")
        );
        assert_eq!(registry_host("https://charts.example"), None);
    }
}
