#![cfg(feature = "h2")]
//! HTTP/2 spoken, frame by frame: real clients (curl with prior
//! knowledge, nghttp, h2load) against the real binary, and frames written
//! by hand for the edge cases and the hostile ones, each answered with
//! the RFC's error code.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common::Server;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// One frame: its 9-byte header, then `payload`.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut out = len.to_be_bytes()[1..].to_vec();
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

const DATA: u8 = 0;
const HEADERS: u8 = 1;
const RST_STREAM: u8 = 3;
const SETTINGS: u8 = 4;
const PING: u8 = 6;
const GOAWAY: u8 = 7;
const WINDOW_UPDATE: u8 = 8;
const CONTINUATION: u8 = 9;
const END_STREAM: u8 = 1;
const END_HEADERS: u8 = 4;

/// `GET /path` in HPACK without Huffman: `:method GET` (static 2),
/// `:scheme http` (6), `:path` as a literal with name index 4, and
/// `:authority localhost` as a literal with name index 1.
fn get(path: &str) -> Vec<u8> {
    let mut block = vec![0x82, 0x86, 0x04, path.len() as u8];
    block.extend_from_slice(path.as_bytes());
    block.extend_from_slice(&[0x01, 9]);
    block.extend_from_slice(b"localhost");
    block
}

/// A connection that has sent the preface and an empty SETTINGS.
fn connect(server: &Server) -> TcpStream {
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    stream.write_all(&frame(SETTINGS, 0, 0, &[])).unwrap();
    stream
}

/// Frames from the server until one of `kind` (returned with its
/// payload) or the end.
fn until(stream: &mut TcpStream, kind: u8) -> Option<(u8, u32, Vec<u8>)> {
    loop {
        let mut head = [0u8; 9];
        stream.read_exact(&mut head).ok()?;
        let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let mut payload = vec![0; len];
        stream.read_exact(&mut payload).ok()?;
        let id = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
        if head[3] == kind {
            return Some((head[4], id, payload));
        }
    }
}

/// The GOAWAY's error code, after the last stream id.
fn goaway_code(stream: &mut TcpStream) -> u32 {
    let (_, _, payload) = until(stream, GOAWAY).expect("a GOAWAY");
    u32::from_be_bytes(payload[4..8].try_into().unwrap())
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("run (scripts/test.sh installs it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn curl_with_prior_knowledge_gets_its_request_decoded_field_by_field() {
    let mut server = Server::start(&[]);
    let url = format!("http://127.0.0.1:{}/hello?x=1", server.addr.port());
    let (ok, page, err) = run(Command::new("curl").args(["-sS", "--http2-prior-knowledge", &url]));
    assert!(ok, "{err}");
    assert!(
        page.starts_with(
            "rawnet got this request on connection #1 (stream 1, request 1 on it) from "
        ),
        "{page}"
    );
    for line in [
        ":method: GET — indexed, static 2 (82)\n",
        ":path: /hello?x=1 — literal",
        ":scheme: http — indexed, static 6 (86)\n",
        "user-agent: curl/",
        "up to this page; its own HEADERS and DATA follow:\n  > HEADERS, ",
        "flags END_STREAM END_HEADERS, stream 1 (",
        "The connection's HTTP/2 fingerprint (Akamai's format",
    ] {
        assert!(page.contains(line), "{line:?} in {page}");
    }
    server.expect("h2 frame: SETTINGS");
    server.expect("stream 1: GET /hello?x=1 HTTP/2 -> 200 OK");
}

/// The HTML page over h2c, as curl asks for it with `Accept: text/html`:
/// the heading, the fields table row by row with how HPACK sent each and
/// its bytes, the block's size against HTTP/1.1's, the frames table, the
/// fingerprint's parts by name, the links to the other views. A second
/// request on the same connection (nghttp's: curl 7.88 cannot reuse a
/// prior-knowledge connection, curl/curl#10634) finds its fields in the
/// dynamic table the first one filled.
#[test]
fn curl_asking_for_html_gets_the_fields_frames_and_fingerprint_as_tables() {
    let mut server = Server::start(&[]);
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    let (ok, first, err) = run(Command::new("curl").args([
        "-sS",
        "--http2-prior-knowledge",
        "-H",
        "Accept: text/html",
        &format!("{base}/page?x=1"),
    ]));
    assert!(ok, "{err}");
    for fragment in [
        "<title>rawnet: GET /page?x=1 HTTP/2</title>",
        "<h1>HTTP/2 is frames</h1>",
        "came over <b>HTTP/2</b> on stream <b>1</b> of connection <b>#1</b> (request 1 on it)",
        "<tr class=\"pseudo indexed\"><td>:method</td><td>GET</td>\
         <td class=\"how\">indexed, static 2</td><td class=\"hex\">82</td></tr>\n",
        "<tr class=\"pseudo indexed\"><td>:scheme</td><td>http</td>\
         <td class=\"how\">indexed, static 6</td><td class=\"hex\">86</td></tr>\n",
        "<tr class=\"pseudo\"><td>:path</td><td>/page?x=1</td>\
         <td class=\"how\">literal without indexing, name static 4, Huffman value</td>",
        "<tr><td>accept</td><td>text/html</td><td class=\"how\">literal with incremental \
         indexing, name static 19, Huffman value</td><td class=\"hex\">53 87 49 7c a5 89 d3 \
         4d 1f</td></tr>\n",
        "HTTP/2 has no request line: it is the pseudo-headers",
        "every field name is lower case",
        "HPACK sent ",
        "<tr><td>client → rawnet</td><td>HEADERS</td><td>END_STREAM END_HEADERS</td>\
         <td>1</td><td>",
        "<td class=\"hex\">82 ",
        "<li><code>3:100</code> MAX_CONCURRENT_STREAMS = 100</li>",
        "<li><b>PRIORITY</b> <code>0</code>: no PRIORITY frames came",
        "<li><b>pseudo-header order</b> <code>m,p,s,a</code>: ",
        "<p class=\"note\">No body: no DATA frame came.</p>",
        "<a href=\"/page?x=1&amp;format=json\">As JSON</a>.",
        "<a href=\"/page?x=1&amp;format=text\">As text</a>.",
    ] {
        assert!(first.contains(fragment), "{fragment:?} in {first}");
    }
    // HTTP/1.1's head would be the request line, Host, user-agent,
    // accept and the empty line; the block is smaller, and says by how
    // much.
    let ua = first.split("<td>user-agent</td><td>").nth(1).unwrap();
    let ua = &ua[..ua.find("</td>").unwrap()];
    let port = server.addr.port().to_string();
    let http1 = "GET /page?x=1 HTTP/1.1\r\n".len()
        + format!("Host: 127.0.0.1:{port}\r\n").len()
        + format!("user-agent: {ua}\r\n").len()
        + "accept: text/html\r\n\r\n".len();
    assert!(
        first.contains(&format!("would be <b>{http1} bytes</b>: HPACK sent ")),
        "{http1} in {first}"
    );
    let (ok, pages, err) = run(Command::new("nghttp").args([
        "-H",
        "accept: text/html",
        &format!("{base}/one"),
        &format!("{base}/two"),
    ]));
    assert!(ok, "{err}");
    let second = (pages.split("<!doctype html>"))
        .find(|page| page.contains("(request 2 on it)"))
        .unwrap_or_else(|| panic!("a second request in {pages}"));
    let fragment =
        "<tr class=\"indexed\"><td>accept</td><td>text/html</td><td class=\"how\">indexed, dynamic 6";
    assert!(second.contains(fragment), "{fragment:?} in {second}");
    // The links lead to the other views.
    #[cfg(feature = "knobs")]
    {
        let url = format!("{base}/page?x=1&format=text");
        let (_, text, _) = run(Command::new("curl").args([
            "-sS",
            "--http2-prior-knowledge",
            "-H",
            "Accept: text/html",
            &url,
        ]));
        assert!(text.starts_with("rawnet got this request"), "{text}");
    }
    server.expect("stream 1: GET /page?x=1 HTTP/2 -> 200 OK");
}

/// Trailers and a body on the HTML page: the body's length and its text,
/// the trailer's row (no bytes: its block is not kept), the DATA frame's
/// row.
#[test]
fn the_html_page_shows_a_body_and_its_trailers() {
    let server = Server::start(&["--quiet"]);
    let mut stream = connect(&server);
    let mut block = get("/with-trailers");
    // accept: text/html, a literal without indexing, name static 19.
    block.extend_from_slice(&[0x0f, 0x04, 9]);
    block.extend_from_slice(b"text/html");
    stream
        .write_all(&frame(HEADERS, END_HEADERS, 1, &block))
        .unwrap();
    stream.write_all(&frame(DATA, 0, 1, b"hello <b>")).unwrap();
    // x-check: done, a literal with a new name.
    let mut trailer = vec![0x00, 7];
    trailer.extend_from_slice(b"x-check");
    trailer.push(4);
    trailer.extend_from_slice(b"done");
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 1, &trailer))
        .unwrap();
    let mut page = Vec::new();
    while let Some((flags, _, payload)) = until(&mut stream, DATA) {
        page.extend_from_slice(&payload);
        if flags & END_STREAM != 0 {
            break;
        }
    }
    let page = String::from_utf8(page).unwrap();
    for fragment in [
        "<p class=\"note\">9 bytes, in the DATA frames below.</p>\n\
         <pre class=\"body\">hello &lt;b&gt;\n</pre>",
        "<h2>Trailers</h2>",
        "<tr><td>x-check</td><td>done</td><td class=\"how\">literal without indexing, \
         new name</td></tr>",
        "<tr><td>client → rawnet</td><td>DATA</td><td></td><td>1</td><td>9</td>\
         <td class=\"hex\">00 00 09 00 00 00 00 00 01</td>\
         <td class=\"hex\">68 65 6c 6c 6f 20 3c 62 3e</td></tr>",
        "<tr><td>client → rawnet</td><td>HEADERS</td><td>END_STREAM END_HEADERS</td>",
        "<pre class=\"akamai\">|00|0|m,s,p,a</pre>",
        "<li><b>SETTINGS</b> <code></code>: the client's first SETTINGS frame, each setting \
         <code>id:value</code> in the order sent (none: an empty SETTINGS).</li>",
        "<li><b>WINDOW_UPDATE</b> <code>00</code>: no WINDOW_UPDATE on stream 0 came",
    ] {
        assert!(page.contains(fragment), "{fragment:?} in {page}");
    }
}

