//! A connection's first bytes, before it speaks: what they are decides
//! what it speaks. In `--mode auto` and `--mode http` they may start with
//! a PROXY protocol header (`proxy.rs`, read as a prelude of its own in
//! `proxy/prelude.rs`) naming the client a load balancer stands for;
//! then, in auto mode, an HTTP request line or anything else
//! (`sniff.rs`); in either mode, a TLS ClientHello or HTTP/2's preface,
//! read whole so the log can say what the client asked for (`tls.rs`,
//! `h2.rs`), answered with an alert or a GOAWAY, and closed.
//!
//! [`Prelude`] reads them and ends in one [`Decision`]: what the
//! connection speaks from now on, the bytes to hand it, and the client a
//! PROXY header named. `protocol.rs` then makes the session that speaks.
//! Like every session, this sees bytes and does no I/O.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::time::Instant;

use crate::conn::Event;
#[cfg(feature = "h2")]
use crate::h2::{self, Preface};
use crate::http;
use crate::log::ConnLog;
use crate::protocol::{Mode, ProxyProtocol};
#[cfg(feature = "proxy")]
use crate::proxy::Proxy;
use crate::sniff::{self, Came, Guess};
#[cfg(feature = "tls")]
use crate::tls::{self, Hello};

/// What the first bytes decided.
#[derive(Debug)]
pub(crate) enum Decision<'d> {
    /// Not yet: more bytes, their end or the deadline will tell.
    Undecided,
    /// Nothing more will be answered: what there was to say (a TLS alert,
    /// HTTP/2's GOAWAY) is in the reply; or a PROXY header was missing or
    /// broken.
    Close,
    /// The tutorial's echo, starting with these bytes as its first chunk.
    Echo(Cow<'d, [u8]>),
    /// HTTP, this session reading these bytes first; `client` is the
    /// address a PROXY header gave, for its pages.
    Http {
        session: Box<http::Session>,
        first: Cow<'d, [u8]>,
        client: Option<SocketAddr>,
    },
    /// HTTP/2's preface: the session reads these bytes first, the
    /// preface among them (unless `--no-h2`, where it is refused).
    #[cfg(feature = "h2")]
    Http2 {
        first: Cow<'d, [u8]>,
        client: Option<SocketAddr>,
    },
    /// A whole TLS ClientHello (boxed, with its record's bytes); `first`
    /// is every byte held, the hello's first. `protocol.rs` answers it
    /// with a handshake (`--tls`) or an alert.
    #[cfg(feature = "tls")]
    Tls {
        hello: Box<tls::layer::Hello>,
        first: Cow<'d, [u8]>,
        client: Option<SocketAddr>,
    },
}

impl Decision<'_> {
    /// The same decision, owning its bytes (they were in a buffer the
    /// prelude is about to let go of).
    pub(crate) fn into_owned(self) -> Decision<'static> {
        match self {
            Decision::Undecided => Decision::Undecided,
            Decision::Close => Decision::Close,
            Decision::Echo(first) => Decision::Echo(Cow::Owned(first.into_owned())),
            Decision::Http {
                session,
                first,
                client,
            } => Decision::Http {
                session,
                first: Cow::Owned(first.into_owned()),
                client,
            },
            #[cfg(feature = "tls")]
            Decision::Tls {
                hello,
                first,
                client,
            } => Decision::Tls {
                hello,
                first: Cow::Owned(first.into_owned()),
                client,
            },
            #[cfg(feature = "h2")]
            Decision::Http2 { first, client } => Decision::Http2 {
                first: Cow::Owned(first.into_owned()),
                client,
            },
        }
    }
}

/// Where the first bytes are.
#[derive(Debug)]
pub(crate) enum Prelude {
    /// `--mode auto` before the first bytes have decided between HTTP and
    /// echo (see `sniff.rs`): the bytes so far, and the reads they came
    /// in. In either mode, after HTTP/2's preface, until the first
    /// SETTINGS frame is whole (`h2.rs`), within [`sniff::SNIFF_WAIT`].
    /// Also, in either mode, a TLS ClientHello until its record is whole
    /// (at most [`tls::MAX_RECORD`] and a header) or [`sniff::SNIFF_WAIT`]
    /// has passed, so the log can say what the client asked for. One
    /// variant for all three keeps the connection's protocol at 40 bytes.
    Sniffing { first: Vec<u8>, came: Came },
    /// `--mode http` before the first bytes: HTTP, unless they are a TLS
    /// ClientHello. `since` is when the connection came (not the first
    /// byte, as above): the head deadline counts from there. `seen` counts
    /// the bytes of `sniff::TLS_RECORD_START` that came alone so far (0 to
    /// 2): that prefix is all this state ever has to keep.
    HttpUnlessTls { since: Instant, seen: u8 },
    /// `--proxy-protocol auto|require` in `--mode auto|http`: a PROXY
    /// header maybe, then the prelude after it (`proxy/prelude.rs`).
    /// Unboxed while it is only maybe, so that a connection without a
    /// header allocates nothing for the check.
    #[cfg(feature = "proxy")]
    Proxy(Proxy),
}

