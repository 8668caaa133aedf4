//! `rawnet bench`: a load generator in the spirit of redis-benchmark, for
//! the echo, raw and HTTP modes.
//!
//! Each connection sends a batch of `--pipeline` requests, reads every reply
//! and checks it (length and content: a server that answers wrongly counts
//! errors, not speed), records the batch's round-trip time for each request
//! in it, and goes again until `--duration` is over. A progress line goes to
//! stderr each second; the summary goes to stdout.
//!
//! - `mod.rs`: the options, the run (threads, progress lines) and the report.
//! - `connection.rs`: one load connection, sending batches and checking the
//!   replies.

mod connection;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use smol::Timer;

use crate::threads::Threads;
use connection::Outcome;

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
            ex.spawn(connection::run(
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
