//! Per-request knobs in the query string: `?status=503`, `?delay=1.5`,
//! `?drip=5&interval=1`, `?size=N`, `?header=Name:Value` and `?format=`,
//! read from the request target on any path. A reverse proxy's or an
//! ingress's test can only carry a URL; these let that URL choose the
//! answer.
//!
//! # Reading the query
//!
//! The query is what follows the target's first `?`, up to a `#` if one
//! was sent. Its parameters are separated by `&`; a parameter is a `name`
//! or `name=value`. Names are matched as written (`status`, not `%73tatus`
//! or `Status`). Values are percent-decoded (`%3A` is `:`, `%20` a space),
//! and `+` stays `+`: turning it into a space is HTML forms' rule
//! (`application/x-www-form-urlencoded`), not the URL's (RFC 3986), and
//! `?header=X-Sum:1+1` should mean what it says. A parameter rawnet does not
//! know is ignored, so an application's own query (`/search?q=x&delay=1`)
//! still works. A knob given twice (but `header`, which repeats) or with a
//! bad value is refused with 400, and the error body names it:
//! `?status=99: a status must be a number from 200 to 599`.
//!
//! # What each knob does
//!
//! - `status=N` (200 to 599): the response's status, with its standard
//!   reason phrase, instead of `--status`.
//! - `delay=S`: seconds (`1`, `1.5`, `0.25`; up to 9 decimals) before the
//!   response head is sent, at most `--max-delay`.
//! - `drip=N` (1 to [`MAX_DRIP`]) and `interval=S` (default 1): the body is
//!   sent chunked (`Transfer-Encoding: chunked`), N chunks, the first at
//!   once after the head, then one every S seconds. Everything, `delay`
//!   included, must be sent within `--max-delay`: `delay + (N - 1) ×
//!   interval ≤ --max-delay`.
//! - `size=N`: a body of N bytes (at most `--max-size`) of [filler
//!   text](#the-size-filler), instead of the request shown back.
//! - `header=Name:Value` (repeatable): a header added to the response,
//!   after rawnet's own. Framing and hop-by-hop headers are refused (see
//!   [`REFUSED_HEADERS`]); so is a name that is not a token or a value with
//!   control characters. `Content-Type` is refused too: every view shows
//!   bytes the client chose, and a browser told they are `text/html`
//!   would run them. Headers that act on the visitor's browser rather
//!   than on the message are refused too, unless the server runs with
//!   `--allow-unsafe-headers` (see [`BROWSER_HEADERS`]): a link is all it
//!   takes to send someone's browser here, so without that flag a link
//!   could set cookies, ask for a password, grant other origins access,
//!   or redirect off-site in that browser. Another name rawnet already
//!   sends (`Server`, `Date`) is then sent twice, as asked.
//! - `format=json|html|text`: which view of the request the client wants,
//!   whatever its `Accept` says.
//! - `explain` is not HTTP's: a WebSocket upgrade reads it (`src/ws/`),
//!   and any other request ignores it, as any parameter it does not know.
//!
//! With `drip` or `size` the body is theirs, not the request shown back nor
//! `--body`, and `Content-Type` is `text/plain`. A status without content
//! (204, 205, 304) cannot be given either (400). A HEAD request gets the
//! head they would have, `delay` included, and no body.
//!
//! # Where they plug in
//!
//! This file and `stream.rs` are the `knobs` feature. The session hands
//! them a complete request whose target has a query
//! (`Session::finish_with_knobs`, here); the knobs choose its reply (a
//! `Reply` like the usual one, with their status, view, headers and
//! framing), and one that takes time or comes in pieces is held in the
//! session's `State::Answering` and written by `stream.rs`. Their limits
//! are [`Limits`], `http::Config`'s `knobs`.
//!
//! # The drip's lines
//!
//! Each chunk of a drip starts with one line, in exactly this format (a
//! client can parse it, and print each chunk's arrival time beside it):
//!
//! ```text
//! chunk 1 of 5 at 0.000 s\n
//! ```
//!
//! `chunk {i} of {n} at {seconds}.{milliseconds} s` and a `\n`: `i` counts
//! from 1; the time is when the chunk was written, counted from when the
//! request was complete (for a pipelined request, from when its turn
//! came), in whole seconds then exactly three digits of milliseconds. The
//! line is the whole chunk, unless `size` is given too.
//!
//! # The size filler
//!
//! `size` bytes of 64-byte lines, each starting with its own byte offset in
//! the body, 12 digits:
//!
//! ```text
//! 000000000000 rawnet ?size: every line is 64 bytes, offset first\n
//! 000000000064 rawnet ?size: every line is 64 bytes, offset first\n
//! ```
//!
//! The last line is cut at `size`. So a body that arrives damaged or cut
//! says where. With `drip` too, the `size` bytes are split over the N
//! chunks (the first `size % N` get one more byte); each chunk is its line,
//! then the filler's bytes at those offsets, so every byte that is not a
//! chunk's line is the filler's byte at its offset. Each chunk needs room
//! for its line: `size` must be at least [`DRIP_SHARE_MIN`] bytes a chunk.

use std::fmt;
use std::time::Duration;

use crate::log::ConnLog;
use crate::next::Next;
use crate::show::Escaped;

use super::refusal::Refusal;
use super::request::{name_value, params, split_target, Head, View};
use super::response::{BodyEnd, ConnectionHeader};
use super::{connection_of, Config, Reply, Session};

