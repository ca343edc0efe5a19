#!/usr/bin/env bash
# The main job: render the example chart offline, exactly as `helm template demo` would.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run -q --release -p host-cli -- template demo examples/charts/hello "$@"
