//! Reading a request body: `Content-Length` bytes, or `chunked` framing
//! (RFC 9112 §7.1) decoded one byte of framing at a time, so a body that
//! arrives in pieces of any size decodes the same.
//!
//! The chunked decoder is strict where lax parsers were exploited: the size
//! is 1 to 16 hex digits and nothing else (no `0x`, `+` or leading space:
//! hyper CVE-2021-32714), and every line ends in CRLF (a bare LF was Go's
//! CVE-2025-22871).

use super::refusal::{ChunkProblem, Refusal};
use super::request::Framing;

/// Longest chunk extension we skip over (`5;name=value`), and longest
/// trailer line; nobody needs more, and the limit bounds the work.
const MAX_LINE: usize = 4096;

/// Where the reader is in the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    Length { remaining: u64 },
    Chunked(Chunked),
}

/// Where a chunked body's decoder is (RFC 9112 §7.1):
/// `chunk-size [ chunk-ext ] CRLF chunk-data CRLF`, repeated, then a
/// size of 0, the trailer section and CRLF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunked {
    /// Hex digits of a chunk size.
    Size {
        value: u64,
        digits: u8,
    },
    /// After the size: optional whitespace and `;extension`, up to CR.
    Extension {
        size: u64,
        semicolon: bool,
        len: usize,
    },
    /// Saw the CR ending a size line; the LF must follow.
    SizeLf {
        size: u64,
    },
    /// Inside a chunk's data, `remaining` bytes of it still to come.
    Data {
        remaining: u64,
    },
    /// After a chunk's data: its CRLF.
    DataCr,
    DataLf,
    /// At the start of a trailer line, or of the final empty line.
    TrailerStart,
    Trailer {
        len: usize,
    },
    /// Saw a CR ending a trailer line (`last`: the line was empty).
    TrailerLf {
        last: bool,
    },
    /// The final CRLF came: the body is complete.
    End,
}

/// Whether the body is complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    NeedMore,
    Done,
}

impl Reader {
    /// A reader for `framing`, or `None` when there is no body.
    pub fn new(framing: Framing) -> Option<Reader> {
        match framing {
            Framing::None => None,
            Framing::Length(n) => Some(Reader::Length { remaining: n }),
            Framing::Chunked => Some(Reader::Chunked(Chunked::Size {
                value: 0,
                digits: 0,
            })),
        }
    }

    /// The most body bytes still to come: what a Content-Length has left;
    /// a chunked body does not say until its last chunk.
    pub fn left(&self) -> u64 {
        match self {
            Reader::Length { remaining } => *remaining,
            Reader::Chunked(_) => u64::MAX,
        }
    }

    /// Consumes body bytes from the start of `input`, appending the decoded
    /// body to `body`. Returns how many bytes of `input` were used; bytes
    /// after a complete body belong to the next (pipelined) request.
    pub fn read(
        &mut self,
        input: &[u8],
        body: &mut Vec<u8>,
        max_body: usize,
    ) -> Result<(usize, Progress), Refusal> {
        match self {
            Reader::Length { remaining } => {
                let take = (*remaining).min(input.len() as u64) as usize;
                body.extend_from_slice(&input[..take]);
                *remaining -= take as u64;
                let progress = if *remaining == 0 {
                    Progress::Done
                } else {
                    Progress::NeedMore
                };
                Ok((take, progress))
            }
            Reader::Chunked(state) => decode_chunked(state, input, body, max_body),
        }
    }
}

