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
    Data {
        remaining: u64,
    },
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

fn bad(problem: ChunkProblem) -> Refusal {
    Refusal::BadChunk(problem)
}

fn decode_chunked(
    state: &mut Chunked,
    input: &[u8],
    body: &mut Vec<u8>,
    max_body: usize,
) -> Result<(usize, Progress), Refusal> {
    let mut i = 0;
    while i < input.len() {
        // Chunk data is copied in one go, not byte by byte.
        if let Chunked::Data { remaining } = *state {
            let take = remaining.min((input.len() - i) as u64) as usize;
            body.extend_from_slice(&input[i..i + take]);
            i += take;
            *state = if remaining == take as u64 {
                Chunked::DataCr
            } else {
                Chunked::Data {
                    remaining: remaining - take as u64,
                }
            };
            continue;
        }

        let b = input[i];
        i += 1;
        *state = match *state {
            Chunked::Size { value, digits } => match (b as char).to_digit(16) {
                // 16 hex digits always fit in a u64; checked all the same,
                // because this number comes from the client.
                Some(d) if digits < 16 => Chunked::Size {
                    value: value
                        .checked_mul(16)
                        .and_then(|v| v.checked_add(u64::from(d)))
                        .ok_or_else(|| bad(ChunkProblem::SizeOverflow))?,
                    digits: digits + 1,
                },
                Some(_) => return Err(bad(ChunkProblem::SizeTooManyDigits)),
                None if digits == 0 => return Err(bad(ChunkProblem::SizeNotHex)),
                None => match b {
                    b'\r' => Chunked::SizeLf { size: value },
                    b';' => Chunked::Extension {
                        size: value,
                        semicolon: true,
                        len: 0,
                    },
                    b' ' | b'\t' => Chunked::Extension {
                        size: value,
                        semicolon: false,
                        len: 0,
                    },
                    b'\n' => return Err(bad(ChunkProblem::BareLfAfterSize)),
                    _ => return Err(bad(ChunkProblem::InvalidSizeCharacter)),
                },
            },
            Chunked::Extension {
                size,
                semicolon,
                len,
            } => {
                if len >= MAX_LINE {
                    return Err(bad(ChunkProblem::ExtensionTooLong));
                }
                // Extensions carry nothing rawnet uses; they are checked for
                // shape and skipped.
                let semicolon = match b {
                    b'\r' if semicolon => {
                        *state = Chunked::SizeLf { size };
                        continue;
                    }
                    b'\r' => return Err(bad(ChunkProblem::WhitespaceWithoutExtension)),
                    b';' => true,
                    b' ' | b'\t' => semicolon,
                    0x21..=0x7e | 0x80..=0xff if semicolon => true,
                    _ => return Err(bad(ChunkProblem::InvalidExtensionCharacter)),
                };
                Chunked::Extension {
                    size,
                    semicolon,
                    len: len + 1,
                }
            }
            Chunked::SizeLf { size } => match b {
                b'\n' if size == 0 => Chunked::TrailerStart,
                b'\n' => {
                    // Compared as "what is left", never as a sum: a size
                    // near 2^64 added to the body so far would wrap around
                    // and slip under the limit.
                    let room = max_body.saturating_sub(body.len()) as u64;
                    if size > room {
                        return Err(too_large(max_body));
                    }
                    Chunked::Data { remaining: size }
                }
                _ => return Err(bad(ChunkProblem::CrWithoutLfAfterSize)),
            },
            Chunked::Data { .. } => unreachable!("handled above"),
            Chunked::DataCr => match b {
                b'\r' => Chunked::DataLf,
                _ => return Err(bad(ChunkProblem::DataWithoutCrlf)),
            },
            Chunked::DataLf => match b {
                b'\n' => Chunked::Size {
                    value: 0,
                    digits: 0,
                },
                _ => return Err(bad(ChunkProblem::DataWithoutCrlf)),
            },
            Chunked::TrailerStart => match b {
                b'\r' => Chunked::TrailerLf { last: true },
                b'\n' => return Err(bad(ChunkProblem::BareLfInTrailer)),
                _ => Chunked::Trailer { len: 1 },
            },
            Chunked::Trailer { len } => match b {
                _ if len >= MAX_LINE => return Err(bad(ChunkProblem::TrailerLineTooLong)),
                b'\r' => Chunked::TrailerLf { last: false },
                b'\n' => return Err(bad(ChunkProblem::BareLfInTrailer)),
                b'\t' | 0x20..=0x7e | 0x80..=0xff => Chunked::Trailer { len: len + 1 },
                _ => return Err(bad(ChunkProblem::InvalidTrailerCharacter)),
            },
            Chunked::TrailerLf { last } => match b {
                b'\n' if last => return Ok((i, Progress::Done)),
                b'\n' => Chunked::TrailerStart,
                _ => return Err(bad(ChunkProblem::CrWithoutLfInTrailer)),
            },
        };
    }
    Ok((i, Progress::NeedMore))
}

fn too_large(max_body: usize) -> Refusal {
    Refusal::ChunkedBodyTooLarge { max_body }
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
        ] {
            assert_eq!(
                decode(bad, 1),
                Err(400),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
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
