//! What a connection speaks, as a state machine with no I/O: bytes in, bytes
//! out, and whether to keep going.
//!
//! `conn.rs` has the connection's events and `conn/io.rs` its socket and
//! timers; a protocol only sees bytes and says what to send back. Keeping the two
//! apart means every protocol gets the same lifecycle (events, timeouts,
//! backpressure, shutdown) for free, and a protocol can be driven in a unit
//! test or a fuzzer without a socket.

use std::net::SocketAddr;
use std::time::Instant;

use crate::conn::Event;
use crate::echo::{self, Echo};
use crate::h2::{self, Preface};
use crate::http;
use crate::log::ConnLog;
use crate::next::Farewell;
use crate::proxy::{self, Decoded};
use crate::sniff::{self, Came, Guess};
use crate::tls::{self, Hello};
use crate::ws;

/// The `--mode` option: which protocol every new connection speaks.
#[derive(argh::FromArgValue, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// HTTP when the first line is an HTTP request line, echo otherwise.
    Auto,
    /// The tutorial: each chunk is answered with `You said "<chunk>"\r\n`.
    Echo,
    /// Every byte back unchanged, like Node's `socket.pipe(socket)`.
    Raw,
    /// HTTP/1.1 on every connection.
    Http,
}

/// The `--proxy-protocol` option: whether a connection in `--mode auto`
/// or `--mode http` may start with a PROXY protocol header (`proxy.rs`).
#[derive(argh::FromArgValue, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyProtocol {
    /// Read one if the first bytes start like one; otherwise go on as
    /// without.
    Auto,
    /// Never: a connection's first bytes are its data, whatever they are.
    Off,
    /// Close a connection that does not start with one.
    Require,
}

/// What the connection should do after the protocol has had its say.
pub(crate) use crate::next::Next;

/// One connection's protocol state.
#[derive(Debug)]
pub(crate) enum Protocol {
    /// `--mode auto` before the first bytes have decided between HTTP and
    /// echo (see `sniff.rs`): the bytes so far, and the reads they came
    /// in (the HTTP session they may go to counts those reads as its own).
    /// In either mode, after HTTP/2's preface, until the first SETTINGS
    /// frame is whole (`h2.rs`), within [`sniff::SNIFF_WAIT`].
    /// Also, in either mode, a TLS ClientHello until its record is whole
    /// (at most [`tls::MAX_RECORD`] and a header) or [`sniff::SNIFF_WAIT`]
    /// has passed, so the log can say what the client asked for. One
    /// variant for both keeps `Protocol` at 40 bytes: a second with a Vec
    /// and an Instant made it 48.
    Sniffing {
        first: Vec<u8>,
        came: Came,
    },
    /// `--mode http` before the first bytes: HTTP, unless they are a TLS
    /// ClientHello. `since` is when the connection came (not the first
    /// byte, as above): the head deadline counts from there. `seen` counts
    /// the bytes of `sniff::TLS_RECORD_START` that came alone so far (0 to
    /// 2): that prefix is all this state ever has to keep.
    HttpUnlessTls {
        since: Instant,
        seen: u8,
    },
    Echo(Echo),
    Raw,
    /// Boxed: a session is several times the size of the other variants,
    /// and every connection's protocol lives in its (idle) task.
    Http(Box<http::Session>),
    /// After an HTTP request's WebSocket handshake got 101 (boxed, as
    /// HTTP is).
    WebSocket(Box<ws::Session>),
    /// Nothing more will be answered (a TLS ClientHello or HTTP/2 on this
    /// port).
    Finished,
    /// `--proxy-protocol auto|require` in `--mode auto|http`, before the
    /// first bytes: they may be a PROXY header. `since` is when the
    /// connection came (HTTP mode's head deadline counts from there).
    /// Unboxed, and no bigger than `HttpUnlessTls`, so that a connection
    /// without a header allocates nothing for the check.
    MaybeProxy {
        since: Instant,
        mode: Mode,
        require: bool,
    },
    /// The first bytes started like a PROXY header: it, then the protocol
    /// after it until that has decided what it speaks. Boxed: only
    /// connections from a proxy pay for it, and `Protocol` stays 40 bytes.
    Proxied(Box<Proxied>),
}

