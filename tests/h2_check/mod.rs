//! Checks rawnet's side of an HTTP/2 connection, frame by frame: for the
//! property test (`tests/h2_property.rs`) and the fuzzer
//! (`fuzz/fuzz_targets/h2.rs`, which takes this file in by its path). The
//! frames are cut by a parser of its own, a few lines long, so that a bug
//! in rawnet's frame code cannot hide itself; the header blocks are
//! decoded with rawnet's HPACK decoder, kept across the whole output as a
//! client keeps its own, so that an encoder and a decoder that drift
//! apart show.
//!
//! What must hold of any output, whatever the client sent:
//!
//! - whole frames of known types, no longer than the client's
//!   SETTINGS_MAX_FRAME_SIZE allows, each with only its type's flags, on
//!   the stream its type belongs on, with its type's length;
//! - SETTINGS first (RFC 9113 §3.4), and nothing after a GOAWAY;
//! - a header block's CONTINUATION frames right after its HEADERS (§4.3),
//!   and every block decodable, `:status` first;
//! - HEADERS only on a stream the client opened, DATA only after them,
//!   nothing but RST_STREAM after END_STREAM, no RST_STREAM on a stream
//!   the client left idle (§6.4);
//! - no more DATA than the client's windows allow (§6.9), and, unless the
//!   connection ended with a GOAWAY, every response finished or reset
//!   unless a window is shut.
//!
//! What the checker needs of the client's side it reads from the client's
//! bytes ([`Client::read`]), frame by frame as rawnet reads them.

// Each user takes what it needs: the fuzzer does not compare outcomes.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};

use rawnet::hpack::Decoder;

/// The client connection preface (RFC 9113 §3.4).
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Frame types (§6).
pub const DATA: u8 = 0x0;
pub const HEADERS: u8 = 0x1;
pub const PRIORITY: u8 = 0x2;
pub const RST_STREAM: u8 = 0x3;
pub const SETTINGS: u8 = 0x4;
pub const PUSH_PROMISE: u8 = 0x5;
pub const PING: u8 = 0x6;
pub const GOAWAY: u8 = 0x7;
pub const WINDOW_UPDATE: u8 = 0x8;
pub const CONTINUATION: u8 = 0x9;

/// Flags (§6): 0x1 is END_STREAM on DATA and HEADERS, ACK on SETTINGS
/// and PING.
pub const END_STREAM: u8 = 0x1;
pub const ACK: u8 = 0x1;
pub const END_HEADERS: u8 = 0x4;
pub const PADDED: u8 = 0x8;
pub const PRIORITY_FLAG: u8 = 0x20;

/// Settings (§6.5.2) the checker follows.
pub const HEADER_TABLE_SIZE: u16 = 0x1;
pub const INITIAL_WINDOW_SIZE: u16 = 0x4;
pub const MAX_FRAME_SIZE: u16 = 0x5;

/// SETTINGS_MAX_FRAME_SIZE until the client's SETTINGS say otherwise;
/// also the largest frame rawnet reads (it never raises its own).
const DEFAULT_MAX_FRAME: usize = 16_384;
/// Every window's size until SETTINGS or WINDOW_UPDATE say otherwise.
const DEFAULT_WINDOW: i64 = 65_535;
/// HPACK's dynamic table until SETTINGS_HEADER_TABLE_SIZE says otherwise.
const DEFAULT_TABLE: usize = 4096;

/// One frame: its header's fields, and its payload.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    pub kind: u8,
    pub flags: u8,
    pub stream: u32,
    pub payload: &'a [u8],
}

/// Bytes as frames: 9 bytes of header (§4.1: length 24 bits, type,
/// flags, a reserved bit and the stream's 31), then the payload. Returns
/// the frames and what is left, a frame cut short.
pub fn frames(mut bytes: &[u8]) -> (Vec<Frame<'_>>, &[u8]) {
    let mut frames = Vec::new();
    while let [l0, l1, l2, kind, flags, s0, s1, s2, s3, rest @ ..] = bytes {
        let length = usize::from(*l0) << 16 | usize::from(*l1) << 8 | usize::from(*l2);
        let Some(payload) = rest.get(..length) else {
            break;
        };
        frames.push(Frame {
            kind: *kind,
            flags: *flags,
            stream: u32::from_be_bytes([*s0, *s1, *s2, *s3]),
            payload,
        });
        bytes = &rest[length..];
    }
    (frames, bytes)
}

