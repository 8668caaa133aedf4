//! HTTP/2 spoken (RFC 9113), frame by frame, as a state machine with no
//! I/O, like the HTTP/1 and WebSocket sessions: bytes in, bytes out.
//!
//! The same requests as HTTP/1.1, as binary frames on the same TCP
//! connection: the client's preface, then frames (`frame.rs`), each with
//! its 9-byte header. A request is a HEADERS frame (and its CONTINUATIONs)
//! on a stream of its own, its header block HPACK-compressed
//! (`hpack/`), then DATA frames for a body; the response comes back on
//! the same stream. Many streams share the connection at once, and both
//! ends say how much each may send (flow control, WINDOW_UPDATE).
//!
//! - `session/stream.rs`: one stream: its request, its windows, the
//!   response still to send, the frames that crossed on it;
//! - `session/request.rs`: what makes a decoded header list a request
//!   (RFC 9113 §8.3), and what makes it malformed;
//! - `session/view.rs`: the pages of a request that came over HTTP/2
//!   (the HTML one in `session/view/html.rs`);
//! - `session/drip.rs`: `?drip`'s chunks, each a DATA frame when due;
//! - `session/tunnel.rs`: a WebSocket on a stream (RFC 8441), its frames
//!   in DATA frames;
//! - `session/events.rs`: the log's lines, one a frame each way.
//!
//! Every error the RFC names is answered as it says: a connection error
//! with GOAWAY and its code, then close; a stream error with RST_STREAM,
//! and the connection goes on (§5.4).

#[cfg(feature = "knobs")]
mod drip;
mod events;
mod request;
mod stream;
#[cfg(feature = "websocket")]
mod tunnel;
mod view;

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::frame::{self, setting, ErrorCode, Frame, FrameError, RawFrame, Reader};
use super::hpack::{Decoder, Encoder};
use super::{Setting, PREFACE};
#[cfg(feature = "websocket")]
use crate::budget::Budget;
use crate::budget::Reservation;
use crate::http;
use crate::log::ConnLog;
use crate::next::{Farewell, Next};
use crate::settings::Settings;
pub use events::Event;
use events::FrameLines;
use stream::Stream;

/// HPACK's dynamic table, both ways: SETTINGS_HEADER_TABLE_SIZE's
/// initial value (RFC 9113 §6.5.2), which rawnet keeps.
const DEFAULT_TABLE_SIZE: usize = 4096;

/// The streams a client may have open at once: rawnet's
/// SETTINGS_MAX_CONCURRENT_STREAMS. One more is refused (REFUSED_STREAM),
/// which a client retries.
pub const MAX_CONCURRENT_STREAMS: u32 = 100;

/// How much a client may send on each stream before rawnet's
/// WINDOW_UPDATE, and on the connection: the RFC's initial window
/// (§6.9.2), announced as it is. rawnet gives the window back as soon as
/// a body's bytes are kept, so this bounds what is in flight, not a body
/// (a WebSocket's stream gets its window back more slowly: `tunnel.rs`).
pub const WINDOW: u32 = 65_535;

/// The most a header block may be across its HEADERS and CONTINUATION
/// frames, before it is decoded: a CONTINUATION flood (CVE-2024-27316)
/// sends frames without END_HEADERS forever, and a server that keeps them
/// all runs out of memory. Past this: GOAWAY ENHANCE_YOUR_CALM.
pub const MAX_BLOCK: usize = 64 * 1024;

/// Streams the client may reset in [`RATE_WINDOW`] before the connection
/// is closed with ENHANCE_YOUR_CALM: a rapid reset (CVE-2023-44487) opens
/// and cancels streams as fast as it can, each costing the server a
/// request's work and none of its own.
pub const MAX_RESETS: u32 = 200;

/// PINGs, SETTINGS and other frames that ask for an answer and do no
/// work, in [`RATE_WINDOW`], before ENHANCE_YOUR_CALM: a flood of them
/// costs the server an answer each.
pub const MAX_CONTROL: u32 = 1000;

/// How many of the streams rawnet reset it remembers, to ignore the
/// frames the client sent on them before it saw the RST_STREAM (§5.4.2;
/// §5.1 lets an endpoint bound the time it does so): as many as may be
/// open at once. Past these, such a frame is one on a closed stream, a
/// connection error.
const RESETS_REMEMBERED: usize = MAX_CONCURRENT_STREAMS as usize;

