//! How much one client can make the server print: a flood of tiny
//! WebSocket frames is summarised past a rate, and a long list from the
//! wire (HTTP/2 settings) shows its first items, then how many more.
//! tests/README.md cases 51 and 52.

mod common;

use std::io::Write;

use common::{read_to_end, Server};

/// The client's first SETTINGS frame at its largest, 16 KiB (2730
/// settings): before, one line of some 60 KB named every setting. Now
/// the line names the first 16 and counts the rest, in text and JSON.
#[test]
fn a_16_kib_settings_frame_makes_one_short_line() {
    // Identifiers 1 to 6 (named by RFC 9113) and 7 (not), in turn.
    let settings: Vec<(u16, u32)> = (0..2730u32).map(|i| ((i % 7 + 1) as u16, i)).collect();
    let mut first = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    let length = (settings.len() * 6) as u32;
    first.extend_from_slice(&length.to_be_bytes()[1..]);
    first.extend_from_slice(&[0x04, 0, 0, 0, 0, 0]);
    for (id, value) in &settings {
        first.extend_from_slice(&id.to_be_bytes());
        first.extend_from_slice(&value.to_be_bytes());
    }
    assert_eq!(length, 16380);

    let names = [
        "HEADER_TABLE_SIZE",
        "ENABLE_PUSH",
        "MAX_CONCURRENT_STREAMS",
        "INITIAL_WINDOW_SIZE",
        "MAX_FRAME_SIZE",
        "MAX_HEADER_LIST_SIZE",
        "0x0007",
    ];
    let shown: Vec<String> = (0..16).map(|i| format!("{}={i}", names[i % 7])).collect();

    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap();
    conn.write_all(&first).unwrap();
    read_to_end(&mut conn);
    let line = server.expect(" client spoke HTTP/2");
    println!("the SETTINGS line is {} bytes", line.len());
    // The length first: a failure must not print a 60 KB line.
    assert!(line.len() < 1024, "{} bytes", line.len());
    assert_eq!(
        line,
        format!(
            "#1 {me} client spoke HTTP/2 (prior knowledge): SETTINGS {}, … and 2714 more; \
             answered GOAWAY HTTP_1_1_REQUIRED",
            shown.join(", ")
        )
    );

    let mut server = Server::start(&["--log", "json"]);
    let mut conn = server.connect();
    conn.write_all(&first).unwrap();
    read_to_end(&mut conn);
    let line = server.expect(r#""event":"http2""#);
    assert!(line.len() < 1024, "{} bytes", line.len());
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        json["settings"].as_array().map(Vec::len),
        Some(16),
        "{line}"
    );
    assert_eq!(
        json["settings"][2],
        serde_json::json!(["MAX_CONCURRENT_STREAMS", 2])
    );
    assert_eq!(json["settings_not_shown"], 2714, "{line}");
}
