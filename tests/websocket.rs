#![cfg(feature = "websocket")]
//! WebSocket on the same port (RFC 6455): the handshake, the echo one
//! layer up, every failure with its close code byte for byte, the close
//! handshake, the 1001 before `--idle-close` and shutdown, a client that
//! stops reading, `?explain`, and Python's `websockets` as a real client.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{read_exactly, read_response, read_to_end, without_date, Server};

/// RFC 6455 §1.3's sample key, and the answer the RFC gives for it.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// rawnet's whole 101 for [`KEY`]: no Date, so always these bytes.
const SWITCHING: &str = "HTTP/1.1 101 Switching Protocols\r\n\
                         Upgrade: websocket\r\n\
                         Connection: Upgrade\r\n\
                         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

/// RFC 6455 §5.7: a masked text frame, "Hello", mask 37 fa 21 3d.
const MASKED_HELLO: [u8; 11] = [
    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];

fn upgrade_request(target: &str) -> String {
    format!(
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
}

/// A connection that completed the handshake on `target`.
fn upgraded(server: &Server, target: &str) -> TcpStream {
    let mut conn = server.connect();
    conn.write_all(upgrade_request(target).as_bytes()).unwrap();
    let got = read_exactly(&mut conn, SWITCHING.len());
    assert_eq!(String::from_utf8_lossy(&got), SWITCHING);
    conn
}

/// A client frame: FIN and `opcode` (the whole first byte), masked with
/// `mask`, for any payload length. Written here again, not taken from
/// `src/ws/frame.rs` nor `src/bench/websocket.rs`, on purpose: frames
/// built by the server's own code would agree with any mistake in it.
fn client_frame(first: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    let mut frame = vec![first];
    match payload.len() {
        n @ 0..=125 => frame.push(0x80 | n as u8),
        n @ 126..=0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// A server frame (FIN, unmasked) with a payload under 126 bytes.
fn server_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    [&[0x80 | opcode, payload.len() as u8][..], payload].concat()
}

/// The close frame rawnet sends: `code`, then `reason`.
fn close_frame(code: u16, reason: &str) -> Vec<u8> {
    server_frame(0x8, &[&code.to_be_bytes()[..], reason.as_bytes()].concat())
}

const MASK: [u8; 4] = [1, 2, 3, 4];

#[test]
fn the_rfcs_sample_key_gets_the_rfcs_accept_and_hello_is_echoed() {
    let mut server = Server::start(&[]);
    let mut conn = upgraded(&server, "/chat");
    conn.write_all(&MASKED_HELLO).unwrap();
    let echo = server_frame(0x1, b"You said \"Hello\"");
    assert_eq!(read_exactly(&mut conn, echo.len()), echo);
    server.expect("request 1: GET /chat HTTP/1.1 -> 101 Switching Protocols, 129 bytes");
    server.expect(&format!("websocket: upgraded, key {KEY}, accept {ACCEPT}"));
    server.expect("ws frame: FIN text 5 bytes, mask 37fa213d, \"Hello\"");
    server.expect("ws frame sent: FIN text 16 bytes, \"You said \\\"Hello\\\"\"");
}

/// tests/README.md cases 38-41: every frame that breaks the protocol gets
/// one close frame with its code and the problem in words, then FIN.
#[test]
fn each_broken_frame_gets_its_close_code_byte_for_byte() {
    let mut server = Server::start(&["--ws-max-message", "10"]);
    let unmasked = [&[0x81, 0x05][..], b"Hello"].concat();
    let mut rsv = client_frame(0x81, b"x", MASK);
    rsv[0] |= 0x40;
    let cases: [(&str, Vec<u8>, u16, &str); 11] = [
        ("unmasked", unmasked, 1002, "client frame not masked"),
        ("RSV1", rsv, 1002, "RSV bits 100 set, no extension agreed"),
        (
            "opcode 3",
            client_frame(0x83, b"", MASK),
            1002,
            "reserved opcode 0x3",
        ),
        (
            "fragmented ping",
            client_frame(0x09, b"", MASK),
            1002,
            "fragmented control frame",
        ),
        (
            "long ping",
            client_frame(0x89, &[7; 126], MASK),
            1002,
            "control frame over 125 bytes",
        ),
        (
            "continuation first",
            client_frame(0x80, b"x", MASK),
            1002,
            "continuation frame without a message",
        ),
        (
            "text inside a message",
            [
                client_frame(0x01, b"a", MASK),
                client_frame(0x81, b"b", MASK),
            ]
            .concat(),
            1002,
            "new message before the last one ended",
        ),
        (
            "invalid UTF-8",
            client_frame(0x81, b"a\xffb", MASK),
            1007,
            "invalid UTF-8 in text",
        ),
        (
            "over --ws-max-message",
            client_frame(0x82, &[0; 11], MASK),
            1009,
            "message over 10 bytes (--ws-max-message)",
        ),
        (
            "1-byte close",
            client_frame(0x88, b"\x03", MASK),
            1002,
            "close frame with a 1-byte payload",
        ),
        (
            "close code 1005",
            client_frame(0x88, &1005u16.to_be_bytes(), MASK),
            1002,
            "invalid close code 1005",
        ),
    ];
    for (name, frame, code, reason) in cases {
        let mut conn = upgraded(&server, "/");
        conn.write_all(&frame).unwrap();
        assert_eq!(
            read_to_end(&mut conn),
            close_frame(code, reason),
            "{name}: close {code} {reason:?}"
        );
        server.expect(&format!("websocket close {code}: {reason}"));
    }
}

/// Case 36: UTF-8 is checked as it comes, so a bad byte fails before the
/// frame (or the message) is complete, as Autobahn 6.4 expects.
#[test]
fn invalid_utf8_fails_before_the_frame_ends() {
    let server = Server::start(&[]);
    let mut conn = upgraded(&server, "/");
    let frame = client_frame(0x81, b"ok \xff and then much more", MASK);
    conn.write_all(&frame[..frame.len() - 10]).unwrap();
    assert_eq!(
        read_to_end(&mut conn),
        close_frame(1007, "invalid UTF-8 in text")
    );
}

/// Case 39: a text message whose UTF-8 character is split between two
/// fragments is fine; pings between fragments are answered at once.
#[test]
fn fragments_pings_between_them_and_a_split_character() {
    let server = Server::start(&[]);
    let mut conn = upgraded(&server, "/");
    let mut sent = client_frame(0x01, b"caf\xc3", MASK);
    sent.extend(client_frame(0x89, b"ping!", MASK));
    sent.extend(client_frame(0x80, b"\xa9", MASK));
    conn.write_all(&sent).unwrap();
    let pong = server_frame(0xA, b"ping!");
    let echo = server_frame(0x1, "You said \"café\"".as_bytes());
    let expected = [pong, echo].concat();
    assert_eq!(read_exactly(&mut conn, expected.len()), expected);
}

/// Case 40: the close handshake echoes the client's code (an empty close
/// gets an empty close), then rawnet closes the TCP connection.
#[test]
fn a_clients_close_is_echoed_then_the_connection_closes() {
    let mut server = Server::start(&[]);
    let mut conn = upgraded(&server, "/");
    conn.write_all(&client_frame(0x88, b"\x03\xe8bye", MASK))
        .unwrap();
    assert_eq!(read_to_end(&mut conn), close_frame(1000, ""));
    server.expect("ws frame: FIN close 5 bytes, mask 01020304, code 1000 \"bye\"");
    server.expect("websocket close 1000: the client closed; its code echoed");
    server.expect("close (done)");

    let mut conn = upgraded(&server, "/");
    conn.write_all(&client_frame(0x88, b"", MASK)).unwrap();
    assert_eq!(read_to_end(&mut conn), server_frame(0x8, b""));
    server.expect("ws frame: FIN close 0 bytes, mask 01020304, no code");
    server.expect("websocket close, no code: the client closed without a code; answered the same");
}

/// Case 42.
#[test]
fn idle_close_sends_1001_first() {
    let mut server = Server::start(&["--idle-close", "1"]);
    let mut conn = upgraded(&server, "/");
    assert_eq!(
        read_to_end(&mut conn),
        close_frame(1001, "idle (--idle-close)")
    );
    server.expect("websocket close 1001: idle (--idle-close)");
    server.expect("close (idle: no data for 1s)");
}

/// Case 42.
#[test]
fn sigterm_sends_1001_first() {
    let mut server = Server::start(&["--grace", "0"]);
    let mut conn = upgraded(&server, "/");
    server.expect("websocket: upgraded");
    server.signal("TERM");
    assert_eq!(
        read_to_end(&mut conn),
        close_frame(1001, "the server is shutting down")
    );
    server.expect("close (shutdown)");
}

/// Case 41: a client that sends and never reads is stopped being read
/// from, then closed by `--write-timeout`, as any other.
#[test]
fn a_client_that_stops_reading_is_closed_by_the_write_timeout() {
    let mut server = Server::start(&["--write-timeout", "1", "--idle-close", "0"]);
    let conn = upgraded(&server, "/");
    conn.set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let message = client_frame(0x82, &[b'x'; 60_000], MASK);
    let mut writer = conn.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        // Bounded: 400 messages (24 MB) at most; the writes stop being
        // taken once rawnet stops reading, and fail once it closes.
        for _ in 0..400 {
            if writer.write_all(&message).is_err() {
                break;
            }
        }
    });
    server.expect("close (write timeout: the client read nothing for 1s)");
    drop(conn);
    sender.join().unwrap();
}

