//! What a HelmRelease presents to its chart's repository, read from the Secrets it names:
//! `spec.credentialsRef` (basic auth, or a `kubernetes.io/dockerconfigjson` Secret for an `oci://`
//! registry), `spec.certSecretRef` (`ca.crt`, `tls.crt`, `tls.key`, as Flux's), and
//! `spec.plainHttp`. Nothing read here is ever put into a message: errors name the Secret and the
//! key, never a value.

use k8s_openapi::api::core::v1::Secret;
use kube::{Api, Client, ResourceExt};

use crate::chart::{ClientCert, Credentials, DockerConfig, RepoAccess};
use crate::crd::{HelmRelease, SecretRef};

/// The Secret type whose `.dockerconfigjson` key holds registry credentials.
const DOCKER_CONFIG_TYPE: &str = "kubernetes.io/dockerconfigjson";
const DOCKER_CONFIG_KEY: &str = ".dockerconfigjson";

/// Why a release's repository access could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// A reference the controller refuses; nothing changes until the spec does (Stalled,
    /// reason `AccessDenied`).
    #[error("{0}")]
    Denied(String),
    /// A Secret that is missing, unreadable or malformed; retried, as it may be fixed.
    #[error("{0}")]
    Secret(String),
}

/// Refuses references to another namespace unless `cross_namespace_refs` allows them. Pure: the
/// spec alone decides.
pub fn check_references(hr: &HelmRelease, cross_namespace_refs: bool) -> Result<(), AccessError> {
    if cross_namespace_refs {
        return Ok(());
    }
    let own = hr.namespace().unwrap_or_default();
    let refs = [
        ("spec.credentialsRef", &hr.spec.credentials_ref),
        ("spec.certSecretRef", &hr.spec.cert_secret_ref),
    ];
    for (field, reference) in refs {
        if let Some(r) = reference
            && let Some(ns) = r.namespace.as_deref().filter(|ns| *ns != own)
        {
            return Err(AccessError::Denied(format!(
                "{field} names Secret {ns}/{}, in another namespace than the HelmRelease's \
                 ({own}); this controller allows references only within the HelmRelease's \
                 namespace (--no-cross-namespace-refs): create the Secret in {own}",
                r.name
            )));
        }
    }
    Ok(())
}

/// Reads what `hr` presents to its repository: [`check_references`], then the Secrets.
///
/// Guarantees: only the Secrets the spec names are read, each in the namespace the spec allows;
/// a Secret's values appear in no error.
pub async fn access(
    client: &Client,
    hr: &HelmRelease,
    cross_namespace_refs: bool,
) -> Result<RepoAccess, AccessError> {
    check_references(hr, cross_namespace_refs)?;
    let own = hr.namespace().unwrap_or_default();
    let credentials = match &hr.spec.credentials_ref {
        Some(reference) => Some(
            read(
                client,
                &own,
                reference,
                "spec.credentialsRef",
                "keys username and password (or, for an oci:// registry, type \
                 kubernetes.io/dockerconfigjson)",
            )
            .await?,
        ),
        None => None,
    };
    let certs = match &hr.spec.cert_secret_ref {
        Some(reference) => Some(
            read(
                client,
                &own,
                reference,
                "spec.certSecretRef",
                "key ca.crt, keys tls.crt and tls.key, or all three",
            )
            .await?,
        ),
        None => None,
    };
    from_secrets(hr, credentials.as_ref(), certs.as_ref())
}