/// `--max-delay`: the longest a `?delay` or a `?drip` may hold a response,
/// in seconds. Long enough to outlast the usual proxy and client timeouts
/// being tested (nginx's `proxy_read_timeout` is 60 s, but most test one
/// shorter); short enough that a forgotten request does not hold a
/// connection for long.
pub const DEFAULT_MAX_DELAY_SECS: u64 = 30;
/// `--max-size`: the largest `?size` body, 10 MiB. Enough to see a proxy's
/// buffers fill (nginx's `proxy_buffers` hold 64 KiB by default, its
/// temporary file 1 GiB) and a download's progress, small enough that a
/// loop of requests cannot turn rawnet into a bandwidth test. Memory is not
/// the reason: the body is made in pieces of at most
/// [`OUTPUT_BOUND`](super::OUTPUT_BOUND).
pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;

/// What a query's knobs may ask for: the server's settings for them,
/// `http::Config`'s `knobs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `--max-delay`: the longest `?delay`, and `?drip` with it.
    pub max_delay: Duration,
    /// `--max-size`: the largest `?size` body, in bytes.
    pub max_size: u64,
    /// `--allow-unsafe-headers`: a `?header` may add headers that act on
    /// the browser ([`BROWSER_HEADERS`]). Off unless asked for.
    pub allow_unsafe_headers: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_delay: Duration::from_secs(DEFAULT_MAX_DELAY_SECS),
            max_size: DEFAULT_MAX_SIZE,
            allow_unsafe_headers: false,
        }
    }
}

/// Most chunks one drip may have. A drip is for watching chunks arrive one
/// by one; a thousand is more than anyone watches, and keeps a drip's
/// lines short.
pub const MAX_DRIP: u32 = 1000;
/// The interval between a drip's chunks when `?interval` is not given.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);
/// With `?drip` and `?size`, the fewest bytes a chunk may have, so that
/// every chunk starts with its whole line. The longest line is 49 bytes:
/// `chunk 1000 of 1000 at `, then up to 20 digits of seconds (a `u64`,
/// however large `--max-delay` is), then `.999 s` and `\n`. 64, one
/// filler line, is the round number above that.
pub const DRIP_SHARE_MIN: u64 = 64;

/// Response headers a `?header` may not add. `Content-Length`,
/// `Transfer-Encoding` and `Trailer` frame the message, and rawnet sets the
/// framing itself: a second one would make a message that clients and
/// proxies split differently (response splitting, RFC 9112 §6.3). The rest
/// are hop-by-hop (RFC 9110 §7.6.1): they speak about this one connection,
/// and a proxy removes them, so they could only confuse it.
pub const REFUSED_HEADERS: [&str; 8] = [
    "Content-Length",
    "Transfer-Encoding",
    "Trailer",
    "Connection",
    "Keep-Alive",
    "Proxy-Connection",
    "TE",
    "Upgrade",
];

/// Response headers that act on the browser that gets them, each with
/// what it does there; a `?header` may add them only with
/// `--allow-unsafe-headers`. Anyone can send a browser to rawnet with a
/// link (a page, a mail, an `<img>`), so without the flag the link would
/// choose these for whoever follows it. Names compare without case.
pub const BROWSER_HEADERS: [(&str, Browser); 10] = [
    // A cookie for this host is a cookie for every port on it (RFC 6265
    // §8.5): other apps on localhost get it too, and may trust it.
    ("Set-Cookie", Browser::Cookie),
    ("Set-Cookie2", Browser::Cookie),
    // A login prompt the visitor did not ask for, and the password typed
    // into it, which the browser then keeps sending by itself.
    ("WWW-Authenticate", Browser::Login),
    ("Proxy-Authenticate", Browser::Login),
    // `Refresh: 0; url=...` redirects like a Location, to any URL.
    ("Refresh", Browser::Redirect),
    ("Clear-Site-Data", Browser::ClearsData),
    // The views show the client's bytes; a browser told they are
    // compressed would decode them into bytes nobody sees in the request.
    ("Content-Encoding", Browser::Decodes),
    // Saved as a file, under a name the link chose (a "reflected file
    // download").
    ("Content-Disposition", Browser::Download),
    // `Link: <http://elsewhere/>; rel=preload` is a fetch of any URL by
    // the visitor's browser, as an off-site `Location` is.
    ("Link", Browser::Fetches),
    // HSTS is kept per host, not per port: one answer over HTTPS would
    // lock every plain-HTTP app on localhost out of the browser.
    ("Strict-Transport-Security", Browser::PinsHttps),
];

/// Every CORS response header starts with this (`Access-Control-Allow-Origin`,
/// `-Allow-Credentials`, ...): each grants a page of another origin access
/// to the answer, which with credentials shows the visitor's cookies back.
pub const CORS_PREFIX: &str = "Access-Control-";

/// A knob in the query string that cannot be obeyed (a 400, whose words
/// these are; `refusal.rs` wraps it): its
/// name, its value as the client wrote it, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadKnob {
    pub name: &'static str,
    pub value: Vec<u8>,
    pub problem: KnobProblem,
}