#[test]
fn a_body_comes_in_data_frames_and_curl_verbose_says_http2() {
    let mut server = Server::start(&[]);
    let url = format!("http://127.0.0.1:{}/upload", server.addr.port());
    let (ok, page, err) = run(Command::new("curl").args([
        "-sS",
        "-v",
        "--http2-prior-knowledge",
        "--data-binary",
        "hello, frames",
        &url,
    ]));
    assert!(ok, "{err}");
    assert!(
        err.contains("> POST /upload HTTP/2\r\n") || err.contains("> POST /upload HTTP/2"),
        "{err}"
    );
    assert!(err.contains("< HTTP/2 200"), "{err}");
    assert!(
        page.contains("its body, 13 bytes: \"hello, frames\""),
        "{page}"
    );
    assert!(
        page.contains("> DATA, 13 bytes, flags END_STREAM, stream 1"),
        "{page}"
    );
    server.expect("stream 1: POST /upload HTTP/2 -> 200 OK");
}

#[test]
fn nghttp_sees_the_frames_and_its_priorities_are_in_the_fingerprint() {
    let mut server = Server::start(&[]);
    let url = format!("http://127.0.0.1:{}/", server.addr.port());
    let (ok, out, err) = run(Command::new("nghttp").args(["-nv", &url]));
    assert!(ok, "{out}{err}");
    // With WebSocket over HTTP/2, a fourth: ENABLE_CONNECT_PROTOCOL.
    let (length, settings) = match cfg!(feature = "websocket") {
        true => (24, 4),
        false => (18, 3),
    };
    assert!(
        out.contains(&format!(
            "recv SETTINGS frame <length={length}, flags=0x00, stream_id=0>"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("(niv={settings})")), "{out}");
    assert!(
        out.contains("[SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100]"),
        "{out}"
    );
    // nghttp sends PRIORITY frames for streams 3 to 11 first, a
    // dependency tree of its own, and asks on stream 13.
    assert!(out.contains("recv (stream_id=13) :status: 200"), "{out}");
    assert!(out.contains("recv DATA frame"), "{out}");
    server.expect("h2 frame: PRIORITY stream 3, weight 201 on 0");
    server.expect("stream 13: GET / HTTP/2 -> 200 OK");
    // nghttp's page: its PRIORITY frames made the fingerprint's third part.
    let (ok, page, _) = run(Command::new("nghttp").arg(&url));
    assert!(ok);
    let akamai = page.lines().last().unwrap();
    let parts: Vec<&str> = akamai.split('|').collect();
    assert_eq!(parts.len(), 4, "{akamai}");
    assert_ne!(parts[2], "0", "nghttp sends PRIORITY frames: {akamai}");
    assert_eq!(parts[3], "m,p,s,a", "{akamai}");
}

#[test]
fn h2load_gets_every_request_answered_on_many_streams() {
    let server = Server::start(&["--quiet"]);
    let url = format!("http://127.0.0.1:{}/", server.addr.port());
    let (ok, out, err) =
        run(Command::new("h2load").args(["-n", "2000", "-c", "4", "-m", "20", &url]));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored"),
        "{out}"
    );
    assert!(out.contains("status codes: 2000 2xx"), "{out}");
}

#[test]
fn data_on_stream_0_is_a_connection_protocol_error() {
    let mut server = Server::start(&[]);
    let mut stream = connect(&server);
    stream.write_all(&frame(DATA, 0, 0, b"x")).unwrap();
    assert_eq!(goaway_code(&mut stream), 0x1);
    server.expect("HTTP/2 connection error, GOAWAY PROTOCOL_ERROR:");
}

#[test]
fn a_request_on_an_even_stream_is_a_protocol_error() {
    let mut server = Server::start(&[]);
    let mut stream = connect(&server);
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 2, &get("/")))
        .unwrap();
    assert_eq!(goaway_code(&mut stream), 0x1);
    server.expect("a client's streams have odd numbers");
}

#[test]
fn an_uppercase_field_name_resets_only_its_stream() {
    let mut server = Server::start(&[]);
    let mut stream = connect(&server);
    let mut block = get("/");
    block.extend_from_slice(&[0x00, 1, b'X', 1, b'y']);
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 1, &block))
        .unwrap();
    let (_, id, payload) = until(&mut stream, RST_STREAM).unwrap();
    assert_eq!((id, payload), (1, vec![0, 0, 0, 1]));
    server.expect(
        "stream 1 reset with RST_STREAM PROTOCOL_ERROR: the field name \"X\" has upper case",
    );
    // The connection goes on: stream 3 is answered.
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 3, &get("/after")))
        .unwrap();
    let (flags, id, _) = until(&mut stream, HEADERS).unwrap();
    assert_eq!(id, 3);
    assert_eq!(flags & END_HEADERS, END_HEADERS);
}

#[test]
fn a_continuation_flood_is_cut_at_the_block_bound() {
    let mut server = Server::start(&[]);
    let mut stream = connect(&server);
    stream.write_all(&frame(HEADERS, 0, 1, &get("/"))).unwrap();
    // Five frames of 16 KiB with no END_HEADERS: past the 64 KiB bound.
    let filler = vec![0u8; 16 * 1024];
    for _ in 0..5 {
        stream
            .write_all(&frame(CONTINUATION, 0, 1, &filler))
            .unwrap();
    }
    assert_eq!(goaway_code(&mut stream), 0xb, "ENHANCE_YOUR_CALM");
    server.expect("a header block longer than 64 KiB across CONTINUATION frames");
}

#[test]
fn rapid_reset_gets_enhance_your_calm() {
    let mut server = Server::start(&["--quiet"]);
    let mut stream = connect(&server);
    let mut burst = Vec::new();
    for i in 0..300u32 {
        let id = 1 + 2 * i;
        burst.extend(frame(HEADERS, END_HEADERS, id, &get("/")));
        burst.extend(frame(RST_STREAM, 0, id, &8u32.to_be_bytes()));
    }
    let _ = stream.write_all(&burst);
    assert_eq!(goaway_code(&mut stream), 0xb);
    let _ = &mut server;
}

