//! One connection's life, from `connection` to `close`: the tutorial's
//! `socket.on('data' | 'end' | 'timeout' | 'close')` handlers as one loop.
//!
//! The loop waits for the next thing that happens on the connection (bytes
//! from the client, the end of their stream, a timer, the server shutting
//! down), lets the connection's [`Protocol`] answer it, and sends the
//! answer before it reads again. The socket, the buffers and the timers
//! are [`Socket`]'s business (`conn/io.rs`), as mini-redis keeps its
//! `Connection` apart from its `Handler`: this file is only the story.
//!
//! Sending everything before the next read is the backpressure: a client
//! that sends without reading stops being read from once its socket buffer
//! is full, so the server never queues unbounded replies for it (Node's
//! `socket.write` would buffer them all in memory).
//!
//! It is generic over the [`Transport`], so it runs the same on a
//! `TcpStream` as on an in-memory pipe in a test or a fuzzer. The words
//! of its lines are in `conn/events.rs`.

mod events;
mod io;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::log::{ConnLog, Direction};
use crate::next::Farewell;
use crate::protocol::{Mode, Next, Protocol, DEFAULT_MODE};
use crate::settings::Settings;
use crate::shutdown::Shutdown;
pub use events::{CloseReason, Event};
pub(crate) use io::Transport;
use io::{Happened, Socket};

/// The tutorial's `socket.setTimeout(3000)`, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 3;
/// `--idle-close`, in seconds.
pub const DEFAULT_IDLE_CLOSE_SECS: u64 = 60;
/// `--write-timeout`, in seconds.
pub const DEFAULT_WRITE_TIMEOUT_SECS: u64 = 30;

/// The core's settings: what a connection speaks and how long it waits.
/// The layers on top have theirs beside these, in [`Settings`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `--mode`: what a new connection speaks.
    pub mode: Mode,
    /// `--timeout`: tell about a silent client after this long.
    pub timeout: Option<Duration>,
    /// `--idle-close`: close a silent client after this long.
    pub idle_close: Option<Duration>,
    /// `--write-timeout`: how long a reply may wait for the client to read.
    pub write_timeout: Option<Duration>,
    /// `--plain-echo`: a timeout only tells; it does not add the
    /// tutorial's raw pipe.
    pub plain_echo: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: DEFAULT_MODE,
            timeout: Some(Duration::from_secs(DEFAULT_TIMEOUT_SECS)),
            idle_close: Some(Duration::from_secs(DEFAULT_IDLE_CLOSE_SECS)),
            write_timeout: Some(Duration::from_secs(DEFAULT_WRITE_TIMEOUT_SECS)),
            plain_echo: false,
        }
    }
}

/// What one connection moved, added to the server's summary at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// Serves one connection until it closes, logging each event, then hands
/// its totals to `on_close` (the server adds them to its own). The loop
/// reads `settings.conn`; each layer gets its own part from the protocol.
///
/// Every open connection is one of these futures, so its size is most of
/// what an idle connection costs (the README's "RSS per idle connection").
/// Hence a plain `fn` returning an `async move` block (an `async fn` keeps
/// its arguments twice: as passed, and moved into locals), owned arguments
/// (so the caller's future need not keep them too), and nothing large held
/// across an `.await` that a smaller value could stand for.
// Not `async fn`, on purpose: see above.
#[allow(clippy::manual_async_fn)]
pub(crate) fn serve<S: Transport>(
    stream: S,
    log: ConnLog,
    settings: Arc<Settings>,
    shutdown: Shutdown,
    on_close: impl FnOnce(Totals),
) -> impl Future<Output = ()> {
    async move {
        let started = Instant::now();
        // Listening for shutdown for the whole connection, rather than anew
        // for each wait, registers one listener instead of one per event.
        let stop = pin!(shutdown.wait());
        let mut socket = Socket::new(stream, &settings, stop);
        let mut protocol = Protocol::new(settings.conn.mode, settings.proxy);
        log.emit(Event::Connection);

        let reason = 'connection: loop {
            let deadline = protocol.deadline(&settings);
            let happened = socket.next_event(deadline, |data, out| {
                log.wire(Direction::Received, data);
                protocol.on_data(data, &settings, &log, out)
            });
            let mut ending = Ending::No;
            // Whether the server sends on its own time, not in answer to
            // bytes just read (see `Socket::spoke`).
            let mut spoke = false;
            let mut next = match happened.await {
                // socket.on('data'): the protocol already answered, inside
                // the read (see `Socket::next_event` for why).
                Happened::Data(next) => next,
                // socket.on('end'): send what is still owed, then close.
                Happened::End => {
                    log.emit(Event::End);
                    protocol.on_end(&settings, &log, socket.reply());
                    ending = Ending::End;
                    Next::Close
                }
                // socket.on('timeout'): only tells, like Node; and, like the
                // tutorial's handler, pipes the socket to itself.
                Happened::Timeout(after) => {
                    log.emit(Event::Timeout { after });
                    if !settings.conn.plain_echo {
                        protocol.on_timeout(&log);
                    }
                    continue;
                }
                // A protocol that says goodbye before the close (a
                // WebSocket's close frame, 1001 going away) puts it in the
                // reply, which goes out below as every answer does.
                Happened::Idle(after) => {
                    if !protocol.farewell(Farewell::Idle, &log, socket.reply()) {
                        break CloseReason::Idle(after);
                    }
                    ending = Ending::Idle;
                    Next::Close
                }
                // The protocol's own deadline: an HTTP head or body too
                // slow, or the moment a held-back response is due.
                // Only bytes sent break the silence: a deadline that only
                // printed a line (a WebSocket's count of frames not shown)
                // does not.
                Happened::Deadline => {
                    let next = protocol.on_deadline(&settings, &log, socket.reply());
                    spoke = !socket.reply().is_empty();
                    next
                }
                // Its send is bounded as any other: by --write-timeout, and
                // by shutdown itself (already here, so a client that is not
                // reading is not waited on at all).
                Happened::Shutdown => {
                    if !protocol.farewell(Farewell::Shutdown, &log, socket.reply()) {
                        break CloseReason::Shutdown;
                    }
                    ending = Ending::Shutdown;
                    Next::Close
                }
                Happened::Failed(reason) => break reason,
            };
            // The answer goes out before anything more is read (the
            // backpressure). Every event's answer is sent here, `end`'s
            // too, rather than in each arm: one place that sends keeps
            // every connection's future smaller. A protocol that held
            // answers back at its output bound (pipelined requests from a
            // client that reads slowly) goes on once the client has taken
            // what was sent.
            loop {
                if let Err(reason) = socket.send(&log).await {
                    break 'connection reason;
                }
                if next == Next::Close || !protocol.is_paused() {
                    break;
                }
                next = protocol.resume(&settings, &log, socket.reply());
                spoke = true;
            }
            if spoke {
                socket.spoke();
            }
            if let Some(reason) = ending.reason(next, &settings) {
                break reason;
            }
        };

        // socket.on('close'). The socket is closed, and the connection's
        // slot freed, before the line, so that whoever reads it (a test, a
        // script, a client at --max-connections) finds the slot free.
        socket.close(matches!(reason, CloseReason::Done)).await;
        let totals = socket.totals();
        drop(socket);
        on_close(totals);
        protocol.before_close(&log);
        log.emit(Event::Close {
            reason: &reason,
            bytes_in: totals.bytes_in,
            bytes_out: totals.bytes_out,
            lasted: started.elapsed(),
        });
    }
}

