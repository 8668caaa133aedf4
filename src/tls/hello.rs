//! The ClientHello parser: a TLS record's bytes in, every field a
//! fingerprint or a person needs out, in the order the wire had them.
//! Bounded (one record of at most [`MAX_RECORD`]), no I/O, and never a
//! panic: every length is checked before it is used.
//!
//! The layout, from RFC 8446 §4.1.2 (TLS 1.2's, RFC 5246 §7.4.1.2, is the
//! same up to the extensions):
//!
//! ```text
//! record header   16 03 01 LL LL       handshake, legacy version, length
//! handshake       01 LL LL LL          client_hello, 24-bit length
//! legacy_version  03 03                TLS 1.2, even for TLS 1.3
//! random          32 bytes
//! session id      1-byte length, bytes
//! cipher suites   2-byte length, 2 bytes each
//! compression     1-byte length, 1 byte each
//! extensions      2-byte length, then each: type (2), length (2), data
//! ```

use super::{is_grease, MAX_RECORD, RECORD_HEADER};

/// Everything a ClientHello offers, as it came: lists in wire order,
/// GREASE values kept where the client put them (they are part of what
/// it sent, and the fingerprints drop them themselves), except in
/// [`versions`](ClientHello::versions).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientHello {
    /// The record header's `legacy_record_version`: 0x0301 (TLS 1.0) from
    /// most clients, for the sake of old middleboxes (RFC 8446 §5.1).
    pub record_version: u16,
    /// The hello's `legacy_version`: 0x0303 for TLS 1.2 and 1.3 alike; a
    /// TLS 1.3 client says 1.3 in `supported_versions` instead.
    pub legacy_version: u16,
    /// `legacy_session_id`: 32 random bytes from a TLS 1.3 client in
    /// "middlebox compatibility mode" (RFC 8446 §D.4), or a TLS 1.2
    /// session it wants to resume; only its length tells anything.
    pub session_id: Vec<u8>,
    /// `cipher_suites`, each a 2-byte code from IANA's registry, as sent,
    /// GREASE included.
    pub cipher_suites: Vec<u16>,
    /// `legacy_compression_methods`: one byte each, `[0]` (none) from any
    /// modern client; TLS 1.3 allows nothing else.
    pub compression_methods: Vec<u8>,
    /// The extensions' types, in wire order, GREASE included.
    pub extensions: Vec<u16>,
    /// `server_name` (0x0000, RFC 6066 §3): the host the client wants.
    pub sni: Option<String>,
    /// `application_layer_protocol_negotiation` (0x0010, RFC 7301): the
    /// protocols it would speak inside, as sent. RFC 7301 makes them
    /// bytes, not text, so none is read as UTF-8.
    pub alpn: Vec<Vec<u8>>,
    /// `supported_versions` (0x002b, RFC 8446 §4.2.1), GREASE left out;
    /// empty when the client sent none (TLS 1.2 or older).
    pub versions: Vec<u16>,
    /// `supported_versions` as sent, GREASE included.
    pub versions_sent: Vec<u16>,
    /// `supported_groups` (0x000a, RFC 8446 §4.2.7; `elliptic_curves` in
    /// RFC 4492): the key exchange groups, as sent.
    pub groups: Vec<u16>,
    /// `ec_point_formats` (0x000b, RFC 8422 §5.1.2): `[0]`, uncompressed,
    /// from anyone who sends it.
    pub point_formats: Vec<u8>,
    /// `signature_algorithms` (0x000d, RFC 8446 §4.2.3): the signatures
    /// the client can check, as sent.
    pub signature_algorithms: Vec<u16>,
    /// `key_share` (0x0033, RFC 8446 §4.2.8): the groups the client
    /// already sent a public key for, as sent (the keys are not kept).
    pub key_share_groups: Vec<u16>,
    /// `psk_key_exchange_modes` (0x002d, RFC 8446 §4.2.9): how a resumed
    /// session may make its keys.
    pub psk_modes: Vec<u8>,
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

