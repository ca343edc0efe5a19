#!/usr/bin/env bash
# Builds the controller's container image (or the CLI's, with --cli) without a Docker daemon and
# pushes it: a static release build, the core component precompiled into the image, one layer on
# `scratch`, an OCI image assembled here, pushed with `crane` (scripts/install-crane.sh).
#
#   scripts/build-image.sh [--cli] [--profile P] [--insecure] [--layout DIR] REPOSITORY
#   scripts/build-image.sh [--cli] [--profile P] --layout DIR   # the OCI layout only, no push
#   scripts/build-image.sh [--cli] [--profile P] --rootfs DIR   # the root filesystem only
#
# REPOSITORY is where to push, without a tag, e.g. ghcr.io/project-planton/planton-helm-controller
# or 127.0.0.1:5000/planton-helm-controller; the tag is the chart's appVersion, which must equal the
# workspace version (one version for the chart and the binaries). --insecure talks plain HTTP to
# the registry. The last line printed on stdout is REPOSITORY:TAG@sha256:DIGEST. Registry
# credentials come from the usual docker config (`crane auth login`), never from arguments.
# --profile: `release` (the default: what ships, optimised, in its own target dir) or `dev` (what
# host-controller/tests/image.rs builds: the test build's dependencies, only the link made static;
# docs/testing.md has what each costs).
#
# What the image holds (docs/install.md):
#   /usr/bin/planton-helm-controller (or /usr/bin/planton-helm)   static (static-pie) ELF
#   /usr/lib/planton-helm/<sha256 of the core>.cwasm              the precompiled core
#   /etc/ssl/certs/ca-certificates.crt                            Debian's ca-certificates
#   /etc/passwd, /etc/group, /etc/nsswitch.conf                   root and nonroot (65532)
#   /home/nonroot (owned by 65532), /tmp (1777)
# Config: user 65532:65532, entrypoint the binary (`run` as the controller's default command),
# OCI labels source, version, revision, created, title, description, licenses.
#
# Reproducible: timestamps come from SOURCE_DATE_EPOCH, else the last commit's time; files are
# sorted and owned by root (but /home/nonroot); gzip stores no name or time. `release` builds in
# ${PLANTON_IMAGE_TARGET_DIR:-target/image}, `dev` in the workspace's target dir; either way a warm
# rebuild is a no-op for cargo. The root filesystem and the OCI layout go to
# target/image/<controller|cli>/<profile>/{rootfs,oci} (release: under PLANTON_IMAGE_TARGET_DIR).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

die() { echo "build-image: $*" >&2; exit 1; }
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

kind=controller
insecure=()
layout=""
rootfs_only=""
profile=release
repository=""
while (($#)); do
  case "$1" in
    --cli) kind=cli ;;
    --insecure) insecure=(--insecure) ;;
    --layout) layout="${2:?--layout needs a directory}"; shift ;;
    --rootfs) rootfs_only="${2:?--rootfs needs a directory}"; shift ;;
    --profile) profile="${2:?--profile needs a Cargo profile}"; shift ;;
    -h | --help) usage ;;
    -*) echo "build-image: unknown option $1" >&2; usage ;;
    *) [[ -z "$repository" ]] || usage; repository="$1" ;;
  esac
  shift
done
[[ -n "$repository" || -n "$layout" || -n "$rootfs_only" ]] || usage
last="${repository##*/}"
[[ "$last" != *:* && "$last" != *@* ]] \
  || die "give REPOSITORY without a tag or digest (the tag is the chart's appVersion): $repository"

case "$kind" in
  controller)
    package=host-controller bin=planton-helm-controller
    cmd='["run"]'
    description="planton-helm-controller: reconciles HelmRelease objects and validates them at admission"
    ;;
  cli)
    package=host-cli bin=planton-helm
    cmd='[]'
    description="planton-helm: validate HelmReleases and render Helm charts offline, as helm template"
    ;;
esac

