//! Fuzzes the whole connection handler in memory: the input is split into
//! chunks (the first byte says how) and served in every mode. A crash is a
//! panic; for HTTP, every response must also be self-delimiting.
//!
//! Run with scripts/fuzz.sh (needs nightly and cargo-fuzz).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rawnet::protocol::Mode;
use rawnet::server::Config;

fuzz_target!(|data: &[u8]| {
    let Some((&how, input)) = data.split_first() else {
        return;
    };
    // Cut the input into pieces of 1 to 16 bytes, so the same bytes are
    // also tried arriving in fragments.
    let piece = usize::from(how % 16) + 1;
    let chunks: Vec<Vec<u8>> = input.chunks(piece).map(<[u8]>::to_vec).collect();
    for mode in [Mode::Http, Mode::Auto, Mode::Echo, Mode::Raw] {
        let mut config = Config {
            mode,
            ..Config::default()
        };
        config.http.max_head = 1024;
        config.http.max_body = 4096;
        let output = rawnet::in_memory::serve(chunks.clone(), &config);
        match mode {
            Mode::Raw => assert_eq!(output, input),
            Mode::Http => check_responses(&output),
            _ => {}
        }
    }
});

/// Every response: an HTTP/1.1 status line, CRLF-ended headers, and exactly
/// Content-Length bytes of body (none for 100 Continue).
fn check_responses(mut rest: &[u8]) {
    while !rest.is_empty() {
        assert!(
            rest.starts_with(b"HTTP/1.1 "),
            "not a status line: {:?}",
            String::from_utf8_lossy(rest)
        );
        let end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete head");
        let head = std::str::from_utf8(&rest[..end]).expect("an ASCII head");
        let status: u16 = head[9..12].parse().expect("a status code");
        let length = if status == 100 {
            0
        } else {
            head.split("\r\n")
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .expect("Content-Length")
                .parse::<usize>()
                .expect("a number")
        };
        assert!(
            rest.len() >= end + 4 + length,
            "body shorter than Content-Length"
        );
        rest = &rest[end + 4 + length..];
    }
}