impl Prelude {
    /// The first bytes of a connection in `mode` (auto or HTTP: echo and
    /// raw have none to decide), with `proxy`'s PROXY header check.
    #[cfg_attr(not(feature = "proxy"), allow(unused_variables))]
    pub(crate) fn new(mode: Mode, proxy: ProxyProtocol) -> Self {
        let since = Instant::now();
        #[cfg(feature = "proxy")]
        if proxy != ProxyProtocol::Off {
            let require = proxy == ProxyProtocol::Require;
            return Prelude::Proxy(Proxy::Maybe {
                since,
                mode,
                require,
            });
        }
        Self::without_proxy(mode, since)
    }

    /// The prelude of a connection in `mode` once any PROXY header is out
    /// of the way; HTTP mode's head deadline counts from `since`.
    pub(crate) fn without_proxy(mode: Mode, since: Instant) -> Self {
        match mode {
            Mode::Http => Prelude::HttpUnlessTls { since, seen: 0 },
            _ => Prelude::Sniffing {
                first: Vec::new(),
                came: Came::Nothing,
            },
        }
    }

    /// Reads one chunk of the first bytes.
    pub(crate) fn on_data<'d>(
        &mut self,
        data: &'d [u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'d> {
        match self {
            Prelude::Sniffing { .. } => self.sniff(data, config, log, out),
            Prelude::HttpUnlessTls { .. } => self.http_unless_tls(data, config, log, out),
            #[cfg(feature = "proxy")]
            Prelude::Proxy(_) => Proxy::on_data(self, data, config, log, out),
        }
    }

