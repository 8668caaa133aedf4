//! What a connection speaks, as a state machine with no I/O: bytes in, bytes
//! out, and whether to keep going.
//!
//! `conn.rs` owns the socket, the timers and the connection events; a
//! protocol only sees bytes and says what to send back. Keeping the two
//! apart means every protocol gets the same lifecycle (events, timeouts,
//! backpressure, shutdown) for free, and a protocol can be driven in a unit
//! test or a fuzzer without a socket.

use std::time::Instant;

use crate::echo;
use crate::http;
use crate::log::ConnLog;
use crate::server::Config;
use crate::sniff::{self, Guess};

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

/// What the connection should do after the protocol has had its say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Write what was produced and read on.
    Continue,
    /// Write what was produced, then close the connection.
    Close,
}

/// One connection's protocol state.
#[derive(Debug)]
pub enum Protocol {
    Echo,
    Raw,
    /// Boxed: a session is several times the size of the other variants,
    /// and every connection's protocol lives in its (idle) task.
    Http(Box<http::Session>),
    /// `--mode auto` before the first line has decided: the bytes so far,
    /// and when the first of them came.
    Sniffing {
        first: Vec<u8>,
        since: Option<Instant>,
    },
}

impl Protocol {
    pub fn new(mode: Mode) -> Self {
        match mode {
            Mode::Echo => Protocol::Echo,
            Mode::Raw => Protocol::Raw,
            Mode::Http => Protocol::Http(Box::default()),
            Mode::Auto => Protocol::Sniffing {
                first: Vec::new(),
                since: None,
            },
        }
    }

    /// Handles one chunk the client sent; the reply goes into `out`.
    pub fn on_data(
        &mut self,
        data: &[u8],
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        match self {
            Protocol::Echo => {
                log.data(data);
                echo::you_said(data, out);
                Next::Continue
            }
            Protocol::Raw => {
                log.data(data);
                echo::raw(data, out);
                Next::Continue
            }
            Protocol::Http(session) => {
                if session.is_untouched() && sniff::is_tls_client_hello(data) {
                    return tls(log);
                }
                session.on_data(data, &config.http, log, out)
            }
            Protocol::Sniffing { first, since } => {
                first.extend_from_slice(data);
                since.get_or_insert_with(Instant::now);
                match sniff::guess(first) {
                    Guess::NeedMore if first.len() < config.http.max_head => Next::Continue,
                    Guess::NeedMore | Guess::Echo => self.become_echo(log, out),
                    Guess::Tls => tls(log),
                    Guess::Http => {
                        log.event(format_args!(
                            "speaking HTTP: the first line is an HTTP request line"
                        ));
                        let first = std::mem::take(first);
                        let mut session = Box::<http::Session>::default();
                        let next = session.on_data(&first, &config.http, log, out);
                        *self = Protocol::Http(session);
                        next
                    }
                }
            }
        }
    }

    /// Whether the protocol stopped answering because its unsent output
    /// passed a bound, with more already received to answer (see
    /// [`http::OUTPUT_BOUND`]). The connection sends the output, then calls
    /// [`Protocol::resume`] before it reads anything more.
    pub fn is_paused(&self) -> bool {
        matches!(self, Protocol::Http(session) if session.is_paused())
    }

    /// Goes on answering what was held back by the bound.
    pub fn resume(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        match self {
            Protocol::Http(session) => session.resume(&config.http, log, out),
            _ => Next::Continue,
        }
    }

    /// The client has finished sending (FIN). Anything still owed goes into
    /// `out`; the connection then closes, as Node does with its default
    /// `allowHalfOpen: false`.
    pub fn on_end(&mut self, log: &ConnLog, out: &mut Vec<u8>) {
        match self {
            // Echo answers each chunk as it arrives, so nothing is pending.
            Protocol::Echo | Protocol::Raw => {}
            Protocol::Http(session) => session.on_end(log),
            Protocol::Sniffing { first, .. } if first.is_empty() => {}
            Protocol::Sniffing { .. } => {
                self.become_echo(log, out);
            }
        }
    }

    /// When the protocol wants [`Protocol::on_deadline`] called.
    pub fn deadline(&self, config: &Config) -> Option<Instant> {
        match self {
            Protocol::Echo | Protocol::Raw => None,
            Protocol::Http(session) => session.deadline(&config.http),
            Protocol::Sniffing { since, .. } => since.map(|since| since + sniff::SNIFF_WAIT),
        }
    }

    pub fn on_deadline(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        match self {
            Protocol::Echo | Protocol::Raw => Next::Continue,
            Protocol::Http(session) => session.on_deadline(&config.http, log, out),
            Protocol::Sniffing { .. } => self.become_echo(log, out),
        }
    }

    /// Auto mode decided on echo: answer the bytes held back so far as the
    /// first chunk.
    fn become_echo(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        if let Protocol::Sniffing { first, .. } = self {
            log.event(format_args!(
                "echoing: the first bytes are not an HTTP request line"
            ));
            log.data(first);
            echo::you_said(first, out);
        }
        *self = Protocol::Echo;
        Next::Continue
    }
}

fn tls(log: &ConnLog) -> Next {
    log.event(format_args!(
        "client tried TLS (a ClientHello): this port speaks plain TCP; use http://, not https://"
    ));
    Next::Close
}
