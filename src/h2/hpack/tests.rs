//! RFC 7541 Appendix C, every example, both ways; the decoder's refusals;
//! the HPACK bomb; and proptest's random lists and random bytes.

use super::table::{self, DEFAULT_SIZE};
use super::*;

/// The RFC's hex, spaces and all, as bytes.
fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// One block of an Appendix C example: its bytes, the list it decodes
/// to, and the dynamic table after it (newest first) with its size.
struct Block {
    hex: &'static str,
    fields: &'static [(&'static str, &'static str)],
    table: &'static [(&'static str, &'static str)],
    size: usize,
}

fn pairs(fields: &[Field]) -> Vec<(String, String)> {
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    fields
        .iter()
        .map(|f| (text(&f.name), text(&f.value)))
        .collect()
}

fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|&(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn table_of(table: &table::DynamicTable) -> Vec<(String, String)> {
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    table
        .entries()
        .map(|e| (text(&e.name), text(&e.value)))
        .collect()
}

/// Decodes the blocks in order with one decoder, each to the RFC's list
/// and table; returns the fields of each block.
fn decode_all(table_size: usize, blocks: &[Block]) -> Vec<Vec<Field>> {
    let mut decoder = Decoder::new(table_size);
    let mut all = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let fields = decoder.decode(&hex(block.hex), 64 * 1024).unwrap();
        assert_eq!(pairs(&fields), owned(block.fields), "block {i}'s list");
        assert_eq!(
            table_of(decoder.table()),
            owned(block.table),
            "block {i}'s table"
        );
        assert_eq!(decoder.table().size(), block.size, "block {i}'s table size");
        all.push(fields);
    }
    all
}

/// Encodes the blocks' lists in order with one encoder: the RFC's bytes
/// exactly, and the RFC's table after each.
fn encode_all(table_size: usize, options: Options, blocks: &[Block]) {
    let mut encoder = Encoder::with_options(table_size, options);
    for (i, block) in blocks.iter().enumerate() {
        let mut out = Vec::new();
        encoder.encode(block.fields, &mut out);
        assert_eq!(out, hex(block.hex), "block {i}'s bytes");
        assert_eq!(
            table_of(encoder.table()),
            owned(block.table),
            "block {i}'s table"
        );
        assert_eq!(encoder.table().size(), block.size, "block {i}'s table size");
    }
}

const C3: [Block; 3] = [
    Block {
        hex: "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        fields: &[
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", "www.example.com"),
        ],
        table: &[(":authority", "www.example.com")],
        size: 57,
    },
    Block {
        hex: "8286 84be 5808 6e6f 2d63 6163 6865",
        fields: &[
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", "www.example.com"),
            ("cache-control", "no-cache"),
        ],
        table: &[
            ("cache-control", "no-cache"),
            (":authority", "www.example.com"),
        ],
        size: 110,
    },
    Block {
        hex: "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
        fields: &[
            (":method", "GET"),
            (":scheme", "https"),
            (":path", "/index.html"),
            (":authority", "www.example.com"),
            ("custom-key", "custom-value"),
        ],
        table: &[
            ("custom-key", "custom-value"),
            ("cache-control", "no-cache"),
            (":authority", "www.example.com"),
        ],
        size: 164,
    },
];

/// C.4: C.3's requests, Huffman-coded.
const C4: [Block; 3] = [
    Block {
        hex: "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        ..C3[0]
    },
    Block {
        hex: "8286 84be 5886 a8eb 1064 9cbf",
        ..C3[1]
    },
    Block {
        hex: "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        ..C3[2]
    },
];

const DATE_21: (&str, &str) = ("date", "Mon, 21 Oct 2013 20:13:21 GMT");
const DATE_22: (&str, &str) = ("date", "Mon, 21 Oct 2013 20:13:22 GMT");
const LOCATION: (&str, &str) = ("location", "https://www.example.com");
const PRIVATE: (&str, &str) = ("cache-control", "private");
const COOKIE: (&str, &str) = (
    "set-cookie",
    "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
);

