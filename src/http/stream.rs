//! A response that is not written at once: held back by `?delay`, sent in
//! timed chunks by `?drip`, or too large to make in one piece (`?size`).
//! The knobs and their formats are in `knobs.rs`; this is when each byte
//! goes out.
//!
//! No thread ever sleeps. A [`Stream`] writes what is due now and says
//! what it waits for: a moment (the session hands it to the connection as
//! its deadline, and the connection's timer calls back), or room in the
//! output (the session pauses at [`OUTPUT_BOUND`], and the connection
//! resumes it once the client has read what was sent). So a 10 MiB body
//! costs one output buffer, not 10 MiB, and a client that stops reading
//! meets `--write-timeout` as with any response.
//!
//! While it is written the session is in `State::Answering`, with a
//! [`Held`]: the session's side is here too, what it does with the bytes
//! that come meanwhile, the memory budget's part in it, and the response
//! once it is all out; the lines it prints are in `stream/events.rs`.

mod events;

pub(crate) use events::Event;

use std::time::{Duration, Instant};

use crate::budget::Spent;
use crate::log::ConnLog;
use crate::next::Next;

use super::knobs::{self, Knobs};
use super::refusal::Refusal;
use super::request::Head;
use super::response::{self, BodyEnd, ConnectionHeader};
use super::{Config, Reply, Session, State, Step, OUTPUT_BOUND};

/// A response held back or streamed, as the session holds it
/// (`State::Answering`): the request it answers, whose head is still at
/// the front of the session's `input`, and the [`Stream`] that writes it.
#[derive(Debug)]
pub(super) struct Held {
    head: Head,
    stream: Stream,
    /// The budget refused what came while the response was held back:
    /// nothing more is kept, and once the response is out the next
    /// request gets 503 (answers leave in order, so the 503 waits for it).
    spent: Option<Spent>,
}

impl Held {
    /// When its next part is due, if it waits for a moment.
    pub(super) fn due(&self) -> Option<Instant> {
        self.stream.due()
    }

    /// The bytes it holds until their moment, for the memory budget.
    pub(super) fn bytes(&self) -> usize {
        self.stream.held()
    }

    /// The client ended before it was all written: it is given up, and
    /// said so. `number` is its request's.
    pub(super) fn given_up(&self, number: u64, log: &ConnLog) {
        log.emit(Event::EndedMidResponse {
            number,
            sent: self.stream.written,
        });
    }
}

impl Session {
    /// Starts the response `reply` describes, which `knobs` make take time
    /// or come in pieces: its head (with the whole usual response when
    /// only `?delay` was given) is made now and waits in a [`Stream`] for
    /// its moment, and the session waits in `State::Answering` until it
    /// is all written.
    pub(super) fn hold(
        &mut self,
        head: Head,
        knobs: &Knobs,
        reply: &Reply,
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        // Counted as answered once its response is made (below).
        let number = self.answered + 1;
        let start = out.len();
        if knobs.drip.is_some() || knobs.size.is_some() {
            // The body is the knobs' own: only the head is made now.
            let size = knobs.size.unwrap_or(0);
            let length = usize::try_from(size).unwrap_or(usize::MAX);
            response::write_head(out, &reply.head(response::TEXT, length));
        } else {
            // `?delay` alone: the usual response, whole, held back.
            self.write_response(number, &head, reply, config, log, out);
        }
        // What was made waits in the stream, for its moment: in memory,
        // so within the budget, or the request gets 503.
        let ready = out.split_off(start);
        if let Err(spent) = self.reservation.take(ready.capacity()) {
            let next = self.fail(Refusal::OverBudget(spent), log, out);
            return self.make_room(&head, next);
        }
        self.answered = number;
        let send_body = self.sends_body(&head, reply.status);
        let arrived = Instant::now();
        let mut stream = Stream::new(
            arrived,
            knobs,
            ready,
            send_body,
            reply.body_end,
            reply.status,
        );
        stream.close = reply.connection == ConnectionHeader::Close;
        let held = Held {
            head,
            stream,
            spent: None,
        };
        self.state = State::Answering(Box::new(held));
        Next::Continue
    }

