//! A ClientHello's fingerprints: short strings that name the TLS library
//! and settings a client uses, whatever host it connects to. Two clients
//! built on the same library send the same suites, extensions and groups,
//! so they get the same fingerprint; a bot that claims to be Chrome in
//! its User-Agent but sends curl's hello does not.
//!
//! - JA3 (Salesforce, BSD-3-Clause; `README.md` of salesforce/ja3): the
//!   hello's version, cipher suites, extensions, groups and point formats
//!   in decimal, `SSLVersion,Ciphers,Extensions,EllipticCurves,
//!   PointFormats`, each list joined by `-`, GREASE left out, and the MD5
//!   of that string. Wire order counts, so a client that shuffles its
//!   extensions (Chrome, since version 110) gets a new JA3 each time.
//! - JA4 (FoxIO, BSD-3-Clause; `technical_details/JA4.md` of
//!   FoxIO-LLC/ja4): `a_b_c`, where `a` reads as words (`t13d1516h2`:
//!   TCP, TLS 1.3, to a domain, 15 suites, 16 extensions, ALPN h2), `b` is
//!   a hash of the sorted suites and `c` of the sorted extensions and the
//!   signature algorithms. Sorting makes it the same across Chrome's
//!   shuffles. `_r` shows the lists instead of their hashes, `_o` keeps
//!   the wire order (and SNI and ALPN among the extensions).
//!
//! The rest of the JA4+ family (JA4S, JA4H, JA4X, ...) is under another
//! licence, FoxIO's own, and is not here.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{is_grease, ClientHello};

/// The extension JA4's `c` leaves out as `a` already says it: server_name
/// (`d` or `i`) and ALPN (its first and last characters).
const SERVER_NAME: u16 = 0x0000;
const ALPN: u16 = 0x0010;

/// What JA4 writes for a list with nothing in it, rather than the hash of
/// nothing, "as this makes it clear to the user when a field has no
/// values" (JA4.md).
const EMPTY_HASH: &str = "000000000000";

/// A hello's JA3 and JA4 fingerprints, each as its spec spells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    /// The JA3 string before its hash: `771,4865-4866-...,0-23-...,29-23-24,0`.
    pub ja3: String,
    /// JA3 itself: the MD5 of [`ja3`](Fingerprints::ja3), lowercase hex.
    pub ja3_md5: String,
    /// JA4: `t13d1516h2_8daaf6152771_e5627efa2ab1`.
    pub ja4: String,
    /// JA4 raw: the same with the sorted lists in place of their hashes.
    pub ja4_r: String,
    /// JA4 in original order: the lists as sent (SNI and ALPN kept),
    /// hashed.
    pub ja4_o: String,
    /// JA4 raw in original order: the lists as sent.
    pub ja4_ro: String,
}

impl Fingerprints {
    /// Both fingerprints of `hello`.
    pub fn of(hello: &ClientHello) -> Self {
        let ja3 = ja3(hello);
        let ja3_md5 = lower_hex(&Md5::digest(ja3.as_bytes()));
        let a = ja4_a(hello);
        let suites = without_grease(&hello.cipher_suites);
        let extensions = without_grease(&hello.extensions);
        let signatures = without_grease(&hello.signature_algorithms);

        let mut sorted_suites = suites.clone();
        sorted_suites.sort_unstable();
        let mut sorted_extensions: Vec<u16> = extensions
            .iter()
            .copied()
            .filter(|&e| e != SERVER_NAME && e != ALPN)
            .collect();
        sorted_extensions.sort_unstable();

        let b_r = hex_list(&sorted_suites);
        let c_r = ja4_c(&sorted_extensions, &signatures);
        let b_ro = hex_list(&suites);
        let c_ro = ja4_c(&extensions, &signatures);
        Fingerprints {
            ja3,
            ja3_md5,
            ja4: format!("{a}_{}_{}", hash12(&b_r), hash12(&c_r)),
            ja4_r: format!("{a}_{b_r}_{c_r}"),
            ja4_o: format!("{a}_{}_{}", hash12(&b_ro), hash12(&c_ro)),
            ja4_ro: format!("{a}_{b_ro}_{c_ro}"),
        }
    }
}

