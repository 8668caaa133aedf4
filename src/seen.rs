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
