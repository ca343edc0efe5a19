//! Per-release TLS and registry credentials against real TLS servers.

use super::*;

/// Repository access is the release's own: an `https://` chart repository behind TLS with a CA
/// of the test's making that also wants a client certificate, and the real registry serving TLS
/// with that CA behind htpasswd. Releases that bring `certSecretRef` (and, for the registry, a
/// `kubernetes.io/dockerconfigjson` Secret) install; the same releases without them fail with a
/// clear status and Event; a Secret in another namespace is refused under
/// `--no-cross-namespace-refs`; and no password, token or key shows up in any status, Event or
/// line the controller logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn per_release_tls_and_registry_credentials_against_real_tls_servers() {
    use base64::Engine as _;
    const USER: &str = "deployer";
    const PASSWORD: &str = "Reg1stry-pa55-7d2e";
    let env = Env::start().await;
    let work = TempDir::new("repo-access");
    let pki = tls::TestPki::new("planton-e2e-repo-ca", &work.path().join("pki"));
    let helm = Helm::new();

    // The https:// repository: `helm package` + `helm repo index`, the static server, rustls in
    // front of it requiring a client certificate of the test CA.
    let pkgs = work.path().join("root/pkgs");
    for version in ["1.0.0", "1.1.0"] {
        helm.package(&chart_dir(version), version, &pkgs);
    }
    helm.run(&["repo", "index", pkgs.to_str().expect("utf-8")]);
    let server = StaticServer::start(&work.path().join("root"), ServeOptions::default());
    let front = tls::TlsFront::start(server.addr, &pki, true);
    let https_repo = format!("{}/pkgs", front.url());

    // The registry: its own TLS with the test CA's certificate, htpasswd.
    let registry = Registry::start_with(Some((USER, PASSWORD)), Some(pki.registry_tls(false)));
    let archive = helm.package(&chart_dir("1.1.0"), "1.1.0", &work.path().join("oci"));
    registry.push(&helm, &archive, Some((USER, PASSWORD)));
    let host = format!("127.0.0.1:{}", registry.port);
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let mut auths = serde_json::Map::new();
    auths.insert(host, json!({"auth": auth}));
    let docker_config = json!({"auths": auths}).to_string();

    let ns = "tenant";
    env.create_namespace(ns).await;
    env.create_namespace("platform").await;
    let secret = |ns: &str, body: Value| {
        let api: Api<Secret> = Api::namespaced(env.client.clone(), ns);
        async move {
            api.create(
                &PostParams::default(),
                &serde_json::from_value(body).expect("a Secret"),
            )
            .await
            .expect("Secret created");
        }
    };
    secret(
        ns,
        json!({"metadata": {"name": "repo-tls"}, "stringData": {
            "ca.crt": pki.ca.cert_pem(), "tls.crt": pki.client.cert_pem.clone(),
            "tls.key": pki.client.key_pem.clone(),
        }}),
    )
    .await;
    secret(
        ns,
        json!({"metadata": {"name": "registry-ca"},
        "stringData": {"ca.crt": pki.ca.cert_pem()}}),
    )
    .await;
    for namespace in [ns, "platform"] {
        secret(
            namespace,
            json!({"metadata": {"name": "registry-login"},
            "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": docker_config.clone()}}),
        )
        .await;
    }

    let cache = TempDir::new("repo-access-cache");
    let controller = Process::start_with(
        &env,
        cache.path(),
        "ctl-tenancy",
        &["--no-cross-namespace-refs"],
    );
    let release = |repo: &str, version: &str, refs: Value| {
        let mut spec = webapp(version, json!({}));
        spec["repo"] = json!(repo);
        for (k, v) in refs.as_object().expect("refs") {
            spec[k] = v.clone();
        }
        spec
    };
    env.apply_hr(
        ns,
        "https-ok",
        release(
            &https_repo,
            "1.0.0",
            json!({"certSecretRef": {"name": "repo-tls"}}),
        ),
    )
    .await;
    env.apply_hr(
        ns,
        "https-untrusted",
        release(&https_repo, "1.0.0", json!({})),
    )
    .await;
    env.apply_hr(
        ns,
        "https-no-client-cert",
        release(
            &https_repo,
            "1.0.0",
            json!({"certSecretRef": {"name": "registry-ca"}}),
        ),
    )
    .await;
    env.apply_hr(ns, "oci-ok", release(&registry.repo(), "1.1.0", json!({
        "certSecretRef": {"name": "registry-ca"}, "credentialsRef": {"name": "registry-login"},
    }))).await;
    env.apply_hr(
        ns,
        "oci-anonymous",
        release(
            &registry.repo(),
            "1.1.0",
            json!({"certSecretRef": {"name": "registry-ca"}}),
        ),
    )
    .await;
    env.apply_hr(
        ns,
        "oci-cross-namespace",
        release(
            &registry.repo(),
            "1.1.0",
            json!({
                "certSecretRef": {"name": "registry-ca"},
                "credentialsRef": {"name": "registry-login", "namespace": "platform"},
            }),
        ),
    )
    .await;

    for name in ["https-ok", "oci-ok"] {
        let hr = env
            .wait_status(ns, name, name, |hr| {
                matches!(condition(hr, "Ready").as_deref(), Some("True" | "False"))
            })
            .await;
        assert_eq!(
            condition(&hr, "Ready").as_deref(),
            Some("True"),
            "{name}: {}\n{}",
            ready_message(&hr),
            controller.log()
        );
    }
    assert_eq!(
        env.records(ns, "oci-ok").await[0].1.chart_version(),
        "1.1.0"
    );
    assert!(env.deployment(ns, "https-ok-webapp").await.is_some());
    let listed = env.helm(&["list", "-n", ns, "-o", "json"]);
    assert!(
        listed.contains("\"https-ok\"") && listed.contains("\"oci-ok\""),
        "{listed}"
    );

    let expectations = [
        (
            "https-untrusted",
            "ChartFetchFailed",
            "invalid peer certificate",
            "key ca.crt of the Secret spec.certSecretRef names",
        ),
        (
            "https-no-client-cert",
            "ChartFetchFailed",
            "wants a client certificate",
            "keys tls.crt and tls.key",
        ),
        (
            "oci-anonymous",
            "ChartFetchFailed",
            "401 Unauthorized",
            "spec.credentialsRef",
        ),
        (
            "oci-cross-namespace",
            "AccessDenied",
            "names Secret platform/registry-login",
            "--no-cross-namespace-refs",
        ),
    ];
    for (name, reason, what, hint) in expectations {
        let hr = env
            .wait_status(ns, name, name, |hr| {
                condition(hr, "Ready").as_deref() == Some("False")
            })
            .await;
        let message = ready_message(&hr);
        assert!(
            message.starts_with(&format!("{reason}: ")),
            "{name}: {message}"
        );
        assert!(
            message.contains(what) && message.contains(hint),
            "{name}: {message}"
        );
        let stalled = reason == "AccessDenied";
        assert_eq!(
            condition(&hr, "Stalled").as_deref(),
            Some(if stalled { "True" } else { "False" }),
            "{name}: {message}"
        );
        assert!(
            env.records(ns, name).await.is_empty(),
            "{name}: nothing installed"
        );
    }
    let notes = event_notes(&env, ns).await;
    for (reason, what) in [
        ("ChartFetchFailed", "invalid peer certificate"),
        ("ChartFetchFailed", "wants a client certificate"),
        ("ChartFetchFailed", "401 Unauthorized"),
        ("AccessDenied", "platform/registry-login"),
    ] {
        assert!(
            notes.iter().any(|(r, n)| r == reason && n.contains(what)),
            "no {reason} Event about {what}: {notes:?}"
        );
    }

    // Nothing secret anywhere: not the password, its base64, the Docker config, or any line of
    // the client key.
    let mut secrets = vec![PASSWORD.to_string(), auth.clone(), docker_config.clone()];
    secrets.extend(
        pki.client
            .key_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_string),
    );
    let statuses: Vec<String> = env.statuses_json(ns).await;
    let log = controller.log();
    assert!(log.contains("ChartFetchFailed"), "the log is read: {log}");
    test_support::assert_no_secret(
        &[
            ("status", &statuses.join("\n")),
            ("events", &format!("{notes:?}")),
            ("controller log", &log),
        ],
        &secrets,
    );
}
