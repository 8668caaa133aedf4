//! Hostile clients and resource faults (tests/README.md "TCP and resources"
//! and the slow-sender cases): slowloris, a client that never reads, running
//! out of file descriptors, resets mid-response, and garbage in every mode.
//! Every test is bounded in time and talks to 127.0.0.1 only.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{bystander_get, random_bytes, read_response, round_trip, rss_kib, you_said, Server};

/// User plus system CPU time of a process, in clock ticks (1/100 s).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The command name may hold spaces; the fields after ") " are fixed.
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// tests/README.md case 1: 200 connections dribble request heads a byte every 100 ms.
/// Normal clients keep being answered meanwhile, and the dribblers get 408
/// when the head deadline passes, however many bytes they managed to send.
#[test]
fn slowloris_gets_408_and_does_not_starve_others() {
    let mut server = Server::start(&["--mode", "http", "--head-timeout", "2", "--quiet"]);
    let started = Instant::now();
    let mut dribblers: Vec<TcpStream> = (0..200).map(|_| server.connect()).collect();
    let head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n";

    let mut sent = 0;
    let mut answered_meanwhile = 0;
    while started.elapsed() < Duration::from_millis(1500) {
        for conn in &mut dribblers {
            conn.write_all(&head[sent..sent + 1]).unwrap();
        }
        sent += 1;
        // A normal client, in between the dribbles, is served at once.
        let asked = Instant::now();
        assert_eq!(bystander_get(&server), 200);
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "a normal request waited {:?}",
            asked.elapsed()
        );
        answered_meanwhile += 1;
        sleep(Duration::from_millis(100));
    }
    assert!(
        sent < head.len(),
        "the heads must still be incomplete at the deadline"
    );
    assert!(answered_meanwhile >= 10);

    for conn in &mut dribblers {
        let response = read_response(conn, &mut Vec::new(), false);
        assert_eq!(response.status, 408);
        assert!(response
            .body_text()
            .contains("request head not complete within 2s"));
    }
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(5),
        "the 408s came after {waited:?}"
    );
    assert_eq!(
        bystander_get(&server),
        200,
        "still serving after the attack"
    );
    server.signal("TERM");
    assert!(server.wait_exit().success());
}

