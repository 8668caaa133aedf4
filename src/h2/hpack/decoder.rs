//! Reading a header block (RFC 7541 §3, §6): a run of representations,
//! each one field, or a change of the dynamic table's size. What each is
//! shows in its first octet's high bits:
//!
//! ```text
//! 1xxxxxxx  indexed field: the index, 7-bit prefix (§6.1)
//! 01xxxxxx  literal with incremental indexing: name index, 6-bit prefix (§6.2.1)
//! 001xxxxx  dynamic table size update: the new size, 5-bit prefix (§6.3)
//! 0001xxxx  literal never indexed: name index, 4-bit prefix (§6.2.3)
//! 0000xxxx  literal without indexing: name index, 4-bit prefix (§6.2.2)
//! ```
//!
//! A literal's name index is 0 when the name follows as a string literal
//! (a "new name"); otherwise the name is the one at that index. The value
//! always follows as a string literal (`string.rs`).
//!
//! The decoder keeps the dynamic table from block to block: one decoder
//! for the whole connection, fed every block in the order they came.

use std::ops::Range;

use super::integer::{self, Input};
use super::string;
use super::table::{self, DynamicTable};
use super::Error;

/// One field of a decoded header list, with how it was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: Vec<u8>,
    pub value: Vec<u8>,
    pub repr: Representation,
    /// Where its representation is in the block.
    pub bytes: Range<usize>,
}

impl Field {
    /// Its size in a header list: name, value and 32 (RFC 9113 §6.5.2).
    pub fn size(&self) -> usize {
        table::entry_size(&self.name, &self.value)
    }
}

/// How a field was sent. A literal's `name_index` is `None` for a new
/// name (index 0, the name sent as a string), and the `huffman_` flags say
/// which of its strings were Huffman-coded (a name taken from a table has
/// none: `huffman_name` is false).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Representation {
    /// `1xxxxxxx`: the whole field is the table's entry `index` (static
    /// 1 to 61, or `dynamic` from 62).
    Indexed { index: usize, dynamic: bool },
    /// `01xxxxxx`: a literal the decoder adds to its dynamic table.
    LiteralIncremental {
        name_index: Option<usize>,
        huffman_name: bool,
        huffman_value: bool,
    },
    /// `0000xxxx`: a literal that leaves the table as it is.
    LiteralWithoutIndexing {
        name_index: Option<usize>,
        huffman_name: bool,
        huffman_value: bool,
    },
    /// `0001xxxx`: a literal no intermediary may ever index, on this hop
    /// or the next (§6.2.3, §7.1.3): a secret, kept out of tables that a
    /// compression attack could probe.
    LiteralNeverIndexed {
        name_index: Option<usize>,
        huffman_name: bool,
        huffman_value: bool,
    },
}

/// `001xxxxx`: a dynamic table size update (§6.3). Not a field, so not in
/// the list [`Decoder::decode`] returns: [`Decoder::size_updates`] has
/// those of the last block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeUpdate {
    /// The table's new maximum size, in bytes.
    pub size: usize,
    /// Where it is in the block.
    pub bytes: Range<usize>,
}

/// The three kinds of literal, as their first octet says.
#[derive(Clone, Copy)]
enum Literal {
    Incremental,
    WithoutIndexing,
    NeverIndexed,
}

/// A connection's HPACK decoder: its dynamic table, and the size the
/// table may have.
#[derive(Clone, Debug)]
pub struct Decoder {
    table: DynamicTable,
    /// The most the peer's encoder may set the table to: the
    /// SETTINGS_HEADER_TABLE_SIZE this end announced.
    max_allowed: usize,
    /// [`Decoder::set_max_table_size`] lowered the bound below the
    /// table's size: the next block must start with a size update.
    update_required: bool,
    size_updates: Vec<SizeUpdate>,
}

/// The running size of the list being decoded, and its bound.
struct ListSize {
    used: usize,
    max: usize,
}

impl ListSize {
    /// How many bytes a field's name and value may still take.
    fn room(&self) -> usize {
        self.max.saturating_sub(self.used + table::ENTRY_OVERHEAD)
    }

    /// Counts a field of `size`, or refuses it if the list would pass
    /// its bound.
    fn add(&mut self, size: usize) -> Result<(), Error> {
        let used = self.used.saturating_add(size);
        if used > self.max {
            return Err(Error::HeaderListTooLarge { max: self.max });
        }
        self.used = used;
        Ok(())
    }
}

impl Decoder {
    /// A decoder whose table may hold `max_table_size` bytes, and starts
    /// with that bound, as the peer's encoder's does: in HTTP/2, 4096
    /// ([`table::DEFAULT_SIZE`]) until this end's SETTINGS say otherwise.
    pub fn new(max_table_size: usize) -> Self {
        Decoder {
            table: DynamicTable::new(max_table_size),
            max_allowed: max_table_size,
            update_required: false,
            size_updates: Vec::new(),
        }
    }

    /// The dynamic table as the last block left it.
    pub fn table(&self) -> &DynamicTable {
        &self.table
    }

    /// The size updates at the start of the last block decoded.
    pub fn size_updates(&self) -> &[SizeUpdate] {
        &self.size_updates
    }

