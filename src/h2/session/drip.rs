//! `?drip=N&interval=S` over HTTP/2: the body in N pieces, one every S
//! seconds, as HTTP/1.1's drip sends them (`http/knobs.rs` has their
//! lines and their filler). HTTP/1.1 needs chunked framing to say where
//! each piece ends and where the body ends; HTTP/2 needs none: each chunk
//! is a DATA frame (or more, when a window or the client's
//! SETTINGS_MAX_FRAME_SIZE is smaller than the chunk), and END_STREAM on
//! the last one ends the body. So the response has no `content-length`.
//!
//! Part of the `knobs` feature.

use std::time::{Duration, Instant};

use super::stream::Stream;
use crate::http::knobs;

/// What `?drip` asked for, in the answer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Drip {
    pub chunks: u32,
    pub interval: Duration,
    /// `?size`, split over the chunks (0 when not given: each chunk is
    /// its line).
    pub size: u64,
    /// When the request was complete: each chunk's line counts from here.
    pub arrived: Instant,
}

/// A drip under way on a stream.
#[derive(Debug)]
pub(crate) struct Dripping {
    drip: Drip,
    /// When the HEADERS went out: chunk `n` (from 1) is due at
    /// `start + (n - 1) × interval`, the first at once.
    start: Instant,
    /// Chunks made so far.
    made: u32,
}

impl Dripping {
    pub(crate) fn new(drip: Drip, start: Instant) -> Self {
        Dripping {
            drip,
            start,
            made: 0,
        }
    }

    /// Every chunk is made: the last piece of the body ends the stream.
    pub(crate) fn done(&self) -> bool {
        self.made == self.drip.chunks
    }

    /// When the next chunk is due, if one is still to come.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        if self.done() {
            return None;
        }
        let after = self.drip.interval.checked_mul(self.made)?;
        self.start.checked_add(after)
    }
}

impl Stream {
    /// Makes the drip's next chunk if it is due at `now` and the one
    /// before it has gone out whole (a chunk waits for the windows, and
    /// the next one waits behind it): its line goes into `pending`, its
    /// share of `?size` becomes filler to send after it.
    pub(crate) fn make_due_chunk(&mut self, now: Instant) {
        if !self.body_sent_whole() {
            return;
        }
        let Some(dripping) = &mut self.drip else {
            return;
        };
        if dripping.next_due().is_none_or(|due| now < due) {
            return;
        }
        let Drip {
            chunks,
            size,
            arrived,
            ..
        } = dripping.drip;
        let mut line = Vec::with_capacity(40);
        let at = now.saturating_duration_since(arrived);
        knobs::write_drip_line(&mut line, dripping.made + 1, chunks, at);
        // With `?size`, this chunk's share of it: `size / drip`, and one
        // more byte for the first `size % drip` chunks (as HTTP/1.1's
        // drip; `knobs.rs` made sure each share has room for its line).
        let share = match size {
            0 => line.len() as u64,
            size => {
                let n = u64::from(chunks);
                size / n + u64::from(u64::from(dripping.made) < size % n)
            }
        };
        dripping.made += 1;
        self.filler += share.saturating_sub(line.len() as u64);
        self.pending.clear();
        self.sent = 0;
        self.pending.extend_from_slice(&line);
    }

    /// When this stream's drip has a chunk to make, if the one before it
    /// is out.
    pub(crate) fn drip_due(&self) -> Option<Instant> {
        let dripping = self.drip.as_ref()?;
        self.body_sent_whole().then(|| dripping.next_due())?
    }
}