/// C.5: three responses with a 256-byte table, evicting.
const C5: [Block; 3] = [
    Block {
        hex: "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
              2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
              6c65 2e63 6f6d",
        fields: &[(":status", "302"), PRIVATE, DATE_21, LOCATION],
        table: &[LOCATION, DATE_21, PRIVATE, (":status", "302")],
        size: 222,
    },
    Block {
        hex: "4803 3330 37c1 c0bf",
        fields: &[(":status", "307"), PRIVATE, DATE_21, LOCATION],
        table: &[(":status", "307"), LOCATION, DATE_21, PRIVATE],
        size: 222,
    },
    Block {
        hex: "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
              54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
              5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
              3d31",
        fields: &[
            (":status", "200"),
            PRIVATE,
            DATE_22,
            LOCATION,
            ("content-encoding", "gzip"),
            COOKIE,
        ],
        table: &[COOKIE, ("content-encoding", "gzip"), DATE_22],
        size: 215,
    },
];

/// C.6: C.5's responses, Huffman-coded.
const C6: [Block; 3] = [
    Block {
        hex: "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
              2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        ..C5[0]
    },
    Block {
        hex: "4883 640e ffc1 c0bf",
        ..C5[1]
    },
    Block {
        hex: "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
              77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
              9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        ..C5[2]
    },
];

const PLAIN: Options = Options {
    huffman: false,
    never_index_secrets: true,
};

/// The RFC's responses index their `set-cookie`.
const INDEX_ALL: Options = Options {
    never_index_secrets: false,
    huffman: true,
};

fn incremental(name_index: Option<usize>, huffman: bool) -> Representation {
    Representation::LiteralIncremental {
        name_index,
        huffman_name: huffman && name_index.is_none(),
        huffman_value: huffman,
    }
}

fn indexed(index: usize) -> Representation {
    Representation::Indexed {
        index,
        dynamic: index > 61,
    }
}

/// C.2.1 to C.2.4: one field each, in each representation.
#[test]
fn c2_one_field_of_each_kind() {
    let cases = [
        (
            "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
            ("custom-key", "custom-header"),
            incremental(None, false),
            55,
        ),
        (
            "040c 2f73 616d 706c 652f 7061 7468",
            (":path", "/sample/path"),
            Representation::LiteralWithoutIndexing {
                name_index: Some(4),
                huffman_name: false,
                huffman_value: false,
            },
            0,
        ),
        (
            "1008 7061 7373 776f 7264 0673 6563 7265 74",
            ("password", "secret"),
            Representation::LiteralNeverIndexed {
                name_index: None,
                huffman_name: false,
                huffman_value: false,
            },
            0,
        ),
        ("82", (":method", "GET"), indexed(2), 0),
    ];
    for (block, field, repr, size) in cases {
        let mut decoder = Decoder::new(DEFAULT_SIZE);
        let bytes = hex(block);
        let fields = decoder.decode(&bytes, 1024).unwrap();
        assert_eq!(pairs(&fields), owned(&[field]));
        assert_eq!(fields[0].repr, repr);
        assert_eq!(fields[0].bytes, 0..bytes.len());
        assert_eq!(decoder.table().size(), size);
    }
    // The two the encoder would choose the same way.
    for (block, field) in [(cases[0].0, cases[0].1), (cases[3].0, cases[3].1)] {
        let mut out = Vec::new();
        Encoder::with_options(DEFAULT_SIZE, PLAIN).encode(&[field], &mut out);
        assert_eq!(out, hex(block));
    }
}

#[test]
fn c3_requests_without_huffman() {
    let fields = decode_all(DEFAULT_SIZE, &C3);
    assert_eq!(fields[0][3].repr, incremental(Some(1), false));
    assert_eq!(fields[1][3].repr, indexed(62));
    assert_eq!(fields[1][4].repr, incremental(Some(24), false));
    assert_eq!(fields[2][4].repr, incremental(None, false));
    assert_eq!(fields[2][3].bytes, 3..4);
    encode_all(DEFAULT_SIZE, PLAIN, &C3);
}

#[test]
fn c4_requests_with_huffman() {
    let fields = decode_all(DEFAULT_SIZE, &C4);
    assert_eq!(fields[0][3].repr, incremental(Some(1), true));
    assert_eq!(fields[2][4].repr, incremental(None, true));
    encode_all(DEFAULT_SIZE, Options::default(), &C4);
}

