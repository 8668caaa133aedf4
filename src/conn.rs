//! One connection's life, from `connection` to `close`: the tutorial's
//! `socket.on('data' | 'end' | 'timeout' | 'close')` handlers as one loop.
//!
//! The loop waits for whichever comes first: bytes from the client, the end
//! of their stream, a timer, or the server shutting down. It then hands the
//! bytes to the connection's [`Protocol`] and writes back what that produced
//! before reading again. Writing everything before the next read is the
//! backpressure: a client that sends without reading stops being read from
//! once its socket buffer is full, so the server never queues unbounded
//! replies for it (Node's `socket.write` would buffer them all in memory).
//!
//! The function is generic over `AsyncRead + AsyncWrite`, so it runs the same
//! on a `TcpStream` as on an in-memory pipe in a test or a fuzzer.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use smol::future::{self, FutureExt};
use smol::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use smol::{Async, Timer};

use crate::log::{ConnLog, Direction};
use crate::protocol::{Next, Protocol};
use crate::server::Config;
use crate::shutdown::Shutdown;

/// Bytes asked for in one read: a 64 KiB client write in one system call.
/// The buffer is per thread (see `SCRATCH`), so its size costs nothing per
/// connection.
const READ_BUFFER: usize = 64 * 1024;

/// A reply buffer larger than this is given back when the connection goes
/// quiet, so a burst does not leave an idle connection holding memory; a
/// smaller one is kept, so a ping-pong conversation does not allocate per
/// message.
const KEEP_WHEN_IDLE: usize = 2 * 1024;

thread_local! {
    /// Each thread's read buffer, so ten thousand idle connections hold no
    /// read buffers at all: one per thread is enough. A connection reads
    /// into it and hands the bytes to its protocol in the same poll, with no
    /// `.await` in between: no other task can run on this thread meanwhile,
    /// and a task only moves to another thread between polls.
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; READ_BUFFER]);
}

/// After the server decides to close (an error response, `Connection:
/// close`), how much of what the client is still sending to read and throw
/// away, and for how long. Closing a socket with unread data sends a RST,
/// and a RST can destroy the response before the client reads it (hyper
/// #3078); nginx's lingering_close does the same draining.
const LINGER_BYTES: usize = 1024 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(2);

/// What one connection moved, added to the server's summary at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// Why a connection closed; printed in its `close` line.
#[derive(Debug)]
pub enum CloseReason {
    /// The client finished sending and everything owed was written.
    End,
    /// The protocol decided the exchange was over.
    Done,
    /// The client was silent for `--idle-close`.
    Idle(Duration),
    /// The client did not read what it was sent for `--write-timeout`.
    WriteTimeout(Duration),
    /// The peer reset the connection or stopped reading (RST, EPIPE).
    Reset,
    /// Any other I/O error.
    Error(io::Error),
    /// The server stopped and the grace period ran out.
    Shutdown,
}

impl From<io::Error> for CloseReason {
    fn from(err: io::Error) -> Self {
        match err.kind() {
            // A peer that goes away mid-conversation is an expected runtime
            // condition, not a server error. Rust ignores SIGPIPE, so a write
            // to a closed socket arrives here as BrokenPipe instead of
            // killing the process.
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => CloseReason::Reset,
            _ => CloseReason::Error(err),
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::End => f.write_str("end"),
            CloseReason::Done => f.write_str("done"),
            CloseReason::Idle(after) => write!(f, "idle: no data for {}s", after.as_secs()),
            CloseReason::WriteTimeout(after) => {
                write!(
                    f,
                    "write timeout: the client read nothing for {}s",
                    after.as_secs()
                )
            }
            CloseReason::Reset => f.write_str("reset"),
            CloseReason::Error(err) => write!(f, "error: {err}"),
            CloseReason::Shutdown => f.write_str("shutdown"),
        }
    }
}

