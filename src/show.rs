//! How raw bytes are shown, wherever rawnet shows them: event lines,
//! `--trace`, `--log json`, the request page, the client's and the bench's
//! messages. Bytes from the wire are never printed as they are: each is
//! shown as [`Byte`] says (text as itself, anything else escaped), a run
//! of them [`Escaped`] (in quotes or bare, maybe cut), or, when they look
//! binary ([`looks_binary`]), as [`Hex`] on one line or as the rows of a
//! hex dump ([`dump_rows`]). A list from the wire (HTTP/2 settings, ALPN
//! names, PROXY TLVs) is shown by its first [`LIST_SHOWN`] items.
//!
//! Below every module that shows bytes, and above none: it knows bytes,
//! not what they mean.

use std::fmt;

use serde::{Serialize, Serializer};

/// How much of a chunk a line shows as text before `...(N more)`: the
/// `data` line, a WebSocket frame's payload, a PROXY TLV's value.
pub(crate) const PREVIEW_BYTES: usize = 48;

/// How much of a binary chunk a line shows in hex: one dump row.
pub(crate) const PREVIEW_HEX_BYTES: usize = 16;

/// How many items of a list from the wire a line names before `… and N
/// more`: HTTP/2 settings, ALPN protocol names, PROXY v2 TLVs. Real
/// clients send a handful (curl 3 settings, Chromium 4; two or three
/// protocol names; HAProxy a few TLVs), so a real list is shown whole; a
/// longer one was made up, and its first 16 say what it is. Before this
/// bound, a 16 KiB SETTINGS frame (2730 settings) made one 60 KB line.
pub(crate) const LIST_SHOWN: usize = 16;

/// How many bytes of one name from the wire (a request's method, a TLS
/// host name, an ALPN protocol name) a line shows before `...(N more)`:
/// 255, the most a DNS name may have (RFC 1035 §2.3.4), which no real
/// host or protocol name passes.
pub(crate) const NAME_SHOWN: usize = 255;

/// How much of binary data a hex dump shows (16 rows) before `… and N
/// more bytes`: enough to recognise a format by its first bytes, few
/// enough that one chunk does not flood the terminal.
pub(crate) const DUMP_BYTES: usize = 256;

/// Whether a byte reads as text: printable ASCII, or the whitespace text
/// is made of (CR, LF, tab).
fn is_text(b: u8) -> bool {
    matches!(b, 0x20..=0x7e | b'\r' | b'\n' | b'\t')
}

/// The rule that picks a hex dump over an escaped string: at least one
/// dump row (16 bytes) long, and more than 1 byte in 8 not [`is_text`].
/// Text with a stray control byte or a UTF-8 letter stays text, and so do
/// short chunks, whose few `\xNN` escapes read well enough.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    let not_text = bytes.iter().filter(|&&b| !is_text(b)).count();
    bytes.len() >= DUMP_ROW && not_text * 8 > bytes.len()
}

/// Bytes in one hex dump row.
const DUMP_ROW: usize = 16;

/// The hex dump of `bytes`, one row per 16 bytes, up to [`DUMP_BYTES`];
/// the caller says how many more there were, in its own words. `--trace`
/// and the request page both show binary this way.
pub(crate) fn dump_rows(bytes: &[u8]) -> impl Iterator<Item = DumpRow<'_>> {
    dump_rows_up_to(bytes, DUMP_BYTES)
}

/// [`dump_rows`] up to `max` bytes instead: for a message worth showing
/// whole, a TLS ClientHello in `--trace`.
pub(crate) fn dump_rows_up_to(bytes: &[u8], max: usize) -> impl Iterator<Item = DumpRow<'_>> {
    bytes[..bytes.len().min(max)]
        .chunks(DUMP_ROW)
        .enumerate()
        .map(|(i, row)| DumpRow {
            offset: i * DUMP_ROW,
            row,
        })
}

/// One row of a hex dump, the shape `hexdump -C` prints: the offset, 16
/// bytes in hex (two groups of 8), then the same bytes as ASCII, `.` for
/// any byte that is not printable. A short last row keeps its columns.
///
/// `  0010  61 62 00 ff                                       |ab..|`
pub(crate) struct DumpRow<'a> {
    offset: usize,
    row: &'a [u8],
}

impl fmt::Display for DumpRow<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "  {:04x}  ", self.offset)?;
        for i in 0..DUMP_ROW {
            if i == DUMP_ROW / 2 {
                f.write_str(" ")?;
            }
            match self.row.get(i) {
                Some(b) => write!(f, "{b:02x} ")?,
                None => f.write_str("   ")?,
            }
        }
        f.write_str(" |")?;
        for &b in self.row {
            let c = if (0x20..=0x7e).contains(&b) {
                b as char
            } else {
                '.'
            };
            fmt::Write::write_char(f, c)?;
        }
        f.write_str("|")
    }
}

/// Bytes as hex on one line, `16 03 01`, then `...(N more)` for what was
/// cut, as [`Escaped::preview`] says it. The `?explain` descriptions use
/// it too, so hex reads the same in the log and in the browser's panel.
pub(crate) struct Hex<'a> {
    bytes: &'a [u8],
    cut: usize,
    separator: &'static str,
}

