#!/usr/bin/env bash
# Takes the README's HTTP/2 screenshot: the page a browser gets over
# HTTP/2, rendered by headless Chromium at https://localhost:PORT/ with
# rawnet --tls, where Chromium agrees on h2 by ALPN: the layers panel
# (TCP, then TLS), the header fields as HPACK decoded them with how each
# was sent and its bytes, the stream's frames, the connection's Akamai
# fingerprint. The certificate rawnet made at start is its own, so
# Chromium is told to take it (--ignore-certificate-errors). Writes
# tests/screenshots/http2.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/screenshots/http2.png
mkdir -p "$(dirname "$out")"

command -v chromium >/dev/null || { echo "screenshot-h2.sh: needs chromium (apt-get install chromium)" >&2; exit 1; }
cargo build --release --quiet

dir=$(mktemp -d)
target/release/rawnet --host 127.0.0.1 --port 0 --tls >"$dir/rawnet.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q '^listening on' "$dir/rawnet.log" && break; sleep 0.05; done
port=$(sed -n 's/^listening on .*://p' "$dir/rawnet.log" | head -1)

chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$dir/profile" --hide-scrollbars --window-size=1200,3800 \
  --ignore-certificate-errors \
  --screenshot="$PWD/$out" "https://localhost:$port/over-h2" 2>/dev/null
grep -m1 'stream 1: GET /over-h2 HTTP/2' "$dir/rawnet.log" || true
echo "wrote $out"
