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
//! - [`cli`]: the argh arguments and their checked settings.
//! - [`server`]: binding, the accept loop, connection limits and graceful
//!   shutdown: `server::run(listeners, config, shutdown)`.
//! - [`conn`]: one connection's life and its events (`connection`, `data`,
//!   `end`, `timeout`, `close`), timers and backpressure.
//! - [`protocol`]: what a connection speaks, as a state machine with no I/O.
//! - [`echo`]: the tutorial's `You said "..."` reply and the raw pipe.
//! - [`proxy`]: the PROXY protocol header (v1, v2) a load balancer sends
//!   first, naming the client it stands for.
//! - [`sniff`]: what the first bytes are: HTTP, echo, TLS or HTTP/2.
//! - [`h2`]: HTTP/2's first bytes, read, and answered with a GOAWAY.
//! - [`tls`]: a TLS ClientHello on this plain port, read and explained.
//! - [`http`]: HTTP/1.1 on top: request heads (httparse), bodies, responses.
//! - `ws`: WebSocket after an HTTP upgrade: the handshake, frames, the
//!   echo one layer up, and the `?explain` side channel.
//! - [`shutdown`]: Ctrl-C/SIGTERM and telling connections to stop.
//! - [`threads`]: the OS threads that run the executor, for the server
//!   and the bench.
//! - [`log`]: event lines.
//! - `show`: how raw bytes are shown (escaped text, hex, dump rows), in
//!   the log and on the pages.
//! - `next`: what a protocol tells its connection (go on or close) and
//!   the output bound, shared by every protocol.
//! - [`in_memory`]: a connection with no socket, for property tests and
//!   the fuzzer.
//! - [`client`]: `rawnet client`, the tutorial's `net.Socket` client.
//! - [`bench`]: `rawnet bench`, a load generator that checks every reply.

#![forbid(unsafe_code)]

// Public: what the binary (`main.rs`), the tests and the fuzzer use. The
// rest is private, so the compiler reports whatever nothing uses.
pub mod bench;
pub mod cli;
pub mod client;
pub mod conn;
pub mod http;
pub mod in_memory;
pub mod log;
pub mod protocol;
pub mod server;
pub mod shutdown;

mod echo;
mod h2;
mod next;
mod proxy;
mod show;
mod sniff;
mod threads;
mod tls;
mod ws;
