//! Fuzzes the HTTP/2 session: the input is the client's frames after a
//! valid start (the preface, an empty SETTINGS and, as the first byte
//! says, a first request), cut into pieces (the first byte says how too),
//! through the whole connection handler in memory. A crash is a panic;
//! rawnet's answer must also pass `tests/h2_check`: well-formed frames,
//! SETTINGS first, nothing after a GOAWAY, every header block decodable
//! by an HPACK decoder kept across the connection, no DATA past the
//! client's windows, no response left hanging with room to send it.
//!
//! Run with `scripts/fuzz.sh 600 h2` (needs nightly and cargo-fuzz).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rawnet::protocol::Mode;
use rawnet::settings::Settings;

// The checker the property test uses too, taken in by its path: the fuzz
// crate is a workspace of its own, and cannot use the tests' modules.
#[path = "../../tests/h2_check/mod.rs"]
mod h2_check;

use h2_check::{frame, Client, END_HEADERS, END_STREAM, HEADERS, PREFACE, SETTINGS};

/// `:method GET` (static index 2), `:scheme http` (6), `:path /` (4),
/// then `:authority x` as a literal without indexing, name index 1: a
/// first request that leaves HPACK's dynamic table empty.
const GET: &[u8] = &[0x82, 0x86, 0x84, 0x01, 0x01, b'x'];

/// The same as a POST (static index 3), whose body the fuzzer may send.
const POST: &[u8] = &[0x83, 0x86, 0x84, 0x01, 0x01, b'x'];

/// `GET /?size=100000`: a body past the first 65,535-byte window, so that
/// the response waits for the fuzzer's WINDOW_UPDATEs. The path as a
/// literal without indexing, name index 4.
const SIZED: &[u8] = &[
    0x82, 0x86, 0x04, 13, b'/', b'?', b's', b'i', b'z', b'e', b'=', b'1', b'0', b'0', b'0', b'0',
    b'0',
];

fuzz_target!(|data: &[u8]| {
    let Some((&how, frames)) = data.split_first() else {
        return;
    };
    // The low four bits: pieces of 1 to 16 bytes. The next two: which
    // first request, if any, on stream 1. The next one: the mode.
    let piece = usize::from(how % 16) + 1;
    let first = match (how >> 4) & 3 {
        0 => Vec::new(),
        1 => frame(HEADERS, END_STREAM | END_HEADERS, 1, GET),
        2 => frame(HEADERS, END_HEADERS, 1, POST),
        _ => frame(HEADERS, END_STREAM | END_HEADERS, 1, SIZED),
    };
    let after_preface = [&frame(SETTINGS, 0, 0, &[])[..], &first, frames].concat();
    let mut config = Settings::default();
    // Small, so that the fuzzer reaches the limits often.
    config.http.max_head = 1024;
    config.http.max_body = 4096;
    config.http.knobs.max_size = 200_000;
    // The next bit: HTTP mode or auto mode. HTTP mode takes the preface
    // only whole in the first read, as HTTP/2 clients send it (it keeps
    // no bytes back: `sniff::tls_or_http`); auto mode waits for the rest
    // of one, so there the preface is cut too.
    let chunks: Vec<Vec<u8>> = if how & 0x40 == 0 {
        config.conn.mode = Mode::Http;
        let rest = after_preface.chunks(piece).map(<[u8]>::to_vec);
        std::iter::once(PREFACE.to_vec()).chain(rest).collect()
    } else {
        config.conn.mode = Mode::Auto;
        let input = [PREFACE, &after_preface].concat();
        input.chunks(piece).map(<[u8]>::to_vec).collect()
    };
    let output = rawnet::in_memory::serve(chunks, &config);
    let client = Client::read(&after_preface);
    if let Err(problem) = h2_check::check(&output, &client) {
        panic!("{problem}\noutput: {output:02x?}");
    }
});
