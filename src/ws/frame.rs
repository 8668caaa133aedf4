//! WebSocket frames (RFC 6455 §5.2) as bytes, with no I/O: a decoder that
//! reads a client's frames from whatever pieces TCP delivers, and the
//! encoder for the server's frames.
//!
//! ```text
//!  byte 0: FIN RSV1 RSV2 RSV3 opcode(4)   byte 1: MASK length(7)
//!  then 2 or 8 bytes of extended length (length 126 or 127),
//!  then the 4-byte masking key (MASK 1), then the payload
//! ```
//!
//! The decoder keeps at most one header (14 bytes); the payload is unmasked
//! straight into the caller's buffer as it arrives, so what it holds does
//! not depend on how large a frame claims to be.

use std::fmt;
use std::time::Duration;

use crate::budget::Spent;

/// The longest frame header: 2 bytes, 8 of extended length, 4 of mask.
pub const MAX_HEADER: usize = 14;
/// A control frame's payload is at most this long (RFC 6455 §5.5).
pub const MAX_CONTROL: usize = 125;

pub const CONTINUATION: u8 = 0x0;
pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xA;

/// One WebSocket frame as it crossed the wire, for its event line, its
/// `--trace` lines and its `?explain` description (`events.rs`,
/// `explain.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    pub fin: bool,
    /// RSV1..RSV3 as the low three bits (`0b100` is RSV1).
    pub rsv: u8,
    pub opcode: u8,
    /// The masking key; every client frame has one, no server frame does.
    pub mask: Option<[u8; 4]>,
    /// The payload length the header gives.
    pub len: u64,
    /// The header's bytes as sent.
    pub header: &'a [u8],
    /// The payload, unmasked.
    pub payload: &'a [u8],
}

impl Frame<'_> {
    /// RFC 6455 §5.7's example: a single-frame masked text message,
    /// "Hello", as a client sends it. The tests of its event lines and its
    /// `?explain` description start from it.
    #[cfg(test)]
    pub const RFC_HELLO: Frame<'static> = Frame {
        fin: true,
        rsv: 0,
        opcode: 1,
        mask: Some([0x37, 0xfa, 0x21, 0x3d]),
        len: 5,
        header: &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d],
        payload: b"Hello",
    };

    /// The opcode's name in RFC 6455 §5.2, or `None` for a reserved one.
    pub fn opcode_name(&self) -> Option<&'static str> {
        opcode_name(self.opcode)
    }

    /// A close frame's code, if its payload has one.
    pub fn close_code(&self) -> Option<u16> {
        match self.payload {
            [high, low, ..] if self.opcode == 0x8 => Some(u16::from_be_bytes([*high, *low])),
            _ => None,
        }
    }

    /// A close frame's reason: the payload after the code.
    pub fn close_reason(&self) -> &[u8] {
        self.payload.get(2..).unwrap_or_default()
    }

    /// The first `max` bytes of the payload as they crossed the wire:
    /// masked again with the frame's key, if it has one.
    pub fn masked_prefix(&self, max: usize) -> Vec<u8> {
        let shown = &self.payload[..self.payload.len().min(max)];
        match self.mask {
            Some(key) => shown
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ key[i % 4])
                .collect(),
            None => shown.to_vec(),
        }
    }
}

/// A WebSocket opcode's name in RFC 6455 §5.2, or `None` for a reserved one.
pub fn opcode_name(opcode: u8) -> Option<&'static str> {
    Some(match opcode {
        0x0 => "continuation",
        0x1 => "text",
        0x2 => "binary",
        0x8 => "close",
        0x9 => "ping",
        0xA => "pong",
        _ => return None,
    })
}

/// One frame's header, as decoded, with its bytes as they came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub fin: bool,
    /// RSV1..RSV3, the three bits after FIN in the first byte, as a
    /// number from 0 to 7 (`0b100` is RSV1).
    pub rsv: u8,
    pub opcode: u8,
    pub mask: Option<[u8; 4]>,
    pub len: u64,
    /// The header's bytes on the wire (`raw[..raw_len]`).
    pub raw: [u8; MAX_HEADER],
    pub raw_len: u8,
}

impl Header {
    /// Ping, pong and close: opcodes with the high bit set.
    pub fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }

    pub fn bytes(&self) -> &[u8] {
        &self.raw[..usize::from(self.raw_len)]
    }
}

