//! Reading a TLS ClientHello that arrived on this plain port, to say what
//! the client asked for: which TLS versions, which host (SNI), which
//! protocols (ALPN). A bounded parser over bytes, no I/O, and no TLS.
//!
//! Only the first record is read: a ClientHello fits in one record for
//! every client seen here (curl, Chromium with its post-quantum key share),
//! and a port that speaks no TLS needs no more to explain itself.
//!
//! The lines the log prints about it are in `tls/events.rs`.

mod events;
pub(crate) mod layer;
pub(crate) mod setup;
mod terminated;

pub use events::Event;
pub use setup::{configure, ClientCert, Config, Options, ALPN, DEFAULT_HANDSHAKE_TIMEOUT_SECS};
pub(crate) use terminated::Terminated;

/// The longest record body a peer may announce (RFC 8446 §5.2, the limit
/// for a protected record; a plaintext one is smaller still). Anything
/// longer is not TLS, and we never hold more than this plus the header.
pub const MAX_RECORD: usize = 16384 + 2048;

/// The record header: content type, legacy version, length (RFC 8446 §5.1).
pub const RECORD_HEADER: usize = 5;

/// A TLS alert record: fatal (2), protocol_version (70), in a TLS 1.2
/// record, which every version's client reads.
pub const PROTOCOL_VERSION_ALERT: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 70];

/// What a ClientHello asks for, as much as rawnet reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientHello {
    /// `legacy_version` of the hello: 0x0303 for TLS 1.2 and 1.3 alike.
    pub legacy_version: u16,
    /// The `supported_versions` extension, GREASE left out; empty when the
    /// client sent none (TLS 1.2 or older).
    pub versions: Vec<u16>,
    /// The `server_name` extension's host_name.
    pub sni: Option<String>,
    /// The `application_layer_protocol_negotiation` protocol names, as
    /// sent: RFC 7301 makes them bytes, not text, so none is read as UTF-8.
    pub alpn: Vec<Vec<u8>>,
    /// How many cipher suites were offered, GREASE included.
    pub cipher_suites: usize,
}

impl ClientHello {
    /// The versions the client would speak, newest first as sent; the
    /// hello's own version when it has no `supported_versions`.
    pub fn offered_versions(&self) -> Vec<u16> {
        if self.versions.is_empty() {
            vec![self.legacy_version]
        } else {
            self.versions.clone()
        }
    }
}

/// A TLS version's name; `None` for one rawnet does not know.
pub(crate) fn version_name(version: u16) -> Option<&'static str> {
    match version {
        0x0304 => Some("TLS 1.3"),
        0x0303 => Some("TLS 1.2"),
        0x0302 => Some("TLS 1.1"),
        0x0301 => Some("TLS 1.0"),
        0x0300 => Some("SSL 3.0"),
        _ => None,
    }
}

