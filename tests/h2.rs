#![cfg(feature = "h2")]
//! HTTP/2 with prior knowledge on rawnet's port with `--no-h2`: `curl
//! --http2-prior-knowledge` and a raw socket send the connection preface
//! and a SETTINGS frame; rawnet answers, in HTTP/2's own frames, that it
//! speaks HTTP/1.1 only here (SETTINGS, then GOAWAY HTTP_1_1_REQUIRED),
//! logs one line, and closes. In auto mode and in HTTP mode alike. HTTP/2
//! spoken, the default, is `http2.rs`.

mod common;

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use common::{read_to_end, Server};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

const GOAWAY_TEXT: &[u8] = b"rawnet speaks HTTP/1.1 only: retry without --http2-prior-knowledge";

/// Everything rawnet sends to an HTTP/2 client, byte by byte.
fn refusal() -> Vec<u8> {
    [
        // SETTINGS: length 0, type 0x4, flags 0, stream 0.
        &[0, 0, 0, 0x04, 0, 0, 0, 0, 0][..],
        // GOAWAY: length 8 + 66 = 74, type 0x7, flags 0, stream 0.
        &[0, 0, 74, 0x07, 0, 0, 0, 0, 0],
        // Last stream id 0; error code 0xd, HTTP_1_1_REQUIRED.
        &[0, 0, 0, 0],
        &[0, 0, 0, 0x0d],
        GOAWAY_TEXT,
    ]
    .concat()
}

/// curl 7.88.1's SETTINGS as it sent them, as the event line shows them.
const CURL_LINE: &str = "client spoke HTTP/2 (prior knowledge): SETTINGS \
    MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=33554432, ENABLE_PUSH=0; \
    answered GOAWAY HTTP_1_1_REQUIRED";

#[test]
fn curl_with_prior_knowledge_is_told_http_1_1_is_required() {
    for mode in ["auto", "http"] {
        let mut server = Server::start(&["--no-h2", "--mode", mode]);
        let out = Command::new("curl")
            .args(["-v", "--max-time", "10", "--http2-prior-knowledge"])
            .arg(format!("http://{}/", server.addr))
            .output()
            .expect("curl must be installed: scripts/test.sh installs it");
        let trace = String::from_utf8_lossy(&out.stderr);
        // 16: "Error in the HTTP2 framing layer", curl's word for a
        // connection its server ended with an error.
        assert_eq!(out.status.code(), Some(16), "{mode}: {trace}");
        assert!(out.stdout.is_empty(), "{mode}: {trace}");
        assert!(trace.contains("> GET / HTTP/2"), "{mode}: {trace}");
        // curl 7.88 prints the code's number; later versions its name.
        assert!(
            trace.contains("GOAWAY, error=13, last_stream=0")
                || trace.contains("HTTP_1_1_REQUIRED"),
            "{mode}: {trace}"
        );
        // The settings depend on curl's version; the words around them not.
        let line = server.expect("client spoke HTTP/2");
        assert!(
            line.ends_with("; answered GOAWAY HTTP_1_1_REQUIRED"),
            "{line}"
        );
        assert!(line.contains(": SETTINGS "), "{line}");
        if trace.contains("curl/7.88.1") {
            assert!(line.ends_with(CURL_LINE), "{mode}: {line}");
        }
        server.expect_all(&["close (done)", "92 bytes out"]);
    }
}

#[test]
fn a_raw_client_reads_settings_then_goaway() {
    // The preface and an empty SETTINGS frame: the least a client sends.
    let hello = [PREFACE, &[0, 0, 0, 0x04, 0, 0, 0, 0, 0]].concat();
    for mode in ["auto", "http"] {
        let mut server = Server::start(&["--no-h2", "--mode", mode]);
        let mut stream = server.connect();
        stream.write_all(&hello).unwrap();
        assert_eq!(read_to_end(&mut stream), refusal(), "{mode}");
        server.expect("client spoke HTTP/2 (prior knowledge): SETTINGS (none); answered GOAWAY HTTP_1_1_REQUIRED");
    }
}

#[test]
fn settings_in_pieces_are_waited_for_and_named() {
    // Auto mode keeps what came; every setting, plus one RFC 9113 does not
    // name (shown by its id in hex), split across writes.
    let mut frame = vec![0, 0, 42, 0x04, 0, 0, 0, 0, 0];
    for (id, value) in [
        (1u16, 4096u32),
        (2, 0),
        (3, 100),
        (4, 65535),
        (5, 16384),
        (6, 8192),
        (0x0a0a, 7),
    ] {
        frame.extend_from_slice(&id.to_be_bytes());
        frame.extend_from_slice(&value.to_be_bytes());
    }
    let mut server = Server::start(&["--no-h2", "--mode", "auto"]);
    let mut stream = server.connect();
    for piece in [
        &PREFACE[..10],
        &PREFACE[10..],
        &frame[..5],
        &frame[5..20],
        &frame[20..],
    ] {
        stream.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(read_to_end(&mut stream), refusal());
    server.expect(
        "client spoke HTTP/2 (prior knowledge): SETTINGS HEADER_TABLE_SIZE=4096, ENABLE_PUSH=0, \
         MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=65535, MAX_FRAME_SIZE=16384, \
         MAX_HEADER_LIST_SIZE=8192, 0x0a0a=7; answered GOAWAY HTTP_1_1_REQUIRED",
    );
}

#[test]
fn a_first_frame_that_is_not_settings_gets_the_same_answer() {
    // WINDOW_UPDATE where SETTINGS must be.
    let hello = [PREFACE, &[0, 0, 4, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 1]].concat();
    for mode in ["auto", "http"] {
        let mut server = Server::start(&["--no-h2", "--mode", mode]);
        let mut stream = server.connect();
        stream.write_all(&hello).unwrap();
        assert_eq!(read_to_end(&mut stream), refusal(), "{mode}");
        server.expect("client spoke HTTP/2 (prior knowledge): the first frame is not SETTINGS; answered GOAWAY HTTP_1_1_REQUIRED");
    }
}

#[test]
fn a_preface_without_settings_is_answered_after_a_second() {
    let mut server = Server::start(&["--no-h2", "--mode", "http"]);
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    assert_eq!(read_to_end(&mut stream), refusal());
    server.expect("client spoke HTTP/2 (prior knowledge): no complete SETTINGS frame within 1s of the preface; answered GOAWAY HTTP_1_1_REQUIRED");
}
