//! Why rawnet refuses a request: every reason, its status and its words, in
//! one place. Change the text of an error response here.
//!
//! The parsers (`request.rs`, `body.rs`) and the session's deadlines
//! (`mod.rs`) only say which [`Refusal`] it is; the words a client reads
//! in the error response, and the server's log line, come from here.

use crate::budget::Spent;
use crate::show::Escaped;
use std::fmt;
use std::time::Duration;

use super::response;

/// A request rawnet will not serve. Each variant is one reason, with what
/// its words need to name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    // 400 Bad Request
    /// httparse refused the syntax (bad request line, bare CR, space before
    /// the colon, obs-fold...): its own words say which rule was broken.
    Syntax(httparse::Error),
    /// `GET /` and a line end: an HTTP/0.9-style request line, with no
    /// version. httparse's own words (`invalid token`) would not say so.
    NoVersion,
    InvalidHost,
    NoHost,
    TwoHosts,
    /// A Content-Length that is not `1*DIGIT` or does not fit in 64 bits,
    /// as the client sent it.
    InvalidContentLength {
        value: Vec<u8>,
    },
    ConflictingContentLength,
    LengthAndTransferEncoding,
    TransferEncodingInHttp10,
    ChunkedNotLast,
    BadChunk(ChunkProblem),
    /// `GET *`: the asterisk-form target is OPTIONS' alone (RFC 9112
    /// §3.2.4). The method, as sent.
    AsteriskForm {
        method: String,
    },
    /// `GET example.com:80`: the authority-form target is CONNECT's alone
    /// (RFC 9112 §3.2.3). The method and the target, as sent.
    AuthorityForm {
        method: String,
        target: String,
    },
    /// A knob in the query string (`?status=99`) that cannot be obeyed
    /// (the `knobs` feature; its words are `knobs.rs`'s).
    #[cfg(feature = "knobs")]
    BadKnob(super::knobs::BadKnob),

    // 408 Request Timeout
    HeadTimeout {
        timeout: Duration,
    },
    BodyTimeout {
        timeout: Duration,
    },

    // 413 Content Too Large
    /// Known from the head, before any of the body is read.
    DeclaredBodyTooLarge {
        declared: u64,
        max_body: usize,
    },
    /// Known at the chunk that would go past the limit.
    ChunkedBodyTooLarge {
        max_body: usize,
    },

    // 414 URI Too Long
    RequestLineTooLong {
        max_head: usize,
    },

    // 417 Expectation Failed
    /// An `Expect` other than `100-continue`, as the client sent it.
    UnknownExpectation {
        value: Vec<u8>,
    },

    // 431 Request Header Fields Too Large
    HeadTooLarge {
        max_head: usize,
    },
    /// More header lines than the parser holds (`request::MAX_HEADERS`).
    TooManyHeaders {
        max: usize,
    },

    // 501 Not Implemented
    Connect,
    /// A transfer coding before `chunked`, lowercased as it was compared.
    UnsupportedCoding {
        coding: Vec<u8>,
    },

    // 503 Service Unavailable
    /// The server's memory budget, shared by every connection, cannot
    /// cover this request's body, or what waits behind a held-back
    /// response: 503, not 413, as RFC 9110 §15.6.4 says of "a temporary
    /// overload ... likely alleviated after some delay". The request is
    /// not too large in itself (that is `--max-body`'s 413): the same one
    /// succeeds once other connections give memory back.
    OverBudget(Spent),

    // 505 HTTP Version Not Supported
    VersionNotSpoken,
}

/// What is wrong with a chunked body's framing (RFC 9112 §7.1), as the
/// decoder in `body.rs` finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkProblem {
    SizeNotHex,
    SizeTooManyDigits,
    SizeOverflow,
    InvalidSizeCharacter,
    BareLfAfterSize,
    CrWithoutLfAfterSize,
    WhitespaceWithoutExtension,
    InvalidExtensionCharacter,
    ExtensionTooLong,
    DataWithoutCrlf,
    BareLfInTrailer,
    CrWithoutLfInTrailer,
    InvalidTrailerCharacter,
    TrailerLineTooLong,
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Syntax(_)
            | Refusal::NoVersion
            | Refusal::InvalidHost
            | Refusal::NoHost
            | Refusal::TwoHosts
            | Refusal::InvalidContentLength { .. }
            | Refusal::ConflictingContentLength
            | Refusal::LengthAndTransferEncoding
            | Refusal::TransferEncodingInHttp10
            | Refusal::ChunkedNotLast
            | Refusal::BadChunk(_)
            | Refusal::AsteriskForm { .. }
            | Refusal::AuthorityForm { .. } => 400,
            #[cfg(feature = "knobs")]
            Refusal::BadKnob(_) => 400,
            Refusal::HeadTimeout { .. } | Refusal::BodyTimeout { .. } => 408,
            Refusal::DeclaredBodyTooLarge { .. } | Refusal::ChunkedBodyTooLarge { .. } => 413,
            Refusal::RequestLineTooLong { .. } => 414,
            Refusal::UnknownExpectation { .. } => 417,
            Refusal::HeadTooLarge { .. } | Refusal::TooManyHeaders { .. } => 431,
            Refusal::Connect | Refusal::UnsupportedCoding { .. } => 501,
            Refusal::OverBudget(_) => 503,
            Refusal::VersionNotSpoken => 505,
        }
    }

    /// The status's reason phrase (`Bad Request`).
    pub fn reason(&self) -> &'static str {
        response::reason(self.status())
    }

    /// Appends the whole error response: the head from `response.rs`, and
    /// a one-line plain-text body that names the problem, so a person
    /// reading `curl -v` or `nc` output learns what was wrong.
    pub fn write_response(&self, out: &mut Vec<u8>) {
        let body = format!("{} {}: {self}\n", self.status(), self.reason());
        response::write_error(out, self.status(), body.as_bytes());
    }
}

