#![cfg(feature = "h2")]
//! rawnet's HPACK (`src/h2/hpack/`) against an independent one: Python's
//! `hpack` package (Debian's python3-hpack, which scripts/test.sh
//! installs), both ways, over 200 random header lists sent as 200 blocks
//! on one connection, so that each side's dynamic table carries over from
//! block to block, with table size updates along the way:
//!
//! - Python encodes, rawnet decodes: the same lists, a never-indexed
//!   field wherever Python was told a field was sensitive, and after each
//!   block rawnet's table equal to the Python encoder's.
//! - rawnet encodes, Python decodes: the same lists, and after each block
//!   Python's table equal to rawnet's encoder's.
//!
//! Names are lowercase tokens (a third from the static table, some
//! repeated), values arbitrary bytes (some repeated, some long enough to
//! evict), so both indexing and Huffman coding of every byte are used.

use std::io::Write;
use std::process::{Command, Stdio};

use rawnet::hpack::table::{DynamicTable, DEFAULT_SIZE};
use rawnet::hpack::{Decoder, Encoder, Representation};
use serde_json::{json, Value};

/// The Python side: reads a job as JSON on stdin, writes the answer as
/// JSON on stdout. Bytes travel as hex.
const SCRIPT: &str = r#"
import json, sys
import hpack

def pairs(fields):
    return [[bytes(n).hex(), bytes(v).hex()] for n, v in fields]

job = json.load(sys.stdin)
out = {"tables": []}
if "lists" in job:
    encoder = hpack.Encoder()
    blocks = []
    for i, (fields, sensitive) in enumerate(zip(job["lists"], job["sensitive"])):
        for size in job["resize"].get(str(i), []):
            encoder.header_table_size = size
        headers = [(bytes.fromhex(n), bytes.fromhex(v), s) for (n, v), s in zip(fields, sensitive)]
        blocks.append(encoder.encode(headers).hex())
        out["tables"].append(pairs(encoder.header_table.dynamic_entries))
    out["blocks"] = blocks
else:
    decoder = hpack.Decoder()
    decoder.max_header_list_size = 1 << 20
    lists = []
    for block in job["blocks"]:
        lists.append(pairs(decoder.decode(bytes.fromhex(block), raw=True)))
        out["tables"].append(pairs(decoder.header_table.dynamic_entries))
    out["lists"] = lists
json.dump(out, sys.stdout)
"#;

const BLOCKS: usize = 200;

/// The table size changes before some blocks: down, to nothing and back,
/// up again.
fn resizes(block: usize) -> &'static [usize] {
    match block {
        60 => &[1024],
        120 => &[0, DEFAULT_SIZE],
        170 => &[2048],
        _ => &[],
    }
}

type List = Vec<(Vec<u8>, Vec<u8>)>;

/// xorshift64*: the same lists on every run, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize, alphabet: &[u8]) -> Vec<u8> {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}

const STATIC_NAMES: &[&str] = &[
    ":authority",
    ":method",
    ":path",
    ":scheme",
    ":status",
    "accept",
    "accept-encoding",
    "authorization",
    "cache-control",
    "content-length",
    "content-type",
    "cookie",
    "date",
    "host",
    "set-cookie",
    "user-agent",
    "via",
];

fn token(rng: &mut Rng) -> Vec<u8> {
    let len = 1 + rng.below(16);
    let mut name = rng.bytes(1, b"abcdefghijklmnopqrstuvwxyz");
    name.extend(rng.bytes(len - 1, b"abcdefghijklmnopqrstuvwxyz0123456789-"));
    name
}

fn value(rng: &mut Rng, seen: &[Vec<u8>]) -> Vec<u8> {
    let all: Vec<u8> = (0..=255).collect();
    let (kind, len) = (rng.below(8), rng.below(60));
    match kind {
        0 | 1 if !seen.is_empty() => seen[rng.below(seen.len())].clone(),
        2 => Vec::new(),
        3 => rng.bytes(200 + 20 * len, &all),
        4 | 5 => rng.bytes(len, b"abcdefghijklmnopqrstuvwxyz0123456789 /.,;=-_"),
        _ => rng.bytes(len, &all),
    }
}