/// A connection that started with (what looks like) a PROXY header.
#[derive(Debug)]
pub(crate) struct Proxied {
    /// The header's bytes so far, and any after it in the same read;
    /// emptied once it is whole.
    header: Vec<u8>,
    /// When its first byte came: the rest must follow within
    /// [`sniff::SNIFF_WAIT`], as a TLS hello's must.
    since: Instant,
    /// Whether the header is whole: from then on bytes go to `inner`.
    whole: bool,
    /// `--proxy-protocol require`: bytes that turn out to be no header
    /// close the connection.
    require: bool,
    /// The client's address, as the header says it.
    proxy_client: Option<SocketAddr>,
    /// What reads the bytes after the header: `Sniffing` or
    /// `HttpUnlessTls`, until they become something else.
    inner: Protocol,
}

impl Protocol {
    pub(crate) fn new(mode: Mode, proxy: ProxyProtocol) -> Self {
        match (mode, proxy) {
            (Mode::Auto | Mode::Http, ProxyProtocol::Auto | ProxyProtocol::Require) => {
                Protocol::MaybeProxy {
                    since: Instant::now(),
                    mode,
                    require: proxy == ProxyProtocol::Require,
                }
            }
            _ => Self::without_proxy(mode, Instant::now()),
        }
    }

    /// The state a connection in `mode` starts in, once any PROXY header
    /// is out of the way; HTTP mode's head deadline counts from `since`.
    fn without_proxy(mode: Mode, since: Instant) -> Self {
        match mode {
            Mode::Echo => Protocol::Echo(Echo::default()),
            Mode::Raw => Protocol::Raw,
            Mode::Auto => Protocol::Sniffing {
                first: Vec::new(),
                came: Came::Nothing,
            },
            Mode::Http => Protocol::HttpUnlessTls { since, seen: 0 },
        }
    }

    /// Handles one chunk the client sent; the reply goes into `out`.
    pub(crate) fn on_data(
        &mut self,
        data: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        self.answer(data, None, config, log, out)
    }

    /// [`Protocol::on_data`], for a connection whose PROXY header gave
    /// the client's address as `proxy_client`: an HTTP session started
    /// here shows it on its pages.
    fn answer(
        &mut self,
        data: &[u8],
        proxy_client: Option<SocketAddr>,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        match self {
            Protocol::Echo(state) => {
                log.emit(Event::Data { bytes: data });
                state.on_data(data, out);
                Next::Continue
            }
            Protocol::Raw => {
                log.emit(Event::Data { bytes: data });
                echo::raw(data, out);
                Next::Continue
            }
            Protocol::Http(_) => {
                self.answer_http(|session| session.on_data(data, config, log, out))
            }
            Protocol::WebSocket(session) => session.on_data(data, &config.ws, log, out),
            Protocol::Sniffing { first, came } => {
                let held = first.len();
                first.extend_from_slice(data);
                let guess = sniff::guess(first);
                // A read after which the bytes are still held is one of
                // theirs; the one that decides on HTTP is the session's.
                if guess != Guess::Http {
                    came.read(held, first.len(), Instant::now());
                }
                match guess {
                    Guess::NeedMore if first.len() < config.max_head => Next::Continue,
                    Guess::Http => {
                        log.emit(Event::SpeakingHttp);
                        let session = session_after(std::mem::take(came), held);
                        let first = std::mem::take(first);
                        self.become_http(&first, session, proxy_client, config, log, out)
                    }
                    Guess::Tls => self.read_hello(log, out),
                    Guess::Http2 => self.read_http2(log, out),
                    Guess::NeedMore | Guess::Echo => self.become_echo(log, out),
                }
            }
            Protocol::HttpUnlessTls { since, seen } => {
                // The start of a TLS record seen so far, then what came now
                // (a copy only in that rare case: TCP split the header).
                let joined;
                let first = if *seen == 0 {
                    data
                } else {
                    joined = [&sniff::TLS_RECORD_START[..usize::from(*seen)], data].concat();
                    &joined
                };
                match sniff::tls_or_http(first) {
                    Guess::Tls => {
                        // The rest of the hello gets auto mode's wait from
                        // now: a client sends it in one go.
                        *self = Protocol::Sniffing {
                            first: first.to_vec(),
                            came: Came::Once(Instant::now()),
                        };
                        self.read_hello(log, out)
                    }
                    // Waits as auto mode does (for the SETTINGS frame).
                    Guess::Http2 => {
                        *self = Protocol::Sniffing {
                            first: first.to_vec(),
                            came: Came::Once(Instant::now()),
                        };
                        self.read_http2(log, out)
                    }
                    Guess::NeedMore => {
                        *seen = first.len() as u8;
                        Next::Continue
                    }
                    Guess::Http | Guess::Echo => {
                        let session = http::Session::new(*since);
                        self.become_http(first, session, proxy_client, config, log, out)
                    }
                }
            }
            Protocol::Finished => Next::Close,
            Protocol::MaybeProxy {
                since,
                mode,
                require,
            } => {
                let (after, require) = (Self::without_proxy(*mode, *since), *require);
                if proxy::could_be(data) {
                    *self = Protocol::Proxied(Box::new(Proxied {
                        header: Vec::new(),
                        since: Instant::now(),
                        whole: false,
                        require,
                        proxy_client: None,
                        inner: after,
                    }));
                    self.answer(data, proxy_client, config, log, out)
                } else {
                    self.no_proxy_header(after, require, data, config, log, out)
                }
            }
            Protocol::Proxied(proxied) if proxied.whole => {
                let proxy_client = proxied.proxy_client;
                let next = proxied.inner.answer(data, proxy_client, config, log, out);
                self.unwrap_proxied(next)
            }
            Protocol::Proxied(proxied) => {
                proxied.header.extend_from_slice(data);
                match proxy::decode(&proxied.header) {
                    Decoded::NeedMore => Next::Continue,
                    Decoded::Complete(header, used) => {
                        log.emit(proxy::Event::Header {
                            version: header.version,
                            says: &header.says,
                            via: log.peer,
                            tlvs: &header.tlvs,
                        });
                        proxied.whole = true;
                        proxied.proxy_client = header.source();
                        let rest = proxied.header.split_off(used);
                        proxied.header = Vec::new();
                        if rest.is_empty() {
                            return Next::Continue;
                        }
                        self.answer(&rest, proxy_client, config, log, out)
                    }
                    // Started like `PROXY ` or the v2 signature, then
                    // went another way: the connection's data after all.
                    Decoded::Invalid(_) if !proxy::has_signature(&proxied.header) => {
                        self.not_a_header(config, log, out)
                    }
                    Decoded::Invalid(reason) => {
                        log.emit(proxy::Event::Invalid { reason });
                        *self = Protocol::Finished;
                        Next::Close
                    }
                }
            }
        }
    }