/// tests/README.md case 54: `--write-timeout N` is N seconds of the client taking nothing, and the
/// close comes then. A client that never reads asks for a 10 MiB body:
/// once the kernel's buffers are full, the server waits N seconds and
/// closes, even if its window probes open the TCP window a crack at the
/// last moment (which used to start a second N seconds).
#[test]
#[cfg(feature = "knobs")]
fn the_write_timeout_closes_a_client_that_never_reads_when_it_says() {
    let mut server = Server::start(&["--write-timeout", "2"]);
    let mut conn = server.connect();
    conn.write_all(b"GET /?size=10485760 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let line = server.expect("close (write timeout: the client read nothing for 2s)");
    let lasted: f64 = line
        .rsplit_once(", ")
        .and_then(|(_, secs)| secs.strip_suffix('s'))
        .and_then(|secs| secs.parse().ok())
        .unwrap_or_else(|| panic!("no duration in {line:?}"));
    // Two seconds, plus the moment the kernel's buffers took to fill.
    assert!(
        (2.0..2.8).contains(&lasted),
        "closed after {lasted}s: {line}"
    );
    drop(conn);
}

/// tests/README.md case 25: a client that sends without reading. The server stops
/// reading while its reply is unread, so its memory does not grow, and the
/// write deadline closes the connection.
#[test]
fn a_client_that_never_reads_is_bounded_and_cut_off() {
    let mut server = Server::start(&["--mode", "echo", "--write-timeout", "2"]);
    let start_rss = rss_kib(server.pid());
    let mut conn = server.connect();
    conn.set_write_timeout(Some(Duration::from_secs(8)))
        .unwrap();
    let chunk = random_bytes(1 << 20, 11);
    let started = Instant::now();
    let mut written = 0usize;
    let mut peak_rss = start_rss;
    // Up to 64 MiB; the writes block once both sides' buffers are full.
    while written < 64 << 20 && started.elapsed() < Duration::from_secs(8) {
        match conn.write(&chunk) {
            Ok(n) => written += n,
            Err(_) => break,
        }
        peak_rss = peak_rss.max(rss_kib(server.pid()));
    }
    let line = server.expect("write timeout");
    assert!(
        line.contains("close (write timeout: the client read nothing for 2s)"),
        "{line}"
    );
    peak_rss = peak_rss.max(rss_kib(server.pid()));
    assert!(
        written < 64 << 20,
        "the server kept reading: {written} bytes taken"
    );
    assert!(
        peak_rss < start_rss + 8 * 1024,
        "server RSS grew from {start_rss} KiB to {peak_rss} KiB while {written} bytes were sent"
    );
    // Still serving everyone else.
    let mut other = server.connect();
    assert_eq!(round_trip(&mut other, b"ok?", 16), you_said(b"ok?"));
}

/// tests/README.md case 28: out of file descriptors in accept. With a limit of 64
/// and 200 clients, accept fails with EMFILE; the server backs off instead
/// of spinning, and serves again once descriptors are free.
#[test]
fn running_out_of_file_descriptors_backs_off_and_recovers() {
    let mut cmd = Command::new("sh");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg("-c")
        // --max-connections above the limit, so that accept itself fails.
        .arg(r#"ulimit -n 64 && exec "$0" --mode echo --host 127.0.0.1 --port 0 --max-connections 1000"#)
        .arg(env!("CARGO_BIN_EXE_rawnet"));
    let mut server = Server::spawn(cmd);
    assert!(server
        .expect("serving at most")
        .ends_with("open-file limit 64)"));

    let flood: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    let line = server.expect("accept failed");
    assert!(line.contains("retrying with backoff up to 1s"), "{line}");
    let before = cpu_ticks(server.pid());
    sleep(Duration::from_secs(2));
    let spent = cpu_ticks(server.pid()) - before;
    assert!(
        spent < 40,
        "the accept loop spun: {spent} ticks of CPU in 2 s"
    );
    // One line per burst of failures, not one per retry.
    server.expect_none("accept failed", Duration::from_millis(200));

    drop(flood);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut conn = server.connect();
        conn.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        if conn.write_all(b"back?").is_ok() {
            let mut reply = vec![0; 18];
            if conn.read_exact(&mut reply).is_ok() {
                assert_eq!(reply, you_said(b"back?"));
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "not serving again after the flood"
        );
        sleep(Duration::from_millis(200));
    }
}

/// tests/README.md case 26: the client resets the connection (SO_LINGER 0, then
/// close) while the server is still writing to it.
#[test]
fn a_reset_mid_response_is_logged_and_the_server_goes_on() {
    let mut server = Server::start(&["--mode", "raw"]);
    let mut steady = server.connect();
    server.expect_all(&["#1 ", " connection"]);

    let rude = server.connect();
    // 8 MiB that echo back into a socket that is never read: the server is
    // mid-write when the reset comes.
    let data = random_bytes(8 << 20, 5);
    let mut writer = rude.try_clone().unwrap();
    writer
        .set_write_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let _ = writer.write_all(&data);
    let socket = socket2::SockRef::from(&rude);
    socket.set_linger(Some(Duration::ZERO)).unwrap();
    drop(writer);
    drop(rude);

    let closed = server.expect_all(&["#2 ", " close ("]);
    assert!(closed.contains("close (reset)"), "{closed}");
    assert_eq!(round_trip(&mut steady, b"still here", 10), b"still here");
    server.signal("TERM");
    assert!(server.wait_exit().success(), "no panic, a clean exit");
}

/// tests/README.md case 29 and the rest: random bytes, binary and non-UTF-8 in every
/// mode. No panic, byte-exact echoes, escaped logs, and the server serves on.
#[test]
fn garbage_in_every_mode_is_survived() {
    for mode in ["auto", "echo", "raw", "http"] {
        let mut server = Server::start(&["--mode", mode, "--head-timeout", "1"]);
        for seed in 1..=20u64 {
            let garbage = random_bytes(1 + (seed as usize * 997) % 5000, seed);
            let mut conn = server.connect();
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let _ = conn.write_all(&garbage);
            let _ = conn.shutdown(std::net::Shutdown::Write);
            let mut reply = Vec::new();
            let _ = conn.read_to_end(&mut reply);
            match mode {
                "echo" => assert_eq!(reply, you_said(&garbage)),
                "raw" => assert_eq!(reply, garbage),
                // HTTP answers garbage with a 400 (or nothing, if it never
                // looked like a request); auto echoes what is not HTTP.
                _ => assert!(
                    reply.is_empty()
                        || reply.starts_with(b"HTTP/1.1 4")
                        || reply.starts_with(b"You said \""),
                    "{mode}: {:?}",
                    String::from_utf8_lossy(&reply[..reply.len().min(80)])
                ),
            }
        }
        let mut conn = server.connect();
        let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        conn.write_all(request).unwrap();
        let mut first = [0u8; 8];
        conn.read_exact(&mut first).unwrap();
        assert!(
            matches!(&first, b"HTTP/1.1" | b"You said" | b"GET / HT"),
            "{mode} stopped serving"
        );
        server.signal("TERM");
        server.rest();
        assert!(
            server.wait_exit().success(),
            "{mode}: no panic, a clean exit"
        );
        // Logs show bytes escaped, never raw control characters.
        assert!(server.seen.len() > 20, "{mode}: {:?}", server.seen);
        for line in &server.seen {
            assert!(
                !line.chars().any(|c| c.is_control()),
                "{mode}: unescaped log line {line:?}"
            );
        }
    }
}

/// tests/README.md cases 12 and 33: after a first chunk, a chunk size near 2^64 made
/// `body so far + size` wrap around and slip under `--max-body`, and the
/// server kept everything that followed (64 MiB within a second). It must
/// get 413 at once, and the server's memory must not move.
#[test]
fn a_chunk_size_near_2_to_the_64_gets_413_at_once_and_buys_no_memory() {
    let mut server = Server::start(&["--mode", "http"]);
    let start_rss = rss_kib(server.pid());
    let mut conn = server.connect();
    let started = Instant::now();
    conn.write_all(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\nFFFFFFFFFFFFFFFF\r\n",
    )
    .unwrap();
    // Keep sending what would be that chunk's data, as the audit did.
    let mut writer = conn.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        writer
            .set_write_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        let block = vec![b'A'; 1 << 20];
        for _ in 0..64 {
            if writer.write_all(&block).is_err() {
                break;
            }
        }
    });
    let response = read_response(&mut conn, &mut Vec::new(), false);
    let waited = started.elapsed();
    assert_eq!(response.status, 413, "{}", response.head);
    assert!(response
        .body_text()
        .contains("larger than 1048576 bytes (--max-body)"));
    assert!(
        waited < Duration::from_secs(2),
        "the 413 came after {waited:?}"
    );
    drop(conn);
    let _ = sender.join();
    let rss = rss_kib(server.pid());
    assert!(
        rss < start_rss + 4 * 1024,
        "server RSS went from {start_rss} KiB to {rss} KiB"
    );
    server.expect("-> 413 Content Too Large");
    assert_eq!(bystander_get(&server), 200, "still serving");
}

