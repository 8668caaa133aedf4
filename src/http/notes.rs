//! What the request view points out besides the bytes: how the head
//! arrived (one read is not one message), and what RFC 9112 allows but a
//! person debugging a client wants to see (bare LF, a repeated field, a
//! full URL as the target, an offer to switch to HTTP/2, ...).

use std::time::Instant;

use super::request::{self, MAX_HEADERS};

/// How one head arrived: its reads, as [`Arrival`] found them.
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

/// How many reads of one head are kept with their byte range and time;
/// past this, only their number. A head dribbled in byte by byte would
/// otherwise cost memory per byte.
pub const READS_KEPT: usize = 16;

/// The reads that brought the current head, kept in the (boxed) session.
#[derive(Debug, Default)]
pub struct Arrival {
    /// When the head's first byte came: the reads' times count from here.
    first: Option<Instant>,
    /// For each kept read: where it ended in the session's input, and
    /// microseconds after `first`.
    kept: [(u32, u32); READS_KEPT],
    /// Every read since `first`, kept or not.
    reads: u32,
}

impl Arrival {
    /// A read left the session's input `end` bytes long.
    pub fn read(&mut self, end: usize, now: Instant) {
        let first = *self.first.get_or_insert(now);
        let micros = now.saturating_duration_since(first).as_micros();
        if let Some(slot) = self.kept.get_mut(self.reads as usize) {
            *slot = (saturate(end), u32::try_from(micros).unwrap_or(u32::MAX));
        }
        self.reads = self.reads.saturating_add(1);
    }

    /// When the head's first byte came, if it has.
    pub fn first(&self) -> Option<Instant> {
        self.first
    }

    /// A request was answered; `pending` bytes of the next one (pipelined)
    /// are already here, and count as one read that came `now`.
    pub fn restart(&mut self, pending: usize, now: Option<Instant>) {
        *self = Arrival::default();
        if let (1.., Some(now)) = (pending, now) {
            self.read(pending, now);
        }
    }

    /// The reads that carried the first `len` bytes: the head's.
    pub fn of_head(&self, len: usize) -> Reads<'_> {
        let kept = &self.kept[..(self.reads as usize).min(READS_KEPT)];
        // While answering was paused, later reads (the next heads) may
        // have arrived too; they are not this head's.
        let mine = kept
            .iter()
            .take_while(|&&(end, _)| (end as usize) < len)
            .count();
        let mine = (mine + 1).min(kept.len());
        let more = if mine == READS_KEPT {
            self.reads - READS_KEPT as u32
        } else {
            0
        };
        Reads {
            kept: &kept[..mine],
            more,
            len: saturate(len),
        }
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Calls `each` with every note about `head` (a complete, checked head's
/// bytes), in the order above. Nothing is allocated.
pub fn find<'a>(reads: Reads<'a>, head: &'a [u8], mut each: impl FnMut(Note<'a>)) {
    if reads.count() > 1 {
        each(Note::Reads(reads));
    }
    let bare = head
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' && (i == 0 || head[i - 1] != b'\r'))
        .count();
    if bare > 0 {
        each(Note::BareLf { lines: bare });
    }

    let target = head
        .split(|&b| b == b'\n')
        .find(|line| !line.is_empty() && *line != b"\r")
        .and_then(|line| line.split(|&b| b == b' ').nth(1))
        .unwrap_or_default();
    let mut fields: [(&[u8], &[u8]); MAX_HEADERS] = [(&[], &[]); MAX_HEADERS];
    let mut count = 0;
    for (slot, field) in fields.iter_mut().zip(request::fields(head)) {
        *slot = field;
        count += 1;
    }
    let fields = &fields[..count];

    for (i, (name, _)) in fields.iter().enumerate() {
        let same = |other: &&(&[u8], &[u8])| other.0.eq_ignore_ascii_case(name);
        if fields[..i].iter().any(|f| same(&f)) {
            continue;
        }
        let times = fields[i..].iter().filter(same).count();
        if times > 1 {
            each(Note::Repeated { name, times });
        }
    }
    for &(name, value) in fields {
        if value.ends_with(b" ") || value.ends_with(b"\t") {
            each(Note::TrailingWhitespace { name });
        }
    }
    for &(name, value) in fields {
        if value.iter().any(|&b| b >= 0x80) {
            each(Note::NonAscii { name });
        }
    }

    if let Some(authority) = authority_of(target) {
        each(Note::AbsoluteForm);
        let host = fields
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(b"host"))
            .map(|(_, value)| value.trim_ascii());
        if let Some(host) = host.filter(|host| !host.eq_ignore_ascii_case(authority)) {
            each(Note::HostDiffers { host, authority });
        }
    }

    let h2c = fields.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case(b"upgrade")
            && request::list_items(value).any(|item| item.eq_ignore_ascii_case(b"h2c"))
    });
    if h2c {
        each(Note::H2c);
    }
}

