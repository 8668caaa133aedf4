//! The lines an HTTP/2 connection gets: one a frame each way (`h2 frame:
//! HEADERS stream 1, ...`), held to [`LINES_PER_SECOND`] as WebSocket's
//! frames are, each request answered, and every stream or connection
//! error with its code and the RFC's rule. Their words and JSON are here;
//! `log.rs` only prints them. With `--trace`, a frame's line is followed
//! by its 9-byte header explained field by field.

use std::fmt;
use std::time::Instant;

use serde::{Serialize, Serializer};

use crate::h2::frame::{self, ErrorCode, Frame};
use crate::log::{self, ConnLog, Layout, Line, Quota, Verbosity, LINES_PER_SECOND, QUOTA_WINDOW};
use crate::show::{Escaped, NAME_SHOWN};

/// How much of a path a line shows (as HTTP/1.1's request lines do).
const TARGET_SHOWN: usize = 2048;

/// What the log says about an HTTP/2 connection.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// A frame, received or sent: its words (`Frame`'s `Display`).
    #[serde(rename = "h2_frame")]
    Frame {
        received: bool,
        #[serde(serialize_with = "as_words")]
        bytes: &'a [u8],
        /// `--trace`: the header explained after the line.
        #[serde(skip)]
        traced: bool,
    },
    /// Frames not shown one by one (past [`LINES_PER_SECOND`]).
    #[serde(rename = "h2_frames_not_shown")]
    FramesNotShown { received: u64, sent: u64 },
    /// `--trace`: a header block, HPACK decoded field by field (each
    /// with how it was sent and its bytes).
    #[serde(rename = "h2_header_block")]
    HeaderBlock { stream: u32, fields: &'a [String] },
    /// A request answered on its stream.
    #[serde(rename = "h2_request")]
    Request {
        stream: u32,
        #[serde(serialize_with = "as_text")]
        method: &'a [u8],
        #[serde(serialize_with = "as_text")]
        path: &'a [u8],
        status: u16,
        bytes: usize,
        /// `?drip`: the body comes in this many chunks over time instead.
        #[cfg(feature = "knobs")]
        #[serde(skip_serializing_if = "Option::is_none")]
        dripped: Option<u32>,
    },
    /// A WebSocket opened on a stream by an extended CONNECT (RFC 8441).
    #[cfg(feature = "websocket")]
    #[serde(rename = "h2_websocket")]
    Tunnel {
        stream: u32,
        #[serde(serialize_with = "as_text")]
        path: &'a [u8],
        explain: bool,
    },
    /// A stream error: RST_STREAM sent.
    #[serde(rename = "h2_stream_error")]
    StreamError {
        stream: u32,
        #[serde(serialize_with = "as_code")]
        code: ErrorCode,
        why: &'a str,
    },
    /// A connection error: GOAWAY sent, and the connection closes.
    #[serde(rename = "h2_connection_error")]
    ConnectionError {
        #[serde(serialize_with = "as_code")]
        code: ErrorCode,
        why: &'a str,
    },
    /// The client ended with streams still open.
    #[serde(rename = "h2_ended_with_streams")]
    EndedWithStreams { open: usize },
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::H2Session(event)
    }
}

