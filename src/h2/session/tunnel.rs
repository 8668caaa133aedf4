//! WebSocket over HTTP/2 (RFC 8441): the same WebSocket frames as after
//! HTTP/1.1's `101 Switching Protocols`, carried in the DATA frames of one
//! stream, beside the connection's other streams.
//!
//! HTTP/1.1 gives a WebSocket the whole TCP connection. HTTP/2 cannot:
//! the connection is shared. So rawnet's SETTINGS says
//! ENABLE_CONNECT_PROTOCOL = 1, and a client opens a stream with an
//! *extended CONNECT*:
//!
//! ```text
//! :method CONNECT   :protocol websocket   :scheme https   :path /chat
//! :authority localhost:8081   sec-websocket-version 13
//! ```
//!
//! There is no `Sec-WebSocket-Key` and no `Sec-WebSocket-Accept`: the
//! answer is `:status 200` (not 101), and from then on every DATA frame
//! on the stream carries WebSocket bytes both ways, as a TCP connection
//! would, with HTTP/2's flow control under them. The WebSocket session is
//! the same state machine (`ws/`), fed what the DATA frames bring; what
//! it answers goes back in DATA frames on the stream, and END_STREAM ends
//! it, as TCP's FIN would.
//!
//! Flow control is backpressure here: the stream's window is given back
//! only while less than a window's worth (64 KiB) of rawnet's answers
//! waits to go out on the stream, and the WebSocket holds none of the
//! client's bytes unread; past that, once the answers have gone out. So
//! a client that sends and never reads stops being able to send: once
//! 64 KiB of answers wait for it, one more window and no more.
//!
//! Part of the `websocket` feature, on top of `h2`.

use super::stream::Stream;
use super::view::Answer;
use super::{Event, H2Error, Session, WINDOW};
use crate::h2::frame::{self, ErrorCode};
use crate::http;
use crate::log::ConnLog;
use crate::next::{Farewell, Next, OUTPUT_BOUND};
use crate::ws;

/// The WebSockets one connection may carry at once. Each may hold a
/// message of up to `--ws-max-message` (1 MiB), as one over HTTP/1.1 does,
/// but over HTTP/1.1 each costs the client a connection of its own, and
/// here 100 streams would hold 100 MiB on one: 16 keep a connection's
/// worst to 16 MiB. One more is refused with REFUSED_STREAM, which a
/// client may retry (on another connection).
pub const MAX_TUNNELS: usize = 16;

/// The protocol an extended CONNECT names for a WebSocket (RFC 8441 §5).
const WEBSOCKET: &[u8] = b"websocket";

/// A WebSocket on a stream.
#[derive(Debug)]
pub(crate) struct Tunnel {
    ws: Box<ws::Session>,
    /// The WebSocket closed (its close frame sent, or the client's
    /// END_STREAM came): once what is pending is out, END_STREAM.
    closing: bool,
    /// The stream's window rawnet still owes the client: bytes it took
    /// and has not given back yet, because its answers waiting to go out
    /// were a window's worth or more, or bytes were held unread
    /// (`give_back` says when).
    owed: u32,
    /// WebSocket bytes that came while the session was paused (its
    /// answers past [`OUTPUT_BOUND`]), read once it goes on: at most the
    /// stream's window, which is not given back meanwhile.
    backlog: Vec<u8>,
}

impl Stream {
    /// Whether a WebSocket is open on it that has more to say.
    pub(crate) fn tunnel_open(&self) -> bool {
        self.tunnel.as_ref().is_some_and(|t| !t.closing)
    }

    /// Appends WebSocket bytes to what the stream still has to send.
    fn queue(&mut self, bytes: &[u8]) {
        if self.sent == self.pending.len() {
            self.pending.clear();
            self.sent = 0;
        }
        self.pending.extend_from_slice(bytes);
    }

    fn unsent(&self) -> usize {
        self.pending.len() - self.sent
    }
}

impl Tunnel {
    /// When its WebSocket's timer is due (its `--ws-message-timeout`, its
    /// frame lines).
    pub(crate) fn due(&self, config: &ws::Config) -> Option<std::time::Instant> {
        self.ws.deadline(config)
    }