/// What is wrong with a knob, as [`Knobs::parse`] finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnobProblem {
    /// A `%` not followed by two hex digits.
    BadEscape,
    Twice,
    Status,
    NotSeconds,
    DelayTooLong {
        max_delay: Duration,
    },
    DripCount,
    IntervalWithoutDrip,
    /// `delay + (drip - 1) × interval` is past `--max-delay`.
    DripTooLong {
        last: Duration,
        intervals: u32,
        max_delay: Duration,
    },
    NotBytes,
    SizeTooLarge {
        max_size: u64,
    },
    SizeTooSmallForDrip {
        drip: u32,
    },
    /// `drip` or `size` with a status that has no content.
    NoBodyWith {
        status: u16,
    },
    HeaderWithoutColon,
    HeaderName,
    HeaderValue,
    HeaderRefused {
        name: &'static str,
    },
    /// `?header=Content-Type:...`: see `knobs.rs`.
    HeaderContentType,
    /// A header that acts on the browser, without `--allow-unsafe-headers`
    /// (`knobs::BROWSER_HEADERS`): its name, and what it would do.
    HeaderUnsafe {
        name: &'static str,
        does: Browser,
    },
    Format,
}

/// What a header refused by [`BROWSER_HEADERS`] would do in the
/// browser of whoever follows a link to rawnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    Cookie,
    Login,
    Redirect,
    ClearsData,
    Decodes,
    Download,
    Cors,
    /// A `Location` that is not a path on this server.
    OffSite,
    /// The browser fetches what it names, from anywhere.
    Fetches,
    /// The browser remembers, for a long time, to speak only HTTPS here.
    PinsHttps,
}

/// `?status=99: a status must be a number from 200 to 599`: the knob as
/// the client wrote it, then the problem.
impl fmt::Display for BadKnob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The value's bytes as they came, escaped, but without quotes:
        // `?status=99` reads as the URL did.
        let value = Escaped::bare(&self.value);
        write!(f, "?{}={value}: {}", self.name, self.problem)
    }
}

impl fmt::Display for KnobProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KnobProblem::BadEscape => f.write_str("a % must be followed by two hex digits"),
            KnobProblem::Twice => f.write_str("given more than once; only ?header repeats"),
            KnobProblem::Status => f.write_str("a status must be a number from 200 to 599"),
            KnobProblem::NotSeconds => f.write_str(
                "must be seconds, like 1.5 (digits and at most one dot, at most 9 decimals)",
            ),
            KnobProblem::DelayTooLong { max_delay } => {
                write!(f, "at most {} s (--max-delay)", max_delay.as_secs_f64())
            }
            KnobProblem::DripCount => write!(
                f,
                "must be a number of chunks from 1 to {}",
                super::knobs::MAX_DRIP
            ),
            KnobProblem::IntervalWithoutDrip => f.write_str("goes with ?drip, which is missing"),
            KnobProblem::DripTooLong {
                last,
                intervals,
                max_delay,
            } => write!(
                f,
                "the last chunk would leave at {} s after ?delay and {intervals} intervals; \
                 at most {} s (--max-delay)",
                last.as_secs_f64(),
                max_delay.as_secs_f64()
            ),
            KnobProblem::NotBytes => f.write_str("must be a number of bytes"),
            KnobProblem::SizeTooLarge { max_size } => {
                write!(f, "at most {max_size} bytes (--max-size)")
            }
            KnobProblem::SizeTooSmallForDrip { drip } => write!(
                f,
                "too small for ?drip={drip}; each chunk needs at least {} bytes, for its line",
                super::knobs::DRIP_SHARE_MIN
            ),
            KnobProblem::NoBodyWith { status } => write!(f, "a {status} response has no body"),
            KnobProblem::HeaderWithoutColon => f.write_str("must be Name:Value"),
            KnobProblem::HeaderName => {
                f.write_str("the name must be a token (letters, digits and !#$%&'*+-.^_`|~)")
            }
            KnobProblem::HeaderValue => {
                f.write_str("the value must not contain CR, LF, NUL or other control characters")
            }
            KnobProblem::HeaderRefused { name } => write!(
                f,
                "{name} is a framing or hop-by-hop header; rawnet frames the response itself, \
                 and a proxy removes hop-by-hop headers"
            ),
            KnobProblem::HeaderContentType => f.write_str(
                "rawnet sets Content-Type itself: its views show the client's bytes, \
                 and another type (text/html) would have a browser run them as a page",
            ),
            KnobProblem::HeaderUnsafe { name, does } => write!(
                f,
                "{name} {does}; any link to rawnet could do that to whoever follows it, \
                 so it needs rawnet --allow-unsafe-headers"
            ),
            KnobProblem::Format => f.write_str("must be json, html or text"),
        }
    }
}

/// What the header would do, after its name: `Set-Cookie sets browser
/// state: ...`.
impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Browser::Cookie => {
                "sets browser state: a cookie for this host, which the browser sends to \
                 every port on it, other apps on localhost included"
            }
            Browser::Login => {
                "sets browser state: a login prompt, and the password typed into it, \
                 which the browser then sends by itself"
            }
            Browser::Redirect => "sends the browser on to whatever URL it names",
            Browser::ClearsData => {
                "sets browser state: it clears the cookies and storage the browser keeps \
                 for this host"
            }
            Browser::Decodes => {
                "sets how the browser decodes the body, which is the client's bytes shown \
                 back: it would decode them into bytes nobody sent"
            }
            Browser::Download => {
                "sets browser state: the answer, bytes the link chose, saved as a file \
                 under a name the link chose"
            }
            Browser::Cors => {
                "grants access: a page on another origin could read the answer in the \
                 browser, and with credentials the cookies it shows back"
            }
            Browser::OffSite => {
                "sends the browser off this server: only a path (one /, then anything but \
                 / or \\) stays on it"
            }
            Browser::Fetches => {
                "makes the browser fetch what it names (rel=preload, prefetch), from any \
                 server, as soon as the answer arrives"
            }
            Browser::PinsHttps => {
                "sets browser state: over HTTPS, the browser would refuse plain HTTP to \
                 this host, every port on it, for as long as max-age says"
            }
        })
    }
}