/// Why a frame breaks the protocol: each is a close code and its words.
/// Change what a client reads in a close frame's reason here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// 1002: a client must mask every frame (RFC 6455 §5.1).
    Unmasked,
    /// 1002: no extension was agreed, so RSV bits must be 0 (§5.2).
    Rsv(u8),
    /// 1002: opcodes 0x3-0x7 and 0xB-0xF are reserved (§5.2).
    Opcode(u8),
    /// 1002: a control frame may not be fragmented (§5.5).
    FragmentedControl,
    /// 1002: a control frame's payload is at most 125 bytes (§5.5).
    ControlTooLong,
    /// 1002: the most significant bit of a 64-bit length must be 0.
    LengthTooLarge,
    /// 1002: a continuation frame with no message to continue (§5.4).
    NothingToContinue,
    /// 1002: a text or binary frame before the last message was finished.
    MessageUnfinished,
    /// 1002: a close frame's payload of 1 byte: half a code (§5.5.1).
    CloseOneByte,
    /// 1002: a close code a peer may not send (§7.4).
    CloseCode(u16),
    /// 1007: a text message that is not UTF-8 (§8.1).
    NotUtf8,
    /// 1007: a close frame's reason that is not UTF-8 (§5.5.1).
    CloseReasonNotUtf8,
    /// 1009: a message larger than `--ws-max-message`.
    TooBig { max: usize },
    /// 1008, policy violation: a message not whole within
    /// `--ws-message-timeout` of its first frame. RFC 6455 has no timeout
    /// code; 1008 is its code for a message that breaks the server's
    /// policy when no other fits (§7.4.1), as HTTP's 408 is for a body.
    MessageTimeout { timeout: Duration },
    /// 1013, try again later: the server's memory budget, shared by every
    /// connection, cannot cover the frame. Not 1009: the message is not
    /// too big in itself (that is `--ws-max-message`); IANA's registry of
    /// RFC 6455's codes gives 1013 to a server "overloaded and casting off
    /// some of its clients", which is this.
    OverBudget(Spent),
}

impl Problem {
    /// The close code the server answers with (RFC 6455 §7.4.1).
    pub fn code(&self) -> u16 {
        match self {
            Problem::NotUtf8 | Problem::CloseReasonNotUtf8 => 1007,
            Problem::TooBig { .. } => 1009,
            Problem::MessageTimeout { .. } => 1008,
            Problem::OverBudget(_) => 1013,
            _ => 1002,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unmasked => f.write_str("client frame not masked"),
            Problem::Rsv(bits) => write!(f, "RSV bits {bits:03b} set, no extension agreed"),
            Problem::Opcode(op) => write!(f, "reserved opcode 0x{op:x}"),
            Problem::FragmentedControl => f.write_str("fragmented control frame"),
            Problem::ControlTooLong => f.write_str("control frame over 125 bytes"),
            Problem::LengthTooLarge => f.write_str("64-bit length with its top bit set"),
            Problem::NothingToContinue => f.write_str("continuation frame without a message"),
            Problem::MessageUnfinished => f.write_str("new message before the last one ended"),
            Problem::CloseOneByte => f.write_str("close frame with a 1-byte payload"),
            Problem::CloseCode(code) => write!(f, "invalid close code {code}"),
            Problem::NotUtf8 => f.write_str("invalid UTF-8 in text"),
            Problem::CloseReasonNotUtf8 => f.write_str("invalid UTF-8 in the close reason"),
            Problem::TooBig { max } => {
                write!(f, "message over {max} bytes (--ws-max-message)")
            }
            Problem::MessageTimeout { timeout } => write!(
                f,
                "message not complete within {}s (--ws-message-timeout)",
                timeout.as_secs_f64()
            ),
            // At most 118 bytes: a close frame's reason fits in 123.
            Problem::OverBudget(spent) => spent.fmt(f),
        }
    }
}

/// What [`Decoder::read`] got to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// All the input was used, in the middle of a frame.
    NeedMore,
    /// A header is whole and valid by itself; its payload comes next.
    Header(Header),
    /// The current frame's payload is complete.
    Frame(Header),
}

/// Where the decoder is: in a header (its bytes so far), or in a payload.
#[derive(Clone, Copy, Debug)]
pub struct Decoder {
    state: State,
}

#[derive(Clone, Copy, Debug)]
enum State {
    Header {
        raw: [u8; MAX_HEADER],
        len: u8,
    },
    Payload {
        header: Header,
        /// Payload bytes read so far: with the mask, where in it to go on.
        done: u64,
    },
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            state: State::Header {
                raw: [0; MAX_HEADER],
                len: 0,
            },
        }
    }
}

