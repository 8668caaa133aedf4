//! The pages of a request that came over HTTP/2: the same views as
//! HTTP/1.1's (text for curl, HTML for a browser, JSON for programs), of
//! what HTTP/2 sends instead of a head: its header fields as HPACK
//! decoded them, each with how it was sent and its bytes; the frames of
//! its stream both ways; and the connection's fingerprint. The HTML page
//! is `view/html.rs`.

use std::fmt::Write;
use std::net::SocketAddr;

use super::request::Request;
use crate::h2::frame;
use crate::http::layers::{Below, Instance, Layers};
use crate::http::response;
use crate::show::{Escaped, Hex};

mod html;
use html::html;

/// A request and everything its pages show.
pub(crate) struct Shown<'a> {
    pub conn: u64,
    pub request_number: u64,
    pub stream: u32,
    pub peer: SocketAddr,
    pub instance: &'a Instance,
    pub proxy_client: Option<SocketAddr>,
    pub below: Option<&'a dyn Below>,
    pub request: &'a Request,
    pub body: &'a [u8],
    pub frames: &'a [(bool, Vec<u8>)],
    pub frames_not_shown: usize,
    /// The connection's, made into Akamai's words when a page shows it.
    pub fingerprint: &'a super::Fingerprint,
}

/// The response to a request: its status, type and body, and what the
/// knobs add: `?size`'s filler (made as it is sent, never held whole),
/// `?header`'s fields, `?delay`.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub filler: u64,
    pub extra: Vec<(Vec<u8>, Vec<u8>)>,
    pub delay: Option<std::time::Duration>,
    /// `?drip`: the body made in chunks over time, not all now.
    #[cfg(feature = "knobs")]
    pub drip: Option<super::drip::Drip>,
}

impl Answer {
    pub(crate) fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Answer {
            status,
            content_type,
            body,
            filler: 0,
            extra: Vec::new(),
            delay: None,
            #[cfg(feature = "knobs")]
            drip: None,
        }
    }

    /// Whether the body is a `?drip`'s, whose length is not known ahead.
    pub fn drips(&self) -> bool {
        #[cfg(feature = "knobs")]
        return self.drip.is_some();
        #[cfg(not(feature = "knobs"))]
        false
    }

    /// The body's length: its bytes and the filler after them.
    pub fn len(&self) -> u64 {
        self.body.len() as u64 + self.filler
    }
}

/// Which view the request asks for: `?format=json` or `Accept`.
fn wants(request: &Request) -> &'static str {
    let path = &request.path;
    let query = path.iter().position(|&b| b == b'?').map(|i| &path[i..]);
    if query.is_some_and(|q| q.windows(11).any(|w| w == b"format=json")) {
        return response::JSON;
    }
    let accept = request.fields.iter().find(|f| f.name == b"accept");
    match accept.map(|f| f.value.as_slice()) {
        Some(v) if v.windows(9).any(|w| w == b"text/html") => response::HTML,
        Some(v) if v.starts_with(b"application/json") => response::JSON,
        _ => response::TEXT,
    }
}

/// The answer to `shown`: 200 with the view it asks for, or `--body`;
/// then what the knobs in its query say.
pub(crate) fn answer(shown: &Shown, config: &crate::http::Config) -> Answer {
    #[cfg(feature = "knobs")]
    return knobs::answer(shown, config);
    #[cfg(not(feature = "knobs"))]
    plain_answer(shown, config, wants(shown.request))
}

/// The answer without knobs, in the view `content_type` names.
fn plain_answer(shown: &Shown, config: &crate::http::Config, content_type: &'static str) -> Answer {
    let status = config.status;
    if let Some(fixed) = &config.body {
        return Answer::new(status, response::TEXT, fixed.clone());
    }
    let body = match content_type {
        response::JSON => json(shown),
        response::HTML => html(shown).into_bytes(),
        _ => text(shown).into_bytes(),
    };
    Answer::new(status, content_type, body)
}

/// The knobs over HTTP/2: `?status`, `?header`, `?size` (its filler sent
/// as the windows allow), `?format`, `?delay` (the whole response held,
/// on the session's timer), `?drip` (its chunks made when due, each a
/// DATA frame: `drip.rs`).
#[cfg(feature = "knobs")]
mod knobs {
    use super::super::drip::Drip;
    use super::{plain_answer, response, wants, Answer, Shown};
    use crate::http::knobs::Knobs;
    use crate::http::request::View;