#[test]
fn a_ping_flood_gets_enhance_your_calm_and_a_ping_its_ack() {
    let server = Server::start(&["--quiet"]);
    let mut stream = connect(&server);
    stream.write_all(&frame(PING, 0, 0, b"12345678")).unwrap();
    let (flags, _, payload) = until(&mut stream, PING).unwrap();
    assert_eq!((flags, payload.as_slice()), (1, &b"12345678"[..]));
    let flood: Vec<u8> = (0..1200)
        .flat_map(|_| frame(PING, 0, 0, b"abcdefgh"))
        .collect();
    let _ = stream.write_all(&flood);
    assert_eq!(goaway_code(&mut stream), 0xb);
}

#[test]
fn a_zero_window_holds_the_body_until_it_opens() {
    let mut server = Server::start(&[]);
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    // SETTINGS_INITIAL_WINDOW_SIZE = 0: no DATA may come on a stream.
    stream
        .write_all(&frame(SETTINGS, 0, 0, &[0, 4, 0, 0, 0, 0]))
        .unwrap();
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 1, &get("/")))
        .unwrap();
    let (flags, id, _) = until(&mut stream, HEADERS).unwrap();
    assert_eq!(
        (id, flags & END_STREAM),
        (1, 0),
        "headers, the body to come"
    );
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut probe = [0u8; 9];
    assert!(
        stream.read_exact(&mut probe).is_err(),
        "no DATA while the window is 0"
    );
    stream.set_read_timeout(Some(common::PATIENCE)).unwrap();
    stream
        .write_all(&frame(WINDOW_UPDATE, 0, 1, &100_000u32.to_be_bytes()))
        .unwrap();
    let (_, id, payload) = until(&mut stream, DATA).unwrap();
    assert_eq!(id, 1);
    assert!(String::from_utf8_lossy(&payload).starts_with("rawnet got this request"));
    server.expect("stream 1: GET / HTTP/2 -> 200 OK");
}

#[test]
fn an_hpack_bomb_stops_at_the_header_list_bound() {
    let mut server = Server::start(&["--max-head", "8192"]);
    let mut stream = connect(&server);
    // One 3000-byte value into the dynamic table (it fits the 4096
    // bytes), then 100 references to it: 300 KB from a 3 KB block.
    let mut block = get("/");
    block.extend_from_slice(&[0x40, 1, b'x', 0x7f, 0xb9, 0x16]);
    block.extend(std::iter::repeat_n(b'v', 3000));
    block.extend(std::iter::repeat_n(0xbe, 100));
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 1, &block))
        .unwrap();
    assert_eq!(goaway_code(&mut stream), 0xb);
    server.expect("HPACK:");
}

#[test]
fn chromium_over_https_gets_http2_and_its_page_says_so() {
    let mut server = Server::start(&["--tls"]);
    let url = format!("https://127.0.0.1:{}/from-chromium", server.addr.port());
    let dom = common::chromium::chromium(
        &[
            "--ignore-certificate-errors".into(),
            "--dump-dom".into(),
            url,
        ],
        Duration::from_secs(90),
    );
    let line = server.expect("TLS handshake done:");
    assert!(line.contains("ALPN h2"), "{line}");
    server.expect("stream 1: GET /from-chromium HTTP/2 -> 200 OK");
    // The DOM as Chromium serializes it: the parser's <tbody> in each
    // table, the rows as sent.
    for words in [
        "<h1>HTTP/2 is frames</h1>",
        // Connection #1 or #2: Chromium may open a spare one first.
        "came over <b>HTTP/2</b> on stream <b>1</b> of connection <b>#",
        "<tr class=\"pseudo indexed\"><td>:method</td><td>GET</td>\
         <td class=\"how\">indexed, static 2</td><td class=\"hex\">82</td></tr>",
        "<td>:path</td><td>/from-chromium</td>",
        "<tr><td>user-agent</td><td>Mozilla/5.0",
        "<h3>TLS</h3>",
        "<tr><td>client → rawnet</td><td>HEADERS</td><td>END_STREAM END_HEADERS",
        "<h2>The connection's HTTP/2 fingerprint</h2>",
        "<li><code>1:65536</code> HEADER_TABLE_SIZE = 65536</li>",
        "<li><b>pseudo-header order</b> <code>m,a,s,p</code>: ",
        // Chromium's HEADERS carries a priority (its PRIORITY flag), which
        // Akamai's format does not count: Chromium's print says 0.
        "<li><b>PRIORITY</b> <code>0</code>: no PRIORITY frames came",
    ] {
        assert!(dom.contains(words), "{words:?} in {dom}");
    }
}

/// nginx as the HTTP/2 front of an HTTP/1.1 rawnet (`--no-h2`): curl
/// speaks HTTP/2 to nginx, nginx speaks HTTP/1.1 to rawnet, and rawnet's
/// page shows what the proxy turned the HTTP/2 request into: a request
/// line again, a `Host` from `:authority`, the version nginx chose, and
/// its own `Connection: close`.
#[test]
fn nginx_turns_http2_into_http1_and_the_page_shows_it() {
    let mut server = Server::start(&["--no-h2"]);
    let rawnet = server.addr;
    let location = format!("proxy_pass http://{rawnet};");
    let nginx = common::Daemon::nginx_http_listening("http2", &location);
    let url = format!("http://{}/through-nginx", nginx.addr);
    let (ok, page, err) = run(Command::new("curl").args([
        "-sS",
        "-v",
        "--http2-prior-knowledge",
        "-H",
        "X-From: curl",
        &url,
    ]));
    assert!(ok, "{err}");
    assert!(err.contains("> GET /through-nginx HTTP/2"), "{err}");
    for line in [
        "GET /through-nginx HTTP/1.0\\r\\n\n",
        &format!("Host: {rawnet}\\r\\n\n"),
        "Connection: close\\r\\n\n",
        "x-from: curl\\r\\n\n",
    ] {
        assert!(page.contains(line), "{line:?} in {page}");
    }
    server.expect("request 1: GET /through-nginx HTTP/1.0 -> 200 OK");
}

#[test]
fn trace_shows_each_frame_header_and_the_hpack_block_field_by_field() {
    let mut server = Server::start(&["--trace"]);
    let url = format!("http://127.0.0.1:{}/traced", server.addr.port());
    let (ok, _, err) = run(Command::new("curl").args(["-sS", "--http2-prior-knowledge", &url]));
    assert!(ok, "{err}");
    server.expect("h2 frame: HEADERS stream 1, ");
    // The frame's 9-byte header, field by field, after its line.
    server.expect("01           type HEADERS");
    server.expect("h2 header block of stream 1, HPACK decoded:");
    server.expect("#1   :method: GET — indexed, static 2 (82)");
    server.expect("#1   :path: /traced — literal without indexing, name static 4");
}

#[test]
fn rawnet_client_http2_prints_the_frames_both_ways() {
    let mut server = Server::start(&[]);
    let out = common::rawnet()
        .args(["client", "--host", "127.0.0.1", "--port"])
        .arg(server.addr.port().to_string())
        .args(["--http", "/from-the-client", "--http2"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let frames = String::from_utf8_lossy(&out.stderr);
    for line in [
        "> the connection preface: \"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\"\n",
        "> HEADERS stream 1, ",
        match cfg!(feature = "websocket") {
            true => "< SETTINGS 24 bytes: MAX_CONCURRENT_STREAMS=100, MAX_HEADER_LIST_SIZE=16384, ENABLE_PUSH=0, ENABLE_CONNECT_PROTOCOL=1\n",
            false => "< SETTINGS 18 bytes: MAX_CONCURRENT_STREAMS=100, MAX_HEADER_LIST_SIZE=16384, ENABLE_PUSH=0\n",
        },
        "<  HEADERS stream 1, 61 bytes, END_HEADERS\n",
        "    :status: 200 — indexed, static 8 (88)\n",
        ", END_STREAM\n> SETTINGS ACK\n> GOAWAY last stream 0, NO_ERROR\n",
    ] {
        let line = line.replace("<  ", "< ");
        assert!(frames.contains(&line), "{line:?} in {frames}");
    }
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(":path: /from-the-client — literal"), "{page}");
    server.expect("stream 1: GET /from-the-client HTTP/2 -> 200 OK");
}

#[cfg(feature = "tls")]
#[test]
fn rawnet_client_http2_over_tls_agrees_on_h2() {
    let dir = common::TempDir::new("h2-client");
    let cert = dir.0.join("cert.pem");
    let cert = cert.to_str().unwrap();
    let mut server = Server::start(&["--tls", "--tls-cert-out", cert]);
    let out = common::rawnet()
        .args(["client", "--host", "localhost", "--port"])
        .arg(server.addr.port().to_string())
        .args(["--tls", "--ca", cert, "--http", "/h2-over-tls", "--http2"])
        .output()
        .unwrap();
    let frames = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{frames}");
    assert!(frames.contains("ALPN h2"), "{frames}");
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains("over HTTP/2.") && page.contains("  TLS:\n"),
        "{page}"
    );
    server.expect("stream 1: GET /h2-over-tls HTTP/2 -> 200 OK");
}

