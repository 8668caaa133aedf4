//! One load connection of `rawnet bench`: send a batch of requests, read
//! and check every reply, and again until the run is over.
//!
//! The replies are checked with the same code that makes or reads them
//! elsewhere in rawnet: the echo frame comes from [`crate::echo`], HTTP
//! responses are taken apart by [`crate::client::wire`]. WebSocket frames are
//! made and checked by [`super::websocket`], the client's half.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_net::TcpStream;
use smol::future::{self, FutureExt};
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::Timer;

use super::progress::Progress;
use super::{websocket, BenchMode, Live, Options, ERRORS_SHOWN};
use crate::client::wire;
use crate::echo::{YOU_SAID_CLOSE, YOU_SAID_OPEN};
use crate::show::Escaped;

/// Pause before reconnecting after an error, so a refusing server is not
/// hammered in a tight loop.
const RECONNECT_PAUSE: Duration = Duration::from_millis(10);
/// How long past the end of the run a batch may still wait for its replies.
const STALL_LIMIT: Duration = Duration::from_secs(2);

/// What one connection did. Its latencies went into [`Live`].
pub(super) struct Outcome {
    pub requests: u64,
    pub bytes: u64,
    pub errors: u64,
    /// The first few errors' words (a failing server would otherwise fill
    /// memory with one string per reconnect).
    pub first_errors: Vec<String>,
}

/// Batches until the deadline, reconnecting after an error (a wrong reply
/// leaves the stream out of step). `index` makes each connection's payload
/// different.
pub(super) async fn run(
    opts: Options,
    index: usize,
    deadline: Instant,
    live: Arc<Live>,
    done: Arc<AtomicBool>,
) -> Outcome {
    let mut outcome = Outcome {
        requests: 0,
        bytes: 0,
        errors: 0,
        first_errors: Vec::new(),
    };
    let exchange = Exchange::new(&opts, index);
    let mut reply = Vec::new();
    while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
        let result = async {
            let mut stream = TcpStream::connect((opts.host.as_str(), opts.port)).await?;
            stream.set_nodelay(true)?;
            if let Some((request, accept)) = &exchange.upgrade {
                // The handshake is not a message: not timed, not counted.
                let stalled = async {
                    Timer::at(deadline + STALL_LIMIT).await;
                    Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no answer to the WebSocket upgrade by the end of the run",
                    ))
                };
                upgrade(&mut stream, request, accept, &mut reply)
                    .or(stalled)
                    .await?;
            }
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
                let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                outcome.requests += opts.pipeline as u64;
                outcome.bytes += reply.len() as u64;
                // Every request of the batch waited the whole round trip.
                live.record(micros, opts.pipeline as u64);
                live.requests
                    .fetch_add(opts.pipeline as u64, Ordering::Relaxed);
                live.bytes.fetch_add(reply.len() as u64, Ordering::Relaxed);
            }
            Ok::<(), io::Error>(())
        }
        .await;
        if let Err(err) = result {
            live.errors.fetch_add(1, Ordering::Relaxed);
            outcome.errors += 1;
            if outcome.first_errors.len() < ERRORS_SHOWN {
                outcome.first_errors.push(err.to_string());
            }
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
    /// WebSocket: the upgrade request and the accept key its 101 must
    /// carry.
    upgrade: Option<(Vec<u8>, String)>,
    /// WebSocket: the batch's answers, frame after frame, and one frame's
    /// length.
    answers: Vec<u8>,
    answer_len: usize,
}

impl Exchange {
    fn new(opts: &Options, index: usize) -> Self {
        // Letters only: no `"` or CR/LF, so echo frames can be taken apart
        // unambiguously. Each connection starts at a different letter.
        let payload: Vec<u8> = (0..opts.size)
            .map(|i| b'a' + ((i + index) % 26) as u8)
            .collect();
        let payloads = payload.repeat(opts.pipeline);
        let (mut upgrade, mut answers, mut answer_len) = (None, Vec::new(), 0);
        let batch = match opts.mode {
            BenchMode::Echo | BenchMode::Raw => payloads.clone(),
            BenchMode::Http => b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n".repeat(opts.pipeline),
            BenchMode::Ws => {
                upgrade = Some(websocket::upgrade_request(index));
                let (sent, answer) = websocket::exchange(&payload, index);
                answers = answer.repeat(opts.pipeline);
                answer_len = answer.len();
                sent.repeat(opts.pipeline)
            }
        };
        Exchange {
            mode: opts.mode,
            batch,
            payloads,
            pipeline: opts.pipeline,
            expect: opts.expect.clone(),
            upgrade,
            answers,
            answer_len,
        }
    }

