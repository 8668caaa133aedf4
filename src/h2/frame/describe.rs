//! Frames for people: one line per frame (`Display` on [`Frame`]), and the
//! 9 header bytes taken apart field by field for `--trace`
//! ([`explain_header`]).

use std::fmt;

use super::{flag, kind, Frame, Header, Priority, Setting, Settings, STREAM_MASK};
use crate::show::{Escaped, Hex, LIST_SHOWN};

/// How much of a GOAWAY's debug data a line shows: more than a preview,
/// since it is the one place a peer says in words why it is leaving
/// (rawnet's own is 66 bytes), and less than a screen.
const DEBUG_SHOWN: usize = 256;

/// One line per frame, in the words of RFC 9113:
///
/// ```text
/// HEADERS stream 1, 38 bytes, END_STREAM END_HEADERS, priority weight 16 on 0
/// SETTINGS 18 bytes: HEADER_TABLE_SIZE=65536, ENABLE_PUSH=0, INITIAL_WINDOW_SIZE=6291456
/// WINDOW_UPDATE stream 0, +15663105
/// GOAWAY last stream 1, NO_ERROR, "bye"
/// ```
///
/// The byte count is the payload's, as the header's Length says it.
impl fmt::Display for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.payload_len();
        match *self {
            Frame::Data {
                stream,
                end_stream,
                pad_length,
                ..
            } => {
                write!(f, "DATA stream {stream}, {}", Bytes(len))?;
                flags(f, &[(end_stream, "END_STREAM")])?;
                padding(f, pad_length)
            }
            Frame::Headers { .. } | Frame::PushPromise { .. } | Frame::Continuation { .. } => {
                field_block(f, self)
            }
            Frame::Priority { stream, priority } => {
                write!(f, "PRIORITY stream {stream}, {}", Weighted(priority))
            }
            Frame::RstStream { stream, code } => write!(f, "RST_STREAM stream {stream}, {code}"),
            Frame::Settings { ack: true, .. } => f.write_str("SETTINGS ACK"),
            Frame::Settings { settings, .. } => write_settings(f, settings),
            Frame::Ping { ack, data } => {
                let ack = if ack { " ACK" } else { "" };
                write!(f, "PING{ack} {}", Hex::joined(&data, " "))
            }
            Frame::GoAway {
                last_stream,
                code,
                debug,
            } => {
                write!(f, "GOAWAY last stream {last_stream}, {code}")?;
                if !debug.is_empty() {
                    write!(f, ", {}", Escaped::preview(debug, DEBUG_SHOWN))?;
                }
                Ok(())
            }
            Frame::WindowUpdate { stream, increment } => {
                write!(f, "WINDOW_UPDATE stream {stream}, +{increment}")
            }
            Frame::Unknown { kind, stream, .. } => write!(
                f,
                "unknown type {kind:#04x} on stream {stream}, {}: ignored",
                Bytes(len)
            ),
        }
    }
}

/// HEADERS, PUSH_PROMISE, CONTINUATION: the frames of a field block.
fn field_block(f: &mut fmt::Formatter<'_>, frame: &Frame) -> fmt::Result {
    let (len, stream) = (frame.payload_len(), frame.stream());
    match *frame {
        Frame::Headers {
            end_stream,
            end_headers,
            pad_length,
            priority,
            ..
        } => {
            write!(f, "HEADERS stream {stream}, {}", Bytes(len))?;
            flags(
                f,
                &[(end_stream, "END_STREAM"), (end_headers, "END_HEADERS")],
            )?;
            if let Some(priority) = priority {
                write!(f, ", priority {}", Weighted(priority))?;
            }
            padding(f, pad_length)
        }
        Frame::PushPromise {
            end_headers,
            pad_length,
            promised,
            ..
        } => {
            write!(f, "PUSH_PROMISE stream {stream}, {}", Bytes(len))?;
            flags(f, &[(end_headers, "END_HEADERS")])?;
            write!(f, ", promises stream {promised}")?;
            padding(f, pad_length)
        }
        Frame::Continuation { end_headers, .. } => {
            write!(f, "CONTINUATION stream {stream}, {}", Bytes(len))?;
            flags(f, &[(end_headers, "END_HEADERS")])
        }
        _ => Ok(()),
    }
}

/// `, END_STREAM END_HEADERS`: the flags that are set, if any.
fn flags(f: &mut fmt::Formatter<'_>, flags: &[(bool, &str)]) -> fmt::Result {
    let mut set = flags.iter().filter(|(set, _)| *set).map(|(_, name)| name);
    if let Some(first) = set.next() {
        write!(f, ", {first}")?;
        set.try_for_each(|name| write!(f, " {name}"))?;
    }
    Ok(())
}

/// `, 5 bytes of padding`, when PADDED was set.
fn padding(f: &mut fmt::Formatter<'_>, pad_length: Option<u8>) -> fmt::Result {
    match pad_length {
        Some(n) => write!(f, ", {} of padding", Bytes(n.into())),
        None => Ok(()),
    }
}

/// `1 byte`, `38 bytes`.
struct Bytes(usize);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 byte"),
            n => write!(f, "{n} bytes"),
        }
    }
}

/// `weight 16 on 0`, `weight 256 on 3 exclusive`.
struct Weighted(Priority);

