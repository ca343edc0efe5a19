//! chart-source against real servers on loopback: Debian's docker-registry filled by the real
//! `helm push`, and a static server holding an index made by `helm repo index`.

use std::path::Path;
use std::time::Duration;

use chart_source::{
    ChartRef, ClientCert, Credentials, DockerConfig, Error, Fetcher, Options, Origin, sha256_digest,
};
use test_support::{
    Helm, Registry, ServeOptions, StaticServer, TempDir, TestPki, TlsFront, TokenFront, free_port,
    write_chart,
};

const USER: &str = "ci-bot";
const PASSWORD: &str = "s3cret-pull";

fn options(cache: &Path) -> Options {
    Options {
        cache_dir: cache.to_path_buf(),
        timeout: Duration::from_secs(10),
        plain_http: true,
        ..Options::default()
    }
}

fn creds(user: &str, password: &str) -> Option<Credentials> {
    Some(Credentials {
        username: user.to_string(),
        password: password.to_string(),
    })
}

/// Packages `web` at each version into `dest`.
fn package_web(
    helm: &Helm,
    work: &Path,
    versions: &[&str],
    dest: &Path,
) -> Vec<std::path::PathBuf> {
    let src = work.join("src/web");
    write_chart(&src, "web", "");
    versions
        .iter()
        .map(|v| helm.package(&src, v, dest))
        .collect()
}

#[test]
fn oci_fetch_checks_digests_caches_and_then_works_offline() {
    let helm = Helm::new();
    let work = TempDir::new("oci-ok");
    let registry = Registry::start(None);
    let archives = package_web(
        &helm,
        work.path(),
        &["1.0.0", "1.1.0", "1.2.0+build.5"],
        &work.path().join("pkg"),
    );
    for a in &archives {
        registry.push(&helm, a, None);
    }
    let cache = work.path().join("cache");
    let fetcher = Fetcher::new(options(&cache)).expect("fetcher");
    let chart = ChartRef::new(registry.repo(), "web", "1.2.0+build.5");
    let got = fetcher.fetch_blocking(&chart).expect("fetched");
    let packaged = std::fs::read(&archives[2]).expect("archive");
    assert_eq!(
        got.archive, packaged,
        "the chart layer is the archive helm pushed"
    );
    assert_eq!(got.digest, sha256_digest(&packaged));
    assert_eq!(got.origin, Origin::Network);
    assert!(got.added_dependencies.is_empty());

    assert_eq!(
        fetcher.fetch_blocking(&chart).expect("again").origin,
        Origin::Cache
    );
    registry.stop();
    let offline = Fetcher::new(Options {
        offline: true,
        ..options(&cache)
    })
    .expect("fetcher");
    let again = offline.fetch_blocking(&chart).expect("offline from cache");
    assert_eq!((again.origin, again.archive), (Origin::Cache, packaged));
    let err = offline
        .fetch_blocking(&ChartRef::new(chart.repo.clone(), "web", "1.0.0"))
        .expect_err("1.0.0 was never pulled");
    assert!(matches!(err, Error::NotCached { .. }), "{err}");
    assert!(err.to_string().contains("without --offline first"), "{err}");
}

#[test]
fn oci_missing_version_and_chart_name_the_nearest_versions() {
    let helm = Helm::new();
    let work = TempDir::new("oci-missing");
    let registry = Registry::start(None);
    for a in package_web(
        &helm,
        work.path(),
        &["1.0.0", "1.1.0", "1.2.0+build.5", "2.0.0"],
        &work.path().join("pkg"),
    ) {
        registry.push(&helm, &a, None);
    }
    let fetcher = Fetcher::new(options(&work.path().join("cache"))).expect("fetcher");
    let err = fetcher
        .fetch_blocking(&ChartRef::new(registry.repo(), "web", "1.1.5"))
        .expect_err("no 1.1.5");
    assert_eq!(
        err.to_string(),
        format!(
            "chart \"web\" version \"1.1.5\" not found in {} (nearest: 1.0.0, 1.1.0, 1.2.0+build.5, 2.0.0; 4 versions in all)",
            registry.repo()
        )
    );
    let err = fetcher
        .fetch_blocking(&ChartRef::new(registry.repo(), "api", "1.0.0"))
        .expect_err("no chart api");
    assert!(matches!(err, Error::ChartNotFound { .. }), "{err}");
}