/// tests/README.md case 31: 1,489 pipelined requests for the HTML page in one 64 KiB
/// write, on 20 connections that read nothing. Every response would be
/// about 4 KB of HTML (4.3 MB a connection, 95 MB in all before the fix);
/// the server stops answering once a connection's unsent output passes a
/// bound, so its memory stays small, and goes on as the client reads.
#[test]
fn pipelined_requests_from_clients_that_do_not_read_are_answered_as_they_read() {
    let server = Server::start(&["--mode", "http", "--quiet"]);
    let request = b"GET / HTTP/1.1\r\nHost:x\r\nAccept:text/html\r\n\r\n";
    let count = 64 * 1024 / request.len();
    let burst = request.repeat(count);
    let start_rss = rss_kib(server.pid());
    let mut conns: Vec<TcpStream> = (0..20).map(|_| server.connect()).collect();
    for conn in &mut conns {
        conn.write_all(&burst).unwrap();
    }
    // Let the server do all it will do for clients that do not read.
    sleep(Duration::from_secs(2));
    let rss = rss_kib(server.pid());
    assert!(
        rss < start_rss + 16 * 1024,
        "server RSS went from {start_rss} KiB to {rss} KiB for 20 silent readers"
    );
    // A client that reads gets every response, in order.
    let mut reader = conns.pop().unwrap();
    let mut pending = Vec::new();
    for _ in 0..count {
        let response = read_response(&mut reader, &mut pending, false);
        assert_eq!(response.status, 200);
        assert!(response.body_text().starts_with("<!doctype html>"));
    }
    assert!(pending.is_empty());
}

