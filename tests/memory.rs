//! Memory under floods (tests/README.md "TCP and resources"): what the
//! server holds while many clients make it buffer, and whether it gives
//! that back once they leave. Every test is bounded in count and time and
//! talks to 127.0.0.1 only; the server's RSS is read from /proc.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{bystander_get, read_exactly, read_response, rss_kib, Server};

/// One flood client: a `?delay=30` request with a pipelined 1 MiB POST
/// behind it, so the server holds the POST (head and body) while the
/// delayed answer waits.
#[cfg(feature = "knobs")]
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

/// tests/README.md case 55: three floods in a row, each 400 clients that
/// make the server hold about 1 MiB apiece (a delayed answer with a 1 MiB
/// POST pipelined behind it), then leave. glibc's malloc kept 320 to
/// 450 MB of it with no connection open, round after round; the server's
/// allocator must give it back: within 10 s of the last flood, RSS is
/// within 64 MiB of its start. The memory budget is raised past what the
/// floods hold (with the default, clients past 256 MiB get 503), so that
/// they test the allocator.
#[test]
#[cfg(feature = "knobs")]
fn memory_comes_back_after_floods() {
    const CLIENTS: usize = 400;
    let mut server = Server::start(&["--mode", "http", "--memory-budget", "4096"]);
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

/// tests/README.md case 56: 1,000 clients each send a head with
/// `Content-Length: 1048576` and all of the body but its last byte, then
/// hold. Each is within `--max-body`, so before the budget the server kept
/// all of them: 1.1 GB. With the default budget it keeps what the budget
/// covers, answers the rest 503, and a bystander is answered meanwhile.
#[test]
fn a_thousand_unfinished_bodies_stay_within_the_budget() {
    const CLIENTS: usize = 1000;
    const SENDERS: usize = 4;
    let server = Server::start(&["--mode", "http", "--quiet"]);
    let pid = server.pid();
    let start_rss = rss_kib(pid);
    let addr = server.addr;
    let started = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            std::thread::spawn(move || {
                let mut request =
                    b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n".to_vec();
                request.resize(request.len() + (1 << 20) - 1, b'b');
                (0..CLIENTS / SENDERS)
                    .map(|_| {
                        let mut conn = TcpStream::connect(addr).unwrap();
                        conn.set_write_timeout(Some(Duration::from_secs(5)))
                            .unwrap();
                        // A client refused with 503 may see its write cut
                        // short by the close; that is its answer.
                        let _ = conn.write_all(&request);
                        conn
                    })
                    .collect::<Vec<TcpStream>>()
            })
        })
        .collect();
    let mut peak = start_rss;
    while !senders.iter().all(|s| s.is_finished()) {
        peak = peak.max(rss_kib(pid));
        sleep(Duration::from_millis(50));
    }
    let clients: Vec<TcpStream> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    let sent = started.elapsed();
    // The bodies are held (their last byte never comes): a bystander is
    // still answered, at once.
    let asked = Instant::now();
    assert_eq!(bystander_get(&server), 200);
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "{:?}",
        asked.elapsed()
    );
    // The kernel may still hold what was sent: let the server read it.
    peak = peak.max(settled_rss(pid, Duration::from_secs(4)));
    let grew = (peak - start_rss) * 1024;
    println!(
        "{CLIENTS} unfinished 1 MiB bodies, sent in {:.1} s: RSS {start_rss} KiB at start, \
         {peak} KiB at peak ({grew} bytes more)",
        sent.as_secs_f64()
    );
    assert!(
        sent < Duration::from_secs(8),
        "sending took {sent:?}: the first bodies may have met --body-timeout"
    );
    assert!(
        grew < 700_000_000,
        "RSS grew by {grew} bytes for {CLIENTS} unfinished bodies"
    );
    drop(clients);
}