#[test]
fn c5_responses_without_huffman_evicting() {
    let fields = decode_all(256, &C5);
    assert_eq!(fields[1][1].repr, indexed(65));
    assert_eq!(fields[2][2].repr, incremental(Some(33), false));
    encode_all(
        256,
        Options {
            huffman: false,
            ..INDEX_ALL
        },
        &C5,
    );
}

#[test]
fn c6_responses_with_huffman_evicting() {
    decode_all(256, &C6);
    encode_all(256, INDEX_ALL, &C6);
}

/// rawnet's own choice for C.6.3's `set-cookie`: never indexed, its name
/// static 55 (`1f 28`, the index past a 4-bit prefix), so the table
/// keeps C.6.2's entries it did not evict.
#[test]
fn set_cookie_is_never_indexed_by_default() {
    let mut encoder = Encoder::new(256);
    let mut decoder = Decoder::new(256);
    for block in &C6 {
        let mut out = Vec::new();
        encoder.encode(block.fields, &mut out);
        let fields = decoder.decode(&out, 4096).unwrap();
        assert_eq!(pairs(&fields), owned(block.fields));
    }
    let mut out = Vec::new();
    encoder.encode(&[COOKIE], &mut out);
    assert_eq!(&out[..2], [0x1f, 0x28]);
    let fields = decoder.decode(&out, 4096).unwrap();
    let never = Representation::LiteralNeverIndexed {
        name_index: Some(55),
        huffman_name: false,
        huffman_value: true,
    };
    assert_eq!(fields[0].repr, never);
    assert_eq!(
        table_of(decoder.table()),
        owned(&[
            ("content-encoding", "gzip"),
            DATE_22,
            (":status", "307"),
            LOCATION
        ])
    );
    assert_eq!(table_of(encoder.table()), table_of(decoder.table()));
}

#[test]
fn secrets() {
    let mut encoder = Encoder::new(DEFAULT_SIZE);
    let long_cookie = "session=0123456789abcdef0123456789";
    let list = [
        ("authorization", "Basic dXNlcjpwYXNz"),
        ("cookie", "a=1"),
        ("cookie", long_cookie),
        ("proxy-authorization", "x"),
    ];
    let mut out = Vec::new();
    encoder.encode(&list, &mut out);
    let fields = Decoder::new(DEFAULT_SIZE).decode(&out, 4096).unwrap();
    let kinds: Vec<_> = fields
        .iter()
        .map(|f| matches!(f.repr, Representation::LiteralNeverIndexed { .. }))
        .collect();
    assert_eq!(kinds, [true, true, false, true]);
    assert_eq!(table_of(encoder.table()), owned(&[("cookie", long_cookie)]));
}

#[test]
fn describe_lines() {
    let block = hex(C4[0].hex);
    let fields = Decoder::new(DEFAULT_SIZE).decode(&block, 4096).unwrap();
    let lines: Vec<_> = fields.iter().map(|f| f.describe(&block)).collect();
    assert_eq!(
        lines,
        [
            ":method: GET — indexed, static 2 (82)",
            ":scheme: http — indexed, static 6 (86)",
            ":path: / — indexed, static 4 (84)",
            ":authority: www.example.com — literal with incremental indexing, name static 1, \
             Huffman value (41 8c f1 e3 c2 e5 f2 3a 6b a0 ab 90 f4 ff)",
        ]
    );
    let mut decoder = Decoder::new(DEFAULT_SIZE);
    decode_then_describe(&mut decoder, C3[0].hex);
    decode_then_describe(&mut decoder, C3[1].hex);
    let lines = decode_then_describe(&mut decoder, C3[2].hex);
    assert_eq!(
        lines[3],
        ":authority: www.example.com — indexed, dynamic 63 (bf)"
    );
    assert_eq!(
        lines[4],
        "custom-key: custom-value — literal with incremental indexing, new name \
         (40 0a 63 75 73 74 6f 6d 2d 6b 65 79 0c 63 75 73 ...(9 more))"
    );
    let lines = decode_then_describe(
        &mut Decoder::new(DEFAULT_SIZE),
        "1008 7061 7373 776f 7264 0673 6563 7265 74",
    );
    assert_eq!(lines, ["password: secret — literal never indexed, new name (10 08 70 61 73 73 77 6f 72 64 06 73 65 63 72 65 ...(1 more))"]);
    let lines = decode_then_describe(&mut Decoder::new(DEFAULT_SIZE), "0401 00");
    assert_eq!(
        lines,
        [":path: \\x00 — literal without indexing, name static 4 (04 01 00)"]
    );
}