/// Case 43: `?explain` describes each frame received and each frame sent
/// in answer, in JSON, before the frame itself.
#[test]
fn explain_describes_every_frame_both_ways() {
    let server = Server::start(&[]);
    let mut conn = upgraded(&server, "/chat?x=1&explain");
    conn.write_all(&MASKED_HELLO).unwrap();
    let received = r#"{"explain":"received","fin":true,"rsv":[false,false,false],"opcode":"text","masked":true,"mask":"37fa213d","length":5,"header":"81 85 37 fa 21 3d","payload_masked":"7f 9f 4d 51 58","payload":"Hello","payload_not_shown":0,"payload_hex":"48 65 6c 6c 6f","truncated":0}"#;
    let sent = r#"{"explain":"sent","fin":true,"rsv":[false,false,false],"opcode":"text","masked":false,"mask":null,"length":16,"header":"81 10","payload_masked":null,"payload":"You said \"Hello\"","payload_not_shown":0,"payload_hex":"59 6f 75 20 73 61 69 64 20 22 48 65 6c 6c 6f 22","truncated":0}"#;
    let text = |json: &str| {
        let len = json.len() as u16;
        [&[0x81, 126][..], &len.to_be_bytes(), json.as_bytes()].concat()
    };
    let expected = [
        text(received),
        text(sent),
        server_frame(0x1, b"You said \"Hello\""),
    ]
    .concat();
    let got = read_exactly(&mut conn, expected.len());
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&expected)
    );
    // Each description, cut out of the server's own frames, is one JSON
    // object a client's parser takes.
    let mut rest = &got[..];
    for way in ["received", "sent"] {
        let [0x81, 126, high, low, ..] = *rest else {
            panic!("not a text frame with a 2-byte length: {rest:?}");
        };
        let end = 4 + usize::from(u16::from_be_bytes([high, low]));
        let value: serde_json::Value = serde_json::from_slice(&rest[4..end]).unwrap();
        assert_eq!(value["explain"], way, "{value}");
        rest = &rest[end..];
    }
    assert_eq!(rest, server_frame(0x1, b"You said \"Hello\""));
}

