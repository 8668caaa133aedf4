//! Every line the server prints, in one place: the events of the server and
//! of each connection as one typed value, [`Event`], and the words each is
//! printed with. Change the wording of a line here and nowhere else.
//!
//! Everything goes to stdout, one line per event, like the tutorial's
//! `console.log`. Rust's stdout is line-buffered, so every line reaches a pipe
//! (a test, `tee`, `grep`) as soon as it is printed. Errors that end the
//! program go to stderr instead (see `main.rs`).
//!
//! `--log json` prints the same events as one JSON object per line, for
//! `jq` or a log collector: `time` (seconds since the Unix epoch), `conn`
//! and `peer` for a connection's events, `event` (its name), then its
//! fields.
//!
//! Bytes are shown one of two ways, chosen by [`looks_binary`]: text as an
//! escaped string (`"GET / HTTP/1.1\r\n"`), binary (a TLS hello, a gzip
//! body) as hex, because a run of `\xNN` escapes cannot be read. With
//! `--trace` binary bytes become a hex dump of several lines, each line
//! starting with the connection's `#ID`, so `grep '#3 '` still finds all of
//! it; the `data` event stays one line (its first bytes in hex), so event
//! lines stay one per event.

use std::fmt;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

use crate::show::{
    dump_rows, looks_binary, Escaped, Hex, DUMP_BYTES, PREVIEW_BYTES, PREVIEW_HEX_BYTES,
};

/// How much the server says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Only the start-up and shutdown lines.
    Quiet,
    /// One line per connection event.
    Events,
    /// Events, plus every byte received (`>`) and sent (`<`).
    Trace,
}

/// The `--log` option: how each line is written.
#[derive(argh::FromArgValue, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Words for people: `#3 127.0.0.1:51234 end`.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Where and how lines are printed: the server's verbosity and format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Logger {
    pub verbosity: Verbosity,
    pub format: Format,
}

impl Default for Logger {
    fn default() -> Self {
        Logger {
            verbosity: Verbosity::Events,
            format: Format::Text,
        }
    }
}

impl Logger {
    /// A logger that prints nothing (tests, the fuzzer).
    pub(crate) fn quiet() -> Self {
        Logger {
            verbosity: Verbosity::Quiet,
            format: Format::Text,
        }
    }

    /// Prints a server event (not tied to one connection), if the verbosity
    /// asks for it.
    pub fn emit<'a>(&self, event: impl Into<Event<'a>>) {
        let event = event.into();
        if self.verbosity >= event.line().level() {
            self.print(None, &event);
        }
    }

    fn print(&self, conn: Option<(u64, SocketAddr)>, event: &Event) {
        let mut out = io::stdout().lock();
        // A closed stdout (`rawnet | head -1`) must not take the server
        // down, so write errors are ignored instead of panicking as
        // `println!` would.
        let _ = match self.format {
            Format::Text => match (conn, event.line().layout()) {
                // Several lines (a hex dump, a frame's decoding); each
                // names its connection. The stdout lock is held
                // throughout, so another connection's line cannot land
                // between them.
                (Some((id, _)), Layout::Block) => event
                    .to_string()
                    .split('\n')
                    .try_for_each(|line| writeln!(out, "#{id} {line}")),
                (Some((id, _)), Layout::Bare) => writeln!(out, "#{id} {event}"),
                (Some((id, peer)), Layout::Line) => writeln!(out, "#{id} {peer} {event}"),
                (None, _) => writeln!(out, "{event}"),
            },
            Format::Json => {
                let line = JsonLine {
                    time: SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64()),
                    conn: conn.map(|(id, _)| id),
                    peer: conn.map(|(_, peer)| peer),
                    event,
                };
                serde_json::to_writer(&mut out, &line)
                    .map_err(io::Error::from)
                    .and_then(|()| out.write_all(b"\n"))
            }
        };
    }
}

/// The log of one connection: every line names the connection and its
/// peer (`#ID ADDR:PORT` in text).
#[derive(Clone, Copy, Debug)]
pub struct ConnLog {
    pub id: u64,
    pub peer: SocketAddr,
    pub logger: Logger,
}

