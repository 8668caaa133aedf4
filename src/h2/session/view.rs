//! The pages of a request that came over HTTP/2: the same views as
//! HTTP/1.1's (text for curl, HTML for a browser, JSON for programs), of
//! what HTTP/2 sends instead of a head: its header fields as HPACK
//! decoded them, each with how it was sent and its bytes; the frames of
//! its stream both ways; and the connection's fingerprint.

use std::fmt::Write;
use std::net::SocketAddr;

use super::request::Request;
use crate::h2::frame;
use crate::http::layers::{Below, Instance, Layers};
use crate::http::response;
use crate::show::{Escaped, Hex};

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
    pub akamai: String,
}

/// The response to a request: its status, type and body.
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
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

/// The answer to `shown`: 200 with the view it asks for, or `--body`.
pub(crate) fn answer(shown: &Shown, config: &crate::http::Config) -> Answer {
    let status = config.status;
    if let Some(fixed) = &config.body {
        return Answer {
            status,
            content_type: response::TEXT,
            body: fixed.clone(),
        };
    }
    let content_type = wants(shown.request);
    let body = match content_type {
        response::JSON => json(shown),
        response::HTML => html(shown).into_bytes(),
        _ => text(shown).into_bytes(),
    };
    Answer {
        status,
        content_type,
        body,
    }
}

/// The response's header fields, before HPACK: `:status` first (§8.3.2).
pub(crate) fn response_fields(answer: &Answer) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut date = Vec::new();
    crate::http::date::write_now(&mut date);
    vec![
        (b":status".to_vec(), answer.status.to_string().into_bytes()),
        (b"date".to_vec(), date),
        (
            b"server".to_vec(),
            concat!("rawnet/", env!("CARGO_PKG_VERSION")).into(),
        ),
        (b"content-type".to_vec(), answer.content_type.into()),
        (
            b"content-length".to_vec(),
            answer.body.len().to_string().into_bytes(),
        ),
    ]
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
        shown.akamai
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

/// A frame's header in words, and its bytes: `HEADERS, 30 bytes, flags
/// END_STREAM END_HEADERS, stream 1 (00 00 1e 01 05 00 00 00 01 ...)`.
fn frame_words(bytes: &[u8]) -> String {
    let Some(head) = bytes.first_chunk::<{ frame::Header::LEN }>() else {
        return Hex::preview(bytes, 32).to_string();
    };
    let header = frame::Header::parse(head);
    let name = frame::kind::name(header.kind).unwrap_or("unknown type");
    let mut flags = Vec::new();
    for (bit, flag) in [
        (frame::flag::END_STREAM, "END_STREAM/ACK"),
        (frame::flag::END_HEADERS, "END_HEADERS"),
        (frame::flag::PADDED, "PADDED"),
        (frame::flag::PRIORITY, "PRIORITY"),
    ] {
        if header.flags & bit != 0 {
            flags.push(flag);
        }
    }
    let flags = match flags.is_empty() {
        true => String::new(),
        false => format!(", flags {}", flags.join(" ")),
    };
    format!(
        "{name}, {} bytes{flags}, stream {} ({})",
        header.length,
        header.stream,
        Hex::preview(bytes, 32)
    )
}

fn show(bytes: &[u8]) -> String {
    Escaped::bare_preview(bytes, 1024).to_string()
}

/// The HTML page: the layers panel, then the text page's words.
pub(crate) fn html(shown: &Shown) -> String {
    let mut page = String::from(concat!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<title>rawnet: HTTP/2</title>\n<style>\n",
        "body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem; }\n",
        "pre { white-space: pre-wrap; word-break: break-all; }\n"
    ));
    page.push_str(crate::http::layers::STYLE);
    page.push_str("</style>\n</head>\n<body>\n<h1>HTTP/2 is frames</h1>\n");
    layers(shown).html(&mut page);
    page.push_str("<section>\n<h2>Your browser sent, over HTTP/2</h2>\n<pre>");
    escape_html(&text(shown), &mut page);
    page.push_str("</pre>\n</section>\n</body>\n</html>\n");
    page
}

fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
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
        "akamai_fingerprint": shown.akamai,
        "layers": layers(shown).json(),
    });
    let mut out = serde_json::to_vec_pretty(&view).unwrap_or_default();
    out.push(b'\n');
    out
}
