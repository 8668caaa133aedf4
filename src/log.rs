//! Event lines: what the server prints about each connection, and how raw
//! bytes are made readable in them.
//!
//! Everything goes to stdout, one line per event, like the tutorial's
//! `console.log`. Rust's stdout is line-buffered, so every line reaches a pipe
//! (a test, `tee`, `grep`) as soon as it is printed. Errors that end the
//! program go to stderr instead (see `main.rs`).

use std::fmt;
use std::io::Write;
use std::net::SocketAddr;

/// How much the server says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Only the start-up and shutdown lines.
    Quiet,
    /// One line per connection event.
    Events,
    /// Events, plus every byte received (`>`) and sent (`<`).
    Trace,
}

/// How many bytes of a chunk the `data` event line shows before `...`.
const PREVIEW_BYTES: usize = 48;

/// Prints one line to stdout whatever the verbosity: start-up and shutdown.
///
/// A closed stdout (say `rawnet | head -1`) must not take the server down, so
/// write errors are ignored here instead of panicking as `println!` would.
pub fn line(args: fmt::Arguments) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(args);
    let _ = out.write_all(b"\n");
}

/// The log of one connection: every line starts with `#ID ADDR:PORT`.
#[derive(Clone, Copy, Debug)]
pub struct ConnLog {
    pub id: u64,
    pub peer: SocketAddr,
    pub verbosity: Verbosity,
}

impl ConnLog {
    /// An event line: `#3 127.0.0.1:51234 end`.
    pub fn event(&self, args: fmt::Arguments) {
        if self.verbosity >= Verbosity::Events {
            line(format_args!("#{} {} {}", self.id, self.peer, args));
        }
    }

    /// A `data` event for bytes just received, with a short escaped preview.
    pub fn data(&self, bytes: &[u8]) {
        if self.verbosity >= Verbosity::Events {
            let unit = if bytes.len() == 1 { "byte" } else { "bytes" };
            self.event(format_args!(
                "data {} {unit}: {}",
                bytes.len(),
                Escaped::preview(bytes, PREVIEW_BYTES)
            ));
        }
    }

    /// With `--trace`, the exact bytes received (`>`) or sent (`<`).
    pub fn trace(&self, direction: Direction, bytes: &[u8]) {
        if self.verbosity >= Verbosity::Trace && !bytes.is_empty() {
            let arrow = match direction {
                Direction::Received => '>',
                Direction::Sent => '<',
            };
            line(format_args!(
                "#{} {} {}",
                self.id,
                arrow,
                Escaped::all(bytes)
            ));
        }
    }

    /// Whether event lines are printed: lets a hot path skip preparing one.
    pub fn events(&self) -> bool {
        self.verbosity >= Verbosity::Events
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Direction {
    Received,
    Sent,
}

/// Bytes shown as a double-quoted string that a terminal cannot garble:
/// printable ASCII as is, `\r` `\n` `\t` `\\` `\"` escaped, everything else
/// (control bytes, non-UTF-8, binary) as `\xNN`. A log must show what was on
/// the wire, not what a terminal makes of it.
pub struct Escaped<'a> {
    bytes: &'a [u8],
    /// How many bytes were cut off the end, shown as `...(N more)`.
    cut: usize,
}

impl<'a> Escaped<'a> {
    pub fn all(bytes: &'a [u8]) -> Self {
        Escaped { bytes, cut: 0 }
    }

    pub fn preview(bytes: &'a [u8], max: usize) -> Self {
        let shown = bytes.len().min(max);
        Escaped {
            bytes: &bytes[..shown],
            cut: bytes.len() - shown,
        }
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for &b in self.bytes {
            match b {
                b'\r' => f.write_str("\\r")?,
                b'\n' => f.write_str("\\n")?,
                b'\t' => f.write_str("\\t")?,
                b'\\' => f.write_str("\\\\")?,
                b'"' => f.write_str("\\\"")?,
                0x20..=0x7e => fmt::Write::write_char(f, b as char)?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        f.write_str("\"")?;
        if self.cut > 0 {
            write!(f, "...({} more)", self.cut)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_non_utf8_bytes() {
        let shown = Escaped::all(b"a\"b\\c\r\n\t\x00\xff~").to_string();
        assert_eq!(shown, r#""a\"b\\c\r\n\t\x00\xff~""#);
    }

    #[test]
    fn preview_says_how_much_was_cut() {
        assert_eq!(
            Escaped::preview(b"abcdef", 4).to_string(),
            "\"abcd\"...(2 more)"
        );
        assert_eq!(Escaped::preview(b"abc", 4).to_string(), "\"abc\"");
    }
}
