//! One stream (RFC 9113 §5.1): a request's HEADERS, its body's DATA, and
//! the response sent back on it within the client's windows (§6.9).

use std::time::Instant;

use super::request::{self, Request};
use super::{
    connection, view, Continuation, H2Error, Session, MAX_BLOCK, MAX_CONCURRENT_STREAMS, WINDOW,
};
use crate::h2::frame::{self, ErrorCode};
use crate::http;
use crate::log::ConnLog;
use crate::next::OUTPUT_BOUND;

/// The most response bytes a connection holds for streams whose window
/// is shut (a client that opens streams and never reads): past it, new
/// streams are refused until the windows open.
pub const MAX_WAITING: usize = 1024 * 1024;

/// The 503's words when the budget is spent.
fn over_budget(spent: crate::budget::Spent) -> Vec<u8> {
    format!("{spent}\n").into_bytes()
}

/// How many frames of a stream its page lists; the rest are counted.
const FRAMES_SHOWN: usize = 32;

/// A stream the client opened.
#[derive(Debug)]
pub(crate) struct Stream {
    /// Its request, once its header block is decoded.
    pub request: Option<Request>,
    /// The memory its request holds ([`Request::bytes`]), for the budget.
    pub request_bytes: usize,
    /// The body so far, bounded by `--max-body`.
    pub body: Vec<u8>,
    /// The client has sent END_STREAM: half-closed (remote).
    pub remote_closed: bool,
    /// Answered before the client sent all of its request (a body past
    /// the budget, a refused WebSocket): what it still sends is ignored,
    /// and once the answer is out RST_STREAM NO_ERROR asks it to stop.
    pub early: bool,
    /// What rawnet may still send on it, and receive.
    pub send_window: i64,
    pub recv_window: i64,
    /// The response's body still to send, from `sent`.
    pub pending: Vec<u8>,
    pub sent: usize,
    /// Since when the response has waited for a window.
    pub waiting: Option<Instant>,
    /// `?size`'s filler after `pending`, and how much of it is sent.
    pub filler: u64,
    pub filler_sent: u64,
    /// The body's bytes sent so far: where the filler's next byte is.
    pub offset: u64,
    /// `?drip`: the chunks still to make, each when it is due.
    #[cfg(feature = "knobs")]
    pub drip: Option<super::drip::Dripping>,
    /// A WebSocket carried in its DATA frames (RFC 8441).
    #[cfg(feature = "websocket")]
    pub tunnel: Option<super::tunnel::Tunnel>,
    /// `?delay`: the response, and when it is due (and whether the
    /// request was a HEAD).
    pub held: Option<(Instant, view::Answer, bool)>,
    /// Its frames both ways as they crossed the wire, for its page:
    /// `(received, the frame's bytes: its header and up to 16 of its
    /// payload)`.
    pub frames: Vec<(bool, Vec<u8>)>,
    pub frames_not_shown: usize,
}

impl Stream {
    fn new(send_window: u32) -> Self {
        Stream {
            request: None,
            request_bytes: 0,
            body: Vec::new(),
            remote_closed: false,
            early: false,
            send_window: i64::from(send_window),
            recv_window: i64::from(WINDOW),
            pending: Vec::new(),
            sent: 0,
            filler: 0,
            filler_sent: 0,
            offset: 0,
            #[cfg(feature = "knobs")]
            drip: None,
            #[cfg(feature = "websocket")]
            tunnel: None,
            held: None,
            waiting: None,
            frames: Vec::new(),
            frames_not_shown: 0,
        }
    }

    /// Notes a frame that crossed on this stream, for its page.
    pub fn saw(&mut self, bytes: &[u8], received: bool) {
        if self.frames.len() < FRAMES_SHOWN {
            self.frames.push((received, excerpt(bytes)));
        } else {
            self.frames_not_shown += 1;
        }
    }

    pub fn stalled_since(&self) -> Option<Instant> {
        self.waiting
    }

    /// A DATA frame's length off its window: DATA may come only while
    /// the client has not ended the stream, and within the window.
    fn take_window(&mut self, id: u32, length: u32) -> Result<(), H2Error> {
        if self.remote_closed {
            let why = "DATA after the client's END_STREAM (§5.1)";
            return Err(H2Error::Stream(id, ErrorCode::STREAM_CLOSED, why.into()));
        }
        self.recv_window -= i64::from(length);
        if self.recv_window < 0 {
            let why = "DATA past the stream's window (§6.9.1)";
            return Err(H2Error::Stream(
                id,
                ErrorCode::FLOW_CONTROL_ERROR,
                why.into(),
            ));
        }
        Ok(())
    }