    /// The client ended its side of the stream (END_STREAM, as TCP's
    /// FIN): the WebSocket is over, and rawnet's side ends once what is
    /// pending is out.
    pub(crate) fn client_ended(&mut self) {
        self.closing = true;
    }

    pub(crate) fn flush_lines(&mut self, log: &ConnLog) {
        self.ws.flush_lines(log);
    }

    /// What it holds outside the WebSocket session (which counts its own
    /// in the budget), for `Stream::bytes`.
    pub(crate) fn bytes(&self) -> usize {
        self.backlog.capacity()
    }
}

impl Session {
    /// A request whose `:protocol` asks for a tunnel: a WebSocket is
    /// opened with `:status 200`, or the request is answered with why not.
    /// An extended CONNECT with END_STREAM on its HEADERS gets a 400, not
    /// the page a GET would: a client takes a 2xx to it for a tunnel
    /// opened (RFC 8441 §5), and this one has no stream left to carry it.
    pub(super) fn open_tunnel(
        &mut self,
        stream: u32,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        let open_tunnels = self.streams.values().filter(|s| s.tunnel.is_some()).count();
        if open_tunnels >= MAX_TUNNELS {
            let why = format!("more than {MAX_TUNNELS} WebSockets on one connection");
            return Err(H2Error::Stream(
                stream,
                ErrorCode::REFUSED_STREAM,
                why.into(),
            ));
        }
        let Some(open) = self.streams.get(&stream) else {
            return Ok(());
        };
        let Some(request) = &open.request else {
            return Ok(());
        };
        let version = (request.fields.iter())
            .find(|f| f.name == b"sec-websocket-version")
            .map(|f| f.value.as_slice());
        // Why not, and whether to say the version rawnet speaks.
        let refusal = match (request.protocol.as_deref(), version) {
            // END_STREAM on the CONNECT's HEADERS: no stream left to carry it.
            _ if open.remote_closed => Some((
                400,
                "an extended CONNECT leaves its stream open for what it carries (RFC 8441 §4)\n",
                false,
            )),
            (Some(WEBSOCKET), Some(b"13")) => None,
            (Some(WEBSOCKET), _) => Some((
                400,
                "a WebSocket needs sec-websocket-version: 13 (RFC 8441 §5, RFC 6455 §4.2.1)\n",
                true,
            )),
            _ => Some((
                501,
                "rawnet opens only a websocket with an extended CONNECT (RFC 8441)\n",
                false,
            )),
        };
        if let Some((status, why, version)) = refusal {
            let mut answer = Answer::new(status, http::response::TEXT, why.into());
            if version {
                answer.extra = vec![(b"sec-websocket-version".to_vec(), b"13".to_vec())];
            }
            return self.answer_early(stream, answer, log, out);
        }
        let explain = ws::explain(&request.path);
        log.emit(Event::Tunnel {
            stream,
            path: &request.path,
            explain,
        });
        let fields = super::view::response_fields(&Answer::new(200, "", Vec::new()));
        // `:status 200`, and no content-type or length: what follows is
        // not a body but the WebSocket's bytes.
        let fields: Vec<_> = (fields.into_iter())
            .filter(|(name, _)| name != b"content-type" && name != b"content-length")
            .collect();
        let mut block = Vec::new();
        self.encoder.encode(&fields, &mut block);
        let start = out.len();
        frame::write_headers(out, stream, &block, false, self.peer.max_frame_size);
        self.lines.sent(&out[start..], log);
        let budget = &self.budget;
        if let Some(open) = self.streams.get_mut(&stream) {
            open.saw(&out[start..], false);
            open.tunnel = Some(Tunnel {
                ws: Box::new(ws::Session::new(explain, budget)),
                closing: false,
                owed: 0,
                backlog: Vec::new(),
            });
        }
        Ok(())
    }

