//! The PROXY protocol's header (v1 and v2): what HAProxy's `send-proxy`,
//! nginx's `proxy_protocol on` and cloud load balancers put in front of the
//! client's bytes, so that the server learns who the client was and not
//! only the proxy's own address. Read from bytes, with no I/O, and bounded.
//!
//! The spec is HAProxy's `proxy-protocol.txt`. Version 1 is one text line,
//! `PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n`, at most 107 bytes. Version 2
//! is binary: a 12-byte signature, a version/command byte, a
//! family/protocol byte, a 16-bit length, then the addresses and TLVs
//! (type, 16-bit length, value).
//!
//! Reading a connection's first bytes as one (the prelude's variant for
//! it) is `proxy/prelude.rs`; the lines the log prints about it are in
//! `proxy/events.rs`.

mod events;
mod prelude;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

pub use events::Event;
pub(crate) use events::Via;
pub(crate) use prelude::Proxy;

/// What the first bytes of a v1 header are.
pub(crate) const V1_START: &[u8] = b"PROXY ";

/// Version 2's signature: chosen to be no valid start of HTTP, SMTP or any
/// other text protocol (a CRLF, a NUL, then `QUIT`).
pub(crate) const V2_SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";

/// The longest v1 line, CRLF included (the spec's own figure: a TCP6 line
/// with the longest addresses and ports).
pub(crate) const V1_MAX: usize = 107;

/// The most bytes a v2 header may announce after its 16-byte start. The
/// spec allows 65535; a UNIX address block is 216 bytes and HAProxy's
/// usual TLVs (ALPN, authority, unique ID up to 128 bytes) fit well within
/// this, and a connection can not make rawnet hold more.
pub(crate) const V2_MAX_BODY: usize = 1024;

/// The fixed start of a v2 header: signature, two bytes, the length.
const V2_FIXED: usize = 16;

/// What a header says about the connection it precedes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Says {
    /// A TCP connection: the client (`source`) and the address it
    /// connected to on the proxy (`destination`).
    Tcp {
        source: SocketAddr,
        destination: SocketAddr,
    },
    /// v1 `UNKNOWN`, or v2 with an address family or protocol rawnet does
    /// not take apart (UNSPEC, UNIX, UDP): the proxy gives no TCP
    /// addresses.
    Unknown,
    /// v2 `LOCAL`: the proxy's own connection (a health check); the TCP
    /// peer is the client.
    Local,
}

/// One v2 TLV, decoded by its type (the spec's `PP2_TYPE_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tlv {
    /// 0x01: the protocol the client chose by ALPN (`h2`, `http/1.1`).
    Alpn(Vec<u8>),
    /// 0x02: the host name the client asked for (its TLS SNI).
    Authority(Vec<u8>),
    /// 0x03: a CRC32c checksum of the header (not checked here).
    Crc32c(u32),
    /// 0x04: padding, its length.
    Noop(usize),
    /// 0x05: the proxy's ID for this connection, to match logs.
    UniqueId(Vec<u8>),
    /// 0x20: the client connected over TLS; its flags and verify result
    /// (the sub-TLVs after them are not taken apart).
    Ssl { client: u8, verify: u32 },
    /// 0x30: the network namespace the connection came from.
    Netns(Vec<u8>),
    /// Any other type: kept as its type and length.
    Other { kind: u8, len: usize },
}

/// What the bytes so far are.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// Could still become a header: more bytes are needed.
    NeedMore,
    /// A whole header, and how many bytes it took.
    Complete(Header, usize),
    /// Not a valid header, and why.
    Invalid(&'static str),
}

/// One PROXY header, as its sender stated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// 1 or 2.
    pub version: u8,
    /// What the header says about the connection.
    pub says: Says,
    /// v2's TLVs in the order sent (none in v1).
    pub tlvs: Vec<Tlv>,
}

impl Header {
    /// The client's address, if the header gives one.
    pub(crate) fn source(&self) -> Option<SocketAddr> {
        match self.says {
            Says::Tcp { source, .. } => Some(source),
            Says::Unknown | Says::Local => None,
        }
    }
}

