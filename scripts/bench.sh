#!/usr/bin/env bash
# Benchmarks rawnet side by side with its references on this machine, in one
# run: the tutorial's Node servers (scripts/bench/*.js), a WebSocket echo on
# npm's `ws`, and nginx. Each scenario alternates the servers (A B A B ...)
# for ROUNDS rounds and reports medians, so a noisy neighbour hurts all of
# them alike. Prints a Markdown table of absolute figures and ratios.
# Traffic goes to 127.0.0.1 only, and every load is bounded in time.
#
#   scripts/bench.sh                 # 3 rounds of 5 s per scenario
#   ROUNDS=5 SECONDS_EACH=10 scripts/bench.sh
#   BASELINE=/tmp/rawnet-old scripts/bench.sh
#
# BASELINE names another rawnet binary (say, main's before a change): it
# runs in the same alternating rounds as this build, and a second table
# compares the two row by row, which is how a change is judged on a noisy
# machine: side by side in one run, never against figures from another.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
TLS_IDLE_CONNECTIONS=${TLS_IDLE_CONNECTIONS:-2000}
BASE_PORT=${BASE_PORT:-9400}

# --- what the benchmark needs -------------------------------------------
declare -A needs=([wrk]=wrk [nginx]=nginx-light [node]=nodejs [npm]=npm [python3]=python3 [curl]=curl [openssl]=openssl [h2load]=nghttp2-client)
missing=()
for cmd in "${!needs[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${needs[$cmd]}"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bench.sh: needs ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 1
  fi
fi
# npm's `ws` for the WebSocket reference, kept in scripts/bench/node_modules
# (ignored by git) so later runs need no network.
if [ ! -f scripts/bench/node_modules/ws/package.json ]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --silent --prefix scripts/bench ws@8 >&2
fi
cargo build --release --quiet
RAWNET=$PWD/target/release/rawnet
BASELINE=${BASELINE:-}
# 10,000 idle connections need more descriptors than the usual 1024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

log() { echo "bench.sh: $*" >&2; }
median() { python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(statistics.median(v) if v else 0)' "$@"; }

# start NAME PORT CMD...: runs a server in the background, waits until it
# answers on PORT, and sets SERVER_PID.
start() {
  local name=$1 port=$2; shift 2
  "$@" >"$work/$name.log" 2>&1 &
  SERVER_PID=$!
  pids+=("$SERVER_PID")
  for _ in $(seq 200); do
    if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.1).close()' "$port" 2>/dev/null; then
      return
    fi
    sleep 0.05
  done
  log "$name did not start; its log:"; cat "$work/$name.log" >&2; exit 1
}
stop() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }

# CPU ticks (user+system) of a process and its children (nginx's workers).
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
rss_kib() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }

nginx_conf() {
  mkdir -p "$work/nginx"
  sed -e "s#TLSPORT#$(($1 + 1000))#; s#PORT#$1#; s#PREFIX#$work/nginx#g" "scripts/bench/${2:-nginx.conf}" >"$work/nginx/nginx.conf"
  echo "$work/nginx/nginx.conf"
}
# One ECDSA P-256 certificate for both HTTPS servers, so that each signs
# the same kind of handshake.
mkdir -p "$work/nginx"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$work/nginx/key.pem" -out "$work/nginx/cert.pem" 2>/dev/null