# --- one version: the workspace's, the chart's version and appVersion -----------------------
workspace_field() { sed -n '/^\[workspace.package\]/,/^\[/s/^'"$1"' *= *"\(.*\)"/\1/p' Cargo.toml; }
version=$(workspace_field version)
source_url=$(workspace_field repository)
license=$(workspace_field license)
chart=deploy/chart/planton-helm-controller/Chart.yaml
chart_version=$(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$chart")
app_version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$chart")
[[ -n "$version" ]] || die "Cargo.toml: no version in [workspace.package]"
[[ "$app_version" == "$version" && "$chart_version" == "$version" ]] \
  || die "$chart (version $chart_version, appVersion $app_version) and Cargo.toml ($version) must \
carry the same version; bump them together (CHANGELOG.md)"
tag="$app_version"

revision="${PLANTON_IMAGE_REVISION:-$(git rev-parse HEAD 2>/dev/null || true)}"
[[ -n "$revision" ]] || die "no git checkout: set PLANTON_IMAGE_REVISION to the source revision"
if [[ -z "${PLANTON_IMAGE_REVISION:-}" ]] && ! git diff --quiet HEAD 2>/dev/null; then
  echo "build-image: warning: the work tree has uncommitted changes; revision label says $revision" >&2
fi
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

# --- static release build ---------------------------------------------------------------------
triple=$(rustc -vV | sed -n 's/^host: //p')
case "$triple" in
  x86_64-unknown-linux-gnu) arch=amd64 ;;
  aarch64-unknown-linux-gnu) arch=arm64 ;;
  *) die "building images is supported on x86_64 and aarch64 Linux (gnu) hosts, not $triple" ;;
esac
scripts/setup.sh
# Static glibc (crt-static) rather than musl: it keeps glibc's allocator (musl's is a known
# bottleneck for multi-threaded, allocation-heavy programs; not measured here) and needs no second
# C toolchain for ring. Name resolution still works on `scratch`:
# since 2.34 glibc has its `files` and `dns` NSS modules built in, so a static binary resolves
# through /etc/hosts and /etc/resolv.conf (which the kubelet provides) without loading any shared
# module; /etc/nsswitch.conf below asks for exactly those two. (Checked with a static binary in a
# bare chroot against a DNS server on loopback.)
case "$profile" in
  dev)
    # The test suite's image: the test build's own target directory and compiled dependencies,
    # only the final link static (scripts/rustc-static-bin.sh says how). `--workspace` keeps the
    # dependencies' features those of `cargo test --workspace`, so none of them is rebuilt.
    target_dir="${CARGO_TARGET_DIR:-$root/target}"
    out="$target_dir/debug"
    # Run from a test, the environment holds what cargo sets for that test (CARGO_PKG_NAME,
    # CARGO_MANIFEST_DIR, OUT_DIR, ...). Build scripts watch some of them (ring's does), and
    # cargo would rerun those and recompile, in place, what the test build compiled.
    for var in $(compgen -e); do
      case "$var" in
        CARGO_PKG_* | CARGO_MANIFEST_* | CARGO_CRATE_NAME | CARGO_BIN_NAME | CARGO_BIN_EXE_* | \
          CARGO_TARGET_TMPDIR | CARGO_PRIMARY_PACKAGE | CARGO_RUSTC_CURRENT_DIR | OUT_DIR)
          unset "$var" ;;
      esac
    done
    echo "build-image: cargo build (dev) $bin, linked static" >&2
    RUSTC_WORKSPACE_WRAPPER="$root/scripts/rustc-static-bin.sh" \
      PLANTON_STATIC_BINS="${bin//-/_}" \
      cargo build --locked -q --workspace --bin "$bin" --bin planton-helm-precompile
    # Both builds uplift to the same $out/$bin: keep the static one, then give the path back to
    # the ordinary build (both are compiled: cargo only links the file again).
    work_dir="$target_dir/image"
    kept="$work_dir/$kind/dev/bin"
    mkdir -p "$kept"
    cp "$out/$bin" "$out/planton-helm-precompile" "$kept/"
    cargo build --locked -q --workspace --bin "$bin" --bin planton-helm-precompile
    bin_path="$kept/$bin" precompile_path="$kept/planton-helm-precompile"
    ;;
  release)
    target_dir="${PLANTON_IMAGE_TARGET_DIR:-$root/target/image}"
    # The explicit --target keeps RUSTFLAGS off build scripts and proc macros, and host-runtime's
    # build script drops them for the wasm component. A target dir of its own: the flags change
    # every crate, so they would evict the test build's artifacts.
    echo "build-image: cargo build --release $bin (static, $triple)" >&2
    # The encoded form would take precedence over RUSTFLAGS (a caller's, e.g. a test's cargo).
    unset CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS
    RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked -q \
      --target "$triple" --target-dir "$target_dir" \
      -p "$package" --bin "$bin" -p host-runtime --bin planton-helm-precompile
    out="$target_dir/$triple/release"
    bin_path="$out/$bin" precompile_path="$out/planton-helm-precompile"
    work_dir="$target_dir"
    ;;
  *) die "--profile is release or dev, not $profile" ;;