/// What the bytes received so far make.
#[derive(Debug, PartialEq, Eq)]
pub enum Hello {
    /// A ClientHello so far; its record is not complete yet.
    NeedMore {
        /// The record's length with its header, once the header is here.
        record: Option<usize>,
    },
    /// The whole hello, and how many bytes its record took.
    Complete(ClientHello, usize),
    /// Not a ClientHello, or a broken one: why, in a few words.
    Invalid(&'static str),
}

/// GREASE (RFC 8701): values like 0x1a1a, 0x2a2a that clients send at
/// random so that servers learn to ignore what they do not know.
fn is_grease(value: u16) -> bool {
    value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
}

/// Reads what `bytes`, the first bytes of a connection, hold.
pub fn parse(bytes: &[u8]) -> Hello {
    let mut header = Reader(bytes);
    // The prefix that decides early, byte by byte, so that 1-byte writes
    // of something else are told apart without waiting for a deadline.
    match bytes {
        [] | [0x16] | [0x16, 0x03] => return Hello::NeedMore { record: None },
        [0x16, 0x03, 0x00..=0x04, ..] => {}
        _ => return Hello::Invalid("its record header is not a TLS handshake's"),
    }
    let Ok(length) = header.skip(3).and_then(|()| header.u16()) else {
        return Hello::NeedMore { record: None };
    };
    let length = usize::from(length);
    if length == 0 {
        return Hello::Invalid("its record is empty");
    }
    if length > MAX_RECORD {
        return Hello::Invalid("its record is longer than TLS allows");
    }
    let record = RECORD_HEADER + length;
    match (bytes.get(RECORD_HEADER), bytes.get(..record)) {
        (Some(&kind), _) if kind != 1 => {
            Hello::Invalid("its handshake message is not a ClientHello")
        }
        (_, None) => Hello::NeedMore {
            record: Some(record),
        },
        (_, Some(whole)) => match client_hello(Reader(&whole[RECORD_HEADER..])) {
            Ok(hello) => Hello::Complete(hello, record),
            Err(reason) => Hello::Invalid(reason),
        },
    }
}

/// The handshake message (RFC 8446 §4.1.2), from its type byte on.
fn client_hello(mut record: Reader<'_>) -> Result<ClientHello, &'static str> {
    const SHORT: &str = "its handshake message is longer than its record";
    record.skip(1)?;
    let length = record.u24().map_err(|_| SHORT)?;
    let mut body = Reader(record.take(length).map_err(|_| SHORT)?);

    const CUT: &str = "its fields run past the end of the ClientHello";
    let legacy_version = body.u16().map_err(|_| CUT)?;
    body.skip(32).map_err(|_| CUT)?; // random
    body.vec8().map_err(|_| CUT)?; // legacy_session_id
    let suites = body.vec16().map_err(|_| CUT)?;
    if suites.0.is_empty() || suites.0.len() % 2 != 0 {
        return Err("its cipher suite list is empty or odd");
    }
    body.vec8().map_err(|_| CUT)?; // legacy_compression_methods
    let mut hello = ClientHello {
        legacy_version,
        cipher_suites: suites.0.len() / 2,
        ..ClientHello::default()
    };
    // Before TLS 1.2 a hello could end here, without extensions.
    if body.0.is_empty() {
        return Ok(hello);
    }
    let mut extensions = body.vec16().map_err(|_| CUT)?;
    while !extensions.0.is_empty() {
        const EXT: &str = "an extension runs past the end of the list";
        let kind = extensions.u16().map_err(|_| EXT)?;
        let data = extensions.vec16().map_err(|_| EXT)?;
        match kind {
            0 => hello.sni = server_name(data)?,
            16 => hello.alpn = alpn(data)?,
            43 => hello.versions = supported_versions(data)?,
            _ => {}
        }
    }
    Ok(hello)
}

/// RFC 6066 §3: a list of (type, name); type 0 is a DNS host name.
fn server_name(mut data: Reader<'_>) -> Result<Option<String>, &'static str> {
    const BAD: &str = "its server_name extension is malformed";
    let mut names = data.vec16().map_err(|_| BAD)?;
    while !names.0.is_empty() {
        let kind = names.u8().map_err(|_| BAD)?;
        let name = names.vec16().map_err(|_| BAD)?;
        if kind == 0 {
            let host = std::str::from_utf8(name.0).map_err(|_| BAD)?;
            return Ok(Some(host.to_string()));
        }
    }
    Ok(None)
}

/// RFC 7301 §3.1: a list of non-empty protocol names.
fn alpn(mut data: Reader<'_>) -> Result<Vec<Vec<u8>>, &'static str> {
    const BAD: &str = "its ALPN extension is malformed";
    let mut list = data.vec16().map_err(|_| BAD)?;
    let mut names = Vec::new();
    while !list.0.is_empty() {
        let name = list.vec8().map_err(|_| BAD)?;
        if name.0.is_empty() {
            return Err(BAD);
        }
        names.push(name.0.to_vec());
    }
    Ok(names)
}

/// RFC 8446 §4.2.1: in a ClientHello, a list of u16 versions.
fn supported_versions(mut data: Reader<'_>) -> Result<Vec<u16>, &'static str> {
    const BAD: &str = "its supported_versions extension is malformed";
    let mut list = data.vec8().map_err(|_| BAD)?;
    if list.0.len() % 2 != 0 {
        return Err(BAD);
    }
    let mut versions = Vec::new();
    while let Ok(version) = list.u16() {
        if !is_grease(version) {
            versions.push(version);
        }
    }
    Ok(versions)
}

/// The bytes not read yet. Every read checks the length first, so a lie in
/// a length field is an `Err`, never a panic.
struct Reader<'a>(&'a [u8]);

/// A read past the end of what is there.
struct Short;

impl From<Short> for &'static str {
    fn from(Short: Short) -> Self {
        "it ends in the middle of a field"
    }
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Short> {
        let (taken, rest) = self.0.split_at_checked(n).ok_or(Short)?;
        self.0 = rest;
        Ok(taken)
    }

    fn skip(&mut self, n: usize) -> Result<(), Short> {
        self.take(n).map(|_| ())
    }

    fn u8(&mut self) -> Result<u8, Short> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Short> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u24(&mut self) -> Result<usize, Short> {
        let b = self.take(3)?;
        Ok(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }

    /// A vector with a one-byte length (`opaque x<0..2^8-1>`).
    fn vec8(&mut self) -> Result<Reader<'a>, Short> {
        let n = self.u8()?;
        self.take(usize::from(n)).map(Reader)
    }

    /// A vector with a two-byte length (`opaque x<0..2^16-1>`).
    fn vec16(&mut self) -> Result<Reader<'a>, Short> {
        let n = self.u16()?;
        self.take(usize::from(n)).map(Reader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured with `nc -l 127.0.0.1 PORT > FILE` and, from curl 7.88.1
    /// (OpenSSL 3.0), `curl https://localhost:PORT/`; from Chromium 156,
    /// `chromium --headless ... https://localhost:PORT/`.
    const CURL: &[u8] = include_bytes!("../tests/data/curl-client-hello.bin");
    const CHROMIUM: &[u8] = include_bytes!("../tests/data/chromium-client-hello.bin");

    fn complete(bytes: &[u8]) -> ClientHello {
        match parse(bytes) {
            Hello::Complete(hello, used) => {
                assert_eq!(used, bytes.len());
                hello
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn curls_hello() {
        assert_eq!(
            complete(CURL),
            ClientHello {
                legacy_version: 0x0303,
                versions: vec![0x0304, 0x0303, 0x0302, 0x0301],
                sni: Some("localhost".into()),
                alpn: vec!["h2".into(), "http/1.1".into()],
                cipher_suites: 31,
            }
        );
    }

    #[test]
    fn chromiums_hello_with_its_grease_left_out() {
        let hello = complete(CHROMIUM);
        assert_eq!(hello.versions, [0x0304, 0x0303]);
        assert_eq!(hello.sni.as_deref(), Some("localhost"));
        assert_eq!(hello.alpn, [&b"h2"[..], b"http/1.1"]);
        assert_eq!(hello.cipher_suites, 16);
    }

    #[test]
    fn bytes_past_the_record_are_not_the_hellos() {
        let more = [CURL, b"GET / HTTP/1.1\r\n"].concat();
        assert!(matches!(parse(&more), Hello::Complete(_, used) if used == CURL.len()));
    }

    #[test]
    fn every_prefix_waits_for_more() {
        for hello in [CURL, CHROMIUM] {
            for end in 0..hello.len() {
                let record = (end >= RECORD_HEADER).then_some(hello.len());
                assert_eq!(parse(&hello[..end]), Hello::NeedMore { record }, "{end}");
            }
        }
    }

    #[test]
    fn broken_hellos_say_why() {
        let with = |at: usize, value: u8| {
            let mut bytes = CURL.to_vec();
            bytes[at] = value;
            parse(&bytes)
        };
        let invalid = |reason| Hello::Invalid(reason);
        assert_eq!(
            parse(b"\x16\x03\x05"),
            invalid("its record header is not a TLS handshake's")
        );
        assert_eq!(
            parse(b"\x16\x03\x01\x00\x00"),
            invalid("its record is empty")
        );
        assert_eq!(
            parse(b"\x16\x03\x01\x48\x01"),
            invalid("its record is longer than TLS allows")
        );
        // A ServerHello (2) where a ClientHello (1) belongs.
        assert_eq!(
            with(5, 2),
            invalid("its handshake message is not a ClientHello")
        );
        // The handshake length says one byte more than the record holds.
        assert_eq!(
            with(8, CURL[8] + 1),
            invalid("its handshake message is longer than its record")
        );
        // The session id's length (byte 43) says 255.
        assert_eq!(
            with(43, 0xff),
            invalid("its fields run past the end of the ClientHello")
        );
        // A record of the whole hello, cut short inside the extensions.
        let mut cut = CURL[..300].to_vec();
        cut[3..5].copy_from_slice(&295u16.to_be_bytes());
        cut[6..9].copy_from_slice(&[0, 1, 35]);
        assert_eq!(
            parse(&cut),
            invalid("its fields run past the end of the ClientHello")
        );
    }

    #[test]
    fn grease_is_every_0x_a_a_pair() {
        let grease: Vec<u16> = (0..=u16::MAX).filter(|&v| is_grease(v)).collect();
        assert_eq!(grease.len(), 16);
        assert_eq!(grease[0], 0x0a0a);
        assert_eq!(grease[15], 0xfafa);
        assert!(!is_grease(0x0a1a));
    }

    proptest::proptest! {
        /// Anything at all: no panic, and a record never claims more than
        /// the bound or more than was given.
        #[test]
        fn any_bytes_parse_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            match parse(&bytes) {
                Hello::NeedMore { record: Some(record) } => {
                    proptest::prop_assert!(record > bytes.len() && record <= MAX_RECORD + RECORD_HEADER)
                }
                Hello::Complete(_, used) => proptest::prop_assert!(used <= bytes.len()),
                Hello::NeedMore { record: None } | Hello::Invalid(_) => {}
            }
        }

        /// Real hellos with one byte changed: still no panic.
        #[test]
        fn mutated_hellos_parse_without_panic(at in 0usize..517, value in proptest::num::u8::ANY, chromium in proptest::bool::ANY) {
            let mut bytes = if chromium { CHROMIUM.to_vec() } else { CURL.to_vec() };
            bytes[at] = value;
            let _ = parse(&bytes);
        }
    }
}