# server_cmd KIND PORT: the command line of each server under test. A
# `base-` kind is the `rawnet-` one run with the BASELINE binary.
server_cmd() {
  case $1 in
    base-*)        server_cmd "rawnet-${1#base-}" "$2" | sed "s#^$RAWNET #$BASELINE #" ;;
    rawnet-http)   echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --mode http --body hello,world" ;;
    rawnet-http-1) echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --mode http --body hello,world --threads 1" ;;
    rawnet-echo)   echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --mode echo" ;;
    rawnet-echo-1) echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --mode echo --threads 1" ;;
    rawnet-raw)    echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --mode raw" ;;
    rawnet-ws)     echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --mode http" ;;
    rawnet-ws-1)   echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --mode http --threads 1" ;;
    rawnet-idle)   echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --max-connections 20000" ;;
    rawnet-tls)    echo "$RAWNET --quiet --host 127.0.0.1 --port $2 --mode http --body hello,world --tls --cert $work/nginx/cert.pem --key $work/nginx/key.pem --max-connections 20000" ;;
    nginx-tls)     echo "nginx -c $(nginx_conf "$2" nginx-tls.conf)" ;;
    nginx-h2)      echo "nginx -c $(nginx_conf "$2" nginx-h2.conf)" ;;
    node-http)     echo "node scripts/bench/node-http.js $2" ;;
    node-echo)     echo "node scripts/bench/node-echo.js $2" ;;
    node-pipe)     echo "node scripts/bench/node-pipe.js $2" ;;
    node-ws)       echo "node scripts/bench/node-ws.js $2" ;;
    nginx)         echo "nginx -c $(nginx_conf "$2")" ;;
  esac
}

declare -A results
record() { results[$1]="${results[$1]:-} $2"; }

port=$BASE_PORT
next_port() { port=$((port + 1)); }
# with_base KIND...: the kinds, each followed by its baseline twin when
# BASELINE is set.
with_base() { local k; for k in "$@"; do echo "$k"; if [ -n "$BASELINE" ]; then echo "base-${k#rawnet-}"; fi; done; }

# --- scenarios -------------------------------------------------------------
wrk_rps() { wrk "$@" | awk '/Requests\/sec/{print $2}'; }
# h2load's requests per second over SECONDS_EACH (its -D), 4 connections
# of 32 streams each.
h2_rps() { h2load -D "$SECONDS_EACH" -c 4 -m 32 -t 1 "$1" 2>/dev/null | awk '/^finished in/{gsub(",", "", $4); print $4}'; }
bench_field() { awk -v f="$1" -F': ' '$1 == f {print $2}' "$work/bench.out"; }