#[test]
fn trace_decodes_each_header_byte_and_both_payloads() {
    let mut server = Server::start(&["--trace"]);
    let mut conn = upgraded(&server, "/");
    conn.write_all(&MASKED_HELLO).unwrap();
    read_exactly(&mut conn, 18);
    for line in [
        "#1 ws frame header, 6 bytes: 81 85 37 fa 21 3d",
        "#1   81           FIN 1, RSV 0 0 0, opcode 0x1 (text)",
        "#1   85           MASK 1, length 5",
        "#1   37 fa 21 3d  masking key",
        "#1 ws payload as sent (masked), 5 bytes:",
        "#1   0000  7f 9f 4d 51 58                                    |..MQX|",
        "#1 ws payload unmasked:",
        "#1   0000  48 65 6c 6c 6f                                    |Hello|",
    ] {
        assert_eq!(server.expect(line), line);
    }
}

/// Case 34: requests that ask to upgrade but are no valid handshake.
#[test]
fn a_wrong_handshake_gets_426_or_a_400_that_names_it() {
    let server = Server::start(&[]);
    let good = upgrade_request("/");
    let cases = [
        (
            good.replace(": 13", ": 8"),
            426,
            "426 Upgrade Required: Sec-WebSocket-Version \"8\" is not spoken here; use 13\n",
        ),
        (
            good.replace("Connection: Upgrade", "Connection: keep-alive"),
            400,
            "400 Bad Request: Upgrade: websocket without Connection: Upgrade\n",
        ),
        (
            good.replace(KEY, "c2hvcnQ="),
            400,
            "400 Bad Request: Sec-WebSocket-Key \"c2hvcnQ=\" is not 16 bytes in base64\n",
        ),
        (
            good.replace(&format!("Sec-WebSocket-Key: {KEY}\r\n"), ""),
            400,
            "400 Bad Request: WebSocket upgrade without one Sec-WebSocket-Key\n",
        ),
        (
            good.replace("Sec-WebSocket-Version: 13\r\n", ""),
            400,
            "400 Bad Request: WebSocket upgrade without Sec-WebSocket-Version\n",
        ),
        (
            good.replace("GET", "POST"),
            400,
            "400 Bad Request: a WebSocket upgrade must be a GET\n",
        ),
        (
            good.replace("HTTP/1.1", "HTTP/1.0"),
            400,
            "400 Bad Request: a WebSocket upgrade needs HTTP/1.1\n",
        ),
        (
            good.replace("HTTP/1.1", "HTTP/1.2"),
            400,
            "400 Bad Request: a WebSocket upgrade needs HTTP/1.1\n",
        ),
        // Its bytes would otherwise be read as a frame after the 101.
        (
            good.replace("\r\n\r\n", "\r\nContent-Length: 5\r\n\r\nhello"),
            400,
            "400 Bad Request: a WebSocket upgrade must not have a body: after the 101 its bytes would be read as frames\n",
        ),
        (
            good.replace("\r\n\r\n", "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            400,
            "400 Bad Request: a WebSocket upgrade must not have a body: after the 101 its bytes would be read as frames\n",
        ),
    ];
    for (request, status, body) in cases {
        let mut conn = server.connect();
        conn.write_all(request.as_bytes()).unwrap();
        let mut pending = Vec::new();
        let response = read_response(&mut conn, &mut pending, false);
        assert_eq!(
            (response.status, response.body_text().as_str()),
            (status, body)
        );
        let version = response.header("Sec-WebSocket-Version");
        assert_eq!(version, (status == 426).then_some("13"), "{request}");
        assert!(without_date(&response.head).contains("Connection: close"));
    }
}

/// A request that does not ask for websocket is HTTP as before, Upgrade
/// header or not.
#[test]
fn other_upgrades_stay_http() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: foo\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut pending = Vec::new();
    assert_eq!(read_response(&mut conn, &mut pending, false).status, 200);
}

