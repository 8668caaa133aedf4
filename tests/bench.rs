#![cfg(feature = "bench")]
//! `rawnet bench` against a real rawnet: it must report a rate and no
//! errors against the right server, and errors against a wrong one. (Speed
//! itself is measured by scripts/bench.sh, never asserted in a test.)

mod common;

use common::{rawnet, Server};

fn bench(server: &Server, args: &[&str]) -> (bool, String) {
    let out = rawnet()
        .args([
            "bench",
            "--host",
            "127.0.0.1",
            "--port",
            &server.addr.port().to_string(),
        ])
        .args(["--duration", "1", "--connections", "4", "--threads", "1"])
        .args(args)
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(
        progress.contains("[1s] "),
        "a progress line each second on stderr: {progress}"
    );
    (out.status.success(), summary)
}

fn field(summary: &str, name: &str) -> f64 {
    summary
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {summary}"))
}

#[test]
fn bench_reports_a_rate_and_no_errors_against_the_right_server() {
    for (server_args, bench_args) in [
        (
            &["--mode", "echo", "--quiet"][..],
            &["--mode", "echo", "--pipeline", "4"][..],
        ),
        (
            &["--mode", "raw", "--quiet"],
            &["--mode", "raw", "--size", "65536"],
        ),
        (
            &["--mode", "http", "--quiet", "--body", "hello,world"],
            &["--mode", "http", "--expect", "hello,world"],
        ),
        (&["--quiet"], &["--mode", "http", "--pipeline", "16"]),
        // A WebSocket upgrade per connection, then masked messages, each
        // answer one text frame; 200 bytes need the 16-bit length. The
        // server's side of them is the `websocket` feature.
        #[cfg(feature = "websocket")]
        (&["--quiet"], &["--mode", "ws"]),
        #[cfg(feature = "websocket")]
        (
            &["--mode", "http", "--quiet"],
            &["--mode", "ws", "--size", "200", "--pipeline", "4"],
        ),
    ] {
        let server = Server::start(server_args);
        let (ok, summary) = bench(&server, bench_args);
        assert!(ok, "{server_args:?} {bench_args:?}: {summary}");
        assert!(field(&summary, "requests/s:") > 0.0, "{summary}");
        assert_eq!(field(&summary, "errors:"), 0.0, "{summary}");
        assert!(summary.contains("latency ms: p50 "), "{summary}");
    }
}

#[test]
fn bench_reports_errors_against_a_wrong_server() {
    for (server_args, bench_args) in [
        // An echo server answered as if it were raw: the framing is wrong.
        (&["--mode", "echo", "--quiet"][..], &["--mode", "raw"][..]),
        // A raw server where HTTP responses are expected.
        (&["--mode", "raw", "--quiet"], &["--mode", "http"]),
        // The right protocol, the wrong body.
        (
            &["--mode", "http", "--quiet", "--body", "nope"],
            &["--mode", "http", "--expect", "hello,world"],
        ),
        // WebSocket against a server that does not upgrade, and against
        // one whose answers are not `You said "..."`.
        (&["--mode", "echo", "--quiet"], &["--mode", "ws"]),
        (&["--mode", "raw", "--quiet"], &["--mode", "ws"]),
    ] {
        let server = Server::start(server_args);
        let (ok, summary) = bench(&server, bench_args);
        assert!(!ok, "{server_args:?} {bench_args:?} should fail: {summary}");
        assert!(field(&summary, "errors:") > 0.0, "{summary}");
        assert!(summary.contains("  error: "), "{summary}");
    }
}
