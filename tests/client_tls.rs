#![cfg(feature = "tls")]
//! `rawnet client --tls` against the real server: the tutorial's exchange
//! and `--http` inside TLS, what the client prints of the handshake, and
//! the two ends of one handshake agreeing (the client's own JA4 and JA3
//! are the ones on the server's `tls_hello` line); then every way it
//! fails, each one line and exit 1: a certificate not trusted, a plain
//! rawnet's protocol_version alert, a server that says nothing.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Output, Stdio};

use common::{rawnet, Server};

/// A fresh directory of this test's own, for certificates.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rawnet-client-tls-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `rawnet --tls` with the certificate it makes written to `cert`, and
/// that certificate's SHA-256 as its start-up line says it.
fn tls_server(cert: &std::path::Path, extra: &[&str]) -> (Server, String) {
    let mut args = vec!["--tls", "--tls-cert-out", cert.to_str().unwrap()];
    args.extend_from_slice(extra);
    let mut server = Server::start(&args);
    let ready = server.expect("TLS on the same port: certificate for localhost");
    let (_, rest) = ready.split_once(", SHA-256 ").expect("a SHA-256");
    let (sha256, _) = rest.split_once(", written to").expect("written to");
    (server, sha256.to_string())
}

/// `rawnet client --host HOST --port PORT ARGS`.
fn client_to(host: &str, port: u16, args: &[&str]) -> Output {
    rawnet()
        .args(["client", "--host", host, "--port", &port.to_string()])
        .args(args)
        .output()
        .unwrap()
}

