//! rawnet: what sits under HTTP, bytes on a TCP connection.
//!
//! A Rust re-creation of a well-known Node.js `net` tutorial: a TCP server
//! that logs every connection and answers each chunk with
//! `You said "<chunk>"\r\n`, and the client that talks to it. Then the
//! tutorial's point: HTTP is just text on that same connection, so the same
//! port answers curl and browsers with a response built by hand.
//!
//! # Layout
//!
//! - `main.rs`: parses the command line and calls one of the entry points.
//! - [`cli`]: the argh arguments, turned into checked settings.
//! - [`settings`]: those settings, one part per layer side by side
//!   (server, conn, PROXY, HTTP, WebSocket).
//! - [`server`]: binding, the accept loop, connection limits and graceful
//!   shutdown: `server::run(listeners, settings, shutdown)`; the words of
//!   its own lines in `server/events.rs`.
//! - [`conn`]: one connection's life, timers and backpressure; the words
//!   of its events (`connection`, `data`, `end`, `timeout`, `close`,
//!   echoing, piping, speaking HTTP) in `conn/events.rs`.
//! - [`protocol`]: what a connection speaks, as a state machine with no I/O:
//!   its first bytes through `prelude`, then the session that speaks.
//! - `prelude`: a connection's first bytes (a PROXY header, sniffing, a
//!   TLS ClientHello, HTTP/2's preface), ending in one decision.
//! - [`echo`]: the tutorial's `You said "..."` reply and the raw pipe.
//! - [`proxy`]: the PROXY protocol header (v1, v2) a load balancer sends
//!   first, naming the client it stands for; read as a connection's first
//!   bytes in `proxy/prelude.rs` (the prelude's `Proxy` variant, which
//!   hands the bytes after the header to the prelude it wraps); its lines
//!   in `proxy/events.rs`.
//! - [`sniff`]: what the first bytes are: HTTP, echo, TLS or HTTP/2.
//! - [`h2`]: HTTP/2's first bytes, read, and answered with a GOAWAY; its
//!   line in `h2/events.rs`.
//! - [`hpack`] (in `h2/hpack/`): HTTP/2's header compression (RFC 7541),
//!   decoded and encoded by hand, each field's representation shown.
//! - [`tls`]: a TLS ClientHello on this plain port, read, decoded and
//!   fingerprinted (JA3, JA4); its lines in `tls/events.rs`.
//! - [`http`]: HTTP/1.1 on top: request heads (httparse), bodies,
//!   responses; its lines in `http/events.rs`.
//! - `ws`: WebSocket after an HTTP upgrade: the handshake, frames, the
//!   echo one layer up, and the `?explain` side channel; its lines in
//!   `ws/events.rs`.
//! - [`budget`]: the server's one memory budget, shared by every
//!   connection, for the buffers a client can make large.
//! - [`shutdown`]: Ctrl-C/SIGTERM and telling connections to stop.
//! - [`threads`]: the OS threads that run the executor, for the server
//!   and the bench.
//! - [`log`]: the sink every line goes through: verbosity, `--log text`
//!   or `json`, the `#ID PEER` prefix, and the one `Event` that carries
//!   each module's own events to it (their words are in the module's
//!   `events.rs`, beside the code that emits them); `--trace`'s bytes.
//! - `show`: how raw bytes are shown (escaped text, hex, dump rows), in
//!   the log and on the pages.
//! - `next`: what a protocol tells its connection (go on or close), the
//!   output bound, and what the connection tells it when it closes on
//!   its own (`Farewell`), shared by every protocol.
//! - [`in_memory`]: a connection with no socket, for property tests and
//!   the fuzzer.
//! - [`client`]: `rawnet client`, the tutorial's `net.Socket` client, and
//!   `client::wire`, the response reader that `bench`, the tests and the
//!   fuzzer use too.
//! - [`bench`]: `rawnet bench`, a load generator that checks every reply.

#![forbid(unsafe_code)]
// The full build (every plug-in, the default) keeps unused code an error.
// A build without some plug-ins leaves a few shared pieces unused, by
// design (the log's rate limit with no WebSocket, the upgrade hand-over
// with no protocol to hand over to, a chunked response head with no
// `?drip` to send one): there they are allowed.
#![cfg_attr(not(feature = "full"), allow(dead_code, clippy::ptr_arg))]

// Public: what the binary (`main.rs`), the tests and the fuzzer use. The
// rest is private, so the compiler reports whatever nothing uses.
#[cfg(feature = "bench")]
pub mod bench;
pub mod budget;
pub mod cli;
pub mod client;
pub mod conn;
pub mod http;
pub mod in_memory;
pub mod log;
pub mod protocol;
pub mod server;
pub mod settings;
pub mod shutdown;

mod echo;
#[cfg(feature = "h2")]
mod h2;
// HPACK (`h2/hpack/`) is public for tests/hpack_python.rs, which checks it
// against Python's hpack; the rest of `h2` is the server's own.
#[cfg(feature = "h2")]
pub use h2::hpack;
mod next;
mod prelude;
#[cfg(feature = "proxy")]
mod proxy;
mod show;
mod sniff;
mod threads;
#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "websocket")]
mod ws;
