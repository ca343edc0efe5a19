//! HTTP with the two authentication schemes chart sources use: basic auth (chart repositories,
//! some registries) and the registry token flow (a 401 with `WWW-Authenticate: Bearer realm=...`
//! is answered by fetching a token from the realm, with the credentials when there are any).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use reqwest::{Client, StatusCode};
use url::Url;

use crate::error::{Error, Result};
use crate::{ClientCert, Credentials, Progress};

/// The client, its timeout and the tokens obtained so far (per realm, service and scope).
pub(crate) struct Http {
    client: Client,
    timeout: Duration,
    progress: Option<Arc<dyn Progress>>,
    tokens: Mutex<HashMap<String, String>>,
}

/// How a request authenticates.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// Basic auth on the first request when there are credentials (chart repositories).
    Basic(Option<&'a Credentials>),
    /// Anonymous first, then whatever the registry's challenge asks for.
    Registry(Option<&'a Credentials>),
}

impl Auth<'_> {
    fn credentials(&self) -> Option<&Credentials> {
        match *self {
            Auth::Basic(c) | Auth::Registry(c) => c,
        }
    }
}

/// A response body with the headers that came with it.
pub(crate) struct Body {
    pub bytes: Vec<u8>,
    pub headers: HeaderMap,
}

impl Http {
    pub fn new(
        timeout: Duration,
        ca_pem: Option<&[u8]>,
        client_cert: Option<&ClientCert>,
        progress: Option<Arc<dyn Progress>>,
    ) -> Result<Self> {
        let mut builder = Client::builder()
            .use_rustls_tls()
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .user_agent(concat!("planton-helm/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::Client(format!("the CA certificates are not PEM certificates: {e}"))
            })?;
            if certs.is_empty() {
                return Err(Error::Client(
                    "the CA certificates hold no PEM certificate".to_string(),
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(c) = client_cert {
            let mut pem = c.cert_pem.clone();
            pem.push(b'\n');
            pem.extend_from_slice(&c.key_pem);
            // The parser's own error is not passed on: it could quote what it failed to read.
            let identity = reqwest::Identity::from_pem(&pem).map_err(|_| {
                Error::Client(
                    "the client certificate and key are not a PEM certificate chain and a PEM \
                     private key (PKCS#8, PKCS#1 or SEC1)"
                        .to_string(),
                )
            })?;
            builder = builder.identity(identity);
        }
        let client = builder.build().map_err(|e| {
            Error::Client(if client_cert.is_some() {
                format!(
                    "the client certificate and key cannot be used: {}",
                    chain(&e)
                )
            } else {
                chain(&e)
            })
        })?;
        Ok(Http {
            client,
            timeout,
            progress,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// GETs `url` and returns its body, at most `limit` bytes. `label` names the download in
    /// progress reports (none for small documents such as indexes and manifests).
    pub async fn get(
        &self,
        url: &Url,
        accept: &[&str],
        auth: Auth<'_>,
        limit: u64,
        label: Option<&str>,
    ) -> Result<Body> {
        let mut response = self.send(url, accept, auth).await?;
        let status = response.status();
        if !status.is_success() {
            return Err(self.status_error(url, response, auth).await);
        }
        let total = response.content_length();
        if total.is_some_and(|n| n > limit) {
            return Err(too_large(url, limit));
        }
        let headers = response.headers().clone();
        let mut bytes = Vec::with_capacity(total.unwrap_or(0).min(limit) as usize);
        if let (Some(p), Some(l)) = (&self.progress, label) {
            p.update(l, 0, total);
        }
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(url, e))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > limit {
                return Err(too_large(url, limit));
            }
            if let (Some(p), Some(l)) = (&self.progress, label) {
                p.update(l, bytes.len() as u64, total);
            }
        }
        if let (Some(p), Some(l)) = (&self.progress, label) {
            p.done(l, bytes.len() as u64);
        }
        Ok(Body { bytes, headers })
    }

    async fn send(&self, url: &Url, accept: &[&str], auth: Auth<'_>) -> Result<reqwest::Response> {
        let key = origin(url);
        let cached = self.tokens.lock().expect("token lock").get(&key).cloned();
        let first = match (cached, auth) {
            (Some(header), _) => Some(header),
            (None, Auth::Basic(Some(c))) => Some(basic(c)),
            _ => None,
        };
        let response = self.request(url, accept, first.as_deref()).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(challenge) = response
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
        else {
            return Ok(response);
        };
        let header = if let Some(params) = strip_scheme(&challenge, "bearer") {
            self.token(url, &parse_params(params), auth.credentials())
                .await?
        } else if strip_scheme(&challenge, "basic").is_some() {
            match auth.credentials() {
                Some(c) if first.is_none() => basic(c),
                _ => return Ok(response),
            }
        } else {
            return Ok(response);
        };
        let retry = self.request(url, accept, Some(&header)).await?;
        if retry.status().is_success() {
            self.tokens.lock().expect("token lock").insert(key, header);
        }
        Ok(retry)
    }

    async fn request(
        &self,
        url: &Url,
        accept: &[&str],
        authorization: Option<&str>,
    ) -> Result<reqwest::Response> {
        let mut request = self.client.get(url.clone());
        if !accept.is_empty() {
            request = request.header(ACCEPT, accept.join(", "));
        }
        if let Some(a) = authorization {
            let mut value = HeaderValue::from_str(a)
                .map_err(|_| Error::Client("credentials are not valid header text".into()))?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        request.send().await.map_err(|e| self.transport(url, e))
    }

    /// The registry token flow: GET the realm with service and scope, basic-authenticated when
    /// there are credentials; the answer's `token` (or `access_token`) becomes a bearer header.
    async fn token(
        &self,
        url: &Url,
        params: &HashMap<String, String>,
        credentials: Option<&Credentials>,
    ) -> Result<String> {
        let realm = params.get("realm").ok_or_else(|| Error::Malformed {
            url: url.to_string(),
            reason: "the registry asked for a bearer token without naming a realm".into(),
        })?;
        let mut token_url = Url::parse(realm).map_err(|e| Error::Malformed {
            url: url.to_string(),
            reason: format!("the registry's token realm {realm:?} is not a URL: {e}"),
        })?;
        {
            let mut query = token_url.query_pairs_mut();
            for key in ["service", "scope"] {
                if let Some(v) = params.get(key) {
                    query.append_pair(key, v);
                }
            }
        }
        let mut request = self.client.get(token_url.clone());
        if let Some(c) = credentials {
            request = request.basic_auth(&c.username, Some(&c.password));
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport(&token_url, e))?;
        if !response.status().is_success() {
            return Err(self
                .status_error(&token_url, response, Auth::Registry(credentials))
                .await);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport(&token_url, e))?;
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| Error::Malformed {
                url: token_url.to_string(),
                reason: format!("the token answer is not JSON: {e}"),
            })?;
        let token = ["token", "access_token"]
            .iter()
            .find_map(|k| {
                json.get(k)
                    .and_then(|v| v.as_str())
                    .filter(|t| !t.is_empty())
            })
            .ok_or_else(|| Error::Malformed {
                url: token_url.to_string(),
                reason: "the token answer has no token".into(),
            })?;
        Ok(format!("Bearer {token}"))
    }

    async fn status_error(&self, url: &Url, response: reqwest::Response, auth: Auth<'_>) -> Error {
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        let url = redact(url);
        match status {
            401 | 403 => Error::Denied {
                url,
                status,
                hint: match auth.credentials() {
                    Some(c) if status == 401 => format!(
                        "the server refused the credentials of user {:?}; check the username and password",
                        c.username
                    ),
                    Some(c) => format!(
                        "user {:?} may not read this; ask for pull access",
                        c.username
                    ),
                    None => "the server needs credentials; pass --username and --password \
                             (or set PLANTON_HELM_USERNAME and PLANTON_HELM_PASSWORD; for a \
                             HelmRelease, name a Secret in spec.credentialsRef)"
                        .to_string(),
                },
            },
            404 => Error::NotFound {
                url,
                what: "check the repository URL, the chart name and the version".to_string(),
            },
            _ => Error::Status {
                url,
                status,
                body: body
                    .chars()
                    .take(300)
                    .collect::<String>()
                    .trim()
                    .to_string(),
            },
        }
    }

    fn transport(&self, url: &Url, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            Error::Timeout {
                url: redact(url),
                after: self.timeout,
            }
        } else if let Some((reason, hint)) = tls_problem(&e) {
            Error::Tls {
                url: redact(url),
                reason,
                hint: hint.to_string(),
            }
        } else {
            Error::Connect {
                url: redact(url),
                reason: chain(&e),
            }
        }
    }
}

/// An error and its causes, each once, joined with `: `.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut reason = String::new();
    let mut source = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !reason.contains(&text) {
            if !reason.is_empty() {
                reason.push_str(": ");
            }
            reason.push_str(&text);
        }
        source = s.source();
    }
    reason
}

/// The rustls error `e` is or wraps. rustls errors arrive wrapped in `std::io::Error`s (twice,
/// through hyper-rustls), whose `source()` skips the wrapped error itself, so I/O errors are
/// unwrapped here.
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut node = e;
    loop {
        if let Some(r) = node.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        let inner = node.downcast_ref::<std::io::Error>()?.get_ref()?;
        node = inner;
    }
}