#[test]
fn oci_with_htpasswd_refuses_missing_and_wrong_credentials() {
    let helm = Helm::new();
    let work = TempDir::new("oci-auth");
    let registry = Registry::start(Some((USER, PASSWORD)));
    for a in package_web(&helm, work.path(), &["3.1.0"], &work.path().join("pkg")) {
        registry.push(&helm, &a, Some((USER, PASSWORD)));
    }
    let chart = ChartRef::new(registry.repo(), "web", "3.1.0");
    let fetch = |credentials| {
        Fetcher::new(Options {
            credentials,
            ..options(&work.path().join("cache"))
        })
        .expect("fetcher")
        .fetch_blocking(&chart)
    };
    let err = fetch(None).expect_err("anonymous");
    assert!(matches!(err, Error::Denied { status: 401, .. }), "{err}");
    assert!(err.to_string().contains("needs credentials"), "{err}");
    let err = fetch(creds(USER, "wrong")).expect_err("wrong password");
    assert!(matches!(err, Error::Denied { status: 401, .. }), "{err}");
    assert!(
        err.to_string()
            .contains("refused the credentials of user \"ci-bot\""),
        "{err}"
    );
    let got = fetch(creds(USER, PASSWORD)).expect("right credentials");
    assert_eq!(got.origin, Origin::Network);
}

#[test]
fn oci_registry_token_flow_gets_a_bearer_token_with_the_credentials() {
    let helm = Helm::new();
    let work = TempDir::new("oci-token");
    let registry = Registry::start(None);
    for a in package_web(&helm, work.path(), &["2.2.0"], &work.path().join("pkg")) {
        registry.push(&helm, &a, None);
    }
    let front = TokenFront::start(registry.port, USER, PASSWORD);
    let chart = ChartRef::new(front.repo(), "web", "2.2.0");
    let fetch = |credentials| {
        Fetcher::new(Options {
            credentials,
            ..options(&work.path().join("cache"))
        })
        .expect("fetcher")
        .fetch_blocking(&chart)
    };
    let err = fetch(creds(USER, "wrong")).expect_err("the token endpoint refuses");
    assert!(matches!(err, Error::Denied { status: 401, .. }), "{err}");
    assert!(err.to_string().contains("/token"), "{err}");
    let got = fetch(creds(USER, PASSWORD)).expect("token flow");
    assert_eq!(got.origin, Origin::Network);
    let scopes = front.scopes.lock().expect("lock").clone();
    assert!(
        scopes.iter().all(|s| s == "repository:charts/web:pull"),
        "{scopes:?}"
    );
}

#[test]
fn oci_corrupted_layer_is_a_digest_mismatch_and_is_not_cached() {
    let helm = Helm::new();
    let work = TempDir::new("oci-corrupt");
    let registry = Registry::start(None);
    let archive = &package_web(&helm, work.path(), &["1.0.0"], &work.path().join("pkg"))[0];
    registry.push(&helm, archive, None);
    let data = std::fs::read(archive).expect("archive");
    let blob = registry.blob_path(&sha256_digest(&data));
    let mut corrupt = data.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xff;
    std::fs::write(&blob, &corrupt).expect("corrupt the stored layer");
    let cache = work.path().join("cache");
    let fetcher = Fetcher::new(options(&cache)).expect("fetcher");
    let chart = ChartRef::new(registry.repo(), "web", "1.0.0");
    let err = fetcher.fetch_blocking(&chart).expect_err("corrupt");
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&sha256_digest(&data)), "{err}");
    assert!(fetcher.cache().get(&chart.repo, "web", "1.0.0").is_none());
}

#[test]
fn a_registry_that_is_down_is_a_connection_error() {
    let work = TempDir::new("down");
    let port = free_port();
    let fetcher = Fetcher::new(options(&work.path().join("cache"))).expect("fetcher");
    let err = fetcher
        .fetch_blocking(&ChartRef::new(
            format!("oci://127.0.0.1:{port}/charts"),
            "web",
            "1.0.0",
        ))
        .expect_err("nothing listens");
    assert!(matches!(err, Error::Connect { .. }), "{err}");
    assert!(
        err.to_string().contains("check that the repository is up"),
        "{err}"
    );
}

/// A chart repository as `helm repo index` writes it, served by a static server.
struct HttpRepo {
    server: StaticServer,
    dir: TempDir,
    archives: Vec<std::path::PathBuf>,
}

