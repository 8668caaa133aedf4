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

/// The most response bytes a connection holds for streams whose window
/// is shut (a client that opens streams and never reads): past it, new
/// streams are refused until the windows open.
pub const MAX_WAITING: usize = 1024 * 1024;

/// How many frames of a stream its page lists; the rest are counted.
const FRAMES_SHOWN: usize = 32;

/// A stream the client opened.
#[derive(Debug)]
pub(crate) struct Stream {
    /// Its request, once its header block is decoded.
    pub request: Option<Request>,
    /// The body so far, bounded by `--max-body`.
    pub body: Vec<u8>,
    /// The client has sent END_STREAM: half-closed (remote).
    pub remote_closed: bool,
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
            body: Vec::new(),
            remote_closed: false,
            send_window: i64::from(send_window),
            recv_window: i64::from(WINDOW),
            pending: Vec::new(),
            sent: 0,
            filler: 0,
            filler_sent: 0,
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
}

/// What a stream's page keeps of a frame: its header and the first 16
/// bytes of its payload.
pub(super) fn excerpt(bytes: &[u8]) -> Vec<u8> {
    bytes[..bytes.len().min(frame::Header::LEN + 16)].to_vec()
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
        if let Some(open) = self.streams.get_mut(&stream) {
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
            // Trailers: kept with the request, shown on its page.
            if let Some(request) = &mut open.request {
                request.trailers = fields;
            }
            open.remote_closed = true;
            return self.respond(stream, config, log, out);
        }
        self.last_stream = stream;
        let opening = std::mem::take(&mut self.opening);
        let open = self
            .streams
            .values()
            .filter(|s| s.request.is_some())
            .count();
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
        let mut new = Stream::new(self.peer.initial_window);
        new.frames = opening;
        new.request = Some(request);
        new.remote_closed = end_stream;
        self.streams.insert(stream, new);
        if end_stream {
            return self.respond(stream, config, log, out);
        }
        Ok(())
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
        if self.is_idle(stream) {
            let why = "DATA on a stream not yet opened (§5.1)";
            return Err(connection(ErrorCode::PROTOCOL_ERROR, why));
        }
        let length = i64::from(length);
        self.recv_window -= length;
        if self.recv_window < 0 {
            let why = "DATA past the connection's window (§6.9.1)";
            return Err(connection(ErrorCode::FLOW_CONTROL_ERROR, why));
        }
        // All streams' bodies together are held to one --max-body: a
        // client with 100 streams holds no more than one with one.
        let held: usize = self.streams.values().map(|s| s.body.len()).sum();
        let Some(open) = self.streams.get_mut(&stream) else {
            let why = "DATA on a closed stream (§5.1)";
            return Err(connection(ErrorCode::STREAM_CLOSED, why));
        };
        if open.remote_closed {
            let why = "DATA after the client's END_STREAM (§5.1)";
            return Err(H2Error::Stream(
                stream,
                ErrorCode::STREAM_CLOSED,
                why.into(),
            ));
        }
        open.recv_window -= length;
        if open.recv_window < 0 {
            let why = "DATA past the stream's window (§6.9.1)";
            return Err(H2Error::Stream(
                stream,
                ErrorCode::FLOW_CONTROL_ERROR,
                why.into(),
            ));
        }
        if held + data.len() > config.max_body {
            let why = format!(
                "the bodies of this connection's streams together past --max-body ({} bytes)",
                config.max_body
            );
            return Err(H2Error::Stream(stream, ErrorCode::CANCEL, why.into()));
        }
        open.body.extend_from_slice(data);
        open.remote_closed = end_stream;
        // The bytes are kept: the client may send as many again.
        if length > 0 {
            let increment = u32::try_from(length).unwrap_or(0);
            self.recv_window += length;
            let start = out.len();
            frame::write_window_update(out, 0, increment);
            if !end_stream {
                open.recv_window += length;
                frame::write_window_update(out, stream, increment);
            }
            self.lines.sent(&out[start..], log);
        }
        if end_stream {
            return self.respond(stream, config, log, out);
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
        let answer = view::answer(&shown, config);
        let head_only = request.method == b"HEAD";
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
        let no_body =
            answer.len() == 0 || head_only || crate::http::response::has_no_body(answer.status);
        frame::write_headers(out, stream, &block, no_body, self.peer.max_frame_size);
        if let Some(Some(request)) = self.streams.get(&stream).map(|s| s.request.as_ref()) {
            log.emit(super::Event::Request {
                stream,
                method: &request.method,
                path: &request.path,
                status: answer.status,
                bytes: usize::try_from(answer.len()).unwrap_or(usize::MAX),
            });
        }
        self.lines.sent(&out[start..], log);
        if let Some(open) = self.streams.get_mut(&stream) {
            open.saw(&out[start..], false);
            if no_body {
                self.streams.remove(&stream);
            } else {
                open.pending = answer.body;
                open.filler = answer.filler;
            }
        }
    }

    /// Sends what the windows allow of every pending response, the
    /// oldest stream first.
    pub(super) fn send_pending(&mut self, log: &ConnLog, out: &mut Vec<u8>) {
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
        if open.pending.is_empty() && open.filler == 0 {
            return;
        }
        let mut piece = Vec::new();
        loop {
            let filler_left = usize::try_from(open.filler - open.filler_sent).unwrap_or(usize::MAX);
            let left = (open.pending.len() - open.sent).saturating_add(filler_left);
            let room = self.send_window.min(open.send_window).max(0) as usize;
            let n = left.min(room).min(max_frame);
            if n == 0 && left > 0 {
                open.waiting.get_or_insert_with(Instant::now);
                return;
            }
            open.waiting = None;
            let end = n == left;
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
                crate::http::knobs::write_filler(&mut piece, open.filler_sent, filled);
                frame::write_data(out, id, &piece, end, self.peer.max_frame_size);
            }
            open.sent += from_page;
            open.filler_sent += filled;
            open.send_window -= n as i64;
            self.send_window -= n as i64;
            open.saw(&out[start..], false);
            self.lines.sent(&out[start..], log);
            if end {
                self.streams.remove(&id);
                return;
            }
        }
    }
}
