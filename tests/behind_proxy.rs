#![cfg(feature = "json")]
//! rawnet behind real reverse proxies, each started by the test on a free
//! loopback port with its config in a temporary directory: nginx
//! (`proxy_pass`, with `proxy_buffering on` and `off`) and HAProxy (`mode
//! http`). Through each, the real `rawnet client --http` asks for the JSON
//! view, and the test asserts the diff it prints: what that proxy really
//! does to a request on the way (found by running them; Debian 12's nginx
//! 1.22 and HAProxy 2.6).

mod common;

use std::net::SocketAddr;

use common::{rawnet, Daemon, Server};

/// nginx in the foreground with one `proxy_pass` to rawnet.
fn start_nginx(rawnet: SocketAddr, buffering: &str) -> Daemon {
    Daemon::nginx_http(&format!(
        "            proxy_pass http://{rawnet};\n            proxy_buffering {buffering};"
    ))
}

/// HAProxy in the foreground, `mode http`, with `option forwardfor`, the
/// usual way to tell the server who the client was.
fn start_haproxy(rawnet: SocketAddr) -> Daemon {
    Daemon::haproxy(rawnet, "mode http\n  option forwardfor", "")
}

/// What `rawnet client --http PATH ARGS` through `proxy` printed: stdout
/// (the response) and stderr (the request, the diff, the addresses).
fn client(proxy: SocketAddr, path: &str, args: &[&str]) -> (String, String) {
    let out = rawnet()
        .args(["client", "--host", "127.0.0.1", "--port"])
        .arg(proxy.port().to_string())
        .args(["--http", path])
        .args(args)
        .output()
        .expect("run rawnet client");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (stdout, stderr)
}

/// The diff's lines: between its heading and the addresses.
fn diff(stderr: &str) -> Vec<&str> {
    let start = stderr
        .find("What arrived at the server, against what this client sent:\n")
        .unwrap_or_else(|| panic!("no diff in {stderr}"));
    stderr[start..]
        .lines()
        .skip(1)
        .take_while(|line| *line != "Addresses the server saw:")
        .collect()
}

/// The TCP peer rawnet saw is nginx's own connection, not the client's.
fn assert_peer_is_the_proxy(stderr: &str) {
    assert!(
        stderr.contains(
            "(the TCP peer: the one address rawnet saw itself); not this client's 127.0.0.1:"
        ),
        "{stderr}"
    );
}