/// Decodes as much of a chunked body as `input` holds, one state at a time:
/// each `read_*` below is one state of RFC 9112 §7.1's grammar, given that
/// state's fields and the next byte (or, for chunk data, all of `input`
/// that is left), and answers with the state that follows.
fn decode_chunked(
    state: &mut Chunked,
    input: &[u8],
    body: &mut Vec<u8>,
    max_body: usize,
) -> Result<(usize, Progress), Refusal> {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let (used, next) = match *state {
            Chunked::Size { value, digits } => (1, read_size(value, digits, b)?),
            Chunked::Extension {
                size,
                semicolon,
                len,
            } => (1, read_extension(size, semicolon, len, b)?),
            Chunked::SizeLf { size } => (1, read_size_lf(size, b, body.len(), max_body)?),
            Chunked::Data { remaining } => read_data(remaining, &input[i..], body),
            Chunked::DataCr => (1, read_data_cr(b)?),
            Chunked::DataLf => (1, read_data_lf(b)?),
            Chunked::TrailerStart => (1, read_trailer_start(b)?),
            Chunked::Trailer { len } => (1, read_trailer(len, b)?),
            Chunked::TrailerLf { last } => (1, read_trailer_lf(last, b)?),
            // Bytes after the body belong to the next request.
            Chunked::End => break,
        };
        i += used;
        *state = next;
    }
    let progress = if *state == Chunked::End {
        Progress::Done
    } else {
        Progress::NeedMore
    };
    Ok((i, progress))
}

/// `chunk-size = 1*HEXDIG`, then whitespace, `;` or the CR.
fn read_size(value: u64, digits: u8, b: u8) -> Result<Chunked, ChunkProblem> {
    match (b as char).to_digit(16) {
        // 16 hex digits always fit in a u64; checked all the same,
        // because this number comes from the client.
        Some(d) if digits < 16 => {
            let value = value
                .checked_mul(16)
                .and_then(|v| v.checked_add(u64::from(d)))
                .ok_or(ChunkProblem::SizeOverflow)?;
            Ok(Chunked::Size {
                value,
                digits: digits + 1,
            })
        }
        Some(_) => Err(ChunkProblem::SizeTooManyDigits),
        None if digits == 0 => Err(ChunkProblem::SizeNotHex),
        None => match b {
            b'\r' => Ok(Chunked::SizeLf { size: value }),
            b';' => Ok(Chunked::Extension {
                size: value,
                semicolon: true,
                len: 0,
            }),
            b' ' | b'\t' => Ok(Chunked::Extension {
                size: value,
                semicolon: false,
                len: 0,
            }),
            b'\n' => Err(ChunkProblem::BareLfAfterSize),
            _ => Err(ChunkProblem::InvalidSizeCharacter),
        },
    }
}

/// `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`,
/// up to the CR. Extensions carry nothing rawnet uses; they are checked
/// for shape and skipped. Whitespace after the size is only allowed
/// before an extension (`semicolon`: one has begun).
fn read_extension(size: u64, semicolon: bool, len: usize, b: u8) -> Result<Chunked, ChunkProblem> {
    if len >= MAX_LINE {
        return Err(ChunkProblem::ExtensionTooLong);
    }
    let semicolon = match b {
        b'\r' if semicolon => return Ok(Chunked::SizeLf { size }),
        b'\r' => return Err(ChunkProblem::WhitespaceWithoutExtension),
        b';' => true,
        b' ' | b'\t' => semicolon,
        0x21..=0x7e | 0x80..=0xff if semicolon => true,
        _ => return Err(ChunkProblem::InvalidExtensionCharacter),
    };
    Ok(Chunked::Extension {
        size,
        semicolon,
        len: len + 1,
    })
}

/// The LF ending the size line. A size of 0 is the last chunk; any other
/// is refused here, before its data is read, if it would take the body
/// (`decoded` bytes so far) past `max_body`.
fn read_size_lf(size: u64, b: u8, decoded: usize, max_body: usize) -> Result<Chunked, Refusal> {
    match b {
        b'\n' if size == 0 => Ok(Chunked::TrailerStart),
        b'\n' => {
            // Compared as "what is left", never as a sum: a size near 2^64
            // added to the body so far would wrap around and slip under
            // the limit.
            let room = max_body.saturating_sub(decoded) as u64;
            if size > room {
                return Err(Refusal::ChunkedBodyTooLarge { max_body });
            }
            Ok(Chunked::Data { remaining: size })
        }
        _ => Err(ChunkProblem::CrWithoutLfAfterSize.into()),
    }
}

/// `chunk-data`: copied in one go, not byte by byte, as much of it as
/// `input` holds. Returns how many bytes it took.
fn read_data(remaining: u64, input: &[u8], body: &mut Vec<u8>) -> (usize, Chunked) {
    let take = remaining.min(input.len() as u64) as usize;
    body.extend_from_slice(&input[..take]);
    let next = if remaining == take as u64 {
        Chunked::DataCr
    } else {
        Chunked::Data {
            remaining: remaining - take as u64,
        }
    };
    (take, next)
}

