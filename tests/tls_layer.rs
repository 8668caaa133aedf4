#![cfg(feature = "tls")]
//! `--tls`: TLS terminated on the same port, driven byte by byte with a
//! rustls client over a real socket (its sans-I/O `ClientConnection` makes
//! the records; the test decides when each goes out): the handshake and
//! what is inside, close_notify both ways, and every way a handshake goes
//! wrong (a deadline, bytes that are not TLS, an early close), each with
//! its own line. Real clients (curl, openssl, Chromium, nginx, HAProxy)
//! are in tls_neighbours.rs.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::Server;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};

/// A temporary directory of this test's own, removed when it ends, and
/// the certificate's path in it.
fn temp_path(name: &str) -> (common::TempDir, PathBuf) {
    let dir = common::TempDir::new(&format!("tls-{name}"));
    let cert = dir.0.join("cert.pem");
    (dir, cert)
}

/// `rawnet --tls` with its certificate written out, and a client config
/// that trusts exactly that certificate.
fn tls_server(name: &str, extra: &[&str]) -> (Server, Arc<ClientConfig>) {
    let (_dir, cert) = temp_path(name);
    let mut args = vec!["--tls", "--tls-cert-out", cert.to_str().unwrap()];
    args.extend_from_slice(extra);
    let mut server = Server::start(&args);
    server.expect("TLS on the same port: certificate for localhost, 127.0.0.1, ::1");
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(&cert).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    (server, Arc::new(config))
}

fn client(config: &Arc<ClientConfig>) -> ClientConnection {
    let name = ServerName::try_from("localhost").unwrap();
    ClientConnection::new(config.clone(), name).unwrap()
}

/// Everything the client has to send, as records.
fn records(tls: &mut ClientConnection) -> Vec<u8> {
    let mut out = Vec::new();
    while tls.wants_write() {
        tls.write_tls(&mut out).unwrap();
    }
    out
}

/// Runs the handshake over `stream` to its end.
fn handshake(tls: &mut ClientConnection, stream: &mut TcpStream) {
    while tls.is_handshaking() {
        stream.write_all(&records(tls)).unwrap();
        if !tls.is_handshaking() {
            break;
        }
        let mut buf = [0u8; 16 * 1024];
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed in the handshake");
        feed(tls, &buf[..n]);
    }
    stream.write_all(&records(tls)).unwrap();
}

/// Gives the client every byte of `records` (rustls takes a read's worth
/// at a time).
fn feed(tls: &mut ClientConnection, mut records: &[u8]) {
    while !records.is_empty() {
        tls.read_tls(&mut records).unwrap();
        tls.process_new_packets().unwrap();
    }
}

/// Reads records until `want` bytes of plaintext came (or the end).
fn plaintext(tls: &mut ClientConnection, stream: &mut TcpStream, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while got.len() < want {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        feed(tls, &buf[..n]);
        let _ = tls.reader().read_to_end(&mut got);
    }
    got
}

