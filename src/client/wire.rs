//! Reading responses off the wire: the client side's view, used by
//! `rawnet client --http`, `rawnet bench`, the tests and the fuzzer. It
//! lives with the client, not in `http/`, because the server never reads a
//! response.
//!
//! Written by hand rather than with httparse, so that checking the server's
//! responses does not lean on the parser the server itself uses. It is
//! strict where a lenient client would guess: every line ends in CRLF, the
//! version is HTTP/1.1, and every response says where it ends, with exactly
//! one Content-Length or `Transfer-Encoding: chunked` (RFC 9112 §6.3; a
//! `?drip` is chunked), except those that have no body by definition: 1xx,
//! 204, 304, and any answer to HEAD. A body that ends with the connection
//! (a `?drip` to HTTP/1.0) is not taken: read its head with `head_only`.
//!
//! [`split`] is a pure function over the bytes received so far, so the same
//! code serves a socket read by read (bench, tests) and a finished buffer
//! ([`split_closed`]: the property tests and the fuzzer).

use std::fmt;

use crate::show::Escaped;

/// The longest head this reader waits for. rawnet's own heads are a few
/// hundred bytes; without a limit, a peer that never sends the empty line
/// would make the reader buffer for ever.
pub const MAX_HEAD: usize = 64 * 1024;

/// The one version every response must carry, with the space after it.
const VERSION: &[u8] = b"HTTP/1.1 ";

/// One response taken off the wire. Everything borrows from the buffer it
/// was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response<'a> {
    pub status: u16,
    /// The reason phrase after the status code (`OK`); may be empty.
    pub reason: &'a str,
    /// The head exactly as received, its final CRLF CRLF included. Checked
    /// to be printable ASCII, so it is a `str`.
    pub head: &'a str,
    /// Every header line in order, name and value as they were sent (the
    /// spaces around a value are not part of it, RFC 9110 §5.5).
    pub headers: Vec<(&'a str, &'a str)>,
    /// Content-Length bytes; empty for 1xx, 204, 304 and HEAD. A chunked
    /// body as it crossed the wire, framing included: its data is in
    /// `chunks`.
    pub body: &'a [u8],
    /// A chunked body's chunks, the data of each without its framing, in
    /// order (empty when the body is not chunked). A `?drip` sends one a
    /// line.
    pub chunks: Vec<&'a [u8]>,
}

impl<'a> Response<'a> {
    /// The first header of that name, whatever its case.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }

    /// `HTTP/1.1 200 OK`, for messages.
    pub fn status_line(&self) -> &'a str {
        self.head.split("\r\n").next().unwrap_or_default()
    }
}