/// The CR after a chunk's data.
fn read_data_cr(b: u8) -> Result<Chunked, ChunkProblem> {
    match b {
        b'\r' => Ok(Chunked::DataLf),
        _ => Err(ChunkProblem::DataWithoutCrlf),
    }
}

/// The LF after a chunk's data; the next chunk's size follows.
fn read_data_lf(b: u8) -> Result<Chunked, ChunkProblem> {
    match b {
        b'\n' => Ok(Chunked::Size {
            value: 0,
            digits: 0,
        }),
        _ => Err(ChunkProblem::DataWithoutCrlf),
    }
}

/// `trailer-section = *( field-line CRLF )`, then the CRLF that ends the
/// body: here a line starts, or the body's last CR comes.
fn read_trailer_start(b: u8) -> Result<Chunked, ChunkProblem> {
    match b {
        b'\r' => Ok(Chunked::TrailerLf { last: true }),
        // The first byte of a trailer line is checked like the rest.
        _ => read_trailer(0, b),
    }
}

/// A trailer field line, up to its CR. Trailers are skipped, like
/// extensions; only their length and characters are checked.
fn read_trailer(len: usize, b: u8) -> Result<Chunked, ChunkProblem> {
    match b {
        _ if len >= MAX_LINE => Err(ChunkProblem::TrailerLineTooLong),
        b'\r' => Ok(Chunked::TrailerLf { last: false }),
        b'\n' => Err(ChunkProblem::BareLfInTrailer),
        b'\t' | 0x20..=0x7e | 0x80..=0xff => Ok(Chunked::Trailer { len: len + 1 }),
        _ => Err(ChunkProblem::InvalidTrailerCharacter),
    }
}