for round in $(seq "$ROUNDS"); do
  log "round $round of $ROUNDS"

  # HTTP keep-alive, and CPU per request.
  for s in $(with_base rawnet-http rawnet-http-1) node-http nginx; do
    next_port; start "$s" "$port" $(server_cmd "$s" "$port")
    before=$(cpu_ticks "$SERVER_PID")
    rps=$(wrk_rps -t1 -c64 -d"${SECONDS_EACH}s" "http://127.0.0.1:$port/")
    after=$(cpu_ticks "$SERVER_PID")
    record "keepalive-$s" "$rps"
    # microseconds of server CPU per request (ticks are 1/100 s)
    record "cpu-$s" "$(python3 -c "print(($after - $before) * 10000 / ($rps * $SECONDS_EACH))")"
    stop
  done

  # HTTP pipelined 16 deep.
  for s in $(with_base rawnet-http) nginx; do
    next_port; start "$s" "$port" $(server_cmd "$s" "$port")
    record "pipelined-$s" "$(wrk_rps -t1 -c64 -d"${SECONDS_EACH}s" -s scripts/bench/pipeline.lua "http://127.0.0.1:$port/" -- 16)"
    stop
  done

  # Echo ping-pong, 64 B x 32 connections, the tutorial's protocol.
  for s in $(with_base rawnet-echo rawnet-echo-1) node-echo; do
    next_port; start "$s" "$port" $(server_cmd "$s" "$port")
    "$RAWNET" bench --threads 1 --host 127.0.0.1 --port "$port" --mode echo --size 64 --connections 32 \
      --duration "$SECONDS_EACH" >"$work/bench.out" 2>/dev/null
    record "echo-$s" "$(bench_field requests/s)"
    stop
  done

  # WebSocket echo: an upgrade per connection, then masked 64 B text
  # messages, each answered `You said "<message>"` in one frame.
  for s in rawnet-ws rawnet-ws-1 node-ws; do
    next_port; start "$s" "$port" $(server_cmd "$s" "$port")
    "$RAWNET" bench --threads 1 --host 127.0.0.1 --port "$port" --mode ws --size 64 --connections 32 \
      --duration "$SECONDS_EACH" >"$work/bench.out" 2>/dev/null
    record "ws-$s" "$(bench_field requests/s)"
    stop
  done

  # Raw echo streaming 64 KiB writes.
  for s in $(with_base rawnet-raw) node-pipe; do
    next_port; start "$s" "$port" $(server_cmd "$s" "$port")
    "$RAWNET" bench --threads 1 --host 127.0.0.1 --port "$port" --mode raw --size 65536 --connections 8 \
      --duration "$SECONDS_EACH" >"$work/bench.out" 2>/dev/null
    record "raw-$s" "$(bench_field 'MB/s received')"
    stop
  done

  # HTTPS: keep-alive requests, then a new TLS connection (a full
  # handshake: wrk resumes no session) for each request, then memory per
  # idle HTTPS connection, rawnet --tls against nginx, same certificate.
  # (No BASELINE twin: a build from before --tls has none.)
  for s in rawnet-tls nginx-tls; do
    next_port; start "$s" "$port" $(server_cmd "$s" "$port")
    record "tlska-$s" "$(wrk_rps -t1 -c64 -d"${SECONDS_EACH}s" "https://127.0.0.1:$port/")"
    record "tlshs-$s" "$(wrk_rps -t1 -c64 -d"${SECONDS_EACH}s" -H 'Connection: close' "https://127.0.0.1:$port/")"
    sleep 0.5
    # nginx spreads connections over its 2 workers: count them all.
    rss_all() { local total=0 p; for p in ${1:-$SERVER_PID}; do total=$((total + $(rss_kib "$p"))); done; echo "$total"; }
    procs=$SERVER_PID
    if [ "$s" = nginx-tls ]; then procs=$(pgrep -P "$SERVER_PID" | tr '\n' ' '); fi
    before=$(rss_all "$procs")
    coproc IDLE { python3 scripts/bench/idle.py "$port" -n "$TLS_IDLE_CONNECTIONS" --hold 120 --tls; }
    read -r _ _ <&"${IDLE[0]}"
    sleep 3
    after=$(rss_all "$procs")
    record "tlsidle-$s" "$(python3 -c "print(($after - $before) * 1024 / $TLS_IDLE_CONNECTIONS)")"
    eval "exec ${IDLE[1]}>&-"
    wait "$IDLE_PID" 2>/dev/null || true
    stop
  done

  # HTTP/2: many streams on few connections (h2load -c4 -m32), h2c with
  # prior knowledge and h2 over TLS, rawnet --tls (both on one port)
  # against nginx (h2c on one port, TLS on another).
  for s in rawnet-tls nginx-h2; do
    next_port; start "$s" "$port" $(server_cmd "$s" "$port")
    tls_port=$port; [ "$s" = nginx-h2 ] && tls_port=$((port + 1000))
    record "h2c-$s" "$(h2_rps "http://127.0.0.1:$port/")"
    record "h2tls-$s" "$(h2_rps "https://127.0.0.1:$tls_port/")"
    stop
  done

  # RSS per idle connection.
  for s in $(with_base rawnet-idle) node-echo; do
    next_port; start "$s" "$port" $(server_cmd "$s" "$port")
    sleep 0.5
    before=$(rss_kib "$SERVER_PID")
    coproc IDLE { python3 scripts/bench/idle.py "$port" -n "$IDLE_CONNECTIONS" --hold 120; }
    read -r _ _ <&"${IDLE[0]}"   # "open N"
    # Let the server accept and settle every connection.
    sleep 3
    after=$(rss_kib "$SERVER_PID")
    record "idle-$s" "$(python3 -c "print(($after - $before) * 1024 / $IDLE_CONNECTIONS)")"
    eval "exec ${IDLE[1]}>&-"
    wait "$IDLE_PID" 2>/dev/null || true
    stop
  done
