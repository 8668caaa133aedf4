//! `rawnet bench`: a load generator in the spirit of redis-benchmark, for
//! the echo, raw and HTTP modes.
//!
//! Each connection sends a batch of `--pipeline` requests, reads every reply
//! and checks it (length and content: a server that answers wrongly counts
//! errors, not speed), records the batch's round-trip time for each request
//! in it, and goes again until `--duration` is over. A progress line goes to
//! stderr each second; the summary goes to stdout.

use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_net::TcpStream;
use smol::future::{self, FutureExt};
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::Timer;

use crate::threads::Threads;

/// What `rawnet bench` measures.
#[derive(argh::FromArgValue, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchMode {
    /// `You said "<payload>"\r\n` for each payload (the tutorial's server).
    Echo,
    /// The payload back unchanged (`socket.pipe(socket)`).
    Raw,
    /// `GET /` and a `200` response with a correct Content-Length.
    Http,
}

/// Checked `rawnet bench` settings.
#[derive(Clone, Debug)]
pub struct Options {
    pub host: String,
    pub port: u16,
    pub mode: BenchMode,
    pub connections: usize,
    pub duration: Duration,
    /// Payload bytes per request (echo, raw).
    pub size: usize,
    /// Requests sent together before waiting for their replies.
    pub pipeline: usize,
    /// HTTP: the body every response must have, if given.
    pub expect: Option<Vec<u8>>,
    pub threads: usize,
}

/// What a run measured.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub requests: u64,
    pub bytes_received: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Every request's round-trip time in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    /// The first few errors, for the summary.
    pub first_errors: Vec<String>,
}

impl Report {
    pub fn requests_per_sec(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn megabytes_per_sec(&self) -> f64 {
        self.bytes_received as f64 / 1e6 / self.elapsed.as_secs_f64()
    }

    /// The latency below which `fraction` of requests finished, in ms.
    pub fn percentile_ms(&self, fraction: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let index = ((self.latencies_us.len() - 1) as f64 * fraction).round() as usize;
        f64::from(self.latencies_us[index]) / 1000.0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "requests: {} in {:.2}s",
            self.requests,
            self.elapsed.as_secs_f64()
        )?;
        writeln!(f, "requests/s: {:.0}", self.requests_per_sec())?;
        writeln!(f, "MB/s received: {:.2}", self.megabytes_per_sec())?;
        writeln!(
            f,
            "latency ms: p50 {:.3}, p99 {:.3}, max {:.3}",
            self.percentile_ms(0.50),
            self.percentile_ms(0.99),
            self.percentile_ms(1.0)
        )?;
        writeln!(f, "errors: {}", self.errors)?;
        for err in &self.first_errors {
            writeln!(f, "  error: {err}")?;
        }
        Ok(())
    }
}

/// Counters every connection adds to, for the progress lines.
#[derive(Default)]
struct Live {
    requests: AtomicU64,
    bytes: AtomicU64,
    errors: AtomicU64,
}

/// Pause before reconnecting after an error, so a refusing server is not
/// hammered in a tight loop.
const RECONNECT_PAUSE: Duration = Duration::from_millis(10);
/// How long past the end of the run a batch may still wait for its replies.
const STALL_LIMIT: Duration = Duration::from_secs(2);
/// How many error messages the summary shows.
const ERRORS_SHOWN: usize = 5;

/// Runs the benchmark and returns its report.
pub fn run(opts: &Options) -> Report {
    let (ex, workers) = Threads::start(opts.threads, "rawnet-bench");
    let done = Arc::new(AtomicBool::new(false));

    let live = Arc::new(Live::default());
    let started = Instant::now();
    let deadline = started + opts.duration;
    let tasks: Vec<smol::Task<Outcome>> = (0..opts.connections)
        .map(|i| {
            ex.spawn(connection(
                opts.clone(),
                i,
                deadline,
                live.clone(),
                done.clone(),
            ))
        })
        .collect();

    let report = smol::block_on(async {
        let mut last = (0, 0);
        let mut second = 0;
        while Instant::now() < deadline {
            Timer::after(
                Duration::from_secs(1).min(deadline.saturating_duration_since(Instant::now())),
            )
            .await;
            second += 1;
            let now = (
                live.requests.load(Ordering::Relaxed),
                live.bytes.load(Ordering::Relaxed),
            );
            eprintln!(
                "[{second}s] {} req/s, {:.1} MB/s, {} errors",
                now.0 - last.0,
                (now.1 - last.1) as f64 / 1e6,
                live.errors.load(Ordering::Relaxed)
            );
            last = now;
        }
        done.store(true, Ordering::Relaxed);
        let mut report = Report::default();
        for task in tasks {
            let outcome = task.await;
            report.requests += outcome.requests;
            report.bytes_received += outcome.bytes;
            report.errors += outcome.errors.len() as u64;
            report.latencies_us.extend(outcome.latencies_us);
            for err in outcome.errors {
                if report.first_errors.len() < ERRORS_SHOWN {
                    report.first_errors.push(err);
                }
            }
        }
        report.elapsed = started.elapsed();
        report
    });
    workers.stop();
    let mut report = report;
    report.latencies_us.sort_unstable();
    report
}

