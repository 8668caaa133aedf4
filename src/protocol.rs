//! What a connection speaks, as a state machine with no I/O: bytes in, bytes
//! out, and whether to keep going.
//!
//! `conn.rs` owns the socket, the timers and the logging; a protocol only sees
//! the bytes. Keeping the two apart means every protocol gets the same
//! lifecycle (events, timeouts, backpressure, shutdown) for free, and a
//! protocol can be driven in a unit test or a fuzzer without a socket.

use crate::echo;

/// The `--mode` option: which protocol every new connection speaks.
#[derive(argh::FromArgValue, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The tutorial: each chunk is answered with `You said "<chunk>"\r\n`.
    Echo,
    /// Every byte back unchanged, like Node's `socket.pipe(socket)`.
    Raw,
}

/// What the connection should do after the protocol has had its say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Write what was produced and read on.
    Continue,
    /// Write what was produced, then close the connection.
    Close,
}

/// One connection's protocol state.
#[derive(Debug)]
pub enum Protocol {
    Echo,
    Raw,
}

impl Protocol {
    pub fn new(mode: Mode) -> Self {
        match mode {
            Mode::Echo => Protocol::Echo,
            Mode::Raw => Protocol::Raw,
        }
    }

    /// Handles one chunk the client sent; the reply goes into `out`.
    pub fn on_data(&mut self, data: &[u8], out: &mut Vec<u8>) -> Next {
        match self {
            Protocol::Echo => echo::you_said(data, out),
            Protocol::Raw => echo::raw(data, out),
        }
        Next::Continue
    }

    /// The client has finished sending (FIN). Anything still owed goes into
    /// `out`; the connection then closes, as Node does with its default
    /// `allowHalfOpen: false`.
    pub fn on_end(&mut self, _out: &mut Vec<u8>) {
        match self {
            // Echo answers each chunk as it arrives, so nothing is pending.
            Protocol::Echo | Protocol::Raw => {}
        }
    }
}
