//! Writing a header block: for each field, the shortest representation
//! the tables allow, as a simple encoder chooses it (RFC 7541 §2.4 leaves
//! the choice to the encoder):
//!
//! 1. A secret (below) as a literal never indexed (`0001xxxx`), its name
//!    indexed when a table has it.
//! 2. A field the static or dynamic table holds, name and value: indexed
//!    (`1xxxxxxx`), one octet for the static table.
//! 3. Anything else as a literal with incremental indexing (`01xxxxxx`),
//!    its name indexed when a table has it (the static table first, which
//!    is what the RFC's examples do), so that the next block can send it
//!    as one index. A field larger than the whole table, which would only
//!    empty it, goes as a literal without indexing (`0000xxxx`).
//!
//! Strings are Huffman-coded unless that makes them longer.
//!
//! Secrets (§7.1.3): a compression attack (CRIME) guesses a secret by
//! sending guesses that share the connection's table with it and watching
//! which make the block shorter. A field never indexed is never in a
//! table to match. rawnet treats as secrets `authorization`,
//! `proxy-authorization`, `set-cookie`, and a `cookie` under 20 bytes
//! (a short one can be guessed; a long one is too costly to, and is
//! better indexed, as nghttp2 does).
//!
//! The encoder keeps its dynamic table as the peer's decoder keeps its
//! copy: the same fields added in the same order, the same evictions.

use super::integer;
use super::string;
use super::table::{self, DynamicTable};

/// What the encoder may do. [`Options::default`] is the one to use; the
/// RFC's examples (Appendix C) were made with other choices, which these
/// switches reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Huffman-code a string when that is not longer (C.4, C.6 do; C.3
    /// and C.5 never do).
    pub huffman: bool,
    /// Send secrets as never indexed (C.5.3 and C.6.3 index their
    /// `set-cookie`).
    pub never_index_secrets: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            huffman: true,
            never_index_secrets: true,
        }
    }
}

/// A connection's HPACK encoder: its dynamic table, in step with the
/// peer's decoder's.
#[derive(Clone, Debug)]
pub struct Encoder {
    table: DynamicTable,
    options: Options,
    /// A size change not yet sent: the smallest size since the last block
    /// (§4.2: if the size went down and back up, the decoder must be
    /// told the smallest, to evict as this encoder did).
    pending_update: Option<usize>,
}

/// A field that is a secret (see the module's documentation).
fn is_secret(name: &[u8], value: &[u8]) -> bool {
    match name {
        b"authorization" | b"proxy-authorization" | b"set-cookie" => true,
        b"cookie" => value.len() < 20,
        _ => false,
    }
}

impl Encoder {
    /// An encoder whose table holds `table_size` bytes, the size the
    /// peer's decoder starts with too: in HTTP/2, 4096
    /// ([`table::DEFAULT_SIZE`]); once the peer's
    /// SETTINGS_HEADER_TABLE_SIZE is known, [`Encoder::set_max_table_size`].
    pub fn new(table_size: usize) -> Self {
        Encoder::with_options(table_size, Options::default())
    }

    pub fn with_options(table_size: usize, options: Options) -> Self {
        Encoder {
            table: DynamicTable::new(table_size),
            options,
            pending_update: None,
        }
    }

    /// The dynamic table as the last block left it.
    pub fn table(&self) -> &DynamicTable {
        &self.table
    }

    /// Changes the table's size: at most the peer's
    /// SETTINGS_HEADER_TABLE_SIZE, or less if this end wants to spend
    /// less. The table evicts now; the next block starts with the size
    /// update(s) that tell the decoder to (`001xxxxx`, §6.3).
    pub fn set_max_table_size(&mut self, size: usize) {
        let smallest = self.pending_update.unwrap_or(self.table.max_size());
        self.pending_update = Some(smallest.min(size));
        self.table.set_max_size(size);
    }

    /// Appends one header block holding `fields`, in order, to `out`.
    /// Names must be lowercase, as HTTP/2 requires (RFC 9113 §8.2.1):
    /// the encoder sends them as they are.
    pub fn encode<N, V>(&mut self, fields: &[(N, V)], out: &mut Vec<u8>)
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        if let Some(smallest) = self.pending_update.take() {
            if smallest < self.table.max_size() {
                integer::encode(smallest, 5, 0x20, out);
            }
            integer::encode(self.table.max_size(), 5, 0x20, out);
        }
        for (name, value) in fields {
            self.field(name.as_ref(), value.as_ref(), out);
        }
    }

    fn field(&mut self, name: &[u8], value: &[u8], out: &mut Vec<u8>) {
        let found = self.find(name, value);
        if self.options.never_index_secrets && is_secret(name, value) {
            // 0001xxxx, the name index with a 4-bit prefix.
            self.literal(0x10, 4, found.map(|(index, _)| index), name, value, out);
            return;
        }
        match found {
            // 1xxxxxxx, the index with a 7-bit prefix.
            Some((index, true)) => integer::encode(index, 7, 0x80, out),
            _ if table::entry_size(name, value) > self.table.max_size() => {
                // 0000xxxx, the name index with a 4-bit prefix.
                self.literal(0x00, 4, found.map(|(index, _)| index), name, value, out);
            }
            _ => {
                // 01xxxxxx, the name index with a 6-bit prefix.
                self.literal(0x40, 6, found.map(|(index, _)| index), name, value, out);
                self.table.insert(name.to_vec(), value.to_vec());
            }
        }
    }

    /// Where a table has `name` with `value` (true), or else `name`: the
    /// static table's entry first, then the newest dynamic one.
    fn find(&self, name: &[u8], value: &[u8]) -> Option<(usize, bool)> {
        let in_static = table::find_static(name, value);
        if let Some((_, true)) = in_static {
            return in_static;
        }
        let in_dynamic = self.table.find(name, value);
        if let Some((_, true)) = in_dynamic {
            return in_dynamic;
        }
        in_static.or(in_dynamic)
    }

    /// A literal: its first octet's `high` bits and the name index with a
    /// `prefix_bits` prefix (0 and the name as a string for a new name),
    /// then the value.
    fn literal(
        &self,
        high: u8,
        prefix_bits: u32,
        name_index: Option<usize>,
        name: &[u8],
        value: &[u8],
        out: &mut Vec<u8>,
    ) {
        integer::encode(name_index.unwrap_or(0), prefix_bits, high, out);
        if name_index.is_none() {
            string::encode(name, self.options.huffman, out);
        }
        string::encode(value, self.options.huffman, out);
    }
}
