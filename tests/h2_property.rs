#![cfg(all(feature = "h2", feature = "knobs"))]
//! Property tests of HTTP/2: random sequences of structured frames (a
//! request's HEADERS, HPACK-encoded by a client's encoder kept across the
//! connection and sometimes cut into CONTINUATIONs, its DATA, SETTINGS,
//! PING, WINDOW_UPDATE, RST_STREAM, PRIORITY, GOAWAY, types nobody
//! defined, and any type with any flags), cut at random points, through
//! the connection handler in memory (`rawnet::in_memory`).
//!
//! For any sequence, rawnet's output must pass `h2_check`: well-formed
//! frames, SETTINGS first, nothing after a GOAWAY, header blocks an HPACK
//! decoder kept across the connection decodes, no DATA past the client's
//! windows, every response finished or reset unless a window is shut or
//! a GOAWAY ended it. And each request's page must show the path that
//! request sent, which it cannot once the two ends' HPACK tables drift
//! apart.
//!
//! The same bytes cut differently need not get the same frames back:
//! HTTP/2 is a conversation, and what rawnet has sent when the client's
//! next frame arrives changes the answer. A RST_STREAM that comes while
//! the response is still pending cancels its DATA, and one that comes
//! after it changes nothing; DATA after END_STREAM is a stream error
//! while the response is pending (half-closed, §5.1) and a connection
//! error once the stream is closed; the hundred-and-first request is
//! refused if the hundred before it are still being answered; a new
//! INITIAL_WINDOW_SIZE changes the windows of the responses still
//! pending; a connection error drops the DATA still waiting to go out.
//! So the cut is compared only for a client that does none of that
//! ([`polite`]), and then on what a client sees, not on bytes: each
//! stream's decoded fields (with its `date`, which is the clock's),
//! DATA put back together, END_STREAM or RST_STREAM, and the connection's
//! own frames in order.

mod h2_check;

use h2_check::*;
use proptest::prelude::*;
use rawnet::hpack::Encoder;
use rawnet::protocol::Mode;
use rawnet::settings::Settings;

fn config(mode: Mode) -> Settings {
    let mut config = Settings::default();
    config.conn.mode = mode;
    // Small limits, so that random sequences cross them often.
    config.http.max_head = 1024;
    config.http.max_body = 4096;
    config.http.knobs.max_size = 200_000;
    config
}

/// A stream, relative to the last one a request opened: the connection
/// (0), that stream, the next new one, an older one, an even one, an
/// idle one far ahead.
#[derive(Clone, Copy, Debug)]
enum Pick {
    Connection,
    Last,
    Next,
    Older,
    Even,
    Idle,
}

impl Pick {
    fn resolve(self, last: u32) -> u32 {
        let last = last.max(1);
        match self {
            Pick::Connection => 0,
            Pick::Last => last,
            Pick::Next => last + 2,
            Pick::Older => last.saturating_sub(2).max(1),
            Pick::Even => last + 1,
            Pick::Idle => last + 20,
        }
    }
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        1 => Just(Pick::Connection),
        5 => Just(Pick::Last),
        1 => Just(Pick::Next),
        1 => Just(Pick::Older),
        1 => Just(Pick::Even),
        1 => Just(Pick::Idle),
    ]
}

/// A request: its method, the query after its path (the path itself is
/// `/n<stream>/`, so that its page can be told from the others'), extra
/// fields, and how it is sent.
#[derive(Clone, Debug)]
struct Request {
    /// On a new stream (the usual), or again on the last one (trailers,
    /// or a mistake), or on the wrong kind of stream.
    on: Pick,
    method: &'static str,
    query: &'static str,
    extra: Vec<(&'static str, &'static str)>,
    /// END_STREAM on the HEADERS; otherwise `body`, if any, follows in
    /// DATA frames, the last with END_STREAM.
    end_stream: bool,
    body: Option<Vec<u8>>,
    /// The block cut into a HEADERS and CONTINUATIONs of this many bytes
    /// (0: whole).
    split: usize,
    /// The PRIORITY flag's fields, depending on itself if `true`.
    priority: Option<bool>,
    pad: Option<u8>,
}

