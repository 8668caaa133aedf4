//! A connection's I/O: the socket, the reply buffer, the timers, and the
//! hand-off of received bytes from the per-thread read buffer, as one
//! [`Socket`]: what Node's `net.Socket` is to the tutorial (it has the
//! `setTimeout` and the `write`), and mini-redis's `Connection` to its
//! `Handler`. The loop in `conn.rs` asks [`Socket::next_event`] what
//! happened and [`Socket::send`] to write, and every speed trick lives
//! here, named and measured.

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use smol::future::{self, FutureExt};
use smol::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use smol::{Async, Timer};

use super::{CloseReason, Totals};
use crate::budget::Reservation;
use crate::log::{ConnLog, Direction};
use crate::settings::Settings;

/// Bytes asked for in one read: a 64 KiB client write in one system call.
/// The buffer is per thread (see `SCRATCH`), so its size costs nothing per
/// connection.
pub(crate) const READ_BUFFER: usize = 64 * 1024;

/// How many reads in a row a connection may make without waiting before it
/// gives its thread up. A client that keeps the socket full (a flood of
/// pongs, pipelined requests with tiny answers) makes every read find data
/// and every send complete at once, so its task would never wait, and its
/// worker thread, with the accept loop and every other connection's reads
/// and timers queued behind it, would be its alone. After this many reads
/// (at most 2 × 64 KiB, so that a turn stays short even in a debug build
/// or under `--trace`) the task steps back to the end of the executor's
/// queue, as tokio's cooperative budget makes a task do; others run, then
/// it goes on where it was. A client that waits for its answers never
/// reaches it.
pub(super) const READS_BEFORE_YIELD: u8 = 2;

/// A reply buffer larger than this is given back when the connection goes
/// quiet, so a burst does not leave an idle connection holding memory; a
/// smaller one is kept, so a ping-pong conversation does not allocate per
/// message.
const KEEP_WHEN_IDLE: usize = 2 * 1024;

thread_local! {
    /// Each thread's read buffer, so ten thousand idle connections hold no
    /// read buffers at all: one per thread is enough. The bytes read into
    /// it are handed to the protocol in the same poll (see
    /// [`Socket::next_event`]), so no other task can touch it meanwhile.
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; READ_BUFFER]);
}

/// After the server decides to close (an error response, `Connection:
/// close`), how much of what the client is still sending to read and throw
/// away, and for how long. Closing a socket with unread data sends a RST,
/// and a RST can destroy the response before the client reads it (hyper
/// #3078); nginx's lingering_close does the same draining.
const LINGER_BYTES: usize = 1024 * 1024;
/// See [`LINGER_BYTES`].
const LINGER_TIME: Duration = Duration::from_secs(2);

/// What the connection loop runs on: a byte stream that can also say
/// whether a read would find data, without reading.
pub(crate) trait Transport: AsyncRead + AsyncWrite + Unpin {
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

    /// Whether the connection shares its thread with others, and so must
    /// give it up now and then however fast its bytes come
    /// ([`READS_BEFORE_YIELD`]). A socket does; an in-memory script (a
    /// property test, the fuzzer) runs alone, and a yield would only cost.
    fn shares_a_thread(&self) -> bool {
        true
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

    fn shares_a_thread(&self) -> bool {
        (**self).shares_a_thread()
    }
}

/// What [`Socket::next_event`] saw first.
pub(crate) enum Happened<R> {
    /// Bytes arrived and were handed to the caller's `on_data`, which
    /// answered with this.
    Data(R),
    /// The client finished sending (FIN).
    End,
    /// No data for `--timeout` (told once per silence, as Node does).
    Timeout(Duration),
    /// No data for `--idle-close`.
    Idle(Duration),
    /// The deadline the caller passed has come.
    Deadline,
    /// The server is shutting down and the grace period is over.
    Shutdown,
    /// The socket failed (a reset, most often).
    Failed(CloseReason),
}

/// One connection's socket and everything that goes with it: the reply
/// waiting to be sent, the timers, what it moved.
pub(crate) struct Socket<'a, S, F> {
    stream: S,
    /// What the connection runs with: its timers here, and the memory
    /// budget an unread reply counts against.
    settings: &'a Settings,
    /// Completes when the server tells connections to stop.
    stop: Pin<&'a mut F>,
    /// What goes back to the client next.
    reply: Vec<u8>,
    timer: Timer,
    /// When `timer` rings, if it is set.
    timer_at: Option<Instant>,
    /// When the connection last carried something: bytes from the client,
    /// or a part of a response the server sent on its own time (a delayed
    /// head, a drip's chunk; see [`Socket::spoke`]). The two silence
    /// timers, `--timeout` (tell once) and `--idle-close` (close), count
    /// from here, as Node's socket timeout counts inactivity either way.
    heard_at: Instant,
    /// The timeout was told for this silence (Node tells it once).
    timeout_told: bool,
    /// The last read took less than it asked for (see `poll_read`).
    read_was_short: bool,
    /// Reads since this connection last waited (see [`READS_BEFORE_YIELD`]).
    reads_without_waiting: u8,
    totals: Totals,
}