/// The problem in words, without the status: the error body says it after
/// `400 Bad Request: `, and the log line after `-> 400 Bad Request: `.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Syntax(err) => write!(f, "httparse: {err}"),
            Refusal::NoVersion => f.write_str(
                "the request line has no HTTP version; \
                 write GET / HTTP/1.1 and a Host header, then an empty line",
            ),
            Refusal::InvalidHost => f.write_str("invalid Host header"),
            Refusal::NoHost => f.write_str("HTTP/1.1 request without a Host header"),
            Refusal::TwoHosts => f.write_str("more than one Host header"),
            Refusal::InvalidContentLength { value } => write!(
                f,
                "invalid Content-Length {}",
                Escaped::all(value)
            ),
            Refusal::ConflictingContentLength => f.write_str("conflicting Content-Length values"),
            Refusal::LengthAndTransferEncoding => {
                f.write_str("both Content-Length and Transfer-Encoding")
            }
            Refusal::TransferEncodingInHttp10 => {
                f.write_str("Transfer-Encoding in an HTTP/1.0 request")
            }
            Refusal::ChunkedNotLast => f.write_str("Transfer-Encoding must end with chunked, once"),
            Refusal::BadChunk(problem) => write!(f, "bad chunked framing: {problem}"),
            Refusal::AsteriskForm { method } => write!(
                f,
                "the target * (asterisk-form) is only for OPTIONS, which asks about the server \
                 as a whole (RFC 9112 §3.2.4); {method} needs a path: {method} / HTTP/1.1"
            ),
            Refusal::AuthorityForm { method, target } => write!(
                f,
                "the target {target} is host:port (authority-form), which only CONNECT sends \
                 (RFC 9112 §3.2.3); {method} needs a path, {method} / HTTP/1.1, \
                 or a full URL, {method} http://{target}/ HTTP/1.1"
            ),
            #[cfg(feature = "knobs")]
            Refusal::BadKnob(bad) => bad.fmt(f),
            Refusal::HeadTimeout { timeout } => write!(
                f,
                "request head not complete within {}s (--head-timeout)",
                timeout.as_secs_f64()
            ),
            Refusal::BodyTimeout { timeout } => write!(
                f,
                "request body not complete within {}s (--body-timeout)",
                timeout.as_secs_f64()
            ),
            Refusal::DeclaredBodyTooLarge { declared, max_body } => write!(
                f,
                "request body of {declared} bytes is larger than {max_body} bytes (--max-body)"
            ),
            Refusal::ChunkedBodyTooLarge { max_body } => write!(
                f,
                "request body is larger than {max_body} bytes (--max-body)"
            ),
            Refusal::RequestLineTooLong { max_head } => write!(
                f,
                "request line is longer than {max_head} bytes (--max-head)"
            ),
            Refusal::UnknownExpectation { value } => write!(
                f,
                "unknown expectation {}",
                Escaped::all(value)
            ),
            Refusal::HeadTooLarge { max_head } => write!(
                f,
                "request head is larger than {max_head} bytes (--max-head)"
            ),
            Refusal::TooManyHeaders { max } => write!(f, "more than {max} header fields"),
            Refusal::Connect => f.write_str(
                "CONNECT asks a proxy to open a tunnel to another host (RFC 9110 §9.3.6); \
                 rawnet is not a proxy: send your request to rawnet itself, e.g. curl http://HOST:PORT/",
            ),
            Refusal::UnsupportedCoding { coding } => {
                write!(f, "transfer coding {} is not supported", Escaped::all(coding))
            }
            Refusal::OverBudget(spent) => spent.fmt(f),
            Refusal::VersionNotSpoken => {
                f.write_str("only HTTP/1.x is spoken here (HTTP/1.0 and HTTP/1.1)")
            }
        }
    }
}

