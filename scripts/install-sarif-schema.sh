#!/usr/bin/env bash
# Installs the SARIF 2.1.0 JSON Schema (OASIS, as published on SchemaStore: 2.1.0-rtm.5) that the
# CLI tests check `planton-helm validate --output sarif` against. Idempotent and quiet when the
# file is already in place; prints its path on stdout.
#
# The schema comes from the npm package @microsoft/jest-sarif (MIT), which ships it, because the
# npm registry is reachable where the OASIS and SchemaStore sites may not be.
set -euo pipefail

PACKAGE=@microsoft/jest-sarif@1.0.0-beta.0
SCHEMA_IN_PACKAGE=package/lib/schemas/sarif-2.1.0-rtm.5.json
SCHEMA_SHA256=2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8

cache="${PLANTON_CACHE:-$HOME/.cache/planton-helm}"
dest="$cache/sarif/sarif-2.1.0-rtm.5.json"

sha_of() { python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }

if [[ -f "$dest" ]] && [[ "$(sha_of "$dest")" == "$SCHEMA_SHA256" ]]; then
  echo "$dest"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" "$SCHEMA_IN_PACKAGE"
got="$(sha_of "$work/$SCHEMA_IN_PACKAGE")"
if [[ "$got" != "$SCHEMA_SHA256" ]]; then
  echo "install-sarif-schema: $PACKAGE ships a schema with sha256 $got, expected $SCHEMA_SHA256" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
mv "$work/$SCHEMA_IN_PACKAGE" "$dest"
echo "$dest"