impl Decoder {
    /// Reads from `input` until a header is whole, a payload ends, or the
    /// input is used up; unmasked payload bytes are appended to `payload`.
    /// Returns how many bytes of `input` it used.
    ///
    /// A header is returned by itself before its payload, so the caller
    /// can refuse a frame (too big, out of place) before reading any of it.
    pub fn read(
        &mut self,
        input: &[u8],
        payload: &mut Vec<u8>,
    ) -> Result<(usize, Progress), Problem> {
        match &mut self.state {
            State::Header { raw, len } => {
                let mut used = 0;
                loop {
                    let have = usize::from(*len);
                    let need = header_len(&raw[..have]);
                    if have == need {
                        let header = parse_header(raw, have)?;
                        self.state = State::Payload { header, done: 0 };
                        return Ok((used, Progress::Header(header)));
                    }
                    let Some(&b) = input.get(used) else {
                        return Ok((used, Progress::NeedMore));
                    };
                    raw[have] = b;
                    *len += 1;
                    used += 1;
                }
            }
            State::Payload { header, done } => {
                let left = header.len - *done;
                let take = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                let start = payload.len();
                payload.extend_from_slice(&input[..take]);
                if let Some(mask) = header.mask {
                    // The key repeats every 4 bytes, counted from the
                    // payload's first byte, however the reads fall.
                    let offset = (*done % 4) as usize;
                    for (i, b) in payload[start..].iter_mut().enumerate() {
                        *b ^= mask[(offset + i) % 4];
                    }
                }
                *done += take as u64;
                if *done < header.len {
                    return Ok((take, Progress::NeedMore));
                }
                let header = *header;
                *self = Decoder::default();
                Ok((take, Progress::Frame(header)))
            }
        }
    }

    /// Whether the decoder is between frames (nothing of one has come).
    #[cfg(test)]
    pub fn is_between_frames(&self) -> bool {
        matches!(self.state, State::Header { len: 0, .. })
    }
}

/// How long a header is, known from its first bytes (2 at least).
fn header_len(start: &[u8]) -> usize {
    let [_, second, ..] = start else {
        return 2;
    };
    let extended = match second & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let mask = if second & 0x80 != 0 { 4 } else { 0 };
    2 + extended + mask
}

/// Checks a whole header by itself; what depends on the message it is
/// part of is the session's to check.
fn parse_header(raw: &[u8; MAX_HEADER], len: usize) -> Result<Header, Problem> {
    let (first, second) = (raw[0], raw[1]);
    let fin = first & 0x80 != 0;
    let rsv = (first >> 4) & 0x7;
    let opcode = first & 0x0f;
    if rsv != 0 {
        return Err(Problem::Rsv(rsv));
    }
    if !matches!(opcode, CONTINUATION | TEXT | BINARY | CLOSE | PING | PONG) {
        return Err(Problem::Opcode(opcode));
    }
    if second & 0x80 == 0 {
        return Err(Problem::Unmasked);
    }
    let (payload_len, key_at) = match second & 0x7f {
        126 => (u64::from(u16::from_be_bytes([raw[2], raw[3]])), 4),
        127 => {
            let mut be = [0; 8];
            be.copy_from_slice(&raw[2..10]);
            (u64::from_be_bytes(be), 10)
        }
        n => (u64::from(n), 2),
    };
    if payload_len >> 63 != 0 {
        return Err(Problem::LengthTooLarge);
    }
    let mut mask = [0; 4];
    mask.copy_from_slice(&raw[key_at..key_at + 4]);
    let header = Header {
        fin,
        rsv,
        opcode,
        mask: Some(mask),
        len: payload_len,
        raw: *raw,
        raw_len: len as u8,
    };
    if header.is_control() && !fin {
        return Err(Problem::FragmentedControl);
    }
    if header.is_control() && payload_len > MAX_CONTROL as u64 {
        return Err(Problem::ControlTooLong);
    }
    Ok(header)
}

