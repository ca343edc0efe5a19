//! Real servers on loopback: Debian's `docker-registry` (filled by the real `helm push`), a
//! static file server for `helm repo index` output, and a bearer-token front for it.

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};

use crate::helm::Helm;
use crate::temp::{TempDir, tool};

/// A free port on loopback (the listener is closed before the server binds it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Debian's docker-registry on loopback, storage in a temp dir, optionally behind htpasswd and
/// serving TLS.
pub struct Registry {
    pub port: u16,
    pub storage: PathBuf,
    tls: Option<RegistryTls>,
    child: Child,
    bin: PathBuf,
    config: PathBuf,
    _dir: TempDir,
}

/// The registry's own TLS (`http.tls`): its certificate and key, the CA that signed them (which
/// `helm push` trusts), and, when it requires client certificates signed by that CA, the client
/// certificate and key `helm push` presents.
#[derive(Clone, Debug)]
pub struct RegistryTls {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    pub ca_file: PathBuf,
    pub client: Option<(PathBuf, PathBuf)>,
}

impl Registry {
    pub fn start(auth: Option<(&str, &str)>) -> Self {
        Registry::start_with(auth, None)
    }

    pub fn start_with(auth: Option<(&str, &str)>, tls: Option<RegistryTls>) -> Self {
        let bin = tool(
            "PLANTON_REGISTRY",
            "registry/usr/bin/docker-registry",
            "install-registry.sh",
        );
        let dir = TempDir::new("registry");
        let storage = dir.path().join("storage");
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: planton-helm-tests\n",
            storage.display()
        );
        if let Some(t) = &tls {
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                t.cert_file.display(),
                t.key_file.display()
            ));
            if t.client.is_some() {
                config.push_str(&format!(
                    "    clientcas:\n      - {}\n",
                    t.ca_file.display()
                ));
            }
        }
        if let Some((user, password)) = auth {
            let hash = bcrypt::hash(password, 4).expect("bcrypt");
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, format!("{user}:{hash}\n")).expect("htpasswd");
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: planton-helm-tests\n    path: {}\n",
                file.display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("config");
        let child = Self::spawn(&bin, &config_path, dir.path());
        let registry = Registry {
            port,
            storage,
            tls,
            child,
            bin,
            config: config_path,
            _dir: dir,
        };
        registry.wait_ready();
        registry
    }

    fn spawn(bin: &Path, config: &Path, dir: &Path) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("registry.log"))
            .expect("log");
        Command::new(bin)
            .arg("serve")
            .arg(config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start docker-registry")
    }

    /// Stops the registry process (an outage); [`Registry::up`] starts it again on the same
    /// port with the same storage.
    pub fn down(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the registry again after [`Registry::down`].
    pub fn up(&mut self) {
        self.child = Self::spawn(&self.bin, &self.config, self._dir.path());
        self.wait_ready();
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log =
            std::fs::read_to_string(self._dir.path().join("registry.log")).unwrap_or_default();
        panic!(
            "docker-registry did not listen on {} within 20s:\n{log}",
            self.port
        );
    }

    /// `oci://127.0.0.1:PORT/charts`
    pub fn repo(&self) -> String {
        format!("oci://127.0.0.1:{}/charts", self.port)
    }

    /// `helm push ARCHIVE oci://.../charts [--username --password]`, over plain HTTP or, for a
    /// registry serving TLS, trusting its CA (and presenting the client certificate).
    pub fn push(&self, helm: &Helm, archive: &Path, auth: Option<(&str, &str)>) {
        let mut args: Vec<String> = vec![
            "push".into(),
            archive.to_str().expect("utf-8 path").into(),
            self.repo(),
        ];
        match &self.tls {
            None => args.push("--plain-http".into()),
            Some(t) => {
                args.extend(["--ca-file".into(), t.ca_file.display().to_string()]);
                if let Some((cert, key)) = &t.client {
                    args.extend(["--cert-file".into(), cert.display().to_string()]);
                    args.extend(["--key-file".into(), key.display().to_string()]);
                }
            }
        }
        if let Some((u, p)) = auth {
            args.extend(["--username".into(), u.into(), "--password".into(), p.into()]);
        }
        helm.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// The path of a blob in the registry's filesystem storage.
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").expect("sha256 digest");
        self.storage
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the static server behaves.
#[derive(Clone, Default)]
pub struct ServeOptions {
    /// Require this basic-auth user and password.
    pub basic: Option<(String, String)>,
    /// Accept connections but never answer.
    pub hang: bool,
}

/// A loopback server on a current-thread tokio runtime of its own, stopped and joined when
/// dropped: the plumbing every test server here and in [`crate::tls`] shares.
pub(crate) struct ServerThread {
    pub(crate) addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerThread {
    /// Binds a free loopback port, then on the server's thread makes the connection handler
    /// with `handler(addr)` and hands it every accepted connection until the server is dropped.
    /// The handler runs inside the runtime, so it may `tokio::spawn`.
    pub(crate) fn start<H>(handler: impl FnOnce(SocketAddr) -> H + Send + 'static) -> ServerThread
    where
        H: FnMut(tokio::net::TcpStream),
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let mut handle = handler(addr);
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        accepted = listener.accept() => {
                            if let Ok((stream, _)) = accepted {
                                handle(stream);
                            }
                        }
                    }
                }
            });
        });
        ServerThread {
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves HTTP/1 on `stream` in a task of its own, answering each request with `respond`.
fn spawn_http1<F, Fut>(stream: tokio::net::TcpStream, respond: F)
where
    F: Fn(Request<hyper::body::Incoming>) -> Fut + Send + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |req| {
            let answer = respond(req);
            async move { Ok::<_, Infallible>(answer.await) }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
            .await;
    });
}

