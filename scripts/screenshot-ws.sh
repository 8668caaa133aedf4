#!/usr/bin/env bash
# Takes the README's WebSocket screenshot: the whole page, its panel below
# after it sent "Hello" (`#ws-demo=Hello`), with every frame both ways
# decoded, rendered by headless Chromium. Chromium's --virtual-time-budget
# does not wait for a WebSocket, so the page also holds a fetch open
# (`&hold=`) until the echo is in: `/?delay=30`, which rawnet itself holds.
# Writes tests/screenshots/websocket.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/screenshots/websocket.png
mkdir -p "$(dirname "$out")"

command -v chromium >/dev/null || { echo "screenshot-ws.sh: needs chromium (apt-get install chromium)" >&2; exit 1; }
cargo build --release --quiet

dir=$(mktemp -d)
target/release/rawnet --host 127.0.0.1 --port 0 >"$dir/rawnet.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q '^listening on' "$dir/rawnet.log" && break; sleep 0.05; done
addr=$(sed -n 's/^listening on //p' "$dir/rawnet.log" | head -1)

chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$dir/profile" --hide-scrollbars --window-size=1200,1210 \
  --virtual-time-budget=1000 --screenshot="$PWD/$out" \
  "http://$addr/#ws-demo=Hello&hold=%2F%3Fdelay%3D30" 2>/dev/null
echo "wrote $out"
