//! The event lines the tutorial prints (`connection`, `data`, `end`,
//! `timeout`, `close`) and the limits that produce more of them.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{half_close, read_to_end, round_trip, you_said, Server};

#[test]
fn a_conversation_logs_connection_data_end_and_close() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap().to_string();
    round_trip(&mut conn, b"I am happyGloria.", 30);
    half_close(&conn);
    read_to_end(&mut conn);

    assert_eq!(
        server.expect_all(&["#1 ", " connection"]),
        format!("#1 {me} connection")
    );
    assert_eq!(
        server.expect(" data "),
        format!("#1 {me} data 17 bytes: \"I am happyGloria.\"")
    );
    assert_eq!(server.expect(" end"), format!("#1 {me} end"));
    let close = server.expect(" close ");
    let prefix = format!("#1 {me} close (end): 17 bytes in, 30 bytes out, ");
    assert!(
        close.starts_with(&prefix),
        "{close:?} should start with {prefix:?}"
    );
    assert!(close.ends_with('s'), "{close:?} should end with a duration");
}

#[test]
fn data_previews_escape_control_bytes_and_are_cut_short() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let long = [b"line\r\n\x00\xff".as_slice(), &[b'z'; 100]].concat();
    round_trip(&mut conn, &long, long.len() + 13);
    let line = server.expect(" data ");
    assert!(
        line.ends_with(
            r#"data 108 bytes: "line\r\n\x00\xffzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"...(60 more)"#
        ),
        "{line}"
    );
}

#[test]
fn timeout_is_told_once_and_the_connection_stays_open() {
    let mut server = Server::start(&["--timeout", "1"]);
    let mut conn = server.connect();
    let line = server.expect(" timeout");
    assert!(line.ends_with("timeout: no data for 1s"), "{line}");
    // Told once per silence, like Node, not every second...
    server.expect_none(" timeout", Duration::from_millis(1500));
    // ...and the connection still works, which re-arms the timer.
    assert_eq!(round_trip(&mut conn, b"awake", 18), you_said(b"awake"));
    server.expect(" timeout");
}

#[test]
fn idle_close_closes_a_silent_connection_and_says_why() {
    let mut server = Server::start(&["--idle-close", "1", "--timeout", "0"]);
    let mut conn = server.connect();
    assert_eq!(
        read_to_end(&mut conn),
        b"",
        "the server should close the connection"
    );
    let line = server.expect(" close ");
    assert!(
        line.contains("close (idle: no data for 1s): 0 bytes in, 0 bytes out"),
        "{line}"
    );
    assert!(
        !server.seen.iter().any(|l| l.contains(" timeout")),
        "timeout was off"
    );
}

#[test]
fn connections_past_the_limit_are_refused_and_the_others_served() {
    let mut server = Server::start(&["--max-connections", "2"]);
    let mut first = server.connect();
    let mut second = server.connect();
    server.expect("#1 ");
    server.expect("#2 ");

    let mut third = server.connect();
    let mut buf = [0u8; 16];
    assert_eq!(
        third.read(&mut buf).unwrap(),
        0,
        "the third connection should be closed at once"
    );
    let refused = server.expect("refused");
    assert!(
        refused.contains(&third.local_addr().unwrap().to_string())
            && refused.ends_with("2 connections open (--max-connections 2)"),
        "{refused}"
    );

    assert_eq!(round_trip(&mut first, b"one", 16), you_said(b"one"));
    assert_eq!(round_trip(&mut second, b"two", 16), you_said(b"two"));

    // A slot frees up when a connection closes.
    drop(first);
    server.expect("#1 ");
    server.expect(" close ");
    let mut fourth = server.connect();
    assert_eq!(round_trip(&mut fourth, b"four", 17), you_said(b"four"));
}

