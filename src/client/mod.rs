//! `rawnet client`: the tutorial's `net.Socket` client.
//!
//! ```text
//! connect to localhost:8081
//! DATA: You said "I am happyGloria."
//! Connection closed
//! ```
//!
//! Four ways to talk: the tutorial's one message and one reply (default),
//! `--half-close` (send, then FIN, then print everything until the server
//! closes, so the server's `end` event is seen), `--stdin` (copy stdin to
//! the socket and the socket to stdout, like `nc`), and `--http [PATH]` (a
//! request typed out by hand, and the raw response: the other half of
//! "HTTP is just text"). When the server is rawnet, `--http` also says what
//! happened to the request on the way (`diff.rs`), and for a chunked
//! response when each chunk arrived. Each of them works over TLS too
//! (`--tls`): the handshake first, with what was agreed printed, then
//! the same bytes inside TLS records.
//!
//! - `link.rs`: the connection, the one read and write path, plain or
//!   through TLS.
//! - `tls.rs`: `--tls`, rustls's sans-I/O client over that same stream:
//!   the handshake, records to plaintext and back, and what to print.
//! - `wire.rs`: a response read off the wire by hand and checked strictly,
//!   the client side's reader (`rawnet bench`, the tests and the fuzzer
//!   use it too).
//! - `diff.rs`: what changed on the way, from rawnet's JSON view.

#[cfg(feature = "json")]
mod diff;
#[cfg(feature = "h2")]
mod http2;
mod link;
#[cfg(feature = "tls")]
pub mod tls;
// Public: `rawnet bench`'s checker, and the tests' and the fuzzer's.
pub mod wire;

use std::fmt;
use std::io::{self, Write};
#[cfg(feature = "json")]
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use async_net::TcpStream;
use smol::future::{self, FutureExt};
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::{Timer, Unblock};

use link::Link;

#[cfg(feature = "json")]
use crate::http::json::View;

/// Checked client settings.
#[derive(Clone, Debug)]
pub struct Options {
    pub host: String,
    pub port: u16,
    pub message: Vec<u8>,
    pub half_close: bool,
    pub stdin: bool,
    /// How long to wait for the server to say something before giving up.
    pub wait: Duration,
    /// `--http PATH`: send a hand-built request for this path instead.
    pub http_path: Option<String>,
    /// `--method`, `--header` and `--data`: the rest of that request.
    pub http: HttpRequest,
    /// `--tls`: a TLS handshake first, and every byte inside records.
    #[cfg(feature = "tls")]
    pub tls: Option<tls::Tls>,
    /// `--http2`: the `--http` request over HTTP/2 (`http2.rs`).
    #[cfg(feature = "h2")]
    pub http2: bool,
}

/// What `--http` sends besides its path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// `--header Name:Value`, in order; one named like a header the client
    /// would send itself (Host, Accept, ...) replaces it.
    pub headers: Vec<(String, String)>,
    /// `--data`: the body, sent with a Content-Length counted here, or as
    /// one chunk when a `Transfer-Encoding` header was given.
    pub data: Option<Vec<u8>>,
}

/// After the first bytes of a reply, how long the line must stay quiet before
/// the reply counts as complete. Node's client takes only the first chunk;
/// a reply that TCP happens to split would then be cut, so wait a moment.
const REPLY_SETTLE: Duration = Duration::from_millis(50);

#[derive(Debug)]
pub enum ClientError {
    Connect {
        target: String,
        err: io::Error,
    },
    /// Nothing came back within `--wait`; `http` when it was asked with
    /// `--http`, which changes the likely reason.
    Silent {
        target: String,
        wait: Duration,
        http: bool,
    },
    Io {
        target: String,
        err: io::Error,
    },
    /// `--tls`: the handshake did not get done, and why, in words.
    #[cfg(feature = "tls")]
    Tls {
        target: String,
        why: String,
    },
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Connect { target, err } => {
                let hint = match err.kind() {
                    io::ErrorKind::ConnectionRefused => {
                        " (is a server running there? start one with `rawnet`)"
                    }
                    _ => "",
                };
                write!(f, "cannot connect to {target}: {}{hint}", describe(err))
            }
            ClientError::Silent { target, wait, http } => write!(
                f,
                "{target} sent nothing for {}s ({})",
                wait.as_secs_f64(),
                if *http {
                    "an HTTP server answers a whole request: a Content-Length larger than \
                     the body sent keeps it waiting for the rest"
                } else {
                    "is it an echo server? try --half-close or --stdin"
                }
            ),
            ClientError::Io { target, err } => write!(f, "connection to {target} failed: {err}"),
            #[cfg(feature = "tls")]
            ClientError::Tls { target, why } => {
                write!(f, "TLS handshake with {target} failed: {why}")
            }
        }
    }
}

