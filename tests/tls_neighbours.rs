#![cfg(feature = "tls")]
//! `--tls` with real neighbours (Debian 12's): curl with the certificate
//! rawnet wrote (`--cacert`, no `-k`) and with `-k`; `openssl s_client`
//! speaking to the echo inside TLS, with TLS 1.2, and with ALPN h2 alone;
//! headless Chromium rendering the page's layers panel; Python's
//! `websockets` over `wss://`; nginx originating TLS to rawnet
//! (`proxy_pass https://`), so the page shows nginx's handshake, not
//! curl's; HAProxy passing TLS through with `send-proxy-v2`, so the PROXY
//! layer sits below TLS; and client certificates made by `openssl` here
//! (a CA, one it signed, one self-signed), `optional` and `require`.
//! These pages are HTTP/1.1's: with HTTP/2 built, the servers run with
//! `--no-h2`; the last test is curl getting `h2` by ALPN from the default.
//! The byte-by-byte tests with a rustls client are in tls_layer.rs.
//!
//! Where a client's hello is asserted (its fingerprints, versions, cipher
//! suite count, size), it is that of Debian 12's curl 7.88.1 and OpenSSL
//! 3.0, as in tls.rs and `tests/data/tls/curl-client-hello.bin`.

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::{curl, you_said, Daemon, Server, TempDir, CURL_JA3, CURL_JA4, PATIENCE};

/// The User-Agent every curl here sends, so a head can be compared whole.
const AGENT: &str = "rawnet-tls-neighbours";

/// `rawnet --tls ARGS` speaking HTTP/1.1 inside TLS, whatever the client
/// offers: with HTTP/2 built, `--no-h2` leaves `h2` out of rawnet's ALPN
/// (these neighbours' pages are HTTP/1.1's; `h2` by ALPN is below).
fn start_tls(args: &[&str]) -> Server {
    let http1: &[&str] = if cfg!(feature = "h2") {
        &["--no-h2"]
    } else {
        &[]
    };
    Server::start(&[&["--tls"], http1, args].concat())
}

/// `rawnet --tls --tls-cert-out DIR/rawnet.pem` ([`start_tls`]), once its start-up
/// line said where the certificate went; that line's SHA-256 is
/// `openssl x509`'s for the file.
struct Tls {
    server: Server,
    dir: TempDir,
    cert: String,
}

impl Tls {
    fn start(name: &str) -> Tls {
        let dir = TempDir::new(&format!("tls-{name}"));
        let cert = dir.file("rawnet.pem");
        let mut server = start_tls(&["--tls-cert-out", &cert]);
        let line = server.expect("TLS on the same port: ");
        let fingerprint = openssl_x509(&cert, "-fingerprint");
        assert_eq!(
            line,
            format!(
                "TLS on the same port: certificate for localhost, 127.0.0.1, ::1 made at start, \
                 SHA-256 {fingerprint}, written to {cert}"
            )
        );
        Tls { server, dir, cert }
    }
}

/// `--resolve` for `https://localhost:PORT/` to reach `addr`'s 127.0.0.1
/// (and not try ::1 first).
fn resolve(addr: SocketAddr) -> String {
    format!("localhost:{}:127.0.0.1", addr.port())
}

/// `openssl x509 -noout WHAT -in FILE`'s value (after its `=`), e.g. the
/// SHA-256 fingerprint, the serial, a date.
fn openssl_x509(file: &str, what: &str) -> String {
    let mut args = vec!["x509", "-noout", what];
    if what == "-fingerprint" {
        args.push("-sha256");
    }
    let out = openssl(&[&args[..], &["-in", file]].concat());
    let (_, value) = out.trim_end().split_once('=').expect("NAME=VALUE");
    value.to_string()
}

/// `openssl ARGS`, which must succeed: its stdout.
fn openssl(args: &[&str]) -> String {
    let output = Command::new("openssl")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run openssl (scripts/test.sh installs it)");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("openssl printed UTF-8")
}

/// What `curl ARGS URL` got.
struct Fetched {
    page: String,
    /// The local port curl used: the TCP peer rawnet saw, or the client
    /// a PROXY header names.
    port: u16,
    /// The response's bytes, head and body, as the request's line counts
    /// them.
    bytes: usize,
}

/// `curl ARGS URL`, which must succeed.
fn fetch(args: &[&str], url: &str) -> Fetched {
    let write_out = "\n%{local_port} %{size_header} %{size_download}";
    let output = curl(&[args, &["-A", AGENT, "-w", write_out, url]].concat());
    assert!(
        output.status.success(),
        "curl {args:?} {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("a text page");
    let (page, numbers) = text.rsplit_once('\n').expect("the page, then the numbers");
    let numbers: Vec<usize> = numbers
        .split(' ')
        .map(|n| n.parse().expect("a number"))
        .collect();
    Fetched {
        page: page.to_string(),
        port: u16::try_from(numbers[0]).expect("a port"),
        bytes: numbers[1] + numbers[2],
    }
}

/// What a line says after its `#N ADDR ` prefix.
fn said(line: &str) -> &str {
    line.splitn(3, ' ').nth(2).unwrap_or_default()
}

/// A line's `#N ADDR`: which connection it is of.
fn conn_of(line: &str) -> String {
    line.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" ")
}

/// The next line of connection `who` (`#N ADDR`) containing `needle`:
/// what it says.
fn expect_of(server: &mut Server, who: &str, needle: &str) -> String {
    said(&server.expect_all(&[&format!("{who} "), needle])).to_string()
}

/// Asserts a `tls_hello` line's words: the client asked for `asked`, it
/// gets a handshake (`--tls`), and its JA4 starts with `ja4_a` (the
/// version, SNI or an address, the counts of suites and extensions, the
/// ALPN); the hashes after it are the pages' to agree with.
fn assert_hello(said: &str, asked: &str, ja4_a: &str) {
    let want = format!("{asked}; answered with a handshake (--tls); JA4 {ja4_a}_");
    assert!(said.starts_with(&want), "{said:?} is not {want:?}...");
    common::hello_fingerprints(said);
}

/// The `TLS handshake done:` line of `who`: what was agreed, which must
/// start with `expected` and end with its time (`, in 3.1 ms`), and the
/// rest of the line after it (a client certificate).
fn handshake_done(server: &mut Server, who: &str, expected: &str) -> (String, String) {
    let line = expect_of(server, who, "TLS handshake done: ");
    let agreed = line.strip_prefix("TLS handshake done: ").unwrap();
    let (agreed, rest) = match agreed.split_once("; ") {
        Some((agreed, rest)) => (agreed, rest),
        None => (agreed, ""),
    };
    let took = agreed
        .strip_prefix(expected)
        .and_then(|took| took.strip_prefix(", in "))
        .and_then(|took| took.strip_suffix(" ms"))
        .unwrap_or_else(|| panic!("{agreed:?} is not {expected:?} then its time"));
    took.parse::<f64>()
        .unwrap_or_else(|_| panic!("no time in {agreed:?}"));
    (agreed.to_string(), rest.to_string())
}

/// A layer on the text page: its heading (`TCP`, `PROXY`, `TLS`, the
/// ClientHello's dump, `HTTP: the request below`) and its rows.
#[derive(Debug, PartialEq)]
struct Layer {
    name: String,
    rows: Vec<(String, String)>,
}

