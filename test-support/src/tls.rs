//! TLS for the test servers, with a CA of the test's own making (testenv's): certificate files
//! for the registry's own TLS, and a TLS front (rustls) for the static chart repository server,
//! optionally requiring a client certificate signed by that CA.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use testenv::{Ca, CertPair};

use crate::servers::ServerThread;

/// A test CA with a serving certificate for 127.0.0.1 and a client certificate, all PEM, also
/// written to files (for the registry's configuration and `helm push --ca-file`).
pub struct TestPki {
    pub ca: Ca,
    pub serving: CertPair,
    pub client: CertPair,
    pub ca_file: PathBuf,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    pub client_cert_file: PathBuf,
    pub client_key_file: PathBuf,
}

impl TestPki {
    /// A fresh CA named `name`; its files go into `dir`.
    pub fn new(name: &str, dir: &Path) -> TestPki {
        let ca = Ca::new(name).expect("test CA");
        let serving = ca
            .serving_cert(&["127.0.0.1", "localhost"])
            .expect("serving certificate");
        let client = ca.client_cert("chart-reader", None).expect("client cert");
        std::fs::create_dir_all(dir).expect("mkdir");
        let write = |file: &str, text: &str| {
            let path = dir.join(file);
            std::fs::write(&path, text).expect("write PEM");
            path
        };
        TestPki {
            ca_file: write("ca.crt", &ca.cert_pem()),
            cert_file: write("tls.crt", &serving.cert_pem),
            key_file: write("tls.key", &serving.key_pem),
            client_cert_file: write("client.crt", &client.cert_pem),
            client_key_file: write("client.key", &client.key_pem),
            ca,
            serving,
            client,
        }
    }
}

impl TestPki {
    /// The registry's TLS with these files, requiring client certificates or not.
    pub fn registry_tls(&self, require_client_cert: bool) -> crate::servers::RegistryTls {
        crate::servers::RegistryTls {
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            ca_file: self.ca_file.clone(),
            client: require_client_cert
                .then(|| (self.client_cert_file.clone(), self.client_key_file.clone())),
        }
    }
}

/// Terminates TLS on loopback and forwards the bytes to a plain server (the static chart
/// repository server), on its own runtime thread.
pub struct TlsFront {
    pub addr: SocketAddr,
    _server: ServerThread,
}

impl TlsFront {
    /// Serves `pki`'s serving certificate; with `require_client_cert`, only clients presenting a
    /// certificate signed by `pki`'s CA get through.
    pub fn start(upstream: SocketAddr, pki: &TestPki, require_client_cert: bool) -> TlsFront {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs =
            vec![CertificateDer::from_pem_slice(pki.serving.cert_pem.as_bytes()).expect("cert")];
        let key = PrivateKeyDer::from_pem_slice(pki.serving.key_pem.as_bytes()).expect("key");
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("protocol versions");
        let builder = if require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(CertificateDer::from_pem_slice(pki.ca.cert_pem().as_bytes()).expect("ca"))
                .expect("root");
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config = builder.with_single_cert(certs, key).expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let server = ServerThread::start(move |_| {
            move |tcp| {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut plain) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        TlsFront {
            addr: server.addr,
            _server: server,
        }
    }

    /// `https://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
}