#[test]
fn the_echo_speaks_inside_tls_and_close_notify_goes_both_ways() {
    let (mut server, config) = tls_server("echo", &[]);
    let mut stream = server.connect();
    let mut tls = client(&config);
    handshake(&mut tls, &mut stream);
    let line = server.expect("TLS handshake done:");
    assert!(
        line.contains("TLS 1.3, TLS13_") && line.contains("ALPN http/1.1, for localhost"),
        "{line}"
    );
    assert!(line.contains(", new session, in "), "{line}");

    tls.writer().write_all(b"I am happyGloria.").unwrap();
    stream.write_all(&records(&mut tls)).unwrap();
    let reply = plaintext(&mut tls, &mut stream, 30);
    assert_eq!(reply, b"You said \"I am happyGloria.\"\r\n");
    server.expect("echoing: the first bytes are not an HTTP request line");
    server.expect(r#"data 17 bytes: "I am happyGloria.""#);

    // The client's close_notify: the server says it, answers with its
    // own, and closes.
    tls.send_close_notify();
    stream.write_all(&records(&mut tls)).unwrap();
    server.expect("client sent TLS close_notify: it has finished");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    tls.read_tls(&mut &rest[..]).unwrap();
    let state = tls.process_new_packets().unwrap();
    assert!(state.peer_has_closed(), "the server's close_notify came");
    server.expect("close (done)");
}

/// Data and close_notify in one write (what `rawnet client --tls
/// --half-close` sends): in TLS 1.3 a close_notify closes only the
/// client's side (RFC 8446 §6.1), so the echo it is owed still comes,
/// before the server's own close_notify.
#[test]
fn data_with_the_clients_close_notify_is_still_answered() {
    let (mut server, config) = tls_server("half", &[]);
    let mut stream = server.connect();
    let mut tls = client(&config);
    handshake(&mut tls, &mut stream);
    server.expect("TLS handshake done: TLS 1.3");
    tls.writer().write_all(b"abc").unwrap();
    tls.send_close_notify();
    stream.write_all(&records(&mut tls)).unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    feed(&mut tls, &rest);
    let mut reply = Vec::new();
    let _ = tls.reader().read_to_end(&mut reply);
    assert_eq!(reply, b"You said \"abc\"\r\n");
    assert!(tls.process_new_packets().unwrap().peer_has_closed());
    server.expect(r#"data 3 bytes: "abc""#);
}

#[test]
fn http_inside_tls_shows_the_layers_and_plain_http_still_works() {
    let (mut server, config) = tls_server("http", &["--name", "blue"]);
    let mut stream = server.connect();
    let mut tls = client(&config);
    handshake(&mut tls, &mut stream);
    tls.writer()
        .write_all(b"GET /over-tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    stream.write_all(&records(&mut tls)).unwrap();
    let response = String::from_utf8(plaintext(&mut tls, &mut stream, usize::MAX)).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let me = stream.local_addr().unwrap();
    for line in [
        "It came through these layers, from the bottom up:\n  TCP:\n".to_string(),
        format!("    client: {me}\n"),
        format!(
            "    server: {} (the address it connected to)\n",
            server.addr
        ),
        "    name: blue\n".to_string(),
        "  TLS:\n".to_string(),
        "    hello: server name: localhost\n".to_string(),
        "    hello: ALPN: http/1.1\n".to_string(),
        "    client certificate: not asked for (--client-cert off)\n".to_string(),
        "  HTTP: the request below\n".to_string(),
        "GET /over-tls HTTP/1.1\\r\\n\nHost: localhost\\r\\n\n".to_string(),
    ] {
        assert!(response.contains(&line), "{line:?} in {response}");
    }
    let agreed = response
        .lines()
        .find(|l| l.starts_with("    agreed: "))
        .unwrap();
    assert!(
        agreed.starts_with("    agreed: TLS 1.3, TLS13_") && agreed.contains("ALPN http/1.1"),
        "{agreed}"
    );
    server.expect("request 1: GET /over-tls HTTP/1.1 -> 200 OK");

    // The same port, plain: as without --tls, the text page has no layers.
    let mut plain = server.connect();
    plain
        .write_all(b"GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let plain = String::from_utf8(common::read_to_end(&mut plain)).unwrap();
    assert!(plain.starts_with("HTTP/1.1 200 OK\r\n"), "{plain}");
    assert!(!plain.contains("It came through these layers"), "{plain}");
}

#[test]
fn a_handshake_that_stops_after_the_hello_is_cut_at_its_deadline() {
    let (mut server, config) = tls_server("deadline", &["--tls-handshake-timeout", "1"]);
    let mut stream = server.connect();
    let mut tls = client(&config);
    // The hello, whole; then nothing, as a client that waits would.
    stream.write_all(&records(&mut tls)).unwrap();
    server.expect("client started a TLS 1.3 handshake");
    let line = server.expect("no TLS handshake within");
    assert!(
        line.ends_with("no TLS handshake within 1s; closing"),
        "{line}"
    );
    server.expect("close (done)");
    // The server's flight came, then the end.
    let got = common::read_to_end(&mut stream);
    assert_eq!(got[0], 0x16, "a handshake record first");
}

#[test]
fn bytes_that_are_not_tls_after_the_hello_fail_the_handshake_with_an_alert() {
    let (mut server, config) = tls_server("garbage", &[]);
    let mut stream = server.connect();
    let mut tls = client(&config);
    stream.write_all(&records(&mut tls)).unwrap();
    let mut buf = [0u8; 16 * 1024];
    let n = stream.read(&mut buf).unwrap();
    assert_eq!(buf[0], 0x16, "the ServerHello's record");
    tls.read_tls(&mut &buf[..n]).unwrap();
    tls.process_new_packets().unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let line = server.expect("TLS handshake failed:");
    assert!(
        line.contains("corrupt message") || line.contains("invalid"),
        "{line}"
    );
    server.expect("close (done)");
    // The alert is encrypted (TLS 1.3 has handshake keys by then): the
    // client reads it.
    let rest = common::read_to_end(&mut stream);
    tls.read_tls(&mut &rest[..]).unwrap();
    match tls.process_new_packets() {
        Err(rustls::Error::AlertReceived(alert)) => {
            assert_eq!(alert, rustls::AlertDescription::DecodeError)
        }
        other => panic!("a fatal alert, not {other:?}"),
    }
}

#[test]
fn a_client_that_ends_in_the_handshake_is_said_so() {
    let (mut server, config) = tls_server("early", &[]);
    let mut stream = server.connect();
    let mut tls = client(&config);
    stream.write_all(&records(&mut tls)).unwrap();
    server.expect("client started a TLS 1.3 handshake");
    common::half_close(&stream);
    server.expect("client ended its TCP stream in the middle of the TLS handshake");
    server.expect("close (end)");
}

#[test]
fn half_a_hello_is_cut_like_a_slow_head() {
    let (mut server, config) = tls_server("half", &[]);
    let mut stream = server.connect();
    let mut tls = client(&config);
    let hello = records(&mut tls);
    stream.write_all(&hello[..hello.len() / 2]).unwrap();
    let line = server.expect("client sent what starts like a TLS ClientHello but stopped after");
    assert!(
        line.contains(&format!(
            "stopped after {} of its {} bytes",
            hello.len() / 2,
            hello.len()
        )),
        "{line}"
    );
    server.expect("close (done)");
    std::thread::sleep(Duration::from_millis(10));
}

#[test]
fn tls_options_without_tls_are_usage_errors() {
    for args in [
        &["--tls-cert-out", "/tmp/x.pem"][..],
        &["--cert", "a.pem", "--key", "a.key"],
        &["--client-cert", "require"],
    ] {
        let out = common::rawnet().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("need --tls"), "{args:?}: {stderr}");
    }
    let out = common::rawnet()
        .args([
            "--tls",
            "--cert",
            "/nonexistent.pem",
            "--key",
            "/nonexistent.key",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--cert /nonexistent.pem"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
}

#[test]
fn handshakes_past_the_memory_budget_are_refused_with_an_alert() {
    // 1 MiB covers ten handshakes of 96 KiB each (HANDSHAKE_HOLD); the
    // eleventh is refused, and once the first ones give their part back
    // (cut at their deadline) a new one goes through.
    let args = ["--memory-budget", "1", "--tls-handshake-timeout", "1"];
    let (mut server, config) = tls_server("budget", &args);
    let stalled: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut stream = server.connect();
            stream.write_all(&records(&mut client(&config))).unwrap();
            server.expect("answered with a handshake (--tls)");
            stream
        })
        .collect();
    let mut refused = server.connect();
    refused.write_all(&records(&mut client(&config))).unwrap();
    let line = server.expect("TLS handshake refused");
    assert!(
        line.ends_with(
            "TLS handshake refused with an internal_error alert: the server's memory budget \
             for all connections (1 MiB, --memory-budget) is spent; try again later"
        ),
        "{line}"
    );
    assert_eq!(
        common::read_to_end(&mut refused),
        [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 80]
    );
    for _ in &stalled {
        server.expect("no TLS handshake within 1s; closing");
    }
    // Each gives its part back as it closes, just after its line.
    drop(stalled);
    std::thread::sleep(Duration::from_millis(300));
    let mut stream = server.connect();
    let mut tls = client(&config);
    handshake(&mut tls, &mut stream);
    server.expect("TLS handshake done:");
}

#[test]
fn a_tls_12_renegotiation_is_refused_then_closed() {
    let (mut server, _) = tls_server("reneg", &[]);
    // openssl s_client renegotiates when a line of its input is `R`;
    // the sleeps keep its input open until each answer came.
    let script = format!(
        "(sleep 1; echo R; sleep 1; echo R; sleep 1) | openssl s_client -tls1_2 -connect {}",
        server.addr
    );
    let mut child = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run openssl (scripts/test.sh installs it)");
    let line = server.expect("TLS handshake done:");
    assert!(line.contains("TLS 1.2, TLS_ECDHE_ECDSA_WITH_"), "{line}");
    server.expect(
        "client asked to renegotiate TLS 1.2 (a new ClientHello inside the connection); \
         refused with a no_renegotiation warning",
    );
    server.expect("TLS failed:");
    server.expect("close (done)");
    let _ = child.wait();
}
