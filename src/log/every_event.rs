//! One of every event, in JSON and in words, as a golden list: the names
//! and fields of `--log json` are an interface (scripts select on them),
//! and the text lines are what the tests and the README quote. Moving an
//! event between modules must change neither.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use super::{Direction, Event, JsonLine, Wire};
use crate::conn::{self, CloseReason};
use crate::h2::{self, Setting};
use crate::http::{
    self,
    notes::{Note, Reads},
    stream,
};
use crate::proxy::{self, Says, Tlv};
use crate::server;
use crate::tls;
use crate::ws::{self, frame::Frame, lines::FramesNotShown};

/// Fails to compile when a variant is added without an example in
/// [`every_event_keeps_its_json_and_its_words`]: add one there too.
fn covered(event: &Event) {
    match event {
        Event::Server(
            server::Event::Listening { .. }
            | server::Event::ServingAtMost { .. }
            | server::Event::Refused { .. }
            | server::Event::AcceptFailed { .. }
            | server::Event::ShuttingDown { .. }
            | server::Event::StoppedAccepting { .. }
            | server::Event::GraceOver { .. }
            | server::Event::ShutdownComplete { .. }
            | server::Event::Panic { .. },
        ) => {}
        Event::Conn(
            conn::Event::Connection
            | conn::Event::Data { .. }
            | conn::Event::End
            | conn::Event::Timeout { .. }
            | conn::Event::Close { .. }
            | conn::Event::Echoing
            | conn::Event::Piping { .. }
            | conn::Event::SpeakingHttp,
        ) => {}
        Event::Proxy(
            proxy::Event::Header { .. }
            | proxy::Event::Invalid { .. }
            | proxy::Event::Cut { .. }
            | proxy::Event::Missing,
        ) => {}
        Event::Tls(
            tls::Event::Hello { .. } | tls::Event::Malformed { .. } | tls::Event::Cut { .. },
        ) => {}
        Event::TlsLayer(
            tls::layer::Event::Handshake { .. }
            | tls::layer::Event::Failed { .. }
            | tls::layer::Event::Renegotiation
            | tls::layer::Event::CloseNotify
            | tls::layer::Event::EndedInHandshake
            | tls::layer::Event::EndedWithoutCloseNotify
            | tls::layer::Event::HandshakeTimeout { .. }
            | tls::layer::Event::Ready { .. }
            | tls::layer::Event::OverBudget { .. }
            | tls::layer::Event::NoCommonAlpn,
        ) => {}
        Event::H2(h2::Event::Preface { .. }) => {}
        Event::H2Session(
            h2::session::Event::Frame { .. }
            | h2::session::Event::FramesNotShown { .. }
            | h2::session::Event::HeaderBlock { .. }
            | h2::session::Event::Request { .. }
            | h2::session::Event::Tunnel { .. }
            | h2::session::Event::StreamError { .. }
            | h2::session::Event::ConnectionError { .. }
            | h2::session::Event::EndedWithStreams { .. },
        ) => {}
        Event::Http(
            http::Event::Request { .. }
            | http::Event::Refusal { .. }
            | http::Event::NoRequest { .. }
            | http::Event::EndedMidRequest { .. }
            | http::Event::RequestNotes { .. },
        ) => {}
        Event::Knobs(
            stream::Event::EndedMidResponse { .. } | stream::Event::SentWhileHeld { .. },
        ) => {}
        Event::Ws(
            ws::Event::Upgraded { .. }
            | ws::Event::Frame { .. }
            | ws::Event::FrameSent { .. }
            | ws::Event::FrameTrace { .. }
            | ws::Event::FramesNotShown { .. }
            | ws::Event::Close { .. },
        ) => {}
        Event::Wire(Wire { .. }) => {}
    }
}

