#!/usr/bin/env bash
# Bench-only: builds Flux's source-controller and helm-controller from the Go module proxy with the
# machine's Go toolchain, for the side-by-side scale benchmark (`cargo bench --workspace --bench
# releases`, docs/benchmarks.md), and prints the directory that holds the two binaries (and their CRDs in crds/) on stdout.
# Never called by scripts/test.sh or CI. Idempotent and quiet when that directory is complete.
#
# Versions are pinned by bench/flux/{helm-controller,source-controller}/go.mod (+ go.sum).
# Cached under ${PLANTON_CACHE:-~/.cache/planton-helm}: go/mod and go/build (shared with the test
# control plane) and flux/<versions>-<key>/, where <key> hashes the go.mod/go.sum files, this
# script and `go version`.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mods="$root/bench/flux"
cache="${PLANTON_CACHE:-$HOME/.cache/planton-helm}"

die() { echo "install-flux: $*" >&2; exit 1; }

command -v go >/dev/null || die "no 'go' on PATH; install Go 1.26 or newer (the modules say 'go 1.26.0')"

required() { awk -v m="$1" '$1 == "require" && $2 == m { print $3 } $1 == m && $2 ~ /^v/ { print $2 }' "$2"; }
hc_version=$(required github.com/fluxcd/helm-controller "$mods/helm-controller/go.mod")
sc_version=$(required github.com/fluxcd/source-controller "$mods/source-controller/go.mod")
[[ -n "$hc_version" ]] || die "$mods/helm-controller/go.mod: does not require github.com/fluxcd/helm-controller"
[[ -n "$sc_version" ]] || die "$mods/source-controller/go.mod: does not require github.com/fluxcd/source-controller"

go_version=$(GOTOOLCHAIN=local go env GOVERSION)
key=$( { cat "$mods"/helm-controller/go.{mod,sum} "$mods"/source-controller/go.{mod,sum} "$0"; echo "$go_version"; } \
  | sha256sum | cut -c1-12)
dest="$cache/flux/helm-controller-$hc_version-source-controller-$sc_version-$key"
bins=(helm-controller source-controller)

complete() {
  [[ -f "$dest/.complete" ]] || return 1
  for b in "${bins[@]}"; do [[ -x "$dest/$b" ]] || return 1; done
  compgen -G "$dest/crds/*.yaml" >/dev/null
}

if complete; then
  echo "$dest"
  exit 0
fi

mkdir -p "$cache/flux"
exec 9>"$cache/flux/.lock"
flock 9
if complete; then
  echo "$dest"
  exit 0
fi

export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build"
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"

work="$cache/flux/.build-$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

start=$SECONDS
echo "install-flux: building helm-controller $hc_version and source-controller $sc_version with $go_version" \
  "(first run: minutes; cached in $cache)" >&2
for b in "${bins[@]}"; do
  (cd "$mods/$b" && go build -trimpath -ldflags "-s -w" -o "$work/$b" "github.com/fluxcd/$b") \
    || die "building $b failed (see above)"
  echo "install-flux: $b built ($((SECONDS - start)) s)" >&2
  # The CRDs of the same versions, from the modules' own config/crd/bases.
  moddir=$(cd "$mods/$b" && go list -m -f '{{.Dir}}' "github.com/fluxcd/$b") \
    || die "locating the github.com/fluxcd/$b module failed (see above)"
  mkdir -p "$work/crds"
  cp "$moddir"/config/crd/bases/*.yaml "$work/crds/" || die "$moddir/config/crd/bases: no CRDs"
done

touch "$work/.complete"
rm -rf "$dest"
mv "$work" "$dest"
echo "install-flux: done in $((SECONDS - start)) s: $dest" >&2
echo "$dest"