/// Whether `bytes` (possibly only a few) could be the start of a PROXY
/// header: a prefix of `PROXY ` or of the v2 signature, or longer and
/// starting with all of one.
pub(crate) fn could_be(bytes: &[u8]) -> bool {
    [V1_START, &V2_SIGNATURE[..]].iter().any(|start| {
        let n = bytes.len().min(start.len());
        bytes[..n] == start[..n]
    })
}

/// Whether `bytes` start with a whole signature (`PROXY ` or v2's): from
/// there on, anything but a valid header is an error, not other data.
pub(crate) fn has_signature(bytes: &[u8]) -> bool {
    bytes.starts_with(V1_START) || bytes.starts_with(V2_SIGNATURE)
}

/// Reads a PROXY header from the start of `bytes`. Decides within
/// [`V1_MAX`] bytes for v1 and 16 + [`V2_MAX_BODY`] for v2.
pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    if !could_be(bytes) {
        return Decoded::Invalid("the first bytes are not a PROXY signature");
    }
    if bytes.starts_with(V1_START) {
        decode_v1(bytes)
    } else if bytes.len() < V2_FIXED {
        Decoded::NeedMore
    } else {
        decode_v2(bytes)
    }
}

fn decode_v1(bytes: &[u8]) -> Decoded {
    let window = &bytes[..bytes.len().min(V1_MAX)];
    let Some(end) = window.windows(2).position(|w| w == b"\r\n") else {
        // A lone LF is no line end in this protocol.
        if window.contains(&b'\n') {
            return Decoded::Invalid("the v1 line ends in LF without CR");
        }
        return if bytes.len() >= V1_MAX {
            Decoded::Invalid("no CRLF within the v1 header's 107 bytes")
        } else {
            Decoded::NeedMore
        };
    };
    let line = &bytes[V1_START.len()..end];
    if line.contains(&b'\n') || line.contains(&b'\r') {
        return Decoded::Invalid("the v1 line has a stray CR or LF");
    }
    let says = match v1_fields(line) {
        Ok(says) => says,
        Err(reason) => return Decoded::Invalid(reason),
    };
    let header = Header {
        version: 1,
        says,
        tlvs: Vec::new(),
    };
    Decoded::Complete(header, end + 2)
}

/// The fields after `PROXY `: `TCP4 src dst sport dport`, or `UNKNOWN`
/// and anything (the spec tells a receiver to ignore the rest).
fn v1_fields(line: &[u8]) -> Result<Says, &'static str> {
    if line.starts_with(b"UNKNOWN") && matches!(line.get(7), None | Some(b' ')) {
        return Ok(Says::Unknown);
    }
    let mut fields = line.split(|&b| b == b' ');
    let family = fields.next().unwrap_or_default();
    let v6 = match family {
        b"TCP4" => false,
        b"TCP6" => true,
        _ => return Err("the v1 protocol is not TCP4, TCP6 or UNKNOWN"),
    };
    let mut next = || fields.next().ok_or("the v1 line has too few fields");
    let (source, destination) = (next()?, next()?);
    let (source_port, destination_port) = (next()?, next()?);
    if fields.next().is_some() {
        return Err("the v1 line has too many fields (or a double space)");
    }
    let ip = |field: &[u8]| -> Result<IpAddr, &'static str> {
        let text = std::str::from_utf8(field).map_err(|_| "a v1 address is not text")?;
        if v6 {
            text.parse::<Ipv6Addr>()
                .map(IpAddr::V6)
                .map_err(|_| "a v1 TCP6 address is no IPv6 address")
        } else {
            text.parse::<Ipv4Addr>()
                .map(IpAddr::V4)
                .map_err(|_| "a v1 TCP4 address is no IPv4 address")
        }
    };
    Ok(Says::Tcp {
        source: SocketAddr::new(ip(source)?, port(source_port)?),
        destination: SocketAddr::new(ip(destination)?, port(destination_port)?),
    })
}

/// A v1 port: 1 to 5 digits, 0 to 65535.
fn port(field: &[u8]) -> Result<u16, &'static str> {
    if field.is_empty() || field.len() > 5 || !field.iter().all(u8::is_ascii_digit) {
        return Err("a v1 port is not a number from 0 to 65535");
    }
    let value = field
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    u16::try_from(value).map_err(|_| "a v1 port is not a number from 0 to 65535")
}

