#!/usr/bin/env bash
# What a fresh machine needs before building: the wasm target of the pinned toolchain
# (RUSTUP_AUTO_INSTALL=0 here, so nothing installs it implicitly) and OpenSSL's development files.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
rustup target add wasm32-wasip2 --toolchain "$toolchain" >/dev/null 2>&1 \
  || rustup target add wasm32-wasip2 --toolchain "$toolchain"

# OpenSSL's libcrypto and headers: the `keygen` crate's prime search does its modular
# exponentiation with OpenSSL's (keygen/src/rsa.rs says why), linked statically from Debian's
# multiarch directory (.cargo/config.toml says why and how to point elsewhere). Debian's
# libssl-dev (in the Rust build images already) has the headers and libcrypto.a; installed from apt
# when missing and we are root, else a clear stop. A library directory given in the environment
# (<TARGET>_OPENSSL_LIB_DIR) is the builder's own choice and not checked here.
libcrypto="/usr/lib/$(uname -m)-linux-gnu/libcrypto.a"
target_lib_dir="$(uname -m | tr a-z A-Z)_UNKNOWN_LINUX_GNU_OPENSSL_LIB_DIR"
if [ -z "${!target_lib_dir:-}" ] && ! { [ -f /usr/include/openssl/bn.h ] && [ -f "$libcrypto" ]; }; then
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo -n)
  if ! command -v apt-get >/dev/null 2>&1 \
    || ! { "${as_root[@]}" apt-get update -qq >/dev/null 2>&1 \
      && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends libssl-dev >/dev/null 2>&1; }; then
    echo "setup: OpenSSL's development files are missing: no $libcrypto (Debian/Ubuntu: apt-get" \
      "install libssl-dev; elsewhere set $target_lib_dir and the include directory as" \
      ".cargo/config.toml says)" >&2
    exit 1
  fi
fi
