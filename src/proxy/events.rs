//! The lines a PROXY protocol header gets: what it says, or why it is no
//! header. Their words and their JSON are here, beside the decoder that
//! finds the facts (`proxy.rs`); `log.rs` only prints them. [`Via`], the
//! words for who sent a connection's bytes, is here too: the HTTP page
//! says it the same way.

use std::fmt;
use std::net::SocketAddr;

use serde::{Serialize, Serializer};

use super::{Says, Tlv};
use crate::log::{self, Line};
use crate::show::{first_entries, write_first, Escaped, PREVIEW_BYTES};

/// What the log says about a PROXY header. In JSON, each variant's
/// `event` name is the one it had before it came here (`proxy_header`,
/// ...).
#[derive(Debug, Serialize)]
#[serde(tag = "event")]
pub enum Event<'a> {
    /// A PROXY protocol header came first: what it says, and the TCP
    /// peer that sent it (`via`).
    #[serde(rename = "proxy_header")]
    Header {
        version: u8,
        #[serde(serialize_with = "as_says")]
        says: &'a Says,
        via: SocketAddr,
        /// In JSON, `tlvs` (the first `LIST_SHOWN`, each as the text line
        /// words it) and `tlvs_not_shown`.
        #[serde(flatten, serialize_with = "as_tlv_names")]
        tlvs: &'a [Tlv],
    },
    /// Bytes that start with a PROXY signature but are no valid header.
    #[serde(rename = "proxy_invalid")]
    Invalid { reason: &'a str },
    /// A PROXY header that stopped coming: the client ended (`ended`), or
    /// nothing more came within the sniffing wait.
    #[serde(rename = "proxy_cut")]
    Cut { got: usize, ended: bool },
    /// `--proxy-protocol require`, and the first bytes are no PROXY header.
    #[serde(rename = "proxy_missing")]
    Missing,
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::Proxy(event)
    }
}

impl Line for Event<'_> {}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Header {
                version,
                says,
                via,
                tlvs,
            } => header(f, *version, says, *via, tlvs),
            Event::Invalid { reason } => {
                write!(f, "PROXY header malformed: {reason}; closing")
            }
            Event::Cut { got, ended } => {
                let why = if *ended {
                    "the client ended"
                } else {
                    "nothing more came within 1s"
                };
                write!(
                    f,
                    "PROXY header incomplete after {got} bytes: {why}; closing"
                )
            }
            Event::Missing => {
                f.write_str("no PROXY header first (--proxy-protocol require); closing")
            }
        }
    }
}

/// The words of [`Event::Header`]: who it says the client is, and its
/// TLVs.
fn header(
    f: &mut fmt::Formatter<'_>,
    version: u8,
    says: &Says,
    via: SocketAddr,
    tlvs: &[Tlv],
) -> fmt::Result {
    write!(f, "PROXY v{version} header: from ")?;
    match says {
        Says::Tcp {
            source,
            destination,
        } => write!(
            f,
            "{}; the client connected to {destination}",
            Via {
                proxy_client: Some(*source),
                peer: via,
            }
        )?,
        Says::Unknown => write!(f, "{via} (the TCP peer); UNKNOWN, no client address given")?,
        Says::Local => write!(
            f,
            "{via} (the TCP peer); LOCAL, the proxy's own connection (a health check)"
        )?,
    }
    if tlvs.is_empty() {
        return Ok(());
    }
    f.write_str("; TLVs: ")?;
    write_first(f, tlvs, |f, tlv| write!(f, "{}", TlvShown(tlv)))
}

/// Who sent a connection's bytes: the TCP peer, and, when a PROXY header
/// named one, the client it stands for, each labelled with who claims it.
/// The event line of the header and the HTTP page say it in these words.
pub(crate) struct Via {
    pub proxy_client: Option<SocketAddr>,
    pub peer: SocketAddr,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.proxy_client {
            Some(proxy_client) => write!(
                f,
                "{proxy_client} (says the PROXY header) via {} (the TCP peer)",
                self.peer
            ),
            None => write!(f, "{}", self.peer),
        }
    }
}

/// One v2 TLV by its spec name; a value the client's side chose (a host
/// name, an ID) escaped like any bytes from the wire.
struct TlvShown<'a>(&'a Tlv);

impl fmt::Display for TlvShown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = |f: &mut fmt::Formatter<'_>, name: &str, value: &[u8]| {
            write!(f, "{name} {}", Escaped::preview(value, PREVIEW_BYTES))
        };
        match self.0 {
            Tlv::Alpn(value) => bytes(f, "ALPN", value),
            Tlv::Authority(value) => bytes(f, "AUTHORITY", value),
            Tlv::Crc32c(crc) => write!(f, "CRC32C {crc:#010x}"),
            Tlv::Noop(len) => write!(f, "NOOP ({len} bytes)"),
            Tlv::UniqueId(value) => bytes(f, "UNIQUE_ID", value),
            Tlv::Ssl { client, verify } => {
                write!(f, "SSL (client flags {client:#04x}, verify {verify})")
            }
            Tlv::Netns(value) => bytes(f, "NETNS", value),
            Tlv::Other { kind, len } => write!(f, "type {kind:#04x} ({len} bytes)"),
        }
    }
}

/// A PROXY header's TLVs in JSON: the first `LIST_SHOWN`, each as the
/// text line shows it, and `tlvs_not_shown`.
fn as_tlv_names<S: Serializer>(tlvs: &&[Tlv], s: S) -> Result<S::Ok, S::Error> {
    first_entries(s, "tlvs", "tlvs_not_shown", tlvs, |tlv| {
        TlvShown(tlv).to_string()
    })
}

/// What a PROXY header says, in JSON: `{"source": .., "destination": ..}`
/// for TCP, else `"unknown"` or `"local"`.
fn as_says<S: Serializer>(says: &&Says, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    match says {
        Says::Tcp {
            source,
            destination,
        } => {
            let mut fields = s.serialize_map(Some(2))?;
            fields.serialize_entry("source", source)?;
            fields.serialize_entry("destination", destination)?;
            fields.end()
        }
        Says::Unknown => s.serialize_str("unknown"),
        Says::Local => s.serialize_str("local"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::LIST_SHOWN;

    /// A header with many TLVs names its first LIST_SHOWN, then counts the
    /// rest, in text and JSON.
    #[test]
    fn long_tlv_lists_show_their_first_items_then_how_many_more() {
        let tlvs = vec![Tlv::Noop(0); LIST_SHOWN + 2];
        let says = Says::Local;
        let proxy = Event::Header {
            version: 2,
            says: &says,
            via: "127.0.0.1:1".parse().unwrap(),
            tlvs: &tlvs,
        };
        assert!(proxy.to_string().ends_with("NOOP (0 bytes), … and 2 more"));
        let json = serde_json::to_value(&proxy).unwrap();
        assert_eq!(json["tlvs"].as_array().unwrap().len(), LIST_SHOWN);
        assert_eq!(json["tlvs_not_shown"], 2);
    }
}
