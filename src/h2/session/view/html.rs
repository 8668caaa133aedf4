//! The HTML page of a request that came over HTTP/2, for a browser
//! (Chromium over `https://` agrees on h2 by ALPN, sends `Accept:
//! text/html`, and gets this): the text page's facts laid out as the
//! HTTP/1.1 page lays out its own, in its style. The layers panel; the
//! header fields as a table, each with how HPACK sent it and its bytes;
//! the block's size against the same head as HTTP/1.1 text; trailers and
//! body; the stream's frames both ways; and the connection's Akamai
//! fingerprint, its four parts taken apart.
//!
//! One hand-written string, its style inside it, no script. Every byte
//! from the wire is escaped twice: as rawnet shows all such bytes
//! (`show.rs`: printable ASCII as itself, the rest as `\xNN`, dimmed
//! here), then for HTML (`<`, `>`, `&`, `"`, `'` as entities, with the
//! layers panel's `escape`).

use std::fmt::Write;

use super::{layers, FrameRow, Shown};
use crate::h2::hpack::{Field, Representation};
use crate::h2::Setting;
use crate::http::layers::escape;
use crate::http::page::{BODY_SHOWN, STYLE as PAGE_STYLE};
use crate::show::{self, Hex, LIST_SHOWN, PREVIEW_HEX_BYTES};

/// How much of one field's value a table cell shows before `...(N
/// more)`: a long cookie or token says what it is in its first KiB.
const VALUE_SHOWN: usize = 1024;

/// The HTML page for `shown`.
pub(crate) fn html(shown: &Shown) -> String {
    let mut page = String::with_capacity(16 * 1024);
    head(shown, &mut page);
    page.push_str("<main>\n");
    layers(shown).html(&mut page);
    fields(shown, &mut page);
    trailers(shown, &mut page);
    body(shown.body, &mut page);
    frames(shown, &mut page);
    fingerprint(shown, &mut page);
    // A WebSocket from this page rides this same connection (RFC 8441).
    #[cfg(feature = "websocket")]
    page.push_str(crate::ws::panel::HTML_OVER_H2);
    page.push_str(FOOTER);
    page
}

/// The page's own rules, after the HTTP/1.1 page's and the layers
/// panel's: the wide tables of fields and frames.
const STYLE: &str = "\
section.wide { grid-column: 1 / -1; overflow-x: auto; }
table.wire { border-collapse: collapse; width: 100%;
  font: 13.5px/1.5 ui-monospace, 'SF Mono', Menlo, Consolas, monospace; }
.wire th { text-align: left; color: var(--dim); font-weight: normal; border-bottom: 1px solid var(--line); }
.wire th, .wire td { padding: .2rem .9rem .2rem 0; vertical-align: top; }
.wire td { word-break: break-all; border-bottom: 1px solid var(--line); }
.wire td.how { word-break: normal; min-width: 14rem; }
.fields td:first-child, .frames td:not(.hex) { word-break: normal; white-space: nowrap; }
.wire tr.indexed td.how { color: var(--accent); }
.wire tr.pseudo td:first-child { color: var(--accent); }
.wire .hex { color: var(--dim); }
ul.parts { margin: .5rem 0 0; padding-left: 1.25rem; }
ul.parts li { margin: .35rem 0; }
p { margin: .5rem 0; }
";

/// The page's last words.
const FOOTER: &str = concat!(
    "</main>\n<footer>rawnet: <code>curl --http2</code>, <code>nghttp</code> and this page ",
    "all talk to the same port.</footer>\n</body>\n</html>\n"
);

/// The document's head, and the header: which stream of which
/// connection, and the links to the other views.
fn head(shown: &Shown, page: &mut String) {
    let request = shown.request;
    page.push_str(concat!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>rawnet: "
    ));
    wire(&request.method, page);
    page.push(' ');
    wire(&request.path, page);
    page.push_str(" HTTP/2</title>\n<style>\n");
    page.push_str(PAGE_STYLE);
    page.push_str(crate::http::layers::STYLE);
    page.push_str(STYLE);
    #[cfg(feature = "websocket")]
    page.push_str(crate::ws::panel::STYLE);
    page.push_str("</style>\n</head>\n<body>\n<header>\n<h1>HTTP/2 is frames</h1>\n<p>");
    let _ = write!(
        page,
        "This request came over <b>HTTP/2</b> on stream <b>{}</b> of connection <b>#{}</b> \
         (request {} on it), from <b>{}</b>. ",
        shown.stream, shown.conn, shown.request_number, shown.peer
    );
    page.push_str(
        "Where HTTP/1.1 sends a head as lines of text, HTTP/2 sends binary frames, the head \
         compressed with HPACK; this page shows both, decoded.",
    );
    #[cfg(feature = "json")]
    link(&request.path, "json", "As JSON", page);
    #[cfg(feature = "knobs")]
    link(&request.path, "text", "As text", page);
    page.push_str("</p>\n</header>\n");
}

