//! The Huffman code of HPACK (RFC 7541 §5.2, Appendix B): a string
//! literal whose H bit is set is written in it, most often 5 to 8 bits a
//! byte for the letters, digits and punctuation of headers (`e` is 5 bits,
//! `00101`), up to 30 bits for bytes that headers rarely hold.
//!
//! The code is [`CODES`], the appendix as data: one (code, bit length)
//! pair per byte value 0 to 255, then EOS (256), the code aligned to the
//! right as the appendix's "code as hex" column is. Three checks stand
//! behind its 257 rows: [`CANONICAL`] does not compile from a table that
//! is not canonical and complete (below), so a mistyped code shows at
//! once; the RFC's Appendix C examples decode and encode to their exact
//! bytes (`tests.rs`); and tests/hpack_python.rs sends arbitrary bytes
//! through Python's hpack and back. Everything else here is computed
//! from it:
//!
//! - [`encode`] appends each byte's code, most significant bit first, and
//!   pads the last octet with 1 bits (the start of EOS's code, §5.2).
//! - [`decode`] walks the code as a *canonical* Huffman code: Appendix B's
//!   codes of one length are consecutive numbers in byte order, and each
//!   length's first code is the last length's next code shifted left one.
//!   So a decoder needs, per length, only the first code and how many
//!   codes have it ([`CANONICAL`], built from [`CODES`] at compile time,
//!   which fails to compile if a row was mistyped and the code stopped
//!   being canonical and complete).
//!
//! A decoder must reject (§5.2): padding longer than 7 bits, padding that
//! is not all 1 bits, and the EOS symbol inside the string.

use std::fmt;

