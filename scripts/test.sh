#!/usr/bin/env bash
# Runs every test: installs the real clients the tests drive (nc, curl,
# nghttp and h2load (tests/http2.rs), openssl,
# headless Chromium, openssl's s_client and the certificates it makes in
# tests/tls_neighbours.rs), nginx (the reference server of
# tests/differential.rs) Node (the tutorial's own server, compared with
# rawnet in tests/tutorial.rs), HAProxy (a real PROXY protocol sender in
# tests/proxy.rs), Python's websockets (tests/websocket.rs), Python's
# hpack (tests/hpack_python.rs) and Python's h2 (tests/h2_python.rs)
# when they are missing, then `cargo test
# --all-targets`, and the core's tests alone (`--no-default-features`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package that provides each command the tests run.
declare -A needs=(
  [nc]=netcat-openbsd
  [curl]=curl
  [chromium]=chromium
  [nginx]=nginx-light
  [node]=nodejs
  [haproxy]=haproxy
  [openssl]=openssl
  [nghttp]=nghttp2-client
  [h2load]=nghttp2-client
)
missing=()
for cmd in "${!needs[@]}"; do
  # nginx and haproxy live in /usr/sbin, which a non-root PATH often lacks.
  command -v "$cmd" >/dev/null 2>&1 || test -x "/usr/sbin/$cmd" || missing+=("${needs[$cmd]}")
done
# nginx's stream module (a PROXY protocol sender in tests/proxy.rs) is a
# package of its own, not a command.
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || missing+=(libnginx-mod-stream)
# Python's websockets (a real WebSocket client in tests/websocket.rs) is a
# module, not a command.
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || missing+=(python3-websockets)
# Python's hpack (an independent HPACK encoder and decoder, which
# tests/hpack_python.rs checks rawnet's against) is a module too.
/usr/bin/python3 -c 'import hpack' >/dev/null 2>&1 || missing+=(python3-hpack)
# Python's h2 (an independent HTTP/2 client, which tests/h2_python.rs
# drives rawnet with; it brings hyperframe, which reads the frames) too.
/usr/bin/python3 -c 'import h2' >/dev/null 2>&1 || missing+=(python3-h2)
# The tests use OpenBSD nc's -N (send FIN at end of input); another nc
# (netcat-traditional, busybox) lacks it.
if command -v nc >/dev/null 2>&1 && ! nc -h 2>&1 | grep -q OpenBSD; then
  missing+=(netcat-openbsd)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: the tests need: ${missing[*]}; install them (e.g. sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

cargo test --all-targets "$@"
# The tutorial's core alone: its own tests, with every plug-in left out.
cargo test --all-targets --no-default-features "$@"