    /// A new bound on the table's size, once the peer has acknowledged
    /// the SETTINGS_HEADER_TABLE_SIZE that says it. Below the table's
    /// current bound, the peer's next block must start with a size update
    /// at most `max` (§4.2), or is refused.
    pub fn set_max_table_size(&mut self, max: usize) {
        self.max_allowed = max;
        if self.table.max_size() > max {
            self.update_required = true;
        }
    }

    /// Decodes one header block (all of it: a HEADERS frame's fragment
    /// and its CONTINUATIONs', put together) into its fields, in order.
    /// The list may take `max_list_size` bytes (each field its name, its
    /// value and 32): decoding stops as soon as it would grow past that,
    /// before copying what would not fit. On any error the table may be
    /// half-updated: the connection must end (see [`Error`]).
    pub fn decode(&mut self, block: &[u8], max_list_size: usize) -> Result<Vec<Field>, Error> {
        self.size_updates.clear();
        let mut input = Input::new(block);
        let mut fields = Vec::new();
        let mut list = ListSize {
            used: 0,
            max: max_list_size,
        };
        while let Some(first) = input.peek() {
            if first & 0xe0 == 0x20 {
                self.size_update(&mut input, !fields.is_empty())?;
                continue;
            }
            self.check_no_update_required()?;
            let start = input.pos();
            let (name, value, repr) = match first {
                0x80.. => self.indexed(&mut input, &mut list)?,
                0x40.. => self.literal(&mut input, Literal::Incremental, &mut list)?,
                0x10.. => self.literal(&mut input, Literal::NeverIndexed, &mut list)?,
                _ => self.literal(&mut input, Literal::WithoutIndexing, &mut list)?,
            };
            fields.push(Field {
                name,
                value,
                repr,
                bytes: start..input.pos(),
            });
        }
        self.check_no_update_required()?;
        Ok(fields)
    }

    fn check_no_update_required(&self) -> Result<(), Error> {
        if self.update_required {
            return Err(Error::SizeUpdateMissing {
                max: self.max_allowed,
            });
        }
        Ok(())
    }

    /// `001xxxxx`: the table's new size, 5-bit prefix; only before the
    /// block's first field, and at most what this end allows.
    fn size_update(&mut self, input: &mut Input<'_>, after_field: bool) -> Result<(), Error> {
        let start = input.pos();
        let size = integer::decode(input, 5)?;
        if after_field {
            return Err(Error::SizeUpdateMisplaced);
        }
        if self.size_updates.len() == 2 {
            return Err(Error::TooManySizeUpdates);
        }
        if size > self.max_allowed {
            return Err(Error::SizeUpdateTooLarge {
                size,
                max: self.max_allowed,
            });
        }
        self.table.set_max_size(size);
        self.update_required = false;
        self.size_updates.push(SizeUpdate {
            size,
            bytes: start..input.pos(),
        });
        Ok(())
    }

    /// `1xxxxxxx`: the index, 7-bit prefix. Its size is counted before
    /// it is copied, so that many references to one large entry (an
    /// "HPACK bomb") stop at the list's bound.
    fn indexed(&mut self, input: &mut Input<'_>, list: &mut ListSize) -> Result<Decoded, Error> {
        let index = integer::decode(input, 7)?;
        let (name, value, dynamic) = table::lookup(&self.table, index)?;
        list.add(table::entry_size(name, value))?;
        let repr = Representation::Indexed { index, dynamic };
        Ok((name.to_vec(), value.to_vec(), repr))
    }

    /// A literal: its name index (6-bit prefix for incremental indexing,
    /// 4-bit for the two others), the name if that is 0, the value.
    fn literal(
        &mut self,
        input: &mut Input<'_>,
        kind: Literal,
        list: &mut ListSize,
    ) -> Result<Decoded, Error> {
        let prefix_bits = match kind {
            Literal::Incremental => 6,
            Literal::WithoutIndexing | Literal::NeverIndexed => 4,
        };
        let (name, name_index, huffman_name) = match integer::decode(input, prefix_bits)? {
            0 => {
                let name = string::decode(input, list.room(), list.max)?;
                (name.bytes, None, name.huffman)
            }
            // Copied now (if it fits in the list): adding the field below
            // may evict the entry.
            index => {
                let (name, _, _) = table::lookup(&self.table, index)?;
                if name.len() > list.room() {
                    return Err(Error::HeaderListTooLarge { max: list.max });
                }
                (name.to_vec(), Some(index), false)
            }
        };
        let room = list.room().saturating_sub(name.len());
        let value = string::decode(input, room, list.max)?;
        list.add(table::entry_size(&name, &value.bytes))?;
        let (huffman_value, value) = (value.huffman, value.bytes);
        let repr = match kind {
            Literal::Incremental => {
                self.table.insert(name.clone(), value.clone());
                Representation::LiteralIncremental {
                    name_index,
                    huffman_name,
                    huffman_value,
                }
            }
            Literal::WithoutIndexing => Representation::LiteralWithoutIndexing {
                name_index,
                huffman_name,
                huffman_value,
            },
            Literal::NeverIndexed => Representation::LiteralNeverIndexed {
                name_index,
                huffman_name,
                huffman_value,
            },
        };
        Ok((name, value, repr))
    }
}

/// A field's name, value and representation, before its byte range.
type Decoded = (Vec<u8>, Vec<u8>, Representation);