/// RFC 7541 Appendix B: `CODES[sym] = (code, bits)`, for each byte value
/// `sym` and EOS (256). The comments are the appendix's columns: the
/// symbol, as a character when it is printable ASCII, and the code as
/// bits, in octets as the wire carries them.
#[rustfmt::skip]
pub const CODES: [(u32, u8); 257] = [
    (0x1ff8, 13),     //   0       |11111111|11000
    (0x7fffd8, 23),   //   1       |11111111|11111111|1011000
    (0xfffffe2, 28),  //   2       |11111111|11111111|11111110|0010
    (0xfffffe3, 28),  //   3       |11111111|11111111|11111110|0011
    (0xfffffe4, 28),  //   4       |11111111|11111111|11111110|0100
    (0xfffffe5, 28),  //   5       |11111111|11111111|11111110|0101
    (0xfffffe6, 28),  //   6       |11111111|11111111|11111110|0110
    (0xfffffe7, 28),  //   7       |11111111|11111111|11111110|0111
    (0xfffffe8, 28),  //   8       |11111111|11111111|11111110|1000
    (0xffffea, 24),   //   9       |11111111|11111111|11101010
    (0x3ffffffc, 30), //  10       |11111111|11111111|11111111|111100
    (0xfffffe9, 28),  //  11       |11111111|11111111|11111110|1001
    (0xfffffea, 28),  //  12       |11111111|11111111|11111110|1010
    (0x3ffffffd, 30), //  13       |11111111|11111111|11111111|111101
    (0xfffffeb, 28),  //  14       |11111111|11111111|11111110|1011
    (0xfffffec, 28),  //  15       |11111111|11111111|11111110|1100
    (0xfffffed, 28),  //  16       |11111111|11111111|11111110|1101
    (0xfffffee, 28),  //  17       |11111111|11111111|11111110|1110
    (0xfffffef, 28),  //  18       |11111111|11111111|11111110|1111
    (0xffffff0, 28),  //  19       |11111111|11111111|11111111|0000
    (0xffffff1, 28),  //  20       |11111111|11111111|11111111|0001
    (0xffffff2, 28),  //  21       |11111111|11111111|11111111|0010
    (0x3ffffffe, 30), //  22       |11111111|11111111|11111111|111110
    (0xffffff3, 28),  //  23       |11111111|11111111|11111111|0011
    (0xffffff4, 28),  //  24       |11111111|11111111|11111111|0100
    (0xffffff5, 28),  //  25       |11111111|11111111|11111111|0101
    (0xffffff6, 28),  //  26       |11111111|11111111|11111111|0110
    (0xffffff7, 28),  //  27       |11111111|11111111|11111111|0111
    (0xffffff8, 28),  //  28       |11111111|11111111|11111111|1000
    (0xffffff9, 28),  //  29       |11111111|11111111|11111111|1001
    (0xffffffa, 28),  //  30       |11111111|11111111|11111111|1010
    (0xffffffb, 28),  //  31       |11111111|11111111|11111111|1011
    (0x14, 6),        //  32   ' ' |010100
    (0x3f8, 10),      //  33   '!' |11111110|00
    (0x3f9, 10),      //  34   '"' |11111110|01
    (0xffa, 12),      //  35   '#' |11111111|1010
    (0x1ff9, 13),     //  36   '$' |11111111|11001
    (0x15, 6),        //  37   '%' |010101
    (0xf8, 8),        //  38   '&' |11111000
    (0x7fa, 11),      //  39   ''' |11111111|010
    (0x3fa, 10),      //  40   '(' |11111110|10
    (0x3fb, 10),      //  41   ')' |11111110|11
    (0xf9, 8),        //  42   '*' |11111001
    (0x7fb, 11),      //  43   '+' |11111111|011
    (0xfa, 8),        //  44   ',' |11111010
    (0x16, 6),        //  45   '-' |010110
    (0x17, 6),        //  46   '.' |010111
    (0x18, 6),        //  47   '/' |011000
    (0x0, 5),         //  48   '0' |00000
    (0x1, 5),         //  49   '1' |00001
    (0x2, 5),         //  50   '2' |00010
    (0x19, 6),        //  51   '3' |011001
    (0x1a, 6),        //  52   '4' |011010
    (0x1b, 6),        //  53   '5' |011011
    (0x1c, 6),        //  54   '6' |011100
    (0x1d, 6),        //  55   '7' |011101
    (0x1e, 6),        //  56   '8' |011110
    (0x1f, 6),        //  57   '9' |011111
    (0x5c, 7),        //  58   ':' |1011100
    (0xfb, 8),        //  59   ';' |11111011
    (0x7ffc, 15),     //  60   '<' |11111111|1111100
    (0x20, 6),        //  61   '=' |100000
    (0xffb, 12),      //  62   '>' |11111111|1011
    (0x3fc, 10),      //  63   '?' |11111111|00
    (0x1ffa, 13),     //  64   '@' |11111111|11010
    (0x21, 6),        //  65   'A' |100001
    (0x5d, 7),        //  66   'B' |1011101
    (0x5e, 7),        //  67   'C' |1011110
    (0x5f, 7),        //  68   'D' |1011111
    (0x60, 7),        //  69   'E' |1100000
    (0x61, 7),        //  70   'F' |1100001
    (0x62, 7),        //  71   'G' |1100010
    (0x63, 7),        //  72   'H' |1100011
    (0x64, 7),        //  73   'I' |1100100
    (0x65, 7),        //  74   'J' |1100101
    (0x66, 7),        //  75   'K' |1100110
    (0x67, 7),        //  76   'L' |1100111
    (0x68, 7),        //  77   'M' |1101000
    (0x69, 7),        //  78   'N' |1101001
    (0x6a, 7),        //  79   'O' |1101010
    (0x6b, 7),        //  80   'P' |1101011
    (0x6c, 7),        //  81   'Q' |1101100
    (0x6d, 7),        //  82   'R' |1101101
    (0x6e, 7),        //  83   'S' |1101110
    (0x6f, 7),        //  84   'T' |1101111
    (0x70, 7),        //  85   'U' |1110000
    (0x71, 7),        //  86   'V' |1110001
    (0x72, 7),        //  87   'W' |1110010
    (0xfc, 8),        //  88   'X' |11111100
    (0x73, 7),        //  89   'Y' |1110011
    (0xfd, 8),        //  90   'Z' |11111101
    (0x1ffb, 13),     //  91   '[' |11111111|11011
    (0x7fff0, 19),    //  92   '\' |11111111|11111110|000
    (0x1ffc, 13),     //  93   ']' |11111111|11100
    (0x3ffc, 14),     //  94   '^' |11111111|111100
    (0x22, 6),        //  95   '_' |100010
    (0x7ffd, 15),     //  96   '`' |11111111|1111101
    (0x3, 5),         //  97   'a' |00011
    (0x23, 6),        //  98   'b' |100011
    (0x4, 5),         //  99   'c' |00100
    (0x24, 6),        // 100   'd' |100100
    (0x5, 5),         // 101   'e' |00101
    (0x25, 6),        // 102   'f' |100101
    (0x26, 6),        // 103   'g' |100110
    (0x27, 6),        // 104   'h' |100111
    (0x6, 5),         // 105   'i' |00110
    (0x74, 7),        // 106   'j' |1110100
    (0x75, 7),        // 107   'k' |1110101
    (0x28, 6),        // 108   'l' |101000
    (0x29, 6),        // 109   'm' |101001
    (0x2a, 6),        // 110   'n' |101010
    (0x7, 5),         // 111   'o' |00111
    (0x2b, 6),        // 112   'p' |101011
    (0x76, 7),        // 113   'q' |1110110
    (0x2c, 6),        // 114   'r' |101100
    (0x8, 5),         // 115   's' |01000
    (0x9, 5),         // 116   't' |01001
    (0x2d, 6),        // 117   'u' |101101
    (0x77, 7),        // 118   'v' |1110111
    (0x78, 7),        // 119   'w' |1111000
    (0x79, 7),        // 120   'x' |1111001
    (0x7a, 7),        // 121   'y' |1111010
    (0x7b, 7),        // 122   'z' |1111011
    (0x7ffe, 15),     // 123   '{' |11111111|1111110
    (0x7fc, 11),      // 124   '|' |11111111|100
    (0x3ffd, 14),     // 125   '}' |11111111|111101
    (0x1ffd, 13),     // 126   '~' |11111111|11101
    (0xffffffc, 28),  // 127       |11111111|11111111|11111111|1100
    (0xfffe6, 20),    // 128       |11111111|11111110|0110
    (0x3fffd2, 22),   // 129       |11111111|11111111|010010
    (0xfffe7, 20),    // 130       |11111111|11111110|0111
    (0xfffe8, 20),    // 131       |11111111|11111110|1000
    (0x3fffd3, 22),   // 132       |11111111|11111111|010011
    (0x3fffd4, 22),   // 133       |11111111|11111111|010100
    (0x3fffd5, 22),   // 134       |11111111|11111111|010101
    (0x7fffd9, 23),   // 135       |11111111|11111111|1011001
    (0x3fffd6, 22),   // 136       |11111111|11111111|010110
    (0x7fffda, 23),   // 137       |11111111|11111111|1011010
    (0x7fffdb, 23),   // 138       |11111111|11111111|1011011
    (0x7fffdc, 23),   // 139       |11111111|11111111|1011100
    (0x7fffdd, 23),   // 140       |11111111|11111111|1011101
    (0x7fffde, 23),   // 141       |11111111|11111111|1011110
    (0xffffeb, 24),   // 142       |11111111|11111111|11101011
    (0x7fffdf, 23),   // 143       |11111111|11111111|1011111
    (0xffffec, 24),   // 144       |11111111|11111111|11101100
    (0xffffed, 24),   // 145       |11111111|11111111|11101101
    (0x3fffd7, 22),   // 146       |11111111|11111111|010111
    (0x7fffe0, 23),   // 147       |11111111|11111111|1100000
    (0xffffee, 24),   // 148       |11111111|11111111|11101110
    (0x7fffe1, 23),   // 149       |11111111|11111111|1100001
    (0x7fffe2, 23),   // 150       |11111111|11111111|1100010
    (0x7fffe3, 23),   // 151       |11111111|11111111|1100011
    (0x7fffe4, 23),   // 152       |11111111|11111111|1100100
    (0x1fffdc, 21),   // 153       |11111111|11111110|11100
    (0x3fffd8, 22),   // 154       |11111111|11111111|011000
    (0x7fffe5, 23),   // 155       |11111111|11111111|1100101
    (0x3fffd9, 22),   // 156       |11111111|11111111|011001
    (0x7fffe6, 23),   // 157       |11111111|11111111|1100110
    (0x7fffe7, 23),   // 158       |11111111|11111111|1100111
    (0xffffef, 24),   // 159       |11111111|11111111|11101111
    (0x3fffda, 22),   // 160       |11111111|11111111|011010
    (0x1fffdd, 21),   // 161       |11111111|11111110|11101
    (0xfffe9, 20),    // 162       |11111111|11111110|1001
    (0x3fffdb, 22),   // 163       |11111111|11111111|011011
    (0x3fffdc, 22),   // 164       |11111111|11111111|011100
    (0x7fffe8, 23),   // 165       |11111111|11111111|1101000
    (0x7fffe9, 23),   // 166       |11111111|11111111|1101001
    (0x1fffde, 21),   // 167       |11111111|11111110|11110
    (0x7fffea, 23),   // 168       |11111111|11111111|1101010
    (0x3fffdd, 22),   // 169       |11111111|11111111|011101
    (0x3fffde, 22),   // 170       |11111111|11111111|011110
    (0xfffff0, 24),   // 171       |11111111|11111111|11110000
    (0x1fffdf, 21),   // 172       |11111111|11111110|11111
    (0x3fffdf, 22),   // 173       |11111111|11111111|011111
    (0x7fffeb, 23),   // 174       |11111111|11111111|1101011
    (0x7fffec, 23),   // 175       |11111111|11111111|1101100
    (0x1fffe0, 21),   // 176       |11111111|11111111|00000
    (0x1fffe1, 21),   // 177       |11111111|11111111|00001
    (0x3fffe0, 22),   // 178       |11111111|11111111|100000
    (0x1fffe2, 21),   // 179       |11111111|11111111|00010
    (0x7fffed, 23),   // 180       |11111111|11111111|1101101
    (0x3fffe1, 22),   // 181       |11111111|11111111|100001
    (0x7fffee, 23),   // 182       |11111111|11111111|1101110
    (0x7fffef, 23),   // 183       |11111111|11111111|1101111
    (0xfffea, 20),    // 184       |11111111|11111110|1010
    (0x3fffe2, 22),   // 185       |11111111|11111111|100010
    (0x3fffe3, 22),   // 186       |11111111|11111111|100011
    (0x3fffe4, 22),   // 187       |11111111|11111111|100100
    (0x7ffff0, 23),   // 188       |11111111|11111111|1110000
    (0x3fffe5, 22),   // 189       |11111111|11111111|100101
    (0x3fffe6, 22),   // 190       |11111111|11111111|100110
    (0x7ffff1, 23),   // 191       |11111111|11111111|1110001
    (0x3ffffe0, 26),  // 192       |11111111|11111111|11111000|00
    (0x3ffffe1, 26),  // 193       |11111111|11111111|11111000|01
    (0xfffeb, 20),    // 194       |11111111|11111110|1011
    (0x7fff1, 19),    // 195       |11111111|11111110|001
    (0x3fffe7, 22),   // 196       |11111111|11111111|100111
    (0x7ffff2, 23),   // 197       |11111111|11111111|1110010
    (0x3fffe8, 22),   // 198       |11111111|11111111|101000
    (0x1ffffec, 25),  // 199       |11111111|11111111|11110110|0
    (0x3ffffe2, 26),  // 200       |11111111|11111111|11111000|10
    (0x3ffffe3, 26),  // 201       |11111111|11111111|11111000|11
    (0x3ffffe4, 26),  // 202       |11111111|11111111|11111001|00
    (0x7ffffde, 27),  // 203       |11111111|11111111|11111011|110
    (0x7ffffdf, 27),  // 204       |11111111|11111111|11111011|111
    (0x3ffffe5, 26),  // 205       |11111111|11111111|11111001|01
    (0xfffff1, 24),   // 206       |11111111|11111111|11110001
    (0x1ffffed, 25),  // 207       |11111111|11111111|11110110|1
    (0x7fff2, 19),    // 208       |11111111|11111110|010
    (0x1fffe3, 21),   // 209       |11111111|11111111|00011
    (0x3ffffe6, 26),  // 210       |11111111|11111111|11111001|10
    (0x7ffffe0, 27),  // 211       |11111111|11111111|11111100|000
    (0x7ffffe1, 27),  // 212       |11111111|11111111|11111100|001
    (0x3ffffe7, 26),  // 213       |11111111|11111111|11111001|11
    (0x7ffffe2, 27),  // 214       |11111111|11111111|11111100|010
    (0xfffff2, 24),   // 215       |11111111|11111111|11110010
    (0x1fffe4, 21),   // 216       |11111111|11111111|00100
    (0x1fffe5, 21),   // 217       |11111111|11111111|00101
    (0x3ffffe8, 26),  // 218       |11111111|11111111|11111010|00
    (0x3ffffe9, 26),  // 219       |11111111|11111111|11111010|01
    (0xffffffd, 28),  // 220       |11111111|11111111|11111111|1101
    (0x7ffffe3, 27),  // 221       |11111111|11111111|11111100|011
    (0x7ffffe4, 27),  // 222       |11111111|11111111|11111100|100
    (0x7ffffe5, 27),  // 223       |11111111|11111111|11111100|101
    (0xfffec, 20),    // 224       |11111111|11111110|1100
    (0xfffff3, 24),   // 225       |11111111|11111111|11110011
    (0xfffed, 20),    // 226       |11111111|11111110|1101
    (0x1fffe6, 21),   // 227       |11111111|11111111|00110
    (0x3fffe9, 22),   // 228       |11111111|11111111|101001
    (0x1fffe7, 21),   // 229       |11111111|11111111|00111
    (0x1fffe8, 21),   // 230       |11111111|11111111|01000
    (0x7ffff3, 23),   // 231       |11111111|11111111|1110011
    (0x3fffea, 22),   // 232       |11111111|11111111|101010
    (0x3fffeb, 22),   // 233       |11111111|11111111|101011
    (0x1ffffee, 25),  // 234       |11111111|11111111|11110111|0
    (0x1ffffef, 25),  // 235       |11111111|11111111|11110111|1
    (0xfffff4, 24),   // 236       |11111111|11111111|11110100
    (0xfffff5, 24),   // 237       |11111111|11111111|11110101
    (0x3ffffea, 26),  // 238       |11111111|11111111|11111010|10
    (0x7ffff4, 23),   // 239       |11111111|11111111|1110100
    (0x3ffffeb, 26),  // 240       |11111111|11111111|11111010|11
    (0x7ffffe6, 27),  // 241       |11111111|11111111|11111100|110
    (0x3ffffec, 26),  // 242       |11111111|11111111|11111011|00
    (0x3ffffed, 26),  // 243       |11111111|11111111|11111011|01
    (0x7ffffe7, 27),  // 244       |11111111|11111111|11111100|111
    (0x7ffffe8, 27),  // 245       |11111111|11111111|11111101|000
    (0x7ffffe9, 27),  // 246       |11111111|11111111|11111101|001
    (0x7ffffea, 27),  // 247       |11111111|11111111|11111101|010
    (0x7ffffeb, 27),  // 248       |11111111|11111111|11111101|011
    (0xffffffe, 28),  // 249       |11111111|11111111|11111111|1110
    (0x7ffffec, 27),  // 250       |11111111|11111111|11111101|100
    (0x7ffffed, 27),  // 251       |11111111|11111111|11111101|101
    (0x7ffffee, 27),  // 252       |11111111|11111111|11111101|110
    (0x7ffffef, 27),  // 253       |11111111|11111111|11111101|111
    (0x7fffff0, 27),  // 254       |11111111|11111111|11111110|000
    (0x3ffffee, 26),  // 255       |11111111|11111111|11111011|10
    (0x3fffffff, 30), //       EOS |11111111|11111111|11111111|111111
];

