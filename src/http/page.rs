//! What rawnet's HTTP mode answers with by default: the request itself,
//! exactly as it crossed the wire. Plain text for curl and nc; for a browser,
//! a small HTML page that also shows the response head rawnet sends back.

use std::fmt::Write;
use std::net::SocketAddr;

#[cfg(feature = "json")]
use super::claims::{self, Claim};

use super::layers::{self, Below, Instance, Layers};
use super::notes::{self, Note, Reads};
#[cfg(any(feature = "json", all(feature = "h2", feature = "knobs")))]
use super::request;
use super::request::Head;
use super::response;
use crate::show;

/// Which request on which connection this is, for the page's first line.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    pub conn: u64,
    pub request: u64,
    pub peer: SocketAddr,
    /// The client's address as a PROXY header gave it (`proxy.rs`).
    #[cfg_attr(not(any(feature = "proxy", feature = "json")), allow(dead_code))]
    pub proxy_client: Option<SocketAddr>,
    /// Which instance answered (host name, `--name`).
    pub instance: &'a Instance,
    /// A layer a plug-in put under HTTP (TLS).
    pub below: Option<&'a dyn Below>,
}

impl Origin<'_> {
    /// The connection's layers, from TCP up.
    pub fn layers(&self) -> Layers<'_> {
        Layers {
            peer: self.peer,
            instance: self.instance,
            proxy_client: self.proxy_client,
            below: self.below,
        }
    }

    /// Who sent the request: the TCP peer, and before it the client a
    /// PROXY header named, each labelled with who claims it.
    #[cfg(feature = "proxy")]
    fn from(&self) -> impl std::fmt::Display + '_ {
        crate::proxy::Via {
            proxy_client: self.proxy_client,
            peer: self.peer,
        }
    }

    /// Who sent the request: the TCP peer (no PROXY header is read).
    #[cfg(not(feature = "proxy"))]
    fn from(&self) -> impl std::fmt::Display + '_ {
        self.peer
    }
}

/// One request as the page shows it: its parsed head, the head's raw bytes
/// (`raw[..head.len]`), the decoded body, and the reads that brought the head.
#[derive(Clone, Copy, Debug)]
pub struct Shown<'a> {
    pub head: &'a Head,
    pub raw: &'a [u8],
    pub body: &'a [u8],
    pub reads: Reads<'a>,
}

impl Shown<'_> {
    pub(super) fn head_bytes(&self) -> &[u8] {
        &self.raw[..self.head.len]
    }

    pub(super) fn part(&self, range: &std::ops::Range<usize>) -> &[u8] {
        &self.raw[range.clone()]
    }
}

/// The plain-text page, written into `page`: the head byte for byte with
/// line endings made visible, then the body.
pub fn text(origin: Origin, shown: Shown, page: &mut String) {
    let _ = writeln!(
        page,
        "rawnet got this request on connection #{} (request {} on it) from {}.",
        origin.conn,
        origin.request,
        origin.from()
    );
    // Over TCP alone, the line above says it all; a layer in between
    // (TLS) is worth its own lines.
    if origin.below.is_some() {
        origin.layers().text(page);
    }
    page.push_str(
        "Every byte of its head as it crossed the wire; \\r and \\n are the line endings:\n\n",
    );
    visible(shown.head_bytes(), page, Markup::None);
    page.push('\n');
    #[cfg(feature = "json")]
    claimed_addresses(shown, page, Markup::None);
    worth_noting(shown, page, Markup::None);
    describe_body(shown.body, page, Markup::None);
}