    /// Auto mode: the bytes so far are held until they are plainly an HTTP
    /// request line, or plainly not, or a TLS hello or HTTP/2's preface.
    #[cfg_attr(not(all(feature = "tls", feature = "h2")), allow(unused_variables))]
    fn sniff<'d>(
        &mut self,
        data: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'d> {
        let Prelude::Sniffing { first, came } = self else {
            return Decision::Undecided;
        };
        let held = first.len();
        first.extend_from_slice(data);
        let guess = sniff::guess(first);
        // A read after which the bytes are still held is one of theirs;
        // the one that decides on HTTP is the session's.
        if guess != Guess::Http {
            came.read(held, first.len(), Instant::now());
        }
        match guess {
            Guess::NeedMore if first.len() < config.max_head => Decision::Undecided,
            Guess::Http => {
                log.emit(Event::SpeakingHttp);
                Decision::Http {
                    session: Box::new(session_after(std::mem::take(came), held, config)),
                    first: Cow::Owned(std::mem::take(first)),
                    client: None,
                }
            }
            #[cfg(feature = "tls")]
            Guess::Tls => self.read_hello(log, out),
            #[cfg(feature = "h2")]
            Guess::Http2 => self.read_http2(config, log, out),
            Guess::NeedMore | Guess::Echo => self.echo(log),
        }
    }

    /// HTTP mode: HTTP from the first byte, unless it starts a TLS hello
    /// or HTTP/2's preface.
    #[cfg_attr(not(all(feature = "tls", feature = "h2")), allow(unused_variables))]
    fn http_unless_tls<'d>(
        &mut self,
        data: &'d [u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'d> {
        let Prelude::HttpUnlessTls { since, seen } = self else {
            return Decision::Undecided;
        };
        // The start of a TLS record seen so far, then what came now (a
        // copy only in that rare case: TCP split the header).
        let first: Cow<'d, [u8]> = if *seen == 0 {
            Cow::Borrowed(data)
        } else {
            Cow::Owned([&sniff::TLS_RECORD_START[..usize::from(*seen)], data].concat())
        };
        match sniff::tls_or_http(&first) {
            // The rest of the hello, or the SETTINGS after the preface,
            // gets auto mode's wait from now: a client sends it in one go.
            #[cfg(feature = "tls")]
            Guess::Tls => {
                self.hold(first);
                self.read_hello(log, out)
            }
            #[cfg(feature = "h2")]
            Guess::Http2 => {
                self.hold(first);
                self.read_http2(config, log, out)
            }
            Guess::NeedMore => {
                *seen = first.len() as u8;
                Decision::Undecided
            }
            Guess::Http | Guess::Echo => Decision::Http {
                session: Box::new(http::Session::new(*since, &config.budget)),
                first,
                client: None,
            },
        }
    }

    /// The first bytes of a TLS hello or HTTP/2's preface in HTTP mode:
    /// held, to be read whole, as auto mode holds them.
    #[cfg(any(feature = "tls", feature = "h2"))]
    fn hold(&mut self, first: Cow<[u8]>) {
        *self = Prelude::Sniffing {
            first: first.into_owned(),
            came: Came::Once(Instant::now()),
        };
    }

    /// The client has finished sending (FIN) before its first bytes
    /// decided. Bytes held back are echoed; a TLS hello or HTTP/2 preface
    /// cut short is said so.
    #[cfg_attr(
        not(all(feature = "proxy", feature = "tls", feature = "h2")),
        allow(unused_variables)
    )]
    pub(crate) fn on_end(
        &mut self,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'static> {
        match self {
            Prelude::Sniffing { first, .. } if first.is_empty() => Decision::Undecided,
            // The client may still read: it hears why nothing came.
            #[cfg(feature = "h2")]
            Prelude::Sniffing { first, .. } if first.starts_with(h2::PREFACE) => {
                let problem = "the client ended before its SETTINGS frame";
                refuse_http2(&[], Some(problem), log, out)
            }
            #[cfg(feature = "tls")]
            Prelude::Sniffing { first, .. } if sniff::guess(first) == Guess::Tls => {
                hello_cut(first, log, out)
            }
            Prelude::Sniffing { .. } => self.echo(log),
            // Bytes that could still have been a ClientHello: too few for
            // anything, and nobody left to answer.
            Prelude::HttpUnlessTls { .. } => Decision::Undecided,
            #[cfg(feature = "proxy")]
            Prelude::Proxy(_) => Proxy::on_end(self, config, log, out),
        }
    }

    /// When [`Prelude::on_deadline`] is due: the wait for the rest of a
    /// first line, a hello, a PROXY header, or HTTP mode's head deadline.
    pub(crate) fn deadline(&self, config: &http::Config) -> Option<Instant> {
        match self {
            Prelude::Sniffing { came, .. } => came.since().map(|since| since + sniff::SNIFF_WAIT),
            Prelude::HttpUnlessTls { since, .. } => since.checked_add(config.head_timeout),
            #[cfg(feature = "proxy")]
            Prelude::Proxy(proxy) => proxy.deadline(config),
        }
    }

    /// The deadline [`Prelude::deadline`] named has come. What it decides
    /// then is given the deadline too (`protocol.rs`): an HTTP session made
    /// at HTTP mode's head deadline says `no request within`.
    #[cfg_attr(not(all(feature = "tls", feature = "h2")), allow(unused_variables))]
    pub(crate) fn on_deadline(
        &mut self,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'static> {
        match self {
            #[cfg(feature = "h2")]
            Prelude::Sniffing { first, .. } if first.starts_with(h2::PREFACE) => {
                let problem = "no complete SETTINGS frame within 1s of the preface";
                refuse_http2(&[], Some(problem), log, out)
            }
            #[cfg(feature = "tls")]
            Prelude::Sniffing { first, .. } if sniff::guess(first) == Guess::Tls => {
                hello_cut(first, log, out)
            }
            // Auto mode gives up on a first line that never ended: echo it.
            Prelude::Sniffing { .. } => self.echo(log),
            // HTTP mode, nothing decided within the head deadline: the
            // session says so (`no request within`, or 408).
            Prelude::HttpUnlessTls { since, seen } => Decision::Http {
                session: Box::new(http::Session::new(*since, &config.budget)),
                first: Cow::Borrowed(&sniff::TLS_RECORD_START[..usize::from(*seen)]),
                client: None,
            },
            #[cfg(feature = "proxy")]
            Prelude::Proxy(_) => Proxy::on_deadline(self, config, log, out),
        }
    }

    /// Auto mode decided on echo: the bytes held back so far are its first
    /// chunk.
    fn echo(&mut self, log: &ConnLog) -> Decision<'static> {
        let Prelude::Sniffing { first, .. } = self else {
            return Decision::Undecided;
        };
        log.emit(Event::Echoing);
        Decision::Echo(Cow::Owned(std::mem::take(first)))
    }

    /// HTTP/2's preface came: answer once the client's first frame is
    /// whole. Until then `first` grows by at most one read past
    /// `h2::MAX_FIRST_BYTES`, as `h2::read` decides within those.
    #[cfg(feature = "h2")]
    fn read_http2(
        &mut self,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'static> {
        let Prelude::Sniffing { first, .. } = self else {
            return Decision::Undecided;
        };
        // HTTP/2 spoken (`h2/session.rs`): it reads its SETTINGS itself.
        if config.http2 {
            return Decision::Http2 {
                first: Cow::Owned(std::mem::take(first)),
                client: None,
            };
        }
        match h2::read(first) {
            Preface::NeedMore => Decision::Undecided,
            Preface::Complete(settings) => refuse_http2(&settings, None, log, out),
            Preface::Invalid(problem) => refuse_http2(&[], Some(problem), log, out),
        }
    }

    /// A TLS ClientHello: once its record is whole, it is decided (what
    /// it asked for is said by `protocol.rs`, which knows whether this
    /// port has `--tls`); a broken one is said so, answered with an
    /// alert, and closed.
    #[cfg(feature = "tls")]
    fn read_hello(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Decision<'static> {
        let Prelude::Sniffing { first, .. } = self else {
            return Decision::Undecided;
        };
        match tls::parse(first) {
            Hello::NeedMore { .. } => Decision::Undecided,
            Hello::Complete(parsed, used) => Decision::Tls {
                hello: Box::new(tls::layer::Hello {
                    record: first[..used].to_vec(),
                    parsed,
                }),
                first: Cow::Owned(std::mem::take(first)),
                client: None,
            },
            Hello::Invalid(reason) => {
                log.emit(tls::Event::Malformed { reason });
                refuse_tls(out)
            }
        }
    }
}

