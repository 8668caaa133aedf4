#![cfg(any(feature = "websocket", feature = "h2"))]
//! How much one client can make the server print: a flood of tiny
//! WebSocket frames is summarised past a rate, and a long list from the
//! wire (HTTP/2 settings) shows its first items, then how many more.
//! tests/README.md cases 51 and 52.

mod common;

use std::io::Write;

use common::{read_to_end, Server};

/// The number just before `word` in `line` (`... 51180 received ...`).
#[cfg(feature = "websocket")]
fn count_before(line: &str, word: &str) -> u64 {
    let before = line.split(word).next().unwrap_or_default();
    let number = before.rsplit(' ').next().unwrap_or_default();
    number
        .parse()
        .unwrap_or_else(|_| panic!("no count before {word:?} in {line:?}"))
}

/// 300 KB of empty pings, each masked as a client must send it (6 bytes:
/// FIN ping, MASK and length 0, the key), then a close: before, each made
/// two lines (the ping's and its pong's), some 19 bytes of log for each
/// byte received. Now the log of the connection is at most twice the
/// bytes sent, every ping is answered, and summary lines count every
/// frame that got no line of its own.
#[test]
#[cfg(feature = "websocket")]
fn a_flood_of_empty_pings_makes_a_bounded_log() {
    let mut server = Server::start(&[]);
    let mut conn = common::ws_upgraded(&server);
    let ping = [0x89, 0x80, 1, 2, 3, 4];
    let pings = 300 * 1024 / ping.len();
    let flood = ping.repeat(pings);
    // Read on another thread, so that the server is never held up by a
    // client that does not read its pongs.
    let mut reader = conn.try_clone().unwrap();
    let answers = std::thread::spawn(move || read_to_end(&mut reader));
    conn.write_all(&flood).unwrap();
    // A close with code 1000, masked.
    conn.write_all(&[0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2])
        .unwrap();
    let answers = answers.join().unwrap();
    // Every ping answered with an empty pong, then the close echoed.
    assert_eq!(answers.len(), 2 * pings + 4);
    assert!(answers.ends_with(&[0x88, 0x02, 0x03, 0xe8]));

    server.expect(" close (done)");
    let lines: Vec<&String> = server
        .seen
        .iter()
        .filter(|l| l.starts_with("#1 "))
        .collect();
    let logged: usize = lines.iter().map(|l| l.len() + 1).sum();
    println!("{logged} bytes of log for {} bytes of pings", flood.len());
    assert!(
        logged <= 2 * flood.len(),
        "{logged} bytes of log for {} bytes of pings",
        flood.len()
    );

    // Each frame is either on a line of its own or counted in a summary.
    let shown = |words: &str| lines.iter().filter(|l| l.contains(words)).count() as u64;
    let summaries: Vec<&&String> = lines
        .iter()
        .filter(|l| l.contains(" ws frames not shown one by one "))
        .collect();
    assert!(!summaries.is_empty(), "no summary line");
    let held = |word: &str| -> u64 { summaries.iter().map(|l| count_before(l, word)).sum() };
    assert_eq!(
        shown(" ws frame: FIN ping 0 bytes, mask 01020304") + held(" received"),
        pings as u64
    );
    assert_eq!(
        shown(" ws frame sent: FIN pong 0 bytes") + held(" sent"),
        pings as u64
    );
    let summary = summaries[0];
    assert!(
        summary.contains(" ws frames not shown one by one (more than 20 lines a second): "),
        "{summary}"
    );
    assert!(
        summary.contains(" received (") && summary.contains(" ping)"),
        "{summary}"
    );
    assert!(
        summary.contains(" sent (") && summary.contains(" pong)"),
        "{summary}"
    );
    // The close is always shown, after the last summary.
    let last_summary = lines
        .iter()
        .rposition(|l| l.contains(" not shown "))
        .unwrap();
    let close = lines
        .iter()
        .position(|l| l.contains(" ws frame: FIN close 2 bytes"))
        .expect("the close frame's line");
    assert!(
        last_summary < close,
        "a summary after the close: {:?}",
        &lines[close..]
    );
}

/// The client's first SETTINGS frame at its largest, 16 KiB (2730
/// settings): before, one line of some 60 KB named every setting. Now
/// the line names the first 16 and counts the rest, in text and JSON.
#[test]
#[cfg(feature = "h2")]
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

    // With --no-h2, the settings are explained in one line (HTTP/2
    // spoken gets one line a frame, its SETTINGS cut the same way).
    let mut server = Server::start(&["--no-h2"]);
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

    let mut server = Server::start(&["--no-h2", "--log", "json"]);
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