impl Layer {
    /// The value of the row labelled `label`.
    fn row(&self, label: &str) -> &str {
        self.rows
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, value)| value.as_str())
            .unwrap_or_else(|| panic!("no {label:?} in the {} layer: {:#?}", self.name, self.rows))
    }

    fn labels(&self) -> Vec<&str> {
        self.rows.iter().map(|(label, _)| label.as_str()).collect()
    }
}

/// The text page's layers, from `It came through these layers` to the
/// HTTP layer's line; the ClientHello's hex dump rows are left out (see
/// [`hello_dump`]).
fn layers(page: &str) -> Vec<Layer> {
    let start = page
        .find("It came through these layers, from the bottom up:\n")
        .unwrap_or_else(|| panic!("no layers on the page:\n{page}"));
    let mut layers: Vec<Layer> = Vec::new();
    for line in page[start..].lines().skip(1) {
        if is_dump_row(line) {
            continue;
        }
        if let Some(row) = line.strip_prefix("    ") {
            // `hello: server name: localhost`: the hello's rows have a
            // `: ` in their label.
            let skip = if row.starts_with("hello: ") {
                "hello: ".len()
            } else {
                0
            };
            let (label, value) = match row[skip..].split_once(": ") {
                Some((label, value)) => (&row[..skip + label.len()], value),
                None => (row, ""),
            };
            let layer = layers
                .last_mut()
                .unwrap_or_else(|| panic!("{line:?} first"));
            layer.rows.push((label.to_string(), value.to_string()));
            continue;
        }
        let name = line
            .strip_prefix("  ")
            .unwrap_or_else(|| panic!("{line:?} in {page}"));
        let name = name.strip_suffix(':').unwrap_or(name);
        layers.push(Layer {
            name: name.to_string(),
            rows: Vec::new(),
        });
        if name == "HTTP: the request below" {
            return layers;
        }
    }
    panic!("the layers do not end with HTTP:\n{page}")
}

/// The layers' names, bottom first.
fn names(layers: &[Layer]) -> Vec<&str> {
    layers.iter().map(|layer| layer.name.as_str()).collect()
}

/// The ClientHello's dump rows on the text page (`      0000  16 03 ...`).
fn hello_dump(page: &str) -> Vec<&str> {
    page.lines().filter(|line| is_dump_row(line)).collect()
}

fn is_dump_row(line: &str) -> bool {
    let Some(row) = line.strip_prefix("      ") else {
        return false;
    };
    row.len() > 6 && row[..4].bytes().all(|b| b.is_ascii_hexdigit()) && &row[4..6] == "  "
}

/// The TCP layer of a connection from `peer` to `server`.
fn tcp_layer(peer: &str, server: SocketAddr) -> Layer {
    Layer {
        name: "TCP".into(),
        rows: vec![
            ("client".into(), peer.into()),
            (
                "server".into(),
                format!("{server} (the address it connected to)"),
            ),
            ("instance".into(), hostname()),
        ],
    }
}

/// The layers' names for a hello of `bytes`, with a PROXY layer or not.
fn layer_names(proxy: bool, bytes: usize) -> Vec<String> {
    let mut names = vec!["TCP".to_string()];
    if proxy {
        names.push("PROXY".into());
    }
    names.push("TLS".into());
    names.push(format!(
        "The ClientHello as it crossed the wire ({bytes} bytes)"
    ));
    names.push("HTTP: the request below".into());
    names
}

/// The fingerprints the pages show first, as the hello's line and the
/// JSON view name them.
const FINGERPRINTS: [&str; 6] = ["JA4", "JA4_r", "JA4_o", "JA4_ro", "JA3", "JA3 (MD5)"];

/// Asserts the TLS layer: its fingerprints first, JA4 and JA3 those of
/// the hello's line (the raw and original JA4s of the same hello); then
/// the hello decoded, whose rows `want` names must say what it says;
/// then what was agreed (`agreed`, as logged) and the client
/// certificate (`cert`), last.
fn assert_tls_layer(
    tls: &Layer,
    hello_line: &str,
    want: &[(&str, &str)],
    agreed: &str,
    cert: &str,
) {
    let (ja4, ja3) = common::hello_fingerprints(hello_line);
    let labels = tls.labels();
    assert_eq!(labels[..6], FINGERPRINTS, "{tls:#?}");
    assert_eq!(
        (tls.row("JA4"), tls.row("JA3 (MD5)")),
        (ja4.as_str(), ja3.as_str())
    );
    let (part_a, _) = ja4.split_once('_').unwrap();
    for raw in ["JA4_r", "JA4_o", "JA4_ro"] {
        assert!(tls.row(raw).starts_with(&format!("{part_a}_")), "{tls:#?}");
    }
    let decoded = &labels[6..labels.len() - 2];
    assert!(
        decoded.iter().all(|label| label.starts_with("hello: ")),
        "{tls:#?}"
    );
    for (label, value) in want {
        assert_eq!(tls.row(label), *value, "{tls:#?}");
    }
    assert_eq!(
        tls.rows[labels.len() - 2..],
        [
            ("agreed".to_string(), agreed.to_string()),
            ("client certificate".to_string(), cert.to_string())
        ]
    );
}

/// What a text page's layers must say: TCP from `peer` to `server`, a
/// PROXY layer naming `proxy` if one came, TLS as [`assert_tls_layer`]
/// has it for the hello its line (`hello`) and dump (`bytes`) show,
/// then HTTP.
struct Expected<'a> {
    peer: &'a str,
    server: SocketAddr,
    proxy: Option<&'a str>,
    hello: &'a str,
    bytes: usize,
    decoded: &'a [(&'a str, &'a str)],
    agreed: &'a str,
    cert: &'a str,
}

fn assert_layers(page: &str, want: &Expected<'_>) {
    let layers = layers(page);
    assert_eq!(
        names(&layers),
        layer_names(want.proxy.is_some(), want.bytes),
        "{page}"
    );
    assert_eq!(layers[0], tcp_layer(want.peer, want.server));
    if let Some(client) = want.proxy {
        let says = format!("{client} (what the PROXY header says; the TCP peer sent it)");
        assert_eq!(layers[1].rows, [("client".to_string(), says)]);
    }
    let tls = &layers[layers.len() - 3];
    assert_tls_layer(tls, want.hello, want.decoded, want.agreed, want.cert);
    assert_eq!(
        hello_dump(page).len(),
        want.bytes.div_ceil(16),
        "the dump of {} bytes",
        want.bytes
    );
}

/// The machine's host name, as the TCP layer shows it.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("/proc/sys/kernel/hostname")
        .trim()
        .to_string()
}

/// The head a curl here sends for `path` to `host`, as the text page
/// shows it: every byte, `\r\n` made visible.
fn curls_head(path: &str, host: &str) -> String {
    format!(
        "\n\nGET {path} HTTP/1.1\\r\\n\nHost: {host}\\r\\n\nUser-Agent: {AGENT}\\r\\n\n\
         Accept: */*\\r\\n\n\\r\\n\n\nno body\n"
    )
}

/// What curl's hello (OpenSSL 3.0's) says, decoded.
const CURLS_VERSIONS: &str =
    "TLS 1.3 (0x0304), TLS 1.2 (0x0303), TLS 1.1 (0x0302), TLS 1.0 (0x0301)";

