//! HTTP/2 frames (RFC 9113 §4 and §6), read and written by hand: no I/O,
//! no state beyond one frame. The connection's state machine (streams,
//! flow-control windows, which frame may follow which) sits on top and
//! decides; this module only says what a frame is, and whether its own
//! shape is one the RFC allows.
//!
//! Every frame is a 9-byte header and a payload (§4.1):
//!
//! ```text
//! HTTP Frame {
//!   Length (24),
//!   Type (8),
//!
//!   Flags (8),
//!
//!   Reserved (1),
//!   Stream Identifier (31),
//!
//!   Frame Payload (..),
//! }
//! ```
//!
//! - [`Header`]: those 9 bytes, [`Header::parse`] and [`Header::write`].
//! - [`Frame`]: the ten frame types of §6 and the ones nobody defined
//!   ([`Frame::Unknown`], which §4.1 and §5.5 say to ignore), with
//!   [`Frame::parse`], which checks everything the RFC says about a
//!   frame's own shape, and [`Frame::write`].
//! - [`FrameError`]: what is wrong, as the RFC wants it reported: a
//!   connection error (GOAWAY, then close, §5.4.1) or a stream error
//!   (RST_STREAM on that stream, §5.4.2), each with its [`ErrorCode`]
//!   (§7). In `frame/error.rs`.
//! - [`Reader`]: bytes in as they come, whole frames out, holding at most
//!   one frame of the largest size this end accepts. In `frame/reader.rs`.
//! - The frames a server sends, written: `write_settings`,
//!   `write_settings_ack`, `write_ping_ack`, `write_goaway`,
//!   `write_rst_stream`, `write_window_update`, `write_headers` (split
//!   into CONTINUATION frames when the block is larger than the peer's
//!   frames may be) and `write_data`. In `frame/write.rs`.
//! - For people: `Display` on [`Frame`] is one line per frame, and
//!   [`explain_header`] takes the 9 header bytes apart field by field for
//!   `--trace`. In `frame/describe.rs`.
//!
//! What is *not* checked here, because it needs the connection's state:
//! a frame on a stream in the wrong state (§5.1), CONTINUATION that does
//! not follow HEADERS (§6.10), a PUSH_PROMISE sent to a server (§8.4:
//! only a server pushes, so a server treats one as a connection
//! PROTOCOL_ERROR; it is parsed here so that the line can say what came),
//! flow-control windows (§6.9), and non-zero padding (which §6.1 lets a
//! receiver accept).

// The server does not speak HTTP/2 yet: h2.rs still answers every client
// with GOAWAY. The connection's state machine will use all of this; until
// then the frames are only used by their tests, and the types re-exported
// below for it (RawFrame, HeaderField) are named by nobody.
#![allow(dead_code, unused_imports)]

mod describe;
mod error;
mod parse;
mod reader;
mod write;

#[cfg(test)]
mod captured;
#[cfg(test)]
mod tests;

pub use describe::{explain_header, flag_names, HeaderField};
pub use error::{ErrorCode, FrameError};
pub use reader::{RawFrame, Reader};
pub use write::{
    write_data, write_goaway, write_headers, write_ping_ack, write_rst_stream, write_settings,
    write_settings_ack, write_window_update,
};

use super::Setting;

/// The frame types of §6, by their code in the header's Type field.
pub mod kind {
    pub const DATA: u8 = 0x0;
    pub const HEADERS: u8 = 0x1;
    pub const PRIORITY: u8 = 0x2;
    pub const RST_STREAM: u8 = 0x3;
    pub const SETTINGS: u8 = 0x4;
    pub const PUSH_PROMISE: u8 = 0x5;
    pub const PING: u8 = 0x6;
    pub const GOAWAY: u8 = 0x7;
    pub const WINDOW_UPDATE: u8 = 0x8;
    pub const CONTINUATION: u8 = 0x9;

