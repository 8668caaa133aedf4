#![cfg(feature = "knobs")]
//! The per-request knobs in the query string (`src/http/knobs.rs`) against
//! the real binary: `?status`, `?header`, `?delay`, `?drip`, `?size`, the
//! 400 a bad one gets, and what happens around a response that takes time:
//! requests pipelined behind it, a client that leaves, a client that does
//! not read, shutdown. Times are checked with tolerances: this is
//! behaviour, not a benchmark.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{read_response, read_to_end, rss_kib, without_date, Response, Server};
use rawnet::client::wire;

const SERVER: &str = concat!("Server: rawnet/", env!("CARGO_PKG_VERSION"));

/// Sends `request` on a new connection and reads one response.
fn exchange(server: &Server, request: &str) -> (Response, TcpStream, Vec<u8>) {
    let mut conn = server.connect();
    conn.write_all(request.as_bytes()).unwrap();
    let mut pending = Vec::new();
    let head_only = request.starts_with("HEAD ");
    let response = read_response(&mut conn, &mut pending, head_only);
    (response, conn, pending)
}

fn get(server: &Server, target: &str) -> Response {
    let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
    exchange(server, &request).0
}

#[test]
fn status_and_headers_come_from_the_query() {
    let mut server = Server::start(&[]);
    let response = get(
        &server,
        "/x?status=503&header=X-Test:1&header=X-Two%3A%20a+b",
    );
    let length = response.body.len();
    assert_eq!(
        without_date(&response.head),
        format!(
            "HTTP/1.1 503 Service Unavailable\r\n{SERVER}\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Length: {length}\r\n\
             X-Test: 1\r\nX-Two: a+b\r\n\r\n"
        )
    );
    assert!(response
        .body_text()
        .contains("GET /x?status=503&header=X-Test:1&header=X-Two%3A%20a+b HTTP/1.1\\r\\n"));
    server.expect("request 1: GET /x?status=503&header=X-Test:1&header=X-Two%3A%20a+b HTTP/1.1 -> 503 Service Unavailable");

    // Every registered code gets its words; an application's own
    // parameters are left alone.
    for (query, line) in [
        ("?status=418", "HTTP/1.1 418 I'm a teapot"),
        (
            "?status=511",
            "HTTP/1.1 511 Network Authentication Required",
        ),
        ("?status=299", "HTTP/1.1 299 "),
        ("?q=delay&delay", "HTTP/1.1 400 Bad Request"),
        ("?q=1&page=2", "HTTP/1.1 200 OK"),
    ] {
        let response = get(&server, &format!("/app{query}"));
        let status_line = response.head.split("\r\n").next().unwrap();
        assert_eq!(status_line, line, "{query}");
    }
}

#[test]
fn the_page_shows_the_added_headers_in_its_response_head() {
    let server = Server::start(&[]);
    let request = "GET /?header=X-Seen:yes HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n";
    let (response, ..) = exchange(&server, request);
    assert!(
        response.head.ends_with("X-Seen: yes\r\n\r\n"),
        "{}",
        response.head
    );
    // In the response head the page shows, as it was sent.
    let shown = "X-Seen: yes<span class=\"eol\">\\r\\n</span>";
    assert!(
        response.body_text().contains(shown),
        "{}",
        response.body_text()
    );
}