impl<'a> Hex<'a> {
    /// The first `max` bytes, then `...(N more)`.
    pub(crate) fn preview(bytes: &'a [u8], max: usize) -> Self {
        let shown = bytes.len().min(max);
        Hex {
            bytes: &bytes[..shown],
            cut: bytes.len() - shown,
            separator: " ",
        }
    }

    /// All of `bytes`, joined by `separator` (`37fa213d` for a mask key).
    pub(crate) fn joined(bytes: &'a [u8], separator: &'static str) -> Self {
        Hex {
            bytes,
            cut: 0,
            separator,
        }
    }
}

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.bytes.iter().enumerate() {
            let space = if i == 0 { "" } else { self.separator };
            write!(f, "{space}{b:02x}")?;
        }
        if self.cut > 0 {
            write!(f, " ...({} more)", self.cut)?;
        }
        Ok(())
    }
}

/// How one byte is shown wherever rawnet shows bytes (event lines, the
/// request page): printable ASCII as itself, the usual escapes for CR, LF,
/// tab and backslash, anything else (control bytes, non-UTF-8, binary) as
/// `\xNN`. A log must show what was on the wire, not what a terminal makes
/// of it.
///
/// "Anything else" includes every byte of UTF-8 past ASCII, on purpose: the
/// characters a terminal or a log viewer acts on instead of showing are
/// not only ESC. The C1 controls (U+0080 to U+009F: CSI, U+009B, starts a
/// terminal command as `ESC [` does; NEL, U+0085, breaks a line), the line
/// and paragraph separators (U+2028, U+2029) and the bidi controls (U+202A
/// to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C, which reorder what
/// follows them) are all UTF-8 of two or three bytes above 0x7f. A list of
/// the dangerous characters would always miss one (a no-break space looks
/// like a space); escaping every such byte misses none, and shows the bytes
/// as they crossed the wire: NEL is `\xc2\x85`, `é` is `\xc3\xa9`. The
/// backslash is escaped too, so that `\x41` sent as text reads `\\x41`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Byte {
    Char(char),
    Escape(&'static str),
    Hex(u8),
}

/// How `b` is shown: see [`Byte`].
pub(crate) fn byte(b: u8) -> Byte {
    match b {
        b'\r' => Byte::Escape("\\r"),
        b'\n' => Byte::Escape("\\n"),
        b'\t' => Byte::Escape("\\t"),
        b'\\' => Byte::Escape("\\\\"),
        0x20..=0x7e => Byte::Char(b as char),
        _ => Byte::Hex(b),
    }
}

impl fmt::Display for Byte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Byte::Char(c) => fmt::Write::write_char(f, *c),
            Byte::Escape(text) => f.write_str(text),
            Byte::Hex(b) => write!(f, "\\x{b:02x}"),
        }
    }
}

/// The one way bytes a client chose reach a log line: each byte as
/// [`byte`] says, in every output (the text log, `--trace`, and `--log
/// json`, whose strings hold this same escaped text, so that serde_json,
/// which escapes only C0 controls, never writes a raw one).
///
/// Quoted (`"GET /"`, with `"` as `\"`) where the bytes sit among the
/// line's own words (a preview, a host name); bare where the line's shape
/// already sets them apart (`GET /x HTTP/1.1`, a field name). Either may
/// be cut after a number of bytes, then says `...(N more)`.
pub(crate) struct Escaped<'a> {
    bytes: &'a [u8],
    /// How many bytes were cut off the end, shown as `...(N more)`.
    cut: usize,
    /// In double quotes, with `"` escaped.
    quoted: bool,
}

impl<'a> Escaped<'a> {
    pub(crate) fn all(bytes: &'a [u8]) -> Self {
        Escaped {
            bytes,
            cut: 0,
            quoted: true,
        }
    }

    pub(crate) fn preview(bytes: &'a [u8], max: usize) -> Self {
        let shown = bytes.len().min(max);
        Escaped {
            bytes: &bytes[..shown],
            cut: bytes.len() - shown,
            quoted: true,
        }
    }

    /// Without the quotes: a request's method and target, a field name.
    pub(crate) fn bare(bytes: &'a [u8]) -> Self {
        Escaped {
            quoted: false,
            ..Escaped::all(bytes)
        }
    }

    /// [`Escaped::bare`], cut after `max` bytes.
    pub(crate) fn bare_preview(bytes: &'a [u8], max: usize) -> Self {
        Escaped {
            quoted: false,
            ..Escaped::preview(bytes, max)
        }
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quoted {
            f.write_str("\"")?;
        }
        for &b in self.bytes {
            match b {
                b'"' if self.quoted => f.write_str("\\\"")?,
                _ => write!(f, "{}", byte(b))?,
            }
        }
        if self.quoted {
            f.write_str("\"")?;
        }
        if self.cut > 0 {
            write!(f, "...({} more)", self.cut)?;
        }
        Ok(())
    }
}