/// The JA3 string: `SSLVersion,Ciphers,Extensions,EllipticCurves,
/// PointFormats`. The version is the hello's own (`legacy_version`, 771
/// for TLS 1.2 and 1.3 alike), not the record's or `supported_versions`';
/// an empty list leaves its field empty (`769,4-5-10,,,`).
fn ja3(hello: &ClientHello) -> String {
    let decimal = |list: &[u16]| {
        let list: Vec<String> = without_grease(list).iter().map(u16::to_string).collect();
        list.join("-")
    };
    let formats: Vec<String> = hello.point_formats.iter().map(u8::to_string).collect();
    format!(
        "{},{},{},{},{}",
        hello.legacy_version,
        decimal(&hello.cipher_suites),
        decimal(&hello.extensions),
        decimal(&hello.groups),
        formats.join("-")
    )
}

/// JA4's first part, `t13d1516h2`: the transport (`t`, TLS over TCP: this
/// port never sees QUIC or DTLS), the version, `d` for a hello that names
/// a host (SNI) or `i` for one that does not (an IP address), the number
/// of suites and of extensions (GREASE left out, at most 99), and the
/// first protocol's first and last characters (`00` for none).
fn ja4_a(hello: &ClientHello) -> String {
    let sni = if hello.extensions.contains(&SERVER_NAME) {
        'd'
    } else {
        'i'
    };
    let count = |list: &[u16]| without_grease(list).len().min(99);
    format!(
        "t{}{sni}{:02}{:02}{}",
        ja4_version(hello),
        count(&hello.cipher_suites),
        count(&hello.extensions),
        ja4_alpn(hello.alpn.first().map(Vec::as_slice))
    )
}

/// The version JA4 names: the highest in `supported_versions` (GREASE
/// already out), or the hello's own without it; the record's is ignored.
fn ja4_version(hello: &ClientHello) -> &'static str {
    let version = hello
        .versions
        .iter()
        .max()
        .copied()
        .unwrap_or(hello.legacy_version);
    match version {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

/// The first ALPN protocol's first and last characters (`h2`, `h1` for
/// `http/1.1`; one character counts as both). When either end is not an
/// ASCII letter or digit, the first and last characters of the protocol's
/// hex are used instead: `0x30 0xab` gives `3b` (JA4.md, "ALPN Extension
/// Value"). No ALPN gives `00`.
fn ja4_alpn(first: Option<&[u8]>) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let Some((&start, &end)) = first.and_then(|p| Some((p.first()?, p.last()?))) else {
        return "00".into();
    };
    if start.is_ascii_alphanumeric() && end.is_ascii_alphanumeric() {
        [char::from(start), char::from(end)].iter().collect()
    } else {
        let high = HEX[usize::from(start >> 4)];
        let low = HEX[usize::from(end & 0x0f)];
        [char::from(high), char::from(low)].iter().collect()
    }
}

/// JA4's third part before its hash: the extensions, then `_` and the
/// signature algorithms in the order sent; with no signature algorithms,
/// the extensions alone, without the `_`.
fn ja4_c(extensions: &[u16], signatures: &[u16]) -> String {
    let extensions = hex_list(extensions);
    if signatures.is_empty() {
        extensions
    } else {
        format!("{extensions}_{}", hex_list(signatures))
    }
}

/// `list` without its GREASE values.
fn without_grease(list: &[u16]) -> Vec<u16> {
    list.iter().copied().filter(|&v| !is_grease(v)).collect()
}

/// Codes as JA4 writes them: 4 lowercase hex digits, joined by `,`.
fn hex_list(list: &[u16]) -> String {
    let list: Vec<String> = list.iter().map(|v| format!("{v:04x}")).collect();
    list.join(",")
}

