//! `rawnet client`, the tutorial's `net.Socket` client, against the real
//! server and against servers that refuse or stay silent.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::process::{Output, Stdio};

use common::{rawnet, Server};

fn client(server: &Server, args: &[&str]) -> Output {
    rawnet()
        .args([
            "client",
            "--host",
            "127.0.0.1",
            "--port",
            &server.addr.port().to_string(),
        ])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn default_client_prints_the_tutorials_exchange() {
    let mut server = Server::start(&[]);
    let out = client(&server, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = format!(
        "connect to 127.0.0.1:{}\nDATA: You said \"I am happyGloria.\"\r\nConnection closed\n",
        server.addr.port()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    server.expect("data 17 bytes: \"I am happyGloria.\"");
}

#[test]
fn half_close_makes_the_server_log_end_and_prints_everything() {
    let mut server = Server::start(&[]);
    let out = client(&server, &["--half-close", "--message", "abc"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "connect to 127.0.0.1:{}\nDATA: You said \"abc\"\r\nConnection closed\n",
            server.addr.port()
        )
    );
    server.expect(" end");
    assert!(server
        .expect(" close ")
        .contains("close (end): 3 bytes in, 16 bytes out"));
}

#[test]
fn stdin_mode_is_like_nc() {
    let server = Server::start(&["--mode", "raw"]);
    let mut child = rawnet()
        .args([
            "client",
            "--stdin",
            "--host",
            "127.0.0.1",
            "--port",
            &server.addr.port().to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let payload: Vec<u8> = common::random_bytes(200_000, 9);
    let mut stdin = child.stdin.take().unwrap();
    let sent = payload.clone();
    let feeder = std::thread::spawn(move || stdin.write_all(&sent).unwrap());
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert!(out.status.success());
    assert!(
        out.stdout == payload,
        "stdout should be exactly the server's bytes"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "connect to 127.0.0.1:{}\nConnection closed\n",
            server.addr.port()
        )
    );
}

#[test]
fn a_refused_connection_is_one_line_and_exit_1() {
    // Bind then drop: a port that nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let out = rawnet()
        .args(["client", "--host", "127.0.0.1", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "rawnet: client: cannot connect to 127.0.0.1:{port}: connection refused \
             (is a server running there? start one with `rawnet`)\n"
        )
    );
}

#[test]
fn a_silent_server_is_reported_after_wait() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port().to_string();
    let out = rawnet()
        .args([
            "client",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--wait",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(&format!(
            "rawnet: client: 127.0.0.1:{port} sent nothing for 1s"
        )),
        "{err}"
    );
}