/// Serves one connection until it closes, logging each event, then hands
/// its totals to `on_close` (the server adds them to its own).
///
/// Every open connection is one of these futures, so its size is most of
/// what an idle connection costs (the README's "RSS per idle connection").
/// Hence a plain `fn` returning an `async move` block (an `async fn` keeps
/// its arguments twice: as passed, and moved into locals), owned arguments
/// (so the caller's future need not keep them too), and nothing large held
/// across an `.await` that a smaller value could stand for.
// Not `async fn`, on purpose: see above.
#[allow(clippy::manual_async_fn)]
pub fn serve<S: Transport>(
    mut stream: S,
    log: ConnLog,
    config: Arc<Config>,
    shutdown: Shutdown,
    on_close: impl FnOnce(Totals),
) -> impl Future<Output = ()> {
    async move {
        let config: &Config = &config;
        // Listening for shutdown for the whole connection, rather than anew
        // for each read, registers one listener instead of one per event.
        let mut stop = pin!(shutdown.wait());
        log.event(format_args!("connection"));
        let started = Instant::now();
        let mut protocol = Protocol::new(config.mode);
        // How many bytes the last read brought (see `poll_read_chunk`), and
        // what goes back (see KEEP_WHEN_IDLE).
        let mut last_read = 0;
        let mut out = Vec::new();
        let mut totals = Totals::default();
        let mut silence = Silence::new();
        let mut timer = Timer::never();
        let mut timer_at: Option<Instant> = None;

        let reason = 'connection: loop {
            let alarm = next_alarm(&silence, &protocol, config);
            // Move the timer only when the alarm is due sooner than it rings. A
            // timer that rings early is just set again; moving it on every chunk
            // would cost a reactor wake-up per request (smol's reactor is
            // notified each time a timer is inserted).
            if let Some((at, _)) = alarm {
                if timer_at.is_none_or(|rings| at < rings) {
                    timer.set_at(at);
                    timer_at = Some(at);
                }
            }
            let event = next_event(
                &mut stream,
                &mut last_read,
                &mut out,
                &mut timer,
                stop.as_mut(),
            );
            let event = match event.await {
                Event::TimerRang => {
                    timer_at = None;
                    // Worked out again rather than kept from above: nothing
                    // it depends on changed, and not holding it across the
                    // await keeps every connection's future smaller.
                    match next_alarm(&silence, &protocol, config) {
                        Some((at, which)) if Instant::now() >= at => Event::Alarm(which),
                        // Rang for an alarm that has since moved on.
                        _ => continue,
                    }
                }
                event => event,
            };
            // Each event may leave a reply in `out`; it is sent before
            // anything more is read. `next` says whether to go on after,
            // and `ended` whether the client had finished (FIN).
            let (next, ended) = match event {
                Event::Data(n) => {
                    silence.heard_from_client();
                    totals.bytes_in += n as u64;
                    // Still in this thread's read buffer: see SCRATCH.
                    let next = SCRATCH.with_borrow(|scratch| {
                        let data = &scratch[..n];
                        log.trace(Direction::Received, data);
                        protocol.on_data(data, config, &log, &mut out)
                    });
                    (next, false)
                }
                Event::End => {
                    log.event(format_args!("end"));
                    protocol.on_end(&log, &mut out);
                    (Next::Close, true)
                }
                Event::Alarm(Alarm::Timeout(after)) => {
                    // Like Node's 'timeout' event this only tells; the connection
                    // stays open until --idle-close or the client ends it.
                    log.event(format_args!("timeout: no data for {}s", after.as_secs()));
                    silence.timeout_told();
                    continue;
                }
                Event::Alarm(Alarm::Idle(after)) => break CloseReason::Idle(after),
                Event::Alarm(Alarm::Protocol) => {
                    (protocol.on_deadline(config, &log, &mut out), false)
                }
                Event::Shutdown => break CloseReason::Shutdown,
                Event::Failed(err) => break CloseReason::from(err),
                Event::TimerRang => unreachable!("turned into an alarm above"),
            };
            let mut next = next;
            loop {
                let sent = send(
                    &mut stream,
                    &mut out,
                    config,
                    &log,
                    &mut totals,
                    stop.as_mut(),
                );
                if let Err(reason) = sent.await {
                    break 'connection reason;
                }
                // The protocol held back answers once its output passed a
                // bound; the client has taken that output, so it goes on,
                // still before anything more is read.
                if next == Next::Close || !protocol.is_paused() {
                    break;
                }
                next = protocol.resume(config, &log, &mut out);
            }
            match (next, ended) {
                (_, true) => break CloseReason::End,
                (Next::Close, false) => break CloseReason::Done,
                (Next::Continue, false) => {}
            }
        };

        // Flush and send our FIN. If that fails the connection is over anyway,
        // and the reason already logged is the one that matters.
        let _ = stream.flush().await;
        let _ = stream.shutdown_write();
        if let CloseReason::Done = reason {
            // Boxed: only closing connections need its timer.
            Box::pin(linger(&mut stream)).await;
        }
        // Close the socket and free the connection's slot before the
        // `close` line, so that whoever reads it (a test, a script, a
        // client at --max-connections) finds the slot free.
        drop(stream);
        on_close(totals);
        log.event(format_args!(
            "close ({reason}): {} bytes in, {} bytes out, {:.3}s",
            totals.bytes_in,
            totals.bytes_out,
            started.elapsed().as_secs_f64()
        ));
    }
}