const NOT_ASKED: &str = "not asked for (--client-cert off)";

/// curl with `--cacert` and the certificate rawnet wrote (no `-k`: curl
/// checks it for `localhost`): the hello's line with curl's exact JA4 and
/// JA3; the text page's layers, TCP row by row, TLS with the same
/// fingerprints, the hello decoded (SNI, ALPN, versions, key share), the
/// agreed line the very one logged, the ClientHello's 517 bytes dumped;
/// the request head byte for byte; close_notify from curl.
#[test]
fn curl_with_the_written_certificate_sees_the_tls_layer() {
    let Tls {
        mut server,
        cert,
        dir: _dir,
    } = Tls::start("curl");
    let port = server.addr.port();
    let url = format!("https://localhost:{port}/over-tls");
    let got = fetch(
        &["--cacert", &cert, "--resolve", &resolve(server.addr)],
        &url,
    );
    let who = format!("#1 127.0.0.1:{}", got.port);
    let hello = expect_of(&mut server, &who, "client started a TLS");
    assert_eq!(
        hello,
        format!(
            "client started a TLS 1.3 handshake for \"localhost\" (ALPN h2, http/1.1; 31 cipher \
             suites); answered with a handshake (--tls); JA4 {CURL_JA4}, JA3 {CURL_JA3}"
        )
    );
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, ALPN http/1.1, for localhost, \
                    new session";
    let (agreed, rest) = handshake_done(&mut server, &who, expected);
    assert_eq!(rest, "");
    let page = &got.page;
    let decoded = [
        ("hello: server name", "localhost"),
        ("hello: ALPN", "h2, http/1.1"),
        ("hello: supported versions", CURLS_VERSIONS),
        ("hello: key share groups", "x25519 (0x001d)"),
    ];
    let peer = format!("127.0.0.1:{}", got.port);
    let want = Expected {
        peer: &peer,
        server: server.addr,
        proxy: None,
        hello: &hello,
        bytes: 517,
        decoded: &decoded,
        agreed: &agreed,
        cert: NOT_ASKED,
    };
    assert_layers(page, &want);
    assert!(
        page.starts_with(&format!(
            "rawnet got this request on connection #1 (request 1 on it) from 127.0.0.1:{}.\n",
            got.port
        )),
        "{page}"
    );
    // The hello dumped whole: a handshake record (16 03 01) of 0x200
    // bytes, a ClientHello (01) of 0x1fc, 517 bytes in 33 rows of 16.
    let dump = hello_dump(page);
    assert!(
        dump[0].starts_with("      0000  16 03 01 02 00 01 00 01  fc 03 03 "),
        "{}",
        dump[0]
    );
    assert!(
        dump[32].starts_with("      0200  00 00 00 00 00 "),
        "{}",
        dump[32]
    );
    assert!(
        page.ends_with(&curls_head("/over-tls", &format!("localhost:{port}"))),
        "{page}"
    );
    assert_eq!(
        expect_of(&mut server, &who, "request 1:"),
        format!(
            "request 1: GET /over-tls HTTP/1.1 -> 200 OK, {} bytes",
            got.bytes
        )
    );
    expect_of(
        &mut server,
        &who,
        "client sent TLS close_notify: it has finished",
    );
    expect_of(&mut server, &who, "close (done)");
}

/// curl `-k` at 127.0.0.1: no SNI, so JA4 says `i`, the layer's server
/// name is `(none)` and the agreed line names no host; then plain HTTP on the same port, whose text page
/// has no layers.
#[test]
fn curl_k_at_the_address_sends_no_sni_and_plain_http_goes_on() {
    let mut server = start_tls(&[]);
    let port = server.addr.port();
    let got = fetch(&["-k"], &format!("https://127.0.0.1:{port}/k"));
    let who = format!("#1 127.0.0.1:{}", got.port);
    let hello = expect_of(&mut server, &who, "client started a TLS");
    // JA4 `i`: no SNI, to an IP address; 11 extensions, one fewer.
    assert!(
        hello.starts_with(
            "client started a TLS 1.3 handshake (ALPN h2, http/1.1; 31 cipher suites); answered \
             with a handshake (--tls); JA4 t13i3111h2_"
        ),
        "{hello}"
    );
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, ALPN http/1.1, new session";
    let (agreed, _) = handshake_done(&mut server, &who, expected);
    let peer = format!("127.0.0.1:{}", got.port);
    let decoded = [
        ("hello: server name", "(none)"),
        ("hello: ALPN", "h2, http/1.1"),
        ("hello: supported versions", CURLS_VERSIONS),
    ];
    let want = Expected {
        peer: &peer,
        server: server.addr,
        proxy: None,
        hello: &hello,
        bytes: 517,
        decoded: &decoded,
        agreed: &agreed,
        cert: NOT_ASKED,
    };
    assert_layers(&got.page, &want);
    let head = curls_head("/k", &format!("127.0.0.1:{port}"));
    assert!(got.page.ends_with(&head), "{}", got.page);

    // Plain HTTP on the same port: no layers, no TLS line.
    let got = fetch(&[], &format!("http://127.0.0.1:{port}/plain"));
    assert!(
        !got.page.contains("It came through these layers"),
        "{}",
        got.page
    );
    let head = curls_head("/plain", &format!("127.0.0.1:{port}"));
    assert!(got.page.ends_with(&head), "{}", got.page);
    let who = format!("#2 127.0.0.1:{}", got.port);
    assert_eq!(
        expect_of(&mut server, &who, " speaking HTTP"),
        "speaking HTTP: the first line is an HTTP request line"
    );
    expect_of(&mut server, &who, "close (");
    let tls: Vec<&String> = server
        .seen
        .iter()
        .filter(|line| line.starts_with(&format!("{who} ")) && line.contains("TLS"))
        .collect();
    assert!(tls.is_empty(), "{tls:?}");
}

/// What `openssl s_client` printed, and how it ended.
struct SClient {
    stdout: Vec<u8>,
    stderr: String,
    status: ExitStatus,
}

/// How an `openssl s_client` run ends.
#[derive(Clone, Copy, PartialEq)]
enum Then {
    /// Once stdout has the bytes asked for, it is killed (`-quiet` waits
    /// for the server, which an echo never ends).
    Kill,
    /// Once stdout has the bytes asked for, its stdin closes: it says
    /// close_notify and exits.
    CloseStdin,
    /// It exits by itself (the handshake fails); stdout is read to its
    /// end.
    Exits,
}

