//! HPACK, HTTP/2's header compression (RFC 7541), written by hand to show
//! what is in a HEADERS frame's bytes.
//!
//! A header list is sent as a *header block*: a run of representations,
//! one per field. A field can be a number pointing into a table of fields
//! both ends keep (the static table, 61 common fields fixed by the RFC,
//! and a dynamic table the encoder fills as the connection goes), or
//! spelled out as a *literal*, whose name may itself point into a table.
//! A literal can ask the decoder to add it to the dynamic table, so that
//! the next request sends the same field as one octet. Strings may be
//! Huffman-coded, most header text taking about 5/8 of its octets.
//!
//! A representation's first octet says which it is:
//!
//! ```text
//! 1xxxxxxx  indexed field                     (index: 7-bit prefix)
//! 01xxxxxx  literal with incremental indexing (name index: 6-bit prefix)
//! 001xxxxx  dynamic table size update         (new size: 5-bit prefix)
//! 0001xxxx  literal never indexed             (name index: 4-bit prefix)
//! 0000xxxx  literal without indexing          (name index: 4-bit prefix)
//! ```
//!
//! The parts, bottom up:
//!
//! - `integer.rs`: prefixed integers (§5.1), bounded.
//! - `huffman.rs`: the Huffman code (§5.2, Appendix B), as data.
//! - `string.rs`: string literals, with their H (Huffman) bit (§5.2).
//! - `table.rs`: the static table (Appendix A) and the dynamic table
//!   (§2.3, §4): sizes, eviction.
//! - `decoder.rs`: a block into its [`Field`]s, each saying how it was
//!   sent ([`Representation`]) and where its bytes are; size updates
//!   apart ([`Decoder::size_updates`]); the header list bounded.
//! - `encoder.rs`: a header list into a block.
//! - `describe.rs`: each field in words, for `--trace` and the pages.
//! - `error.rs`: why a block was refused.

// Public (lib.rs re-exports it as `rawnet::hpack`): tests/hpack_python.rs
// uses it from outside, and the HTTP/2 session (src/h2.rs) will decode and
// encode its HEADERS with it.

mod decoder;
mod describe;
mod encoder;
mod error;
pub mod huffman;
mod integer;
mod string;
pub mod table;

pub use decoder::{Decoder, Field, Representation, SizeUpdate};
pub use encoder::{Encoder, Options};
pub use error::Error;

#[cfg(test)]
mod tests;
