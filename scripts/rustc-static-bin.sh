#!/usr/bin/env bash
# Cargo's RUSTC_WORKSPACE_WRAPPER for scripts/build-image.sh --profile dev: links the binaries
# named in PLANTON_STATIC_BINS (crate names, space-separated, e.g. planton_helm_controller) with a
# static C runtime and without debug information (an image ships none; the dev profile's would
# quadruple the layer), and runs every other rustc invocation unchanged. Both flags only act where
# the program is linked.
#
# Why a wrapper: `crt-static` only matters where a program is linked (the `#[link]` attributes of
# libc, std and unwind that pick the static C library and libgcc_eh are resolved there), so it is
# enough to give it to the final binary's crate. RUSTFLAGS would give it to every crate and, without
# --target, to build scripts and proc macros too (which cannot be static); with --target it means
# a second target directory and a second build of every dependency. `cargo rustc` can pass it to
# one crate, but only with `-p`, which resolves the dependencies' features for that package alone
# and so rebuilds most of them. Cargo hashes a workspace wrapper into the workspace members'
# artifact names only: the test build's compiled dependencies are reused as they are, and only the
# workspace's own crates are compiled a second time, beside (not over) the test build's. Cargo
# does not know what this script does: after changing it, touch the binary's main.rs.
set -euo pipefail

rustc="$1"
shift
name=""
bin=""
prev=""
for arg in "$@"; do
  case "$prev" in
    --crate-name) name="$arg" ;;
    --crate-type) [[ "$arg" != bin ]] || bin=1 ;;
  esac
  prev="$arg"
done
if [[ -n "$bin" && -n "$name" && " ${PLANTON_STATIC_BINS:-} " == *" $name "* ]]; then
  exec "$rustc" "$@" -C target-feature=+crt-static -C strip=debuginfo
fi
exec "$rustc" "$@"