    /// A type's name as RFC 9113 spells it, or `None` for a type it does
    /// not define (an extension's, or GREASE), which a receiver ignores.
    pub fn name(kind: u8) -> Option<&'static str> {
        Some(match kind {
            DATA => "DATA",
            HEADERS => "HEADERS",
            PRIORITY => "PRIORITY",
            RST_STREAM => "RST_STREAM",
            SETTINGS => "SETTINGS",
            PUSH_PROMISE => "PUSH_PROMISE",
            PING => "PING",
            GOAWAY => "GOAWAY",
            WINDOW_UPDATE => "WINDOW_UPDATE",
            CONTINUATION => "CONTINUATION",
            _ => return None,
        })
    }
}

/// The flags of §6, as bits of the header's Flags byte. A flag means
/// something only for the types that define it (0x1 is END_STREAM on
/// DATA and HEADERS, ACK on SETTINGS and PING); any other bit is ignored
/// on receipt and left 0 when sending (§4.1).
pub mod flag {
    /// DATA, HEADERS: the last frame the sender sends on this stream.
    pub const END_STREAM: u8 = 0x1;
    /// SETTINGS, PING: an acknowledgement, not a request.
    pub const ACK: u8 = 0x1;
    /// HEADERS, PUSH_PROMISE, CONTINUATION: the field block ends here.
    pub const END_HEADERS: u8 = 0x4;
    /// DATA, HEADERS, PUSH_PROMISE: a Pad Length byte comes first, and
    /// that many bytes of padding last.
    pub const PADDED: u8 = 0x8;
    /// HEADERS: the Exclusive, Stream Dependency and Weight fields are
    /// there.
    pub const PRIORITY: u8 = 0x20;
}

/// The settings of §6.5.2, by identifier. Any other identifier is
/// ignored (§6.5.2's last paragraph); [`Setting::name`] names these.
pub mod setting {
    pub const HEADER_TABLE_SIZE: u16 = 0x1;
    pub const ENABLE_PUSH: u16 = 0x2;
    pub const MAX_CONCURRENT_STREAMS: u16 = 0x3;
    pub const INITIAL_WINDOW_SIZE: u16 = 0x4;
    pub const MAX_FRAME_SIZE: u16 = 0x5;
    pub const MAX_HEADER_LIST_SIZE: u16 = 0x6;
    /// RFC 8441 §3: 1 lets a client send an extended CONNECT (a
    /// WebSocket over HTTP/2); only 0 or 1.
    pub const ENABLE_CONNECT_PROTOCOL: u16 = 0x8;
}

/// The largest frame payload every endpoint must accept, and the smallest
/// SETTINGS_MAX_FRAME_SIZE an endpoint may advertise: 2^14 (§4.2).
pub const MIN_MAX_FRAME_SIZE: u32 = 1 << 14;

/// The largest SETTINGS_MAX_FRAME_SIZE there can be: the Length field has
/// 24 bits, so 2^24 - 1 (§4.2, §6.5.2).
pub const MAX_MAX_FRAME_SIZE: u32 = (1 << 24) - 1;

/// The largest flow-control window, and so the largest
/// SETTINGS_INITIAL_WINDOW_SIZE and WINDOW_UPDATE increment: 2^31 - 1
/// (§6.9.1).
pub const MAX_WINDOW: u32 = (1 << 31) - 1;

/// The 31 bits of a stream identifier; the 32nd, the reserved bit, is
/// ignored on receipt and sent as 0 (§4.1).
const STREAM_MASK: u32 = 0x7fff_ffff;

/// The 9 bytes in front of every frame (§4.1): `Length (24)`, `Type (8)`,
/// `Flags (8)`, `Reserved (1)`, `Stream Identifier (31)`, all big-endian.
///
/// ```text
/// 00 00 12  04  00  00 00 00 00
/// length 18, type SETTINGS, no flags, stream 0
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The payload's length in bytes, the 9 header bytes not counted.
    pub length: u32,
    /// The frame type, a [`kind`].
    pub kind: u8,
    /// The flags byte as sent, [`flag`] bits and any others.
    pub flags: u8,
    /// The stream identifier, 31 bits: 0 is the connection itself.
    pub stream: u32,
}