/// One thing the client sends.
#[derive(Clone, Debug)]
enum Step {
    Request(Request),
    Data {
        on: Pick,
        len: usize,
        end_stream: bool,
        pad: Option<u8>,
    },
    Settings(Vec<(u16, u32)>),
    SettingsAck,
    Ping([u8; 8], bool),
    WindowUpdate(Pick, u32),
    RstStream(Pick, u32),
    Priority(Pick, u32, usize),
    Continuation(Pick, Vec<u8>, bool),
    GoAway(u32, u32),
    /// A type no RFC defines (§5.5: ignored).
    Unknown(u8, u8, Pick, Vec<u8>),
    /// Any defined type with any flags and payload.
    Raw(u8, u8, Pick, Vec<u8>),
}

const QUERIES: [&str; 10] = [
    "",
    "?size=70000",
    "?size=1000",
    "?status=204",
    "?status=404",
    "?header=x-a:b",
    "?format=json",
    "?format=html",
    // Both chunks at once (interval 0): an in-memory client ends with its
    // script, before a later chunk would be due.
    "?drip=2&interval=0&size=200",
    "?status=abc",
];

const EXTRA: [(&str, &str); 9] = [
    ("accept", "text/html"),
    ("accept", "application/json"),
    ("content-length", "5"),
    ("te", "trailers"),
    ("te", "gzip"),
    ("connection", "close"),
    ("X-Upper", "a"),
    ("cookie", "a=b"),
    // Long enough that a few evict the others from a 4096-byte table.
    ("user-agent", "a user agent string long enough to fill a table quickly, repeated: a user agent string long enough to fill a table quickly"),
];

fn request(on: impl Strategy<Value = Pick>) -> impl Strategy<Value = Request> {
    (
        on,
        prop::sample::select(vec!["GET", "GET", "POST", "HEAD", "PUT"]),
        prop::sample::select(QUERIES.to_vec()),
        prop::collection::vec(prop::sample::select(EXTRA.to_vec()), 0..3),
        any::<bool>(),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..300)),
        prop_oneof![3 => Just(0usize), 1 => 1..20usize],
        prop::option::weighted(0.2, prop::bool::weighted(0.1)),
        prop::option::weighted(0.2, 0..20u8),
    )
        .prop_map(
            |(on, method, query, extra, end_stream, body, split, priority, pad)| Request {
                on,
                method,
                query,
                extra,
                end_stream,
                body,
                split,
                priority,
                pad,
            },
        )
}

/// Mostly a new stream.
fn new_stream() -> impl Strategy<Value = Pick> {
    prop_oneof![20 => Just(Pick::Next), 1 => Just(Pick::Last), 1 => Just(Pick::Older), 1 => Just(Pick::Even)]
}

/// Settings, mostly with values in their range.
fn settings() -> impl Strategy<Value = Vec<(u16, u32)>> {
    let id = prop::sample::select(vec![1u16, 2, 3, 4, 5, 6, 0x0a0a]);
    let value = prop::sample::select(vec![
        0u32,
        1,
        100,
        4096,
        16_384,
        16_385,
        65_535,
        65_536,
        1 << 20,
        (1 << 24) - 1,
        1 << 24,
        (1 << 31) - 1,
        1 << 31,
        u32::MAX,
    ]);
    prop::collection::vec((id, value), 0..4)
}

fn increment() -> impl Strategy<Value = u32> {
    prop::sample::select(vec![1u32, 100, 65_535, 1 << 20, (1 << 31) - 1, 0, 1 << 31])
}

