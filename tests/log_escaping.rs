//! Bytes from the wire in the log: every string a client chose (a request
//! target, a header value, a WebSocket message, a close reason, a TLS
//! host name and protocol names) is shown through the one escaping of
//! `src/log.rs`, in the text log, with `--trace` and in `--log json`.
//!
//! The hostile bytes are the ones a terminal or a log viewer acts on
//! instead of showing: ESC and the C1 control CSI (U+009B, which starts
//! a terminal command as `ESC [` does), NEL (U+0085, a line break to some
//! viewers), U+2028 (LINE SEPARATOR) and U+202E (RIGHT-TO-LEFT OVERRIDE,
//! which shows the text after it reversed). In UTF-8 each is two or three
//! bytes outside printable ASCII, so each is shown as `\xNN` escapes,
//! never as itself. tests/README.md cases 48 to 50.

mod common;

use std::io::Write;

use common::{read_to_end, Server};

/// CSI and its command, NEL, U+2028 and U+202E, as a client sends them.
const HOSTILE: &str = "\u{9b}2J\u{85}\u{2028}\u{202e}";
/// The same, as every log line must show them: each UTF-8 byte escaped.
const HOSTILE_SHOWN: &str = r"\xc2\x9b2J\xc2\x85\xe2\x80\xa8\xe2\x80\xae";

/// ESC and a terminal command, for the places whose rules let it through
/// (a WebSocket text message, a TLS host name); an HTTP target cannot
/// hold it (httparse refuses control bytes there).
#[cfg(any(feature = "websocket", feature = "tls"))]
const ESCAPE: &str = "\x1b[2J";
#[cfg(any(feature = "websocket", feature = "tls"))]
const ESCAPE_SHOWN: &str = r"\x1b[2J";

