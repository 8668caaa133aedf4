//! The `?explain` side channel: on a connection upgraded with `explain` in
//! its query, every frame received, and every frame sent in answer, is
//! first described in a text frame of its own, one JSON object, so that a
//! browser's page (or any client) can show the bytes it never sees: the
//! masking key, the masked payload, the header bit by bit.
//!
//! The descriptions are not described in turn.

use serde::Serialize;

use super::frame::{Frame, CLOSE};
use crate::log::Direction;
use crate::show::Hex;

/// How much of a payload the hex fields show.
pub const HEX_BYTES: usize = 64;
/// How much of a payload `payload` shows as text. Bounded like the hex:
/// a message of up to `--ws-max-message` would otherwise be copied into
/// its description whole, and up to six times over (a control byte is
/// `\u0001` in JSON), for every frame, received and sent.
pub const TEXT_BYTES: usize = 1024;

/// One description. The field names are the contract with the page's panel
/// (and any client): change them only together.
#[derive(Serialize)]
struct Described<'a> {
    /// Which way the frame went: "received" or "sent".
    explain: Direction,
    fin: bool,
    rsv: [bool; 3],
    opcode: String,
    masked: bool,
    mask: Option<String>,
    length: u64,
    header: String,
    payload_masked: Option<String>,
    payload: Option<&'a str>,
    /// Bytes of a text payload that `payload` does not show.
    payload_not_shown: usize,
    payload_hex: String,
    truncated: usize,
    #[serde(flatten)]
    close: Option<Close>,
}

#[derive(Serialize)]
struct Close {
    code: Option<u16>,
    reason: String,
}

/// The JSON description of `frame`.
pub fn describe(way: Direction, frame: &Frame) -> String {
    let shown = &frame.payload[..frame.payload.len().min(HEX_BYTES)];
    let text = std::str::from_utf8(frame.payload).ok().map(|text| {
        let mut end = text.len().min(TEXT_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    });
    let described = Described {
        explain: way,
        fin: frame.fin,
        rsv: [frame.rsv & 4 != 0, frame.rsv & 2 != 0, frame.rsv & 1 != 0],
        opcode: match frame.opcode_name() {
            Some(name) => name.to_string(),
            None => format!("0x{:x}", frame.opcode),
        },
        masked: frame.mask.is_some(),
        mask: frame.mask.map(|key| Hex::joined(&key, "").to_string()),
        length: frame.len,
        header: Hex::joined(frame.header, " ").to_string(),
        payload_masked: frame
            .mask
            .map(|_| Hex::joined(&frame.masked_prefix(HEX_BYTES), " ").to_string()),
        payload: text,
        payload_not_shown: text.map_or(0, |text| frame.payload.len() - text.len()),
        payload_hex: Hex::joined(shown, " ").to_string(),
        truncated: frame.payload.len() - shown.len(),
        close: (frame.opcode == CLOSE).then(|| Close {
            code: frame.close_code(),
            reason: String::from_utf8_lossy(frame.close_reason()).into_owned(),
        }),
    };
    // Serializing plain strings, numbers and booleans cannot fail.
    serde_json::to_string(&described).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC's masked "Hello" (RFC 6455 §5.7), described field by field.
    #[test]
    fn a_masked_hello() {
        let frame = Frame::RFC_HELLO;
        assert_eq!(
            describe(Direction::Received, &frame),
            r#"{"explain":"received","fin":true,"rsv":[false,false,false],"opcode":"text","masked":true,"mask":"37fa213d","length":5,"header":"81 85 37 fa 21 3d","payload_masked":"7f 9f 4d 51 58","payload":"Hello","payload_not_shown":0,"payload_hex":"48 65 6c 6c 6f","truncated":0}"#
        );
        let close = Frame {
            fin: true,
            rsv: 0,
            opcode: 8,
            mask: None,
            len: 5,
            header: &[0x88, 0x05],
            payload: b"\x03\xe8bye",
        };
        let json = describe(Direction::Sent, &close);
        assert!(
            json.contains(r#""masked":false,"mask":null,"#)
                && json.contains(r#""payload_masked":null,"payload":null,"#)
                && json.ends_with(r#""truncated":0,"code":1000,"reason":"bye"}"#),
            "{json}"
        );
    }

    /// A message at the 1 MiB limit of control characters (each `\u0001`
    /// in JSON) gets a description of a few KiB, not 6 MiB.
    #[test]
    fn a_large_payload_is_described_in_bounded_space() {
        let payload = vec![1u8; 1024 * 1024];
        let frame = Frame {
            fin: true,
            rsv: 0,
            opcode: 1,
            mask: None,
            len: payload.len() as u64,
            header: &[0x81, 0x7f, 0, 0, 0, 0, 0, 0x10, 0, 0],
            payload: &payload,
        };
        let json = describe(Direction::Sent, &frame);
        assert!(json.len() < 8 * 1024, "{} bytes", json.len());
        let not_shown = 1024 * 1024 - TEXT_BYTES;
        assert!(json.contains(&format!(r#""payload_not_shown":{not_shown},"#)));
        // A character is never cut in two.
        let accents = "é".repeat(TEXT_BYTES);
        let frame = Frame {
            payload: accents.as_bytes(),
            ..frame
        };
        let json = describe(Direction::Sent, &frame);
        assert!(json.contains(&format!(
            r#""payload_not_shown":{},"#,
            accents.len() - TEXT_BYTES
        )));
    }
}
