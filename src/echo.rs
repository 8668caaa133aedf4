//! The tutorial's two echo protocols, as plain functions of the bytes
//! received.
//!
//! Node's `data` event hands the callback whatever one read returned, so
//! "a chunk" is exactly one successful `read()`: type a line into `nc` and
//! the line is the chunk; send 1 MiB and TCP decides where the chunks fall.

/// What [`you_said`] puts before the data. Public, with
/// [`YOU_SAID_CLOSE`], so that `rawnet bench` reads the frames by the same
/// definition the server writes them.
pub const YOU_SAID_OPEN: &[u8] = b"You said \"";
/// What [`you_said`] puts after the data.
pub const YOU_SAID_CLOSE: &[u8] = b"\"\r\n";

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
}