    /// The bytes held as a possible PROXY header are none (`PRO`, then
    /// something else, an end or silence): they are the connection's data.
    fn not_a_header(&mut self, config: &http::Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let Protocol::Proxied(proxied) = self else {
            return Next::Continue;
        };
        let first = std::mem::take(&mut proxied.header);
        let after = std::mem::replace(&mut proxied.inner, Protocol::Finished);
        let require = proxied.require;
        self.no_proxy_header(after, require, &first, config, log, out)
    }

    /// The first bytes are no PROXY header: with `--proxy-protocol
    /// require`, close; otherwise they go to the protocol that would
    /// have read them without the option.
    fn no_proxy_header(
        &mut self,
        after: Protocol,
        require: bool,
        data: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        if require {
            log.emit(proxy::Event::Missing);
            *self = Protocol::Finished;
            return Next::Close;
        }
        *self = after;
        self.answer(data, None, config, log, out)
    }

    /// Lets the HTTP session answer (bytes, its deadline, room to go on),
    /// every way it is called: a session that answered a WebSocket
    /// handshake with 101 then hands the connection to the WebSocket
    /// session it started.
    fn answer_http(&mut self, answer: impl FnOnce(&mut http::Session) -> Next) -> Next {
        let Protocol::Http(session) = self else {
            return Next::Continue;
        };
        let next = answer(session);
        if let Some(upgraded) = session.take_upgraded() {
            *self = Protocol::WebSocket(upgraded);
        }
        next
    }

    /// The connection closes on its own (`--idle-close`, shutdown): a
    /// protocol that can say goodbye puts it in `out` (a WebSocket's close
    /// frame with 1001). Returns whether it did.
    pub(crate) fn farewell(&mut self, why: Farewell, log: &ConnLog, out: &mut Vec<u8>) -> bool {
        match self {
            Protocol::WebSocket(session) => {
                session.farewell(why, log, out);
                !out.is_empty()
            }
            Protocol::Proxied(proxied) if proxied.whole => proxied.inner.farewell(why, log, out),
            _ => false,
        }
    }

