//! The opening handshake (RFC 6455 §4.2): a request HTTP handed over
//! because its `Upgrade` names `websocket` (`http/upgrade.rs`), read for
//! what the handshake needs, checked, and answered with the `101 Switching
//! Protocols` head, built by hand like every other rawnet response, or a
//! refusal whose status and words are here.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha1::{Digest, Sha1};

use crate::http::request::{self, Framing};
use crate::http::upgrade::Upgrade;
use crate::show::Escaped;

/// The GUID every server appends to the client's key (RFC 6455 §1.3), so
/// that only a server that read the handshake can answer it.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The only version RFC 6455 defines; a 426 names it.
pub const VERSION: &str = "13";

/// What is wrong with an upgrade request: each is refused with its status
/// ([`Wrong::status`]) and its words (its `Display`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wrong {
    NotGet,
    /// HTTP/1.0, or a later 1.x: the handshake is HTTP/1.1's.
    NotHttp11,
    NoConnectionUpgrade,
    NoVersion,
    /// 426: a version other than 13, as sent.
    Version(Vec<u8>),
    NoKey,
    /// Not base64 of 16 bytes, as sent.
    InvalidKey(Vec<u8>),
    /// A body (Content-Length above 0, or chunked): after the 101 its
    /// bytes would be read as frames.
    Body,
}

/// What the handshake needs from a request whose `Upgrade` names
/// `websocket`, read from the head HTTP parsed ([`Asked::of`]): HTTP's
/// syntax stays HTTP's, and this file only judges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Asked<'a> {
    /// The method is `GET`.
    pub get: bool,
    /// The request line said `HTTP/1.1` itself.
    pub http11: bool,
    /// `Connection` names `upgrade`.
    pub connection_upgrade: bool,
    /// The first `Sec-WebSocket-Version`, if any came.
    pub version: Option<&'a [u8]>,
    /// How many `Sec-WebSocket-Key` fields came: exactly one may.
    pub keys: usize,
    /// The first one's value.
    pub key: Option<&'a [u8]>,
    /// The request announced a body.
    pub body: bool,
}

impl<'a> Asked<'a> {
    /// Reads the head HTTP handed over: its field lines walked once more,
    /// only for an upgrade, so an ordinary request pays nothing for them.
    pub fn of(upgrade: &'a Upgrade) -> Asked<'a> {
        let (raw, head) = (upgrade.raw_head(), upgrade.head());
        let mut asked = Asked {
            get: &raw[head.method.clone()] == b"GET",
            http11: head.minor == 1 && !head.later_1x,
            body: !matches!(head.framing, Framing::None | Framing::Length(0)),
            ..Asked::default()
        };
        for (name, value) in upgrade.fields() {
            if name.eq_ignore_ascii_case(b"connection") {
                asked.connection_upgrade |= request::list_items(value)
                    .any(|option| option.eq_ignore_ascii_case(b"upgrade"));
            } else if name.eq_ignore_ascii_case(b"sec-websocket-version") {
                asked.version = asked.version.or(Some(value));
            } else if name.eq_ignore_ascii_case(b"sec-websocket-key") {
                asked.keys += 1;
                asked.key = asked.key.or(Some(value));
            }
        }
        asked
    }
}

impl Wrong {
    /// 426 Upgrade Required for a version this server does not speak (RFC
    /// 6455 §4.4), 400 Bad Request for the rest.
    pub fn status(&self) -> u16 {
        match self {
            Wrong::Version(_) => 426,
            _ => 400,
        }
    }

    /// The header lines the refusal carries: a 426 names the version this
    /// server speaks (RFC 6455 §4.4).
    pub fn extra_header(&self) -> &'static [u8] {
        match self {
            Wrong::Version(_) => b"Sec-WebSocket-Version: 13\r\n",
            _ => b"",
        }
    }
}

/// The problem in words: the refusal's body says it after `400 Bad
/// Request: `, and the log line after `-> 400 Bad Request: `.
impl fmt::Display for Wrong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wrong::NotGet => f.write_str("a WebSocket upgrade must be a GET"),
            Wrong::NotHttp11 => f.write_str("a WebSocket upgrade needs HTTP/1.1"),
            Wrong::NoConnectionUpgrade => {
                f.write_str("Upgrade: websocket without Connection: Upgrade")
            }
            Wrong::NoVersion => f.write_str("WebSocket upgrade without Sec-WebSocket-Version"),
            Wrong::Version(version) => write!(
                f,
                "Sec-WebSocket-Version {} is not spoken here; use {VERSION}",
                Escaped::all(version)
            ),
            Wrong::NoKey => f.write_str("WebSocket upgrade without one Sec-WebSocket-Key"),
            Wrong::Body => f.write_str(
                "a WebSocket upgrade must not have a body: after the 101 its bytes would be \
                 read as frames",
            ),
            Wrong::InvalidKey(key) => write!(
                f,
                "Sec-WebSocket-Key {} is not 16 bytes in base64",
                Escaped::all(key)
            ),
        }
    }
}