/// The HTML page and its response head, written into `page` and
/// `response_head`. The page shows the very head it is sent with, and that
/// head's `Content-Length` is the page's own length: a fixed point, found by
/// rendering the head until the length stops changing (it settles in two or
/// three passes, when the number's digit count does). Only the response
/// head is rendered again; the request part, which can be large, and the
/// static end, the panels' scripts included, are written once.
pub fn html_response(
    origin: Origin,
    shown: Shown,
    panels: &[Panel],
    mut head: response::Head,
    response_head: &mut Vec<u8>,
    page: &mut String,
) {
    page.clear();
    html_request_part(origin, shown, panels, page);
    let request_part = page.len();
    head.content_length = 0;
    let html_end = || {
        std::iter::once(SECTION_END)
            .chain(panels.iter().map(|panel| panel.html))
            .chain(std::iter::once(FOOTER))
    };
    let end: usize = html_end().map(str::len).sum();
    loop {
        response_head.clear();
        response::write_head(response_head, &head);
        page.truncate(request_part);
        visible(response_head, page, Markup::Html);
        let length = page.len() + end;
        if length == head.content_length {
            html_end().for_each(|part| page.push_str(part));
            return;
        }
        head.content_length = length;
    }
}

/// A section another module adds to the HTML page, after the response
/// (the WebSocket panel): its style rules and its HTML, both fixed text.
/// HTTP shows whichever panels its session was given, knowing nothing of
/// what they are.
#[derive(Clone, Copy, Debug)]
pub struct Panel {
    pub style: &'static str,
    pub html: &'static str,
}

/// What follows the response head shown on the page: the end of its
/// section; then the panels, then the footer.
const SECTION_END: &str = concat!(
    "</pre>\n<p class=\"note\">followed by this page. Its <code>Content-Length</code> is the ",
    "page's size in bytes, the head inside it included.</p>\n</section>\n</main>\n",
);

/// The page's last words.
const FOOTER: &str = concat!(
    "<footer>rawnet: <code>curl -v</code>, <code>nc</code> and this page all talk to ",
    "the same port.</footer>\n</body>\n</html>\n"
);

/// The page up to where the response head is shown.
fn html_request_part(origin: Origin, shown: Shown, panels: &[Panel], page: &mut String) {
    page.push_str(concat!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>rawnet: "
    ));
    escape_html(shown.part(&shown.head.method), page);
    page.push(' ');
    escape_html(shown.part(&shown.head.target), page);
    let _ = write!(page, " HTTP/1.{}", shown.head.minor);
    page.push_str("</title>\n<style>\n");
    page.push_str(STYLE);
    page.push_str(layers::STYLE);
    panels.iter().for_each(|panel| page.push_str(panel.style));
    page.push_str("</style>\n</head>\n<body>\n<header>\n<h1>HTTP is just text</h1>\n<p>");
    let _ = write!(
        page,
        "Connection <b>#{}</b>, request <b>{}</b> on it, from <b>{}</b>. ",
        origin.conn,
        origin.request,
        origin.from()
    );
    page.push_str(concat!(
        "These are the exact bytes both ways on one TCP connection; ",
        "<span class=\"eol\">\\r\\n</span> marks where each line ends. "
    ));
    #[cfg(feature = "json")]
    {
        page.push_str("<a href=\"");
        json_link(shown.part(&shown.head.target), page);
        page.push_str("\">As JSON</a>.");
    }
    page.push_str("</p>\n</header>\n<main>\n");
    origin.layers().html(page);
    page.push_str("<section>\n<h2>Your browser sent</h2>\n<pre id=\"request\">");
    visible(shown.head_bytes(), page, Markup::Html);
    page.push_str("</pre>\n<pre class=\"body\">");
    describe_body(shown.body, page, Markup::Html);
    page.push_str("</pre>\n");
    #[cfg(feature = "json")]
    claimed_addresses(shown, page, Markup::Html);
    worth_noting(shown, page, Markup::Html);
    page.push_str("</section>\n<section>\n<h2>rawnet answers</h2>\n<pre id=\"response\">");
}

