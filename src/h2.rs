//! HTTP/2 with prior knowledge (`curl --http2-prior-knowledge`): reading
//! the first bytes such a client sends, and building rawnet's answer, which
//! is to say, in HTTP/2's own frames, that this port speaks HTTP/1.1 only.
//! No I/O and no state: bytes in, a verdict out.
//!
//! What the client sends first (RFC 9113 §3.4): the 24-byte connection
//! preface, [`PREFACE`], chosen so that an HTTP/1 server reads it as a
//! request for version 2.0 and refuses it; then a SETTINGS frame (§6.5).
//! Every frame starts with the same 9-byte header (§4.1):
//!
//! ```text
//! length (24 bits) | type (8) | flags (8) | R (1 bit) + stream id (31)
//! ```
//!
//! A SETTINGS frame's payload is a list of 6-byte settings: a 16-bit
//! identifier and a 32-bit value (§6.5.1).
//!
//! The line the log prints about it is in `h2/events.rs`. HPACK, the
//! header compression of HTTP/2's HEADERS frames, is in `h2/hpack/`.

mod events;
pub(crate) mod frame;
pub mod hpack;
pub(crate) mod session;

pub use events::Event;
pub(crate) use session::Session;

/// The client connection preface (RFC 9113 §3.4).
pub(crate) const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// How long a frame header is (§4.1).
const FRAME_HEADER: usize = 9;

/// The frame types rawnet reads or writes (§6).
const SETTINGS: u8 = 0x4;
const GOAWAY: u8 = 0x7;

/// The SETTINGS flag that marks an acknowledgement, which has no payload
/// and cannot be the client's first frame (§6.5).
const ACK: u8 = 0x1;

/// The largest first SETTINGS frame rawnet waits for: the frame size every
/// HTTP/2 endpoint must accept before the peer's settings say otherwise
/// (SETTINGS_MAX_FRAME_SIZE's initial value, §6.5.2). That is 2730
/// settings; curl sends 3. It bounds what a connection buffers here.
const MAX_SETTINGS_PAYLOAD: usize = 16 * 1024;

/// The most bytes [`read`] ever needs to decide.
const MAX_FIRST_BYTES: usize = PREFACE.len() + FRAME_HEADER + MAX_SETTINGS_PAYLOAD;

/// The GOAWAY error code HTTP_1_1_REQUIRED (§7): the server asks the client
/// to use HTTP/1.1 instead (§5.4.1 says any error may end a connection
/// with a GOAWAY).
const HTTP_1_1_REQUIRED: u32 = 0xd;

/// The debug data of rawnet's GOAWAY: free text for a person (§6.8), which
/// curl and Wireshark show.
pub(crate) const GOAWAY_TEXT: &str =
    "rawnet speaks HTTP/1.1 only: retry without --http2-prior-knowledge";

/// One setting of the client's first SETTINGS frame, as sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    pub id: u16,
    pub value: u32,
}

impl Setting {
    /// The setting's name in RFC 9113 §6.5.2, or `None` for an identifier
    /// it does not define (extensions, or GREASE values like 0x0a0a),
    /// which an endpoint must ignore.
    pub fn name(&self) -> Option<&'static str> {
        Some(match self.id {
            0x1 => "HEADER_TABLE_SIZE",
            0x2 => "ENABLE_PUSH",
            0x3 => "MAX_CONCURRENT_STREAMS",
            0x4 => "INITIAL_WINDOW_SIZE",
            0x5 => "MAX_FRAME_SIZE",
            0x6 => "MAX_HEADER_LIST_SIZE",
            // RFC 8441 §3: the extended CONNECT, for WebSocket over HTTP/2.
            0x8 => "ENABLE_CONNECT_PROTOCOL",
            _ => return None,
        })
    }
}

/// What the bytes received so far amount to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Preface {
    /// A prefix of the preface and a SETTINGS frame: wait for more.
    NeedMore,
    /// The preface, then a SETTINGS frame with these settings, in the
    /// order sent. Bytes after it (curl's WINDOW_UPDATE and HEADERS) are
    /// not looked at.
    Complete(Vec<Setting>),
    /// Not the preface, or its first frame is not a valid SETTINGS frame.
    Invalid(&'static str),
}

