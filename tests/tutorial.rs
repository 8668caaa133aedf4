//! The tutorial's own Node server (`scripts/bench/tutorial.js`) and rawnet
//! side by side, through the same timed exchange over raw TCP: what each
//! sends back must be the same bytes, timeouts and pipes included.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{half_close, read_to_end, Server, PATIENCE};

/// Past the tutorial's 3 s `setTimeout` (rawnet's default `--timeout`), with
/// room for a slow machine to have fired it.
const PAST_THE_TIMEOUT: Duration = Duration::from_millis(3300);

/// Each word sent, and the reply the tutorial's server gives it. Every
/// timeout runs `socket.pipe(socket, {end: false})` once more, so after one
/// silence a chunk also comes back raw, after two silences twice.
const EXCHANGE: [(&[u8], &[u8]); 3] = [
    (b"one", b"You said \"one\"\r\n"),
    (b"two", b"You said \"two\"\r\ntwo"),
    (b"three", b"You said \"three\"\r\nthreethree"),
];

/// `node scripts/bench/tutorial.js 0`: it prints `listening on ADDR` first,
/// as rawnet does, so the same harness starts, watches and stops it.
fn start_node() -> Server {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/bench/tutorial.js");
    let mut node = Command::new("node");
    node.args([script, "0"]);
    Server::spawn(node)
}

/// Reads until `len` bytes arrived or a second passed: the pipe's raw copy
/// may come in a segment of its own, after the `You said` line.
fn read_reply(conn: &mut TcpStream, len: usize) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < len {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        conn.set_read_timeout(Some(left)).unwrap();
        match conn.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            Err(err) => panic!("read after {} of {len} bytes: {err}", got.len()),
        }
    }
    got
}

/// Sends the first `steps` words of `EXCHANGE`, waiting past the timeout
/// before each one after the first, then half-closes. Returns what came back
/// after each word, and last what came after the half-close.
fn converse(addr: SocketAddr, steps: usize) -> Vec<Vec<u8>> {
    let mut conn = TcpStream::connect(addr).expect("connect");
    let mut replies = Vec::new();
    for (i, (word, reply)) in EXCHANGE[..steps].iter().enumerate() {
        if i > 0 {
            std::thread::sleep(PAST_THE_TIMEOUT);
        }
        conn.write_all(word).unwrap();
        replies.push(read_reply(&mut conn, reply.len()));
    }
    half_close(&conn);
    conn.set_read_timeout(Some(PATIENCE)).unwrap();
    replies.push(read_to_end(&mut conn));
    replies
}

/// As text, whose `{:?}` in a failure shows `\r\n` and where each reply
/// ends (every byte here is ASCII).
fn shown(replies: &[Vec<u8>]) -> Vec<String> {
    replies
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect()
}

#[test]
fn rawnet_sends_the_same_bytes_as_the_tutorials_node_server() {
    let mut node = start_node();
    let rawnet = Server::start(&["--mode", "echo"]);
    // Both at once: each conversation spends most of its time waiting.
    let (from_node, from_rawnet) = std::thread::scope(|s| {
        let node_side = s.spawn(|| converse(node.addr, EXCHANGE.len()));
        let from_rawnet = converse(rawnet.addr, EXCHANGE.len());
        (node_side.join().expect("node side"), from_rawnet)
    });

    let expected: Vec<Vec<u8>> = EXCHANGE
        .iter()
        .map(|(_, reply)| reply.to_vec())
        .chain([Vec::new()])
        .collect();
    assert_eq!(
        shown(&from_node),
        shown(&expected),
        "the tutorial's server itself; its log: {:#?}",
        node.rest()
    );
    assert_eq!(
        shown(&from_rawnet),
        shown(&from_node),
        "rawnet against the tutorial's server"
    );
    assert_eq!(from_rawnet.concat(), from_node.concat());
}

#[test]
fn plain_echo_does_not_turn_on_the_pipe_at_the_timeout() {
    let rawnet = Server::start(&["--mode", "echo", "--plain-echo"]);
    let replies = converse(rawnet.addr, 2);
    assert_eq!(
        shown(&replies),
        shown(&[
            b"You said \"one\"\r\n".to_vec(),
            b"You said \"two\"\r\n".to_vec(),
            Vec::new(),
        ])
    );
}