    /// The connection is closing, for whatever reason: a line the
    /// protocol still owes the log goes out before the `close` line (a
    /// WebSocket's count of frames not shown one by one).
    pub(crate) fn before_close(&mut self, log: &ConnLog) {
        match self {
            Protocol::WebSocket(session) => session.flush_lines(log),
            Protocol::Proxied(proxied) if proxied.whole => proxied.inner.before_close(log),
            _ => {}
        }
    }

    /// Once the protocol after a PROXY header has decided what it speaks
    /// (an HTTP session, an echo, a refusal), it takes the header's place.
    fn unwrap_proxied(&mut self, next: Next) -> Next {
        if let Protocol::Proxied(proxied) = self {
            if proxied.whole
                && !matches!(
                    proxied.inner,
                    Protocol::Sniffing { .. } | Protocol::HttpUnlessTls { .. }
                )
            {
                *self = std::mem::replace(&mut proxied.inner, Protocol::Finished);
            }
        }
        next
    }

    /// The client has finished sending (FIN). Anything still owed goes into
    /// `out`; the connection then closes, as Node does with its default
    /// `allowHalfOpen: false`.
    pub(crate) fn on_end(&mut self, config: &http::Config, log: &ConnLog, out: &mut Vec<u8>) {
        match self {
            // Echo answers each chunk as it arrives, so nothing is pending.
            Protocol::Echo(_) | Protocol::Raw | Protocol::Finished | Protocol::WebSocket(_) => {}
            Protocol::Http(session) => session.on_end(log),
            Protocol::Sniffing { first, .. } if first.is_empty() => {}
            // The client may still read: it hears why nothing came.
            Protocol::Sniffing { first, .. } if first.starts_with(h2::PREFACE) => {
                let problem = "the client ended before its SETTINGS frame";
                self.refuse_http2(&[], Some(problem), log, out);
            }
            Protocol::Sniffing { first, .. } if sniff::guess(first) == Guess::Tls => {
                self.hello_cut(log, out)
            }
            Protocol::Sniffing { .. } => {
                self.become_echo(log, out);
            }
            // Bytes that could still have been a ClientHello: too few for
            // anything, and nobody left to answer.
            Protocol::HttpUnlessTls { .. } | Protocol::MaybeProxy { .. } => {}
            Protocol::Proxied(proxied) if proxied.whole => proxied.inner.on_end(config, log, out),
            // `PRO`, then the end: data, not a header.
            Protocol::Proxied(proxied) if !proxy::has_signature(&proxied.header) => {
                if self.not_a_header(config, log, out) == Next::Continue {
                    self.on_end(config, log, out);
                }
            }
            Protocol::Proxied(proxied) => log.emit(proxy::Event::Cut {
                got: proxied.header.len(),
                ended: true,
            }),
        }
    }

    /// The tutorial's timeout handler: `socket.pipe(socket, {end: false})`.
    /// From then on the echo also sends each chunk back raw; each timeout
    /// adds one more pipe, as in Node (see `echo.rs`). Only an echo pipes:
    /// in auto mode, a connection that has sent nothing yet is not an echo
    /// yet, so its pipes start with the first timeout after it became one.
    pub(crate) fn on_timeout(&mut self, log: &ConnLog) {
        if let Protocol::Echo(state) = self {
            if let Some(pipes) = state.add_pipe() {
                log.emit(Event::Piping { pipes });
            }
        }
    }

    /// When the protocol wants [`Protocol::on_deadline`] called.
    pub(crate) fn deadline(&self, config: &http::Config) -> Option<Instant> {
        match self {
            Protocol::Echo(_) | Protocol::Raw | Protocol::Finished => None,
            Protocol::Http(session) => session.deadline(config),
            // The line counting frames not shown one by one, when due.
            Protocol::WebSocket(session) => session.deadline(),
            Protocol::Sniffing { came, .. } => came.since().map(|since| since + sniff::SNIFF_WAIT),
            Protocol::HttpUnlessTls { since, .. } => since.checked_add(config.head_timeout),
            Protocol::MaybeProxy { since, mode, .. } => {
                Self::without_proxy(*mode, *since).deadline(config)
            }
            Protocol::Proxied(proxied) if proxied.whole => proxied.inner.deadline(config),
            Protocol::Proxied(proxied) => Some(proxied.since + sniff::SNIFF_WAIT),
        }
    }

