//! Property tests: thousands of random and mutated requests, split into
//! random chunks, through the real connection handler in memory
//! (`rawnet::in_memory`). For every input: no panic, every HTTP response
//! parses as HTTP/1.1 and is self-delimiting, errors close the connection,
//! and the handler's memory stays bounded. After a WebSocket upgrade, any
//! frames (good, broken, random) cut anywhere get the same well-formed
//! server frames back, whatever the cut.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use proptest::prelude::*;
use rawnet::client::wire;
use rawnet::protocol::Mode;
use rawnet::settings::Settings;

/// Counts live heap bytes and their peak, to show memory is bounded. This
/// is the one `unsafe` in the project: `GlobalAlloc` is an unsafe trait,
/// and this implementation only forwards to the system allocator.
///
/// The counts are per thread: the tests run in parallel, and the in-memory
/// connection runs on the test's own thread (`smol::block_on`), so each
/// test sees only its own allocations.
struct Counting;

thread_local! {
    // `const` and without a destructor, so using them inside the allocator
    // never allocates.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|live| {
            live.set(live.get() + layout.size() as isize);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
        });
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get() - layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result and the most heap it held at once
/// beyond what was live before, on this thread.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(before));
    let result = f();
    let peak = PEAK.with(Cell::get) - before;
    (result, peak.max(0) as usize)
}

fn config(mode: Mode) -> Settings {
    let mut config = Settings::default();
    config.conn.mode = mode;
    // Small limits, so that random inputs cross them often.
    config.http.max_head = 1024;
    config.http.max_body = 4096;
    config
}

/// Pieces requests are made of: mostly right, sometimes subtly wrong.
fn request() -> impl Strategy<Value = Vec<u8>> {
    // No HEAD: its response has GET's Content-Length and no body, which the
    // checker below cannot tell apart without the request (the integration
    // tests cover HEAD).
    let method = prop::sample::select(vec![
        "GET", "POST", "PUT", "OPTIONS", "CONNECT", "get", "G\0T", "",
    ]);
    let target = prop::sample::select(vec![
        "/",
        "/a?b=c",
        "/?format=json",
        "*",
        "example.com:443",
        "/\u{ff}",
        "",
        "/x y",
        // Knobs (not `?drip`: to HTTP/1.0 its body ends with the
        // connection, by design, which this checker cannot tell; and no
        // 4xx or 5xx, which it takes for a refusal that must close).
        "/k?status=299&header=X-T:1",
        "/k?size=300&status=201",
        "/k?status=99",
        "/k?header=Connection:x",
        "/k?status=204&header=X:%0d",
    ]);
    let version = prop::sample::select(vec![
        "HTTP/1.1",
        "HTTP/1.0",
        "HTTP/2.0",
        "http/1.1",
        "HTTP/1.1 ",
    ]);
    let header = prop::sample::select(vec![
        "Host: x",
        "Host: a b",
        "Host: x",
        "Content-Length: 5",
        "Content-Length: +5",
        "Content-Length: 5, 6",
        "Content-Length: 99999999999999999999",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: gzip, chunked",
        "Connection: close",
        "Connection: keep-alive",
        "Expect: 100-continue",
        "Expect: nope",
        "Accept: text/html",
        "Accept: application/json",
        "Forwarded: for=\"[::1]:1\";by=_x, for=unknown;proto=\"a\\\"b\"",
        "X-Forwarded-For: 1.2.3.4, ,\u{ff}",
        "Via: 1.1 a (b, (c)",
        "X-Real-IP:",
        "X-Folded: a\r\n b",
        "Bad Name: x",
        "X: a\rb",
        ": empty",
    ]);
    let body = prop::sample::select(vec![
        "",
        "hello",
        "5\r\nhello\r\n0\r\n\r\n",
        "0x5\r\nhello\r\n0\r\n\r\n",
        "5\nhello\r\n0\r\n\r\n",
        "fffffffffffffffff\r\n",
    ]);
    let eol = prop::sample::select(vec!["\r\n", "\n"]);
    (
        method,
        target,
        version,
        prop::collection::vec(header, 0..6),
        body,
        eol,
    )
        .prop_map(|(method, target, version, headers, body, eol)| {
            let mut raw = format!("{method} {target} {version}{eol}");
            for header in headers {
                raw.push_str(header);
                raw.push_str(eol);
            }
            raw.push_str(eol);
            raw.push_str(body);
            raw.into_bytes()
        })
}

