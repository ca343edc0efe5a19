#!/usr/bin/env bash
# The whole test suite, from a fresh clone: wasm target, the oracle helm, the test control plane
# (etcd + kube-apiserver + kube-controller-manager, built from source on a cold machine), the OCI
# registry the chart-source tests push into (Debian's docker-registry), crane (pushes the image),
# then every test, and last the container image's test (a static release build in target/image,
# skipped by a plain `cargo test` for its cold cost; see docs/install.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PLANTON_HELM=$(scripts/install-helm.sh)
export PLANTON_HELM
PLANTON_CONTROL_PLANE=$(scripts/install-control-plane.sh)
export PLANTON_CONTROL_PLANE
PLANTON_SARIF_SCHEMA=$(scripts/install-sarif-schema.sh)
export PLANTON_SARIF_SCHEMA
PLANTON_REGISTRY=$(scripts/install-registry.sh)
export PLANTON_REGISTRY
PLANTON_CRANE=$(scripts/install-crane.sh)
export PLANTON_CRANE
cargo fmt --check
cargo clippy -q --workspace --all-targets -- -D warnings
cargo test --workspace --no-fail-fast
cargo test -p host-controller --test image -- --ignored