    /// Takes bytes that come while a response is held back. They wait in
    /// `input`, up to a head and a body, and the budget must agree to
    /// them; past the budget nothing more is kept (see `Held`'s `spent`).
    pub(super) fn receive_while_held(
        &mut self,
        data: &[u8],
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let State::Answering(held) = &mut self.state else {
            return Next::Continue;
        };
        if held.spent.is_some() {
            return Next::Continue;
        }
        let most = config.max_head.saturating_add(config.max_body);
        if let Err(spent) = self
            .reservation
            .make_room(&mut self.input, data.len(), most)
        {
            held.spent = Some(spent);
            return Next::Continue;
        }
        self.input.extend_from_slice(data);
        // No more than one request's worth waits, counting the held
        // request's body: a client that sends more without waiting for
        // the answer is closed, as rawnet's memory per connection is
        // bounded (see the README's Limits).
        let waiting = self.input.len() - held.head.len + self.body.len();
        if waiting > config.max_head + config.max_body {
            log.emit(Event::SentWhileHeld {
                number: self.answered,
                held: waiting,
                sent: held.stream.written,
            });
            self.state = State::Finished;
            return Next::Close;
        }
        self.process(config, log, out)
    }

    /// Writes what of the held response is due now; once it is all
    /// written, goes on with the requests that waited behind it.
    pub(super) fn advance_held(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Step {
        let State::Answering(held) = &mut self.state else {
            return Step::Stop(Next::Continue);
        };
        match held.stream.advance(Instant::now(), out) {
            Advance::Until(_) => Step::Stop(Next::Continue),
            Advance::Room => {
                self.paused = true;
                Step::Stop(Next::Continue)
            }
            Advance::Done => Step::after(self.streamed(log, out)),
        }
    }

    /// The streamed response is all written: log it, make room for the
    /// next request.
    fn streamed(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let between = State::Head { since: None };
        let State::Answering(held) = std::mem::replace(&mut self.state, between) else {
            return Next::Continue;
        };
        let Held {
            head,
            stream,
            spent,
        } = *held;
        self.log_answer(&head, stream.status, stream.written, log);
        let next = match (stream.close, spent) {
            (true, _) => {
                self.state = State::Finished;
                Next::Close
            }
            // What came while it was held could not be kept: the next
            // request gets the 503.
            (false, Some(spent)) => return self.fail(Refusal::OverBudget(spent), log, out),
            (false, None) => Next::Continue,
        };
        self.make_room(&head, next)
    }
}

/// A response in progress, with everything it still has to write.
#[derive(Debug)]
pub(crate) struct Stream {
    /// When the request was complete: the drip's lines count from here.
    arrived: Instant,
    /// When the head goes out (`arrived` plus `?delay`); the drip's chunks
    /// follow at `start + i × interval`, whatever the earlier ones cost.
    start: Instant,
    /// The response head, or the whole response when only `?delay` was
    /// given; emptied once written.
    ready: Vec<u8>,
    /// `?drip`'s number of chunks (0: no drip), how many are sent, and the
    /// time between them.
    drip: u32,
    sent: u32,
    interval: Duration,
    /// Chunked framing around the drip's chunks: not for an HTTP/1.0
    /// client, which does not know it (RFC 9112 §6.1); its body ends with
    /// the connection instead.
    chunked: bool,
    /// The body's bytes from `?size` (0 when none, or for HEAD), and how
    /// many of the body's bytes are written.
    size: u64,
    offset: u64,
    /// Inside a drip chunk: how many filler bytes it still has.
    chunk_left: Option<u64>,
    /// The drip's last chunk is written.
    ended: bool,
    /// What the last [`Stream::advance`] waits for, if it is a moment.
    due: Option<Instant>,
    /// The connection closes after this response (`Connection: close`).
    pub(crate) close: bool,
    /// Bytes written so far, for the request's log line.
    pub(crate) written: usize,
    /// The response's status, for its log line.
    pub(crate) status: u16,
}

/// What a stream is waiting for after [`Stream::advance`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Advance {
    /// A moment: call again then (or later).
    Until(Instant),
    /// Room: the output reached [`OUTPUT_BOUND`]; call again once it was
    /// sent.
    Room,
    /// Nothing: the whole response is written.
    Done,
}