esac

# --- root filesystem ----------------------------------------------------------------------------
# Per profile, so that the test's image never overwrites the release image a benchmark reads.
work="$work_dir/$kind/$profile"
rootfs="${rootfs_only:-$work/rootfs}"
rm -rf "$rootfs"
mkdir -p "$rootfs"/{usr/bin,usr/lib/planton-helm,etc/ssl/certs,home/nonroot,tmp}
install -m 0755 "$bin_path" "$rootfs/usr/bin/$bin"
# The artifact depends on nothing but the precompile binary (the embedded core, wasmtime and its
# settings), so it is kept per binary: compiling it again takes Cranelift most of a minute.
precompiled="$work/precompiled-$(sha256sum "$precompile_path" | cut -c1-16)"
if [[ ! -d "$precompiled" ]]; then
  rm -rf "$work"/precompiled-*
  "$precompile_path" "$precompiled.tmp" >/dev/null
  mv "$precompiled.tmp" "$precompiled"
fi
cp "$precompiled"/*.cwasm "$rootfs/usr/lib/planton-helm/"
chmod 0644 "$rootfs"/usr/lib/planton-helm/*.cwasm
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$rootfs/etc/group"
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group" "$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"
chmod 0755 "$rootfs/home/nonroot"

# CA certificates from Debian's ca-certificates package (Mozilla's bundle), cached per version:
# the bundle is what update-ca-certificates would write, the package's certificates concatenated.
cache="${PLANTON_CACHE:-$HOME/.cache/planton-helm}"
certs_candidate() {
  apt-cache show --no-all-versions ca-certificates 2>/dev/null | sed -n 's/^Version: //p' | head -1
}
certs_version=$(certs_candidate)
if [[ -z "$certs_version" && "$(id -u)" == 0 ]]; then
  apt-get update -qq >&2
  certs_version=$(certs_candidate)
fi
[[ -n "$certs_version" ]] || die "apt does not know ca-certificates; run 'apt-get update' as root first"
bundle="$cache/ca-certificates-$certs_version/ca-certificates.crt"
if [[ ! -s "$bundle" ]]; then
  deb_dir=$(mktemp -d)
  chmod 755 "$deb_dir" # apt-get download hands the file to the _apt user
  (cd "$deb_dir" && apt-get download -qq "ca-certificates=$certs_version" >&2)
  dpkg-deb -x "$deb_dir"/ca-certificates_*.deb "$deb_dir/root"
  mkdir -p "$(dirname "$bundle")"
  find "$deb_dir/root/usr/share/ca-certificates/mozilla" -name '*.crt' | LC_ALL=C sort \
    | xargs cat >"$bundle.tmp"
  mv "$bundle.tmp" "$bundle"
  rm -rf "$deb_dir"
fi
install -m 0644 "$bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"

if [[ -n "$rootfs_only" ]]; then
  # For the Dockerfile's COPY, which keeps owners: the build stage runs as root.
  [[ "$(id -u)" != 0 ]] || chown 65532:65532 "$rootfs/home/nonroot"
  echo "$rootfs"
  exit 0
fi

# --- the layer: one deterministic tar, gzipped ---------------------------------------------------
tar_flags=(--format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime
  --sort=name --mtime="@$epoch" --numeric-owner -C "$rootfs")
layer_tar="$work/layer.tar"
# Everything is root's but the user's home, which tar can only say in a second, appended pass.
tar "${tar_flags[@]}" --owner=0 --group=0 --exclude=home/nonroot -cf "$layer_tar" etc home tmp usr
tar "${tar_flags[@]}" --owner=65532 --group=65532 -rf "$layer_tar" home/nonroot
diff_id=$(sha256sum "$layer_tar" | cut -d' ' -f1)

layout="${layout:-$work/oci}"
rm -rf "$layout"
mkdir -p "$layout/blobs/sha256"
# The same layer compresses to the same bytes: keep the last one rather than gzip it again.
compressed="$work/layer-$diff_id.tar.gz"
if [[ ! -f "$compressed" ]]; then
  rm -f "$work"/layer-*.tar.gz
  gzip -n -6 -c "$layer_tar" >"$compressed.tmp"
  mv "$compressed.tmp" "$compressed"
fi
cp "$compressed" "$layout/blobs/sha256/layer"
rm -f "$layer_tar"
blob() { # moves $layout/blobs/sha256/$1 to its digest's name; prints "digest size"
  local digest size
  digest=$(sha256sum "$layout/blobs/sha256/$1" | cut -d' ' -f1)
  size=$(stat -c %s "$layout/blobs/sha256/$1")
  mv "$layout/blobs/sha256/$1" "$layout/blobs/sha256/$digest"
  echo "$digest $size"
}
read -r layer_digest layer_size < <(blob layer)

# The values below are ours (versions, hex digests, fixed words), so no JSON escaping is needed.
cat >"$layout/blobs/sha256/config" <<JSON
{"architecture":"$arch","os":"linux","created":"$created","config":{"User":"65532:65532","Env":["PATH=/usr/bin","HOME=/home/nonroot","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt","PLANTON_HELM_PRECOMPILED_DIR=/usr/lib/planton-helm"],"Entrypoint":["/usr/bin/$bin"],"Cmd":$cmd,"WorkingDir":"/home/nonroot","Labels":{"org.opencontainers.image.created":"$created","org.opencontainers.image.description":"$description","org.opencontainers.image.licenses":"$license","org.opencontainers.image.revision":"$revision","org.opencontainers.image.source":"$source_url","org.opencontainers.image.title":"$bin","org.opencontainers.image.version":"$version"}},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"$created","created_by":"scripts/build-image.sh $kind"}]}
JSON
read -r config_digest config_size < <(blob config)
cat >"$layout/blobs/sha256/manifest" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config_digest","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer_digest","size":$layer_size}]}
JSON
read -r manifest_digest manifest_size < <(blob manifest)
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
cat >"$layout/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest_digest","size":$manifest_size,"platform":{"architecture":"$arch","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"$tag"}}]}
JSON
echo "build-image: $bin $tag: layer $((layer_size / 1024)) KiB compressed, OCI layout $layout" >&2

if [[ -z "$repository" ]]; then
  echo "sha256:$manifest_digest"
  exit 0
fi

# --- push ----------------------------------------------------------------------------------------
crane=$(scripts/install-crane.sh)
"$crane" push "${insecure[@]}" "$layout" "$repository:$tag" >&2
pushed=$("$crane" digest "${insecure[@]}" "$repository:$tag")
[[ "$pushed" == "sha256:$manifest_digest" ]] \
  || die "the registry serves $repository:$tag as $pushed, not the sha256:$manifest_digest pushed"
echo "$repository:$tag@sha256:$manifest_digest"