/// ` <a href="/path?format=json">As JSON</a>.`: a link to this request's
/// other view, always a path on this server (see `format_link`).
#[cfg(any(feature = "json", feature = "knobs"))]
fn link(path: &[u8], format: &str, words: &str, page: &mut String) {
    page.push_str(" <a href=\"");
    crate::http::page::format_link(path, format, page);
    let _ = write!(page, "\">{words}</a>.");
}

/// The header fields, a row each, and what the block weighs.
fn fields(shown: &Shown, page: &mut String) {
    let request = shown.request;
    page.push_str(concat!(
        "<section class=\"wide\">\n<h2>Your browser sent, over HTTP/2</h2>\n",
        "<p class=\"note\">HTTP/2 has no request line: it is the pseudo-headers ",
        "<code>:method</code>, <code>:scheme</code>, <code>:authority</code> and ",
        "<code>:path</code>, which come first; and every field name is lower case ",
        "(RFC 9113 §8.2.1, §8.3). Each field as HPACK decoded it, in the order it came:</p>\n",
    ));
    field_table(&request.fields, Some(&request.block), page);
    let http1 = http1_len(shown);
    let block = request.block.len();
    let _ = writeln!(
        page,
        "<p class=\"note\">The header block is <b>{block} bytes</b>. The same head as \
         HTTP/1.1 text (the request line, <code>Host</code> from <code>:authority</code>, \
         a <code>name: value\\r\\n</code> line per field, the empty line) would be \
         <b>{http1} bytes</b>: HPACK sent {}% of it.</p>",
        block * 100 / http1.max(1)
    );
    page.push_str(concat!(
        "<p class=\"note\"><b>indexed, static N</b>: the whole field is one number, entry N ",
        "of HPACK's static table (61 common fields, RFC 7541 Appendix A); <b>dynamic N</b>: ",
        "of the table both ends fill as the connection goes (from 62). A <b>literal</b> spells ",
        "the value out: <b>with incremental indexing</b> adds the field to the dynamic table, ",
        "so that the next request sends it as one byte; <b>without indexing</b> leaves the ",
        "table as it is; <b>never indexed</b> asks every hop never to (a secret). Its name is ",
        "a table entry (<b>name static N</b>) or spelled out (<b>new name</b>), and ",
        "<b>Huffman</b> says which strings HPACK's Huffman code shortened.</p>\n</section>\n",
    ));
}