#[test]
fn format_chooses_the_page_whatever_accept_says() {
    let server = Server::start(&[]);
    let html = get(&server, "/?format=html");
    assert_eq!(
        html.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(html.body_text().starts_with("<!doctype html>"));
    let request = "GET /?format=text HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n";
    let (text, ..) = exchange(&server, request);
    assert_eq!(
        text.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn a_knob_overrides_the_server_wide_status_and_body_for_its_request() {
    let server = Server::start(&["--status", "404", "--body", "hello,world"]);
    let response = get(&server, "/?status=201");
    assert_eq!(
        (response.status, response.body_text().as_str()),
        (201, "hello,world")
    );
    assert_eq!(get(&server, "/").status, 404);
    // A status without content keeps its framing, and the connection
    // stays usable.
    let request =
        "GET /?status=204 HTTP/1.1\r\nHost: x\r\n\r\nGET /?status=205 HTTP/1.1\r\nHost: x\r\n\r\n";
    let (response, mut conn, mut pending) = exchange(&server, request);
    assert_eq!(response.status, 204);
    assert_eq!(response.header("Content-Length"), None);
    let second = read_response(&mut conn, &mut pending, false);
    assert_eq!(
        (second.status, second.header("Content-Length")),
        (205, Some("0"))
    );
}

/// Each bad knob gets 400, `Connection: close`, and a body naming it.
#[test]
fn a_bad_knob_gets_400_naming_it() {
    let mut server = Server::start(&["--max-delay", "2", "--max-size", "1000"]);
    for (query, words) in [
        ("status=99", "?status=99: a status must be a number from 200 to 599"),
        ("delay=3", "?delay=3: at most 2 s (--max-delay)"),
        ("delay=1e3", "?delay=1e3: must be seconds, like 1.5 (digits and at most one dot, at most 9 decimals)"),
        ("drip=0", "?drip=0: must be a number of chunks from 1 to 1000"),
        ("drip=4", "?drip=4: the last chunk would leave at 3 s after ?delay and 3 intervals; at most 2 s (--max-delay)"),
        ("interval=1", "?interval=1: goes with ?drip, which is missing"),
        ("size=1001", "?size=1001: at most 1000 bytes (--max-size)"),
        ("size=x", "?size=x: must be a number of bytes"),
        ("drip=2&size=100", "?size=100: too small for ?drip=2; each chunk needs at least 64 bytes, for its line"),
        ("status=304&size=10", "?size=10: a 304 response has no body"),
        ("header=Transfer-Encoding:gzip", "?header=Transfer-Encoding:gzip: Transfer-Encoding is a framing or hop-by-hop header; rawnet frames the response itself, and a proxy removes hop-by-hop headers"),
        ("header=X:1%0d%0aSet-Cookie:a=b", "?header=X:1%0d%0aSet-Cookie:a=b: the value must not contain CR, LF, NUL or other control characters"),
        ("header=X%20Y:1", "?header=X%20Y:1: the name must be a token (letters, digits and !#$%&'*+-.^_`|~)"),
        ("header=nocolon", "?header=nocolon: must be Name:Value"),
        ("format=xml", "?format=xml: must be json, html or text"),
        ("status=200&status=201", "?status=201: given more than once; only ?header repeats"),
    ] {
        let request = format!("GET /?{query} HTTP/1.1\r\nHost: x\r\n\r\n");
        let (response, mut conn, pending) = exchange(&server, &request);
        assert_eq!(response.status, 400, "{query}");
        assert_eq!(response.header("Connection"), Some("close"), "{query}");
        assert_eq!(
            response.body_text(),
            format!("400 Bad Request: {words}\n"),
            "{query}"
        );
        common::assert_closed(&mut conn, &pending);
        server.expect(&format!("-> 400 Bad Request: {words}"));
    }
}

/// A link can send anyone's browser here, so by default `?header` may not
/// add a header that acts on that browser: each gets a 400 naming what it
/// would do, the connection closes, and the log says the same.
#[test]
fn headers_that_act_on_the_browser_are_refused_by_default() {
    const TAIL: &str = "; any link to rawnet could do that to whoever follows it, \
                        so it needs rawnet --allow-unsafe-headers";
    let cookie = "Set-Cookie sets browser state: a cookie for this host, which the browser \
                  sends to every port on it, other apps on localhost included";
    let cors = "Access-Control-* grants access: a page on another origin could read the \
                answer in the browser, and with credentials the cookies it shows back";
    let off_site = "Location sends the browser off this server: only a path (one /, then \
                    anything but / or \\) stays on it";
    let mut server = Server::start(&[]);
    for (query, words) in [
        (
            "header=Set-Cookie:sid=FIXED",
            format!("?header=Set-Cookie:sid=FIXED: {cookie}"),
        ),
        (
            "header=set-cookie:sid=FIXED;Domain=localhost",
            format!("?header=set-cookie:sid=FIXED;Domain=localhost: {cookie}"),
        ),
        (
            "status=302&header=Location:http://elsewhere/",
            format!("?header=Location:http://elsewhere/: {off_site}"),
        ),
        (
            "status=302&header=Location:%2F%5Celsewhere",
            format!("?header=Location:%2F%5Celsewhere: {off_site}"),
        ),
        (
            "status=302&header=Location:/%09/elsewhere",
            format!("?header=Location:/%09/elsewhere: {off_site}"),
        ),
        (
            "header=Access-Control-Allow-Origin:http://evil.example\
             &header=Access-Control-Allow-Credentials:true",
            format!("?header=Access-Control-Allow-Origin:http://evil.example: {cors}"),
        ),
        (
            "status=401&header=WWW-Authenticate:Basic",
            "?header=WWW-Authenticate:Basic: WWW-Authenticate sets browser state: a login \
             prompt, and the password typed into it, which the browser then sends by itself"
                .to_string(),
        ),
        (
            "header=Refresh:0;url=http://elsewhere/",
            "?header=Refresh:0;url=http://elsewhere/: Refresh sends the browser on to \
             whatever URL it names"
                .to_string(),
        ),
    ] {
        let request = format!("GET /?{query} HTTP/1.1\r\nHost: x\r\n\r\n");
        let (response, mut conn, pending) = exchange(&server, &request);
        assert!(
            response.head.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{query}: {}",
            response.head
        );
        assert_eq!(
            response.body_text(),
            format!("400 Bad Request: {words}{TAIL}\n"),
            "{query}"
        );
        assert_eq!(response.header("Connection"), Some("close"), "{query}");
        common::assert_closed(&mut conn, &pending);
        server.expect(&format!("-> 400 Bad Request: {words}{TAIL}"));
    }
    // A Location that is a path on this server is no redirect off it.
    let response = get(&server, "/?status=302&header=Location:/here");
    assert!(
        response.head.starts_with("HTTP/1.1 302 Found\r\n")
            && response.head.ends_with("\r\nLocation: /here\r\n\r\n"),
        "{}",
        response.head
    );
}

/// `--allow-unsafe-headers` lets them through, as asked.
#[test]
fn allow_unsafe_headers_sends_them_as_asked() {
    let server = Server::start(&["--allow-unsafe-headers"]);
    let response = get(
        &server,
        "/?status=302&header=Location:http://elsewhere/&header=Set-Cookie:sid=FIXED",
    );
    assert!(
        response.head.starts_with("HTTP/1.1 302 Found\r\n")
            && response
                .head
                .ends_with("\r\nLocation: http://elsewhere/\r\nSet-Cookie: sid=FIXED\r\n\r\n"),
        "{}",
        response.head
    );
    let response = get(
        &server,
        "/?header=Access-Control-Allow-Origin:http://evil.example\
         &header=Access-Control-Allow-Credentials:true",
    );
    assert!(
        response.head.ends_with(
            "\r\nAccess-Control-Allow-Origin: http://evil.example\r\n\
             Access-Control-Allow-Credentials: true\r\n\r\n"
        ),
        "{}",
        response.head
    );
    // What is never the client's to choose stays refused.
    assert_eq!(get(&server, "/?header=Content-Type:text/html").status, 400);
    assert_eq!(get(&server, "/?header=Content-Length:1").status, 400);
}

#[test]
fn a_delay_holds_the_head_back() {
    let mut server = Server::start(&[]);
    let started = Instant::now();
    let response = get(&server, "/?delay=0.5&status=202");
    let took = started.elapsed();
    assert_eq!(response.status, 202);
    assert!(took >= Duration::from_millis(450), "arrived after {took:?}");
    assert!(took < Duration::from_secs(5), "arrived after {took:?}");
    server.expect("request 1: GET /?delay=0.5&status=202 HTTP/1.1 -> 202 Accepted");
}

/// Reads a response whose body comes in timed pieces, noting when each
/// read came: `(bytes so far, when)` after each read, until `done` says
/// the bytes are complete.
fn read_timed(
    conn: &mut TcpStream,
    done: impl Fn(&[u8]) -> bool,
) -> (Vec<u8>, Vec<(usize, Duration)>) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut reads = Vec::new();
    let mut buf = [0; 4096];
    while !done(&got) {
        let n = conn.read(&mut buf).expect("read the drip");
        assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
        reads.push((got.len(), started.elapsed()));
    }
    (got, reads)
}

/// `chunk I of N at S.MMM s\n` into `(I, N, seconds)`.
fn drip_line(line: &[u8]) -> (u32, u32, f64) {
    let text = std::str::from_utf8(line).expect("a drip line is text");
    let words: Vec<&str> = text
        .strip_suffix(" s\n")
        .unwrap_or_else(|| panic!("{text:?} should end with \" s\\n\""))
        .split(' ')
        .collect();
    match words[..] {
        ["chunk", i, "of", n, "at", secs] => {
            let (whole, millis) = secs.split_once('.').expect("seconds with a dot");
            assert_eq!(millis.len(), 3, "{text:?}");
            assert!(whole.parse::<u64>().is_ok(), "{text:?}");
            (
                i.parse().unwrap(),
                n.parse().unwrap(),
                secs.parse().unwrap(),
            )
        }
        _ => panic!("not a drip line: {text:?}"),
    }
}

#[test]
fn a_drip_sends_one_chunk_a_interval() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    conn.write_all(b"GET /?drip=3&interval=0.2 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (got, reads) = read_timed(&mut conn, |got| got.ends_with(b"0\r\n\r\n"));
    let (response, used) = wire::split(&got, false).unwrap().unwrap();
    assert_eq!(used, got.len());
    assert_eq!(response.header("Transfer-Encoding"), Some("chunked"));
    assert_eq!(response.header("Content-Length"), None);
    assert_eq!(response.chunks.len(), 3);
    for (i, chunk) in response.chunks.iter().enumerate() {
        let (number, of, secs) = drip_line(chunk);
        assert_eq!((number, of), (i as u32 + 1, 3));
        // The line says when it was sent: on schedule, give or take.
        let planned = 0.2 * i as f64;
        assert!(
            secs >= planned && secs < planned + 1.0,
            "chunk {number} at {secs} s"
        );
    }
    println!("drip reads at {reads:?}");
    // And the chunks arrived spread out: the last one at least 0.35 s
    // after the first (the head and the first chunk come together).
    let first = reads[0].1;
    let last = reads.last().unwrap().1;
    assert!(
        last - first >= Duration::from_millis(350),
        "reads at {reads:?}"
    );
    server.expect("request 1: GET /?drip=3&interval=0.2 HTTP/1.1 -> 200 OK");
}

#[test]
fn a_drip_after_a_delay_and_with_a_size_splits_the_size() {
    let server = Server::start(&[]);
    let started = Instant::now();
    let response = get(&server, "/?delay=0.2&drip=2&interval=0&size=200");
    assert!(started.elapsed() >= Duration::from_millis(180));
    assert_eq!(response.body.len(), 200);
    let sizes: Vec<usize> = response.chunks.iter().map(Vec::len).collect();
    assert_eq!(sizes, [100, 100]);
    for chunk in &response.chunks {
        let line_end = chunk.iter().position(|&b| b == b'\n').unwrap() + 1;
        let (_, _, secs) = drip_line(&chunk[..line_end]);
        assert!(secs >= 0.2, "{secs}");
    }
    // After each line, the filler at the same offsets.
    let body = &response.body;
    assert_eq!(&body[64..100], &filler(64..100)[..]);
    assert_eq!(&body[128..200], &filler(128..200)[..]);
}

/// The `?size` filler's bytes at `range` (see `src/http/knobs.rs`).
fn filler(range: std::ops::Range<usize>) -> Vec<u8> {
    let mut all = Vec::new();
    let mut offset = 0;
    while all.len() < range.end {
        all.extend_from_slice(
            format!("{offset:012} rawnet ?size: every line is 64 bytes, offset first\n").as_bytes(),
        );
        offset += 64;
    }
    all[range].to_vec()
}

#[test]
fn a_drip_to_http_1_0_is_bare_lines_ended_by_the_close() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.write_all(b"GET /?drip=2&interval=0.1 HTTP/1.0\r\n\r\n")
        .unwrap();
    let got = read_to_end(&mut conn);
    let (response, used) = wire::split(&got, true).unwrap().unwrap();
    assert_eq!(response.header("Connection"), Some("close"));
    assert_eq!(response.header("Transfer-Encoding"), None);
    assert_eq!(response.header("Content-Length"), None);
    let lines: Vec<&[u8]> = got[used..].split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(drip_line(lines[1]).0, 2);
}

#[test]
fn head_gets_the_knobs_head_and_no_body() {
    let server = Server::start(&[]);
    // A GET after the two HEADs: any body byte a HEAD's answer carried
    // would come before the GET's status line.
    let request = "HEAD /?drip=3&interval=5 HTTP/1.1\r\nHost: x\r\n\r\n\
                   HEAD /?size=1000 HTTP/1.1\r\nHost: x\r\n\r\n\
                   GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let started = Instant::now();
    let mut conn = server.connect();
    conn.write_all(request.as_bytes()).unwrap();
    let got = read_to_end(&mut conn);
    let (first, used) = wire::split(&got, true).unwrap().unwrap();
    assert_eq!(first.header("Transfer-Encoding"), Some("chunked"));
    let rest = &got[used..];
    let (second, used) = wire::split(rest, true).unwrap().unwrap();
    assert_eq!(second.header("Content-Length"), Some("1000"));
    let rest = &rest[used..];
    let (third, used) = wire::split_closed(rest, false).unwrap();
    assert_eq!((third.status, used), (200, rest.len()));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "no drip to wait for"
    );
}