/// The authority of an absolute-form target (`http://user@host:port/path`
/// gives `host:port`); `None` for the usual `/path` and for `*`.
fn authority_of(target: &[u8]) -> Option<&[u8]> {
    if target.starts_with(b"/") {
        return None;
    }
    let scheme_end = target.windows(3).position(|w| w == b"://")?;
    let rest = &target[scheme_end + 3..];
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_start = authority
        .iter()
        .rposition(|&b| b == b'@')
        .map_or(0, |at| at + 1);
    Some(&authority[host_start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn notes(head: &[u8]) -> Vec<String> {
        let mut found = Vec::new();
        find(Reads::default(), head, |note| {
            found.push(match note {
                Note::Reads(reads) => format!("reads {}", reads.count()),
                Note::BareLf { lines } => format!("bare LF {lines}"),
                Note::Repeated { name, times } => {
                    format!("{} x{times}", String::from_utf8_lossy(name))
                }
                Note::TrailingWhitespace { name } => {
                    format!("trailing {}", String::from_utf8_lossy(name))
                }
                Note::NonAscii { name } => format!("non-ASCII {}", String::from_utf8_lossy(name)),
                Note::AbsoluteForm => "absolute".into(),
                Note::HostDiffers { host, authority } => format!(
                    "host {} vs {}",
                    String::from_utf8_lossy(host),
                    String::from_utf8_lossy(authority)
                ),
                Note::H2c => "h2c".into(),
            })
        });
        found
    }

    #[test]
    fn a_plain_head_has_nothing_to_note() {
        let head = b"GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
        assert!(notes(head).is_empty());
    }

    #[test]
    fn bare_lf_endings_are_counted() {
        assert_eq!(notes(b"GET / HTTP/1.1\nHost: x\r\n\n"), ["bare LF 2"]);
    }

    #[test]
    fn a_repeated_field_is_named_once_in_any_case() {
        let head = b"GET / HTTP/1.1\r\nAccept: a\r\nHost: x\r\naccept: b\r\nACCEPT: c\r\n\r\n";
        assert_eq!(notes(head), ["Accept x3"]);
    }

    #[test]
    fn trailing_whitespace_in_a_value() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\nX-A: v \r\nX-B: w\t\r\nX-C: z\r\n\r\n";
        assert_eq!(notes(head), ["trailing X-A", "trailing X-B"]);
    }

    #[test]
    fn non_ascii_bytes_in_a_value() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\xc3\xa9\r\n\r\n";
        assert_eq!(notes(head), ["non-ASCII X-Name"]);
    }

    #[test]
    fn an_absolute_target_and_a_host_that_differs() {
        let same = b"GET http://Example.com/a HTTP/1.1\r\nHost: example.com\r\n\r\n";
        assert_eq!(notes(same), ["absolute"]);
        let other = b"GET http://u@example.com:8080?q HTTP/1.1\r\nHost: other\r\n\r\n";
        assert_eq!(notes(other), ["absolute", "host other vs example.com:8080"]);
        assert!(notes(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").is_empty());
        assert!(notes(b"GET /a://b HTTP/1.1\r\nHost: x\r\n\r\n").is_empty());
    }

    #[test]
    fn an_offer_of_h2c() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n\
                     Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n";
        assert_eq!(notes(head), ["h2c"]);
        let other = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n";
        assert!(notes(other).is_empty());
    }

    #[test]
    fn reads_are_cut_to_the_head_and_bounded() {
        let t0 = Instant::now();
        let mut arrival = Arrival::default();
        arrival.read(10, t0);
        arrival.read(25, t0 + Duration::from_micros(1200));
        // The last read also brought 5 bytes of body.
        arrival.read(45, t0 + Duration::from_micros(1300));
        let reads = arrival.of_head(40);
        let each: Vec<_> = reads.each().map(|r| (r.start, r.last, r.micros)).collect();
        assert_eq!(each, [(0, 9, 0), (10, 24, 1200), (25, 39, 1300)]);
        assert_eq!((reads.count(), reads.more()), (3, 0));

        arrival.restart(5, Some(t0));
        assert_eq!(arrival.of_head(5).count(), 1);
        arrival.restart(0, None);
        assert_eq!(arrival.of_head(5).count(), 0);

        for i in 1..=20 {
            arrival.read(i, t0);
        }
        let reads = arrival.of_head(20);
        assert_eq!((reads.count(), reads.more()), (20, 4));
        assert_eq!(reads.each().count(), READS_KEPT);
    }
}
