//! What goes wrong with a frame, as RFC 9113 wants it said: the error
//! code (§7) and whether the whole connection ends (§5.4.1: GOAWAY with
//! the code, then close) or one stream does (§5.4.2: RST_STREAM on it,
//! and the connection carries on).

use std::fmt;
use std::ops::Range;

/// An error code (§7), as GOAWAY and RST_STREAM carry it: 32 bits, of
/// which RFC 9113 names 14. Any other value is kept as it came, since §7
/// says an unknown code "MUST NOT trigger any special behavior" (and may
/// be treated as INTERNAL_ERROR). `Display` is the name, or the number
/// in hex for one the RFC does not name.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode(pub u32);

impl ErrorCode {
    /// 0x0: not an error; a graceful GOAWAY says this.
    pub const NO_ERROR: ErrorCode = ErrorCode(0x0);
    /// 0x1: the peer broke the protocol, in a way no code below names.
    pub const PROTOCOL_ERROR: ErrorCode = ErrorCode(0x1);
    /// 0x2: the sender failed on its own side.
    pub const INTERNAL_ERROR: ErrorCode = ErrorCode(0x2);
    /// 0x3: the peer broke flow control (§6.9).
    pub const FLOW_CONTROL_ERROR: ErrorCode = ErrorCode(0x3);
    /// 0x4: SETTINGS were not acknowledged in time (§6.5.3).
    pub const SETTINGS_TIMEOUT: ErrorCode = ErrorCode(0x4);
    /// 0x5: a frame came on a stream already half-closed (§5.1).
    pub const STREAM_CLOSED: ErrorCode = ErrorCode(0x5);
    /// 0x6: a frame of the wrong size (§4.2).
    pub const FRAME_SIZE_ERROR: ErrorCode = ErrorCode(0x6);
    /// 0x7: the stream was refused before any processing; safe to retry.
    pub const REFUSED_STREAM: ErrorCode = ErrorCode(0x7);
    /// 0x8: the stream is no longer needed.
    pub const CANCEL: ErrorCode = ErrorCode(0x8);
    /// 0x9: HPACK's state can no longer be kept (RFC 7541).
    pub const COMPRESSION_ERROR: ErrorCode = ErrorCode(0x9);
    /// 0xa: the tunnel of a CONNECT request failed (§8.5).
    pub const CONNECT_ERROR: ErrorCode = ErrorCode(0xa);
    /// 0xb: the peer is generating excessive load.
    pub const ENHANCE_YOUR_CALM: ErrorCode = ErrorCode(0xb);
    /// 0xc: the TLS underneath is not good enough (§9.2).
    pub const INADEQUATE_SECURITY: ErrorCode = ErrorCode(0xc);
    /// 0xd: use HTTP/1.1 for this request; what rawnet said until now.
    pub const HTTP_1_1_REQUIRED: ErrorCode = ErrorCode(0xd);

    /// The code's name in §7, or `None` for a code it does not define.
    pub fn name(self) -> Option<&'static str> {
        const NAMES: [&str; 14] = [
            "NO_ERROR",
            "PROTOCOL_ERROR",
            "INTERNAL_ERROR",
            "FLOW_CONTROL_ERROR",
            "SETTINGS_TIMEOUT",
            "STREAM_CLOSED",
            "FRAME_SIZE_ERROR",
            "REFUSED_STREAM",
            "CANCEL",
            "COMPRESSION_ERROR",
            "CONNECT_ERROR",
            "ENHANCE_YOUR_CALM",
            "INADEQUATE_SECURITY",
            "HTTP_1_1_REQUIRED",
        ];
        NAMES.get(usize::try_from(self.0).ok()?).copied()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown error code {:#x}", self.0),
        }
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ErrorCode({self})")
    }
}

/// What is wrong with a frame, and what the RFC says to do about it.
/// `reason` says which rule, with its section, for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The connection ends: send GOAWAY with `code` and close (§5.4.1).
    Connection {
        code: ErrorCode,
        reason: &'static str,
    },
    /// Only `stream` ends: send RST_STREAM with `code` on it (§5.4.2); the
    /// connection and its other streams carry on.
    Stream {
        stream: u32,
        code: ErrorCode,
        reason: &'static str,
        /// When the frame in error is a HEADERS frame: where its field
        /// block fragment is in the payload. The stream is refused, but
        /// HPACK must still decode the fragment (and the CONTINUATION
        /// frames after it, unless END_HEADERS is set), or this end's
        /// compression state is no longer the peer's and every later
        /// block decodes wrong (§4.3).
        fragment: Option<Range<usize>>,
    },
}

impl FrameError {
    pub(super) fn connection(code: ErrorCode, reason: &'static str) -> Self {
        FrameError::Connection { code, reason }
    }

    pub(super) fn stream(stream: u32, code: ErrorCode, reason: &'static str) -> Self {
        FrameError::Stream {
            stream,
            code,
            reason,
            fragment: None,
        }
    }

    /// The code to send, in GOAWAY or RST_STREAM.
    pub fn code(&self) -> ErrorCode {
        match self {
            FrameError::Connection { code, .. } | FrameError::Stream { code, .. } => *code,
        }
    }

    /// Which rule was broken, with its section of RFC 9113.
    pub fn reason(&self) -> &'static str {
        match self {
            FrameError::Connection { reason, .. } | FrameError::Stream { reason, .. } => reason,
        }
    }

    /// Whether the whole connection ends.
    pub fn is_connection_error(&self) -> bool {
        matches!(self, FrameError::Connection { .. })
    }
}

/// `connection error PROTOCOL_ERROR: DATA on stream 0 (§6.1)`, `stream 3
/// error FRAME_SIZE_ERROR: PRIORITY not 5 bytes long (§6.3)`.
impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Connection { code, reason } => {
                write!(f, "connection error {code}: {reason}")
            }
            FrameError::Stream {
                stream,
                code,
                reason,
                ..
            } => write!(f, "stream {stream} error {code}: {reason}"),
        }
    }
}

impl std::error::Error for FrameError {}