/// What is wrong with bytes that should have been a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The bytes do not begin with `HTTP/`: not a response at all (an echo
    /// server's reply, say). `start` is the beginning, escaped.
    NoStatusLine { start: String },
    /// `HTTP/` followed by something other than `1.1 `.
    NotHttp11 { start: String },
    /// `HTTP/1.1 ` but not followed by a status code 100 to 599 and a space.
    BadStatusLine { line: String },
    /// A LF without the CR before it, at this offset of the response.
    BareLf { at: usize },
    /// A CR not followed by LF.
    BareCr { at: usize },
    /// A byte that has no place in a head: not printable ASCII, not a tab.
    NotText { at: usize, byte: u8 },
    /// No empty line within [`MAX_HEAD`] bytes.
    HeadTooLarge,
    /// A header line without a colon.
    NoColon { line: String },
    /// A header name that is empty or not a token (a space before the
    /// colon, or a line folded onto the one before it).
    BadHeaderName { line: String },
    /// A `Transfer-Encoding` other than one `chunked`, or with a
    /// Content-Length too: either could be read two ways.
    TransferEncoding,
    /// A chunk whose size line is not 1 to 16 hex digits and CRLF, whose
    /// data is not followed by CRLF, or a trailer line without CRLF; `at`
    /// is the offset in the body.
    BadChunk { at: usize },
    /// A response that needs a Content-Length and has none.
    MissingContentLength { status: u16 },
    /// A Content-Length that is not plain decimal digits (`+5`, `5, 5`, too
    /// large).
    InvalidContentLength { value: String },
    /// Two Content-Length headers: which one frames the body?
    DuplicateContentLength,
    /// A Content-Length on a 1xx or 204, which must not have one (RFC 9110
    /// §8.6).
    LengthNotAllowed { status: u16 },
    /// The bytes ended before the empty line ([`split_closed`] only).
    UnfinishedHead { got: usize },
    /// The bytes ended inside the body ([`split_closed`] only).
    BodyShorter { expected: usize, got: usize },
    /// The bytes ended inside a chunked body, before its last chunk
    /// ([`split_closed`] only).
    UnfinishedChunks { got: usize },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NoStatusLine { start } => {
                write!(f, "no status line: the reply starts {start}")
            }
            Problem::NotHttp11 { start } => write!(f, "not HTTP/1.1: {start}"),
            Problem::BadStatusLine { line } => write!(
                f,
                "bad status line {line}: expected `HTTP/1.1 NNN reason`, NNN from 100 to 599"
            ),
            Problem::BareLf { at } => {
                write!(f, "a bare LF in the head at byte {at}: lines end in CRLF")
            }
            Problem::BareCr { at } => write!(f, "a bare CR in the head at byte {at}"),
            Problem::NotText { at, byte } => write!(
                f,
                "byte 0x{byte:02x} in the head at byte {at}: heads are printable ASCII"
            ),
            Problem::HeadTooLarge => write!(f, "no end of the head within {MAX_HEAD} bytes"),
            Problem::NoColon { line } => write!(f, "a header line without a colon: {line}"),
            Problem::BadHeaderName { line } => {
                write!(f, "an empty or invalid header name: {line}")
            }
            Problem::TransferEncoding => write!(
                f,
                "a Transfer-Encoding that is not one `chunked` without a Content-Length"
            ),
            Problem::BadChunk { at } => write!(
                f,
                "bad chunk framing at byte {at} of the body: expected a size of 1 to 16 hex \
                 digits and CRLF, the data, CRLF"
            ),
            Problem::MissingContentLength { status } => {
                write!(f, "a {status} response without Content-Length")
            }
            Problem::InvalidContentLength { value } => {
                write!(f, "an invalid Content-Length {value}")
            }
            Problem::DuplicateContentLength => write!(f, "more than one Content-Length"),
            Problem::LengthNotAllowed { status } => {
                write!(
                    f,
                    "a {status} response with a Content-Length or Transfer-Encoding, \
                     which it must not have"
                )
            }
            Problem::UnfinishedHead { got } => write!(
                f,
                "the bytes end inside a response head ({got} bytes, no empty line)"
            ),
            Problem::BodyShorter { expected, got } => write!(
                f,
                "a body shorter than its Content-Length ({got} of {expected} bytes)"
            ),
            Problem::UnfinishedChunks { got } => write!(
                f,
                "the bytes end inside a chunked body ({got} bytes, no last chunk)"
            ),
        }
    }
}

impl std::error::Error for Problem {}

/// Takes the first response off `buf`: `Some((response, bytes it used))`,
/// or `None` while it is right so far but incomplete (read more, call
/// again). `head_only` says the request was HEAD: the response has no body,
/// whatever its Content-Length says.
///
/// A wrong start is reported as soon as it arrives, not only once the whole
/// head is there, so a client reading an echo server's reply fails at once.
pub fn split(buf: &[u8], head_only: bool) -> Result<Option<(Response<'_>, usize)>, Problem> {
    match take(buf, head_only)? {
        Taken::Whole(response, used) => Ok(Some((response, used))),
        Taken::NeedHead | Taken::NeedBody { .. } | Taken::NeedChunks { .. } => Ok(None),
    }
}

/// [`split`] for bytes that will not grow (the connection closed, or a
/// finished in-memory run): being incomplete is a problem too.
pub fn split_closed(buf: &[u8], head_only: bool) -> Result<(Response<'_>, usize), Problem> {
    match take(buf, head_only)? {
        Taken::Whole(response, used) => Ok((response, used)),
        Taken::NeedHead => Err(Problem::UnfinishedHead { got: buf.len() }),
        Taken::NeedBody { expected, got } => Err(Problem::BodyShorter { expected, got }),
        Taken::NeedChunks { got } => Err(Problem::UnfinishedChunks { got }),
    }
}

/// How far [`take`] got.
enum Taken<'a> {
    Whole(Response<'a>, usize),
    NeedHead,
    NeedBody { expected: usize, got: usize },
    NeedChunks { got: usize },
}

