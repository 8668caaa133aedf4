#!/usr/bin/env bash
# Fuzzes the connection handler (fuzz/fuzz_targets/connection.rs) with
# libFuzzer through cargo fuzz, with fuzz/http.dict as its dictionary; or,
# named second, the WebSocket target (fuzz/fuzz_targets/websocket.rs:
# frames after a valid upgrade) or the HTTP/2 target
# (fuzz/fuzz_targets/h2.rs: frames after the preface, with fuzz/h2.dict).
# Needs a nightly toolchain; not part of CI.
#
#   scripts/fuzz.sh                 # 10 minutes
#   scripts/fuzz.sh 60              # 60 seconds
#   scripts/fuzz.sh 600 websocket   # the WebSocket target for 10 minutes
#   scripts/fuzz.sh 600 h2          # the HTTP/2 target for 10 minutes
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
target=${2:-connection}

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz.sh: needs a nightly toolchain (rustup toolchain install nightly)" >&2
  exit 1
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz

if [ "$target" = websocket ]; then
  # Seed with frames: the RFC's masked Hello, a fragmented text with a ping
  # between, a close with code 1000 (first byte: how to cut).
  corpus=fuzz/corpus/websocket
  mkdir -p "$corpus"
  printf '\x00\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58' >"$corpus/hello"
  printf '\x02\x01\x82\0\0\0\0ab\x89\x81\0\0\0\0p\x80\x81\0\0\0\0c' >"$corpus/fragments"
  printf '\x05\x88\x82\0\0\0\0\x03\xe8' >"$corpus/close"
  cargo +nightly fuzz run websocket "$corpus" -- -max_total_time="$seconds" -max_len=4096 -print_final_stats=1
  exit
fi

if [ "$target" = h2 ]; then
  # Seed with frames after the preface and an empty SETTINGS (first byte:
  # how to cut, and which first request on stream 1: none, a GET, a POST
  # waiting for its body, a GET of ?size=100000). A PING; settings and a
  # GET on stream 3; the POST's body; a header block in a HEADERS and a
  # CONTINUATION; the sized GET with its windows opened; a RST_STREAM.
  corpus=fuzz/corpus/h2
  mkdir -p "$corpus"
  printf '\x00\x00\x00\x08\x06\x00\x00\x00\x00\x00rawnet!!' >"$corpus/ping"
  printf '\x03\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x04\x00\x00\x01\x00\x00\x05\x00\x00\x40\x00\x00\x00\x06\x01\x05\x00\x00\x00\x03\x82\x86\x84\x01\x01x' >"$corpus/settings"
  printf '\x25\x00\x00\x05\x00\x01\x00\x00\x00\x01hello' >"$corpus/body"
  printf '\x01\x00\x00\x03\x01\x01\x00\x00\x00\x03\x82\x86\x84\x00\x00\x03\x09\x04\x00\x00\x00\x03\x01\x01x' >"$corpus/continuation"
  printf '\x37\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x04\x08\x00\x00\x00\x00\x01\x00\x01\x00\x00' >"$corpus/windows"
  printf '\x1f\x00\x00\x04\x03\x00\x00\x00\x00\x01\x00\x00\x00\x08' >"$corpus/reset"
  cargo +nightly fuzz run h2 "$corpus" -- -dict="$PWD/fuzz/h2.dict" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1
  exit
fi

# Seed the corpus with requests from the tests' vocabulary.
corpus=fuzz/corpus/connection
mkdir -p "$corpus"
printf '\x00GET / HTTP/1.1\r\nHost: x\r\n\r\n' >"$corpus/get"
printf '\x03POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' >"$corpus/chunked"
printf '\x07PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello' >"$corpus/expect"
printf '\x01GET / HTTP/1.0\nConnection: keep-alive\n\nGET /2 HTTP/1.0\n\n' >"$corpus/lf"
printf '\x00I am happyGloria.' >"$corpus/echo"
# The audit's overflow: a chunk size near 2^64 after a first chunk.
printf '\x02POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\nFFFFFFFFFFFFFFFF\r\nAAAA' >"$corpus/wrap"

cargo +nightly fuzz run connection "$corpus" -- -dict="$PWD/fuzz/http.dict" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1
