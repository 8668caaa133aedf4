//! Building responses by hand, byte by byte: the status line, the headers,
//! the empty line, the body. Every line ends in CRLF, and `Content-Length` is
//! the body's length in bytes (not characters), which is what smol's own
//! `simple-server.rs` example gets wrong. A chunked body's framing is here
//! too, and `client --http` frames a request's body with it.

use super::date;

/// The standard reason phrase for a status code (RFC 9110 §15, and the
/// other codes in IANA's HTTP Status Code Registry, so that every
/// registered `?status` gets its words), or `""` for a code nobody
/// registered (306 is reserved, unused); the status line is still valid
/// without one.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    }
}

/// A status whose responses never carry content (RFC 9110 §15.3.5,
/// §15.3.6, §15.4.5): 204 No Content, 205 Reset Content, 304 Not Modified.
pub fn has_no_body(status: u16) -> bool {
    matches!(status, 204 | 205 | 304)
}

/// What the `Connection` header of a response says, and so whether the
/// connection stays open after it: a header, not the connection itself
/// (that is `conn/io.rs`'s `Socket`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionHeader {
    /// HTTP/1.1 default: say nothing, the connection stays open.
    Persistent,
    /// HTTP/1.0 client that asked for keep-alive: confirm it.
    KeepAlive,
    /// The server closes after this response: `Connection: close`.
    Close,
}

/// How a response's body is delimited (RFC 9112 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyEnd {
    /// `Content-Length`: the usual response, its body made before its head.
    Length,
    /// `Transfer-Encoding: chunked`: a `?drip`, its length not known when
    /// the head goes out.
    Chunked,
    /// Neither: the body ends when the connection does. A `?drip` to an
    /// HTTP/1.0 client, which does not know chunked (RFC 9112 §6.1).
    Close,
}

/// The fields of a response head that change from one response to another.
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    pub status: u16,
    pub content_type: &'a str,
    /// The body's length in bytes; for HEAD, the length GET would send.
    pub content_length: usize,
    /// How the client will know where the body ends.
    pub body_end: BodyEnd,
    pub connection: ConnectionHeader,
    /// Header lines a request's `?header` knobs add, each `Name: Value`
    /// and CRLF, sent after rawnet's own (empty for most responses).
    pub extra: &'a [u8],
}

/// The server's name and version, sent in every response.
const SERVER: &str = concat!("rawnet/", env!("CARGO_PKG_VERSION"));

/// Appends a response head (status line, headers, empty line) to `out`.
pub fn write_head(out: &mut Vec<u8>, head: &Head) {
    let reason = reason(head.status);
    out.extend_from_slice(b"HTTP/1.1 ");
    push_number(out, head.status as usize);
    out.push(b' ');
    out.extend_from_slice(reason.as_bytes());
    out.extend_from_slice(b"\r\nDate: ");
    date::write_now(out);
    out.extend_from_slice(b"\r\nServer: ");
    out.extend_from_slice(SERVER.as_bytes());
    out.extend_from_slice(b"\r\n");
    match head.status {
        // 204: no Content-Length at all (RFC 9110 §8.6). 304: only the
        // length a 200 would have had, or none; none says less that could
        // be wrong.
        204 | 304 => {}
        // 205: no content, and saying `Content-Length: 0` tells the client
        // so (RFC 9110 §15.3.6).
        205 => out.extend_from_slice(b"Content-Length: 0\r\n"),
        _ => {
            out.extend_from_slice(b"Content-Type: ");
            out.extend_from_slice(head.content_type.as_bytes());
            match head.body_end {
                BodyEnd::Length => {
                    out.extend_from_slice(b"\r\nContent-Length: ");
                    push_number(out, head.content_length);
                    out.extend_from_slice(b"\r\n");
                }
                BodyEnd::Chunked => out.extend_from_slice(b"\r\nTransfer-Encoding: chunked\r\n"),
                BodyEnd::Close => out.extend_from_slice(b"\r\n"),
            }
        }
    }
    match head.connection {
        ConnectionHeader::Persistent => {}
        ConnectionHeader::KeepAlive => out.extend_from_slice(b"Connection: keep-alive\r\n"),
        ConnectionHeader::Close => out.extend_from_slice(b"Connection: close\r\n"),
    }
    out.extend_from_slice(head.extra);
    out.extend_from_slice(b"\r\n");
}

