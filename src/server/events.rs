//! The server's own lines, tied to no one connection: listening, the
//! connection limit, a refused or failed accept, a connection's panic, and
//! the steps of a graceful shutdown. Their words and their JSON are here,
//! beside the loop that emits most of them (`server.rs`; `shutdown.rs`
//! says which signal came, `main.rs` what was served); `log.rs` only
//! prints them.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::log::{self, Line, Verbosity};

/// What the log says about the server. In JSON, each variant's name in
/// snake_case is its `event` (`listening`, `shutdown_complete`, ...).
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// A listener is bound: the line scripts wait for.
    Listening { addr: SocketAddr },
    /// The `--max-connections` in force, and the open-file limit it was
    /// measured against.
    ServingAtMost {
        max_connections: usize,
        fd_limit: Option<u64>,
    },
    /// A connection closed at once: `--max-connections` were open.
    Refused {
        peer: SocketAddr,
        open: usize,
        max_connections: usize,
    },
    /// `accept` failed (out of file descriptors, say); the loop backs off.
    AcceptFailed {
        #[serde(serialize_with = "as_text")]
        error: &'a io::Error,
        #[serde(serialize_with = "crate::log::as_seconds")]
        backoff_max: Duration,
    },
    /// Ctrl-C or SIGTERM came.
    ShuttingDown { signal: &'static str },
    /// The listeners are closed; open connections get `--grace` to end.
    StoppedAccepting {
        open: usize,
        #[serde(serialize_with = "crate::log::as_seconds")]
        grace: Duration,
    },
    /// `--grace` ran out with connections still open.
    GraceOver { open: usize },
    /// Everything served, once the server stopped.
    ShutdownComplete {
        connections: u64,
        bytes_in: u64,
        bytes_out: u64,
    },
    /// A connection's task panicked (a bug); the server goes on.
    Panic { conn: u64 },
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::Server(event)
    }
}

/// Start-up, shutdown and a panic are printed even with `--quiet`.
impl Line for Event<'_> {
    fn level(&self) -> Verbosity {
        match self {
            Event::ServingAtMost { .. } | Event::Refused { .. } => Verbosity::Events,
            _ => Verbosity::Quiet,
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Listening { addr } => write!(f, "listening on {addr}"),
            Event::ServingAtMost {
                max_connections,
                fd_limit,
            } => {
                write!(
                    f,
                    "serving at most {max_connections} connections at once \
                     (--max-connections; open-file limit "
                )?;
                match fd_limit {
                    Some(limit) => write!(f, "{limit})"),
                    None => f.write_str("unknown)"),
                }
            }
            Event::Refused {
                peer,
                open,
                max_connections,
            } => write!(
                f,
                "refused {peer}: {open} connections open (--max-connections {max_connections})"
            ),
            Event::AcceptFailed { error, backoff_max } => write!(
                f,
                "accept failed: {error}; retrying with backoff up to {}s",
                backoff_max.as_secs()
            ),
            Event::ShuttingDown { signal } => write!(f, "received {signal}, shutting down"),
            Event::StoppedAccepting { open, grace } => write!(
                f,
                "stopped accepting; {open} connection(s) still open, waiting up to {}s",
                grace.as_secs_f64()
            ),
            Event::GraceOver { open } => {
                write!(f, "grace period over; closing {open} connection(s)")
            }
            Event::ShutdownComplete {
                connections,
                bytes_in,
                bytes_out,
            } => write!(
                f,
                "shutdown complete: served {connections} connection(s), \
                 {bytes_in} bytes in, {bytes_out} bytes out"
            ),
            Event::Panic { conn } => write!(
                f,
                "connection #{conn} ended in a panic, a bug in rawnet (its message is on \
                 stderr); the server goes on"
            ),
        }
    }
}

/// An I/O error in JSON: its message.
fn as_text<S: Serializer>(value: &&io::Error, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}