impl ConnLog {
    /// Prints one of this connection's events, if the verbosity asks for it.
    pub fn emit<'a>(&self, event: impl Into<Event<'a>>) {
        let event = event.into();
        if self.logger.verbosity >= event.line().level() {
            self.logger.print(Some((self.id, self.peer)), &event);
        }
    }

    /// Whether event lines are printed: lets a hot path skip preparing one.
    pub(crate) fn events(&self) -> bool {
        self.logger.verbosity >= Verbosity::Events
    }

    /// Whether `--trace` lines are printed: lets a request skip looking
    /// for notes nobody will see.
    pub(crate) fn traces(&self) -> bool {
        self.logger.verbosity >= Verbosity::Trace
    }

    /// With `--trace`, the exact bytes received (`>`) or sent (`<`).
    pub(crate) fn wire(&self, direction: Direction, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.emit(Unsorted::Wire { direction, bytes });
        }
    }
}

/// How many lines of one kind (a WebSocket frame received, one sent) a
/// connection may print in a second; past it the rest are counted, and
/// one line a second says how many. Twenty a second is more than a person
/// can read and more than a chat or a game sends, so a real conversation
/// is shown whole; it stops a client whose frames cost less than their
/// lines: an empty ping is 6 bytes, its line and its pong's some 110, so
/// a flood of them made about 19 bytes of log per byte received. Now a
/// connection prints at most some 40 frame lines a second, whatever it
/// sends.
pub(crate) const LINES_PER_SECOND: u32 = 20;

/// The second [`LINES_PER_SECOND`] counts in.
pub(crate) const QUOTA_WINDOW: Duration = Duration::from_secs(1);

/// One kind of line on one connection, held to [`LINES_PER_SECOND`] in
/// each [`QUOTA_WINDOW`], counted from the first line of the window.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Quota {
    /// When the current window began; `None` before the first line.
    since: Option<Instant>,
    /// Lines printed in it.
    printed: u32,
}

impl Quota {
    /// Whether one more line may be printed at `now`; if so, it is counted.
    pub(crate) fn allows(&mut self, now: Instant) -> bool {
        let over = |since: Instant| now.saturating_duration_since(since) >= QUOTA_WINDOW;
        if self.since.is_none_or(over) {
            self.since = Some(now);
            self.printed = 0;
        }
        if self.printed < LINES_PER_SECOND {
            self.printed += 1;
            true
        } else {
            false
        }
    }
}

/// Which way bytes went, for `--trace`.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Received,
    Sent,
}

/// Why a connection closes on its own while its protocol can still say
/// goodbye (`conn.rs` tells the protocol). The words go on the wire too: a
/// WebSocket's 1001 close frame carries them as its reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Farewell {
    /// The client was silent for `--idle-close`.
    Idle,
    /// The server is stopping.
    Shutdown,
}

impl Farewell {
    pub fn words(self) -> &'static str {
        match self {
            Farewell::Idle => "idle (--idle-close)",
            Farewell::Shutdown => "the server is shutting down",
        }
    }
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

impl CloseReason {
    /// A short name, for `--log json`.
    fn name(&self) -> &'static str {
        match self {
            CloseReason::End => "end",
            CloseReason::Done => "done",
            CloseReason::Idle(_) => "idle",
            CloseReason::WriteTimeout(_) => "write_timeout",
            CloseReason::Reset => "reset",
            CloseReason::Error(_) => "error",
            CloseReason::Shutdown => "shutdown",
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::End => f.write_str("end"),
            CloseReason::Done => f.write_str("done"),
            CloseReason::Idle(after) => write!(f, "idle: no data for {}s", after.as_secs()),
            CloseReason::WriteTimeout(after) => write!(
                f,
                "write timeout: the client read nothing for {}s",
                after.as_secs()
            ),
            CloseReason::Reset => f.write_str("reset"),
            CloseReason::Error(err) => write!(f, "error: {err}"),
            CloseReason::Shutdown => f.write_str("shutdown"),
        }
    }
}

/// In JSON, two fields: `reason`, a short name to select on, and
/// `detail`, the words of the text line.
impl Serialize for CloseReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut fields = s.serialize_map(Some(2))?;
        fields.serialize_entry("reason", self.name())?;
        fields.serialize_entry("detail", &self.to_string())?;
        fields.end()
    }
}

