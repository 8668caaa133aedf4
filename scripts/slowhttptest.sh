#!/usr/bin/env bash
# Points slowhttptest (Debian's slow-HTTP DoS tester) at a default rawnet in
# HTTP mode on 127.0.0.1, in its three slow modes, and prints its verdicts:
#
#   slowloris  (-H): headers dribbled forever  -> --head-timeout (10 s) answers 408
#   slow body  (-B): a POST body dribbled      -> --body-timeout (10 s) answers 408
#   slow read  (-X): responses read 32 bytes a second through a tiny
#                    receive window. This run serves a 100,000-byte --body,
#                    ten requests pipelined per connection. On loopback the
#                    kernel's socket buffers take all of it, so rawnet's own
#                    writes finish and it holds nothing; the connections then
#                    look idle and --idle-close (60 s) closes them, which is
#                    why this run lasts 75 s. (When rawnet's write itself
#                    blocks, --write-timeout closes the connection; the
#                    64 MiB slow-reader test in tests/faults.rs shows that.)
#
# Each run is bounded (LENGTH seconds, CONNECTIONS connections) and loopback
# only. slowhttptest's own probe connection says whether the service stayed
# available to a normal client during the attack.
#
#   scripts/slowhttptest.sh       # 45 s for -H and -B, 75 s for -X, 500 connections
#   LENGTH=20 READ_LENGTH=20 CONNECTIONS=100 scripts/slowhttptest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LENGTH=${LENGTH:-45}
READ_LENGTH=${READ_LENGTH:-75}
CONNECTIONS=${CONNECTIONS:-500}

if ! command -v slowhttptest >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slowhttptest >/dev/null
  else
    echo "slowhttptest.sh: needs slowhttptest (apt-get install slowhttptest)" >&2
    exit 1
  fi
fi
cargo build --release --quiet

work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
# start NAME [rawnet options]: a fresh server for the next attacks.
start() {
  local name=$1; shift
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  log="$work/rawnet-$name.log"
  ./target/release/rawnet --mode http --host 127.0.0.1 --port 0 "$@" >"$log" 2>&1 &
  server=$!
  for _ in $(seq 100); do grep -q '^listening on' "$log" && break; sleep 0.05; done
  addr=$(sed -n 's/^listening on //p' "$log" | head -1)
  url="http://$addr/"
  echo "slowhttptest.sh: rawnet --mode http ($name) on $addr (pid $server)"
}

run() {
  local name=$1; shift
  echo
  echo "== $name: slowhttptest $* -u $url"
  # slowhttptest redraws a status block each second; keep the last one.
  slowhttptest "$@" -c "$CONNECTIONS" -r 200 -l "$LENGTH" -p 3 -u "$url" >"$work/$name.out" 2>&1 || true
  tr '\r' '\n' <"$work/$name.out" | sed 's/\x1b\[[0-9;]*m//g; s/.*\x1b\[2J//' | grep -v '^$' >"$work/$name.txt"
  last=$(grep -n 'slow HTTP test status' "$work/$name.txt" | tail -1 | cut -d: -f1)
  sed -n "${last:-1},\$p" "$work/$name.txt" | grep -vE '^[A-Z][a-z]{2} [A-Z][a-z]{2} '
  echo "   server RSS now: $(awk '/VmRSS/{print $2, $3}' "/proc/$server/status")"
}

start "default options"
run slowloris -H -i 1 -x 24
run slow-body -B -i 1 -x 24 -s 8192
start "a 100,000-byte --body" --body "$(head -c 100000 /dev/zero | tr '\0' x)"
LENGTH=$READ_LENGTH run slow-read -X -k 10 -n 1 -w 1 -y 64 -z 32

echo
echo "== rawnet's log: why connections closed"
cat "$work"/rawnet-*.log | grep -oE "close \([a-z ]+|-> [0-9]{3}[^:,]*" |
  sort | uniq -c | sort -rn | head -12
kill -0 "$server" && echo "rawnet still running after all the attacks"