/// A good upgrade request: the client's key and the answer it expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub key: String,
    pub accept: String,
}

/// Checks an upgrade request (RFC 6455 §4.2.1), in this order: the first
/// thing wrong is the one the refusal names.
pub fn check(asked: Asked) -> Result<Accepted, Wrong> {
    if !asked.get {
        return Err(Wrong::NotGet);
    }
    if !asked.http11 {
        return Err(Wrong::NotHttp11);
    }
    if !asked.connection_upgrade {
        return Err(Wrong::NoConnectionUpgrade);
    }
    let Some(version) = asked.version else {
        return Err(Wrong::NoVersion);
    };
    let version = version.trim_ascii();
    if version != VERSION.as_bytes() {
        return Err(Wrong::Version(version.to_vec()));
    }
    let (1, Some(key)) = (asked.keys, asked.key) else {
        return Err(Wrong::NoKey);
    };
    // RFC 6455 does not speak of a body; a GET has no use for one, and
    // the bytes after the head are frames once the 101 is sent.
    if asked.body {
        return Err(Wrong::Body);
    }
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

    fn check_head(head: &str) -> Result<String, Wrong> {
        let upgrade = Upgrade::of_head(head.as_bytes());
        check(Asked::of(&upgrade)).map(|accepted| accepted.accept)
    }

    #[test]
    fn what_an_upgrade_needs_read_from_the_head() {
        let good = "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
                    Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13 \r\n\
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        assert_eq!(check_head(good), Ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".into()));
        assert_eq!(check_head(&good.replace("GET", "POST")), Err(Wrong::NotGet));
        for version in ["HTTP/1.0", "HTTP/1.2"] {
            let head = good.replace("HTTP/1.1", version);
            assert_eq!(check_head(&head), Err(Wrong::NotHttp11), "{version}");
        }
        assert_eq!(
            check_head(&good.replace("keep-alive, Upgrade", "keep-alive")),
            Err(Wrong::NoConnectionUpgrade)
        );
        assert_eq!(
            check_head(&good.replace(": 13 ", ": 8")),
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
        let two_keys = good.replace(
            "\r\n\r\n",
            "\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n",
        );
        assert_eq!(check_head(&two_keys), Err(Wrong::NoKey));
    }

    #[test]
    fn what_an_upgrade_needs() {
        let good = Asked {
            get: true,
            http11: true,
            connection_upgrade: true,
            version: Some(b"13"),
            keys: 1,
            key: Some(b"dGhlIHNhbXBsZSBub25jZQ=="),
            body: false,
        };
        assert_eq!(
            check(good).map(|a| a.accept),
            Ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".into())
        );
        let wrong = |asked| check(asked).err();
        assert_eq!(wrong(Asked { get: false, ..good }), Some(Wrong::NotGet));
        assert_eq!(
            wrong(Asked {
                http11: false,
                ..good
            }),
            Some(Wrong::NotHttp11)
        );
        let no_token = Asked {
            connection_upgrade: false,
            ..good
        };
        assert_eq!(wrong(no_token), Some(Wrong::NoConnectionUpgrade));
        let version = Some(&b"8"[..]);
        assert_eq!(
            wrong(Asked { version, ..good }),
            Some(Wrong::Version(b"8".to_vec()))
        );
        let key = Some(&b"c2hvcnQ="[..]);
        assert_eq!(
            wrong(Asked { key, ..good }),
            Some(Wrong::InvalidKey(b"c2hvcnQ=".to_vec()))
        );
        assert_eq!(wrong(Asked { keys: 2, ..good }), Some(Wrong::NoKey));
        assert_eq!(wrong(Asked { body: true, ..good }), Some(Wrong::Body));
        let none = Asked {
            keys: 0,
            key: None,
            ..good
        };
        assert_eq!(wrong(none), Some(Wrong::NoKey));
    }
}