/// Everything the server prints: each module's own events, one variant
/// per module, and `--trace`'s bytes. The words of each are in the
/// module's `Display`; in JSON, each module's event carries its own
/// `event` name and fields (serde's `untagged` adds nothing here).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Event<'a> {
    /// HTTP/1.1 (`http/events.rs`).
    Http(crate::http::Event<'a>),
    /// A TLS ClientHello on this plain port (`tls/events.rs`).
    Tls(crate::tls::Event<'a>),
    /// HTTP/2 with prior knowledge (`h2/events.rs`).
    H2(crate::h2::Event<'a>),
    /// A PROXY protocol header (`proxy/events.rs`).
    Proxy(crate::proxy::Event<'a>),
    /// A WebSocket (`ws/events.rs`).
    Ws(crate::ws::Event<'a>),
    /// Events not moved into their modules yet.
    Unsorted(Unsorted<'a>),
}

impl<'a> Event<'a> {
    /// The module's own event inside, as the sink sees it.
    fn line(&self) -> &dyn Line {
        match self {
            Event::Http(event) => event,
            Event::Tls(event) => event,
            Event::H2(event) => event,
            Event::Proxy(event) => event,
            Event::Ws(event) => event,
            Event::Unsorted(event) => event,
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.line().fmt(f)
    }
}

impl<'a> From<Unsorted<'a>> for Event<'a> {
    fn from(event: Unsorted<'a>) -> Self {
        Event::Unsorted(event)
    }
}

/// What the sink asks of each module's events, besides their words
/// (`Display`) and their JSON (`Serialize`, which `Event` derives).
pub(crate) trait Line: fmt::Display {
    /// The verbosity from which the event is printed.
    fn level(&self) -> Verbosity {
        Verbosity::Events
    }

    /// How a connection's text line is laid out.
    fn layout(&self) -> Layout {
        Layout::Line
    }
}

/// How a connection's event is laid out in text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One line after `#ID PEER`: nearly every event.
    Line,
    /// One line after `#ID` alone: `--trace` bytes, marked by their arrow.
    Bare,
    /// Several lines, each after `#ID`, so that `grep '#3 '` finds them
    /// all: a hex dump, a frame's decoding.
    Block,
}

/// Events not yet in their modules.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Unsorted<'a> {
    // The server's own lines.
    Listening {
        addr: SocketAddr,
    },
    ServingAtMost {
        max_connections: usize,
        fd_limit: Option<u64>,
    },
    Refused {
        peer: SocketAddr,
        open: usize,
        max_connections: usize,
    },
    AcceptFailed {
        #[serde(serialize_with = "as_text")]
        error: &'a io::Error,
        #[serde(serialize_with = "as_seconds")]
        backoff_max: Duration,
    },
    ShuttingDown {
        signal: &'static str,
    },
    StoppedAccepting {
        open: usize,
        #[serde(serialize_with = "as_seconds")]
        grace: Duration,
    },
    GraceOver {
        open: usize,
    },
    ShutdownComplete {
        connections: u64,
        bytes_in: u64,
        bytes_out: u64,
    },

    // A connection's life: the tutorial's events.
    Connection,
    Data {
        #[serde(serialize_with = "as_preview")]
        bytes: &'a [u8],
    },
    End,
    Timeout {
        #[serde(serialize_with = "as_seconds")]
        after: Duration,
    },
    Close {
        #[serde(flatten)]
        reason: &'a CloseReason,
        bytes_in: u64,
        bytes_out: u64,
        #[serde(serialize_with = "as_seconds")]
        lasted: Duration,
    },
    Panic {
        conn: u64,
    },

    // What the connection speaks.
    Echoing,
    Piping {
        pipes: u32,
    },
    SpeakingHttp,

    /// `--trace`: bytes as they crossed the wire.
    Wire {
        direction: Direction,
        #[serde(serialize_with = "as_escaped")]
        bytes: &'a [u8],
    },
}

impl Line for Unsorted<'_> {
    fn level(&self) -> Verbosity {
        match self {
            Unsorted::Listening { .. }
            | Unsorted::AcceptFailed { .. }
            | Unsorted::ShuttingDown { .. }
            | Unsorted::StoppedAccepting { .. }
            | Unsorted::GraceOver { .. }
            | Unsorted::ShutdownComplete { .. }
            | Unsorted::Panic { .. } => Verbosity::Quiet,
            Unsorted::Wire { .. } => Verbosity::Trace,
            _ => Verbosity::Events,
        }
    }

    fn layout(&self) -> Layout {
        match self {
            Unsorted::Wire { bytes, .. } if looks_binary(bytes) => Layout::Block,
            Unsorted::Wire { .. } => Layout::Bare,
            _ => Layout::Line,
        }
    }
}

impl fmt::Display for Unsorted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsorted::Listening { addr } => write!(f, "listening on {addr}"),
            Unsorted::ServingAtMost {
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
            Unsorted::Refused {
                peer,
                open,
                max_connections,
            } => write!(
                f,
                "refused {peer}: {open} connections open (--max-connections {max_connections})"
            ),
            Unsorted::AcceptFailed { error, backoff_max } => write!(
                f,
                "accept failed: {error}; retrying with backoff up to {}s",
                backoff_max.as_secs()
            ),
            Unsorted::ShuttingDown { signal } => write!(f, "received {signal}, shutting down"),
            Unsorted::StoppedAccepting { open, grace } => write!(
                f,
                "stopped accepting; {open} connection(s) still open, waiting up to {}s",
                grace.as_secs_f64()
            ),
            Unsorted::GraceOver { open } => {
                write!(f, "grace period over; closing {open} connection(s)")
            }
            Unsorted::ShutdownComplete {
                connections,
                bytes_in,
                bytes_out,
            } => write!(
                f,
                "shutdown complete: served {connections} connection(s), \
                 {bytes_in} bytes in, {bytes_out} bytes out"
            ),

            Unsorted::Connection => f.write_str("connection"),
            Unsorted::Data { bytes } => {
                let unit = if bytes.len() == 1 { "byte" } else { "bytes" };
                write!(f, "data {} {unit}", bytes.len())?;
                if looks_binary(bytes) {
                    write!(f, ", binary: {}", Hex::preview(bytes, PREVIEW_HEX_BYTES))
                } else {
                    write!(f, ": {}", Escaped::preview(bytes, PREVIEW_BYTES))
                }
            }
            Unsorted::End => f.write_str("end"),
            Unsorted::Timeout { after } => write!(f, "timeout: no data for {}s", after.as_secs()),
            Unsorted::Close {
                reason,
                bytes_in,
                bytes_out,
                lasted,
                ..
            } => write!(
                f,
                "close ({reason}): {bytes_in} bytes in, {bytes_out} bytes out, {:.3}s",
                lasted.as_secs_f64()
            ),
            Unsorted::Panic { conn } => write!(
                f,
                "connection #{conn} ended in a panic, a bug in rawnet (its message is on \
                 stderr); the server goes on"
            ),

            Unsorted::Echoing => {
                f.write_str("echoing: the first bytes are not an HTTP request line")
            }
            Unsorted::Piping { pipes: 1 } => f.write_str(
                "piping: from now on each chunk also comes back raw, \
                 as the tutorial's timeout handler does with socket.pipe(socket)",
            ),
            Unsorted::Piping { pipes } => write!(
                f,
                "piping: another timeout, another pipe; each chunk now comes back raw {pipes} times"
            ),
            Unsorted::SpeakingHttp => {
                f.write_str("speaking HTTP: the first line is an HTTP request line")
            }

            Unsorted::Wire { direction, bytes } => {
                let arrow = match direction {
                    Direction::Received => '>',
                    Direction::Sent => '<',
                };
                if !looks_binary(bytes) {
                    return write!(f, "{arrow} {}", Escaped::all(bytes));
                }
                write!(f, "{arrow} {} bytes, binary:", bytes.len())?;
                for row in dump_rows(bytes) {
                    write!(f, "\n{arrow} {row}")?;
                }
                if bytes.len() > DUMP_BYTES {
                    write!(f, "\n{arrow} … and {} more bytes", bytes.len() - DUMP_BYTES)?;
                }
                Ok(())
            }
        }
    }
}

