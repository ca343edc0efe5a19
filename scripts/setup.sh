#!/usr/bin/env bash
# What a fresh machine needs before building: the wasm target of the pinned toolchain
# (RUSTUP_AUTO_INSTALL=0 here, so nothing installs it implicitly) and OpenSSL's development files.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
rustup target add wasm32-wasip2 --toolchain "$toolchain" >/dev/null 2>&1 \
  || rustup target add wasm32-wasip2 --toolchain "$toolchain"

# OpenSSL's libcrypto and headers: the `keygen` crate's prime search does its modular
# exponentiation with OpenSSL's (keygen/src/rsa.rs says why). Debian's libssl-dev (in the Rust
# build images already); installed from apt when missing and we are root, else a clear stop.
if ! { [ -f /usr/include/openssl/bn.h ] || pkg-config --exists openssl 2>/dev/null; }; then
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo -n)
  if ! command -v apt-get >/dev/null 2>&1 \
    || ! { "${as_root[@]}" apt-get update -qq >/dev/null 2>&1 \
      && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends libssl-dev >/dev/null 2>&1; }; then
    echo "setup: OpenSSL's development files are missing (Debian/Ubuntu: apt-get install libssl-dev;" \
      "Fedora: dnf install openssl-devel)" >&2
    exit 1
  fi
fi
