#!/usr/bin/env bash
# Soak test: 1,000,000 HTTP requests (wrk) and 1,000,000 echo round trips
# (rawnet bench) against one default rawnet on 127.0.0.1, sampling its RSS
# every second. Passes when there were no errors and RSS ended flat.
#
#   scripts/soak.sh                  # 1,000,000 of each
#   REQUESTS=200000 scripts/soak.sh  # a shorter run
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-1000000}

for cmd in wrk python3; do
  command -v "$cmd" >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$cmd" >/dev/null; }
done
cargo build --release --quiet
RAWNET=$PWD/target/release/rawnet

work=$(mktemp -d)
"$RAWNET" --quiet --host 127.0.0.1 --port 0 >"$work/server.log" 2>&1 &
server=$!
sampler=
trap 'kill $server $sampler 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q '^listening on' "$work/server.log" && break; sleep 0.05; done
addr=$(sed -n 's/^listening on //p' "$work/server.log" | head -1)
port=${addr##*:}
rss() { awk '/VmRSS/{print $2}' "/proc/$server/status"; }

(while kill -0 "$server" 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 1; done) >"$work/rss" &
sampler=$!
start_rss=$(rss)

echo "soak: rawnet on $addr (pid $server), RSS at start ${start_rss} KiB"

# HTTP: wrk in 10-second runs until REQUESTS are answered.
http_done=0 http_errors=0
while [ "$http_done" -lt "$REQUESTS" ]; do
  wrk -t1 -c64 -d10s "http://$addr/soak" >"$work/wrk.out"
  n=$(awk '/requests in/{print $1}' "$work/wrk.out")
  bad=$(awk '/Non-2xx/{print $NF}' "$work/wrk.out"); bad=${bad:-0}
  sock=$(awk -F'[ ,]+' '/Socket errors/{print $4+$6+$8+$10}' "$work/wrk.out"); sock=${sock:-0}
  http_done=$((http_done + n)); http_errors=$((http_errors + bad + sock))
  echo "soak: http $http_done requests, $http_errors errors, RSS $(rss) KiB"
done
after_http=$(rss)

# Echo: rawnet bench in 10-second runs until REQUESTS round trips are done.
echo_done=0 echo_errors=0
while [ "$echo_done" -lt "$REQUESTS" ]; do
  "$RAWNET" bench --threads 1 --host 127.0.0.1 --port "$port" --mode echo --connections 32 \
    --duration 10 >"$work/bench.out" 2>/dev/null || true
  n=$(awk '/^requests:/{print $2}' "$work/bench.out")
  e=$(awk '/^errors:/{print $2}' "$work/bench.out")
  echo_done=$((echo_done + n)); echo_errors=$((echo_errors + e))
  echo "soak: echo $echo_done round trips, $echo_errors errors, RSS $(rss) KiB"
done
end_rss=$(rss)
sleep 1
kill "$sampler" 2>/dev/null || true
peak_rss=$(awk 'BEGIN{m=0} {if ($2>m) m=$2} END{print m}' "$work/rss")

echo
echo "| soak | count | errors |"
echo "|---|---:|---:|"
echo "| HTTP requests (wrk -t1 -c64) | $http_done | $http_errors |"
echo "| echo round trips (rawnet bench, 32 conns) | $echo_done | $echo_errors |"
echo
echo "RSS KiB: start $start_rss, after HTTP $after_http, end $end_rss, peak $peak_rss"

# Flat: the end within 2 MiB of the state after the first phase (which
# includes the one-time growth of buffers to their working size).
if [ "$http_errors" -eq 0 ] && [ "$echo_errors" -eq 0 ] && [ "$end_rss" -le $((after_http + 2048)) ]; then
  echo "soak: PASS (no errors, RSS flat)"
else
  echo "soak: FAIL"; exit 1
fi