    /// The deadline [`Protocol::deadline`] named has come.
    pub(crate) fn on_deadline(
        &mut self,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        match self {
            Protocol::Echo(_) | Protocol::Raw => Next::Continue,
            Protocol::WebSocket(session) => {
                session.flush_lines(log);
                Next::Continue
            }
            Protocol::Finished => Next::Close,
            // A handshake held behind a `?delay`'d response is answered
            // here, on the timer.
            Protocol::Http(_) => self.answer_http(|session| session.on_deadline(config, log, out)),
            Protocol::Sniffing { first, .. } if first.starts_with(h2::PREFACE) => {
                let problem = "no complete SETTINGS frame within 1s of the preface";
                self.refuse_http2(&[], Some(problem), log, out)
            }
            Protocol::Sniffing { first, .. } if sniff::guess(first) == Guess::Tls => {
                self.hello_cut(log, out);
                Next::Close
            }
            // Auto mode gives up on a first line that never ended: echo it.
            Protocol::Sniffing { .. } => self.become_echo(log, out),
            // HTTP mode, nothing decided within the head deadline: the
            // session says so (`no request within`, or 408).
            Protocol::HttpUnlessTls { since, seen } => {
                let (session, first) = (http::Session::new(*since), usize::from(*seen));
                let first = &sniff::TLS_RECORD_START[..first];
                match self.become_http(first, session, None, config, log, out) {
                    Next::Continue => self.on_deadline(config, log, out),
                    Next::Close => Next::Close,
                }
            }
            // HTTP mode's head deadline, before any byte: as without the
            // option.
            Protocol::MaybeProxy { since, mode, .. } => {
                *self = Self::without_proxy(*mode, *since);
                self.on_deadline(config, log, out)
            }
            Protocol::Proxied(proxied) if proxied.whole => {
                let next = proxied.inner.on_deadline(config, log, out);
                self.unwrap_proxied(next)
            }
            Protocol::Proxied(proxied) if !proxy::has_signature(&proxied.header) => {
                match self.not_a_header(config, log, out) {
                    Next::Continue => self.on_deadline(config, log, out),
                    Next::Close => Next::Close,
                }
            }
            // A signature, then silence.
            Protocol::Proxied(proxied) => {
                log.emit(proxy::Event::Cut {
                    got: proxied.header.len(),
                    ended: false,
                });
                *self = Protocol::Finished;
                Next::Close
            }
        }
    }

    /// Whether the protocol stopped answering because its unsent output
    /// passed a bound, with more already received to answer (see
    /// [`crate::next::OUTPUT_BOUND`]). The connection sends the output, then calls
    /// [`Protocol::resume`] before it reads anything more.
    pub(crate) fn is_paused(&self) -> bool {
        match self {
            Protocol::Http(session) => session.is_paused(),
            Protocol::WebSocket(session) => session.is_paused(),
            _ => false,
        }
    }

    /// Goes on answering what was held back by the bound.
    pub(crate) fn resume(
        &mut self,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        match self {
            Protocol::Http(_) => self.answer_http(|session| session.resume(config, log, out)),
            Protocol::WebSocket(session) => session.resume(&config.ws, log, out),
            _ => Next::Continue,
        }
    }

    /// The first bytes are HTTP: `session` answers them, and every byte
    /// after. Its head deadline counts from the `since` it was made with,
    /// when the wait for this head began.
    /// `proxy_client` is the client's address from a PROXY header, for
    /// the pages.
    fn become_http(
        &mut self,
        first: &[u8],
        session: http::Session,
        proxy_client: Option<SocketAddr>,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let mut session = Box::new(session);
        session.proxy_client = proxy_client;
        *self = Protocol::Http(session);
        self.answer_http(|session| session.on_data(first, config, log, out))
    }

    /// Auto mode decided on echo: answer the bytes held back so far as the
    /// first chunk.
    fn become_echo(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        if let Protocol::Sniffing { first, .. } = self {
            log.emit(Event::Echoing);
            log.emit(Event::Data { bytes: first });
            let state = Echo::default();
            state.on_data(first, out);
            *self = Protocol::Echo(state);
        }
        Next::Continue
    }

