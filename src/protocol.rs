//! What a connection speaks, as a state machine with no I/O: bytes in, bytes
//! out, and whether to keep going.
//!
//! `conn.rs` has the connection's events and `conn/io.rs` its socket and
//! timers; a protocol only sees bytes and says what to send back. Keeping
//! the two apart means every protocol gets the same lifecycle (events,
//! timeouts, backpressure, shutdown) for free, and a protocol can be
//! driven in a unit test or a fuzzer without a socket.
//!
//! A connection's first bytes go through its [`Prelude`] (`prelude.rs`),
//! which decides what it speaks; then one session speaks: the echo, the
//! raw pipe, HTTP, or WebSocket after an HTTP upgrade. Each arm below
//! hands the event to that session.
//!
//! A layer that transforms bytes, TLS (`--tls`), goes between the two:
//! the prelude sees the client's first bytes as they came (a
//! ClientHello), and decides on TLS; [`Protocol::Tls`] is then the layer
//! around a protocol of its own, which gets the plaintext and speaks as
//! on a plain connection (`tls/terminated.rs`).

use std::time::Instant;

use crate::conn::Event;
use crate::echo::{self, Echo};
#[cfg(feature = "h2")]
use crate::h2;
use crate::http;
use crate::log::ConnLog;
use crate::next::Farewell;
use crate::prelude::{Decision, Prelude};
use crate::settings::Settings;
#[cfg(feature = "tls")]
use crate::tls;
#[cfg(feature = "websocket")]
use crate::ws;

/// The `--mode` option: which protocol every new connection speaks (its
/// words on the command line are `cli.rs`'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// `--mode`: HTTP or echo, decided by each connection's first bytes, so
/// curl, browsers and nc share one port.
pub const DEFAULT_MODE: Mode = Mode::Auto;

/// The `--proxy-protocol` option: whether a connection in `--mode auto`
/// or `--mode http` may start with a PROXY protocol header (`proxy.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyProtocol {
    /// Read one if the first bytes start like one; otherwise go on as
    /// without.
    Auto,
    /// Never: a connection's first bytes are its data, whatever they are.
    Off,
    /// Close a connection that does not start with one.
    Require,
}

/// What this connection adds to HTTP: a request may ask to become a
/// WebSocket, and the HTML page shows the WebSocket panel. HTTP knows
/// neither (`http/upgrade.rs`, `http/page.rs`); this is where they meet.
#[cfg(feature = "websocket")]
static HTTP_EXTENSIONS: http::Extensions = http::Extensions {
    upgrades: &[ws::UPGRADE],
    panels: &[ws::panel::PANEL],
};
/// Without WebSocket, HTTP is alone.
#[cfg(not(feature = "websocket"))]
static HTTP_EXTENSIONS: http::Extensions = http::Extensions::NONE;

/// `--proxy-protocol`: a PROXY header is read when one comes, so rawnet
/// behind HAProxy or a load balancer shows the real client.
pub const DEFAULT_PROXY_PROTOCOL: ProxyProtocol = ProxyProtocol::Auto;

/// What the connection should do after the protocol has had its say.
pub(crate) use crate::next::Next;

/// One connection's protocol state.
#[derive(Debug)]
pub(crate) enum Protocol {
    /// The first bytes, until they decide what the connection speaks.
    Prelude(Prelude),
    /// The tutorial: `You said "<chunk>"` for every chunk.
    Echo(Echo),
    /// `--mode raw`: every byte back unchanged.
    Raw,
    /// Boxed: a session is several times the size of the other variants,
    /// and every connection's protocol lives in its (idle) task.
    Http(Box<http::Session>),
    /// After an HTTP request's WebSocket handshake got 101 (boxed, as
    /// HTTP is).
    #[cfg(feature = "websocket")]
    WebSocket(Box<ws::Session>),
    /// HTTP/2 (boxed, as HTTP is): its frames, streams and HPACK tables.
    #[cfg(feature = "h2")]
    H2(Box<h2::Session>),
    /// `--tls`: the records' layer, and the protocol inside it.
    #[cfg(feature = "tls")]
    Tls(Box<tls::Terminated>),
    /// Nothing more will be answered (a TLS ClientHello or HTTP/2 on this
    /// port, a refused upgrade, a missing PROXY header).
    Done,
}

impl Protocol {
    pub(crate) fn new(mode: Mode, proxy: ProxyProtocol) -> Self {
        match mode {
            Mode::Echo => Protocol::Echo(Echo::default()),
            Mode::Raw => Protocol::Raw,
            Mode::Auto | Mode::Http => Protocol::Prelude(Prelude::new(mode, proxy)),
        }
    }