/// Why the loop ends once the answer in hand is sent, if it does: kept as
/// one byte across the send, not as a [`CloseReason`].
#[derive(Clone, Copy)]
enum Ending {
    No,
    /// The client's FIN.
    End,
    /// `--idle-close`, after the protocol's farewell.
    Idle,
    /// The server is stopping, after the protocol's farewell.
    Shutdown,
}

impl Ending {
    /// Why the connection closes now that the answer is sent, if it does.
    fn reason(self, next: Next, settings: &Settings) -> Option<CloseReason> {
        match (self, next) {
            (Ending::End, _) => Some(CloseReason::End),
            // Only the idle timer ends a wait with `Idle`, after
            // `--idle-close`.
            (Ending::Idle, _) => Some(CloseReason::Idle(
                settings.conn.idle_close.unwrap_or_default(),
            )),
            (Ending::Shutdown, _) => Some(CloseReason::Shutdown),
            (Ending::No, Next::Close) => Some(CloseReason::Done),
            (Ending::No, Next::Continue) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every open connection is one of these futures, so its size is the
    /// bulk of what an idle connection costs (the README's "RSS per idle
    /// connection"). With the in-memory stream of this test it is 488
    /// bytes (496 before the I/O, now `Socket`, was taken apart from the loop).
    /// The bound has a little headroom for compiler changes; growing past
    /// it means something large is being held across an await.
    #[test]
    fn a_connection_future_stays_small() {
        let settings = Settings::default();
        let (_trigger, shutdown) = crate::shutdown::channel();
        let log = ConnLog {
            id: 1,
            peer: "127.0.0.1:1".parse().unwrap(),
            logger: crate::log::Logger::quiet(),
        };
        let stream = crate::in_memory::Scripted::new([]);
        let future = serve(stream, log, Arc::new(settings), shutdown, |_| {});
        let size = std::mem::size_of_val(&future);
        println!("the connection future is {size} bytes");
        assert!(size <= 520, "the connection future is {size} bytes");
    }

    /// A scripted client that shares its thread, as a socket does.
    struct Shared(crate::in_memory::Scripted);

    impl smol::io::AsyncRead for Shared {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &mut [u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
        }
    }

    impl smol::io::AsyncWrite for Shared {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
        }

        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }

        fn poll_close(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
    }

    impl Transport for Shared {}

    /// A client whose bytes are always there (the script never runs dry,
    /// as a flooding client's socket never does) still has its task give
    /// the thread back every few reads: the poll returns `Pending` having
    /// woken itself, so the executor runs the others.
    #[test]
    fn a_client_that_never_runs_dry_gives_its_thread_up() {
        use std::task::{Context, Waker};
        let mut settings = Settings::default();
        settings.conn.mode = Mode::Raw;
        let (_trigger, shutdown) = crate::shutdown::channel();
        let log = ConnLog {
            id: 1,
            peer: "127.0.0.1:1".parse().unwrap(),
            logger: crate::log::Logger::quiet(),
        };
        let reads: usize = 40;
        let chunks = (0..reads).map(|_| vec![b'x'; io::READ_BUFFER]);
        let stream = Shared(crate::in_memory::Scripted::new(chunks));
        let mut future = pin!(serve(stream, log, Arc::new(settings), shutdown, |_| {}));
        let mut cx = Context::from_waker(Waker::noop());
        let mut turns = 1;
        while future.as_mut().poll(&mut cx).is_pending() {
            turns += 1;
            assert!(turns < 1000, "the connection never finished");
        }
        // 40 reads, then the FIN's: a turn every READS_BEFORE_YIELD reads.
        let expected = (reads + 1).div_ceil(usize::from(io::READS_BEFORE_YIELD));
        assert_eq!(turns, expected);
    }
}
