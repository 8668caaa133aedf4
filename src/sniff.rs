//! `--mode auto`: deciding from a connection's first bytes whether the
//! client speaks HTTP, so curl, a browser and nc can share one port; and,
//! in `--mode auto` and `--mode http` alike, spotting what arrives on a
//! plain port but is not plain (a TLS ClientHello, HTTP/2's connection
//! preface).
//!
//! The rule: if the first line is a valid HTTP request line by httparse's
//! reading (`METHOD SP TARGET SP HTTP/x.y`, CRLF or bare LF), or is plainly
//! meant as one because it ends in ` HTTP/...` (so `GET  / HTTP/1.1` gets
//! HTTP's 400, not an echo), or is an HTTP/0.9-style simple request
//! (`GET /` and a line end, see [`lacks_version`]), the connection speaks
//! HTTP; anything else gets the tutorial's echo. A line typed into nc is either one or the other as
//! soon as it arrives. Only first bytes that are still a possible request
//! line with no line end yet (`GET /` and a pause) are waited on, for
//! [`SNIFF_WAIT`] at most, and then echoed.
//!
//! The bytes held back meanwhile may have come in several reads; [`Came`]
//! keeps when each came, so that the HTTP session they go to shows those
//! reads on its page as if it had made them itself.

use std::time::{Duration, Instant};

#[cfg(feature = "h2")]
use crate::h2;
use crate::http::notes::Arrival;

/// How long to wait for the rest of a first line that could still become a
/// request line. Real HTTP clients send the whole head at once; this only
/// matters for a person or a script that sends `GET` and waits.
pub const SNIFF_WAIT: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guess {
    /// A request line: speak HTTP (the HTTP session checks the rest).
    Http,
    /// Not HTTP: the tutorial's echo.
    Echo,
    /// A TLS ClientHello: someone tried `https://` on this plain port.
    #[cfg(feature = "tls")]
    Tls,
    /// HTTP/2's connection preface (`h2.rs`): a client with prior
    /// knowledge, such as `curl --http2-prior-knowledge`.
    #[cfg(feature = "h2")]
    Http2,
    /// Could still be a request line; wait for more.
    NeedMore,
}

/// The reads that brought the bytes held back so far, and when.
#[derive(Debug, Default)]
pub enum Came {
    /// No byte yet.
    #[default]
    Nothing,
    /// One read, at this instant: it ended where the held bytes end.
    Once(Instant),
    /// Several: where each ended, and when, as the HTTP session keeps
    /// them. Boxed, and made only at the second read: the usual client,
    /// whose first read decides, costs nothing for it, and `Protocol`
    /// stays 40 bytes.
    Reads(Box<Arrival>),
}

impl Came {
    /// A read took the held bytes from `held` to `end` bytes long.
    pub fn read(&mut self, held: usize, end: usize, now: Instant) {
        match self {
            Came::Nothing => *self = Came::Once(now),
            Came::Once(first) => {
                let mut reads = Box::<Arrival>::default();
                reads.read(held, *first);
                reads.read(end, now);
                *self = Came::Reads(reads);
            }
            Came::Reads(reads) => reads.read(end, now),
        }
    }

    /// When the first held byte came.
    pub fn since(&self) -> Option<Instant> {
        match self {
            Came::Nothing => None,
            Came::Once(first) => Some(*first),
            Came::Reads(reads) => reads.first(),
        }
    }

    /// The reads, for an HTTP session to start with; `held` is how many
    /// bytes they brought.
    pub fn into_reads(self, held: usize) -> Arrival {
        match self {
            Came::Nothing => Arrival::default(),
            Came::Once(first) => {
                let mut reads = Arrival::default();
                reads.read(held, first);
                reads
            }
            Came::Reads(reads) => *reads,
        }
    }
}

/// How a TLS record carrying a handshake starts: content type 22, then the
/// major version 3. First bytes that are a prefix of this could still be a
/// ClientHello.
pub const TLS_RECORD_START: [u8; 2] = [0x16, 0x03];

/// `--mode http`: HTTP, unless the first bytes are a TLS ClientHello or
/// HTTP/2's preface. Only a preface that arrives whole in the first chunk
/// counts, as every HTTP/2 client sends it: this mode keeps no bytes back
/// (one that comes in pieces is an HTTP/1 request for version 2.0: 505).
pub fn tls_or_http(first: &[u8]) -> Guess {
    if first.is_empty() {
        return Guess::NeedMore;
    }
    not_plain(first).unwrap_or(Guess::Http)
}

