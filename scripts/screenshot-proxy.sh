#!/usr/bin/env bash
# Takes the README's PROXY protocol screenshot: the page a browser gets from
# rawnet through HAProxy with `send-proxy-v2`, rendered by headless
# Chromium. Both run on 127.0.0.1 with their config in a temporary
# directory. Writes tests/screenshots/proxy-v2.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/screenshots/proxy-v2.png
mkdir -p "$(dirname "$out")"

for cmd in chromium haproxy; do
  command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] ||
    { echo "screenshot-proxy.sh: needs $cmd (apt-get install $cmd)" >&2; exit 1; }
done
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
cargo build --release --quiet

dir=$(mktemp -d)
target/release/rawnet --host 127.0.0.1 --port 0 >"$dir/rawnet.log" &
server=$!
trap 'kill $server $proxy 2>/dev/null; rm -rf "$dir"' EXIT
proxy=
for _ in $(seq 100); do grep -q '^listening on' "$dir/rawnet.log" && break; sleep 0.05; done
addr=$(sed -n 's/^listening on //p' "$dir/rawnet.log" | head -1)
front=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cat >"$dir/haproxy.cfg" <<CFG
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
listen front
  bind 127.0.0.1:$front
  server rawnet $addr send-proxy-v2 proxy-v2-options unique-id
  unique-id-format %ci:%cp
CFG
"$haproxy" -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
proxy=$!
for _ in $(seq 100); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.1).close()' "$front" 2>/dev/null && break
  sleep 0.05
done

chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$dir/profile" --hide-scrollbars --window-size=1200,760 \
  --screenshot="$PWD/$out" "http://127.0.0.1:$front/through-haproxy" 2>/dev/null
grep -m1 'PROXY v2' "$dir/rawnet.log" || true
echo "wrote $out"