/// Reads and discards until EOF, [`LINGER_BYTES`] or [`LINGER_TIME`].
async fn linger<S: Transport>(stream: &mut S) {
    let drain = async {
        let mut drained = 0;
        let mut last_read = 0;
        while drained < LINGER_BYTES {
            match future::poll_fn(|cx| poll_read_chunk(stream, &mut last_read, cx)).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    };
    let give_up = async {
        Timer::after(LINGER_TIME).await;
    };
    drain.or(give_up).await;
}

/// Everything the connection loop can wake up for.
enum Event {
    Data(usize),
    End,
    Alarm(Alarm),
    /// The connection's timer rang; whether an alarm is due is decided by
    /// the loop, which knows the current alarms.
    TimerRang,
    Shutdown,
    Failed(io::Error),
}

/// Waits for the first of: a read, the timer, shutdown.
///
/// Written as one `poll_fn` rather than three async blocks raced with `or`:
/// this is the future every idle connection holds in memory, and this way
/// it is less than half the size.
/// Polling the read first and dropping the others is safe: an unfinished
/// read has consumed nothing, so no byte is lost when a timer wins.
fn next_event<'a, S: Transport>(
    stream: &'a mut S,
    last_read: &'a mut usize,
    out: &'a mut Vec<u8>,
    timer: &'a mut Timer,
    mut stop: Pin<&'a mut impl Future<Output = ()>>,
) -> impl Future<Output = Event> + 'a {
    future::poll_fn(move |cx| {
        match poll_read_chunk(stream, last_read, cx) {
            Poll::Ready(Ok(0)) => return Poll::Ready(Event::End),
            Poll::Ready(Ok(n)) => return Poll::Ready(Event::Data(n)),
            Poll::Ready(Err(err)) => return Poll::Ready(Event::Failed(err)),
            // The socket has nothing: the connection is quiet, so a large
            // reply buffer is handed back (see KEEP_WHEN_IDLE).
            Poll::Pending if out.capacity() > KEEP_WHEN_IDLE => *out = Vec::new(),
            Poll::Pending => {}
        }
        if Pin::new(&mut *timer).poll(cx).is_ready() {
            return Poll::Ready(Event::TimerRang);
        }
        if stop.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Event::Shutdown);
        }
        Poll::Pending
    })
}

