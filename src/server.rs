//! The server: bind, accept, limit, shut down. The tutorial's
//! `net.createServer(...).listen(PORT, HOST)`.
//!
//! [`run`] takes listeners that are already bound and any future as the
//! shutdown signal (mini-redis's seam), so `main.rs` and the tests start the
//! server the same way.
//!
//! The lines the server prints about itself are in `server/events.rs`.

mod events;

use std::future::Future;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use smol::channel;
use smol::future::FutureExt;
use smol::{Async, Executor, Timer};
use std::net::{TcpListener, TcpStream};

use crate::conn;
use crate::log::{ConnLog, Logger};
use crate::settings::Settings;
use crate::shutdown::{self, Shutdown};
use crate::threads::Threads;
pub use events::Event;

/// `--grace`, in seconds.
pub const DEFAULT_GRACE_SECS: u64 = 5;

/// The server's own settings, for the accept loop; what each connection
/// runs with is beside them in [`Settings`].
#[derive(Clone, Debug)]
pub struct Config {
    /// `--max-connections`: connections open at once; more are refused.
    pub max_connections: usize,
    /// `--grace`: how long open connections get to finish on shutdown.
    pub grace: Duration,
    /// `--threads`: OS threads running connections.
    pub threads: usize,
    /// `--quiet`, `--trace`, `--log`.
    pub logger: Logger,
}

impl Default for Config {
    fn default() -> Self {
        // The open-file limit and the core count are read from files in
        // /proc and the cgroup: about 30 µs, ten times an in-memory
        // request. Every in-memory connection of the property tests and the
        // fuzzer starts from a default `Settings`, so they are read once a
        // process (neither changes while rawnet runs).
        static MACHINE: OnceLock<(usize, usize)> = OnceLock::new();
        let &(max_connections, threads) =
            MACHINE.get_or_init(|| (default_max_connections().0, crate::threads::default_count()));
        Config {
            max_connections,
            grace: Duration::from_secs(DEFAULT_GRACE_SECS),
            threads,
            logger: Logger::default(),
        }
    }
}

/// File descriptors kept free for everything that is not a connection:
/// stdio, the reactor's epoll and wake-up descriptors, the listeners, and
/// what the OS itself may open. A small machine's 1024 leaves 992.
const FDS_RESERVED: u64 = 32;

/// The default `--max-connections`: what the process's open-file limit
/// allows, so the limit is hit as a clean "refused" line, not as `accept`
/// failing with EMFILE. Read from `/proc/self/limits` (no unsafe `getrlimit`
/// needed); where that is missing, 1024.
pub fn default_max_connections() -> (usize, Option<u64>) {
    let limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
            line.split_whitespace().nth(3)?.parse::<u64>().ok()
        });
    match limit {
        Some(soft) => (
            soft.saturating_sub(FDS_RESERVED).max(1) as usize,
            Some(soft),
        ),
        None => (1024, None),
    }
}

/// The one-line summary printed when the server stops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub connections: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// Why the server could not start listening, worded for the person who ran it.
#[derive(Debug)]
pub enum BindError {
    Resolve { host: String, err: io::Error },
    Listen { addr: SocketAddr, err: io::Error },
}

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BindError::Resolve { host, err } => {
                write!(
                    f,
                    "cannot resolve host '{host}': {err} (try --host 127.0.0.1)"
                )
            }
            BindError::Listen { addr, err } => {
                let hint = match err.kind() {
                    io::ErrorKind::AddrInUse => {
                        "another program is listening there; stop it or try --port 0 for any free port"
                    }
                    io::ErrorKind::PermissionDenied => {
                        "ports below 1024 need root; try --port 8081, or --port 0 for any free port"
                    }
                    io::ErrorKind::AddrNotAvailable => {
                        "that address is not on this machine; try --host 127.0.0.1"
                    }
                    _ => "try --port 0 for any free port",
                };
                write!(f, "cannot listen on {addr}: {} ({hint})", describe(err))
            }
        }
    }
}

impl std::error::Error for BindError {}

/// `io::Error`'s Display adds "(os error 98)"; users want the words.
fn describe(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::AddrInUse => "address already in use".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::AddrNotAvailable => "address not available".into(),
        _ => err.to_string(),
    }
}

/// How often to retry a `--port 0` bind on a host with several addresses
/// when the port the first address got is taken on another.
const PORT_ZERO_ATTEMPTS: usize = 8;

/// A listening socket registered with smol's reactor.
pub type Listener = Async<TcpListener>;