done

# Start-up: from exec to the `listening on` line, 21 times.
startup() {
  python3 - "$@" <<'EOF'
import statistics, subprocess, sys, time
times = []
for _ in range(21):
    start = time.perf_counter()
    p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdout.readline()
    times.append((time.perf_counter() - start) * 1000)
    p.kill(); p.wait()
print(f"{statistics.median(times):.2f}")
EOF
}
record "startup-rawnet" "$(startup "$RAWNET" --quiet --host 127.0.0.1 --port 0)"
record "startup-node" "$(startup node scripts/bench/node-echo.js 0)"
record "startup-true" "$(startup /bin/echo listening)"

# --- the table ---------------------------------------------------------------
m() { median ${results[$1]}; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}x' if b else 'n/a')" "$1" "$2"; }
fmt() { python3 -c "import sys; v=float(sys.argv[1]); print(f'{v:,.{int(sys.argv[2])}f}')" "$1" "$2"; }

ka=$(m keepalive-rawnet-http); ka1=$(m keepalive-rawnet-http-1); kn=$(m keepalive-node-http); kx=$(m keepalive-nginx)
pr=$(m pipelined-rawnet-http); px=$(m pipelined-nginx)
er=$(m echo-rawnet-echo); er1=$(m echo-rawnet-echo-1); en=$(m echo-node-echo)
wr=$(m ws-rawnet-ws); wr1=$(m ws-rawnet-ws-1); wn=$(m ws-node-ws)
rr=$(m raw-rawnet-raw); rn=$(m raw-node-pipe)
ir=$(m idle-rawnet-idle); in=$(m idle-node-echo)
cr=$(m cpu-rawnet-http); cr1=$(m cpu-rawnet-http-1); cx=$(m cpu-nginx); cn=$(m cpu-node-http)
sr=$(m startup-rawnet); sn=$(m startup-node); st=$(m startup-true)
tka=$(m tlska-rawnet-tls); tkx=$(m tlska-nginx-tls); ths=$(m tlshs-rawnet-tls); thx=$(m tlshs-nginx-tls)
tir=$(m tlsidle-rawnet-tls); tix=$(m tlsidle-nginx-tls)
h2r=$(m h2c-rawnet-tls); h2x=$(m h2c-nginx-h2); h2tr=$(m h2tls-rawnet-tls); h2tx=$(m h2tls-nginx-h2)

cat <<EOF

Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); load generator on the same machine.
Medians of $ROUNDS alternating rounds of ${SECONDS_EACH}s; rawnet $("$RAWNET" --version | cut -d' ' -f2), $(node --version | sed 's/^/Node /') (ws $(node -p "require('./scripts/bench/node_modules/ws/package.json').version")), $(nginx -v 2>&1 | sed 's#.*/#nginx #').