/// 200 header lists, each with whether each field is sensitive (for the
/// Python encoder, which is told so per field).
fn lists() -> Vec<(List, Vec<bool>)> {
    let mut rng = Rng(0x5eed_0f4b_9e11);
    let custom: Vec<Vec<u8>> = (0..8).map(|_| token(&mut rng)).collect();
    let mut seen = Vec::new();
    let mut all = Vec::new();
    for _ in 0..BLOCKS {
        let mut list = List::new();
        let mut sensitive = Vec::new();
        for _ in 0..rng.below(13) {
            let name = match rng.below(3) {
                0 => STATIC_NAMES[rng.below(STATIC_NAMES.len())]
                    .as_bytes()
                    .to_vec(),
                1 => custom[rng.below(custom.len())].clone(),
                _ => token(&mut rng),
            };
            let value = value(&mut rng, &seen);
            seen.push(value.clone());
            sensitive.push(rng.below(10) == 0);
            list.push((name, value));
        }
        all.push((list, sensitive));
    }
    all
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &Value) -> Vec<u8> {
    let text = text.as_str().expect("hex string");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn pairs(value: &Value) -> List {
    let list = value.as_array().expect("a list of pairs");
    list.iter()
        .map(|pair| (unhex(&pair[0]), unhex(&pair[1])))
        .collect()
}

/// The entries of a table, newest first.
fn entries(table: &DynamicTable) -> List {
    table
        .entries()
        .map(|e| (e.name.clone(), e.value.clone()))
        .collect()
}

/// Runs the Python side on `job`, returning its answer: each block's
/// list or bytes, and its table after each block.
fn python(job: &Value) -> Value {
    let mut child = Command::new("/usr/bin/python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3 (scripts/test.sh installs python3-hpack)");
    let input = job.to_string();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "Python's hpack failed (scripts/test.sh installs python3-hpack): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("Python's answer as JSON")
}

fn hex_list(list: &List) -> Value {
    list.iter().map(|(n, v)| json!([hex(n), hex(v)])).collect()
}

#[test]
fn python_encodes_rawnet_decodes() {
    let lists = lists();
    let resize: serde_json::Map<String, Value> = (0..BLOCKS)
        .filter(|&i| !resizes(i).is_empty())
        .map(|i| (i.to_string(), json!(resizes(i))))
        .collect();
    let job = json!({
        "lists": lists.iter().map(|(list, _)| hex_list(list)).collect::<Vec<_>>(),
        "sensitive": lists.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>(),
        "resize": resize,
    });
    let answer = python(&job);
    let blocks = answer["blocks"].as_array().expect("blocks");
    let tables = answer["tables"].as_array().expect("tables");
    assert_eq!((blocks.len(), tables.len()), (BLOCKS, BLOCKS));
    let mut decoder = Decoder::new(DEFAULT_SIZE);
    let mut never_indexed = 0;
    for (i, ((list, sensitive), block)) in lists.iter().zip(blocks).enumerate() {
        let block = unhex(block);
        let fields = decoder
            .decode(&block, 1 << 20)
            .unwrap_or_else(|e| panic!("block {i} ({}): {e}", hex(&block)));
        let got: List = fields
            .iter()
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect();
        assert_eq!(&got, list, "block {i}");
        assert_eq!(
            entries(decoder.table()),
            pairs(&tables[i]),
            "block {i}'s table"
        );
        let sizes: Vec<_> = decoder.size_updates().iter().map(|u| u.size).collect();
        assert_eq!(sizes, resizes(i), "block {i}'s size updates");
        for (field, &sensitive) in fields.iter().zip(sensitive) {
            let never = matches!(field.repr, Representation::LiteralNeverIndexed { .. });
            let indexed = matches!(field.repr, Representation::Indexed { .. });
            // Python sends an exact match in a table as indexed, secret or not.
            assert!(
                never == sensitive || (sensitive && indexed),
                "block {i}: {field:?}"
            );
            never_indexed += usize::from(never);
        }
    }
    assert!(never_indexed > 50, "{never_indexed} never-indexed fields");
    assert!(!decoder.table().is_empty());
}

#[test]
fn rawnet_encodes_python_decodes() {
    let lists = lists();
    let mut encoder = Encoder::new(DEFAULT_SIZE);
    let mut blocks = Vec::new();
    let mut tables = Vec::new();
    for (i, (list, _)) in lists.iter().enumerate() {
        for &size in resizes(i) {
            encoder.set_max_table_size(size);
        }
        let mut block = Vec::new();
        encoder.encode(list, &mut block);
        blocks.push(hex(&block));
        tables.push(entries(encoder.table()));
    }
    let answer = python(&json!({ "blocks": blocks }));
    let decoded = answer["lists"].as_array().expect("lists");
    let python_tables = answer["tables"].as_array().expect("tables");
    assert_eq!((decoded.len(), python_tables.len()), (BLOCKS, BLOCKS));
    for (i, ((list, _), got)) in lists.iter().zip(decoded).enumerate() {
        assert_eq!(&pairs(got), list, "block {i}: {}", blocks[i]);
        assert_eq!(pairs(&python_tables[i]), tables[i], "block {i}'s table");
    }
    assert!(!encoder.table().is_empty());
}