impl std::error::Error for ClientError {}

fn describe(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        _ => err.to_string(),
    }
}

/// Runs the client to completion.
pub async fn run(opts: &Options) -> Result<(), ClientError> {
    let target = format!("{}:{}", opts.host, opts.port);
    let io_err = |err| ClientError::Io {
        target: target.clone(),
        err,
    };
    let tcp = TcpStream::connect((opts.host.as_str(), opts.port))
        .await
        .map_err(|err| ClientError::Connect {
            target: target.clone(),
            err,
        })?;
    note(opts, format_args!("connect to {target}\n"));
    let mut link = start(tcp, opts, &target).await?;

    if let Some(path) = &opts.http_path {
        #[cfg(feature = "h2")]
        if opts.http2 {
            return http2::exchange(&mut link, opts, path, &target).await;
        }
        return http_exchange(&mut link, opts, path, &target).await;
    }

    if opts.stdin {
        relay_stdio(&mut link).await.map_err(io_err)?;
        eprintln!("Connection closed");
        return Ok(());
    }

    link.write_all(&opts.message).await.map_err(io_err)?;

    let reply = if opts.half_close {
        // FIN: "I have finished sending". The server logs `end`, writes what
        // it still owes and closes, which is our EOF below.
        link.finish().await.map_err(io_err)?;
        read_until_closed(&mut link, opts.wait).await
    } else {
        read_reply(&mut link, opts.wait).await
    };
    let reply = match reply {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return Err(ClientError::Silent {
                target,
                wait: opts.wait,
                http: false,
            })
        }
        Err(err) => return Err(io_err(err)),
    };

    if !reply.is_empty() {
        let mut out = io::stdout().lock();
        let _ = out.write_all(b"DATA: ");
        // The reply as received, byte for byte: `\r\n` and all.
        let _ = out.write_all(&reply);
        if !reply.ends_with(b"\n") {
            let _ = out.write_all(b"\n");
        }
    }
    link.close().await;
    say(format_args!("Connection closed\n"));
    Ok(())
}

/// The connection, plain; with `--tls`, once its handshake is done and
/// what was agreed is printed.
async fn start(tcp: TcpStream, opts: &Options, target: &str) -> Result<Link, ClientError> {
    #[cfg(feature = "tls")]
    if let Some(tls) = &opts.tls {
        let mut tcp = tcp;
        let (records, done) = tls::handshake(&mut tcp, tls, opts.wait, target).await?;
        note(opts, format_args!("{done}"));
        return Ok(Link::tls(tcp, records));
    }
    // Without the `tls` feature, nothing else here needs them.
    let _ = (opts, target);
    Ok(Link::plain(tcp))
}

fn say(args: fmt::Arguments) {
    let _ = io::stdout().lock().write_fmt(args);
}

/// A line about the connection: on stdout in the tutorial's exchange, on
/// stderr when stdout carries only the server's bytes (`--http`,
/// `--stdin`), so that it can be piped on.
fn note(opts: &Options, args: fmt::Arguments) {
    if opts.http_path.is_some() || opts.stdin {
        eprint!("{args}");
    } else {
        say(args);
    }
}