fn take(buf: &[u8], head_only: bool) -> Result<Taken<'_>, Problem> {
    check_start(buf)?;
    let Some(head_len) = head_length(buf)? else {
        return Ok(Taken::NeedHead);
    };
    let head = std::str::from_utf8(&buf[..head_len]).map_err(|err| {
        let at = err.valid_up_to();
        Problem::NotText { at, byte: buf[at] }
    })?;
    // Without the final CRLF CRLF, every line is whole.
    let mut lines = head[..head_len - 4].split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let (status, reason) = status(status_line)?;
    let headers = lines.map(header).collect::<Result<Vec<_>, _>>()?;
    let body_len = match body_length(status, &headers, head_len, head_only)? {
        Length::Bytes(n) => n,
        Length::Chunked => {
            let body = &buf[head_len..];
            let Some((chunks, used)) = take_chunks(body)? else {
                return Ok(Taken::NeedChunks { got: body.len() });
            };
            let used = head_len + used;
            let response = Response {
                status,
                reason,
                head,
                headers,
                body: &buf[head_len..used],
                chunks,
            };
            return Ok(Taken::Whole(response, used));
        }
    };
    let got = buf.len() - head_len;
    if got < body_len {
        return Ok(Taken::NeedBody {
            expected: body_len,
            got,
        });
    }
    let used = head_len + body_len;
    Ok(Taken::Whole(
        Response {
            status,
            reason,
            head,
            headers,
            body: &buf[head_len..used],
            chunks: Vec::new(),
        },
        used,
    ))
}

/// A chunked body's chunks, and its length on the wire.
type Chunks<'a> = (Vec<&'a [u8]>, usize);

/// A chunked body's chunks and its length on the wire, once its last chunk
/// and trailer section have come (RFC 9112 §7.1); `None` until then. Strict
/// as the rest: no chunk extensions (rawnet sends none), CRLF everywhere.
fn take_chunks(body: &[u8]) -> Result<Option<Chunks<'_>>, Problem> {
    let mut chunks = Vec::new();
    let mut at = 0;
    loop {
        let Some(line) = crlf_line(body, at)? else {
            return Ok(None);
        };
        let digits = &body[at..at + line];
        let bad = Problem::BadChunk { at };
        if digits.is_empty() || digits.len() > 16 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(bad);
        }
        let size = digits.iter().fold(0u64, |n, &d| {
            n << 4 | u64::from(char::from(d).to_digit(16).unwrap_or(0))
        });
        at += line + 2;
        if size == 0 {
            break;
        }
        let size = usize::try_from(size).map_err(|_| bad.clone())?;
        let end = at.checked_add(size).ok_or(bad.clone())?;
        if body.len() < end + 2 {
            return Ok(None);
        }
        if &body[end..end + 2] != b"\r\n" {
            return Err(Problem::BadChunk { at: end });
        }
        chunks.push(&body[at..end]);
        at = end + 2;
    }
    // The trailer section: header lines, then an empty line.
    loop {
        let Some(line) = crlf_line(body, at)? else {
            return Ok(None);
        };
        at += line + 2;
        if line == 0 {
            return Ok(Some((chunks, at)));
        }
    }
}

/// The length of the line starting at `at`, once its CRLF has come. A
/// line longer than [`MAX_HEAD`] is given up, as a head would be.
fn crlf_line(body: &[u8], at: usize) -> Result<Option<usize>, Problem> {
    let rest = &body[at.min(body.len())..];
    match rest.windows(2).position(|w| w == b"\r\n") {
        Some(len) if len <= MAX_HEAD => Ok(Some(len)),
        None if rest.len() <= MAX_HEAD => Ok(None),
        _ => Err(Problem::BadChunk { at }),
    }
}

/// Fails as soon as the first bytes cannot be the start of `HTTP/1.1 `.
fn check_start(buf: &[u8]) -> Result<(), Problem> {
    let n = buf.len().min(VERSION.len());
    if buf[..n] == VERSION[..n] {
        return Ok(());
    }
    let start = Escaped::preview(first_line(buf), 40).to_string();
    if buf[..n.min(5)] == VERSION[..n.min(5)] {
        Err(Problem::NotHttp11 { start })
    } else {
        Err(Problem::NoStatusLine { start })
    }
}