| scenario | rawnet | reference | ratio | target |
|---|---:|---:|---:|---|
| HTTP keep-alive req/s (wrk -t1 -c64) | $(fmt "$ka" 0) | Node http $(fmt "$kn" 0) | $(ratio "$ka" "$kn") | ≥ 2.0x |
| | | nginx $(fmt "$kx" 0) | $(ratio "$ka" "$kx") | ≥ 1.0x |
| HTTP keep-alive req/s, rawnet --threads 1 | $(fmt "$ka1" 0) | nginx $(fmt "$kx" 0) | $(ratio "$ka1" "$kx") | (for comparison) |
| HTTP pipelined x16 req/s | $(fmt "$pr" 0) | nginx $(fmt "$px" 0) | $(ratio "$pr" "$px") | ≥ 5x |
| echo ping-pong 64 B x 32 conns, round trips/s | $(fmt "$er" 0) | tutorial's Node server $(fmt "$en" 0) | $(ratio "$er" "$en") | ≥ 1.3x |
| echo ping-pong, rawnet --threads 1 | $(fmt "$er1" 0) | tutorial's Node server $(fmt "$en" 0) | $(ratio "$er1" "$en") | (for comparison) |
| WebSocket echo 64 B x 32 conns msgs/s | $(fmt "$wr" 0) | Node ws $(fmt "$wn" 0) | $(ratio "$wr" "$wn") | (for comparison) |
| WebSocket echo, rawnet --threads 1 | $(fmt "$wr1" 0) | Node ws $(fmt "$wn" 0) | $(ratio "$wr1" "$wn") | (for comparison) |
| raw echo stream 64 KiB writes, MB/s | $(fmt "$rr" 0) | Node pipe $(fmt "$rn" 0) | $(ratio "$rr" "$rn") | ≥ 1.6x |
| RSS per idle connection ($IDLE_CONNECTIONS open), bytes | $(fmt "$ir" 0) | Node net $(fmt "$in" 0) | $(ratio "$ir" "$in") | ≤ 1 KiB |
| server CPU per HTTP request, µs | $(fmt "$cr" 2) | nginx $(fmt "$cx" 2) (Node $(fmt "$cn" 2)) | $(ratio "$cr" "$cx") | ≤ nginx |
| server CPU per HTTP request, rawnet --threads 1, µs | $(fmt "$cr1" 2) | nginx $(fmt "$cx" 2) | $(ratio "$cr1" "$cx") | (for comparison) |
| HTTPS keep-alive req/s (wrk -t1 -c64), ECDSA P-256 | $(fmt "$tka" 0) | nginx $(fmt "$tkx" 0) | $(ratio "$tka" "$tkx") | ≥ 1.0x |
| TLS handshakes/s (a new connection per request) | $(fmt "$ths" 0) | nginx $(fmt "$thx" 0) | $(ratio "$ths" "$thx") | ≥ 1.0x |
| RSS per idle HTTPS connection ($TLS_IDLE_CONNECTIONS open), bytes | $(fmt "$tir" 0) | nginx $(fmt "$tix" 0) | $(ratio "$tir" "$tix") | ≤ nginx |
| HTTP/2 h2c req/s (h2load -c4 -m32) | $(fmt "$h2r" 0) | nginx $(fmt "$h2x" 0) | $(ratio "$h2r" "$h2x") | ≥ 1.0x |
| HTTP/2 over TLS req/s (h2load -c4 -m32) | $(fmt "$h2tr" 0) | nginx $(fmt "$h2tx" 0) | $(ratio "$h2tr" "$h2tx") | ≥ 1.0x |
| start-up to \`listening\` line, ms | $(fmt "$sr" 2) | Node $(fmt "$sn" 2) (spawning echo: $(fmt "$st" 2)) | | ≤ 10 ms |
EOF

# --- this build against BASELINE ----------------------------------------------
if [ -n "$BASELINE" ]; then
  row() { # LABEL KEY KIND DIGITS: this build, the baseline, and their ratio
    local a b; a=$(m "$2-rawnet-$3"); b=$(m "$2-base-$3")
    echo "| $1 | $(fmt "$a" "$4") | $(fmt "$b" "$4") | $(ratio "$a" "$b") |"
  }
  cat <<EOF

This build against BASELINE ($BASELINE), same rounds:

| scenario | this build | baseline | ratio |
|---|---:|---:|---:|
$(row "HTTP keep-alive req/s" keepalive http 0)
$(row "HTTP keep-alive req/s, --threads 1" keepalive http-1 0)
$(row "HTTP pipelined x16 req/s" pipelined http 0)
$(row "echo ping-pong round trips/s" echo echo 0)
$(row "echo ping-pong, --threads 1" echo echo-1 0)
$(row "raw echo stream MB/s" raw raw 0)
$(row "RSS per idle connection, bytes" idle idle 0)
$(row "server CPU per HTTP request, µs" cpu http 2)
$(row "server CPU per HTTP request, --threads 1, µs" cpu http-1 2)
EOF
fi