/// A TLS failure the user can fix, found in `e`'s chain of causes: what rustls said and what to
/// do.
fn tls_problem(e: &(dyn std::error::Error + 'static)) -> Option<(String, &'static str)> {
    use rustls::AlertDescription as Alert;
    let mut source = Some(e);
    while let Some(s) = source {
        match rustls_error(s) {
            Some(r @ rustls::Error::InvalidCertificate(_)) => {
                return Some((
                    r.to_string(),
                    "the server's certificate is not trusted or not valid for this host: if a \
                     private CA signed it, trust that CA (--ca-file; for a HelmRelease, key \
                     ca.crt of the Secret spec.certSecretRef names)",
                ));
            }
            Some(
                r @ rustls::Error::AlertReceived(
                    Alert::CertificateRequired
                    | Alert::BadCertificate
                    | Alert::UnknownCA
                    | Alert::CertificateUnknown
                    | Alert::CertificateExpired
                    | Alert::CertificateRevoked
                    | Alert::AccessDenied,
                ),
            ) => {
                return Some((
                    r.to_string(),
                    "the server wants a client certificate it trusts: give one (for a \
                     HelmRelease, keys tls.crt and tls.key of the Secret spec.certSecretRef \
                     names)",
                ));
            }
            _ => {}
        }
        source = s.source();
    }
    None
}

fn too_large(url: &Url, limit: u64) -> Error {
    Error::Malformed {
        url: redact(url),
        reason: format!("larger than the limit of {limit} bytes"),
    }
}

/// The URL without user info, for messages.
pub(crate) fn redact(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

fn origin(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn basic(c: &Credentials) -> String {
    use base64::Engine as _;
    let raw = format!("{}:{}", c.username, c.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn strip_scheme<'a>(challenge: &'a str, scheme: &str) -> Option<&'a str> {
    let (first, rest) = challenge
        .trim()
        .split_once(' ')
        .unwrap_or((challenge.trim(), ""));
    first.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// `realm="https://auth",service="registry",scope="repository:a/b:pull"` as a map. Values may
/// be quoted (with commas inside) or bare.
fn parse_params(s: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.insert(key, value);
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenges_parse_with_quoted_commas() {
        let p = parse_params(
            r#"realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(p["realm"], "https://auth.example/token");
        assert_eq!(p["service"], "registry.example");
        assert_eq!(p["scope"], "repository:a/b:pull,push");
        let p = parse_params("realm=https://x/t, service=s");
        assert_eq!(
            (p["realm"].as_str(), p["service"].as_str()),
            ("https://x/t", "s")
        );
    }

    #[test]
    fn challenge_schemes_match_case_insensitively() {
        assert_eq!(strip_scheme("Bearer realm=x", "bearer"), Some("realm=x"));
        assert_eq!(
            strip_scheme(r#"Basic realm="r""#, "basic"),
            Some(r#"realm="r""#)
        );
        assert_eq!(strip_scheme("Basic", "bearer"), None);
    }

    #[test]
    fn user_info_is_kept_out_of_messages() {
        let u = Url::parse("https://me:secret@charts.example/index.yaml").expect("url");
        assert_eq!(redact(&u), "https://charts.example/index.yaml");
    }
}
