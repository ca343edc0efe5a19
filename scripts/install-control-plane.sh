#!/usr/bin/env bash
# Builds the test control plane -- etcd, kube-apiserver and kube-controller-manager -- from source
# through the Go module proxy with the machine's Go toolchain, and prints the directory that holds
# the three binaries on stdout. Idempotent and quiet when that directory is already complete.
#
# Versions are pinned by the Go modules in testenv/control-plane/{kubernetes,etcd}/go.mod (+ go.sum).
# Everything is cached under ${PLANTON_CACHE:-~/.cache/planton-helm}:
#   go/mod, go/build                     GOMODCACHE and GOCACHE (shared by every version)
#   control-plane/<versions>-<key>/      the binaries; <key> hashes the go.mod/go.sum files, this
#                                        script and `go version`, so any change rebuilds
# Concurrent callers (several test binaries, several checkouts) wait on a lock; one of them builds.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mods="$root/testenv/control-plane"
cache="${PLANTON_CACHE:-$HOME/.cache/planton-helm}"

die() { echo "install-control-plane: $*" >&2; exit 1; }

command -v go >/dev/null || die "no 'go' on PATH; install Go 1.26 or newer (the modules say 'go 1.26.0')"

# The version a go.mod requires of a module, from `require M vX` or a line `M vX` of a require block.
required() { awk -v m="$1" '$1 == "require" && $2 == m { print $3 } $1 == m && $2 ~ /^v/ { print $2 }' "$2"; }
kube_version=$(required k8s.io/kubernetes "$mods/kubernetes/go.mod")
etcd_version=$(required go.etcd.io/etcd/server/v3 "$mods/etcd/go.mod")
[[ -n "$kube_version" ]] || die "$mods/kubernetes/go.mod: does not require k8s.io/kubernetes"
[[ -n "$etcd_version" ]] || die "$mods/etcd/go.mod: does not require go.etcd.io/etcd/server/v3"

go_version=$(GOTOOLCHAIN=local go env GOVERSION)
key=$( { cat "$mods"/kubernetes/go.{mod,sum} "$mods"/etcd/go.{mod,sum} "$0"; echo "$go_version"; } \
  | sha256sum | cut -c1-12)
dest="$cache/control-plane/kubernetes-$kube_version-etcd-$etcd_version-$key"
bins=(etcd kube-apiserver kube-controller-manager)

complete() {
  [[ -f "$dest/.complete" ]] || return 1
  for b in "${bins[@]}"; do [[ -x "$dest/$b" ]] || return 1; done
}

if complete; then
  echo "$dest"
  exit 0
fi

mkdir -p "$cache/control-plane"
exec 9>"$cache/control-plane/.lock"
flock 9
if complete; then # built by whoever held the lock before us
  echo "$dest"
  exit 0
fi

export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build"
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"

work="$cache/control-plane/.build-$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

start=$SECONDS
echo "install-control-plane: building Kubernetes $kube_version and etcd $etcd_version with $go_version" \
  "(first run: tens of minutes; cached in $cache)" >&2

# The version kube-apiserver reports (/version, and the default emulation version) comes from
# these variables, as in Kubernetes' own release builds.
minor=${kube_version#v1.}
minor=${minor%%.*}
kv=k8s.io/component-base/version
ldflags="-s -w -X $kv.gitVersion=$kube_version -X $kv.gitMajor=1 -X $kv.gitMinor=$minor"
ldflags+=" -X $kv.gitTreeState=clean -X $kv.buildDate=1970-01-01T00:00:00Z"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$kube_version"

(cd "$mods/etcd" && go build -trimpath -ldflags "-s -w" -o "$work/etcd" go.etcd.io/etcd/server/v3) \
  || die "building etcd $etcd_version failed (see above)"
echo "install-control-plane: etcd built ($((SECONDS - start)) s)" >&2
(cd "$mods/kubernetes" && go build -trimpath -ldflags "$ldflags" -o "$work/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager) \
  || die "building kube-apiserver/kube-controller-manager $kube_version failed (see above)"

"$work/etcd" --version >&2
"$work/kube-apiserver" --version >&2

touch "$work/.complete"
rm -rf "$dest"
mv "$work" "$dest"
echo "install-control-plane: done in $((SECONDS - start)) s: $dest" >&2
echo "$dest"