/// The header of a server frame (FIN set, never masked: RFC 6455 §5.1),
/// for a payload of `len` bytes.
pub fn server_header(opcode: u8, len: usize) -> Header {
    let mut raw = [0; MAX_HEADER];
    raw[0] = 0x80 | opcode;
    let raw_len = match len {
        0..=125 => {
            raw[1] = len as u8;
            2
        }
        126..=0xffff => {
            raw[1] = 126;
            raw[2..4].copy_from_slice(&(len as u16).to_be_bytes());
            4
        }
        _ => {
            raw[1] = 127;
            raw[2..10].copy_from_slice(&(len as u64).to_be_bytes());
            10
        }
    };
    Header {
        fin: true,
        rsv: 0,
        opcode,
        mask: None,
        len: len as u64,
        raw,
        raw_len,
    }
}

/// A close frame's payload: the code, big-endian, then the reason.
pub fn close_payload(code: u16, reason: &[u8]) -> Vec<u8> {
    [&code.to_be_bytes()[..], reason].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` split into pieces of `piece` bytes: every header
    /// and frame, with the payloads, or the first problem.
    fn decode(input: &[u8], piece: usize) -> Result<Vec<(Header, Vec<u8>)>, Problem> {
        decode_chunks(input.chunks(piece))
    }

    fn decode_chunks<'a>(
        chunks: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Vec<(Header, Vec<u8>)>, Problem> {
        let mut decoder = Decoder::default();
        let mut frames = Vec::new();
        let mut payload = Vec::new();
        for chunk in chunks {
            let mut at = 0;
            while at < chunk.len() || !decoder.is_between_frames() {
                let (used, progress) = decoder.read(&chunk[at..], &mut payload)?;
                at += used;
                match progress {
                    Progress::NeedMore => break,
                    Progress::Header(_) => {}
                    Progress::Frame(header) => frames.push((header, std::mem::take(&mut payload))),
                }
            }
        }
        Ok(frames)
    }

    /// RFC 6455 §5.7's examples: a masked "Hello", read whole and a byte
    /// at a time.
    #[test]
    fn the_rfcs_masked_hello() {
        let wire = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        for piece in [1, 3, 11] {
            let frames = decode(&wire, piece).unwrap();
            assert_eq!(frames.len(), 1);
            let (header, payload) = &frames[0];
            assert_eq!(payload, b"Hello");
            assert!(header.fin && header.mask == Some([0x37, 0xfa, 0x21, 0x3d]));
            assert_eq!((header.opcode, header.bytes()), (TEXT, &wire[..6]));
        }
    }

    #[test]
    fn extended_lengths() {
        for len in [0usize, 125, 126, 65535, 65536] {
            let mut wire = server_header(BINARY, len).bytes().to_vec();
            wire[1] |= 0x80;
            wire.extend_from_slice(&[0; 4]);
            wire.extend(std::iter::repeat_n(7, len));
            let frames = decode(&wire, 1000).unwrap();
            assert_eq!(frames[0].1.len(), len);
        }
    }

    #[test]
    fn header_problems() {
        let masked = |b0: u8, b1: u8| [b0, b1 | 0x80, 0, 0, 0, 0];
        assert_eq!(decode(&[0x81, 0x00], 9), Err(Problem::Unmasked));
        assert_eq!(decode(&masked(0xc1, 0), 9), Err(Problem::Rsv(0b100)));
        assert_eq!(decode(&masked(0x83, 0), 9), Err(Problem::Opcode(3)));
        assert_eq!(decode(&masked(0x09, 0), 9), Err(Problem::FragmentedControl));
        let long_ping = [0x89, 0xfe, 0, 126, 0, 0, 0, 0];
        assert_eq!(decode(&long_ping, 9), Err(Problem::ControlTooLong));
        let huge = [0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        assert_eq!(decode(&huge, 14), Err(Problem::LengthTooLarge));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        /// Arbitrary bytes, cut anywhere: no panic, the same frames (or
        /// the same first problem) however the reads fall, and never more
        /// payload kept than bytes came.
        #[test]
        fn any_bytes_decode_the_same_whatever_the_split(
            input in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            cuts in proptest::collection::vec(proptest::prelude::any::<usize>(), 0..12),
        ) {
            let whole = decode_chunks([&input[..]]);
            let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut last = 0;
            for point in points.into_iter().chain([input.len()]) {
                chunks.push(&input[last..point]);
                last = point;
            }
            let split = decode_chunks(chunks);
            proptest::prop_assert_eq!(&whole, &split);
            if let Ok(frames) = whole {
                let kept: usize = frames.iter().map(|(_, p)| p.len()).sum();
                proptest::prop_assert!(kept <= input.len());
            }
        }
    }
}