/// Reads the preface and the first frame from the bytes received so far.
/// Looks at no more than [`MAX_FIRST_BYTES`] of them, so the caller never
/// needs to keep more.
pub(crate) fn read(first: &[u8]) -> Preface {
    let preface_len = first.len().min(PREFACE.len());
    if first[..preface_len] != PREFACE[..preface_len] {
        return Preface::Invalid("not the HTTP/2 connection preface");
    }
    let Some(frame) = first.get(PREFACE.len()..) else {
        return Preface::NeedMore;
    };
    let Some(header) = frame.get(..FRAME_HEADER) else {
        return Preface::NeedMore;
    };
    let length =
        usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
    let (kind, flags) = (header[3], header[4]);
    // The reserved bit is ignored on receipt (§4.1).
    let stream = u32::from_be_bytes([header[5], header[6], header[7], header[8]]) & 0x7fff_ffff;
    // §3.4: the preface's SETTINGS frame comes first; §6.5: on stream 0,
    // a multiple of 6 long, and not an ACK of settings nobody sent yet.
    if kind != SETTINGS {
        return Preface::Invalid("the first frame is not SETTINGS");
    }
    if stream != 0 {
        return Preface::Invalid("SETTINGS on a stream other than 0");
    }
    if flags & ACK != 0 {
        return Preface::Invalid("the first SETTINGS is an ACK");
    }
    if length % 6 != 0 {
        return Preface::Invalid("SETTINGS length is not a multiple of 6");
    }
    if length > MAX_SETTINGS_PAYLOAD {
        return Preface::Invalid("SETTINGS frame larger than 16384 bytes");
    }
    let Some(payload) = frame[FRAME_HEADER..].get(..length) else {
        debug_assert!(first.len() < MAX_FIRST_BYTES);
        return Preface::NeedMore;
    };
    let settings = payload
        .chunks_exact(6)
        .map(|s| Setting {
            id: u16::from_be_bytes([s[0], s[1]]),
            value: u32::from_be_bytes([s[2], s[3], s[4], s[5]]),
        })
        .collect();
    Preface::Complete(settings)
}

/// Whether `first` could still be, or already is, the start of the
/// preface: the sniffer keeps waiting on the first, and hands over on the
/// second.
pub(crate) fn starts_preface(first: &[u8]) -> bool {
    let len = first.len().min(PREFACE.len());
    first[..len] == PREFACE[..len]
}