fn decode_then_describe(decoder: &mut Decoder, block: &str) -> Vec<String> {
    let block = hex(block);
    let fields = decoder.decode(&block, 4096).unwrap();
    fields.iter().map(|f| f.describe(&block)).collect()
}

#[test]
fn size_updates() {
    let mut decoder = Decoder::new(DEFAULT_SIZE);
    // 0, then 256 (31 + 0xe1 - 0x80 + 1 * 128), then a field.
    let block = hex("20 3fe101 82");
    let fields = decoder.decode(&block, 4096).unwrap();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].bytes, 4..5);
    let updates = decoder.size_updates();
    assert_eq!(
        updates,
        [
            SizeUpdate {
                size: 0,
                bytes: 0..1
            },
            SizeUpdate {
                size: 256,
                bytes: 1..4
            }
        ]
    );
    assert_eq!(
        updates[1].describe(&block),
        "dynamic table size update to 256 bytes (3f e1 01)"
    );
    assert_eq!(decoder.table().max_size(), 256);
    assert_eq!(
        decoder.decode(&hex("82 3fe101"), 4096),
        Err(Error::SizeUpdateMisplaced)
    );
    // Two start a block; a third is refused, however small.
    assert_eq!(
        decoder.decode(&hex("20 20 20 82"), 4096),
        Err(Error::TooManySizeUpdates)
    );

    // 4096 is allowed, 4097 not.
    let mut decoder = Decoder::new(DEFAULT_SIZE);
    assert_eq!(decoder.decode(&hex("3fe11f"), 4096), Ok(vec![]));
    let too_large = Err(Error::SizeUpdateTooLarge {
        size: 4097,
        max: 4096,
    });
    assert_eq!(decoder.decode(&hex("3fe21f"), 4096), too_large);
}

#[test]
fn a_lower_bound_needs_a_size_update() {
    let mut decoder = Decoder::new(DEFAULT_SIZE);
    decoder.decode(&hex(C3[0].hex), 4096).unwrap();
    decoder.set_max_table_size(0);
    assert_eq!(
        decoder.clone().decode(&hex("82"), 4096),
        Err(Error::SizeUpdateMissing { max: 0 })
    );
    assert_eq!(
        decoder.clone().decode(&[], 4096),
        Err(Error::SizeUpdateMissing { max: 0 })
    );
    assert_eq!(
        decoder.clone().decode(&hex("3f01"), 4096),
        Err(Error::SizeUpdateTooLarge { size: 32, max: 0 })
    );
    assert_eq!(decoder.decode(&hex("20 82"), 4096).unwrap().len(), 1);
    assert!(decoder.table().is_empty());
}

#[test]
fn the_encoder_sends_the_smallest_size_then_the_last() {
    let mut encoder = Encoder::new(DEFAULT_SIZE);
    let mut decoder = Decoder::new(DEFAULT_SIZE);
    let mut out = Vec::new();
    encoder.encode(C3[0].fields, &mut out);
    decoder.decode(&out, 4096).unwrap();
    encoder.set_max_table_size(0);
    encoder.set_max_table_size(DEFAULT_SIZE);
    out.clear();
    encoder.encode(&[(":method", "GET")], &mut out);
    assert_eq!(out, hex("20 3fe11f 82"));
    decoder.decode(&out, 4096).unwrap();
    assert!(decoder.table().is_empty() && encoder.table().is_empty());
    encoder.set_max_table_size(100);
    out.clear();
    encoder.encode(&[("a", "b")], &mut out);
    assert_eq!(&out[..2], hex("3f45"));
}

#[test]
fn refusals() {
    let cases: &[(&str, Error)] = &[
        ("80", Error::IndexZero),
        (
            "be",
            Error::BadIndex {
                index: 62,
                dynamic_entries: 0,
            },
        ),
        (
            "7f00 00",
            Error::BadIndex {
                index: 63,
                dynamic_entries: 0,
            },
        ),
        ("ffff ffff ffff 0f", Error::IntegerOverflow),
        ("41", Error::Truncated),
        ("4105 6162", Error::Truncated),
        ("0085 ffff ffff ff", Error::Huffman(huffman::Error::Eos)),
        ("4181 00", Error::Huffman(huffman::Error::PaddingNotOnes)),
        (
            "4182 1fff",
            Error::Huffman(huffman::Error::PaddingTooLong { bits: 11 }),
        ),
    ];
    for (block, error) in cases {
        let got = Decoder::new(DEFAULT_SIZE).decode(&hex(block), 4096);
        assert_eq!(got.as_ref(), Err(error), "{block}");
        assert!(!error.to_string().is_empty());
    }
}