/// A static file server for a chart repository directory, on its own runtime thread.
pub struct StaticServer {
    pub addr: SocketAddr,
    _server: ServerThread,
}

impl StaticServer {
    pub fn start(root: &Path, options: ServeOptions) -> Self {
        let root = Arc::new(root.to_path_buf());
        let options = Arc::new(options);
        let server = ServerThread::start(move |_| {
            let mut held = Vec::new();
            move |stream| {
                if options.hang {
                    held.push(stream);
                    return;
                }
                let (root, options) = (root.clone(), options.clone());
                spawn_http1(stream, move |req| {
                    std::future::ready(serve(&root, &options, req))
                });
            }
        });
        StaticServer {
            addr: server.addr,
            _server: server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn serve<B>(root: &Path, options: &ServeOptions, req: Request<B>) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, body: &str| {
        let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
        *r.status_mut() = status;
        r
    };
    if let Some((user, password)) = &options.basic {
        use base64::Engine as _;
        let want = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let got = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        if got != Some(want.as_str()) {
            let mut r = reply(StatusCode::UNAUTHORIZED, "unauthorized\n");
            r.headers_mut().insert(
                "www-authenticate",
                "Basic realm=\"charts\"".parse().expect("header"),
            );
            return r;
        }
    }
    let path = req.uri().path().trim_start_matches('/');
    if path.split('/').any(|p| p == ".." || p.is_empty()) {
        return reply(StatusCode::NOT_FOUND, "not found\n");
    }
    match std::fs::read(root.join(path)) {
        Ok(data) => Response::new(Full::new(Bytes::from(data))),
        Err(_) => reply(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// A front for a registry that speaks the registry token flow: every `/v2/` request needs
/// `Bearer <token>`, which `/token` hands out for basic-authenticated requests; authorised
/// requests are forwarded to the registry behind it.
pub struct TokenFront {
    pub addr: SocketAddr,
    /// The scopes `/token` was asked for, in order.
    pub scopes: Arc<std::sync::Mutex<Vec<String>>>,
    _server: ServerThread,
}

impl TokenFront {
    pub fn start(upstream: u16, user: &str, password: &str) -> Self {
        use base64::Engine as _;
        let basic = Arc::new(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        ));
        let scopes = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = scopes.clone();
        let server = ServerThread::start(move |addr| {
            let client = reqwest::Client::new();
            move |stream| {
                let (client, basic, seen) = (client.clone(), basic.clone(), seen.clone());
                spawn_http1(stream, move |req| {
                    let (client, basic, seen) = (client.clone(), basic.clone(), seen.clone());
                    async move { token_front(req, addr, upstream, &client, &basic, &seen).await }
                });
            }
        });
        TokenFront {
            addr: server.addr,
            scopes,
            _server: server,
        }
    }

    /// `oci://127.0.0.1:PORT/charts`
    pub fn repo(&self) -> String {
        format!("oci://{}/charts", self.addr)
    }
}

const FRONT_TOKEN: &str = "Bearer front-token-7f3a";

async fn token_front<B>(
    req: Request<B>,
    addr: SocketAddr,
    upstream: u16,
    client: &reqwest::Client,
    basic: &str,
    seen: &std::sync::Mutex<Vec<String>>,
) -> Response<Full<Bytes>> {
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let status = |code: StatusCode, body: &str| {
        let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
        *r.status_mut() = code;
        r
    };
    if req.uri().path() == "/token" {
        let query = req.uri().query().unwrap_or("");
        let scope = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("scope="))
            .unwrap_or("")
            .replace("%3A", ":")
            .replace("%2F", "/");
        seen.lock().expect("lock").push(scope);
        return if auth == basic {
            status(StatusCode::OK, r#"{"token":"front-token-7f3a"}"#)
        } else {
            status(
                StatusCode::UNAUTHORIZED,
                r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#,
            )
        };
    }
    if auth != FRONT_TOKEN {
        let repo = req
            .uri()
            .path()
            .trim_start_matches("/v2/")
            .rsplitn(3, '/')
            .nth(2)
            .unwrap_or("")
            .to_string();
        let mut r = status(
            StatusCode::UNAUTHORIZED,
            r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#,
        );
        r.headers_mut().insert(
            "www-authenticate",
            format!(
                "Bearer realm=\"http://{addr}/token\",service=\"planton-tests\",scope=\"repository:{repo}:pull\""
            )
            .parse()
            .expect("header"),
        );
        return r;
    }
    let mut forward = client.get(format!("http://127.0.0.1:{upstream}{}", req.uri()));
    if let Some(accept) = req.headers().get("accept") {
        forward = forward.header("accept", accept.clone());
    }
    let Ok(answer) = forward.send().await else {
        return status(StatusCode::BAD_GATEWAY, "upstream down");
    };
    let code = answer.status();
    let headers = answer.headers().clone();
    let body = answer.bytes().await.unwrap_or_default();
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = StatusCode::from_u16(code.as_u16()).expect("status");
    for name in ["content-type", "docker-content-digest"] {
        if let Some(v) = headers.get(name) {
            r.headers_mut()
                .insert(name, v.to_str().expect("ascii").parse().expect("header"));
        }
    }
    r
}