#[test]
fn trace_shows_the_exact_bytes_both_ways() {
    let mut server = Server::start(&["--trace"]);
    let mut conn = server.connect();
    round_trip(&mut conn, b"hi\r\n\x01", 18);
    assert_eq!(server.expect("#1 >"), r#"#1 > "hi\r\n\x01""#);
    assert_eq!(
        server.expect("#1 <"),
        r#"#1 < "You said \"hi\r\n\x01\"\r\n""#
    );
}

#[test]
fn trace_shows_a_binary_chunk_as_a_hex_dump() {
    let mut server = Server::start(&["--trace", "--mode", "raw"]);
    let mut conn = server.connect();
    let me = conn.local_addr().unwrap().to_string();
    // A TLS record's first bytes, a line of text, then bytes the ASCII
    // column shows as `.`: 40 bytes, more than 1 in 8 of them not text.
    let chunk = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03^/\x8a\x11\xc4\
                  GET / HTTP/1.1\r\n\x00\xff<a>\\\"\x7f";
    assert_eq!(round_trip(&mut conn, chunk, chunk.len()), chunk);
    let rows = [
        "  0000  16 03 01 02 00 01 00 01  fc 03 03 5e 2f 8a 11 c4  |...........^/...|",
        "  0010  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|",
        "  0020  00 ff 3c 61 3e 5c 22 7f                           |..<a>\\\".|",
    ];
    assert_eq!(server.expect("#1 >"), "#1 > 40 bytes, binary:");
    // One event's lines are printed together, each with its `#1 >`.
    for row in rows {
        assert_eq!(server.next_line().as_deref(), Some(&*format!("#1 > {row}")));
    }
    assert_eq!(
        server.expect(" data "),
        format!(
            "#1 {me} data 40 bytes, binary: \
             16 03 01 02 00 01 00 01 fc 03 03 5e 2f 8a 11 c4 ...(24 more)"
        )
    );
    assert_eq!(server.expect("#1 <"), "#1 < 40 bytes, binary:");
    for row in rows {
        assert_eq!(server.next_line().as_deref(), Some(&*format!("#1 < {row}")));
    }
}

#[test]
fn quiet_prints_no_connection_events() {
    let mut server = Server::start(&["--quiet"]);
    let mut conn = server.connect();
    assert_eq!(round_trip(&mut conn, b"shh", 16), you_said(b"shh"));
    drop(conn);
    server.expect_none("#", Duration::from_millis(300));
    server.signal("INT");
    let rest = server.rest();
    assert!(
        rest.last()
            .is_some_and(|l| l.starts_with("shutdown complete: served 1 connection(s)")),
        "{rest:?}"
    );
}

#[test]
fn nothing_is_lost_when_the_client_sends_then_closes_immediately() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    conn.write_all(b"a").unwrap();
    half_close(&conn);
    assert_eq!(read_to_end(&mut conn), you_said(b"a"));
    server.expect(" end");
    assert!(server
        .expect(" close ")
        .contains("close (end): 1 bytes in, 14 bytes out"));
}

/// `--log json`: the same events, one JSON object a line, each with its
/// time, the connection's number and peer, the event's name and fields.
#[test]
fn log_json_prints_each_event_as_one_json_object() {
    use std::io::BufRead;
    use std::process::Stdio;

    let mut child = common::rawnet()
        .args(["--log", "json", "--host", "127.0.0.1", "--port", "0"])
        .args(["--mode", "echo"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn rawnet");
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || -> serde_json::Value {
        let line = lines.next().expect("a line").expect("utf-8");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?} is not JSON: {e}"))
    };
    let listening = next();
    assert_eq!(listening["event"], "listening");
    assert!(listening["time"].as_f64().unwrap() > 1.7e9);
    let addr: std::net::SocketAddr = listening["addr"].as_str().unwrap().parse().unwrap();
    assert_eq!(next()["event"], "serving_at_most");

    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    let me = conn.local_addr().unwrap().to_string();
    round_trip(&mut conn, b"hi\n", 16);
    half_close(&conn);
    read_to_end(&mut conn);

    let connection = next();
    assert_eq!(
        (
            &connection["event"],
            &connection["conn"],
            &connection["peer"]
        ),
        (&"connection".into(), &1.into(), &me.clone().into())
    );
    let data = next();
    assert_eq!(data["event"], "data");
    assert_eq!(data["bytes"]["len"], 3);
    assert_eq!(data["bytes"]["preview"], r#""hi\n""#);
    assert_eq!(next()["event"], "end");
    let close = next();
    assert_eq!(close["event"], "close");
    assert_eq!(close["reason"], "end");
    assert_eq!(close["detail"], "end");
    assert_eq!(
        (&close["bytes_in"], &close["bytes_out"]),
        (&3.into(), &16.into())
    );
    assert!(close["lasted"].as_f64().unwrap() >= 0.0);
    let _ = child.kill();
    let _ = child.wait();
}