fn first_line(buf: &[u8]) -> &[u8] {
    let end = buf
        .iter()
        .position(|&b| b == b'\n')
        .map_or(buf.len(), |i| i + 1);
    &buf[..end]
}

/// The length of the head, CRLF CRLF included, once it has all arrived.
/// Bare CR, bare LF and bytes that are not text fail as soon as they are
/// seen.
fn head_length(buf: &[u8]) -> Result<Option<usize>, Problem> {
    let mut line_start = 0;
    let mut i = 0;
    while i < buf.len() && i < MAX_HEAD {
        match buf[i] {
            b'\r' => match buf.get(i + 1) {
                // The LF may be in the next read.
                None => return Ok(None),
                Some(b'\n') if i == line_start => return Ok(Some(i + 2)),
                Some(b'\n') => {
                    i += 2;
                    line_start = i;
                }
                Some(_) => return Err(Problem::BareCr { at: i }),
            },
            b'\n' => return Err(Problem::BareLf { at: i }),
            b'\t' | b' '..=b'~' => i += 1,
            byte => return Err(Problem::NotText { at: i, byte }),
        }
    }
    if i >= MAX_HEAD {
        return Err(Problem::HeadTooLarge);
    }
    Ok(None)
}

/// `HTTP/1.1 200 OK` into `(200, "OK")`.
fn status(line: &str) -> Result<(u16, &str), Problem> {
    let bad = || Problem::BadStatusLine {
        line: Escaped::preview(line.as_bytes(), 60).to_string(),
    };
    // `check_start` saw the version; the code is three digits, then a space
    // even when the reason is empty (RFC 9112 §4).
    let rest = line.get(VERSION.len()..).ok_or_else(bad)?;
    let (code, reason) = rest.split_at_checked(3).ok_or_else(bad)?;
    let reason = reason.strip_prefix(' ').ok_or_else(bad)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match code.parse::<u16>() {
        Ok(status @ 100..=599) => Ok((status, reason)),
        _ => Err(bad()),
    }
}

/// `Name: value` into `("Name", "value")`.
fn header(line: &str) -> Result<(&str, &str), Problem> {
    let shown = || Escaped::preview(line.as_bytes(), 60).to_string();
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| Problem::NoColon { line: shown() })?;
    if name.is_empty() || !name.bytes().all(is_token) {
        return Err(Problem::BadHeaderName { line: shown() });
    }
    Ok((name, value.trim_matches([' ', '\t'])))
}

/// RFC 9110 §5.6.2 `tchar`: what a header name is made of.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// How a body's end is known.
enum Length {
    Bytes(usize),
    Chunked,
}

/// How many body bytes follow the head, or that chunks do.
fn body_length(
    status: u16,
    headers: &[(&str, &str)],
    head_len: usize,
    head_only: bool,
) -> Result<Length, Problem> {
    let mut codings = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
        .map(|&(_, v)| v);
    let chunked = match (codings.next(), codings.next()) {
        (None, _) => false,
        (Some(coding), None) if coding.eq_ignore_ascii_case("chunked") => true,
        _ => return Err(Problem::TransferEncoding),
    };
    let mut lengths = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|&(_, v)| v);
    let length = lengths.next();
    if lengths.next().is_some() {
        return Err(Problem::DuplicateContentLength);
    }
    if chunked && length.is_some() {
        return Err(Problem::TransferEncoding);
    }
    if (length.is_some() || chunked) && (status < 200 || status == 204) {
        return Err(Problem::LengthNotAllowed { status });
    }
    let length = match length {
        Some(value) => Some(content_length(value, head_len)?),
        None => None,
    };
    // A 304's or a HEAD's Content-Length is what a GET would have got; no
    // body follows either way.
    if status < 200 || status == 204 || status == 304 || head_only {
        return Ok(Length::Bytes(0));
    }
    if chunked {
        return Ok(Length::Chunked);
    }
    length
        .map(Length::Bytes)
        .ok_or(Problem::MissingContentLength { status })
}