/// The first character in `line` that a terminal or viewer would act on:
/// a C0 or C1 control, DEL, a line or paragraph separator, a bidi control.
fn acted_on(line: &str) -> Option<char> {
    line.chars().find(|&c| {
        matches!(c,
            '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}'
            | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{200e}' | '\u{200f}' | '\u{061c}')
    })
}

/// Every line the server printed has no byte a terminal would act on.
fn assert_all_shown_escaped(server: &Server) {
    for line in &server.seen {
        if let Some(c) = acted_on(line) {
            panic!("{c:?} reached the log raw: {line:?}");
        }
    }
}

/// A request whose target holds [`HOSTILE`], then one whose target
/// forges a second request line after a NEL (with no-break spaces, which
/// look like spaces); each is one line, its target escaped.
#[test]
fn a_request_target_is_escaped_in_the_text_log() {
    let mut server = Server::start(&[]);
    let forged = "/a\u{85}#1\u{a0}127.0.0.1:1\u{a0}request\u{a0}2:\u{a0}GET\u{a0}/admin";
    let forged_shown =
        r"/a\xc2\x85#1\xc2\xa0127.0.0.1:1\xc2\xa0request\xc2\xa02:\xc2\xa0GET\xc2\xa0/admin";
    for (target, shown) in [
        (format!("/x{HOSTILE}y"), format!("/x{HOSTILE_SHOWN}y")),
        (forged.to_string(), forged_shown.to_string()),
    ] {
        let mut conn = server.connect();
        let me = conn.local_addr().unwrap();
        let request = format!("GET {target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        conn.write_all(request.as_bytes()).unwrap();
        read_to_end(&mut conn);
        let line = server.expect(&format!("{me} request 1: "));
        let expected = format!("{me} request 1: GET {shown} HTTP/1.1 -> 200 OK, ");
        assert!(
            line.contains(&expected),
            "{line:?} should contain {expected:?}"
        );
    }
    assert_all_shown_escaped(&server);
}

/// `--log json`: the target is the same escaped text (serde_json would
/// escape only C0 controls, and write the others as they are).
#[test]
fn a_request_target_is_escaped_in_the_json_log() {
    let mut server = Server::start(&["--log", "json"]);
    let mut conn = server.connect();
    let request = format!("GET /x{HOSTILE}y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    conn.write_all(request.as_bytes()).unwrap();
    read_to_end(&mut conn);
    let line = server.expect(r#""event":"request""#);
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(json["target"], format!("/x{HOSTILE_SHOWN}y"), "{line}");
    assert_eq!(json["method"], "GET");
    assert_all_shown_escaped(&server);
}

/// The header values a `--trace` note quotes, and a transfer coding the
/// refusal names, go through the same escaping.
#[test]
fn header_values_in_notes_and_refusals_are_escaped() {
    let mut server = Server::start(&["--trace"]);
    let mut conn = server.connect();
    let request =
        format!("GET http://a{HOSTILE}/ HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n");
    conn.write_all(request.as_bytes()).unwrap();
    read_to_end(&mut conn);
    let line = server.expect(" notes: ");
    let expected = format!("Host \"b\" differs from the target's \"a{HOSTILE_SHOWN}\"");
    assert!(
        line.contains(&expected),
        "{line:?} should contain {expected:?}"
    );

    let mut conn = server.connect();
    let request =
        format!("POST / HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: x{HOSTILE}, chunked\r\n\r\n");
    conn.write_all(request.as_bytes()).unwrap();
    read_to_end(&mut conn);
    let line = server.expect(" -> 501 ");
    // The coding is lower-cased, as it was compared with `chunked`.
    let coding = HOSTILE_SHOWN.to_ascii_lowercase();
    let expected = format!("transfer coding \"x{coding}\" is not supported");
    assert!(
        line.ends_with(&expected),
        "{line:?} should end with {expected:?}"
    );
    assert_all_shown_escaped(&server);
}

/// A masked client frame with a payload under 126 bytes.
#[cfg(feature = "websocket")]
fn client_frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [1, 2, 3, 4];
    let mut frame = vec![first, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// A text message and a close reason with every class in them, with
/// `--trace` (its hex dumps and the `>`/`<` lines of the raw bytes too).
#[test]
#[cfg(feature = "websocket")]
fn a_websocket_text_frame_and_close_reason_are_escaped_with_trace() {
    let mut server = Server::start(&["--trace"]);
    let mut conn = common::ws_upgraded(&server);
    let me = conn.local_addr().unwrap();
    // Enough plain text after the hostile bytes that the message reads
    // as text (not as hex: more than 1 byte in 8 outside printable ASCII).
    let dots = ".".repeat(80);
    let message = format!("a{ESCAPE}{HOSTILE}b{dots}");
    conn.write_all(&client_frame(0x81, message.as_bytes()))
        .unwrap();
    let reason = format!("bye{HOSTILE}");
    let close = [&1000u16.to_be_bytes()[..], reason.as_bytes()].concat();
    conn.write_all(&client_frame(0x88, &close)).unwrap();
    read_to_end(&mut conn);

    // The preview is the message's first 48 bytes, cut there.
    let shown = format!("a{ESCAPE_SHOWN}{HOSTILE_SHOWN}b{}", &dots[..30]);
    assert_eq!(
        server.expect(" ws frame: FIN text "),
        format!("#1 {me} ws frame: FIN text 98 bytes, mask 01020304, \"{shown}\"...(50 more)")
    );
    let you_said = format!(
        "You said \\\"a{ESCAPE_SHOWN}{HOSTILE_SHOWN}b{}",
        &dots[..20]
    );
    assert_eq!(
        server.expect(" ws frame sent: FIN text "),
        format!("#1 {me} ws frame sent: FIN text 109 bytes, \"{you_said}\"...(61 more)")
    );
    assert_eq!(
        server.expect(" ws frame: FIN close "),
        format!(
            "#1 {me} ws frame: FIN close 17 bytes, mask 01020304, code 1000 \"bye{HOSTILE_SHOWN}\""
        )
    );
    server.expect(" close (done)");
    assert_all_shown_escaped(&server);
}

/// A ClientHello built by hand: TLS 1.3, one cipher suite, the host name
/// `sni` and the protocol names `alpn`.
#[cfg(feature = "tls")]
fn client_hello(sni: &str, alpn: &[&str]) -> Vec<u8> {
    let vec16 = |body: &[u8]| [&(body.len() as u16).to_be_bytes()[..], body].concat();
    let extension = |kind: u16, body: &[u8]| [&kind.to_be_bytes()[..], &vec16(body)].concat();
    let name = [&[0u8][..], &vec16(sni.as_bytes())].concat();
    let protocols: Vec<u8> = alpn
        .iter()
        .flat_map(|p| [&[p.len() as u8][..], p.as_bytes()].concat())
        .collect();
    let extensions = [
        extension(0, &vec16(&name)),
        extension(16, &vec16(&protocols)),
        // supported_versions: TLS 1.3.
        extension(43, &[2, 3, 4]),
    ]
    .concat();
    let body = [
        &[3, 3][..],           // legacy_version
        &[7; 32],              // random
        &[0],                  // no session id
        &vec16(&[0x13, 0x01]), // TLS_AES_128_GCM_SHA256
        &[1, 0],               // no compression
        &vec16(&extensions),
    ]
    .concat();
    let handshake = [&[1][..], &(body.len() as u32).to_be_bytes()[1..], &body].concat();
    [&[0x16, 3, 1][..], &vec16(&handshake)].concat()
}

/// SNI and ALPN in the JSON log and in the text line.
#[test]
#[cfg(feature = "tls")]
fn a_tls_host_name_and_protocol_names_are_escaped() {
    let sni = format!("a{ESCAPE}{HOSTILE}.test");
    let sni_shown = format!("a{ESCAPE_SHOWN}{HOSTILE_SHOWN}.test");
    let alpn = ["h2\u{85}", "\u{202e}x\x1b", "http/1.1"];
    let alpn_shown = [r"h2\xc2\x85", r"\xe2\x80\xaex\x1b", "http/1.1"];
    let hello = client_hello(&sni, &alpn);

    let mut server = Server::start(&["--log", "json"]);
    let mut conn = server.connect();
    conn.write_all(&hello).unwrap();
    read_to_end(&mut conn);
    let line = server.expect(r#""event":"tls_hello""#);
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(json["sni"], sni_shown, "{line}");
    assert_eq!(json["alpn"], serde_json::json!(alpn_shown), "{line}");
    assert_all_shown_escaped(&server);

    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    conn.write_all(&hello).unwrap();
    read_to_end(&mut conn);
    let line = server.expect("client started a TLS");
    let expected = format!(
        "client started a TLS 1.3 handshake for \"{sni_shown}\" (ALPN {}; 1 cipher suites)",
        alpn_shown.join(", ")
    );
    assert!(
        line.contains(&expected),
        "{line:?} should contain {expected:?}"
    );
    assert_all_shown_escaped(&server);
}

/// An HTTP/2 frame on `stream`: its 9-byte header, then `payload`.
#[cfg(feature = "h2")]
fn h2_frame(kind: u8, flags: u8, stream: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = (payload.len() as u32).to_be_bytes()[1..].to_vec();
    frame.extend_from_slice(&[kind, flags, 0, 0, 0, stream]);
    frame.extend_from_slice(payload);
    frame
}

/// The payloads of the DATA frames on stream 1, up to END_STREAM: the
/// page, whatever frames came around it.
#[cfg(feature = "h2")]
fn h2_page(conn: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut page = Vec::new();
    loop {
        let mut head = [0u8; 9];
        conn.read_exact(&mut head).expect("the page's frames");
        let mut payload = vec![0; u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize];
        conn.read_exact(&mut payload).expect("the frame's payload");
        if head[3] == 0 {
            page.extend_from_slice(&payload);
            if head[4] & 0x1 != 0 {
                return String::from_utf8(page).expect("the page is UTF-8");
            }
        }
    }
}

/// The HTTP/2 HTML page: a header value and a `:path` holding `<script>`
/// and [`HOSTILE`] are shown as every page shows bytes from the wire, each
/// byte past printable ASCII as `\xNN` (dimmed), then HTML-escaped; the
/// path in the page's links is percent-encoded. No line of the page has a
/// character a terminal or a browser would act on, and no markup came
/// through.
#[test]
#[cfg(feature = "h2")]
fn a_header_value_on_the_http2_html_page_is_escaped() {
    let server = Server::start(&["--quiet"]);
    let script = "<script>alert(1)</script>";
    let value = format!("{script}{HOSTILE}");
    let path = format!("/x\"{script}{HOSTILE}");
    // HPACK literals without indexing and without Huffman: :method GET
    // (static 2), :scheme http (6), :path (name 4), :authority (name 1),
    // accept (name 19, past the 4-bit prefix: 0x0f 0x04), x-hostile (a
    // new name).
    let literal =
        |name: &[u8], value: &str| [name, &[value.len() as u8], value.as_bytes()].concat();
    let block = [
        &[0x82, 0x86][..],
        &literal(&[0x04], &path),
        &literal(&[0x01], "localhost"),
        &literal(&[0x0f, 0x04], "text/html"),
        &literal(b"\x00\x09x-hostile", &value),
    ]
    .concat();
    let mut conn = server.connect();
    conn.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").unwrap();
    conn.write_all(&h2_frame(4, 0, 0, &[])).unwrap();
    // HEADERS with END_STREAM and END_HEADERS.
    conn.write_all(&h2_frame(1, 0x5, 1, &block)).unwrap();
    let page = h2_page(&mut conn);
    // Each byte of HOSTILE past printable ASCII, dimmed as the page does.
    let dimmed: String = (HOSTILE.bytes())
        .map(|b| match b {
            0x20..=0x7e => char::from(b).to_string(),
            _ => format!(r#"<span class="esc">\x{b:02x}</span>"#),
        })
        .collect();
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    for fragment in [
        format!("<tr><td>x-hostile</td><td>{escaped}{dimmed}</td>"),
        format!("<td>:path</td><td>/x&quot;{escaped}{dimmed}</td>"),
        format!("<title>rawnet: GET /x&quot;{escaped}{dimmed} HTTP/2</title>"),
        "<a href=\"/x&quot;&lt;script&gt;alert(1)&lt;/script&gt;%C2%9B2J%C2%85%E2%80%A8%E2%80%AE\
         ?format=json\">As JSON</a>"
            .to_string(),
    ] {
        #[cfg(not(feature = "json"))]
        if fragment.contains("As JSON") {
            continue;
        }
        assert!(page.contains(&fragment), "{fragment:?} in {page}");
    }
    // The page's own script (the WebSocket panel's) is there; the
    // client's never is.
    assert!(!page.contains("<script>alert"), "{page}");
    for line in page.lines() {
        if let Some(c) = acted_on(line) {
            panic!("{c:?} reached the page raw: {line:?}");
        }
    }
}