    /// Handles one chunk the client sent; the reply goes into `out`.
    pub(crate) fn on_data(
        &mut self,
        data: &[u8],
        config: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        match self {
            Protocol::Prelude(prelude) => {
                let decided = prelude.on_data(data, &config.http, log, out);
                self.speak(decided, config, log, out)
            }
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
            Protocol::Http(_) => self.answer_http(config, log, out, |session, out| {
                session.on_data(data, &config.http, log, out)
            }),
            #[cfg(feature = "websocket")]
            Protocol::WebSocket(session) => session.on_data(data, &config.ws, log, out),
            #[cfg(feature = "h2")]
            Protocol::H2(session) => session.on_data(data, &config.http, log, out),
            #[cfg(feature = "tls")]
            Protocol::Tls(tls) => tls.on_data(data, config, log, out),
            Protocol::Done => Next::Close,
        }
    }

    /// [`Protocol::on_data`] for the protocol inside a layer (TLS): an
    /// HTTP session its prelude decides on shows the layer (`below`) and
    /// the client a PROXY header under it named, from its first page.
    #[cfg(feature = "tls")]
    pub(crate) fn on_data_under(
        &mut self,
        data: &[u8],
        client: Option<std::net::SocketAddr>,
        below: Option<std::sync::Arc<dyn http::layers::Below>>,
        config: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let Protocol::Prelude(prelude) = self else {
            return self.on_data(data, config, log, out);
        };
        match prelude.on_data(data, &config.http, log, out) {
            Decision::Http {
                mut session, first, ..
            } => {
                session.below = below;
                let decided = Decision::Http {
                    session,
                    first,
                    client,
                };
                self.speak(decided, config, log, out)
            }
            #[cfg(feature = "h2")]
            Decision::Http2 { first, .. } => {
                let mut session = Box::new(h2::Session::new(config));
                session.below = below;
                session.proxy_client = client;
                *self = Protocol::H2(session);
                self.on_data(&first, config, log, out)
            }
            decided => self.speak(decided, config, log, out),
        }
    }

    /// The prelude has decided: the session that speaks from now on takes
    /// the connection, and answers the bytes the prelude held.
    fn speak(
        &mut self,
        decided: Decision,
        config: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        match decided {
            Decision::Undecided => Next::Continue,
            Decision::Close => {
                *self = Protocol::Done;
                Next::Close
            }
            Decision::Echo(first) => {
                log.emit(Event::Data { bytes: &first });
                let state = Echo::default();
                state.on_data(&first, out);
                *self = Protocol::Echo(state);
                Next::Continue
            }
            #[cfg(feature = "tls")]
            Decision::Tls {
                hello,
                first,
                client,
            } => self.terminate(*hello, &first, client, config, log, out),
            #[cfg(feature = "h2")]
            Decision::Http2 { first, client } => {
                let mut session = Box::new(h2::Session::new(config));
                session.proxy_client = client;
                *self = Protocol::H2(session);
                self.on_data(&first, config, log, out)
            }
            Decision::Http {
                mut session,
                first,
                client,
            } => {
                session.proxy_client = client;
                session.extensions = &HTTP_EXTENSIONS;
                *self = Protocol::Http(session);
                self.answer_http(config, log, out, |session, out| {
                    session.on_data(&first, &config.http, log, out)
                })
            }
        }
    }

    /// A whole ClientHello: said what it asks for; with `--tls`, its
    /// handshake starts and TLS takes the connection, else an alert.
    #[cfg(feature = "tls")]
    fn terminate(
        &mut self,
        hello: tls::layer::Hello,
        first: &[u8],
        client: Option<std::net::SocketAddr>,
        config: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let parsed = &hello.parsed;
        let line = tls::Event::hello(parsed, &hello.record, log.traces());
        let Some(tls) = &config.tls else {
            log.emit(line);
            crate::prelude::refuse_tls(out);
            *self = Protocol::Done;
            return Next::Close;
        };
        // Past the budget, the one line says so (the hello is not
        // explained: under memory pressure, the less work the better).
        let reservation = match config.http.budget.hold(tls::layer::HANDSHAKE_HOLD) {
            Ok(reservation) => reservation,
            Err(spent) => {
                log.emit(tls::layer::Event::OverBudget { spent });
                out.extend_from_slice(&tls::INTERNAL_ERROR_ALERT);
                *self = Protocol::Done;
                return Next::Close;
            }
        };
        log.emit(line.answered_with_a_handshake());
        let offered = |name: &[u8]| parsed.alpn.iter().any(|p| p == name);
        let h2 = tls.rustls.alpn_protocols.iter().any(|p| p == b"h2") && offered(b"h2");
        if !parsed.alpn.is_empty() && !offered(tls::ALPN) && !h2 {
            log.emit(tls::layer::Event::NoCommonAlpn);
        }
        let terminated = tls::Terminated::new(tls.clone(), hello, client, config, reservation);
        *self = Protocol::Tls(Box::new(terminated));
        self.on_data(first, config, log, out)
    }

