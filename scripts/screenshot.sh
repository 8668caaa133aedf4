#!/usr/bin/env bash
# Takes the README's screenshot: the page a browser gets from the default
# server, rendered by headless Chromium. Writes tests/screenshots/browser.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/screenshots/browser.png
mkdir -p "$(dirname "$out")"

command -v chromium >/dev/null || { echo "screenshot.sh: needs chromium (apt-get install chromium)" >&2; exit 1; }
cargo build --release --quiet

log=$(mktemp)
profile=$(mktemp -d)
target/release/rawnet --host 127.0.0.1 --port 0 >"$log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$log" "$profile"' EXIT
for _ in $(seq 100); do grep -q '^listening on' "$log" && break; sleep 0.05; done
addr=$(sed -n 's/^listening on //p' "$log" | head -1)

chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1200,760 \
  --screenshot="$PWD/$out" "http://$addr/" 2>/dev/null
echo "wrote $out"