/// The knobs over HTTP/2: `?status`, `?header` (its name in lower case),
/// `?size` (its filler sent as the client's windows open: 100,000 bytes
/// past the first 65,535), `?delay` (the whole response held on the
/// session's timer); `?drip` (its chunks in DATA frames, no chunked
/// framing).
#[cfg(feature = "knobs")]
#[test]
fn the_knobs_work_over_http2() {
    let server = Server::start(&["--quiet"]);
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    let curl = |query: &str, extra: &[&str]| {
        let url = format!("{base}/{query}");
        let mut cmd = Command::new("curl");
        cmd.args(["-sS", "--http2-prior-knowledge"])
            .args(extra)
            .arg(url);
        run(&mut cmd)
    };
    let (_, code, _) = curl(
        "?status=404",
        &["-o", "/dev/null", "-w", "%{http_code} %{http_version}"],
    );
    assert_eq!(code, "404 2");
    let (_, head, _) = curl("?header=X-Test:yes", &["-D", "-", "-o", "/dev/null"]);
    assert!(head.contains("\r\nx-test: yes\r\n"), "{head}");
    let (_, body, _) = curl("?size=100000", &[]);
    assert_eq!(body.len(), 100_000);
    assert!(body.starts_with(
        "000000000000 rawnet ?size: every line is 64 bytes, offset first\n000000000064 "
    ));
    let (_, took, _) = curl("?delay=0.3", &["-o", "/dev/null", "-w", "%{time_total}"]);
    assert!(took.parse::<f64>().unwrap() >= 0.29, "{took}");
    let (_, refused, _) = curl("?status=99", &["-w", " %{http_code}"]);
    assert_eq!(
        refused, "400 Bad Request: ?status=99: a status must be a number from 200 to 599\n 400",
        "the words HTTP/1.1's refusal has"
    );
    let (_, drip, _) = curl("?drip=2&interval=0", &["-w", " %{http_code}"]);
    assert_eq!(
        drip,
        "chunk 1 of 2 at 0.000 s\nchunk 2 of 2 at 0.000 s\n 200"
    );
}

/// The fields of a response's header block, decoded.
fn response_fields(decoder: &mut rawnet::hpack::Decoder, block: &[u8]) -> Vec<(String, String)> {
    let fields = decoder
        .decode(block, 1 << 16)
        .expect("rawnet's block decodes");
    (fields.into_iter())
        .map(|f| {
            let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
            (text(f.name), text(f.value))
        })
        .collect()
}

/// A drip line's chunk number and its time in seconds.
fn drip_line(payload: &[u8]) -> (u32, f64) {
    let text = std::str::from_utf8(payload).unwrap();
    let words: Vec<&str> = text.trim_end().split(' ').collect();
    match words.as_slice() {
        ["chunk", i, "of", _, "at", secs, "s"] => (i.parse().unwrap(), secs.parse().unwrap()),
        _ => panic!("not a drip line: {text:?}"),
    }
}

#[test]
fn a_drip_over_http2_is_a_data_frame_a_chunk_and_end_stream_ends_it() {
    let mut server = Server::start(&[]);
    let mut stream = connect(&server);
    let request = get("/?drip=3&interval=0.2");
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 1, &request))
        .unwrap();
    let (_, id, block) = until(&mut stream, HEADERS).unwrap();
    let mut decoder = rawnet::hpack::Decoder::new(4096);
    let fields = response_fields(&mut decoder, &block);
    assert_eq!(id, 1);
    assert_eq!(fields[0], (":status".into(), "200".into()));
    assert!(
        !fields.iter().any(|(name, _)| name == "content-length"),
        "no length ahead: END_STREAM ends the body: {fields:?}"
    );
    let started = std::time::Instant::now();
    let mut arrivals = Vec::new();
    for chunk in 1..=3 {
        let (flags, id, payload) = until(&mut stream, DATA).unwrap();
        arrivals.push(started.elapsed().as_secs_f64());
        assert_eq!(id, 1);
        assert_eq!(
            flags & END_STREAM != 0,
            chunk == 3,
            "END_STREAM on the last"
        );
        let (number, secs) = drip_line(&payload);
        assert_eq!(number, chunk, "one chunk a frame, in order");
        let expected = 0.2 * f64::from(chunk - 1);
        assert!(secs >= expected && secs < expected + 0.15, "{secs}");
    }
    println!("DATA frames at {arrivals:?}");
    assert!(arrivals[2] - arrivals[0] >= 0.35, "{arrivals:?}");
    server.expect(
        "stream 1: GET /?drip=3&interval=0.2 HTTP/2 -> 200 OK, its body dripped in 3 chunks (?drip)",
    );
}

#[test]
fn a_drip_chunk_larger_than_the_window_waits_for_it_and_the_next_waits_behind() {
    let server = Server::start(&["--quiet"]);
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    // SETTINGS_INITIAL_WINDOW_SIZE = 150: each 200-byte chunk needs a
    // WINDOW_UPDATE before its last 50 bytes.
    stream
        .write_all(&frame(SETTINGS, 0, 0, &[0, 4, 0, 0, 0, 150]))
        .unwrap();
    let request = get("/?drip=2&interval=0&size=400");
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 1, &request))
        .unwrap();
    let mut body = Vec::new();
    let mut frames = Vec::new();
    while frames
        .last()
        .is_none_or(|&(flags, _)| flags & END_STREAM == 0)
    {
        let (flags, _, payload) = until(&mut stream, DATA).unwrap();
        frames.push((flags, payload.len()));
        body.extend_from_slice(&payload);
        if body.len() % 150 == 0 {
            let more = 150u32.to_be_bytes();
            stream
                .write_all(&frame(WINDOW_UPDATE, 0, 1, &more))
                .unwrap();
        }
    }
    // 150 (the window), then chunk 1's last 50, chunk 2's first 100 (the
    // rest of the window), then its last 100.
    let sizes: Vec<usize> = frames.iter().map(|&(_, len)| len).collect();
    assert_eq!(sizes, [150, 50, 100, 100], "{frames:?}");
    assert_eq!(body.len(), 400);
    // Every byte that is not a chunk's line is the filler's at its offset.
    let filler: String = (0..7)
        .map(|line| {
            format!(
                "{:012} rawnet ?size: every line is 64 bytes, offset first\n",
                line * 64
            )
        })
        .collect();
    for (chunk, start) in [(1, 0), (2, 200)] {
        let end = start + body[start..].iter().position(|&b| b == b'\n').unwrap() + 1;
        assert_eq!(drip_line(&body[start..end]).0, chunk);
        assert_eq!(
            body[end..start + 200],
            filler.as_bytes()[end..start + 200],
            "chunk {chunk}"
        );
    }
}

/// A request's header block, encoded by rawnet's own HPACK encoder (its
/// decoder is checked against Python's in tests/hpack_python.rs).
fn request_block(
    encoder: &mut rawnet::hpack::Encoder,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let mut fields = vec![
        (":method", method),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", path),
    ];
    fields.extend_from_slice(extra);
    let mut block = Vec::new();
    encoder.encode(&fields, &mut block);
    block
}

/// The error code of a RST_STREAM's payload.
fn code(payload: &[u8]) -> u32 {
    u32::from_be_bytes(payload[..4].try_into().unwrap())
}

