//! The lines HTTP gets: each request answered or refused, a connection
//! that sent none, a client that ended in the middle of one, and with
//! `--trace` what its page points out. Their words and their JSON are
//! here, beside the session that emits them (`http/mod.rs`); `log.rs`
//! only prints them. A response a knob holds back has two lines of its
//! own, in `stream/events.rs`.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Serializer;

use super::notes::Note;
use crate::log::{self, Line, Verbosity};
use crate::show::{Escaped, NAME_SHOWN};

/// How many bytes of a request target its line shows before `...(N
/// more)`: longer than all but made-up URLs (browsers and CDNs start
/// refusing at 8 KiB or so, and most stop well before), and a line stays
/// a few KiB, escapes and all, whatever `--max-head` lets through. The
/// page shows the whole target.
const TARGET_SHOWN: usize = 2048;

/// What the log says about HTTP on a connection. In JSON, each variant's
/// name in snake_case is its `event` (`request`, `ended_mid_request`, ...).
#[derive(Debug, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// A request answered: its line as it came, and the response's status
    /// and size.
    Request {
        number: u64,
        /// The method and target as they came (not as UTF-8: any byte),
        /// shown escaped and cut at `NAME_SHOWN` and `TARGET_SHOWN`.
        #[serde(serialize_with = "as_method")]
        method: &'a [u8],
        #[serde(serialize_with = "as_target")]
        target: &'a [u8],
        minor: u8,
        status: u16,
        reason: &'static str,
        bytes: usize,
        /// The client's address as a PROXY header gave it, if one did:
        /// in JSON, `client` and `claimed_by`, as the text line says
        /// `(says the PROXY header)`; neither without a header.
        #[serde(flatten, serialize_with = "as_proxy_client")]
        proxy_client: Option<SocketAddr>,
    },
    /// A request refused (a 4xx or 5xx of rawnet's own), and why; the
    /// connection closes.
    Refusal {
        number: u64,
        status: u16,
        reason: &'static str,
        problem: &'a str,
    },
    /// No byte of a request came within `--head-timeout`.
    NoRequest {
        #[serde(serialize_with = "crate::log::as_seconds")]
        head_timeout: Duration,
    },
    /// The client ended with part of a request sent.
    EndedMidRequest { unanswered: usize },
    /// `--trace`: what the page points out about a request (in JSON, a
    /// list of the same words).
    RequestNotes {
        number: u64,
        #[serde(serialize_with = "as_note_words")]
        notes: &'a [Note<'a>],
    },
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::Http(event)
    }
}

/// A request's notes are `--trace`'s.
impl Line for Event<'_> {
    fn level(&self) -> Verbosity {
        match self {
            Event::RequestNotes { .. } => Verbosity::Trace,
            _ => Verbosity::Events,
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Request {
                number,
                method,
                target,
                minor,
                status,
                reason,
                bytes,
                proxy_client,
            } => {
                write!(
                    f,
                    "request {number}: {} {} HTTP/1.{minor} -> {status} {reason}, {bytes} bytes",
                    Escaped::bare_preview(method, NAME_SHOWN),
                    Escaped::bare_preview(target, TARGET_SHOWN)
                )?;
                match proxy_client {
                    // This line starts with the TCP peer; the client the
                    // PROXY header named is said too, with who claims it.
                    Some(client) => write!(f, ", for {client} (says the PROXY header)"),
                    None => Ok(()),
                }
            }
            Event::Refusal {
                number,
                status,
                reason,
                problem,
            } => write!(f, "request {number}: -> {status} {reason}: {problem}"),
            Event::NoRequest { head_timeout } => write!(
                f,
                "no request within {}s (--head-timeout)",
                head_timeout.as_secs_f64()
            ),
            Event::EndedMidRequest { unanswered } => write!(
                f,
                "client ended in the middle of a request ({unanswered} bytes unanswered)"
            ),
            Event::RequestNotes { number, notes } => {
                write!(f, "request {number} notes: ")?;
                for (i, note) in notes.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{}", NoteWords(note))?;
                }
                Ok(())
            }
        }
    }
}

/// Request notes in JSON: the words the text line uses, one string each.
fn as_note_words<S: Serializer>(notes: &&[Note], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(notes.iter().map(|note| NoteWords(note).to_string()))
}

/// One request note, in the few words of a `--trace` line.
struct NoteWords<'a>(&'a Note<'a>);