fn decode_v2(bytes: &[u8]) -> Decoded {
    let (version_command, family) = (bytes[12], bytes[13]);
    if version_command >> 4 != 2 {
        return Decoded::Invalid("the v2 version is not 2");
    }
    let local = match version_command & 0x0f {
        0 => true,
        1 => false,
        _ => return Decoded::Invalid("the v2 command is neither LOCAL nor PROXY"),
    };
    let len = usize::from(u16::from_be_bytes([bytes[14], bytes[15]]));
    if len > V2_MAX_BODY {
        return Decoded::Invalid("the v2 header is longer than rawnet's 1024-byte bound");
    }
    let Some(body) = bytes.get(V2_FIXED..V2_FIXED + len) else {
        return Decoded::NeedMore;
    };
    // The address block's size follows from the family; TLVs fill the rest.
    let (address_len, says) = match family {
        // TCP over IPv4, then over IPv6.
        0x11 => (12, v2_tcp(body, 4)),
        0x21 => (36, v2_tcp(body, 16)),
        // UDP over IPv4 and IPv6, UNIX stream and datagram.
        0x12 => (12, Some(Says::Unknown)),
        0x22 => (36, Some(Says::Unknown)),
        0x31 | 0x32 => (216, Some(Says::Unknown)),
        0x00 => (0, Some(Says::Unknown)),
        _ => return Decoded::Invalid("the v2 family/protocol byte is not one the spec defines"),
    };
    let Some(says) = says.filter(|_| body.len() >= address_len) else {
        return Decoded::Invalid("the v2 length is too short for its addresses");
    };
    let tlvs = match v2_tlvs(&body[address_len..]) {
        Ok(tlvs) => tlvs,
        Err(reason) => return Decoded::Invalid(reason),
    };
    let header = Header {
        version: 2,
        // LOCAL: the receiver must ignore the addresses (spec 2.2).
        says: if local { Says::Local } else { says },
        tlvs,
    };
    Decoded::Complete(header, V2_FIXED + len)
}

/// The addresses of a TCP family: source, destination (each `size`
/// bytes), then the two ports.
fn v2_tcp(body: &[u8], size: usize) -> Option<Says> {
    let ip = |at: usize| -> Option<IpAddr> {
        let bytes = body.get(at..at + size)?;
        Some(match size {
            4 => IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?),
            _ => IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?),
        })
    };
    let port = |at: usize| -> Option<u16> {
        let bytes = body.get(at..at + 2)?;
        Some(u16::from_be_bytes([bytes[0], bytes[1]]))
    };
    Some(Says::Tcp {
        source: SocketAddr::new(ip(0)?, port(2 * size)?),
        destination: SocketAddr::new(ip(size)?, port(2 * size + 2)?),
    })
}