/// The EOS symbol's index in [`CODES`]: 30 bits of 1, longer than any
/// byte's code, so that padding (a prefix of it) never reads as a byte.
pub const EOS: usize = 256;

/// The longest code, in bits.
const MAX_BITS: usize = 30;

/// Why a Huffman-coded string was refused (§5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// More than 7 bits were left over after the last whole symbol: a
    /// padding must end the string within its last octet.
    PaddingTooLong { bits: usize },
    /// The bits left over were not all 1: padding is a prefix of EOS.
    PaddingNotOnes,
    /// A whole EOS symbol (30 bits of 1) inside the string.
    Eos,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::PaddingTooLong { bits } => {
                write!(f, "{bits} bits of padding, more than the 7 allowed")
            }
            Error::PaddingNotOnes => f.write_str("padding that is not all 1 bits"),
            Error::Eos => f.write_str("the EOS symbol inside the string"),
        }
    }
}

/// How many octets `bytes` take Huffman-coded, padding included.
pub fn encoded_len(bytes: &[u8]) -> usize {
    let bits: usize = bytes
        .iter()
        .map(|&b| usize::from(CODES[usize::from(b)].1))
        .sum();
    bits.div_ceil(8)
}

/// Appends `bytes` Huffman-coded to `out`, padded to an octet boundary
/// with the most significant bits of EOS (all 1s).
pub fn encode(bytes: &[u8], out: &mut Vec<u8>) {
    // Bits not yet written, in the low `pending` bits of `acc`: never
    // more than 7 + 30, so a u64 holds them.
    let mut acc: u64 = 0;
    let mut pending = 0;
    for &b in bytes {
        let (code, len) = CODES[usize::from(b)];
        acc = (acc << len) | u64::from(code);
        pending += u32::from(len);
        while pending >= 8 {
            pending -= 8;
            out.push((acc >> pending) as u8);
        }
        acc &= (1 << pending) - 1;
    }
    if pending > 0 {
        let pad = 8 - pending;
        out.push(((acc << pad) | ((1 << pad) - 1)) as u8);
    }
}

