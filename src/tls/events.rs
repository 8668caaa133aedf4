//! The lines a TLS ClientHello on this plain port gets: what it asked
//! for and its fingerprints, or why it could not be read; with `--trace`,
//! the hello's record dumped and decoded after its line. Their words and
//! their JSON are here, beside the parser that finds the facts
//! (`hello.rs`); `log.rs` only prints them.

use std::fmt;

use serde::{Serialize, Serializer};

use super::{describe, names, ClientHello, Fingerprints, Row};
use crate::log::{self, Layout, Line};
use crate::show::{dump_rows_up_to, first_entries, write_first, Escaped, Hex, NAME_SHOWN};

/// What the log says about a TLS attempt. In JSON, each variant's
/// `event` name is the one it had before it came here (`tls_hello`, ...).
#[derive(Debug, Serialize)]
#[serde(tag = "event")]
pub enum Event<'a> {
    /// A whole TLS ClientHello on this plain port: what it asked for, and
    /// its fingerprints (see [`HelloLine`] for its JSON).
    #[serde(rename = "tls_hello")]
    Hello(HelloLine<'a>),
    /// First bytes of a TLS record that are no ClientHello rawnet can read.
    #[serde(rename = "tls_malformed")]
    Malformed { reason: &'a str },
    /// A ClientHello that stopped coming (FIN or deadline) before its
    /// record was whole; `record` is its length, once its header came.
    #[serde(rename = "tls_cut")]
    Cut { got: usize, record: Option<usize> },
}

impl<'a> Event<'a> {
    /// The line for a whole hello read from `record`; with `traced`
    /// (`--trace`), the record's dump and the hello's rows follow it.
    pub fn hello(hello: &'a ClientHello, record: &'a [u8], traced: bool) -> Self {
        Event::Hello(HelloLine {
            hello,
            record: traced.then_some(record),
            handshake: false,
        })
    }

    /// The same line for a port with `--tls`, where the hello gets a
    /// handshake rather than an alert.
    pub fn answered_with_a_handshake(self) -> Self {
        match self {
            Event::Hello(line) => Event::Hello(HelloLine {
                handshake: true,
                ..line
            }),
            other => other,
        }
    }
}

/// The `tls_hello` line's facts, borrowed: the fingerprints and the rows
/// are made when the line is printed, so a hello nobody logs costs no
/// hashing.
///
/// In JSON: `versions`, `sni`, `alpn`, `alpn_not_shown` and
/// `cipher_suites` (their count) as before, then the [`Fingerprints`]
/// (`ja3`, `ja3_md5`, `ja4`, `ja4_r`, `ja4_o`, `ja4_ro`); with `--trace`,
/// `record` (its first [`RECORD_SHOWN`] bytes in hex) and `decoded` (the
/// rows of [`describe`], each `label`, `items` and `items_not_shown`).
#[derive(Clone, Copy, Debug)]
pub struct HelloLine<'a> {
    pub hello: &'a ClientHello,
    /// The hello's record as it came, when `--trace` shows it.
    pub record: Option<&'a [u8]>,
    /// `--tls`: the hello is answered with a handshake, not an alert.
    pub handshake: bool,
}

/// How much of the record `--trace` dumps: every real hello whole (curl's
/// is 517 bytes, Chromium's with its post-quantum key share about 2,000);
/// a made-up one of up to 18 KiB ([`super::MAX_RECORD`]) is cut, as any
/// dump is, so that one hello cannot make some 90 KB of log.
pub(crate) const RECORD_SHOWN: usize = 4096;

/// How many items of one row `--trace` names before `… and N more`: more
/// than real clients send (Node 20's 59 cipher suites are the most seen
/// here; curl sends 31), so a real hello is shown whole.
pub(crate) const ITEMS_SHOWN: usize = 64;

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::Tls(event)
    }
}