/// Appends a whole response: `head`, then `body` unless the request was
/// HEAD or the status carries no content (`send_body` false).
pub fn write(out: &mut Vec<u8>, head: &Head, body: &[u8], send_body: bool) {
    write_head(out, head);
    if send_body {
        out.extend_from_slice(body);
    }
}

/// Appends the line that opens a chunk of `len` bytes in a chunked body
/// (RFC 9112 §7.1): the length in hex, then CRLF. The chunk's bytes
/// follow, then [`end_chunk`].
pub fn start_chunk(out: &mut Vec<u8>, len: u64) {
    use std::io::Write;
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{len:x}\r\n");
}

/// Appends the CRLF after a chunk's bytes.
pub fn end_chunk(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\r\n");
}

/// Appends the last chunk, of length 0 and with no trailer fields: the end
/// of a chunked body.
pub fn last_chunk(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0\r\n\r\n");
}

/// Appends a complete error response: `Connection: close`, because after
/// a refused request nobody can tell where the next one would start, and
/// `body` as plain text (its words are made in `refusal.rs`).
pub fn write_error(out: &mut Vec<u8>, status: u16, body: &[u8]) {
    write_error_with(out, status, b"", body);
}

/// [`write_error`] with one more header line (`Name: value` and CRLF), for
/// a refusal that must name something: 426's `Sec-WebSocket-Version`.
pub fn write_error_with(out: &mut Vec<u8>, status: u16, line: &[u8], body: &[u8]) {
    let head = Head {
        status,
        content_type: TEXT,
        content_length: body.len(),
        body_end: BodyEnd::Length,
        connection: ConnectionHeader::Close,
        extra: line,
    };
    write(out, &head, body, true);
}

/// The interim response that tells a client waiting on
/// `Expect: 100-continue` to send its body.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

pub const TEXT: &str = "text/plain; charset=utf-8";
pub const HTML: &str = "text/html; charset=utf-8";
pub const JSON: &str = "application/json";

/// Decimal digits without going through `format!`.
fn push_number(out: &mut Vec<u8>, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn without_date(head: &[u8]) -> String {
        let text = String::from_utf8(head.to_vec()).unwrap();
        text.lines()
            .filter(|l| !l.starts_with("Date: "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn head_has_crlf_lines_and_the_byte_length() {
        let mut out = Vec::new();
        write_head(
            &mut out,
            &Head {
                status: 200,
                content_type: TEXT,
                content_length: "héllo".len(),
                body_end: BodyEnd::Length,
                connection: ConnectionHeader::Close,
                extra: &[],
            },
        );
        assert!(out.starts_with(b"HTTP/1.1 200 OK\r\nDate: "));
        assert!(out.ends_with(b"Content-Length: 6\r\nConnection: close\r\n\r\n"));
        assert_eq!(
            out.iter().filter(|&&b| b == b'\n').count(),
            out.windows(2).filter(|w| w == b"\r\n").count()
        );
    }

    #[test]
    fn statuses_without_content_frame_it_as_the_rfc_says() {
        let mut out = Vec::new();
        let head = |status| Head {
            status,
            content_type: TEXT,
            content_length: 5,
            body_end: BodyEnd::Length,
            connection: ConnectionHeader::Persistent,
            extra: &[],
        };
        for status in [204, 304] {
            out.clear();
            write_head(&mut out, &head(status));
            assert!(!without_date(&out).contains("Content-"), "{status}");
        }
        out.clear();
        write_head(&mut out, &head(205));
        let text = without_date(&out);
        assert!(text.contains("Content-Length: 0"), "{text}");
        assert!(!text.contains("Content-Type"), "{text}");
    }

    #[test]
    fn numbers_without_format() {
        for n in [0, 7, 10, 65_535, usize::MAX] {
            let mut out = Vec::new();
            push_number(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