impl Header {
    /// How long a frame header is.
    pub const LEN: usize = 9;

    /// Reads the 9 bytes. The reserved bit in front of the stream
    /// identifier is dropped: §4.1 says it "MUST be ignored when
    /// receiving". Every 9 bytes are some header; what they allow is for
    /// [`Header::check_size`] and [`Frame::parse`] to say.
    pub fn parse(bytes: &[u8; Self::LEN]) -> Header {
        let [l0, l1, l2, kind, flags, s0, s1, s2, s3] = *bytes;
        Header {
            length: u32::from_be_bytes([0, l0, l1, l2]),
            kind,
            flags,
            stream: u32::from_be_bytes([s0, s1, s2, s3]) & STREAM_MASK,
        }
    }

    /// The 9 bytes, with the reserved bit 0 as §4.1 says to send it. The
    /// length must fit 24 bits (every writer here makes sure of it).
    pub fn to_bytes(self) -> [u8; Self::LEN] {
        debug_assert!(self.length <= MAX_MAX_FRAME_SIZE, "{self:?}");
        let [_, l0, l1, l2] = self.length.to_be_bytes();
        let [s0, s1, s2, s3] = (self.stream & STREAM_MASK).to_be_bytes();
        [l0, l1, l2, self.kind, self.flags, s0, s1, s2, s3]
    }

    /// Appends the 9 bytes to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Whether `flag` (a [`flag`] bit) is set.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// §4.2: a frame longer than the receiver's SETTINGS_MAX_FRAME_SIZE
    /// is a FRAME_SIZE_ERROR. Checked on the header alone, before a byte
    /// of the payload is kept, so that a peer cannot make this end buffer
    /// more than it said it would take.
    ///
    /// Always a connection error, on any stream: §4.2 requires one for
    /// frames that carry a field block, SETTINGS and anything on stream
    /// 0, and allows one for the rest (§5.4.1: an endpoint may treat a
    /// stream error as a connection error). The rest is DATA, which
    /// counts against the connection's flow-control window, and frames
    /// the connection would have to skip unread to carry on.
    pub fn check_size(&self, max_frame_size: u32) -> Result<(), FrameError> {
        if self.length > max_frame_size {
            return Err(FrameError::connection(
                ErrorCode::FRAME_SIZE_ERROR,
                "frame longer than SETTINGS_MAX_FRAME_SIZE (§4.2)",
            ));
        }
        Ok(())
    }
}

/// The priority fields of HEADERS (with its PRIORITY flag) and of the
/// PRIORITY frame, RFC 7540's dependency tree. RFC 9113 deprecates them
/// (§5.3.2) but keeps their layout, so a receiver still reads past them;
/// nghttp sends them on every request.
///
/// ```text
/// Exclusive (1),
/// Stream Dependency (31),
/// Weight (8),
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Priority {
    /// This stream becomes the only child of its dependency.
    pub exclusive: bool,
    /// The stream this one depends on; 0 is the root.
    pub dependency: u32,
    /// 1 to 256: the byte on the wire is the weight minus one.
    pub weight: u16,
}

impl Priority {
    /// How long the fields are on the wire.
    const LEN: usize = 5;

    fn parse(bytes: [u8; Self::LEN]) -> Priority {
        let [d0, d1, d2, d3, weight] = bytes;
        let dependency = u32::from_be_bytes([d0, d1, d2, d3]);
        Priority {
            exclusive: dependency & !STREAM_MASK != 0,
            dependency: dependency & STREAM_MASK,
            weight: u16::from(weight) + 1,
        }
    }

