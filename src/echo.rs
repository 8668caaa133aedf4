//! The tutorial's two echo protocols, as plain functions of the bytes
//! received.
//!
//! Node's `data` event hands the callback whatever one read returned, so
//! "a chunk" is exactly one successful `read()`: type a line into `nc` and
//! the line is the chunk; send 1 MiB and TCP decides where the chunks fall.

/// What [`you_said`] puts before the data. Shared, with
/// [`YOU_SAID_CLOSE`], with `rawnet bench`, so that it reads the frames by
/// the same definition the server writes them.
pub const YOU_SAID_OPEN: &[u8] = b"You said \"";
/// What [`you_said`] puts after the data.
pub const YOU_SAID_CLOSE: &[u8] = b"\"\r\n";
/// What closes the same words in a WebSocket message (`src/ws/`): the
/// quote alone, as a frame delimits itself and needs no CRLF. Here, beside
/// the rest of the words, for the server's session and `rawnet bench
/// --mode ws` alike.
#[cfg(any(feature = "websocket", feature = "bench"))]
pub const YOU_SAID_FRAME_END: &[u8] = b"\"";

/// `--mode echo`: `socket.write('You said "' + data + '"\r\n')`.
///
/// The data goes back byte for byte. Node would decode it as UTF-8 and
/// re-encode it, turning invalid bytes into U+FFFD; a tool for looking at
/// bytes must not, so nothing here touches the encoding.
pub fn you_said(data: &[u8], out: &mut Vec<u8>) {
    out.reserve(YOU_SAID_OPEN.len() + data.len() + YOU_SAID_CLOSE.len());
    out.extend_from_slice(YOU_SAID_OPEN);
    out.extend_from_slice(data);
    out.extend_from_slice(YOU_SAID_CLOSE);
}

/// `--mode raw`: `socket.pipe(socket)`, every byte back unchanged.
pub fn raw(data: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(data);
}

/// The most pipes timeouts add. Node adds one per timeout without end, so
/// a client pausing 3 s between chunks would get each chunk back ever more
/// times; past this many, a timeout adds none, and the reply to one chunk
/// stays within a few times its size.
pub const MAX_PIPES: u32 = 4;

/// One echo connection: the tutorial's `data` handler, plus the raw pipes
/// its `timeout` handler adds (`socket.pipe(socket, {end: false})`).
///
/// In Node a pipe is one more `data` listener, after the handler that
/// writes `You said`; so a chunk gets `You said "<chunk>"\r\n`, then the
/// chunk itself once per pipe: `You said "two"\r\ntwo` after one timeout,
/// `You said "three"\r\nthreethree` after two.
#[derive(Debug, Default)]
pub struct Echo {
    pipes: u32,
}

impl Echo {
    pub fn on_data(&self, data: &[u8], out: &mut Vec<u8>) {
        you_said(data, out);
        for _ in 0..self.pipes {
            raw(data, out);
        }
    }

    /// A timeout piped the socket to itself once more; returns how many
    /// pipes there are now, or `None` when [`MAX_PIPES`] is reached.
    pub fn add_pipe(&mut self) -> Option<u32> {
        (self.pipes < MAX_PIPES).then(|| {
            self.pipes += 1;
            self.pipes
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn you_said_frames_the_chunk_byte_for_byte() {
        let mut out = Vec::new();
        you_said(b"hi\r\n\xff\x00", &mut out);
        assert_eq!(out, b"You said \"hi\r\n\xff\x00\"\r\n");
    }

    #[test]
    fn raw_is_the_identity() {
        let mut out = Vec::new();
        raw(b"\x00\x01binary", &mut out);
        assert_eq!(out, b"\x00\x01binary");
    }

    #[test]
    fn each_timeout_adds_a_pipe_as_in_node() {
        let mut echo = Echo::default();
        let mut out = Vec::new();
        echo.on_data(b"one", &mut out);
        assert_eq!(echo.add_pipe(), Some(1));
        echo.on_data(b"two", &mut out);
        assert_eq!(echo.add_pipe(), Some(2));
        echo.on_data(b"three", &mut out);
        assert_eq!(
            out,
            b"You said \"one\"\r\nYou said \"two\"\r\ntwoYou said \"three\"\r\nthreethree"
        );
        for _ in 2..MAX_PIPES {
            assert!(echo.add_pipe().is_some());
        }
        assert_eq!(echo.add_pipe(), None, "bounded");
    }
}
