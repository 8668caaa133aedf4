#![cfg(feature = "tls")]
//! A TLS ClientHello on the plain port, from real clients: the event line
//! says what the client asked for, and the client's own error is the
//! clearest one on offer (see `refuse_tls` in src/protocol.rs).

mod common;

use std::io::Write;
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

use common::Server;

/// curl 7.88.1's hello, captured with `nc -l` (see src/tls.rs).
const CURL_HELLO: &[u8] = include_bytes!("data/curl-client-hello.bin");
const ALERT: &[u8] = &[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46];

#[test]
fn curl_https_is_told_the_protocol_version_is_not_spoken() {
    for mode in ["auto", "http"] {
        let mut server = Server::start(&["--mode", mode]);
        let url = format!("https://localhost:{}/", server.addr.port());
        let output = Command::new("curl")
            .args(["-sS", "--max-time", "10", "--resolve"])
            .arg(format!("localhost:{}:127.0.0.1", server.addr.port()))
            .arg(&url)
            .output()
            .expect("run curl (scripts/test.sh installs it)");
        let stderr = String::from_utf8_lossy(&output.stderr);
        // 35: CURLE_SSL_CONNECT_ERROR, with OpenSSL's name for the alert.
        assert_eq!(output.status.code(), Some(35), "{mode}: {stderr}");
        assert!(
            stderr.contains("alert protocol version"),
            "{mode}: {stderr}"
        );
        let line = server.expect("client started a TLS");
        assert!(
            line.contains(
                r#"client started a TLS 1.3 handshake for "localhost" (ALPN h2, http/1.1; "#
            ),
            "{mode}: {line}"
        );
        assert!(
            line.ends_with("this port speaks plain TCP: use http://, or put TLS in front"),
            "{line}"
        );
    }
}

#[test]
fn a_hello_in_one_byte_writes_is_put_back_together() {
    for mode in ["auto", "http"] {
        let mut server = Server::start(&["--mode", mode]);
        let mut conn = server.connect();
        conn.set_nodelay(true).unwrap();
        for (i, byte) in CURL_HELLO.iter().enumerate() {
            conn.write_all(std::slice::from_ref(byte)).unwrap();
            // A few real pauses, so the server sees many reads; all 517
            // would take too long.
            if i % 100 == 0 {
                sleep(Duration::from_millis(20));
            }
        }
        assert_eq!(common::read_to_end(&mut conn), ALERT, "{mode}");
        let line = server.expect("client started a TLS");
        assert!(
            line.ends_with(
                "client started a TLS 1.3 handshake for \"localhost\" (ALPN h2, http/1.1; \
                 31 cipher suites); this port speaks plain TCP: use http://, or put TLS in front"
            ),
            "{mode}: {line}"
        );
    }
}

#[test]
fn a_broken_hello_gets_its_own_line() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let mut broken = CURL_HELLO.to_vec();
    broken[5] = 2; // a ServerHello's type
    conn.write_all(&broken).unwrap();
    assert_eq!(common::read_to_end(&mut conn), ALERT);
    let line = server.expect("TLS");
    assert!(
        line.ends_with(
            "client sent what starts like a TLS ClientHello but its handshake message is \
             not a ClientHello; this port speaks plain TCP"
        ),
        "{line}"
    );
}
