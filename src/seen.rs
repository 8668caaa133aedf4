//! What rawnet saw on the wire, as plain data: the facts its event lines
//! and pages report about HTTP/2 settings, a PROXY header and a request
//! head. Below every other module, so that both the code that finds these
//! facts (`h2.rs`, `proxy.rs`, `http/notes.rs`) and the code that words
//! them (`log.rs`, `http/page.rs`) use them without importing each other.

/// How one head arrived: its reads, as `http::notes::Arrival` found them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reads<'a> {
    pub(crate) kept: &'a [(u32, u32)],
    /// Reads past those kept, known only by number.
    pub(crate) more: u32,
    pub(crate) len: u32,
}

/// One read of a head: bytes `start..=last` of it, `micros` after its first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Read {
    pub start: u32,
    pub last: u32,
    pub micros: u32,
}

impl<'a> Reads<'a> {
    /// All of the head's reads, kept or not.
    pub fn count(&self) -> u64 {
        self.kept.len() as u64 + u64::from(self.more)
    }

    /// Reads past those kept, not shown one by one.
    pub fn more(&self) -> u32 {
        self.more
    }

    /// The kept reads, each cut to the head (the last one may also have
    /// brought a body or the next request).
    pub fn each(&self) -> impl Iterator<Item = Read> + 'a {
        let len = self.len;
        let mut start = 0;
        self.kept.iter().map(move |&(end, micros)| {
            let read = Read {
                start,
                last: end.min(len).saturating_sub(1),
                micros,
            };
            start = end;
            read
        })
    }
}

/// One thing worth pointing out about a head.
#[derive(Clone, Copy, Debug)]
pub enum Note<'a> {
    /// The head came in more than one read.
    Reads(Reads<'a>),
    /// `lines` line endings are `\n` alone (RFC 9112 §2.2 lets a server
    /// accept them).
    BareLf { lines: usize },
    /// A field name sent more than once.
    Repeated { name: &'a [u8], times: usize },
    /// A field value that ends in spaces or tabs, which are not part of it.
    TrailingWhitespace { name: &'a [u8] },
    /// A field value with bytes 0x80-0xff (obs-text).
    NonAscii { name: &'a [u8] },
    /// The target is a full URL (absolute form), as sent to a proxy.
    AbsoluteForm,
    /// Host and the absolute target's authority differ.
    HostDiffers { host: &'a [u8], authority: &'a [u8] },
    /// `Upgrade: h2c`: the client offered to switch to HTTP/2.
    H2c,
}

/// One WebSocket frame as it crossed the wire, for its event line, its
/// `--trace` lines and its `?explain` description.
#[derive(Clone, Copy, Debug)]
pub struct WsFrame<'a> {
    pub fin: bool,
    /// RSV1..RSV3 as the low three bits (`0b100` is RSV1).
    pub rsv: u8,
    pub opcode: u8,
    /// The masking key; every client frame has one, no server frame does.
    pub mask: Option<[u8; 4]>,
    /// The payload length the header gives.
    pub len: u64,
    /// The header's bytes as sent.
    pub header: &'a [u8],
    /// The payload, unmasked.
    pub payload: &'a [u8],
}

impl WsFrame<'_> {
    /// RFC 6455 §5.7's example: a single-frame masked text message,
    /// "Hello", as a client sends it. The tests of its event lines and its
    /// `?explain` description start from it.
    #[cfg(test)]
    pub const RFC_HELLO: WsFrame<'static> = WsFrame {
        fin: true,
        rsv: 0,
        opcode: 1,
        mask: Some([0x37, 0xfa, 0x21, 0x3d]),
        len: 5,
        header: &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d],
        payload: b"Hello",
    };

    /// The opcode's name in RFC 6455 §5.2, or `None` for a reserved one.
    pub fn opcode_name(&self) -> Option<&'static str> {
        opcode_name(self.opcode)
    }

    /// A close frame's code, if its payload has one.
    pub fn close_code(&self) -> Option<u16> {
        match self.payload {
            [high, low, ..] if self.opcode == 0x8 => Some(u16::from_be_bytes([*high, *low])),
            _ => None,
        }
    }

    /// A close frame's reason: the payload after the code.
    pub fn close_reason(&self) -> &[u8] {
        self.payload.get(2..).unwrap_or_default()
    }

    /// The first `max` bytes of the payload as they crossed the wire:
    /// masked again with the frame's key, if it has one.
    pub fn masked_prefix(&self, max: usize) -> Vec<u8> {
        let shown = &self.payload[..self.payload.len().min(max)];
        match self.mask {
            Some(key) => shown
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ key[i % 4])
                .collect(),
            None => shown.to_vec(),
        }
    }
}

/// A WebSocket opcode's name in RFC 6455 §5.2, or `None` for a reserved one.
pub fn opcode_name(opcode: u8) -> Option<&'static str> {
    Some(match opcode {
        0x0 => "continuation",
        0x1 => "text",
        0x2 => "binary",
        0x8 => "close",
        0x9 => "ping",
        0xA => "pong",
        _ => return None,
    })
}

/// WebSocket frames that got no event line of their own (more came in a
/// second than the log shows one by one), counted by which way they went
/// and by opcode (the low four bits of a frame's first byte, so 16 each).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FramesNotShown {
    pub received: [u32; 16],
    pub sent: [u32; 16],
}

impl FramesNotShown {
    /// Counts one more frame, `received` from the client or sent to it.
    pub fn count(&mut self, received: bool, opcode: u8) {
        let counts = if received {
            &mut self.received
        } else {
            &mut self.sent
        };
        let count = &mut counts[usize::from(opcode & 0x0f)];
        *count = count.saturating_add(1);
    }
}