/// HTTP/2 on this port: one event line, then rawnet's SETTINGS and a
/// GOAWAY asking for HTTP/1.1, and close (after they are sent).
#[cfg(feature = "h2")]
fn refuse_http2(
    settings: &[h2::Setting],
    problem: Option<&str>,
    log: &ConnLog,
    out: &mut Vec<u8>,
) -> Decision<'static> {
    log.emit(h2::Event::Preface { settings, problem });
    h2::refusal(out);
    Decision::Close
}

/// The client stopped sending (FIN, or the deadline) before its
/// ClientHello was whole.
#[cfg(feature = "tls")]
fn hello_cut(first: &[u8], log: &ConnLog, out: &mut Vec<u8>) -> Decision<'static> {
    let record = match tls::parse(first) {
        Hello::NeedMore { record } => record,
        _ => None,
    };
    log.emit(tls::Event::Cut {
        got: first.len(),
        record,
    });
    refuse_tls(out)
}

/// Ends a TLS attempt with a fatal `protocol_version` alert (RFC 8446
/// §6): the one that makes the client's own error clearest. curl prints
/// `tlsv1 alert protocol version`, Chromium shows
/// ERR_SSL_VERSION_OR_CIPHER_MISMATCH ("unsupported protocol"): both say
/// the server speaks no TLS the client offered, which is true. A plain
/// close reads as a network fault (curl's `SSL_ERROR_SYSCALL`, Chromium's
/// ERR_CONNECTION_CLOSED); `handshake_failure` reads as a cipher problem,
/// `unexpected_message` as a broken server.
#[cfg(feature = "tls")]
pub(crate) fn refuse_tls(out: &mut Vec<u8>) -> Decision<'static> {
    out.extend_from_slice(&tls::PROTOCOL_VERSION_ALERT);
    Decision::Close
}

/// The HTTP session for the `held` bytes auto mode kept back before this
/// read: it starts with the reads they came in, as if it had made them
/// itself, and its head deadline counts from the first of them (or from
/// now, when this read is the first).
fn session_after(came: Came, held: usize, config: &http::Config) -> http::Session {
    let since = came.since().unwrap_or_else(Instant::now);
    http::Session::after_reads(since, came.into_reads(held), &config.budget)
}
