//! `rawnet bench`: a load generator in the spirit of redis-benchmark, for
//! the echo, raw, HTTP and WebSocket modes.
//!
//! Each connection sends a batch of `--pipeline` requests, reads every reply
//! and checks it (length and content: a server that answers wrongly counts
//! errors, not speed), records the batch's round-trip time for each request
//! in it, and goes again until `--duration` is over. A progress line goes to
//! stderr each second; the summary goes to stdout.
//!
//! Latencies go into one HDR histogram for the whole run: about 140 KiB,
//! fixed however long the run and however many connections (a list of
//! every latency grew by 4 bytes a request), with percentiles exact to
//! three significant digits. Recording takes an uncontended lock once per
//! batch, tens of nanoseconds against the microseconds of a round trip.
//!
//! - `mod.rs`: the options, the run (threads, progress lines) and the report.
//! - `connection.rs`: one load connection, sending batches and checking the
//!   replies.
//! - `websocket.rs`: the client's half of a WebSocket: the upgrade, masked
//!   frames out, the answers' frames checked.
//! - `progress.rs`: how far a batch's replies are checked, which both of
//!   those move on (so `websocket.rs` needs nothing from `connection.rs`).

mod connection;
mod progress;
mod websocket;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use smol::Timer;

use crate::threads::Threads;
use connection::Outcome;

/// What `rawnet bench` measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchMode {
    /// `You said "<payload>"\r\n` for each payload (the tutorial's server).
    Echo,
    /// The payload back unchanged (`socket.pipe(socket)`).
    Raw,
    /// `GET /` and a `200` response with a correct Content-Length.
    Http,
    /// A WebSocket upgrade, then masked text messages, each answered with
    /// one text frame `You said "<message>"`.
    Ws,
}

/// Checked `rawnet bench` settings.
#[derive(Clone, Debug)]
pub struct Options {
    pub host: String,
    pub port: u16,
    pub mode: BenchMode,
    pub connections: usize,
    pub duration: Duration,
    /// Payload bytes per request (echo, raw, ws).
    pub size: usize,
    /// Requests sent together before waiting for their replies.
    pub pipeline: usize,
    /// HTTP: the body every response must have, if given.
    pub expect: Option<Vec<u8>>,
    pub threads: usize,
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Report {
    pub requests: u64,
    pub bytes_received: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Every request's round-trip time in microseconds.
    pub latency_us: Histogram<u64>,
    /// The first few errors, for the summary.
    pub first_errors: Vec<String>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            requests: 0,
            bytes_received: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            latency_us: latency_histogram(),
            first_errors: Vec::new(),
        }
    }
}

/// Latencies from 1 µs to 60 s, to three significant digits: a fixed
/// ~140 KiB (17,408 counters), however many requests are recorded. A
/// round trip over 60 s counts as 60 s.
pub(crate) fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("1 µs to 60 s at 3 digits are valid bounds")
}

impl Report {
    pub fn requests_per_sec(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn megabytes_per_sec(&self) -> f64 {
        self.bytes_received as f64 / 1e6 / self.elapsed.as_secs_f64()
    }

    /// The latency below which `fraction` of requests finished, in ms
    /// (exact to three significant digits).
    pub fn percentile_ms(&self, fraction: f64) -> f64 {
        if self.latency_us.is_empty() {
            return 0.0;
        }
        self.latency_us.value_at_quantile(fraction) as f64 / 1000.0
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

/// What every connection adds to: counters for the progress lines, and
/// the latencies.
struct Live {
    requests: AtomicU64,
    bytes: AtomicU64,
    errors: AtomicU64,
    latency_us: Mutex<Histogram<u64>>,
}

impl Live {
    fn new() -> Self {
        Live {
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            latency_us: Mutex::new(latency_histogram()),
        }
    }

    /// `count` requests that each took `micros` microseconds.
    fn record(&self, micros: u64, count: u64) {
        // A poisoned lock only means another connection panicked while
        // recording; the counts are still counts.
        self.latency_us
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .saturating_record_n(micros, count);
    }
}

/// How many error messages the summary shows (and each connection keeps).
const ERRORS_SHOWN: usize = 5;

/// Runs the benchmark and returns its report.
pub fn run(opts: &Options) -> Report {
    let (ex, workers) = Threads::start(opts.threads, "rawnet-bench");
    let done = Arc::new(AtomicBool::new(false));

    let live = Arc::new(Live::new());
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
            report.errors += outcome.errors;
            for err in outcome.first_errors {
                if report.first_errors.len() < ERRORS_SHOWN {
                    report.first_errors.push(err);
                }
            }
        }
        report.elapsed = started.elapsed();
        report.latency_us = live
            .latency_us
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        report
    });
    workers.stop();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_exact_to_three_digits() {
        let mut report = Report::default();
        assert_eq!(report.percentile_ms(0.5), 0.0);
        for micros in 1..=1000 {
            report.latency_us.record(micros).unwrap();
        }
        assert_eq!(report.percentile_ms(0.50), 0.500);
        assert_eq!(report.percentile_ms(0.99), 0.990);
        assert_eq!(report.percentile_ms(1.0), 1.000);
        // Above 2,048 µs the histogram's steps grow, but stay within 0.1%.
        report.latency_us.record(10_074).unwrap();
        let max = report.percentile_ms(1.0);
        assert!((10.074..10.085).contains(&max), "{max}");
    }

    #[test]
    fn a_histogram_is_a_fixed_size() {
        let mut histogram = latency_histogram();
        assert_eq!(histogram.distinct_values(), 17_408);
        histogram.saturating_record_n(u64::MAX, 1_000_000);
        assert_eq!(histogram.distinct_values(), 17_408);
    }

    #[test]
    fn every_connection_records_into_the_one_histogram() {
        let live = Live::new();
        live.record(100, 2);
        live.record(300, 2);
        let report = Report {
            latency_us: live.latency_us.into_inner().unwrap(),
            ..Report::default()
        };
        assert_eq!(report.latency_us.len(), 4);
        assert_eq!(report.percentile_ms(0.5), 0.100);
        assert_eq!(report.percentile_ms(0.75), 0.300);
    }
}
