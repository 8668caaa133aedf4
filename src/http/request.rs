//! Reading a request head: httparse for the syntax, then the checks httparse
//! leaves to us (RFC 9112): Host, Content-Length, Transfer-Encoding,
//! Connection and Expect. Body framing is where request smuggling lives, so
//! anything ambiguous is refused, never guessed.

use std::ops::Range;

use super::refusal::Refusal;

/// How many header lines a request may have. httparse fills a fixed array
/// and answers `TooManyHeaders` past it, which becomes a 431; a fixed array
/// means no allocation and no growing retry loop.
pub const MAX_HEADERS: usize = 64;

/// A parsed, checked request head. It copies nothing: the head's bytes stay
/// in the session's buffer, exactly as they arrived (showing them is the
/// point of rawnet's HTTP mode), and the head says where its parts are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// Bytes of the head in the buffer: request line, headers, empty line.
    pub len: usize,
    pub method: Range<usize>,
    pub target: Range<usize>,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor: u8,
    /// The line said a later HTTP/1.x (`HTTP/1.2`), read and answered as
    /// 1.1 (`minor` is 1): only the WebSocket handshake, which wants
    /// HTTP/1.1 itself, tells the two apart.
    pub later_1x: bool,
    pub framing: Framing,
    /// Whether the client wants the connection kept open afterwards.
    pub keep_alive: bool,
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    pub expects_continue: bool,
    /// Which page the client asked for with `Accept`.
    pub view: View,
    /// A header that claims an address came (`Forwarded`,
    /// `X-Forwarded-For`, `X-Real-IP`, `Via`): only then are claims looked
    /// for, so a plain request pays nothing for them.
    pub claims: bool,
    /// An `Upgrade` header came: only then does the session look at what
    /// it asks for (`upgrade.rs`).
    pub upgrade: bool,
}

/// Which page a request gets, by `Accept` (RFC 9110 §12.5.1): the first of
/// `text/html` and `application/json` that the list names wins, so a
/// browser's `text/html,...,*/*` gets HTML and `Accept: application/json`
/// gets JSON; neither (curl's `*/*`) gets plain text. Quality values are
/// not weighed: a client that wants JSON lists it, and a browser lists
/// HTML first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Text,
    Html,
    #[cfg(feature = "json")]
    Json,
}

/// How the request's body is delimited (RFC 9112 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(u64),
    Chunked,
}

/// The result of looking at the bytes received so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Valid so far, not complete: read more. An expected runtime condition,
    /// not an error (tinyhttp and mini-redis treat it the same way).
    Partial,
    /// A complete head and how many bytes of the buffer it took.
    Complete(Head, usize),
}

/// Parses the head at the start of `buf`, looking at no more than
/// `max_head` bytes: a head that does not fit is refused (414 or 431), so
/// the work per call is bounded however the client dribbles its bytes.
pub fn parse(buf: &[u8], max_head: usize) -> Result<Parsed, Refusal> {
    let window = &buf[..buf.len().min(max_head)];
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(window) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() < max_head => return Ok(Parsed::Partial),
        Ok(httparse::Status::Partial) => {
            let line_done = window.contains(&b'\n');
            return Err(if line_done {
                Refusal::HeadTooLarge { max_head }
            } else {
                Refusal::RequestLineTooLong { max_head }
            });
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::TooManyHeaders { max: MAX_HEADERS })
        }
        // The same rule that made `--mode auto` speak HTTP (`sniff.rs`):
        // the line is a method and a target and nothing else, so what is
        // missing is the version, whatever httparse tripped on.
        Err(_) if crate::sniff::lacks_version(window) => return Err(Refusal::NoVersion),
        Err(httparse::Error::Version) => match version_of(window) {
            // RFC 9110 §2.5: a higher minor version of a major version we
            // implement is answered as the highest one we do. httparse only
            // knows 1.0 and 1.1, so it reads a copy that says 1.1; the
            // client's own bytes stay as they came, to be shown back.
            Some(Version::Later1x) => return parse_as_http_1_1(buf, max_head),
            Some(Version::OtherMajor) => return Err(Refusal::VersionNotSpoken),
            // A malformed line or not a version at all: httparse's error stands.
            None => return Err(Refusal::Syntax(httparse::Error::Version)),
        },
        Err(err) => return Err(Refusal::Syntax(err)),
    };
    if req.method == Some("CONNECT") {
        return Err(Refusal::Connect);
    }
    check_target_form(req.method.unwrap_or_default(), req.path.unwrap_or_default())?;

    // httparse allows empty lines before the request line (RFC 9112 §2.2)
    // and exactly one space between its parts, so the parts can be found
    // again by length, without copying them.
    let start = buf
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let method = start..start + req.method.unwrap_or_default().len();
    let target = method.end + 1..method.end + 1 + req.path.unwrap_or_default().len();
    let minor = req.version.unwrap_or(1);
    let checked = check_headers(minor, req.headers)?;
    Ok(Parsed::Complete(
        Head {
            len,
            method,
            target,
            minor,
            later_1x: false,
            framing: checked.framing,
            keep_alive: checked.keep_alive,
            expects_continue: checked.expects_continue,
            view: checked.view,
            claims: checked.claims,
            upgrade: checked.upgrade,
        },
        len,
    ))
}

