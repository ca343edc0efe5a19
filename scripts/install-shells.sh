#!/usr/bin/env bash
# Installs the shells whose completion scripts the tests syntax-check (host-controller/tests/cli.rs,
# host-cli/tests/cli.rs) from Debian; bash is always there. Only the test command needs them, so
# the main job (scripts/render-example.sh) does not call this. Quiet, and nothing to do once
# installed; without apt or root the completion checks of the missing shells are skipped.
set -euo pipefail
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
    echo "install-shells: could not install ${missing[*]}; their completion checks will be skipped" >&2
  fi
fi