/// The "As JSON" link: this request's path and query with `format=json` in
/// place of any `format=` it had (a knob may be given once), written so
/// that it stays on this server whatever the target was. The target is
/// the client's: `//evil.example/x` as an `href` is another host (a
/// browser reads a leading `//` as "same scheme, this host"), and so are
/// `http://evil.example/x` and `/\evil.example` (a browser reads `\` as
/// `/`); `javascript:...` would run a script. An `href` that starts with
/// exactly one `/` is a path on the page's own server, so that is what
/// this always writes:
///
/// - an absolute-form target links to its path (`http://host/x` to `/x`),
///   the part that names the resource on whichever server answers;
/// - a path that starts with `//` gets `/.` in front: `/.//evil.example/x`
///   is one `/` and a `.` segment, which the browser removes, so it asks
///   this server for `//evil.example/x`, the very target;
/// - a target that is no path (`*`, `javascript:alert(1)`) gets a `/` in
///   front, which makes it one;
/// - every byte goes through [`push_url`], so `\` is `%5C`.
#[cfg(feature = "json")]
fn json_link(target: &[u8], out: &mut String) {
    format_link(target, "json", out);
}

/// [`json_link`] for any view: `format=json`, `format=text`. The HTTP/2
/// page links to its JSON and text views with it, a `:path` being as much
/// the client's as a target is.
#[cfg(any(feature = "json", all(feature = "h2", feature = "knobs")))]
pub(crate) fn format_link(target: &[u8], format: &str, out: &mut String) {
    let (path, query) = request::split_target(target);
    let path = path_of(path);
    if path.starts_with(b"//") {
        out.push_str("/.");
    } else if !path.starts_with(b"/") {
        out.push('/');
    }
    push_url(path, out);
    out.push('?');
    for param in request::params(query) {
        if !param.is_empty() && request::name_value(param).0 != b"format" {
            push_url(param, out);
            out.push_str("&amp;");
        }
    }
    out.push_str("format=");
    out.push_str(format);
}

/// The path of an absolute-form target, `scheme://authority/path`
/// (RFC 3986 §3): `http://host/x` gives `/x`, and `http://host` gives
/// `/`. Any other target is given back as it is.
#[cfg(any(feature = "json", all(feature = "h2", feature = "knobs")))]
fn path_of(target: &[u8]) -> &[u8] {
    let Some(colon) = target.iter().position(|&b| b == b':') else {
        return target;
    };
    let scheme = &target[..colon];
    let is_scheme = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    let Some(rest) = target[colon + 1..]
        .strip_prefix(b"//")
        .filter(|_| is_scheme)
    else {
        return target;
    };
    match rest.iter().position(|&b| b == b'/') {
        Some(slash) => &rest[slash..],
        None => b"/",
    }
}