fn http_repo(helm: &Helm, versions: &[&str], absolute: bool, serve: ServeOptions) -> HttpRepo {
    let dir = TempDir::new("http-repo");
    let pkgs = dir.path().join("root/pkgs");
    let archives = package_web(helm, dir.path(), versions, &pkgs);
    let server = StaticServer::start(&dir.path().join("root"), serve);
    let root = dir.path().join("root");
    if absolute {
        // Index at the root with absolute URLs into pkgs/.
        std::fs::create_dir_all(&root).expect("mkdir");
        helm.run(&[
            "repo",
            "index",
            pkgs.to_str().expect("utf-8"),
            "--url",
            &format!("{}/pkgs", server.url()),
        ]);
        std::fs::rename(pkgs.join("index.yaml"), root.join("index.yaml")).expect("move index");
    } else {
        helm.run(&["repo", "index", pkgs.to_str().expect("utf-8")]);
    }
    HttpRepo {
        server,
        dir,
        archives,
    }
}

#[test]
fn http_repositories_with_relative_and_absolute_urls() {
    let helm = Helm::new();
    let work = TempDir::new("http-ok");
    let relative = http_repo(&helm, &["0.9.0", "1.0.0"], false, ServeOptions::default());
    let absolute = http_repo(&helm, &["0.9.0", "1.0.0"], true, ServeOptions::default());
    let fetcher = Fetcher::new(options(&work.path().join("cache"))).expect("fetcher");
    let got = fetcher
        .fetch_blocking(&ChartRef::new(
            format!("{}/pkgs", relative.server.url()),
            "web",
            "1.0.0",
        ))
        .expect("relative");
    assert_eq!(
        got.archive,
        std::fs::read(&relative.archives[1]).expect("archive")
    );
    let index =
        std::fs::read_to_string(absolute.dir.path().join("root/index.yaml")).expect("index");
    assert!(
        index.contains(&format!("{}/pkgs/web-0.9.0.tgz", absolute.server.url())),
        "{index}"
    );
    let got = fetcher
        .fetch_blocking(&ChartRef::new(absolute.server.url(), "web", "0.9.0"))
        .expect("absolute");
    assert_eq!(
        got.archive,
        std::fs::read(&absolute.archives[0]).expect("archive")
    );

    let err = fetcher
        .fetch_blocking(&ChartRef::new(absolute.server.url(), "web", "2.0.0"))
        .expect_err("missing");
    assert!(
        err.to_string().ends_with(&format!(
            "not found in {} (nearest: 0.9.0, 1.0.0; 2 versions in all)",
            absolute.server.url()
        )),
        "{err}"
    );
    let err = fetcher
        .fetch_blocking(&ChartRef::new(
            format!("{}/nope", absolute.server.url()),
            "web",
            "1.0.0",
        ))
        .expect_err("no index");
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("has no index.yaml"), "{err}");
}

#[test]
fn http_repository_basic_auth_and_a_replaced_archive() {
    let helm = Helm::new();
    let work = TempDir::new("http-auth");
    let repo = http_repo(
        &helm,
        &["1.0.0"],
        false,
        ServeOptions {
            basic: Some((USER.into(), PASSWORD.into())),
            ..ServeOptions::default()
        },
    );
    let url = format!("{}/pkgs", repo.server.url());
    let chart = ChartRef::new(url, "web", "1.0.0");
    let with = |credentials| {
        Fetcher::new(Options {
            credentials,
            ..options(&work.path().join("cache"))
        })
        .expect("fetcher")
    };
    let err = with(creds(USER, "nope"))
        .fetch_blocking(&chart)
        .expect_err("wrong password");
    assert!(matches!(err, Error::Denied { status: 401, .. }), "{err}");
    // The archive is replaced after the index was written: same name, other bytes.
    let mut data = std::fs::read(&repo.archives[0]).expect("archive");
    data.extend_from_slice(b"tampered");
    std::fs::write(&repo.archives[0], &data).expect("replace");
    let err = with(creds(USER, PASSWORD))
        .fetch_blocking(&chart)
        .expect_err("tampered");
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let work = TempDir::new("hang");
    let server = StaticServer::start(
        work.path(),
        ServeOptions {
            hang: true,
            ..ServeOptions::default()
        },
    );
    let fetcher = Fetcher::new(Options {
        timeout: Duration::from_millis(500),
        ..options(&work.path().join("cache"))
    })
    .expect("fetcher");
    let err = fetcher
        .fetch_blocking(&ChartRef::new(server.url(), "web", "1.0.0"))
        .expect_err("hangs");
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("timed out after 0.5s"), "{err}");
}