/// The knobs one request's query set. All `None` (and no headers) for a
/// query that names none of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Knobs {
    pub status: Option<u16>,
    pub delay: Option<Duration>,
    /// The number of chunks, with `interval` between them.
    pub drip: Option<u32>,
    /// Only with `drip`; [`DEFAULT_INTERVAL`] when not given.
    pub interval: Option<Duration>,
    pub size: Option<u64>,
    /// Every `?header`, as the response head carries it: `Name: Value\r\n`
    /// each, in the order given.
    pub headers: Vec<u8>,
    /// `?format=`: the view of the request asked for, whatever `Accept`
    /// says.
    pub format: Option<View>,
}

impl Knobs {
    /// Reads the knobs in `target`'s query, checked against `config`'s
    /// limits (`--max-delay`, `--max-size`). A target without `?` has none.
    pub fn parse(target: &[u8], config: &Config) -> Result<Knobs, BadKnob> {
        let mut knobs = Knobs::default();
        let (_, query) = split_target(target);
        for param in params(query) {
            let (name, raw) = name_value(param);
            let Some(name) = KNOWN.iter().copied().find(|known| known.as_bytes() == name) else {
                continue;
            };
            let bad = |problem| BadKnob {
                name,
                value: raw.to_vec(),
                problem,
            };
            let value = decode(raw).ok_or_else(|| bad(KnobProblem::BadEscape))?;
            let twice = match name {
                "status" => knobs.status.is_some(),
                "delay" => knobs.delay.is_some(),
                "drip" => knobs.drip.is_some(),
                "interval" => knobs.interval.is_some(),
                "size" => knobs.size.is_some(),
                "format" => knobs.format.is_some(),
                _ => false,
            };
            if twice {
                return Err(bad(KnobProblem::Twice));
            }
            match name {
                "status" => {
                    let status = number(&value)
                        .filter(|n| (200..=599).contains(n))
                        .ok_or_else(|| bad(KnobProblem::Status))?;
                    knobs.status = Some(status as u16);
                }
                "delay" => {
                    let delay = seconds(&value).ok_or_else(|| bad(KnobProblem::NotSeconds))?;
                    if delay > config.knobs.max_delay {
                        return Err(bad(KnobProblem::DelayTooLong {
                            max_delay: config.knobs.max_delay,
                        }));
                    }
                    knobs.delay = Some(delay);
                }
                "drip" => {
                    let drip = number(&value)
                        .filter(|n| (1..=u64::from(MAX_DRIP)).contains(n))
                        .ok_or_else(|| bad(KnobProblem::DripCount))?;
                    knobs.drip = Some(drip as u32);
                }
                "interval" => {
                    let interval = seconds(&value).ok_or_else(|| bad(KnobProblem::NotSeconds))?;
                    knobs.interval = Some(interval);
                }
                "size" => {
                    let size = number(&value).ok_or_else(|| bad(KnobProblem::NotBytes))?;
                    if size > config.knobs.max_size {
                        return Err(bad(KnobProblem::SizeTooLarge {
                            max_size: config.knobs.max_size,
                        }));
                    }
                    knobs.size = Some(size);
                }
                "header" => {
                    let allow_unsafe = config.knobs.allow_unsafe_headers;
                    add_header(&mut knobs.headers, &value, allow_unsafe).map_err(bad)?
                }
                "format" => {
                    knobs.format = Some(match &value[..] {
                        #[cfg(feature = "json")]
                        b"json" => View::Json,
                        b"html" => View::Html,
                        b"text" => View::Text,
                        _ => return Err(bad(KnobProblem::Format)),
                    });
                }
                _ => unreachable!("every name in KNOWN is matched"),
            }
        }
        knobs.check_together(query, config)?;
        Ok(knobs)
    }

    /// The checks that need more than one knob.
    fn check_together(&self, query: &[u8], config: &Config) -> Result<(), BadKnob> {
        // Blames the knob as the query wrote it.
        let bad = |name: &'static str, problem| BadKnob {
            name,
            value: raw_value(query, name).to_vec(),
            problem,
        };
        if self.interval.is_some() && self.drip.is_none() {
            return Err(bad("interval", KnobProblem::IntervalWithoutDrip));
        }
        // `--status 204` as much as `?status=204`: a body asked for would
        // otherwise be dropped without a word.
        let status = self.status.unwrap_or(config.status);
        if let Some(status) = Some(status).filter(|&s| super::response::has_no_body(s)) {
            if self.drip.is_some() {
                return Err(bad("drip", KnobProblem::NoBodyWith { status }));
            }
            if self.size.is_some() {
                return Err(bad("size", KnobProblem::NoBodyWith { status }));
            }
        }
        if let Some(drip) = self.drip {
            let steps = drip - 1;
            // Saturating: an overflow is too late too.
            let last = self
                .interval()
                .saturating_mul(steps)
                .saturating_add(self.delay.unwrap_or_default());
            if last > config.knobs.max_delay {
                return Err(bad(
                    "drip",
                    KnobProblem::DripTooLong {
                        last,
                        intervals: steps,
                        max_delay: config.knobs.max_delay,
                    },
                ));
            }
            if let Some(size) = self.size {
                if size < u64::from(drip) * DRIP_SHARE_MIN {
                    return Err(bad("size", KnobProblem::SizeTooSmallForDrip { drip }));
                }
            }
        }
        Ok(())
    }

    /// The time between a drip's chunks.
    pub fn interval(&self) -> Duration {
        self.interval.unwrap_or(DEFAULT_INTERVAL)
    }

    /// Whether the response takes time or is made in pieces, rather than
    /// written at once as usual.
    pub fn streams(&self) -> bool {
        self.delay.is_some() || self.drip.is_some() || self.size.is_some()
    }

    /// The reply these knobs choose for `head`, over the usual one: their
    /// status and headers, the view `?format=` names (it overrides
    /// `Accept`: a link or a proxy's health check can carry a URL, not a
    /// header), and a drip's framing. A drip to an HTTP/1.0 client cannot
    /// be chunked: its body ends with the connection.
    fn reply(&self, head: &Head, config: &Config) -> Reply<'_> {
        let (body_end, connection) = match (self.drip, head.minor) {
            (None, _) => (BodyEnd::Length, connection_of(head)),
            (Some(_), 0) => (BodyEnd::Close, ConnectionHeader::Close),
            (Some(_), _) => (BodyEnd::Chunked, connection_of(head)),
        };
        Reply {
            status: self.status.unwrap_or(config.status),
            view: self.format.unwrap_or(head.view),
            body_end,
            connection,
            extra: &self.headers,
        }
    }
}