/// The window both limits above count in.
pub const RATE_WINDOW: Duration = Duration::from_secs(10);

/// How long a response may wait for a window the client never opens
/// (a zero window), before its stream is reset with CANCEL.
pub const STALL: Duration = Duration::from_secs(30);

/// One HTTP/2 connection.
#[derive(Debug)]
pub(crate) struct Session {
    /// Bytes of the preface not yet seen (it may come split).
    preface_left: usize,
    reader: Reader,
    decoder: Decoder,
    encoder: Encoder,
    /// What the client's SETTINGS said.
    peer: Peer,
    /// How much rawnet may still send on the connection, and receive.
    send_window: i64,
    recv_window: i64,
    streams: BTreeMap<u32, Stream>,
    /// The highest stream the client opened: a lower one that is not
    /// open is closed (§5.1.1).
    last_stream: u32,
    /// Streams rawnet reset lately: the client may have sent frames on
    /// them before it saw the RST_STREAM, which are ignored (§5.4.2).
    /// Also those rawnet ended with END_STREAM before the client ended its
    /// side (a WebSocket that closed), whose last frames are ignored too.
    reset_here: VecDeque<u32>,
    /// A header block whose CONTINUATION frames are still coming.
    continuation: Option<Continuation>,
    /// Sending stopped at `OUTPUT_BOUND` with a stream still allowed to
    /// send more: the connection sends what was written, then calls
    /// [`Session::resume`] before it reads again.
    paused: bool,
    /// GOAWAY was sent: nothing more is read.
    closing: bool,
    resets: Rate,
    control: Rate,
    /// The connection's fingerprint, in Akamai's format, as its first
    /// frames make it.
    fingerprint: Fingerprint,
    lines: FrameLines,
    /// Who the client is, for the pages: the PROXY header's client and
    /// the layer under HTTP/2 (TLS).
    pub(crate) proxy_client: Option<SocketAddr>,
    pub(crate) below: Option<Arc<dyn http::layers::Below>>,
    requests: u64,
    /// The frames of a stream being opened, until it is.
    opening: Vec<(bool, Vec<u8>)>,
    /// What the session holds, taken from `--memory-budget`: its
    /// requests, their bodies, the responses waiting for a window, a
    /// header block still coming, a frame still coming (`held`).
    reservation: Reservation,
    /// For the WebSockets its streams may carry (`tunnel.rs`): their
    /// settings and the budget their messages count in.
    #[cfg(feature = "websocket")]
    ws: crate::ws::Config,
    #[cfg(feature = "websocket")]
    budget: Budget,
}

/// The client's settings (§6.5.2), as they stand.
#[derive(Clone, Copy, Debug)]
struct Peer {
    max_frame_size: u32,
    initial_window: u32,
    header_table_size: u32,
}

/// A header block begun without END_HEADERS.
#[derive(Debug)]
struct Continuation {
    stream: u32,
    end_stream: bool,
    block: Vec<u8>,
}

/// Events counted in [`RATE_WINDOW`].
#[derive(Clone, Copy, Debug, Default)]
struct Rate {
    since: Option<Instant>,
    count: u32,
}

impl Rate {
    /// Counts one; whether that makes more than `max` in the window.
    fn over(&mut self, max: u32, now: Instant) -> bool {
        let window_over = |since: Instant| now.saturating_duration_since(since) >= RATE_WINDOW;
        if self.since.is_none_or(window_over) {
            self.since = Some(now);
            self.count = 0;
        }
        self.count += 1;
        self.count > max
    }
}

/// Akamai's HTTP/2 fingerprint (Black Hat EU 2017): the first SETTINGS,
/// the first connection WINDOW_UPDATE, the PRIORITY frames, and the
/// pseudo-header order of the first request: `1:65536;4:6291456|15663105|0|m,a,s,p`.
/// Kept as the frames said it, so that a page can name each part's
/// pieces; [`Fingerprint::akamai`] writes the string.
#[derive(Debug, Default)]
struct Fingerprint {
    settings: Option<Vec<Setting>>,
    window_update: Option<u32>,
    /// The PRIORITY frames' (stream, priority), the first 16.
    priorities: Vec<(u32, frame::Priority)>,
    pseudo_order: Option<String>,
}