impl Stream {
    /// A response to a request complete at `arrived`. `ready` is its head
    /// (with the whole body after it when the knobs leave the body as
    /// usual); `send_body` is false for HEAD and statuses without content.
    pub(crate) fn new(
        arrived: Instant,
        knobs: &Knobs,
        ready: Vec<u8>,
        send_body: bool,
        body_end: BodyEnd,
        status: u16,
    ) -> Self {
        let (drip, size) = match send_body {
            true => (knobs.drip.unwrap_or(0), knobs.size.unwrap_or(0)),
            false => (0, 0),
        };
        Stream {
            arrived,
            // Checked: `--max-delay` bounds the delay, but an absurd one
            // (`--max-delay 18446744073709551615`) must not panic here.
            start: arrived
                .checked_add(knobs.delay.unwrap_or_default())
                .unwrap_or(arrived),
            ready,
            drip,
            sent: 0,
            interval: knobs.interval(),
            chunked: body_end == BodyEnd::Chunked,
            size,
            offset: 0,
            chunk_left: None,
            ended: false,
            due: None,
            close: false,
            written: 0,
            status,
        }
    }

    /// Writes into `out` whatever is due at `now`, until the output is
    /// full, the next part is not due yet, or all is written.
    pub(crate) fn advance(&mut self, now: Instant, out: &mut Vec<u8>) -> Advance {
        loop {
            if out.len() >= OUTPUT_BOUND {
                return Advance::Room;
            }
            let before = out.len();
            let waiting = self.step(now, out);
            self.written += out.len() - before;
            if let Some(advance) = waiting {
                self.due = match advance {
                    Advance::Until(at) => Some(at),
                    Advance::Room | Advance::Done => None,
                };
                return advance;
            }
        }
    }

    /// The bytes it holds until their moment (the head, or the whole
    /// response when only `?delay` was given), for the memory budget.
    pub(crate) fn held(&self) -> usize {
        self.ready.capacity()
    }

    /// The moment the stream waits for, if it waits for one (rather than
    /// for room in the output).
    pub(crate) fn due(&self) -> Option<Instant> {
        self.due
    }

    /// Writes the next part, or says what it waits for.
    fn step(&mut self, now: Instant, out: &mut Vec<u8>) -> Option<Advance> {
        if !self.ready.is_empty() {
            if now < self.start {
                return Some(Advance::Until(self.start));
            }
            out.append(&mut self.ready);
            self.ready = Vec::new();
            return None;
        }
        let room = (OUTPUT_BOUND - out.len()) as u64;
        if self.drip == 0 {
            // `?size` alone: the filler, a bounded piece at a time.
            if self.offset == self.size {
                return Some(Advance::Done);
            }
            let piece = (self.size - self.offset).min(room);
            knobs::write_filler(out, self.offset, piece);
            self.offset += piece;
            return None;
        }
        if let Some(left) = self.chunk_left {
            let piece = left.min(room);
            knobs::write_filler(out, self.offset, piece);
            self.offset += piece;
            self.chunk_left = Some(left - piece);
            if left == piece {
                self.end_chunk(out);
            }
            return None;
        }
        if self.sent == self.drip {
            if self.chunked && !self.ended {
                response::last_chunk(out);
            }
            self.ended = true;
            return Some(Advance::Done);
        }
        let due = self
            .interval
            .checked_mul(self.sent)
            .unwrap_or(Duration::MAX);
        let due = self.start.checked_add(due).unwrap_or(self.start);
        if now < due {
            return Some(Advance::Until(due));
        }
        self.start_chunk(now, out);
        None
    }

    /// Writes chunk `sent + 1`'s framing and line; its filler follows.
    fn start_chunk(&mut self, now: Instant, out: &mut Vec<u8>) {
        let mut line = Vec::with_capacity(40);
        let at = now.saturating_duration_since(self.arrived);
        knobs::write_drip_line(&mut line, self.sent + 1, self.drip, at);
        // With `?size`, this chunk's share of it: `size / drip`, and one
        // more byte for the first `size % drip` chunks. `knobs.rs` made
        // sure each share has room for its line.
        let share = match self.size {
            0 => line.len() as u64,
            size => {
                let drip = u64::from(self.drip);
                size / drip + u64::from(u64::from(self.sent) < size % drip)
            }
        };
        let share = share.max(line.len() as u64);
        if self.chunked {
            response::start_chunk(out, share);
        }
        out.extend_from_slice(&line);
        self.offset += line.len() as u64;
        match share - line.len() as u64 {
            0 => self.end_chunk(out),
            left => self.chunk_left = Some(left),
        }
    }