/// rawnet's answer, two frames, built by hand as the HTTP/1.1 responses
/// are: its own SETTINGS, empty (every server's first frame must be
/// SETTINGS, §3.4), then GOAWAY (§6.8) with last stream id 0 (no stream
/// was processed; the client may retry its request elsewhere), the error
/// code HTTP_1_1_REQUIRED and [`GOAWAY_TEXT`].
pub(crate) fn refusal(out: &mut Vec<u8>) {
    // SETTINGS: length 0, type 0x4, no flags, stream 0.
    out.extend_from_slice(&[0, 0, 0, SETTINGS, 0, 0, 0, 0, 0]);

    let length = 4 + 4 + GOAWAY_TEXT.len();
    // The text is a constant well under a 24-bit length; this says so.
    let [_, high, mid, low] = (length as u32).to_be_bytes();
    // GOAWAY: length, type 0x7, no flags, stream 0.
    out.extend_from_slice(&[high, mid, low, GOAWAY, 0, 0, 0, 0, 0]);
    // Last stream id 0, then the error code.
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&HTTP_1_1_REQUIRED.to_be_bytes());
    out.extend_from_slice(GOAWAY_TEXT.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What curl 7.88.1 (nghttp2 1.52) sent with `--http2-prior-knowledge`,
    /// captured with `nc -l`, in one segment: the preface, SETTINGS (3
    /// settings), WINDOW_UPDATE, and HEADERS for `GET /`.
    const CURL: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\
        \x00\x00\x12\x04\x00\x00\x00\x00\x00\
        \x00\x03\x00\x00\x00\x64\
        \x00\x04\x02\x00\x00\x00\
        \x00\x02\x00\x00\x00\x00\
        \x00\x00\x04\x08\x00\x00\x00\x00\x00\x01\xff\x00\x01\
        \x00\x00\x1f\x01\x05\x00\x00\x00\x01\x82\x84\x86\x41\x8b\x08\x9d\
        \x5c\x0b\x81\x70\xdc\x69\xd0\x89\x9f\x7a\x88\x25\xb6\x50\xc3\xab\
        \xbc\xf2\xe1\x53\x03\x2a\x2f\x2a";

    /// Where curl's SETTINGS frame ends.
    const CURL_SETTINGS_END: usize = 24 + 9 + 18;

    fn curl_settings() -> Vec<Setting> {
        vec![
            Setting { id: 3, value: 100 },
            Setting {
                id: 4,
                value: 33_554_432,
            },
            Setting { id: 2, value: 0 },
        ]
    }

    #[test]
    fn curls_first_bytes_are_read_in_order() {
        assert_eq!(read(CURL), Preface::Complete(curl_settings()));
        assert_eq!(
            read(&CURL[..CURL_SETTINGS_END]),
            Preface::Complete(curl_settings())
        );
        let names: Vec<_> = curl_settings().iter().map(Setting::name).collect();
        assert_eq!(
            names,
            [
                Some("MAX_CONCURRENT_STREAMS"),
                Some("INITIAL_WINDOW_SIZE"),
                Some("ENABLE_PUSH")
            ]
        );
    }

    #[test]
    fn every_truncation_waits_for_more() {
        for end in 0..CURL_SETTINGS_END {
            assert_eq!(read(&CURL[..end]), Preface::NeedMore, "{end} bytes");
            assert!(starts_preface(&CURL[..end]));
        }
    }

    #[test]
    fn an_empty_settings_frame_is_complete() {
        let first = [&PREFACE[..], &[0, 0, 0, 4, 0, 0, 0, 0, 0]].concat();
        assert_eq!(read(&first), Preface::Complete(Vec::new()));
    }

    #[test]
    fn unknown_settings_are_kept_with_their_id() {
        let first = [
            &PREFACE[..],
            &[0, 0, 6, 4, 0, 0, 0, 0, 0, 0x0a, 0x0a, 0, 0, 0, 7],
        ]
        .concat();
        let Preface::Complete(settings) = read(&first) else {
            panic!("{:?}", read(&first));
        };
        assert_eq!(
            settings,
            [Setting {
                id: 0x0a0a,
                value: 7
            }]
        );
        assert_eq!(settings[0].name(), None);
    }

    #[test]
    fn malformed_first_frames_are_invalid() {
        let with = |header: [u8; 9]| [&PREFACE[..], &header].concat();
        for (first, reason) in [
            (
                b"PRI * HTTP/2.0\r\n\r\nXX".to_vec(),
                "not the HTTP/2 connection preface",
            ),
            (
                b"GET / HTTP/1.1\r\n".to_vec(),
                "not the HTTP/2 connection preface",
            ),
            // WINDOW_UPDATE first.
            (
                with([0, 0, 4, 8, 0, 0, 0, 0, 0]),
                "the first frame is not SETTINGS",
            ),
            (
                with([0, 0, 0, 4, 0, 0, 0, 0, 1]),
                "SETTINGS on a stream other than 0",
            ),
            (
                with([0, 0, 0, 4, 1, 0, 0, 0, 0]),
                "the first SETTINGS is an ACK",
            ),
            (
                with([0, 0, 5, 4, 0, 0, 0, 0, 0]),
                "SETTINGS length is not a multiple of 6",
            ),
            // 16386 = 6 * 2731: one setting past the bound.
            (
                with([0, 0x40, 0x02, 4, 0, 0, 0, 0, 0]),
                "SETTINGS frame larger than 16384 bytes",
            ),
        ] {
            assert_eq!(read(&first), Preface::Invalid(reason), "{first:?}");
        }
        // The reserved bit of the stream id is not part of the id.
        let reserved = with([0, 0, 0, 4, 0, 0x80, 0, 0, 0]);
        assert_eq!(read(&reserved), Preface::Complete(Vec::new()));
    }

    #[test]
    fn the_refusal_is_settings_then_goaway() {
        let mut out = Vec::new();
        refusal(&mut out);
        let goaway_len = 8 + GOAWAY_TEXT.len() as u8;
        let expected = [
            &[0, 0, 0, 4, 0, 0, 0, 0, 0][..],
            &[0, 0, goaway_len, 7, 0, 0, 0, 0, 0],
            &[0, 0, 0, 0],
            &[0, 0, 0, 0x0d],
            b"rawnet speaks HTTP/1.1 only: retry without --http2-prior-knowledge",
        ]
        .concat();
        assert_eq!(out, expected);
    }

    proptest! {
        #[test]
        fn any_bytes_get_a_verdict_without_panic(tail in proptest::collection::vec(any::<u8>(), 0..64),
                                                 cut in 0usize..40) {
            // After a real preface, or a cut of it, so that the frame
            // checks are reached as well as the preface's.
            let first = [&PREFACE[..cut.min(24)], &tail].concat();
            let verdict = read(&first);
            if let Preface::Complete(settings) = &verdict {
                prop_assert!(settings.len() * 6 <= MAX_SETTINGS_PAYLOAD);
            }
            if verdict == Preface::NeedMore {
                prop_assert!(first.len() < MAX_FIRST_BYTES);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(first in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = read(&first);
            let _ = starts_preface(&first);
        }
    }
}