/// A traced hello is its line, then the lines of its dump and its rows.
impl Line for Event<'_> {
    fn layout(&self) -> Layout {
        match self {
            Event::Hello(HelloLine {
                record: Some(_), ..
            }) => Layout::LineThenBlock,
            _ => Layout::Line,
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Hello(line) => {
                hello(f, line.hello, line.handshake)?;
                match line.record {
                    Some(record) => trace(f, line.hello, record),
                    None => Ok(()),
                }
            }
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
/// the protocols, what to do instead, and the fingerprints.
fn hello(f: &mut fmt::Formatter<'_>, hello: &ClientHello, handshake: bool) -> fmt::Result {
    // The newest version is the one the client hoped for.
    let newest = hello.offered_versions().into_iter().max().unwrap_or(0);
    write!(f, "client started a {} handshake", VersionName(newest))?;
    if let Some(sni) = &hello.sni {
        write!(f, " for {}", Escaped::preview(sni.as_bytes(), NAME_SHOWN))?;
    }
    f.write_str(" (")?;
    if !hello.alpn.is_empty() {
        f.write_str("ALPN ")?;
        write_first(f, &hello.alpn, |f, name| {
            write!(f, "{}", Escaped::bare_preview(name, NAME_SHOWN))
        })?;
        f.write_str("; ")?;
    }
    let fingerprints = Fingerprints::of(hello);
    let then = match handshake {
        true => "answered with a handshake (--tls)",
        false => "this port speaks plain TCP: use http://, or put TLS in front",
    };
    write!(
        f,
        "{} cipher suites); {then}; JA4 {}, JA3 {}",
        hello.cipher_suites.len(),
        fingerprints.ja4,
        fingerprints.ja3_md5
    )
}

/// `--trace`'s lines after the hello's: the record in a hex dump, then
/// the hello decoded, one row a line.
fn trace(f: &mut fmt::Formatter<'_>, hello: &ClientHello, record: &[u8]) -> fmt::Result {
    write!(f, "\n  the ClientHello record, {} bytes:", record.len())?;
    for row in dump_rows_up_to(record, RECORD_SHOWN) {
        write!(f, "\n  {row}")?;
    }
    if record.len() > RECORD_SHOWN {
        write!(f, "\n  … and {} more bytes", record.len() - RECORD_SHOWN)?;
    }
    f.write_str("\n  decoded:")?;
    for Row { label, items } in describe(hello) {
        write!(f, "\n    {label}: ")?;
        if items.is_empty() {
            f.write_str("(none)")?;
        }
        let (shown, more) = first(&items);
        f.write_str(&shown.join(", "))?;
        if more > 0 {
            write!(f, ", … and {more} more")?;
        }
    }
    Ok(())
}

/// A row's first [`ITEMS_SHOWN`] items, and how many more there are.
fn first(items: &[String]) -> (&[String], usize) {
    let shown = items.len().min(ITEMS_SHOWN);
    (&items[..shown], items.len() - shown)
}

impl Serialize for HelloLine<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let hello = self.hello;
        HelloJson {
            versions: &hello.offered_versions(),
            sni: hello.sni.as_deref(),
            alpn: &hello.alpn,
            cipher_suites: hello.cipher_suites.len(),
            fingerprints: Fingerprints::of(hello),
            record: self.record,
            decoded: self.record.map(|_| describe(hello)),
            answer: if self.handshake { "handshake" } else { "alert" },
        }
        .serialize(s)
    }
}

/// [`HelloLine`] in JSON, field by field.
#[derive(Serialize)]
struct HelloJson<'a> {
    #[serde(serialize_with = "as_version_names")]
    versions: &'a [u16],
    #[serde(serialize_with = "as_sni")]
    sni: Option<&'a str>,
    /// `alpn` (the first `LIST_SHOWN`) and `alpn_not_shown`.
    #[serde(flatten, serialize_with = "as_alpn")]
    alpn: &'a [Vec<u8>],
    cipher_suites: usize,
    #[serde(flatten)]
    fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_record")]
    record: Option<&'a [u8]>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_rows")]
    decoded: Option<Vec<Row>>,
    /// What the hello gets: `alert` on a plain port, `handshake` with
    /// `--tls`.
    answer: &'static str,
}

/// The traced record in JSON: hex, cut as the dump is.
fn as_record<S: Serializer>(record: &Option<&[u8]>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&Hex::preview(record.unwrap_or_default(), RECORD_SHOWN))
}