/// Every `event` name `--log json` has, as the code had them before each
/// module came to own its events (serde's snake_case of the variants).
const NAMES: [&str; 58] = [
    "listening",
    "serving_at_most",
    "refused",
    "accept_failed",
    "shutting_down",
    "stopped_accepting",
    "grace_over",
    "shutdown_complete",
    "panic",
    "connection",
    "data",
    "end",
    "timeout",
    "close",
    "echoing",
    "piping",
    "speaking_http",
    "proxy_header",
    "proxy_invalid",
    "proxy_cut",
    "proxy_missing",
    "tls_hello",
    "tls_malformed",
    "tls_cut",
    "tls_handshake",
    "tls_failed",
    "tls_renegotiation_refused",
    "tls_close_notify",
    "tls_ended_in_handshake",
    "tls_ended_without_close_notify",
    "tls_handshake_timeout",
    "tls_ready",
    "tls_over_budget",
    "tls_no_common_alpn",
    "http2",
    "h2_frame",
    "h2_frames_not_shown",
    "h2_header_block",
    "h2_request",
    "h2_request",
    "h2_websocket",
    "h2_stream_error",
    "h2_connection_error",
    "h2_ended_with_streams",
    "request",
    "refusal",
    "no_request",
    "ended_mid_request",
    "ended_mid_response",
    "sent_while_held",
    "request_notes",
    "ws_upgraded",
    "ws_frame",
    "ws_frame_sent",
    "ws_frame_trace",
    "ws_frames_not_shown",
    "ws_close",
    "wire",
];

/// What the examples borrow, as the code that emits them would.
struct Facts {
    peer: SocketAddr,
    agreed: tls::layer::view::Agreed,
    error: io::Error,
    close: CloseReason,
    client_hello: tls::ClientHello,
    settings: [Setting; 1],
    says: Says,
    tlvs: [Tlv; 1],
    notes: [Note<'static>; 2],
    hello: Frame<'static>,
    frames: FramesNotShown,
}

fn facts() -> Facts {
    let mut frames = FramesNotShown::default();
    frames.count(true, 0x9);
    Facts {
        peer: "127.0.0.1:5000".parse().unwrap(),
        agreed: tls::layer::view::Agreed {
            version: "TLS 1.3".into(),
            cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
            group: Some("X25519".into()),
            alpn: Some("http/1.1".into()),
            sni: Some("localhost".into()),
            resumed: false,
            took: Duration::from_micros(2500),
        },
        error: io::Error::other("too many open files"),
        close: CloseReason::Idle(Duration::from_secs(60)),
        client_hello: client_hello(),
        settings: [Setting { id: 3, value: 100 }],
        says: Says::Tcp {
            source: "192.0.2.1:1111".parse().unwrap(),
            destination: "192.0.2.2:80".parse().unwrap(),
        },
        tlvs: [Tlv::Alpn(b"h2".to_vec())],
        notes: [Note::Reads(Reads::default()), Note::H2c],
        hello: Frame::RFC_HELLO,
        frames,
    }
}

/// One of each of the server's events.
fn server_events(facts: &Facts) -> Vec<Event<'_>> {
    vec![
        server::Event::Listening { addr: facts.peer }.into(),
        server::Event::ServingAtMost {
            max_connections: 1000,
            fd_limit: Some(1024),
        }
        .into(),
        server::Event::Refused {
            peer: facts.peer,
            open: 1000,
            max_connections: 1000,
        }
        .into(),
        server::Event::AcceptFailed {
            error: &facts.error,
            backoff_max: Duration::from_secs(1),
        }
        .into(),
        server::Event::ShuttingDown { signal: "SIGTERM" }.into(),
        server::Event::StoppedAccepting {
            open: 2,
            grace: Duration::from_millis(1500),
        }
        .into(),
        server::Event::GraceOver { open: 1 }.into(),
        server::Event::ShutdownComplete {
            connections: 3,
            bytes_in: 10,
            bytes_out: 20,
        }
        .into(),
        server::Event::Panic { conn: 7 }.into(),
    ]
}

/// One of each of a connection's events.
fn conn_events(facts: &Facts) -> Vec<Event<'_>> {
    vec![
        conn::Event::Connection.into(),
        conn::Event::Data { bytes: b"hi\r\n" }.into(),
        conn::Event::End.into(),
        conn::Event::Timeout {
            after: Duration::from_secs(3),
        }
        .into(),
        conn::Event::Close {
            reason: &facts.close,
            bytes_in: 17,
            bytes_out: 30,
            lasted: Duration::from_millis(1500),
        }
        .into(),
        conn::Event::Echoing.into(),
        conn::Event::Piping { pipes: 2 }.into(),
        conn::Event::SpeakingHttp.into(),
    ]
}

/// One of each of a PROXY header's events.
fn proxy_events(facts: &Facts) -> Vec<Event<'_>> {
    vec![
        proxy::Event::Header {
            version: 2,
            says: &facts.says,
            via: facts.peer,
            tlvs: &facts.tlvs,
        }
        .into(),
        proxy::Event::Invalid {
            reason: "bad address",
        }
        .into(),
        proxy::Event::Cut {
            got: 5,
            ended: false,
        }
        .into(),
        proxy::Event::Missing.into(),
    ]
}