/// Requests (pipelined), then random damage: flipped, inserted and
/// removed bytes, or plain random bytes.
fn input() -> impl Strategy<Value = Vec<u8>> {
    let requests = || prop::collection::vec(request(), 1..4).prop_map(|r| r.concat());
    let mutated = (
        requests(),
        prop::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 0..6),
    )
        .prop_map(|(mut bytes, edits)| {
            for (at, byte, kind) in edits {
                if bytes.is_empty() {
                    break;
                }
                let at = at % bytes.len();
                match kind {
                    0 => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            bytes
        });
    prop_oneof![
        3 => requests(),
        4 => mutated,
        1 => prop::collection::vec(any::<u8>(), 0..3000),
    ]
}

/// `input` cut into chunks at random points.
fn split(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut last = 0;
    for point in points.into_iter().chain([input.len()]) {
        chunks.push(input[last..point].to_vec());
        last = point;
    }
    chunks
}

/// Takes `output` apart as HTTP/1.1 responses with `rawnet::client::wire`
/// (by hand, not httparse): each must be strict and self-delimiting, and
/// an error response must be the last one and say `Connection: close`.
/// Returns the statuses, or what is wrong.
fn responses(output: &[u8]) -> Result<Vec<u16>, String> {
    let mut rest = output;
    let mut statuses = Vec::new();
    while !rest.is_empty() {
        if statuses.last().is_some_and(|&s: &u16| s >= 400) {
            return Err("bytes after an error response, which must close".into());
        }
        let (response, used) = wire::split_closed(rest, false).map_err(|p| p.to_string())?;
        if response.status >= 400 && response.header("Connection") != Some("close") {
            return Err(format!("{} without Connection: close", response.status));
        }
        statuses.push(response.status);
        rest = &rest[used..];
    }
    Ok(statuses)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn http_mode_answers_anything_with_self_delimiting_responses(
        input in input(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let chunks = split(&input, &cuts);
        let (output, peak) = peak_heap(|| rawnet::in_memory::serve(chunks, &config(Mode::Http)));
        // Input at most ~12 KiB, body limit 4 KiB, head limit 1 KiB: the
        // handler's buffers stay far below this whatever the bytes are.
        prop_assert!(peak < 512 * 1024, "peak heap {peak} bytes for {} input bytes", input.len());
        prop_assert!(output.len() < 64 * 1024 + 16 * input.len());
        // A TLS ClientHello or HTTP/2's preface gets its own protocol's
        // answer (an alert, GOAWAY), not HTTP/1.1 responses.
        prop_assume!(!input.starts_with(&[0x16, 0x03]) && !input.starts_with(b"PRI * HTTP/2.0"));
        prop_assume!(!input.starts_with(b"PROXY") && !input.starts_with(b"\r\n\r\n\0\r\nQUIT\n"));
        if let Err(problem) = responses(&output) {
            return Err(TestCaseError::fail(format!(
                "{problem}\ninput: {:?}\noutput: {:?}",
                String::from_utf8_lossy(&input),
                String::from_utf8_lossy(&output)
            )));
        }
    }

    #[test]
    fn every_mode_survives_anything(
        input in input(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
        mode in prop::sample::select(vec![Mode::Auto, Mode::Echo, Mode::Raw]),
    ) {
        let output = rawnet::in_memory::serve(split(&input, &cuts), &config(mode));
        match mode {
            Mode::Raw => prop_assert_eq!(output, input),
            Mode::Echo => {
                // One `You said "..."` frame per chunk, byte for byte.
                let expected: Vec<u8> = split(&input, &cuts)
                    .into_iter()
                    .filter(|c| !c.is_empty())
                    .flat_map(|c| [&b"You said \""[..], &c, b"\"\r\n"].concat())
                    .collect();
                prop_assert_eq!(output, expected);
            }
            _ => prop_assert!(output.is_empty() || output.starts_with(b"HTTP/1.1 ") || output.starts_with(b"You said \"")),
        }
    }
}

/// The property tests' `--max-body` (see `config`).
const MAX_BODY: u64 = 4096;

/// Numbers where arithmetic on what a client sent goes wrong: 0 and 1, the
/// body limit and its neighbours, 2^32, 2^63, 2^64 - 1, and past u64.
fn edge_number() -> impl Strategy<Value = u128> {
    prop::sample::select(vec![
        0,
        1,
        MAX_BODY as u128 - 1,
        MAX_BODY as u128,
        MAX_BODY as u128 + 1,
        1 << 32,
        1 << 63,
        u64::MAX as u128 - 1,
        u64::MAX as u128,
        u64::MAX as u128 + 1,
        u128::MAX,
    ])
}

/// How many body bytes actually follow: none, a few, around the limit,
/// three times it, or 1 MiB (what a wrapped-around limit would keep).
fn body_length() -> impl Strategy<Value = usize> {
    prop::sample::select(vec![0, 5, 4095, 4096, 4097, 3 * 4096, 1 << 20])
}

/// A request that declares an edge number as its Content-Length, or as the
/// size of a chunk after a first one, followed by `sent` bytes.
fn declared_size_request(declared: u128, chunked: bool, first_chunk: u64, sent: usize) -> Vec<u8> {
    let mut raw = if chunked {
        let data = "A".repeat(first_chunk as usize);
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{first_chunk:x}\r\n{data}\r\n{declared:X}\r\n"
        )
        .into_bytes()
    } else {
        format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n").into_bytes()
    };
    raw.resize(raw.len() + sent, b'A');
    raw
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// The audit's class of bug: sizes near 2^64 in Content-Length and chunk
    /// sizes, with bodies past `--max-body`. Whatever is declared and sent,
    /// the answer is right (400 for a number that is not one, 413 past the
    /// limit, before the data is kept) and the handler never holds much
    /// more than the limit.
    #[test]
    fn declared_sizes_never_buy_memory_past_the_limit(
        declared in edge_number(),
        chunked in any::<bool>(),
        first_chunk in prop::sample::select(vec![1u64, 100, MAX_BODY]),
        sent in body_length(),
        cuts in prop::collection::vec(any::<usize>(), 0..4),
    ) {
        let input = declared_size_request(declared, chunked, first_chunk, sent);
        let chunks = split(&input, &cuts);
        let (output, peak) = peak_heap(|| rawnet::in_memory::serve(chunks, &config(Mode::Http)));
        // The limit, one head, one 64 KiB read, its thread's read buffer
        // and the rest of the handler: nowhere near the 1 MiB a wrapped
        // limit would keep.
        prop_assert!(peak < 384 * 1024, "peak heap {peak} bytes");
        let statuses = responses(&output).map_err(TestCaseError::fail)?;
        let fits_u64 = declared <= u64::MAX as u128;
        let expected = if chunked {
            let room = MAX_BODY - first_chunk;
            match declared {
                // 17 hex digits and more: bad framing.
                _ if !fits_u64 => Some(400),
                d if d > room as u128 => Some(413),
                // Within the limit the data never completes the body
                // (no CRLF after it; after a last chunk, `AAA...` is an
                // unfinished trailer line): the client ends first.
                _ => None,
            }
        } else {
            match declared {
                _ if !fits_u64 => Some(400),
                d if d > MAX_BODY as u128 => Some(413),
                d if (sent as u128) >= d => Some(200),
                // The client ended inside its body: nobody to answer.
                _ => None,
            }
        };
        if let Some(status) = expected {
            prop_assert_eq!(statuses.first().copied(), Some(status), "{:?}", String::from_utf8_lossy(&output));
        }
    }
}

/// Nothing stays behind when a connection ends: after a first connection
/// has made this thread's one-off buffers, thousands more in every mode
/// leave the heap exactly where it was. (A long fuzz run's growing memory
/// is its corpus, not the handler.)
#[test]
fn a_finished_connection_leaves_nothing_on_the_heap() {
    let inputs: Vec<Vec<u8>> =
        vec![
        b"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n".to_vec(),
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
            .to_vec(),
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\nx".to_vec(),
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\n\r\n".to_vec(),
        b"hello\n".to_vec(),
        b"\x16\x03\x01\x00\x05hello".to_vec(),
        b"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n".to_vec(),
        [UPGRADE, b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58\x01\x81\0\0\0\0a"].concat(),
    ];
    let modes = [Mode::Http, Mode::Auto, Mode::Echo, Mode::Raw];
    let serve_all = || {
        for mode in modes {
            for input in &inputs {
                let chunks = split(input, &[input.len() / 2]);
                rawnet::in_memory::serve(chunks, &config(mode));
            }
        }
    };
    serve_all();
    let before = LIVE.with(Cell::get);
    for _ in 0..300 {
        serve_all();
    }
    let after = LIVE.with(Cell::get);
    assert_eq!(after, before, "{} bytes stayed behind", after - before);
}

/// A valid WebSocket handshake, `?explain` on, so every frame is also
/// described (the most output a frame can cause).
const UPGRADE: &[u8] = b"GET /?explain HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// rawnet's 101 for that key.
#[cfg(feature = "websocket")]
const SWITCHING: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

/// One client frame: a first byte that is mostly right (FIN or not, each
/// opcode, sometimes RSV bits or a reserved opcode), masked or not, with a
/// payload that is often text and sometimes not UTF-8.
#[cfg(feature = "websocket")]
fn ws_frame() -> impl Strategy<Value = Vec<u8>> {
    let first = prop::sample::select(vec![
        0x81u8, 0x82, 0x01, 0x02, 0x00, 0x80, 0x89, 0x8a, 0x88, 0x09, 0xc1, 0x83, 0x8b,
    ]);
    let payload = prop_oneof![
        4 => "[a-zé ]{0,40}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..300),
        1 => prop::sample::select(vec![vec![0x03, 0xe8], vec![0x03], vec![0x03, 0xed], vec![0x03, 0xe8, 0xff]]),
    ];
    (first, payload, any::<[u8; 4]>(), prop::bool::weighted(0.95)).prop_map(
        |(first, payload, mask, masked)| {
            let mut frame = vec![first];
            let bit = if masked { 0x80 } else { 0 };
            match payload.len() {
                n @ 0..=125 => frame.push(bit | n as u8),
                n => {
                    frame.push(bit | 126);
                    frame.extend_from_slice(&(n as u16).to_be_bytes());
                }
            }
            if masked {
                frame.extend_from_slice(&mask);
            }
            frame.extend(
                payload
                    .iter()
                    .enumerate()
                    .map(|(i, b)| if masked { b ^ mask[i % 4] } else { *b }),
            );
            frame
        },
    )
}

/// Takes rawnet's side of a WebSocket apart: every frame must be a server
/// frame (FIN, no RSV, unmasked, a known opcode), and a close frame, if
/// any, the last. Returns the opcodes.
#[cfg(feature = "websocket")]
fn server_frames(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut opcodes = Vec::new();
    while !rest.is_empty() {
        if opcodes.last() == Some(&0x8) {
            return Err("bytes after a close frame".into());
        }
        let [first, second, ..] = rest else {
            return Err(format!("a cut header {rest:?}"));
        };
        if first & 0xf0 != 0x80 || second & 0x80 != 0 {
            return Err(format!(
                "not a server frame header: {first:02x} {second:02x}"
            ));
        }
        let (len, at) = match second & 0x7f {
            126 => (u16::from_be_bytes([rest[2], rest[3]]) as usize, 4),
            127 => return Err("a 64-bit length from rawnet here".into()),
            n => (usize::from(n), 2),
        };
        if rest.len() < at + len {
            return Err("a cut payload".into());
        }
        let opcode = first & 0x0f;
        if ![0x1, 0x2, 0x8, 0x9, 0xa].contains(&opcode) {
            return Err(format!("opcode {opcode:x}"));
        }
        opcodes.push(opcode);
        rest = &rest[at + len..];
    }
    Ok(opcodes)
}

#[cfg(feature = "websocket")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    /// tests/README.md cases 43 and 44.
    #[test]
    fn websocket_frames_get_the_same_answer_whatever_the_cut(
        frames in prop::collection::vec(ws_frame(), 0..12),
        garbage in prop::collection::vec(any::<u8>(), 0..20),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let input = [UPGRADE, &frames.concat(), &garbage].concat();
        let mut config = config(Mode::Auto);
        config.ws.max_message = 1000;
        let whole = rawnet::in_memory::serve([input.clone()], &config);
        let (cut, peak) = peak_heap(|| rawnet::in_memory::serve(split(&input, &cuts), &config));
        prop_assert!(peak < 256 * 1024, "peak heap {peak} bytes for {} input bytes", input.len());
        prop_assert!(whole.starts_with(SWITCHING), "{:?}", String::from_utf8_lossy(&whole));
        prop_assert_eq!(&whole, &cut);
        if let Err(problem) = server_frames(&whole[SWITCHING.len()..]) {
            return Err(TestCaseError::fail(format!("{problem}\ninput: {input:?}")));
        }
    }
}

/// Case 43: thousands of tiny frames in one read, each answered with two
/// descriptions and a pong: the session stops reading at its output
/// bound and goes on once that was sent, so every answer comes, in order.
#[test]
#[cfg(feature = "websocket")]
fn many_tiny_frames_with_explain_are_all_answered_in_order() {
    let ping = |i: u8| [0x89, 0x81, 0, 0, 0, 0, i];
    let frames: Vec<u8> = (0..3000u32).flat_map(|i| ping(i as u8)).collect();
    let input = [UPGRADE, &frames].concat();
    let output = rawnet::in_memory::serve([input], &config(Mode::Auto));
    let Ok(opcodes) = server_frames(&output[SWITCHING.len()..]) else {
        panic!("not server frames");
    };
    // A description (text), a description of the pong (text), the pong.
    let expected: Vec<u8> = (0..3000).flat_map(|_| [0x1, 0x1, 0xa]).collect();
    assert_eq!(opcodes, expected);
    let pongs: Vec<u8> = output
        .windows(3)
        .filter(|w| w[0] == 0x8a && w[1] == 1)
        .map(|w| w[2])
        .collect();
    let sent: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
    assert_eq!(pongs, sent);
}