/// Binds every address `host` resolves to, all on the same port.
///
/// `localhost` is both 127.0.0.1 and ::1, and clients try them in an order
/// of their own (curl prefers ::1), so serving only one would leave some
/// clients refused. With `--port 0` the first address picks a free port and
/// the others follow it. An address this machine does not have (::1 with
/// IPv6 off) is skipped as long as another one works.
pub async fn bind(host: &str, port: u16) -> Result<Vec<Listener>, BindError> {
    let mut addrs: Vec<SocketAddr> = Vec::new();
    let resolved = (host, port)
        .to_socket_addrs()
        .map_err(|err| BindError::Resolve {
            host: host.to_string(),
            err,
        })?;
    for addr in resolved {
        if !addrs.contains(&addr) {
            addrs.push(addr);
        }
    }

    let mut attempt = 0;
    loop {
        attempt += 1;
        match bind_all(&addrs, port).await {
            Err(BindError::Listen { err, .. })
                if port == 0
                    && attempt < PORT_ZERO_ATTEMPTS
                    && err.kind() == io::ErrorKind::AddrInUse => {}
            other => return other,
        }
    }
}

async fn bind_all(addrs: &[SocketAddr], port: u16) -> Result<Vec<Listener>, BindError> {
    let mut listeners = Vec::new();
    let mut chosen_port = port;
    let mut first_error = None;
    for &addr in addrs {
        let mut addr = addr;
        addr.set_port(chosen_port);
        match listen(addr) {
            Ok(listener) => {
                if chosen_port == 0 {
                    chosen_port = listener
                        .get_ref()
                        .local_addr()
                        .map(|a| a.port())
                        .unwrap_or(0);
                }
                listeners.push(listener);
            }
            // Skipping is only safe for an address the machine lacks; "in
            // use" or "permission denied" on any address is a real failure.
            Err(err) if err.kind() == io::ErrorKind::AddrNotAvailable && !listeners.is_empty() => {}
            Err(err) if err.kind() == io::ErrorKind::AddrNotAvailable => {
                first_error.get_or_insert(BindError::Listen { addr, err });
            }
            Err(err) => return Err(BindError::Listen { addr, err }),
        }
    }
    match (listeners.is_empty(), first_error) {
        (true, Some(err)) => Err(err),
        (true, None) => Err(BindError::Resolve {
            host: format!("{addrs:?}"),
            err: io::Error::new(io::ErrorKind::NotFound, "no addresses"),
        }),
        _ => Ok(listeners),
    }
}

/// How many connections the kernel may finish (handshake done) before we
/// accept them. std's `TcpListener::bind` fixes this at 128, so a burst of
/// clients (a benchmark opening 10,000 connections, a browser opening six)
/// has SYNs dropped and retried a second later. The kernel clamps it to
/// `net.core.somaxconn`; nginx and Node ask for 511.
const LISTEN_BACKLOG: i32 = 4096;

/// Binds a listening socket the way std does (SO_REUSEADDR, so a restart
/// does not wait out TIME_WAIT), but with [`LISTEN_BACKLOG`].
fn listen(addr: SocketAddr) -> io::Result<Listener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Async::new(TcpListener::from(socket))
}