    /// HTTP/2's preface came: answer once the client's first frame is
    /// whole. Until then `first` grows by at most one read past
    /// `h2::MAX_FIRST_BYTES`, as `h2::read` decides within those.
    fn read_http2(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let Protocol::Sniffing { first, .. } = self else {
            return Next::Continue;
        };
        match h2::read(first) {
            Preface::NeedMore => Next::Continue,
            Preface::Complete(settings) => self.refuse_http2(&settings, None, log, out),
            Preface::Invalid(problem) => self.refuse_http2(&[], Some(problem), log, out),
        }
    }

    /// HTTP/2 on this port: one event line, then rawnet's SETTINGS and a
    /// GOAWAY asking for HTTP/1.1, and close (after they are sent).
    fn refuse_http2(
        &mut self,
        settings: &[h2::Setting],
        problem: Option<&str>,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        log.emit(h2::Event::Preface { settings, problem });
        h2::refusal(out);
        *self = Protocol::Finished;
        Next::Close
    }

    /// A TLS ClientHello on this plain port: once its record is whole,
    /// say what the client asked for (or what is wrong with it), answer
    /// with an alert, and close.
    fn read_hello(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let Protocol::Sniffing { first, .. } = self else {
            return Next::Continue;
        };
        match tls::parse(first) {
            Hello::NeedMore { .. } => return Next::Continue,
            Hello::Complete(hello, _) => log.emit(tls::Event::Hello {
                versions: &hello.offered_versions(),
                sni: hello.sni.as_deref(),
                alpn: &hello.alpn,
                cipher_suites: hello.cipher_suites,
            }),
            Hello::Invalid(reason) => log.emit(tls::Event::Malformed { reason }),
        }
        self.refuse_tls(out)
    }

    /// The client stopped sending (FIN, or the deadline) before its
    /// ClientHello was whole.
    fn hello_cut(&mut self, log: &ConnLog, out: &mut Vec<u8>) {
        if let Protocol::Sniffing { first, .. } = self {
            let record = match tls::parse(first) {
                Hello::NeedMore { record } => record,
                _ => None,
            };
            log.emit(tls::Event::Cut {
                got: first.len(),
                record,
            });
            self.refuse_tls(out);
        }
    }

    /// Ends a TLS attempt with a fatal `protocol_version` alert (RFC 8446
    /// §6): the one that makes the client's own error clearest. curl
    /// prints `tlsv1 alert protocol version`, Chromium shows
    /// ERR_SSL_VERSION_OR_CIPHER_MISMATCH ("unsupported protocol"): both
    /// say the server speaks no TLS the client offered, which is true. A
    /// plain close reads as a network fault (curl's `SSL_ERROR_SYSCALL`,
    /// Chromium's ERR_CONNECTION_CLOSED); `handshake_failure` reads as a
    /// cipher problem, `unexpected_message` as a broken server.
    fn refuse_tls(&mut self, out: &mut Vec<u8>) -> Next {
        out.extend_from_slice(&tls::PROTOCOL_VERSION_ALERT);
        *self = Protocol::Finished;
        Next::Close
    }
}

/// The HTTP session for the `held` bytes auto mode kept back before this
/// read: it starts with the reads they came in, as if it had made them
/// itself, and its head deadline counts from the first of them (or from
/// now, when this read is the first).
fn session_after(came: Came, held: usize) -> http::Session {
    let since = came.since().unwrap_or_else(Instant::now);
    http::Session::after_reads(since, came.into_reads(held))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every connection's task holds one; `MaybeProxy` and the boxed
    /// `Proxied` were added without growing it.
    #[test]
    fn the_protocol_state_stays_40_bytes() {
        assert_eq!(std::mem::size_of::<Protocol>(), 40);
    }

    /// Auto mode holds `GET /re` back until it knows it is HTTP; the page
    /// still counts that read, as HTTP mode's, where the session read it.
    #[test]
    fn a_read_held_back_in_auto_mode_is_one_of_the_heads_reads() {
        let chunks = [&b"GET /re"[..], b"ads HTTP/1.1\r\nHost: x\r\n\r\n"];
        for mode in [Mode::Http, Mode::Auto] {
            let config = crate::conn::Config {
                mode,
                ..Default::default()
            };
            let out = crate::in_memory::serve(chunks.map(<[u8]>::to_vec), &config);
            let out = String::from_utf8_lossy(&out);
            let note = "- The head came in 2 reads: bytes 0-6 at 0.0 ms, 7-31 at ";
            assert!(out.contains(note), "{mode:?}: {out}");
        }
    }
}
