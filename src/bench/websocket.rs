//! `rawnet bench --mode ws`: the client's half of a WebSocket, enough to
//! load a server and check every answer. The upgrade request, the masked
//! frames a client must send (RFC 6455 §5.3), and the one unmasked text
//! frame `You said "<message>"` each message must get back.
//!
//! Written here from the RFC rather than borrowed from the server's
//! `src/ws/`, so that the check does not lean on the code it checks: a
//! wrong accept key or frame header in the server fails here.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use sha1::{Digest, Sha1};

use super::progress::Progress;
use crate::client::wire;
use crate::echo::{YOU_SAID_FRAME_END, YOU_SAID_OPEN};
use crate::show::Escaped;

/// The GUID every server appends to the client's key before hashing it
/// (RFC 6455 §1.3): proof that the server read the handshake as WebSocket.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// FIN set, opcode 1: a whole text message in one frame.
const FIN_TEXT: u8 = 0x81;
/// The MASK bit of the second header byte: set by clients, never by servers.
const MASK: u8 = 0x80;

/// The upgrade request for connection `index`, and the
/// `Sec-WebSocket-Accept` its answer must carry.
pub(super) fn upgrade_request(index: usize) -> (Vec<u8>, String) {
    // The key only has to be 16 bytes in base64; a browser picks random
    // ones. Each connection gets its own, so the server cannot answer
    // every connection with one remembered value.
    let mut nonce = [0u8; 16];
    nonce[..8].copy_from_slice(&(index as u64).to_be_bytes());
    nonce[8..].copy_from_slice(b"rawnetws");
    let key = BASE64.encode(nonce);
    let request = format!(
        "GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    (request.into_bytes(), accept_for(&key))
}

/// base64(SHA-1(key + GUID)), RFC 6455 §4.2.2.
fn accept_for(key: &str) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(GUID.as_bytes());
    BASE64.encode(sha1.finalize())
}

/// Checks the answer to the upgrade request: `Ok(true)` once a whole
/// `101 Switching Protocols` with the right headers has arrived and
/// nothing after it (the server speaks only when spoken to).
pub(super) fn check_upgrade(reply: &[u8], accept: &str) -> Result<bool, String> {
    let Some((response, used)) = wire::split(reply, false).map_err(|p| p.to_string())? else {
        return Ok(false);
    };
    if response.status != 101 {
        return Err(format!(
            "expected 101 Switching Protocols, got {}",
            Escaped::all(response.status_line().as_bytes())
        ));
    }
    let has = |name: &str, word: &str| {
        response.header(name).is_some_and(|value| {
            value
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case(word))
        })
    };
    if !has("Upgrade", "websocket") || !has("Connection", "upgrade") {
        return Err("a 101 without Upgrade: websocket and Connection: Upgrade".into());
    }
    match response.header("Sec-WebSocket-Accept") {
        Some(got) if got == accept => {}
        got => {
            return Err(format!(
                "Sec-WebSocket-Accept {got:?}, expected {accept:?} for the key sent"
            ))
        }
    }
    if used < reply.len() {
        return Err("bytes after the 101 before any message was sent".into());
    }
    Ok(true)
}

/// Appends one frame to `out`: FIN, text, the payload's length in the
/// shortest of the three forms (7 bits, 16, 64), then, for a client,
/// the masking key and the payload XORed with it.
pub(super) fn text_frame(payload: &[u8], mask: Option<[u8; 4]>, out: &mut Vec<u8>) {
    out.push(FIN_TEXT);
    let mask_bit = if mask.is_some() { MASK } else { 0 };
    match payload.len() {
        len @ 0..=125 => out.push(mask_bit | len as u8),
        len @ 126..=0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            out.extend(payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
        }
        None => out.extend_from_slice(payload),
    }
}

/// What connection `index` sends and must get back for one message of
/// `payload`: its masked frame, and the server's unmasked answer.
pub(super) fn exchange(payload: &[u8], index: usize) -> (Vec<u8>, Vec<u8>) {
    // A browser picks a fresh random key for every frame, so that a
    // script cannot choose the bytes a proxy sees. Unmasking costs the
    // server the same whatever the key, so the bench fixes one per
    // connection and builds its batch once.
    let key = (index as u32)
        .wrapping_mul(0x9e37_79b9)
        .wrapping_add(0x37fa_213d)
        .to_be_bytes();
    let mut sent = Vec::new();
    text_frame(payload, Some(key), &mut sent);
    let mut answer = YOU_SAID_OPEN.to_vec();
    answer.extend_from_slice(payload);
    answer.extend_from_slice(YOU_SAID_FRAME_END);
    let mut expected = Vec::new();
    text_frame(&answer, None, &mut expected);
    (sent, expected)
}

/// The reply must be `expected` (the batch's answers, one frame each),
/// byte for byte; a difference is described as the frame that arrived in
/// place of the one expected.
pub(super) fn check_frames(
    reply: &[u8],
    expected: &[u8],
    frame_len: usize,
    progress: &mut Progress,
) -> Result<bool, String> {
    let new = &reply[progress.taken..];
    let wanted = &expected[progress.taken.min(expected.len())..];
    let same = new.iter().zip(wanted).take_while(|(a, b)| a == b).count();
    if same < new.len() {
        let at = progress.taken + same;
        if at >= expected.len() {
            return Err("more bytes than the messages' answers".into());
        }
        let start = at - at % frame_len;
        return Err(format!(
            "expected a text frame `You said \"...\"` ({}), got {}",
            describe(&expected[start..start + frame_len]),
            describe(&reply[start..])
        ));
    }
    progress.taken = reply.len();
    progress.answered = reply.len() / frame_len;
    Ok(reply.len() == expected.len())
}

