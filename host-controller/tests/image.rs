//! The controller's container image, built and pushed by `scripts/build-image.sh` into the real
//! registry (Debian's docker-registry), then pulled back with `crane` and checked: its manifest
//! and config (entrypoint, non-root user, OCI labels), and its one layer, extracted and run: the
//! controller binary is static and starts from the image's root filesystem, and the baked
//! precompiled core is the one this source tree builds.
//!
//! The image is built exactly as a release builds it, with one difference: the Cargo profile is
//! `image-test` (unoptimised, no debug info) instead of `release`, because a cold static release
//! build of the whole dependency tree would add far more to `scripts/test.sh` on a fresh 2-core
//! machine than the suite's budget allows (build times of both in docs/install.md). Warm, cargo
//! has nothing to do and the test takes seconds.

#[path = "../../chart-source/tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use host_runtime::{CompileSource, Config, Runtime, precompiled_file_name};
use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use serde_json::Value;
use sha2::{Digest, Sha256};
use support::{Registry, TempDir};

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
        .stderr(std::process::Stdio::inherit())
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
        .args(["--profile", "image-test", "--insecure", &repository])
        .env("PLANTON_CRANE", &crane)
        .current_dir(workspace())
        .stderr(std::process::Stdio::inherit())
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
        env!("CARGO_PKG_REPOSITORY")
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
    let mut run = if as_root {
        // A chroot into the extracted layer as the image's user: nothing of the host is visible.
        let mut c = Command::new("chroot");
        c.arg(format!("--userspec={user}"))
            .arg(rootfs.path())
            .arg(format!("/usr/bin/{NAME}"));
        c
    } else {
        Command::new(&binary)
    };
    let started = run
        .arg("--version")
        .env_clear()
        .envs(env.iter().cloned())
        .current_dir(rootfs.path())
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