/// A frame's bytes, for the client's side of a test.
pub fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let length = payload.len() as u32;
    let mut out = length.to_be_bytes()[1..].to_vec();
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// What the client sent that rawnet's answer depends on.
#[derive(Debug, Default)]
pub struct Client {
    /// Each SETTINGS frame that is not an ACK, its settings in order:
    /// rawnet's k-th SETTINGS ACK says it applied the k-th (§6.5.3).
    settings: Vec<Vec<(u16, u32)>>,
    /// Each stream's WINDOW_UPDATE increments added up (0: the
    /// connection's). All of them, also those rawnet never got to: an
    /// upper bound on what it may send.
    increments: HashMap<u32, i64>,
    /// The streams the client sent HEADERS on, and the highest.
    opened: HashSet<u32>,
    highest: u32,
    /// The streams the client reset.
    reset: HashSet<u32>,
    /// The payloads of its PINGs, which rawnet's PING ACKs carry back.
    pings: HashSet<Vec<u8>>,
}

impl Client {
    /// The client's frames, from the first after the preface, up to where
    /// rawnet stops reading them: a frame longer than it takes (a
    /// FRAME_SIZE_ERROR, §4.2), or the end.
    pub fn read(after_preface: &[u8]) -> Client {
        let mut client = Client::default();
        for frame in frames(after_preface).0 {
            if frame.payload.len() > DEFAULT_MAX_FRAME {
                break;
            }
            let stream = frame.stream & 0x7fff_ffff;
            match frame.kind {
                SETTINGS if frame.flags & ACK == 0 => {
                    let settings = frame.payload.chunks_exact(6);
                    let settings =
                        settings.map(|s| (u16::from_be_bytes([s[0], s[1]]), be32(&s[2..])));
                    client.settings.push(settings.collect());
                }
                WINDOW_UPDATE if frame.payload.len() == 4 => {
                    let increment = i64::from(be32(frame.payload) & 0x7fff_ffff);
                    *client.increments.entry(stream).or_default() += increment;
                }
                HEADERS => {
                    client.opened.insert(stream);
                    client.highest = client.highest.max(stream);
                }
                RST_STREAM => {
                    client.reset.insert(stream);
                }
                PING => {
                    client.pings.insert(frame.payload.to_vec());
                }
                _ => {}
            }
        }
        client
    }

    fn increment(&self, stream: u32) -> i64 {
        self.increments.get(&stream).copied().unwrap_or(0)
    }
}

/// What rawnet sent on one stream, its frames' boundaries left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamOut {
    /// Each header block's fields, decoded, in order.
    pub headers: Vec<Vec<(Vec<u8>, Vec<u8>)>>,
    /// The DATA frames' payloads, one after the other.
    pub data: Vec<u8>,
    /// END_STREAM was sent.
    pub ended: bool,
    /// The RST_STREAM's error code, if one was sent.
    pub reset: Option<u32>,
    /// The WINDOW_UPDATE increments rawnet sent on it, added up.
    pub window_updates: u64,
}

/// What rawnet sent on a connection, once checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub streams: BTreeMap<u32, StreamOut>,
    /// The connection's own frames (stream 0), in order: type, flags,
    /// payload.
    pub control: Vec<(u8, u8, Vec<u8>)>,
    /// The GOAWAY's error code, if the connection ended with one.
    pub goaway: Option<u32>,
}

/// A header block whose CONTINUATION frames are still coming.
struct Block {
    stream: u32,
    end_stream: bool,
    bytes: Vec<u8>,
}

/// The checker's state: the client's view of the connection so far.
struct Checker<'c> {
    client: &'c Client,
    outcome: Outcome,
    /// SETTINGS ACKs seen: how many of the client's SETTINGS apply.
    acks: usize,
    /// The client's settings as rawnet applied them.
    max_frame: usize,
    initial_window: i64,
    decoder: Decoder,
    block: Option<Block>,
    /// DATA sent on the connection, and on each stream.
    sent: i64,
    sent_on: HashMap<u32, i64>,
}

/// Checks all of `output` against what the client sent; what rawnet
/// sent, or the first thing wrong with it.
pub fn check(output: &[u8], client: &Client) -> Result<Outcome, String> {
    let (frames, rest) = frames(output);
    if !rest.is_empty() {
        return Err(format!("a frame cut short at the end: {rest:02x?}"));
    }
    let mut checker = Checker {
        client,
        outcome: Outcome::default(),
        acks: 0,
        max_frame: DEFAULT_MAX_FRAME,
        initial_window: DEFAULT_WINDOW,
        decoder: Decoder::new(DEFAULT_TABLE),
        block: None,
        sent: 0,
        sent_on: HashMap::new(),
    };
    for (i, frame) in frames.iter().enumerate() {
        checker.frame(i, frame).map_err(|why| {
            format!(
                "frame {i} (type {}, flags {:#x}, stream {}, {} bytes): {why}",
                frame.kind,
                frame.flags,
                frame.stream,
                frame.payload.len()
            )
        })?;
    }
    checker.finish()
}

