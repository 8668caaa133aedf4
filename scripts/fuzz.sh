#!/usr/bin/env bash
# Fuzzes the connection handler (fuzz/fuzz_targets/connection.rs) with
# libFuzzer through cargo fuzz, with fuzz/http.dict as its dictionary. Needs a nightly toolchain; not part of CI.
#
#   scripts/fuzz.sh            # 10 minutes
#   scripts/fuzz.sh 60         # 60 seconds
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz.sh: needs a nightly toolchain (rustup toolchain install nightly)" >&2
  exit 1
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz

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