impl Fingerprint {
    /// Its four parts in Akamai's words: `1:65536;4:6291456` (each
    /// setting `id:value`, in the order sent), `15663105` (`00` when no
    /// WINDOW_UPDATE came), `3:0:0:201,5:0:0:101` (each PRIORITY frame
    /// `stream:exclusive:dependency:weight`, `0` when none came), `m,a,s,p`.
    fn parts(&self) -> [String; 4] {
        let settings: Vec<String> = (self.settings.iter().flatten())
            .map(|s| format!("{}:{}", s.id, s.value))
            .collect();
        let priorities: Vec<String> = (self.priorities.iter())
            .map(|(stream, p)| {
                let exclusive = u8::from(p.exclusive);
                format!("{stream}:{exclusive}:{}:{}", p.dependency, p.weight)
            })
            .collect();
        [
            settings.join(";"),
            self.window_update
                .map_or("00".to_string(), |w| w.to_string()),
            match priorities.is_empty() {
                true => "0".to_string(),
                false => priorities.join(","),
            },
            self.pseudo_order.clone().unwrap_or_default(),
        ]
    }

    fn akamai(&self) -> String {
        self.parts().join("|")
    }
}

/// What ends a stream or the connection (§5.4), with its words.
#[derive(Debug)]
enum H2Error {
    Connection(ErrorCode, Cow<'static, str>),
    Stream(u32, ErrorCode, Cow<'static, str>),
}

impl From<FrameError> for H2Error {
    fn from(error: FrameError) -> Self {
        match error {
            FrameError::Connection { code, reason } => H2Error::Connection(code, reason.into()),
            FrameError::Stream {
                stream,
                code,
                reason,
                ..
            } => H2Error::Stream(stream, code, reason.into()),
        }
    }
}

fn connection(code: ErrorCode, why: impl Into<Cow<'static, str>>) -> H2Error {
    H2Error::Connection(code, why.into())
}

impl Session {
    /// A connection whose preface has begun (the prelude saw it), its
    /// buffers counted in the settings' budget.
    pub(crate) fn new(settings: &Settings) -> Self {
        let budget = &settings.http.budget;
        Session {
            preface_left: PREFACE.len(),
            reader: Reader::default(),
            decoder: Decoder::new(DEFAULT_TABLE_SIZE),
            encoder: Encoder::new(DEFAULT_TABLE_SIZE),
            peer: Peer {
                max_frame_size: frame::MIN_MAX_FRAME_SIZE,
                initial_window: WINDOW,
                header_table_size: 4096,
            },
            send_window: i64::from(WINDOW),
            recv_window: i64::from(WINDOW),
            streams: BTreeMap::new(),
            last_stream: 0,
            reset_here: VecDeque::new(),
            continuation: None,
            paused: false,
            closing: false,
            resets: Rate::default(),
            control: Rate::default(),
            fingerprint: Fingerprint::default(),
            lines: FrameLines::default(),
            proxy_client: None,
            below: None,
            requests: 0,
            opening: Vec::new(),
            reservation: budget.reservation(),
            #[cfg(feature = "websocket")]
            ws: settings.ws.clone(),
            #[cfg(feature = "websocket")]
            budget: budget.clone(),
        }
    }

    /// rawnet's own SETTINGS, the first frame it sends (§3.4).
    fn greet(&mut self, config: &http::Config, log: &ConnLog, out: &mut Vec<u8>) {
        let settings = [
            Setting {
                id: setting::MAX_CONCURRENT_STREAMS,
                value: MAX_CONCURRENT_STREAMS,
            },
            Setting {
                id: setting::MAX_HEADER_LIST_SIZE,
                value: u32::try_from(max_header_list(config)).unwrap_or(u32::MAX),
            },
            Setting {
                id: setting::ENABLE_PUSH,
                value: 0,
            },
            // A WebSocket may be opened on a stream (RFC 8441).
            #[cfg(feature = "websocket")]
            Setting {
                id: setting::ENABLE_CONNECT_PROTOCOL,
                value: 1,
            },
        ];
        let start = out.len();
        frame::write_settings(out, &settings);
        self.lines.sent(&out[start..], log);
    }

    /// Bytes from the client.
    pub(crate) fn on_data(
        &mut self,
        data: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let next = self.receive(data, config, log, out);
        self.settle();
        next
    }

    /// Tells the budget what the session holds now, after each call.
    fn settle(&mut self) {
        self.reservation.settle(self.held());
    }

    /// The bytes the session holds, as the budget counts them: what its
    /// buffers have allocated. Its fixed parts (the HPACK tables, 4 KiB
    /// each way at most, and the session itself) are not counted, as
    /// HTTP/1.1's are not.
    fn held(&self) -> usize {
        let streams: usize = self.streams.values().map(Stream::bytes).sum();
        let block = self.continuation.as_ref().map_or(0, |c| c.block.capacity());
        self.reader.capacity() + block + streams
    }

    /// [`Session::on_data`], before the budget is settled.
    fn receive(
        &mut self,
        mut data: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        if self.closing {
            return Next::Close;
        }
        if self.preface_left > 0 {
            let n = data.len().min(self.preface_left);
            let expected = &PREFACE[PREFACE.len() - self.preface_left..][..n];
            if &data[..n] != expected {
                let why = "the connection preface is not PRI * HTTP/2.0 (§3.4)";
                return self.fail(connection(ErrorCode::PROTOCOL_ERROR, why), log, out);
            }
            if self.preface_left == PREFACE.len() {
                self.greet(config, log, out);
            }
            self.preface_left -= n;
            data = &data[n..];
        }
        let mut reader = std::mem::take(&mut self.reader);
        let next = self.read_frames(&mut reader, data, config, log, out);
        self.reader = reader;
        next
    }

    /// Takes every whole frame out of `data`, as the reader cuts them.
    fn read_frames(
        &mut self,
        reader: &mut Reader,
        mut data: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        loop {
            let taken = reader.feed(data);
            data = &data[taken..];
            while let Some(frame) = reader.next_frame() {
                let result = match frame {
                    Ok(raw) => self.on_frame(raw, config, log, out),
                    Err(error) => Err(error.into()),
                };
                if let Err(error) = result {
                    if self.fail(error, log, out) == Next::Close {
                        return Next::Close;
                    }
                }
            }
            if data.is_empty() {
                break;
            }
        }
        self.send_pending(log, out);
        Next::Continue
    }

    /// One frame from the client.
    fn on_frame(
        &mut self,
        raw: RawFrame<'_>,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        let header = raw.header();
        self.lines.received(raw.bytes(), log);
        match self.streams.get_mut(&header.stream) {
            Some(stream) => stream.saw(raw.bytes(), true),
            // A HEADERS (and its CONTINUATIONs) opening a stream: kept
            // for the stream's page once it exists.
            None if opens(header.kind) && self.opening.len() < 8 => {
                self.opening.push((true, stream::excerpt(raw.bytes())));
            }
            None => {}
        }
        if let Some(pending) = &self.continuation {
            if header.kind != frame::kind::CONTINUATION || header.stream != pending.stream {
                let why =
                    "a frame other than the CONTINUATION a header block was waiting for (§6.10)";
                return Err(connection(ErrorCode::PROTOCOL_ERROR, why));
            }
        }
        let frame = match raw.parse() {
            Ok(frame) => frame,
            // The stream is refused, but its header block must still go
            // through HPACK, or the tables drift apart (§4.3).
            Err(FrameError::Stream {
                stream,
                code,
                reason,
                fragment: Some(range),
            }) => {
                let block = &raw.payload()[range];
                let _ = self.decoder.decode(block, max_header_list(config));
                return Err(H2Error::Stream(stream, code, reason.into()));
            }
            // A stream error on a stream the client never opened (a
            // PRIORITY of the wrong length, a WINDOW_UPDATE of 0): no
            // RST_STREAM may name an idle stream (§6.4), so the
            // connection ends instead, with the same code (§5.4: any
            // stream error may be taken for a connection error).
            Err(FrameError::Stream {
                stream,
                code,
                reason,
                ..
            }) if self.is_idle(stream) => {
                return Err(connection(code, reason));
            }
            Err(error) => return Err(error.into()),
        };
        self.dispatch(frame, header.length, config, log, out)
    }

    /// A well-formed frame, by its type.
    fn dispatch(
        &mut self,
        frame: Frame<'_>,
        length: u32,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        match frame {
            Frame::Data {
                stream,
                end_stream,
                data,
                ..
            } => self.on_body(stream, end_stream, data, length, config, log, out),
            // A HEADERS frame's priority fields are shown on its line, but
            // Akamai's fingerprint counts PRIORITY frames only (Chromium's
            // HEADERS carry a priority; its print says 0).
            Frame::Headers {
                stream,
                end_stream,
                end_headers,
                fragment,
                ..
            } => self.on_headers(stream, end_stream, end_headers, fragment, config, log, out),
            Frame::Priority { stream, priority } => {
                self.note_priority(stream, priority);
                Ok(())
            }
            Frame::RstStream { stream, .. } => self.on_reset(stream),
            Frame::Settings { ack, settings } => self.on_settings(ack, settings, log, out),
            Frame::PushPromise { .. } => Err(connection(
                ErrorCode::PROTOCOL_ERROR,
                "a client may not send PUSH_PROMISE (§8.4)",
            )),
            Frame::Ping { ack, data } => self.on_ping(ack, data, log, out),
            Frame::GoAway { .. } => {
                // The client is leaving: what is open is answered, and no
                // new stream will come.
                Ok(())
            }
            Frame::WindowUpdate { stream, increment } => self.on_window_update(stream, increment),
            Frame::Continuation {
                end_headers,
                fragment,
                ..
            } => self.on_continuation(end_headers, fragment, config, log, out),
            // Unknown types are ignored (§5.5).
            Frame::Unknown { .. } => Ok(()),
        }
    }

    /// PRIORITY is parsed and shown; RFC 9113 §5.3.2 deprecates acting on
    /// it, so nothing is scheduled by it.
    fn note_priority(&mut self, stream: u32, priority: frame::Priority) {
        if self.fingerprint.priorities.len() < 16 {
            self.fingerprint.priorities.push((stream, priority));
        }
    }

    fn on_settings(
        &mut self,
        ack: bool,
        settings: frame::Settings<'_>,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        if ack {
            return Ok(());
        }
        if self.control.over(MAX_CONTROL, Instant::now()) {
            return Err(flood("SETTINGS"));
        }
        if self.fingerprint.settings.is_none() {
            self.fingerprint.settings = Some(settings.iter().collect());
        }
        for Setting { id, value } in settings.iter() {
            self.apply(id, value)?;
        }
        let start = out.len();
        frame::write_settings_ack(out);
        self.lines.sent(&out[start..], log);
        Ok(())
    }

    /// One of the client's settings; the frame parser has checked its
    /// value's range.
    fn apply(&mut self, id: u16, value: u32) -> Result<(), H2Error> {
        match id {
            setting::HEADER_TABLE_SIZE => {
                self.peer.header_table_size = value;
                // rawnet's encoder never needs more than the default.
                let size = usize::try_from(value).unwrap_or(usize::MAX);
                self.encoder
                    .set_max_table_size(size.min(DEFAULT_TABLE_SIZE));
            }
            setting::INITIAL_WINDOW_SIZE => {
                // Every open stream's window moves by the difference
                // (§6.9.2), and may not pass 2^31-1.
                let delta = i64::from(value) - i64::from(self.peer.initial_window);
                self.peer.initial_window = value;
                for stream in self.streams.values_mut() {
                    stream.send_window += delta;
                    if stream.send_window > i64::from(frame::MAX_WINDOW) {
                        let why =
                            "INITIAL_WINDOW_SIZE takes a stream's window past 2^31-1 (§6.9.2)";
                        return Err(connection(ErrorCode::FLOW_CONTROL_ERROR, why));
                    }
                }
            }
            setting::MAX_FRAME_SIZE => self.peer.max_frame_size = value,
            _ => {}
        }
        Ok(())
    }

    fn on_ping(
        &mut self,
        ack: bool,
        data: [u8; 8],
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        if ack {
            return Ok(());
        }
        if self.control.over(MAX_CONTROL, Instant::now()) {
            return Err(flood("PING"));
        }
        let start = out.len();
        frame::write_ping_ack(out, data);
        self.lines.sent(&out[start..], log);
        Ok(())
    }

    fn on_window_update(&mut self, stream: u32, increment: u32) -> Result<(), H2Error> {
        let too_large = |window: i64| window > i64::from(frame::MAX_WINDOW);
        if stream == 0 {
            if self.fingerprint.window_update.is_none() {
                self.fingerprint.window_update = Some(increment);
            }
            self.send_window += i64::from(increment);
            if too_large(self.send_window) {
                let why = "WINDOW_UPDATE takes the connection's window past 2^31-1 (§6.9.1)";
                return Err(connection(ErrorCode::FLOW_CONTROL_ERROR, why));
            }
            return Ok(());
        }
        if self.is_idle(stream) {
            let why = "WINDOW_UPDATE on a stream not yet opened (§5.1)";
            return Err(connection(ErrorCode::PROTOCOL_ERROR, why));
        }
        if let Some(open) = self.streams.get_mut(&stream) {
            open.send_window += i64::from(increment);
            if too_large(open.send_window) {
                let why = "WINDOW_UPDATE takes the stream's window past 2^31-1 (§6.9.1)";
                return Err(H2Error::Stream(
                    stream,
                    ErrorCode::FLOW_CONTROL_ERROR,
                    why.into(),
                ));
            }
        }
        Ok(())
    }

    fn on_reset(&mut self, stream: u32) -> Result<(), H2Error> {
        if self.is_idle(stream) {
            let why = "RST_STREAM on a stream not yet opened (§6.4)";
            return Err(connection(ErrorCode::PROTOCOL_ERROR, why));
        }
        self.streams.remove(&stream);
        if self.resets.over(MAX_RESETS, Instant::now()) {
            return Err(connection(
                ErrorCode::ENHANCE_YOUR_CALM,
                format!(
                    "more than {MAX_RESETS} streams reset by the client within {}s (rapid reset, CVE-2023-44487)",
                    RATE_WINDOW.as_secs()
                ),
            ));
        }
        Ok(())
    }

    /// A stream the client has not opened yet: above the last one.
    fn is_idle(&self, stream: u32) -> bool {
        stream > self.last_stream
    }

    /// A stream rawnet reset lately, whose frames in flight are ignored.
    fn was_reset_here(&self, stream: u32) -> bool {
        self.reset_here.contains(&stream)
    }

    /// Remembers a stream rawnet is done with while the client may still
    /// be sending on it: what comes on it is ignored from now on.
    fn ignore_from_now(&mut self, stream: u32) {
        if self.reset_here.len() == RESETS_REMEMBERED {
            self.reset_here.pop_front();
        }
        self.reset_here.push_back(stream);
    }

    /// Says an error as the RFC asks: RST_STREAM for a stream's (the
    /// connection goes on), GOAWAY for the connection's (it closes).
    fn fail(&mut self, error: H2Error, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        match error {
            H2Error::Stream(stream, code, why) => {
                let start = out.len();
                frame::write_rst_stream(out, stream, code);
                self.lines.sent(&out[start..], log);
                log.emit(Event::StreamError {
                    stream,
                    code,
                    why: &why,
                });
                self.streams.remove(&stream);
                self.last_stream = self.last_stream.max(stream);
                self.ignore_from_now(stream);
                Next::Continue
            }
            H2Error::Connection(code, why) => {
                let start = out.len();
                frame::write_goaway(out, self.last_stream, code, why.as_bytes());
                self.lines.sent(&out[start..], log);
                log.emit(Event::ConnectionError { code, why: &why });
                self.closing = true;
                // Nothing more is answered: what the streams held goes now.
                self.streams.clear();
                self.continuation = None;
                Next::Close
            }
        }
    }

    /// The connection closes on its own (idle, shutdown): GOAWAY
    /// NO_ERROR, naming the last stream it took.
    pub(crate) fn farewell(&mut self, why: Farewell, log: &ConnLog, out: &mut Vec<u8>) {
        // A WebSocket on a stream says goodbye in its own frames first.
        #[cfg(feature = "websocket")]
        if !self.closing {
            self.tunnels_farewell(why, log);
            self.send_pending(log, out);
        }
        if !self.closing {
            let start = out.len();
            frame::write_goaway(
                out,
                self.last_stream,
                ErrorCode::NO_ERROR,
                why.words().as_bytes(),
            );
            self.lines.sent(&out[start..], log);
            self.closing = true;
        }
    }

    /// The client's FIN: whatever was open is dropped.
    pub(crate) fn on_end(&mut self, log: &ConnLog) {
        self.lines.flush(log);
        #[cfg(feature = "websocket")]
        self.tunnels_flush(log);
        let open = self.streams.len();
        if open > 0 {
            log.emit(Event::EndedWithStreams { open });
        }
    }

    /// The earliest moment something on the connection is due.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        // One pass over the streams: this runs after every read.
        let streams = self
            .streams
            .values()
            .filter_map(|s| self.stream_due(s))
            .min();
        [streams, self.lines.deadline()].into_iter().flatten().min()
    }

