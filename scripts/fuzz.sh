#!/usr/bin/env bash
# Runs one cargo-fuzz target of the core (template_parse, template_exec, yaml_read) for a while.
#
#   scripts/fuzz.sh template_parse 600     # ten minutes; default 300 s
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The corpus starts from
# the differential cases' templates and the test charts' YAML (fuzz/corpus/, not in git). A crash
# lands in fuzz/artifacts/<target>/: fix it, then copy the input to
# core-wasm/tests/fuzz-regressions/<target>/ so `cargo test -p core-wasm` keeps it fixed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}"
seconds="${2:-300}"
corpus="$root/fuzz/corpus/$target"
mkdir -p "$corpus"
python3 - "$root" "$target" "$corpus" <<'PY'
import hashlib, pathlib, re, sys
root, target, corpus = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
seeds = []
if target.startswith("template"):
    for f in (root / "tests/differential").rglob("*.cases"):
        for case in f.read_text().split("\n=== ")[1:]:
            for m in re.finditer(r"^@t (.*)$", case, re.M):
                seeds.append(m.group(1))
            m = re.search(r"^@template\n(.*?)(?=^@|\Z)", case, re.M | re.S)
            if m:
                seeds.append(m.group(1))
    for f in (root / "tests").rglob("templates/*"):
        if f.is_file() and f.stat().st_size < 8192:
            seeds.append(f.read_text(errors="replace"))
else:
    for f in list((root / "tests").rglob("*.yaml")) + list((root / "examples").rglob("*.yaml")):
        if f.is_file() and f.stat().st_size < 8192 and "templates" not in f.parts:
            seeds.append(f.read_text(errors="replace"))
for s in seeds:
    (corpus / hashlib.sha1(s.encode()).hexdigest()).write_text(s)
print(f"{len(seeds)} seeds in {corpus}")
PY
cd "$root/fuzz"
exec cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096
