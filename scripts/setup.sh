#!/usr/bin/env bash
# What a fresh machine needs before building: the wasm target of the pinned toolchain
# (RUSTUP_AUTO_INSTALL=0 here, so nothing installs it implicitly).
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
rustup target add wasm32-wasip2 --toolchain "$toolchain" >/dev/null 2>&1 \
  || rustup target add wasm32-wasip2 --toolchain "$toolchain"

