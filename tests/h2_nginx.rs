#![cfg(feature = "h2")]
//! nginx as an HTTP/2 *client* of rawnet: `grpc_pass grpc://ADDR`
//! speaks h2c with prior knowledge to its upstream, whatever the client
//! spoke to nginx. curl asks nginx over HTTP/1.1 (or HTTP/2), nginx asks
//! rawnet over HTTP/2, and rawnet's page, which comes back to curl
//! through nginx, shows what nginx made of the request: its
//! pseudo-headers, the fields it passed on, and its own fingerprint. The
//! grpc module does not look at the response's type: a text/plain page
//! comes back as it is.

mod common;

use std::process::Command;

use common::{Daemon, Server};

/// nginx 1.22's first frames as an HTTP/2 client, in Akamai's format:
/// SETTINGS HEADER_TABLE_SIZE 0, ENABLE_PUSH 0, INITIAL_WINDOW_SIZE
/// 2^31-1; a WINDOW_UPDATE taking the connection's window to 2^31-1 too;
/// no PRIORITY; the pseudo-headers in the order :method, :scheme, :path,
/// :authority.
const NGINX_AKAMAI: &str = "1:0;2:0;4:2147483647|2147418112|0|m,s,p,a";

/// nginx in front of `rawnet`, every request of `location /` passed on
/// with grpc_pass; `options` after its `listen` (`http2` for HTTP/2
/// with prior knowledge from curl).
fn nginx_grpc(rawnet: &Server, options: &str) -> Daemon {
    let location = format!("grpc_pass grpc://{};", rawnet.addr);
    Daemon::nginx_http_listening(options, &location)
}