/// tests/README.md case 57: with a 1 MiB budget, one upload holds
/// 700,000 bytes of it. Another, declared by Content-Length, gets a 503
/// that names the budget instead of its 100 Continue; a chunked one gets
/// it once its chunks pass what is left. A GET is still answered, the
/// first upload finishes, and once it has, the budget covers the next.
#[test]
fn past_a_small_budget_a_request_gets_503_and_the_others_go_on() {
    let mut server = Server::start(&["--mode", "http", "--memory-budget", "1"]);
    let continue_line = b"HTTP/1.1 100 Continue\r\n\r\n";
    let upload = |path: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 700000\r\n\
             Expect: 100-continue\r\n\r\n"
        )
    };
    // The 100 Continue says the server has taken room for the body.
    let mut holder = server.connect();
    holder.write_all(upload("/holder").as_bytes()).unwrap();
    assert_eq!(
        read_exactly(&mut holder, continue_line.len()),
        continue_line
    );

    let refused = "HTTP/1.1 503 Service Unavailable\r\n";
    let words = "503 Service Unavailable: the server's memory budget for all connections \
                 (1 MiB, --memory-budget) is spent; try again later\n";
    let mut over = server.connect();
    over.write_all(upload("/over").as_bytes()).unwrap();
    let response = read_response(&mut over, &mut Vec::new(), false);
    assert!(response.head.starts_with(refused), "{}", response.head);
    assert_eq!(response.header("Connection"), Some("close"));
    assert_eq!(response.body_text(), words);
    server.expect(
        "request 1: -> 503 Service Unavailable: the server's memory budget for all connections \
         (1 MiB, --memory-budget) is spent; try again later",
    );

    let mut chunked = server.connect();
    chunked
        .write_all(b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    let chunk = [&b"10000\r\n"[..], &[b'c'; 0x10000], b"\r\n"].concat();
    for _ in 0..8 {
        if chunked.write_all(&chunk).is_err() {
            break;
        }
    }
    let response = read_response(&mut chunked, &mut Vec::new(), false);
    assert!(response.head.starts_with(refused), "{}", response.head);
    assert_eq!(response.body_text(), words);

    assert_eq!(
        bystander_get(&server),
        200,
        "a request that needs no body room is answered"
    );
    holder.write_all(&vec![b'a'; 700_000]).unwrap();
    let response = read_response(&mut holder, &mut Vec::new(), false);
    assert_eq!(response.status, 200);
    assert!(
        response.body_text().contains("body: 700000 bytes"),
        "{}",
        response.body_text()
    );
    // Its room given back once it was answered (and the refused uploads'
    // at once), the budget covers the same upload again.
    let mut again = server.connect();
    again.write_all(upload("/again").as_bytes()).unwrap();
    assert_eq!(read_exactly(&mut again, continue_line.len()), continue_line);
}

/// tests/README.md case 57 too: what comes while a `?delay` holds a
/// response is kept within the budget as well. A POST pipelined behind
/// the delay, larger than what is left, is not kept; the delayed answer
/// still comes first, then the POST's 503, then the close.
#[test]
#[cfg(feature = "knobs")]
fn past_the_budget_behind_a_held_response_the_503_comes_after_it() {
    let server = Server::start(&["--mode", "http", "--memory-budget", "1"]);
    let mut conn = server.connect();
    let mut requests = b"GET /?delay=0.5 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    requests.extend_from_slice(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    requests.resize(requests.len() + 1_000_000, b'p');
    conn.set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    conn.write_all(&requests).unwrap();
    let mut pending = Vec::new();
    let delayed = read_response(&mut conn, &mut pending, false);
    assert_eq!(delayed.status, 200);
    let refused = read_response(&mut conn, &mut pending, false);
    assert!(
        refused
            .head
            .starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{}",
        refused.head
    );
    assert!(refused.body_text().contains("memory budget"));
    common::assert_closed(&mut conn, &pending);
    assert_eq!(bystander_get(&server), 200);
}

/// tests/README.md case 60: replies a client leaves unread count too.
/// With a 1 MiB budget, 24 clients of `--mode raw` send without reading;
/// once the kernel's buffers are full each one's reply waits in the
/// server, about 64 KiB apiece. Those the budget cannot cover are closed
/// (a client that does not read can be told nothing else), and a client
/// that reads is still answered.
#[test]
fn replies_left_unread_past_the_budget_close_their_connections() {
    const CLIENTS: usize = 24;
    let mut server = Server::start(&["--mode", "raw", "--memory-budget", "1"]);
    let writers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let mut conn = server.connect();
            std::thread::spawn(move || {
                conn.set_write_timeout(Some(Duration::from_secs(3)))
                    .unwrap();
                let block = vec![b'r'; 1 << 20];
                // Bounded: 64 MiB at most, until the writes block.
                for _ in 0..64 {
                    if conn.write_all(&block).is_err() {
                        break;
                    }
                }
                conn
            })
        })
        .collect();
    let line = server.expect("close (over budget: ");
    assert!(
        line.contains(
            " bytes of reply wait for a client that is not reading, and the server's memory \
             budget for all connections (1 MiB, --memory-budget) is spent): "
        ),
        "{line}"
    );
    let mut reader = server.connect();
    assert_eq!(
        common::round_trip(&mut reader, b"still here", 10),
        b"still here"
    );
    let conns: Vec<TcpStream> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    drop(conns);
}