impl Session {
    /// Answers a complete request whose target has a query, as its knobs
    /// say: a 400 for one that cannot be obeyed; otherwise the reply they
    /// choose, written now and room made for the next request, or, when
    /// it takes time or comes in pieces, started (`stream.rs`): it goes
    /// on in `process` as its moments come and the client reads, and the
    /// request stays in `input` until it is done.
    pub(super) fn finish_with_knobs(
        &mut self,
        head: Head,
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let knobs = match Knobs::parse(&self.input[head.target.clone()], config) {
            Ok(knobs) => knobs,
            Err(bad) => {
                let next = self.fail(Refusal::BadKnob(bad), log, out);
                return self.make_room(&head, next);
            }
        };
        let reply = knobs.reply(&head, config);
        if knobs.streams() {
            return self.hold(head, &knobs, &reply, config, log, out);
        }
        let next = self.respond(&head, &reply, config, log, out);
        self.make_room(&head, next)
    }
}

/// The knobs' names, as a query writes them.
const KNOWN: [&str; 7] = [
    "status", "delay", "drip", "interval", "size", "header", "format",
];

/// The raw value of the first parameter called `name` in `query`.
fn raw_value<'q>(query: &'q [u8], name: &str) -> &'q [u8] {
    params(query)
        .map(name_value)
        .find_map(|(found, raw)| (found == name.as_bytes()).then_some(raw))
        .unwrap_or_default()
}

/// Percent-decodes a value; `None` when a `%` is not followed by two hex
/// digits. `+` is left alone (see the module's documentation).
fn decode(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter();
    while let Some(&b) = bytes.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        let hi = hex_digit(*bytes.next()?)?;
        let lo = hex_digit(*bytes.next()?)?;
        out.push(hi << 4 | lo);
    }
    Some(out)
}

fn hex_digit(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).map(|d| d as u8)
}

/// A whole number of ASCII digits only (no sign, no spaces), that fits.
fn number(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Seconds as digits with at most one `.` and at most 9 decimals (`1`,
/// `1.5`, `.25`, `2.`), read exactly rather than through a float, which
/// would also take `inf`, `NaN` and `1e3`.
fn seconds(value: &[u8]) -> Option<Duration> {
    let (whole, fraction) = match value.iter().position(|&b| b == b'.') {
        Some(dot) => (&value[..dot], &value[dot + 1..]),
        None => (value, &value[value.len()..]),
    };
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 9 {
        return None;
    }
    let secs = if whole.is_empty() { 0 } else { number(whole)? };
    let mut nanos = if fraction.is_empty() {
        0
    } else {
        number(fraction)?
    };
    for _ in fraction.len()..9 {
        nanos *= 10;
    }
    Some(Duration::new(secs, nanos as u32))
}

/// Checks one `?header` value and adds its line to `headers`; one that
/// acts on the browser (see [`BROWSER_HEADERS`]) only if `allow_unsafe`.
fn add_header(headers: &mut Vec<u8>, value: &[u8], allow_unsafe: bool) -> Result<(), KnobProblem> {
    let colon = value
        .iter()
        .position(|&b| b == b':')
        .ok_or(KnobProblem::HeaderWithoutColon)?;
    let name = &value[..colon];
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(KnobProblem::HeaderName);
    }
    if let Some(refused) = REFUSED_HEADERS
        .iter()
        .find(|refused| refused.as_bytes().eq_ignore_ascii_case(name))
    {
        return Err(KnobProblem::HeaderRefused { name: refused });
    }
    // Every view shows bytes the client chose (a form on any web page can
    // POST them here): a second Content-Type of text/html would have the
    // browser run them as a page in this origin (reflected XSS).
    if name.eq_ignore_ascii_case(b"content-type") {
        return Err(KnobProblem::HeaderContentType);
    }
    // Optional white space around the value is not part of it (RFC 9110
    // §5.5), so `X-A: 1` and `X-A:1` mean the same. Only SP and HTAB: a
    // CR or LF at either end is refused below, not quietly dropped.
    let value = trim_ows(&value[colon + 1..]);
    // field-vchar, SP and HTAB (RFC 9110 §5.5): no CR, LF, NUL nor any
    // other control character, which would end the line or confuse a peer.
    if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(KnobProblem::HeaderValue);
    }
    if !allow_unsafe {
        check_browser_header(name, value)?;
    }
    headers.extend_from_slice(name);
    headers.extend_from_slice(b": ");
    headers.extend_from_slice(value);
    headers.extend_from_slice(b"\r\n");
    Ok(())
}