    /// A stream's earliest moment: its response stalled past [`STALL`],
    /// its `?delay` over, its drip's next chunk, its WebSocket's timer.
    fn stream_due(&self, stream: &Stream) -> Option<Instant> {
        let stalled = stream.stalled_since().map(|since| since + STALL);
        let held = stream.held.as_ref().map(|(due, ..)| *due);
        #[cfg(feature = "knobs")]
        let dripping = stream.drip_due();
        #[cfg(not(feature = "knobs"))]
        let dripping = None;
        #[cfg(feature = "websocket")]
        let tunnel = stream.tunnel.as_ref().and_then(|t| t.due(&self.ws));
        #[cfg(not(feature = "websocket"))]
        let tunnel = None;
        [stalled, held, dripping, tunnel]
            .into_iter()
            .flatten()
            .min()
    }

    /// `?delay`ed responses and `?drip`'s chunks whose moment came are
    /// sent; responses stalled past [`STALL`] are reset with CANCEL.
    pub(crate) fn on_deadline(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let next = self.deadline_passed(log, out);
        self.settle();
        next
    }

    /// [`Session::on_deadline`], before the budget is settled.
    fn deadline_passed(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        self.lines.on_deadline(log);
        #[cfg(feature = "websocket")]
        self.tunnels_on_deadline(log);
        let now = Instant::now();
        // `?delay`ed responses whose moment came.
        let due: Vec<u32> = (self.streams.iter())
            .filter(|(_, s)| s.held.as_ref().is_some_and(|(at, ..)| *at <= now))
            .map(|(&id, _)| id)
            .collect();
        for id in due {
            let held = self.streams.get_mut(&id).and_then(|s| s.held.take());
            if let Some((_, answer, head_only)) = held {
                self.send_response(id, answer, head_only, log, out);
            }
        }
        self.send_pending(log, out);
        let stalled: Vec<u32> = (self.streams.iter())
            .filter(|(_, s)| s.stalled_since().is_some_and(|since| since + STALL <= now))
            .map(|(&id, _)| id)
            .collect();
        for stream in stalled {
            let why = format!(
                "its response waited {}s for a window the client never opened",
                STALL.as_secs()
            );
            self.fail(
                H2Error::Stream(stream, ErrorCode::CANCEL, why.into()),
                log,
                out,
            );
        }
        Next::Continue
    }