/// Counters shared by the accept loops and every connection task.
#[derive(Default)]
struct Shared {
    next_id: AtomicU64,
    open: AtomicUsize,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

/// Serves on `listeners` until `shutdown` completes, then stops accepting,
/// gives open connections `settings.server.grace` to finish, closes the rest and
/// returns what was served (the caller prints it: see `main.rs`). Prints
/// `listening on ADDR` for each listener first, the line scripts wait for.
pub async fn run(
    listeners: Vec<Listener>,
    settings: Settings,
    shutdown: impl Future<Output = ()>,
) -> Summary {
    let config = &settings.server;
    let logger = config.logger;
    for listener in &listeners {
        if let Ok(addr) = listener.get_ref().local_addr() {
            logger.emit(Event::Listening { addr });
        }
    }
    #[cfg(feature = "tls")]
    if let Some(tls) = &settings.tls {
        logger.emit(tls.ready());
    }
    logger.emit(Event::ServingAtMost {
        max_connections: config.max_connections,
        fd_limit: default_max_connections().1,
    });

    let (grace, threads) = (config.grace, config.threads);
    let settings = Arc::new(settings);
    let shared = Arc::new(Shared::default());

    // One executor, run by `threads` OS threads that take tasks from each
    // other as they go idle. It won, measured with `wrk -t1 -c64` keep-alive
    // on the 2-core machine (medians of 3 alternating 5 s runs): 122k req/s,
    // against 110k for one executor per thread, each accepting on its own
    // SO_REUSEPORT listener, and 107k for one executor per thread sharing
    // one listener. Likely reasons: smol's reactor is one per process
    // either way, so per-thread executors do not save the cross-thread
    // wake-ups; and a thread that got more than its share of connections
    // (the kernel spreads them over SO_REUSEPORT sockets by hash) cannot
    // hand any over, while here idle threads steal work.
    let (ex, workers) = Threads::start(threads, "rawnet");
    // Dropping `stop_all` tells every connection to close now.
    let (stop_all, stop_rx) = shutdown::channel();
    // Every connection task holds a clone of `all_done_tx`; when the last
    // one is dropped, `all_done_rx.recv()` returns: all connections closed.
    let (all_done_tx, all_done_rx) = channel::bounded::<()>(1);

    // One accept loop per address. Cancelling these tasks below is what
    // stops accepting (and closes the listening sockets the loops own).
    let accepting: Vec<smol::Task<()>> = listeners
        .into_iter()
        .map(|listener| {
            // Each listener's connections know its address, for the
            // pages' TCP layer: one `Arc` per listener rather than 32
            // bytes in every connection's task.
            let mut own = Settings::clone(&settings);
            own.http.instance.listener = listener.get_ref().local_addr().ok();
            ex.spawn(accept_loop(
                ex.clone(),
                listener,
                Arc::new(own),
                shared.clone(),
                stop_rx.clone(),
                all_done_tx.clone(),
            ))
        })
        .collect();

    shutdown.await;
    // `cancel` (rather than drop) waits until each loop is gone and its
    // listening socket closed, so "stopped accepting" is true when printed.
    for task in accepting {
        task.cancel().await;
    }
    drop(all_done_tx);

    let open = shared.open.load(Ordering::SeqCst);
    if open > 0 {
        logger.emit(Event::StoppedAccepting { open, grace });
        let all_closed = async {
            let _ = all_done_rx.recv().await;
            true
        };
        let grace_over = async {
            Timer::after(grace).await;
            false
        };
        if !all_closed.or(grace_over).await {
            let open = shared.open.load(Ordering::SeqCst);
            logger.emit(Event::GraceOver { open });
            drop(stop_all);
            let _ = all_done_rx.recv().await;
        }
    }

    workers.stop();

    Summary {
        connections: shared.next_id.load(Ordering::SeqCst),
        bytes_in: shared.bytes_in.load(Ordering::SeqCst),
        bytes_out: shared.bytes_out.load(Ordering::SeqCst),
    }
}

/// Backoff after a failed accept: starts here, doubles, stops growing at
/// the maximum. Out of file descriptors (EMFILE), accept fails at once and
/// forever; retrying without a pause would spin a core at 100% (tokio #3529).
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
/// See [`ACCEPT_BACKOFF_MIN`].
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

async fn accept_loop(
    ex: Arc<Executor<'static>>,
    listener: Listener,
    settings: Arc<Settings>,
    shared: Arc<Shared>,
    stop: Shutdown,
    all_done: channel::Sender<()>,
) {
    let config = &settings.server;
    let mut backoff = ACCEPT_BACKOFF_MIN;
    let mut failing = false;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => {
                backoff = ACCEPT_BACKOFF_MIN;
                failing = false;
                accepted
            }
            Err(err) => {
                // One line per burst of failures, not one per retry.
                if !failing {
                    config.logger.emit(Event::AcceptFailed {
                        error: &err,
                        backoff_max: ACCEPT_BACKOFF_MAX,
                    });
                    failing = true;
                }
                Timer::after(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                continue;
            }
        };

        // Count first, then check: two loops (127.0.0.1 and ::1) accepting at
        // once cannot both slip in under the limit.
        let open = shared.open.fetch_add(1, Ordering::SeqCst);
        if open >= config.max_connections {
            shared.open.fetch_sub(1, Ordering::SeqCst);
            config.logger.emit(Event::Refused {
                peer,
                open,
                max_connections: config.max_connections,
            });
            // Dropping the stream closes it; the client sees EOF at once.
            drop(stream);
            continue;
        }

        // Replies are written whole, one write per chunk or batch, so Nagle's
        // algorithm could only hold them back: waiting for an ACK that the
        // client delays by 40 ms stalls every reply that spans two segments.
        let _ = stream.get_ref().set_nodelay(true);

        let id = shared.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let log = ConnLog {
            id,
            peer,
            logger: config.logger,
        };
        let task = serve_one(
            stream,
            log,
            settings.clone(),
            shared.clone(),
            stop.clone(),
            all_done.clone(),
        );
        // Detached: the task ends by itself when the connection closes, and
        // shutdown reaches it through `stop`, not by cancelling it, so it
        // always gets to print its `close` line.
        ex.spawn(task).detach();
    }
}

/// One connection's task: serve it, then add its totals to the server's.
/// The task is the connection future itself, with a small closure for the
/// end, because this future is most of what each open connection costs
/// (see `conn::serve`); wrapping it in another `async` block would keep the
/// stream and log in both (measured: 904 bytes instead of 472).
///
/// A panic inside it (a bug in rawnet: the release build checks arithmetic
/// for overflow, so a missed case panics instead of wrapping) ends that
/// connection alone: smol's executor catches a task's panic and keeps the
/// worker thread running, and the [`Slot`] frees the connection's place.
fn serve_one(
    stream: Async<TcpStream>,
    log: ConnLog,
    settings: Arc<Settings>,
    shared: Arc<Shared>,
    stop: Shutdown,
    all_done: channel::Sender<()>,
) -> impl Future<Output = ()> {
    let slot = Slot {
        shared,
        _all_done: all_done,
        conn: log.id,
        logger: log.logger,
        closed: false,
    };
    conn::serve(stream, log, settings, stop, move |totals| {
        slot.close(totals)
    })
}