/// tests/README.md case 75: all streams' bodies together are held to one
/// `--max-body`. The stream whose DATA would pass it is reset with
/// CANCEL; the DATA the client had already sent on it is ignored (RFC
/// 9113 §5.4.2), not a connection error; the other stream is answered.
#[test]
fn the_bodies_of_all_streams_together_are_held_to_one_max_body() {
    let mut server = Server::start(&["--max-body", "1000"]);
    let mut stream = connect(&server);
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    for id in [1, 3] {
        let block = request_block(&mut encoder, "POST", "/upload", &[]);
        stream
            .write_all(&frame(HEADERS, END_HEADERS, id, &block))
            .unwrap();
        stream.write_all(&frame(DATA, 0, id, &[b'a'; 600])).unwrap();
    }
    let (_, id, payload) = until(&mut stream, RST_STREAM).unwrap();
    assert_eq!((id, code(&payload)), (3, 0x8), "stream 3 reset with CANCEL");
    server.expect(
        "stream 3 reset with RST_STREAM CANCEL: the bodies of this connection's streams together past --max-body (1000 bytes)",
    );
    // In flight before the client saw the RST_STREAM: ignored.
    stream
        .write_all(&frame(DATA, END_STREAM, 3, &[b'a'; 100]))
        .unwrap();
    stream
        .write_all(&frame(DATA, END_STREAM, 1, &[b'b'; 10]))
        .unwrap();
    let (_, id, _) = until(&mut stream, HEADERS).expect("stream 1 answered, no GOAWAY");
    assert_eq!(id, 1);
    let (_, _, page) = until(&mut stream, DATA).unwrap();
    let page = String::from_utf8_lossy(&page).into_owned();
    assert!(page.contains("its body, 610 bytes"), "{page}");
    server.expect("stream 1: POST /upload HTTP/2 -> 200 OK");
}

/// tests/README.md case 74's second half: a client that opens streams and
/// never reads (its windows shut) makes responses wait in the server;
/// they are held to `MAX_WAITING` (1 MiB) a connection, and past it new
/// streams are refused with REFUSED_STREAM, which a client may retry.
/// Once the windows open, every stream that was taken is answered whole.
#[test]
fn responses_waiting_for_shut_windows_are_bounded_and_sent_once_they_open() {
    let mut server = Server::start(&[]);
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    stream
        .write_all(&frame(SETTINGS, 0, 0, &[0, 4, 0, 0, 0, 0]))
        .unwrap();
    // Each JSON page shows the 12,000-byte field whole: about 14 KB.
    let big = "v".repeat(12_000);
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    for n in 0..99u32 {
        let block = request_block(&mut encoder, "GET", "/?format=json", &[("x-big", &big)]);
        let id = 2 * n + 1;
        stream
            .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, id, &block))
            .unwrap();
    }
    let (_, refused, payload) = until(&mut stream, RST_STREAM).unwrap();
    assert_eq!(code(&payload), 0x7, "REFUSED_STREAM");
    let taken = (refused - 1) / 2;
    assert!((60..90).contains(&taken), "{taken} streams taken before it");
    server.expect("reset with RST_STREAM REFUSED_STREAM: responses waiting for the client's windows past 1024 KiB");
    // Every window opens: the responses go out, each ends its stream.
    stream
        .write_all(&frame(SETTINGS, 0, 0, &[0, 4, 0, 0xff, 0xff, 0xff]))
        .unwrap();
    stream
        .write_all(&frame(WINDOW_UPDATE, 0, 0, &0x7f00_0000u32.to_be_bytes()))
        .unwrap();
    let mut ended = std::collections::BTreeSet::new();
    while ended.len() < taken as usize {
        let (flags, id, _) = until(&mut stream, DATA).expect("the responses, whole");
        if flags & END_STREAM != 0 {
            ended.insert(id);
        }
    }
    assert_eq!(ended.first(), Some(&1));
    assert!(ended.iter().all(|&id| id < refused));
}

/// tests/README.md case 57 over HTTP/2: streams' bodies are counted in
/// `--memory-budget` with everything else. With 1 MiB, one upload holds
/// 700,000 bytes of it; a second, on another connection, is answered 503
/// naming the budget before it has sent all of its body, then RST_STREAM
/// NO_ERROR asks its client to stop (RFC 9113 §8.1), and what it still
/// sends is ignored: its connection goes on, and so does the first upload.
#[test]
fn past_a_small_budget_an_upload_gets_503_then_no_error_and_the_others_go_on() {
    let mut server = Server::start(&["--memory-budget", "1"]);
    let upload = |stream: &mut TcpStream, encoder: &mut rawnet::hpack::Encoder, bytes: usize| {
        let length = ("content-length", "700000");
        let block = request_block(encoder, "POST", "/upload", &[length]);
        stream
            .write_all(&frame(HEADERS, END_HEADERS, 1, &block))
            .unwrap();
        for _ in 0..bytes / 10_000 {
            stream
                .write_all(&frame(DATA, 0, 1, &[b'a'; 10_000]))
                .unwrap();
        }
    };
    let mut holder = connect(&server);
    let mut holder_hpack = rawnet::hpack::Encoder::new(4096);
    upload(&mut holder, &mut holder_hpack, 690_000);
    // Its window updates say rawnet kept what it sent.
    let mut given_back = 0;
    while given_back < 690_000 {
        let (_, id, payload) = until(&mut holder, WINDOW_UPDATE).unwrap();
        if id == 0 {
            given_back += u32::from_be_bytes(payload[..4].try_into().unwrap());
        }
    }

    let mut over = connect(&server);
    let mut over_hpack = rawnet::hpack::Encoder::new(4096);
    upload(&mut over, &mut over_hpack, 400_000);
    let (flags, _, block) = until(&mut over, HEADERS).unwrap();
    let fields = response_fields(&mut rawnet::hpack::Decoder::new(4096), &block);
    assert_eq!(fields[0], (":status".into(), "503".into()));
    assert_eq!(flags & END_STREAM, 0);
    let (_, _, words) = until(&mut over, DATA).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&words),
        "the server's memory budget for all connections (1 MiB, --memory-budget) is spent; try again later\n"
    );
    let (_, id, payload) = until(&mut over, RST_STREAM).unwrap();
    assert_eq!((id, code(&payload)), (1, 0), "RST_STREAM NO_ERROR");
    // What it still sends is ignored; a GET on its connection is answered.
    over.write_all(&frame(DATA, END_STREAM, 1, &[b'a'; 10_000]))
        .unwrap();
    let get = request_block(&mut over_hpack, "GET", "/after", &[]);
    over.write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 3, &get))
        .unwrap();
    let (_, id, _) = until(&mut over, HEADERS).expect("answered, no GOAWAY");
    assert_eq!(id, 3);
    server.expect("stream 3: GET /after HTTP/2 -> 200 OK");

    holder
        .write_all(&frame(DATA, END_STREAM, 1, &[b'a'; 10_000]))
        .unwrap();
    let (_, _, block) = until(&mut holder, HEADERS).unwrap();
    let fields = response_fields(&mut rawnet::hpack::Decoder::new(4096), &block);
    assert_eq!(fields[0], (":status".into(), "200".into()));
    let (_, _, page) = until(&mut holder, DATA).unwrap();
    assert!(String::from_utf8_lossy(&page).contains("its body, 700000 bytes"));
}

/// An extended CONNECT for a WebSocket at `path` (RFC 8441), its header
/// block encoded by rawnet's own HPACK encoder.
#[cfg(feature = "websocket")]
fn websocket_connect(encoder: &mut rawnet::hpack::Encoder, path: &str) -> Vec<u8> {
    let fields = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "http"),
        (":path", path),
        (":authority", "localhost"),
        ("sec-websocket-version", "13"),
    ];
    let mut block = Vec::new();
    encoder.encode(&fields, &mut block);
    block
}

/// A client's WebSocket frame: FIN, `opcode`, masked with `key`.
#[cfg(feature = "websocket")]
fn ws_frame(opcode: u8, payload: &[u8], key: [u8; 4]) -> Vec<u8> {
    let mut out = vec![0x80 | opcode, 0x80 | payload.len() as u8];
    out.extend_from_slice(&key);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    out
}

