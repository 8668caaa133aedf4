//! The opening handshake (RFC 6455 §4.2): checking a request that asks to
//! become a WebSocket, and the `101 Switching Protocols` head, built by
//! hand like every other rawnet response.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha1::{Digest, Sha1};

/// The GUID every server appends to the client's key (RFC 6455 §1.3), so
/// that only a server that read the handshake can answer it.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The only version RFC 6455 defines; a 426 names it.
pub const VERSION: &str = "13";

/// What is wrong with an upgrade request. The HTTP session turns each into
/// its refusal (status and words are in `http/refusal.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wrong {
    NotGet,
    /// HTTP/1.0, or a later 1.x: the handshake is HTTP/1.1's.
    Http10,
    NoConnectionUpgrade,
    NoVersion,
    /// 426: a version other than 13, as sent.
    Version(Vec<u8>),
    NoKey,
    /// Not base64 of 16 bytes, as sent.
    InvalidKey(Vec<u8>),
}

/// A good upgrade request: the client's key and the answer it expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub key: String,
    pub accept: String,
}

/// Checks a request whose `Upgrade` names `websocket`: its method, its
/// minor HTTP version and its header fields.
pub fn check(method: &[u8], minor: u8, headers: &[httparse::Header]) -> Result<Accepted, Wrong> {
    if method != b"GET" {
        return Err(Wrong::NotGet);
    }
    if minor == 0 {
        return Err(Wrong::Http10);
    }
    let named = |name: &'static str| {
        headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    };
    let upgrade_token = named("connection")
        .flat_map(|v| v.split(|&b| b == b','))
        .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"upgrade"));
    if !upgrade_token {
        return Err(Wrong::NoConnectionUpgrade);
    }
    let Some(version) = named("sec-websocket-version").next() else {
        return Err(Wrong::NoVersion);
    };
    if version.trim_ascii() != VERSION.as_bytes() {
        return Err(Wrong::Version(version.to_vec()));
    }
    let mut keys = named("sec-websocket-key");
    let (Some(key), None) = (keys.next(), keys.next()) else {
        return Err(Wrong::NoKey);
    };
    let key = key.trim_ascii();
    match BASE64.decode(key) {
        Ok(nonce) if nonce.len() == 16 => {}
        _ => return Err(Wrong::InvalidKey(key.to_vec())),
    }
    // Decoded as base64, so it is ASCII.
    let key = String::from_utf8_lossy(key).into_owned();
    let accept = accept(&key);
    Ok(Accepted { key, accept })
}

/// `Sec-WebSocket-Accept`: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2).
pub fn accept(key: &str) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(GUID);
    BASE64.encode(sha1.finalize())
}

/// Appends the `101 Switching Protocols` head. No `Sec-WebSocket-Protocol`:
/// rawnet selects no subprotocol. No `Date`: RFC 9110 §6.6.1 lets a 1xx
/// go without, which keeps the head the same bytes every time.
pub fn write_101(out: &mut Vec<u8>, accept: &str) {
    out.extend_from_slice(
        b"HTTP/1.1 101 Switching Protocols\r\n\
          Upgrade: websocket\r\n\
          Connection: Upgrade\r\n\
          Sec-WebSocket-Accept: ",
    );
    out.extend_from_slice(accept.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
}

/// Whether a request target's query has an `explain` parameter (`?explain`,
/// `?a=1&explain=1`): the connection then describes every frame in JSON.
pub fn wants_explain(target: &[u8]) -> bool {
    let Some(at) = target.iter().position(|&b| b == b'?') else {
        return false;
    };
    let query = &target[at + 1..];
    let query = query.split(|&b| b == b'#').next().unwrap_or(query);
    query
        .split(|&b| b == b'&')
        .any(|item| item == b"explain" || item.starts_with(b"explain="))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6455 §1.3's example key and answer.
    #[test]
    fn the_rfcs_sample_key() {
        assert_eq!(
            accept("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    fn check_head(head: &str) -> Result<Accepted, Wrong> {
        let minor = if head.contains("HTTP/1.0") { 0 } else { 1 };
        let method = head.split(' ').next().unwrap_or("");
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut request = httparse::Request::new(&mut headers);
        request.parse(head.as_bytes()).unwrap();
        check(method.as_bytes(), minor, request.headers)
    }

    #[test]
    fn what_an_upgrade_needs() {
        let good = "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
                    Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n\
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        assert_eq!(
            check_head(good).map(|a| a.accept),
            Ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".into())
        );
        assert_eq!(check_head(&good.replace("GET", "POST")), Err(Wrong::NotGet));
        assert_eq!(
            check_head(&good.replace("keep-alive, Upgrade", "keep-alive")),
            Err(Wrong::NoConnectionUpgrade)
        );
        assert_eq!(
            check_head(&good.replace(": 13", ": 8")),
            Err(Wrong::Version(b"8".to_vec()))
        );
        assert_eq!(
            check_head(&good.replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=")),
            Err(Wrong::InvalidKey(b"c2hvcnQ=".to_vec()))
        );
        assert_eq!(
            check_head(&good.replace("Sec-WebSocket-Key", "X-Key")),
            Err(Wrong::NoKey)
        );
    }

    #[test]
    fn explain_is_a_query_parameter() {
        for yes in ["/?explain", "/chat?x=1&explain", "/?explain=1"] {
            assert!(wants_explain(yes.as_bytes()), "{yes}");
        }
        for no in ["/", "/explain", "/?explained", "/?x=explain"] {
            assert!(!wants_explain(no.as_bytes()), "{no}");
        }
    }
}