    /// Lets the HTTP session answer (bytes, its deadline, room to go on),
    /// every way it is called: a request it handed over, unanswered,
    /// because its `Upgrade` names a protocol this connection speaks, goes
    /// to that protocol, which answers it and takes the connection over.
    fn answer_http(
        &mut self,
        config: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
        answer: impl FnOnce(&mut http::Session, &mut Vec<u8>) -> Next,
    ) -> Next {
        let Protocol::Http(session) = self else {
            return Next::Continue;
        };
        let next = answer(session, out);
        let Some(upgrade) = session.take_upgrade() else {
            return next;
        };
        self.upgrade(&upgrade, config, log, out)
    }

    /// A request HTTP handed over: the protocol it names answers it, and
    /// takes the connection over (`websocket` is the one there is).
    #[cfg(feature = "websocket")]
    fn upgrade(
        &mut self,
        upgrade: &http::upgrade::Upgrade,
        config: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let (ws, budget) = (&config.ws, &config.http.budget);
        let (session, next) = ws::accept(upgrade, ws, budget, log, out);
        *self = session.map_or(Protocol::Done, Protocol::WebSocket);
        next
    }

    /// Without a protocol to upgrade to, HTTP hands nothing over.
    #[cfg(not(feature = "websocket"))]
    fn upgrade(
        &mut self,
        _: &http::upgrade::Upgrade,
        _: &Settings,
        _: &ConnLog,
        _: &mut Vec<u8>,
    ) -> Next {
        *self = Protocol::Done;
        Next::Close
    }

    /// The connection closes on its own (`--idle-close`, shutdown): a
    /// protocol that can say goodbye puts it in `out` (a WebSocket's close
    /// frame with 1001). Returns whether it did.
    #[cfg_attr(not(feature = "websocket"), allow(unused_variables))]
    pub(crate) fn farewell(&mut self, why: Farewell, log: &ConnLog, out: &mut Vec<u8>) -> bool {
        match self {
            #[cfg(feature = "websocket")]
            Protocol::WebSocket(session) => {
                session.farewell(why, log, out);
                !out.is_empty()
            }
            #[cfg(feature = "tls")]
            Protocol::Tls(tls) => tls.farewell(why, log, out),
            #[cfg(feature = "h2")]
            Protocol::H2(session) => {
                session.farewell(why, log, out);
                !out.is_empty()
            }
            _ => false,
        }
    }

    /// The connection is closing, for whatever reason: a line the
    /// protocol still owes the log goes out before the `close` line (a
    /// WebSocket's count of frames not shown one by one).
    pub(crate) fn before_close(&mut self, log: &ConnLog) {
        #[cfg(feature = "websocket")]
        if let Protocol::WebSocket(session) = self {
            session.flush_lines(log);
        }
        #[cfg(feature = "tls")]
        if let Protocol::Tls(tls) = self {
            tls.before_close(log);
        }
        #[cfg(feature = "h2")]
        if let Protocol::H2(session) = self {
            session.before_close(log);
        }
        // Without WebSocket, no protocol owes the log a line.
        #[cfg(not(feature = "websocket"))]
        let _ = (self, log);
    }

    /// The client has finished sending (FIN). Anything still owed goes into
    /// `out`; the connection then closes, as Node does with its default
    /// `allowHalfOpen: false`.
    pub(crate) fn on_end(&mut self, config: &Settings, log: &ConnLog, out: &mut Vec<u8>) {
        match self {
            // What the end decided hears of the end too: an HTTP session
            // that got part of a request says so.
            Protocol::Prelude(prelude) => {
                let decided = prelude.on_end(&config.http, log, out);
                let speaks = matches!(decided, Decision::Echo(_) | Decision::Http { .. });
                self.speak(decided, config, log, out);
                if speaks {
                    self.on_end(config, log, out);
                }
            }
            Protocol::Http(session) => session.on_end(log),
            // Echo answers each chunk as it arrives, so nothing is pending.
            Protocol::Echo(_) | Protocol::Raw | Protocol::Done => {}
            #[cfg(feature = "websocket")]
            Protocol::WebSocket(_) => {}
            #[cfg(feature = "tls")]
            Protocol::Tls(tls) => tls.on_end(config, log, out),
            #[cfg(feature = "h2")]
            Protocol::H2(session) => session.on_end(log),
        }
    }