/// `openssl s_client -connect ADDR ARGS` with `input` on its stdin, its
/// stdout read until it holds `until` (then `then`), within PATIENCE.
fn s_client(addr: SocketAddr, args: &[&str], input: &[u8], until: &[u8], then: Then) -> SClient {
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect", &addr.to_string()])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run openssl (scripts/test.sh installs it)");
    let stderr = common::chromium::drain(child.stderr.take().expect("stderr is piped"));
    let chunks = chunks(child.stdout.take().expect("stdout is piped"));
    let mut stdin = child.stdin.take();
    stdin.as_mut().unwrap().write_all(input).unwrap();
    let deadline = Instant::now() + PATIENCE;
    let mut stdout = Vec::new();
    let mut ended = false;
    while then == Then::Exits || !contains(&stdout, until) {
        match chunks.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(chunk) => stdout.extend(chunk),
            Err(RecvTimeoutError::Disconnected) => {
                ended = true;
                break;
            }
            Err(RecvTimeoutError::Timeout) => break,
        }
    }
    if then == Then::Kill {
        let _ = child.kill();
    }
    drop(stdin);
    let status = wait_within(&mut child, deadline);
    let stderr =
        String::from_utf8_lossy(&stderr.recv_timeout(PATIENCE).unwrap_or_default()).into_owned();
    let got = String::from_utf8_lossy(&stdout);
    assert!(
        contains(&stdout, until) && (then != Then::Exits || ended),
        "openssl s_client {args:?}: no {:?} in its stdout {got:?}; its stderr: {stderr}",
        String::from_utf8_lossy(until)
    );
    SClient {
        stdout,
        stderr,
        status,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len().max(1)).any(|w| w == needle) || needle.is_empty()
}

/// `pipe`'s bytes as they come, a chunk a message, until it closes.
fn chunks(mut pipe: impl Read + Send + 'static) -> Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n @ 1..) = pipe.read(&mut buf) {
            if tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    rx
}