/// The request `--http` writes: the request line, the client's own headers
/// unless `--header` gave one of the same name, the `--header`s, the body's
/// framing, and the body.
fn build_request(opts: &Options, path: &str) -> (Vec<u8>, usize) {
    // An IPv6 address goes in brackets in Host, as in a URL.
    let host = if opts.host.contains(':') {
        format!("[{}]", opts.host)
    } else {
        opts.host.clone()
    };
    let given = |name: &str| {
        opts.http
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let mut head = format!("{} {path} HTTP/1.1\r\n", opts.http.method);
    let own = [
        ("Host", format!("{host}:{}", opts.port)),
        (
            "User-Agent",
            format!("rawnet/{}", env!("CARGO_PKG_VERSION")),
        ),
        // rawnet answers this with its JSON view, which says what arrived;
        // any other server may send what it likes.
        ("Accept", "application/json, */*".to_string()),
    ];
    for (name, value) in own {
        if !given(name) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    for (name, value) in &opts.http.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let chunked = given("transfer-encoding");
    let data = opts.http.data.as_deref().unwrap_or_default();
    if opts.http.data.is_some() && !chunked && !given("content-length") {
        head.push_str(&format!("Content-Length: {}\r\n", data.len()));
    }
    if !given("connection") {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let head_len = head.len();
    let mut request = head.into_bytes();
    if chunked {
        // The whole body as one chunk, then the last chunk.
        if !data.is_empty() {
            crate::http::response::start_chunk(&mut request, data.len() as u64);
            request.extend_from_slice(data);
            crate::http::response::end_chunk(&mut request);
        }
        crate::http::response::last_chunk(&mut request);
    } else {
        request.extend_from_slice(data);
    }
    (request, head_len)
}

/// `--http`: writes a request by hand and prints the response exactly as
/// it arrives. The request goes to stderr line by line (`> `), so stdout
/// holds nothing but the server's bytes; after them, on stderr, what
/// happened on the way when the answer was rawnet's JSON view, and when
/// each chunk of a chunked answer arrived.
async fn http_exchange(
    link: &mut Link,
    opts: &Options,
    path: &str,
    target: &str,
) -> Result<(), ClientError> {
    let (request, head_len) = build_request(opts, path);
    let (head, body) = request.split_at(head_len);
    print_request(head, body);
    let sent_at = Instant::now();
    link.write_all(&request)
        .await
        .map_err(|err| ClientError::Io {
            target: target.to_string(),
            err,
        })?;
    let (response, reads) = read_response(link, opts, target, sent_at).await?;
    if !response.ends_with(b"\n") {
        eprintln!();
    }
    #[cfg(feature = "json")]
    if let Some(arrived) = rawnet_view(&response) {
        print_what_arrived(head, &arrived, link.local_addr().ok());
    }
    print_chunks(&chunk_arrivals(&response, &reads));
    eprintln!("Connection closed ({} bytes received)", response.len());
    Ok(())
}

/// The request as sent, on stderr: each head line with its CRLF shown,
/// then the start of the body.
fn print_request(head: &[u8], body: &[u8]) {
    for line in head.split_inclusive(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r\n").unwrap_or(line);
        eprintln!("> {}\\r\\n", String::from_utf8_lossy(line));
    }
    if !body.is_empty() {
        eprintln!("> {}", crate::show::Escaped::preview(body, 256));
    }
}

/// Reads the response to its end, copying each read to stdout as it
/// comes, and returns it with, for each read, how much had come by then
/// and when. `Connection: close` asked the server to close after the
/// response, so the response is everything until EOF: no need to parse
/// its framing to know where it ends.
async fn read_response(
    link: &mut Link,
    opts: &Options,
    target: &str,
    sent_at: Instant,
) -> Result<(Vec<u8>, Vec<(usize, Duration)>), ClientError> {
    let mut response = Vec::new();
    let mut reads = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut out = io::stdout().lock();
    loop {
        let read = read_within(link, &mut buf, opts.wait).await;
        match read.map_err(|err| ClientError::Io {
            target: target.to_string(),
            err,
        })? {
            Some(0) => break,
            Some(n) => {
                response.extend_from_slice(&buf[..n]);
                reads.push((response.len(), sent_at.elapsed()));
                let _ = out.write_all(&buf[..n]);
                let _ = out.flush();
            }
            None if response.is_empty() => {
                return Err(ClientError::Silent {
                    target: target.to_string(),
                    wait: opts.wait,
                    http: true,
                })
            }
            None => break,
        }
    }
    Ok((response, reads))
}

/// What rawnet's JSON view says arrived, against the head this client
/// sent (`me` is this client's own address, to compare with the peer the
/// server saw).
#[cfg(feature = "json")]
fn print_what_arrived(sent: &[u8], arrived: &View, me: Option<SocketAddr>) {
    eprintln!();
    eprintln!("What arrived at the server, against what this client sent:");
    for line in diff::lines(sent, arrived.head.as_bytes()) {
        eprintln!("{line}");
    }
    for line in address_lines(arrived, me) {
        eprintln!("{line}");
    }
}

/// One line per line of a chunk (a `?drip` chunk is one line that says
/// when it was sent): a proxy that buffers shows as lines sent apart
/// arriving together, in one chunk of its own making.
fn print_chunks(chunks: &[(Duration, &[u8])]) {
    if chunks.is_empty() {
        return;
    }
    eprintln!();
    eprintln!("Chunks as they arrived: the time since the request was sent, then each line:");
    for (n, (arrived, data)) in chunks.iter().enumerate() {
        let at = arrived.as_secs_f64();
        let mut shown_bytes = 0;
        // Bounded, as a `?size` filler may make a chunk large.
        for line in data.split_inclusive(|&b| b == b'\n').take(CHUNK_LINES) {
            shown_bytes += line.len();
            let shown = chunk_line_shown(line.strip_suffix(b"\n").unwrap_or(line));
            eprintln!("  {at:>7.3}s  {shown}   (in chunk {})", n + 1);
        }
        if shown_bytes < data.len() {
            eprintln!(
                "  {at:>7.3}s  ...and {} more bytes   (in chunk {})",
                data.len() - shown_bytes,
                n + 1
            );
        }
    }
}

/// A chunk's line as the log shows bytes, cut at [`CHUNK_LINE_BYTES`].
fn chunk_line_shown(line: &[u8]) -> String {
    use std::fmt::Write as _;
    let cut = &line[..line.len().min(CHUNK_LINE_BYTES)];
    let mut shown = String::new();
    for &b in cut {
        let _ = write!(shown, "{}", crate::show::byte(b));
    }
    if cut.len() < line.len() {
        shown.push_str("...");
    }
    shown
}

/// How many lines of each chunk are shown, and how much of each line.
const CHUNK_LINES: usize = 8;
const CHUNK_LINE_BYTES: usize = 100;

/// The addresses the server saw, each with who stands behind it.
#[cfg(feature = "json")]
fn address_lines(view: &View, me: Option<SocketAddr>) -> Vec<String> {
    let a = &view.addresses;
    let mut lines = vec!["Addresses the server saw:".to_string()];
    let mut peer = format!("  {}   ({})", a.peer.address, a.peer.says);
    match me {
        Some(me) if me.to_string() == a.peer.address => {
            peer.push_str("; this client's own address");
        }
        Some(me) => peer.push_str(&format!(
            "; not this client's {me}: something in between made its own connection"
        )),
        None => {}
    }
    lines.push(peer);
    if let Some(proxy) = &a.proxy_header {
        lines.push(format!("  {}   ({})", proxy.address, proxy.says));
    }
    for claimed in &a.claims {
        lines.push(format!(
            "  {}: {}   (claimed by {})",
            claimed.claim.header, claimed.claim.value, claimed.claimed_by
        ));
    }
    lines
}

/// rawnet's JSON view, if that is what `response` carries: read with the
/// very types the server wrote it with (`http/json.rs`).
#[cfg(feature = "json")]
fn rawnet_view(response: &[u8]) -> Option<View<'_>> {
    let (response, _) = wire::split(response, false).ok()??;
    let json = response
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v.starts_with("application/json"));
    json.then(|| serde_json::from_slice(response.body).ok())?
}

/// Each chunk of a chunked response, with the time its last byte arrived:
/// the end of the read that brought it. Empty for any other response, and
/// for one that `wire.rs` (which reads chunks strictly) refuses.
fn chunk_arrivals<'a>(
    response: &'a [u8],
    reads: &[(usize, Duration)],
) -> Vec<(Duration, &'a [u8])> {
    let Ok((taken, _)) = wire::split_closed(response, false) else {
        return Vec::new();
    };
    taken
        .chunks
        .into_iter()
        .map(|chunk| {
            // A chunk borrows from `response`: where it ends there is its
            // distance from the start plus its length.
            let end = chunk.as_ptr() as usize - response.as_ptr() as usize + chunk.len();
            let arrived = reads
                .iter()
                .find(|(len, _)| *len >= end)
                .map_or(Duration::ZERO, |&(_, at)| at);
            (arrived, chunk)
        })
        .collect()
}