/// The traced rows in JSON: each `label`, its first [`ITEMS_SHOWN`]
/// `items`, and `items_not_shown`.
fn as_rows<S: Serializer>(rows: &Option<Vec<Row>>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Shown<'a> {
        label: &'a str,
        items: &'a [String],
        items_not_shown: usize,
    }
    s.collect_seq(rows.iter().flatten().map(|row| {
        let (items, items_not_shown) = first(&row.items);
        Shown {
            label: row.label,
            items,
            items_not_shown,
        }
    }))
}

/// A TLS version by name (`TLS 1.3`), or its number for one rawnet does
/// not know (a draft, a future version).
struct VersionName(u16);

impl fmt::Display for VersionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match names::version(self.0) {
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
    use super::super::hello::{parse, Hello};
    use super::super::samples::CAPTURED;
    use super::*;
    use crate::show::LIST_SHOWN;

    fn line(hello: &ClientHello) -> Event<'_> {
        Event::hello(hello, &[], false)
    }

    /// A host name and protocol names are the client's: escaped, like any
    /// bytes it sent, in JSON as in the text line (serde_json alone would
    /// write `\u001b` for ESC, which a JSON reader turns back into ESC,
    /// and U+202E and NEL as they are).
    #[test]
    fn a_hellos_names_are_escaped_in_text_and_json() {
        let hello = ClientHello {
            legacy_version: 0x0303,
            cipher_suites: vec![0x1301, 0x1302, 0x1303],
            extensions: vec![0x0000, 0x0010, 0x002b],
            sni: Some("a\x1b\u{202e}".into()),
            alpn: vec![b"h2".to_vec(), "\u{85}x".into()],
            versions: vec![0x0304, 0x7f1c],
            ..ClientHello::default()
        };
        let Fingerprints {
            ja3,
            ja3_md5,
            ja4,
            ja4_r,
            ja4_o,
            ja4_ro,
        } = Fingerprints::of(&hello);
        assert_eq!(
            serde_json::to_string(&line(&hello)).unwrap(),
            format!(
                r#"{{"event":"tls_hello","versions":["TLS 1.3","TLS version 0x7f1c"],"sni":"a\\x1b\\xe2\\x80\\xae","alpn":["h2","\\xc2\\x85x"],"alpn_not_shown":0,"cipher_suites":3,"ja3":"{ja3}","ja3_md5":"{ja3_md5}","ja4":"{ja4}","ja4_r":"{ja4_r}","ja4_o":"{ja4_o}","ja4_ro":"{ja4_ro}","answer":"alert"}}"#
            )
        );
        assert_eq!(
            line(&hello).to_string(),
            format!(
                "client started a TLS version 0x7f1c handshake for \"a\\x1b\\xe2\\x80\\xae\" \
                 (ALPN h2, \\xc2\\x85x; 3 cipher suites); this port speaks plain TCP: use http://, \
                 or put TLS in front; JA4 {ja4}, JA3 {ja3_md5}"
            )
        );
        // The newest version is a draft's: JA4 says `00`, and the first
        // protocol's ends are `h2`.
        assert_eq!(ja4_r, "t00d0303h2_1301,1302,1303_002b");
        assert_eq!(ja3, "771,4865-4866-4867,0-16-43,,");
    }

    /// curl's line, word for word, with its fingerprints; in JSON, the
    /// same fingerprints.
    #[test]
    fn curls_line_ends_with_its_fingerprints() {
        let Hello::Complete(hello, _) = parse(CAPTURED[0].1) else {
            panic!("curl's hello")
        };
        let fingerprints = Fingerprints::of(&hello);
        assert_eq!(
            line(&hello).to_string(),
            format!(
                "client started a TLS 1.3 handshake for \"localhost\" (ALPN h2, http/1.1; \
                 31 cipher suites); this port speaks plain TCP: use http://, or put TLS in front; \
                 JA4 {}, JA3 {}",
                fingerprints.ja4, fingerprints.ja3_md5
            )
        );
        let json = serde_json::to_value(line(&hello)).unwrap();
        assert_eq!(json["ja4"], fingerprints.ja4);
        assert_eq!(json["ja4_ro"], fingerprints.ja4_ro);
        assert_eq!(json["ja3"], fingerprints.ja3);
        assert!(json.get("record").is_none() && json.get("decoded").is_none());
        assert_eq!(line(&hello).layout(), Layout::Line);
    }

    /// A long ALPN list names its first LIST_SHOWN, then counts the rest;
    /// a long host name is cut, in text and JSON.
    #[test]
    fn long_alpn_lists_and_names_are_cut() {
        let hello = ClientHello {
            cipher_suites: vec![0x1301],
            sni: Some("x".repeat(NAME_SHOWN + 5)),
            alpn: vec![b"h2".to_vec(); LIST_SHOWN + 1],
            versions: vec![0x0304],
            ..ClientHello::default()
        };
        let text = line(&hello).to_string();
        assert!(text.contains("\"...(5 more) (ALPN h2, "), "{text}");
        assert!(
            text.contains(", h2, … and 1 more; 1 cipher suites"),
            "{text}"
        );
        let json = serde_json::to_value(line(&hello)).unwrap();
        assert_eq!(json["alpn_not_shown"], 1);
        assert!(json["sni"].as_str().unwrap().ends_with("x...(5 more)"));
    }

    /// With `--trace`, the line is followed by the record's dump and the
    /// hello's rows (each line its own, for `#ID` to start); in JSON, by
    /// `record` and `decoded`.
    #[test]
    fn a_traced_hello_is_dumped_and_decoded() {
        let record = CAPTURED[0].1;
        let Hello::Complete(hello, _) = parse(record) else {
            panic!("curl's hello")
        };
        let traced = Event::hello(&hello, record, true);
        assert_eq!(traced.layout(), Layout::LineThenBlock);
        let text = traced.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with(&Fingerprints::of(&hello).ja3_md5));
        assert_eq!(lines[1], "  the ClientHello record, 517 bytes:");
        assert!(
            lines[2].starts_with("    0000  16 03 01 02 00 01 00 01 "),
            "{}",
            lines[2]
        );
        // 517 bytes: 33 rows of 16, the last of 5.
        assert!(lines[34].starts_with("    0200  "), "{}", lines[34]);
        assert_eq!(lines[35], "  decoded:");
        assert_eq!(lines[36], "    record version: TLS 1.0 (0x0301)");
        assert!(lines[39].starts_with(
            "    cipher suites: TLS_AES_256_GCM_SHA384 (0x1302), TLS_CHACHA20_POLY1305_SHA256 (0x1303), "
        ));
        assert!(text.contains("\n    server name: localhost\n    ALPN: h2, http/1.1\n"));
        assert!(
            text.ends_with("\n    PSK modes: psk_dhe_ke (0x01)"),
            "{text}"
        );
        assert_eq!(lines.len(), 36 + 14);

        let json = serde_json::to_value(&traced).unwrap();
        assert!(json["record"]
            .as_str()
            .unwrap()
            .starts_with("16 03 01 02 00 "));
        assert_eq!(json["decoded"][0]["label"], "record version");
        assert_eq!(json["decoded"][3]["items"].as_array().unwrap().len(), 31);
        assert_eq!(json["decoded"][3]["items_not_shown"], 0);
        assert_eq!(json["decoded"][6]["items"][0], "localhost");
    }

    /// A made-up hello of many suites is bounded in the trace: the dump
    /// at RECORD_SHOWN bytes, a row at ITEMS_SHOWN items.
    #[test]
    fn a_traced_hello_is_bounded() {
        let hello = ClientHello {
            cipher_suites: vec![0x1301; ITEMS_SHOWN + 3],
            ..ClientHello::default()
        };
        let record = vec![0u8; RECORD_SHOWN + 10];
        let text = Event::hello(&hello, &record, true).to_string();
        assert!(text.contains("\n  … and 10 more bytes\n"), "{text}");
        assert!(text.contains("(0x1301), … and 3 more\n"), "{text}");
        assert_eq!(text.lines().count(), 1 + 1 + RECORD_SHOWN / 16 + 1 + 1 + 14);
        let json = serde_json::to_value(Event::hello(&hello, &record, true)).unwrap();
        assert!(json["record"]
            .as_str()
            .unwrap()
            .ends_with(" 00 ...(10 more)"));
        assert_eq!(json["decoded"][3]["items_not_shown"], 3);
    }
}