/// What the plug-ins recognise in first bytes before HTTP's rules look at
/// them: a TLS ClientHello (`tls.rs`), HTTP/2's preface (`h2.rs`), or the
/// start of either, to wait for.
#[cfg_attr(not(any(feature = "tls", feature = "h2")), allow(unused_variables))]
fn not_plain(first: &[u8]) -> Option<Guess> {
    #[cfg(feature = "tls")]
    if matches!(first, [0x16] | [0x16, 0x03]) {
        return Some(Guess::NeedMore);
    }
    #[cfg(feature = "tls")]
    if is_tls_client_hello(first) {
        return Some(Guess::Tls);
    }
    #[cfg(feature = "h2")]
    if first.starts_with(h2::PREFACE) {
        return Some(Guess::Http2);
    }
    None
}

/// `--mode auto`: guesses from the bytes received so far.
pub fn guess(first: &[u8]) -> Guess {
    if first.is_empty() {
        return Guess::NeedMore;
    }
    // Before the request-line rules: HTTP/2's first line, `PRI *
    // HTTP/2.0`, is meant to look like one to an HTTP/1 server.
    if let Some(guess) = not_plain(first) {
        return guess;
    }
    #[cfg(feature = "h2")]
    if h2::starts_preface(first) {
        return Guess::NeedMore;
    }

    // A header array of length zero: we only care about the request line,
    // and "too many headers" means the line before them was fine.
    let mut req = httparse::Request::new(&mut []);
    match req.parse(first) {
        Ok(httparse::Status::Complete(_)) => Guess::Http,
        Err(_) | Ok(httparse::Status::Partial) if req.version.is_some() => Guess::Http,
        _ if ends_like_a_request_line(first) => Guess::Http,
        _ if lacks_version(first) => Guess::Http,
        Err(_) => Guess::Echo,
        // Methods are upper case by convention (RFC 9110 §9.1); waiting only
        // for those answers `hello` at once.
        Ok(httparse::Status::Partial) if first[0].is_ascii_uppercase() => Guess::NeedMore,
        Ok(httparse::Status::Partial) => Guess::Echo,
    }
}

/// A complete first line whose last word is an HTTP version (any case):
/// `GET / HTTP/2.0`, `GET HTTP/1.1`, `GET / http/1.1`. httparse rejects
/// them, and they deserve HTTP's answer (505 or 400), not an echo.
fn ends_like_a_request_line(first: &[u8]) -> bool {
    let Some(end) = first.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let line = first[..end].strip_suffix(b"\r").unwrap_or(&first[..end]);
    match line.iter().rposition(|&b| b == b' ') {
        Some(space) => {
            let version = &line[space + 1..];
            version.len() > 5 && version[..5].eq_ignore_ascii_case(b"HTTP/")
        }
        None => false,
    }
}

/// The methods of RFC 9110 §9, as a client types them (upper case).
const METHODS: [&[u8]; 9] = [
    b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"CONNECT", b"OPTIONS", b"TRACE", b"PATCH",
];

