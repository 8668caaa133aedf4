//! The command line as a user meets it: help, version, usage errors, bind
//! errors, and stopping with Ctrl-C or SIGTERM.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{rawnet, read_to_end, round_trip, you_said, Server};

#[test]
fn help_documents_server_and_client_options() {
    let out = rawnet().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for option in [
        "--host",
        "--port",
        "--mode",
        "--timeout",
        "--idle-close",
        "--max-connections",
        "--grace",
        "--quiet",
        "--trace",
        "--message",
        "--half-close",
        "--stdin",
    ] {
        assert!(help.contains(option), "--help does not mention {option}");
    }
}

#[test]
fn version_prints_name_and_version() {
    let out = rawnet().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        out.stdout,
        format!("rawnet {}\n", env!("CARGO_PKG_VERSION")).as_bytes()
    );
}

#[test]
fn usage_errors_exit_2_with_one_message_on_stderr() {
    for args in [
        &["--port", "nope"][..],
        &["--mode", "telnet"],
        &["frobnicate"],
        &["--quiet", "--trace"],
    ] {
        let out = rawnet().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.is_empty() && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

/// An argument that is not UTF-8 (a stray byte in a path or a `--body`)
/// is a usage error with one line naming it, not a panic in the standard
/// library's `args()`.
#[test]
fn an_argument_that_is_not_utf8_exits_2_with_one_line() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    for args in [
        &[
            OsStr::new("client"),
            OsStr::new("--http"),
            OsStr::from_bytes(b"/\xff"),
        ][..],
        &[OsStr::new("--body"), OsStr::from_bytes(b"\xff")],
    ] {
        let out = rawnet().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("is not UTF-8"), "{args:?}: {err}");
    }
}

#[test]
fn address_in_use_is_one_line_with_a_hint_and_exit_1() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = rawnet()
        .args(["--host", "127.0.0.1", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "rawnet: cannot listen on 127.0.0.1:{port}: address already in use \
             (another program is listening there; stop it or try --port 0 for any free port)\n"
        )
    );
}

#[test]
fn unknown_host_is_one_line_and_exit_1() {
    let out = rawnet()
        .args(["--host", "no-such-host.invalid", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("rawnet: cannot resolve host 'no-such-host.invalid': "),
        "{err}"
    );
    assert!(
        err.ends_with("(try --host 127.0.0.1)\n") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn port_zero_prints_the_real_port() {
    let server = Server::start(&[]);
    assert_eq!(server.addr.ip().to_string(), "127.0.0.1");
    assert_ne!(server.addr.port(), 0);
}

#[test]
fn sigint_with_an_open_connection_waits_the_grace_period_then_closes_it() {
    let mut server = Server::start(&["--grace", "1"]);
    let mut conn = server.connect();
    assert_eq!(round_trip(&mut conn, b"hi", 15), you_said(b"hi"));
    server.expect(" data ");

    let asked = Instant::now();
    server.signal("INT");
    assert_eq!(server.expect("received"), "received SIGINT, shutting down");
    assert_eq!(
        server.expect("stopped accepting"),
        "stopped accepting; 1 connection(s) still open, waiting up to 1s"
    );
    // New connections are refused while the old one finishes.
    assert!(std::net::TcpStream::connect(server.addr).is_err());

    assert_eq!(
        server.expect("grace period over"),
        "grace period over; closing 1 connection(s)"
    );
    assert!(server
        .expect(" close ")
        .contains("close (shutdown): 2 bytes in, 15 bytes out"));
    assert_eq!(read_to_end(&mut conn), b"", "the client sees the close");
    assert_eq!(
        server.expect("shutdown complete"),
        "shutdown complete: served 1 connection(s), 2 bytes in, 15 bytes out"
    );
    assert!(server.wait_exit().success());
    assert!(
        asked.elapsed() >= Duration::from_millis(900),
        "the grace period was cut short"
    );
}

#[test]
fn a_connection_that_finishes_during_the_grace_period_ends_it_early() {
    let mut server = Server::start(&["--grace", "30"]);
    let conn = server.connect();
    server.expect_all(&["#1 ", " connection"]);
    server.signal("TERM");
    assert_eq!(server.expect("received"), "received SIGTERM, shutting down");
    server.expect("stopped accepting");
    drop(conn);
    assert!(server.expect(" close ").contains("close (end)"));
    server.expect("shutdown complete: served 1 connection(s)");
    assert!(server.wait_exit().success());
}

#[test]
fn a_second_sigint_exits_at_once() {
    let mut server = Server::start(&["--grace", "30"]);
    let _conn = server.connect();
    server.expect_all(&["#1 ", " connection"]);
    server.signal("INT");
    server.expect("stopped accepting");
    server.signal("INT");
    let status = server.wait_exit();
    assert_eq!(status.code(), Some(130));
}

/// The exit status names the second signal: 128 + 15 for SIGTERM, as a shell
/// reports a process SIGTERM killed (not SIGINT's 130).
#[test]
fn a_second_sigterm_exits_at_once_with_143() {
    let mut server = Server::start(&["--grace", "30"]);
    let _conn = server.connect();
    server.expect_all(&["#1 ", " connection"]);
    server.signal("TERM");
    server.expect("stopped accepting");
    server.signal("TERM");
    let status = server.wait_exit();
    assert_eq!(status.code(), Some(143));
}

#[test]
fn sigterm_without_connections_exits_0_with_a_summary() {
    let mut server = Server::start(&[]);
    server.signal("TERM");
    let rest = server.rest();
    assert!(rest[0].starts_with("serving at most "), "{rest:?}");
    assert_eq!(
        rest[1..],
        [
            "received SIGTERM, shutting down",
            "shutdown complete: served 0 connection(s), 0 bytes in, 0 bytes out"
        ]
    );
    assert!(server.wait_exit().success());
}
