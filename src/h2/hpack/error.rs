//! Why a header block was refused. Every one of these is, in HTTP/2, a
//! connection error of type COMPRESSION_ERROR (RFC 9113 §4.3): the
//! decoder stops where it is, its dynamic table no longer in step with
//! the peer's encoder, so no later block on the connection can be read.

use std::fmt;

use super::huffman;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The block ended inside a representation: an integer, a string's
    /// length or its bytes cut off.
    Truncated,
    /// Index 0, which no field has (§6.1: "the index value of 0 is not
    /// used").
    IndexZero,
    /// An index past the end of the static table (61 entries) and the
    /// dynamic table's entries together (§2.3.3).
    BadIndex {
        index: usize,
        dynamic_entries: usize,
    },
    /// A Huffman-coded string that breaks §5.2's rules.
    Huffman(huffman::Error),
    /// An integer above [`super::integer::MAX`] or with more continuation
    /// octets than such a number needs (§5.1 lets a decoder set a bound).
    IntegerOverflow,
    /// A dynamic table size update above the size this decoder allows,
    /// the SETTINGS_HEADER_TABLE_SIZE it announced (§4.2, §6.3).
    SizeUpdateTooLarge { size: usize, max: usize },
    /// A dynamic table size update after a field of the block: it may
    /// only come first (§4.2).
    SizeUpdateMisplaced,
    /// More than two size updates start a block: two is all a change of
    /// the allowed size between blocks needs (§4.2: the smallest it went
    /// to, then the final one), and a block of nothing else would
    /// otherwise cost the decoder work for no field.
    TooManySizeUpdates,
    /// The decoder's allowed size went down below the table's size, and
    /// the block did not start with the size update that must follow
    /// (§4.2).
    SizeUpdateMissing { max: usize },
    /// The decoded list grew past the bound the caller gave (RFC 9113
    /// §6.5.2 SETTINGS_MAX_HEADER_LIST_SIZE: each field counts its name,
    /// its value and 32).
    HeaderListTooLarge { max: usize },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated => f.write_str("the block ends inside a field"),
            Error::IndexZero => f.write_str("index 0, which no field has"),
            Error::BadIndex {
                index,
                dynamic_entries,
            } => write!(
                f,
                "index {index} past the end of the table (61 static + {dynamic_entries} dynamic entries)"
            ),
            Error::Huffman(e) => write!(f, "bad Huffman code: {e}"),
            Error::IntegerOverflow => write!(
                f,
                "an integer over {} or with too many continuation octets",
                super::integer::MAX
            ),
            Error::SizeUpdateTooLarge { size, max } => write!(
                f,
                "a table size update to {size}, above the {max} bytes allowed"
            ),
            Error::SizeUpdateMisplaced => {
                f.write_str("a table size update after a field: it may only start a block")
            }
            Error::TooManySizeUpdates => {
                f.write_str("more than two table size updates at the start of a block (§4.2 needs two at most)")
            }
            Error::SizeUpdateMissing { max } => write!(
                f,
                "no table size update at the start of the block, after the allowed size went down to {max}"
            ),
            Error::HeaderListTooLarge { max } => write!(
                f,
                "the header list grows past {max} bytes (names, values and 32 a field)"
            ),
        }
    }
}

impl std::error::Error for Error {}