/// Python's `websockets` (Debian's python3-websockets) as a real client:
/// its handshake, text and binary echo, a fragmented message, a ping,
/// `--ws-echo raw`, and its close handshake, which it checks itself.
#[test]
fn pythons_websockets_client() {
    let script = r#"
import asyncio, sys, websockets
async def main(url):
    async with websockets.connect(url, compression=None) as ws:
        await ws.send("Hello")
        print(repr(await ws.recv()))
        await ws.send(b"\x00\xffbin")
        print(repr(await ws.recv()))
        await ws.send(["frag", "ment", "ed"])
        print(repr(await ws.recv()))
        await asyncio.wait_for(await ws.ping(b"abc"), 5)
        print("pong")
    print("closed", ws.close_code)
asyncio.run(asyncio.wait_for(main(sys.argv[1]), 10))
"#;
    let run = |server: &Server| common::python3(script, &[&format!("ws://{}/py", server.addr)]);
    let mut server = Server::start(&[]);
    assert_eq!(
        run(&server),
        "'You said \"Hello\"'\n\
         b'You said \"\\x00\\xffbin\"'\n\
         'You said \"fragmented\"'\n\
         pong\n\
         closed 1000\n"
    );
    server.expect("ws frame: text 4 bytes");
    server.expect("ws frame: continuation 4 bytes, mask ");
    server.expect("ws frame: FIN continuation ");
    server.expect("websocket close 1000");
    let server = Server::start(&["--ws-echo", "raw"]);
    assert!(run(&server).starts_with("'Hello'\nb'\\x00\\xffbin'\n'fragmented'\n"));
}