impl<'a, S: Transport, F: Future<Output = ()>> Socket<'a, S, F> {
    pub(crate) fn new(stream: S, settings: &'a Settings, stop: Pin<&'a mut F>) -> Self {
        Socket {
            stream,
            settings,
            stop,
            reply: Vec::new(),
            timer: Timer::never(),
            timer_at: None,
            heard_at: Instant::now(),
            timeout_told: false,
            read_was_short: false,
            reads_without_waiting: 0,
            totals: Totals::default(),
        }
    }

    /// The buffer the reply is written into; [`Socket::send`] sends it.
    pub(crate) fn reply(&mut self) -> &mut Vec<u8> {
        &mut self.reply
    }

    /// Waits for the first of: bytes from the client, the end of its
    /// stream, a timer (the silence timers, or `deadline`), shutdown.
    ///
    /// Received bytes are not returned: they are in this thread's read
    /// buffer, which must not be held across an `.await` (another task on
    /// this thread would read into it). So `on_data` gets them inside the
    /// same poll, with the reply buffer to answer into, and only what it
    /// returns comes out. The signature enforces the rule: `R` cannot
    /// borrow the bytes.
    ///
    /// Written as one `poll_fn` rather than several futures raced with
    /// `or`: this is the future every idle connection holds in memory, and
    /// this way it stays small. Polling the read first and dropping the
    /// rest is safe: an unfinished read has consumed nothing.
    pub(crate) fn next_event<'s, R, D>(
        &'s mut self,
        deadline: Option<Instant>,
        on_data: D,
    ) -> impl Future<Output = Happened<R>> + use<'s, 'a, R, D, S, F>
    where
        D: FnOnce(&[u8], &mut Vec<u8>) -> R + 's,
    {
        self.arm_timer(deadline);
        let mut on_data = Some(on_data);
        future::poll_fn(move |cx| {
            // Its turn is over: wake at once, behind everyone waiting (see
            // READS_BEFORE_YIELD). The timers and shutdown are still looked
            // at below, so a flood cannot hide them.
            let yielding =
                self.reads_without_waiting >= READS_BEFORE_YIELD && self.stream.shares_a_thread();
            let read = if yielding {
                self.reads_without_waiting = 0;
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                self.poll_read(cx)
            };
            match read {
                Poll::Ready(Ok(0)) => return Poll::Ready(Happened::End),
                Poll::Ready(Ok(n)) => {
                    // Both silence timers count again, and the next
                    // silence is told again.
                    self.heard_at = Instant::now();
                    self.timeout_told = false;
                    self.totals.bytes_in += n as u64;
                    let answered = match on_data.take() {
                        Some(on_data) => {
                            SCRATCH.with_borrow(|scratch| on_data(&scratch[..n], &mut self.reply))
                        }
                        None => unreachable!("a poll_fn is not polled after it is ready"),
                    };
                    return Poll::Ready(Happened::Data(answered));
                }
                Poll::Ready(Err(err)) => return Poll::Ready(Happened::Failed(err.into())),
                // The socket has nothing: the connection is quiet, so a
                // large reply buffer is handed back (see KEEP_WHEN_IDLE).
                Poll::Pending if !yielding && self.reply.capacity() > KEEP_WHEN_IDLE => {
                    self.reply = Vec::new()
                }
                Poll::Pending => {}
            }
            while Pin::new(&mut self.timer).poll(cx).is_ready() {
                self.timer_at = None;
                match self.due(deadline) {
                    Some(happened) => return Poll::Ready(happened),
                    // Rang for an alarm that has since moved on: set it
                    // again, and poll it again so it wakes this task.
                    None => self.arm_timer(deadline),
                }
            }
            if self.stop.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Happened::Shutdown);
            }
            Poll::Pending
        })
    }

    /// The alarm due now, if one is.
    fn due<R>(&mut self, deadline: Option<Instant>) -> Option<Happened<R>> {
        let (at, alarm) = self.next_alarm(deadline)?;
        if Instant::now() < at {
            return None;
        }
        Some(match alarm {
            Alarm::Timeout(after) => {
                self.timeout_told = true;
                Happened::Timeout(after)
            }
            Alarm::Idle(after) => Happened::Idle(after),
            Alarm::Deadline => Happened::Deadline,
        })
    }

    /// Sets the timer for the next alarm, but only when that alarm is due
    /// sooner than the timer rings. A timer that rings early is just set
    /// again; moving it on every chunk would cost a reactor wake-up per
    /// request (smol's reactor is notified each time a timer is inserted).
    fn arm_timer(&mut self, deadline: Option<Instant>) {
        if let Some((at, _)) = self.next_alarm(deadline) {
            if self.timer_at.is_none_or(|rings| at < rings) {
                self.timer.set_at(at);
                self.timer_at = Some(at);
            }
        }
    }

    /// The server sent something that was not an answer to bytes just read
    /// (a response held back by `?delay`, a drip's chunk, a large body
    /// made as the client read it): the connection is not silent, so a
    /// client waiting for a slow answer is not closed as idle.
    pub(crate) fn spoke(&mut self) {
        self.heard_at = Instant::now();
        self.timeout_told = false;
    }

    /// The next alarm due: the silence timers' or the caller's deadline.
    /// When two are due at the same moment the first wins, so a timeout's
    /// line precedes the close. Checked additions: a timer too long to add
    /// to a point in time means "never".
    fn next_alarm(&self, deadline: Option<Instant>) -> Option<(Instant, Alarm)> {
        let after_silence = |after: Duration| self.heard_at.checked_add(after);
        let timeout = self
            .settings
            .conn
            .timeout
            .filter(|_| !self.timeout_told)
            .and_then(|after| Some((after_silence(after)?, Alarm::Timeout(after))));
        let idle = self
            .settings
            .conn
            .idle_close
            .and_then(|after| Some((after_silence(after)?, Alarm::Idle(after))));
        let deadline = deadline.map(|at| (at, Alarm::Deadline));
        earliest(earliest(timeout, idle), deadline)
    }

    /// Reads one chunk into this thread's read buffer and says how many
    /// bytes came, counting the reads made without waiting in between
    /// (see [`READS_BEFORE_YIELD`]).
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let read = self.poll_read_chunk(cx);
        self.reads_without_waiting = match read {
            Poll::Pending => 0,
            Poll::Ready(_) => self.reads_without_waiting.saturating_add(1),
        };
        read
    }

    fn poll_read_chunk(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        // The last read took less than it could, so the socket is most likely
        // empty: ask the reactor first instead of making a read() that would
        // only say "would block". That saves a system call per request.
        if self.read_was_short {
            ready!(self.stream.poll_readable(cx))?;
        }
        let stream = &mut self.stream;
        let n = ready!(SCRATCH.with_borrow_mut(|scratch| Pin::new(stream).poll_read(cx, scratch)))?;
        self.read_was_short = n > 0 && n < READ_BUFFER;
        Poll::Ready(Ok(n))
    }

    /// Writes out all of the reply (then empties it), unless shutdown comes
    /// first or the client stops reading for `--write-timeout`.
    ///
    /// While this waits, nothing is read from the client: that is the
    /// backpressure. Most replies fit in the socket buffer and go out at
    /// once; the write timer is only made once a write would block, and
    /// boxed, so that the usual write costs no timer and every
    /// connection's future (what an idle connection costs) does not carry
    /// one.
    ///
    /// `--write-timeout` is the time the client takes nothing: the timer
    /// starts when a write first would block and starts again only when a
    /// later write moves bytes. When it rings, the connection is closed
    /// before any further write is tried: a TCP window that a never-reading
    /// client's kernel opens a crack at that moment (its window probes)
    /// would otherwise buy it another whole `--write-timeout`.
    pub(crate) fn send<'s>(
        &'s mut self,
        log: &ConnLog,
    ) -> impl Future<Output = Result<(), CloseReason>> + use<'s, 'a, S, F> {
        log.wire(Direction::Sent, &self.reply);
        let mut written = 0;
        let mut write_timer: Option<Box<Timer>> = None;
        let mut unread: Option<Reservation> = None;
        future::poll_fn(move |cx| {
            let result = loop {
                if written == self.reply.len() {
                    break Ok(());
                }
                if let (Some(timer), Some(limit)) =
                    (&mut write_timer, self.settings.conn.write_timeout)
                {
                    if Pin::new(&mut **timer).poll(cx).is_ready() {
                        break Err(CloseReason::WriteTimeout(limit));
                    }
                }
                match Pin::new(&mut self.stream).poll_write(cx, &self.reply[written..]) {
                    Poll::Ready(Ok(0)) => {
                        break Err(CloseReason::from(io::Error::from(io::ErrorKind::WriteZero)))
                    }
                    Poll::Ready(Ok(n)) => {
                        written += n;
                        self.totals.bytes_out += n as u64;
                        // The client took something: its time starts again.
                        write_timer = None;
                    }
                    Poll::Ready(Err(err)) => break Err(CloseReason::from(err)),
                    Poll::Pending => {
                        if let Err(reason) = self.hold_unread(&mut unread, written) {
                            break Err(reason);
                        }
                        if let Some(limit) = self.settings.conn.write_timeout {
                            let timer =
                                write_timer.get_or_insert_with(|| Box::new(Timer::after(limit)));
                            // Polled so that it wakes this task when it rings.
                            if Pin::new(&mut **timer).poll(cx).is_ready() {
                                break Err(CloseReason::WriteTimeout(limit));
                            }
                        }
                        if self.stop.as_mut().poll(cx).is_ready() {
                            break Err(CloseReason::Shutdown);
                        }
                        return Poll::Pending;
                    }
                }
            };
            self.reply.clear();
            Poll::Ready(result)
        })
    }

    /// A write would block: the client is not reading, and the reply waits
    /// in memory until it does. For as long, it counts against the
    /// server's memory budget (taken at the first wait, given back when
    /// the send ends, however it ends). When the budget cannot cover it,
    /// the connection is closed: the one answer left for a client that
    /// does not read.
    fn hold_unread(
        &self,
        unread: &mut Option<Reservation>,
        written: usize,
    ) -> Result<(), CloseReason> {
        if unread.is_none() {
            let held = self.settings.http.budget.hold(self.reply.capacity());
            let held = held.map_err(|spent| CloseReason::OverBudget {
                unread: self.reply.len() - written,
                spent,
            })?;
            *unread = Some(held);
        }
        Ok(())
    }

    /// Ends the connection: flushes, sends FIN and, when the server chose
    /// to close while the client may still be sending (`linger`), drains
    /// what it sends (see [`LINGER_BYTES`]). Dropping the `Socket` then
    /// closes the socket.
    pub(crate) async fn close(&mut self, linger: bool) {
        // If this fails the connection is over anyway, and the reason
        // already known is the one that matters.
        let _ = self.stream.flush().await;
        let _ = self.stream.shutdown_write();
        if linger {
            // Boxed: only closing connections need its timer.
            Box::pin(self.linger()).await;
        }
    }

    /// What the connection moved so far.
    pub(crate) fn totals(&self) -> Totals {
        self.totals
    }

    /// Reads and discards until EOF, [`LINGER_BYTES`] or [`LINGER_TIME`].
    async fn linger(&mut self) {
        let drain = async {
            let mut drained = 0;
            while drained < LINGER_BYTES {
                match future::poll_fn(|cx| self.poll_read(cx)).await {
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
}

#[derive(Clone, Copy, Debug)]
enum Alarm {
    Timeout(Duration),
    Idle(Duration),
    /// The protocol's own deadline (an HTTP head or body taking too long).
    Deadline,
}

/// The earlier of two alarms; on a tie, the first.
fn earliest(a: Option<(Instant, Alarm)>, b: Option<(Instant, Alarm)>) -> Option<(Instant, Alarm)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}
