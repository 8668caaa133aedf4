//! A connection whose TLS rawnet terminates (`--tls`): the [`Layer`]
//! (records in and out) around the protocol that speaks inside it, which
//! is the very one a plain connection gets (`protocol.rs`): the first
//! bytes of the plaintext go through a prelude (HTTP or echo), then the
//! session speaks. Every call goes the same way: records in through the
//! layer, plaintext to the protocol inside, its reply back through the
//! layer as records.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use super::layer::{Hello, Layer, Read};
use super::Config;
use crate::budget::Reservation;
use crate::log::ConnLog;
use crate::next::{Farewell, Next};
use crate::protocol::{Protocol, ProxyProtocol};
use crate::settings::Settings;

#[derive(Debug)]
pub(crate) struct Terminated {
    layer: Layer,
    inside: Protocol,
    /// The client a PROXY header (below TLS) named, for the pages.
    proxy_client: Option<SocketAddr>,
}

impl Terminated {
    /// The handshake starts with the ClientHello the prelude read; inside,
    /// the plaintext gets the prelude a plain connection in `--mode`
    /// gets, without the PROXY header (that came below TLS, if at all).
    pub(crate) fn new(
        config: Arc<Config>,
        hello: Hello,
        proxy_client: Option<SocketAddr>,
        settings: &Settings,
        reservation: Reservation,
    ) -> Self {
        Terminated {
            layer: Layer::new(config, hello, reservation),
            inside: Protocol::new(settings.conn.mode, ProxyProtocol::Off),
            proxy_client,
        }
    }

    /// Records from the client.
    pub(crate) fn on_data(
        &mut self,
        records: &[u8],
        settings: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let mut plain = Vec::new();
        let read = self.layer.read(records, log, &mut plain, out);
        if read == Read::Failed {
            return Next::Close;
        }
        let mut reply = Vec::new();
        let mut next = Next::Continue;
        self.speak_h2_if_agreed(settings);
        if !plain.is_empty() {
            let below = self.layer.below().cloned();
            next = self.inside.on_data_under(
                &plain,
                self.proxy_client,
                below,
                settings,
                log,
                &mut reply,
            );
        }
        if read == Read::ClosedByPeer {
            self.inside.on_end(settings, log, &mut reply);
            next = Next::Close;
        }
        self.seal(&reply, next, out)
    }

    /// With `h2` agreed by ALPN, what is inside is HTTP/2 from its first
    /// byte, not guessed from it: a wrong preface is HTTP/2's error
    /// (GOAWAY PROTOCOL_ERROR), not an echo. ALPN is agreed as soon as the
    /// ClientHello is read, but the pages' view of the layer (`below`)
    /// only once the handshake is done, and the session takes it when it
    /// is made: so it is made then, still before any plaintext.
    #[cfg(feature = "h2")]
    fn speak_h2_if_agreed(&mut self, config: &Settings) {
        let done = self.layer.below().is_some();
        if done && self.layer.agreed_h2() && matches!(self.inside, Protocol::Prelude(_)) {
            let mut session = Box::new(crate::h2::Session::new(config));
            session.below = self.layer.below().cloned();
            session.proxy_client = self.proxy_client;
            self.inside = Protocol::H2(session);
        }
    }

    #[cfg(not(feature = "h2"))]
    fn speak_h2_if_agreed(&mut self, _: &Settings) {}

    /// The session's reply out as records; close_notify after it when the
    /// connection closes.
    fn seal(&mut self, reply: &[u8], next: Next, out: &mut Vec<u8>) -> Next {
        self.layer.write(reply, out);
        if next == Next::Close {
            self.layer.close(out);
        }
        next
    }

    /// The client's FIN: the session inside hears it if the handshake
    /// was done.
    pub(crate) fn on_end(&mut self, settings: &Settings, log: &ConnLog, out: &mut Vec<u8>) {
        if self.layer.on_end(log) {
            let mut reply = Vec::new();
            self.inside.on_end(settings, log, &mut reply);
            self.layer.write(&reply, out);
        }
    }

    pub(crate) fn deadline(&self, settings: &Settings) -> Option<Instant> {
        match self.layer.deadline() {
            Some(handshake) => Some(handshake),
            None => self.inside.deadline(settings),
        }
    }

    pub(crate) fn on_deadline(
        &mut self,
        settings: &Settings,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        if !self.layer.is_open() {
            self.layer.on_deadline(log);
            return Next::Close;
        }
        let mut reply = Vec::new();
        let next = self.inside.on_deadline(settings, log, &mut reply);
        self.seal(&reply, next, out)
    }

    pub(crate) fn on_timeout(&mut self, log: &ConnLog) {
        self.inside.on_timeout(log);
    }

    pub(crate) fn farewell(&mut self, why: Farewell, log: &ConnLog, out: &mut Vec<u8>) -> bool {
        let mut reply = Vec::new();
        self.inside.farewell(why, log, &mut reply);
        self.seal(&reply, Next::Close, out);
        // The close_notify, at least, is worth sending.
        !out.is_empty()
    }

    pub(crate) fn before_close(&mut self, log: &ConnLog) {
        self.inside.before_close(log);
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.inside.is_paused()
    }

    pub(crate) fn resume(&mut self, settings: &Settings, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let mut reply = Vec::new();
        let next = self.inside.resume(settings, log, &mut reply);
        self.seal(&reply, next, out)
    }
}