/// What the bytes received so far make.
///
/// `Complete` holds the hello by value, some 300 bytes of `Vec`s beside
/// the other variants' few: it is made once per connection and moved out
/// at once, so clippy's advice to box it would buy nothing but a
/// different type for every caller to match.
#[derive(Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
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
    let Ok((record_version, length)) = header
        .skip(1)
        .and_then(|()| Ok((header.u16()?, header.u16()?)))
    else {
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
            Ok(hello) => Hello::Complete(
                ClientHello {
                    record_version,
                    ..hello
                },
                record,
            ),
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
    let session_id = body.vec8().map_err(|_| CUT)?.0.to_vec();
    let suites = body.vec16().map_err(|_| CUT)?;
    if suites.0.is_empty() {
        return Err("its cipher suite list is empty or odd");
    }
    let cipher_suites = suites
        .u16_list()
        .map_err(|_| "its cipher suite list is empty or odd")?;
    let compression_methods = body.vec8().map_err(|_| CUT)?.0.to_vec();
    let mut hello = ClientHello {
        legacy_version,
        session_id,
        cipher_suites,
        compression_methods,
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
        hello.extensions.push(kind);
        extension(&mut hello, kind, data)?;
    }
    Ok(hello)
}

/// Reads the extensions rawnet shows into `hello`; the others are only
/// named (by their type, in [`ClientHello::extensions`]).
fn extension(hello: &mut ClientHello, kind: u16, data: Reader<'_>) -> Result<(), &'static str> {
    match kind {
        0x0000 => hello.sni = server_name(data)?,
        0x000a => {
            hello.groups = list16(data, "its supported_groups extension is malformed")?;
        }
        0x000b => {
            hello.point_formats = list8(data, "its ec_point_formats extension is malformed")?;
        }
        0x000d => {
            hello.signature_algorithms =
                list16(data, "its signature_algorithms extension is malformed")?;
        }
        0x0010 => hello.alpn = alpn(data)?,
        0x002b => {
            hello.versions_sent = supported_versions(data)?;
            hello.versions = hello
                .versions_sent
                .iter()
                .copied()
                .filter(|&v| !is_grease(v))
                .collect();
        }
        0x002d => {
            hello.psk_modes = list8(data, "its psk_key_exchange_modes extension is malformed")?;
        }
        0x0033 => hello.key_share_groups = key_share(data)?,
        _ => {}
    }
    Ok(())
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

/// RFC 8446 §4.2.1: in a ClientHello, a list of u16 versions with a
/// one-byte length.
fn supported_versions(mut data: Reader<'_>) -> Result<Vec<u16>, &'static str> {
    const BAD: &str = "its supported_versions extension is malformed";
    data.vec8()
        .and_then(|list| list.u16_list())
        .map_err(|_| BAD)
}

/// A list of u16 values with a two-byte length: supported_groups (RFC
/// 8446 §4.2.7), signature_algorithms (§4.2.3).
fn list16(mut data: Reader<'_>, bad: &'static str) -> Result<Vec<u16>, &'static str> {
    data.vec16()
        .and_then(|list| list.u16_list())
        .map_err(|_| bad)
}

/// A list of bytes with a one-byte length: ec_point_formats (RFC 8422
/// §5.1.2), psk_key_exchange_modes (RFC 8446 §4.2.9).
fn list8(mut data: Reader<'_>, bad: &'static str) -> Result<Vec<u8>, &'static str> {
    data.vec8().map(|list| list.0.to_vec()).map_err(|_| bad)
}

/// RFC 8446 §4.2.8: a list of (group, key_exchange); only the groups are
/// kept, a public key says nothing about the client.
fn key_share(mut data: Reader<'_>) -> Result<Vec<u16>, &'static str> {
    const BAD: &str = "its key_share extension is malformed";
    let mut shares = data.vec16().map_err(|_| BAD)?;
    let mut groups = Vec::new();
    while !shares.0.is_empty() {
        groups.push(shares.u16().map_err(|_| BAD)?);
        shares.vec16().map_err(|_| BAD)?;
    }
    Ok(groups)
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

    /// All that is left, read as u16 values; an odd byte at the end is
    /// half a value, so the list is broken.
    fn u16_list(self) -> Result<Vec<u16>, Short> {
        if self.0.len() % 2 != 0 {
            return Err(Short);
        }
        Ok(self
            .0
            .chunks_exact(2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured with `scripts/capture-client-hello.py` and, from curl
    /// 7.88.1 (OpenSSL 3.0), `curl https://localhost:PORT/`.
    const CURL: &[u8] = include_bytes!("../../tests/data/tls/curl-client-hello.bin");
    /// The same, from Chromium 156, `chromium --headless ...
    /// https://localhost:PORT/` (see `fingerprint.rs` for the flags).
    const CHROMIUM: &[u8] = include_bytes!("../../tests/data/tls/chromium-1-client-hello.bin");

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
        let hello = complete(CURL);
        assert_eq!(
            hello,
            ClientHello {
                record_version: 0x0301,
                legacy_version: 0x0303,
                session_id: hello.session_id.clone(),
                cipher_suites: vec![
                    0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b,
                    0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014,
                    0x0039, 0xc009, 0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
                    0x00ff,
                ],
                compression_methods: vec![0],
                extensions: vec![
                    0x0000, 0x000b, 0x000a, 0x0010, 0x0016, 0x0017, 0x0031, 0x000d, 0x002b, 0x002d,
                    0x0033, 0x0015,
                ],
                sni: Some("localhost".into()),
                alpn: vec!["h2".into(), "http/1.1".into()],
                versions: vec![0x0304, 0x0303, 0x0302, 0x0301],
                versions_sent: vec![0x0304, 0x0303, 0x0302, 0x0301],
                groups: vec![
                    0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
                ],
                point_formats: vec![0, 1, 2],
                signature_algorithms: vec![
                    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
                    0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
                ],
                key_share_groups: vec![0x001d],
                psk_modes: vec![1],
            }
        );
        // Middlebox compatibility mode: a made-up session of 32 bytes.
        assert_eq!(hello.session_id.len(), 32);
    }

    /// GREASE (RFC 8701) where Chromium puts it: first and last among the
    /// extensions, first among the suites, the groups, the key shares and
    /// the versions, and, since Chrome 152, among the signature
    /// algorithms. `versions` alone leaves it out.
    #[test]
    fn chromiums_hello_keeps_its_grease_where_it_was_sent() {
        let hello = complete(CHROMIUM);
        assert_eq!(hello.versions, [0x0304, 0x0303]);
        assert_eq!(hello.versions_sent.len(), 3);
        assert!(is_grease(hello.versions_sent[0]));
        assert_eq!(hello.sni.as_deref(), Some("localhost"));
        assert_eq!(hello.alpn, [&b"h2"[..], b"http/1.1"]);
        assert_eq!(hello.cipher_suites.len(), 16);
        assert!(is_grease(hello.cipher_suites[0]));
        assert!(is_grease(hello.extensions[0]));
        assert!(is_grease(*hello.extensions.last().unwrap()));
        assert!(is_grease(hello.groups[0]));
        assert_eq!(hello.groups[1..], [0x11ec, 0x001d, 0x0017, 0x0018]);
        assert_eq!(hello.key_share_groups[1..], [0x11ec, 0x001d]);
        assert_eq!(hello.key_share_groups[0], hello.groups[0]);
        assert!(hello.signature_algorithms.iter().any(|&s| is_grease(s)));
        assert_eq!(hello.record_version, 0x0301);
        assert_eq!(hello.psk_modes, [1]);
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

    /// A list of 2-byte values whose length is odd is broken, wherever it
    /// is: here curl's supported_groups (20 bytes) made 19.
    #[test]
    fn an_odd_list_of_two_byte_values_is_broken() {
        let groups = CURL
            .windows(6)
            .position(|w| w == [0x00, 0x0a, 0x00, 0x16, 0x00, 0x14])
            .expect("curl's supported_groups");
        let mut bytes = CURL.to_vec();
        bytes[groups + 5] = 19;
        assert_eq!(
            parse(&bytes),
            Hello::Invalid("its supported_groups extension is malformed")
        );
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
