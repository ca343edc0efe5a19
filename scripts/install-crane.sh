#!/usr/bin/env bash
# Builds `crane` (go-containerregistry's registry client) from the Go module proxy with the
# machine's Go toolchain and prints its path on stdout. scripts/build-image.sh uses it to push the
# controller's image without a Docker daemon. Idempotent and quiet when the binary is in place.
#
# Cached under ${PLANTON_CACHE:-~/.cache/planton-helm}: go/mod and go/build (shared with
# install-control-plane.sh) and crane-<version>-<key>/crane, where <key> hashes this script and
# `go version`, so either change rebuilds. Concurrent callers wait on a lock.
set -euo pipefail

# Pinned; the module's go.sum and the Go checksum database vouch for its dependencies.
version=v0.22.1

if [[ -n "${PLANTON_CRANE:-}" && -x "${PLANTON_CRANE}" ]]; then
  echo "$PLANTON_CRANE"
  exit 0
fi

die() { echo "install-crane: $*" >&2; exit 1; }
command -v go >/dev/null || die "no 'go' on PATH; install Go 1.24 or newer"

cache="${PLANTON_CACHE:-$HOME/.cache/planton-helm}"
go_version=$(GOTOOLCHAIN=local go env GOVERSION)
key=$( { cat "$0"; echo "$go_version"; } | sha256sum | cut -c1-12)
dest="$cache/crane-$version-$key"

if [[ -x "$dest/crane" ]]; then
  echo "$dest/crane"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.crane.lock"
flock 9
if [[ -x "$dest/crane" ]]; then
  echo "$dest/crane"
  exit 0
fi

export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"

work="$cache/.crane-build-$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
start=$SECONDS
echo "install-crane: building crane $version with $go_version (first run only)" >&2
GOBIN="$work" go install -trimpath -ldflags "-s -w" \
  "github.com/google/go-containerregistry/cmd/crane@$version" >&2 \
  || die "building crane $version failed (see above)"
"$work/crane" version >&2
rm -rf "$dest"
mv "$work" "$dest"
echo "install-crane: done in $((SECONDS - start)) s: $dest" >&2
echo "$dest/crane"
