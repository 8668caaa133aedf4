//! A ClientHello decoded for people: one [`Row`] per field, in the order
//! the fields come on the wire, each value by its registry name and its
//! code (`TLS_AES_128_GCM_SHA256 (0x1301)`). `--trace` prints the rows
//! after the `tls_hello` line; the pages show them as a table.

use serde::Serialize;

use super::{names, ClientHello};
use crate::show::{Escaped, NAME_SHOWN};

/// One field of the hello: what it is, and its values as sent (GREASE
/// included, shown as `GREASE (0x0a0a)`; a code no registry here knows as
/// `unknown (0x....)`). A field the hello did not carry has no items.
/// Lists are as long as the client made them, which the record's bound
/// ([`super::MAX_RECORD`]) limits; the log shows the first few.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub label: &'static str,
    pub items: Vec<String>,
}

/// The hello's rows, always the same ones in the same order: record
/// version, legacy version, session id, cipher suites, compression
/// methods, extensions, server name, ALPN, supported versions, supported
/// groups, key share groups, signature algorithms, EC point formats, PSK
/// modes.
pub fn describe(hello: &ClientHello) -> Vec<Row> {
    let row = |label, items| Row { label, items };
    vec![
        row(
            "record version",
            vec![named16(names::version, hello.record_version)],
        ),
        row(
            "legacy version",
            vec![named16(names::version, hello.legacy_version)],
        ),
        row("session id", vec![bytes(hello.session_id.len())]),
        row(
            "cipher suites",
            each16(names::cipher_suite, &hello.cipher_suites),
        ),
        row(
            "compression methods",
            each8(names::compression_method, &hello.compression_methods),
        ),
        row("extensions", each16(names::extension, &hello.extensions)),
        row(
            "server name",
            hello.sni.iter().map(|sni| shown(sni.as_bytes())).collect(),
        ),
        row("ALPN", hello.alpn.iter().map(|name| shown(name)).collect()),
        row(
            "supported versions",
            each16(names::version, &hello.versions_sent),
        ),
        row("supported groups", each16(names::group, &hello.groups)),
        row(
            "key share groups",
            each16(names::group, &hello.key_share_groups),
        ),
        row(
            "signature algorithms",
            each16(names::signature_scheme, &hello.signature_algorithms),
        ),
        row(
            "EC point formats",
            each8(names::point_format, &hello.point_formats),
        ),
        row("PSK modes", each8(names::psk_mode, &hello.psk_modes)),
    ]
}

/// A 2-byte code by name: `x25519 (0x001d)`, `unknown (0xca35)`.
fn named16(name: fn(u16) -> Option<&'static str>, code: u16) -> String {
    format!("{} (0x{code:04x})", name(code).unwrap_or("unknown"))
}

/// A 1-byte code by name: `uncompressed (0x00)`.
fn named8(name: fn(u8) -> Option<&'static str>, code: u8) -> String {
    format!("{} (0x{code:02x})", name(code).unwrap_or("unknown"))
}

fn each16(name: fn(u16) -> Option<&'static str>, codes: &[u16]) -> Vec<String> {
    codes.iter().map(|&code| named16(name, code)).collect()
}

fn each8(name: fn(u8) -> Option<&'static str>, codes: &[u8]) -> Vec<String> {
    codes.iter().map(|&code| named8(name, code)).collect()
}

/// `32 bytes`, `1 byte`.
fn bytes(n: usize) -> String {
    let unit = if n == 1 { "byte" } else { "bytes" };
    format!("{n} {unit}")
}

/// A name the client chose (its host, a protocol), escaped as every byte
/// from the wire is (`show.rs`) and cut as the log line cuts it.
fn shown(name: &[u8]) -> String {
    Escaped::bare_preview(name, NAME_SHOWN).to_string()
}

#[cfg(test)]
mod tests {
    use super::super::hello::{parse, Hello};
    use super::super::samples::CAPTURED;
    use super::*;

    fn rows_of(name: &str) -> Vec<Row> {
        let (_, bytes) = CAPTURED.iter().find(|(n, _)| *n == name).unwrap();
        let Hello::Complete(hello, _) = parse(bytes) else {
            panic!("{name}")
        };
        describe(&hello)
    }

