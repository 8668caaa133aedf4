//! The sink every line goes through: how much is printed (the
//! [`Verbosity`]), in which format (`--log`), with which prefix (a
//! connection's `#ID PEER`), and the one [`Event`] type that carries each
//! module's own events to it. The words of a line are not here: each
//! module owns its events, their words (`Display`) and their JSON
//! (`Serialize`), beside the code that emits them:
//!
//! - the server's (listening, limits, shutdown): `server/events.rs`;
//! - a connection's life (`connection`, `data`, `end`, `timeout`,
//!   `close`, echoing, piping, speaking HTTP): `conn/events.rs`;
//! - a PROXY header: `proxy/events.rs`; a TLS ClientHello:
//!   `tls/events.rs`; HTTP/2: `h2/events.rs`;
//! - HTTP requests: `http/events.rs`, and a response a knob holds back:
//!   `http/stream/events.rs`; WebSocket: `ws/events.rs`;
//! - `--trace`'s bytes, [`Wire`]: here, as they belong to no protocol.
//!
//! How bytes are shown in all of them (escaped, hex, dump rows) is
//! `show.rs`.
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
//! With `--trace`, binary bytes become a hex dump of several lines, each
//! line starting with the connection's `#ID`, so `grep '#3 '` still finds
//! all of it (a module's event says so with `Layout::Block`, or
//! `Layout::LineThenBlock` for an event line with such lines after it);
//! every other event is one line.

use std::fmt;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