fn v2_tlvs(mut rest: &[u8]) -> Result<Vec<Tlv>, &'static str> {
    let mut tlvs = Vec::new();
    while !rest.is_empty() {
        let [kind, high, low, ..] = *rest else {
            return Err("a v2 TLV is cut short");
        };
        let len = usize::from(u16::from_be_bytes([high, low]));
        let value = rest
            .get(3..3 + len)
            .ok_or("a v2 TLV is longer than the header")?;
        tlvs.push(match kind {
            0x01 => Tlv::Alpn(value.to_vec()),
            0x02 => Tlv::Authority(value.to_vec()),
            0x03 => match <[u8; 4]>::try_from(value) {
                Ok(crc) => Tlv::Crc32c(u32::from_be_bytes(crc)),
                Err(_) => return Err("a v2 CRC32C TLV is not 4 bytes"),
            },
            0x04 => Tlv::Noop(len),
            0x05 => Tlv::UniqueId(value.to_vec()),
            0x20 => match *value {
                [client, a, b, c, d, ..] => Tlv::Ssl {
                    client,
                    verify: u32::from_be_bytes([a, b, c, d]),
                },
                _ => return Err("a v2 SSL TLV is shorter than 5 bytes"),
            },
            0x30 => Tlv::Netns(value.to_vec()),
            kind => Tlv::Other { kind, len },
        });
        rest = &rest[3 + len..];
    }
    Ok(tlvs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Captured from Debian's haproxy 2.6 (`server s 127.0.0.1:B send-proxy`
    // and `send-proxy-v2`, curl to its `listen`, `nc -l` on B): the
    // headers it put in front of curl's request.
    const HAPROXY_V1: &[u8] = b"PROXY TCP4 127.0.0.1 127.0.0.1 33290 18401\r\n";
    const HAPROXY_V1_TCP6: &[u8] = b"PROXY TCP6 ::1 ::1 50414 18405\r\n";
    const HAPROXY_V2: &[u8] = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c\
        \x7f\x00\x00\x01\x7f\x00\x00\x01\x93\xe0\x47\xe2";
    /// `send-proxy-v2 proxy-v2-options unique-id`, `unique-id-format abc123`.
    const HAPROXY_V2_UNIQUE_ID: &[u8] = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x15\
        \x7f\x00\x00\x01\x7f\x00\x00\x01\xd4\xce\x47\xe3\x05\x00\x06abc123";
    /// A `listen` on [::1] in front of a server on [::1].
    const HAPROXY_V2_TCP6: &[u8] = b"\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x24\
        \0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\xb4\xc4\x47\xe4";

    fn tcp(source: &str, destination: &str) -> Says {
        Says::Tcp {
            source: source.parse().unwrap(),
            destination: destination.parse().unwrap(),
        }
    }

    fn complete(bytes: &[u8]) -> (Header, usize) {
        match decode(bytes) {
            Decoded::Complete(header, used) => (header, used),
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn haproxy_headers_decode_and_leave_the_request_after_them() {
        let request = b"GET / HTTP/1.1\r\n";
        for (captured, version, says, tlvs) in [
            (
                HAPROXY_V1,
                1,
                tcp("127.0.0.1:33290", "127.0.0.1:18401"),
                vec![],
            ),
            (
                HAPROXY_V1_TCP6,
                1,
                tcp("[::1]:50414", "[::1]:18405"),
                vec![],
            ),
            (
                HAPROXY_V2,
                2,
                tcp("127.0.0.1:37856", "127.0.0.1:18402"),
                vec![],
            ),
            (
                HAPROXY_V2_UNIQUE_ID,
                2,
                tcp("127.0.0.1:54478", "127.0.0.1:18403"),
                vec![Tlv::UniqueId(b"abc123".to_vec())],
            ),
            (
                HAPROXY_V2_TCP6,
                2,
                tcp("[::1]:46276", "[::1]:18404"),
                vec![],
            ),
        ] {
            let bytes = [captured, request].concat();
            let (header, used) = complete(&bytes);
            assert_eq!(used, captured.len());
            assert_eq!(header.version, version);
            assert_eq!(header.says, says);
            assert_eq!(header.tlvs, tlvs);
            // Every shorter prefix asks for more.
            for cut in 0..captured.len() {
                assert_eq!(decode(&captured[..cut]), Decoded::NeedMore, "{cut}");
            }
        }
    }

    #[test]
    fn unknown_local_and_tlvs() {
        let (header, used) = complete(b"PROXY UNKNOWN\r\n");
        assert_eq!((header.says, used), (Says::Unknown, 15));
        let (header, _) = complete(b"PROXY UNKNOWN anything at all\r\n");
        assert_eq!(header.says, Says::Unknown);

        // LOCAL with no addresses: a health check.
        let local = b"\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00";
        assert_eq!(complete(local), (header_of(Says::Local, vec![]), 16));

        // ALPN, AUTHORITY, NOOP, SSL and an unknown type, after TCP4.
        let mut v2 = HAPROXY_V2.to_vec();
        let tlvs = b"\x01\x00\x02h2\x02\x00\x0bexample.com\x04\x00\x01\x00\
            \x20\x00\x05\x07\x00\x00\x00\x00\xe0\x00\x02ab";
        v2[15] += tlvs.len() as u8;
        v2.extend_from_slice(tlvs);
        let (header, used) = complete(&v2);
        assert_eq!(used, v2.len());
        assert_eq!(
            header.tlvs,
            [
                Tlv::Alpn(b"h2".to_vec()),
                Tlv::Authority(b"example.com".to_vec()),
                Tlv::Noop(1),
                Tlv::Ssl {
                    client: 7,
                    verify: 0
                },
                Tlv::Other { kind: 0xe0, len: 2 },
            ]
        );
    }

    fn header_of(says: Says, tlvs: Vec<Tlv>) -> Header {
        Header {
            version: 2,
            says,
            tlvs,
        }
    }

    #[test]
    fn malformed_headers_are_invalid() {
        for bad in [
            &b"PROXY TCP4 127.0.0.1 127.0.0.1 33290 18401\n"[..],
            b"PROXY TCP4  127.0.0.1 127.0.0.1 33290 18401\r\n",
            b"PROXY TCP4 127.0.0.1 127.0.0.1 33290 18401 \r\n",
            b"PROXY TCP4 127.0.0.1 127.0.0.1 33290\r\n",
            b"PROXY TCP4 ::1 ::1 33290 18401\r\n",
            b"PROXY TCP6 127.0.0.1 127.0.0.1 33290 18401\r\n",
            b"PROXY TCP4 127.0.0.1 127.0.0.1 65536 1\r\n",
            b"PROXY TCP4 127.0.0.1 127.0.0.1 -1 1\r\n",
            b"PROXY TCP4 127.0.0.1 127.0.0.1 123456 1\r\n",
            b"PROXY TCP4 1.2.3 1.2.3.4 1 1\r\n",
            b"PROXY UDP4 1.2.3.4 1.2.3.4 1 1\r\n",
            b"PROXY UNKNOWNX\r\n",
            b"PROXY \r\n",
        ] {
            assert!(
                matches!(decode(bad), Decoded::Invalid(_)),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // No CRLF within 107 bytes.
        let long = [&b"PROXY UNKNOWN "[..], &[b'x'; 100]].concat();
        assert!(matches!(decode(&long), Decoded::Invalid(_)));

        let v2 = |version_command: u8, family: u8, len: u16| {
            let mut bytes = V2_SIGNATURE.to_vec();
            bytes.extend([version_command, family]);
            bytes.extend(len.to_be_bytes());
            bytes.extend(vec![0; usize::from(len)]);
            bytes
        };
        for bad in [
            v2(0x11, 0x11, 12), // version 1
            v2(0x22, 0x11, 12), // command 2
            v2(0x21, 0x11, 11), // too short for TCP4
            v2(0x21, 0x21, 12), // too short for TCP6
            v2(0x21, 0x41, 12), // no such family
            v2(0x21, 0x11, 1025),
            v2(0x21, 0x11, 14), // a TLV cut short
        ] {
            assert!(matches!(decode(&bad), Decoded::Invalid(_)), "{bad:?}");
        }
        // A TLV longer than what is left.
        let mut bytes = v2(0x21, 0x11, 15);
        bytes[28..31].copy_from_slice(b"\x05\x00\x09");
        assert!(matches!(decode(&bytes), Decoded::Invalid(_)));
        assert!(matches!(decode(b"GET / HTTP/1.1\r\n"), Decoded::Invalid(_)));
    }

    #[test]
    fn prefixes_could_be_a_header() {
        assert!(could_be(b""));
        assert!(could_be(b"PRO"));
        assert!(could_be(b"\r\n\r\n"));
        assert!(could_be(b"PROXY TCP4"));
        assert!(!could_be(b"PRI * HTTP/2.0"));
        assert!(!could_be(b"\r\nGET"));
        assert!(!has_signature(b"PROXY"));
        assert!(has_signature(b"PROXY TCP4"));
    }

    proptest! {
        /// Whatever the bytes, decoding ends, within its bounds, and a
        /// header is never said to take more bytes than there were.
        #[test]
        fn any_bytes_decode_within_bounds(bytes in proptest::collection::vec(any::<u8>(), 0..1200),
                                          v2 in any::<bool>()) {
            let start: &[u8] = if v2 { V2_SIGNATURE } else { V1_START };
            for input in [&bytes[..], &[start, &bytes].concat()] {
                match decode(input) {
                    Decoded::Complete(_, used) => {
                        prop_assert!(used <= input.len());
                        prop_assert!(used <= V2_FIXED + V2_MAX_BODY);
                    }
                    Decoded::NeedMore => prop_assert!(input.len() < V2_FIXED + V2_MAX_BODY),
                    Decoded::Invalid(_) => {}
                }
            }
        }
    }
}