impl fmt::Display for NoteWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Note::Reads(reads) => write!(f, "head in {} reads", reads.count()),
            Note::BareLf { lines } => write!(f, "bare LF line endings ({lines})"),
            Note::Repeated { name, times } => {
                write!(f, "{} repeated ({times} times)", Escaped::bare(name))
            }
            Note::TrailingWhitespace { name } => {
                write!(f, "trailing whitespace in {}", Escaped::bare(name))
            }
            Note::NonAscii { name } => write!(f, "non-ASCII bytes in {}", Escaped::bare(name)),
            Note::AbsoluteForm => f.write_str("absolute-form target"),
            Note::HostDiffers { host, authority } => write!(
                f,
                "Host {} differs from the target's {}",
                Escaped::all(host),
                Escaped::all(authority)
            ),
            Note::H2c => f.write_str("offered h2c, stayed on HTTP/1.1"),
        }
    }
}

/// Who claims a request's `client` in JSON: only a PROXY header names
/// one, and its address is as true as the peer that sent it (rawnet
/// trusts it for nothing), so the JSON says whose word it is, as the
/// text line and the pages do.
const CLAIMED_BY_PROXY_HEADER: &str = "PROXY header";

/// A PROXY header's client in JSON: `client` and `claimed_by`, or no
/// field at all.
fn as_proxy_client<S: Serializer>(client: &Option<SocketAddr>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut fields = s.serialize_map(None)?;
    if let Some(client) = client {
        fields.serialize_entry("client", client)?;
        fields.serialize_entry("claimed_by", CLAIMED_BY_PROXY_HEADER)?;
    }
    fields.end()
}

/// A request's method in JSON, as its text line shows it.
fn as_method<S: Serializer>(method: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&Escaped::bare_preview(method, NAME_SHOWN))
}

/// A request's target in JSON, as its text line shows it.
fn as_target<S: Serializer>(target: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&Escaped::bare_preview(target, TARGET_SHOWN))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request's line, as text and JSON, from bytes that are not UTF-8
    /// and bytes that are (NEL): the same escapes in both.
    #[test]
    fn a_request_line_shows_its_target_escaped_in_text_and_json() {
        let event = Event::Request {
            number: 1,
            method: b"GET",
            target: b"/a\xc2\x85\xff",
            minor: 1,
            status: 200,
            reason: "OK",
            bytes: 10,
            proxy_client: None,
        };
        assert_eq!(
            event.to_string(),
            r"request 1: GET /a\xc2\x85\xff HTTP/1.1 -> 200 OK, 10 bytes"
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["target"], r"/a\xc2\x85\xff");
        assert!(json.get("client").is_none() && json.get("claimed_by").is_none());

        // A target past TARGET_SHOWN is cut, and says how much was.
        let long = vec![b'a'; TARGET_SHOWN + 952];
        let event = Event::Request {
            number: 1,
            method: b"GET",
            target: &long,
            minor: 1,
            status: 200,
            reason: "OK",
            bytes: 10,
            proxy_client: None,
        };
        assert!(event
            .to_string()
            .ends_with("a...(952 more) HTTP/1.1 -> 200 OK, 10 bytes"));
        let json = serde_json::to_value(&event).unwrap();
        let target = json["target"].as_str().unwrap();
        assert_eq!(target.len(), TARGET_SHOWN + "...(952 more)".len());
        assert!(target.ends_with("a...(952 more)"));
    }

    /// A PROXY header's client, in JSON, says whose claim it is.
    #[test]
    fn a_proxy_headers_client_is_labelled_a_claim_in_json() {
        let event = Event::Request {
            number: 1,
            method: b"GET",
            target: b"/",
            minor: 1,
            status: 200,
            reason: "OK",
            bytes: 10,
            proxy_client: Some("192.0.2.1:12345".parse().unwrap()),
        };
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"event":"request","number":1,"method":"GET","target":"/","minor":1,"status":200,"reason":"OK","bytes":10,"client":"192.0.2.1:12345","claimed_by":"PROXY header"}"#
        );
        assert!(event
            .to_string()
            .ends_with(", for 192.0.2.1:12345 (says the PROXY header)"));
    }

    #[test]
    fn request_notes_are_one_trace_line_and_a_json_list() {
        use super::super::notes::Reads;
        let notes = [
            Note::Reads(Reads::default()),
            Note::Repeated {
                name: b"Accept",
                times: 2,
            },
            Note::HostDiffers {
                host: b"a\"b",
                authority: b"c",
            },
            Note::H2c,
        ];
        let event = Event::RequestNotes {
            number: 2,
            notes: &notes,
        };
        assert_eq!(event.level(), Verbosity::Trace);
        assert_eq!(
            event.to_string(),
            "request 2 notes: head in 0 reads; Accept repeated (2 times); \
             Host \"a\\\"b\" differs from the target's \"c\"; offered h2c, stayed on HTTP/1.1"
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event"], "request_notes");
        assert_eq!(json["notes"][1], "Accept repeated (2 times)");
    }
}