/// An `app` chart depending on `web` from the HTTP repository (a range) and `cache` from the
/// registry, packaged without its `charts/` after `helm dependency update` wrote Chart.lock.
#[test]
fn dependencies_not_vendored_are_resolved_from_chart_lock() {
    let helm = Helm::new();
    let work = TempDir::new("deps");
    let registry = Registry::start(None);
    let repo = http_repo(
        &helm,
        &["1.0.0", "1.1.0", "1.2.0"],
        false,
        ServeOptions::default(),
    );
    let cache_src = work.path().join("src/cache");
    write_chart(&cache_src, "cache", "");
    let cache_archive = helm.package(&cache_src, "0.3.0", &work.path().join("pkg"));
    registry.push(&helm, &cache_archive, None);

    let web_repo = format!("{}/pkgs", repo.server.url());
    let app = work.path().join("src/app");
    write_chart(
        &app,
        "app",
        &format!(
            "dependencies:\n- name: web\n  version: \">=1.0.0 <1.2.0\"\n  repository: {web_repo}\n\
             - name: cache\n  version: 0.3.0\n  repository: {}\n  condition: cache.enabled\n",
            registry.repo()
        ),
    );
    helm.run(&["repo", "add", "local", &web_repo]);
    helm.run_in(Some(&app), &["dependency", "update", ".", "--plain-http"]);
    let app_archive = unvendored(&helm.package(&app, "1.0.0", &work.path().join("pkg")));
    registry.push(&helm, &app_archive, None);

    let fetcher = Fetcher::new(options(&work.path().join("cache"))).expect("fetcher");
    let got = fetcher
        .fetch_blocking(&ChartRef::new(registry.repo(), "app", "1.0.0"))
        .expect("fetched with dependencies");
    let added: Vec<String> = got
        .added_dependencies
        .iter()
        .map(|d| format!("{}@{}", d.name, d.version))
        .collect();
    assert_eq!(added, ["web@1.1.0", "cache@0.3.0"]);
    let listing = tar_listing(&got.archive);
    assert!(
        listing.contains(&"app/charts/web-1.1.0.tgz".to_string()),
        "{listing:?}"
    );
    assert!(
        listing.contains(&"app/charts/cache-0.3.0.tgz".to_string()),
        "{listing:?}"
    );

    // A Chart.lock that no longer matches Chart.yaml is refused, as helm dependency build does.
    let chart_yaml = std::fs::read_to_string(app.join("Chart.yaml")).expect("Chart.yaml");
    std::fs::write(
        app.join("Chart.yaml"),
        chart_yaml.replace("version: 0.3.0", "version: \">=0.3.0\""),
    )
    .expect("edit");
    let stale = unvendored(&helm.package(&app, "1.0.1", &work.path().join("pkg")));
    registry.push(&helm, &stale, None);
    let err = fetcher
        .fetch_blocking(&ChartRef::new(registry.repo(), "app", "1.0.1"))
        .expect_err("stale lock");
    assert!(matches!(err, Error::LockOutOfSync { .. }), "{err}");

    // Without a lock, ranges resolve to the highest matching version.
    std::fs::remove_file(app.join("Chart.lock")).expect("unlock");
    let unlocked = unvendored(&helm.package(&app, "1.0.2", &work.path().join("pkg")));
    registry.push(&helm, &unlocked, None);
    let got = fetcher
        .fetch_blocking(&ChartRef::new(registry.repo(), "app", "1.0.2"))
        .expect("ranges");
    let added: Vec<String> = got
        .added_dependencies
        .iter()
        .map(|d| format!("{}@{}", d.name, d.version))
        .collect();
    assert_eq!(added, ["web@1.1.0", "cache@0.3.0"]);
}

/// Rewrites a packaged chart without its `charts/` directory (`helm package` refuses to package a
/// chart whose dependencies are missing; other tools do not).
fn unvendored(archive: &Path) -> std::path::PathBuf {
    let data = std::fs::read(archive).expect("archive");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(data.as_slice()));
    let mut out = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for entry in tar.entries().expect("tar") {
        let mut entry = entry.expect("entry");
        let path = entry.path().expect("path").display().to_string();
        if path.split('/').nth(1) == Some("charts") {
            continue;
        }
        let header = entry.header().clone();
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut body).expect("read");
        out.append(&header, body.as_slice()).expect("append");
    }
    let bytes = out.into_inner().expect("tar").finish().expect("gz");
    std::fs::write(archive, bytes).expect("write");
    archive.to_path_buf()
}