/// A complete first line that is an HTTP/0.9-style simple request: one of
/// RFC 9110's methods, one space, a target starting with `/` (or `*` for
/// OPTIONS), the line end and nothing else (`GET /\n`, `GET /index.html\r\n`).
/// RFC 9112 has no HTTP/0.9, but this is plainly meant as HTTP by someone
/// who forgot the version, so it deserves a 400 that names what is missing
/// rather than an echo. Leading empty lines are skipped, as httparse does,
/// so the HTTP session's parser can ask the same question of its buffer.
pub fn lacks_version(first: &[u8]) -> bool {
    let start = first
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let Some(end) = first[start..].iter().position(|&b| b == b'\n') else {
        return false;
    };
    let line = &first[start..start + end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(space) = line.iter().position(|&b| b == b' ') else {
        return false;
    };
    let (method, target) = (&line[..space], &line[space + 1..]);
    let target_ok = match target {
        b"*" => method == b"OPTIONS",
        [b'/', rest @ ..] => rest.iter().all(u8::is_ascii_graphic),
        _ => false,
    };
    METHODS.contains(&method) && target_ok
}

/// A TLS record header for a handshake (0x16) of TLS 1.x (0x03 0x00..0x04):
/// what `curl https://...` sends first.
#[cfg(feature = "tls")]
fn is_tls_client_hello(first: &[u8]) -> bool {
    matches!(first, [0x16, 0x03, 0x00..=0x04, ..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_are_http() {
        for first in [
            &b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"[..],
            b"GET / HTTP/1.1\n",
            b"GET / HTTP/1.1\r\n",
            b"POST /x HTTP/1.0\r\nContent-Length: 5\r\n",
            b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
            b"GET / HTTP/2.0\r\n\r\n",
            b"OPTIONS * HTTP/1.1\r\n",
            b"GET HTTP/1.1\r\n",
            b"GET  / HTTP/1.1\r\n",
            b"GET / http/1.1\r\n",
        ] {
            assert_eq!(
                guess(first),
                Guess::Http,
                "{:?}",
                String::from_utf8_lossy(first)
            );
        }
    }

    #[test]
    fn everything_else_is_echo() {
        for first in [
            &b"hello\n"[..],
            b"I am happyGloria.",
            b"abc",
            b"GET  / HTTP/1",
            b"GET is not a request\n",
            // Near misses of a simple request: a word that is not a
            // method, lower case, two spaces, a target that is no path,
            // `*` for a method other than OPTIONS, words after the target.
            b"FETCH /\n",
            b"get /\n",
            b"GET  /\n",
            b"GET index.html\n",
            b"GET *\n",
            b"GET / please\n",
            b"\x00\x01\x02",
            b"\xff\xfe",
        ] {
            assert_eq!(
                guess(first),
                Guess::Echo,
                "{:?}",
                String::from_utf8_lossy(first)
            );
        }
    }

    /// `GET /\n` used to be echoed. It is an HTTP/0.9 simple request: no
    /// one types that but to ask for HTTP, so it now gets HTTP's 400 naming
    /// the missing version (`refusal.rs`), not `You said`.
    #[test]
    fn a_request_line_without_a_version_is_http() {
        for first in [
            &b"GET /\n"[..],
            b"GET /index.html\r\n",
            b"GET /\r\nHost: x\r\n\r\n",
            b"HEAD /a?b=c\n",
            b"OPTIONS *\r\n",
            b"\r\nDELETE /x\n",
        ] {
            assert!(lacks_version(first), "{:?}", String::from_utf8_lossy(first));
            assert_eq!(
                guess(first),
                Guess::Http,
                "{:?}",
                String::from_utf8_lossy(first)
            );
        }
        // Not yet a line: wait for its end, as for any possible request line.
        assert_eq!(guess(b"GET /"), Guess::NeedMore);
        assert!(!lacks_version(b"GET / HTTP/1.1\r\n"));
    }

    #[test]
    fn a_possible_request_line_without_its_end_waits() {
        assert_eq!(guess(b"GET / HTT"), Guess::NeedMore);
        assert_eq!(guess(b"G"), Guess::NeedMore);
        assert_eq!(guess(b"Hello there"), Guess::NeedMore);
    }

    #[cfg(feature = "tls")]
    #[test]
    fn tls_client_hello_is_recognised() {
        for guess in [guess, tls_or_http] {
            assert_eq!(guess(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), Guess::Tls);
        }
        for guess in [guess, tls_or_http] {
            assert_eq!(guess(&[0x16]), Guess::NeedMore);
            assert_eq!(guess(&TLS_RECORD_START), Guess::NeedMore);
        }
        assert_eq!(tls_or_http(b"hello\n"), Guess::Http);
        assert_eq!(tls_or_http(b"\x16hello"), Guess::Http);
    }

    #[test]
    fn held_reads_keep_their_ends_and_times() {
        let (t0, ms) = (Instant::now(), Duration::from_millis);
        let mut came = Came::default();
        assert_eq!(came.since(), None);
        came.read(0, 3, t0);
        // One read is an instant, no allocation.
        assert!(matches!(came, Came::Once(_)));
        came.read(3, 5, t0 + ms(10));
        came.read(5, 9, t0 + ms(20));
        assert_eq!(came.since(), Some(t0));
        let reads = came.into_reads(9);
        assert_eq!(reads.of_head(12).kept, [(3, 0), (5, 10_000), (9, 20_000)]);
        // A first read held alone ended where the held bytes end.
        let reads = Came::Once(t0).into_reads(7);
        assert_eq!(reads.of_head(12).kept, [(7, 0)]);
    }

    #[cfg(feature = "h2")]
    #[test]
    fn the_http2_preface_is_recognised_before_its_request_line() {
        for guess in [guess, tls_or_http] {
            assert_eq!(guess(h2::PREFACE), Guess::Http2);
            assert_eq!(
                guess(&[&h2::PREFACE[..], b"\x00\x00"].concat()),
                Guess::Http2
            );
        }
        // Auto mode waits for the rest of it; HTTP mode keeps nothing back.
        assert_eq!(guess(b"PRI * HTTP/2.0\r\n\r\n"), Guess::NeedMore);
        assert_eq!(tls_or_http(b"PRI * HTTP/2.0\r\n\r\n"), Guess::Http);
        // Not the preface: an HTTP/1 request line for version 2.0.
        assert_eq!(guess(b"PRI * HTTP/2.0\r\n\r\nXY"), Guess::Http);
    }
}