/// RFC 8441: rawnet's SETTINGS offers ENABLE_CONNECT_PROTOCOL; an
/// extended CONNECT with `:protocol websocket` gets `:status 200` and no
/// END_STREAM; then WebSocket frames go in DATA frames both ways: the
/// tutorial's echo one layer further up. The close handshake ends with
/// END_STREAM, and the connection serves other streams meanwhile.
#[test]
#[cfg(feature = "websocket")]
fn a_websocket_over_http2_is_an_extended_connect_and_its_frames_ride_in_data() {
    let mut server = Server::start(&[]);
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    stream.write_all(&frame(SETTINGS, 0, 0, &[])).unwrap();
    let (_, _, settings) = until(&mut stream, SETTINGS).unwrap();
    assert!(
        settings.chunks(6).any(|s| s == [0, 8, 0, 0, 0, 1]),
        "ENABLE_CONNECT_PROTOCOL = 1 in {settings:?}"
    );
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    let block = websocket_connect(&mut encoder, "/chat");
    stream
        .write_all(&frame(HEADERS, END_HEADERS, 1, &block))
        .unwrap();
    let (flags, id, block) = until(&mut stream, HEADERS).unwrap();
    let mut decoder = rawnet::hpack::Decoder::new(4096);
    let answer = response_fields(&mut decoder, &block);
    assert_eq!((id, flags & END_STREAM), (1, 0), "the stream stays open");
    assert_eq!(answer[0], (":status".into(), "200".into()));
    assert!(!answer.iter().any(|(name, _)| name == "content-length"));
    server.expect(
        "stream 1: CONNECT /chat with :protocol websocket -> 200: a WebSocket over HTTP/2 (RFC 8441)",
    );

    let hello = ws_frame(0x1, b"Hello", [1, 2, 3, 4]);
    stream.write_all(&frame(DATA, 0, 1, &hello)).unwrap();
    let (_, id, echo) = until(&mut stream, DATA).unwrap();
    assert_eq!(id, 1);
    assert_eq!(
        echo, b"\x81\x10You said \"Hello\"",
        "a text frame, not masked"
    );
    // Another stream on the same connection meanwhile.
    let mut get = Vec::new();
    encoder.encode(
        &[
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/beside"),
            (":authority", "x"),
        ],
        &mut get,
    );
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 3, &get))
        .unwrap();
    server.expect("stream 3: GET /beside HTTP/2 -> 200 OK");
    // The close handshake: rawnet answers the close, then END_STREAM.
    let close = ws_frame(0x8, &[0x03, 0xe8], [9, 9, 9, 9]);
    stream.write_all(&frame(DATA, 0, 1, &close)).unwrap();
    let mut rest = Vec::new();
    loop {
        let (flags, id, payload) = until(&mut stream, DATA).unwrap();
        if id != 1 {
            continue;
        }
        rest.extend_from_slice(&payload);
        if flags & END_STREAM != 0 {
            break;
        }
    }
    assert_eq!(rest, b"\x88\x02\x03\xe8", "rawnet's close frame, 1000");
}

/// An extended CONNECT without `sec-websocket-version: 13` is answered
/// 400 naming it (with the version it speaks), then RST_STREAM NO_ERROR.
#[test]
#[cfg(feature = "websocket")]
fn an_extended_connect_without_its_version_gets_400_another_protocol_501() {
    let server = Server::start(&["--quiet"]);
    let mut stream = connect(&server);
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    let mut block = Vec::new();
    let fields = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "http"),
        (":path", "/"),
        (":authority", "localhost"),
    ];
    encoder.encode(&fields, &mut block);
    stream
        .write_all(&frame(HEADERS, END_HEADERS, 1, &block))
        .unwrap();
    let (_, _, block) = until(&mut stream, HEADERS).unwrap();
    let mut decoder = rawnet::hpack::Decoder::new(4096);
    let answer = response_fields(&mut decoder, &block);
    assert_eq!(answer[0], (":status".into(), "400".into()));
    assert!(answer.contains(&("sec-websocket-version".into(), "13".into())));
    let (_, _, words) = until(&mut stream, DATA).unwrap();
    assert!(String::from_utf8_lossy(&words).contains("needs sec-websocket-version: 13"));
    let (_, id, payload) = until(&mut stream, RST_STREAM).unwrap();
    assert_eq!((id, code(&payload)), (1, 0));
    // Another protocol: 501. `:protocol` on a GET: malformed.
    let mut block = Vec::new();
    let mut other = fields;
    other[1] = (":protocol", "webtransport");
    encoder.encode(&other, &mut block);
    stream
        .write_all(&frame(HEADERS, END_HEADERS, 3, &block))
        .unwrap();
    let (_, _, block) = until(&mut stream, HEADERS).unwrap();
    let answer = response_fields(&mut decoder, &block);
    assert_eq!(answer[0], (":status".into(), "501".into()));
    let mut block = Vec::new();
    let mut get = other;
    get[0] = (":method", "GET");
    encoder.encode(&get, &mut block);
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 5, &block))
        .unwrap();
    let (_, id, payload) = loop {
        let reset = until(&mut stream, RST_STREAM).unwrap();
        if reset.1 == 5 {
            break reset;
        }
    };
    assert_eq!((id, code(&payload)), (5, 0x1), "PROTOCOL_ERROR");
}

/// RFC 8441 with a real browser: a page (a file, so its script is
/// Chromium's own) fetches from rawnet over `https://`, which agrees on
/// h2 by ALPN and says ENABLE_CONNECT_PROTOCOL; the page's `new
/// WebSocket("wss://...")` then goes as an extended CONNECT on a stream
/// of that same connection, not a new connection with a 101. The echo
/// comes back, and the close handshake, inside DATA frames.
#[test]
#[cfg(all(feature = "websocket", feature = "tls", feature = "knobs"))]
fn chromium_opens_its_websocket_on_a_stream_of_the_http2_connection() {
    let mut server = Server::start(&["--tls"]);
    let origin = format!("https://127.0.0.1:{}", server.addr.port());
    let dir = common::TempDir::new("rfc8441");
    let page = dir.file("page.html");
    // The fetches carry credentials as a WebSocket does: Chromium pools
    // them together only then. `/hold?delay=5`, a response rawnet holds,
    // keeps Chromium's virtual time waiting until the echo is in (a
    // WebSocket alone does not); the page lets it go at the end.
    let script = format!(
        "<!doctype html><pre id=out>start</pre><script>\n\
         const say = (t) => {{ document.getElementById('out').textContent += '\\n' + t; }};\n\
         const how = {{mode: 'no-cors', credentials: 'include'}};\n\
         const hold = new AbortController();\n\
         fetch('{origin}/hold?delay=5', {{...how, signal: hold.signal}}).catch(() => {{}});\n\
         fetch('{origin}/warm', how).then(() => {{\n\
           const ws = new WebSocket('{origin}/chat'.replace('https', 'wss'));\n\
           ws.onopen = () => {{ say('open'); ws.send('Hello'); }};\n\
           ws.onmessage = (e) => {{ say('message: ' + e.data); ws.close(1000); }};\n\
           ws.onclose = (e) => {{ say('closed ' + e.code); hold.abort(); }};\n\
         }});\n</script>\n"
    );
    std::fs::write(&page, script).unwrap();
    let dom = common::chromium::chromium(
        &[
            "--ignore-certificate-errors".into(),
            "--virtual-time-budget=10000".into(),
            "--dump-dom".into(),
            format!("file://{page}"),
        ],
        Duration::from_secs(90),
    );
    assert!(
        dom.contains("start\nopen\nmessage: You said \"Hello\"\nclosed 1000"),
        "{dom}"
    );
    let handshake = server.expect("TLS handshake done:");
    assert!(handshake.contains("ALPN h2"), "{handshake}");
    let warm = server.expect("GET /warm HTTP/2 -> 200 OK");
    let tunnel = server.expect("CONNECT /chat with :protocol websocket -> 200");
    // The same connection: its number starts both lines.
    let conn = |line: &str| line.split(' ').next().unwrap().to_string();
    assert_eq!(conn(&warm), conn(&tunnel), "{warm}\n{tunnel}");
    server.expect("ws frame: FIN text 5 bytes");
    server.expect("ws frame sent: FIN text 16 bytes, \"You said \\\"Hello\\\"\"");
    server.expect("websocket close 1000");
}