impl Checker<'_> {
    fn frame(&mut self, i: usize, frame: &Frame) -> Result<(), String> {
        let Frame {
            kind,
            flags,
            stream,
            payload,
        } = *frame;
        if self.outcome.goaway.is_some() {
            return Err("a frame after GOAWAY".into());
        }
        if payload.len() > self.max_frame {
            return Err(format!("longer than {} (MAX_FRAME_SIZE)", self.max_frame));
        }
        if stream & 0x8000_0000 != 0 {
            return Err("the reserved bit set (§4.1)".into());
        }
        if i == 0 && (kind != SETTINGS || flags & ACK != 0) {
            return Err("the first frame is not SETTINGS (§3.4)".into());
        }
        if self
            .block
            .as_ref()
            .is_some_and(|b| kind != CONTINUATION || b.stream != stream)
        {
            return Err("a frame inside a header block (§4.3)".into());
        }
        let allowed = match kind {
            DATA => END_STREAM,
            HEADERS => END_STREAM | END_HEADERS,
            SETTINGS | PING => ACK,
            CONTINUATION => END_HEADERS,
            RST_STREAM | GOAWAY | WINDOW_UPDATE => 0,
            _ => return Err("a type rawnet never sends".into()),
        };
        if flags & !allowed != 0 {
            return Err("flags its type does not have, or rawnet never sets".into());
        }
        let on_connection = matches!(kind, SETTINGS | PING | GOAWAY);
        if on_connection != (stream == 0) && kind != WINDOW_UPDATE {
            return Err("on the wrong stream for its type".into());
        }
        if stream == 0 {
            self.outcome.control.push((kind, flags, payload.to_vec()));
        }
        match kind {
            DATA => self.data(stream, flags, payload),
            HEADERS => self.headers(stream, flags, payload),
            CONTINUATION => self.continuation(flags, payload),
            RST_STREAM => self.rst_stream(stream, payload),
            SETTINGS => self.settings(i, flags, payload),
            PING if payload.len() != 8 || flags != ACK => Err("not a PING ACK of 8 bytes".into()),
            PING if !self.client.pings.contains(payload) => Err("a PING ACK for no PING".into()),
            GOAWAY if payload.len() < 8 => Err("GOAWAY shorter than 8 bytes".into()),
            GOAWAY => {
                self.outcome.goaway = Some(be32(&payload[4..]));
                Ok(())
            }
            WINDOW_UPDATE => self.window_update(stream, payload),
            _ => Ok(()),
        }
    }

    fn stream(&mut self, stream: u32) -> &mut StreamOut {
        self.outcome.streams.entry(stream).or_default()
    }

    fn data(&mut self, stream: u32, flags: u8, payload: &[u8]) -> Result<(), String> {
        let client = self.client;
        let initial = self.initial_window;
        let on = self.stream(stream);
        if on.headers.is_empty() || on.ended || on.reset.is_some() {
            return Err("DATA before HEADERS, or after END_STREAM or RST_STREAM".into());
        }
        on.data.extend_from_slice(payload);
        on.ended = flags & END_STREAM != 0;
        let length = payload.len() as i64;
        self.sent += length;
        let sent_on = self.sent_on.entry(stream).or_default();
        *sent_on += length;
        // The windows as rawnet keeps them (§6.9.2): the client's
        // INITIAL_WINDOW_SIZE as it stands, plus the increments, less
        // what was sent. Both must hold what was sent.
        if DEFAULT_WINDOW + client.increment(0) < self.sent {
            return Err(format!(
                "{} bytes of DATA past the connection's window",
                self.sent
            ));
        }
        if initial + client.increment(stream) < *sent_on {
            return Err(format!("{sent_on} bytes of DATA past the stream's window"));
        }
        Ok(())
    }

    fn headers(&mut self, stream: u32, flags: u8, payload: &[u8]) -> Result<(), String> {
        if !self.client.opened.contains(&stream) {
            return Err("HEADERS on a stream the client never opened".into());
        }
        let on = self.stream(stream);
        if !on.headers.is_empty() || on.reset.is_some() {
            return Err("a second header block, or one after RST_STREAM".into());
        }
        self.block = Some(Block {
            stream,
            end_stream: flags & END_STREAM != 0,
            bytes: payload.to_vec(),
        });
        if flags & END_HEADERS != 0 {
            return self.decode();
        }
        Ok(())
    }

    fn continuation(&mut self, flags: u8, payload: &[u8]) -> Result<(), String> {
        let Some(block) = &mut self.block else {
            return Err("CONTINUATION with no HEADERS before it".into());
        };
        block.bytes.extend_from_slice(payload);
        if flags & END_HEADERS != 0 {
            return self.decode();
        }
        Ok(())
    }

    /// A whole header block, through the client's HPACK decoder: a
    /// response's fields, `:status` first and alone of the
    /// pseudo-headers (§8.3.2), names in lower case (§8.2.1).
    fn decode(&mut self) -> Result<(), String> {
        let Some(block) = self.block.take() else {
            return Ok(());
        };
        let fields = (self.decoder.decode(&block.bytes, 1 << 20))
            .map_err(|e| format!("HPACK: {e}: {:02x?}", block.bytes))?;
        let fields: Vec<(Vec<u8>, Vec<u8>)> =
            fields.into_iter().map(|f| (f.name, f.value)).collect();
        match fields.first() {
            Some((name, value))
                if name == b":status"
                    && value.len() == 3
                    && value.iter().all(u8::is_ascii_digit) => {}
            _ => return Err(format!("no :status first: {fields:?}")),
        }
        for (name, _) in &fields[1..] {
            if name.starts_with(b":") || name.iter().any(u8::is_ascii_uppercase) || name.is_empty()
            {
                return Err(format!("a field name a response may not have: {name:?}"));
            }
        }
        let on = self.stream(block.stream);
        on.headers.push(fields);
        on.ended = block.end_stream;
        Ok(())
    }

    fn rst_stream(&mut self, stream: u32, payload: &[u8]) -> Result<(), String> {
        if payload.len() != 4 {
            return Err("RST_STREAM not 4 bytes".into());
        }
        if stream > self.client.highest {
            return Err("RST_STREAM on a stream the client left idle (§6.4)".into());
        }
        self.stream(stream).reset = Some(be32(payload));
        Ok(())
    }

    fn settings(&mut self, i: usize, flags: u8, payload: &[u8]) -> Result<(), String> {
        if flags & ACK == 0 {
            if i != 0 || payload.len() % 6 != 0 {
                return Err("a SETTINGS that is not the first, or not settings".into());
            }
            return Ok(());
        }
        if !payload.is_empty() {
            return Err("a SETTINGS ACK with a payload".into());
        }
        let Some(settings) = self.client.settings.get(self.acks) else {
            return Err("a SETTINGS ACK for SETTINGS the client never sent".into());
        };
        self.acks += 1;
        // Applied now: rawnet's frames from here on follow them.
        for &(id, value) in settings {
            match id {
                INITIAL_WINDOW_SIZE => self.initial_window = i64::from(value),
                MAX_FRAME_SIZE => self.max_frame = value as usize,
                HEADER_TABLE_SIZE => self.decoder.set_max_table_size(value as usize),
                _ => {}
            }
        }
        Ok(())
    }

    fn window_update(&mut self, stream: u32, payload: &[u8]) -> Result<(), String> {
        if payload.len() != 4 {
            return Err("WINDOW_UPDATE not 4 bytes".into());
        }
        let increment = be32(payload);
        if !(1..=0x7fff_ffff).contains(&increment) {
            return Err(format!("a WINDOW_UPDATE of {increment}"));
        }
        if stream != 0 {
            if !self.client.opened.contains(&stream) {
                return Err("WINDOW_UPDATE on a stream the client never opened".into());
            }
            self.stream(stream).window_updates += u64::from(increment);
        }
        Ok(())
    }

    /// The end of the output: no header block left open, and, unless a
    /// GOAWAY ended the connection, every response finished or reset
    /// unless one of its windows is shut (rawnet sends what the windows
    /// allow as soon as they allow it).
    fn finish(self) -> Result<Outcome, String> {
        if self.block.is_some() {
            return Err("the output ends inside a header block".into());
        }
        if self.outcome.goaway.is_none() {
            let connection_room = DEFAULT_WINDOW + self.client.increment(0) - self.sent;
            for (&id, on) in &self.outcome.streams {
                let unfinished = !on.headers.is_empty() && !on.ended && on.reset.is_none();
                let sent = self.sent_on.get(&id).copied().unwrap_or(0);
                let room = self.initial_window + self.client.increment(id) - sent;
                if unfinished && !self.client.reset.contains(&id) && room > 0 && connection_room > 0
                {
                    return Err(format!(
                        "stream {id} left unfinished with {room} bytes of room in its window and {connection_room} in the connection's"
                    ));
                }
            }
        }
        Ok(self.outcome)
    }
}
