//! The lines a response held back or dripping gets: the client ended
//! before it was all sent, or sent more than a request's worth meanwhile.
//! Their words and their JSON are here, beside the session code that
//! emits them (`stream.rs`); `log.rs` only prints them. They are the
//! `knobs` feature's, as `stream.rs` is.

use std::fmt;

use crate::log::{self, Line};

/// What the log says about a held response. In JSON, each variant's name
/// in snake_case is its `event` (`ended_mid_response`, `sent_while_held`),
/// as HTTP's own are.
#[derive(Debug, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The client ended while a `?delay` held its response back or a
    /// `?drip` was still sending it: `sent` bytes of it went out.
    EndedMidResponse { number: u64, sent: usize },
    /// While a `?delay` or `?drip` held a response, the client sent more
    /// than a request's worth (`held` bytes); the connection is closed.
    SentWhileHeld {
        number: u64,
        held: usize,
        sent: usize,
    },
}

impl From<Event> for log::Event<'_> {
    fn from(event: Event) -> Self {
        log::Event::Knobs(event)
    }
}

/// Both are event lines, at the default verbosity.
impl Line for Event {}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::EndedMidResponse { number, sent } => write!(
                f,
                "client ended while response {number} was held back or dripping \
                 ({sent} bytes of it sent); the rest is dropped"
            ),
            Event::SentWhileHeld { number, held, sent } => write!(
                f,
                "client sent {held} bytes while response {number} was held back or dripping, \
                 more than --max-head and --max-body allow ({sent} bytes of it sent); closing"
            ),
        }
    }
}