    fn items<'a>(rows: &'a [Row], label: &str) -> &'a [String] {
        &rows.iter().find(|row| row.label == label).unwrap().items
    }

    #[test]
    fn curls_hello_row_by_row() {
        let rows = rows_of("curl");
        let labels: Vec<&str> = rows.iter().map(|row| row.label).collect();
        assert_eq!(
            labels,
            [
                "record version",
                "legacy version",
                "session id",
                "cipher suites",
                "compression methods",
                "extensions",
                "server name",
                "ALPN",
                "supported versions",
                "supported groups",
                "key share groups",
                "signature algorithms",
                "EC point formats",
                "PSK modes",
            ]
        );
        assert_eq!(items(&rows, "record version"), ["TLS 1.0 (0x0301)"]);
        assert_eq!(items(&rows, "legacy version"), ["TLS 1.2 (0x0303)"]);
        assert_eq!(items(&rows, "session id"), ["32 bytes"]);
        let suites = items(&rows, "cipher suites");
        assert_eq!(suites.len(), 31);
        assert_eq!(suites[0], "TLS_AES_256_GCM_SHA384 (0x1302)");
        assert_eq!(suites[30], "TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff)");
        assert_eq!(items(&rows, "compression methods"), ["null (0x00)"]);
        assert_eq!(
            items(&rows, "extensions")[..2],
            ["server_name (0x0000)", "ec_point_formats (0x000b)"]
        );
        assert_eq!(items(&rows, "server name"), ["localhost"]);
        assert_eq!(items(&rows, "ALPN"), ["h2", "http/1.1"]);
        assert_eq!(items(&rows, "supported versions")[0], "TLS 1.3 (0x0304)");
        assert_eq!(items(&rows, "supported groups")[0], "x25519 (0x001d)");
        assert_eq!(items(&rows, "key share groups"), ["x25519 (0x001d)"]);
        assert_eq!(
            items(&rows, "signature algorithms")[0],
            "ecdsa_secp256r1_sha256 (0x0403)"
        );
        assert_eq!(
            items(&rows, "EC point formats"),
            [
                "uncompressed (0x00)",
                "ansiX962_compressed_prime (0x01)",
                "ansiX962_compressed_char2 (0x02)"
            ]
        );
        assert_eq!(items(&rows, "PSK modes"), ["psk_dhe_ke (0x01)"]);
    }

    /// GREASE is shown where it was sent, as GREASE; an unknown code as
    /// unknown; a field that was not sent has no items.
    #[test]
    fn grease_and_unknown_codes_are_said_so() {
        let rows = rows_of("chromium-1");
        assert!(items(&rows, "cipher suites")[0].starts_with("GREASE (0x"));
        assert!(items(&rows, "supported versions")[0].starts_with("GREASE (0x"));
        assert_eq!(
            items(&rows, "supported groups")[1],
            "X25519MLKEM768 (0x11ec)"
        );
        let hello = ClientHello {
            cipher_suites: vec![0x1234],
            extensions: vec![0xabcd],
            ..ClientHello::default()
        };
        let rows = describe(&hello);
        assert_eq!(items(&rows, "cipher suites"), ["unknown (0x1234)"]);
        assert_eq!(items(&rows, "extensions"), ["unknown (0xabcd)"]);
        assert!(items(&rows, "server name").is_empty());
        assert!(items(&rows, "ALPN").is_empty());
    }

    /// A host or protocol name is the client's bytes: escaped.
    #[test]
    fn names_from_the_wire_are_escaped() {
        let hello = ClientHello {
            sni: Some("a\x1b\u{202e}".into()),
            alpn: vec![b"h2\xc2\x85".to_vec()],
            ..ClientHello::default()
        };
        let rows = describe(&hello);
        assert_eq!(items(&rows, "server name"), [r"a\x1b\xe2\x80\xae"]);
        assert_eq!(items(&rows, "ALPN"), [r"h2\xc2\x85"]);
    }
}