/// A ClientHello like Chrome's (JA4.md's example), with a GREASE suite
/// and the renegotiation signal: 17 suites.
fn client_hello() -> tls::ClientHello {
    tls::ClientHello {
        record_version: 0x0301,
        legacy_version: 0x0303,
        session_id: vec![7; 32],
        cipher_suites: vec![
            0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
            0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0x00ff,
        ],
        compression_methods: vec![0],
        extensions: vec![0x0000, 0x000a, 0x000b, 0x000d, 0x0010, 0x002b, 0x0033],
        sni: Some("example.com".into()),
        alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        versions: vec![0x0304, 0x0303],
        versions_sent: vec![0x0304, 0x0303],
        groups: vec![0x001d, 0x0017],
        point_formats: vec![0],
        signature_algorithms: vec![0x0403, 0x0804],
        key_share_groups: vec![0x001d],
        psk_modes: vec![1],
    }
}

/// One of each of TLS's events.
fn tls_events(facts: &Facts) -> Vec<Event<'_>> {
    vec![
        tls::Event::hello(&facts.client_hello, &[], false).into(),
        tls::Event::Malformed {
            reason: "its record is not a handshake",
        }
        .into(),
        tls::Event::Cut {
            got: 100,
            record: Some(517),
        }
        .into(),
    ]
}

/// A TLS connection rawnet terminates (`--tls`).
fn tls_layer_events(facts: &Facts) -> Vec<Event<'_>> {
    use std::time::Duration;
    use tls::layer::Event as E;
    vec![
        E::Handshake {
            agreed: &facts.agreed,
            client_cert: Some(2),
        }
        .into(),
        E::Failed {
            error: "peer sent no certificates",
            handshaking: true,
        }
        .into(),
        E::Renegotiation.into(),
        E::CloseNotify.into(),
        E::EndedInHandshake.into(),
        E::EndedWithoutCloseNotify.into(),
        E::HandshakeTimeout {
            after: Duration::from_secs(10),
        }
        .into(),
        E::Ready {
            sha256: "AB:CD",
            cert: None,
            written_to: Some("cert.pem"),
        }
        .into(),
        E::OverBudget {
            spent: crate::budget::Spent { limit: 1 << 20 },
        }
        .into(),
        E::NoCommonAlpn.into(),
    ]
}

/// HTTP/2 spoken.
fn h2_session_events() -> Vec<Event<'static>> {
    use crate::h2::frame::ErrorCode;
    use h2::session::Event as E;
    const PING: &[u8] = &[0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
    static FIELDS: &[String] = &[];
    vec![
        E::Frame {
            received: true,
            bytes: PING,
            traced: false,
        }
        .into(),
        E::FramesNotShown {
            received: 3,
            sent: 2,
        }
        .into(),
        E::HeaderBlock {
            stream: 1,
            fields: FIELDS,
        }
        .into(),
        E::Request {
            stream: 1,
            method: b"GET",
            path: b"/",
            status: 200,
            bytes: 10,
            dripped: None,
        }
        .into(),
        E::Request {
            stream: 3,
            method: b"GET",
            path: b"/?drip=3",
            status: 200,
            bytes: 0,
            dripped: Some(3),
        }
        .into(),
        E::Tunnel {
            stream: 5,
            path: b"/chat",
            explain: false,
        }
        .into(),
        E::StreamError {
            stream: 3,
            code: ErrorCode::PROTOCOL_ERROR,
            why: "no :path (§8.3.1)",
        }
        .into(),
        E::ConnectionError {
            code: ErrorCode::ENHANCE_YOUR_CALM,
            why: "a flood",
        }
        .into(),
        E::EndedWithStreams { open: 2 }.into(),
    ]
}

/// HTTP/2's event.
fn h2_events(facts: &Facts) -> Vec<Event<'_>> {
    vec![h2::Event::Preface {
        settings: &facts.settings,
        problem: None,
    }
    .into()]
}

