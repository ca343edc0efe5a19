#!/usr/bin/env bash
# The whole test suite, from a fresh clone: wasm target, the oracle helm, the test control plane
# (etcd + kube-apiserver + kube-controller-manager, built from source on a cold machine), the OCI
# registry the chart-source tests push into (Debian's docker-registry), crane (pushes and pulls the
# container image), then every test. The image's test (host-controller/tests/image.rs) is one of
# them: it builds the image from the test build's compiled dependencies, only the final link
# static (scripts/build-image.sh --profile dev; cost in docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/install-shells.sh
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
