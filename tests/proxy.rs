#![cfg(feature = "proxy")]
//! The PROXY protocol (v1 and v2) from real senders: HAProxy's
//! `send-proxy` and `send-proxy-v2` in front of rawnet, with curl through
//! them; then headers written by hand: malformed, cut short, missing with
//! `--proxy-protocol require`, and ignored with `off`.
//!
//! nginx's `stream` module with `proxy_protocol on` is the other real
//! sender (Debian's libnginx-mod-stream, which scripts/test.sh installs).

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{read_to_end, you_said, Daemon, Server};

/// curl through HAProxy (`send-proxy`, or `send-proxy-v2` with a unique
/// ID TLV) to rawnet: the event line names curl's address as the PROXY
/// header says it and HAProxy's as the TCP peer, and so does the page.
#[test]
fn haproxy_send_proxy_v1_and_v2_name_curls_address() {
    for (version, server_line, tlvs) in [
        (1, "send-proxy", ""),
        (
            2,
            "send-proxy-v2 proxy-v2-options unique-id\n  unique-id-format rawnet-test",
            "; TLVs: UNIQUE_ID \"rawnet-test\"",
        ),
    ] {
        let mut server = Server::start(&[]);
        let haproxy = Daemon::haproxy(server.addr, "mode tcp", server_line);
        let (page, curl_port) = curl(haproxy.addr);
        let proxy_client = format!("127.0.0.1:{curl_port}");
        let line = server.expect(&format!("PROXY v{version} header: from {proxy_client} "));
        // `#N ADDR`: the connection and its TCP peer, HAProxy's side.
        let mut words = line.split(' ');
        let (conn, peer) = (words.next().unwrap(), words.next().unwrap());
        assert_eq!(
            line,
            format!(
                "{conn} {peer} PROXY v{version} header: from {proxy_client} (says the PROXY header) \
                 via {peer} (the TCP peer); the client connected to {}{tlvs}",
                haproxy.addr
            )
        );
        assert_eq!(
            page.lines().next().unwrap(),
            format!(
                "rawnet got this request on connection {conn} (request 1 on it) from {proxy_client} \
                 (says the PROXY header) via {peer} (the TCP peer)."
            )
        );
        // The header is gone from the stream: the bytes the page shows
        // start with curl's request line.
        assert!(page.contains(":\n\nGET / HTTP/1.1\\r\\n\nHost: "), "{page}");
        // The request's own line names the client too.
        let request = server.expect(&format!("{conn} {peer} request 1: GET / HTTP/1.1"));
        assert!(
            request.ends_with(&format!(", for {proxy_client} (says the PROXY header)")),
            "{request}"
        );
    }
}

/// nginx's `stream` module with `proxy_protocol on` in front of rawnet
/// sends a v1 header: the event line and the page name curl's address.
#[test]
fn nginx_stream_proxy_protocol_names_curls_address() {
    let mut server = Server::start(&[]);
    let nginx = start_nginx_stream(server.addr);
    let (page, curl_port) = curl(nginx.addr);
    let proxy_client = format!("127.0.0.1:{curl_port}");
    let line = server.expect("PROXY v1 header: from ");
    let mut words = line.split(' ');
    let (conn, peer) = (words.next().unwrap(), words.next().unwrap());
    assert_eq!(
        line,
        format!(
            "{conn} {peer} PROXY v1 header: from {proxy_client} (says the PROXY header) \
             via {peer} (the TCP peer); the client connected to {}",
            nginx.addr
        )
    );
    assert!(
        page.starts_with(&format!(
            "rawnet got this request on connection {conn} (request 1 on it) from {proxy_client} \
             (says the PROXY header) via {peer} (the TCP peer)."
        )),
        "{page}"
    );
}

/// With `--mode http` too, and a header that comes apart from the request.
#[test]
fn a_header_then_a_request_in_another_write_in_http_mode() {
    let mut server = Server::start(&["--mode", "http"]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap();
    conn.write_all(b"PROXY TCP6 2001:db8::1 2001:db8::2 1111 443\r\n")
        .unwrap();
    server.expect(" PROXY v1 header: ");
    conn.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let reply = String::from_utf8(read_to_end(&mut conn)).unwrap();
    let first = format!(
        "rawnet got this request on connection #1 (request 1 on it) from [2001:db8::1]:1111 \
         (says the PROXY header) via {me} (the TCP peer).\n"
    );
    assert!(reply.contains(&format!("\r\n\r\n{first}")), "{reply}");
}

/// After the header, whatever the connection would have been: an echo
/// here, a v2 header with ALPN and an unknown TLV in front of it.
#[test]
fn after_a_v2_header_an_echo_goes_on() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap();
    let mut header = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x17".to_vec();
    header.extend([192, 0, 2, 1, 198, 51, 100, 7, 0x30, 0x39, 0x00, 0x50]);
    header.extend(b"\x01\x00\x02h2\xe0\x00\x03abc");
    conn.write_all(&[&header[..], b"hello\n"].concat()).unwrap();
    let mut got = vec![0; you_said(b"hello\n").len()];
    conn.read_exact(&mut got).unwrap();
    assert_eq!(got, you_said(b"hello\n"));
    assert_eq!(
        server.expect(" PROXY "),
        format!(
            "#1 {me} PROXY v2 header: from 192.0.2.1:12345 (says the PROXY header) via {me} \
             (the TCP peer); the client connected to 198.51.100.7:80; TLVs: ALPN \"h2\", \
             type 0xe0 (3 bytes)"
        )
    );
    assert_eq!(
        server.expect(" data "),
        format!("#1 {me} data 6 bytes: \"hello\\n\"")
    );
}