/// One `--log json` line.
#[derive(Serialize)]
struct JsonLine<'a> {
    time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    conn: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<SocketAddr>,
    #[serde(flatten)]
    event: &'a Event<'a>,
}

/// A duration in JSON: seconds, as a number.
pub(crate) fn as_seconds<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

fn as_text<S: Serializer>(value: &&io::Error, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// A chunk in JSON: its length and the same preview the text line shows
/// (an escaped string in quotes, or for binary, bare hex).
fn as_preview<S: Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut fields = s.serialize_struct("Data", 2)?;
    fields.serialize_field("len", &bytes.len())?;
    if looks_binary(bytes) {
        fields.serialize_field(
            "preview",
            &Hex::preview(bytes, PREVIEW_HEX_BYTES).to_string(),
        )?;
    } else {
        fields.serialize_field(
            "preview",
            &Escaped::preview(bytes, PREVIEW_BYTES).to_string(),
        )?;
    }
    fields.end()
}

/// `--trace` bytes in JSON: text escaped whole, as the text line shows it;
/// binary as the hex of the first [`DUMP_BYTES`], which keeps the line
/// bounded just as the text dump is.
fn as_escaped<S: Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    if looks_binary(bytes) {
        s.collect_str(&Hex::preview(bytes, DUMP_BYTES))
    } else {
        s.collect_str(&Escaped::all(bytes))
    }
}