/// One of each of HTTP's events, a held response's among them, in the
/// order they were HTTP's before the knobs' moved to `http/stream/events.rs`.
fn http_events(facts: &Facts) -> Vec<Event<'_>> {
    vec![
        http::Event::Request {
            number: 1,
            method: b"GET",
            target: b"/",
            minor: 1,
            status: 200,
            reason: "OK",
            bytes: 10,
            proxy_client: Some("192.0.2.1:1111".parse().unwrap()),
        }
        .into(),
        http::Event::Refusal {
            number: 2,
            status: 400,
            reason: "Bad Request",
            problem: "no Host header",
        }
        .into(),
        http::Event::NoRequest {
            head_timeout: Duration::from_secs(10),
        }
        .into(),
        http::Event::EndedMidRequest { unanswered: 12 }.into(),
        stream::Event::EndedMidResponse { number: 1, sent: 5 }.into(),
        stream::Event::SentWhileHeld {
            number: 1,
            held: 99999,
            sent: 5,
        }
        .into(),
        http::Event::RequestNotes {
            number: 1,
            notes: &facts.notes,
        }
        .into(),
    ]
}

/// One of each of WebSocket's events.
fn ws_events(facts: &Facts) -> Vec<Event<'_>> {
    vec![
        ws::Event::Upgraded {
            key: "dGhlIHNhbXBsZSBub25jZQ==",
            accept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            explain: true,
        }
        .into(),
        ws::Event::Frame {
            frame: &facts.hello,
        }
        .into(),
        ws::Event::FrameSent {
            frame: &facts.hello,
        }
        .into(),
        ws::Event::FrameTrace {
            frame: &facts.hello,
        }
        .into(),
        ws::Event::FramesNotShown {
            frames: &facts.frames,
            per_second: 20,
        }
        .into(),
        ws::Event::Close {
            code: Some(1000),
            why: "the client closed; its code echoed",
        }
        .into(),
    ]
}

/// `--trace`'s bytes.
fn wire_events() -> Vec<Event<'static>> {
    vec![Wire {
        direction: Direction::Sent,
        bytes: b"HTTP/1.1 200 OK\r\n",
    }
    .into()]
}

