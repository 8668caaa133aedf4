//! Reading a TLS ClientHello that arrived on this plain port, to say what
//! the client asked for: which TLS versions, which host (SNI), which
//! protocols (ALPN), which cipher suites, groups and signatures, and the
//! fingerprints (JA3, JA4) that name the TLS library behind it. Bounded
//! parsing over bytes, no I/O, and no TLS.
//!
//! Only the first record is read: a ClientHello fits in one record for
//! every client seen here (curl, Chromium with its post-quantum key share),
//! and a port that speaks no TLS needs no more to explain itself.
//!
//! - `tls/hello.rs`: the parser, [`parse`], and what it finds,
//!   [`ClientHello`];
//! - `tls/names.rs`: the registries' names for its numbers
//!   (`TLS_AES_128_GCM_SHA256`, `x25519`, ...);
//! - `tls/fingerprint.rs`: its JA3 and JA4, [`Fingerprints`];
//! - `tls/describe.rs`: the hello decoded for people, row by row,
//!   [`describe`], for `--trace` and the pages;
//! - `tls/events.rs`: the lines the log prints about it.

mod describe;
mod events;
mod fingerprint;
mod hello;
pub(crate) mod layer;
pub mod names;
#[cfg(test)]
mod samples;
pub(crate) mod setup;
mod terminated;

pub use describe::{describe, Row};
pub use events::Event;
pub use fingerprint::Fingerprints;
pub use hello::{parse, ClientHello, Hello};
pub use names::is_grease;
pub use setup::{configure, ClientCert, Config, Options, ALPN, DEFAULT_HANDSHAKE_TIMEOUT_SECS};
pub(crate) use terminated::Terminated;

/// The longest record body a peer may announce (RFC 8446 §5.2, the limit
/// for a protected record; a plaintext one is smaller still). Anything
/// longer is not TLS, and we never hold more than this plus the header.
pub const MAX_RECORD: usize = 16384 + 2048;

/// The record header: content type, legacy version, length (RFC 8446 §5.1).
pub const RECORD_HEADER: usize = 5;

/// A TLS alert record: fatal (2), protocol_version (70), in a TLS 1.2
/// record, which every version's client reads.
pub const PROTOCOL_VERSION_ALERT: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 70];

/// A fatal internal_error (80) alert, before any key is agreed: `--tls`
/// refusing a handshake the memory budget cannot cover.
pub const INTERNAL_ERROR_ALERT: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 80];
