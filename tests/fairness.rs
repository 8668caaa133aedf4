#![cfg(any(feature = "websocket", feature = "knobs"))]
//! No client holds a thread (tests/README.md case 53: "a few clients that keep the
//! read buffer full"). A client that sends as fast as loopback carries,
//! with answers that are small or none, keeps rawnet's read buffer full:
//! every read finds 64 KiB waiting and every send completes at once. A
//! task that never waits never gives its worker thread back, and with
//! as many such clients as threads, the accept loop and everyone else's
//! timers and reads would wait behind them. These tests run that attack
//! with as many attackers as threads and time a bystander's requests.
//!
//! Each run is bounded (a few seconds), talks to 127.0.0.1 only, and the
//! runs take turns (one lock), since their attackers share the machine's
//! cores with the server.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::Server;

/// One run at a time: two attacks at once would measure each other.
static TURN: Mutex<()> = Mutex::new(());

/// How many requests the bystander times, one connection each.
const BYSTANDER_REQUESTS: usize = 100;

/// The bystander's 99th percentile must stay below this (the issue's
/// target; nginx with one worker under the same attack stays near 15 ms).
const P99_LIMIT: Duration = Duration::from_millis(100);

/// An attacker: a thread writing `flood` over and over on a connection
/// until told to stop, and another reading and dropping whatever comes
/// back, so that rawnet's sends never wait for it.
struct Attacker {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Attacker {
    fn start(mut conn: TcpStream, flood: Vec<u8>) -> Attacker {
        // A send buffer as large as the kernel allows keeps rawnet's side
        // full while this thread waits for a core.
        let _ = socket2::SockRef::from(&conn).set_send_buffer_size(64 << 20);
        let stop = Arc::new(AtomicBool::new(false));
        let mut reader = conn.try_clone().unwrap();
        reader
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let reading = {
            let stop = stop.clone();
            thread::spawn(move || {
                let mut sink = vec![0; 64 * 1024];
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(0) = reader.read(&mut sink) {
                        break;
                    }
                }
            })
        };
        let writing = {
            let stop = stop.clone();
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if conn.write_all(&flood).is_err() {
                        break;
                    }
                }
            })
        };
        Attacker {
            stop,
            threads: vec![reading, writing],
        }
    }
}

impl Drop for Attacker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// A WebSocket client that floods unsolicited empty pongs (RFC 6455 §5.5.3
/// allows them; rawnet answers none).
#[cfg(feature = "websocket")]
fn pong_flooder(server: &Server) -> Attacker {
    let mut conn = server.connect();
    conn.write_all(
        b"GET /flood HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
          Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
          Sec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0; 1];
    while !head.ends_with(b"\r\n\r\n") {
        conn.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101 "), "{head:?}");
    // FIN + pong, masked, no payload: six bytes a frame.
    let pong = [0x8a, 0x80, 0x01, 0x02, 0x03, 0x04];
    Attacker::start(conn, pong.repeat(64 * 1024 / pong.len()))
}

/// An HTTP client that pipelines chunked POSTs of one-byte chunks, each
/// answered by a bodiless 204.
#[cfg(feature = "knobs")]
fn chunk_flooder(server: &Server) -> Attacker {
    let conn = server.connect();
    let mut request =
        b"POST /?status=204 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..2000 {
        request.extend_from_slice(b"1\r\na\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    Attacker::start(conn, request)
}

/// Times `BYSTANDER_REQUESTS` requests, each on a new connection, and
/// returns their latencies sorted. A request not answered within
/// `GIVE_UP` counts as `GIVE_UP`, and the bystander stops asking once a
/// starved run has taken long enough to fail.
fn bystander(addr: SocketAddr) -> Vec<Duration> {
    const GIVE_UP: Duration = Duration::from_secs(2);
    let started = Instant::now();
    let mut latencies = Vec::new();
    while latencies.len() < BYSTANDER_REQUESTS && started.elapsed() < Duration::from_secs(20) {
        let asked = Instant::now();
        let answered = (|| -> std::io::Result<Vec<u8>> {
            let mut conn = TcpStream::connect_timeout(&addr, GIVE_UP)?;
            conn.set_read_timeout(Some(GIVE_UP))?;
            conn.write_all(b"GET /bystander HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
            let mut response = Vec::new();
            conn.read_to_end(&mut response)?;
            Ok(response)
        })();
        match answered {
            Ok(response) => {
                assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"), "{response:?}");
                latencies.push(asked.elapsed());
            }
            Err(_) => latencies.push(GIVE_UP),
        }
    }
    latencies.resize(BYSTANDER_REQUESTS, GIVE_UP);
    latencies.sort();
    latencies
}

/// Starts rawnet with `threads` threads, as many attackers as threads,
/// and asserts the bystander's p99.
fn bystander_keeps_up(threads: usize, attacker: fn(&Server) -> Attacker) {
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let threads_arg = threads.to_string();
    let server = Server::start(&["--threads", &threads_arg, "--quiet"]);
    let attackers: Vec<Attacker> = (0..threads).map(|_| attacker(&server)).collect();
    // Let the floods fill rawnet's buffers before the bystander asks.
    thread::sleep(Duration::from_millis(300));
    let latencies = bystander(server.addr);
    drop(attackers);
    let p99 = latencies[latencies.len() * 99 / 100 - 1];
    let median = latencies[latencies.len() / 2];
    println!("bystander with {threads} attacker(s): median {median:?}, p99 {p99:?}");
    assert!(
        p99 < P99_LIMIT,
        "with {threads} attacker(s) the bystander's p99 was {p99:?} (median {median:?})"
    );
}

#[test]
#[cfg(feature = "websocket")]
fn pong_floods_on_every_thread_leave_a_bystander_served() {
    bystander_keeps_up(2, pong_flooder);
}

#[test]
#[cfg(feature = "knobs")]
fn pipelined_one_byte_chunks_on_every_thread_leave_a_bystander_served() {
    bystander_keeps_up(2, chunk_flooder);
}

#[test]
fn one_thread_one_attacker() {
    #[cfg(feature = "websocket")]
    bystander_keeps_up(1, pong_flooder);
    #[cfg(feature = "knobs")]
    bystander_keeps_up(1, chunk_flooder);
}