/// The access that the Secrets `credentials` (of `spec.credentialsRef`) and `certs` (of
/// `spec.certSecretRef`) give `hr`. Pure; errors name the Secret and the key, never a value.
fn from_secrets(
    hr: &HelmRelease,
    credentials: Option<&Read>,
    certs: Option<&Read>,
) -> Result<RepoAccess, AccessError> {
    let mut access = RepoAccess {
        plain_http: hr.spec.plain_http,
        ..RepoAccess::default()
    };
    if let Some(secret) = credentials {
        if secret.is_docker_config() {
            if !hr.spec.repo.starts_with("oci://") {
                return Err(AccessError::Secret(format!(
                    "{} is a {DOCKER_CONFIG_TYPE} Secret, which holds registry credentials for \
                     oci:// repositories; for {} give a Secret with keys username and password",
                    secret.label, hr.spec.repo
                )));
            }
            let json = secret.key(DOCKER_CONFIG_KEY)?;
            access.docker_config = Some(
                DockerConfig::parse(json)
                    .map_err(|e| AccessError::Secret(format!("{}: {e}", secret.label)))?,
            );
        } else {
            access.credentials = Some(Credentials {
                username: secret.text("username")?,
                password: secret.text("password")?,
            });
        }
    }
    if let Some(secret) = certs {
        let get = |k: &str| secret.data.get(k).map(|v| v.0.clone());
        access.ca_pem = get("ca.crt");
        access.client_cert = match (get("tls.crt"), get("tls.key")) {
            (Some(cert_pem), Some(key_pem)) => Some(ClientCert { cert_pem, key_pem }),
            (None, None) => None,
            _ => {
                return Err(AccessError::Secret(format!(
                    "{} has only one of tls.crt and tls.key: a client certificate needs both",
                    secret.label
                )));
            }
        };
        if access.ca_pem.is_none() && access.client_cert.is_none() {
            return Err(AccessError::Secret(format!(
                "{} has none of the keys ca.crt, tls.crt and tls.key",
                secret.label
            )));
        }
    }
    Ok(access)
}

/// A Secret's data with a label for messages (`Secret NS/NAME (FIELD)`).
struct Read {
    label: String,
    type_: Option<String>,
    data: std::collections::BTreeMap<String, k8s_openapi::ByteString>,
}

impl Read {
    fn is_docker_config(&self) -> bool {
        self.type_.as_deref() == Some(DOCKER_CONFIG_TYPE)
            || self.data.contains_key(DOCKER_CONFIG_KEY)
    }

    fn key(&self, k: &str) -> Result<&[u8], AccessError> {
        self.data
            .get(k)
            .map(|v| v.0.as_slice())
            .ok_or_else(|| AccessError::Secret(format!("{} has no key {k:?}", self.label)))
    }

    fn text(&self, k: &str) -> Result<String, AccessError> {
        let bytes = self.data.get(k).ok_or_else(|| {
            AccessError::Secret(format!(
                "{} has no key {k:?}: it needs username and password (or, for an oci:// \
                 registry, type {DOCKER_CONFIG_TYPE})",
                self.label
            ))
        })?;
        String::from_utf8(bytes.0.clone())
            .map_err(|_| AccessError::Secret(format!("{}: key {k:?} is not UTF-8", self.label)))
    }
}

