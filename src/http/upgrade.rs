//! An upgrade (RFC 9110 §7.8): a request whose `Upgrade` header names a
//! protocol this connection can also speak asks to become it. HTTP does
//! not answer such a request, nor know what the protocol is. It hands back
//! the request and every byte that came after its head, as hyper's upgrade
//! hands over `Parts { io, read_buf }`; `protocol.rs` gives them to the
//! module that speaks the protocol (`src/ws/` for `websocket`), which
//! answers with `101 Switching Protocols` or a refusal, through the
//! [`Upgrade`]'s methods, so the log lines stay HTTP's.

use std::fmt;
use std::net::SocketAddr;

use super::request::{self, Head};
use super::Event;
use super::{log_answer, notes, response, Session, State};
use crate::log::ConnLog;
use crate::next::Next;

/// A request handed over unanswered, with the bytes after it.
#[derive(Debug)]
pub(crate) struct Upgrade {
    /// The request's head, then whatever came after it: the new
    /// protocol's first bytes.
    input: Vec<u8>,
    head: Head,
    /// Its number on this connection.
    number: u64,
    /// The reads that brought the head, for `--trace`'s notes.
    arrival: notes::Arrival,
    /// The client's address as a PROXY header gave it, for the log line.
    proxy_client: Option<SocketAddr>,
}

impl Upgrade {
    /// The parsed head: ranges into [`Upgrade::raw_head`].
    pub(crate) fn head(&self) -> &Head {
        &self.head
    }

    /// The head's bytes, as they came.
    pub(crate) fn raw_head(&self) -> &[u8] {
        &self.input[..self.head.len]
    }

    /// The request target, as it came.
    pub(crate) fn target(&self) -> &[u8] {
        &self.input[self.head.target.clone()]
    }

    /// Every field line of the head, as (name, value).
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        request::fields(self.raw_head())
    }

    /// The bytes that came after the head, already the new protocol's.
    pub(crate) fn after_head(&self) -> &[u8] {
        &self.input[self.head.len..]
    }

    /// Logs the protocol's answer to the request (`request 1: GET /chat
    /// HTTP/1.1 -> 101 Switching Protocols, 129 bytes`), as HTTP logs its
    /// own.
    pub(crate) fn log_answer(&self, status: u16, bytes: usize, log: &ConnLog) {
        let raw = &self.input[..];
        let reads = self.arrival.of_head(self.head.len);
        log_answer(
            self.number,
            raw,
            &self.head,
            reads,
            self.proxy_client,
            status,
            bytes,
            log,
        );
    }

    /// Refuses the upgrade as HTTP refuses a request: `status` with its
    /// reason, `extra` header lines (each ending in CRLF), `Connection:
    /// close`, and a one-line body naming the `problem`. The connection
    /// closes after it.
    pub(crate) fn refuse(
        &self,
        status: u16,
        extra: &[u8],
        problem: &dyn fmt::Display,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) {
        let reason = response::reason(status);
        let problem = problem.to_string();
        let body = format!("{status} {reason}: {problem}\n");
        response::write_error_with(out, status, extra, body.as_bytes());
        log.emit(Event::Refusal {
            number: self.number,
            status,
            reason,
            problem: &problem,
        });
    }
}

impl Session {
    /// Whether `head` asks to become a protocol this session may hand
    /// over (`extensions.upgrades`): its field lines are walked
    /// once more only when an `Upgrade` came, so an ordinary request pays
    /// nothing.
    pub(super) fn asks_for_upgrade(&self, head: &Head) -> bool {
        head.upgrade
            && request::fields(&self.input[..head.len])
                .filter(|(name, _)| name.eq_ignore_ascii_case(b"upgrade"))
                .flat_map(|(_, value)| request::list_items(value))
                .any(|wanted| {
                    self.extensions
                        .upgrades
                        .iter()
                        .any(|spoken| wanted.eq_ignore_ascii_case(spoken.as_bytes()))
                })
    }

    /// Hands the request at the front of `input` over, unanswered, with
    /// everything after it: the session is done.
    pub(super) fn hand_over(&mut self, head: Head) -> Next {
        self.answered += 1;
        self.body = Vec::new();
        self.state = State::HandedOver(Box::new(Upgrade {
            input: std::mem::take(&mut self.input),
            head,
            number: self.answered,
            arrival: std::mem::take(&mut self.arrival),
            proxy_client: self.proxy_client,
        }));
        Next::Continue
    }

    /// The request this session handed over, if it did: the connection
    /// becomes whatever answers it.
    pub(crate) fn take_upgrade(&mut self) -> Option<Box<Upgrade>> {
        if !matches!(self.state, State::HandedOver(_)) {
            return None;
        }
        match std::mem::replace(&mut self.state, State::Finished) {
            State::HandedOver(upgrade) => Some(upgrade),
            _ => None,
        }
    }
}

#[cfg(test)]
impl Upgrade {
    /// A complete head, handed over as a session hands one over: for the
    /// tests of whoever answers upgrades.
    pub(crate) fn of_head(raw: &[u8]) -> Upgrade {
        let Ok(request::Parsed::Complete(head, _)) = request::parse(raw, 8192) else {
            panic!("not a complete head: {raw:?}");
        };
        Upgrade {
            input: raw.to_vec(),
            head,
            number: 1,
            arrival: notes::Arrival::default(),
            proxy_client: None,
        }
    }
}