impl fmt::Display for ChunkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChunkProblem::SizeNotHex => "chunk size must start with a hex digit",
            ChunkProblem::SizeTooManyDigits => "chunk size has more than 16 hex digits",
            ChunkProblem::SizeOverflow => "chunk size does not fit in 64 bits",
            ChunkProblem::InvalidSizeCharacter => "invalid character in chunk size",
            ChunkProblem::BareLfAfterSize => "bare LF after chunk size",
            ChunkProblem::CrWithoutLfAfterSize => "CR without LF after chunk size",
            ChunkProblem::WhitespaceWithoutExtension => {
                "whitespace after chunk size without an extension"
            }
            ChunkProblem::InvalidExtensionCharacter => "invalid character in chunk extension",
            ChunkProblem::ExtensionTooLong => "chunk extension too long",
            ChunkProblem::DataWithoutCrlf => "chunk data not followed by CRLF",
            ChunkProblem::BareLfInTrailer => "bare LF in trailer section",
            ChunkProblem::CrWithoutLfInTrailer => "CR without LF in trailer section",
            ChunkProblem::InvalidTrailerCharacter => "invalid character in trailer",
            ChunkProblem::TrailerLineTooLong => "trailer line too long",
        })
    }
}

/// Lets the chunked decoder's steps use `?` for a framing problem.
impl From<ChunkProblem> for Refusal {
    fn from(problem: ChunkProblem) -> Self {
        Refusal::BadChunk(problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_self_delimiting_and_closes() {
        let mut out = Vec::new();
        Refusal::Syntax(httparse::Error::HeaderName).write_response(&mut out);
        let text = String::from_utf8(out).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert_eq!(body, "400 Bad Request: httparse: invalid header name\n");
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        assert!(head.ends_with("Connection: close"));
    }

    /// The words clients and tests read; a change here is a change to
    /// every error response that says them.
    #[test]
    fn words_and_statuses_of_malformed_requests() {
        let cases = [
            (
                Refusal::Syntax(httparse::Error::Version),
                "400 httparse: invalid HTTP version",
            ),
            (
                Refusal::NoVersion,
                "400 the request line has no HTTP version; \
                 write GET / HTTP/1.1 and a Host header, then an empty line",
            ),
            (
                Refusal::InvalidContentLength {
                    value: b"+5".to_vec(),
                },
                "400 invalid Content-Length \"+5\"",
            ),
            (
                Refusal::BadChunk(ChunkProblem::SizeOverflow),
                "400 bad chunked framing: chunk size does not fit in 64 bits",
            ),
        ];
        assert_words(cases);
    }

    /// The same, for requests refused for their time, size or target form.
    #[test]
    fn words_and_statuses_of_timeouts_sizes_and_forms() {
        let cases = [
            (
                Refusal::HeadTimeout {
                    timeout: Duration::from_millis(1500),
                },
                "408 request head not complete within 1.5s (--head-timeout)",
            ),
            (
                Refusal::BodyTimeout {
                    timeout: Duration::from_secs(10),
                },
                "408 request body not complete within 10s (--body-timeout)",
            ),
            (
                Refusal::DeclaredBodyTooLarge {
                    declared: u64::MAX,
                    max_body: 4,
                },
                "413 request body of 18446744073709551615 bytes is larger than 4 bytes (--max-body)",
            ),
            (
                Refusal::ChunkedBodyTooLarge { max_body: 4 },
                "413 request body is larger than 4 bytes (--max-body)",
            ),
            (
                Refusal::RequestLineTooLong { max_head: 8192 },
                "414 request line is longer than 8192 bytes (--max-head)",
            ),
            (
                Refusal::UnknownExpectation {
                    value: b"te\xffpot".to_vec(),
                },
                // Bytes shown as they came, as everywhere in rawnet.
                "417 unknown expectation \"te\\xffpot\"",
            ),
            (
                Refusal::AsteriskForm {
                    method: "GET".into(),
                },
                "400 the target * (asterisk-form) is only for OPTIONS, which asks about the \
                 server as a whole (RFC 9112 §3.2.4); GET needs a path: GET / HTTP/1.1",
            ),
            (
                Refusal::AuthorityForm {
                    method: "GET".into(),
                    target: "example.com:80".into(),
                },
                "400 the target example.com:80 is host:port (authority-form), which only \
                 CONNECT sends (RFC 9112 §3.2.3); GET needs a path, GET / HTTP/1.1, \
                 or a full URL, GET http://example.com:80/ HTTP/1.1",
            ),
            (Refusal::TooManyHeaders { max: 64 }, "431 more than 64 header fields"),
            (
                Refusal::UnsupportedCoding {
                    coding: "gzip".into(),
                },
                "501 transfer coding \"gzip\" is not supported",
            ),
            (
                Refusal::OverBudget(Spent {
                    limit: 256 * 1024 * 1024,
                }),
                "503 the server's memory budget for all connections \
                 (256 MiB, --memory-budget) is spent; try again later",
            ),
            (
                Refusal::VersionNotSpoken,
                "505 only HTTP/1.x is spoken here (HTTP/1.0 and HTTP/1.1)",
            ),
        ];
        assert_words(cases);
    }

    fn assert_words<const N: usize>(cases: [(Refusal, &str); N]) {
        for (refusal, words) in cases {
            assert_eq!(format!("{} {refusal}", refusal.status()), words);
        }
    }
}