/// What one connection did.
#[derive(Default)]
struct Outcome {
    requests: u64,
    bytes: u64,
    errors: Vec<String>,
    latencies_us: Vec<u32>,
}

/// One benchmark connection: batches until the deadline, reconnecting after
/// an error (a wrong reply leaves the stream out of step).
async fn connection(
    opts: Options,
    index: usize,
    deadline: Instant,
    live: Arc<Live>,
    done: Arc<AtomicBool>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let exchange = Exchange::new(&opts, index);
    let mut reply = Vec::new();
    while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
        let result = async {
            let mut stream = TcpStream::connect((opts.host.as_str(), opts.port)).await?;
            stream.set_nodelay(true)?;
            while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
                let sent = Instant::now();
                let mut writer = stream.clone();
                let batch_bytes = &exchange.batch;
                let write = async move { writer.write_all(batch_bytes).await };
                let batch = future::zip(write, exchange.read_replies(&mut stream, &mut reply));
                // A server that stops answering must not hold the run open.
                let give_up = async {
                    Timer::at(deadline + STALL_LIMIT).await;
                    let stalled = io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no complete reply by the end of the run",
                    );
                    (Ok(()), Err(stalled))
                };
                let (written, read) = batch.or(give_up).await;
                written?;
                read?;
                let micros = sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                outcome.requests += opts.pipeline as u64;
                outcome.bytes += reply.len() as u64;
                outcome
                    .latencies_us
                    .extend(std::iter::repeat_n(micros, opts.pipeline));
                live.requests
                    .fetch_add(opts.pipeline as u64, Ordering::Relaxed);
                live.bytes.fetch_add(reply.len() as u64, Ordering::Relaxed);
            }
            Ok::<(), io::Error>(())
        }
        .await;
        if let Err(err) = result {
            live.errors.fetch_add(1, Ordering::Relaxed);
            outcome.errors.push(err.to_string());
            Timer::after(RECONNECT_PAUSE).await;
        }
    }
    outcome
}

/// One connection's batch of requests and how to check its replies.
struct Exchange {
    mode: BenchMode,
    batch: Vec<u8>,
    /// Echo and raw: the payloads of the batch, in order.
    payloads: Vec<u8>,
    pipeline: usize,
    expect: Option<Vec<u8>>,
}

impl Exchange {
    fn new(opts: &Options, index: usize) -> Self {
        // Letters only: no `"` or CR/LF, so echo frames can be taken apart
        // unambiguously. Each connection starts at a different letter.
        let payload: Vec<u8> = (0..opts.size)
            .map(|i| b'a' + ((i + index) % 26) as u8)
            .collect();
        let payloads = payload.repeat(opts.pipeline);
        let batch = match opts.mode {
            BenchMode::Echo | BenchMode::Raw => payloads.clone(),
            BenchMode::Http => b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n".repeat(opts.pipeline),
        };
        Exchange {
            mode: opts.mode,
            batch,
            payloads,
            pipeline: opts.pipeline,
            expect: opts.expect.clone(),
        }
    }

