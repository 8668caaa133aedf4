//! What every protocol tells its connection: go on or close, and how much
//! unsent output it may make before it waits for the client to read; and
//! what the connection tells every protocol when it closes on its own
//! ([`Farewell`]). Below every protocol (echo, HTTP, WebSocket), so that
//! each uses it without importing another.

/// What the connection should do after the protocol has had its say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Write what was produced and read on.
    Continue,
    /// Write what was produced, then close the connection.
    Close,
}

/// How much unsent output a protocol makes before it stops reading what
/// is still waiting (pipelined requests sent in one write, many small
/// WebSocket frames). The connection sends what was made, and only then
/// does the protocol go on: a client that sends much and reads nothing
/// holds at most this much plus one answer, not an answer for everything
/// it sent.
pub const OUTPUT_BOUND: usize = 64 * 1024;

/// Why a connection closes on its own while its protocol can still say
/// goodbye (`conn.rs` tells the protocol). The words go on the wire too: a
/// WebSocket's 1001 close frame carries them as its reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Farewell {
    /// The client was silent for `--idle-close`.
    Idle,
    /// The server is stopping.
    Shutdown,
}

impl Farewell {
    pub fn words(self) -> &'static str {
        match self {
            Farewell::Idle => "idle (--idle-close)",
            Farewell::Shutdown => "the server is shutting down",
        }
    }
}
