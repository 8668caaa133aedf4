//! The lines a WebSocket gets: the upgrade, each frame each way (and its
//! decoding with `--trace`), the count of frames not shown one by one,
//! and the close. Their words and their JSON are here, beside the session
//! that emits them (`ws/mod.rs`, `ws/lines.rs`); `log.rs` only prints them.

use std::fmt;

use serde::{Serialize, Serializer};

use super::frame::{self, Frame};
use super::lines::FramesNotShown;
use crate::log::{self, Layout, Line, Verbosity};
use crate::show::{
    dump_rows, looks_binary, Escaped, Hex, DUMP_BYTES, PREVIEW_BYTES, PREVIEW_HEX_BYTES,
};

/// What the log says about a WebSocket. In JSON, each variant's `event`
/// name is the one it had before it came here (`ws_upgraded`, ...).
#[derive(Debug, Serialize)]
#[serde(tag = "event")]
pub enum Event<'a> {
    /// A request became a WebSocket: the client's key and the answer.
    #[serde(rename = "ws_upgraded")]
    Upgraded {
        #[serde(serialize_with = "crate::show::as_bare")]
        key: &'a str,
        accept: &'a str,
        /// `?explain`: every frame is also described in JSON.
        explain: bool,
    },
    /// A frame from the client.
    #[serde(rename = "ws_frame")]
    Frame {
        #[serde(serialize_with = "as_frame")]
        frame: &'a Frame<'a>,
    },
    /// A frame rawnet sent.
    #[serde(rename = "ws_frame_sent")]
    FrameSent {
        #[serde(serialize_with = "as_frame")]
        frame: &'a Frame<'a>,
    },
    /// `--trace`: a client frame's header decoded field by field, and its
    /// payload masked (as sent) and unmasked.
    #[serde(rename = "ws_frame_trace")]
    FrameTrace {
        #[serde(serialize_with = "as_frame_trace")]
        frame: &'a Frame<'a>,
    },
    /// WebSocket frames past `log::LINES_PER_SECOND` that got no line of
    /// their own, counted by way and opcode: one line for each second
    /// they keep coming, and one when they stop or the connection ends.
    #[serde(rename = "ws_frames_not_shown")]
    FramesNotShown {
        #[serde(flatten, serialize_with = "as_frame_counts")]
        frames: &'a FramesNotShown,
        per_second: u32,
    },
    /// The WebSocket closes: the code rawnet sent (none, answering a close
    /// frame that had none), and why.
    #[serde(rename = "ws_close")]
    Close { code: Option<u16>, why: &'a str },
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::Ws(event)
    }
}

/// A frame's decoding is `--trace`'s, and several lines.
impl Line for Event<'_> {
    fn level(&self) -> Verbosity {
        match self {
            Event::FrameTrace { .. } => Verbosity::Trace,
            _ => Verbosity::Events,
        }
    }

    fn layout(&self) -> Layout {
        match self {
            Event::FrameTrace { .. } => Layout::Block,
            _ => Layout::Line,
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Upgraded {
                key,
                accept,
                explain,
            } => {
                let key = Escaped::bare(key.as_bytes());
                write!(f, "websocket: upgraded, key {key}, accept {accept}")?;
                if *explain {
                    f.write_str("; each frame is also described in JSON (?explain)")?;
                }
                Ok(())
            }
            Event::Frame { frame } => write!(f, "ws frame: {}", FrameWords(frame)),
            Event::FrameSent { frame } => write!(f, "ws frame sent: {}", FrameWords(frame)),
            Event::FrameTrace { frame } => write!(f, "{}", FrameTrace(frame)),
            Event::FramesNotShown { frames, per_second } => not_shown(f, frames, *per_second),
            Event::Close {
                code: Some(code),
                why,
            } => write!(f, "websocket close {code}: {why}"),
            Event::Close { code: None, why } => write!(f, "websocket close, no code: {why}"),
        }
    }
}

/// The words of [`Event::FramesNotShown`]: how many each way, by opcode.
fn not_shown(f: &mut fmt::Formatter<'_>, frames: &FramesNotShown, per_second: u32) -> fmt::Result {
    write!(
        f,
        "ws frames not shown one by one (more than {per_second} lines a second): "
    )?;
    let received = FrameCounts(&frames.received);
    let sent = FrameCounts(&frames.sent);
    match (received.total(), sent.total()) {
        (0, _) => write!(f, "{} sent ({sent})", sent.total()),
        (_, 0) => write!(f, "{} received ({received})", received.total()),
        (r, s) => write!(f, "{r} received ({received}), {s} sent ({sent})"),
    }
}

/// How a client's own close frame ended its WebSocket, in the
/// `websocket close` line (rawnet's answer carries no reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientClosed {
    /// With a code, which rawnet echoed.
    CodeEchoed,
    /// Without one, answered with an empty close frame.
    NoCode,
}

impl ClientClosed {
    pub fn words(self) -> &'static str {
        match self {
            ClientClosed::CodeEchoed => "the client closed; its code echoed",
            ClientClosed::NoCode => "the client closed without a code; answered the same",
        }
    }
}

