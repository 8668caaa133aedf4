//! Each field of a decoded block, in words for people, one line each, as
//! `--trace` and the pages show it: the field, how it was sent, and its
//! bytes in hex.
//!
//! ```text
//! :method: GET — indexed, static 2 (82)
//! :authority: www.example.com — literal with incremental indexing, name static 1, Huffman value (41 8c f1 e3 ...)
//! custom-key: custom-value — indexed, dynamic 62 (be)
//! dynamic table size update to 256 bytes (3f e1 01)
//! ```
//!
//! Names and values are bytes from the wire, shown as rawnet shows all
//! such bytes (`show.rs`: printable ASCII as itself, the rest escaped),
//! and cut when long, as the hex is.

use std::fmt;

use super::decoder::{Field, Representation, SizeUpdate};
use crate::show::{Escaped, Hex, PREVIEW_BYTES, PREVIEW_HEX_BYTES};

impl Field {
    /// The line for this field of `block`, the block it was decoded from.
    pub fn describe(&self, block: &[u8]) -> String {
        format!(
            "{}: {} — {} ({})",
            Escaped::bare_preview(&self.name, PREVIEW_BYTES),
            Escaped::bare_preview(&self.value, PREVIEW_BYTES),
            self.repr,
            Hex::preview(self.sent(block), PREVIEW_HEX_BYTES),
        )
    }

    /// Its representation's bytes in `block`, the block it was decoded
    /// from (none if `block` is another one, too short for them).
    pub fn sent<'b>(&self, block: &'b [u8]) -> &'b [u8] {
        block.get(self.bytes.clone()).unwrap_or_default()
    }
}

impl SizeUpdate {
    /// The line for this size update of `block`.
    pub fn describe(&self, block: &[u8]) -> String {
        format!(
            "dynamic table size update to {} bytes ({})",
            self.size,
            Hex::preview(
                block.get(self.bytes.clone()).unwrap_or_default(),
                PREVIEW_HEX_BYTES
            ),
        )
    }
}

/// How a field was sent, in words: `indexed, static 2`, `literal never
/// indexed, name static 23, Huffman value`.
impl fmt::Display for Representation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, name_index, huffman_name, huffman_value) = match *self {
            Representation::Indexed { index, dynamic } => {
                let table = if dynamic { "dynamic" } else { "static" };
                return write!(f, "indexed, {table} {index}");
            }
            Representation::LiteralIncremental {
                name_index,
                huffman_name,
                huffman_value,
            } => (
                "with incremental indexing",
                name_index,
                huffman_name,
                huffman_value,
            ),
            Representation::LiteralWithoutIndexing {
                name_index,
                huffman_name,
                huffman_value,
            } => ("without indexing", name_index, huffman_name, huffman_value),
            Representation::LiteralNeverIndexed {
                name_index,
                huffman_name,
                huffman_value,
            } => ("never indexed", name_index, huffman_name, huffman_value),
        };
        write!(f, "literal {kind}, ")?;
        match name_index {
            None => f.write_str("new name")?,
            Some(index) if index > super::table::STATIC.len() => write!(f, "name dynamic {index}")?,
            Some(index) => write!(f, "name static {index}")?,
        }
        f.write_str(match (huffman_name, huffman_value) {
            (true, true) => ", Huffman name and value",
            (true, false) => ", Huffman name",
            (false, true) => ", Huffman value",
            (false, false) => "",
        })
    }
}
