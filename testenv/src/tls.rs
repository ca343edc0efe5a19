//! Throwaway certificates: a CA per control plane, the apiserver's serving certificate, the admin
//! client certificate, and serving certificates for webhooks that the apiserver calls on loopback.
//! Keys are ECDSA P-256 (fast to generate, accepted by Go and by rustls).

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::Error;

/// A certificate and its private key, both PEM.
#[derive(Clone, Debug)]
pub struct CertPair {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A certificate authority that issues leaf certificates.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").finish_non_exhaustive()
    }
}

fn tls_err(what: &str, e: rcgen::Error) -> Error {
    Error::new(format!("generating {what}: {e}"))
}

impl Ca {
    /// A new self-signed CA named `common_name`.
    pub fn new(common_name: &str) -> Result<Ca, Error> {
        let key = KeyPair::generate().map_err(|e| tls_err("a CA key", e))?;
        let mut params = CertificateParams::new(Vec::<String>::new())
            .map_err(|e| tls_err("CA parameters", e))?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = CertifiedIssuer::self_signed(params, key)
            .map_err(|e| tls_err("a CA certificate", e))?;
        Ok(Ca { issuer })
    }

    /// The CA certificate, PEM: what goes into a kubeconfig's `certificate-authority-data`, a
    /// webhook's `caBundle` (base64 of these bytes), or `--client-ca-file`.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A serving certificate for `names`: each is a DNS name or an IP address (`127.0.0.1`,
    /// `localhost`, `::1`).
    pub fn serving_cert(&self, names: &[&str]) -> Result<CertPair, Error> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let cn = names.first().cloned().unwrap_or_else(|| "localhost".into());
        self.leaf(
            names,
            &cn,
            None,
            ExtendedKeyUsagePurpose::ServerAuth,
            "a serving certificate",
        )
    }

    /// A client certificate for user `user`, in group `group` if given (Kubernetes reads the common
    /// name as the user name and the organization as a group; `system:masters` is cluster-admin).
    pub fn client_cert(&self, user: &str, group: Option<&str>) -> Result<CertPair, Error> {
        self.leaf(
            Vec::new(),
            user,
            group,
            ExtendedKeyUsagePurpose::ClientAuth,
            "a client certificate",
        )
    }

    fn leaf(
        &self,
        sans: Vec<String>,
        cn: &str,
        group: Option<&str>,
        usage: ExtendedKeyUsagePurpose,
        what: &str,
    ) -> Result<CertPair, Error> {
        let key = KeyPair::generate().map_err(|e| tls_err(what, e))?;
        let mut params = CertificateParams::new(sans).map_err(|e| tls_err(what, e))?;
        params.distinguished_name.push(DnType::CommonName, cn);
        if let Some(group) = group {
            params
                .distinguished_name
                .push(DnType::OrganizationName, group);
        }
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| tls_err(what, e))?;
        Ok(CertPair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

/// A fresh key pair for signing service-account tokens: (private key PEM (PKCS#8), public key
/// PEM). The apiserver's `--service-account-key-file` wants the public half.
pub(crate) fn signing_key_pem() -> Result<(String, String), Error> {
    let key = KeyPair::generate().map_err(|e| tls_err("a service-account key", e))?;
    Ok((key.serialize_pem(), key.public_key_pem()))
}