/// A WebSocket frame in the words of its event line: `FIN text 5 bytes,
/// mask 37fa213d, "Hello"`; a close frame shows its code and reason.
struct FrameWords<'a>(&'a Frame<'a>);

impl fmt::Display for FrameWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frame = self.0;
        if frame.fin {
            f.write_str("FIN ")?;
        }
        write!(f, "{} ", OpcodeName(frame))?;
        let unit = if frame.len == 1 { "byte" } else { "bytes" };
        write!(f, "{} {unit}", frame.len)?;
        if let Some(key) = frame.mask {
            write!(f, ", mask {}", Hex::joined(&key, ""))?;
        }
        if frame.opcode == frame::CLOSE {
            return match frame.close_code() {
                Some(code) if frame.close_reason().is_empty() => write!(f, ", code {code}"),
                Some(code) => write!(
                    f,
                    ", code {code} {}",
                    Escaped::preview(frame.close_reason(), PREVIEW_BYTES)
                ),
                None => f.write_str(", no code"),
            };
        }
        if frame.payload.is_empty() {
            return Ok(());
        }
        if looks_binary(frame.payload) {
            write!(f, ", {}", Hex::preview(frame.payload, PREVIEW_HEX_BYTES))
        } else {
            write!(f, ", {}", Escaped::preview(frame.payload, PREVIEW_BYTES))
        }
    }
}

/// Frames counted by opcode, as `51180 ping, 3 text`, in opcode order.
struct FrameCounts<'a>(&'a [u32; 16]);

impl FrameCounts<'_> {
    fn total(&self) -> u64 {
        self.0.iter().map(|&n| u64::from(n)).sum()
    }

    /// Each opcode that was counted, by name, and how many.
    fn each(&self) -> impl Iterator<Item = (String, u32)> + '_ {
        (0u8..16)
            .zip(self.0.iter().copied())
            .filter(|&(_, count)| count > 0)
            .map(|(opcode, count)| (OpcodeNumber(opcode).to_string(), count))
    }
}

impl fmt::Display for FrameCounts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, count)) in self.each().enumerate() {
            let comma = if i == 0 { "" } else { ", " };
            write!(f, "{comma}{count} {name}")?;
        }
        Ok(())
    }
}

/// Frames not shown, in JSON: `received` and `sent`, each an object of
/// opcode names and counts (`{"ping": 51180}`).
fn as_frame_counts<S: Serializer>(frames: &&FramesNotShown, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut fields = s.serialize_map(Some(2))?;
    for (name, counts) in [("received", &frames.received), ("sent", &frames.sent)] {
        let each: std::collections::BTreeMap<String, u32> = FrameCounts(counts).each().collect();
        fields.serialize_entry(name, &each)?;
    }
    fields.end()
}

/// An opcode by its number: its name in RFC 6455, or hex for a reserved one.
struct OpcodeNumber(u8);

impl fmt::Display for OpcodeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match frame::opcode_name(self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "opcode 0x{:x}", self.0),
        }
    }
}

/// An opcode by its name in RFC 6455, or in hex for a reserved one.
struct OpcodeName<'a>(&'a Frame<'a>);

impl fmt::Display for OpcodeName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        OpcodeNumber(self.0.opcode).fmt(f)
    }
}

/// `--trace` for a client frame: each header byte with what its bits say,
/// then the payload as hex dump rows, as it crossed the wire (masked) and
/// unmasked, each bounded like every dump.
struct FrameTrace<'a>(&'a Frame<'a>);

impl fmt::Display for FrameTrace<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frame = self.0;
        let header = frame.header;
        write!(
            f,
            "ws frame header, {} bytes: {}",
            header.len(),
            Hex::joined(header, " ")
        )?;
        let [first, second, rest @ ..] = header else {
            return Ok(());
        };
        header_fields(f, frame, *first, *second, rest)?;
        if frame.payload.is_empty() {
            return Ok(());
        }
        payloads(f, frame)
    }
}

/// The lines of [`FrameTrace`] for the header: its first two bytes bit by
/// bit, then the extended length and the masking key, if it has them.
fn header_fields(
    f: &mut fmt::Formatter<'_>,
    frame: &Frame,
    first: u8,
    second: u8,
    rest: &[u8],
) -> fmt::Result {
    let bit = |b: u8, n: u8| (b >> n) & 1;
    write!(
        f,
        "\n  {first:02x}           FIN {}, RSV {} {} {}, opcode 0x{:x} ({})",
        bit(first, 7),
        bit(first, 6),
        bit(first, 5),
        bit(first, 4),
        first & 0x0f,
        OpcodeName(frame)
    )?;
    write!(
        f,
        "\n  {second:02x}           MASK {}, length {}",
        bit(second, 7),
        second & 0x7f
    )?;
    let extended = match second & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let (length, key) = rest.split_at(extended.min(rest.len()));
    if !length.is_empty() {
        write!(
            f,
            "\n  {:<11}  extended length {}",
            Hex::joined(length, " ").to_string(),
            frame.len
        )?;
    }
    if !key.is_empty() {
        write!(f, "\n  {}  masking key", Hex::joined(key, " "))?;
    }
    Ok(())
}

