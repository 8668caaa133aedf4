//! How far the checks of one batch's replies have got: what every mode's
//! checker (`connection.rs` for echo, raw and HTTP, `websocket.rs` for
//! frames) reads and moves on. Its own file so that those two depend on
//! it, and `websocket.rs` not on `connection.rs`, which drives it.

/// How far the checks of one batch's replies have got, so that each read
/// checks only what is new (a batch of 1000 pipelined responses is not
/// taken apart again on every read).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Progress {
    /// Reply bytes checked and done with: whole echo frames, whole
    /// responses, or for raw and WebSocket every byte so far.
    pub taken: usize,
    /// Echo and raw: payload bytes that came back; HTTP: responses;
    /// WebSocket: whole answer frames.
    pub answered: usize,
}