#[cfg(test)]
mod every_event;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::tests::FORTY;

    #[test]
    fn trace_dumps_binary_up_to_a_bound_and_escapes_text() {
        let wire = |bytes| {
            Unsorted::Wire {
                direction: Direction::Received,
                bytes,
            }
            .to_string()
        };
        assert_eq!(
            wire(FORTY),
            "> 40 bytes, binary:\n\
             >   0000  16 03 01 02 00 01 00 01  fc 03 03 5e 2f 8a 11 c4  |...........^/...|\n\
             >   0010  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|\n\
             >   0020  00 ff 3c 61 3e 5c 22 7f                           |..<a>\\\".|"
        );
        let big = vec![0u8; DUMP_BYTES + 44];
        let lines: Vec<String> = wire(&big).lines().map(String::from).collect();
        assert_eq!(lines.len(), 1 + DUMP_BYTES / 16 + 1);
        assert_eq!(lines[0], "> 300 bytes, binary:");
        assert!(lines[16].starts_with(">   00f0  00 00"), "{}", lines[16]);
        assert_eq!(lines[17], "> … and 44 more bytes");
        assert_eq!(wire(b"hi\r\n\x01"), r#"> "hi\r\n\x01""#);

        // The `data` line stays one line: the first 16 bytes in hex.
        assert_eq!(
            Unsorted::Data { bytes: FORTY }.to_string(),
            "data 40 bytes, binary: 16 03 01 02 00 01 00 01 fc 03 03 5e 2f 8a 11 c4 ...(24 more)"
        );
        assert_eq!(
            serde_json::to_string(&Unsorted::Data {
                bytes: &FORTY[..16]
            })
            .unwrap(),
            r#"{"event":"data","bytes":{"len":16,"preview":"16 03 01 02 00 01 00 01 fc 03 03 5e 2f 8a 11 c4"}}"#
        );
        let json = serde_json::to_string(&Unsorted::Wire {
            direction: Direction::Sent,
            bytes: &big,
        })
        .unwrap();
        assert!(json.ends_with(r#" 00 00 ...(44 more)"}"#), "{json}");
        assert!(json.len() < 3 * DUMP_BYTES + 100, "{json}");
    }

    /// Twenty lines in a second, then none until the second is over.
    #[test]
    fn a_quota_allows_lines_per_second_then_waits_for_the_next() {
        let start = Instant::now();
        let mut quota = Quota::default();
        let allowed = (0..100).filter(|_| quota.allows(start)).count();
        assert_eq!(allowed, LINES_PER_SECOND as usize);
        assert!(!quota.allows(start + QUOTA_WINDOW / 2));
        assert!(quota.allows(start + QUOTA_WINDOW));
    }

    #[test]
    fn json_lines_carry_the_event_name_and_its_fields() {
        let reason = CloseReason::Idle(Duration::from_secs(60));
        let event = Unsorted::Close {
            reason: &reason,
            bytes_in: 17,
            bytes_out: 30,
            lasted: Duration::from_millis(1500),
        };
        let line = JsonLine {
            time: 1.5,
            conn: Some(3),
            peer: Some("127.0.0.1:5000".parse().unwrap()),
            event: &event.into(),
        };
        assert_eq!(
            serde_json::to_string(&line).unwrap(),
            r#"{"time":1.5,"conn":3,"peer":"127.0.0.1:5000","event":"close","reason":"idle","detail":"idle: no data for 60s","bytes_in":17,"bytes_out":30,"lasted":1.5}"#
        );
        let data = Unsorted::Data { bytes: b"hi\n" };
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"event":"data","bytes":{"len":3,"preview":"\"hi\\n\""}}"#
        );
    }
}