/// tests/README.md case 32: a 1 MiB binary body shown on the HTML page. Escaped,
/// every byte would take up to 29 bytes of markup (a 29 MiB page); the page
/// shows a prefix and says how much more there was.
#[test]
fn a_large_binary_body_is_shown_as_a_bounded_prefix() {
    let server = Server::start(&["--mode", "http"]);
    let body = random_bytes(1 << 20, 5);
    let mut conn = server.connect();
    conn.write_all(
        format!(
            "POST /upload HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    conn.write_all(&body).unwrap();
    let response = read_response(&mut conn, &mut Vec::new(), false);
    assert_eq!(response.status, 200);
    let page = response.body_text();
    // Random bytes are binary: a hex dump of the first 256 bytes.
    assert!(
        page.contains("body: 1048576 bytes, binary:"),
        "{}",
        &page[..200]
    );
    assert!(page.contains("\n  00f0  "), "no 16th row");
    assert!(!page.contains("\n  0100  "), "more than 16 rows");
    assert!(
        page.contains(&format!("… and {} more bytes", (1 << 20) - 256)),
        "no mention of the rest"
    );
    assert!(
        response.body.len() < 29 * 8 * 1024 + 16 * 1024,
        "a page of {} bytes",
        response.body.len()
    );
}

/// The README's per-connection worst case, measured: clients that send the
/// most expensive requests there are (a head of `--max-head` bytes that all
/// need escaping, a `--max-body` binary body, HTML wanted), three at a
/// time, and never read. What each connection makes the server hold must
/// stay within the stated formula:
/// max_body + (max_head + 64 KiB read) + 64 KiB output bound + 2 pages,
/// a page being at most 29 × (max_head + 8 KiB shown of the body) + 16 KiB
/// of fixed text; and 1% more for the allocator.
#[test]
fn the_worst_case_per_connection_stays_within_the_stated_formula() {
    const CONNECTIONS: usize = 10;
    let server = Server::start(&["--mode", "http", "--quiet", "--write-timeout", "4"]);
    let (max_head, max_body, shown) = (8 * 1024, 1024 * 1024, 8 * 1024);
    let page = 29 * (max_head + shown) + 16 * 1024;
    // And 1% for the allocator: jemalloc's size classes and bookkeeping
    // (the README's formula says so too).
    let formula = (max_body + (max_head + 64 * 1024) + 64 * 1024 + 2 * page) * 101 / 100;

    let mut head = b"POST /worst HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n".to_vec();
    head.extend_from_slice(format!("Content-Length: {max_body}\r\nX-Escaped: ").as_bytes());
    // obs-text: valid in a field value, and shown escaped as `\x80`.
    head.resize(max_head - 64, 0x80);
    head.extend_from_slice(b"\r\n\r\n");
    let mut request = head;
    request.extend(std::iter::repeat_n(0u8, max_body));
    let burst = request.repeat(3);

    let start_rss = rss_kib(server.pid());
    let writers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let mut conn = server.connect();
            let burst = burst.clone();
            std::thread::spawn(move || {
                conn.set_write_timeout(Some(Duration::from_secs(3)))
                    .unwrap();
                let _ = conn.write_all(&burst);
                // Hold the connection, unread, until the server gives up.
                conn
            })
        })
        .collect();
    let mut peak_rss = start_rss;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        peak_rss = peak_rss.max(rss_kib(server.pid()));
        sleep(Duration::from_millis(50));
    }
    let conns: Vec<TcpStream> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let per_connection = (peak_rss.saturating_sub(start_rss) * 1024) as usize / CONNECTIONS;
    println!(
        "worst case: {per_connection} bytes of RSS per connection at peak \
         (formula {formula} bytes; RSS {start_rss} -> {peak_rss} KiB)"
    );
    assert!(
        per_connection <= formula,
        "{per_connection} bytes per connection, more than the formula's {formula}"
    );
    drop(conns);
    assert_eq!(bystander_get(&server), 200, "still serving");
}