/// Every event, in the order of [`NAMES`] and [`GOLDEN`].
fn every_event(facts: &Facts) -> Vec<Event<'_>> {
    [
        server_events(facts),
        conn_events(facts),
        proxy_events(facts),
        tls_events(facts),
        tls_layer_events(facts),
        h2_events(facts),
        h2_session_events(),
        http_events(facts),
        ws_events(facts),
        wire_events(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn every_event_keeps_its_json_and_its_words() {
    let facts = facts();
    let events = every_event(&facts);
    for event in &events {
        covered(event);
    }
    let names: Vec<String> = events
        .iter()
        .map(|event| serde_json::to_value(event).unwrap()["event"].to_string())
        .map(|name| name.trim_matches('"').to_string())
        .collect();
    assert_eq!(names, NAMES);

    let lines: Vec<(String, String)> = events
        .iter()
        .map(|event| (serde_json::to_string(event).unwrap(), event.to_string()))
        .collect();
    for ((json, text), (want_json, want_text)) in lines.iter().zip(GOLDEN) {
        assert_eq!((json.as_str(), text.as_str()), (*want_json, *want_text));
    }
    assert_eq!(lines.len(), GOLDEN.len());

    // Flattened into a `--log json` line, each keeps the same fields.
    for (event, (json, _)) in events.iter().zip(&lines) {
        let line = JsonLine {
            time: 1.5,
            conn: Some(3),
            peer: Some(facts.peer),
            event,
        };
        let want = format!(
            r#"{{"time":1.5,"conn":3,"peer":"127.0.0.1:5000",{}"#,
            &json[1..]
        );
        assert_eq!(serde_json::to_string(&line).unwrap(), want);
    }
}

/// Each example's JSON and text, as the code printed them.
const GOLDEN: &[(&str, &str)] = &[
    ("{\"event\":\"listening\",\"addr\":\"127.0.0.1:5000\"}", "listening on 127.0.0.1:5000"),
    ("{\"event\":\"serving_at_most\",\"max_connections\":1000,\"fd_limit\":1024}", "serving at most 1000 connections at once (--max-connections; open-file limit 1024)"),
    ("{\"event\":\"refused\",\"peer\":\"127.0.0.1:5000\",\"open\":1000,\"max_connections\":1000}", "refused 127.0.0.1:5000: 1000 connections open (--max-connections 1000)"),
    ("{\"event\":\"accept_failed\",\"error\":\"too many open files\",\"backoff_max\":1.0}", "accept failed: too many open files; retrying with backoff up to 1s"),
    ("{\"event\":\"shutting_down\",\"signal\":\"SIGTERM\"}", "received SIGTERM, shutting down"),
    ("{\"event\":\"stopped_accepting\",\"open\":2,\"grace\":1.5}", "stopped accepting; 2 connection(s) still open, waiting up to 1.5s"),
    ("{\"event\":\"grace_over\",\"open\":1}", "grace period over; closing 1 connection(s)"),
    ("{\"event\":\"shutdown_complete\",\"connections\":3,\"bytes_in\":10,\"bytes_out\":20}", "shutdown complete: served 3 connection(s), 10 bytes in, 20 bytes out"),
    ("{\"event\":\"panic\",\"conn\":7}", "connection #7 ended in a panic, a bug in rawnet (its message is on stderr); the server goes on"),
    ("{\"event\":\"connection\"}", "connection"),
    ("{\"event\":\"data\",\"bytes\":{\"len\":4,\"preview\":\"\\\"hi\\\\r\\\\n\\\"\"}}", "data 4 bytes: \"hi\\r\\n\""),
    ("{\"event\":\"end\"}", "end"),
    ("{\"event\":\"timeout\",\"after\":3.0}", "timeout: no data for 3s"),
    ("{\"event\":\"close\",\"reason\":\"idle\",\"detail\":\"idle: no data for 60s\",\"bytes_in\":17,\"bytes_out\":30,\"lasted\":1.5}", "close (idle: no data for 60s): 17 bytes in, 30 bytes out, 1.500s"),
    ("{\"event\":\"echoing\"}", "echoing: the first bytes are not an HTTP request line"),
    ("{\"event\":\"piping\",\"pipes\":2}", "piping: another timeout, another pipe; each chunk now comes back raw 2 times"),
    ("{\"event\":\"speaking_http\"}", "speaking HTTP: the first line is an HTTP request line"),
    ("{\"event\":\"proxy_header\",\"version\":2,\"says\":{\"source\":\"192.0.2.1:1111\",\"destination\":\"192.0.2.2:80\"},\"via\":\"127.0.0.1:5000\",\"tlvs\":[\"ALPN \\\"h2\\\"\"],\"tlvs_not_shown\":0}", "PROXY v2 header: from 192.0.2.1:1111 (says the PROXY header) via 127.0.0.1:5000 (the TCP peer); the client connected to 192.0.2.2:80; TLVs: ALPN \"h2\""),
    ("{\"event\":\"proxy_invalid\",\"reason\":\"bad address\"}", "PROXY header malformed: bad address; closing"),
    ("{\"event\":\"proxy_cut\",\"got\":5,\"ended\":false}", "PROXY header incomplete after 5 bytes: nothing more came within 1s; closing"),
    ("{\"event\":\"proxy_missing\"}", "no PROXY header first (--proxy-protocol require); closing"),
    ("{\"event\":\"tls_hello\",\"versions\":[\"TLS 1.3\",\"TLS 1.2\"],\"sni\":\"example.com\",\"alpn\":[\"h2\",\"http/1.1\"],\"alpn_not_shown\":0,\"cipher_suites\":17,\"ja3\":\"771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53-255,0-10-11-13-16-43-51,29-23,0\",\"ja3_md5\":\"0128d8a95e5c176ad9be5caab72f6851\",\"ja4\":\"t13d1607h2_1711a4c0508c_078775ef5e04\",\"ja4_r\":\"t13d1607h2_002f,0035,009c,009d,00ff,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_000a,000b,000d,002b,0033_0403,0804\",\"ja4_o\":\"t13d1607h2_ebf07dbd4f13_c7c7ef631cd6\",\"ja4_ro\":\"t13d1607h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035,00ff_0000,000a,000b,000d,0010,002b,0033_0403,0804\",\"answer\":\"alert\"}", "client started a TLS 1.3 handshake for \"example.com\" (ALPN h2, http/1.1; 17 cipher suites); this port speaks plain TCP: use http://, or put TLS in front; JA4 t13d1607h2_1711a4c0508c_078775ef5e04, JA3 0128d8a95e5c176ad9be5caab72f6851"),
    ("{\"event\":\"tls_malformed\",\"reason\":\"its record is not a handshake\"}", "client sent what starts like a TLS ClientHello but its record is not a handshake; this port speaks plain TCP"),
    ("{\"event\":\"tls_cut\",\"got\":100,\"record\":517}", "client sent what starts like a TLS ClientHello but stopped after 100 of its 517 bytes"),
    ("{\"event\":\"tls_handshake\",\"version\":\"TLS 1.3\",\"cipher_suite\":\"TLS13_AES_128_GCM_SHA256\",\"group\":\"X25519\",\"alpn\":\"http/1.1\",\"sni\":\"localhost\",\"resumed\":false,\"took\":0.0025,\"client_cert\":2}", "TLS handshake done: TLS 1.3, TLS13_AES_128_GCM_SHA256, X25519, ALPN http/1.1, for localhost, new session, in 2.5 ms; client certificate (2 in its chain)"),
    ("{\"event\":\"tls_failed\",\"error\":\"peer sent no certificates\",\"handshaking\":true}", "TLS handshake failed: peer sent no certificates"),
    ("{\"event\":\"tls_renegotiation_refused\"}", "client asked to renegotiate TLS 1.2 (a new ClientHello inside the connection); refused with a no_renegotiation warning"),
    ("{\"event\":\"tls_close_notify\"}", "client sent TLS close_notify: it has finished"),
    ("{\"event\":\"tls_ended_in_handshake\"}", "client ended its TCP stream in the middle of the TLS handshake"),
    ("{\"event\":\"tls_ended_without_close_notify\"}", "client ended its TCP stream without TLS close_notify"),
    ("{\"event\":\"tls_handshake_timeout\",\"after\":10.0}", "no TLS handshake within 10s; closing"),
    ("{\"event\":\"tls_ready\",\"sha256\":\"AB:CD\",\"cert\":null,\"written_to\":\"cert.pem\"}", "TLS on the same port: certificate for localhost, 127.0.0.1, ::1 made at start, SHA-256 AB:CD, written to cert.pem"),
    ("{\"event\":\"tls_over_budget\",\"spent\":\"the server's memory budget for all connections (1 MiB, --memory-budget) is spent; try again later\"}", "TLS handshake refused with an internal_error alert: the server's memory budget for all connections (1 MiB, --memory-budget) is spent; try again later"),
    ("{\"event\":\"tls_no_common_alpn\"}", "client's ALPN offers no http/1.1, the protocol rawnet speaks inside TLS (HTTP/2 it does not speak yet); the handshake fails with no_application_protocol"),
    ("{\"event\":\"http2\",\"settings\":[[\"MAX_CONCURRENT_STREAMS\",100]],\"settings_not_shown\":0,\"problem\":null}", "client spoke HTTP/2 (prior knowledge): SETTINGS MAX_CONCURRENT_STREAMS=100; answered GOAWAY HTTP_1_1_REQUIRED"),
    ("{\"event\":\"h2_frame\",\"received\":true,\"bytes\":\"PING 01 02 03 04 05 06 07 08\"}", "h2 frame: PING 01 02 03 04 05 06 07 08"),
    ("{\"event\":\"h2_frames_not_shown\",\"received\":3,\"sent\":2}", "h2 frames not shown one by one (more than 20 lines a second): 3 received, 2 sent"),
    ("{\"event\":\"h2_header_block\",\"stream\":1,\"fields\":[]}", "h2 header block of stream 1, HPACK decoded:"),
    ("{\"event\":\"h2_request\",\"stream\":1,\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"bytes\":10}", "stream 1: GET / HTTP/2 -> 200 OK, 10 bytes of body"),
    ("{\"event\":\"h2_request\",\"stream\":3,\"method\":\"GET\",\"path\":\"/?drip=3\",\"status\":200,\"bytes\":0,\"dripped\":3}", "stream 3: GET /?drip=3 HTTP/2 -> 200 OK, its body dripped in 3 chunks (?drip)"),
    ("{\"event\":\"h2_websocket\",\"stream\":5,\"path\":\"/chat\",\"explain\":false}", "stream 5: CONNECT /chat with :protocol websocket -> 200: a WebSocket over HTTP/2 (RFC 8441), its frames in this stream's DATA frames"),
    ("{\"event\":\"h2_stream_error\",\"stream\":3,\"code\":\"PROTOCOL_ERROR\",\"why\":\"no :path (§8.3.1)\"}", "stream 3 reset with RST_STREAM PROTOCOL_ERROR: no :path (§8.3.1)"),
    ("{\"event\":\"h2_connection_error\",\"code\":\"ENHANCE_YOUR_CALM\",\"why\":\"a flood\"}", "HTTP/2 connection error, GOAWAY ENHANCE_YOUR_CALM: a flood; closing"),
    ("{\"event\":\"h2_ended_with_streams\",\"open\":2}", "client ended the connection with 2 stream(s) still open"),
    ("{\"event\":\"request\",\"number\":1,\"method\":\"GET\",\"target\":\"/\",\"minor\":1,\"status\":200,\"reason\":\"OK\",\"bytes\":10,\"client\":\"192.0.2.1:1111\",\"claimed_by\":\"PROXY header\"}", "request 1: GET / HTTP/1.1 -> 200 OK, 10 bytes, for 192.0.2.1:1111 (says the PROXY header)"),
    ("{\"event\":\"refusal\",\"number\":2,\"status\":400,\"reason\":\"Bad Request\",\"problem\":\"no Host header\"}", "request 2: -> 400 Bad Request: no Host header"),
    ("{\"event\":\"no_request\",\"head_timeout\":10.0}", "no request within 10s (--head-timeout)"),
    ("{\"event\":\"ended_mid_request\",\"unanswered\":12}", "client ended in the middle of a request (12 bytes unanswered)"),
    ("{\"event\":\"ended_mid_response\",\"number\":1,\"sent\":5}", "client ended while response 1 was held back or dripping (5 bytes of it sent); the rest is dropped"),
    ("{\"event\":\"sent_while_held\",\"number\":1,\"held\":99999,\"sent\":5}", "client sent 99999 bytes while response 1 was held back or dripping, more than --max-head and --max-body allow (5 bytes of it sent); closing"),
    ("{\"event\":\"request_notes\",\"number\":1,\"notes\":[\"head in 0 reads\",\"offered h2c, stayed on HTTP/1.1\"]}", "request 1 notes: head in 0 reads; offered h2c, stayed on HTTP/1.1"),
    ("{\"event\":\"ws_upgraded\",\"key\":\"dGhlIHNhbXBsZSBub25jZQ==\",\"accept\":\"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\",\"explain\":true}", "websocket: upgraded, key dGhlIHNhbXBsZSBub25jZQ==, accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo=; each frame is also described in JSON (?explain)"),
    ("{\"event\":\"ws_frame\",\"frame\":{\"fin\":true,\"opcode\":\"text\",\"len\":5,\"mask\":\"37fa213d\",\"words\":\"FIN text 5 bytes, mask 37fa213d, \\\"Hello\\\"\"}}", "ws frame: FIN text 5 bytes, mask 37fa213d, \"Hello\""),
    ("{\"event\":\"ws_frame_sent\",\"frame\":{\"fin\":true,\"opcode\":\"text\",\"len\":5,\"mask\":\"37fa213d\",\"words\":\"FIN text 5 bytes, mask 37fa213d, \\\"Hello\\\"\"}}", "ws frame sent: FIN text 5 bytes, mask 37fa213d, \"Hello\""),
    ("{\"event\":\"ws_frame_trace\",\"frame\":{\"header\":\"81 85 37 fa 21 3d\",\"payload_masked\":\"7f 9f 4d 51 58\",\"payload\":\"48 65 6c 6c 6f\"}}", "ws frame header, 6 bytes: 81 85 37 fa 21 3d\n  81           FIN 1, RSV 0 0 0, opcode 0x1 (text)\n  85           MASK 1, length 5\n  37 fa 21 3d  masking key\nws payload as sent (masked), 5 bytes:\n  0000  7f 9f 4d 51 58                                    |..MQX|\nws payload unmasked:\n  0000  48 65 6c 6c 6f                                    |Hello|"),
    ("{\"event\":\"ws_frames_not_shown\",\"received\":{\"ping\":1},\"sent\":{},\"per_second\":20}", "ws frames not shown one by one (more than 20 lines a second): 1 received (1 ping)"),
    ("{\"event\":\"ws_close\",\"code\":1000,\"why\":\"the client closed; its code echoed\"}", "websocket close 1000: the client closed; its code echoed"),
    ("{\"event\":\"wire\",\"direction\":\"sent\",\"bytes\":\"\\\"HTTP/1.1 200 OK\\\\r\\\\n\\\"\"}", "< \"HTTP/1.1 200 OK\\r\\n\""),
];