impl fmt::Display for Weighted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Priority {
            exclusive,
            dependency,
            weight,
        } = self.0;
        write!(f, "weight {weight} on {dependency}")?;
        if exclusive {
            f.write_str(" exclusive")?;
        }
        Ok(())
    }
}

/// `SETTINGS 18 bytes: MAX_CONCURRENT_STREAMS=100, ...`, the first
/// [`LIST_SHOWN`] by name (an unknown one by its identifier in hex, as
/// the `http2` line shows it), then how many more.
fn write_settings(f: &mut fmt::Formatter<'_>, settings: Settings) -> fmt::Result {
    write!(f, "SETTINGS {}", Bytes(settings.as_bytes().len()))?;
    if settings.is_empty() {
        return f.write_str(", none: the defaults stand");
    }
    for (i, setting) in settings.iter().take(LIST_SHOWN).enumerate() {
        f.write_str(if i == 0 { ": " } else { ", " })?;
        write_setting(f, setting)?;
    }
    let more = settings.len().saturating_sub(LIST_SHOWN);
    if more > 0 {
        write!(f, ", … and {more} more")?;
    }
    Ok(())
}

fn write_setting(f: &mut fmt::Formatter<'_>, setting: Setting) -> fmt::Result {
    match setting.name() {
        Some(name) => write!(f, "{name}={}", setting.value),
        None => write!(f, "{:#06x}={}", setting.id, setting.value),
    }
}

/// One field of a frame header: its bytes in hex and what they say.
/// `Display` lines them up, the bytes in a column as wide as the widest:
///
/// ```text
/// 00 00 12     length 18
/// 04           type SETTINGS
/// 00           flags
/// 00 00 00 00  stream 0
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderField {
    pub hex: String,
    pub meaning: String,
}

impl fmt::Display for HeaderField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // "00 00 00 00", the stream identifier's 4 bytes.
        write!(f, "{:<11}  {}", self.hex, self.meaning)
    }
}

/// The 9 header bytes field by field (§4.1), for `--trace`: length, type,
/// flags by name for that type (a bit the type does not define is shown
/// and said to be ignored), stream (the reserved bit, if set, said to be
/// ignored).
pub fn explain_header(head: &[u8; Header::LEN]) -> [HeaderField; 4] {
    let header = Header::parse(head);
    let field = |bytes: &[u8], meaning: String| HeaderField {
        hex: Hex::joined(bytes, " ").to_string(),
        meaning,
    };
    let kind = match kind::name(header.kind) {
        Some(name) => format!("type {name}"),
        None => format!("type {:#04x}, unknown: ignored (§5.5)", header.kind),
    };
    let reserved = if head[5] & 0x80 != 0 {
        ", reserved bit set: ignored"
    } else {
        ""
    };
    debug_assert_eq!(header.stream & !STREAM_MASK, 0);
    [
        field(&head[..3], format!("length {}", header.length)),
        field(&head[3..4], kind),
        field(&head[4..5], flag_words(header.kind, header.flags)),
        field(&head[5..], format!("stream {}{reserved}", header.stream)),
    ]
}

/// `flags END_STREAM END_HEADERS PRIORITY`; `flags ACK, 0x40 not defined
/// for SETTINGS: ignored`; `flags` alone when none is set.
fn flag_words(kind: u8, flags: u8) -> String {
    let (names, undefined) = flag_names(kind, flags);
    let mut words = String::from("flags");
    for name in names {
        words.push(' ');
        words.push_str(name);
    }
    if undefined != 0 {
        let sep = if undefined == flags { " " } else { ", " };
        let kind = kind::name(kind).unwrap_or("this type");
        words.push_str(&format!(
            "{sep}{undefined:#04x} not defined for {kind}: ignored"
        ));
    }
    words
}

/// The flags set in `flags` that frames of type `kind` define, by name
/// (0x1 is END_STREAM on HEADERS, ACK on SETTINGS), and the bits set that
/// the type does not define, which a receiver ignores.
pub fn flag_names(kind: u8, flags: u8) -> (Vec<&'static str>, u8) {
    let mut undefined = flags;
    let mut names = Vec::new();
    for &(bit, name) in defined_flags(kind) {
        if flags & bit != 0 {
            names.push(name);
            undefined &= !bit;
        }
    }
    (names, undefined)
}

/// The flags each type defines (§6), in bit order.
fn defined_flags(kind: u8) -> &'static [(u8, &'static str)] {
    const END_STREAM: (u8, &str) = (flag::END_STREAM, "END_STREAM");
    const END_HEADERS: (u8, &str) = (flag::END_HEADERS, "END_HEADERS");
    const PADDED: (u8, &str) = (flag::PADDED, "PADDED");
    match kind {
        kind::DATA => &[END_STREAM, PADDED],
        kind::HEADERS => &[
            END_STREAM,
            END_HEADERS,
            PADDED,
            (flag::PRIORITY, "PRIORITY"),
        ],
        kind::SETTINGS | kind::PING => &[(flag::ACK, "ACK")],
        kind::PUSH_PROMISE => &[END_HEADERS, PADDED],
        kind::CONTINUATION => &[END_HEADERS],
        _ => &[],
    }
}