use crate::show::{dump_rows, looks_binary, Escaped, Hex, DUMP_BYTES};

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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
        // A closed stdout (`rawnet | head -1`) must not take the server
        // down, so write errors are ignored instead of panicking as
        // `println!` would. The lock is held for all of one event's
        // lines, so another connection's line cannot land between the
        // lines of a hex dump.
        let _ = self.write(&mut io::stdout().lock(), conn, event);
    }

    /// Writes one event's line (or lines) to `out`, as `--log` asks.
    fn write(
        &self,
        out: &mut impl Write,
        conn: Option<(u64, SocketAddr)>,
        event: &Event,
    ) -> io::Result<()> {
        match self.format {
            Format::Text => match (conn, event.line().layout()) {
                // Several lines (a hex dump, a frame's decoding): each
                // names its connection.
                (Some((id, _)), Layout::Block) => event
                    .to_string()
                    .split('\n')
                    .try_for_each(|line| writeln!(out, "#{id} {line}")),
                (Some((id, _)), Layout::Bare) => writeln!(out, "#{id} {event}"),
                // An event's line, then its details, each after `#ID`.
                (Some((id, peer)), Layout::LineThenBlock) => {
                    let text = event.to_string();
                    let mut lines = text.split('\n');
                    writeln!(out, "#{id} {peer} {}", lines.next().unwrap_or_default())?;
                    lines.try_for_each(|line| writeln!(out, "#{id} {line}"))
                }
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
                serde_json::to_writer(&mut *out, &line)?;
                out.write_all(b"\n")
            }
        }
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
            self.emit(Wire { direction, bytes });
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

/// Everything the server prints: each module's own events, one variant
/// per module, and `--trace`'s bytes. In JSON, each module's event
/// carries its own `event` name and fields (`untagged` adds nothing).
///
/// A module emits its events as `log.emit(ws::Event::Close { .. })`: its
/// `From` impl, beside the event, puts it in its variant here. A Cargo
/// feature that leaves a capability out gates its `mod` line in `lib.rs`,
/// its variant here and that variant's arm in `Event::line`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Event<'a> {
    /// The server's own lines (`server/events.rs`).
    Server(crate::server::Event<'a>),
    /// A connection's life (`conn/events.rs`).
    Conn(crate::conn::Event<'a>),
    /// A PROXY protocol header (`proxy/events.rs`).
    #[cfg(feature = "proxy")]
    Proxy(crate::proxy::Event<'a>),
    /// A TLS ClientHello on this plain port (`tls/events.rs`).
    #[cfg(feature = "tls")]
    Tls(crate::tls::Event<'a>),
    /// A TLS connection rawnet terminates, `--tls` (`tls/layer/events.rs`).
    #[cfg(feature = "tls")]
    TlsLayer(crate::tls::layer::Event<'a>),
    /// HTTP/2 with prior knowledge (`h2/events.rs`).
    #[cfg(feature = "h2")]
    H2(crate::h2::Event<'a>),
    /// HTTP/2 spoken: its frames, requests and errors
    /// (`h2/session/events.rs`).
    #[cfg(feature = "h2")]
    H2Session(crate::h2::session::Event<'a>),
    /// HTTP/1.1 (`http/events.rs`).
    Http(crate::http::Event<'a>),
    /// A response a query's knob holds back or drips
    /// (`http/stream/events.rs`).
    #[cfg(feature = "knobs")]
    Knobs(crate::http::stream::Event),
    /// A WebSocket (`ws/events.rs`).
    #[cfg(feature = "websocket")]
    Ws(crate::ws::Event<'a>),
    /// `--trace`: bytes as they crossed the wire.
    Wire(Wire<'a>),
}

impl Event<'_> {
    /// The module's own event inside, as the sink sees it.
    fn line(&self) -> &dyn Line {
        match self {
            Event::Server(event) => event,
            Event::Conn(event) => event,
            #[cfg(feature = "proxy")]
            Event::Proxy(event) => event,
            #[cfg(feature = "tls")]
            Event::Tls(event) => event,
            #[cfg(feature = "tls")]
            Event::TlsLayer(event) => event,
            #[cfg(feature = "h2")]
            Event::H2(event) => event,
            #[cfg(feature = "h2")]
            Event::H2Session(event) => event,
            Event::Http(event) => event,
            #[cfg(feature = "knobs")]
            Event::Knobs(event) => event,
            #[cfg(feature = "websocket")]
            Event::Ws(event) => event,
            Event::Wire(event) => event,
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.line().fmt(f)
    }
}

/// What the sink asks of each module's events, besides their words
/// (`Display`) and their JSON (`Serialize`, which [`Event`] derives).
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
    /// An event's line after `#ID PEER`, then more lines after `#ID`
    /// alone: a TLS ClientHello's line, then with `--trace` its dump and
    /// its decoding.
    LineThenBlock,
}

/// `--trace`: bytes as they crossed the wire, received (`>`) or sent
/// (`<`). Text is one escaped line; binary is a hex dump of at most
/// `DUMP_BYTES`, one line per row.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename = "wire")]
pub struct Wire<'a> {
    pub direction: Direction,
    #[serde(serialize_with = "as_escaped")]
    pub bytes: &'a [u8],
}

impl<'a> From<Wire<'a>> for Event<'a> {
    fn from(wire: Wire<'a>) -> Self {
        Event::Wire(wire)
    }
}

impl Line for Wire<'_> {
    fn level(&self) -> Verbosity {
        Verbosity::Trace
    }

    fn layout(&self) -> Layout {
        if looks_binary(self.bytes) {
            Layout::Block
        } else {
            Layout::Bare
        }
    }
}

impl fmt::Display for Wire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Wire { direction, bytes } = self;
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

/// A duration in JSON: seconds, as a number. For every module's events.
pub(crate) fn as_seconds<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

// Every event of every plug-in, named: the full build's test.
#[cfg(all(test, feature = "full"))]
mod every_event;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::{self, CloseReason};
    use crate::show::tests::FORTY;
    #[cfg(feature = "websocket")]
    use crate::ws::frame::Frame;

    #[test]
    fn trace_dumps_binary_up_to_a_bound_and_escapes_text() {
        let wire = |bytes| {
            Wire {
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

        let json = serde_json::to_string(&Wire {
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
        let event = conn::Event::Close {
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
    }

    /// Each layout's prefix: `#ID PEER` for an event, `#ID` for a wire
    /// line, `#ID` on every line of a block, none for a server line.
    #[cfg(feature = "websocket")]
    #[test]
    fn each_line_starts_with_its_connection_as_its_layout_says() {
        let logger = Logger::default();
        let conn = Some((3, "127.0.0.1:5000".parse().unwrap()));
        let text = |conn, event: Event| {
            let mut out = Vec::new();
            logger.write(&mut out, conn, &event).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            text(conn, conn::Event::End.into()),
            "#3 127.0.0.1:5000 end\n"
        );
        let sent = Wire {
            direction: Direction::Sent,
            bytes: b"hi",
        };
        assert_eq!(text(conn, sent.into()), "#3 < \"hi\"\n");
        let frame = Frame::RFC_HELLO;
        let trace = text(conn, crate::ws::Event::FrameTrace { frame: &frame }.into());
        assert_eq!(trace.lines().count(), 8, "{trace}");
        assert!(trace.lines().all(|line| line.starts_with("#3 ")), "{trace}");
        let panic = crate::server::Event::Panic { conn: 3 };
        assert!(text(None, panic.into()).starts_with("connection #3 ended in a panic"));
    }

    /// A traced ClientHello: its line after `#ID PEER`, then its dump and
    /// its decoding, each line after `#ID` alone.
    #[cfg(feature = "tls")]
    #[test]
    fn a_line_then_its_block_names_the_peer_once() {
        let logger = Logger::default();
        let conn = Some((3, "127.0.0.1:5000".parse().unwrap()));
        let hello = crate::tls::ClientHello {
            cipher_suites: vec![0x1301],
            ..Default::default()
        };
        let event = crate::tls::Event::hello(&hello, FORTY, true);
        let mut out = Vec::new();
        logger.write(&mut out, conn, &event.into()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("#3 127.0.0.1:5000 client started a TLS"),
            "{text}"
        );
        assert_eq!(lines[1], "#3   the ClientHello record, 40 bytes:");
        assert!(
            lines[2..].iter().all(|line| line.starts_with("#3   ")),
            "{text}"
        );
        assert_eq!(lines.len(), 2 + 3 + 1 + 14);
    }

    /// Every line builds its event on the stack; one enum per module
    /// nested in [`Event`] kept it the size the one enum of every
    /// variant was (on 64-bit targets), so no line costs more to make.
    #[test]
    fn an_event_stays_104_bytes() {
        assert_eq!(std::mem::size_of::<Event>(), 104);
    }
}
