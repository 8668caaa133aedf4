//! Bytes in as the socket gives them, whole frames out: TCP keeps no
//! frame boundaries, so a read may end in the middle of a header, and
//! one read may hold many frames. No I/O: the connection reads, and hands
//! the bytes over.

use super::{Frame, FrameError, Header, MAX_MAX_FRAME_SIZE, MIN_MAX_FRAME_SIZE};

/// One frame as it came, header and payload, borrowed from the
/// [`Reader`]'s buffer until the next [`Reader::feed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFrame<'a> {
    header: Header,
    /// The whole frame: the 9 header bytes, then the payload.
    bytes: &'a [u8],
}

impl<'a> RawFrame<'a> {
    pub fn header(&self) -> Header {
        self.header
    }

    /// The whole frame as it came: the 9 header bytes, then the payload.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The 9 header bytes as sent, reserved bit and all (for
    /// [`super::explain_header`]).
    pub fn head(&self) -> [u8; Header::LEN] {
        let mut head = [0; Header::LEN];
        head.copy_from_slice(&self.bytes[..Header::LEN]);
        head
    }

    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[Header::LEN..]
    }

    /// The frame read into its fields: [`Frame::parse`].
    pub fn parse(&self) -> Result<Frame<'a>, FrameError> {
        Frame::parse(&self.header, self.payload())
    }
}

/// Cuts a stream of bytes into frames, holding at most one frame: 9 +
/// the SETTINGS_MAX_FRAME_SIZE this end advertised. A header that
/// announces more is a FRAME_SIZE_ERROR at once (§4.2), before any of its
/// payload is kept.
///
/// The way to drive it: [`Reader::feed`] the bytes read, which takes as
/// many as fit; take every frame out with [`Reader::next_frame`] until it
/// says `None`; feed what was not taken; and so on until the read is
/// used up. After an error the connection is over: `next_frame` says the
/// same error again, and `feed` takes and drops everything.
#[derive(Debug)]
pub struct Reader {
    /// Bytes received and not yet handed out as a frame, from `start`.
    buf: Vec<u8>,
    /// Where the next frame begins in `buf`; bytes before it were handed
    /// out, and go at the next `feed`.
    start: usize,
    max_frame_size: u32,
    failed: Option<FrameError>,
}

impl Default for Reader {
    /// A reader for a connection that has not yet had its
    /// SETTINGS_MAX_FRAME_SIZE acknowledged: 16384, the initial value
    /// (§6.5.2).
    fn default() -> Self {
        Reader::new(MIN_MAX_FRAME_SIZE)
    }
}

impl Reader {
    /// A reader that takes frames up to `max_frame_size` bytes of
    /// payload, kept within what the RFC allows (16384 to 16777215).
    pub fn new(max_frame_size: u32) -> Self {
        Reader {
            buf: Vec::new(),
            start: 0,
            max_frame_size: max_frame_size.clamp(MIN_MAX_FRAME_SIZE, MAX_MAX_FRAME_SIZE),
            failed: None,
        }
    }

    /// The largest payload taken.
    pub fn max_frame_size(&self) -> u32 {
        self.max_frame_size
    }

    /// Takes frames up to `max_frame_size` from now on: after the peer
    /// acknowledged a SETTINGS_MAX_FRAME_SIZE this end sent (§6.5.3: not
    /// before, since until then the peer may still use the old limit).
    pub fn set_max_frame_size(&mut self, max_frame_size: u32) {
        self.max_frame_size = max_frame_size.clamp(MIN_MAX_FRAME_SIZE, MAX_MAX_FRAME_SIZE);
    }

    /// The most bytes the reader ever holds: one whole frame of the
    /// largest size it takes.
    pub fn bound(&self) -> usize {
        Header::LEN + self.max_frame_size as usize
    }

    /// How many bytes it holds that are not yet a frame handed out.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// How much memory the buffer has, for a memory budget: never more
    /// than [`Reader::bound`] while the limit stays the same.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Takes the first bytes of `bytes`, as many as fit within
    /// [`Reader::bound`], and says how many; the caller keeps the rest
    /// for after the frames now whole are taken out. Takes none when it
    /// already holds `bound` bytes, a whole frame of the largest size that
    /// waits to be taken. After an error, takes all and keeps none.
    pub fn feed(&mut self, bytes: &[u8]) -> usize {
        if self.failed.is_some() {
            return bytes.len();
        }
        // What was handed out goes; what is left (at most one partial
        // frame) moves to the front.
        self.buf.drain(..self.start);
        self.start = 0;
        let bound = self.bound();
        let take = bound.saturating_sub(self.buf.len()).min(bytes.len());
        self.reserve(take, bound);
        self.buf.extend_from_slice(&bytes[..take]);
        take
    }

    /// Grows the buffer by doubling, as a Vec does, but never past
    /// `bound`: a Vec left to itself may hold up to twice what it needs.
    fn reserve(&mut self, more: usize, bound: usize) {
        let needed = self.buf.len() + more;
        if needed > self.buf.capacity() {
            let target = (self.buf.capacity() * 2).min(bound).max(needed);
            self.buf.reserve_exact(target - self.buf.len());
        }
    }

    /// The next whole frame, if the bytes fed so far hold one; `None`
    /// until they do. A header longer than the limit is an error as soon
    /// as its 9 bytes are in.
    pub fn next_frame(&mut self) -> Option<Result<RawFrame<'_>, FrameError>> {
        if let Some(error) = &self.failed {
            return Some(Err(error.clone()));
        }
        let waiting = &self.buf[self.start..];
        let header = Header::parse(waiting.first_chunk::<{ Header::LEN }>()?);
        if let Err(error) = header.check_size(self.max_frame_size) {
            self.failed = Some(error.clone());
            return Some(Err(error));
        }
        let end = Header::LEN + header.length as usize;
        if waiting.len() < end {
            return None;
        }
        let start = self.start;
        self.start += end;
        Some(Ok(RawFrame {
            header,
            bytes: &self.buf[start..start + end],
        }))
    }
}
