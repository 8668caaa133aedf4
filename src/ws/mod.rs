//! WebSocket on the same port (RFC 6455): after an HTTP request asked to
//! `Upgrade` and got `101 Switching Protocols`, the same TCP connection
//! carries frames, and each message is answered with the tutorial's
//! `You said "<message>"`, one layer up.
//!
//! [`Session`] is one upgraded connection's state, with no I/O, like the
//! HTTP session it replaces: bytes in, frames out into the connection's
//! reply buffer (sent before the next read: the same backpressure).
//!
//! - `handshake.rs`: checking the upgrade request HTTP handed over, the
//!   101 head, and the refusals' words.
//! - `frame.rs`: the frame decoder and the server's frame headers.
//! - `explain.rs`: the `?explain` side channel, each frame described in JSON.
//! - `lines.rs`: which frames get an event line of their own, and the
//!   line that counts the rest when a client sends many a second.
//! - `events.rs`: the log lines of a WebSocket (upgrade, frames, close),
//!   their words and their JSON.
//! - `panel.rs`: the browser page's WebSocket panel, which shows that side
//!   channel (`protocol.rs` hands it to the HTTP page).

mod events;
pub(crate) mod explain;
pub(crate) mod frame;
pub(crate) mod handshake;
pub(crate) mod lines;
pub(crate) mod panel;

use std::time::{Duration, Instant};

use crate::budget::{Budget, Reservation};
use crate::echo::{YOU_SAID_FRAME_END, YOU_SAID_OPEN};
use crate::http::request;
use crate::http::upgrade::Upgrade;
use crate::log::{ConnLog, Direction};
use crate::next::{Farewell, Next, OUTPUT_BOUND};
use events::ClientClosed;
pub use events::Event;
use frame::{Decoder, Frame, Header, Problem, Progress};
use lines::Lines;

/// `--ws-max-message`: the largest message assembled from its frames. 1 MiB,
/// as `--max-body`.
pub const DEFAULT_MAX_MESSAGE: usize = 1024 * 1024;
/// `--ws-echo`.
pub const DEFAULT_ECHO: Echo = Echo::YouSaid;
/// `--ws-message-timeout`, in seconds: the whole of a message, every
/// frame of it, must arrive within this once it has begun, as a request
/// body within `--body-timeout` (the same 10 s). Without it a message
/// kept unfinished by an empty continuation frame now and then held its
/// buffer for good, `--idle-close` never coming.
pub const DEFAULT_MESSAGE_TIMEOUT_SECS: u64 = 10;

/// The protocol name a request's `Upgrade` gives to become a WebSocket:
/// HTTP hands such a request over to [`accept`].
pub const UPGRADE: &str = "websocket";

/// Answers a request HTTP handed over (`http/upgrade.rs`) because its
/// `Upgrade` names `websocket`: checked as RFC 6455 §4.2.1 says, then the
/// 101 and the session that reads frames from here on, fed whatever bytes
/// came after the head; or the refusal, and `None`: the connection closes.
pub(crate) fn accept(
    upgrade: &Upgrade,
    config: &Config,
    budget: &Budget,
    log: &ConnLog,
    out: &mut Vec<u8>,
) -> (Option<Box<Session>>, Next) {
    let accepted = match handshake::check(handshake::Asked::of(upgrade)) {
        Ok(accepted) => accepted,
        Err(wrong) => {
            upgrade.refuse(wrong.status(), wrong.extra_header(), &wrong, log, out);
            return (None, Next::Close);
        }
    };
    let start = out.len();
    handshake::write_101(out, &accepted.accept);
    upgrade.log_answer(101, out.len() - start, log);
    let explain = explain(upgrade.target());
    log.emit(Event::Upgraded {
        key: &accepted.key,
        accept: &accepted.accept,
        explain,
    });
    let mut session = Box::new(Session::new(explain, budget));
    let next = match upgrade.after_head() {
        [] => Next::Continue,
        after => session.on_data(after, config, log, out),
    };
    (Some(session), next)
}

/// The `explain` knob, any value or none (`/?explain`): every frame both
/// ways is described in a JSON text frame of its own (`explain.rs`; the
/// page's panel connects to `/?explain`). An upgrade reads this one knob
/// of its target and ignores every other.
pub(crate) fn explain(target: &[u8]) -> bool {
    let (_, query) = request::split_target(target);
    request::params(query).any(|param| request::name_value(param).0 == b"explain")
}

/// A message buffer larger than this is given back after the message, so
/// one big message does not stay with an idle connection.
const KEEP_BETWEEN_MESSAGES: usize = 16 * 1024;