/// Case 36: a close frame's reason must be UTF-8 too.
#[test]
fn a_close_reason_that_is_not_utf8_gets_1007() {
    let mut server = Server::start(&[]);
    let mut conn = upgraded(&server, "/");
    conn.write_all(&client_frame(0x88, b"\x03\xe8\xff", MASK))
        .unwrap();
    let mut got = Vec::new();
    conn.read_to_end(&mut got).unwrap();
    let reason = "invalid UTF-8 in the close reason";
    assert_eq!(got, close_frame(1007, reason));
    server.expect(&format!("websocket close 1007: {reason}"));
}

/// `--timeout` only logs on a WebSocket: no pipe, so the echo after a
/// silence is still one frame and nothing more.
#[test]
fn a_timeout_only_logs() {
    let mut server = Server::start(&["--timeout", "1"]);
    let mut conn = upgraded(&server, "/");
    server.expect("timeout: no data for 1s");
    conn.write_all(&MASKED_HELLO).unwrap();
    let echo = server_frame(0x1, b"You said \"Hello\"");
    assert_eq!(read_exactly(&mut conn, echo.len()), echo);
    conn.write_all(&client_frame(0x88, b"", MASK)).unwrap();
    assert_eq!(read_to_end(&mut conn), server_frame(0x8, b""));
}

/// tests/README.md case 58: a message begun and then kept unfinished with
/// an empty continuation frame (6 bytes) now and then: before
/// `--ws-message-timeout`, one every 20 s kept its buffer past
/// `--idle-close` for good. Now it is closed when the timeout has passed
/// since it began, however often the frames come, with 1008, byte for
/// byte.
#[test]
fn an_unfinished_message_kept_alive_is_closed_at_its_deadline() {
    let mut server = Server::start(&["--ws-message-timeout", "2"]);
    let mut conn = upgraded(&server, "/");
    let started = Instant::now();
    // Text, no FIN: the message goes on in continuation frames.
    conn.write_all(&client_frame(0x01, b"Hel", MASK)).unwrap();
    let keep_alive = client_frame(0x00, b"", MASK);
    assert_eq!(keep_alive.len(), 6);
    let mut writer = conn.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        // Bounded: 6 s at most; the writes fail once rawnet has closed.
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(300));
            if writer.write_all(&keep_alive).is_err() {
                break;
            }
        }
    });
    let reason = "message not complete within 2s (--ws-message-timeout)";
    let closing = close_frame(1008, reason);
    assert_eq!(read_exactly(&mut conn, closing.len()), closing);
    let waited = started.elapsed();
    assert!(
        (Duration::from_millis(1900)..Duration::from_secs(4)).contains(&waited),
        "closed after {waited:?}"
    );
    server.expect(&format!("websocket close 1008: {reason}"));
    server.expect("close (done)");
    drop(conn);
    sender.join().unwrap();
}

/// tests/README.md case 59: a frame that would take its message past the
/// server's memory budget (here 1 MiB, with `--ws-max-message` above it)
/// gets 1013, try again later, from its header, before any payload; the
/// others carry on.
#[test]
fn a_message_past_the_memory_budget_gets_1013() {
    let mut server = Server::start(&["--memory-budget", "1", "--ws-max-message", "2097152"]);
    let mut conn = upgraded(&server, "/");
    // A binary frame's header declaring 1 MiB and 1 byte.
    let mut header = vec![0x82, 0x80 | 127];
    header.extend_from_slice(&((1u64 << 20) + 1).to_be_bytes());
    header.extend_from_slice(&MASK);
    conn.write_all(&header).unwrap();
    let reason = "the server's memory budget for all connections (1 MiB, --memory-budget) \
                  is spent; try again later";
    assert_eq!(read_to_end(&mut conn), close_frame(1013, reason));
    server.expect(&format!("websocket close 1013: {reason}"));
    // A message within what is left is echoed, on another connection.
    let mut other = upgraded(&server, "/");
    other.write_all(&MASKED_HELLO).unwrap();
    let echo = server_frame(0x1, b"You said \"Hello\"");
    assert_eq!(read_exactly(&mut other, echo.len()), echo);
}
