//! TLS terminated on the same port (`--tls`): a layer between the socket
//! and the session that speaks. Records come in, rustls decrypts them,
//! the plaintext goes to the session inside (echo, HTTP, WebSocket, the
//! same ones a plain connection gets), and what the session answers goes
//! back out as records. Like every session, this does no I/O: rustls's
//! `ServerConnection` is itself bytes in, bytes out.
//!
//! The prelude has already read the ClientHello (to log it and take its
//! fingerprints); those very bytes are the first rustls reads, so there
//! is one read path, not two.
//!
//! Its lines are in `layer/events.rs`; what the pages show of it is made
//! here once the handshake is done ([`Layer::below`]).

mod events;
pub(crate) mod view;

use std::io::{Read as _, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::ServerConnection;

pub use events::Event;

use super::setup::Config;
use super::ClientHello;
use crate::budget::Reservation;
use crate::http::layers::Below;
use crate::log::ConnLog;
use view::View;

/// How much plaintext is taken from rustls at a time (a record holds at
/// most 16 KiB); the reads go on until it has none.
const PLAINTEXT_CHUNK: usize = 8 * 1024;

/// What a handshake may hold at worst, counted against `--memory-budget`
/// before it starts: the ClientHello's record kept for the pages (at most
/// [`super::MAX_RECORD`] and its header), rustls's buffer for a handshake
/// message split over records (at most 64 KiB: a client's certificate
/// chain), and its state (about 8 KB, measured). A flood of handshakes
/// that never finish holds at most this each, for at most
/// `--tls-handshake-timeout`, and no more than the budget in all.
pub const HANDSHAKE_HOLD: usize = 96 * 1024;

/// What an established TLS connection may hold at worst, counted once the
/// handshake is done: rustls's state and keys (about 7 KB), its buffer for
/// one record in flight (at most 16 KiB and its overhead), and the pages'
/// facts (the ClientHello's record, at most 18 KiB, usually 0.5 to 2).
/// Measured idle, it holds about 11 KB (README, Limits).
pub const ESTABLISHED_HOLD: usize = 48 * 1024;

/// One connection's TLS.
#[derive(Debug)]
pub(crate) struct Layer {
    conn: ServerConnection,
    /// Its part of `--memory-budget`: [`HANDSHAKE_HOLD`], then
    /// [`ESTABLISHED_HOLD`].
    reservation: Reservation,
    config: Arc<Config>,
    /// The ClientHello as the prelude read it: for the pages, once.
    hello: Option<Box<Hello>>,
    /// When the ClientHello was whole: the handshake's clock.
    since: Instant,
    /// What the pages show, once the handshake is done.
    below: Option<Arc<dyn Below>>,
    /// The client sent close_notify or ended its TCP stream, or the layer
    /// failed: nothing more is read.
    closed: bool,
    /// Nothing more the session inside says goes out: the layer failed
    /// (its alert was the last word), or a TLS 1.2 client said
    /// close_notify, which asks for pending writes to be dropped (RFC
    /// 5246 §7.2.1). In TLS 1.3 a close_notify closes only its sender's
    /// side (RFC 8446 §6.1), as a FIN does: what the session still owes
    /// it (the echo of data that came with it) is sent.
    mute: bool,
}

/// The ClientHello's bytes and what they say, kept until the handshake is
/// done and the pages' view is made of them.
#[derive(Debug)]
pub(crate) struct Hello {
    pub record: Vec<u8>,
    pub parsed: ClientHello,
}

/// What a read of records came to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// Go on; the plaintext (maybe none) is for the session inside.
    Open,
    /// The client said close_notify: the session hears the end.
    ClosedByPeer,
    /// The handshake or a record failed: the alert is in the reply, and
    /// the connection closes.
    Failed,
}

impl Layer {
    /// A handshake, starting with the ClientHello the prelude read.
    pub(crate) fn new(config: Arc<Config>, hello: Hello, reservation: Reservation) -> Self {
        // The session inside bounds what it makes (`next::OUTPUT_BOUND`)
        // and every call's records are taken at once, so rustls's own
        // buffer limit would only cut a response in two.
        let mut conn = match ServerConnection::new(config.rustls.clone()) {
            Ok(conn) => conn,
            // Only a config without a certificate fails here, and
            // `setup.rs` never makes one.
            Err(error) => unreachable!("the TLS config was checked at start: {error}"),
        };
        conn.set_buffer_limit(None);
        Layer {
            conn,
            reservation,
            config,
            hello: Some(Box::new(hello)),
            since: Instant::now(),
            below: None,
            closed: false,
            mute: false,
        }
    }