/// The LF after a trailer line's CR; after the empty line, the body is
/// complete.
fn read_trailer_lf(last: bool, b: u8) -> Result<Chunked, ChunkProblem> {
    match b {
        b'\n' if last => Ok(Chunked::End),
        b'\n' => Ok(Chunked::TrailerStart),
        _ => Err(ChunkProblem::CrWithoutLfInTrailer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed in pieces of `step` bytes; returns the body and
    /// how many bytes the body took, or the error status.
    fn decode(input: &[u8], step: usize) -> Result<(Vec<u8>, usize), u16> {
        let mut reader = Reader::new(Framing::Chunked).unwrap();
        let mut body = Vec::new();
        let mut used = 0;
        while used < input.len() {
            let end = (used + step).min(input.len());
            let (n, progress) = reader
                .read(&input[used..end], &mut body, 1 << 20)
                .map_err(|refusal| refusal.status())?;
            used += n;
            if progress == Progress::Done {
                return Ok((body, used));
            }
        }
        panic!("incomplete after {used} bytes")
    }

    #[test]
    fn decodes_chunks_in_pieces_of_any_size() {
        let input = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        for step in [1, 2, 3, 7, 100] {
            let (body, used) = decode(input, step).unwrap();
            assert_eq!(body, b"hello, world");
            assert_eq!(&input[used..], b"NEXT", "step {step}");
        }
        assert_eq!(
            decode(b"A\r\n0123456789\r\n0\r\n\r\n", 4).unwrap().0,
            b"0123456789"
        );
    }

    #[test]
    fn refuses_the_framing_that_smuggling_needs() {
        for bad in [
            &b"0x5\r\nhello\r\n0\r\n\r\n"[..],
            b"+5\r\nhello\r\n0\r\n\r\n",
            b" 5\r\nhello\r\n0\r\n\r\n",
            b"5 \r\nhello\r\n0\r\n\r\n",
            b"00000000000000001\r\nx\r\n0\r\n\r\n",
            b"5\nhello\r\n0\r\n\r\n",
            b"5\r\nhelloXX0\r\n\r\n",
            b"5\r\nhello\n0\r\n\r\n",
            b"0\r\n\n",
            b"5\r\x00hello",
            // A control byte in a trailer line, first or later.
            b"0\r\n\x01X: y\r\n\r\n",
            b"0\r\nX: \x01\r\n\r\n",
        ] {
            assert_eq!(
                decode(bad, 1),
                Err(400),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    /// Each framing problem, found at the byte the state that reports it
    /// reads (fed one byte at a time, as a slow client would send it).
    #[test]
    fn each_problem_is_reported_by_its_state() {
        use ChunkProblem::*;
        let long_extension = format!("5;{}\r\n", "a".repeat(MAX_LINE));
        let long_trailer = format!("0\r\nX: {}\r\n", "a".repeat(MAX_LINE));
        let cases: [(&[u8], ChunkProblem); 14] = [
            (b"x", SizeNotHex),
            (b"00000000000000001", SizeTooManyDigits),
            (b"5x", InvalidSizeCharacter),
            (b"5\n", BareLfAfterSize),
            (b"5\rx", CrWithoutLfAfterSize),
            (b"5 \r", WhitespaceWithoutExtension),
            (b"5;a\x01", InvalidExtensionCharacter),
            (long_extension.as_bytes(), ExtensionTooLong),
            (b"1\r\nAB", DataWithoutCrlf),
            (b"1\r\nA\rB", DataWithoutCrlf),
            (b"0\r\nA\n", BareLfInTrailer),
            (b"0\r\n\rX", CrWithoutLfInTrailer),
            (b"0\r\nA\x01", InvalidTrailerCharacter),
            (long_trailer.as_bytes(), TrailerLineTooLong),
        ];
        for (input, problem) in cases {
            let mut reader = Reader::new(Framing::Chunked).unwrap();
            let mut body = Vec::new();
            let found = input
                .chunks(1)
                .find_map(|byte| reader.read(byte, &mut body, 1 << 20).err());
            let shown = String::from_utf8_lossy(input);
            assert_eq!(found, Some(Refusal::BadChunk(problem)), "{shown:?}");
        }
    }

    #[test]
    fn a_body_past_the_limit_is_413_before_its_data_arrives() {
        let mut reader = Reader::new(Framing::Chunked).unwrap();
        let mut body = Vec::new();
        let err = reader.read(b"100001\r\n", &mut body, 1 << 20).unwrap_err();
        assert_eq!(err.status(), 413);
    }

    /// The audit's case: after a first chunk, a size near 2^64 made
    /// `body.len() + size` wrap around and pass under the limit, so the
    /// body was read without bound.
    #[test]
    fn a_chunk_size_near_2_to_the_64_is_413_not_a_wrap_around() {
        for size in [
            "FFFFFFFFFFFFFFFF",
            "FFFFFFFFFFFFFFFE",
            "8000000000000000",
            "100000",
        ] {
            let mut reader = Reader::new(Framing::Chunked).unwrap();
            let mut body = Vec::new();
            let input = format!("1\r\nA\r\n{size}\r\nAAAA");
            let err = reader
                .read(input.as_bytes(), &mut body, 1 << 20)
                .unwrap_err();
            assert_eq!(err.status(), 413, "{size}");
            assert_eq!(body, b"A", "{size}: nothing past the first chunk is kept");
        }
        // Exactly at the limit is fine; one byte more is not.
        let mut reader = Reader::new(Framing::Chunked).unwrap();
        let mut body = Vec::new();
        assert!(reader.read(b"1\r\nA\r\n3\r\n", &mut body, 4).is_ok());
        let mut reader = Reader::new(Framing::Chunked).unwrap();
        let mut body = Vec::new();
        let err = reader.read(b"1\r\nA\r\n4\r\n", &mut body, 4).unwrap_err();
        assert_eq!(err.status(), 413);
    }

    #[test]
    fn content_length_takes_exactly_its_bytes() {
        let mut reader = Reader::new(Framing::Length(5)).unwrap();
        let mut body = Vec::new();
        assert_eq!(
            reader.read(b"hel", &mut body, 100).unwrap(),
            (3, Progress::NeedMore)
        );
        assert_eq!(
            reader.read(b"loGET", &mut body, 100).unwrap(),
            (2, Progress::Done)
        );
        assert_eq!(body, b"hello");
    }
}