    pub(super) fn answer(shown: &Shown, config: &crate::http::Config) -> Answer {
        let knobs = match Knobs::parse(&shown.request.path, config) {
            Ok(knobs) => knobs,
            // The same words as HTTP/1.1's refusal of it.
            Err(bad) => {
                let words = format!("400 Bad Request: {bad}\n");
                return Answer::new(400, response::TEXT, words.into_bytes());
            }
        };
        let content_type = match knobs.format {
            Some(View::Text) => response::TEXT,
            Some(View::Html) => response::HTML,
            #[cfg(feature = "json")]
            Some(View::Json) => response::JSON,
            None => wants(shown.request),
        };
        let mut answer = match knobs.size {
            Some(size) => Answer {
                filler: size,
                ..Answer::new(config.status, response::TEXT, Vec::new())
            },
            None => plain_answer(shown, config, content_type),
        };
        if let Some(chunks) = knobs.drip {
            answer.drip = Some(Drip {
                chunks,
                interval: knobs.interval(),
                size: knobs.size.unwrap_or(0),
                arrived: std::time::Instant::now(),
            });
            // The drip makes the body, `?size` included, chunk by chunk.
            answer.body.clear();
            answer.filler = 0;
            answer.content_type = response::TEXT;
        }
        answer.status = knobs.status.unwrap_or(answer.status);
        answer.delay = knobs.delay;
        answer.extra = fields(&knobs.headers);
        answer
    }

    /// `?header`'s `Name: Value\r\n` lines as HTTP/2 fields: the name in
    /// lower case (RFC 9113 §8.2.1), and none of HTTP/1.1's connection's
    /// own (§8.2.2), which HTTP/2 forbids.
    fn fields(lines: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let forbidden: [&[u8]; 5] = [
            b"connection",
            b"keep-alive",
            b"proxy-connection",
            b"transfer-encoding",
            b"upgrade",
        ];
        (lines.split(|&b| b == b'\n'))
            .filter_map(|line| {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let colon = line.iter().position(|&b| b == b':')?;
                let name = line[..colon].to_ascii_lowercase();
                let value = line[colon + 1..].trim_ascii().to_vec();
                (!forbidden.contains(&name.as_slice())).then_some((name, value))
            })
            .collect()
    }
}

/// The response's header fields, before HPACK: `:status` first (§8.3.2).
pub(crate) fn response_fields(answer: &Answer) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut date = Vec::new();
    crate::http::date::write_now(&mut date);
    let server = concat!("rawnet/", env!("CARGO_PKG_VERSION"));
    let mut fields = vec![
        (b":status".to_vec(), answer.status.to_string().into_bytes()),
        (b"date".to_vec(), date),
        (b"server".to_vec(), server.into()),
    ];
    if !response::has_no_body(answer.status) {
        fields.push((b"content-type".to_vec(), answer.content_type.into()));
        // A drip's body ends with END_STREAM, its length not known ahead.
        if !answer.drips() {
            let length = answer.len().to_string().into_bytes();
            fields.push((b"content-length".to_vec(), length));
        }
    }
    fields.extend(answer.extra.iter().cloned());
    fields
}

fn layers<'a>(shown: &'a Shown) -> Layers<'a> {
    Layers {
        peer: shown.peer,
        instance: shown.instance,
        proxy_client: shown.proxy_client,
        below: shown.below,
    }
}

/// The text page.
pub(crate) fn text(shown: &Shown) -> String {
    let mut page = String::new();
    let _ = writeln!(
        page,
        "rawnet got this request on connection #{} (stream {}, request {} on it) from {}, over HTTP/2.",
        shown.conn, shown.stream, shown.request_number, shown.peer
    );
    if shown.below.is_some() || shown.proxy_client.is_some() {
        layers(shown).text(&mut page);
    }
    let request = shown.request;
    let _ = writeln!(
        page,
        "HTTP/2 sends a request as frames, its head as a header block compressed with HPACK \
         ({} bytes here). Decoded, its fields in the order they came; HTTP/2 names are lower \
         case, and the request line is the pseudo-headers :method, :scheme, :authority, :path:\n",
        request.block.len()
    );
    for field in &request.fields {
        let _ = writeln!(page, "{}", field.describe(&request.block));
    }
    for field in &request.trailers {
        let _ = writeln!(
            page,
            "trailer {}: {}",
            show(&field.name),
            show(&field.value)
        );
    }
    page.push('\n');
    describe_body(shown.body, &mut page);
    page.push_str(
        "\nThe frames of this stream as they crossed the wire (> from the client, < from \
         rawnet), up to this page; its own HEADERS and DATA follow:\n",
    );
    write_frames(shown, &mut page);
    let _ = writeln!(
        page,
        "\nThe connection's HTTP/2 fingerprint (Akamai's format: SETTINGS|WINDOW_UPDATE|PRIORITY|pseudo-header order):\n{}",
        shown.fingerprint.akamai()
    );
    page
}

