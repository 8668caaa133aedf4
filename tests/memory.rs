//! Memory under floods (tests/README.md "TCP and resources"): what the
//! server holds while many clients make it buffer, and whether it gives
//! that back once they leave. Every test is bounded in count and time and
//! talks to 127.0.0.1 only; the server's RSS is read from /proc.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{rss_kib, Server};

/// One flood client: a `?delay=30` request with a pipelined 1 MiB POST
/// behind it, so the server holds the POST (head and body) while the
/// delayed answer waits.
fn delayed_with_a_post_behind(server: &Server) -> TcpStream {
    let mut conn = server.connect();
    let mut request = b"GET /?delay=30 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    request.extend_from_slice(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n");
    request.resize(request.len() + (1 << 20), b'x');
    conn.set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn.write_all(&request).unwrap();
    conn
}

/// RSS once it has stopped growing for a moment (the server is still
/// reading what the kernel holds for it), at most `limit` from now.
fn settled_rss(pid: u32, limit: Duration) -> u64 {
    let started = Instant::now();
    let mut last = rss_kib(pid);
    while started.elapsed() < limit {
        sleep(Duration::from_millis(300));
        let now = rss_kib(pid);
        if now <= last {
            return now;
        }
        last = now;
    }
    last
}

/// tests/README.md case 48: three floods in a row, each 400 clients that
/// make the server hold about 1 MiB apiece (a delayed answer with a 1 MiB
/// POST pipelined behind it), then leave. glibc's malloc kept 320 to
/// 450 MB of it with no connection open, round after round; the server's
/// allocator must give it back: within 10 s of the last flood, RSS is
/// within 64 MiB of its start.
#[test]
fn memory_comes_back_after_floods() {
    const CLIENTS: usize = 400;
    let mut server = Server::start(&["--mode", "http"]);
    let pid = server.pid();
    let start_rss = rss_kib(pid);
    for round in 1..=3 {
        let clients: Vec<TcpStream> = (0..CLIENTS)
            .map(|_| delayed_with_a_post_behind(&server))
            .collect();
        let peak = settled_rss(pid, Duration::from_secs(5));
        drop(clients);
        for _ in 0..CLIENTS {
            server.expect("close (end)");
        }
        let after = rss_kib(pid);
        println!(
            "flood {round}: RSS {start_rss} KiB at start, {peak} KiB held, {after} KiB once they left"
        );
        assert!(
            peak > start_rss + (CLIENTS as u64 * 1024) / 2,
            "flood {round} did not make the server hold memory: {start_rss} -> {peak} KiB"
        );
    }
    let left = Instant::now();
    let mut rss = rss_kib(pid);
    while rss >= start_rss + 64 * 1024 && left.elapsed() < Duration::from_secs(10) {
        sleep(Duration::from_millis(250));
        rss = rss_kib(pid);
    }
    println!(
        "{:.1} s after the last flood: RSS {rss} KiB (start {start_rss} KiB)",
        left.elapsed().as_secs_f64()
    );
    assert!(
        rss < start_rss + 64 * 1024,
        "RSS stayed at {rss} KiB for 10 s after the floods (start {start_rss} KiB)"
    );
}