/// Refuses a header that would act on the browser (see
/// [`BROWSER_HEADERS`]): one of those names, a CORS one, or a `Location`
/// that leaves this server.
fn check_browser_header(name: &[u8], value: &[u8]) -> Result<(), KnobProblem> {
    if let Some((known, does)) = BROWSER_HEADERS
        .iter()
        .find(|(known, _)| known.as_bytes().eq_ignore_ascii_case(name))
    {
        return Err(KnobProblem::HeaderUnsafe {
            name: known,
            does: *does,
        });
    }
    let cors = CORS_PREFIX.as_bytes();
    if name.len() >= cors.len() && name[..cors.len()].eq_ignore_ascii_case(cors) {
        return Err(KnobProblem::HeaderUnsafe {
            name: "Access-Control-*",
            does: Browser::Cors,
        });
    }
    if name.eq_ignore_ascii_case(b"location") && !is_local_path(value) {
        return Err(KnobProblem::HeaderUnsafe {
            name: "Location",
            does: Browser::OffSite,
        });
    }
    Ok(())
}

/// Whether a URL, as a browser reads it, is a path on the server that sent
/// it: one `/`, and then anything but a second one. `//host/x` and
/// `http://host/x` name another host, `javascript:` is no place at all.
/// A browser reads `\` as `/` and drops every tab, CR and LF in a URL
/// (WHATWG URL standard, "basic URL parser"), so `/\host` and `/<TAB>/host`
/// are `//host` to it: they are read here the same way first.
fn is_local_path(url: &[u8]) -> bool {
    let mut seen = url
        .iter()
        .filter(|&&b| !matches!(b, b'\t' | b'\r' | b'\n'))
        .map(|&b| if b == b'\\' { b'/' } else { b });
    seen.next() == Some(b'/') && seen.next() != Some(b'/')
}

/// `value` without the spaces and tabs (RFC 9110's OWS) around it.
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// RFC 9110 §5.6.2's `tchar`: what a header name is made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Appends a drip chunk's line (see the module's documentation), `at`
/// after the request was complete.
pub fn write_drip_line(out: &mut Vec<u8>, chunk: u32, of: u32, at: Duration) {
    use std::io::Write;
    // Writing into a Vec cannot fail.
    let _ = writeln!(
        out,
        "chunk {chunk} of {of} at {}.{:03} s",
        at.as_secs(),
        at.subsec_millis()
    );
}

/// One line of the `?size` filler, with its offset left out.
const FILLER_TAIL: &[u8] = b" rawnet ?size: every line is 64 bytes, offset first\n";
/// The filler's line length; `FILLER_TAIL` is this less the 12 digits.
pub const FILLER_LINE: u64 = 64;

/// Appends the filler's bytes from body offset `from`, `len` of them.
pub fn write_filler(out: &mut Vec<u8>, from: u64, len: u64) {
    let end = from + len;
    let mut at = from;
    let mut line = Vec::with_capacity(FILLER_LINE as usize);
    while at < end {
        let start = at - at % FILLER_LINE;
        line.clear();
        // Offsets past 12 digits (a terabyte) wrap: the line stays 64 bytes.
        push_padded(&mut line, start % 1_000_000_000_000);
        line.extend_from_slice(FILLER_TAIL);
        let skip = (at - start) as usize;
        let take = (FILLER_LINE - (at - start)).min(end - at) as usize;
        out.extend_from_slice(&line[skip..skip + take]);
        at += take as u64;
    }
}