fn describe_body(body: &[u8], page: &mut String) {
    if body.is_empty() {
        page.push_str("no body\n");
        return;
    }
    let _ = writeln!(
        page,
        "its body, {} bytes: {}",
        body.len(),
        Escaped::preview(body, 1024)
    );
}

/// Each frame: `>` or `<`, its header decoded, its first bytes.
fn write_frames(shown: &Shown, page: &mut String) {
    for (received, bytes) in shown.frames {
        let arrow = if *received { '>' } else { '<' };
        let _ = writeln!(page, "  {arrow} {}", frame_words(bytes));
    }
    if shown.frames_not_shown > 0 {
        let _ = writeln!(page, "  … and {} more frames", shown.frames_not_shown);
    }
}

/// A frame of the stream as the pages show it, its 9-byte header decoded
/// (the flags by the names its type gives them: 0x1 is END_STREAM on
/// HEADERS and DATA, ACK on SETTINGS and PING). The text page, the HTML
/// table and the JSON view all read a frame through this.
pub(super) struct FrameRow<'a> {
    pub header: frame::Header,
    /// `HEADERS`, or `unknown type` for a type RFC 9113 does not define.
    pub name: &'static str,
    /// The flags set that its type defines.
    pub flags: Vec<&'static str>,
    /// The bits set that its type does not define, ignored (§4.1).
    pub undefined_flags: u8,
    /// The bytes kept of it: the header and the payload's first bytes.
    pub bytes: &'a [u8],
}

impl<'a> FrameRow<'a> {
    /// The frame whose first bytes are `bytes`, or `None` if they are
    /// fewer than a header.
    pub fn new(bytes: &'a [u8]) -> Option<Self> {
        let head = bytes.first_chunk::<{ frame::Header::LEN }>()?;
        let header = frame::Header::parse(head);
        let (flags, undefined_flags) = frame::flag_names(header.kind, header.flags);
        Some(FrameRow {
            header,
            name: frame::kind::name(header.kind).unwrap_or("unknown type"),
            flags,
            undefined_flags,
            bytes,
        })
    }

    /// The flags in words, `END_STREAM END_HEADERS`, empty when none is
    /// set; a bit its type does not define as `0x40 (ignored)`.
    pub fn flag_words(&self) -> String {
        let mut words = self.flags.join(" ");
        if self.undefined_flags != 0 {
            let space = if words.is_empty() { "" } else { " " };
            let _ = write!(words, "{space}{:#04x} (ignored)", self.undefined_flags);
        }
        words
    }

    /// The payload's bytes that were kept (the first 16 at most).
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[frame::Header::LEN..]
    }
}

/// A frame's header in words, and its bytes: `HEADERS, 30 bytes, flags
/// END_STREAM END_HEADERS, stream 1 (00 00 1e 01 05 00 00 00 01 ...)`.
fn frame_words(bytes: &[u8]) -> String {
    let Some(row) = FrameRow::new(bytes) else {
        return Hex::preview(bytes, 32).to_string();
    };
    let flags = match row.flag_words() {
        words if words.is_empty() => words,
        words => format!(", flags {words}"),
    };
    format!(
        "{}, {} bytes{flags}, stream {} ({})",
        row.name,
        row.header.length,
        row.header.stream,
        Hex::preview(bytes, 32)
    )
}

fn show(bytes: &[u8]) -> String {
    Escaped::bare_preview(bytes, 1024).to_string()
}

/// The JSON view: the request's fields as `[name, value]` pairs, each
/// field's representation, the frames, the fingerprint and the layers.
pub(crate) fn json(shown: &Shown) -> Vec<u8> {
    let request = shown.request;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let headers: Vec<[String; 2]> = (request.fields.iter())
        .map(|f| [text(&f.name), text(&f.value)])
        .collect();
    let fields: Vec<String> = (request.fields.iter())
        .map(|f| f.describe(&request.block))
        .collect();
    let frames: Vec<String> = (shown.frames.iter())
        .map(|(received, bytes)| {
            format!(
                "{} {}",
                if *received { '>' } else { '<' },
                frame_words(bytes)
            )
        })
        .collect();
    let view = serde_json::json!({
        "connection": shown.conn,
        "request": shown.request_number,
        "stream": shown.stream,
        "version": "HTTP/2",
        "method": text(&request.method),
        "scheme": text(&request.scheme),
        "authority": request.authority.as_deref().map(text),
        "path": text(&request.path),
        "headers": headers,
        "hpack": { "block_bytes": request.block.len(), "fields": fields },
        "body": { "length": shown.body.len(), "content": text(&shown.body[..shown.body.len().min(8192)]) },
        "frames": frames,
        "akamai_fingerprint": shown.fingerprint.akamai(),
        "layers": layers(shown).json(),
    });
    let mut out = serde_json::to_vec_pretty(&view).unwrap_or_default();
    out.push(b'\n');
    out
}