/// Reads the reply to one message: the first chunk, plus whatever follows
/// within [`REPLY_SETTLE`]. `Ok(None)` if nothing came within `wait`.
async fn read_reply(link: &mut Link, wait: Duration) -> io::Result<Option<Vec<u8>>> {
    let mut reply = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut limit = wait;
    loop {
        match read_within(link, &mut buf, limit).await? {
            Some(0) => return Ok(Some(reply)),
            Some(n) => reply.extend_from_slice(&buf[..n]),
            None if reply.is_empty() => return Ok(None),
            None => return Ok(Some(reply)),
        }
        limit = REPLY_SETTLE;
    }
}

/// Reads until the server closes. `Ok(None)` if it went silent for `wait`.
async fn read_until_closed(link: &mut Link, wait: Duration) -> io::Result<Option<Vec<u8>>> {
    let mut reply = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match read_within(link, &mut buf, wait).await? {
            Some(0) => return Ok(Some(reply)),
            Some(n) => reply.extend_from_slice(&buf[..n]),
            None => return Ok(None),
        }
    }
}

/// One read, or `None` if nothing arrived within `limit`.
async fn read_within(
    link: &mut Link,
    buf: &mut [u8],
    limit: Duration,
) -> io::Result<Option<usize>> {
    let read = async { link.read(buf).await.map(Some) };
    let timer = async {
        Timer::after(limit).await;
        Ok(None)
    };
    read.or(timer).await
}