/// The `--ws-echo` option: what a WebSocket message is answered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echo {
    /// `You said "<message>"`, as one frame of the same type.
    YouSaid,
    /// The message unchanged: `--mode raw` one layer up.
    Raw,
}

/// The WebSocket settings (`--ws-max-message`, `--ws-echo`,
/// `--ws-message-timeout`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub max_message: usize,
    pub echo: Echo,
    pub message_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_message: DEFAULT_MAX_MESSAGE,
            echo: DEFAULT_ECHO,
            message_timeout: Duration::from_secs(DEFAULT_MESSAGE_TIMEOUT_SECS),
        }
    }
}

/// One upgraded connection.
#[derive(Debug)]
pub(crate) struct Session {
    decoder: Decoder,
    /// The header of the frame whose payload is being read.
    current: Option<Header>,
    /// The message being assembled from its data frames, unmasked; at most
    /// `max_message` bytes.
    message: Vec<u8>,
    /// `TEXT` or `BINARY` while a message is being assembled.
    message_opcode: Option<u8>,
    /// Where the current frame's payload starts in `message`.
    frame_start: usize,
    /// How much of `message` is known to be valid UTF-8 (a text message is
    /// checked as it arrives, so a bad byte fails at once).
    checked: usize,
    /// A control frame's payload: at most 125 bytes.
    control: Vec<u8>,
    /// `?explain`: describe every frame in a text frame of its own.
    explain: bool,
    /// Bytes received but not read yet, because the output passed
    /// [`OUTPUT_BOUND`] (with `?explain` a 6-byte frame gets some 800
    /// bytes of answer); at most one read.
    held: Vec<u8>,
    /// A close frame was sent: nothing more is read.
    closed: bool,
    /// The frames' event lines, bounded to a number a second.
    lines: Lines,
    /// When the message being assembled was first left unfinished by a
    /// read: its `--ws-message-timeout` counts from here.
    message_since: Option<Instant>,
    /// What `message` and `held` take of the server's memory budget.
    reservation: Reservation,
}

impl Session {
    pub(crate) fn new(explain: bool, budget: &Budget) -> Self {
        Session {
            decoder: Decoder::default(),
            current: None,
            message: Vec::new(),
            message_opcode: None,
            frame_start: 0,
            checked: 0,
            control: Vec::new(),
            explain,
            held: Vec::new(),
            closed: false,
            message_since: None,
            lines: Lines::default(),
            reservation: budget.reservation(),
        }
    }

    /// Reads the frames in `data` and answers each.
    pub(crate) fn on_data(
        &mut self,
        data: &[u8],
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        if self.closed {
            return Next::Close;
        }
        let next = self.read(data, config, log, out);
        self.settle();
        next
    }

    /// Whether reading stopped at [`OUTPUT_BOUND`] with bytes still held.
    pub(crate) fn is_paused(&self) -> bool {
        !self.held.is_empty()
    }

    /// The output was sent: read what was held back.
    pub(crate) fn resume(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let held = std::mem::take(&mut self.held);
        let next = self.read(&held, config, log, out);
        self.settle();
        next
    }

    /// When the connection's timer should call [`Session::on_deadline`]:
    /// the moment the message being assembled must be whole (its
    /// `--ws-message-timeout` after it began, however its frames come; a
    /// ping between them does not move it), or the line counting frames
    /// not shown one by one is due, whichever comes first.
    pub(crate) fn deadline(&self, config: &Config) -> Option<Instant> {
        match (self.message_deadline(config), self.lines.due()) {
            (Some(message), Some(lines)) => Some(message.min(lines)),
            (message, lines) => message.or(lines),
        }
    }

    /// When the message being assembled must be whole, if one is.
    fn message_deadline(&self, config: &Config) -> Option<Instant> {
        let since = self.message_since.filter(|_| !self.closed)?;
        // Checked: a timeout too large to add to a point in time means
        // "never".
        since.checked_add(config.message_timeout)
    }

    /// A deadline came: the count of frames not shown goes out, and a
    /// message still unfinished past its time is closed with 1008.
    pub(crate) fn on_deadline(
        &mut self,
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        self.lines.flush(log);
        if self.closed {
            return Next::Close;
        }
        match self.message_deadline(config) {
            Some(due) if Instant::now() >= due => {
                let timeout = config.message_timeout;
                let next = self.fail(Problem::MessageTimeout { timeout }, log, out);
                self.settle();
                next
            }
            _ => Next::Continue,
        }
    }