/// A 4 KiB entry, then a block of 1000 references to it: 4 MiB of
/// headers from 1000 bytes. With a 16 KiB list bound, decoding stops at
/// the fourth reference.
#[test]
fn hpack_bomb() {
    let mut encoder = Encoder::new(DEFAULT_SIZE);
    let big = "x".repeat(DEFAULT_SIZE - 32 - 1);
    let mut first = Vec::new();
    encoder.encode(&[("b", big.as_str())], &mut first);
    let bomb = vec![0xbe; 1000];
    let mut decoder = Decoder::new(DEFAULT_SIZE);
    assert_eq!(decoder.decode(&first, 16 * 1024).unwrap().len(), 1);
    assert_eq!(decoder.table().size(), DEFAULT_SIZE);
    let started = std::time::Instant::now();
    let got = decoder.clone().decode(&bomb, 16 * 1024);
    assert_eq!(got, Err(Error::HeaderListTooLarge { max: 16 * 1024 }));
    assert!(started.elapsed() < std::time::Duration::from_millis(100));
    // The bound is what stopped it.
    assert_eq!(decoder.decode(&bomb, 5 << 20).unwrap().len(), 1000);
}

#[test]
fn the_list_bound_counts_literals_too() {
    let mut out = Vec::new();
    Encoder::new(DEFAULT_SIZE).encode(&[("a", "b"), ("c", "d")], &mut out);
    assert_eq!(
        Decoder::new(DEFAULT_SIZE).decode(&out, 68).map(|f| f.len()),
        Ok(2)
    );
    let too_large = Err(Error::HeaderListTooLarge { max: 67 });
    assert_eq!(Decoder::new(DEFAULT_SIZE).decode(&out, 67), too_large);
}

#[test]
fn huffman_refusals_and_bounds() {
    let decode = |input: &[u8]| {
        let mut out = Vec::new();
        huffman::decode(input, &mut out, 100).map(|()| out)
    };
    assert_eq!(decode(&[]), Ok(vec![]));
    // "a" is 00011: 3 bits of padding.
    assert_eq!(decode(&[0x1f]), Ok(b"a".to_vec()));
    assert_eq!(
        decode(&[0x18]),
        Err(huffman::DecodeError::Huffman(
            huffman::Error::PaddingNotOnes
        ))
    );
    assert_eq!(
        decode(&[0xff]),
        Err(huffman::DecodeError::Huffman(
            huffman::Error::PaddingTooLong { bits: 8 }
        ))
    );
    assert_eq!(
        decode(&[0xff; 4]),
        Err(huffman::DecodeError::Huffman(huffman::Error::Eos))
    );
    // "abc" is 1c 64 (string.rs), decoded within a limit of 3, not 2.
    let mut out = Vec::new();
    assert_eq!(huffman::decode(&[0x1c, 0x64], &mut out, 3), Ok(()));
    assert_eq!(out, b"abc");
    out.clear();
    assert_eq!(
        huffman::decode(&[0x1c, 0x64], &mut out, 2),
        Err(huffman::DecodeError::Limit)
    );
    assert_eq!(out, b"ab");
}

#[test]
fn huffman_code_lengths() {
    // Spot checks against Appendix B's rows.
    assert_eq!(huffman::CODES[usize::from(b'e')], (0x5, 5));
    assert_eq!(huffman::CODES[usize::from(b' ')], (0x14, 6));
    assert_eq!(huffman::CODES[usize::from(b'~')], (0x1ffd, 13));
    assert_eq!(huffman::CODES[255], (0x3ff_ffee, 26));
    assert_eq!(huffman::CODES[huffman::EOS], (0x3fff_ffff, 30));
    let mut out = Vec::new();
    huffman::encode(b"no-cache", &mut out);
    assert_eq!(out, hex("a8eb 1064 9cbf"));
}