/// Two of RFC 9112's four request-target forms (§3.2) belong to one
/// method each: `*` (asterisk-form, §3.2.4) to OPTIONS, which asks about
/// the server as a whole, and `host:port` (authority-form, §3.2.3) to
/// CONNECT, which asks for a tunnel (refused before this). With any other
/// method they name no resource to show, so they are refused rather than
/// answered as if they were a path.
fn check_target_form(method: &str, target: &str) -> Result<(), Refusal> {
    if target == "*" && method != "OPTIONS" {
        return Err(Refusal::AsteriskForm {
            method: method.to_string(),
        });
    }
    if is_authority_form(target.as_bytes()) {
        return Err(Refusal::AuthorityForm {
            method: method.to_string(),
            target: target.to_string(),
        });
    }
    Ok(())
}

/// `uri-host ":" port`, as CONNECT sends it (`example.com:443`,
/// `[::1]:8081`). `example.com:80` also reads as an absolute URI whose
/// scheme is `example.com` (RFC 3986 §3.1 allows the dot), but no client
/// means that: a host, a colon and digits is a host and a port.
fn is_authority_form(target: &[u8]) -> bool {
    let port = match target.strip_prefix(b"[") {
        // An IPv6 literal: the port comes after its `]`.
        Some(rest) => rest
            .iter()
            .position(|&b| b == b']')
            .map(|end| &rest[end + 1..]),
        None => target
            .iter()
            .rposition(|&b| b == b':')
            .map(|colon| &target[colon..]),
    };
    port.is_some_and(|port| port.starts_with(b":")) && valid_host(target)
}

/// What a request line that httparse refused for its version asks for.
#[derive(Debug, PartialEq, Eq)]
enum Version {
    /// `HTTP/1.2` to `HTTP/1.9`: answered as HTTP/1.1.
    Later1x,
    /// `HTTP/2.0`, `HTTP/3`: a version this server does not speak (505).
    OtherMajor,
}

/// httparse says `Version` for `HTTP/2.0` and `HTTP/1.2` (versions, 505 or
/// served), for `http/1.1` (not a version: 400), and for `GET /a b HTTP/1.1`
/// (it read `b HTTP/1.1` as the version: a malformed line, 400). So the
/// whole line is looked at: exactly `METHOD SP TARGET SP HTTP/D[.D]`.
fn version_of(buf: &[u8]) -> Option<Version> {
    let start = buf
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let line = buf[start..].split(|&b| b == b'\n').next()?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if method.is_empty() || target.is_empty() {
        return None;
    }
    match version.strip_prefix(b"HTTP/")? {
        [b'1', b'.', minor] if minor.is_ascii_digit() => Some(Version::Later1x),
        [major] | [major, b'.', b'0'..=b'9'] if major.is_ascii_digit() => Some(Version::OtherMajor),
        _ => None,
    }
}