    /// After each call: a message left unfinished has its deadline from
    /// now on (a message whole in one read never reads the clock), and
    /// the budget is told what the buffers hold, all of it given back once
    /// the connection is closing.
    fn settle(&mut self) {
        if self.closed {
            self.message = Vec::new();
            self.held = Vec::new();
        } else if self.message_opcode.is_some() && self.message_since.is_none() {
            self.message_since = Some(Instant::now());
        }
        self.reservation
            .settle(self.message.capacity() + self.held.capacity());
    }

    /// That line is due (the connection's timer), or the connection is
    /// closing: it is printed now.
    pub(crate) fn flush_lines(&mut self, log: &ConnLog) {
        self.lines.flush(log);
    }

    /// The connection is about to close on its own (`--idle-close`, the
    /// server shutting down): a close frame with 1001, going away, first.
    pub(crate) fn farewell(&mut self, why: Farewell, log: &ConnLog, out: &mut Vec<u8>) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.lines.flush(log);
        let why = why.words();
        log.emit(Event::Close {
            code: Some(1001),
            why,
        });
        self.send_close(1001, why.as_bytes(), log, out);
        self.settle();
    }

    fn read(&mut self, input: &[u8], config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let mut at = 0;
        loop {
            if out.len() >= OUTPUT_BOUND && at < input.len() {
                // One read, kept without asking the budget (as HTTP keeps
                // a head and one read), and counted all the same.
                self.held = input[at..].to_vec();
                return Next::Continue;
            }
            let sink = match self.current {
                Some(header) if header.is_control() => &mut self.control,
                _ => &mut self.message,
            };
            let (used, progress) = match self.decoder.read(&input[at..], sink) {
                Ok(read) => read,
                Err(problem) => return self.fail(problem, log, out),
            };
            at += used;
            let checked = match progress {
                Progress::NeedMore => {
                    // Fail fast: invalid UTF-8 in a text frame closes the
                    // connection before the rest of the frame comes.
                    if let Err(problem) = self.check_text(false) {
                        return self.fail(problem, log, out);
                    }
                    return Next::Continue;
                }
                Progress::Header(header) => self.start_frame(header, config),
                Progress::Frame(header) => {
                    self.current = None;
                    match self.frame(header, config, log, out) {
                        Ok(Next::Continue) => Ok(()),
                        Ok(Next::Close) => return Next::Close,
                        Err(problem) => Err(problem),
                    }
                }
            };
            if let Err(problem) = checked {
                return self.fail(problem, log, out);
            }
        }
    }

    /// A header came: is its frame allowed here, and does it fit, in the
    /// message and in the server's memory budget? Both are known from the
    /// header, before any of the payload is kept.
    fn start_frame(&mut self, header: Header, config: &Config) -> Result<(), Problem> {
        self.current = Some(header);
        if header.is_control() {
            self.control.clear();
            return Ok(());
        }
        match (header.opcode, self.message_opcode) {
            (frame::CONTINUATION, None) => return Err(Problem::NothingToContinue),
            (frame::CONTINUATION, Some(_)) => {}
            (_, Some(_)) => return Err(Problem::MessageUnfinished),
            (opcode, None) => {
                self.message_opcode = Some(opcode);
                self.message.clear();
                self.checked = 0;
            }
        }
        let max = config.max_message;
        if header.len > (max - self.message.len().min(max)) as u64 {
            return Err(Problem::TooBig { max });
        }
        // Fits in a usize: at most `max`, checked just above.
        let len = header.len as usize;
        self.reservation
            .make_room(&mut self.message, len, max)
            .map_err(Problem::OverBudget)?;
        self.frame_start = self.message.len();
        Ok(())
    }

    /// Checks the UTF-8 of a text message received so far; `whole` when
    /// it is complete (an unfinished character at its end is then wrong).
    fn check_text(&mut self, whole: bool) -> Result<(), Problem> {
        if self.message_opcode != Some(frame::TEXT) {
            return Ok(());
        }
        match std::str::from_utf8(&self.message[self.checked..]) {
            Ok(_) => self.checked = self.message.len(),
            Err(err) if err.error_len().is_some() || whole => return Err(Problem::NotUtf8),
            Err(err) => self.checked += err.valid_up_to(),
        }
        Ok(())
    }

    /// A whole frame came: answer it.
    fn frame(
        &mut self,
        header: Header,
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<Next, Problem> {
        // Checked before the frame is logged or described, as it is while
        // it arrives: a bad byte ends the connection at the same point
        // however the reads fall.
        if !header.is_control() {
            self.check_text(header.fin)?;
        }
        let payload = if header.is_control() {
            &self.control[..]
        } else {
            &self.message[self.frame_start..]
        };
        let seen = seen(&header, payload);
        self.lines.received(&seen, log);
        if self.explain {
            describe(Direction::Received, &seen, out);
        }
        match header.opcode {
            frame::PING => {
                let payload = std::mem::take(&mut self.control);
                self.send(frame::PONG, &payload, log, out);
                self.control = payload;
                Ok(Next::Continue)
            }
            frame::PONG => Ok(Next::Continue),
            frame::CLOSE => self.closing(log, out),
            _ => {
                if header.fin {
                    self.echo(config, log, out);
                }
                Ok(Next::Continue)
            }
        }
    }

    /// The client's close frame: its code echoed (RFC 6455 §5.5.1), then
    /// the connection closes.
    fn closing(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Result<Next, Problem> {
        let payload = std::mem::take(&mut self.control);
        let code = match payload[..] {
            [] => None,
            [_] => return Err(Problem::CloseOneByte),
            [high, low, ..] => Some(u16::from_be_bytes([high, low])),
        };
        if let Some(code) = code {
            if !may_send(code) {
                return Err(Problem::CloseCode(code));
            }
        }
        if std::str::from_utf8(payload.get(2..).unwrap_or_default()).is_err() {
            return Err(Problem::CloseReasonNotUtf8);
        }
        self.closed = true;
        match code {
            Some(code) => {
                log.emit(Event::Close {
                    code: Some(code),
                    why: ClientClosed::CodeEchoed.words(),
                });
                self.send_close(code, b"", log, out);
            }
            None => {
                log.emit(Event::Close {
                    code: None,
                    why: ClientClosed::NoCode.words(),
                });
                self.send(frame::CLOSE, b"", log, out);
            }
        }
        Ok(Next::Close)
    }

    /// A whole message: answer it in one frame of its type.
    fn echo(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) {
        let opcode = self.message_opcode.take().unwrap_or(frame::BINARY);
        let message = std::mem::take(&mut self.message);
        match config.echo {
            Echo::YouSaid => {
                let reply = [YOU_SAID_OPEN, &message, YOU_SAID_FRAME_END].concat();
                self.send(opcode, &reply, log, out);
            }
            Echo::Raw => self.send(opcode, &message, log, out),
        }
        self.message = message;
        self.message.clear();
        if self.message.capacity() > KEEP_BETWEEN_MESSAGES {
            self.message = Vec::new();
        }
        self.checked = 0;
        self.message_since = None;
    }

    /// A frame that breaks the protocol: the close frame with its code and
    /// the problem in words, then the connection closes.
    fn fail(&mut self, problem: Problem, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        self.closed = true;
        self.lines.flush(log);
        let why = problem.to_string();
        log.emit(Event::Close {
            code: Some(problem.code()),
            why: &why,
        });
        self.send_close(problem.code(), why.as_bytes(), log, out);
        Next::Close
    }

    fn send_close(&mut self, code: u16, reason: &[u8], log: &ConnLog, out: &mut Vec<u8>) {
        let payload = frame::close_payload(code, reason);
        self.send(frame::CLOSE, &payload, log, out);
    }

    /// Appends one server frame (described first, with `?explain`).
    fn send(&mut self, opcode: u8, payload: &[u8], log: &ConnLog, out: &mut Vec<u8>) {
        let header = frame::server_header(opcode, payload.len());
        let seen = seen(&header, payload);
        if self.explain {
            describe(Direction::Sent, &seen, out);
        }
        self.lines.sent(&seen, log);
        out.extend_from_slice(header.bytes());
        out.extend_from_slice(payload);
    }
}

/// Close codes a peer may send (RFC 6455 §7.4.1, and IANA's registry):
/// 1004-1006 and 1015 are reserved for reporting, never sent; 3000-4999
/// are for libraries and applications.
fn may_send(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// The frame as the log and `?explain` see it.
fn seen<'a>(header: &'a Header, payload: &'a [u8]) -> Frame<'a> {
    Frame {
        fin: header.fin,
        rsv: header.rsv,
        opcode: header.opcode,
        mask: header.mask,
        len: header.len,
        header: header.bytes(),
        payload,
    }
}

/// `?explain`: a text frame describing `frame`, not itself described.
fn describe(way: Direction, frame: &Frame, out: &mut Vec<u8>) {
    let json = explain::describe(way, frame);
    out.extend_from_slice(frame::server_header(frame::TEXT, json.len()).bytes());
    out.extend_from_slice(json.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_is_a_query_parameter_with_any_value() {
        for yes in [
            "/?explain",
            "/chat?x=1&explain",
            "/?explain=1",
            "/?explain=%zz",
        ] {
            assert!(explain(yes.as_bytes()), "{yes}");
        }
        for no in ["/", "/explain", "/?explained", "/?x=explain", "/?a#explain"] {
            assert!(!explain(no.as_bytes()), "{no}");
        }
    }
}
