//! HTTP/1.1 over raw TCP against the real binary: good requests, every bad
//! one in `tests/README.md`'s "HTTP request head" and "HTTP body framing"
//! tables, pipelining, `Expect: 100-continue`, and the deadlines.

mod common;

use std::io::Write;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{assert_closed, read_response, without_date, Response, Server};

/// Sends `request` on a new connection and reads one response.
fn exchange(server: &Server, request: &[u8]) -> (Response, std::net::TcpStream, Vec<u8>) {
    let mut conn = server.connect();
    conn.write_all(request).unwrap();
    let mut pending = Vec::new();
    let response = read_response(&mut conn, &mut pending, request.starts_with(b"HEAD "));
    (response, conn, pending)
}

#[test]
fn a_get_shows_the_request_back_byte_for_byte() {
    let mut server = Server::start(&["--mode", "http"]);
    let request = b"GET /path?q=1 HTTP/1.1\r\nHost: example\r\nX-Case: MiXeD\r\nx-lower: v\r\n\r\n";
    let (response, mut conn, mut pending) = exchange(&server, request);
    assert_eq!(response.status, 200);
    assert!(
        response.head.starts_with("HTTP/1.1 200 OK\r\nDate: "),
        "{}",
        response.head
    );
    assert_eq!(
        response.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        response.header("Server"),
        Some(concat!("rawnet/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        response.header("Connection"),
        None,
        "HTTP/1.1 stays open without saying so"
    );
    let date = response.header("Date").unwrap();
    assert!(date.len() == 29 && date.ends_with(" GMT"), "{date}");

    let me = conn.local_addr().unwrap();
    let expected = format!(
        "rawnet got this request on connection #1 (request 1 on it) from {me}.\n\
         Every byte of its head as it crossed the wire; \\r and \\n are the line endings:\n\n\
         GET /path?q=1 HTTP/1.1\\r\\n\nHost: example\\r\\n\nX-Case: MiXeD\\r\\n\nx-lower: v\\r\\n\n\\r\\n\n\nno body\n"
    );
    assert_eq!(response.body_text(), expected);

    // Same connection, second request: keep-alive.
    conn.write_all(b"GET /2 HTTP/1.1\r\nHost: example\r\n\r\n")
        .unwrap();
    let second = read_response(&mut conn, &mut pending, false);
    assert!(second.body_text().contains("(request 2 on it)"));
    let line = server.expect("request 2:");
    assert!(
        line.ends_with(&format!(
            "request 2: GET /2 HTTP/1.1 -> 200 OK, {} bytes",
            second.head.len() + second.body.len()
        )),
        "{line}"
    );
}

#[test]
fn bare_lf_requests_typed_into_nc_are_accepted() {
    let server = Server::start(&[]);
    let (response, _, _) = exchange(&server, b"GET / HTTP/1.1\nHost: x\n\n");
    assert_eq!(response.status, 200);
    assert!(response
        .body_text()
        .contains("GET / HTTP/1.1\\n\nHost: x\\n\n\\n\n"));
}

#[test]
fn head_gets_the_headers_of_get_and_no_body() {
    let server = Server::start(&["--mode", "http", "--body", "hello,world"]);
    let (get, _, _) = exchange(
        &server,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let (head, mut conn, pending) = exchange(
        &server,
        b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(without_date(&head.head), without_date(&get.head));
    assert_eq!(get.body, b"hello,world");
    assert_eq!(head.header("Content-Length"), Some("11"));
    assert_closed(&mut conn, &pending);
}

#[test]
fn status_and_body_options_make_the_tutorials_hello_world() {
    let server = Server::start(&["--mode", "http", "--status", "404", "--body", "hello,world"]);
    let (response, _, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(response.head.starts_with("HTTP/1.1 404 Not Found\r\n"));
    assert_eq!(response.header("Content-Length"), Some("11"));
    assert_eq!(response.body, b"hello,world");

    let server = Server::start(&["--mode", "http", "--status", "204"]);
    let (response, _, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(response.head.starts_with("HTTP/1.1 204 No Content\r\n"));
    assert_eq!(response.header("Content-Length"), None);
}

#[test]
fn http_1_0_closes_unless_keep_alive() {
    let server = Server::start(&["--mode", "http"]);
    let (response, mut conn, pending) = exchange(&server, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(response.header("Connection"), Some("close"));
    assert_closed(&mut conn, &pending);

    let (response, mut conn, mut pending) =
        exchange(&server, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(response.header("Connection"), Some("keep-alive"));
    conn.write_all(b"GET /again HTTP/1.0\r\n\r\n").unwrap();
    let again = read_response(&mut conn, &mut pending, false);
    assert!(again.body_text().contains("GET /again HTTP/1.0"));
    assert_closed(&mut conn, &pending);
}

#[test]
fn connection_close_is_honoured_and_what_follows_is_ignored() {
    let server = Server::start(&["--mode", "http"]);
    let (response, mut conn, pending) = exchange(
        &server,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(response.header("Connection"), Some("close"));
    assert_closed(&mut conn, &pending);
}

#[test]
fn request_bodies_by_length_and_chunked() {
    let server = Server::start(&["--mode", "http"]);
    let (response, _, _) = exchange(
        &server,
        b"POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello\r\nbody",
    );
    assert!(
        response
            .body_text()
            .ends_with("body: 11 bytes\nhello\\r\\n\nbody\n"),
        "{}",
        response.body_text()
    );

    let (response, _, _) = exchange(
        &server,
        b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: 1\r\n\r\n",
    );
    assert!(
        response
            .body_text()
            .ends_with("body: 11 bytes\nhello world\n"),
        "{}",
        response.body_text()
    );
}

#[test]
fn pipelined_requests_are_answered_in_order_then_the_bad_one_closes() {
    let mut server = Server::start(&["--mode", "http", "--body", "ok"]);
    let mut conn = server.connect();
    conn.write_all(
        b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n\
          POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
          GET /3 HTTP/1.1\r\nHost: x\r\n\r\n\
          GET /4 HTTP/1.1\r\nHost : x\r\n\r\n\
          GET /5 HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    let mut pending = Vec::new();
    for _ in 1..=3 {
        let response = read_response(&mut conn, &mut pending, false);
        assert_eq!(
            (response.status, response.body.as_slice()),
            (200, &b"ok"[..])
        );
    }
    let bad = read_response(&mut conn, &mut pending, false);
    assert_eq!(bad.status, 400);
    assert_closed(&mut conn, &pending);
    for (n, target) in [(1, "GET /1"), (2, "POST /2"), (3, "GET /3")] {
        assert!(server.expect(&format!("request {n}:")).contains(target));
    }
    assert!(server.expect("request 4:").contains("-> 400 Bad Request"));
}

#[test]
fn a_request_in_one_byte_writes_gets_the_same_response() {
    let server = Server::start(&["--mode", "http", "--body", "same"]);
    let request = b"POST /split HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody";
    let (whole, _, _) = exchange(&server, request);

    let mut conn = server.connect();
    conn.set_nodelay(true).unwrap();
    for byte in request {
        conn.write_all(&[*byte]).unwrap();
        sleep(Duration::from_millis(1));
    }
    let mut pending = Vec::new();
    let split = read_response(&mut conn, &mut pending, false);
    assert_eq!(without_date(&split.head), without_date(&whole.head));
    assert_eq!(split.body, whole.body);
}

#[test]
fn expect_100_continue_gets_continue_before_the_body() {
    let server = Server::start(&["--mode", "http", "--body", "done"]);
    let mut conn = server.connect();
    conn.write_all(
        b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
    )
    .unwrap();
    assert_eq!(
        common::read_exactly(&mut conn, 25),
        b"HTTP/1.1 100 Continue\r\n\r\n"
    );
    conn.write_all(b"hello").unwrap();
    let mut pending = Vec::new();
    let response = read_response(&mut conn, &mut pending, false);
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"done"[..])
    );

    // Not to HTTP/1.0, which never had 100 Continue.
    let (response, _, _) = exchange(
        &server,
        b"PUT /up HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi",
    );
    assert_eq!(response.status, 200);
}

#[test]
fn options_star_is_answered_and_connect_never_gets_a_2xx() {
    let mut server = Server::start(&["--mode", "http"]);
    let (response, _, _) = exchange(&server, b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status, 200);
    assert!(response.body_text().contains("OPTIONS * HTTP/1.1"));
    // A 2xx to CONNECT turns the connection into a tunnel (RFC 9110
    // §9.3.6), and the client would take what follows for tunnel data.
    // What follows the CONNECT on the same connection is never answered.
    let (response, mut conn, pending) = exchange(
        &server,
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(response.status, 501);
    assert!(response
        .head
        .starts_with("HTTP/1.1 501 Not Implemented\r\n"));
    assert_eq!(response.header("Connection"), Some("close"));
    assert!(
        response
            .body_text()
            .contains("CONNECT asks a proxy to open a tunnel")
            && response.body_text().contains("rawnet is not a proxy"),
        "{}",
        response.body_text()
    );
    assert_closed(&mut conn, &pending);
    server.expect("-> 501 Not Implemented");
}

/// RFC 9112 §3.2.3-3.2.4: `*` is a target for OPTIONS only, and
/// `host:port` for CONNECT only (which gets its 501 above). With any other
/// method they are refused with a 400 that says why, and the connection
/// closes; `OPTIONS *` is still answered.
#[test]
fn asterisk_and_authority_form_belong_to_options_and_connect() {
    let mut server = Server::start(&["--mode", "http"]);
    for (request, words) in [
        (
            &b"GET * HTTP/1.1\r\nHost: x\r\n\r\n"[..],
            "400 Bad Request: the target * (asterisk-form) is only for OPTIONS, which asks \
             about the server as a whole (RFC 9112 §3.2.4); GET needs a path: GET / HTTP/1.1\n",
        ),
        (
            b"DELETE * HTTP/1.1\r\nHost: x\r\n\r\n",
            "400 Bad Request: the target * (asterisk-form) is only for OPTIONS, which asks \
             about the server as a whole (RFC 9112 §3.2.4); DELETE needs a path: DELETE / HTTP/1.1\n",
        ),
        (
            b"GET example.com:80 HTTP/1.1\r\nHost: example.com\r\n\r\n",
            "400 Bad Request: the target example.com:80 is host:port (authority-form), which \
             only CONNECT sends (RFC 9112 §3.2.3); GET needs a path, GET / HTTP/1.1, or a full \
             URL, GET http://example.com:80/ HTTP/1.1\n",
        ),
        (
            b"OPTIONS [::1]:8081 HTTP/1.1\r\nHost: x\r\n\r\n",
            "400 Bad Request: the target [::1]:8081 is host:port (authority-form), which \
             only CONNECT sends (RFC 9112 §3.2.3); OPTIONS needs a path, OPTIONS / HTTP/1.1, \
             or a full URL, OPTIONS http://[::1]:8081/ HTTP/1.1\n",
        ),
    ] {
        let (response, mut conn, pending) = exchange(&server, request);
        let shown = String::from_utf8_lossy(request);
        assert!(
            response.head.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{shown}: {}",
            response.head
        );
        assert_eq!(response.body_text(), words, "{shown}");
        assert_eq!(response.header("Connection"), Some("close"), "{shown}");
        assert_closed(&mut conn, &pending);
        server.expect(&format!("-> {}", words.trim_end()));
    }
    // Still answered: `*` for OPTIONS, and targets that only contain a
    // colon or a star.
    for request in [
        &b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"[..],
        b"GET /a:80 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET http://example.com:80/ HTTP/1.1\r\nHost: x\r\n\r\n",
    ] {
        let (response, ..) = exchange(&server, request);
        assert!(
            response.head.starts_with("HTTP/1.1 200 OK\r\n"),
            "{}: {}",
            String::from_utf8_lossy(request),
            response.head
        );
    }
}

/// The HTML page links to its own JSON view. The target is the client's,
/// so it may name another host (`//evil.example/x`, `/\evil.example`, which
/// a browser reads as `//evil.example`, an absolute-form URL) or no place
/// at all (`javascript:`); the link is a path on this server all the same.
#[test]
#[cfg(feature = "json")]
fn the_pages_json_link_stays_on_this_server() {
    let server = Server::start(&["--mode", "http"]);
    for (target, href) in [
        ("//evil.example/x", "/.//evil.example/x?format=json"),
        ("/\\evil.example", "/%5Cevil.example?format=json"),
        ("javascript:alert(1)", "/javascript:alert(1)?format=json"),
        ("http://evil.example/x", "/x?format=json"),
        ("/a?format=html&b", "/a?b&amp;format=json"),
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n");
        let (response, ..) = exchange(&server, request.as_bytes());
        assert_eq!(response.status, 200, "{target}");
        let page = response.body_text();
        let link = page
            .split("<a href=\"")
            .nth(1)
            .and_then(|rest| rest.split_once("\">As JSON</a>"))
            .map(|(href, _)| href)
            .unwrap_or_else(|| panic!("{target}: no As JSON link in\n{page}"));
        assert_eq!(link, href, "{target}");
    }
}

/// RFC 9110 §2.5: a request with a higher minor version of HTTP/1 is
/// answered as the highest this server speaks, HTTP/1.1; the page still
/// shows the version exactly as the client sent it.
#[test]
fn http_1_2_is_answered_as_http_1_1() {
    let server = Server::start(&["--mode", "http"]);
    let (response, mut conn, mut pending) =
        exchange(&server, b"GET /later HTTP/1.2\r\nHost: x\r\n\r\n");
    assert_eq!(response.status, 200);
    assert!(response.head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(response.body_text().contains("GET /later HTTP/1.2\\r\\n"));
    // Kept alive, as HTTP/1.1 is.
    conn.write_all(b"GET /again HTTP/1.2\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut conn, &mut pending, false).status, 200);
}

/// `--status 205` sends no content (RFC 9110 §15.3.6: MUST NOT), and
/// `--status 304` no Content-Length (§8.6: only the length a 200 would have
/// had, or none); both stay usable for the next request on the connection.
#[test]
fn statuses_that_carry_no_content_send_none() {
    for (status, line, length) in [
        ("205", "HTTP/1.1 205 Reset Content\r\n", Some("0")),
        ("304", "HTTP/1.1 304 Not Modified\r\n", None),
        ("204", "HTTP/1.1 204 No Content\r\n", None),
    ] {
        let server = Server::start(&["--mode", "http", "--status", status]);
        let mut conn = server.connect();
        conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let got = common::read_to_end(&mut conn);
        let text = String::from_utf8(got).unwrap();
        // Two heads and nothing else: no content after either.
        let heads: Vec<&str> = text.split_terminator("\r\n\r\n").collect();
        assert_eq!(heads.len(), 2, "{status}: {text:?}");
        assert!(text.ends_with("\r\n\r\n"), "{status}: {text:?}");
        for head in heads {
            let head = format!("{head}\r\n");
            assert!(head.starts_with(line), "{head}");
            assert!(!head.contains("Content-Type"), "{status}: {head}");
            match length {
                Some(n) => assert!(head.contains(&format!("Content-Length: {n}\r\n")), "{head}"),
                None => assert!(!head.contains("Content-Length"), "{status}: {head}"),
            }
        }
    }
}

/// tests/README.md cases 3-4, 6-10, 12-17, 19-20: each bad request, the
/// status it must get, and a word the error body must contain.
const BAD_REQUESTS: &[(&str, &[u8], u16, &str)] = &[
    ("3 long request line", b"", 414, "request line is longer than 8192 bytes"),
    ("4 big head", b"", 431, "request head is larger than 8192 bytes"),
    ("4 too many headers", b"", 431, "more than 64 header fields"),
    ("6 bare CR in value", b"GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n", 400, "invalid header value"),
    ("6 NUL in value", b"GET / HTTP/1.1\r\nHost: x\r\nA: b\0c\r\n\r\n", 400, "invalid header value"),
    ("7 space before colon", b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n", 400, "invalid header name"),
    ("7 obs-fold", b"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n  folded\r\n\r\n", 400, "invalid header name"),
    ("7 bad name byte", b"GET / HTTP/1.1\r\nHost: x\r\nA(b: c\r\n\r\n", 400, "invalid header name"),
    ("7 empty name", b"GET / HTTP/1.1\r\nHost: x\r\n: c\r\n\r\n", 400, "invalid header name"),
    ("8 no Host", b"GET / HTTP/1.1\r\n\r\n", 400, "without a Host header"),
    ("8 two Hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host"),
    ("8 invalid Host", b"GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n", 400, "invalid Host"),
    ("9 HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "only HTTP/1.x is spoken here"),
    ("9 HTTP/3", b"GET / HTTP/3\r\nHost: x\r\n\r\n", 505, "only HTTP/1.x is spoken here"),
    ("9 only the last word is a version", b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid HTTP version"),
    ("9 HTTP/1.10", b"GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400, "httparse:"),
    ("11 GET *", b"GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "only for OPTIONS"),
    ("11 GET host:port", b"GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "only CONNECT sends"),
    ("11 CONNECT", b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501, "not a proxy"),
    ("10 missing target", b"GET HTTP/1.1\r\nHost: x\r\n\r\n", 400, "httparse:"),
    ("10 two spaces", b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "httparse: invalid token"),
    ("10 lowercase version", b"GET / http/1.1\r\nHost: x\r\n\r\n", 400, "httparse: invalid HTTP version"),
    ("12 CL +5", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400, "invalid Content-Length"),
    ("12 CL -1", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "invalid Content-Length"),
    ("12 CL 0x10", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400, "invalid Content-Length"),
    ("12 CL empty", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n", 400, "invalid Content-Length"),
    ("12 CL 1 2", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n", 400, "invalid Content-Length"),
    (
        "12 CL overflow",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        400,
        "invalid Content-Length",
    ),
    (
        "13 two CLs",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        400,
        "conflicting Content-Length",
    ),
    ("13 CL list", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!", 400, "conflicting Content-Length"),
    (
        "14 CL and TE",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
        "both Content-Length and Transfer-Encoding",
    ),
    (
        "15 chunked not last",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        400,
        "must end with chunked",
    ),
    ("15 unknown coding", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo, chunked\r\n\r\n", 501, "\"foo\" is not supported"),
    ("16 TE on 1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "HTTP/1.0"),
    ("17 chunk 0x", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400, "chunk"),
    ("17 chunk +", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", 400, "chunk"),
    ("17 chunk space", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400, "chunk"),
    (
        "17 chunk 17 digits",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000005\r\nhello\r\n0\r\n\r\n",
        400,
        "more than 16 hex digits",
    ),
    (
        "17 no CRLF after data",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        400,
        "not followed by CRLF",
    ),
    ("17 bare LF", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400, "bare LF"),
    (
        "19 CL over --max-body",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\nstart",
        413,
        "larger than 1048576 bytes",
    ),
    (
        "19 chunk over --max-body",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\nstart",
        413,
        "larger than 1048576 bytes",
    ),
    (
        "12 chunk size near 2^64 after a first chunk",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\nFFFFFFFFFFFFFFFF\r\nAAAA",
        413,
        "larger than 1048576 bytes",
    ),
    ("20 unknown expectation", b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417, "unknown expectation"),
];

fn generated(case: &str) -> Vec<u8> {
    match case {
        "3 long request line" => {
            format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(9000)).into_bytes()
        }
        "4 big head" => format!(
            "GET / HTTP/1.1\r\nHost: x\r\nBig: {}\r\n\r\n",
            "b".repeat(9000)
        )
        .into_bytes(),
        "4 too many headers" => {
            let headers: String = (0..100).map(|i| format!("H{i}: v\r\n")).collect();
            format!("GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n").into_bytes()
        }
        _ => unreachable!("{case}"),
    }
}

#[test]
fn every_bad_request_gets_its_status_a_reason_and_a_close() {
    for mode in ["http", "auto"] {
        let mut server = Server::start(&["--mode", mode]);
        for &(case, request, status, words) in BAD_REQUESTS {
            let request = if request.is_empty() {
                generated(case)
            } else {
                request.to_vec()
            };
            let (response, mut conn, pending) = exchange(&server, &request);
            assert_eq!(
                response.status, status,
                "{mode} case {case}: {}",
                response.head
            );
            // tests/README.md case 23: self-delimiting, Connection: close, a body that
            // names the problem.
            assert_eq!(response.header("Connection"), Some("close"), "{case}");
            assert_eq!(
                response.header("Content-Type"),
                Some("text/plain; charset=utf-8"),
                "{case}"
            );
            let body = response.body_text();
            let reason = response
                .head
                .lines()
                .next()
                .unwrap()
                .splitn(3, ' ')
                .nth(2)
                .unwrap()
                .to_string();
            assert!(
                body.starts_with(&format!("{status} {reason}: ")),
                "{case}: {body:?}"
            );
            assert!(
                body.contains(words),
                "{case}: {body:?} should contain {words:?}"
            );
            assert_closed(&mut conn, &pending);
            let logged = server.expect(" -> ");
            assert!(
                logged.contains(&format!("-> {status} ")),
                "{case}: {logged}"
            );
        }
    }
}

#[test]
fn a_head_dribbled_past_the_deadline_gets_408_at_the_deadline() {
    let mut server = Server::start(&["--mode", "http", "--head-timeout", "1"]);
    let mut conn = server.connect();
    let started = Instant::now();
    // One byte every 100 ms: the deadline is for the whole head, so the
    // dribbling does not extend it.
    let mut pending = Vec::new();
    for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX: y" {
        if conn.write_all(&[*byte]).is_err() {
            break;
        }
        sleep(Duration::from_millis(100));
        if started.elapsed() > Duration::from_millis(1500) {
            break;
        }
    }
    let response = read_response(&mut conn, &mut pending, false);
    let waited = started.elapsed();
    assert_eq!(response.status, 408);
    assert!(response
        .body_text()
        .contains("request head not complete within 1s"));
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert!(server.expect(" -> ").contains("-> 408 Request Timeout"));
}

#[test]
fn a_connection_that_never_sends_a_request_is_closed_quietly() {
    let mut server = Server::start(&["--mode", "http", "--head-timeout", "1"]);
    let mut conn = server.connect();
    assert_closed(&mut conn, &[]);
    assert!(server
        .expect("no request")
        .ends_with("no request within 1s (--head-timeout)"));
}

#[test]
fn a_body_shorter_than_its_length_then_silence_gets_408() {
    let server = Server::start(&["--mode", "http", "--body-timeout", "1"]);
    let (response, mut conn, pending) = exchange(
        &server,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort",
    );
    assert_eq!(response.status, 408);
    assert!(response
        .body_text()
        .contains("request body not complete within 1s"));
    assert_closed(&mut conn, &pending);
}

#[test]
fn a_413_is_read_by_the_client_even_while_it_is_still_sending() {
    let server = Server::start(&["--mode", "http", "--max-body", "1000"]);
    let mut conn = server.connect();
    conn.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        .unwrap();
    // Keep sending the body the server has already refused: the server
    // drains it instead of resetting the connection under our feet.
    let _ = conn.write_all(&[b'x'; 100_000]);
    let mut pending = Vec::new();
    let response = read_response(&mut conn, &mut pending, false);
    assert_eq!(response.status, 413);
    assert!(response
        .body_text()
        .contains("larger than 1000 bytes (--max-body)"));
}

#[test]
#[cfg(feature = "tls")]
fn tls_on_the_plain_port_is_closed_and_logged() {
    // A fatal protocol_version alert: see `refuse_tls` in src/protocol.rs.
    const ALERT: &[u8] = &[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46];
    for mode in ["auto", "http"] {
        let mut server = Server::start(&["--mode", mode]);
        let mut conn = server.connect();
        // The first bytes of a TLS 1.2/1.3 ClientHello record, then FIN.
        conn.write_all(&[
            0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03,
        ])
        .unwrap();
        common::half_close(&conn);
        assert_eq!(common::read_to_end(&mut conn), ALERT);
        assert!(server.expect("TLS").ends_with(
            "client sent what starts like a TLS ClientHello but stopped after 11 of its 170 bytes"
        ));

        // The same record header split by TCP: one byte, then the rest.
        let mut conn = server.connect();
        conn.write_all(&[0x16]).unwrap();
        sleep(Duration::from_millis(200));
        conn.write_all(&[0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1])
            .unwrap();
        common::half_close(&conn);
        assert_eq!(common::read_to_end(&mut conn), ALERT);
        assert!(
            server
                .expect("TLS")
                .ends_with("stopped after 9 of its 170 bytes"),
            "{mode}"
        );
    }
}

#[test]
fn auto_mode_echoes_what_is_not_http_and_logs_the_choice() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let reply = common::round_trip(&mut conn, b"GET is not a request\n", 34);
    assert_eq!(reply, common::you_said(b"GET is not a request\n"));
    server.expect("echoing: the first bytes are not an HTTP request line");

    // A possible request line with no end yet is echoed after a pause.
    let mut conn = server.connect();
    let started = Instant::now();
    let reply = common::round_trip(&mut conn, b"Hello", 18);
    assert_eq!(reply, common::you_said(b"Hello"));
    assert!(started.elapsed() >= Duration::from_millis(900));

    let (response, _, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status, 200);
    server.expect("speaking HTTP: the first line is an HTTP request line");
}

/// `printf 'GET /\n' | nc`: an HTTP/0.9-style request line, with no
/// version, is answered as HTTP (not echoed) in both modes that speak it,
/// with a 400 that says what to write instead, and the connection closes.
#[test]
fn a_request_line_without_a_version_gets_a_400_that_says_so() {
    const WORDS: &[u8] = b"400 Bad Request: the request line has no HTTP version; \
        write GET / HTTP/1.1 and a Host header, then an empty line\n";
    for mode in ["auto", "http"] {
        let mut server = Server::start(&["--mode", mode]);
        for request in [&b"GET /\n"[..], b"GET /index.html\r\n"] {
            let (response, mut conn, pending) = exchange(&server, request);
            assert_eq!(response.status, 400, "{mode}: {}", response.head);
            assert_eq!(response.body, WORDS, "{mode}");
            assert_eq!(response.header("Connection"), Some("close"), "{mode}");
            assert_closed(&mut conn, &pending);
        }
        if mode == "auto" {
            server.expect("speaking HTTP");
        }
    }
    // `--mode echo` echoes whatever comes, this too.
    let server = Server::start(&["--mode", "echo"]);
    let echoed = common::you_said(b"GET /\n");
    let reply = common::round_trip(&mut server.connect(), b"GET /\n", echoed.len());
    assert_eq!(reply, echoed);
}

/// In `--mode http` the head deadline counts from the connection, not from
/// the first byte: a client that waits, then dribbles, gets its 408 at
/// `--head-timeout` after connecting.
#[test]
fn the_head_deadline_counts_from_the_connection_in_http_mode() {
    let server = Server::start(&["--mode", "http", "--head-timeout", "2"]);
    let mut conn = server.connect();
    let started = Instant::now();
    sleep(Duration::from_millis(1200));
    conn.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let response = read_response(&mut conn, &mut Vec::new(), false);
    let waited = started.elapsed();
    assert_eq!(response.status, 408);
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_millis(2900),
        "the 408 came {waited:?} after connecting"
    );
}

/// The "Worth noting" line about reads, and the reads it lists as
/// `(first, last)` byte ranges, times left out (they vary).
fn reads_line(page: &str) -> (&str, u64, Vec<(u64, u64)>) {
    let line = page
        .lines()
        .find(|line| line.starts_with("- The head came in "))
        .unwrap_or_else(|| panic!("no reads line in:\n{page}"));
    let rest = &line["- The head came in ".len()..];
    let (count, rest) = rest.split_once(" reads: ").unwrap();
    let list = rest.split(". ").next().unwrap();
    let ranges = list
        .split(", ")
        .filter(|item| item.contains(" at "))
        .map(|item| {
            let range = item.split(" at ").next().unwrap();
            let range = range
                .trim_start_matches("bytes ")
                .trim_start_matches("byte ");
            let (first, last) = range.split_once('-').unwrap_or((range, range));
            (first.parse().unwrap(), last.parse().unwrap())
        })
        .collect();
    (line, count.parse().unwrap(), ranges)
}

#[test]
fn a_head_in_three_writes_is_said_to_come_in_three_reads() {
    let server = Server::start(&["--mode", "http"]);
    let mut conn = server.connect();
    conn.set_nodelay(true).unwrap();
    for part in [&b"GET /slow HTT"[..], b"P/1.1\r\nHost: x\r\n", b"\r\n"] {
        conn.write_all(part).unwrap();
        sleep(Duration::from_millis(30));
    }
    let page = read_response(&mut conn, &mut Vec::new(), false).body_text();
    let (line, count, ranges) = reads_line(&page);
    assert_eq!(
        (count, ranges),
        (3, vec![(0, 12), (13, 28), (29, 30)]),
        "{line}"
    );
    assert!(line.starts_with("- The head came in 3 reads: bytes 0-12 at 0.0 ms, 13-28 at "));
    assert!(line.ends_with(" ms. One read is not one message: TCP delivers bytes, not requests."));
    // The note sits between the head and the body.
    assert!(
        page.contains("\\r\\n\n\nWorth noting:\n- The head came in 3 reads"),
        "{page}"
    );
    assert!(page.ends_with("requests.\n\nno body\n"), "{page}");
}

/// The reads note for `GET /reads HTTP/1.1` sent as `GET /re` and, 150 ms
/// later, the rest, in `mode`; the second read's time is given apart
/// (it varies) and left out of the line as `…`.
fn two_reads_note(mode: &str) -> (String, f64) {
    let server = Server::start(&["--mode", mode]);
    let mut conn = server.connect();
    conn.set_nodelay(true).unwrap();
    conn.write_all(b"GET /re").unwrap();
    sleep(Duration::from_millis(150));
    conn.write_all(b"ads HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let page = read_response(&mut conn, &mut Vec::new(), false).body_text();
    let (line, _, _) = reads_line(&page);
    let (before, after) = line.split_once(", 7-31 at ").expect(line);
    let (ms, rest) = after.split_once(" ms. ").expect(line);
    let line = format!("{before}, 7-31 at … ms. {rest}");
    (line, ms.parse().expect(ms))
}

/// `--mode auto` holds the first bytes until it knows they are HTTP; the
/// reads it held them over are still the head's reads on the page, as in
/// `--mode http`, which hands every read to the HTTP session as it comes.
#[test]
fn a_head_split_before_its_request_line_ends_counts_both_reads_in_auto_mode() {
    let expected = "- The head came in 2 reads: bytes 0-6 at 0.0 ms, 7-31 at … ms. \
                    One read is not one message: TCP delivers bytes, not requests.";
    let (http, http_ms) = two_reads_note("http");
    let (auto, auto_ms) = two_reads_note("auto");
    assert_eq!(http, expected);
    assert_eq!(auto, expected);
    // The server's clock may see a little under the client's 150 ms
    // (149.9 has been seen), and a busy machine much more.
    for ms in [http_ms, auto_ms] {
        assert!((100.0..1000.0).contains(&ms), "the second read at {ms} ms");
    }
}

#[test]
fn a_head_in_one_byte_writes_lists_its_reads_up_to_a_bound() {
    let server = Server::start(&["--mode", "http"]);
    let request = b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut conn = server.connect();
    conn.set_nodelay(true).unwrap();
    for byte in request {
        conn.write_all(&[*byte]).unwrap();
        sleep(Duration::from_millis(3));
    }
    let page = read_response(&mut conn, &mut Vec::new(), false).body_text();
    let (line, count, ranges) = reads_line(&page);
    // Each write is usually one read; a busy machine may join a few.
    assert!((2..=request.len() as u64).contains(&count), "{line}");
    assert!(line.contains(": byte 0 at 0.0 ms, "), "{line}");
    assert_eq!(ranges.len() as u64, count.min(16), "{line}");
    let contiguous = ranges.windows(2).all(|w| w[1].0 == w[0].1 + 1);
    assert!(contiguous && ranges[0].0 == 0, "{line}");
    if count > 16 {
        assert!(
            line.contains(&format!(", and {} more reads. ", count - 16)),
            "{line}"
        );
    } else {
        assert_eq!(ranges.last().unwrap().1, request.len() as u64 - 1, "{line}");
    }
}

#[test]
fn what_rfc_9112_allows_but_is_worth_seeing_is_pointed_out() {
    let mut server = Server::start(&["--mode", "http", "--trace"]);
    let request = b"GET http://example.com/a HTTP/1.1\nHost: other.test\r\nAccept: a\r\n\
                    X-Name: caf\xc3\xa9 \r\nAccept: b\r\n\n";
    let (response, _, _) = exchange(&server, request);
    assert_eq!(response.status, 200);
    let notes = "\
- 2 lines end in a bare \\n, not \\r\\n; a server may accept that (RFC 9112 §2.2), but not every one does.
- Accept is sent 2 times; for a list-valued field that means one comma-separated list (RFC 9110 §5.3).
- X-Name's value ends in whitespace, which is not part of the value (RFC 9110 §5.5).
- X-Name's value has bytes 0x80-0xff (shown as \\xNN): not ASCII; RFC 9110 §5.5 calls them obs-text, opaque data.
- The target is a full URL (absolute form), as a client sends to a proxy; a server must accept it too (RFC 9112 §3.2.2).
- Host says other.test but the target names example.com; the target wins (RFC 9112 §3.2.2).

no body
";
    let page = response.body_text();
    assert!(page.ends_with(notes), "{page}");
    server.expect(
        "request 1 notes: bare LF line endings (2); Accept repeated (2 times); \
         trailing whitespace in X-Name; non-ASCII bytes in X-Name; absolute-form target; \
         Host \"other.test\" differs from the target's \"example.com\"",
    );

    // The HTML page has the same list.
    let html = b"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nAccept: */*\r\n\r\n";
    let (response, _, _) = exchange(&server, html);
    assert!(response.body_text().contains(
        "<p class=\"note\">Worth noting:</p>\n<ul class=\"note\">\n<li>Accept is sent 2 times; \
         for a list-valued field that means one comma-separated list (RFC 9110 §5.3).</li>\n</ul>\n"
    ));
}

#[test]
fn a_plain_request_has_nothing_to_note_and_no_notes_line() {
    let mut server = Server::start(&["--mode", "http", "--trace"]);
    let (response, _, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(!response.body_text().contains("Worth noting"));
    server.expect("request 1: GET / HTTP/1.1 -> 200 OK");
    server.expect_none("notes:", Duration::from_millis(300));
}
