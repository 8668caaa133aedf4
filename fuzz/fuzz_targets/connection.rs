//! Fuzzes the whole connection handler in memory: the input is split into
//! chunks (the first byte says how) and served in every mode. A crash is a
//! panic; for HTTP, every response must also be self-delimiting.
//!
//! Run with scripts/fuzz.sh (needs nightly and cargo-fuzz).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rawnet::client::wire;
use rawnet::settings::Settings;
use rawnet::protocol::Mode;

/// rawnet's answer to a TLS ClientHello: a fatal protocol_version alert.
const TLS_ALERT: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 70];

fuzz_target!(|data: &[u8]| {
    let Some((&how, input)) = data.split_first() else {
        return;
    };
    // Cut the input into pieces of 1 to 16 bytes, so the same bytes are
    // also tried arriving in fragments.
    let piece = usize::from(how % 16) + 1;
    let chunks: Vec<Vec<u8>> = input.chunks(piece).map(<[u8]>::to_vec).collect();
    for mode in [Mode::Http, Mode::Auto, Mode::Echo, Mode::Raw] {
        let mut config = Settings::default();
        config.conn.mode = mode;
        config.http.max_head = 1024;
        config.http.max_body = 4096;
        config.http.knobs.max_size = 4096;
        let output = rawnet::in_memory::serve(chunks.clone(), &config);
        match mode {
            Mode::Raw => assert_eq!(output, input),
            // A HEAD's response has GET's Content-Length and no body, which
            // cannot be told apart without knowing the request it answers;
            // only an input with `HEAD` somewhere can hold a HEAD request.
            // What is not HTTP/1 on this port gets its own protocol's
            // answer: a TLS ClientHello a 7-byte alert, HTTP/2 its frames.
            Mode::Http if matches!(input, [0x16, 0x03, 0x00..=0x04, ..]) => {
                assert!(output.is_empty() || output == TLS_ALERT, "{output:?}")
            }
            Mode::Http if input.starts_with(b"PRI * HTTP/2.0") => {}
            // After a PROXY header comes whatever the client sent, which
            // may itself be TLS or HTTP/2.
            Mode::Http if input.starts_with(b"PROXY") || input.starts_with(b"\r\n\r\n\0\r\nQUIT\n") => {}
            // A `?drip` is cut where the script ends (the client's FIN
            // ends it), so its chunked body may be unfinished.
            Mode::Http
                if !input.windows(4).any(|w| w == b"HEAD" || w == b"drip") =>
            {
                check_responses(&output)
            }
            _ => {}
        }
    }
});

/// Every response, taken apart by `rawnet::client::wire`: an HTTP/1.1 status
/// line, CRLF-ended headers, and exactly Content-Length bytes of body (none
/// for 1xx, 204 and 304).
fn check_responses(mut rest: &[u8]) {
    while !rest.is_empty() {
        match wire::split_closed(rest, false) {
            Ok((_, used)) => rest = &rest[used..],
            Err(problem) => panic!("{problem}: {:?}", String::from_utf8_lossy(rest)),
        }
    }
}