/// A frame's header in words, for error messages: `FIN text, 5 bytes,
/// unmasked`, or for a close frame its code (the server saying why).
fn describe(frame: &[u8]) -> String {
    let Some(&first) = frame.first() else {
        return "nothing".into();
    };
    let opcode = match first & 0x0f {
        0 => "continuation".to_string(),
        1 => "text".to_string(),
        2 => "binary".to_string(),
        8 => "close".to_string(),
        9 => "ping".to_string(),
        10 => "pong".to_string(),
        other => format!("opcode 0x{other:x}"),
    };
    let mut words = format!(
        "{}{}{} {}",
        hex(&frame[..frame.len().min(2)]),
        if first & 0x80 != 0 {
            ": FIN"
        } else {
            ": not FIN"
        },
        if first & 0x70 != 0 { " RSV" } else { "" },
        opcode
    );
    // The check stops at the first wrong byte, which may be all that has
    // arrived of the frame.
    let Some(&second) = frame.get(1) else {
        return words;
    };
    words.push_str(", ");
    let (len, at) = match second & 0x7f {
        126 if frame.len() >= 4 => (u64::from(u16::from_be_bytes([frame[2], frame[3]])), 4),
        127 if frame.len() >= 10 => {
            let mut be = [0u8; 8];
            be.copy_from_slice(&frame[2..10]);
            (u64::from_be_bytes(be), 10)
        }
        126 | 127 => return words + "length cut short",
        len => (u64::from(len), 2),
    };
    words.push_str(&format!("{len} bytes"));
    if second & MASK != 0 {
        words.push_str(", masked (a server must not mask)");
    }
    if first & 0x0f == 8 && second & MASK == 0 && frame.len() >= at + 2 {
        let code = u16::from_be_bytes([frame[at], frame[at + 1]]);
        words.push_str(&format!(", close code {code}"));
    }
    words
}

fn hex(bytes: &[u8]) -> String {
    crate::show::Hex::joined(&bytes[..bytes.len().min(16)], " ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_key_is_the_rfcs_own_example() {
        // RFC 6455 §1.3.
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn frames_carry_the_length_in_the_shortest_form() {
        let mut out = Vec::new();
        // RFC 6455 §5.7: a masked "Hello".
        text_frame(b"Hello", Some([0x37, 0xfa, 0x21, 0x3d]), &mut out);
        assert_eq!(
            out,
            b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58".as_slice()
        );
        for (len, header) in [
            (125, &b"\x81\x7d"[..]),
            (126, b"\x81\x7e\x00\x7e"),
            (65536, b"\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"),
        ] {
            out.clear();
            text_frame(&vec![b'a'; len], None, &mut out);
            assert_eq!(&out[..header.len()], header, "{len}");
            assert_eq!(out.len(), header.len() + len);
        }
    }

    #[test]
    fn the_upgrade_must_be_a_101_with_the_right_accept() {
        let (request, accept) = upgrade_request(3);
        assert!(request.starts_with(b"GET / HTTP/1.1\r\n"));
        let good = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        );
        assert_eq!(check_upgrade(good.as_bytes(), &accept), Ok(true));
        assert_eq!(check_upgrade(&good.as_bytes()[..20], &accept), Ok(false));
        let wrong = good.replace(&accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert!(check_upgrade(wrong.as_bytes(), &accept).is_err());
        let page = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        assert!(check_upgrade(page, &accept).is_err());
        let early = [good.as_bytes(), b"\x81\x00"].concat();
        assert!(check_upgrade(&early, &accept).is_err());
    }

    #[test]
    fn every_answer_must_be_its_frame_exactly() {
        let (_, one) = exchange(b"abc", 0);
        assert_eq!(one, b"\x81\x0eYou said \"abc\"".as_slice());
        let two = one.repeat(2);
        let check = |reply: &[u8]| {
            let mut progress = Progress::default();
            let mut result = Ok(false);
            for end in 0..=reply.len() {
                result = check_frames(&reply[..end], &two, one.len(), &mut progress);
                if result.is_err() {
                    break;
                }
            }
            result
        };
        assert_eq!(check(&two), Ok(true));
        assert_eq!(check(&two[..20]), Ok(false));
        assert!(check(&[&two[..], b"\x81"].concat()).is_err());
        let closed = [&one[..], b"\x88\x02\x03\xf1"].concat();
        let mut progress = Progress::default();
        let whole = check_frames(&closed, &two, one.len(), &mut progress).unwrap_err();
        assert!(
            whole.ends_with("88 02: FIN close, 2 bytes, close code 1009"),
            "{whole}"
        );
        let first_byte = check(&closed).unwrap_err();
        assert!(first_byte.ends_with("got 88: FIN close"), "{first_byte}");
        let masked = check(b"\x81\x8e\0\0\0\0").unwrap_err();
        assert!(
            masked.contains("masked (a server must not mask)"),
            "{masked}"
        );
    }
}