/// tests/README.md case 34: `--max-size` is made in pieces as the client
/// reads, so the server's memory does not grow with it.
#[test]
fn a_10_mib_size_streams_without_holding_it() {
    let server = Server::start(&[]);
    let start_rss = rss_kib(server.pid());
    let mut conn = server.connect();
    conn.write_all(b"GET /?size=10485760 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // Read slowly at first, so the server has to wait for room.
    let mut got = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    let mut peak_rss = start_rss;
    let mut reads = 0;
    loop {
        if let Ok(Some((response, used))) = wire::split(&got, false) {
            assert_eq!(used, got.len());
            assert_eq!(response.body.len(), 10_485_760);
            assert_eq!(&response.body[..64], &filler(0..64)[..]);
            let end = 10_485_760;
            assert_eq!(&response.body[end - 100..], &filler(end - 100..end)[..]);
            break;
        }
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "closed after {} bytes", got.len());
        got.extend_from_slice(&buf[..n]);
        reads += 1;
        if reads % 16 == 0 {
            peak_rss = peak_rss.max(rss_kib(server.pid()));
        }
        if reads < 20 {
            sleep(Duration::from_millis(10));
        }
    }
    println!("server RSS {start_rss} KiB -> peak {peak_rss} KiB for a 10 MiB body");
    assert!(
        peak_rss < start_rss + 4 * 1024,
        "server RSS grew from {start_rss} KiB to {peak_rss} KiB for a 10 MiB body"
    );
}