    /// Reads records; the plaintext in them goes into `plain`, and what
    /// rustls answers by itself (the handshake's flight, an alert) into
    /// `out`.
    pub(crate) fn read(
        &mut self,
        mut records: &[u8],
        log: &ConnLog,
        plain: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) -> Read {
        let was_handshaking = self.conn.is_handshaking();
        let answered_before = self.conn.wants_write();
        let mut read = Read::Open;
        while !records.is_empty() && read == Read::Open && !self.closed {
            if let Err(error) = self.conn.read_tls(&mut records) {
                log.emit(Event::Failed {
                    error: &error.to_string(),
                    handshaking: self.conn.is_handshaking(),
                });
                (self.closed, self.mute) = (true, true);
                read = Read::Failed;
                break;
            }
            read = self.process(log, plain);
        }
        // After a TLS 1.2 handshake, rustls answers one thing on its own:
        // a new ClientHello (renegotiation, RFC 5746) gets a
        // no_renegotiation warning and is otherwise ignored; a second is
        // refused as an error (the `Failed` line above).
        let tls12 = self.conn.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_2);
        if !was_handshaking && tls12 && !answered_before && self.conn.wants_write() {
            log.emit(Event::Renegotiation);
        }
        self.flush(out);
        if was_handshaking && !self.conn.is_handshaking() && read != Read::Failed {
            self.handshake_done(log);
        }
        read
    }

    /// Lets rustls process the records it holds, and takes the plaintext.
    fn process(&mut self, log: &ConnLog, plain: &mut Vec<u8>) -> Read {
        if let Err(error) = self.conn.process_new_packets() {
            log.emit(Event::Failed {
                error: &error.to_string(),
                handshaking: self.conn.is_handshaking(),
            });
            (self.closed, self.mute) = (true, true);
            return Read::Failed;
        }
        // Read through a buffer on the stack: `plain` grows by what
        // came, and is never zero-filled ahead of it.
        let mut chunk = [0u8; PLAINTEXT_CHUNK];
        loop {
            match self.conn.reader().read(&mut chunk) {
                Ok(0) => {
                    log.emit(Event::CloseNotify);
                    self.closed = true;
                    let tls13 =
                        self.conn.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3);
                    self.mute = !tls13;
                    return Read::ClosedByPeer;
                }
                Ok(n) => plain.extend_from_slice(&chunk[..n]),
                // Nothing more for now (WouldBlock), or an end without
                // close_notify, which `on_end` tells when the FIN comes.
                Err(_) => break,
            }
        }
        Read::Open
    }

    /// The handshake is done: its line, and the pages' view of it.
    fn handshake_done(&mut self, log: &ConnLog) {
        self.reservation.settle(ESTABLISHED_HOLD);
        let took = self.since.elapsed();
        let agreed = view::Agreed::of(&self.conn, self.conn.server_name(), took);
        log.emit(Event::Handshake {
            agreed: &agreed,
            client_cert: self.conn.peer_certificates().map(<[_]>::len),
        });
        let client_certificates = view::client_certificates(&self.conn, &self.config);
        self.below = Some(Arc::new(View {
            hello: self.hello.take(),
            agreed,
            client_certificates,
        }));
    }

    /// Plaintext from the session inside, out as records.
    pub(crate) fn write(&mut self, plain: &[u8], out: &mut Vec<u8>) {
        if !plain.is_empty() && !self.mute {
            // Into rustls's own buffer, which has no limit (see `new`):
            // this cannot fail or write less.
            let _ = self.conn.writer().write_all(plain);
        }
        self.flush(out);
    }

    /// Says close_notify: the server is done with this connection.
    pub(crate) fn close(&mut self, out: &mut Vec<u8>) {
        if !self.conn.is_handshaking() {
            self.conn.send_close_notify();
        }
        self.flush(out);
    }

    /// Takes every record rustls has to send.
    fn flush(&mut self, out: &mut Vec<u8>) {
        while self.conn.wants_write() {
            // Writing into a Vec cannot fail.
            if self.conn.write_tls(out).is_err() {
                break;
            }
        }
    }

    /// The client ended its TCP stream (FIN). Returns whether the session
    /// inside should hear of the end: only one the handshake got to.
    pub(crate) fn on_end(&mut self, log: &ConnLog) -> bool {
        if self.closed {
            return false;
        }
        self.closed = true;
        if self.conn.is_handshaking() {
            log.emit(Event::EndedInHandshake);
            false
        } else {
            log.emit(Event::EndedWithoutCloseNotify);
            true
        }
    }

    /// While the handshake goes on, when it must be done by.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        let handshaking = self.conn.is_handshaking() && !self.closed;
        handshaking.then(|| self.since + self.config.handshake_timeout)
    }

    /// The handshake's deadline passed.
    pub(crate) fn on_deadline(&mut self, log: &ConnLog) {
        let after: Duration = self.config.handshake_timeout;
        log.emit(Event::HandshakeTimeout { after });
        (self.closed, self.mute) = (true, true);
    }

    /// Whether the handshake is done (the session inside may be spoken
    /// to).
    pub(crate) fn is_open(&self) -> bool {
        !self.conn.is_handshaking() && !self.closed
    }

    /// Whether the handshake agreed on `h2` by ALPN: the client must then
    /// speak HTTP/2 from its first byte.
    pub(crate) fn agreed_h2(&self) -> bool {
        self.conn.alpn_protocol() == Some(b"h2")
    }

    /// The view for the pages, once the handshake is done.
    pub(crate) fn below(&self) -> Option<&Arc<dyn Below>> {
        self.below.as_ref()
    }
}