/// `--idle-close` over a WebSocket on a stream: the WebSocket's close
/// frame (1001) goes first, in DATA with END_STREAM, then the
/// connection's GOAWAY NO_ERROR.
#[test]
#[cfg(feature = "websocket")]
fn idle_close_sends_a_websocket_on_a_stream_its_close_frame_before_goaway() {
    let server = Server::start(&["--quiet", "--idle-close", "1"]);
    let mut stream = connect(&server);
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    let block = websocket_connect(&mut encoder, "/");
    stream
        .write_all(&frame(HEADERS, END_HEADERS, 1, &block))
        .unwrap();
    let (flags, id, payload) = until(&mut stream, DATA).unwrap();
    assert_eq!((id, flags & END_STREAM), (1, END_STREAM));
    assert_eq!(payload, b"\x88\x15\x03\xe9idle (--idle-close)");
    assert_eq!(goaway_code(&mut stream), 0, "NO_ERROR");
}

/// The server's WebSocket frames in `bytes` (not masked, payloads under
/// 64 KiB): `(opcode, payload)` each, and the bytes of a frame not yet whole.
#[cfg(feature = "websocket")]
fn server_ws_frames(bytes: &[u8]) -> (Vec<(u8, Vec<u8>)>, usize) {
    let (mut frames, mut at) = (Vec::new(), 0);
    while bytes.len() >= at + 2 {
        let (len, head) = match bytes[at + 1] & 0x7f {
            126 if bytes.len() >= at + 4 => (
                u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize,
                4,
            ),
            126 => break,
            n => (n as usize, 2),
        };
        if bytes.len() < at + head + len {
            break;
        }
        frames.push((bytes[at] & 0x0f, bytes[at + head..at + head + len].to_vec()));
        at += head + len;
    }
    (frames, bytes.len() - at)
}

/// A client that sends WebSocket frames on a stream and reads nothing
/// (its window shut, so rawnet cannot answer): rawnet stops giving the
/// stream's window back, so the client can send one window's worth and
/// no more; what rawnet holds is that window and its answers to it,
/// bounded. Once the client reads, every message is answered, in order,
/// and the window is given back.
#[test]
#[cfg(feature = "websocket")]
fn a_websocket_on_a_stream_that_never_reads_gets_no_more_window() {
    let server = Server::start(&["--quiet"]);
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    // SETTINGS_INITIAL_WINDOW_SIZE 0: rawnet may send no DATA at all.
    stream
        .write_all(&frame(SETTINGS, 0, 0, &[0, 4, 0, 0, 0, 0]))
        .unwrap();
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    let block = websocket_connect(&mut encoder, "/?explain");
    stream
        .write_all(&frame(HEADERS, END_HEADERS, 1, &block))
        .unwrap();
    until(&mut stream, HEADERS).expect("the 200");
    // 65,535 bytes of messages, the stream's whole window, 16 KiB a frame.
    let mut messages = Vec::new();
    let mut bytes = Vec::new();
    while bytes.len() + 16 < 65_535 {
        let text = format!("m{}", messages.len());
        bytes.extend(ws_frame(0x1, text.as_bytes(), [7, 7, 7, 7]));
        messages.push(text);
    }
    for piece in bytes.chunks(16_384) {
        stream.write_all(&frame(DATA, 0, 1, piece)).unwrap();
    }
    // The connection's window comes back, the stream's does not.
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut head = [0u8; 9];
    while stream.read_exact(&mut head).is_ok() {
        let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let mut payload = vec![0; len];
        stream.read_exact(&mut payload).unwrap();
        let id = u32::from_be_bytes(head[5..9].try_into().unwrap());
        assert!(
            head[3] != WINDOW_UPDATE || id == 0,
            "the stream's window given back"
        );
        assert_ne!(head[3], DATA, "no DATA within a shut window");
    }
    // The client reads: every window opens.
    stream.set_read_timeout(Some(common::PATIENCE)).unwrap();
    stream
        .write_all(&frame(SETTINGS, 0, 0, &[0, 4, 0x7f, 0xff, 0xff, 0xff]))
        .unwrap();
    stream
        .write_all(&frame(WINDOW_UPDATE, 0, 0, &0x7fff_0000u32.to_be_bytes()))
        .unwrap();
    let mut echoes = Vec::new();
    let mut tunnel = Vec::new();
    while echoes.len() < messages.len() {
        let (_, id, payload) = until(&mut stream, DATA).expect("the answers");
        assert_eq!(id, 1);
        tunnel.extend_from_slice(&payload);
        let (frames, partial) = server_ws_frames(&tunnel);
        tunnel.drain(..tunnel.len() - partial);
        echoes.extend(
            (frames.into_iter())
                .filter(|(opcode, text)| *opcode == 1 && text.starts_with(b"You said"))
                .map(|(_, text)| String::from_utf8(text).unwrap()),
        );
    }
    let expected: Vec<String> = messages
        .iter()
        .map(|m| format!("You said \"{m}\""))
        .collect();
    assert_eq!(echoes, expected, "every message answered, in order");
    let (_, id, _) = until(&mut stream, WINDOW_UPDATE).unwrap();
    assert_eq!(id, 1, "the stream's window back once its answers are out");
}

/// A request answered before it is whole (here a refused WebSocket) whose
/// answer must wait for the client's window: what the client sends
/// meanwhile on the stream is ignored (it was a RST_STREAM STREAM_CLOSED
/// that lost the answer); once the window opens the answer goes out
/// whole, then RST_STREAM NO_ERROR. An extended CONNECT that ends its
/// stream at once is answered 400 and nothing more.
#[test]
#[cfg(feature = "websocket")]
fn an_early_answer_waits_for_the_window_then_rst_stream_no_error() {
    let server = Server::start(&["--quiet"]);
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    stream
        .write_all(&frame(SETTINGS, 0, 0, &[0, 4, 0, 0, 0, 0]))
        .unwrap();
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    let mut block = Vec::new();
    let fields = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "http"),
        (":path", "/"),
        (":authority", "localhost"),
    ];
    encoder.encode(&fields, &mut block);
    stream
        .write_all(&frame(HEADERS, END_HEADERS, 1, &block))
        .unwrap();
    let (flags, id, _) = until(&mut stream, HEADERS).unwrap();
    assert_eq!(
        (id, flags & END_STREAM),
        (1, 0),
        "the 400's HEADERS, its body to come"
    );
    // Sent before the client knew: ignored, not a stream error.
    stream
        .write_all(&frame(DATA, 0, 1, b"\x81\x80\0\0\0\0"))
        .unwrap();
    stream
        .write_all(&frame(WINDOW_UPDATE, 0, 1, &1000u32.to_be_bytes()))
        .unwrap();
    let mut kinds = Vec::new();
    let words = loop {
        let mut head = [0u8; 9];
        stream.read_exact(&mut head).unwrap();
        let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let mut payload = vec![0; len];
        stream.read_exact(&mut payload).unwrap();
        if head[3] == DATA {
            break payload;
        }
        kinds.push(head[3]);
    };
    assert!(!kinds.contains(&RST_STREAM), "{kinds:?}");
    assert!(String::from_utf8_lossy(&words).contains("needs sec-websocket-version: 13"));
    let (_, id, payload) = until(&mut stream, RST_STREAM).unwrap();
    assert_eq!((id, code(&payload)), (1, 0), "NO_ERROR, after the answer");

    // END_STREAM on the CONNECT itself: a 400, its stream over, no reset.
    stream
        .write_all(&frame(SETTINGS, 0, 0, &[0, 4, 0, 0, 0xff, 0xff]))
        .unwrap();
    let mut block = Vec::new();
    let mut with_version = fields.to_vec();
    with_version.push(("sec-websocket-version", "13"));
    encoder.encode(&with_version, &mut block);
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 3, &block))
        .unwrap();
    let (flags, id, words) = until(&mut stream, DATA).unwrap();
    assert_eq!((id, flags & END_STREAM), (3, END_STREAM));
    assert!(String::from_utf8_lossy(&words).contains("leaves its stream open"));
    stream.write_all(&frame(PING, 0, 0, &[7; 8])).unwrap();
    let mut head = [0u8; 9];
    stream.read_exact(&mut head).unwrap();
    assert_eq!(head[3], PING, "the PING's ACK next, no RST_STREAM");
}