/// tests/README.md case 25 for a stream: a client that stops reading a
/// `?size` body meets `--write-timeout` like any other.
#[test]
fn a_client_that_does_not_read_a_size_is_cut_off_by_the_write_timeout() {
    let mut server = Server::start(&["--write-timeout", "1"]);
    let mut conn = server.connect();
    conn.write_all(b"GET /?size=10485760 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let line = server.expect("close (");
    assert!(line.contains("close (write timeout"), "{line}");
}

/// tests/README.md case 35: a client that leaves while its response is
/// held back or dripping is noticed at once (not when the response would
/// have ended), and the server goes on.
#[test]
fn a_client_that_leaves_mid_delay_or_mid_drip_is_let_go_at_once() {
    let mut server = Server::start(&[]);
    for (target, read_first) in [("/?delay=20", false), ("/?drip=20&interval=1", true)] {
        let mut conn = server.connect();
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        conn.write_all(request.as_bytes()).unwrap();
        if read_first {
            let mut buf = [0; 4096];
            let n = conn.read(&mut buf).unwrap();
            assert!(n > 0);
        } else {
            sleep(Duration::from_millis(100));
        }
        let left = Instant::now();
        drop(conn);
        let line = server.expect("client ended while response 1");
        assert!(line.contains("the rest is dropped"), "{line}");
        server.expect("close (end)");
        assert!(left.elapsed() < Duration::from_secs(3), "{target}");
    }
    assert_eq!(get(&server, "/").status, 200);
}

#[test]
fn requests_pipelined_behind_a_delayed_one_are_answered_after_it_in_order() {
    let server = Server::start(&[]);
    let started = Instant::now();
    let mut conn = server.connect();
    conn.write_all(
        b"GET /first?delay=0.3 HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    let mut pending = Vec::new();
    let first = read_response(&mut conn, &mut pending, false);
    let second = read_response(&mut conn, &mut pending, false);
    assert!(started.elapsed() >= Duration::from_millis(280));
    assert!(first.body_text().contains("GET /first?delay=0.3 HTTP/1.1"));
    assert!(first.body_text().contains("(request 1 on it)"));
    assert!(second.body_text().contains("GET /second HTTP/1.1"));
    assert!(second.body_text().contains("(request 2 on it)"));
}

/// `--idle-close` counts silence on the connection, and a response the
/// server sends on its own time breaks it: three pipelined one-second
/// delays under a two-second `--idle-close` are all answered (the third
/// used to be cut by the idle close, the client having said nothing for
/// longer than that).
#[test]
fn idle_close_does_not_cut_responses_the_server_still_owes() {
    let mut server = Server::start(&["--idle-close", "2", "--max-delay", "1"]);
    let mut conn = server.connect();
    conn.write_all(
        b"GET /?delay=1&n=1 HTTP/1.1\r\nHost: x\r\n\r\n\
          GET /?delay=1&n=2 HTTP/1.1\r\nHost: x\r\n\r\n\
          GET /?delay=1&n=3 HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    let mut pending = Vec::new();
    for n in 1..=3 {
        let response = read_response(&mut conn, &mut pending, false);
        assert!(
            response
                .body_text()
                .contains(&format!("GET /?delay=1&n={n} HTTP/1.1")),
            "response {n}: {}",
            response.body_text()
        );
    }
    // Then the connection is silent, and closed as idle.
    server.expect("close (idle");
}

/// tests/README.md case 36.
#[test]
fn a_client_that_sends_more_than_a_request_while_held_is_closed() {
    let mut server = Server::start(&["--max-head", "256", "--max-body", "100"]);
    let mut conn = server.connect();
    conn.write_all(b"GET /?delay=10 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // In a later read than the request's: bytes in the same read are
    // kept (one read is bounded anyway), as they are for every request.
    sleep(Duration::from_millis(200));
    conn.write_all(&[b'x'; 1000]).unwrap();
    let line = server.expect("while response 1 was held back");
    assert!(line.contains("client sent 1000 bytes"), "{line}");
    server.expect("close (done)");
}

/// Shutdown cuts a drip at the end of `--grace`: the connection does not
/// hold the server for the rest of the drip.
#[test]
fn shutdown_ends_a_drip_within_the_grace_period() {
    let mut server = Server::start(&["--grace", "1"]);
    let mut conn = server.connect();
    conn.write_all(b"GET /?drip=20&interval=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut got = vec![0; 4096];
    let first = conn.read(&mut got).unwrap();
    assert!(first > 0);
    got.truncate(first);
    let signalled = Instant::now();
    server.signal("TERM");
    server.expect("close (shutdown)");
    assert!(server.wait_exit().success());
    assert!(signalled.elapsed() < Duration::from_secs(4));
    // Cut: the chunks sent so far, and no last chunk to say the body was
    // whole.
    conn.read_to_end(&mut got).unwrap();
    assert!(
        matches!(
            wire::split_closed(&got, false),
            Err(wire::Problem::UnfinishedChunks { .. })
        ),
        "{}",
        String::from_utf8_lossy(&got)
    );
}

#[test]
fn curl_v_shows_the_status_and_header_asked_for() {
    let server = Server::start(&[]);
    let url = format!(
        "http://localhost:{}/x?status=503&header=X-Test:1",
        server.addr.port()
    );
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10", "-v", &url])
        .output()
        .expect("curl must be installed: scripts/test.sh installs it");
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(
        trace.contains("< HTTP/1.1 503 Service Unavailable\r\n"),
        "{trace}"
    );
    assert!(trace.contains("< X-Test: 1\r\n"), "{trace}");
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(
        body.contains("GET /x?status=503&header=X-Test:1 HTTP/1.1\\r\\n"),
        "{body}"
    );
}