    fn to_bytes(self) -> [u8; Self::LEN] {
        debug_assert!((1..=256).contains(&self.weight), "{self:?}");
        let exclusive = if self.exclusive { !STREAM_MASK } else { 0 };
        let [d0, d1, d2, d3] = (self.dependency & STREAM_MASK | exclusive).to_be_bytes();
        // 1..=256 on the wire as 0..=255; a weight out of range is
        // clamped rather than wrapped.
        let weight = u8::try_from(self.weight.clamp(1, 256) - 1).unwrap_or(u8::MAX);
        [d0, d1, d2, d3, weight]
    }
}

/// A SETTINGS frame's list, as it came: 6 bytes per setting, a 16-bit
/// identifier and a 32-bit value (§6.5.1), in the order sent (the order
/// matters: a later value replaces an earlier one, §6.5). Borrowed from
/// the payload; [`Settings::iter`] reads them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Settings<'a> {
    bytes: &'a [u8],
}

impl<'a> Settings<'a> {
    /// How long one setting is.
    pub const ENTRY_LEN: usize = 6;

    /// The list in `bytes`, or `None` when their length is not a multiple
    /// of 6 (which [`Frame::parse`] reports as a FRAME_SIZE_ERROR).
    pub fn new(bytes: &'a [u8]) -> Option<Self> {
        (bytes.len() % Self::ENTRY_LEN == 0).then_some(Settings { bytes })
    }