/// Decodes the Huffman-coded `input`, appending the bytes to `out`. Stops
/// at a broken code, or as soon as `out` would grow past `limit` bytes
/// (the caller's bound on a header list: [`DecodeError::Limit`]).
pub fn decode(input: &[u8], out: &mut Vec<u8>, limit: usize) -> Result<(), DecodeError> {
    // The code read so far of the symbol being read, and its length.
    let mut code: u32 = 0;
    let mut len = 0;
    for &octet in input {
        for shift in (0..8).rev() {
            code = (code << 1) | u32::from((octet >> shift) & 1);
            len += 1;
            let Some(sym) = CANONICAL.symbol(code, len) else {
                continue;
            };
            if usize::from(sym) == EOS {
                return Err(DecodeError::Huffman(Error::Eos));
            }
            if out.len() >= limit {
                return Err(DecodeError::Limit);
            }
            out.push(sym as u8);
            (code, len) = (0, 0);
        }
    }
    // What is left is padding: at most 7 bits, all 1s (§5.2).
    if len > 7 {
        return Err(DecodeError::Huffman(Error::PaddingTooLong { bits: len }));
    }
    if code != (1 << len) - 1 {
        return Err(DecodeError::Huffman(Error::PaddingNotOnes));
    }
    Ok(())
}