/// One open connection's place in the server's count. Dropping it frees
/// the place, and tells shutdown there is one connection fewer to wait
/// for: whether the connection ended as it should or a panic unwound it.
struct Slot {
    shared: Arc<Shared>,
    _all_done: channel::Sender<()>,
    /// For the line that says a panic ended the connection.
    conn: u64,
    logger: Logger,
    /// The connection ended as it should (it called [`Slot::close`]).
    closed: bool,
}

impl Slot {
    fn close(mut self, totals: conn::Totals) {
        let shared = &self.shared;
        shared.bytes_in.fetch_add(totals.bytes_in, Ordering::SeqCst);
        shared
            .bytes_out
            .fetch_add(totals.bytes_out, Ordering::SeqCst);
        self.closed = true;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.open.fetch_sub(1, Ordering::SeqCst);
        if !self.closed {
            self.logger.emit(Event::Panic { conn: self.conn });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic in one connection's future ends that connection: the worker
    /// thread lives on to run the next task (smol's executor catches the
    /// panic of a detached task), and the connection's slot is given back,
    /// so shutdown does not wait for it forever.
    #[test]
    fn a_panicking_connection_ends_alone() {
        let shared = Arc::new(Shared::default());
        let (all_done_tx, all_done_rx) = channel::bounded::<()>(1);
        shared.open.store(1, Ordering::SeqCst);
        let slot = Slot {
            shared: shared.clone(),
            _all_done: all_done_tx,
            conn: 1,
            logger: Logger::quiet(),
            closed: false,
        };
        let (ex, workers) = Threads::start(1, "panic-test");
        // As the accept loop does: spawned and detached.
        ex.spawn(async move {
            let _slot = slot;
            let limit: u64 = std::hint::black_box(u64::MAX);
            let _ = std::hint::black_box(limit.checked_add(1).expect("overflow"));
        })
        .detach();
        assert!(
            smol::block_on(all_done_rx.recv()).is_err(),
            "the slot was dropped"
        );
        assert_eq!(shared.open.load(Ordering::SeqCst), 0);
        // The same worker thread still runs tasks.
        let next = ex.spawn(async { 42 });
        assert_eq!(smol::block_on(next), 42);
        workers.stop();
    }

    /// What each open connection costs is mostly this task: the
    /// connection future with a real TCP stream, and its slot. 472 bytes
    /// before the redesign that gave the I/O its own type, 440 after; an
    /// `async` wrapper around it (to catch panics) once made it 904. The
    /// bound leaves a little room for compiler changes.
    #[test]
    fn a_connection_task_stays_small() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let stream = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_trigger, stop) = shutdown::channel();
        let (all_done, _all_closed) = channel::bounded::<()>(1);
        let log = ConnLog {
            id: 1,
            peer: "127.0.0.1:1".parse().unwrap(),
            logger: Logger::quiet(),
        };
        let task = serve_one(
            Async::new(stream).unwrap(),
            log,
            Arc::new(Settings::default()),
            Arc::new(Shared::default()),
            stop,
            all_done,
        );
        let size = std::mem::size_of_val(&task);
        println!("a connection's task is {size} bytes");
        assert!(size <= 480, "a connection's task is {size} bytes");
    }

    #[test]
    fn port_zero_puts_every_address_on_the_same_port() {
        let addrs: [SocketAddr; 2] = ["127.0.0.1:0".parse().unwrap(), "[::1]:0".parse().unwrap()];
        let listeners = smol::block_on(bind_all(&addrs, 0)).expect("bind loopback");
        let bound: Vec<SocketAddr> = listeners
            .iter()
            .map(|l| l.get_ref().local_addr().unwrap())
            .collect();
        let port = bound[0].port();
        assert_ne!(port, 0);
        assert!(bound.iter().all(|a| a.port() == port), "{bound:?}");
        // ::1 is skipped only where the machine has no IPv6 loopback.
        if std::net::TcpListener::bind("[::1]:0").is_ok() {
            assert_eq!(bound.len(), 2, "{bound:?}");
        }
    }

    #[test]
    fn bind_errors_name_the_address_and_a_hint() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let err = smol::block_on(bind("127.0.0.1", addr.port())).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot listen on {addr}: address already in use \
                 (another program is listening there; stop it or try --port 0 for any free port)"
            )
        );
    }
}