/// What came first in `--stdin`'s relay: bytes from the server, or from
/// stdin.
enum Came {
    FromServer(io::Result<usize>),
    FromStdin(io::Result<usize>),
}

/// `nc`: stdin to the server, the server to stdout, until the server
/// closes. When stdin ends we send FIN (like `nc -N`) and keep printing
/// the replies. One loop over the one connection: each turn waits for
/// whichever comes first, the server's bytes (looked at first, so the
/// replies never pile up behind our sending) or a chunk of stdin; the
/// read that loses the race is dropped, which loses nothing.
async fn relay_stdio(link: &mut Link) -> io::Result<()> {
    let mut stdin = Unblock::new(io::stdin());
    let mut stdout = Unblock::new(io::stdout());
    let (mut down, mut up) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    let mut sending = true;
    loop {
        let from_server = async { Came::FromServer(link.read(&mut down).await) };
        let from_stdin = async {
            match sending {
                true => Came::FromStdin(stdin.read(&mut up).await),
                false => future::pending().await,
            }
        };
        match from_server.or(from_stdin).await {
            Came::FromServer(Ok(0)) => break,
            Came::FromServer(Ok(n)) => stdout.write_all(&down[..n]).await?,
            Came::FromStdin(Ok(0)) => {
                link.finish().await?;
                sending = false;
            }
            Came::FromStdin(Ok(n)) => link.write_all(&up[..n]).await?,
            Came::FromServer(Err(err)) | Came::FromStdin(Err(err)) => return Err(err),
        }
    }
    stdout.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_chunk_arrives_with_the_read_that_ended_it() {
        let response = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                         3\r\nab\n\r\n4\r\ncd\ne\r\n0\r\n\r\n";
        let ms = Duration::from_millis;
        // The first read ends inside the second chunk.
        let reads = [(55, ms(10)), (response.len(), ms(300))];
        assert_eq!(
            chunk_arrivals(response, &reads),
            [(ms(10), &b"ab\n"[..]), (ms(300), &b"cd\ne"[..])]
        );
        let plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        assert!(chunk_arrivals(plain, &[(plain.len(), ms(1))]).is_empty());
        // A size that does not fit what came is left alone, as wire refuses it.
        let cut = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab";
        assert!(chunk_arrivals(cut, &[(cut.len(), ms(1))]).is_empty());
    }
}
