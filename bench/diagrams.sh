#!/usr/bin/env bash
# Diagram rendering benchmark on the mermaid corpus (about 980 fences):
#   1. cold: portolan's long-lived renderer, empty cache;
#   2. plain mmdc, one process per diagram (a sample, extrapolated);
#   3. warm: the same check again, everything cached.
# Prints diagrams per second for each and the ratio. Needs `npm ci` and
# Debian's chromium. Usage: bench/diagrams.sh [SAMPLE]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
sample="${1:-20}"
corpus="${CORPUS:-../shared/corpora/mermaid-docs}"
mmdc="$PWD/node_modules/.bin/mmdc"
[ -x "$mmdc" ] || { echo "run: PUPPETEER_SKIP_DOWNLOAD=1 npm ci" >&2; exit 1; }
[ -d "$corpus" ] || { echo "corpus not found: $corpus" >&2; exit 1; }

cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PORTOLAN_MMDC="$mmdc" PORTOLAN_CACHE_DIR="$work/cache"

now() { date +%s.%N; }
t0=$(now)
./target/release/portolan check --root "$corpus" --format json >"$work/cold.json" || true
t1=$(now)
./target/release/portolan check --root "$corpus" --format json >"$work/warm.json" || true
t2=$(now)
unique=$(ls "$work/cache/diagrams" | wc -l)
fences=$(grep -rhcE '^\s*```(mermaid|mermaid-example)\s*$' --include='*.md' "$corpus" | awk '{s+=$1} END {print s}')

# Plain mmdc: one browser start and one page per diagram.
python3 - "$corpus" "$work/plain" "$sample" <<'PY'
import pathlib, re, sys
corpus, out, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
out.mkdir()
seen = []
for md in sorted(corpus.rglob("*.md")):
    for m in re.finditer(r"^```(?:mermaid|mermaid-example)[ \t]*\n(.*?)^```", md.read_text(errors="replace"), re.S | re.M):
        if m.group(1) not in seen:
            seen.append(m.group(1))
for i, d in enumerate(seen[:n]):
    (out / f"{i:03}.mmd").write_text(d)
PY
cat >"$work/puppeteer.json" <<JSON
{"executablePath": "${PUPPETEER_EXECUTABLE_PATH:-/usr/bin/chromium}",
 "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]}
JSON
t3=$(now)
for f in "$work"/plain/*.mmd; do
  "$mmdc" -q -i "$f" -o "${f%.mmd}.svg" -p "$work/puppeteer.json" >/dev/null 2>&1 || true
done
t4=$(now)

python3 - "$unique" "$fences" "$sample" "$t0" "$t1" "$t2" "$t3" "$t4" <<'PY'
import sys
unique, fences, sample = map(int, sys.argv[1:4])
t0, t1, t2, t3, t4 = map(float, sys.argv[4:9])
cold, warm, plain = t1 - t0, t2 - t1, t4 - t3
cold_rate = unique / cold
plain_rate = sample / plain
print(f"corpus: {fences} mermaid fences, {unique} distinct definitions")
print(f"{'run':<34}{'seconds':>10}{'diagrams/s':>12}")
print(f"{'portolan renderer, cold':<34}{cold:>10.2f}{cold_rate:>12.1f}")
print(f"{'plain mmdc per diagram (sample ' + str(sample) + ')':<34}{plain:>10.2f}{plain_rate:>12.2f}")
print(f"{'portolan, warm (all cached)':<34}{warm:>10.2f}{unique / warm:>12.0f}")
print(f"renderer vs plain mmdc: {cold_rate / plain_rate:.1f}x (target >= 5x)")
print(f"plain mmdc for all {unique} would take about {unique / plain_rate:.0f} s")
print(f"warm rebuild: {warm:.2f} s (target < 2 s)")
PY