/// Why [`decode`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The code was broken.
    Huffman(Error),
    /// The output would have grown past the limit given.
    Limit,
}

/// The canonical form of [`CODES`]: for each length `len`, the first
/// code of that length, how many codes have it, and where they start in
/// `symbols`, the symbols sorted by (length, symbol).
pub struct Canonical {
    first: [u32; MAX_BITS + 1],
    count: [u16; MAX_BITS + 1],
    start: [u16; MAX_BITS + 1],
    symbols: [u16; 257],
}

/// [`CODES`] in canonical form, built (and checked) at compile time.
pub const CANONICAL: Canonical = Canonical::build(&CODES);

impl Canonical {
    /// The symbol whose code is the `len` bits `code`, if there is one.
    /// A code longer than [`MAX_BITS`] never matches, but cannot be read:
    /// the code is complete, so every 30 bits hold a symbol.
    fn symbol(&self, code: u32, len: usize) -> Option<u16> {
        let count = u32::from(*self.count.get(len)?);
        let offset = code.checked_sub(self.first[len])?;
        (offset < count).then(|| self.symbols[usize::from(self.start[len]) + offset as usize])
    }

    /// Sorts `codes` by (length, symbol) and checks, as it goes, that each
    /// code is the canonical one: the previous code of the same length
    /// plus one, or the previous length's next code shifted left. Panics
    /// (at compile time, as [`CANONICAL`] is a constant) if not, or if the
    /// code is not complete (its codes leave no 30-bit pattern unused).
    const fn build(codes: &[(u32, u8); 257]) -> Canonical {
        let mut table = Canonical {
            first: [0; MAX_BITS + 1],
            count: [0; MAX_BITS + 1],
            start: [0; MAX_BITS + 1],
            symbols: [0; 257],
        };
        let mut next_code: u32 = 0;
        let mut sorted = 0;
        let mut len = 1;
        while len <= MAX_BITS {
            table.first[len] = next_code;
            table.start[len] = sorted as u16;
            let mut sym = 0;
            while sym < codes.len() {
                if codes[sym].1 as usize == len {
                    assert!(codes[sym].0 == next_code, "Appendix B row not canonical");
                    table.symbols[sorted] = sym as u16;
                    table.count[len] += 1;
                    sorted += 1;
                    next_code += 1;
                }
                sym += 1;
            }
            if len < MAX_BITS {
                next_code <<= 1;
            }
            len += 1;
        }
        assert!(sorted == 257, "a code length outside 1..=30");
        assert!(next_code == 1 << MAX_BITS, "the code is not complete");
        table
    }
}
