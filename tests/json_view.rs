#![cfg(feature = "json")]
//! The JSON view over raw TCP: which requests get it (`Accept`, `?format=`),
//! the headers in their own case and order, the raw head, the body as text
//! or base64 and bounded, the connection and request numbers, and the
//! addresses: the TCP peer, a PROXY header's client, and the claims in
//! `Forwarded`, `X-Forwarded-For`, `X-Real-IP` and `Via`.

mod common;

use std::io::Write;

use common::{read_response, Response, Server};
#[cfg(any(feature = "knobs", feature = "proxy"))]
use serde_json::{json, Value};

/// Sends `request` on a new connection and reads one response.
fn ask(server: &Server, request: &[u8]) -> Response {
    let mut conn = server.connect();
    conn.write_all(request).unwrap();
    read_response(&mut conn, &mut Vec::new(), false)
}

#[cfg(any(feature = "knobs", feature = "proxy"))]
fn view(response: &Response) -> Value {
    assert_eq!(response.status, 200, "{}", response.head);
    assert_eq!(response.header("Content-Type"), Some("application/json"));
    // Pretty-printed, ending in a newline, for `curl | jq` and for eyes.
    assert!(
        response.body.starts_with(b"{\n  \""),
        "{}",
        response.body_text()
    );
    assert!(
        response.body.ends_with(b"\n}\n"),
        "{}",
        response.body_text()
    );
    serde_json::from_slice(&response.body).expect("the body is JSON")
}

/// `?format=json` over `accept: text/plain`: a knob.
#[test]
#[cfg(feature = "knobs")]
fn headers_in_their_case_and_order_with_the_raw_head() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap();
    let first = b"GET /one HTTP/1.1\r\nHost: a\r\n\r\n";
    let second = b"GET /two?format=json HTTP/1.1\r\nhost: a\r\nX-Mixed-CASE:  spaced value \r\n\
                   accept: text/plain\r\nZ: 1\r\nA: 2\r\n\r\n";
    conn.write_all(&[&first[..], second].concat()).unwrap();
    let mut pending = Vec::new();
    let _ = read_response(&mut conn, &mut pending, false);
    let json = view(&read_response(&mut conn, &mut pending, false));
    assert_eq!(json["connection"], 1);
    assert_eq!(json["request"], 2);
    assert_eq!(json["method"], "GET");
    assert_eq!(json["target"], "/two?format=json");
    assert_eq!(json["version"], "HTTP/1.1");
    assert_eq!(
        json["headers"],
        json!([
            ["host", "a"],
            ["X-Mixed-CASE", "spaced value"],
            ["accept", "text/plain"],
            ["Z", "1"],
            ["A", "2"]
        ])
    );
    assert_eq!(json["head"], std::str::from_utf8(second).unwrap());
    assert_eq!(json["lossy"], false);
    assert_eq!(
        json["body"],
        json!({"length": 0, "encoding": "none", "content": "", "not_shown": 0})
    );
    assert_eq!(
        json["addresses"],
        json!({
            "peer": {"address": me.to_string(), "says": "the TCP peer: the one address rawnet saw itself"},
            "proxy_header": null,
            "claims": []
        })
    );
    assert_eq!(
        json["notes"],
        json!(["X-Mixed-CASE's value ends in whitespace, which is not part of the value (RFC 9110 §5.5)."])
    );
}

#[test]
#[cfg(feature = "knobs")]
fn accept_chooses_the_view_and_format_overrides_it() {
    let server = Server::start(&[]);
    for (accept, target, content_type) in [
        ("application/json", "/", "application/json"),
        ("application/json;q=0.9, text/html", "/", "application/json"),
        (
            "text/html, application/json",
            "/",
            "text/html; charset=utf-8",
        ),
        ("*/*", "/", "text/plain; charset=utf-8"),
        ("application/jsonx", "/", "text/plain; charset=utf-8"),
        ("*/*", "/?format=json", "application/json"),
        (
            "application/json",
            "/?format=text",
            "text/plain; charset=utf-8",
        ),
        (
            "application/json",
            "/?format=html",
            "text/html; charset=utf-8",
        ),
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: a\r\nAccept: {accept}\r\n\r\n");
        let response = ask(&server, request.as_bytes());
        assert_eq!(
            response.header("Content-Type"),
            Some(content_type),
            "Accept: {accept}, {target}"
        );
    }
}

