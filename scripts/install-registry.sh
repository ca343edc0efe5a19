#!/usr/bin/env bash
# Installs the OCI registry the chart-source tests push charts into: Debian's `docker-registry`
# package (the CNCF distribution registry), unpacked with `dpkg -x` into the cache so that nothing
# is installed system-wide and no service is started. Idempotent and quiet when the binary is
# already in place; prints the binary's path on stdout.
#
# Needs apt's package lists; as root it runs `apt-get update` once when they do not know the
# package yet. Without root, run `apt-get update` first (or point PLANTON_REGISTRY at a binary).
set -euo pipefail

if [[ -n "${PLANTON_REGISTRY:-}" && -x "${PLANTON_REGISTRY}" ]]; then
  echo "$PLANTON_REGISTRY"
  exit 0
fi

cache="${PLANTON_CACHE:-$HOME/.cache/planton-helm}"
dest_dir="$cache/registry"
dest="$dest_dir/usr/bin/docker-registry"

if [[ -x "$dest" ]]; then
  echo "$dest"
  exit 0
fi

if ! apt-cache show docker-registry >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]]; then
    apt-get update -qq >&2
  else
    echo "install-registry: apt does not know docker-registry; run 'apt-get update' as root first" >&2
    exit 1
  fi
fi

work="$(mktemp -d)"
chmod 755 "$work"  # apt-get download hands the file to the _apt user
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq docker-registry >&2)
deb=("$work"/docker-registry_*.deb)
mkdir -p "$dest_dir"
dpkg -x "${deb[0]}" "$work/root"
"$work/root/usr/bin/docker-registry" --version >&2
rm -rf "$dest_dir"
mv "$work/root" "$dest_dir"
echo "$dest"