    /// The memory it holds, for the budget (`Session::held`): its
    /// request, body and response buffers, and its frames' excerpts.
    pub fn bytes(&self) -> usize {
        let held = (self.held.as_ref()).map_or(0, |(_, answer, _)| answer.body.capacity());
        let frame = std::mem::size_of::<(bool, Vec<u8>)>() + EXCERPT;
        #[cfg(feature = "websocket")]
        let held = held + self.tunnel.as_ref().map_or(0, super::tunnel::Tunnel::bytes);
        self.request_bytes
            + self.body.capacity()
            + self.pending.capacity()
            + held
            + self.frames.capacity() * frame
    }

    /// Whether the body made so far has all gone out.
    pub fn body_sent_whole(&self) -> bool {
        self.sent == self.pending.len() && self.filler_sent == self.filler
    }

    /// Whether more is still to be sent after what is pending, so that
    /// END_STREAM must wait: a `?drip`'s chunks to come, or the answers
    /// of a WebSocket still open.
    fn more_to_come(&self) -> bool {
        #[cfg(feature = "websocket")]
        if self.tunnel_open() {
            return true;
        }
        #[cfg(feature = "knobs")]
        return self.drip.as_ref().is_some_and(|d| !d.done());
        #[cfg(not(feature = "knobs"))]
        false
    }

    /// Whether it has bytes to send, or an END_STREAM: a WebSocket that
    /// closed with nothing left to say still ends its stream.
    fn has_output(&self) -> bool {
        #[cfg(feature = "websocket")]
        if self.tunnel.is_some() && !self.tunnel_open() {
            return true;
        }
        !self.pending.is_empty() || self.filler > 0
    }
}

/// What a stream's page keeps of a frame: its header and the first 16
/// bytes of its payload.
const EXCERPT: usize = frame::Header::LEN + 16;

pub(super) fn excerpt(bytes: &[u8]) -> Vec<u8> {
    bytes[..bytes.len().min(EXCERPT)].to_vec()
}

