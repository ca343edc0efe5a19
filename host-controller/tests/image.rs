//! The controller's container image, built and pushed by `scripts/build-image.sh` into the real
//! registry (Debian's docker-registry), then pulled back with `crane` and checked: its manifest
//! and config (entrypoint, non-root user, OCI labels), and its one layer, extracted and run: the
//! controller binary is static, starts from the image's root filesystem (`--version`, then `run`
//! until `/readyz` answers against the real API server), and loads the baked precompiled core
//! instead of compiling it.
//!
//! The image is built as a release builds it, with one difference: `--profile dev` instead of
//! `release`. That build reuses the dependencies `cargo test --workspace` has already compiled and
//! makes only the final link static (scripts/rustc-static-bin.sh), where a release build would
//! compile the whole dependency tree again, optimised (costs in docs/testing.md).

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use host_controller::HelmRelease;
use host_runtime::{CompileSource, Config, Runtime, precompiled_file_name};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::PostParams;
use kube::{Api, CustomResourceExt};
use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use serde_json::Value;
use sha2::{Digest, Sha256};
use test_support::{Registry, TempDir, free_port, readyz};
use testenv::ControlPlane;

const NAME: &str = "planton-helm-controller";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(data)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `crane`, as `scripts/test.sh` installs it (`$PLANTON_CRANE`), else from
/// `scripts/install-crane.sh` (cached; builds it from the Go module proxy the first time).
fn crane() -> PathBuf {
    if let Some(path) = std::env::var_os("PLANTON_CRANE") {
        return PathBuf::from(path);
    }
    let out = Command::new(workspace().join("scripts/install-crane.sh"))
        .stderr(Stdio::inherit())
        .output()
        .expect("run scripts/install-crane.sh");
    assert!(out.status.success(), "scripts/install-crane.sh failed");
    PathBuf::from(String::from_utf8(out.stdout).expect("utf-8").trim())
}