/// Asked for with `?format=json` alone: a knob.
#[test]
#[cfg(feature = "knobs")]
fn a_binary_body_is_base64_and_a_large_one_bounded() {
    let server = Server::start(&[]);
    let body = b"\x89PNG\r\n\x1a\n\x00\xff";
    let mut request = format!(
        "POST /?format=json HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let json = view(&ask(&server, &request));
    assert_eq!(
        json["body"],
        json!({"length": 10, "encoding": "base64", "content": "iVBORw0KGgoA/w==", "not_shown": 0})
    );

    // Bounded as the page is, by BODY_SHOWN (8 KiB), with the rest counted.
    let body = "ab".repeat(5000);
    let request = format!(
        "POST /?format=json HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let json = view(&ask(&server, request.as_bytes()));
    assert_eq!(json["body"]["length"], 10000);
    assert_eq!(json["body"]["encoding"], "text");
    assert_eq!(json["body"]["content"], &body[..8192]);
    assert_eq!(json["body"]["not_shown"], 10000 - 8192);
}

#[test]
#[cfg(feature = "proxy")]
fn a_proxy_headers_client_and_the_claimed_addresses() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap();
    conn.write_all(
        b"PROXY TCP4 192.0.2.1 192.0.2.2 4000 80\r\n\
          GET / HTTP/1.1\r\nHost: a\r\nAccept: application/json\r\n\
          Forwarded: for=198.51.100.17;proto=https, for=\"[2001:db8::1]:4711\";by=_proxy1\r\n\
          X-Forwarded-For: 203.0.113.7, 10.0.0.1\r\nX-Real-IP: 10.0.0.2\r\n\
          Via: 1.1 edge (cache, v2), HTTP/1.0 inner\r\n\r\n",
    )
    .unwrap();
    let json = view(&read_response(&mut conn, &mut Vec::new(), false));
    let unverified = "the client or a proxy: unverified";
    assert_eq!(
        json["addresses"],
        json!({
            "peer": {"address": me.to_string(), "says": "the TCP peer: the one address rawnet saw itself"},
            "proxy_header": {
                "address": "192.0.2.1:4000",
                "says": "the PROXY header, sent by the TCP peer: as true as that peer is trusted"
            },
            "claims": [
                {
                    "header": "Forwarded",
                    "value": "for=198.51.100.17;proto=https, for=\"[2001:db8::1]:4711\";by=_proxy1",
                    "hops": [
                        {"for": "198.51.100.17", "proto": "https"},
                        {"for": "[2001:db8::1]:4711", "by": "_proxy1"}
                    ],
                    "claimed_by": unverified,
                    "order": "each proxy appends an element; the first names the original client \
                              as claimed (RFC 7239 §4); _name is an obfuscated identifier, unknown \
                              an address the proxy does not know or will not say"
                },
                {
                    "header": "X-Forwarded-For",
                    "value": "203.0.113.7, 10.0.0.1",
                    "hops": [{"for": "203.0.113.7"}, {"for": "10.0.0.1"}],
                    "claimed_by": unverified,
                    "order": "the leftmost is the original client as claimed; each proxy appends \
                              the address it got the request from, so the rightmost was added by \
                              the last proxy"
                },
                {
                    "header": "X-Real-IP",
                    "value": "10.0.0.2",
                    "hops": [{"for": "10.0.0.2"}],
                    "claimed_by": unverified,
                    "order": "one address, the client as a proxy (often nginx) saw it"
                },
                {
                    "header": "Via",
                    "value": "1.1 edge (cache, v2), HTTP/1.0 inner",
                    "hops": [
                        {"protocol": "1.1", "received_by": "edge", "comment": "(cache, v2)"},
                        {"protocol": "HTTP/1.0", "received_by": "inner"}
                    ],
                    "claimed_by": unverified,
                    "order": "each proxy appends itself as protocol, name and an optional comment; \
                              the first is the one nearest the client (RFC 9110 §7.6.3)"
                }
            ]
        })
    );
}

/// The text page lists the same claims, one header a line, after the head.
#[test]
fn the_text_page_lists_the_claims() {
    let server = Server::start(&[]);
    let response = ask(
        &server,
        b"GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n\r\n",
    );
    let page = response.body_text();
    assert!(
        page.contains(
            "\\r\\n\n\nAddresses in the headers, each claimed by the client or a proxy: unverified:\n\
             - X-Forwarded-For: 203.0.113.7 → 10.0.0.1 (the leftmost is the original client as \
             claimed; each proxy appends the address it got the request from, so the rightmost \
             was added by the last proxy)\n\nno body\n"
        ),
        "{page}"
    );
    // A plain request's page has no such list.
    let plain = ask(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").body_text();
    assert!(!plain.contains("Addresses in the headers"), "{plain}");
}
