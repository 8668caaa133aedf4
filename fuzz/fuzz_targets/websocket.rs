//! Fuzzes a WebSocket connection after a valid upgrade: arbitrary bytes
//! as frames, cut into pieces (the first byte says how), through the whole
//! connection handler in memory. A crash is a panic; the answer must also
//! be the 101, then well-formed server frames with a close frame only
//! last, and the same however the bytes were cut.
//!
//! Run with `scripts/fuzz.sh 600 websocket` (needs nightly and cargo-fuzz).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rawnet::settings::Settings;

/// A valid handshake with `?explain`, so every frame is also described.
const UPGRADE: &[u8] = b"GET /?explain HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// rawnet's 101 for that key.
const SWITCHING: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

fuzz_target!(|data: &[u8]| {
    let Some((&how, frames)) = data.split_first() else {
        return;
    };
    let input = [UPGRADE, frames].concat();
    let mut config = Settings::default();
    // Small, so that the fuzzer reaches the limit (1009) often.
    config.ws.max_message = 4096;
    let whole = rawnet::in_memory::serve([input.clone()], &config);
    // Pieces of 1 to 16 bytes: the same frames arriving in fragments.
    let piece = usize::from(how % 16) + 1;
    let cut = rawnet::in_memory::serve(input.chunks(piece).map(<[u8]>::to_vec), &config);
    assert_eq!(whole, cut, "the answer depends on how the bytes were cut");
    let Some(mut rest) = whole.strip_prefix(SWITCHING) else {
        panic!("no 101: {:?}", String::from_utf8_lossy(&whole));
    };
    let mut closed = false;
    while !rest.is_empty() {
        assert!(!closed, "bytes after a close frame");
        let [first, second, ..] = rest else {
            panic!("a cut frame header {rest:?}");
        };
        assert_eq!(first & 0xf0, 0x80, "FIN, no RSV");
        assert_eq!(second & 0x80, 0, "a server frame is never masked");
        let (len, at) = match second & 0x7f {
            126 => (usize::from(u16::from_be_bytes([rest[2], rest[3]])), 4),
            127 => {
                let mut be = [0; 8];
                be.copy_from_slice(&rest[2..10]);
                (u64::from_be_bytes(be) as usize, 10)
            }
            n => (usize::from(n), 2),
        };
        assert!(rest.len() >= at + len, "a cut payload");
        closed = first & 0x0f == 0x8;
        rest = &rest[at + len..];
    }
});