/// The lines of [`FrameTrace`] for the payload: as it crossed the wire
/// (masked, for a client's frame), then unmasked, each as dump rows.
fn payloads(f: &mut fmt::Formatter<'_>, frame: &Frame) -> fmt::Result {
    let more = |f: &mut fmt::Formatter<'_>| {
        if frame.payload.len() > DUMP_BYTES {
            write!(
                f,
                "\n  … and {} more bytes",
                frame.payload.len() - DUMP_BYTES
            )?;
        }
        Ok(())
    };
    if frame.mask.is_some() {
        write!(
            f,
            "\nws payload as sent (masked), {} bytes:",
            frame.payload.len()
        )?;
        for row in dump_rows(&frame.masked_prefix(DUMP_BYTES)) {
            write!(f, "\n{row}")?;
        }
        more(f)?;
    }
    f.write_str("\nws payload unmasked:")?;
    for row in dump_rows(frame.payload) {
        write!(f, "\n{row}")?;
    }
    more(f)
}

/// A frame in JSON: its header's fields and the event line's preview.
fn as_frame<S: Serializer>(frame: &&Frame, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut fields = s.serialize_map(None)?;
    fields.serialize_entry("fin", &frame.fin)?;
    fields.serialize_entry("opcode", &OpcodeName(frame).to_string())?;
    fields.serialize_entry("len", &frame.len)?;
    fields.serialize_entry("mask", &frame.mask.map(|k| Hex::joined(&k, "").to_string()))?;
    fields.serialize_entry("words", &FrameWords(frame).to_string())?;
    fields.end()
}

/// A frame's `--trace` in JSON: the header and both payloads in hex, each
/// bounded by [`DUMP_BYTES`].
fn as_frame_trace<S: Serializer>(frame: &&Frame, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut fields = s.serialize_map(None)?;
    fields.serialize_entry("header", &Hex::joined(frame.header, " ").to_string())?;
    let masked = frame.masked_prefix(DUMP_BYTES);
    fields.serialize_entry(
        "payload_masked",
        &Hex::preview(&masked, DUMP_BYTES).to_string(),
    )?;
    fields.serialize_entry(
        "payload",
        &Hex::preview(frame.payload, DUMP_BYTES).to_string(),
    )?;
    fields.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_frames_in_text_and_json() {
        let hello = Frame::RFC_HELLO;
        let event = Event::Frame { frame: &hello };
        assert_eq!(
            event.to_string(),
            "ws frame: FIN text 5 bytes, mask 37fa213d, \"Hello\""
        );
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"event":"ws_frame","frame":{"fin":true,"opcode":"text","len":5,"mask":"37fa213d","words":"FIN text 5 bytes, mask 37fa213d, \"Hello\""}}"#
        );
        let part = Frame {
            fin: false,
            opcode: 2,
            mask: None,
            header: &[0x02, 0x14],
            len: 20,
            payload: &[0xff; 20],
            ..hello
        };
        assert_eq!(
            Event::FrameSent { frame: &part }.to_string(),
            "ws frame sent: binary 20 bytes, ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ...(4 more)"
        );
        let close = Frame {
            opcode: 8,
            header: &[0x88, 0x05],
            len: 5,
            payload: b"\x03\xe8bye",
            mask: None,
            ..hello
        };
        assert_eq!(
            Event::FrameSent { frame: &close }.to_string(),
            "ws frame sent: FIN close 5 bytes, code 1000 \"bye\""
        );
        // --trace: one line per header field, then both payloads, each
        // line to be prefixed with the connection's #ID.
        let trace = Event::FrameTrace { frame: &hello }.to_string();
        assert_eq!(trace.lines().count(), 8, "{trace}");
        let mut long = hello;
        long.header = &[0x82, 0xfe, 0x01, 0x2c, 1, 2, 3, 4];
        long.len = 300;
        long.payload = &[0; 300];
        let trace = Event::FrameTrace { frame: &long }.to_string();
        assert!(
            trace.contains("\n  01 2c        extended length 300"),
            "{trace}"
        );
        assert!(trace.contains("\n  … and 44 more bytes"), "{trace}");
    }

    #[test]
    fn frames_not_shown_are_counted_by_way_and_opcode() {
        let mut frames = FramesNotShown::default();
        for _ in 0..3 {
            frames.count(true, 0x9);
            frames.count(false, 0xA);
        }
        frames.count(true, 0x1);
        let event = Event::FramesNotShown {
            frames: &frames,
            per_second: 20,
        };
        assert_eq!(
            event.to_string(),
            "ws frames not shown one by one (more than 20 lines a second): \
             4 received (1 text, 3 ping), 3 sent (3 pong)"
        );
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"event":"ws_frames_not_shown","received":{"ping":3,"text":1},"sent":{"pong":3},"per_second":20}"#
        );
        let mut sent_only = FramesNotShown::default();
        sent_only.count(false, 0x2);
        let event = Event::FramesNotShown {
            frames: &sent_only,
            per_second: 20,
        };
        assert!(event.to_string().ends_with(": 1 sent (1 binary)"));
    }
}