    /// Reads until the whole batch is answered, checking every byte that
    /// can be checked as soon as it arrives. `reply` is left holding all of
    /// it.
    async fn read_replies(&self, stream: &mut TcpStream, reply: &mut Vec<u8>) -> io::Result<()> {
        let mut progress = Progress::default();
        read_until(stream, reply, "server closed the connection", |reply| {
            self.check(reply, &mut progress)
        })
        .await
    }

    /// `Ok(true)`: complete and right; `Ok(false)`: right so far.
    fn check(&self, reply: &[u8], progress: &mut Progress) -> Result<bool, String> {
        match self.mode {
            BenchMode::Raw => check_raw(reply, &self.payloads, progress),
            BenchMode::Echo => check_echo(reply, &self.payloads, progress),
            BenchMode::Http => check_http(reply, self.pipeline, self.expect.as_deref(), progress),
            BenchMode::Ws => {
                websocket::check_frames(reply, &self.answers, self.answer_len, progress)
            }
        }
    }
}

/// Sends the upgrade request and reads until its `101` is whole and right.
async fn upgrade(
    stream: &mut TcpStream,
    request: &[u8],
    accept: &str,
    reply: &mut Vec<u8>,
) -> io::Result<()> {
    stream.write_all(request).await?;
    read_until(
        stream,
        reply,
        "server closed the connection during the WebSocket upgrade",
        |reply| websocket::check_upgrade(reply, accept),
    )
    .await
}

/// Reads into `reply` (emptied first) until `check` finds it complete and
/// right (`Ok(true)`) or wrong (`Err`, the problem in words); `Ok(false)`
/// means right so far, so a wrong byte is reported as soon as it arrives.
async fn read_until(
    stream: &mut TcpStream,
    reply: &mut Vec<u8>,
    closed: &str,
    mut check: impl FnMut(&[u8]) -> Result<bool, String>,
) -> io::Result<()> {
    reply.clear();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match check(reply) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(problem) => return Err(io::Error::new(io::ErrorKind::InvalidData, problem)),
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, closed));
        }
        reply.extend_from_slice(&buf[..n]);
    }
}

/// The payloads back, byte for byte, and nothing more.
fn check_raw(reply: &[u8], payloads: &[u8], progress: &mut Progress) -> Result<bool, String> {
    if payloads.get(progress.taken..reply.len()) != Some(&reply[progress.taken..]) {
        return Err("raw reply differs from what was sent".into());
    }
    progress.taken = reply.len();
    progress.answered = reply.len();
    Ok(reply.len() == payloads.len())
}

/// Takes `You said "<chunk>"\r\n` frames apart; the chunks, joined, must be
/// the payloads (the server may split them wherever its reads fell).
fn check_echo(reply: &[u8], payloads: &[u8], progress: &mut Progress) -> Result<bool, String> {
    loop {
        let rest = &reply[progress.taken..];
        if rest.is_empty() {
            return Ok(progress.answered == payloads.len());
        }
        let opened = rest.len().min(YOU_SAID_OPEN.len());
        if rest[..opened] != YOU_SAID_OPEN[..opened] {
            return Err(format!(
                "expected {}, got {}",
                Escaped::all(YOU_SAID_OPEN),
                Escaped::all(&rest[..opened])
            ));
        }
        if opened < YOU_SAID_OPEN.len() {
            return Ok(false);
        }
        let inside = &rest[YOU_SAID_OPEN.len()..];
        let Some(end) = inside
            .windows(YOU_SAID_CLOSE.len())
            .position(|w| w == YOU_SAID_CLOSE)
        else {
            return Ok(false);
        };
        let chunk = &inside[..end];
        let at = progress.answered;
        if payloads.get(at..at + chunk.len()) != Some(chunk) {
            return Err("echoed bytes differ from what was sent".into());
        }
        progress.answered += chunk.len();
        progress.taken += YOU_SAID_OPEN.len() + end + YOU_SAID_CLOSE.len();
    }
}