async fn read(
    client: &Client,
    own: &str,
    reference: &SecretRef,
    field: &str,
    keys: &str,
) -> Result<Read, AccessError> {
    let ns = reference.namespace.as_deref().unwrap_or(own);
    let label = format!("Secret {ns}/{} ({field})", reference.name);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let secret = secrets
        .get_opt(&reference.name)
        .await
        .map_err(|e| AccessError::Secret(format!("reading {label}: {e}")))?
        .ok_or_else(|| AccessError::Secret(format!("{label} not found: create it with {keys}")))?;
    Ok(Read {
        label,
        type_: secret.type_,
        data: secret.data.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(spec: serde_json::Value) -> HelmRelease {
        let mut base = serde_json::json!({"repo": "oci://r.example/charts", "name": "web", "version": "1.0.0"});
        base.as_object_mut()
            .unwrap()
            .extend(spec.as_object().unwrap().clone());
        let mut hr = HelmRelease::new("web", serde_json::from_value(base).unwrap());
        hr.metadata.namespace = Some("team-a".into());
        hr
    }

    fn secret(type_: Option<&str>, data: &[(&str, &[u8])]) -> Read {
        Read {
            label: "Secret team-a/s (spec.x)".into(),
            type_: type_.map(str::to_string),
            data: data
                .iter()
                .map(|(k, v)| (k.to_string(), k8s_openapi::ByteString(v.to_vec())))
                .collect(),
        }
    }

    /// Each kind of Secret becomes its access; each way a Secret can be wrong is an error naming
    /// the Secret and the key, and none shows a value (every value here holds `SECRET`).
    #[test]
    fn secrets_become_access_and_no_error_shows_a_value() {
        use base64::Engine as _;
        let oci = release(serde_json::json!({"plainHttp": true}));
        let https = release(serde_json::json!({"repo": "https://charts.example"}));
        let basic = secret(None, &[("username", b"bot"), ("password", b"SECRET-1")]);
        let got = from_secrets(&oci, Some(&basic), None).unwrap();
        assert_eq!(got.credentials.unwrap().password, "SECRET-1");
        assert!(got.plain_http);

        let auth = base64::engine::general_purpose::STANDARD.encode("bot:SECRET-2");
        let config = format!(r#"{{"auths":{{"https://R.example/v1/":{{"auth":"{auth}"}}}}}}"#);
        let docker = secret(
            Some(DOCKER_CONFIG_TYPE),
            &[(DOCKER_CONFIG_KEY, config.as_bytes())],
        );
        let got = from_secrets(&oci, Some(&docker), None).unwrap();
        let entry = got.docker_config.unwrap().credentials_for("r.example");
        assert_eq!(entry.unwrap().unwrap().password, "SECRET-2");
        assert!(got.credentials.is_none());

        let tls = secret(
            Some("kubernetes.io/tls"),
            &[
                ("ca.crt", b"CA"),
                ("tls.crt", b"CERT"),
                ("tls.key", b"SECRET-3"),
            ],
        );
        let got = from_secrets(&https, None, Some(&tls)).unwrap();
        assert_eq!(got.ca_pem.as_deref(), Some(&b"CA"[..]));
        assert_eq!(got.client_cert.unwrap().key_pem, b"SECRET-3");
        let ca_only = secret(None, &[("ca.crt", b"CA")]);
        let got = from_secrets(&https, None, Some(&ca_only)).unwrap();
        assert!(got.client_cert.is_none() && got.ca_pem.is_some());

        let no_password = secret(None, &[("username", b"SECRET-user")]);
        let not_utf8 = secret(None, &[("username", b"bot"), ("password", b"\xffSECRET-4")]);
        let bad_json = secret(
            Some(DOCKER_CONFIG_TYPE),
            &[(DOCKER_CONFIG_KEY, br#"{"auths": {"r.example": SECRET-5"#)],
        );
        let wrong_type = secret(
            Some(DOCKER_CONFIG_TYPE),
            &[(DOCKER_CONFIG_KEY, br#"{"auths": "SECRET-6"}"#)],
        );
        let no_key = secret(Some(DOCKER_CONFIG_TYPE), &[]);
        let half_cert = secret(None, &[("tls.key", b"SECRET-7")]);
        let no_tls_keys = secret(None, &[("token", b"SECRET-8")]);
        let cases: [(&HelmRelease, Option<&Read>, Option<&Read>, &str); 8] = [
            (&oci, Some(&no_password), None, "has no key \"password\""),
            (&oci, Some(&not_utf8), None, "key \"password\" is not UTF-8"),
            (
                &https,
                Some(&docker),
                None,
                "holds registry credentials for oci://",
            ),
            (
                &oci,
                Some(&bad_json),
                None,
                "the Docker config is not JSON (line 1",
            ),
            (&oci, Some(&wrong_type), None, "has no \"auths\" object"),
            (
                &oci,
                Some(&no_key),
                None,
                "has no key \".dockerconfigjson\"",
            ),
            (
                &oci,
                None,
                Some(&half_cert),
                "only one of tls.crt and tls.key",
            ),
            (&oci, None, Some(&no_tls_keys), "none of the keys ca.crt"),
        ];
        for (hr, credentials, certs, want) in cases {
            let err = from_secrets(hr, credentials, certs).unwrap_err();
            assert!(matches!(err, AccessError::Secret(_)), "{err}");
            let text = err.to_string();
            assert!(
                text.contains("Secret team-a/s (spec.x)") && text.contains(want),
                "{text}"
            );
            assert!(!text.contains("SECRET"), "a value in {text}");
        }
    }

    #[test]
    fn references_to_another_namespace_are_refused_only_when_the_flag_says_so() {
        let local = release(serde_json::json!({
            "credentialsRef": {"name": "pull"},
            "certSecretRef": {"name": "tls", "namespace": "team-a"},
        }));
        assert!(check_references(&local, false).is_ok());
        for field in ["credentialsRef", "certSecretRef"] {
            let hr = release(serde_json::json!({field: {"name": "s", "namespace": "platform"}}));
            assert!(check_references(&hr, true).is_ok());
            let err = check_references(&hr, false).unwrap_err();
            assert!(matches!(err, AccessError::Denied(_)));
            let text = err.to_string();
            assert!(
                text.contains(&format!("spec.{field} names Secret platform/s")),
                "{text}"
            );
            assert!(text.contains("--no-cross-namespace-refs"), "{text}");
        }
    }
}