/// What the connection loop runs on: a byte stream that can also say
/// whether a read would find data, without reading.
pub trait Transport: AsyncRead + AsyncWrite + Unpin {
    /// Polls for readability. Streams that cannot tell (an in-memory pipe in
    /// a test or a fuzzer) say "ready" and let the read decide.
    fn poll_readable(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Sends FIN: nothing more will come from this side, while reading
    /// goes on. (`AsyncWrite::close` on smol's `Async` only flushes.)
    fn shutdown_write(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A TCP connection, registered with smol's reactor.
impl Transport for Async<std::net::TcpStream> {
    fn poll_readable(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Async::poll_readable(self, cx)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.get_ref().shutdown(std::net::Shutdown::Write)
    }
}

/// A borrowed transport is a transport (so a caller can keep the stream).
impl<T: Transport> Transport for &mut T {
    fn poll_readable(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        (**self).poll_readable(cx)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        (**self).shutdown_write()
    }
}

/// Reads one chunk into this thread's read buffer (`SCRATCH`) and says how
/// many bytes came; `last_read` remembers it for next time.
fn poll_read_chunk<S: Transport>(
    stream: &mut S,
    last_read: &mut usize,
    cx: &mut Context<'_>,
) -> Poll<io::Result<usize>> {
    // The last read took less than it could, so the socket is most likely
    // empty: ask the reactor first instead of making a read() that would
    // only say "would block". That saves a system call per request.
    if *last_read > 0 && *last_read < READ_BUFFER {
        ready!(stream.poll_readable(cx))?;
    }
    let n =
        ready!(SCRATCH.with_borrow_mut(|scratch| Pin::new(&mut *stream).poll_read(cx, scratch)))?;
    *last_read = n;
    Poll::Ready(Ok(n))
}

/// Writes out all of `out` (then empties it), unless shutdown comes first
/// or the client stops reading for `--write-timeout`.
///
/// While this waits, nothing is read from the client: that is the
/// backpressure. Most replies fit in the socket buffer and go out at once;
/// the write timer is only made once a write would block, and boxed, so
/// that the usual write costs no timer and every connection's future (what
/// an idle connection costs) does not carry one.
fn send<'a, S: AsyncWrite + Unpin>(
    stream: &'a mut S,
    out: &'a mut Vec<u8>,
    config: &'a Config,
    log: &ConnLog,
    totals: &'a mut Totals,
    mut stop: Pin<&'a mut impl Future<Output = ()>>,
) -> impl Future<Output = Result<(), CloseReason>> + 'a {
    if !out.is_empty() {
        log.trace(Direction::Sent, out);
    }
    let mut written = 0;
    let mut deadline: Option<Box<Timer>> = None;
    future::poll_fn(move |cx| {
        let result = loop {
            if written == out.len() {
                break Ok(());
            }
            match Pin::new(&mut *stream).poll_write(cx, &out[written..]) {
                Poll::Ready(Ok(0)) => {
                    break Err(CloseReason::from(io::Error::from(io::ErrorKind::WriteZero)))
                }
                Poll::Ready(Ok(n)) => {
                    written += n;
                    totals.bytes_out += n as u64;
                }
                Poll::Ready(Err(err)) => break Err(CloseReason::from(err)),
                Poll::Pending => {
                    if let Some(limit) = config.write_timeout {
                        let timer = deadline.get_or_insert_with(|| Box::new(Timer::after(limit)));
                        if Pin::new(&mut **timer).poll(cx).is_ready() {
                            break Err(CloseReason::WriteTimeout(limit));
                        }
                    }
                    if stop.as_mut().poll(cx).is_ready() {
                        break Err(CloseReason::Shutdown);
                    }
                    return Poll::Pending;
                }
            }
        };
        out.clear();
        Poll::Ready(result)
    })
}

/// The two silence timers: `--timeout` (tell once) and `--idle-close`
/// (close). Both count from the last byte the client sent.
struct Silence {
    since: Instant,
    timeout_told: bool,
}

#[derive(Clone, Copy, Debug)]
enum Alarm {
    Timeout(Duration),
    Idle(Duration),
    /// The protocol's own deadline (an HTTP head or body taking too long).
    Protocol,
}

/// The next alarm due: the silence timers' or the protocol's deadline.
fn next_alarm(silence: &Silence, protocol: &Protocol, config: &Config) -> Option<(Instant, Alarm)> {
    earliest(
        silence.next_alarm(config),
        protocol.deadline(config).map(|at| (at, Alarm::Protocol)),
    )
}

/// The earlier of two alarms; on a tie, the first.
fn earliest(a: Option<(Instant, Alarm)>, b: Option<(Instant, Alarm)>) -> Option<(Instant, Alarm)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

impl Silence {
    fn new() -> Self {
        Silence {
            since: Instant::now(),
            timeout_told: false,
        }
    }

    fn heard_from_client(&mut self) {
        self.since = Instant::now();
        self.timeout_told = false;
    }

    /// The timeout is told once per silence, as Node does, not every 3 s.
    fn timeout_told(&mut self) {
        self.timeout_told = true;
    }

    /// The earliest alarm still to ring, if any. When both are due at the
    /// same moment the timeout comes first, so its line precedes the close.
    fn next_alarm(&self, config: &Config) -> Option<(Instant, Alarm)> {
        let timeout = config
            .timeout
            .filter(|_| !self.timeout_told)
            .and_then(|after| Some((self.since.checked_add(after)?, Alarm::Timeout(after))));
        let idle = config
            .idle_close
            .and_then(|after| Some((self.since.checked_add(after)?, Alarm::Idle(after))));
        earliest(timeout, idle)
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Every open connection is one of these futures, so its size is the
    /// bulk of what an idle connection costs (the README's "RSS per idle
    /// connection"). The bound has headroom for compiler changes; growing
    /// past it means something large is being held across an await.
    #[test]
    fn a_connection_future_stays_small() {
        let config = Config::default();
        let (_trigger, shutdown) = crate::shutdown::channel();
        let log = ConnLog {
            id: 1,
            peer: "127.0.0.1:1".parse().unwrap(),
            verbosity: crate::log::Verbosity::Quiet,
        };
        let stream = crate::in_memory::Scripted::new([]);
        let future = serve(stream, log, Arc::new(config), shutdown, |_| {});
        let size = std::mem::size_of_val(&future);
        println!("the connection future is {size} bytes");
        assert!(size <= 640, "the connection future is {size} bytes");
    }
}