/// The child's exit, killed if it has not exited by `deadline`.
fn wait_within(child: &mut Child, deadline: Instant) -> ExitStatus {
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("openssl s_client did not exit: {:?}", child.wait());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `openssl s_client -quiet`: `hello\n` in, the tutorial's answer out,
/// byte for byte, from the echo inside TLS 1.3 (no SNI at an address, no
/// ALPN); then, checking the certificate rawnet wrote for `localhost`,
/// its stdin closed: close_notify.
#[test]
fn openssl_s_client_talks_to_the_echo_inside_tls() {
    let Tls {
        mut server,
        cert,
        dir: _dir,
    } = Tls::start("s-client");
    let hello = you_said(b"hello\n");
    let got = s_client(server.addr, &["-quiet"], b"hello\n", &hello, Then::Kill);
    assert_eq!(got.stdout, hello, "{}", got.stderr);
    let line = server.expect("client started a TLS");
    let who = conn_of(&line);
    // JA4: TLS 1.3, an address (no SNI), 31 suites, 9 extensions, no ALPN.
    let asked = "client started a TLS 1.3 handshake (31 cipher suites)";
    assert_hello(said(&line), asked, "t13i310900");
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, no ALPN, new session";
    handshake_done(&mut server, &who, expected);
    assert_eq!(
        expect_of(&mut server, &who, " echoing"),
        "echoing: the first bytes are not an HTTP request line"
    );
    assert_eq!(
        expect_of(&mut server, &who, " data "),
        r#"data 6 bytes: "hello\n""#
    );
    // Killed: its socket closes with a FIN and no close_notify.
    assert_eq!(
        expect_of(&mut server, &who, "TLS close_notify"),
        "client ended its TCP stream without TLS close_notify"
    );

    let args = [
        "-servername",
        "localhost",
        "-CAfile",
        &cert,
        "-verify_return_error",
    ];
    let got = s_client(server.addr, &args, b"hello\n", &hello, Then::CloseStdin);
    let stdout = String::from_utf8_lossy(&got.stdout);
    assert!(got.status.success(), "{stdout}{}", got.stderr);
    assert!(stdout.contains("Verify return code: 0 (ok)\n"), "{stdout}");
    assert!(
        stdout.contains("subject=CN = rawnet on localhost (made at start)\n"),
        "{stdout}"
    );
    let line = server.expect("client started a TLS");
    let who = conn_of(&line);
    let asked = "client started a TLS 1.3 handshake for \"localhost\" (31 cipher suites)";
    assert_hello(said(&line), asked, "t13d311000");
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, no ALPN, for localhost, new session";
    handshake_done(&mut server, &who, expected);
    expect_of(&mut server, &who, r#"data 6 bytes: "hello\n""#);
    assert_eq!(
        expect_of(&mut server, &who, "TLS close_notify"),
        "client sent TLS close_notify: it has finished"
    );
}

/// `openssl s_client -tls1_2`: a TLS 1.2 hello, a TLS 1.2 handshake
/// (ECDHE with rawnet's P-256 key), the echo inside it.
#[test]
fn openssl_s_client_tls1_2_gets_a_tls_1_2_handshake() {
    let mut server = start_tls(&[]);
    let hello = you_said(b"hello\n");
    let got = s_client(
        server.addr,
        &["-quiet", "-tls1_2"],
        b"hello\n",
        &hello,
        Then::Kill,
    );
    assert_eq!(got.stdout, hello, "{}", got.stderr);
    let line = server.expect("client started a TLS");
    let who = conn_of(&line);
    let asked = "client started a TLS 1.2 handshake (28 cipher suites)";
    assert_hello(said(&line), asked, "t12i280600");
    let expected = "TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, X25519, no ALPN, new session";
    handshake_done(&mut server, &who, expected);
    expect_of(&mut server, &who, r#"data 6 bytes: "hello\n""#);
}

/// `openssl s_client -alpn h2`, offering no http/1.1: the line saying
/// so, the failed handshake, and openssl's own words for the
/// no_application_protocol alert (120).
#[test]
fn openssl_s_client_alpn_h2_alone_fails_with_no_application_protocol() {
    let mut server = start_tls(&[]);
    let got = s_client(
        server.addr,
        &["-quiet", "-alpn", "h2"],
        b"",
        b"",
        Then::Exits,
    );
    assert!(!got.status.success(), "{}", got.stderr);
    assert_eq!(got.stdout, b"");
    assert!(
        got.stderr.contains("tlsv1 alert no application protocol")
            && got.stderr.contains("SSL alert number 120"),
        "{}",
        got.stderr
    );
    let line = server.expect("client started a TLS");
    let who = conn_of(&line);
    let asked = "client started a TLS 1.3 handshake (ALPN h2; 31 cipher suites)";
    assert_hello(said(&line), asked, "t13i3110h2");
    let lines: Vec<String> = ["ALPN", "TLS handshake failed", "close ("]
        .iter()
        .map(|needle| expect_of(&mut server, &who, needle))
        .collect();
    assert_eq!(
        lines[..2],
        [
            "client's ALPN offers no http/1.1, the protocol rawnet speaks inside TLS (HTTP/2 it \
             does not speak yet); the handshake fails with no_application_protocol",
            "TLS handshake failed: peer doesn't support any known protocol",
        ]
    );
    assert!(lines[2].starts_with("close (done): "), "{}", lines[2]);
    let seen = server.seen.join("\n");
    assert!(!seen.contains("TLS handshake done"), "{seen}");
}

/// A line already read of connection `who` containing `needle`: what it
/// says.
fn seen_of(server: &Server, who: &str, needle: &str) -> String {
    let prefix = format!("{who} ");
    server
        .seen
        .iter()
        .find(|line| line.starts_with(&prefix) && line.contains(needle))
        .map(|line| said(line).to_string())
        .unwrap_or_else(|| panic!("no {needle:?} of {who} in:\n{}", server.seen.join("\n")))
}

/// A row of a layer's table on the HTML page: its label and value.
fn html_row(row: &str) -> (String, String) {
    let cells = row
        .strip_prefix("<tr><th>")
        .and_then(|row| row.strip_suffix("</td></tr>"))
        .and_then(|row| row.split_once("</th><td>"))
        .unwrap_or_else(|| panic!("not a row: {row:?}"));
    (cells.0.to_string(), cells.1.to_string())
}

/// A layer's table on the HTML page, as Chromium's DOM has it.
fn html_layer(name: &str, rows: &[(&str, &str)]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|(label, value)| format!("<tr><th>{label}</th><td>{value}</td></tr>"))
        .collect();
    format!(
        "<h3>{name}</h3>\n<table>\n<tbody>{}\n</tbody></table>\n",
        rows.join("\n")
    )
}

/// Headless Chromium at `https://127.0.0.1:PORT/` (the certificate taken
/// as it is): the page's layers panel has TCP, then TLS with Chromium's
/// hello (its JA4 and JA3 the line's for that connection, no SNI at an
/// address, ALPN h2 and http/1.1) and what was agreed, exactly as the log
/// says for that connection, then HTTP.
#[test]
fn chromium_shows_the_layers_panel_with_tls() {
    let mut server = start_tls(&[]);
    let url = format!("https://127.0.0.1:{}/", server.addr.port());
    let dom = common::chromium::chromium(
        &[
            "--ignore-certificate-errors".into(),
            "--dump-dom".into(),
            url,
        ],
        Duration::from_secs(90),
    );
    let line = server.expect("request 1: GET / HTTP/1.1 -> 200 OK");
    let who = conn_of(&line);
    let hello = seen_of(&server, &who, "client started a TLS");
    // Chromium's hello: TLS 1.3 to an address, ALPN h2 first; its counts
    // (with GREASE) are Chromium's own, and its JA3 changes with each
    // connection (it shuffles its extensions); the page's are the line's.
    assert!(
        hello.starts_with("client started a TLS 1.3 handshake (ALPN h2, http/1.1; "),
        "{hello}"
    );
    let (ja4, _) = common::hello_fingerprints(&hello);
    assert!(ja4.starts_with("t13i") && ja4[4..].contains("h2_"), "{ja4}");
    let agreed = seen_of(&server, &who, "TLS handshake done: ");
    let agreed = agreed.strip_prefix("TLS handshake done: ").unwrap();
    assert!(
        agreed.starts_with(
            "TLS 1.3, TLS13_AES_128_GCM_SHA256, X25519, ALPN http/1.1, new session, in "
        ),
        "{agreed}"
    );
    let peer = who.split(' ').nth(1).unwrap();
    let tcp = html_layer(
        "TCP",
        &[
            ("client", peer),
            (
                "server",
                &format!("{} (the address it connected to)", server.addr),
            ),
            ("instance", &hostname()),
        ],
    );
    let panel = format!(
        "<section class=\"layers\">\n<h2>The layers, from the bottom up</h2>\n{tcp}\
         <h3>TLS</h3>\n<table>\n<tbody>"
    );
    let start = dom
        .find(&panel)
        .unwrap_or_else(|| panic!("no {panel:?} in\n{dom}"));
    let table = &dom[start + panel.len()..];
    let (table, rest) = table
        .split_once("\n</tbody></table>\n")
        .expect("the TLS table");
    let tls = Layer {
        name: "TLS".into(),
        rows: table.split('\n').map(html_row).collect(),
    };
    let decoded = [
        ("hello: server name", "(none)"),
        ("hello: ALPN", "h2, http/1.1"),
    ];
    assert_tls_layer(&tls, &hello, &decoded, agreed, NOT_ASKED);
    assert!(
        rest.starts_with("<details><summary>The ClientHello as it crossed the wire ("),
        "{rest}"
    );
    let http = "</pre></details>\n<h3>HTTP</h3><p class=\"note\">the request, next.</p>\n\
                </section>";
    assert!(dom.contains(http), "{dom}");
    // Chromium's request, as it came out of TLS.
    assert!(
        dom.contains("GET / HTTP/1.1<span class=\"eol\">\\r\\n</span>")
            && dom.contains("HeadlessChrome/"),
        "{dom}"
    );
}

/// Python's `websockets` over `wss://` (Debian's python3-websockets, the
/// written certificate its only CA, ALPN http/1.1): what its TLS says it
/// agreed is what rawnet logged, and a text and a binary message come
/// back as rawnet's WebSocket echo sends them.
#[test]
#[cfg(feature = "websocket")]
fn pythons_websockets_over_wss_gets_the_echo() {
    let script = r#"
import asyncio, ssl, sys, websockets
async def main(url, ca):
    context = ssl.create_default_context(cafile=ca)
    context.set_alpn_protocols(["http/1.1"])
    async with websockets.connect(url, ssl=context, compression=None) as ws:
        tls = ws.transport.get_extra_info("ssl_object")
        print(tls.version(), tls.cipher()[0], tls.selected_alpn_protocol())
        await ws.send("Hello")
        print(repr(await ws.recv()))
        await ws.send(b"\x00\xffbin")
        print(repr(await ws.recv()))
    print("closed", ws.close_code)
asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2]), 10))
"#;
    let Tls {
        mut server,
        cert,
        dir: _dir,
    } = Tls::start("wss");
    // `localhost` may be ::1 first; rawnet listens on 127.0.0.1 only, and
    // Python's connect tries the next address.
    let url = format!("wss://localhost:{}/over-wss", server.addr.port());
    assert_eq!(
        common::python3(script, &[&url, &cert]),
        "TLSv1.3 TLS_AES_256_GCM_SHA384 http/1.1\n\
         'You said \"Hello\"'\n\
         b'You said \"\\x00\\xffbin\"'\n\
         closed 1000\n"
    );
    let line = server.expect("client started a TLS");
    let who = conn_of(&line);
    // JA4's `h1`: ALPN http/1.1 alone.
    let asked = "client started a TLS 1.3 handshake for \"localhost\" (ALPN http/1.1; 31 cipher \
                 suites)";
    assert_hello(said(&line), asked, "t13d3112h1");
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, ALPN http/1.1, for localhost, \
                    new session";
    handshake_done(&mut server, &who, expected);
    let upgrade = expect_of(&mut server, &who, "request 1:");
    assert_eq!(
        upgrade,
        "request 1: GET /over-wss HTTP/1.1 -> 101 Switching Protocols, 129 bytes"
    );
    for (needle, want) in [
        (
            "ws frame sent: ",
            r#"ws frame sent: FIN text 16 bytes, "You said \"Hello\"""#,
        ),
        (
            "ws frame sent: ",
            r#"ws frame sent: FIN binary 16 bytes, "You said \"\x00\xffbin\"""#,
        ),
        (
            "websocket close",
            "websocket close 1000: the client closed; its code echoed",
        ),
    ] {
        assert_eq!(expect_of(&mut server, &who, needle), want);
    }
}