fn client(server: &Server, args: &[&str]) -> Output {
    client_to("127.0.0.1", server.addr.port(), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The JA4 and JA3 after `JA4 ` at the end of `line` (the client's line
/// and the server's `tls_hello` line both end `JA4 X, JA3 Y`).
fn fingerprints(line: &str) -> (String, String) {
    let (_, tail) = line.rsplit_once("JA4 ").expect("a JA4");
    let (ja4, ja3) = tail.split_once(", JA3 ").expect("a JA3");
    assert!(
        ja3.len() == 32 && ja3.bytes().all(|b| b.is_ascii_hexdigit()),
        "{line}"
    );
    (ja4.to_string(), ja3.to_string())
}

/// A failed run: exit 1, and stderr one line that starts with `start`.
fn one_line_failure(out: &Output, start: &str) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with(start), "{stderr}");
    stderr
}

#[test]
fn the_tutorials_exchange_over_tls_with_ca() {
    let cert = temp_dir("ca").join("cert.pem");
    let (mut server, sha256) = tls_server(&cert, &[]);
    let ca = cert.to_str().unwrap();
    let out = client(&server, &["--tls", "--ca", ca]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    assert_eq!(
        lines[0],
        format!("connect to 127.0.0.1:{}", server.addr.port())
    );
    // No SNI to an address, so the line names no host.
    assert!(
        lines[1].starts_with("TLS handshake done: TLS 1.3, TLS13_")
            && lines[1].contains(", ALPN http/1.1, new session, in "),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with(
            "  the server's certificate: subject CN=rawnet on localhost (made at start), \
             issuer CN=rawnet on localhost (made at start), SANs DNSName(localhost), \
             IPAddress(127.0.0.1), IPAddress(::1), valid "
        ) && lines[2].ends_with(&format!(", SHA-256 {sha256}")),
        "{stdout}"
    );
    assert_eq!(
        lines[3],
        format!("  trusted: it is for 127.0.0.1 and chains to --ca {ca}")
    );
    assert!(
        lines[4].starts_with("  this client's ClientHello (") && lines[4].contains("): JA4 t13i"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("\nDATA: You said \"I am happyGloria.\"\r\nConnection closed\n"),
        "{stdout}"
    );
    server.expect("TLS handshake done: TLS 1.3");
    server.expect("data 17 bytes: \"I am happyGloria.\"");
    // The tutorial's destroy(), with TLS's own end first.
    server.expect("client sent TLS close_notify: it has finished");
}

/// Both ends of one handshake: the JA4 and JA3 the client printed of its
/// own ClientHello are those the server read from it. To `localhost`,
/// so the hello carries SNI (JA4's `d`).
#[test]
fn the_clients_ja4_is_the_one_on_the_servers_line() {
    let cert = temp_dir("ja4").join("cert.pem");
    let (mut server, _) = tls_server(&cert, &[]);
    let ca = cert.to_str().unwrap();
    let out = client_to("localhost", server.addr.port(), &["--tls", "--ca", ca]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let own = stdout
        .lines()
        .find(|line| line.starts_with("  this client's ClientHello"))
        .unwrap_or_else(|| panic!("no ClientHello line: {stdout}"));
    let (ja4, ja3) = fingerprints(own);
    assert!(ja4.starts_with("t13d"), "{own}");
    assert!(stdout.contains(", for localhost, new session"), "{stdout}");
    let hello = server.expect("client started a TLS 1.3 handshake for \"localhost\"");
    assert!(
        hello.contains("(ALPN http/1.1; ") && hello.contains("answered with a handshake (--tls)"),
        "{hello}"
    );
    assert_eq!(fingerprints(&hello), (ja4, ja3));
}

#[test]
fn insecure_takes_a_certificate_made_at_start() {
    let mut server = Server::start(&["--tls"]);
    let out = client(&server, &["--tls", "--insecure", "--half-close"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "\n  not checked (--insecure): encrypted, but to whoever holds that certificate's key\n"
        ),
        "{stdout}"
    );
    // --half-close: close_notify and FIN, and the echo still comes (TLS
    // 1.3's close_notify closes only the client's side).
    assert!(
        stdout.ends_with("\nDATA: You said \"I am happyGloria.\"\r\nConnection closed\n"),
        "{stdout}"
    );
    // The data and the close_notify came in one read or in two: their
    // lines come in either order.
    server.expect(" close (");
    let seen = server.seen.join("\n");
    assert!(
        seen.contains("client sent TLS close_notify: it has finished")
            && seen.contains("data 17 bytes: \"I am happyGloria.\""),
        "{seen}"
    );
}

/// Another rawnet's certificate has the same issuer name and another key
/// (webpki finds the issuer by name, then the signature fails); a
/// stranger's has neither. Each is one line naming rustls's reason, and
/// the server hears the alert the client answers with.
#[test]
fn a_certificate_not_in_ca_is_one_line_and_exit_1() {
    let dir = temp_dir("untrusted");
    let (mut server, _) = tls_server(&dir.join("cert.pem"), &[]);
    let (_other_server, _) = tls_server(&dir.join("other.pem"), &[]);
    let stranger = dir.join("stranger.pem");
    let made = rcgen::generate_simple_self_signed(vec!["stranger.example".to_string()]).unwrap();
    std::fs::write(&stranger, made.cert.pem()).unwrap();
    let target = format!("127.0.0.1:{}", server.addr.port());
    let failed = format!(
        "rawnet: client: TLS handshake with {target} failed: the server's certificate is not \
         trusted: rustls says \"invalid peer certificate: "
    );
    let other = dir.join("other.pem");
    let out = client(&server, &["--tls", "--ca", other.to_str().unwrap()]);
    let line = one_line_failure(&out, &failed);
    assert!(
        line.ends_with(&format!(
            "BadSignature\" (a certificate in --ca {} has its issuer's name, but another key)\n",
            other.display()
        )),
        "{line}"
    );
    server.expect("TLS handshake failed: received fatal alert: DecryptError");
    let out = client(&server, &["--tls", "--ca", stranger.to_str().unwrap()]);
    let line = one_line_failure(&out, &failed);
    assert!(
        line.ends_with(&format!(
            "UnknownIssuer\" (no certificate in --ca {} issued it)\n",
            stranger.display()
        )),
        "{line}"
    );
    server.expect("TLS handshake failed: received fatal alert: UnknownCA");
}

/// A rawnet without --tls reads the ClientHello and answers it with a
/// protocol_version alert; the client says what that means.
#[test]
fn a_plain_rawnet_s_alert_is_explained() {
    let mut server = Server::start(&[]);
    let out = client(&server, &["--tls", "--insecure"]);
    let line = one_line_failure(
        &out,
        &format!(
            "rawnet: client: TLS handshake with 127.0.0.1:{} failed: ",
            server.addr.port()
        ),
    );
    assert!(
        line.contains(
            "the server answered our ClientHello with a protocol_version alert: it speaks no \
             TLS version we offer here, which is what a rawnet without --tls says"
        ) && line.contains("`rawnet serve --tls`"),
        "{line}"
    );
    server.expect("this port speaks plain TCP: use http://, or put TLS in front; JA4 t13i");
    // `--mode echo` sends the hello back inside `You said`: not TLS at all.
    let mut echo = Server::start(&["--mode", "echo"]);
    let out = client(&echo, &["--tls", "--insecure"]);
    let line = one_line_failure(&out, "rawnet: client: TLS handshake with 127.0.0.1:");
    assert!(
        line.contains(
            "failed: the server's answer is not TLS: it starts \"You said \\\"\\x16\\x03"
        ),
        "{line}"
    );
    echo.expect("data ");
    // `--mode raw` sends every byte back: our own ClientHello.
    let raw = Server::start(&["--mode", "raw"]);
    let out = client(&raw, &["--tls", "--insecure"]);
    let line = one_line_failure(&out, "rawnet: client: TLS handshake with 127.0.0.1:");
    assert!(
        line.contains("failed: the server sent our own ClientHello back (rustls says ")
            && line.contains("as a rawnet in --mode raw does, and speaks no TLS\n"),
        "{line}"
    );
}

/// `--wait` bounds the handshake: a server that reads the ClientHello and
/// says nothing.
#[test]
fn a_silent_server_is_a_handshake_timeout() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let out = client_to("127.0.0.1", port, &["--tls", "--insecure", "--wait", "1"]);
    one_line_failure(
        &out,
        &format!(
            "rawnet: client: TLS handshake with 127.0.0.1:{port} failed: no answer to our \
             ClientHello within 1s (--wait): is it a TLS port?\n"
        ),
    );
}

/// `--http` inside TLS: the response on stdout, the handshake's lines and
/// the diff (nothing changed on the way) on stderr.
#[cfg(feature = "json")]
#[test]
fn http_over_tls_prints_the_diff_with_no_differences() {
    let cert = temp_dir("http").join("cert.pem");
    let (mut server, _) = tls_server(&cert, &[]);
    let out = client(
        &server,
        &["--tls", "--ca", cert.to_str().unwrap(), "--http", "/x"],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{stdout}");
    assert!(stdout.contains("\"target\": \"/x\""), "{stdout}");
    assert!(
        stderr.starts_with(&format!(
            "connect to 127.0.0.1:{}\nTLS handshake done: TLS 1.3, ",
            server.addr.port()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("\n> GET /x HTTP/1.1\\r\\n\n"), "{stderr}");
    assert!(
        stderr.contains("\n= the head arrived exactly as it was sent\n"),
        "{stderr}"
    );
    assert!(stderr.contains("; this client's own address\n"), "{stderr}");
    server.expect("request 1: GET /x HTTP/1.1 -> 200 OK");
}

/// `--stdin` inside TLS: a line in, its echo out, and the end of stdin
/// sent as close_notify and FIN.
#[test]
fn stdin_over_tls_is_like_nc() {
    let cert = temp_dir("stdin").join("cert.pem");
    let (mut server, _) = tls_server(&cert, &[]);
    let mut child = rawnet()
        .args(["client", "--stdin", "--tls", "--ca", cert.to_str().unwrap()])
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &server.addr.port().to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"hello\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // stdout holds only the server's bytes; the rest is on stderr.
    assert_eq!(text(&out.stdout), "You said \"hello\n\"\r\n");
    assert!(
        stderr.contains("\nTLS handshake done: TLS 1.3, "),
        "{stderr}"
    );
    assert!(stderr.ends_with("\nConnection closed\n"), "{stderr}");
    server.expect("data 6 bytes: \"hello\\n\"");
}

#[test]
fn tls_without_ca_or_insecure_is_a_usage_error() {
    let out = rawnet().args(["client", "--tls"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "--tls needs --ca FILE, the certificate to trust (PEM; `rawnet serve --tls \
         --tls-cert-out FILE` writes one), or --insecure to take any: this build knows no \
         public CAs\n"
    );
    let out = rawnet().args(["client", "--ca", "x.pem"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "--ca and --insecure need --tls\n");
}
