//! The lines of one connection's life, the tutorial's events: `connection`,
//! `data`, `end`, `timeout`, `close`, and what the connection turned out to
//! speak (echo, piping, HTTP). Their words and their JSON are here, beside
//! the loop that emits them (`conn.rs`, and `protocol.rs`, which decides
//! what a connection speaks); `log.rs` only prints them.

use std::fmt;
use std::io;
use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::budget::Spent;
use crate::log::{self, Line};
use crate::show::{looks_binary, Escaped, Hex, PREVIEW_BYTES, PREVIEW_HEX_BYTES};

/// What the log says about a connection's life. In JSON, each variant's
/// name in snake_case is its `event` (`connection`, `speaking_http`, ...).
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// socket.on('connection').
    Connection,
    /// socket.on('data'): one read's bytes, in echo and raw modes.
    Data {
        #[serde(serialize_with = "as_preview")]
        bytes: &'a [u8],
    },
    /// socket.on('end'): the client sent FIN.
    End,
    /// socket.on('timeout'): the client was silent for `--timeout`.
    Timeout {
        #[serde(serialize_with = "crate::log::as_seconds")]
        after: Duration,
    },
    /// socket.on('close'): why, and what crossed the connection.
    Close {
        #[serde(flatten)]
        reason: &'a CloseReason,
        bytes_in: u64,
        bytes_out: u64,
        #[serde(serialize_with = "crate::log::as_seconds")]
        lasted: Duration,
    },
    /// `--mode auto` decided on the tutorial's echo.
    Echoing,
    /// A timeout piped the socket to itself once more (`echo.rs`).
    Piping { pipes: u32 },
    /// `--mode auto` decided on HTTP.
    SpeakingHttp,
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::Conn(event)
    }
}

impl Line for Event<'_> {}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Connection => f.write_str("connection"),
            Event::Data { bytes } => {
                let unit = if bytes.len() == 1 { "byte" } else { "bytes" };
                write!(f, "data {} {unit}", bytes.len())?;
                if looks_binary(bytes) {
                    write!(f, ", binary: {}", Hex::preview(bytes, PREVIEW_HEX_BYTES))
                } else {
                    write!(f, ": {}", Escaped::preview(bytes, PREVIEW_BYTES))
                }
            }
            Event::End => f.write_str("end"),
            Event::Timeout { after } => write!(f, "timeout: no data for {}s", after.as_secs()),
            Event::Close {
                reason,
                bytes_in,
                bytes_out,
                lasted,
            } => write!(
                f,
                "close ({reason}): {bytes_in} bytes in, {bytes_out} bytes out, {:.3}s",
                lasted.as_secs_f64()
            ),
            Event::Echoing => f.write_str("echoing: the first bytes are not an HTTP request line"),
            Event::Piping { pipes: 1 } => f.write_str(
                "piping: from now on each chunk also comes back raw, \
                 as the tutorial's timeout handler does with socket.pipe(socket)",
            ),
            Event::Piping { pipes } => write!(
                f,
                "piping: another timeout, another pipe; each chunk now comes back raw {pipes} times"
            ),
            Event::SpeakingHttp => {
                f.write_str("speaking HTTP: the first line is an HTTP request line")
            }
        }
    }
}

/// A chunk in JSON: its length and the same preview the text line shows
/// (an escaped string in quotes, or for binary, bare hex).
fn as_preview<S: Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut fields = s.serialize_struct("Data", 2)?;
    fields.serialize_field("len", &bytes.len())?;
    if looks_binary(bytes) {
        fields.serialize_field(
            "preview",
            &Hex::preview(bytes, PREVIEW_HEX_BYTES).to_string(),
        )?;
    } else {
        fields.serialize_field(
            "preview",
            &Escaped::preview(bytes, PREVIEW_BYTES).to_string(),
        )?;
    }
    fields.end()
}

/// Why a connection closed; printed in its `close` line.
#[derive(Debug)]
pub enum CloseReason {
    /// The client finished sending and everything owed was written.
    End,
    /// The protocol decided the exchange was over.
    Done,
    /// The client was silent for `--idle-close`.
    Idle(Duration),
    /// The client did not read what it was sent for `--write-timeout`.
    WriteTimeout(Duration),
    /// The client was not reading, and the server's memory budget could
    /// not cover the `unread` bytes of reply waiting for it.
    OverBudget { unread: usize, spent: Spent },
    /// The peer reset the connection or stopped reading (RST, EPIPE).
    Reset,
    /// Any other I/O error.
    Error(io::Error),
    /// The server stopped and the grace period ran out.
    Shutdown,
}

impl From<io::Error> for CloseReason {
    fn from(err: io::Error) -> Self {
        match err.kind() {
            // A peer that goes away mid-conversation is an expected runtime
            // condition, not a server error. Rust ignores SIGPIPE, so a write
            // to a closed socket arrives here as BrokenPipe instead of
            // killing the process.
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => CloseReason::Reset,
            _ => CloseReason::Error(err),
        }
    }
}

impl CloseReason {
    /// A short name, for `--log json`.
    fn name(&self) -> &'static str {
        match self {
            CloseReason::End => "end",
            CloseReason::Done => "done",
            CloseReason::Idle(_) => "idle",
            CloseReason::WriteTimeout(_) => "write_timeout",
            CloseReason::OverBudget { .. } => "over_budget",
            CloseReason::Reset => "reset",
            CloseReason::Error(_) => "error",
            CloseReason::Shutdown => "shutdown",
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::End => f.write_str("end"),
            CloseReason::Done => f.write_str("done"),
            CloseReason::Idle(after) => write!(f, "idle: no data for {}s", after.as_secs()),
            CloseReason::WriteTimeout(after) => write!(
                f,
                "write timeout: the client read nothing for {}s",
                after.as_secs()
            ),
            CloseReason::OverBudget { unread, spent } => write!(
                f,
                "over budget: {unread} bytes of reply wait for a client that is not reading, and {} is spent",
                spent.budget()
            ),
            CloseReason::Reset => f.write_str("reset"),
            CloseReason::Error(err) => write!(f, "error: {err}"),
            CloseReason::Shutdown => f.write_str("shutdown"),
        }
    }
}

/// In JSON, two fields: `reason`, a short name to select on, and
/// `detail`, the words of the text line.
impl Serialize for CloseReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut fields = s.serialize_map(Some(2))?;
        fields.serialize_entry("reason", self.name())?;
        fields.serialize_entry("detail", &self.to_string())?;
        fields.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::tests::FORTY;

    /// The `data` line stays one line: a binary chunk's first 16 bytes in
    /// hex, text escaped.
    #[test]
    fn a_data_line_previews_its_chunk_in_text_and_json() {
        assert_eq!(
            Event::Data { bytes: FORTY }.to_string(),
            "data 40 bytes, binary: 16 03 01 02 00 01 00 01 fc 03 03 5e 2f 8a 11 c4 ...(24 more)"
        );
        assert_eq!(
            serde_json::to_string(&Event::Data {
                bytes: &FORTY[..16]
            })
            .unwrap(),
            r#"{"event":"data","bytes":{"len":16,"preview":"16 03 01 02 00 01 00 01 fc 03 03 5e 2f 8a 11 c4"}}"#
        );
        let data = Event::Data { bytes: b"hi\n" };
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"event":"data","bytes":{"len":3,"preview":"\"hi\\n\""}}"#
        );
    }
}