mod random {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// A lowercase token as a name, sometimes one the static table has.
    fn name() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            "[a-z][a-z0-9-]{0,15}".prop_map(String::into_bytes),
            prop::sample::select(&table::STATIC[..]).prop_map(|(n, _)| n.as_bytes().to_vec()),
            Just(b"cookie".to_vec()),
        ]
    }

    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            vec(any::<u8>(), 0..40),
            "[ -~]{0,30}".prop_map(String::into_bytes),
            Just(Vec::new())
        ]
    }

    type List = Vec<(Vec<u8>, Vec<u8>)>;

    fn lists() -> impl Strategy<Value = Vec<(List, Option<usize>)>> {
        let list = vec((name(), value()), 0..12);
        let resize = prop::option::weighted(0.1, 0..=DEFAULT_SIZE);
        vec((list, resize), 1..8)
    }

    proptest! {
        /// Random header lists, block after block through one encoder and
        /// one decoder, sometimes resizing the table: the same lists out,
        /// and the same table on both sides.
        #[test]
        fn encode_decode_round_trip(blocks in lists(), huffman in any::<bool>()) {
            let options = Options { huffman, ..Options::default() };
            let mut encoder = Encoder::with_options(DEFAULT_SIZE, options);
            let mut decoder = Decoder::new(DEFAULT_SIZE);
            for (list, resize) in blocks {
                if let Some(size) = resize {
                    encoder.set_max_table_size(size);
                }
                let mut out = Vec::new();
                encoder.encode(&list, &mut out);
                let fields = decoder.decode(&out, usize::MAX).unwrap();
                let got: List = fields.iter().map(|f| (f.name.clone(), f.value.clone())).collect();
                prop_assert_eq!(got, list);
                let covered: usize = fields.iter().map(|f| f.bytes.len()).sum::<usize>()
                    + decoder.size_updates().iter().map(|u| u.bytes.len()).sum::<usize>();
                prop_assert_eq!(covered, out.len());
                prop_assert!(encoder.table().entries().eq(decoder.table().entries()));
                prop_assert_eq!(encoder.table().size(), decoder.table().size());
            }
        }

        /// Any bytes: a list or an error, never a panic; and the list
        /// within its bound.
        #[test]
        fn any_bytes_decode_without_panic(blocks in vec(vec(any::<u8>(), 0..200), 1..4), max in 0usize..2000) {
            let mut decoder = Decoder::new(256);
            for block in blocks {
                if let Ok(fields) = decoder.decode(&block, max) {
                    prop_assert!(fields.iter().map(Field::size).sum::<usize>() <= max);
                    for field in &fields {
                        field.describe(&block);
                    }
                }
            }
        }

        /// Blocks made of valid-looking pieces (indexes, literals, both
        /// kinds of string), so that more of them decode far.
        #[test]
        fn any_pieces_decode_without_panic(pieces in vec(prop_oneof![
            (0x80u8..=0xff).prop_map(|b| vec![b]),
            (0x40u8..0x80, vec(any::<u8>(), 0..10)).prop_map(|(b, s)| [vec![b, s.len() as u8], s].concat()),
            (0u8..0x20, vec(any::<u8>(), 0..10)).prop_map(|(b, s)| [vec![b, 0x80 | s.len() as u8], s].concat()),
            vec(any::<u8>(), 0..4),
        ], 0..20)) {
            let block = pieces.concat();
            let _ = Decoder::new(256).decode(&block, 4096);
        }

        #[test]
        fn huffman_round_trip(bytes in vec(any::<u8>(), 0..300)) {
            let mut coded = Vec::new();
            huffman::encode(&bytes, &mut coded);
            prop_assert_eq!(coded.len(), huffman::encoded_len(&bytes));
            let mut decoded = Vec::new();
            prop_assert_eq!(huffman::decode(&coded, &mut decoded, usize::MAX), Ok(()));
            prop_assert_eq!(decoded, bytes);
        }

        #[test]
        fn huffman_any_bytes_without_panic(bytes in vec(any::<u8>(), 0..100)) {
            let mut out = Vec::new();
            let _ = huffman::decode(&bytes, &mut out, 50);
            prop_assert!(out.len() <= 50);
        }
    }
}