#[test]
fn nginx_proxy_pass_speaks_http_1_0_and_rewrites_host() {
    for buffering in ["on", "off"] {
        let server = Server::start(&[]);
        let nginx = start_nginx(server.addr, buffering);
        let (stdout, stderr) = client(nginx.addr, "/?format=json", &[]);
        assert!(stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{stdout}");
        // nginx talks HTTP/1.0 to an upstream unless `proxy_http_version
        // 1.1`; it sets Host to the upstream's address ($proxy_host)
        // unless `proxy_set_header Host`; it drops the client's
        // Connection and sends its own `Connection: close` right after
        // Host, which moves the client's other lines down. Nothing is
        // added about the client: no X-Forwarded-For unless configured.
        assert_eq!(
            diff(&stderr),
            [
                "~ version: HTTP/1.1 → HTTP/1.0   (changed)".to_string(),
                format!(
                    "~ Host: 127.0.0.1:{} → {}   (changed)",
                    nginx.addr.port(),
                    server.addr
                ),
                "↕ order: Host, User-Agent, Accept, Connection → Host, Connection, User-Agent, \
                 Accept   (reordered)"
                    .to_string(),
                "= 3 other header lines arrived as sent".to_string(),
            ],
            "proxy_buffering {buffering}: {stderr}"
        );
        assert_peer_is_the_proxy(&stderr);
    }
}

/// nginx reads a chunked request body whole before it passes the request
/// on (`proxy_request_buffering on`, the default), and an HTTP/1.0
/// upstream cannot be sent chunked: the body arrives with a
/// Content-Length nginx counted.
#[test]
fn nginx_turns_a_chunked_upload_into_content_length() {
    let server = Server::start(&[]);
    let nginx = start_nginx(server.addr, "on");
    let (stdout, stderr) = client(
        nginx.addr,
        "/up",
        &[
            "--method",
            "POST",
            "--header",
            "Transfer-Encoding: chunked",
            "--data",
            "hello",
        ],
    );
    assert!(
        stderr.contains("> \"5\\r\\nhello\\r\\n0\\r\\n\\r\\n\"\n"),
        "{stderr}"
    );
    assert_eq!(
        diff(&stderr),
        [
            "~ version: HTTP/1.1 → HTTP/1.0   (changed)".to_string(),
            format!(
                "~ Host: 127.0.0.1:{} → {}   (changed)",
                nginx.addr.port(),
                server.addr
            ),
            "+ Content-Length: 5   (added on the way)".to_string(),
            "- Transfer-Encoding: chunked   (removed on the way)".to_string(),
            // Only the lines both heads have are compared for order.
            "↕ order: Host, User-Agent, Accept, Connection → Host, Connection, User-Agent, \
             Accept   (reordered)"
                .to_string(),
            "= framing: Transfer-Encoding: chunked → Content-Length: 5   (framing changed)"
                .to_string(),
            "= 3 other header lines arrived as sent".to_string(),
        ],
        "{stderr}"
    );
    // The body arrived whole, with the length nginx gave it.
    assert!(
        stdout.contains("\"content\": \"hello\",\n    \"not_shown\": 0"),
        "{stdout}"
    );
}

#[test]
fn haproxy_mode_http_lowercases_names_and_adds_x_forwarded_for() {
    let server = Server::start(&[]);
    let haproxy = start_haproxy(server.addr);
    let (stdout, stderr) = client(haproxy.addr, "/?format=json", &[]);
    assert!(stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{stdout}");
    // HAProxy 2.x parses every message into its internal form (HTX), where
    // header names are lower case, and writes them out that way (unless
    // `h1-case-adjust` says otherwise); it keeps HTTP/1.1 and the Host the
    // client sent; `option forwardfor` appends x-forwarded-for with the
    // client's address; and it drops `Connection: close`, a hop-by-hop
    // header, keeping its own connection to rawnet open.
    assert_eq!(
        diff(&stderr),
        [
            "^ Host → host   (re-cased)",
            "^ User-Agent → user-agent   (re-cased)",
            "^ Accept → accept   (re-cased)",
            "+ x-forwarded-for: 127.0.0.1   (added on the way)",
            "- Connection: close   (removed on the way)",
        ],
        "{stderr}"
    );
    assert_peer_is_the_proxy(&stderr);
    // The address it added is shown as a claim.
    assert!(
        stderr.contains(
            "\n  x-forwarded-for: 127.0.0.1   (claimed by the client or a proxy: unverified)\n"
        ),
        "{stderr}"
    );
}

/// The arrival times `rawnet client --http` printed for a drip's lines,
/// in seconds since it sent the request, after checking that the lines
/// are the drip's own, in order.
#[cfg(feature = "knobs")]
fn arrivals(stderr: &str, chunks: u32) -> Vec<f64> {
    let start = stderr
        .find("Chunks as they arrived: the time since the request was sent, then each line:\n")
        .unwrap_or_else(|| panic!("no chunk times in {stderr}"));
    let lines: Vec<&str> = stderr[start..]
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect();
    assert_eq!(lines.len(), chunks as usize, "{stderr}");
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let (time, rest) = line.trim_start().split_once("s  ").expect("a time");
            assert!(
                rest.starts_with(&format!("chunk {} of {chunks} at ", i + 1)),
                "{line}"
            );
            time.parse().expect("seconds")
        })
        .collect()
}

/// `?drip=4&interval=0.3`: four lines sent 0.3 s apart. rawnet sends them
/// as bare lines to nginx's HTTP/1.0 request, and nginx passes them on
/// chunked. With `proxy_buffering on` (nginx's default) it keeps what
/// comes in its buffers until the response ends, so all four lines arrive
/// at once, in one chunk, after the last was sent; with `off` it passes
/// each read on at once, and they arrive as far apart as they were sent.
#[test]
#[cfg(feature = "knobs")]
fn a_drip_through_nginx_arrives_bunched_when_buffered_and_spread_when_not() {
    let server = Server::start(&[]);
    let buffered = start_nginx(server.addr, "on");
    let unbuffered = start_nginx(server.addr, "off");
    let (on, off) = std::thread::scope(|scope| {
        let on = scope.spawn(|| client(buffered.addr, "/?drip=4&interval=0.3", &[]).1);
        let off = client(unbuffered.addr, "/?drip=4&interval=0.3", &[]).1;
        (on.join().expect("the buffered client"), off)
    });

    let times = arrivals(&on, 4);
    assert!(times[0] >= 0.8, "the first line waited for the last: {on}");
    assert!(times[3] - times[0] < 0.15, "bunched: {on}");
    assert!(
        on.contains("   (in chunk 1)\n") && !on.contains("(in chunk 2)"),
        "{on}"
    );

    let times = arrivals(&off, 4);
    assert!(times[0] < 0.25, "the first line came at once: {off}");
    for gap in times.windows(2).map(|w| w[1] - w[0]) {
        assert!((0.2..0.5).contains(&gap), "spread by the interval: {off}");
    }
    assert!(off.contains("   (in chunk 4)\n"), "{off}");
}