    /// Whether sending stopped at `OUTPUT_BOUND` (see `send_some`).
    pub(crate) fn is_paused(&self) -> bool {
        self.paused && !self.closing
    }

    /// What was written went out: the streams send on, as far as their
    /// windows and the bound go.
    pub(crate) fn resume(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        self.send_pending(log, out);
        self.settle();
        Next::Continue
    }

    /// Flushes the frame lines owed before the connection's `close`.
    pub(crate) fn before_close(&mut self, log: &ConnLog) {
        self.lines.flush(log);
        #[cfg(feature = "websocket")]
        self.tunnels_flush(log);
    }
}

/// A frame that opens a stream or continues its header block (a
/// PRIORITY for an idle stream opens none).
fn opens(kind: u8) -> bool {
    kind == frame::kind::HEADERS || kind == frame::kind::CONTINUATION
}

/// A flood of frames that each ask for an answer.
fn flood(kind: &str) -> H2Error {
    connection(
        ErrorCode::ENHANCE_YOUR_CALM,
        format!(
            "more than {MAX_CONTROL} {kind} and other control frames within {}s",
            RATE_WINDOW.as_secs()
        ),
    )
}

/// The header list a request may decode to: SETTINGS_MAX_HEADER_LIST_SIZE
/// (§6.5.2), the HTTP/1 head's limit with HPACK's 32 bytes a field.
fn max_header_list(config: &http::Config) -> usize {
    config.max_head.saturating_mul(2)
}