fn tar_listing(archive: &[u8]) -> Vec<String> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    tar.entries()
        .expect("tar")
        .map(|e| {
            e.expect("entry")
                .path()
                .expect("path")
                .display()
                .to_string()
        })
        .collect()
}

/// The server's certificate is checked against the CA given for the fetch (not only the
/// system's), and a server that wants a client certificate gets the one given; each failure says
/// what is missing.
#[test]
fn https_repository_with_a_private_ca_and_a_client_certificate() {
    let helm = Helm::new();
    let work = TempDir::new("https");
    let pki = TestPki::new("chart-source-test-ca", &work.path().join("pki"));
    let repo = http_repo(&helm, &["1.0.0"], false, ServeOptions::default());
    let front = TlsFront::start(repo.server.addr, &pki, false);
    let mutual = TlsFront::start(repo.server.addr, &pki, true);
    let fetch = |url: String, ca: bool, client: bool| {
        Fetcher::new(Options {
            ca_pem: ca.then(|| pki.ca.cert_pem().into_bytes()),
            client_cert: client.then(|| ClientCert {
                cert_pem: pki.client.cert_pem.clone().into_bytes(),
                key_pem: pki.client.key_pem.clone().into_bytes(),
            }),
            plain_http: false,
            ..options(&work.path().join(format!("cache-{ca}-{client}")))
        })
        .expect("fetcher")
        .fetch_blocking(&ChartRef::new(format!("{url}/pkgs"), "web", "1.0.0"))
    };
    let err = fetch(front.url(), false, false).expect_err("untrusted CA");
    assert!(matches!(err, Error::Tls { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("invalid peer certificate"), "{text}");
    assert!(text.contains("spec.certSecretRef"), "{text}");
    let got = fetch(front.url(), true, false).expect("trusted through the given CA");
    assert_eq!(
        got.archive,
        std::fs::read(&repo.archives[0]).expect("archive")
    );

    let err = fetch(mutual.url(), true, false).expect_err("no client certificate");
    assert!(matches!(err, Error::Tls { .. }), "{err}");
    assert!(
        err.to_string().contains("wants a client certificate"),
        "{err}"
    );
    fetch(mutual.url(), true, true).expect("client certificate presented");

    let err = Fetcher::new(Options {
        client_cert: Some(ClientCert {
            cert_pem: pki.client.cert_pem.clone().into_bytes(),
            key_pem: b"-----BEGIN PRIVATE KEY-----\nS3CRET\n-----END PRIVATE KEY-----\n".to_vec(),
        }),
        ..options(&work.path().join("cache"))
    })
    .err()
    .expect("a key that is not a key");
    assert!(err.to_string().contains("client certificate"), "{err}");
    assert!(!err.to_string().contains("S3CRET"), "{err}");
}

fn docker_config(registry: &str, user: &str, password: &str) -> DockerConfig {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    DockerConfig::parse(
        format!(
            r#"{{"auths":{{"{registry}":{{"auth":"{auth}"}},"other.example":{{"auth":"eDp5"}}}}}}"#
        )
        .as_bytes(),
    )
    .expect("docker config")
}

/// The real registry serving TLS with the test's CA and requiring client certificates, behind
/// htpasswd: a Docker config (as a `kubernetes.io/dockerconfigjson` Secret holds it) supplies the
/// credentials for the registry's host; a config without an entry for it, no credentials, no CA
/// and no client certificate each fail with their own clear error.
#[test]
fn oci_registry_over_tls_with_docker_config_credentials() {
    let helm = Helm::new();
    let work = TempDir::new("oci-tls");
    let pki = TestPki::new("chart-source-registry-ca", &work.path().join("pki"));
    let registry = Registry::start_with(Some((USER, PASSWORD)), Some(pki.registry_tls(true)));
    for a in package_web(&helm, work.path(), &["4.0.0"], &work.path().join("pkg")) {
        registry.push(&helm, &a, Some((USER, PASSWORD)));
    }
    let host = format!("127.0.0.1:{}", registry.port);
    let chart = ChartRef::new(registry.repo(), "web", "4.0.0");
    let client = || ClientCert {
        cert_pem: pki.client.cert_pem.clone().into_bytes(),
        key_pem: pki.client.key_pem.clone().into_bytes(),
    };
    let fetch = |docker: Option<DockerConfig>, ca: bool, cert: bool| {
        Fetcher::new(Options {
            ca_pem: ca.then(|| pki.ca.cert_pem().into_bytes()),
            client_cert: cert.then(client),
            docker_config: docker,
            plain_http: false,
            ..options(&work.path().join(format!("cache-{}", free_port())))
        })
        .expect("fetcher")
        .fetch_blocking(&chart)
    };
    let got = fetch(
        Some(docker_config(
            &format!("https://{host}/v1/"),
            USER,
            PASSWORD,
        )),
        true,
        true,
    )
    .expect("the config's entry for the registry");
    assert_eq!(got.origin, Origin::Network);

    let err = fetch(
        Some(docker_config("registry.example", USER, PASSWORD)),
        true,
        true,
    )
    .expect_err("no entry for this registry");
    assert!(matches!(err, Error::Credentials(_)), "{err}");
    assert!(
        err.to_string().contains(&format!("no entry for {host}"))
            && err.to_string().contains("other.example, registry.example"),
        "{err}"
    );
    let err = fetch(None, true, true).expect_err("anonymous");
    assert!(matches!(err, Error::Denied { status: 401, .. }), "{err}");
    let err = fetch(Some(docker_config(&host, USER, "wrong-pw")), true, true)
        .expect_err("wrong password");
    assert!(matches!(err, Error::Denied { status: 401, .. }), "{err}");
    assert!(!err.to_string().contains("wrong-pw"), "{err}");
    let err =
        fetch(Some(docker_config(&host, USER, PASSWORD)), false, true).expect_err("untrusted CA");
    assert!(matches!(err, Error::Tls { .. }), "{err}");
    let err = fetch(Some(docker_config(&host, USER, PASSWORD)), true, false)
        .expect_err("no client certificate");
    assert!(matches!(err, Error::Tls { .. }), "{err}");
    assert!(
        err.to_string().contains("wants a client certificate"),
        "{err}"
    );
}

/// A Docker config holds credentials per registry: an `oci://` dependency in another registry
/// gets that registry's entry, while basic credentials stay with the chart's own registry.
#[test]
fn docker_config_credentials_reach_a_dependency_in_another_registry() {
    let helm = Helm::new();
    let work = TempDir::new("oci-deps-auth");
    let public = Registry::start(None);
    let private = Registry::start(Some((USER, PASSWORD)));
    let dep_src = work.path().join("src/cache");
    write_chart(&dep_src, "cache", "");
    let dep = helm.package(&dep_src, "0.3.0", &work.path().join("pkg"));
    private.push(&helm, &dep, Some((USER, PASSWORD)));
    let app = work.path().join("src/app");
    write_chart(
        &app,
        "app",
        &format!(
            "dependencies:\n- name: cache\n  version: 0.3.0\n  repository: {}\n",
            private.repo()
        ),
    );
    // Vendored only so that `helm package` accepts the chart; the archive pushed lacks it.
    std::fs::create_dir_all(app.join("charts")).expect("mkdir");
    std::fs::copy(&dep, app.join("charts/cache-0.3.0.tgz")).expect("vendor");
    let app_archive = unvendored(&helm.package(&app, "1.0.0", &work.path().join("pkg")));
    public.push(&helm, &app_archive, None);
    let chart = ChartRef::new(public.repo(), "app", "1.0.0");
    let fetch = |options: Options| {
        Fetcher::new(options)
            .expect("fetcher")
            .fetch_blocking(&chart)
    };

    let err = fetch(Options {
        credentials: creds(USER, PASSWORD),
        ..options(&work.path().join("cache-basic"))
    })
    .expect_err("basic credentials are for the chart's own registry only");
    assert!(matches!(err, Error::Dependency { .. }), "{err}");
    assert!(err.to_string().contains("401"), "{err}");

    let config = docker_config(&format!("127.0.0.1:{}", private.port), USER, PASSWORD);
    let err = fetch(Options {
        docker_config: Some(config.clone()),
        ..options(&work.path().join("cache-docker-missing"))
    })
    .expect_err("the config has no entry for the chart's own registry");
    assert!(matches!(err, Error::Credentials(_)), "{err}");

    let both = DockerConfig::parse(
        format!(
            r#"{{"auths":{{"127.0.0.1:{}":{{"username":"anon","password":"x"}},"127.0.0.1:{}":{{"username":"{USER}","password":"{PASSWORD}"}}}}}}"#,
            public.port, private.port
        )
        .as_bytes(),
    )
    .expect("config");
    let got = fetch(Options {
        docker_config: Some(both),
        ..options(&work.path().join("cache-docker"))
    })
    .expect("each registry gets its own entry");
    assert_eq!(got.added_dependencies.len(), 1);
}
