#!/usr/bin/env bash
# The whole test suite, from a fresh clone: wasm target, the oracle helm, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PLANTON_HELM=$(scripts/install-helm.sh)
export PLANTON_HELM
PLANTON_SARIF_SCHEMA=$(scripts/install-sarif-schema.sh)
export PLANTON_SARIF_SCHEMA
cargo fmt --check
cargo clippy -q --workspace --all-targets -- -D warnings
cargo test --workspace --no-fail-fast
