//! String literals (RFC 7541 §5.2): a field's name or value when it is
//! not taken from a table. One octet's high bit, H, says whether the
//! bytes are Huffman-coded; the length, in octets as sent, is an integer
//! with a 7-bit prefix; then the bytes.
//!
//! ```text
//! H + length (7-bit prefix)   bytes (length octets)
//! 0 0000011  (03)             61 62 63   "abc" as it is
//! 1 0000010  (82)             1c 64      "abc" Huffman-coded
//! ```
//!
//! Huffman-coded, "abc" is `a` = 00011, `b` = 100011, `c` = 00100: 16 bits,
//! `00011100 01100100`, two octets and no padding.

use super::huffman;
use super::integer::{self, Input};
use super::Error;

/// The H bit: the string is Huffman-coded.
const HUFFMAN: u8 = 0x80;

/// A string literal read from a block.
pub struct Decoded {
    pub bytes: Vec<u8>,
    /// It was Huffman-coded.
    pub huffman: bool,
}

/// Reads a string literal. `limit` bounds its decoded length: past it,
/// [`Error::HeaderListTooLarge`] with `list_max`, before more is
/// allocated. A string's octets are first checked to be in the block.
pub fn decode(input: &mut Input<'_>, limit: usize, list_max: usize) -> Result<Decoded, Error> {
    let huffman = input.peek().is_some_and(|b| b & HUFFMAN != 0);
    let len = integer::decode(input, 7)?;
    let sent = input.take(len)?;
    let too_large = Error::HeaderListTooLarge { max: list_max };
    if !huffman {
        if sent.len() > limit {
            return Err(too_large);
        }
        return Ok(Decoded {
            bytes: sent.to_vec(),
            huffman,
        });
    }
    // Huffman's shortest code is 5 bits, so n octets hold at most 8n/5
    // bytes: reserve no more than that, nor than the limit.
    let mut bytes = Vec::with_capacity((sent.len() * 8 / 5).min(limit));
    huffman::decode(sent, &mut bytes, limit).map_err(|e| match e {
        huffman::DecodeError::Huffman(e) => Error::Huffman(e),
        huffman::DecodeError::Limit => too_large,
    })?;
    Ok(Decoded { bytes, huffman })
}

/// Appends `bytes` as a string literal, Huffman-coded when `huffman` is
/// allowed and that is not longer (a tie goes to Huffman, as the RFC's
/// own examples do: "307" is 3 octets either way in C.6.2). Says whether
/// it was Huffman-coded.
pub fn encode(bytes: &[u8], huffman: bool, out: &mut Vec<u8>) -> bool {
    let coded_len = huffman::encoded_len(bytes);
    if huffman && coded_len <= bytes.len() {
        integer::encode(coded_len, 7, HUFFMAN, out);
        huffman::encode(bytes, out);
        true
    } else {
        integer::encode(bytes.len(), 7, 0, out);
        out.extend_from_slice(bytes);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], limit: usize) -> Result<(Vec<u8>, bool, usize), Error> {
        let mut input = Input::new(bytes);
        let s = decode(&mut input, limit, 99)?;
        Ok((s.bytes, s.huffman, input.pos()))
    }

    #[test]
    fn plain_and_huffman() {
        let mut out = Vec::new();
        assert!(!encode(b"abc", false, &mut out));
        assert_eq!(out, b"\x03abc");
        assert_eq!(read(&out, 3), Ok((b"abc".to_vec(), false, 4)));
        out.clear();
        // RFC 7541 C.4.1: "www.example.com" in 12 octets instead of 15.
        assert!(encode(b"www.example.com", true, &mut out));
        let expected = [
            0x8c, 0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff,
        ];
        assert_eq!(out, expected);
        assert_eq!(read(&out, 15), Ok((b"www.example.com".to_vec(), true, 13)));
    }

    #[test]
    fn huffman_only_when_not_longer() {
        let mut out = Vec::new();
        // 0xff is 28 bits: 4 octets instead of 1.
        assert!(!encode(b"\xff", true, &mut out));
        assert_eq!(out, b"\x01\xff");
    }

    #[test]
    fn limits_and_truncation() {
        let too_large = Err(Error::HeaderListTooLarge { max: 99 });
        assert_eq!(read(b"\x03abc", 2), too_large);
        let mut huffman = Vec::new();
        encode(b"www.example.com", true, &mut huffman);
        assert_eq!(read(&huffman, 14), too_large);
        assert_eq!(read(b"\x03ab", 9), Err(Error::Truncated));
        assert_eq!(read(b"", 9), Err(Error::Truncated));
        assert_eq!(read(b"\x7f", 9), Err(Error::Truncated));
    }
}
