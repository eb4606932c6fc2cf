#!/usr/bin/env bash
# Fuzzes the document pipeline, seeded with the corpora's markdown and the
# example catalog. Usage: fuzz/run.sh [seconds] (default 1800).
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain it
# runs without sanitizers (RUSTC_BOOTSTRAP is not used).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-1800}"
corpus=corpus/document
mkdir -p "$corpus" artifacts/document
if [ -z "$(ls -A "$corpus")" ]; then
  find ../content ../../shared/corpora ../tests/fixtures -name '*.md' -size -64k 2>/dev/null |
    while read -r f; do cp "$f" "$corpus/$(sha1sum "$f" | cut -c1-16).md"; done
fi
cargo fuzz run --sanitizer none document "$corpus" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=262144
