//! The webhook's serving certificate, read from PEM files and reloaded when they change.
//!
//! Kubernetes updates a mounted Secret by swapping a symlink, cert-manager renews certificates
//! well before they expire, and a bootstrap certificate may be replaced by hand: the server picks
//! up the new pair on its next poll, without a restart and without dropping connections. New TLS
//! handshakes use the new pair; established connections keep the old one until they close.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// A certificate or key that could not be loaded; the message names the file and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CertError(String);

/// What identifies one version of the two files: their contents (a few KiB, read once per poll;
/// modification times can be too coarse to tell two quick writes apart).
type Stamp = [Option<Vec<u8>>; 2];

/// A [`ResolvesServerCert`] that serves the pair in `cert`/`key` and reloads it on
/// [`CertReloader::reload_if_changed`].
///
/// Guarantees: a pair that fails to load (a half-written file, a key that does not match the
/// certificate) never replaces a good one; the error is returned and the old pair stays in use.
pub struct CertReloader {
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
    stamp: Mutex<Stamp>,
}

impl fmt::Debug for CertReloader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertReloader")
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl CertReloader {
    /// Loads the certificate chain (`cert`, PEM, leaf first) and its private key (`key`, PEM).
    pub fn load(cert: &Path, key: &Path) -> Result<Arc<CertReloader>, CertError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let stamp = stamp(cert, key);
        let pair = load_pair(cert, key, &provider)?;
        Ok(Arc::new(CertReloader {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            provider,
            current: RwLock::new(Arc::new(pair)),
            stamp: Mutex::new(stamp),
        }))
    }

    /// Reloads the pair if either file changed since the last load: `Ok(true)` when a new pair is
    /// in use, `Ok(false)` when nothing changed, an error (the old pair stays) when the new files
    /// do not load. A failed load is retried on the next call even if the files do not change
    /// again.
    pub fn reload_if_changed(&self) -> Result<bool, CertError> {
        let now = stamp(&self.cert, &self.key);
        let mut last = self.stamp.lock().expect("not poisoned");
        if *last == now {
            return Ok(false);
        }
        let pair = load_pair(&self.cert, &self.key, &self.provider)?;
        *self.current.write().expect("not poisoned") = Arc::new(pair);
        *last = now;
        Ok(true)
    }

    /// Polls the files every `interval` and reloads them when they change, logging the outcome;
    /// runs until the task is dropped.
    pub async fn watch(self: Arc<Self>, interval: Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.reload_if_changed() {
                Ok(true) => {
                    tracing::info!(cert = %self.cert.display(), "webhook certificate reloaded")
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(error = %e, "webhook certificate not reloaded; serving the previous one")
                }
            }
        }
    }

    /// A rustls server configuration that serves the current pair (HTTP/1.1 only).
    pub fn server_config(self: &Arc<Self>) -> Result<rustls::ServerConfig, CertError> {
        let mut config = rustls::ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| CertError(format!("TLS set-up: {e}")))?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

impl ResolvesServerCert for CertReloader {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.read().expect("not poisoned").clone())
    }
}

fn stamp(cert: &Path, key: &Path) -> Stamp {
    // Reading follows symlinks, so the swap of a mounted Secret's `..data` link is seen.
    [std::fs::read(cert).ok(), std::fs::read(key).ok()]
}

fn load_pair(
    cert: &Path,
    key: &Path,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, CertError> {
    let read = |p: &Path, what: &str, flag: &str| {
        std::fs::read(p).map_err(|e| {
            CertError(format!(
                "reading the webhook {what} {}: {e}; check {flag} and the mounted Secret",
                p.display()
            ))
        })
    };
    let cert_pem = read(cert, "certificate", "--webhook-cert")?;
    let key_pem = read(key, "private key", "--webhook-key")?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            CertError(format!(
                "{}: not a PEM certificate chain: {e}",
                cert.display()
            ))
        })?;
    if chain.is_empty() {
        return Err(CertError(format!(
            "{}: no `BEGIN CERTIFICATE` block; --webhook-cert takes a PEM file, leaf first",
            cert.display()
        )));
    }
    let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        CertError(format!(
            "{}: no PEM private key (PKCS#8, PKCS#1 or SEC1): {e}",
            key.display()
        ))
    })?;
    CertifiedKey::from_der(chain, private, provider).map_err(|e| {
        CertError(format!(
            "{} and {} do not form a usable pair: {e}; the key must be the certificate's",
            cert.display(),
            key.display()
        ))
    })
}