/// A table of fields: name, value, how HPACK sent each, and its bytes
/// in `block` when the block was kept.
fn field_table(fields: &[Field], block: Option<&[u8]>, page: &mut String) {
    page.push_str("<table class=\"wire fields\">\n<tr><th>name</th><th>value</th>");
    page.push_str("<th>sent as</th>");
    if block.is_some() {
        page.push_str("<th>bytes</th>");
    }
    page.push_str("</tr>\n");
    for field in fields {
        let pseudo = field.name.starts_with(b":");
        let indexed = matches!(field.repr, Representation::Indexed { .. });
        let class = match (pseudo, indexed) {
            (true, true) => " class=\"pseudo indexed\"",
            (true, false) => " class=\"pseudo\"",
            (false, true) => " class=\"indexed\"",
            (false, false) => "",
        };
        let _ = write!(page, "<tr{class}><td>");
        wire_preview(&field.name, show::NAME_SHOWN, page);
        page.push_str("</td><td>");
        wire_preview(&field.value, VALUE_SHOWN, page);
        // The words are rawnet's own, ASCII with no markup.
        let _ = write!(page, "</td><td class=\"how\">{}</td>", field.repr);
        if let Some(block) = block {
            let hex = Hex::preview(field.sent(block), PREVIEW_HEX_BYTES);
            let _ = write!(page, "<td class=\"hex\">{hex}</td>");
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table>\n");
}

/// How long the request's head would be as HTTP/1.1 text: `GET /path
/// HTTP/1.1\r\n`, `Host: ` with `:authority` (unless a `host` field came,
/// which would be the line), each other field as `name: value\r\n`
/// (cookies, which HTTP/2 may send as one field each, as the one line
/// HTTP/1.1 joins them into with `; `, RFC 9113 §8.2.3), and the empty
/// line.
fn http1_len(shown: &Shown) -> usize {
    let request = shown.request;
    let line = |name: usize, value: usize| name + ": ".len() + value + "\r\n".len();
    let mut len = request.method.len() + 1 + request.path.len() + " HTTP/1.1\r\n".len();
    let regular = (request.fields.iter()).filter(|f| !f.name.starts_with(b":"));
    let has_host = regular.clone().any(|f| f.name == b"host");
    if let (Some(authority), false) = (&request.authority, has_host) {
        len += line("host".len(), authority.len());
    }
    let cookies: Vec<&Field> = regular.clone().filter(|f| f.name == b"cookie").collect();
    if !cookies.is_empty() {
        let values: usize = cookies.iter().map(|f| f.value.len()).sum();
        len += line("cookie".len(), values + "; ".len() * (cookies.len() - 1));
    }
    for field in regular.filter(|f| f.name != b"cookie") {
        len += line(field.name.len(), field.value.len());
    }
    len + "\r\n".len()
}

/// The trailers, if a second HEADERS brought any: its block is not
/// kept, so no bytes.
fn trailers(shown: &Shown, page: &mut String) {
    if shown.request.trailers.is_empty() {
        return;
    }
    page.push_str(concat!(
        "<section class=\"wide\">\n<h2>Trailers</h2>\n<p class=\"note\">Fields after the body, ",
        "in a second HEADERS frame that ends the stream (RFC 9113 §8.1):</p>\n",
    ));
    field_table(&shown.request.trailers, None, page);
    page.push_str("</section>\n");
}

/// The body, as its DATA frames carried it: text escaped, up to
/// [`BODY_SHOWN`]; binary as a hex dump's rows.
fn body(body: &[u8], page: &mut String) {
    page.push_str("<section>\n<h2>Its body</h2>\n");
    if body.is_empty() {
        page.push_str("<p class=\"note\">No body: no DATA frame came.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        page,
        "<p class=\"note\">{} bytes, in the DATA frames below.</p>",
        body.len()
    );
    page.push_str("<pre class=\"body\">");
    let shown = if show::looks_binary(&body[..body.len().min(BODY_SHOWN)]) {
        for row in show::dump_rows(body) {
            escape(&row.to_string(), page);
            page.push('\n');
        }
        body.len().min(show::DUMP_BYTES)
    } else {
        let shown = body.len().min(BODY_SHOWN);
        wire(&body[..shown], page);
        page.push('\n');
        shown
    };
    if shown < body.len() {
        let _ = writeln!(page, "… and {} more bytes", body.len() - shown);
    }
    page.push_str("</pre>\n</section>\n");
}

/// The stream's frames both ways, a row each.
fn frames(shown: &Shown, page: &mut String) {
    let _ = write!(
        page,
        "<section class=\"wide\">\n<h2>The frames of stream {}</h2>\n",
        shown.stream
    );
    page.push_str(concat!(
        "<p class=\"note\">As they crossed the wire, up to this page; its own HEADERS and DATA ",
        "follow. Each frame is a 9-byte header (length, type, flags, stream) and a payload ",
        "of that length; the table shows the payload's first bytes.</p>\n",
        "<table class=\"wire frames\">\n<tr><th>way</th><th>type</th><th>flags</th>",
        "<th>stream</th><th>length</th><th>header</th><th>payload</th></tr>\n",
    ));
    for (received, bytes) in shown.frames {
        let way = match received {
            true => "client → rawnet",
            false => "rawnet → client",
        };
        let Some(row) = FrameRow::new(bytes) else {
            let hex = Hex::joined(bytes, " ");
            let _ = writeln!(page, "<tr><td>{way}</td><td colspan=\"6\">{hex}</td></tr>");
            continue;
        };
        let header = Hex::joined(&bytes[..bytes.len() - row.payload().len()], " ");
        let more = match row.header.length as usize > row.payload().len() {
            true => " …",
            false => "",
        };
        let _ = writeln!(
            page,
            "<tr><td>{way}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"hex\">{header}</td><td class=\"hex\">{}{more}</td></tr>",
            row.name,
            row.flag_words(),
            row.header.stream,
            row.header.length,
            Hex::joined(row.payload(), " "),
        );
    }
    page.push_str("</table>\n");
    if shown.frames_not_shown > 0 {
        let _ = writeln!(
            page,
            "<p class=\"note\">… and {} more frames.</p>",
            shown.frames_not_shown
        );
    }
    page.push_str("</section>\n");
}

/// The connection's Akamai fingerprint, and its four parts in words.
fn fingerprint(shown: &Shown, page: &mut String) {
    let print = shown.fingerprint;
    let [settings, window, priorities, order] = print.parts();
    page.push_str(concat!(
        "<section class=\"wide\">\n<h2>The connection's HTTP/2 fingerprint</h2>\n",
        "<p class=\"note\">Akamai's format (Black Hat EU 2017): four parts from the ",
        "connection's first frames, joined by <code>|</code>. Like JA3 and JA4 for TLS, it ",
        "names the HTTP/2 library, whatever the User-Agent says.</p>\n<pre class=\"akamai\">",
    ));
    escape(&print.akamai(), page);
    page.push_str("</pre>\n<ul class=\"parts\">\n<li><b>SETTINGS</b> <code>");
    escape(&settings, page);
    page.push_str(
        "</code>: the client's first SETTINGS frame, each setting <code>id:value</code> \
         in the order sent",
    );
    settings_list(print.settings.as_deref().unwrap_or_default(), page);
    page.push_str("</li>\n<li><b>WINDOW_UPDATE</b> <code>");
    escape(&window, page);
    match print.window_update {
        Some(increment) => {
            let _ = write!(
                page,
                "</code>: the first WINDOW_UPDATE on stream 0, the connection: the client \
                 lets rawnet send {increment} bytes more than the 65535 every connection \
                 starts with, {} in flight.",
                u64::from(increment) + 65_535
            );
        }
        None => page.push_str("</code>: no WINDOW_UPDATE on stream 0 came before this page."),
    }
    page.push_str("</li>\n<li><b>PRIORITY</b> <code>");
    escape(&priorities, page);
    priority_words(print, page);
    page.push_str("</li>\n<li><b>pseudo-header order</b> <code>");
    escape(&order, page);
    page.push_str(concat!(
        "</code>: the order of <code>:method</code>, <code>:authority</code>, ",
        "<code>:scheme</code> and <code>:path</code> (m, a, s, p) in the connection's first ",
        "request. Chromium sends <code>m,a,s,p</code>, curl <code>m,p,s,a</code>.</li>\n",
        "</ul>\n</section>\n",
    ));
}

/// The first SETTINGS' settings, by name: `1:65536 HEADER_TABLE_SIZE =
/// 65536`, an identifier RFC 9113 does not define (an extension's, or
/// GREASE) said to be ignored. The first [`LIST_SHOWN`], then a count.
fn settings_list(settings: &[Setting], page: &mut String) {
    if settings.is_empty() {
        page.push_str(" (none: an empty SETTINGS).");
        return;
    }
    page.push_str(":\n<ul>\n");
    for setting in settings.iter().take(LIST_SHOWN) {
        let name = setting.name().unwrap_or("not in RFC 9113: ignored");
        let _ = writeln!(
            page,
            "<li><code>{}:{}</code> {name} = {}</li>",
            setting.id, setting.value, setting.value
        );
    }
    if settings.len() > LIST_SHOWN {
        let _ = writeln!(page, "<li>… and {} more</li>", settings.len() - LIST_SHOWN);
    }
    page.push_str("</ul>\n");
}

/// The PRIORITY frames, each `stream:exclusive:dependency:weight` in words.
fn priority_words(print: &super::super::Fingerprint, page: &mut String) {
    if print.priorities.is_empty() {
        page.push_str(
            "</code>: no PRIORITY frames came (<code>0</code>). A HEADERS frame's own \
             priority fields (its PRIORITY flag, which Chromium sets) are not counted here, as \
             Akamai's format says. RFC 9113 §5.3.2 deprecates both; nghttp still sends a tree \
             of PRIORITY frames first.",
        );
        return;
    }
    page.push_str(
        "</code>: each PRIORITY frame the client sent, as \
         <code>stream:exclusive:dependency:weight</code> in the order sent (a HEADERS \
         frame's own priority fields are not counted, as Akamai's format says; rawnet \
         shows them, and schedules nothing by them):\n<ul>\n",
    );
    for (stream, priority) in &print.priorities {
        let exclusive = match priority.exclusive {
            true => ", exclusive",
            false => "",
        };
        let _ = writeln!(
            page,
            "<li>stream {stream} depends on {}, weight {}{exclusive}</li>",
            priority.dependency, priority.weight
        );
    }
    page.push_str("</ul>\n");
}

/// Bytes from the wire, every one: [`wire_preview`] uncut.
fn wire(bytes: &[u8], page: &mut String) {
    wire_preview(bytes, bytes.len(), page);
}

/// Bytes from the wire, each as `show::byte` shows it, HTML's special
/// characters as entities and the escapes dimmed, as the HTTP/1.1 page
/// shows a head; cut after `max` bytes with `...(N more)`.
fn wire_preview(bytes: &[u8], max: usize, page: &mut String) {
    let shown = bytes.len().min(max);
    for &b in &bytes[..shown] {
        match show::byte(b) {
            show::Byte::Char(c) => escape(c.encode_utf8(&mut [0; 4]), page),
            // A backslash stands for itself: text, not a dimmed escape.
            show::Byte::Escape(text) if b == b'\\' => page.push_str(text),
            other => {
                let _ = write!(page, "<span class=\"esc\">{other}</span>");
            }
        }
    }
    if shown < bytes.len() {
        let _ = write!(page, "...({} more)", bytes.len() - shown);
    }
}
