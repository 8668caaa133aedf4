//! Which WebSocket frames get an event line of their own. A client may
//! send thousands of tiny frames a second: an empty ping is 6 bytes, and
//! its line and its pong's are some 110. So past [`LINES_PER_SECOND`]
//! frames of a kind (received, sent) in a second, the rest are only
//! counted, and one line says how many, by opcode: a second after the
//! first frame it counts (so once a second while they keep coming, and
//! once after they stop), or sooner when the WebSocket or the connection
//! ends. A close frame always gets its line: it ends the story.

use std::time::Instant;

use super::events::Event;
use super::frame::{self, Frame};
use crate::log::{ConnLog, Quota, LINES_PER_SECOND, QUOTA_WINDOW};

/// One connection's frame lines: what each kind has printed this second,
/// and the frames counted instead.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    received: Quota,
    sent: Quota,
    not_shown: FramesNotShown,
    /// When the first frame in `not_shown` came.
    since: Option<Instant>,
}

impl Lines {
    /// A frame from the client: its line (and `--trace`'s), or a count.
    pub(crate) fn received(&mut self, seen: &Frame, log: &ConnLog) {
        if log.events() && self.shows(true, seen.opcode, log) {
            log.emit(Event::Frame { frame: seen });
            log.emit(Event::FrameTrace { frame: seen });
        }
    }

    /// A frame rawnet sends: its line, or a count.
    pub(crate) fn sent(&mut self, seen: &Frame, log: &ConnLog) {
        if log.events() && self.shows(false, seen.opcode, log) {
            log.emit(Event::FrameSent { frame: seen });
        }
    }

    /// When the line of the frames counted so far is due, if any were.
    pub(crate) fn due(&self) -> Option<Instant> {
        self.since.map(|since| since + QUOTA_WINDOW)
    }

    /// Prints the line of the frames counted so far, if any were: when it
    /// is due, and before any line that ends the WebSocket.
    pub(crate) fn flush(&mut self, log: &ConnLog) {
        if self.since.take().is_some() {
            log.emit(Event::FramesNotShown {
                frames: &self.not_shown,
                per_second: LINES_PER_SECOND,
            });
            self.not_shown = FramesNotShown::default();
        }
    }

    /// Whether a frame gets its own line now; if not, it is counted.
    fn shows(&mut self, received: bool, opcode: u8, log: &ConnLog) -> bool {
        let now = Instant::now();
        if self.due().is_some_and(|due| now >= due) {
            self.flush(log);
        }
        if opcode == frame::CLOSE {
            self.flush(log);
            return true;
        }
        let quota = if received {
            &mut self.received
        } else {
            &mut self.sent
        };
        if quota.allows(now) {
            return true;
        }
        self.not_shown.count(received, opcode);
        self.since.get_or_insert(now);
        false
    }
}

/// WebSocket frames that got no event line of their own (more came in a
/// second than the log shows one by one), counted by which way they went
/// and by opcode (the low four bits of a frame's first byte, so 16 each).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FramesNotShown {
    pub received: [u32; 16],
    pub sent: [u32; 16],
}

impl FramesNotShown {
    /// Counts one more frame, `received` from the client or sent to it.
    pub fn count(&mut self, received: bool, opcode: u8) {
        let counts = if received {
            &mut self.received
        } else {
            &mut self.sent
        };
        let count = &mut counts[usize::from(opcode & 0x0f)];
        *count = count.saturating_add(1);
    }
}