/// nginx in front, originating TLS (`proxy_pass https://`, SNI
/// `localhost`, rawnet's written certificate checked): the page shows
/// nginx's handshake (TLS 1.2 only, as nginx 1.22's `proxy_ssl_protocols`
/// have it, no ALPN, from nginx's own TCP address: a 206-byte hello) and
/// its HTTP/1.0 request, not curl's; nginx's second connection resumes
/// its session (238 bytes, the session's ID in it). curl straight to
/// rawnet offers something else.
#[test]
fn nginx_originating_tls_is_the_handshake_the_page_shows() {
    let Tls {
        mut server,
        cert,
        dir: _dir,
    } = Tls::start("nginx");
    let nginx = Daemon::nginx_http(&format!(
        "            proxy_pass https://{};
            proxy_ssl_server_name on;
            proxy_ssl_name localhost;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate {cert};",
        server.addr
    ));
    let head = format!(
        "\n\nGET /via-nginx HTTP/1.0\\r\\n\nHost: {}\\r\\n\nConnection: close\\r\\n\n\
         User-Agent: {AGENT}\\r\\n\nAccept: */*\\r\\n\n\\r\\n\n\nno body\n",
        server.addr
    );
    let mut pages = Vec::new();
    // The second hello carries the session's 32-byte ID, to resume it.
    for (session, id, bytes) in [
        (
            "X25519, no ALPN, for localhost, new session",
            "0 bytes",
            206,
        ),
        ("no ALPN, for localhost, resumed session", "32 bytes", 238),
    ] {
        let got = fetch(&[], &format!("http://{}/via-nginx", nginx.addr));
        let line = server.expect("client started a TLS");
        let who = conn_of(&line);
        let hello = said(&line);
        // JA4: TLS 1.2, a domain, 28 suites, 7 extensions, no ALPN (00).
        assert!(
            hello.starts_with(
                "client started a TLS 1.2 handshake for \"localhost\" (28 cipher suites); \
                 answered with a handshake (--tls); JA4 t12d280700_"
            ),
            "{hello}"
        );
        let expected = format!("TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, {session}");
        let (agreed, _) = handshake_done(&mut server, &who, &expected);
        // The TCP peer is nginx's upstream socket, not curl's.
        let peer = who.split(' ').nth(1).unwrap();
        assert_ne!(peer, format!("127.0.0.1:{}", got.port));
        let decoded = [
            ("hello: legacy version", "TLS 1.2 (0x0303)"),
            ("hello: session id", id),
            ("hello: server name", "localhost"),
            ("hello: ALPN", "(none)"),
        ];
        let want = Expected {
            peer,
            server: server.addr,
            proxy: None,
            hello,
            bytes,
            decoded: &decoded,
            agreed: &agreed,
            cert: NOT_ASKED,
        };
        assert_layers(&got.page, &want);
        assert!(got.page.ends_with(&head), "{}", got.page);
        let request = expect_of(&mut server, &who, "request 1: ");
        assert!(
            request.starts_with("request 1: GET /via-nginx HTTP/1.0 -> 200 OK, "),
            "{request}"
        );
        pages.push(got.page);
    }

    // curl's own hello, straight to rawnet, is another one.
    let direct = fetch(
        &["-k"],
        &format!("https://127.0.0.1:{}/", server.addr.port()),
    );
    let offered = |page: &str| -> Vec<String> {
        let layers = layers(page);
        let tls = layers.iter().find(|layer| layer.name == "TLS").unwrap();
        ["JA4", "hello: ALPN", "hello: supported versions"]
            .iter()
            .map(|label| tls.row(label).to_string())
            .collect()
    };
    let (direct, nginxs) = (offered(&direct.page), offered(&pages[0]));
    assert_eq!(direct[1..], ["h2, http/1.1", CURLS_VERSIONS]);
    for (curls, nginxs) in direct.iter().zip(&nginxs) {
        assert_ne!(curls, nginxs);
    }
}

/// HAProxy in TCP mode with `send-proxy-v2`, TLS passed through to
/// rawnet: the PROXY header comes first, then curl's ClientHello. The
/// text page's layers are TCP (HAProxy), PROXY (curl, as the header
/// says), TLS (curl's hello), HTTP.
#[test]
#[cfg(feature = "proxy")]
fn haproxy_send_proxy_v2_puts_the_proxy_layer_below_tls() {
    let mut server = start_tls(&[]);
    let haproxy = Daemon::haproxy(server.addr, "mode tcp", "send-proxy-v2");
    let url = format!("https://localhost:{}/through-haproxy", haproxy.addr.port());
    let got = fetch(&["-k", "--resolve", &resolve(haproxy.addr)], &url);
    let client = format!("127.0.0.1:{}", got.port);
    let line = server.expect(&format!("PROXY v2 header: from {client} "));
    let who = conn_of(&line);
    let (conn, peer) = who.split_once(' ').unwrap();
    assert_eq!(
        said(&line),
        format!(
            "PROXY v2 header: from {client} (says the PROXY header) via {peer} (the TCP peer); \
             the client connected to {}",
            haproxy.addr
        )
    );
    let hello = expect_of(&mut server, &who, "client started a TLS");
    assert_eq!(
        hello,
        format!(
            "client started a TLS 1.3 handshake for \"localhost\" (ALPN h2, http/1.1; 31 cipher \
             suites); answered with a handshake (--tls); JA4 {CURL_JA4}, JA3 {CURL_JA3}"
        )
    );
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, ALPN http/1.1, for localhost, \
                    new session";
    let (agreed, _) = handshake_done(&mut server, &who, expected);
    assert!(
        got.page.starts_with(&format!(
            "rawnet got this request on connection {conn} (request 1 on it) from {client} \
             (says the PROXY header) via {peer} (the TCP peer).\n"
        )),
        "{}",
        got.page
    );
    let decoded = [
        ("hello: server name", "localhost"),
        ("hello: ALPN", "h2, http/1.1"),
    ];
    let want = Expected {
        peer,
        server: server.addr,
        proxy: Some(&client),
        hello: &hello,
        bytes: 517,
        decoded: &decoded,
        agreed: &agreed,
        cert: NOT_ASKED,
    };
    assert_layers(&got.page, &want);
    assert_eq!(
        expect_of(&mut server, &who, "request 1: "),
        format!(
            "request 1: GET /through-haproxy HTTP/1.1 -> 200 OK, {} bytes, for {client} \
             (says the PROXY header)",
            got.bytes
        )
    );
}