fn step() -> impl Strategy<Value = Step> {
    let bytes = |n| prop::collection::vec(any::<u8>(), 0..n);
    prop_oneof![
        8 => request(new_stream()).prop_map(Step::Request),
        3 => (pick(), 0..3000usize, any::<bool>(), prop::option::weighted(0.2, 0..10u8))
            .prop_map(|(on, len, end_stream, pad)| Step::Data { on, len, end_stream, pad }),
        2 => settings().prop_map(Step::Settings),
        1 => Just(Step::SettingsAck),
        2 => (any::<[u8; 8]>(), prop::bool::weighted(0.2)).prop_map(|(data, ack)| Step::Ping(data, ack)),
        3 => (pick(), increment()).prop_map(|(on, n)| Step::WindowUpdate(on, n)),
        1 => (pick(), 0..14u32).prop_map(|(on, code)| Step::RstStream(on, code)),
        1 => (pick(), 0..8u32, prop_oneof![5 => Just(5usize), 1 => 0..8usize])
            .prop_map(|(on, dep, len)| Step::Priority(on, dep, len)),
        1 => (pick(), bytes(10), any::<bool>()).prop_map(|(on, b, end)| Step::Continuation(on, b, end)),
        1 => (0..10u32, 0..14u32).prop_map(|(last, code)| Step::GoAway(last, code)),
        1 => (10..=255u8, any::<u8>(), pick(), bytes(20)).prop_map(|(k, f, on, b)| Step::Unknown(k, f, on, b)),
        1 => (0..=9u8, any::<u8>(), pick(), bytes(20)).prop_map(|(k, f, on, b)| Step::Raw(k, f, on, b)),
    ]
}

