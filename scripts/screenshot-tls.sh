#!/usr/bin/env bash
# Takes the README's TLS screenshot: the page a browser gets from rawnet
# --tls on the same port, rendered by headless Chromium at
# https://localhost:PORT/, with the layers panel on top (TCP, then TLS:
# Chromium's ClientHello, its fingerprints and every field decoded, what
# was agreed), then the request as it came out of TLS. HTTP/1.1 inside
# TLS (--no-h2): without it Chromium takes h2 by ALPN and gets HTTP/2's
# page. The certificate rawnet made at start is its own, so Chromium is
# told to take it (--ignore-certificate-errors). Writes
# tests/screenshots/tls.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/screenshots/tls.png
mkdir -p "$(dirname "$out")"

command -v chromium >/dev/null || { echo "screenshot-tls.sh: needs chromium (apt-get install chromium)" >&2; exit 1; }
cargo build --release --quiet

dir=$(mktemp -d)
target/release/rawnet --host 127.0.0.1 --port 0 --tls --no-h2 >"$dir/rawnet.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q '^listening on' "$dir/rawnet.log" && break; sleep 0.05; done
port=$(sed -n 's/^listening on .*://p' "$dir/rawnet.log" | head -1)

chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$dir/profile" --hide-scrollbars --window-size=1200,1400 \
  --ignore-certificate-errors \
  --screenshot="$PWD/$out" "https://localhost:$port/over-tls" 2>/dev/null
grep -m1 'TLS handshake done' "$dir/rawnet.log" || true
echo "wrote $out"