/// The same through HAProxy, as the JSON view: `layers` has `tcp`
/// (HAProxy), `proxy` (curl) and `tls` (curl's hello, what was agreed,
/// the handshake's time the one logged, no client certificate).
#[test]
#[cfg(all(feature = "proxy", feature = "json"))]
fn haproxy_send_proxy_v2_and_tls_in_the_json_views_layers() {
    let mut server = start_tls(&[]);
    let haproxy = Daemon::haproxy(server.addr, "mode tcp", "send-proxy-v2");
    let url = format!("https://localhost:{}/as-json", haproxy.addr.port());
    let accept = [
        "-k",
        "--resolve",
        &resolve(haproxy.addr),
        "-H",
        "Accept: application/json",
    ];
    let got = fetch(&accept, &url);
    let client = format!("127.0.0.1:{}", got.port);
    let line = server.expect(&format!("PROXY v2 header: from {client} "));
    let who = conn_of(&line);
    let peer = who.split(' ').nth(1).unwrap();
    let hello = expect_of(&mut server, &who, "client started a TLS");
    assert!(
        hello.ends_with(&format!("JA4 {CURL_JA4}, JA3 {CURL_JA3}")),
        "{hello}"
    );
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, ALPN http/1.1, for localhost, \
                    new session";
    let (agreed, _) = handshake_done(&mut server, &who, expected);
    let json: serde_json::Value = serde_json::from_str(&got.page).expect("the JSON view");
    let layers = json["layers"].as_object().expect("layers");
    let names: Vec<&str> = layers.keys().map(String::as_str).collect();
    assert_eq!(names, ["proxy", "tcp", "tls"], "{json:#}");
    assert_eq!(layers["tcp"]["client"], peer);
    assert_eq!(layers["tcp"]["server"], server.addr.to_string());
    assert_eq!(layers["proxy"], serde_json::json!({ "client": client }));
    assert_eq!(json["addresses"]["proxy_header"]["address"], client);
    let tls = layers["tls"].as_object().expect("the TLS layer");
    let names: Vec<&str> = tls.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "agreed",
            "client_certificate",
            "client_hello",
            "fingerprints"
        ]
    );
    // The fingerprints the line has, and the raw and original JA4s of the
    // same hello.
    let prints = &tls["fingerprints"];
    assert_eq!(
        (&prints["ja4"], &prints["ja3_md5"]),
        (&CURL_JA4.into(), &CURL_JA3.into())
    );
    for raw in ["ja4_r", "ja4_o", "ja4_ro"] {
        let value = prints[raw].as_str().unwrap_or_default();
        assert!(value.starts_with("t13d3112h2_"), "{raw}: {prints:#}");
    }
    let hello = &tls["client_hello"];
    assert_eq!(hello["server name"], serde_json::json!(["localhost"]));
    assert_eq!(hello["ALPN"], serde_json::json!(["h2", "http/1.1"]));
    let versions: Vec<&str> = CURLS_VERSIONS.split(", ").collect();
    assert_eq!(hello["supported versions"], serde_json::json!(versions));
    let took = tls["agreed"]["took"].as_f64().expect("took, in seconds");
    assert_eq!(
        tls["agreed"],
        serde_json::json!({
            "version": "TLS 1.3",
            "cipher_suite": "TLS13_AES_256_GCM_SHA384",
            "group": "X25519",
            "alpn": "http/1.1",
            "sni": "localhost",
            "resumed": false,
            "took": took,
        })
    );
    assert!(
        agreed.ends_with(&format!(", in {:.1} ms", took * 1000.0)),
        "{agreed} against {took}"
    );
    assert_eq!(
        tls["client_certificate"],
        serde_json::json!({ "summary": NOT_ASKED, "verified": false, "chain": [] })
    );
}

/// The openssl config the certificates below are made with: a CA, a
/// client certificate it signs (SANs, a serial of our choosing), and a
/// self-signed client certificate from no CA. Its own file, so the
/// system's openssl.cnf (which adds a CA's extensions to every `req
/// -x509`) has no say.
const OPENSSL_CNF: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
subjectKeyIdentifier = hash
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.example, email:client@example.com
[self]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:self.example
";

/// `ca.pem`, `client.pem` (signed by it, serial 0x1234abcd) and
/// `self.pem` (self-signed), each with its P-256 `.key`, made by openssl
/// in a fresh directory.
fn make_certificates() -> TempDir {
    let dir = TempDir::new("client-certs");
    let cnf = dir.file("openssl.cnf");
    std::fs::write(&cnf, OPENSSL_CNF).unwrap();
    let key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let (ca, ca_key) = (dir.file("ca.pem"), dir.file("ca.key"));
    let (client, client_key) = (dir.file("client.pem"), dir.file("client.key"));
    let csr = dir.file("client.csr");
    let (me, me_key) = (dir.file("self.pem"), dir.file("self.key"));
    let days = ["-days", "2"];
    let x509 = |ext: &str, out: &str, out_key: &str, subject: &str| {
        let args = ["req", "-x509", "-config", &cnf, "-extensions", ext];
        let rest = ["-keyout", out_key, "-out", out, "-subj", subject];
        openssl(&[&args[..], &key, &rest, &days].concat());
    };
    x509("ca", &ca, &ca_key, "/CN=rawnet test CA");
    x509("self", &me, &me_key, "/CN=self signed client");
    let request = [
        "req",
        "-new",
        "-config",
        &cnf,
        "-keyout",
        &client_key,
        "-out",
        &csr,
    ];
    openssl(
        &[
            &request[..],
            &key,
            &["-subj", "/CN=test client/O=rawnet tests"],
        ]
        .concat(),
    );
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca,
        "-CAkey",
        &ca_key,
        "-set_serial",
        "0x1234abcd",
        "-days",
        "2",
        "-extfile",
        &cnf,
        "-extensions",
        "client",
        "-out",
        &client,
    ]);
    dir
}

/// What the pages should say of `file`'s certificate: x509-parser's
/// words for its names, openssl's for its fingerprint, serial and dates
/// (`Dec  2 02:06:42 2026 GMT` is `... +00:00` there).
#[cfg(feature = "json")]
fn certificate_json(file: &str, subject: &str, issuer: &str, sans: &[&str]) -> serde_json::Value {
    let date = |what| openssl_x509(file, what).replace(" GMT", " +00:00");
    let serial = openssl_x509(file, "-serial");
    // x509-parser writes the serial's bytes, `12:34:ab:cd`.
    let bytes: Vec<String> = (0..serial.len())
        .step_by(2)
        .map(|i| serial[i..i + 2].to_ascii_lowercase())
        .collect();
    serde_json::json!({
        "subject": subject,
        "issuer": issuer,
        "sans": sans,
        "not_before": date("-startdate"),
        "not_after": date("-enddate"),
        "serial": bytes.join(":"),
        "sha256": openssl_x509(file, "-fingerprint"),
    })
}

/// The text page's TLS rows after what was agreed: the client
/// certificate's.
fn certificate_rows(page: &str) -> Vec<(String, String)> {
    let layers = layers(page);
    let tls = layers
        .iter()
        .find(|layer| layer.name == "TLS")
        .expect("TLS");
    let agreed = tls.labels().iter().position(|label| *label == "agreed");
    tls.rows[agreed.expect("an agreed row") + 1..].to_vec()
}

/// The JSON view's `layers.tls.client_certificate`, fetched with curl
/// ARGS, and what the handshake's line said after what was agreed.
#[cfg(feature = "json")]
fn client_certificate(server: &mut Server, args: &[&str]) -> (serde_json::Value, String) {
    let url = format!("https://localhost:{}/who-am-i", server.addr.port());
    let resolve = resolve(server.addr);
    let base = [
        "-k",
        "--resolve",
        &resolve,
        "-H",
        "Accept: application/json",
    ];
    let got = fetch(&[&base[..], args].concat(), &url);
    let who = format!("127.0.0.1:{}", got.port);
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, ALPN http/1.1, for localhost, \
                    new session";
    let (_, rest) = handshake_done(server, &who, expected);
    let json: serde_json::Value = serde_json::from_str(&got.page).expect("the JSON view");
    (json["layers"]["tls"]["client_certificate"].clone(), rest)
}