    /// The tutorial's timeout handler: `socket.pipe(socket, {end: false})`.
    /// From then on the echo also sends each chunk back raw; each timeout
    /// adds one more pipe, as in Node (see `echo.rs`). Only an echo pipes:
    /// in auto mode, a connection that has sent nothing yet is not an echo
    /// yet, so its pipes start with the first timeout after it became one.
    pub(crate) fn on_timeout(&mut self, log: &ConnLog) {
        match self {
            Protocol::Echo(state) => {
                if let Some(pipes) = state.add_pipe() {
                    log.emit(Event::Piping { pipes });
                }
            }
            #[cfg(feature = "tls")]
            Protocol::Tls(tls) => tls.on_timeout(log),
            _ => {}
        }
    }

    /// When the protocol wants [`Protocol::on_deadline`] called.
    pub(crate) fn deadline(&self, config: &Settings) -> Option<Instant> {
        match self {
            Protocol::Prelude(prelude) => prelude.deadline(&config.http),
            Protocol::Http(session) => session.deadline(&config.http),
            // The line counting frames not shown one by one, when due.
            // A message not whole in time, or the line counting frames not
            // shown one by one.
            #[cfg(feature = "websocket")]
            Protocol::WebSocket(session) => session.deadline(&config.ws),
            #[cfg(feature = "tls")]
            Protocol::Tls(tls) => tls.deadline(config),
            #[cfg(feature = "h2")]
            Protocol::H2(session) => session.deadline(),
            Protocol::Echo(_) | Protocol::Raw | Protocol::Done => None,
        }
    }

    /// The deadline [`Protocol::deadline`] named has come.
    pub(crate) fn on_deadline(
        &mut self,
        config: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        match self {
            // What the deadline decided is given it too: HTTP mode's head
            // deadline, with no request yet, is the session's to tell
            // (`no request within`, or 408).
            Protocol::Prelude(prelude) => {
                let decided = prelude.on_deadline(&config.http, log, out);
                let http = matches!(decided, Decision::Http { .. });
                match self.speak(decided, config, log, out) {
                    Next::Continue if http => self.on_deadline(config, log, out),
                    next => next,
                }
            }
            // A handshake held behind a `?delay`'d response is answered
            // here, on the timer.
            Protocol::Http(_) => self.answer_http(config, log, out, |session, out| {
                session.on_deadline(&config.http, log, out)
            }),
            #[cfg(feature = "websocket")]
            Protocol::WebSocket(session) => session.on_deadline(&config.ws, log, out),
            #[cfg(feature = "tls")]
            Protocol::Tls(tls) => tls.on_deadline(config, log, out),
            #[cfg(feature = "h2")]
            Protocol::H2(session) => session.on_deadline(log, out),
            Protocol::Echo(_) | Protocol::Raw => Next::Continue,
            Protocol::Done => Next::Close,
        }
    }

    /// Whether the protocol stopped answering because its unsent output
    /// passed a bound, with more already received to answer (see
    /// [`crate::next::OUTPUT_BOUND`]). The connection sends the output,
    /// then calls [`Protocol::resume`] before it reads anything more.
    pub(crate) fn is_paused(&self) -> bool {
        match self {
            Protocol::Http(session) => session.is_paused(),
            #[cfg(feature = "websocket")]
            Protocol::WebSocket(session) => session.is_paused(),
            #[cfg(feature = "tls")]
            Protocol::Tls(tls) => tls.is_paused(),
            #[cfg(feature = "h2")]
            Protocol::H2(session) => session.is_paused(),
            _ => false,
        }
    }

    /// Goes on answering what was held back by the bound.
    pub(crate) fn resume(&mut self, config: &Settings, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        match self {
            Protocol::Http(_) => self.answer_http(config, log, out, |session, out| {
                session.resume(&config.http, log, out)
            }),
            #[cfg(feature = "websocket")]
            Protocol::WebSocket(session) => session.resume(&config.ws, log, out),
            #[cfg(feature = "tls")]
            Protocol::Tls(tls) => tls.resume(config, log, out),
            #[cfg(feature = "h2")]
            Protocol::H2(session) => session.resume(log, out),
            _ => Next::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every connection's task holds one; the PROXY check's `Proxy::Maybe`
    /// and the boxed `Proxied` were added without growing it.
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
            let mut settings = Settings::default();
            settings.conn.mode = mode;
            let out = crate::in_memory::serve(chunks.map(<[u8]>::to_vec), &settings);
            let out = String::from_utf8_lossy(&out);
            let note = "- The head came in 2 reads: bytes 0-6 at 0.0 ms, 7-31 at ";
            assert!(out.contains(note), "{mode:?}: {out}");
        }
    }
}