/// `--log json`: the request's `client` is the address the PROXY header
/// gave, and `claimed_by` says so, as the text line's `(says the PROXY
/// header)` does; `peer` is the TCP peer. Without a header, neither field.
#[test]
fn the_json_log_says_a_proxy_header_claims_the_client() {
    let mut server = Server::start(&["--log", "json"]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap().to_string();
    conn.write_all(b"PROXY TCP4 192.0.2.1 198.51.100.7 12345 80\r\nGET / HTTP/1.0\r\n\r\n")
        .unwrap();
    read_to_end(&mut conn);
    let line = server.expect(r#""event":"request""#);
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(json["peer"], me, "{line}");
    assert_eq!(json["client"], "192.0.2.1:12345", "{line}");
    assert_eq!(json["claimed_by"], "PROXY header", "{line}");

    let mut conn = server.connect();
    conn.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    read_to_end(&mut conn);
    let line = server.expect(r#""event":"request""#);
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(json.get("client").is_none(), "{line}");
    assert!(json.get("claimed_by").is_none(), "{line}");
}

#[test]
fn a_malformed_header_is_logged_and_closed() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap();
    conn.write_all(b"PROXY TCP4 1.2.3.4 5.6.7.8 99999 80\r\nGET / HTTP/1.1\r\n\r\n")
        .unwrap();
    assert_eq!(read_to_end(&mut conn), b"");
    assert_eq!(
        server.expect(" PROXY "),
        format!(
            "#1 {me} PROXY header malformed: a v1 port is not a number from 0 to 65535; closing"
        )
    );
}

/// A signature, then silence: the sniffing wait (1s) ends it.
#[test]
fn a_signature_then_silence_is_closed_within_the_sniffing_wait() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap();
    let started = Instant::now();
    conn.write_all(b"\r\n\r\n\0\r\nQUIT\n").unwrap();
    assert_eq!(read_to_end(&mut conn), b"");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        server.expect(" PROXY "),
        format!(
            "#1 {me} PROXY header incomplete after 12 bytes: nothing more came within 1s; closing"
        )
    );
}

#[test]
fn require_closes_a_connection_without_a_header_and_off_echoes_one() {
    let mut server = Server::start(&["--proxy-protocol", "require"]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap();
    conn.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_to_end(&mut conn), b"");
    assert_eq!(
        server.expect(" PROXY "),
        format!("#1 {me} no PROXY header first (--proxy-protocol require); closing")
    );

    let mut server = Server::start(&["--proxy-protocol", "off"]);
    let mut conn = server.connect();
    let line = b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";
    conn.write_all(line).unwrap();
    let mut got = vec![0; you_said(line).len()];
    conn.read_exact(&mut got).unwrap();
    assert_eq!(got, you_said(line));
    server.expect(" echoing: ");
}

/// A word that only starts like `PROXY ` is the client's data.
#[test]
fn a_near_miss_is_data() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    conn.write_all(b"PROBLEM\n").unwrap();
    let mut got = vec![0; you_said(b"PROBLEM\n").len()];
    conn.read_exact(&mut got).unwrap();
    assert_eq!(got, you_said(b"PROBLEM\n"));
    server.expect(" echoing: ");
}

/// `curl http://ADDR/` through the proxy: the page, and the local port
/// curl used (what the PROXY header should name).
fn curl(addr: SocketAddr) -> (String, u16) {
    let output = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-w", "\n%{local_port}"])
        .arg(format!("http://{addr}/"))
        .stdin(Stdio::null())
        .output()
        .expect("run curl (scripts/test.sh installs it)");
    assert!(output.status.success(), "curl failed: {output:?}");
    let text = String::from_utf8(output.stdout).expect("a text page");
    let (page, port) = text.rsplit_once('\n').expect("the page, then the port");
    (page.to_string(), port.parse().expect("curl's local port"))
}

// ---------------------------------------------------------------------------
// The other sender: nginx's stream module (HAProxy is `common::Daemon::haproxy`)

/// Where Debian puts the stream module that libnginx-mod-stream installs.
const NGINX_STREAM_MODULE: &str = "/usr/lib/nginx/modules/ngx_stream_module.so";

/// Debian's nginx, no master process, a `stream` server that proxies to
/// rawnet with `proxy_protocol on`.
fn start_nginx_stream(rawnet: SocketAddr) -> Daemon {
    assert!(
        std::path::Path::new(NGINX_STREAM_MODULE).is_file(),
        "nginx's stream module is not installed ({NGINX_STREAM_MODULE}): run \
         scripts/test.sh, which installs it, or apt-get install libnginx-mod-stream"
    );
    Daemon::nginx(|dir, listen| {
        let dir = dir.display();
        format!(
            "load_module {NGINX_STREAM_MODULE};\n\
                 daemon off;\nmaster_process off;\npid {dir}/nginx.pid;\n\
                 error_log {dir}/error.log;\nevents {{}}\n\
                 stream {{\n  server {{\n    listen {listen};\n    proxy_pass {rawnet};\n\
                 \x20   proxy_protocol on;\n  }}\n}}\n"
        )
    })
}