/// URL bytes written into a double-quoted attribute: printable ASCII as it
/// is (a `%XX` the client wrote stays as written), HTML's `&`, `<`, `>`
/// and `"` as entities, and the rest (a space, control bytes, bytes past
/// ASCII) percent-encoded, as the URL would carry them. So is `\`, which
/// a browser would read as `/`. (`escape_text`'s `\xNN`, right for text
/// to read, would put backslashes in a URL.)
#[cfg(any(feature = "json", all(feature = "h2", feature = "knobs")))]
fn push_url(bytes: &[u8], out: &mut String) {
    for &b in bytes {
        match b {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\\' => out.push_str("%5C"),
            b'!'..=b'~' => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

/// The page's style rules; the HTTP/2 page has the same look.
pub(crate) const STYLE: &str = "\
:root { color-scheme: light dark; --fg: #1d232b; --bg: #f6f7f9; --card: #fff; --line: #d9dde3;
  --dim: #8a94a3; --accent: #0b6bcb; }
@media (prefers-color-scheme: dark) { :root { --fg: #e3e7ed; --bg: #14181d; --card: #1c2128;
  --line: #2d343d; --dim: #7d8794; --accent: #5aa7f5; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 2rem 1.5rem; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;
  color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 72rem; margin: 0 auto; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; letter-spacing: -.01em; }
header p { margin: 0 0 1.5rem; color: var(--dim); }
header b { color: var(--fg); font-weight: 600; }
main { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; }
h2 { margin: 0 0 .75rem; font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; color: var(--accent); }
pre { margin: 0; font: 13.5px/1.6 ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
  white-space: pre-wrap; word-break: break-all; }
pre.body { margin-top: .75rem; padding-top: .75rem; border-top: 1px dashed var(--line); }
.eol, .esc { color: var(--dim); }
.note, footer { color: var(--dim); font-size: .9rem; }
footer { margin-top: 1.5rem; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; }
";

/// How much of a text body the page shows. Escaping multiplies size (a
/// byte that is not printable becomes `\xNN`, and in HTML a `<span>` around
/// it: up to 29 bytes); a binary body is dumped instead, but a text body may
/// still be 1 byte in 8 escapes, and the stated worst case assumes all are.
/// A prefix says what the body is, and its length says the rest.
pub const BODY_SHOWN: usize = 8 * 1024;

/// The body after the head: text escaped as the head is, up to
/// [`BODY_SHOWN`]; binary (an image, a gzip upload) as the hex dump
/// `--trace` prints, up to [`show::DUMP_BYTES`].
fn describe_body(body: &[u8], out: &mut String, markup: Markup) {
    if body.is_empty() {
        out.push_str("no body\n");
        return;
    }
    // Judged on the part a text body would show: the page never looks at
    // more of a body than it may show, whatever `--max-body` allows.
    let shown = if show::looks_binary(&body[..body.len().min(BODY_SHOWN)]) {
        let _ = writeln!(out, "body: {} bytes, binary:", body.len());
        for row in show::dump_rows(body) {
            // A row is ASCII; only a `<` or `&` in its ASCII column needs
            // escaping in HTML.
            escape_dump_row(&row.to_string(), out, markup);
            out.push('\n');
        }
        body.len().min(show::DUMP_BYTES)
    } else {
        let _ = writeln!(out, "body: {} bytes", body.len());
        let shown = &body[..body.len().min(BODY_SHOWN)];
        visible(shown, out, markup);
        if !shown.ends_with(b"\n") {
            out.push('\n');
        }
        shown.len()
    };
    if shown < body.len() {
        let _ = writeln!(out, "… and {} more bytes", body.len() - shown);
    }
}

fn escape_dump_row(row: &str, out: &mut String, markup: Markup) {
    for c in row.chars() {
        match (c, markup) {
            ('<', Markup::Html) => out.push_str("&lt;"),
            ('>', Markup::Html) => out.push_str("&gt;"),
            ('&', Markup::Html) => out.push_str("&amp;"),
            ('"', Markup::Html) => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// The "Worth noting" list (see `notes.rs`), or nothing when a head has
/// nothing to note, so a plain request's page stays the head and its body.
fn worth_noting(shown: Shown, out: &mut String, markup: Markup) {
    let mut any = false;
    notes::find(shown.reads, shown.head_bytes(), |note| {
        if !any {
            any = true;
            out.push_str(match markup {
                Markup::None => "Worth noting:\n",
                Markup::Html => "<p class=\"note\">Worth noting:</p>\n<ul class=\"note\">\n",
            });
        }
        out.push_str(match markup {
            Markup::None => "- ",
            Markup::Html => "<li>",
        });
        describe_note(&note, out, markup);
        out.push_str(match markup {
            Markup::None => "\n",
            Markup::Html => "</li>\n",
        });
    });
    if any {
        out.push_str(match markup {
            Markup::None => "\n",
            Markup::Html => "</ul>\n",
        });
    }
}

/// The addresses the headers claim (see `claims.rs`), one header a line
/// with its hops in order and what that order means; nothing when no
/// header claims one.
#[cfg(feature = "json")]
fn claimed_addresses(shown: Shown, out: &mut String, markup: Markup) {
    if !shown.head.claims {
        return;
    }
    let found = claims::find(shown.head_bytes());
    let _ = write!(
        out,
        "{}Addresses in the headers, each claimed by {}:{}",
        match markup {
            Markup::None => "",
            Markup::Html => "<p class=\"note\">",
        },
        claims::CLAIM_SAYS,
        match markup {
            Markup::None => "\n",
            Markup::Html => "</p>\n<ul class=\"note\">\n",
        }
    );
    for claim in &found {
        out.push_str(match markup {
            Markup::None => "- ",
            Markup::Html => "<li>",
        });
        describe_claim(claim, out, markup);
        out.push_str(match markup {
            Markup::None => "\n",
            Markup::Html => "</li>\n",
        });
    }
    out.push_str(match markup {
        Markup::None => "\n",
        Markup::Html => "</ul>\n",
    });
}

/// `X-Forwarded-For: 203.0.113.7 → 10.0.0.1 (the leftmost is ...)`.
#[cfg(feature = "json")]
fn describe_claim(claim: &Claim, out: &mut String, markup: Markup) {
    let text = |s: &str, out: &mut String| escape_text(s.as_bytes(), out, markup, "", "");
    text(&claim.header, out);
    out.push_str(": ");
    for (i, hop) in claim.hops.iter().enumerate() {
        if i > 0 {
            out.push_str(" → ");
        }
        let forwarded = [
            ("for", &hop.for_),
            ("by", &hop.by),
            ("proto", &hop.proto),
            ("host", &hop.host),
        ];
        let is_forwarded = claim.kind == "forwarded";
        let mut first = true;
        for (name, value) in forwarded {
            let Some(value) = value else { continue };
            if !first {
                out.push(';');
            }
            first = false;
            if is_forwarded {
                out.push_str(name);
                out.push('=');
            }
            text(value, out);
        }
        for value in [&hop.protocol, &hop.received_by, &hop.comment]
            .into_iter()
            .flatten()
        {
            if !first {
                out.push(' ');
            }
            first = false;
            text(value, out);
        }
    }
    if claim.hops_not_shown > 0 {
        let _ = write!(out, " → … and {} more", claim.hops_not_shown);
    }
    let _ = write!(out, " ({})", claims::order_of(claim.kind));
}

/// A note as one plain sentence, for the JSON view.
#[cfg(feature = "json")]
pub(super) fn note_text(note: &Note) -> String {
    let mut out = String::new();
    describe_note(note, &mut out, Markup::None);
    out
}

/// One note in a sentence, with the RFC section that allows it.
fn describe_note(note: &Note, out: &mut String, markup: Markup) {
    let name = |name: &[u8], out: &mut String| escape_text(name, out, markup, "", "");
    match *note {
        Note::Reads(reads) => {
            let _ = write!(out, "The head came in {} reads: ", reads.count());
            for (i, read) in reads.each().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let ms = read.micros / 1000;
                let tenth = read.micros % 1000 / 100;
                let _ = match (i, read.start == read.last) {
                    (0, true) => write!(out, "byte {}", read.start),
                    (0, false) => write!(out, "bytes {}-{}", read.start, read.last),
                    (_, true) => write!(out, "{}", read.start),
                    (_, false) => write!(out, "{}-{}", read.start, read.last),
                };
                let _ = write!(out, " at {ms}.{tenth} ms");
            }
            if reads.more() > 0 {
                let _ = write!(out, ", and {} more reads", reads.more());
            }
            out.push_str(". One read is not one message: TCP delivers bytes, not requests.");
        }
        Note::BareLf { lines } => {
            let (lines, end) = match lines {
                1 => ("1 line".to_string(), "ends"),
                n => (format!("{n} lines"), "end"),
            };
            let _ = write!(
                out,
                "{lines} {end} in a bare \\n, not \\r\\n; a server may accept that \
                 (RFC 9112 §2.2), but not every one does."
            );
        }
        Note::Repeated { name: field, times } => {
            name(field, out);
            let _ = write!(
                out,
                " is sent {times} times; for a list-valued field that means one \
                 comma-separated list (RFC 9110 §5.3)."
            );
        }
        Note::TrailingWhitespace { name: field } => {
            name(field, out);
            out.push_str(
                "'s value ends in whitespace, which is not part of the value (RFC 9110 §5.5).",
            );
        }
        Note::NonAscii { name: field } => {
            name(field, out);
            out.push_str(
                "'s value has bytes 0x80-0xff (shown as \\xNN): not ASCII; \
                 RFC 9110 §5.5 calls them obs-text, opaque data.",
            );
        }
        Note::AbsoluteForm => out.push_str(
            "The target is a full URL (absolute form), as a client sends to a proxy; \
             a server must accept it too (RFC 9112 §3.2.2).",
        ),
        Note::HostDiffers { host, authority } => {
            out.push_str("Host says ");
            name(host, out);
            out.push_str(" but the target names ");
            name(authority, out);
            out.push_str("; the target wins (RFC 9112 §3.2.2).");
        }
        Note::H2c => out.push_str(
            "The client offered to switch to HTTP/2 (Upgrade: h2c); rawnet stayed on HTTP/1.1.",
        ),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Markup {
    None,
    Html,
}

/// Writes `bytes` so every byte can be seen: printable ASCII as is, `\r`,
/// `\n`, `\t` and `\\` as escapes, anything else as `\xNN`. Each `\n` is
/// also a real line break, so the text keeps the shape it had on the wire.
fn visible(bytes: &[u8], out: &mut String, markup: Markup) {
    let (open, close) = match markup {
        Markup::None => ("", ""),
        Markup::Html => ("<span class=\"esc\">", "</span>"),
    };
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(rest.len());
        let (text, ending) = rest.split_at(end);
        escape_text(text, out, markup, open, close);
        let ending_len = if ending.starts_with(b"\r\n") {
            2
        } else {
            ending.len().min(1)
        };
        let eol = match &ending[..ending_len] {
            b"\r\n" => "\\r\\n",
            b"\n" => "\\n",
            b"\r" => "\\r",
            _ => "",
        };
        if !eol.is_empty() {
            match markup {
                Markup::None => out.push_str(eol),
                Markup::Html => {
                    out.push_str("<span class=\"eol\">");
                    out.push_str(eol);
                    out.push_str("</span>");
                }
            }
            if ending[..ending_len].ends_with(b"\n") {
                out.push('\n');
            }
        }
        rest = &ending[ending_len..];
    }
}

/// Each byte as `show::byte` shows it (the one place that decides how a
/// byte looks), with HTML's special characters as entities and, in HTML,
/// escapes wrapped in `open`/`close` so the page can dim them.
fn escape_text(text: &[u8], out: &mut String, markup: Markup, open: &str, close: &str) {
    for &b in text {
        match (b, markup) {
            (b'<', Markup::Html) => out.push_str("&lt;"),
            (b'>', Markup::Html) => out.push_str("&gt;"),
            (b'&', Markup::Html) => out.push_str("&amp;"),
            (b'"', Markup::Html) => out.push_str("&quot;"),
            _ => match show::byte(b) {
                show::Byte::Char(c) => out.push(c),
                // A backslash stands for itself: text, not a dimmed escape.
                show::Byte::Escape(text) if b == b'\\' => out.push_str(text),
                other => {
                    out.push_str(open);
                    let _ = write!(out, "{other}");
                    out.push_str(close);
                }
            },
        }
    }
}

fn escape_html(text: &[u8], out: &mut String) {
    escape_text(text, out, Markup::Html, "", "");
}

#[cfg(test)]
mod tests {
    use super::*;

    static INSTANCE: crate::http::layers::Instance = crate::http::layers::Instance {
        host: String::new(),
        name: None,
        listener: None,
    };
    use crate::http::request::{self, Framing};

    fn head(raw: &[u8]) -> Head {
        let method_end = raw.iter().position(|&b| b == b' ').unwrap();
        let target_end = method_end
            + 1
            + raw[method_end + 1..]
                .iter()
                .position(|&b| b == b' ')
                .unwrap();
        Head {
            len: raw.len(),
            method: 0..method_end,
            target: method_end + 1..target_end,
            minor: 1,
            later_1x: false,
            framing: Framing::None,
            keep_alive: true,
            expects_continue: false,
            view: request::View::Html,
            claims: false,
            upgrade: false,
        }
    }

    fn html_head() -> response::Head<'static> {
        response::Head {
            status: 200,
            content_type: response::HTML,
            content_length: 0,
            body_end: response::BodyEnd::Length,
            connection: response::ConnectionHeader::Persistent,
            extra: &[],
        }
    }

    fn origin() -> Origin<'static> {
        Origin {
            conn: 3,
            request: 2,
            peer: "127.0.0.1:5000".parse().unwrap(),
            proxy_client: None,
            instance: &INSTANCE,
            below: None,
        }
    }

    /// The text page for a request's head and body.
    fn text_page(raw: &[u8], body: &[u8]) -> String {
        let head = head(raw);
        let shown = Shown {
            head: &head,
            raw,
            body,
            reads: Reads::default(),
        };
        let mut page = String::new();
        text(origin(), shown, &mut page);
        page
    }

    /// The HTML response for a request's head and body: its head, and the
    /// page.
    fn html_page(raw: &[u8], body: &[u8]) -> (String, String) {
        html_page_with(raw, body, &[])
    }

    /// [`html_page`], with these panels after the response.
    fn html_page_with(raw: &[u8], body: &[u8], panels: &[Panel]) -> (String, String) {
        let head = head(raw);
        let shown = Shown {
            head: &head,
            raw,
            body,
            reads: Reads::default(),
        };
        let (mut response_head, mut page) = (Vec::new(), String::new());
        html_response(
            origin(),
            shown,
            panels,
            html_head(),
            &mut response_head,
            &mut page,
        );
        (String::from_utf8(response_head).unwrap(), page)
    }

    #[test]
    fn text_shows_line_endings_and_escapes() {
        let raw = b"GET / HTTP/1.1\r\nX: a\tb\xff\r\nY: c\n\r\n";
        let page = text_page(raw, b"hi");
        assert!(page.starts_with(
            "rawnet got this request on connection #3 (request 2 on it) from 127.0.0.1:5000."
        ));
        assert!(
            page.contains("\nGET / HTTP/1.1\\r\\n\nX: a\\tb\\xff\\r\\n\nY: c\\n\n\\r\\n\n"),
            "{page}"
        );
        assert!(page.ends_with("body: 2 bytes\nhi\n"), "{page}");
    }

    #[test]
    fn a_large_body_is_shown_as_a_bounded_prefix() {
        let raw = b"POST / HTTP/1.1\r\n\r\n";
        let body = vec![0u8; 1024 * 1024];
        let page = text_page(raw, &body);
        assert!(page.contains("body: 1048576 bytes, binary:\n"), "{page}");
        assert!(page.contains(
            "\n  00f0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
        ));
        let rest = body.len() - show::DUMP_BYTES;
        assert!(page.ends_with(&format!("|\n… and {rest} more bytes\n")));
        // 16 rows of 75 characters, and no more.
        assert!(page.len() < 16 * 76 + 1024, "{}", page.len());
        let (_, html) = html_page(raw, &body);
        assert!(html.len() < 29 * BODY_SHOWN + 8 * 1024, "{}", html.len());
        assert!(html.contains(&format!("… and {rest} more bytes")));
    }

    #[test]
    fn a_large_text_body_is_shown_as_a_bounded_prefix() {
        let raw = b"POST / HTTP/1.1\r\n\r\n";
        let body = vec![b'a'; 1024 * 1024];
        let page = text_page(raw, &body);
        assert!(page.contains("body: 1048576 bytes\naaaa"), "{page}");
        assert!(page.ends_with(&format!(
            "a\n… and {} more bytes\n",
            body.len() - BODY_SHOWN
        )));
        assert!(page.len() < BODY_SHOWN + 1024, "{}", page.len());
    }

    #[test]
    fn a_binary_bodys_ascii_column_is_escaped_in_html() {
        let raw = b"POST / HTTP/1.1\r\n\r\n";
        let body = b"\x00\x01\x02\x03<b>&\"\x04\x05\x06\x07\x08\x0e\x0f";
        let (_, html) = html_page(raw, body);
        assert!(
            html.contains(
                "body: 16 bytes, binary:\n  0000  00 01 02 03 3c 62 3e 26  22 04 05 06 07 08 0e 0f  \
                 |....&lt;b&gt;&amp;&quot;.......|\n</pre>"
            ),
            "{html}"
        );
    }

    #[test]
    fn html_content_length_is_the_pages_own_length() {
        let raw = b"GET /<x> HTTP/1.1\r\nHost: a&b\r\n\r\n";
        let (head_text, page) = html_page(raw, b"");
        assert!(
            head_text.contains(&format!("Content-Length: {}\r\n", page.len())),
            "{head_text}"
        );
        assert!(page.contains("<title>rawnet: GET /&lt;x&gt; HTTP/1.1</title>"));
        assert!(page
            .contains("GET /&lt;x&gt; HTTP/1.1<span class=\"eol\">\\r\\n</span>\nHost: a&amp;b"));
        // The head shown in the page is the head that is sent.
        let first_line = head_text.lines().next().unwrap();
        assert!(page.contains(first_line));
        assert!(!page.contains("<x>"), "request bytes must be escaped");
        #[cfg(feature = "json")]
        assert!(page.contains("<a href=\"/&lt;x&gt;?format=json\">As JSON</a>"));
    }

    #[cfg(feature = "json")]
    #[test]
    fn the_json_link_replaces_a_format_knob() {
        let raw = b"GET /a?x=1&format=html&y HTTP/1.1\r\nHost: a\r\n\r\n";
        let (_, page) = html_page(raw, b"");
        assert!(
            page.contains("<a href=\"/a?x=1&amp;y&amp;format=json\">"),
            "{page}"
        );
    }

    /// Whatever the target, the link is a path on this server: one `/`
    /// first, then anything but a second one (or a `\`, a `/` to a
    /// browser), and no byte that would end the attribute.
    #[cfg(feature = "json")]
    #[test]
    fn the_json_link_stays_on_this_server() {
        for (target, href) in [
            ("//evil.example/x", "/.//evil.example/x?format=json"),
            ("/\\evil.example", "/%5Cevil.example?format=json"),
            ("\\\\evil.example", "/%5C%5Cevil.example?format=json"),
            ("http://evil.example/x", "/x?format=json"),
            ("HTTPS://evil.example", "/?format=json"),
            (
                "http://evil.example//x?format=html&a=1",
                "/.//x?a=1&amp;format=json",
            ),
            ("javascript:alert(1)", "/javascript:alert(1)?format=json"),
            ("*", "/*?format=json"),
            ("/a\"onclick=x", "/a&quot;onclick=x?format=json"),
            ("/caf\u{e9} x", "/caf%C3%A9%20x?format=json"),
            ("/a?q=%2F%2Fx", "/a?q=%2F%2Fx&amp;format=json"),
        ] {
            let mut out = String::new();
            json_link(target.as_bytes(), &mut out);
            assert_eq!(out, href, "{target}");
        }
    }

    #[cfg(feature = "websocket")]
    #[test]
    fn the_websocket_panel_waits_for_javascript_and_the_fixed_text_is_bounded() {
        let raw = b"GET / HTTP/1.1\r\n\r\n";
        let (_, page) = html_page_with(raw, b"", &[crate::ws::panel::PANEL]);
        // Without a script, the page is the exchange and nothing more.
        assert!(
            page.contains("<section id=\"ws\" hidden data-opened="),
            "{page}"
        );
        assert!(page.ends_with(
            "</script>\n<footer>rawnet: <code>curl -v</code>, <code>nc</code> \
             and this page all talk to the same port.</footer>\n</body>\n</html>\n"
        ));
        // The README's worst case per connection counts 16 KiB of fixed
        // text in a page.
        assert!(page.len() < 16 * 1024, "{}", page.len());
    }
}
