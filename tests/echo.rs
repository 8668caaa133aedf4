//! The tutorial's echo (`You said "<chunk>"\r\n`) and the raw pipe, byte for
//! byte, over real sockets to the real binary.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use common::{half_close, random_bytes, read_to_end, round_trip, you_said, Server};

#[test]
fn echo_answers_each_chunk_with_you_said() {
    let server = Server::start(&["--mode", "echo"]);
    let mut conn = server.connect();
    let reply = round_trip(&mut conn, b"I am happyGloria.", 30);
    assert_eq!(reply, b"You said \"I am happyGloria.\"\r\n");
    let reply = round_trip(&mut conn, b"second", 19);
    assert_eq!(reply, b"You said \"second\"\r\n");
}

#[test]
fn echo_keeps_crlf_and_binary_byte_exact() {
    // Echo mode: in the default auto mode this request line would get HTTP.
    let server = Server::start(&["--mode", "echo"]);
    let mut conn = server.connect();
    let crlf = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_eq!(round_trip(&mut conn, crlf, crlf.len() + 13), you_said(crlf));

    // Every byte value, NUL and invalid UTF-8 included; small enough to
    // arrive as one chunk on loopback.
    let binary = random_bytes(2048, 7);
    assert!(std::str::from_utf8(&binary).is_err());
    assert_eq!(
        round_trip(&mut conn, &binary, binary.len() + 13),
        you_said(&binary)
    );
}

#[test]
fn echo_writes_what_is_owed_then_closes_after_the_client_half_closes() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.write_all(b"bye").unwrap();
    half_close(&conn);
    assert_eq!(read_to_end(&mut conn), b"You said \"bye\"\r\n");
}

#[test]
fn raw_mode_streams_a_mebibyte_of_random_bytes_back_unchanged() {
    let server = Server::start(&["--mode", "raw", "--quiet"]);
    let conn = server.connect();
    let data = random_bytes(1 << 20, 42);

    // Write and read at once: the server stops reading while its replies
    // are unread (backpressure), so writing everything first could stall.
    let mut writer = conn.try_clone().unwrap();
    let sent = data.clone();
    let writing = std::thread::spawn(move || {
        writer.write_all(&sent).unwrap();
        half_close(&writer);
    });
    let mut reader = conn;
    let echoed = read_to_end(&mut reader);
    writing.join().unwrap();
    assert_eq!(echoed.len(), data.len());
    assert!(echoed == data, "raw echo changed the bytes");
}

#[test]
fn many_clients_are_served_at_once() {
    let server = Server::start(&["--quiet"]);
    let mut conns: Vec<_> = (0..20).map(|_| server.connect()).collect();
    for (i, conn) in conns.iter_mut().enumerate() {
        let msg = format!("client {i}");
        assert_eq!(
            round_trip(conn, msg.as_bytes(), msg.len() + 13),
            you_said(msg.as_bytes())
        );
    }
}

/// The tutorial's `nc localhost 8081`, with the real netcat-openbsd.
#[test]
fn nc_gets_the_echo() {
    let server = Server::start(&[]);
    let mut nc = Command::new("nc")
        // -N: send FIN when stdin ends, so the server answers and closes.
        .args(["-N", "127.0.0.1", &server.addr.port().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("nc (netcat-openbsd) must be installed: scripts/test.sh installs it");
    nc.stdin
        .take()
        .unwrap()
        .write_all(b"hello from nc\n")
        .unwrap();
    let mut out = Vec::new();
    nc.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    assert!(nc.wait().unwrap().success());
    assert_eq!(out, b"You said \"hello from nc\n\"\r\n");
}
