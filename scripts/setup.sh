#!/usr/bin/env bash
# What a fresh machine needs before building: the wasm target of the pinned toolchain
# (RUSTUP_AUTO_INSTALL=0 here, so nothing installs it implicitly).
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
rustup target add wasm32-wasip2 --toolchain "$toolchain" >/dev/null 2>&1 \
  || rustup target add wasm32-wasip2 --toolchain "$toolchain"

# The shells whose completion scripts the tests syntax-check (host-controller/tests/cli.rs,
# host-cli/tests/cli.rs); bash is always there. Quiet, and nothing to do once installed.
missing=()
for shell in zsh fish; do
  command -v "$shell" >/dev/null 2>&1 || missing+=("$shell")
done
if ((${#missing[@]})); then
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo -n)
  if ! command -v apt-get >/dev/null 2>&1 \
    || ! { "${as_root[@]}" apt-get update -qq >/dev/null 2>&1 \
      && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }; then
    echo "setup: could not install ${missing[*]}; their completion checks will be skipped" >&2
  fi
fi
