#!/usr/bin/env bash
# Builds the example catalog and takes screenshots of the home page, a
# document page, the systems map, one system page, one agent page, a folder
# page, the search dialog, the search page and two spec pages at 1280 px and 390 px
# wide, in light and dark mode, with Debian's headless Chromium, so a person can look at the theme.
# Output: target/screenshots/*.png
#
#   scripts/screenshots.sh [PAGE]   (PAGE defaults to payments/stripe-payments/)
set -euo pipefail
cd "$(dirname "$0")/.."
page="${1:-payments/stripe-payments/}"
chromium="${PORTOLAN_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "chromium not found: apt-get install chromium" >&2; exit 1; }

out="target/screenshots"
site="$(mktemp -d)"
trap 'rm -rf "$site"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT
mkdir -p "$out"
cargo run --quiet --release -- build --out "$site/integrations" >/dev/null

# Serve the site under its base path, on loopback only.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$site" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
sleep 1

shoot() { # name url width height [chromium flags...]
  local name="$1" url="$2" width="$3" height="$4"
  shift 4
  "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$site/.profile-$name" --hide-scrollbars --window-size="$width,$height" \
    "$@" --screenshot="$out/$name.png" "$url" >/dev/null 2>&1
  echo "$out/$name.png"
}
base="http://127.0.0.1:$port/integrations/"
shoot home-1280 "$base" 1280 1600
shoot home-390 "$base" 390 1600
shoot doc-1280 "$base$page" 1280 2000
shoot doc-390 "$base$page" 390 2000
# prefers-color-scheme: dark (Blink's preferredColorScheme 0 is dark).
dark=(--blink-settings=preferredColorScheme=0)
shoot home-1280-dark "$base" 1280 1600 "${dark[@]}"
shoot home-390-dark "$base" 390 1600 "${dark[@]}"
shoot doc-1280-dark "$base$page" 1280 2000 "${dark[@]}"
shoot doc-390-dark "$base$page" 390 2000 "${dark[@]}"
# The landscape and one system page.
system="${PORTOLAN_SYSTEM:-payments}"
for scheme in light dark; do
  flags=()
  suffix=""
  if [ "$scheme" = dark ]; then flags=("${dark[@]}"); suffix="-dark"; fi
  shoot "systems-1280$suffix" "${base}systems/" 1280 1800 "${flags[@]}"
  shoot "systems-390$suffix" "${base}systems/" 390 1800 "${flags[@]}"
  shoot "system-1280$suffix" "${base}systems/$system/" 1280 1800 "${flags[@]}"
  shoot "system-390$suffix" "${base}systems/$system/" 390 1800 "${flags[@]}"
  # An agent page, which links its context pack.
  shoot "agent-1280$suffix" "${base}agents/CustomerSupportAgent/" 1280 1200 "${flags[@]}"
  shoot "agent-390$suffix" "${base}agents/CustomerSupportAgent/" 390 1200 "${flags[@]}"
  # A folder page, and the search dialog (opened by ?q=), shot through
  # puppeteer once its results and excerpts are shown.
  shoot "folder-1280$suffix" "${base}crm/" 1280 1000 "${flags[@]}"
  shoot "folder-390$suffix" "${base}crm/" 390 1000 "${flags[@]}"
  for size in 1280x900 390x844; do
    node scripts/search-shot.mjs "$base$page?q=refund" "$chromium" "${size%x*}" "${size#*x}" "$scheme" \
      "$out/search-dialog-${size%x*}$suffix.png"
    node scripts/search-shot.mjs "${base}search/?q=refund" "$chromium" "${size%x*}" "${size#*x}" "$scheme" \
      "$out/search-page-${size%x*}$suffix.png"
  done
  # A spec's page (OpenAPI and AsyncAPI), and the Specification section
  # at the end of a document that references one.
  shoot "specs-1280$suffix" "${base}specs/" 1280 900 "${flags[@]}"
  shoot "specs-390$suffix" "${base}specs/" 390 1200 "${flags[@]}"
  shoot "spec-openapi-1280$suffix" "${base}specs/stripe.openapi/" 1280 2400 "${flags[@]}"
  shoot "spec-openapi-390$suffix" "${base}specs/stripe.openapi/" 390 2400 "${flags[@]}"
  shoot "spec-asyncapi-1280$suffix" "${base}specs/order-events.asyncapi/" 1280 1800 "${flags[@]}"
  shoot "spec-asyncapi-390$suffix" "${base}specs/order-events.asyncapi/" 390 1800 "${flags[@]}"
  shoot "doc-spec-1280$suffix" "${base}payments/stripe-payments/" 1280 7000 "${flags[@]}"
  shoot "doc-spec-390$suffix" "${base}payments/stripe-payments/" 390 14000 "${flags[@]}"
done