    fn end_chunk(&mut self, out: &mut Vec<u8>) {
        if self.chunked {
            response::end_chunk(out);
        }
        self.chunk_left = None;
        self.sent += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Config;

    fn stream(query: &str, send_body: bool, body_end: BodyEnd) -> (Instant, Stream) {
        let knobs = Knobs::parse(query.as_bytes(), &Config::default()).unwrap();
        let now = Instant::now();
        let head = b"HEAD\r\n\r\n".to_vec();
        (
            now,
            Stream::new(now, &knobs, head, send_body, body_end, 200),
        )
    }

    #[test]
    fn a_delay_holds_the_head_until_its_moment() {
        let (now, mut s) = stream("/?delay=1.5", true, BodyEnd::Length);
        let mut out = Vec::new();
        let at = now + Duration::from_millis(1500);
        assert_eq!(s.advance(now, &mut out), Advance::Until(at));
        assert!(out.is_empty());
        assert_eq!(s.advance(at, &mut out), Advance::Done);
        assert_eq!(out, b"HEAD\r\n\r\n");
        assert_eq!(s.written, 8);
    }

    #[test]
    fn a_drip_writes_a_chunk_a_interval_then_the_last_chunk() {
        let (now, mut s) = stream("/?drip=3&interval=0.5", true, BodyEnd::Chunked);
        let mut out = Vec::new();
        let half = Duration::from_millis(500);
        assert_eq!(s.advance(now, &mut out), Advance::Until(now + half));
        assert_eq!(out, b"HEAD\r\n\r\n18\r\nchunk 1 of 3 at 0.000 s\n\r\n");
        out.clear();
        // Late by 20 ms: the line says when it was really written, and
        // the next chunk keeps to the schedule.
        let late = now + half + Duration::from_millis(20);
        assert_eq!(s.advance(late, &mut out), Advance::Until(now + 2 * half));
        assert_eq!(out, b"18\r\nchunk 2 of 3 at 0.520 s\n\r\n");
        out.clear();
        assert_eq!(s.advance(now + 2 * half, &mut out), Advance::Done);
        assert_eq!(out, b"18\r\nchunk 3 of 3 at 1.000 s\n\r\n0\r\n\r\n");
    }

    #[test]
    fn without_chunked_framing_the_lines_go_bare() {
        // The HTTP/1.0 drip: its body ends with the connection.
        let (now, mut s) = stream("/?drip=2&interval=0", true, BodyEnd::Close);
        let mut out = Vec::new();
        assert_eq!(s.advance(now, &mut out), Advance::Done);
        assert_eq!(
            out,
            b"HEAD\r\n\r\nchunk 1 of 2 at 0.000 s\nchunk 2 of 2 at 0.000 s\n"
        );
    }

    #[test]
    fn a_large_size_is_made_a_bounded_piece_at_a_time() {
        let size = 10 * 1024 * 1024;
        let (now, mut s) = stream(&format!("/?size={size}"), true, BodyEnd::Length);
        let mut out = Vec::new();
        let mut body = 0;
        let mut pieces = 0;
        while s.advance(now, &mut out) == Advance::Room {
            assert!(out.len() <= OUTPUT_BOUND);
            body += out.len();
            pieces += 1;
            out.clear();
        }
        body += out.len();
        assert_eq!(body, 8 + size);
        assert_eq!(pieces, size / OUTPUT_BOUND);
    }

    #[test]
    fn a_drip_with_a_size_splits_it_and_fills_after_each_line() {
        let (now, mut s) = stream("/?drip=2&interval=0&size=129", true, BodyEnd::Chunked);
        let mut out = Vec::new();
        assert_eq!(s.advance(now, &mut out), Advance::Done);
        let mut filler = Vec::new();
        knobs::write_filler(&mut filler, 0, 129);
        let mut expected = b"HEAD\r\n\r\n41\r\nchunk 1 of 2 at 0.000 s\n".to_vec();
        expected.extend_from_slice(&filler[24..65]);
        expected.extend_from_slice(b"\r\n40\r\nchunk 2 of 2 at 0.000 s\n");
        expected.extend_from_slice(&filler[65 + 24..]);
        expected.extend_from_slice(b"\r\n0\r\n\r\n");
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&expected)
        );
    }

    #[test]
    fn head_requests_and_bodiless_statuses_get_the_head_alone() {
        let (now, mut s) = stream("/?drip=3&size=300", false, BodyEnd::Chunked);
        let mut out = Vec::new();
        assert_eq!(s.advance(now, &mut out), Advance::Done);
        assert_eq!(out, b"HEAD\r\n\r\n");
    }
}