/// `n` as 12 decimal digits, zeros in front.
fn push_padded(out: &mut Vec<u8>, n: u64) {
    let mut digits = [b'0'; 12];
    let mut n = n;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(target: &str) -> Result<Knobs, String> {
        Knobs::parse(target.as_bytes(), &Config::default()).map_err(|bad| bad.to_string())
    }

    #[test]
    fn no_query_no_knobs_and_unknown_parameters_are_ignored() {
        assert_eq!(parse("/"), Ok(Knobs::default()));
        assert_eq!(parse("/?"), Ok(Knobs::default()));
        assert_eq!(parse("/search?q=%zz&x&&page=2"), Ok(Knobs::default()));
        // A name is matched as written.
        assert_eq!(parse("/?Status=99&%73tatus=99"), Ok(Knobs::default()));
        // A `?` after a `#` starts no query.
        assert_eq!(parse("/x#?status=500"), Ok(Knobs::default()));
        let knobs = parse("/app?q=cats&status=404&lang=en").unwrap();
        assert_eq!(knobs.status, Some(404));
    }

    #[cfg(feature = "json")]
    #[test]
    fn every_knob() {
        let knobs = parse(
            "http://example.com/x?status=503&delay=1.5&drip=5&interval=0.25&size=1000\
             &header=X-Test:1&header=X-Two%3A%20a+b&format=json#frag",
        )
        .unwrap();
        assert_eq!(
            knobs,
            Knobs {
                status: Some(503),
                delay: Some(Duration::from_millis(1500)),
                drip: Some(5),
                interval: Some(Duration::from_millis(250)),
                size: Some(1000),
                headers: b"X-Test: 1\r\nX-Two: a+b\r\n".to_vec(),
                format: Some(View::Json),
            }
        );
        assert!(knobs.streams());
        assert!(!parse("/?status=201&header=A:b").unwrap().streams());
        assert_eq!(parse("/?drip=2").unwrap().interval(), DEFAULT_INTERVAL);
    }

    #[test]
    fn seconds_are_read_exactly() {
        for (text, expected) in [
            ("0", Duration::ZERO),
            ("2", Duration::from_secs(2)),
            ("2.", Duration::from_secs(2)),
            (".25", Duration::from_millis(250)),
            ("0.000000001", Duration::from_nanos(1)),
            ("29.999", Duration::from_millis(29_999)),
        ] {
            assert_eq!(seconds(text.as_bytes()), Some(expected), "{text}");
        }
        for text in [
            "",
            ".",
            "-1",
            "+1",
            "1e3",
            "inf",
            "NaN",
            "1.2.3",
            " 1",
            "0.0000000001",
        ] {
            assert_eq!(seconds(text.as_bytes()), None, "{text}");
        }
    }

    /// The words a client reads in the 400's body, after `400 Bad Request: `.
    #[test]
    fn bad_values_name_the_parameter() {
        for (target, words) in [
            ("/?status=99", "?status=99: a status must be a number from 200 to 599"),
            ("/?status=600", "?status=600: a status must be a number from 200 to 599"),
            ("/?status=abc", "?status=abc: a status must be a number from 200 to 599"),
            ("/?status", "?status=: a status must be a number from 200 to 599"),
            ("/?status=200&status=201", "?status=201: given more than once; only ?header repeats"),
            ("/?delay=soon", "?delay=soon: must be seconds, like 1.5 (digits and at most one dot, at most 9 decimals)"),
            ("/?delay=31", "?delay=31: at most 30 s (--max-delay)"),
            ("/?drip=0", "?drip=0: must be a number of chunks from 1 to 1000"),
            ("/?drip=1001", "?drip=1001: must be a number of chunks from 1 to 1000"),
            ("/?interval=1", "?interval=1: goes with ?drip, which is missing"),
            ("/?drip=32", "?drip=32: the last chunk would leave at 31 s after ?delay and 31 intervals; at most 30 s (--max-delay)"),
            ("/?drip=5&interval=2&delay=23", "?drip=5: the last chunk would leave at 31 s after ?delay and 4 intervals; at most 30 s (--max-delay)"),
            ("/?drip=2&interval=99999999999999999999", "?interval=99999999999999999999: must be seconds, like 1.5 (digits and at most one dot, at most 9 decimals)"),
            ("/?size=-1", "?size=-1: must be a number of bytes"),
            ("/?size=10485761", "?size=10485761: at most 10485760 bytes (--max-size)"),
            ("/?size=100&drip=2", "?size=100: too small for ?drip=2; each chunk needs at least 64 bytes, for its line"),
            ("/?status=204&drip=2", "?drip=2: a 204 response has no body"),
            ("/?size=5&status=304", "?size=5: a 304 response has no body"),
            ("/?header=X-Test", "?header=X-Test: must be Name:Value"),
            ("/?header=:1", "?header=:1: the name must be a token (letters, digits and !#$%&'*+-.^_`|~)"),
            ("/?header=X%20Y:1", "?header=X%20Y:1: the name must be a token (letters, digits and !#$%&'*+-.^_`|~)"),
            ("/?header=X:a%0d%0aSet-Cookie:1", "?header=X:a%0d%0aSet-Cookie:1: the value must not contain CR, LF, NUL or other control characters"),
            ("/?header=content-length:5", "?header=content-length:5: Content-Length is a framing or hop-by-hop header; rawnet frames the response itself, and a proxy removes hop-by-hop headers"),
            ("/?header=Connection:close", "?header=Connection:close: Connection is a framing or hop-by-hop header; rawnet frames the response itself, and a proxy removes hop-by-hop headers"),
            ("/?header=X:%0d%0a", "?header=X:%0d%0a: the value must not contain CR, LF, NUL or other control characters"),
            ("/?header=Content-Type:text/html", "?header=Content-Type:text/html: rawnet sets Content-Type itself: its views show the client's bytes, and another type (text/html) would have a browser run them as a page"),
            ("/?header=X:%zz", "?header=X:%zz: a % must be followed by two hex digits"),
            ("/?format=xml", "?format=xml: must be json, html or text"),
            ("/?status=%ff%00", "?status=%ff%00: a status must be a number from 200 to 599"),
        ] {
            assert_eq!(parse(target), Err(words.to_string()), "{target}");
        }
        // A server-wide `--status 204` leaves no room for a body either;
        // `?status` can still choose one that has it.
        let config = Config {
            status: 204,
            ..Config::default()
        };
        let parse_204 =
            |target: &str| Knobs::parse(target.as_bytes(), &config).map_err(|b| b.to_string());
        assert_eq!(
            parse_204("/?drip=2"),
            Err("?drip=2: a 204 response has no body".to_string())
        );
        assert!(parse_204("/?drip=2&status=200").is_ok());
    }

    /// Without `--allow-unsafe-headers`, every header of
    /// [`BROWSER_HEADERS`], every CORS one and an off-site `Location` is
    /// refused, whatever its case; with it, each is sent as asked.
    #[test]
    fn headers_that_act_on_the_browser_need_the_flag() {
        const TAIL: &str =
            "; any link to rawnet could do that to whoever follows it, so it needs rawnet --allow-unsafe-headers";
        let off_site = "Location sends the browser off this server: only a path (one /, then anything but / or \\) stays on it";
        for (header, words) in [
            ("Set-Cookie:sid=FIXED", "Set-Cookie sets browser state: a cookie for this host, which the browser sends to every port on it, other apps on localhost included"),
            ("set-cookie2:a=b", "Set-Cookie2 sets browser state: a cookie for this host, which the browser sends to every port on it, other apps on localhost included"),
            ("WWW-Authenticate:Basic", "WWW-Authenticate sets browser state: a login prompt, and the password typed into it, which the browser then sends by itself"),
            ("Proxy-Authenticate:Basic", "Proxy-Authenticate sets browser state: a login prompt, and the password typed into it, which the browser then sends by itself"),
            ("Refresh:0;url=http://elsewhere/", "Refresh sends the browser on to whatever URL it names"),
            ("Clear-Site-Data:*", "Clear-Site-Data sets browser state: it clears the cookies and storage the browser keeps for this host"),
            ("Content-Encoding:gzip", "Content-Encoding sets how the browser decodes the body, which is the client's bytes shown back: it would decode them into bytes nobody sent"),
            ("Content-Disposition:attachment", "Content-Disposition sets browser state: the answer, bytes the link chose, saved as a file under a name the link chose"),
            ("Access-Control-Allow-Origin:http://evil.example", "Access-Control-* grants access: a page on another origin could read the answer in the browser, and with credentials the cookies it shows back"),
            ("ACCESS-CONTROL-ALLOW-CREDENTIALS:true", "Access-Control-* grants access: a page on another origin could read the answer in the browser, and with credentials the cookies it shows back"),
            ("access-control-x:1", "Access-Control-* grants access: a page on another origin could read the answer in the browser, and with credentials the cookies it shows back"),
            ("Link:<http://elsewhere/>;rel=preload", "Link makes the browser fetch what it names (rel=preload, prefetch), from any server, as soon as the answer arrives"),
            ("Strict-Transport-Security:max-age=31536000", "Strict-Transport-Security sets browser state: over HTTPS, the browser would refuse plain HTTP to this host, every port on it, for as long as max-age says"),
            ("Location:http://elsewhere/", off_site),
            ("location://elsewhere/", off_site),
            ("Location:/\\elsewhere/", off_site),
            ("Location:\\/elsewhere/", off_site),
            ("Location:/\t/elsewhere/", off_site),
            ("Location:\t//elsewhere/", off_site),
            ("Location:javascript:alert(1)", off_site),
            ("Location:https:elsewhere", off_site),
            ("Location:elsewhere", off_site),
            ("Location:", off_site),
        ] {
            let mut headers = Vec::new();
            let refused = add_header(&mut headers, header.as_bytes(), false)
                .map_err(|problem| problem.to_string());
            assert_eq!(refused, Err(format!("{words}{TAIL}")), "{header}");
            assert!(headers.is_empty());
            // The flag lets each through, as written.
            assert_eq!(add_header(&mut headers, header.as_bytes(), true), Ok(()));
            assert!(headers.ends_with(b"\r\n"), "{header}");
        }
        // A path on this server is no redirect off it.
        for local in [
            "/",
            "/here",
            "/a//b",
            "/a\\b",
            "/?next=//elsewhere",
            "/%2F/elsewhere",
        ] {
            let mut headers = Vec::new();
            let header = format!("Location:{local}");
            assert_eq!(
                add_header(&mut headers, header.as_bytes(), false),
                Ok(()),
                "{local}"
            );
            assert_eq!(headers, format!("Location: {local}\r\n").into_bytes());
        }
        // Framing and Content-Type stay refused with the flag too.
        let config = Config {
            knobs: Limits {
                allow_unsafe_headers: true,
                ..Limits::default()
            },
            ..Config::default()
        };
        for target in [
            "/?header=Content-Length:1",
            "/?header=Content-Type:text/html",
        ] {
            assert!(
                Knobs::parse(target.as_bytes(), &config).is_err(),
                "{target}"
            );
        }
        let allowed = Knobs::parse(b"/?header=Set-Cookie:sid=FIXED", &config).unwrap();
        assert_eq!(allowed.headers, b"Set-Cookie: sid=FIXED\r\n");
    }

    #[test]
    fn drip_lines_and_filler_have_their_documented_form() {
        let mut out = Vec::new();
        write_drip_line(&mut out, 1, 5, Duration::ZERO);
        write_drip_line(&mut out, 12, 1000, Duration::from_micros(29_999_999));
        assert_eq!(
            out,
            b"chunk 1 of 5 at 0.000 s\nchunk 12 of 1000 at 29.999 s\n"
        );

        assert_eq!(12 + FILLER_TAIL.len() as u64, FILLER_LINE);
        let mut whole = Vec::new();
        write_filler(&mut whole, 0, 200);
        assert_eq!(whole.len(), 200);
        assert!(whole.starts_with(
            b"000000000000 rawnet ?size: every line is 64 bytes, offset first\n\
              000000000064 rawnet"
        ));
        // Any piece is the same bytes as the whole at that offset.
        for (from, len) in [(0, 0), (3, 70), (63, 1), (64, 64), (100, 100)] {
            let mut piece = Vec::new();
            write_filler(&mut piece, from, len);
            assert_eq!(piece, &whole[from as usize..(from + len) as usize]);
        }
    }

    #[test]
    fn explain_is_not_a_knob_of_http() {
        // Any request but an upgrade ignores it, as any parameter it does
        // not know.
        assert_eq!(parse("/?explain&explain=%zz"), Ok(Knobs::default()));
    }
}