/// Parses a head whose request line says `HTTP/1.2` or later 1.x as if it
/// said `HTTP/1.1`: same length, so every position found in the copy is
/// the same in the original.
fn parse_as_http_1_1(buf: &[u8], max_head: usize) -> Result<Parsed, Refusal> {
    let mut copy = buf[..buf.len().min(max_head)].to_vec();
    let start = copy
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let line_end = copy[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(copy.len(), |end| start + end);
    let line = &copy[start..line_end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let minor_at = start + line.len() - 1;
    copy[minor_at] = b'1';
    match parse(&copy, max_head)? {
        Parsed::Complete(head, len) => Ok(Parsed::Complete(
            Head {
                later_1x: true,
                ..head
            },
            len,
        )),
        Parsed::Partial => Ok(Parsed::Partial),
    }
}

struct Checked {
    framing: Framing,
    keep_alive: bool,
    expects_continue: bool,
    view: View,
    claims: bool,
    upgrade: bool,
}

fn check_headers(minor: u8, headers: &[httparse::Header]) -> Result<Checked, Refusal> {
    let mut hosts = 0;
    let mut length: Option<u64> = None;
    // As bytes, not text: the one refused is shown as it came (lower-cased).
    let mut codings: Vec<Vec<u8>> = Vec::new();
    let mut has_transfer_encoding = false;
    let mut close = false;
    let mut keep_alive = false;
    let mut expects_continue = false;
    let mut view = None;
    let mut claims = false;
    let mut upgrade = false;

    for header in headers {
        let name = header.name;
        let value = header.value;
        if name.eq_ignore_ascii_case("host") {
            hosts += 1;
            if !valid_host(value) {
                return Err(Refusal::InvalidHost);
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            // `Content-Length: 5, 5` and two identical headers are allowed
            // (RFC 9112 §6.3 item 5); any difference is an attack or a bug.
            for item in list_items(value) {
                let n = content_length(item)?;
                if length.is_some_and(|prev| prev != n) {
                    return Err(Refusal::ConflictingContentLength);
                }
                length = Some(n);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            has_transfer_encoding = true;
            codings.extend(list_items(value).map(<[u8]>::to_ascii_lowercase));
        } else if name.eq_ignore_ascii_case("connection") {
            for option in list_items(value) {
                close |= option.eq_ignore_ascii_case(b"close");
                keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case("expect") {
            if !value.eq_ignore_ascii_case(b"100-continue") {
                return Err(Refusal::UnknownExpectation {
                    value: value.to_vec(),
                });
            }
            // RFC 9110 §10.1.1: an HTTP/1.0 server never sent 100, so a 1.0
            // client's expectation is ignored.
            expects_continue = minor == 1;
        } else if name.eq_ignore_ascii_case("accept") {
            view = view.or_else(|| list_items(value).find_map(view_of));
        } else if CLAIMS.iter().any(|c| name.eq_ignore_ascii_case(c)) {
            claims = true;
        } else if name.eq_ignore_ascii_case("upgrade") {
            upgrade = true;
        }
    }

    if minor == 1 && hosts == 0 {
        return Err(Refusal::NoHost);
    }
    if hosts > 1 {
        return Err(Refusal::TwoHosts);
    }

    let framing = framing(minor, has_transfer_encoding.then_some(&codings[..]), length)?;
    Ok(Checked {
        framing,
        keep_alive: if minor == 1 {
            !close
        } else {
            keep_alive && !close
        },
        expects_continue: expects_continue && framing != Framing::None,
        view: view.unwrap_or(View::Text),
        claims,
        upgrade,
    })
}

/// How the body is delimited (RFC 9112 §6.3), from the codings of every
/// `Transfer-Encoding` (`None` without one) and the `Content-Length`.
fn framing(
    minor: u8,
    codings: Option<&[Vec<u8>]>,
    length: Option<u64>,
) -> Result<Framing, Refusal> {
    match (codings, length) {
        (Some(_), _) if minor == 0 => Err(Refusal::TransferEncodingInHttp10),
        (Some(_), Some(_)) => Err(Refusal::LengthAndTransferEncoding),
        (Some(codings), None) => transfer_coding(codings),
        (None, Some(0) | None) => Ok(Framing::None),
        (None, Some(n)) => Ok(Framing::Length(n)),
    }
}

/// The headers in which a client or a proxy claims an address.
pub const CLAIMS: [&str; 4] = ["forwarded", "x-forwarded-for", "x-real-ip", "via"];

/// The page an `Accept` item names, if it names one (parameters such as
/// `;q=0.9` after the type are allowed).
fn view_of(item: &[u8]) -> Option<View> {
    let starts = |t: &[u8]| {
        item.len() >= t.len()
            && item[..t.len()].eq_ignore_ascii_case(t)
            && matches!(item.get(t.len()), None | Some(b';' | b' ' | b'\t'))
    };
    if starts(b"text/html") {
        Some(View::Html)
    } else {
        #[cfg(feature = "json")]
        if starts(b"application/json") {
            return Some(View::Json);
        }
        None
    }
}

/// The request line of a head (its bytes), taken apart at its first two
/// spaces: method, target and version, as sent. Empty lines before it are
/// skipped (RFC 9112 §2.2), and a part the line lacks is empty, so this
/// also takes apart a head nobody checked, as `client --http` does with
/// the one it sent and the one the JSON view says arrived.
pub fn line(head: &[u8]) -> [&[u8]; 3] {
    let line = head
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .find(|line| !line.is_empty())
        .unwrap_or_default();
    let mut words = line.splitn(3, |&b| b == b' ');
    let mut next = || words.next().unwrap_or_default();
    [next(), next(), next()]
}

/// The header fields of a complete, checked head (its bytes, request line
/// first), in order, as name and value with the value's leading
/// whitespace removed. The head was checked by httparse, so every field
/// line has a colon and there is no obsolete line folding.
pub fn fields(head: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    head.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .skip_while(|line| line.is_empty())
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let value = &line[colon + 1..];
            let start = value
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            Some((&line[..colon], &value[start..]))
        })
}

/// Transfer-Encoding must end in `chunked`, once (RFC 9112 §6.1, §6.3);
/// rawnet decodes no other coding, so any other is 501.
fn transfer_coding(codings: &[Vec<u8>]) -> Result<Framing, Refusal> {
    let chunked = codings.iter().filter(|c| *c == b"chunked").count();
    if codings.last().map(Vec::as_slice) != Some(b"chunked") || chunked > 1 {
        return Err(Refusal::ChunkedNotLast);
    }
    if let Some(other) = codings.iter().find(|c| *c != b"chunked") {
        return Err(Refusal::UnsupportedCoding {
            coding: other.clone(),
        });
    }
    Ok(Framing::Chunked)
}

/// `1*DIGIT`, by hand with checked arithmetic: `str::parse::<u64>` would
/// accept `+5` (hyper's CVE-2021-32715).
fn content_length(value: &[u8]) -> Result<u64, Refusal> {
    let invalid = || Refusal::InvalidContentLength {
        value: value.to_vec(),
    };
    if value.is_empty() {
        return Err(invalid());
    }
    value.iter().try_fold(0u64, |n, &b| {
        if !b.is_ascii_digit() {
            return Err(invalid());
        }
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or_else(invalid)
    })
}

/// The items of a comma-separated header value, trimmed of spaces and tabs.
/// An empty value yields one empty item, so `Content-Length:` is refused.
pub(crate) fn list_items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(|item| item.trim_ascii())
}

/// `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2): a registered
/// name or IPv4 address of unreserved, sub-delims and %-escapes, or an
/// `[IPv6]` literal; the port is digits. Empty is allowed (RFC 9112 §3.2).
fn valid_host(value: &[u8]) -> bool {
    let (host, port) = match value.strip_prefix(b"[") {
        Some(rest) => match rest.iter().position(|&b| b == b']') {
            Some(end) => {
                let literal = &rest[..end];
                if literal.is_empty()
                    || !literal
                        .iter()
                        .all(|&b| b.is_ascii_hexdigit() || b":.".contains(&b))
                {
                    return false;
                }
                (&b""[..], &rest[end + 1..])
            }
            None => return false,
        },
        None => match value.iter().rposition(|&b| b == b':') {
            Some(colon) => (&value[..colon], &value[colon..]),
            None => (value, &b""[..]),
        },
    };
    let port_ok = match port {
        [] => true,
        [b':', digits @ ..] => digits.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    let host_ok = host
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(&b));
    port_ok && host_ok
}

/// A request target's path and its query: what follows the first `?`, up
/// to a `#` if one was sent (empty without a `?`). Every reader of the
/// query string starts here.
pub fn split_target(target: &[u8]) -> (&[u8], &[u8]) {
    // A `#` ends the path and the query alike: `/x#?status=500` has no
    // query.
    let target = target.split(|&b| b == b'#').next().unwrap_or(target);
    let Some(at) = target.iter().position(|&b| b == b'?') else {
        return (target, &[]);
    };
    (&target[..at], &target[at + 1..])
}

/// A query's parameters, each as written (`name` or `name=value`).
pub fn params(query: &[u8]) -> impl Iterator<Item = &[u8]> {
    query.split(|&b| b == b'&')
}

/// A parameter's name and its raw value, still percent-encoded (empty
/// without `=`).
pub fn name_value(param: &[u8]) -> (&[u8], &[u8]) {
    match param.iter().position(|&b| b == b'=') {
        Some(eq) => (&param[..eq], &param[eq + 1..]),
        None => (param, &param[param.len()..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(raw: &[u8]) -> Result<Head, u16> {
        match parse(raw, 8192) {
            Ok(Parsed::Complete(head, len)) => {
                assert_eq!((len, head.len), (raw.len(), raw.len()));
                Ok(head)
            }
            Ok(Parsed::Partial) => panic!("partial: {:?}", String::from_utf8_lossy(raw)),
            Err(refusal) => Err(refusal.status()),
        }
    }

    #[test]
    fn a_plain_get_is_found_in_place() {
        let raw = b"\r\nGET /a?b HTTP/1.1\r\nHost: x\r\nAccept: text/html,*/*\r\n\r\nNEXT";
        let Ok(Parsed::Complete(head, len)) = parse(raw, 8192) else {
            panic!("complete")
        };
        assert_eq!(&raw[head.method.clone()], b"GET");
        assert_eq!(&raw[head.target.clone()], b"/a?b");
        assert_eq!(
            (head.minor, head.len, len),
            (1, raw.len() - 4, raw.len() - 4)
        );
        assert!(head.keep_alive && head.view == View::Html);
        assert_eq!(head.framing, Framing::None);
    }

    #[test]
    fn partial_until_the_empty_line() {
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nHost: x\r\n", 8192),
            Ok(Parsed::Partial)
        );
        assert_eq!(parse(b"GE", 8192), Ok(Parsed::Partial));
    }

    #[test]
    fn content_length_is_strict_digits() {
        for bad in [
            "+5",
            "-1",
            "0x10",
            "",
            "1 2",
            "99999999999999999999999",
            " ",
        ] {
            let raw = format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {bad}\r\n\r\n");
            assert_eq!(status(raw.as_bytes()), Err(400), "{bad:?}");
        }
        let head = status(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n").unwrap();
        assert_eq!(head.framing, Framing::Length(5));
        let two = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n";
        assert_eq!(status(two), Err(400));
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n"),
            Err(400)
        );
    }

    #[test]
    fn transfer_encoding_rules() {
        let te = |v: &str, minor: u8| {
            let raw = format!("POST / HTTP/1.{minor}\r\nHost: x\r\nTransfer-Encoding: {v}\r\n\r\n");
            status(raw.as_bytes()).map(|h| h.framing)
        };
        assert_eq!(te("chunked", 1), Ok(Framing::Chunked));
        assert_eq!(te("Chunked", 1), Ok(Framing::Chunked));
        assert_eq!(te("gzip", 1), Err(400));
        assert_eq!(te("chunked, gzip", 1), Err(400));
        assert_eq!(te("chunked, chunked", 1), Err(400));
        assert_eq!(te("gzip, chunked", 1), Err(501));
        assert_eq!(te("foo, chunked", 1), Err(501));
        assert_eq!(te("chunked", 0), Err(400));
        let both = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(status(both), Err(400));
    }

    #[test]
    fn host_rules() {
        assert_eq!(status(b"GET / HTTP/1.1\r\n\r\n"), Err(400));
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
            Err(400)
        );
        for bad in ["a b", "a/b", "a@b", "[::1", "x:8o", "\"q\""] {
            let raw = format!("GET / HTTP/1.1\r\nHost: {bad}\r\n\r\n");
            assert_eq!(status(raw.as_bytes()), Err(400), "{bad:?}");
        }
        for good in [
            "",
            "localhost:8081",
            "127.0.0.1",
            "[::1]:80",
            "xn--bcher-kva.example",
        ] {
            let raw = format!("GET / HTTP/1.1\r\nHost: {good}\r\n\r\n");
            assert!(status(raw.as_bytes()).is_ok(), "{good:?}");
        }
        assert!(status(b"GET / HTTP/1.0\r\n\r\n").is_ok());
    }

    #[test]
    fn a_request_line_in_three_parts() {
        let head = b"\r\nGET /a?b HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(line(head), [&b"GET"[..], b"/a?b", b"HTTP/1.1"]);
        // A head nobody checked: what is missing is empty.
        assert_eq!(line(b"GET\n"), [&b"GET"[..], b"", b""]);
        assert_eq!(line(b""), [&b""[..], b"", b""]);
    }

    #[test]
    fn versions_and_request_lines() {
        // RFC 9110 §2.5: answered as HTTP/1.1, the highest 1.x spoken here.
        let later = b"GET /x HTTP/1.2\r\nHost: x\r\n\r\n";
        let head = status(later).unwrap();
        assert_eq!((head.minor, &later[head.target.clone()]), (1, &b"/x"[..]));
        assert!(head.keep_alive);
        assert_eq!(
            status(b"GET / HTTP/1.9\r\n\r\n"),
            Err(400),
            "1.1 rules: Host"
        );
        // Only the last word looked like a version: a malformed line.
        assert_eq!(status(b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"), Err(400));
        assert_eq!(status(b"GET /a b HTTP/2.0\r\nHost: x\r\n\r\n"), Err(400));
        assert_eq!(status(b"GET / HTTP/1.10\r\nHost: x\r\n\r\n"), Err(400));
        assert_eq!(status(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"), Err(505));
        assert_eq!(status(b"GET / HTTP/3\r\nHost: x\r\n\r\n"), Err(505));
        assert_eq!(status(b"GET / http/1.1\r\nHost: x\r\n\r\n"), Err(400));
        assert_eq!(status(b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), Err(400));
        assert_eq!(status(b"GET HTTP/1.1\r\nHost: x\r\n\r\n"), Err(400));
        assert!(status(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").is_ok());
        // RFC 9112 §3.2.3-3.2.4: `*` is OPTIONS' alone, `host:port`
        // CONNECT's alone.
        for other in [
            &b"GET * HTTP/1.1\r\nHost: x\r\n\r\n"[..],
            b"HEAD * HTTP/1.0\r\n\r\n",
            b"GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"OPTIONS example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET [::1]:8081 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET localhost: HTTP/1.1\r\nHost: x\r\n\r\n",
        ] {
            assert_eq!(
                status(other),
                Err(400),
                "{}",
                String::from_utf8_lossy(other)
            );
        }
        // Origin-form and absolute-form stay served, whatever the method;
        // so does a scheme that is not followed by a port.
        for served in [
            &b"GET /a:80 HTTP/1.1\r\nHost: x\r\n\r\n"[..],
            b"GET http://example.com:80/ HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET urn:isbn HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /* HTTP/1.1\r\nHost: x\r\n\r\n",
        ] {
            assert!(
                status(served).is_ok(),
                "{}",
                String::from_utf8_lossy(served)
            );
        }
        // HTTP/0.9-style: the refusal names the missing version; a line
        // that is broken in another way keeps httparse's words.
        for simple in [
            &b"GET /\n"[..],
            b"GET /index.html\r\nHost: x\r\n\r\n",
            b"OPTIONS *\r\n",
        ] {
            assert_eq!(parse(simple, 8192), Err(Refusal::NoVersion));
        }
        assert!(matches!(
            parse(b"GET / please\r\n", 8192),
            Err(Refusal::Syntax(_))
        ));
        // Never a 2xx to CONNECT: that would make the connection a tunnel.
        assert_eq!(
            status(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
            Err(501)
        );
    }

    #[test]
    fn connection_and_expect() {
        let ka = |raw: &[u8]| status(raw).unwrap().keep_alive;
        assert!(!ka(
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ));
        assert!(!ka(b"GET / HTTP/1.0\r\n\r\n"));
        assert!(ka(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        let expect =
            b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n";
        assert!(status(expect).unwrap().expects_continue);
        assert_eq!(
            status(b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n"),
            Err(417)
        );
    }

    #[test]
    fn size_limits() {
        let long_line = format!("GET /{} HTTP/1.1\r\n", "a".repeat(9000));
        assert_eq!(parse(long_line.as_bytes(), 8192).unwrap_err().status(), 414);
        let big_head = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n",
            "a".repeat(9000)
        );
        assert_eq!(parse(big_head.as_bytes(), 8192).unwrap_err().status(), 431);
        let many: String = (0..70).map(|i| format!("X{i}: y\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n");
        assert_eq!(parse(many.as_bytes(), 8192).unwrap_err().status(), 431);
    }
}