/// `curl -sS -v ARGS`: whether it succeeded, its body, its trace.
fn curl(args: &[&str]) -> (bool, String, String) {
    let out = Command::new("curl")
        .args(["-sS", "-v", "--max-time", "10"])
        .args(args)
        .output()
        .expect("run curl (scripts/test.sh installs it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// curl's HTTP/1.1 GET through nginx's grpc_pass: rawnet sees an HTTP/2
/// request from nginx, and its text/plain page comes back to curl with
/// nginx's own Server header. nginx sends `te: trailers` only when its
/// client did (`$grpc_internal_trailers`): not this time.
#[test]
fn nginx_grpc_pass_asks_rawnet_over_http2_and_curl_gets_the_page() {
    let mut server = Server::start(&[]);
    let nginx = nginx_grpc(&server, "");
    let url = format!("http://{}/through-grpc?x=1", nginx.addr);
    let (ok, page, trace) = curl(&["-H", "X-From: curl", &url]);
    assert!(ok, "{trace}");
    assert!(
        trace.contains("> GET /through-grpc?x=1 HTTP/1.1"),
        "{trace}"
    );
    for line in [
        "< HTTP/1.1 200 OK",
        "< Server: nginx/",
        "< Content-Type: text/plain; charset=utf-8",
    ] {
        assert!(trace.contains(line), "{line:?} in {trace}");
    }
    let rawnet = server.addr;
    for line in [
        "rawnet got this request on connection #1 (stream 1, request 1 on it) from 127.0.0.1:",
        ", over HTTP/2.\n",
        // nginx's pseudo-headers: its :authority is the upstream's
        // address, not the Host curl sent.
        "\n:method: GET — indexed, static 2 (82)\n",
        "\n:scheme: http — indexed, static 6 (86)\n",
        "\n:path: /through-grpc?x=1 — literal with incremental indexing, name static 4",
        &format!("\n:authority: {rawnet} — literal with incremental indexing, name static 1"),
        // curl's own fields, passed on with lower-case names.
        "\nuser-agent: curl/",
        "\naccept: */* — literal without indexing, new name",
        "\nx-from: curl — literal without indexing, new name",
        "\nno body\n",
        &format!("\n{NGINX_AKAMAI}\n"),
    ] {
        assert!(page.contains(line), "{line:?} in {page}");
    }
    assert!(!page.contains("\nte: "), "{page}");
    // rawnet's log: nginx's preface and SETTINGS, its WINDOW_UPDATE, the
    // request, each on a line of its own.
    server.expect(
        "h2 frame: SETTINGS 18 bytes: HEADER_TABLE_SIZE=0, ENABLE_PUSH=0, INITIAL_WINDOW_SIZE=2147483647",
    );
    server.expect("h2 frame: WINDOW_UPDATE stream 0, +2147418112");
    server.expect("h2 frame: HEADERS stream 1, ");
    server.expect("stream 1: GET /through-grpc?x=1 HTTP/2 -> 200 OK");
}

/// curl's `TE: trailers` (what a gRPC client sends) becomes nginx's
/// `te: trailers`, HTTP/2's one allowed `te` (RFC 9113 §8.2.2); a POST
/// body arrives as DATA, announced by nginx's `content-length`.
#[test]
fn nginx_passes_te_trailers_and_a_body_as_data() {
    let mut server = Server::start(&[]);
    let nginx = nginx_grpc(&server, "");
    let url = format!("http://{}/rpc", nginx.addr);
    let (ok, page, trace) = curl(&[
        "-H",
        "TE: trailers",
        "-H",
        "Content-Type: application/grpc",
        "--data-binary",
        "not really gRPC",
        &url,
    ]);
    assert!(ok, "{trace}");
    for line in [
        "\n:method: POST — indexed, static 3 (83)\n",
        "\n:path: /rpc — literal",
        "\ncontent-length: 15 — literal without indexing",
        "\nte: trailers — literal without indexing, new name",
        "\ncontent-type: application/grpc — literal without indexing",
        "\nits body, 15 bytes: \"not really gRPC\"\n",
        "  > DATA, 15 bytes, flags END_STREAM, stream 1 (",
    ] {
        assert!(page.contains(line), "{line:?} in {page}");
    }
    server.expect("h2 frame: DATA stream 1, 15 bytes, END_STREAM");
    server.expect("stream 1: POST /rpc HTTP/2 -> 200 OK");
}

/// HTTP/2 on both sides: curl with prior knowledge to nginx, nginx's
/// grpc_pass to rawnet. The knobs reach rawnet in `:path` and their
/// answers come back: `?status=404`, `?header=X-Test:yes` (its name in
/// lower case), and `?size`'s 200,000 bytes, sent in nginx's 16,384-byte
/// frames within its 2^31-1 windows and passed on byte for byte.
#[cfg(feature = "knobs")]
#[test]
fn the_knobs_come_back_through_nginx_grpc_over_http2() {
    let mut server = Server::start(&[]);
    let nginx = nginx_grpc(&server, "http2");
    let base = format!("http://{}", nginx.addr);
    let url = format!("{base}/?status=404&header=X-Test:yes");
    let (ok, _, trace) = curl(&["--http2-prior-knowledge", &url]);
    assert!(ok, "{trace}");
    assert!(trace.contains("< HTTP/2 404"), "{trace}");
    assert!(trace.contains("< x-test: yes"), "{trace}");
    let url = format!("{base}/?size=200000");
    let (ok, body, trace) = curl(&["--http2-prior-knowledge", &url]);
    assert!(ok, "{trace}");
    assert_eq!(body.len(), 200_000);
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    assert_eq!(lines.len(), 3125);
    for (i, line) in lines.iter().enumerate() {
        let expected = format!(
            "{:012} rawnet ?size: every line is 64 bytes, offset first\n",
            64 * i
        );
        assert_eq!(*line, expected, "line {i}");
    }
    server.expect("stream 1: GET /?size=200000 HTTP/2 -> 200 OK, 200000 bytes of body");
    server.expect("h2 frame sent: DATA stream 1, 16384 bytes");
}