/// tests/README.md case 84: a client that opens every window as wide as
/// HTTP/2 lets it (2^31-1, frames of 16 MiB), asks for five 10 MB bodies
/// and reads nothing. rawnet writes at most `OUTPUT_BOUND` (64 KiB) of
/// frames at a time, as HTTP/1.1 does, and the rest as the client reads:
/// before, it wrote everything the windows allowed at once, 50 MB into
/// one connection's reply (its RSS grew by 130 MB; 30 streams, 613 MB).
/// Once the client reads, every body comes whole, each ended.
#[test]
fn windows_open_wide_on_a_client_that_does_not_read_hold_one_output_bound() {
    let server = Server::start(&["--quiet"]);
    let mut stream = server.connect();
    stream.write_all(PREFACE).unwrap();
    // INITIAL_WINDOW_SIZE 2^31-1, MAX_FRAME_SIZE 2^24-1.
    let wide = [0, 4, 0x7f, 0xff, 0xff, 0xff, 0, 5, 0, 0xff, 0xff, 0xff];
    stream.write_all(&frame(SETTINGS, 0, 0, &wide)).unwrap();
    stream
        .write_all(&frame(WINDOW_UPDATE, 0, 0, &0x7fff_0000u32.to_be_bytes()))
        .unwrap();
    let before = common::rss_kib(server.pid());
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    for id in [1, 3, 5, 7, 9] {
        let block = request_block(&mut encoder, "GET", "/?size=10000000", &[]);
        stream
            .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, id, &block))
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(1000));
    let grown = common::rss_kib(server.pid()).saturating_sub(before);
    assert!(grown < 16 * 1024, "the server's RSS grew by {grown} KiB");
    // The client reads: every body, whole.
    let mut got = std::collections::BTreeMap::new();
    let mut ended = 0;
    while ended < 5 {
        let (flags, id, payload) = until(&mut stream, DATA).expect("the bodies");
        *got.entry(id).or_insert(0usize) += payload.len();
        if flags & END_STREAM != 0 {
            ended += 1;
        }
    }
    assert!(got.values().all(|&n| n == 10_000_000), "{got:?}");
}

/// tests/README.md case 85: RFC 8441's close ends a WebSocket's stream
/// with END_STREAM from each side, as TCP's FIN from each. rawnet ends
/// its side first when it answers the client's close frame, or closes
/// first itself (a frame not masked: 1002); what the client then sends
/// on the stream (its END_STREAM, its close frame) comes on a stream
/// that is half-closed for rawnet, not closed, and is ignored: before,
/// it was GOAWAY STREAM_CLOSED, which ended every other stream too.
#[test]
#[cfg(feature = "websocket")]
fn the_client_ends_a_websocket_stream_after_rawnet_did_and_the_connection_goes_on() {
    let mut server = Server::start(&[]);
    let mut stream = connect(&server);
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    let mut open = |stream: &mut TcpStream, id: u32| {
        let block = websocket_connect(&mut encoder, "/chat");
        stream
            .write_all(&frame(HEADERS, END_HEADERS, id, &block))
            .unwrap();
        until(stream, HEADERS).expect("the 200");
    };
    let rest_of = |stream: &mut TcpStream| {
        let mut rest = Vec::new();
        loop {
            let (flags, _, payload) = until(stream, DATA).unwrap();
            rest.extend_from_slice(&payload);
            if flags & END_STREAM != 0 {
                return rest;
            }
        }
    };
    // The client closes: rawnet's close frame and END_STREAM, then the
    // client's own END_STREAM.
    open(&mut stream, 1);
    let close = ws_frame(0x8, &[0x03, 0xe8], [9, 9, 9, 9]);
    stream.write_all(&frame(DATA, 0, 1, &close)).unwrap();
    assert_eq!(rest_of(&mut stream), b"\x88\x02\x03\xe8");
    stream.write_all(&frame(DATA, END_STREAM, 1, &[])).unwrap();
    // rawnet closes first: the client answers with its close frame.
    open(&mut stream, 3);
    stream.write_all(&frame(DATA, 0, 3, b"\x81\x02hi")).unwrap();
    assert_eq!(rest_of(&mut stream)[..4], *b"\x88\x19\x03\xea");
    server.expect("websocket close 1002: client frame not masked");
    let close = ws_frame(0x8, &[0x03, 0xea], [9, 9, 9, 9]);
    stream
        .write_all(&frame(DATA, END_STREAM, 3, &close))
        .unwrap();
    // The connection goes on.
    let block = request_block(&mut encoder, "GET", "/after", &[]);
    stream
        .write_all(&frame(HEADERS, END_STREAM | END_HEADERS, 5, &block))
        .unwrap();
    let (_, id, _) = until(&mut stream, HEADERS).expect("answered, no GOAWAY");
    assert_eq!(id, 5);
    server.expect("stream 5: GET /after HTTP/2 -> 200 OK");
}

/// tests/README.md case 88: WebSockets on one connection are held to 16
/// (`MAX_TUNNELS`): each may hold a 1 MiB message, and 100 streams of
/// them held 137 MB on one connection. The 17th is refused with
/// REFUSED_STREAM; the 16 open ones still echo.
#[test]
#[cfg(feature = "websocket")]
fn a_seventeenth_websocket_on_one_connection_is_refused() {
    let mut server = Server::start(&[]);
    let mut stream = connect(&server);
    let mut encoder = rawnet::hpack::Encoder::new(4096);
    for n in 0..17u32 {
        let block = websocket_connect(&mut encoder, "/");
        stream
            .write_all(&frame(HEADERS, END_HEADERS, 2 * n + 1, &block))
            .unwrap();
    }
    let (_, id, payload) = until(&mut stream, RST_STREAM).unwrap();
    assert_eq!((id, code(&payload)), (33, 0x7), "the 17th: REFUSED_STREAM");
    server.expect(
        "stream 33 reset with RST_STREAM REFUSED_STREAM: more than 16 WebSockets on one connection",
    );
    let hello = ws_frame(0x1, b"Hello", [1, 2, 3, 4]);
    stream.write_all(&frame(DATA, 0, 31, &hello)).unwrap();
    let (_, id, echo) = until(&mut stream, DATA).unwrap();
    assert_eq!(
        (id, echo.as_slice()),
        (31, &b"\x81\x10You said \"Hello\""[..])
    );
}

/// The HTTP/2 page's WebSocket panel, in headless Chromium over
/// `https://`: its WebSocket goes as an extended CONNECT on the page's own
/// connection (RFC 8441), and the panel shows the frames both ways, the
/// echo, and the words HTTP/2 has instead of HTTP/1.1's 101.
#[test]
#[cfg(all(feature = "websocket", feature = "tls", feature = "knobs"))]
fn chromium_sends_a_websocket_message_from_the_http2_page_on_its_own_connection() {
    let mut server = Server::start(&["--tls"]);
    // `hold=`: a fetch rawnet holds 2 s keeps Chromium's virtual time
    // from running out before the echo is in.
    let url = format!(
        "https://127.0.0.1:{}/#ws-demo=Hello&hold=%2F%3Fdelay%3D2",
        server.addr.port()
    );
    let dom = common::chromium::chromium(
        &[
            "--ignore-certificate-errors".into(),
            "--virtual-time-budget=10000".into(),
            "--dump-dom".into(),
            url,
        ],
        Duration::from_secs(90),
    );
    for needle in [
        "<h2>HTTP/2 carries a WebSocket</h2>",
        "the message itself: </span>You said \"Hello\"</li>",
        "browser → rawnet: text frame, 5 bytes",
        "open: rawnet answered :status 200",
    ] {
        assert!(dom.contains(needle), "no {needle:?} in\n{dom}");
    }
    let page = server.expect("GET / HTTP/2 -> 200 OK");
    let tunnel = server.expect("CONNECT /?explain with :protocol websocket -> 200");
    let conn = |line: &str| line.split(' ').next().unwrap().to_string();
    assert_eq!(
        conn(&page),
        conn(&tunnel),
        "one connection:\n{page}\n{tunnel}"
    );
}