    /// Reads until the whole batch is answered, checking every byte that
    /// can be checked. `reply` is left holding all of it.
    async fn read_replies(&self, stream: &mut TcpStream, reply: &mut Vec<u8>) -> io::Result<()> {
        reply.clear();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match self.check(reply) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(problem) => return Err(io::Error::new(io::ErrorKind::InvalidData, problem)),
            }
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed the connection",
                ));
            }
            reply.extend_from_slice(&buf[..n]);
        }
    }

    /// `Ok(true)`: complete and right; `Ok(false)`: right so far.
    fn check(&self, reply: &[u8]) -> Result<bool, String> {
        match self.mode {
            BenchMode::Raw => {
                let n = reply.len().min(self.payloads.len());
                if reply[..n] != self.payloads[..n] || reply.len() > self.payloads.len() {
                    return Err("raw reply differs from what was sent".into());
                }
                Ok(reply.len() == self.payloads.len())
            }
            BenchMode::Echo => check_echo(reply, &self.payloads),
            BenchMode::Http => check_http(reply, self.pipeline, self.expect.as_deref()),
        }
    }
}

/// Takes `You said "<chunk>"\r\n` frames apart; the chunks, joined, must be
/// the payloads (the server may split them wherever its reads fell).
fn check_echo(reply: &[u8], payloads: &[u8]) -> Result<bool, String> {
    const OPEN: &[u8] = b"You said \"";
    let mut rest = reply;
    let mut echoed = 0;
    while !rest.is_empty() {
        let opened = rest.len().min(OPEN.len());
        if rest[..opened] != OPEN[..opened] {
            return Err(format!(
                "expected `You said \"`, got {:?}",
                String::from_utf8_lossy(&rest[..opened])
            ));
        }
        if opened < OPEN.len() {
            return Ok(false);
        }
        let body = &rest[OPEN.len()..];
        let Some(end) = body.windows(3).position(|w| w == b"\"\r\n") else {
            return Ok(false);
        };
        let chunk = &body[..end];
        if payloads.get(echoed..echoed + chunk.len()) != Some(chunk) {
            return Err("echoed bytes differ from what was sent".into());
        }
        echoed += chunk.len();
        rest = &body[end + 3..];
    }
    Ok(echoed == payloads.len())
}

/// `count` responses, each `HTTP/1.x 200`, with a Content-Length and that
/// many body bytes (equal to `expect` if given).
fn check_http(reply: &[u8], count: usize, expect: Option<&[u8]>) -> Result<bool, String> {
    let mut rest = reply;
    for _ in 0..count {
        let Some(head_end) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Ok(false);
        };
        let head = &rest[..head_end];
        if !(head.starts_with(b"HTTP/1.1 200 ") || head.starts_with(b"HTTP/1.0 200 ")) {
            let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
            return Err(format!(
                "expected a 200 response, got {:?}",
                String::from_utf8_lossy(line)
            ));
        }
        let length = head
            .split(|&b| b == b'\n')
            .find_map(|line| {
                let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
                name.eq_ignore_ascii_case(b"content-length").then(|| {
                    std::str::from_utf8(&value[1..])
                        .ok()?
                        .trim()
                        .parse::<usize>()
                        .ok()
                })?
            })
            .ok_or("a response without a valid Content-Length")?;
        let body_start = head_end + 4;
        if rest.len() < body_start + length {
            return Ok(false);
        }
        if let Some(expected) = expect {
            if &rest[body_start..body_start + length] != expected {
                return Err("response body differs from --expect".into());
            }
        }
        rest = &rest[body_start + length..];
    }
    if !rest.is_empty() {
        return Err("more bytes than the responses asked for".into());
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_frames_may_split_the_payload() {
        let payloads = b"abcdef";
        assert_eq!(
            check_echo(b"You said \"abc\"\r\nYou said \"def\"\r\n", payloads),
            Ok(true)
        );
        assert_eq!(check_echo(b"You said \"abcdef\"\r\n", payloads), Ok(true));
        assert_eq!(check_echo(b"You said \"ab", payloads), Ok(false));
        assert_eq!(check_echo(b"You sa", payloads), Ok(false));
        assert!(check_echo(b"abcdef", payloads).is_err());
        assert!(check_echo(b"You said \"abX\"\r\n", payloads).is_err());
    }

    #[test]
    fn http_responses_are_counted_by_their_length() {
        let one = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let two = [&one[..], &one[..]].concat();
        assert_eq!(check_http(&two, 2, Some(b"hello")), Ok(true));
        assert_eq!(check_http(&two[..two.len() - 1], 2, None), Ok(false));
        assert!(check_http(&two, 2, Some(b"world")).is_err());
        assert!(check_http(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
            1,
            None
        )
        .is_err());
        assert!(check_http(b"You said \"GET / HTTP/1.1\r\n\r\n\"\r\n", 1, None).is_err());
    }
}
