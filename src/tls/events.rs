//! The lines a TLS ClientHello on this plain port gets: what it asked
//! for, or why it could not be read. Their words and their JSON are here,
//! beside the parser that finds the facts (`tls.rs`); `log.rs` only
//! prints them.

use std::fmt;

use serde::{Serialize, Serializer};

use super::version_name;
use crate::log::{self, Line};
use crate::show::{first_entries, write_first, Escaped, NAME_SHOWN};

/// What the log says about a TLS attempt. In JSON, each variant's
/// `event` name is the one it had before it came here (`tls_hello`, ...).
#[derive(Debug, Serialize)]
#[serde(tag = "event")]
pub enum Event<'a> {
    /// A whole TLS ClientHello on this plain port: what it asked for.
    #[serde(rename = "tls_hello")]
    Hello {
        #[serde(serialize_with = "as_version_names")]
        versions: &'a [u16],
        #[serde(serialize_with = "as_sni")]
        sni: Option<&'a str>,
        /// In JSON, `alpn` (the first `LIST_SHOWN`) and `alpn_not_shown`.
        #[serde(flatten, serialize_with = "as_alpn")]
        alpn: &'a [Vec<u8>],
        cipher_suites: usize,
    },
    /// First bytes of a TLS record that are no ClientHello rawnet can read.
    #[serde(rename = "tls_malformed")]
    Malformed { reason: &'a str },
    /// A ClientHello that stopped coming (FIN or deadline) before its
    /// record was whole; `record` is its length, once its header came.
    #[serde(rename = "tls_cut")]
    Cut { got: usize, record: Option<usize> },
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::Tls(event)
    }
}

impl Line for Event<'_> {}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Hello {
                versions,
                sni,
                alpn,
                cipher_suites,
            } => hello(f, versions, *sni, alpn, *cipher_suites),
            Event::Malformed { reason } => write!(
                f,
                "client sent what starts like a TLS ClientHello but {reason}; \
                 this port speaks plain TCP"
            ),
            Event::Cut { got, record } => {
                write!(
                    f,
                    "client sent what starts like a TLS ClientHello but stopped after {got}"
                )?;
                match record {
                    Some(record) => write!(f, " of its {record} bytes"),
                    None => f.write_str(" bytes"),
                }
            }
        }
    }
}

/// The words of [`Event::Hello`]: the newest version offered, the host,
/// the protocols, and what to do instead.
fn hello(
    f: &mut fmt::Formatter<'_>,
    versions: &[u16],
    sni: Option<&str>,
    alpn: &[Vec<u8>],
    cipher_suites: usize,
) -> fmt::Result {
    // The newest version is the one the client hoped for.
    let newest = versions.iter().max().copied().unwrap_or(0);
    write!(f, "client started a {} handshake", VersionName(newest))?;
    if let Some(sni) = sni {
        write!(f, " for {}", Escaped::preview(sni.as_bytes(), NAME_SHOWN))?;
    }
    f.write_str(" (")?;
    if !alpn.is_empty() {
        f.write_str("ALPN ")?;
        write_first(f, alpn, |f, name| {
            write!(f, "{}", Escaped::bare_preview(name, NAME_SHOWN))
        })?;
        f.write_str("; ")?;
    }
    write!(
        f,
        "{cipher_suites} cipher suites); this port speaks plain TCP: \
         use http://, or put TLS in front"
    )
}

/// A TLS version by name (`TLS 1.3`), or its number for one rawnet does
/// not know (a draft, a future version).
struct VersionName(u16);

impl fmt::Display for VersionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match version_name(self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "TLS version 0x{:04x}", self.0),
        }
    }
}

/// TLS versions in JSON: their names, as the text line shows them.
fn as_version_names<S: Serializer>(versions: &&[u16], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(versions.iter().map(|&v| VersionName(v).to_string()))
}

/// A TLS host name in JSON, escaped and cut as the text line shows it;
/// `null` when the hello named none.
fn as_sni<S: Serializer>(sni: &Option<&str>, s: S) -> Result<S::Ok, S::Error> {
    match sni {
        Some(sni) => s.collect_str(&Escaped::bare_preview(sni.as_bytes(), NAME_SHOWN)),
        None => s.serialize_none(),
    }
}

/// ALPN names in JSON: `alpn`, each escaped as `show::as_bare` does, and
/// `alpn_not_shown`.
fn as_alpn<S: Serializer>(list: &&[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    first_entries(s, "alpn", "alpn_not_shown", list, |name| {
        Escaped::bare_preview(name, NAME_SHOWN).to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::LIST_SHOWN;

    /// A host name and protocol names are the client's: escaped, like any
    /// bytes it sent, in JSON as in the text line (serde_json alone would
    /// write `\u001b` for ESC, which a JSON reader turns back into ESC,
    /// and U+202E and NEL as they are).
    #[test]
    fn a_hellos_names_are_escaped_in_text_and_json() {
        let alpn = [b"h2".to_vec(), "\u{85}x".into()];
        let hello = Event::Hello {
            versions: &[0x0304, 0x7f1c],
            sni: Some("a\x1b\u{202e}"),
            alpn: &alpn,
            cipher_suites: 3,
        };
        assert_eq!(
            serde_json::to_string(&hello).unwrap(),
            r#"{"event":"tls_hello","versions":["TLS 1.3","TLS version 0x7f1c"],"sni":"a\\x1b\\xe2\\x80\\xae","alpn":["h2","\\xc2\\x85x"],"alpn_not_shown":0,"cipher_suites":3}"#
        );
        assert_eq!(
            hello.to_string(),
            "client started a TLS version 0x7f1c handshake for \"a\\x1b\\xe2\\x80\\xae\" \
             (ALPN h2, \\xc2\\x85x; 3 cipher suites); this port speaks plain TCP: use http://, \
             or put TLS in front"
        );
    }

    /// A long ALPN list names its first LIST_SHOWN, then counts the rest;
    /// a long host name is cut, in text and JSON.
    #[test]
    fn long_alpn_lists_and_names_are_cut() {
        let alpn = vec![b"h2".to_vec(); LIST_SHOWN + 1];
        let long_name = "x".repeat(NAME_SHOWN + 5);
        let hello = Event::Hello {
            versions: &[0x0304],
            sni: Some(&long_name),
            alpn: &alpn,
            cipher_suites: 1,
        };
        let text = hello.to_string();
        assert!(text.contains("\"...(5 more) (ALPN h2, "), "{text}");
        assert!(
            text.contains(", h2, … and 1 more; 1 cipher suites"),
            "{text}"
        );
        let json = serde_json::to_value(&hello).unwrap();
        assert_eq!(json["alpn_not_shown"], 1);
        assert!(json["sni"].as_str().unwrap().ends_with("x...(5 more)"));
    }
}