/// `count` responses, each a strict HTTP/1.1 `200` with a Content-Length
/// and that many body bytes (equal to `expect` if given), and nothing more.
fn check_http(
    reply: &[u8],
    count: usize,
    expect: Option<&[u8]>,
    progress: &mut Progress,
) -> Result<bool, String> {
    while progress.answered < count {
        let Some((response, used)) =
            wire::split(&reply[progress.taken..], false).map_err(|p| p.to_string())?
        else {
            return Ok(false);
        };
        if response.status != 200 {
            return Err(format!(
                "expected a 200 response, got {}",
                Escaped::all(response.status_line().as_bytes())
            ));
        }
        if expect.is_some_and(|expected| response.body != expected) {
            return Err("response body differs from --expect".into());
        }
        progress.taken += used;
        progress.answered += 1;
    }
    if progress.taken < reply.len() {
        return Err("more bytes than the responses asked for".into());
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `reply` to `check` in pieces of `step` bytes, as reads would
    /// deliver it; the result after the last piece.
    fn in_pieces(
        reply: &[u8],
        step: usize,
        check: impl Fn(&[u8], &mut Progress) -> Result<bool, String>,
    ) -> Result<bool, String> {
        let mut progress = Progress::default();
        let mut result = check(&[], &mut progress);
        for end in (step..reply.len() + step).step_by(step) {
            result = check(&reply[..end.min(reply.len())], &mut progress);
            if result.is_err() {
                break;
            }
        }
        result
    }

    fn you_said(chunks: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in chunks {
            crate::echo::you_said(chunk, &mut out);
        }
        out
    }

    #[test]
    fn echo_frames_may_split_the_payload() {
        let payloads = b"abcdef";
        let echo = |reply: &[u8], step| in_pieces(reply, step, |r, p| check_echo(r, payloads, p));
        for step in [1, 4, 100] {
            assert_eq!(echo(&you_said(&[b"abc", b"def"]), step), Ok(true));
            assert_eq!(echo(&you_said(&[b"abcdef"]), step), Ok(true));
            assert!(echo(b"abcdef", step).is_err());
            assert!(echo(&you_said(&[b"abX"]), step).is_err());
            assert!(echo(&you_said(&[b"abcdef", b"g"]), step).is_err());
        }
        assert_eq!(echo(b"You said \"ab", 3), Ok(false));
        assert_eq!(echo(b"You sa", 1), Ok(false));
    }

    #[test]
    fn raw_must_be_the_payloads_exactly() {
        let raw = |reply: &[u8]| in_pieces(reply, 2, |r, p| check_raw(r, b"abcdef", p));
        assert_eq!(raw(b"abcdef"), Ok(true));
        assert_eq!(raw(b"abc"), Ok(false));
        assert!(raw(b"abXdef").is_err());
        assert!(raw(b"abcdefg").is_err());
    }

    #[test]
    fn http_responses_are_counted_by_their_length() {
        let one = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let two = [&one[..], &one[..]].concat();
        let http = |reply: &[u8], expect: Option<&[u8]>, step| {
            in_pieces(reply, step, |r, p| check_http(r, 2, expect, p))
        };
        for step in [1, 7, 1000] {
            assert_eq!(http(&two, Some(b"hello"), step), Ok(true));
            assert_eq!(http(&two[..two.len() - 1], None, step), Ok(false));
            assert!(http(&two, Some(b"world"), step).is_err());
            assert!(http(&[&two[..], b"H"].concat(), None, step).is_err());
            assert!(http(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                None,
                step
            )
            .is_err());
            assert!(http(&you_said(&[b"GET / HTTP/1.1\r\n\r\n"]), None, step).is_err());
        }
    }
}