/// The first 12 hex digits of the SHA-256 of `text`; [`EMPTY_HASH`] for
/// an empty list.
fn hash12(text: &str) -> String {
    if text.is_empty() {
        return EMPTY_HASH.into();
    }
    let mut hex = lower_hex(&Sha256::digest(text.as_bytes()));
    hex.truncate(12);
    hex
}

/// Bytes as lowercase hex, two digits each.
fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::super::hello::{parse, Hello};
    use super::super::samples::{captured_fingerprints, unhex, vectors, CAPTURED};
    use super::*;

    fn hello_of(record: &[u8]) -> ClientHello {
        match parse(record) {
            Hello::Complete(hello, used) if used == record.len() => hello,
            other => panic!("{other:?}"),
        }
    }

    fn captured(name: &str) -> Fingerprints {
        let (_, bytes) = CAPTURED.iter().find(|(n, _)| *n == name).unwrap();
        Fingerprints::of(&hello_of(bytes))
    }

    /// Each vector's JA3 string and MD5, and its JA4, JA4_r and JA4_o, as
    /// the independent implementations gave them; `_ro` must hash to
    /// `_o`'s parts, as `_r` to JA4's.
    #[test]
    fn every_vector_gets_its_fingerprints() {
        for vector in vectors() {
            let got = Fingerprints::of(&hello_of(&unhex(&vector.client_hello_record_hex)));
            let source = &vector.source;
            assert_eq!(got.ja3, vector.ja3_string, "{source}");
            assert_eq!(got.ja3_md5, vector.ja3, "{source}");
            assert_eq!(got.ja4, vector.ja4, "{source}");
            assert_eq!(got.ja4_o, vector.ja4_o, "{source}");
            assert_eq!(
                got.ja4_r,
                expected_raw(&vector.ja4_r, &vector.ja4, &vector.note)
            );
            assert_eq!(rehash(&got.ja4_r), got.ja4, "{source}");
            assert_eq!(rehash(&got.ja4_ro), got.ja4_o, "{source}");
        }
    }

    /// The non-ASCII ALPN vector (first protocol `ba ad`) has `bd` in its
    /// `ja4` and `ja4_o`, as the spec's hex rule says, but its `ja4_r` kept
    /// the `99` of FoxIO's test data (FoxIO's code, and ja4plus after it,
    /// write `9` for a byte past ASCII; see the vector's note). One hello
    /// has one `a` part, so the spec's `bd` is expected in `ja4_r` too.
    fn expected_raw(raw: &str, ja4: &str, note: &Option<String>) -> String {
        match note {
            Some(_) if raw[..10] != ja4[..10] => {
                assert_eq!(&raw[..10], "t13d151699");
                format!("{}{}", &ja4[..10], &raw[10..])
            }
            _ => raw.to_string(),
        }
    }

    /// A raw JA4 hashed into its short form, as JA4.md says: `a` as it
    /// is, `b` and `c` each through [`hash12`].
    fn rehash(raw: &str) -> String {
        let (a, rest) = raw.split_once('_').unwrap();
        let (b, c) = rest.split_once('_').unwrap();
        format!("{a}_{}_{}", hash12(b), hash12(c))
    }

    /// The JA3 README's two worked examples.
    #[test]
    fn the_ja3_readmes_examples() {
        let md5 = |text: &str| lower_hex(&Md5::digest(text.as_bytes()));
        assert_eq!(
            md5("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"),
            "ada70206e40642a3e4461f35503241d5"
        );
        assert_eq!(
            md5("769,4-5-10-9-100-98-3-6-19-18-99,,,"),
            "de350869b8c85de67a350c8d186f11e6"
        );
        // The second one from a hello: TLS 1.0, those suites, no extensions.
        let hello = ClientHello {
            legacy_version: 0x0301,
            cipher_suites: vec![4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99],
            ..ClientHello::default()
        };
        let fingerprints = Fingerprints::of(&hello);
        assert_eq!(fingerprints.ja3, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
        assert_eq!(fingerprints.ja3_md5, "de350869b8c85de67a350c8d186f11e6");
    }

    /// JA4.md's example (Chrome): its suites, extensions and signature
    /// algorithms, in the order it lists them, make each of its strings.
    #[test]
    fn the_ja4_specs_example() {
        let hello = spec_example();
        let got = Fingerprints::of(&hello);
        assert_eq!(got.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
        assert_eq!(
            got.ja4_r,
            "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,\
             cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_\
             0403,0804,0401,0503,0805,0501,0806,0601"
        );
        assert_eq!(got.ja4_o, "t13d1516h2_acb858a92679_18f69afefd3d");
        assert_eq!(
            got.ja4_ro,
            "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,\
             002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,\
             000a,0015_0403,0804,0401,0503,0805,0501,0806,0601"
        );
        // "If there are no signature algorithms in the hello packet, then
        // the string ends without an underscore and is hashed."
        let none = ClientHello {
            signature_algorithms: vec![],
            ..hello
        };
        assert!(Fingerprints::of(&none).ja4.ends_with("_6d807ffa2a79"));
    }

    /// The hello of JA4.md's example, as far as JA4 reads it.
    fn spec_example() -> ClientHello {
        ClientHello {
            legacy_version: 0x0303,
            cipher_suites: vec![
                0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
            ],
            extensions: vec![
                0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023,
                0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015,
            ],
            sni: Some("example.com".into()),
            alpn: vec![b"h2".to_vec()],
            versions: vec![0x0304, 0x0303],
            signature_algorithms: vec![
                0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
            ],
            ..ClientHello::default()
        }
    }

    /// GREASE is dropped everywhere: among the suites and extensions, and
    /// inside supported_versions, supported_groups and the signature
    /// algorithms (Chrome has put it there since version 152).
    #[test]
    fn grease_is_dropped_everywhere() {
        let plain = spec_example();
        let mut greasy = plain.clone();
        greasy.cipher_suites.insert(0, 0x0a0a);
        greasy.extensions.insert(0, 0x1a1a);
        greasy.extensions.push(0x2a2a);
        greasy.groups = vec![0x3a3a, 0x001d, 0x0017];
        greasy.versions_sent = vec![0x4a4a, 0x0304, 0x0303];
        greasy.signature_algorithms.insert(2, 0x5a5a);
        let plain = Fingerprints::of(&ClientHello {
            groups: vec![0x001d, 0x0017],
            ..plain
        });
        assert_eq!(Fingerprints::of(&greasy), plain);
        assert_eq!(plain.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
        assert!(plain.ja3.ends_with(",29-23,"), "{}", plain.ja3);
        // A supported_versions of GREASE alone says nothing: the hello's
        // own version is used.
        let only_grease = ClientHello {
            versions: vec![],
            versions_sent: vec![0x6a6a],
            ..greasy
        };
        assert!(Fingerprints::of(&only_grease).ja4.starts_with("t12d"));
    }

    /// Lists with nothing in them: `000000000000` for JA4's hashes, not
    /// the SHA-256 of nothing; `00` for no ALPN; `i` for no SNI.
    #[test]
    fn empty_lists_hash_as_zeros() {
        let bare = ClientHello {
            legacy_version: 0x0303,
            cipher_suites: vec![0x1301],
            ..ClientHello::default()
        };
        let got = Fingerprints::of(&bare);
        assert_eq!(
            got.ja4,
            format!("t12i010000_{}_000000000000", hash12("1301"))
        );
        assert_eq!(got.ja4_r, "t12i010000_1301_");
        assert_eq!(got.ja3, "771,4865,,,");
        // Only SNI and ALPN: JA4's sorted list is empty, `_o`'s is not.
        let named = ClientHello {
            extensions: vec![0x0000, 0x0010],
            alpn: vec![b"h2".to_vec()],
            ..bare
        };
        let got = Fingerprints::of(&named);
        assert!(got.ja4.starts_with("t12d0102h2_"));
        assert!(got.ja4.ends_with("_000000000000"));
        assert_eq!(got.ja4_ro, "t12d0102h2_1301_0000,0010");
        assert_ne!(&got.ja4_o[got.ja4_o.len() - 12..], EMPTY_HASH);
    }

    /// JA4.md's ALPN examples, one by one, and the counts' cap at 99.
    #[test]
    fn alpn_characters_and_counts() {
        for (alpn, shown) in [
            (&b"h2"[..], "h2"),
            (b"http/1.1", "h1"),
            (b"h", "hh"),
            (b"\xab", "ab"),
            (b"\xab\xcd", "ad"),
            (b"\x30\xab", "3b"),
            (b"\x30\x31\xab\xcd", "3d"),
            (b"\x30\xab\xcd\x31", "01"),
        ] {
            assert_eq!(ja4_alpn(Some(alpn)), shown, "{alpn:?}");
        }
        assert_eq!(ja4_alpn(None), "00");
        assert_eq!(ja4_alpn(Some(b"")), "00");
        let many = ClientHello {
            legacy_version: 0x0303,
            cipher_suites: (1..=150).collect(),
            ..ClientHello::default()
        };
        assert!(Fingerprints::of(&many).ja4.starts_with("t12i9900"));
    }

    /// Real hellos: each has fingerprints of the right shape, and curl's
    /// says TLS 1.3, a domain, and h2 first.
    #[test]
    fn captured_hellos_have_fingerprints_of_the_right_shape() {
        for (name, bytes) in CAPTURED {
            let got = Fingerprints::of(&hello_of(bytes));
            let parts: Vec<&str> = got.ja4.split('_').collect();
            assert_eq!(parts.len(), 3, "{name}: {}", got.ja4);
            assert_eq!(parts[0].len(), 10, "{name}: {}", got.ja4);
            assert!(parts[0].starts_with("t13d"), "{name}: {}", got.ja4);
            assert!(parts[1..].iter().all(|p| p.len() == 12));
            assert_eq!(got.ja3_md5.len(), 32);
            assert!(got.ja3.starts_with("771,"), "{name}: {}", got.ja3);
            assert_eq!(rehash(&got.ja4_r), got.ja4, "{name}");
        }
        let curl = captured("curl");
        assert!(curl.ja4.starts_with("t13d3112h2_"), "{}", curl.ja4);
    }

    /// Every captured hello's fingerprints, all six, as independent
    /// implementations gave them (pyja3 for JA3, ja4plus for JA4; see
    /// `captured-fingerprints.json`'s `about`). Chromium 156's JA4,
    /// `t13d1517h2_8daaf6152771_cb7bf5808d99`, is also the one FoxIO's own
    /// test data has for a Chrome with GREASE among its signature
    /// algorithms (their `sigalg-grease.pcapng`).
    #[test]
    fn captured_hellos_match_independent_implementations() {
        for expected in captured_fingerprints() {
            let got = captured(&expected.client);
            let want = Fingerprints {
                ja3: expected.ja3_string,
                ja3_md5: expected.ja3,
                ja4: expected.ja4,
                ja4_r: expected.ja4_r,
                ja4_o: expected.ja4_o,
                ja4_ro: expected.ja4_ro,
            };
            assert_eq!(got, want, "{}", expected.client);
        }
        assert_eq!(captured_fingerprints().len(), CAPTURED.len());
    }

    /// Chromium shuffles its extensions on every connection: JA3 and
    /// JA4_o change, JA4 and JA4_r (sorted) do not.
    #[test]
    fn chromiums_two_hellos_share_ja4_but_not_ja3() {
        let (one, two) = (captured("chromium-1"), captured("chromium-2"));
        assert_eq!(one.ja4, two.ja4);
        assert_eq!(one.ja4_r, two.ja4_r);
        assert_ne!(one.ja3, two.ja3);
        assert_ne!(one.ja3_md5, two.ja3_md5);
        assert_ne!(one.ja4_o, two.ja4_o);
        assert!(
            one.ja4.starts_with("t13d1517h2_8daaf6152771_"),
            "{}",
            one.ja4
        );
    }
}