/// `--client-cert optional --client-ca ca.pem`: curl with the client
/// certificate the CA signed gets "verified", and its subject, issuer,
/// SANs, dates, serial and SHA-256 as openssl reads them, in the JSON
/// view and on the text page.
#[test]
#[cfg(feature = "json")]
fn an_optional_client_certificate_from_the_ca_is_verified() {
    let certs = make_certificates();
    let (ca, client) = (certs.file("ca.pem"), certs.file("client.pem"));
    let client_key = certs.file("client.key");
    let mut server = start_tls(&["--client-cert", "optional", "--client-ca", &ca]);

    let signed = certificate_json(
        &client,
        "CN=test client, O=rawnet tests",
        "CN=rawnet test CA",
        &["DNSName(client.example)", "RFC822Name(client@example.com)"],
    );
    assert_eq!(signed["serial"], "12:34:ab:cd");
    let (got, line) = client_certificate(&mut server, &["--cert", &client, "--key", &client_key]);
    assert_eq!(
        got,
        serde_json::json!({
            "summary": "verified against --client-ca",
            "verified": true,
            "chain": [signed],
        })
    );
    assert_eq!(line, "client certificate (1 in its chain)");

    // The text page says the same in words.
    let url = format!("https://localhost:{}/in-words", server.addr.port());
    let args = [
        "-k",
        "--resolve",
        &resolve(server.addr),
        "--cert",
        &client,
        "--key",
        &client_key,
    ];
    let page = fetch(&args, &url).page;
    let field = |name: &str| signed[name].as_str().unwrap().to_string();
    assert_eq!(
        certificate_rows(&page),
        [
            (
                "client certificate".to_string(),
                "verified against --client-ca".to_string()
            ),
            (
                "its certificate".to_string(),
                format!(
                    "subject CN=test client, O=rawnet tests, issuer CN=rawnet test CA, SANs \
                     DNSName(client.example), RFC822Name(client@example.com), valid {} to {}, \
                     serial 12:34:ab:cd, SHA-256 {}",
                    field("not_before"),
                    field("not_after"),
                    field("sha256")
                )
            ),
        ]
    );
}

/// `--client-cert optional --client-ca ca.pem`: a self-signed client
/// certificate is shown "not verified" with the reason, and read as the
/// one signed by the CA is; with none, "the client sent none".
#[test]
#[cfg(feature = "json")]
fn optional_client_certificates_not_from_the_ca_or_none_are_not_verified() {
    let certs = make_certificates();
    let (ca, me, me_key) = (
        certs.file("ca.pem"),
        certs.file("self.pem"),
        certs.file("self.key"),
    );
    let mut server = start_tls(&["--client-cert", "optional", "--client-ca", &ca]);
    let self_signed = certificate_json(
        &me,
        "CN=self signed client",
        "CN=self signed client",
        &["DNSName(self.example)"],
    );
    let (got, line) = client_certificate(&mut server, &["--cert", &me, "--key", &me_key]);
    assert_eq!(
        got,
        serde_json::json!({
            "summary": "not verified: invalid peer certificate: UnknownIssuer",
            "verified": false,
            "chain": [self_signed],
        })
    );
    assert_eq!(line, "client certificate (1 in its chain)");

    let (got, line) = client_certificate(&mut server, &[]);
    assert_eq!(
        got,
        serde_json::json!({
            "summary": "asked for; the client sent none",
            "verified": false,
            "chain": [],
        })
    );
    assert_eq!(line, "");
}

/// `--client-cert require --client-ca ca.pem`: curl without a
/// certificate gets TLS 1.3's certificate_required alert and the log
/// names the missing certificate; a self-signed one gets unknown_ca; the
/// one the CA signed goes through, verified.
#[test]
fn required_client_certificates_are_checked_in_the_handshake() {
    let certs = make_certificates();
    let (ca, client, me) = (
        certs.file("ca.pem"),
        certs.file("client.pem"),
        certs.file("self.pem"),
    );
    let (client_key, me_key) = (certs.file("client.key"), certs.file("self.key"));
    let mut server = start_tls(&["--client-cert", "require", "--client-ca", &ca]);
    let url = format!("https://localhost:{}/", server.addr.port());
    let resolve = resolve(server.addr);
    for (args, alert, failed) in [
        (
            vec![],
            "tlsv13 alert certificate required",
            "TLS handshake failed: peer sent no certificates",
        ),
        (
            vec!["--cert", &me, "--key", &me_key],
            "tlsv1 alert unknown ca",
            "TLS handshake failed: invalid peer certificate: UnknownIssuer",
        ),
    ] {
        let output = curl(&[&["-k", "--resolve", &resolve, &url][..], &args].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        // 56: CURLE_RECV_ERROR, the alert read after curl's Finished.
        assert_eq!(output.status.code(), Some(56), "{stderr}");
        assert!(stderr.contains(alert), "{stderr}");
        let line = server.expect("TLS handshake failed: ");
        assert_eq!(said(&line), failed);
        let close = expect_of(&mut server, &conn_of(&line), "close (");
        assert!(close.starts_with("close (done): "), "{close}");
    }
    let args = [
        "-k",
        "--resolve",
        &resolve,
        "--cert",
        &client,
        "--key",
        &client_key,
    ];
    let page = fetch(&args, &url).page;
    let rows = certificate_rows(&page);
    assert_eq!(
        rows[0],
        (
            "client certificate".to_string(),
            "verified against --client-ca".to_string()
        )
    );
    let line = server.expect("TLS handshake done: ");
    assert!(
        line.ends_with("; client certificate (1 in its chain)"),
        "{line}"
    );
}

/// With HTTP/2 built, `--tls` offers `h2` by ALPN first, and curl takes
/// it: the handshake's line says `ALPN h2`, the request is stream 1 over
/// HTTP/2, and its page has the layers, TCP and TLS (curl's hello, what
/// was agreed), as an HTTP/1.1 page has them.
#[test]
#[cfg(feature = "h2")]
fn curl_gets_h2_by_alpn_and_its_page_shows_the_layers() {
    let mut server = Server::start(&["--tls"]);
    let url = format!("https://localhost:{}/over-h2", server.addr.port());
    let got = fetch(&["-k", "--resolve", &resolve(server.addr)], &url);
    let who = format!("#1 127.0.0.1:{}", got.port);
    let hello = expect_of(&mut server, &who, "client started a TLS");
    assert!(
        hello.ends_with(&format!("JA4 {CURL_JA4}, JA3 {CURL_JA3}")),
        "{hello}"
    );
    let expected = "TLS 1.3, TLS13_AES_256_GCM_SHA384, X25519, ALPN h2, for localhost, new session";
    let (agreed, _) = handshake_done(&mut server, &who, expected);
    let request = expect_of(&mut server, &who, "stream 1: ");
    assert!(
        request.starts_with("stream 1: GET /over-h2 HTTP/2 -> 200 OK"),
        "{request}"
    );
    let peer = format!("127.0.0.1:{}", got.port);
    assert!(
        got.page.starts_with(&format!(
            "rawnet got this request on connection #1 (stream 1, request 1 on it) from {peer}, \
             over HTTP/2.\n"
        )),
        "{}",
        got.page
    );
    let decoded = [
        ("hello: server name", "localhost"),
        ("hello: ALPN", "h2, http/1.1"),
    ];
    let want = Expected {
        peer: &peer,
        server: server.addr,
        proxy: None,
        hello: &hello,
        bytes: 517,
        decoded: &decoded,
        agreed: &agreed,
        cert: NOT_ASKED,
    };
    assert_layers(&got.page, &want);
}
