#![cfg(feature = "tls")]
//! A TLS ClientHello on the plain port, from real clients: the event line
//! says what the client asked for and its fingerprints (JA4, JA3), and
//! the client's own error is the clearest one on offer (see `refuse_tls`
//! in src/protocol.rs). The parser's and the fingerprints' unit tests
//! are in src/tls/.

mod common;

use std::io::Write;
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

use common::{hello_fingerprints, Server, CURL_JA3, CURL_JA4};

/// curl 7.88.1's hello, captured with `nc -l` (see src/tls/samples.rs).
const CURL_HELLO: &[u8] = include_bytes!("data/tls/curl-client-hello.bin");
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
            line.contains("this port speaks plain TCP: use http://, or put TLS in front; JA4 t13d"),
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
            line.ends_with(&format!(
                "client started a TLS 1.3 handshake for \"localhost\" (ALPN h2, http/1.1; \
                 31 cipher suites); this port speaks plain TCP: use http://, or put TLS in front; \
                 JA4 {CURL_JA4}, JA3 {CURL_JA3}"
            )),
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

/// One of `data/tls/vectors.json`'s hellos (see that file's `source`).
struct Vector {
    source: String,
    record: Vec<u8>,
    ja3_string: String,
    ja3: String,
    ja4: String,
    ja4_r: String,
    ja4_o: String,
}

fn vectors() -> Vec<Vector> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("data/tls/vectors.json")).unwrap();
    let text = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap().to_string();
    json.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let ja4 = text(v, "ja4");
            // The non-ASCII ALPN vector's ja4_r kept FoxIO's old `99`
            // (its note); one hello has one `a` part, the spec's, as its
            // ja4 has it (see src/tls/fingerprint.rs).
            let raw = text(v, "ja4_r");
            let ja4_r = format!("{}{}", &ja4[..10], &raw[10..]);
            Vector {
                source: text(v, "source"),
                record: unhex(&text(v, "client_hello_record_hex")),
                ja3_string: text(v, "ja3_string"),
                ja3: text(v, "ja3"),
                ja4,
                ja4_r,
                ja4_o: text(v, "ja4_o"),
            }
        })
        .collect()
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// Each vector's record on the plain port: the text line ends with its
/// exact JA4 and JA3, and `--log json` has all of its fingerprints.
#[test]
fn a_vectors_hello_gets_its_exact_fingerprints() {
    let mut text = Server::start(&[]);
    let mut json = Server::start(&["--log", "json"]);
    for vector in vectors() {
        let source = &vector.source;
        let mut conn = text.connect();
        conn.write_all(&vector.record).unwrap();
        assert_eq!(common::read_to_end(&mut conn), ALERT, "{source}");
        let line = text.expect("client started a TLS");
        let want = format!(
            "; this port speaks plain TCP: use http://, or put TLS in front; JA4 {}, JA3 {}",
            vector.ja4, vector.ja3
        );
        assert!(line.ends_with(&want), "{source}: {line}");

        let mut conn = json.connect();
        conn.write_all(&vector.record).unwrap();
        assert_eq!(common::read_to_end(&mut conn), ALERT, "{source}");
        let line = json.expect(r#""event":"tls_hello""#);
        let got: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(got["ja3"], vector.ja3_string, "{source}");
        assert_eq!(got["ja3_md5"], vector.ja3, "{source}");
        assert_eq!(got["ja4"], vector.ja4, "{source}");
        assert_eq!(got["ja4_r"], vector.ja4_r, "{source}");
        assert_eq!(got["ja4_o"], vector.ja4_o, "{source}");
        let ja4_ro = got["ja4_ro"].as_str().unwrap();
        assert!(ja4_ro.starts_with(&vector.ja4[..11]), "{source}: {ja4_ro}");
    }
}

/// Real `curl https://127.0.0.1:PORT/` with `--trace`: curl sends no SNI
/// to an IP address, so its JA4 says `i`, then 31 suites, ALPN h2; the
/// line is followed by the record's hex dump and its decoding. The bytes
/// of that dump, sent again on a new connection, get the same
/// fingerprints: what was dumped is what was fingerprinted.
#[test]
fn curls_own_hello_is_fingerprinted_dumped_and_decoded() {
    let mut server = Server::start(&["--trace"]);
    let output = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .arg(format!("https://127.0.0.1:{}/", server.addr.port()))
        .output()
        .expect("run curl (scripts/test.sh installs it)");
    assert_eq!(output.status.code(), Some(35));
    let line = server.expect("client started a TLS");
    let (ja4, ja3) = hello_fingerprints(&line);
    assert!(
        is_ja4(&ja4) && ja4.starts_with("t13i31") && ja4[6..].starts_with("11h2_"),
        "{line}"
    );
    assert!(!line.contains(" for \""), "no SNI: {line}");

    let (record, decoded) = trace_after(&mut server);
    assert_eq!(
        record.len(),
        usize::from(u16::from_be_bytes([record[3], record[4]])) + 5
    );
    assert!(
        decoded.contains(&"    server name: (none)".to_string()),
        "{decoded:?}"
    );
    assert!(
        decoded.contains(&"    ALPN: h2, http/1.1".to_string()),
        "{decoded:?}"
    );
    assert!(decoded
        .iter()
        .any(|row| row.starts_with("    cipher suites: TLS_AES_256_GCM_SHA384 (0x1302), ")));

    let mut conn = server.connect();
    conn.write_all(&record).unwrap();
    assert_eq!(common::read_to_end(&mut conn), ALERT);
    let again = server.expect("client started a TLS");
    assert_eq!(hello_fingerprints(&again), (ja4, ja3));
}

/// JA4's shape: `t13d1516h2_` then two 12-digit hex hashes.
fn is_ja4(ja4: &str) -> bool {
    let parts: Vec<&str> = ja4.split('_').collect();
    let hex12 = |p: &str| p.len() == 12 && p.bytes().all(|b| b.is_ascii_hexdigit());
    parts.len() == 3 && parts[0].len() == 10 && hex12(parts[1]) && hex12(parts[2])
}

/// The `--trace` lines after a `tls_hello` line: the record's bytes, read
/// back from its hex dump, and the decoded rows.
fn trace_after(server: &mut Server) -> (Vec<u8>, Vec<String>) {
    let header = server.next_line().unwrap();
    assert!(header.contains(" the ClientHello record, "), "{header}");
    let mut record = Vec::new();
    loop {
        let line = server.next_line().unwrap();
        let (_, rest) = line.split_once(' ').unwrap();
        if rest == "  decoded:" {
            break;
        }
        // `    0000  16 03 01 ...  |....|`: the hex between the offset and
        // the ASCII column.
        let hex = &rest[10..rest.find("  |").unwrap()];
        record.extend(
            hex.split_whitespace()
                .map(|b| u8::from_str_radix(b, 16).unwrap()),
        );
    }
    let decoded = (0..14)
        .map(|_| {
            let line = server.next_line().unwrap();
            line.split_once(' ').unwrap().1.to_string()
        })
        .collect();
    (record, decoded)
}