impl Session {
    /// A HEADERS frame: a new request, or a request's trailers.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_headers(
        &mut self,
        stream: u32,
        end_stream: bool,
        end_headers: bool,
        fragment: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        if stream % 2 == 0 {
            let why = "a client's streams have odd numbers (§5.1.1)";
            return Err(connection(ErrorCode::PROTOCOL_ERROR, why));
        }
        match self.streams.get(&stream) {
            Some(open) if open.remote_closed => {
                let why = "HEADERS after the client's END_STREAM (§5.1)";
                return Err(connection(ErrorCode::STREAM_CLOSED, why));
            }
            // Trailers, which must end the stream (§8.1): checked in
            // `header_block`, once HPACK has read their block.
            Some(_) => {}
            // Trailers on a stream rawnet has reset, sent before the
            // client heard of it: their block is still decoded, for
            // HPACK's tables (§4.3), then ignored (§5.1, "closed"), in
            // `header_block`.
            None if self.was_reset_here(stream) => {}
            None if stream <= self.last_stream => {
                let why = "HEADERS on a stream already closed (§5.1.1)";
                return Err(connection(ErrorCode::STREAM_CLOSED, why));
            }
            None => {}
        }
        if !end_headers {
            self.continuation = Some(Continuation {
                stream,
                end_stream,
                block: fragment.to_vec(),
            });
            return Ok(());
        }
        self.header_block(stream, end_stream, fragment, config, log, out)
    }

    /// A CONTINUATION frame of the header block that is waiting for it.
    pub(super) fn on_continuation(
        &mut self,
        end_headers: bool,
        fragment: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        let Some(pending) = &mut self.continuation else {
            let why = "CONTINUATION with no header block before it (§6.10)";
            return Err(connection(ErrorCode::PROTOCOL_ERROR, why));
        };
        if pending.block.len() + fragment.len() > MAX_BLOCK {
            let why = format!(
                "a header block longer than {} KiB across CONTINUATION frames (a CONTINUATION flood, CVE-2024-27316)",
                MAX_BLOCK / 1024
            );
            return Err(connection(ErrorCode::ENHANCE_YOUR_CALM, why));
        }
        pending.block.extend_from_slice(fragment);
        if !end_headers {
            return Ok(());
        }
        let Some(Continuation {
            stream,
            end_stream,
            block,
        }) = self.continuation.take()
        else {
            return Ok(());
        };
        self.header_block(stream, end_stream, &block, config, log, out)
    }

    /// A whole header block: decoded, then a new request or trailers.
    fn header_block(
        &mut self,
        stream: u32,
        end_stream: bool,
        block: &[u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        let max_list = super::max_header_list(config);
        let fields = self.decoder.decode(block, max_list).map_err(|error| {
            let code = match error {
                crate::h2::hpack::Error::HeaderListTooLarge { .. } => ErrorCode::ENHANCE_YOUR_CALM,
                _ => ErrorCode::COMPRESSION_ERROR,
            };
            connection(code, format!("HPACK: {error}"))
        })?;
        if log.traces() {
            let lines: Vec<String> = fields.iter().map(|f| f.describe(block)).collect();
            log.emit(super::Event::HeaderBlock {
                stream,
                fields: &lines,
            });
        }
        // HPACK's tables moved with the block; the stream is gone.
        if self.trailers_not_wanted(stream) {
            return Ok(());
        }
        if self.streams.contains_key(&stream) {
            return self.trailers(stream, end_stream, fields, config, log, out);
        }
        let opening = std::mem::take(&mut self.opening);
        if stream <= self.last_stream {
            // Not a new stream (`on_headers` let through only new ones
            // and those rawnet reset, handled above): nothing to open.
            return Ok(());
        }
        self.last_stream = stream;
        // Every stream in the map has its request (it is put there with it).
        let open = self.streams.len();
        if self.closing {
            return Ok(());
        }
        if open >= MAX_CONCURRENT_STREAMS as usize {
            let why = format!("more than {MAX_CONCURRENT_STREAMS} streams open at once (SETTINGS_MAX_CONCURRENT_STREAMS)");
            return Err(H2Error::Stream(
                stream,
                ErrorCode::REFUSED_STREAM,
                why.into(),
            ));
        }
        let request = request::read(fields, block.to_vec())
            .map_err(|why| H2Error::Stream(stream, ErrorCode::PROTOCOL_ERROR, why.into()))?;
        if self.fingerprint.pseudo_order.is_none() {
            self.fingerprint.pseudo_order = Some(request.pseudo_order());
        }
        // Its request is kept until it is answered: within the budget.
        let request_bytes = request.bytes();
        if let Err(spent) = self.reservation.take(request_bytes) {
            return Err(H2Error::Stream(
                stream,
                ErrorCode::REFUSED_STREAM,
                spent.to_string().into(),
            ));
        }
        let mut new = Stream::new(self.peer.initial_window);
        new.frames = opening;
        new.request = Some(request);
        new.request_bytes = request_bytes;
        new.remote_closed = end_stream;
        // A tunnel even with END_STREAM (`open_tunnel` refuses it): never
        // a page.
        #[cfg(feature = "websocket")]
        let tunnel = new.request.as_ref().is_some_and(|r| r.protocol.is_some());
        self.streams.insert(stream, new);
        #[cfg(feature = "websocket")]
        if tunnel {
            return self.open_tunnel(stream, log, out);
        }
        if end_stream {
            return self.respond(stream, config, log, out);
        }
        Ok(())
    }

    /// A second header block on an open stream: its trailers (§8.1).
    fn trailers(
        &mut self,
        stream: u32,
        end_stream: bool,
        fields: Vec<crate::h2::hpack::Field>,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        let Some(open) = self.streams.get_mut(&stream) else {
            return Ok(());
        };
        // Trailers must end the stream (§8.1). Refused only now: the
        // block had to go through HPACK all the same, or the client's
        // table would hold fields rawnet's does not (§4.3).
        if !end_stream {
            let why = "a second HEADERS (trailers) without END_STREAM (§8.1)";
            return Err(H2Error::Stream(
                stream,
                ErrorCode::PROTOCOL_ERROR,
                why.into(),
            ));
        }
        // On a WebSocket's stream, its end: what is left goes out,
        // then END_STREAM (there is no response to make).
        #[cfg(feature = "websocket")]
        if let Some(tunnel) = &mut open.tunnel {
            open.remote_closed = true;
            tunnel.client_ended();
            return Ok(());
        }
        // Trailers: held to a request's rules (a malformed one is
        // the stream's error), kept with it, shown on its page.
        let malformed =
            |why: String| H2Error::Stream(stream, ErrorCode::PROTOCOL_ERROR, why.into());
        request::check_trailers(&fields).map_err(malformed)?;
        if let Some(request) = &mut open.request {
            request.trailers = fields;
            open.request_bytes = request.bytes();
        }
        open.remote_closed = true;
        self.respond(stream, config, log, out)
    }

    /// Trailers on a stream rawnet reset, or on one it answered already
    /// (`early`): not wanted, and the client's side of it is over.
    fn trailers_not_wanted(&mut self, stream: u32) -> bool {
        if let Some(open) = self.streams.get_mut(&stream).filter(|s| s.early) {
            open.remote_closed = true;
            return true;
        }
        self.was_reset_here(stream)
    }

    /// A DATA frame: a request's body, counted against both windows
    /// (padding included, §6.9.1), which rawnet opens again at once.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_body(
        &mut self,
        stream: u32,
        end_stream: bool,
        data: &[u8],
        length: u32,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        self.take_connection_window(stream, length, log, out)?;
        // All streams' bodies together are held to one --max-body: a
        // client with 100 streams holds no more than one with one.
        let held: usize = self.streams.values().map(|s| s.body.len()).sum();
        let Some(open) = self.streams.get_mut(&stream) else {
            // A stream rawnet has just reset (a malformed request,
            // --max-body) while the rest of its body was on its way,
            // DATA the client could not take back: ignored (§5.1,
            // "closed"), not a reason to end the connection.
            if self.was_reset_here(stream) {
                return Ok(());
            }
            let why = "DATA on a closed stream (§5.1)";
            return Err(connection(ErrorCode::STREAM_CLOSED, why));
        };
        if open.early {
            // Already answered: its bytes are dropped (the connection's
            // window was given back above), and its END_STREAM means no
            // RST_STREAM is needed to stop it.
            open.remote_closed |= end_stream;
            return Ok(());
        }
        open.take_window(stream, length)?;
        #[cfg(feature = "websocket")]
        if open.tunnel.is_some() {
            return self.tunnel_data(stream, end_stream, data, length, log, out);
        }
        if held + data.len() > config.max_body {
            let why = format!(
                "the bodies of this connection's streams together past --max-body ({} bytes)",
                config.max_body
            );
            return Err(H2Error::Stream(stream, ErrorCode::CANCEL, why.into()));
        }
        // The body grows within the budget too (a body that said its
        // length takes room for that much, not more); past it, its body
        // so far is dropped and the request answered 503, as HTTP/1.1's.
        let most = (open.request.as_ref())
            .and_then(|r| r.content_length)
            .map_or(config.max_body, |n| config.max_body.min(n as usize));
        if let Err(spent) = self.reservation.make_room(&mut open.body, data.len(), most) {
            let answer = view::Answer::new(503, crate::http::response::TEXT, over_budget(spent));
            return self.answer_early(stream, answer, log, out);
        }
        open.body.extend_from_slice(data);
        open.remote_closed = end_stream;
        // The bytes are kept: the client may send as many again.
        if length > 0 && !end_stream {
            open.recv_window += i64::from(length);
            let start = out.len();
            frame::write_window_update(out, stream, length);
            self.lines.sent(&out[start..], log);
        }
        if end_stream {
            return self.respond(stream, config, log, out);
        }
        Ok(())
    }

    /// A DATA frame's length off the connection's window, which is given
    /// back at once, whatever becomes of the stream: its bytes are kept,
    /// or dropped with a stream that is reset or closed, and those still
    /// count on the connection's window (§6.9) and would shut it for good.
    fn take_connection_window(
        &mut self,
        stream: u32,
        length: u32,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        if self.is_idle(stream) {
            let why = "DATA on a stream not yet opened (§5.1)";
            return Err(connection(ErrorCode::PROTOCOL_ERROR, why));
        }
        self.recv_window -= i64::from(length);
        if self.recv_window < 0 {
            let why = "DATA past the connection's window (§6.9.1)";
            return Err(connection(ErrorCode::FLOW_CONTROL_ERROR, why));
        }
        if length > 0 {
            self.recv_window += i64::from(length);
            let start = out.len();
            frame::write_window_update(out, 0, length);
            self.lines.sent(&out[start..], log);
        }
        Ok(())
    }

    /// The request on `stream` is whole: its response's HEADERS now, its
    /// DATA as the windows allow.
    fn respond(
        &mut self,
        stream: u32,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        let Some(open) = self.streams.get(&stream) else {
            return Ok(());
        };
        let Some(request) = &open.request else {
            return Ok(());
        };
        if let Err(why) = request.check_length(open.body.len()) {
            return Err(H2Error::Stream(
                stream,
                ErrorCode::PROTOCOL_ERROR,
                why.into(),
            ));
        }
        // Responses the client's windows hold back are bounded too.
        let waiting: usize = (self.streams.values())
            .map(|s| s.pending.len() - s.sent)
            .sum();
        if waiting > MAX_WAITING {
            let why = format!(
                "responses waiting for the client's windows past {} KiB",
                MAX_WAITING / 1024
            );
            return Err(H2Error::Stream(
                stream,
                ErrorCode::REFUSED_STREAM,
                why.into(),
            ));
        }
        self.requests += 1;
        let shown = view::Shown {
            conn: log.id,
            request_number: self.requests,
            stream,
            peer: log.peer,
            instance: &config.instance,
            proxy_client: self.proxy_client,
            below: self.below.as_deref(),
            request,
            body: &open.body,
            frames: &open.frames,
            frames_not_shown: open.frames_not_shown,
            fingerprint: &self.fingerprint,
        };
        let mut answer = view::answer(&shown, config);
        let head_only = request.method == b"HEAD";
        // The page waits in the session until the windows let it out.
        if let Err(spent) = self.reservation.take(answer.body.capacity()) {
            answer = view::Answer::new(503, crate::http::response::TEXT, over_budget(spent));
        }
        // `?delay`: the whole response waits, on the session's timer
        // (its HEADERS too: HPACK must encode blocks in the order sent).
        if let Some(delay) = answer.delay {
            if let Some(open) = self.streams.get_mut(&stream) {
                open.held = Some((Instant::now() + delay, answer, head_only));
            }
            return Ok(());
        }
        self.send_response(stream, answer, head_only, log, out);
        Ok(())
    }

    /// A request answered before its stream is over (a body past the
    /// budget, a refused WebSocket): the answer now, or as its window
    /// lets it out; then, once it is out whole, RST_STREAM NO_ERROR asks
    /// the client to send no more on it (RFC 9113 §8.1; `end_sent`), and
    /// what it sent meanwhile is ignored.
    pub(super) fn answer_early(
        &mut self,
        stream: u32,
        answer: view::Answer,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Result<(), H2Error> {
        if let Some(open) = self.streams.get_mut(&stream) {
            open.body = Vec::new();
            open.early = true;
        }
        // `send_some` sends the RST_STREAM once the answer is out, which
        // may wait for the client's window.
        self.send_response(stream, answer, false, log, out);
        self.send_some(stream, log, out);
        Ok(())
    }

    /// rawnet has sent END_STREAM on `id`: the stream is closed if the
    /// client had ended its side too. If not, it is only half-closed
    /// (local) (§5.1), and the client may still send on it: an early
    /// answer's client is asked to stop with RST_STREAM NO_ERROR (§8.1);
    /// a WebSocket's client sends its close frame and its own END_STREAM
    /// (RFC 8441's close is END_STREAM from each side, as TCP's FIN), and
    /// those are ignored, not a frame on a closed stream.
    fn end_sent(&mut self, id: u32, log: &ConnLog, out: &mut Vec<u8>) {
        let Some(open) = self.streams.remove(&id) else {
            return;
        };
        if open.remote_closed {
            return;
        }
        if open.early {
            let why = "its response is sent; the rest of its request is not wanted (§8.1)";
            self.fail(
                H2Error::Stream(id, ErrorCode::NO_ERROR, why.into()),
                log,
                out,
            );
        } else {
            self.ignore_from_now(id);
        }
    }

    /// The response's HEADERS now, its body as the windows allow.
    pub(super) fn send_response(
        &mut self,
        stream: u32,
        answer: view::Answer,
        head_only: bool,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) {
        let fields = view::response_fields(&answer);
        let mut block = Vec::new();
        self.encoder.encode(&fields, &mut block);
        let start = out.len();
        let no_body = (answer.len() == 0 && !answer.drips())
            || head_only
            || crate::http::response::has_no_body(answer.status);
        frame::write_headers(out, stream, &block, no_body, self.peer.max_frame_size);
        if let Some(Some(request)) = self.streams.get(&stream).map(|s| s.request.as_ref()) {
            log.emit(super::Event::Request {
                stream,
                method: &request.method,
                path: &request.path,
                status: answer.status,
                bytes: usize::try_from(answer.len()).unwrap_or(usize::MAX),
                #[cfg(feature = "knobs")]
                dripped: answer.drip.map(|d| d.chunks).filter(|_| !no_body),
            });
        }
        self.lines.sent(&out[start..], log);
        if let Some(open) = self.streams.get_mut(&stream) {
            open.saw(&out[start..], false);
            if no_body {
                self.end_sent(stream, log, out);
            } else {
                open.pending = answer.body;
                open.filler = answer.filler;
                #[cfg(feature = "knobs")]
                if let Some(drip) = answer.drip {
                    open.drip = Some(super::drip::Dripping::new(drip, Instant::now()));
                }
            }
        }
    }

    /// Sends what the windows allow of every pending response, the
    /// oldest stream first, up to [`OUTPUT_BOUND`] (see `send_some`).
    pub(super) fn send_pending(&mut self, log: &ConnLog, out: &mut Vec<u8>) {
        self.paused = false;
        let ids: Vec<u32> = self.streams.keys().copied().collect();
        for id in ids {
            self.send_some(id, log, out);
        }
    }

    /// One stream's pending body, as far as the windows go.
    fn send_some(&mut self, id: u32, log: &ConnLog, out: &mut Vec<u8>) {
        let max_frame = self.peer.max_frame_size as usize;
        let Some(open) = self.streams.get_mut(&id) else {
            return;
        };
        #[cfg(feature = "knobs")]
        if open.drip.is_some() {
            open.make_due_chunk(Instant::now());
        }
        if !open.has_output() {
            return;
        }
        let mut piece = Vec::new();
        loop {
            let filler_left = usize::try_from(open.filler - open.filler_sent).unwrap_or(usize::MAX);
            let left = (open.pending.len() - open.sent).saturating_add(filler_left);
            // A drip's chunk is out: the next, if it is due already
            // (`?interval=0`), or wait for it.
            if left == 0 && open.more_to_come() {
                #[cfg(feature = "knobs")]
                if open.drip.is_some() {
                    open.make_due_chunk(Instant::now());
                    if !open.body_sent_whole() {
                        continue;
                    }
                }
                return;
            }
            let room = self.send_window.min(open.send_window).max(0) as usize;
            // A frame is at most the client's SETTINGS_MAX_FRAME_SIZE
            // (up to 16 MiB) and at most `OUTPUT_BOUND`, below.
            let n = left.min(room).min(max_frame).min(OUTPUT_BOUND);
            if n == 0 && left > 0 {
                open.waiting.get_or_insert_with(Instant::now);
                return;
            }
            open.waiting = None;
            // The windows are the client's promise to take this much, not
            // proof that it reads: one that opens them to 2^31-1 and never
            // reads would have every `?size` of every stream written into
            // this connection's output at once (100 streams of 10 MiB, a
            // GB). As HTTP/1.1, about `OUTPUT_BOUND` is written at a
            // time (one frame past it at most); the rest once the client
            // has taken it (`resume`).
            if out.len() >= OUTPUT_BOUND {
                self.paused = true;
                return;
            }
            let end = n == left && !open.more_to_come();
            let start = out.len();
            // The page's bytes first, then `?size`'s filler, made now
            // (into `piece`: the page's bytes go straight from `pending`).
            let from_page = (open.pending.len() - open.sent).min(n);
            let page = &open.pending[open.sent..open.sent + from_page];
            let filled = (n - from_page) as u64;
            if filled == 0 {
                frame::write_data(out, id, page, end, self.peer.max_frame_size);
            } else {
                piece.clear();
                piece.extend_from_slice(page);
                #[cfg(feature = "knobs")]
                crate::http::knobs::write_filler(
                    &mut piece,
                    open.offset + from_page as u64,
                    filled,
                );
                frame::write_data(out, id, &piece, end, self.peer.max_frame_size);
            }
            open.sent += from_page;
            open.filler_sent += filled;
            open.offset += n as u64;
            open.send_window -= n as i64;
            self.send_window -= n as i64;
            open.saw(&out[start..], false);
            self.lines.sent(&out[start..], log);
            if end {
                #[cfg(feature = "websocket")]
                if let Some(tunnel) = &mut open.tunnel {
                    tunnel.flush_lines(log);
                }
                self.end_sent(id, log, out);
                return;
            }
            // A WebSocket's answers are out: it may read and be sent more.
            #[cfg(feature = "websocket")]
            if n == left && open.tunnel.is_some() {
                self.give_back(id, log, out);
                return self.send_some(id, log, out);
            }
        }
    }
}