/// Runs `crane ARGS --insecure` (the test registry speaks plain HTTP) and returns its stdout.
fn pull(crane: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(crane)
        .args(args)
        .arg("--insecure")
        .output()
        .expect("run crane");
    assert!(
        out.status.success(),
        "crane {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `repository` of the workspace's `[workspace.package]` (this crate does not inherit it).
fn workspace_repository() -> String {
    let manifest = std::fs::read_to_string(workspace().join("Cargo.toml")).expect("Cargo.toml");
    manifest
        .lines()
        .skip_while(|l| l.trim() != "[workspace.package]")
        .find_map(|l| l.strip_prefix("repository = "))
        .expect("a repository in [workspace.package]")
        .trim_matches('"')
        .to_string()
}

fn git_head() -> String {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(workspace())
        .output()
        .expect("run git");
    assert!(out.status.success(), "git rev-parse HEAD failed");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

/// Fails unless `binary` is an ELF file that needs no program interpreter and no shared library.
fn assert_static(binary: &[u8]) {
    let header = elf::FileHeader64::<object::Endianness>::parse(binary).expect("an ELF64 file");
    let endian = header.endian().expect("endianness");
    let mut dynamic_entries = 0;
    for segment in header
        .program_headers(endian, binary)
        .expect("program headers")
    {
        assert_ne!(
            segment.p_type(endian),
            elf::PT_INTERP,
            "the controller names a program interpreter: it is dynamically linked"
        );
        if let Some(entries) = segment.dynamic(endian, binary).expect("dynamic section") {
            for entry in entries {
                dynamic_entries += 1;
                assert_ne!(
                    entry.tag(endian),
                    elf::DT_NEEDED,
                    "the controller needs a shared library"
                );
            }
        }
    }
    // A static-pie still has a dynamic section (for its own relocations), just no DT_NEEDED.
    eprintln!("static: no PT_INTERP, {dynamic_entries} dynamic entries and none DT_NEEDED");
}

/// Unpacks the gzipped layer into `dir`, returning the owner (uid) of every entry by path.
fn extract(layer: &[u8], dir: &Path) -> BTreeMap<String, u64> {
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(layer)
        .read_to_end(&mut tar)
        .expect("gunzip the layer");
    let mut owners = BTreeMap::new();
    let mut archive = tar::Archive::new(tar.as_slice());
    archive.set_preserve_permissions(true);
    for entry in archive.entries().expect("tar entries") {
        let mut entry = entry.expect("tar entry");
        let path = entry
            .path()
            .expect("entry path")
            .to_string_lossy()
            .into_owned();
        owners.insert(
            path.trim_end_matches('/').to_string(),
            entry.header().uid().expect("uid"),
        );
        assert!(
            entry.unpack_in(dir).expect("unpack"),
            "{path} escapes the root"
        );
    }
    owners
}

fn env_list(config: &Value) -> Vec<(String, String)> {
    config["config"]["Env"]
        .as_array()
        .expect("Env")
        .iter()
        .map(|v| {
            let (k, v) = v.as_str().expect("string").split_once('=').expect("K=V");
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn the_image_runs_the_static_controller_as_non_root_with_the_core_baked_in() {
    let registry = Registry::start(None);
    let repository = format!("127.0.0.1:{}/{NAME}", registry.port);
    let version = env!("CARGO_PKG_VERSION");
    let crane = crane();

    // Build and push, as a release does (but for the profile; see the module's doc).
    let out = Command::new(workspace().join("scripts/build-image.sh"))
        .args(["--profile", "dev", "--insecure", &repository])
        .env("PLANTON_CRANE", &crane)
        .current_dir(workspace())
        .stderr(Stdio::inherit())
        .output()
        .expect("run scripts/build-image.sh");
    assert!(out.status.success(), "scripts/build-image.sh failed");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let printed = stdout.lines().last().expect("the pushed reference");
    let (reference, digest) = printed.split_once('@').expect("REPOSITORY:TAG@DIGEST");
    assert_eq!(
        reference,
        format!("{repository}:{version}"),
        "the tag is the version"
    );

    // Pull the manifest back by tag: the registry serves what the script printed.
    let served = pull(&crane, &["digest", reference]);
    assert_eq!(String::from_utf8_lossy(&served).trim(), digest);
    let manifest_bytes = pull(&crane, &["manifest", reference]);
    assert_eq!(sha256(&manifest_bytes), digest, "manifest digest");
    let manifest: Value = serde_json::from_slice(&manifest_bytes).expect("manifest JSON");
    assert_eq!(manifest["mediaType"], MANIFEST);
    let config_digest = manifest["config"]["digest"]
        .as_str()
        .expect("config digest");
    let config_bytes = pull(&crane, &["config", reference]);
    assert_eq!(sha256(&config_bytes), config_digest, "config digest");
    let config: Value = serde_json::from_slice(&config_bytes).expect("config JSON");

    // The entrypoint is the controller, run as a non-root user.
    let entrypoint = config["config"]["Entrypoint"]
        .as_array()
        .expect("Entrypoint");
    assert_eq!(entrypoint, &[Value::from(format!("/usr/bin/{NAME}"))]);
    assert_eq!(config["config"]["Cmd"], serde_json::json!(["run"]));
    let user = config["config"]["User"].as_str().expect("User");
    let uid: u32 = user
        .split(':')
        .next()
        .expect("uid")
        .parse()
        .expect("numeric uid");
    assert_ne!(uid, 0, "the image runs as root");
    assert_eq!(config["os"], "linux");

    // OCI labels: where the sources are, which version and which commit.
    let labels = &config["config"]["Labels"];
    assert_eq!(
        labels["org.opencontainers.image.source"],
        workspace_repository().as_str()
    );
    assert_eq!(labels["org.opencontainers.image.version"], version);
    assert_eq!(
        labels["org.opencontainers.image.revision"],
        git_head().as_str()
    );
    assert_eq!(labels["org.opencontainers.image.title"], NAME);

    // One layer; extract it.
    let layers = manifest["layers"].as_array().expect("layers");
    assert_eq!(layers.len(), 1, "one layer on scratch");
    assert_eq!(layers[0]["mediaType"], LAYER);
    let layer_digest = layers[0]["digest"].as_str().expect("layer digest");
    let layer = pull(&crane, &["blob", &format!("{repository}@{layer_digest}")]);
    assert_eq!(sha256(&layer), layer_digest);
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(layer.as_slice())
        .read_to_end(&mut tar)
        .expect("gunzip");
    assert_eq!(
        config["rootfs"]["diff_ids"],
        serde_json::json!([sha256(&tar)]),
        "diff_id is the uncompressed layer's digest"
    );
    let rootfs = TempDir::new("image-rootfs");
    let owners = extract(&layer, rootfs.path());
    for (path, owner) in &owners {
        let expected = if path.starts_with("home/nonroot") {
            uid
        } else {
            0
        };
        assert_eq!(u64::from(expected), *owner, "owner of {path}");
    }
    let passwd = std::fs::read_to_string(rootfs.path().join("etc/passwd")).expect("passwd");
    assert!(
        passwd
            .lines()
            .any(|l| l.split(':').nth(2) == Some(&uid.to_string())),
        "the image's user {uid} is not in /etc/passwd:\n{passwd}"
    );
    let certs = std::fs::read_to_string(rootfs.path().join("etc/ssl/certs/ca-certificates.crt"))
        .expect("CA bundle");
    assert!(
        certs.matches("BEGIN CERTIFICATE").count() > 100,
        "CA bundle"
    );

    // The binary is static and starts from the image's root filesystem alone.
    let binary = rootfs.path().join(format!("usr/bin/{NAME}"));
    assert_static(&std::fs::read(&binary).expect("read the controller"));
    let env = env_list(&config);
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if as_root {
        container_devices(rootfs.path());
    }
    let image = Image {
        rootfs: rootfs.path(),
        user,
        env: &env,
        as_root,
    };
    let started = image
        .command(&["--version"])
        .output()
        .expect("run the controller");
    let printed = String::from_utf8_lossy(&started.stdout);
    eprintln!(
        "ran {NAME} --version {}: {printed}",
        if as_root {
            "in a chroot as the image's user"
        } else {
            "alone (not root: no chroot)"
        }
    );
    assert!(
        started.status.success(),
        "{NAME} --version failed: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    assert!(
        printed.contains(version),
        "`{NAME} --version` printed {printed:?}, not the version {version}"
    );

    // `run` from the image against the real API server: ready, with the baked core loaded.
    let loaded = run_until_ready(&image);
    assert_eq!(
        loaded["source"], "Precompiled",
        "the controller did not load the baked core: {loaded}"
    );

    // The baked core: where the image's environment points, named for this tree's component,
    // and loaded instead of compiled.
    let (_, dir) = env
        .iter()
        .find(|(k, _)| k == host_runtime::PRECOMPILED_DIR_ENV)
        .expect("the image sets PLANTON_HELM_PRECOMPILED_DIR");
    let baked = rootfs.path().join(dir.trim_start_matches('/'));
    assert!(
        baked.join(precompiled_file_name()).is_file(),
        "no {} in {dir}",
        precompiled_file_name()
    );
    let runtime = Runtime::new(Config {
        precompiled_dir: Some(baked),
        cache_dir: None,
        ..Config::default()
    })
    .expect("runtime");
    assert_eq!(runtime.compile_source(), CompileSource::Precompiled);
}

/// How the test runs the image's controller: in a chroot into the extracted layer as the image's
/// user when the test runs as root (nothing of the host is visible), else the binary alone with
/// the image's environment, its absolute paths moved into the extracted root.
struct Image<'a> {
    rootfs: &'a Path,
    user: &'a str,
    env: &'a [(String, String)],
    as_root: bool,
}

impl Image<'_> {
    /// `path` (absolute, in the image) as the controller sees it.
    fn path(&self, path: &str) -> String {
        if self.as_root {
            path.to_string()
        } else {
            self.rootfs
                .join(path.trim_start_matches('/'))
                .to_string_lossy()
                .into_owned()
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let binary = format!("/usr/bin/{NAME}");
        let mut command = if self.as_root {
            // Found on the host's PATH: the command's own PATH is the image's.
            let chroot = std::env::var_os("PATH")
                .iter()
                .flat_map(std::env::split_paths)
                .chain([PathBuf::from("/usr/sbin")])
                .map(|dir| dir.join("chroot"))
                .find(|path| path.is_file())
                .expect("chroot(8) on PATH");
            let mut c = Command::new(chroot);
            c.arg(format!("--userspec={}", self.user))
                .arg(self.rootfs)
                .arg(&binary);
            c
        } else {
            Command::new(self.path(&binary))
        };
        command.args(args).env_clear().current_dir(self.rootfs);
        for (key, value) in self.env {
            let value = if value.starts_with('/') {
                self.path(value)
            } else {
                value.clone()
            };
            command.env(key, value);
        }
        command
    }
}

/// The devices every OCI runtime creates in a container's `/dev` (runtime-spec, "Default
/// Devices"), which a chroot of the bare layer lacks. Without them the static controller panics
/// at start: the `getrandom` crate falls back to opening `/dev/urandom` (ENOENT).
fn container_devices(rootfs: &Path) {
    let dev = rootfs.join("dev");
    std::fs::create_dir_all(&dev).expect("mkdir dev");
    for (name, major, minor) in [
        ("null", 1, 3),
        ("zero", 1, 5),
        ("full", 1, 7),
        ("random", 1, 8),
        ("urandom", 1, 9),
        ("tty", 5, 0),
    ] {
        let made = Command::new("mknod")
            .args(["-m", "666"])
            .arg(dev.join(name))
            .args(["c", &major.to_string(), &minor.to_string()])
            .status()
            .expect("run mknod");
        assert!(made.success(), "mknod {name}");
    }
}

/// Runs the image's controller against a fresh control plane (the HelmRelease CRD installed, the
/// kubeconfig in the image user's home) until `/readyz` answers 200, then stops it and returns
/// the fields of its "core component loaded" log line.
fn run_until_ready(image: &Image<'_>) -> Value {
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let cp = rt
        .block_on(ControlPlane::start())
        .expect("the control plane starts");
    let crds: Api<CustomResourceDefinition> = Api::all(cp.client());
    rt.block_on(crds.create(&PostParams::default(), &HelmRelease::crd()))
        .expect("the CRD is created");
    let kubeconfig = "/home/nonroot/kubeconfig";
    let copy = image.rootfs.join(kubeconfig.trim_start_matches('/'));
    std::fs::copy(cp.kubeconfig_path(), &copy).expect("copy the kubeconfig");
    // Readable by the image's user (the copy is root's when the test runs as root).
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644))
        .expect("chmod the kubeconfig");
    let log_path = image.rootfs.join("controller.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = image
        .command(&["run", "--no-leader-election", "--metrics-addr", &addr])
        .env("KUBECONFIG", image.path(kubeconfig))
        .stdin(Stdio::null())
        // The JSON log goes to stdout; panics to stderr.
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .expect("start the controller");
    let deadline = Instant::now() + Duration::from_secs(120);
    let outcome = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Err(format!("the controller exited: {status}"));
        }
        if readyz(port) {
            break Ok(());
        }
        if Instant::now() > deadline {
            break Err("no /readyz 200 within 120 s".to_string());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log_path).expect("read the log");
    if let Err(e) = outcome {
        panic!("{e}; its log:\n{log}");
    }
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["fields"]["message"] == "core component loaded")
        .map(|line| line["fields"].clone())
        .unwrap_or_else(|| panic!("no \"core component loaded\" line in the log:\n{log}"))
}