impl Line for Event<'_> {
    fn layout(&self) -> Layout {
        match self {
            Event::Frame { traced: true, .. } | Event::HeaderBlock { .. } => Layout::LineThenBlock,
            _ => Layout::Line,
        }
    }

    fn level(&self) -> Verbosity {
        match self {
            Event::HeaderBlock { .. } => Verbosity::Trace,
            _ => Verbosity::Events,
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Frame {
                received,
                bytes,
                traced,
            } => {
                let which = if *received {
                    "h2 frame"
                } else {
                    "h2 frame sent"
                };
                write!(f, "{which}: {}", Words(bytes))?;
                if let (true, Some(head)) = (traced, bytes.first_chunk()) {
                    for field in frame::explain_header(head) {
                        write!(f, "\n  {field}")?;
                    }
                }
                Ok(())
            }
            Event::HeaderBlock { stream, fields } => {
                write!(f, "h2 header block of stream {stream}, HPACK decoded:")?;
                // Each line is `hpack`'s own, the wire's bytes in it
                // already escaped.
                for field in fields.iter() {
                    write!(f, "\n  {field}")?;
                }
                Ok(())
            }
            Event::FramesNotShown { received, sent } => write!(
                f,
                "h2 frames not shown one by one (more than {LINES_PER_SECOND} lines a second): \
                 {received} received, {sent} sent"
            ),
            Event::Request {
                stream,
                method,
                path,
                status,
                bytes,
                #[cfg(feature = "knobs")]
                dripped,
            } => {
                write!(
                    f,
                    "stream {stream}: {} {} HTTP/2 -> {status} {}, ",
                    Escaped::bare_preview(method, NAME_SHOWN),
                    Escaped::bare_preview(path, TARGET_SHOWN),
                    crate::http::response::reason(*status)
                )?;
                #[cfg(feature = "knobs")]
                if let Some(chunks) = dripped {
                    return write!(f, "its body dripped in {chunks} chunks (?drip)");
                }
                write!(f, "{bytes} bytes of body")
            }
            #[cfg(feature = "websocket")]
            Event::Tunnel {
                stream,
                path,
                explain,
            } => {
                write!(
                f,
                "stream {stream}: CONNECT {} with :protocol websocket -> 200: a WebSocket over \
                 HTTP/2 (RFC 8441), its frames in this stream's DATA frames{}",
                Escaped::bare_preview(path, TARGET_SHOWN),
                if *explain { ", every frame explained" } else { "" }
            )
            }
            Event::StreamError { stream, code, why } => {
                write!(f, "stream {stream} reset with RST_STREAM {code}: {why}")
            }
            Event::ConnectionError { code, why } => {
                write!(f, "HTTP/2 connection error, GOAWAY {code}: {why}; closing")
            }
            Event::EndedWithStreams { open } => write!(
                f,
                "client ended the connection with {open} stream(s) still open"
            ),
        }
    }
}

/// A frame's bytes, in words.
struct Words<'a>(&'a [u8]);

impl fmt::Display for Words<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(head) = self.0.first_chunk::<{ frame::Header::LEN }>() else {
            return f.write_str("(a cut frame)");
        };
        let header = frame::Header::parse(head);
        match Frame::parse(&header, &self.0[frame::Header::LEN..]) {
            Ok(frame) => write!(f, "{frame}"),
            Err(error) => write!(f, "{error}"),
        }
    }
}

fn as_words<S: Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&Words(bytes))
}

fn as_text<S: Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&Escaped::bare_preview(bytes, TARGET_SHOWN))
}

fn as_code<S: Serializer>(code: &ErrorCode, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(code)
}

/// One connection's frame lines: each way held to [`LINES_PER_SECOND`],
/// the rest counted and said once a second.
#[derive(Debug, Default)]
pub(crate) struct FrameLines {
    received: Quota,
    sent: Quota,
    not_shown: (u64, u64),
    since: Option<Instant>,
}

impl FrameLines {
    pub fn received(&mut self, bytes: &[u8], log: &ConnLog) {
        self.line(true, bytes, log);
    }

    /// `bytes` may hold several frames (a HEADERS and its
    /// CONTINUATIONs): each gets its line.
    pub fn sent(&mut self, mut bytes: &[u8], log: &ConnLog) {
        while let Some(head) = bytes.first_chunk::<{ frame::Header::LEN }>() {
            let len = frame::Header::LEN + frame::Header::parse(head).length as usize;
            let (one, rest) = bytes.split_at(len.min(bytes.len()));
            self.line(false, one, log);
            bytes = rest;
        }
    }

    fn line(&mut self, received: bool, bytes: &[u8], log: &ConnLog) {
        if !log.events() {
            return;
        }
        let now = Instant::now();
        let quota = if received {
            &mut self.received
        } else {
            &mut self.sent
        };
        if quota.allows(now) {
            let traced = log.traces();
            log.emit(Event::Frame {
                received,
                bytes,
                traced,
            });
            return;
        }
        if received {
            self.not_shown.0 += 1;
        } else {
            self.not_shown.1 += 1;
        }
        self.since.get_or_insert(now);
    }

    /// When the count of frames not shown is due.
    pub fn deadline(&self) -> Option<Instant> {
        self.since.map(|since| since + QUOTA_WINDOW)
    }

    pub fn on_deadline(&mut self, log: &ConnLog) {
        if self.deadline().is_some_and(|due| due <= Instant::now()) {
            self.flush(log);
        }
    }

    /// Says how many frames were not shown, if any.
    pub fn flush(&mut self, log: &ConnLog) {
        let (received, sent) = std::mem::take(&mut self.not_shown);
        self.since = None;
        if received + sent > 0 {
            log.emit(Event::FramesNotShown { received, sent });
        }
    }
}