    /// DATA on a stream with a WebSocket: its bytes go to the WebSocket,
    /// its answers back as DATA. The connection's window was given back
    /// (`on_body`); the stream's is given back now if few answers wait,
    /// else once they are out (`give_back`).
    pub(super) fn tunnel_data(
        &mut self,
        stream: u32,
        end_stream: bool,
        data: &[u8],
        length: u32,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        let Some(open) = self.streams.get_mut(&stream) else {
            return Ok(());
        };
        let Some(tunnel) = &mut open.tunnel else {
            return Ok(());
        };
        tunnel.owed = tunnel.owed.saturating_add(length);
        let mut reply = Vec::new();
        if tunnel.closing {
            // After its close frame a WebSocket reads nothing more.
        } else if tunnel.ws.is_paused() || !tunnel.backlog.is_empty() {
            tunnel.backlog.extend_from_slice(data);
        } else if tunnel.ws.on_data(data, &self.ws, log, &mut reply) == Next::Close {
            tunnel.closing = true;
        }
        if end_stream {
            open.remote_closed = true;
            tunnel.client_ended();
        }
        open.queue(&reply);
        self.give_back(stream, log, out);
        Ok(())
    }

    /// Called after each DATA and each time the stream's pending answers
    /// are all out. While fewer than [`OUTPUT_BOUND`] bytes of answers
    /// wait: what the WebSocket held back (its own pause, then the
    /// backlog) is read first, and the window stays owed; once nothing
    /// is held back, the stream's window owed is given back in one
    /// WINDOW_UPDATE, so the client may send again. With more answers
    /// waiting, nothing is read and nothing given back.
    pub(super) fn give_back(&mut self, stream: u32, log: &ConnLog, out: &mut Vec<u8>) {
        let Some(open) = self.streams.get_mut(&stream) else {
            return;
        };
        let unsent = open.unsent();
        let Some(tunnel) = &mut open.tunnel else {
            return;
        };
        if unsent >= OUTPUT_BOUND {
            return;
        }
        if !tunnel.closing && (tunnel.ws.is_paused() || !tunnel.backlog.is_empty()) {
            let mut reply = Vec::new();
            let next = match tunnel.ws.is_paused() {
                true => tunnel.ws.resume(&self.ws, log, &mut reply),
                false => {
                    let backlog = std::mem::take(&mut tunnel.backlog);
                    tunnel.ws.on_data(&backlog, &self.ws, log, &mut reply)
                }
            };
            if next == Next::Close {
                tunnel.closing = true;
            }
            open.queue(&reply);
            return;
        }
        let owed = std::mem::take(&mut tunnel.owed);
        if owed > 0 && unsent < WINDOW as usize && !open.remote_closed {
            open.recv_window += i64::from(owed);
            let start = out.len();
            frame::write_window_update(out, stream, owed);
            self.lines.sent(&out[start..], log);
        } else {
            tunnel.owed = owed;
        }
    }

    /// The WebSockets' timers.
    pub(super) fn tunnels_on_deadline(&mut self, log: &ConnLog) {
        let now = std::time::Instant::now();
        for open in self.streams.values_mut() {
            let Some(tunnel) = &mut open.tunnel else {
                continue;
            };
            if tunnel.ws.deadline(&self.ws).is_none_or(|due| due > now) {
                continue;
            }
            let mut reply = Vec::new();
            if tunnel.ws.on_deadline(&self.ws, log, &mut reply) == Next::Close {
                tunnel.closing = true;
            }
            open.queue(&reply);
        }
    }

    /// The connection closes on its own: each WebSocket gets its close
    /// frame (1001, going away) first.
    pub(super) fn tunnels_farewell(&mut self, why: Farewell, log: &ConnLog) {
        for open in self.streams.values_mut() {
            let Some(tunnel) = &mut open.tunnel else {
                continue;
            };
            let mut reply = Vec::new();
            tunnel.ws.farewell(why, log, &mut reply);
            tunnel.closing = true;
            open.queue(&reply);
        }
    }

    /// The connection ends: the WebSockets' lines still owed are printed.
    pub(super) fn tunnels_flush(&mut self, log: &ConnLog) {
        for open in self.streams.values_mut() {
            if let Some(tunnel) = &mut open.tunnel {
                tunnel.flush_lines(log);
            }
        }
    }
}