/// Plain digits only (RFC 9110 §8.6), small enough to add to the head's
/// length without overflowing.
fn content_length(value: &str, head_len: usize) -> Result<usize, Problem> {
    let invalid = || Problem::InvalidContentLength {
        value: Escaped::preview(value.as_bytes(), 30).to_string(),
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let length = value.parse::<usize>().map_err(|_| invalid())?;
    head_len.checked_add(length).ok_or_else(invalid)?;
    Ok(length)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Any:  spaced \r\n\r\nhello";

    #[test]
    fn takes_one_response_and_leaves_the_rest() {
        let two = [OK, OK].concat();
        let (response, used) = split(&two, false).unwrap().unwrap();
        assert_eq!(used, OK.len());
        assert_eq!(response.status, 200);
        assert_eq!(response.reason, "OK");
        assert_eq!(response.status_line(), "HTTP/1.1 200 OK");
        assert_eq!(response.head.as_bytes(), &OK[..OK.len() - 5]);
        assert_eq!(
            response.headers,
            vec![("Content-Length", "5"), ("X-Any", "spaced")]
        );
        assert_eq!(response.header("content-length"), Some("5"));
        assert_eq!(response.body, b"hello");
    }

    #[test]
    fn incomplete_is_none_at_every_cut() {
        for cut in 0..OK.len() {
            assert_eq!(split(&OK[..cut], false), Ok(None), "cut at {cut}");
        }
    }

    #[test]
    fn split_closed_says_what_is_missing() {
        assert_eq!(
            split_closed(&OK[..10], false),
            Err(Problem::UnfinishedHead { got: 10 })
        );
        assert_eq!(
            split_closed(&OK[..OK.len() - 2], false),
            Err(Problem::BodyShorter {
                expected: 5,
                got: 3
            })
        );
    }

    #[test]
    fn a_wrong_start_fails_before_the_head_is_complete() {
        assert!(matches!(
            split(b"You said \"GET", false),
            Err(Problem::NoStatusLine { .. })
        ));
        assert!(matches!(
            split(b"HTTP/1.0 200 OK\r\n", false),
            Err(Problem::NotHttp11 { .. })
        ));
        assert!(matches!(
            split(b"HTTP/2", false),
            Err(Problem::NotHttp11 { .. })
        ));
        assert_eq!(
            split(b"HTTP/1.1 200 OK\nContent", false),
            Err(Problem::BareLf { at: 15 })
        );
        assert_eq!(
            split(b"HTTP/1.1 200 OK\rX", false),
            Err(Problem::BareCr { at: 15 })
        );
        assert_eq!(
            split(b"HTTP/1.1 200 \xc3\xa9", false),
            Err(Problem::NotText { at: 13, byte: 0xc3 })
        );
    }

    #[test]
    fn status_lines_are_strict() {
        for line in [
            "HTTP/1.1 200\r\n",
            "HTTP/1.1 20 OK\r\n",
            "HTTP/1.1 2000 OK\r\n",
            "HTTP/1.1 099 Low\r\n",
            "HTTP/1.1 600 High\r\n",
            "HTTP/1.1 +20 OK\r\n",
            "HTTP/1.1  200 OK\r\n",
        ] {
            let response = format!("{line}Content-Length: 0\r\n\r\n");
            assert!(
                matches!(
                    split(response.as_bytes(), false),
                    Err(Problem::BadStatusLine { .. })
                ),
                "{line:?}"
            );
        }
        let empty_reason = b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n";
        let (response, _) = split(empty_reason, false).unwrap().unwrap();
        assert_eq!((response.status, response.reason), (200, ""));
    }

    #[test]
    fn header_lines_are_strict() {
        let with = |line: &str| format!("HTTP/1.1 200 OK\r\n{line}\r\nContent-Length: 0\r\n\r\n");
        for (line, expected) in [
            (
                "NoColon",
                Problem::NoColon {
                    line: "\"NoColon\"".into(),
                },
            ),
            (
                "Bad Name: x",
                Problem::BadHeaderName {
                    line: "\"Bad Name: x\"".into(),
                },
            ),
            (
                ": empty",
                Problem::BadHeaderName {
                    line: "\": empty\"".into(),
                },
            ),
            (
                " folded: x",
                Problem::BadHeaderName {
                    line: "\" folded: x\"".into(),
                },
            ),
        ] {
            assert_eq!(split(with(line).as_bytes(), false), Err(expected));
        }
    }

    #[test]
    fn content_length_is_required_and_strict() {
        let with = |headers: &str| format!("HTTP/1.1 200 OK\r\n{headers}\r\n");
        assert_eq!(
            split(with("").as_bytes(), false),
            Err(Problem::MissingContentLength { status: 200 })
        );
        for value in ["+5", "-1", "0x10", "5, 5", "", "99999999999999999999999"] {
            let response = with(&format!("Content-Length: {value}\r\n"));
            assert!(
                matches!(
                    split(response.as_bytes(), false),
                    Err(Problem::InvalidContentLength { .. })
                ),
                "{value:?}"
            );
        }
        assert_eq!(
            split(
                with("Content-Length: 1\r\nContent-Length: 1\r\n").as_bytes(),
                false
            ),
            Err(Problem::DuplicateContentLength)
        );
        for headers in [
            "Transfer-Encoding: gzip\r\n",
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        ] {
            assert_eq!(
                split(with(headers).as_bytes(), false),
                Err(Problem::TransferEncoding),
                "{headers:?}"
            );
        }
    }

    #[test]
    fn chunked_bodies_give_their_chunks() {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        let body = "5\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\n";
        let whole = format!("{head}{body}GET");
        let (response, used) = split(whole.as_bytes(), false).unwrap().unwrap();
        assert_eq!(used, whole.len() - 3);
        assert_eq!(response.body, body.as_bytes());
        assert_eq!(
            response.chunks,
            vec![&b"hello"[..], b"abcdefghijklmnopqrstuvwxyz"]
        );
        for cut in head.len()..whole.len() - 3 {
            assert_eq!(
                split(&whole.as_bytes()[..cut], false),
                Ok(None),
                "cut at {cut}"
            );
        }
        assert_eq!(
            split_closed(&whole.as_bytes()[..head.len() + 5], false),
            Err(Problem::UnfinishedChunks { got: 5 })
        );
        for (bad, at) in [
            ("x\r\n", 0),
            ("5;ext=1\r\nhello\r\n0\r\n\r\n", 0),
            ("5\r\nhelloXX0\r\n\r\n", 8),
            ("00000000000000001\r\n", 0),
        ] {
            let response = format!("{head}{bad}");
            assert_eq!(
                split(response.as_bytes(), false),
                Err(Problem::BadChunk { at }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn statuses_without_a_body() {
        for (response, status) in [
            (&b"HTTP/1.1 100 Continue\r\n\r\n"[..], 100),
            (b"HTTP/1.1 204 No Content\r\n\r\n", 204),
            (
                b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
                304,
            ),
        ] {
            let (taken, used) = split(response, false).unwrap().unwrap();
            assert_eq!(
                (taken.status, taken.body, used),
                (status, &b""[..], response.len())
            );
        }
        for status in ["100 Continue", "204 No Content"] {
            let response = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
            assert!(matches!(
                split(response.as_bytes(), false),
                Err(Problem::LengthNotAllowed { .. })
            ));
        }
    }

    #[test]
    fn head_answers_have_no_body() {
        let (response, used) = split(OK, true).unwrap().unwrap();
        assert_eq!(used, OK.len() - 5);
        assert_eq!(response.body, b"");
        assert_eq!(response.header("Content-Length"), Some("5"));
        let without = b"HTTP/1.1 200 OK\r\n\r\n";
        assert_eq!(split(without, true).unwrap().unwrap().1, without.len());
    }

    #[test]
    fn a_head_without_an_end_is_given_up() {
        let mut endless = b"HTTP/1.1 200 OK\r\n".to_vec();
        while endless.len() <= MAX_HEAD {
            endless.extend_from_slice(b"X-Filler: 0123456789\r\n");
        }
        assert_eq!(split(&endless, false), Err(Problem::HeadTooLarge));
    }

    #[test]
    fn problems_say_what_is_wrong() {
        let shown = |bytes: &[u8]| split(bytes, false).unwrap_err().to_string();
        assert_eq!(
            shown(b"You said \"hi\"\r\n"),
            r#"no status line: the reply starts "You said \"hi\"\r\n""#
        );
        assert_eq!(
            shown(b"HTTP/1.1 200 OK\r\n\r\n"),
            "a 200 response without Content-Length"
        );
        assert_eq!(
            shown(b"HTTP/1.1 200 OK\nX"),
            "a bare LF in the head at byte 15: lines end in CRLF"
        );
    }
}