    /// Each setting, in order, known identifiers or not.
    pub fn iter(&self) -> impl Iterator<Item = Setting> + 'a {
        self.bytes.chunks_exact(Self::ENTRY_LEN).map(|s| Setting {
            id: u16::from_be_bytes([s[0], s[1]]),
            value: u32::from_be_bytes([s[2], s[3], s[4], s[5]]),
        })
    }

    /// How many settings there are.
    pub fn len(&self) -> usize {
        self.bytes.len() / Self::ENTRY_LEN
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The payload bytes, as sent.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl std::fmt::Debug for Settings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One frame, its payload read into the fields of its type (§6). Byte
/// fields borrow from the payload. The flags a type does not define, the
/// reserved bits and the padding's bytes are not kept: §4.1 and §6.1 say
/// they mean nothing.
///
/// Padding (DATA, HEADERS, PUSH_PROMISE): `pad_length` is `None` without
/// the PADDED flag, and `Some(n)` with it, `n` bytes of padding (0 is
/// allowed: the flag and the Pad Length byte alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// §6.1: a piece of a request's or a response's content.
    ///
    /// ```text
    /// DATA Frame {
    ///   Length (24),
    ///   Type (8) = 0x00,
    ///   Unused Flags (4), PADDED Flag (1), Unused Flags (2), END_STREAM Flag (1),
    ///   Reserved (1), Stream Identifier (31),
    ///   [Pad Length (8)],
    ///   Data (..),
    ///   Padding (..2040),
    /// }
    /// ```
    Data {
        stream: u32,
        end_stream: bool,
        pad_length: Option<u8>,
        data: &'a [u8],
    },
    /// §6.2: opens a stream and carries the first fragment of its field
    /// block (HPACK-compressed header fields, RFC 7541); CONTINUATION
    /// frames carry the rest unless END_HEADERS is set.
    ///
    /// ```text
    /// HEADERS Frame {
    ///   Length (24),
    ///   Type (8) = 0x01,
    ///   Unused Flags (2), PRIORITY Flag (1), Unused Flag (1),
    ///   PADDED Flag (1), END_HEADERS Flag (1), Unused Flag (1), END_STREAM Flag (1),
    ///   Reserved (1), Stream Identifier (31),
    ///   [Pad Length (8)],
    ///   [Exclusive (1)], [Stream Dependency (31)], [Weight (8)],
    ///   Field Block Fragment (..),
    ///   Padding (..2040),
    /// }
    /// ```
    Headers {
        stream: u32,
        end_stream: bool,
        end_headers: bool,
        pad_length: Option<u8>,
        /// The PRIORITY flag's fields, when set.
        priority: Option<Priority>,
        fragment: &'a [u8],
    },
    /// §6.3, deprecated: a stream's place in RFC 7540's priority tree.
    /// No flags.
    ///
    /// ```text
    /// PRIORITY Frame {
    ///   Length (24) = 0x05,
    ///   Type (8) = 0x02,
    ///   Unused Flags (8),
    ///   Reserved (1), Stream Identifier (31),
    ///   Exclusive (1), Stream Dependency (31), Weight (8),
    /// }
    /// ```
    Priority { stream: u32, priority: Priority },
    /// §6.4: the stream ends now, for this reason. No flags.
    ///
    /// ```text
    /// RST_STREAM Frame {
    ///   Length (24) = 0x04,
    ///   Type (8) = 0x03,
    ///   Unused Flags (8),
    ///   Reserved (1), Stream Identifier (31),
    ///   Error Code (32),
    /// }
    /// ```
    RstStream { stream: u32, code: ErrorCode },
    /// §6.5: the sender's settings, or (ACK) that it applied the peer's.
    /// Always on stream 0.
    ///
    /// ```text
    /// SETTINGS Frame {
    ///   Length (24),
    ///   Type (8) = 0x04,
    ///   Unused Flags (7), ACK Flag (1),
    ///   Reserved (1), Stream Identifier (31) = 0,
    ///   Setting (48) ...,      -- Identifier (16), Value (32)
    /// }
    /// ```
    Settings { ack: bool, settings: Settings<'a> },
    /// §6.6: the server promises a stream it will push. A server never
    /// receives one legitimately (§8.4); parsed so that its line can say
    /// so.
    ///
    /// ```text
    /// PUSH_PROMISE Frame {
    ///   Length (24),
    ///   Type (8) = 0x05,
    ///   Unused Flags (4), PADDED Flag (1), END_HEADERS Flag (1), Unused Flags (2),
    ///   Reserved (1), Stream Identifier (31),
    ///   [Pad Length (8)],
    ///   Reserved (1), Promised Stream ID (31),
    ///   Field Block Fragment (..),
    ///   Padding (..2040),
    /// }
    /// ```
    PushPromise {
        stream: u32,
        end_headers: bool,
        pad_length: Option<u8>,
        promised: u32,
        fragment: &'a [u8],
    },
    /// §6.7: 8 bytes the peer must send back with ACK set. Stream 0.
    ///
    /// ```text
    /// PING Frame {
    ///   Length (24) = 0x08,
    ///   Type (8) = 0x06,
    ///   Unused Flags (7), ACK Flag (1),
    ///   Reserved (1), Stream Identifier (31) = 0,
    ///   Opaque Data (64),
    /// }
    /// ```
    Ping { ack: bool, data: [u8; 8] },
    /// §6.8: the connection is ending; streams above `last_stream` were
    /// not processed and may be retried elsewhere. Stream 0, no flags.
    ///
    /// ```text
    /// GOAWAY Frame {
    ///   Length (24),
    ///   Type (8) = 0x07,
    ///   Unused Flags (8),
    ///   Reserved (1), Stream Identifier (31) = 0,
    ///   Reserved (1), Last-Stream-ID (31),
    ///   Error Code (32),
    ///   Additional Debug Data (..),
    /// }
    /// ```
    GoAway {
        last_stream: u32,
        code: ErrorCode,
        /// Free bytes for a person (§6.8), often text.
        debug: &'a [u8],
    },
    /// §6.9: the receiver may send `increment` more bytes of DATA, on
    /// this stream or (stream 0) on the connection. No flags.
    ///
    /// ```text
    /// WINDOW_UPDATE Frame {
    ///   Length (24) = 0x04,
    ///   Type (8) = 0x08,
    ///   Unused Flags (8),
    ///   Reserved (1), Stream Identifier (31),
    ///   Reserved (1), Window Size Increment (31),
    /// }
    /// ```
    WindowUpdate { stream: u32, increment: u32 },
    /// §6.10: the next fragment of a field block begun by HEADERS or
    /// PUSH_PROMISE on the same stream.
    ///
    /// ```text
    /// CONTINUATION Frame {
    ///   Length (24),
    ///   Type (8) = 0x09,
    ///   Unused Flags (5), END_HEADERS Flag (1), Unused Flags (2),
    ///   Reserved (1), Stream Identifier (31),
    ///   Field Block Fragment (..),
    /// }
    /// ```
    Continuation {
        stream: u32,
        end_headers: bool,
        fragment: &'a [u8],
    },
    /// A type RFC 9113 does not define: §4.1 and §5.5 say to ignore and
    /// discard it (except in the middle of a field block, which the
    /// connection checks). Kept whole so that a line can show it.
    Unknown {
        kind: u8,
        flags: u8,
        stream: u32,
        payload: &'a [u8],
    },
}

impl<'a> Frame<'a> {
    /// The frame whose header is `header` and whose payload is `payload`
    /// (exactly `header.length` bytes), or what the RFC says is wrong with
    /// it: every check of the frame's own shape in §4 and §6, each with
    /// the error kind and code the RFC names (`frame/parse.rs`). The
    /// size limit of SETTINGS_MAX_FRAME_SIZE is [`Header::check_size`],
    /// which the [`Reader`] applies before it keeps the payload.
    pub fn parse(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
        parse::parse(header, payload)
    }

    /// The type code of the frame.
    pub fn kind(&self) -> u8 {
        match self {
            Frame::Data { .. } => kind::DATA,
            Frame::Headers { .. } => kind::HEADERS,
            Frame::Priority { .. } => kind::PRIORITY,
            Frame::RstStream { .. } => kind::RST_STREAM,
            Frame::Settings { .. } => kind::SETTINGS,
            Frame::PushPromise { .. } => kind::PUSH_PROMISE,
            Frame::Ping { .. } => kind::PING,
            Frame::GoAway { .. } => kind::GOAWAY,
            Frame::WindowUpdate { .. } => kind::WINDOW_UPDATE,
            Frame::Continuation { .. } => kind::CONTINUATION,
            Frame::Unknown { kind, .. } => *kind,
        }
    }

    /// The stream the frame is on; 0 for the connection's own frames.
    pub fn stream(&self) -> u32 {
        match *self {
            Frame::Data { stream, .. }
            | Frame::Headers { stream, .. }
            | Frame::Priority { stream, .. }
            | Frame::RstStream { stream, .. }
            | Frame::PushPromise { stream, .. }
            | Frame::WindowUpdate { stream, .. }
            | Frame::Continuation { stream, .. }
            | Frame::Unknown { stream, .. } => stream,
            Frame::Settings { .. } | Frame::Ping { .. } | Frame::GoAway { .. } => 0,
        }
    }

    /// The header this frame is written with: its length, type, the flags
    /// its fields say, and its stream.
    pub fn header(&self) -> Header {
        Header {
            length: u32::try_from(self.payload_len()).unwrap_or(u32::MAX),
            kind: self.kind(),
            flags: write::flags(self),
            stream: self.stream(),
        }
    }

    /// How long the payload is on the wire: for a parsed frame, its
    /// header's length (padding included).
    pub fn payload_len(&self) -> usize {
        write::payload_len(self)
    }

    /// Appends the frame, header and payload, to `out` (`frame/write.rs`);
    /// padding is written as zeros, as §6.1 says to send it. The payload
    /// must fit the Length field's 24 bits, and the peer's
    /// SETTINGS_MAX_FRAME_SIZE: the writers that split (`write_headers`,
    /// `write_data`) see to that; a frame written whole is the caller's.
    pub fn write(&self, out: &mut Vec<u8>) {
        write::frame(self, out);
    }
}