/// Bytes from the wire as a JSON string: the text [`Escaped::bare`] shows.
pub(crate) fn as_bare<T: AsRef<[u8]> + ?Sized, S: Serializer>(
    bytes: &&T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(&Escaped::bare((*bytes).as_ref()))
}

/// The first [`LIST_SHOWN`] of a list, and how many more there are: a
/// line names those, then says `… and N more`.
fn first_of<T>(list: &[T]) -> (&[T], usize) {
    let shown = list.len().min(LIST_SHOWN);
    (&list[..shown], list.len() - shown)
}

/// Writes a list's first [`LIST_SHOWN`] items with `item`, separated by
/// `, `, then `, … and N more` for the rest.
pub(crate) fn write_first<T>(
    f: &mut fmt::Formatter<'_>,
    list: &[T],
    mut item: impl FnMut(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    let (shown, more) = first_of(list);
    for (i, one) in shown.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        item(f, one)?;
    }
    if more > 0 {
        write!(f, ", … and {more} more")?;
    }
    Ok(())
}

/// In JSON, a list's first [`LIST_SHOWN`] items as `name` (each made by
/// `item`), and `name_not_shown`, how many more there were: two fields,
/// flattened into the event's.
pub(crate) fn first_entries<S: Serializer, T, V: Serialize>(
    s: S,
    name: &'static str,
    not_shown: &'static str,
    list: &[T],
    item: impl Fn(&T) -> V,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let (shown, more) = first_of(list);
    let items: Vec<V> = shown.iter().map(item).collect();
    let mut fields = s.serialize_map(Some(2))?;
    fields.serialize_entry(name, &items)?;
    fields.serialize_entry(not_shown, &more)?;
    fields.end()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_non_utf8_bytes() {
        let shown = Escaped::all(b"a\"b\\c\r\n\t\x00\xff~").to_string();
        assert_eq!(shown, r#""a\"b\\c\r\n\t\x00\xff~""#);
    }

    /// Each class a terminal or viewer acts on, in UTF-8, shown as its
    /// bytes: C1 (CSI, NEL), the separators, the bidi controls, and a
    /// no-break space that would pass for a space.
    #[test]
    fn every_byte_past_ascii_is_escaped_so_no_class_reaches_a_terminal() {
        for (text, shown) in [
            ("\x1b[2J", r"\x1b[2J"),
            ("\u{9b}2J", r"\xc2\x9b2J"),
            ("\u{85}", r"\xc2\x85"),
            ("\u{2028}\u{2029}", r"\xe2\x80\xa8\xe2\x80\xa9"),
            ("\u{202a}\u{202e}", r"\xe2\x80\xaa\xe2\x80\xae"),
            ("\u{2066}\u{2069}", r"\xe2\x81\xa6\xe2\x81\xa9"),
            (
                "\u{200e}\u{200f}\u{61c}",
                r"\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
            ),
            ("\u{a0}", r"\xc2\xa0"),
        ] {
            assert_eq!(Escaped::bare(text.as_bytes()).to_string(), shown);
        }
        // Bare keeps `"` as it is; a backslash is always doubled, so that
        // an escape is never mistaken for bytes that look like one.
        assert_eq!(Escaped::bare(br#"a"b\x41"#).to_string(), r#"a"b\\x41"#);
        assert_eq!(Escaped::all(br#"a"b"#).to_string(), r#""a\"b""#);
    }

    #[test]
    fn preview_says_how_much_was_cut() {
        assert_eq!(
            Escaped::preview(b"abcdef", 4).to_string(),
            "\"abcd\"...(2 more)"
        );
        assert_eq!(Escaped::preview(b"abc", 4).to_string(), "\"abc\"");
    }

    /// 40 bytes: a TLS record's first bytes, a line of text, then bytes
    /// the ASCII column must not pass through (`\x00`, `\xff`, `\x7f`).
    pub(crate) const FORTY: &[u8] =
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03^/\x8a\x11\xc4GET / HTTP/1.1\r\n\x00\xff<a>\\\"\x7f";

    #[test]
    fn a_hex_dump_has_the_shape_of_hexdump_c() {
        let rows: Vec<String> = dump_rows(FORTY).map(|row| row.to_string()).collect();
        assert_eq!(
            rows,
            [
                "  0000  16 03 01 02 00 01 00 01  fc 03 03 5e 2f 8a 11 c4  |...........^/...|",
                "  0010  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|",
                "  0020  00 ff 3c 61 3e 5c 22 7f                           |..<a>\\\".|",
            ]
        );
    }

    #[test]
    fn binary_means_more_than_one_byte_in_eight_is_not_text() {
        // 16 bytes with 2 that are not text (1 in 8): still text.
        assert!(!looks_binary(b"\x00\x01abcdefghijklmn"));
        // 3 of 16: binary.
        assert!(looks_binary(b"\x00\x01\x02bcdefghijklmn"));
        // CR, LF and tab are text; so is a short chunk, whatever it holds.
        assert!(!looks_binary(b"a\r\n\tb\r\n\tc\r\n\td\r\n\te"));
        assert!(!looks_binary(b"\x16\x03\x01\x02\x00"));
        assert!(!looks_binary(b""));
        assert!(looks_binary(FORTY));
    }
}
