//! Integers (RFC 7541 §5.1): an index, a string's length, a table size.
//! An integer starts in the low N bits of an octet whose high bits say
//! what is being represented (the "prefix", N from 4 to 7), and finishes
//! at the end of an octet.
//!
//! A value below 2^N-1 fits in the prefix: 10 with N = 5 is `xxx01010`.
//! A larger one sets the prefix to all 1s, and the rest, value - (2^N-1),
//! follows 7 bits an octet, least significant group first, the high bit
//! of each octet saying that another follows. 1337 with N = 5 (C.1.2):
//!
//! ```text
//! xxx11111   prefix full: 31, 1306 to go
//! 10011010   1306 % 128 = 26, more follows
//! 00001010   1306 / 128 = 10, last
//! ```
//!
//! The RFC sets no bound; a decoder must (§5.1), or a peer could send a
//! number no machine word holds. rawnet allows up to [`MAX`], and at most
//! [`MAX_CONTINUATION`] octets after the prefix (leading zero groups, `80
//! 80 80 ...`, would otherwise let a number run on for ever).

use super::Error;

/// The largest integer rawnet decodes: 2^32 - 1, far above any index,
/// length or table size a block can carry.
pub const MAX: usize = u32::MAX as usize;

/// The most continuation octets after the prefix: 5 of 7 bits each carry
/// 35 bits, enough for [`MAX`].
pub const MAX_CONTINUATION: usize = 5;

/// A header block being read, and where the reader is in it.
pub struct Input<'a> {
    block: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    pub fn new(block: &'a [u8]) -> Self {
        Input { block, pos: 0 }
    }

    /// Where the next octet is, from the block's start.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The next octet, not consumed.
    pub fn peek(&self) -> Option<u8> {
        self.block.get(self.pos).copied()
    }

    fn next(&mut self) -> Result<u8, Error> {
        let b = self.peek().ok_or(Error::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    /// The next `n` octets, consumed; [`Error::Truncated`] if the block
    /// has fewer left.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).ok_or(Error::Truncated)?;
        let bytes = self.block.get(self.pos..end).ok_or(Error::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }
}

/// Reads an integer with an N-bit prefix (`prefix_bits`, 1 to 8) from
/// the next octet on; the octet's high bits are the caller's.
pub fn decode(input: &mut Input<'_>, prefix_bits: u32) -> Result<usize, Error> {
    let mask = prefix_mask(prefix_bits);
    let mut value = usize::from(input.next()? & mask);
    if value < usize::from(mask) {
        return Ok(value);
    }
    for group in 0..MAX_CONTINUATION {
        let octet = input.next()?;
        // At most 7 + 7 * 4 = 35 bits shifted: below usize's 64, and the
        // sum is checked against MAX at once.
        let bits = u64::from(octet & 0x7f) << (7 * group);
        let sum = value as u64 + bits;
        if sum > MAX as u64 {
            return Err(Error::IntegerOverflow);
        }
        value = sum as usize;
        if octet & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(Error::IntegerOverflow)
}

/// Appends `value` with an N-bit prefix; `high` holds the bits above the
/// prefix (the representation's pattern, `0x80` for an indexed field).
pub fn encode(value: usize, prefix_bits: u32, high: u8, out: &mut Vec<u8>) {
    let mask = prefix_mask(prefix_bits);
    if value < usize::from(mask) {
        out.push(high | value as u8);
        return;
    }
    out.push(high | mask);
    let mut rest = value - usize::from(mask);
    while rest >= 0x80 {
        out.push(0x80 | (rest & 0x7f) as u8);
        rest >>= 7;
    }
    out.push(rest as u8);
}

/// The prefix's N low bits set: 2^N - 1.
fn prefix_mask(prefix_bits: u32) -> u8 {
    debug_assert!((1..=8).contains(&prefix_bits));
    (((1u16) << prefix_bits) - 1) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8], prefix_bits: u32) -> Result<(usize, usize), Error> {
        let mut input = Input::new(bytes);
        let value = decode(&mut input, prefix_bits)?;
        Ok((value, input.pos()))
    }

    fn encoded(value: usize, prefix_bits: u32) -> Vec<u8> {
        let mut out = Vec::new();
        encode(value, prefix_bits, 0, &mut out);
        out
    }

    /// RFC 7541 C.1.1 to C.1.3.
    #[test]
    fn rfc_examples() {
        assert_eq!(encoded(10, 5), [0x0a]);
        assert_eq!(encoded(1337, 5), [0x1f, 0x9a, 0x0a]);
        assert_eq!(encoded(42, 8), [0x2a]);
        assert_eq!(
            decoded(&[0xea], 5),
            Ok((10, 1)),
            "high bits are not the value's"
        );
        assert_eq!(decoded(&[0x1f, 0x9a, 0x0a], 5), Ok((1337, 3)));
        assert_eq!(decoded(&[0x2a], 8), Ok((42, 1)));
    }

    #[test]
    fn the_prefix_full_then_zero() {
        assert_eq!(encoded(31, 5), [0x1f, 0x00]);
        assert_eq!(decoded(&[0x1f, 0x00], 5), Ok((31, 2)));
        assert_eq!(
            decoded(&[0xff, 0x80, 0x00], 7),
            Ok((127, 3)),
            "a zero group"
        );
    }

    #[test]
    fn bounds() {
        let max = encoded(MAX, 5);
        assert_eq!(decoded(&max, 5), Ok((MAX, max.len())));
        assert_eq!(
            decoded(&encoded(MAX + 1, 5), 5),
            Err(Error::IntegerOverflow)
        );
        // Zero groups running on past five continuation octets.
        let long = [0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert_eq!(decoded(&long, 5), Err(Error::IntegerOverflow));
        assert_eq!(
            decoded(&[0x1f, 0xff, 0xff, 0xff, 0xff, 0x7f], 5),
            Err(Error::IntegerOverflow)
        );
    }

    #[test]
    fn truncated() {
        assert_eq!(decoded(&[], 5), Err(Error::Truncated));
        assert_eq!(decoded(&[0x1f], 5), Err(Error::Truncated));
        assert_eq!(decoded(&[0x1f, 0x9a], 5), Err(Error::Truncated));
    }

    proptest::proptest! {
        #[test]
        fn round_trip(value in 0..=MAX, prefix_bits in 1u32..=8, high in proptest::num::u8::ANY) {
            let high = high & !prefix_mask(prefix_bits);
            let mut out = Vec::new();
            encode(value, prefix_bits, high, &mut out);
            proptest::prop_assert_eq!(out[0] & !prefix_mask(prefix_bits), high);
            proptest::prop_assert_eq!(decoded(&out, prefix_bits), Ok((value, out.len())));
        }
    }
}