/// The client's bytes for `steps`, after the preface, and, for each
/// stream a request opened while both ends' HPACK tables must still be
/// in step, the fields it sent (see [`Built::sent`]).
struct Built {
    bytes: Vec<u8>,
    /// `(stream, its fields)`. Only while every header block sent came
    /// from the client's encoder: a HEADERS or CONTINUATION of random
    /// bytes may change rawnet's table as it likes.
    sent: Vec<(u32, Vec<(&'static str, String)>)>,
}

/// The client: a frame sequence made into bytes, with one HPACK encoder
/// for the connection, as a real client keeps one.
fn build(first: &[(u16, u32)], steps: &[Step]) -> Built {
    let mut bytes = frame(SETTINGS, 0, 0, &settings_payload(first));
    let mut encoder = Encoder::new(4096);
    let mut last = 0;
    let mut sent = Vec::new();
    let mut in_step = true;
    for step in steps {
        if let Step::Request(request) = step {
            let stream = request.on.resolve(last);
            last = last.max(stream);
            let mut fields = vec![
                (":method", request.method.to_string()),
                (":scheme", "http".into()),
                (":path", format!("/n{stream}/{}", request.query)),
                (":authority", "x".into()),
            ];
            fields.extend(request.extra.iter().map(|&(n, v)| (n, v.to_string())));
            let mut block = Vec::new();
            encoder.encode(&fields, &mut block);
            // A second HEADERS on a stream is its request's trailers.
            if in_step && !sent.iter().any(|(s, _)| *s == stream) {
                sent.push((stream, fields));
            }
            headers(&mut bytes, stream, request, &block);
            continue;
        }
        // A header block of random bytes: rawnet's table may be anything
        // from here on.
        in_step &= !matches!(step, Step::Continuation(..))
            && !matches!(step, Step::Raw(kind, ..) if [HEADERS, PUSH_PROMISE, CONTINUATION].contains(kind));
        bytes.extend(other_frame(step, last));
    }
    Built { bytes, sent }
}

/// A step that is not a request, as its frame's bytes; `last` is the
/// last stream a request opened.
fn other_frame(step: &Step, last: u32) -> Vec<u8> {
    match step {
        Step::Request(_) => Vec::new(),
        &Step::Data {
            on,
            len,
            end_stream,
            pad,
        } => {
            let data = vec![b'd'; len];
            let flags = padded(end_stream as u8, pad);
            frame(DATA, flags, on.resolve(last), &pad_payload(&data, pad))
        }
        Step::Settings(settings) => frame(SETTINGS, 0, 0, &settings_payload(settings)),
        Step::SettingsAck => frame(SETTINGS, ACK, 0, &[]),
        &Step::Ping(data, ack) => frame(PING, if ack { ACK } else { 0 }, 0, &data),
        &Step::WindowUpdate(on, increment) => {
            frame(WINDOW_UPDATE, 0, on.resolve(last), &increment.to_be_bytes())
        }
        &Step::RstStream(on, code) => frame(RST_STREAM, 0, on.resolve(last), &code.to_be_bytes()),
        &Step::Priority(on, dependency, len) => {
            // Weight 16; cut or padded to `len`, 5 being right.
            let mut payload = [&dependency.to_be_bytes()[..], &[16]].concat();
            payload.resize(len, 0);
            frame(PRIORITY, 0, on.resolve(last), &payload)
        }
        Step::Continuation(on, fragment, end) => {
            let flags = if *end { END_HEADERS } else { 0 };
            frame(CONTINUATION, flags, on.resolve(last), fragment)
        }
        &Step::GoAway(last_stream, code) => {
            let payload = [last_stream.to_be_bytes(), code.to_be_bytes()].concat();
            frame(GOAWAY, 0, 0, &payload)
        }
        Step::Unknown(kind, flags, on, payload) | Step::Raw(kind, flags, on, payload) => {
            frame(*kind, *flags, on.resolve(last), payload)
        }
    }
}

/// Settings as a SETTINGS frame's payload: 16-bit ids, 32-bit values.
fn settings_payload(settings: &[(u16, u32)]) -> Vec<u8> {
    (settings.iter())
        .flat_map(|&(id, value)| [&id.to_be_bytes()[..], &value.to_be_bytes()].concat())
        .collect()
}

/// A request's HEADERS (cut into CONTINUATIONs if asked), then its body.
fn headers(out: &mut Vec<u8>, stream: u32, request: &Request, block: &[u8]) {
    let pieces: Vec<&[u8]> = match request.split {
        0 => vec![block],
        n => block.chunks(n).collect(),
    };
    let mut fields = Vec::new();
    let mut flags = 0;
    if let Some(itself) = request.priority {
        let dependency: u32 = if itself { stream } else { 0 };
        fields.extend_from_slice(&dependency.to_be_bytes());
        fields.push(16);
        flags |= PRIORITY_FLAG;
    }
    if request.end_stream {
        flags |= END_STREAM;
    }
    if pieces.len() <= 1 {
        flags |= END_HEADERS;
    }
    let first = [&fields[..], pieces.first().copied().unwrap_or_default()].concat();
    out.extend(frame(
        HEADERS,
        padded(flags, request.pad),
        stream,
        &pad_payload(&first, request.pad),
    ));
    for (i, piece) in pieces.iter().enumerate().skip(1) {
        let flags = if i + 1 == pieces.len() {
            END_HEADERS
        } else {
            0
        };
        out.extend(frame(CONTINUATION, flags, stream, piece));
    }
    if let (false, Some(body)) = (request.end_stream, &request.body) {
        let mut chunks = body.chunks(100).peekable();
        if chunks.peek().is_none() {
            out.extend(frame(DATA, END_STREAM, stream, &[]));
        }
        while let Some(chunk) = chunks.next() {
            let flags = if chunks.peek().is_none() {
                END_STREAM
            } else {
                0
            };
            out.extend(frame(DATA, flags, stream, chunk));
        }
    }
}

fn padded(flags: u8, pad: Option<u8>) -> u8 {
    if pad.is_some() {
        flags | PADDED
    } else {
        flags
    }
}

/// The Pad Length byte, the payload, then that many zeros (§6.1).
fn pad_payload(payload: &[u8], pad: Option<u8>) -> Vec<u8> {
    match pad {
        None => payload.to_vec(),
        Some(n) => [&[n][..], payload, &vec![0; usize::from(n)]].concat(),
    }
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

/// Serves `after_preface` cut at `cuts`, and checks the output. In HTTP
/// mode the preface comes whole in the first chunk, as HTTP/2 clients
/// send it: that mode keeps no bytes back to wait for the rest of one
/// (`sniff::tls_or_http`), and a preface in pieces is an HTTP/1.1
/// request for version 2.0. Auto mode waits, and takes any cut.
fn serve(after_preface: &[u8], cuts: &[usize], mode: Mode) -> Result<Outcome, TestCaseError> {
    let chunks = match mode {
        Mode::Http => [vec![PREFACE.to_vec()], split(after_preface, cuts)].concat(),
        _ => split(&[PREFACE, after_preface].concat(), cuts),
    };
    let output = rawnet::in_memory::serve(chunks, &config(mode));
    let client = Client::read(after_preface);
    check(&output, &client).map_err(|problem| {
        TestCaseError::fail(format!(
            "{problem}\ninput: {after_preface:02x?}\noutput: {output:02x?}"
        ))
    })
}

/// A page that was sent whole shows the request as rawnet's HPACK
/// decoder read it: its path (`/n<stream>/`, whatever the view), and on
/// the text page each field, `name: value — ` and how it was sent. Once
/// the two ends' tables drift apart, indexes name other fields.
fn check_fields(
    outcome: &Outcome,
    sent: &[(u32, Vec<(&str, String)>)],
) -> Result<(), TestCaseError> {
    for (stream, fields) in sent {
        let Some(out) = outcome.streams.get(stream) else {
            continue;
        };
        let Some(head) = out.headers.first() else {
            continue;
        };
        let field = |name: &[u8]| {
            head.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_slice())
        };
        let path = &fields[2].1;
        if field(b":status") != Some(b"200")
            || path.contains("size=")
            || !out.ended
            || out.data.is_empty()
        {
            continue;
        }
        let page = String::from_utf8_lossy(&out.data);
        let mut shown = vec![format!("/n{stream}/")];
        if field(b"content-type").is_some_and(|t| t.starts_with(b"text/plain")) {
            // The page cuts long values; their first bytes are enough.
            let cut = |v: &str| v[..v.len().min(40)].to_string();
            shown.extend(
                fields
                    .iter()
                    .map(|(name, value)| format!("\n{name}: {}", cut(value))),
            );
        }
        if let Some(missing) = shown.iter().find(|s| !page.contains(s.as_str())) {
            return Err(TestCaseError::fail(format!(
                "stream {stream}'s page does not show {missing:?} of {fields:?}:\n{page}"
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any sequence, cut anywhere: the output passes `h2_check`, and the
    /// pages show the paths their requests sent.
    #[test]
    fn any_frames_get_well_formed_frames_back(
        first in settings(),
        steps in prop::collection::vec(step(), 0..16),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
        mode in prop::sample::select(vec![Mode::Http, Mode::Auto]),
    ) {
        let built = build(&first, &steps);
        let outcome = serve(&built.bytes, &cuts, mode)?;
        check_fields(&outcome, &built.sent)?;
    }
}

/// What a client that never races rawnet sends: valid settings, then a
/// connection window wide enough for every response at once (so that
/// which stream the connection's window goes to first does not show),
/// then requests, PINGs, PRIORITY, WINDOW_UPDATEs on streams already
/// opened, frames of unknown types, and SETTINGS that leave the windows
/// alone. Requests on new streams only, each whole, at most 12.
fn polite() -> impl Strategy<Value = (Vec<(u16, u32)>, Vec<Step>)> {
    let first = prop::collection::vec(
        prop_oneof![
            (Just(1u16), 0..8192u32),
            (Just(2u16), 0..2u32),
            (Just(3u16), 0..200u32),
            (
                Just(4u16),
                prop::sample::select(vec![0u32, 100, 16_384, 65_535, 1 << 20])
            ),
            (Just(5u16), 16_384..(1u32 << 20)),
            (Just(6u16), any::<u32>()),
        ],
        0..4,
    );
    let polite_request = request(Just(Pick::Next)).prop_map(|mut r| {
        r.priority = r.priority.map(|_| false);
        // A drip's lines say when each chunk went (`at 0.001 s`), which
        // two runs need not agree on.
        if r.query.starts_with("?drip") {
            r.query = "?size=1000";
        }
        if !r.end_stream && r.body.is_none() {
            r.body = Some(Vec::new());
        }
        Step::Request(r)
    });
    let step = prop_oneof![
        6 => polite_request,
        2 => any::<[u8; 8]>().prop_map(|data| Step::Ping(data, false)),
        1 => Just(Step::Priority(Pick::Next, 0, 5)),
        3 => (prop::sample::select(vec![Pick::Last, Pick::Older]), 1..100_000u32)
            .prop_map(|(on, n)| Step::WindowUpdate(on, n)),
        1 => (10..=255u8, any::<u8>(), bytes()).prop_map(|(k, f, b)| Step::Unknown(k, f, Pick::Last, b)),
        1 => prop::collection::vec(
            prop_oneof![(Just(1u16), 0..8192u32), (Just(5u16), 16_384..(1u32 << 20)), (Just(0x0a0au16), any::<u32>())],
            0..3,
        ).prop_map(Step::Settings),
    ];
    (first, prop::collection::vec(step, 0..24)).prop_map(|(first, steps)| {
        // A WINDOW_UPDATE on a stream comes after its request (one on an
        // idle stream is a connection error, §5.1).
        let first_request = steps.iter().position(|s| matches!(s, Step::Request(_)));
        let opened = |i: usize| first_request.is_some_and(|r| r < i);
        let steps = steps.into_iter().enumerate();
        let mut steps: Vec<Step> = steps
            .filter(|(i, s)| !matches!(s, Step::WindowUpdate(..)) || opened(*i))
            .map(|(_, s)| s)
            .collect();
        steps.insert(0, Step::WindowUpdate(Pick::Connection, 1 << 30));
        (first, steps)
    })
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..20)
}

/// The outcome without what the clock decides: each response's `date`.
fn without_date(mut outcome: Outcome) -> Outcome {
    for stream in outcome.streams.values_mut() {
        for block in &mut stream.headers {
            block.retain(|(name, _)| name != b"date");
        }
    }
    outcome
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// For a client that never races rawnet, the same bytes get the same
    /// answer, as a client sees it, however they are cut.
    #[test]
    fn a_polite_client_gets_the_same_answer_whatever_the_cut(
        (first, steps) in polite(),
        cuts in prop::collection::vec(any::<usize>(), 1..8),
    ) {
        let built = build(&first, &steps);
        prop_assume!(built.sent.len() <= 12);
        let whole = without_date(serve(&built.bytes, &[], Mode::Http)?);
        let cut = without_date(serve(&built.bytes, &cuts, Mode::Auto)?);
        prop_assert_eq!(whole.goaway, None, "a polite client got a GOAWAY");
        check_fields(&whole, &built.sent)?;
        prop_assert_eq!(whole, cut);
    }
}

/// Serves `after_preface` in one piece and checks the output.
fn answer(after_preface: &[u8]) -> Outcome {
    match serve(after_preface, &[], Mode::Http) {
        Ok(outcome) => outcome,
        Err(problem) => panic!("{problem}"),
    }
}

/// A request's header block from `encoder`.
fn block(encoder: &mut Encoder, method: &str, path: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut fields = vec![
        (":method", method),
        (":scheme", "http"),
        (":path", path),
        (":authority", "x"),
    ];
    fields.extend_from_slice(extra);
    let mut block = Vec::new();
    encoder.encode(&fields, &mut block);
    block
}

fn status(outcome: &Outcome, stream: u32) -> Option<&[u8]> {
    let out = outcome.streams.get(&stream)?;
    let (name, value) = out.headers.first()?.first()?;
    (name == b":status").then_some(value.as_slice())
}

/// Found by `a_polite_client_gets_the_same_answer_whatever_the_cut`: a
/// request refused with RST_STREAM while its body was on the way (here a
/// `te: gzip`, which HTTP/2 forbids) made that body's DATA a connection
/// error, STREAM_CLOSED, and every other stream on the connection went
/// with it. §5.1: frames on a stream after sending its RST_STREAM are
/// ignored; the connection's window still counts them, and is opened again.
#[test]
fn a_body_already_sent_to_a_reset_stream_is_ignored() {
    let mut encoder = Encoder::new(4096);
    let refused = block(&mut encoder, "POST", "/n1/", &[("te", "gzip")]);
    // Its trailers, already sent too: ignored, but through HPACK, which
    // the next request's indexes count on.
    let mut trailers = Vec::new();
    encoder.encode(&[("x-trailer", "one")], &mut trailers);
    let next = block(&mut encoder, "GET", "/n3/", &[]);
    let input = [
        frame(SETTINGS, 0, 0, &[]),
        frame(HEADERS, END_HEADERS, 1, &refused),
        frame(DATA, 0, 1, &[b'd'; 100]),
        frame(HEADERS, END_STREAM | END_HEADERS, 1, &trailers),
        frame(HEADERS, END_STREAM | END_HEADERS, 3, &next),
    ]
    .concat();
    let outcome = answer(&input);
    assert_eq!(outcome.goaway, None);
    assert_eq!(outcome.streams[&1].reset, Some(1), "PROTOCOL_ERROR");
    assert_eq!(status(&outcome, 3), Some(&b"200"[..]));
    assert!(outcome.streams[&3].ended);
    // The 100 bytes given back on the connection.
    let window_update = (WINDOW_UPDATE, 0, 100u32.to_be_bytes().to_vec());
    assert!(
        outcome.control.contains(&window_update),
        "{:?}",
        outcome.control
    );
}

/// Found by `any_frames_get_well_formed_frames_back`: a WINDOW_UPDATE of
/// 0, or a PRIORITY of the wrong length, on a stream the client never
/// opened was answered with RST_STREAM on that idle stream, which §6.4
/// forbids (and a client takes for a connection error of its own). The
/// connection ends instead, with the stream error's code.
#[test]
fn a_stream_error_on_an_idle_stream_ends_the_connection() {
    for (bad, code) in [
        (frame(WINDOW_UPDATE, 0, 1, &[0, 0, 0, 0]), 0x1),
        (frame(PRIORITY, 0, 5, &[0, 0, 0, 0]), 0x6),
    ] {
        let outcome = answer(&[frame(SETTINGS, 0, 0, &[]), bad].concat());
        assert!(outcome.streams.is_empty(), "{outcome:?}");
        assert_eq!(outcome.goaway, Some(code));
    }
    // On a stream that was opened, the stream error it is.
    let mut encoder = Encoder::new(4096);
    let open = block(&mut encoder, "POST", "/n1/", &[]);
    let input = [
        frame(SETTINGS, 0, 0, &[]),
        frame(HEADERS, END_HEADERS, 1, &open),
        frame(WINDOW_UPDATE, 0, 1, &[0, 0, 0, 0]),
    ]
    .concat();
    let outcome = answer(&input);
    assert_eq!(outcome.goaway, None);
    assert_eq!(outcome.streams[&1].reset, Some(1));
}

/// A second HEADERS without END_STREAM (trailers must end the stream,
/// §8.1) resets the stream, but its block must still go through HPACK:
/// its literals are in the client's table, and the next request's
/// indexes count them.
#[test]
fn refused_trailers_still_go_through_hpack() {
    let mut encoder = Encoder::new(4096);
    let open = block(&mut encoder, "POST", "/n1/", &[]);
    let mut trailers = Vec::new();
    encoder.encode(&[("x-trailer", "one")], &mut trailers);
    // `:authority x` is in the table now, and sent as an index.
    let next = block(&mut encoder, "GET", "/n3/", &[]);
    let input = [
        frame(SETTINGS, 0, 0, &[]),
        frame(HEADERS, END_HEADERS, 1, &open),
        frame(HEADERS, END_HEADERS, 1, &trailers),
        frame(HEADERS, END_STREAM | END_HEADERS, 3, &next),
    ]
    .concat();
    let outcome = answer(&input);
    assert_eq!(outcome.goaway, None);
    assert_eq!(outcome.streams[&1].reset, Some(1));
    assert_eq!(status(&outcome, 3), Some(&b"200"[..]), "{outcome:?}");
}
