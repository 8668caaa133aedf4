//! A real browser: headless Chromium opens the default (auto) port and the
//! page it renders shows Chromium's own request line and User-Agent, next to
//! the response head rawnet sent; the page's WebSocket panel sends a
//! message and shows every frame both ways; its test hook fetches nothing
//! from another server; and `https://` on that port is explained.

mod common;

#[cfg(feature = "websocket")]
use std::io::Read;
#[cfg(feature = "websocket")]
use std::net::TcpListener;
use std::time::Duration;

use common::chromium::chromium;
#[cfg(feature = "tls")]
use common::chromium::chromium_with_stderr;
use common::Server;

#[test]
fn chromium_renders_its_own_request_and_rawnets_response_head() {
    let mut server = Server::start(&[]);
    let url = format!("http://{}/from-the-browser", server.addr);
    let dom = chromium(&["--dump-dom".into(), url], Duration::from_secs(90));

    assert!(dom.contains("<h1>HTTP is just text</h1>"), "{dom}");
    // Chromium's own request line and User-Agent, as it sent them.
    assert!(
        dom.contains("GET /from-the-browser HTTP/1.1<span class=\"eol\">\\r\\n</span>"),
        "{dom}"
    );
    assert!(
        dom.contains("User-Agent: Mozilla/5.0") && dom.contains("HeadlessChrome/"),
        "{dom}"
    );
    // The other half: the head rawnet sent with this very page.
    assert!(
        dom.contains("HTTP/1.1 200 OK<span class=\"eol\">\\r\\n</span>"),
        "{dom}"
    );
    assert!(
        dom.contains("Content-Type: text/html; charset=utf-8"),
        "{dom}"
    );

    let logged = server.expect("GET /from-the-browser");
    assert!(
        logged.ends_with(" bytes") && logged.contains("-> 200 OK"),
        "{logged}"
    );
}

/// The page's WebSocket panel, driven by `#ws-demo=Hello`: Chromium opens
/// `ws://…/?explain`, sends a masked text frame, and the panel lists the
/// frame as rawnet received it (masking key, masked and unmasked payload),
/// rawnet's answer frame (unmasked), and the echo itself.
#[test]
#[cfg(all(feature = "websocket", feature = "knobs"))]
fn chromium_sends_a_websocket_message_from_the_page_and_shows_every_frame() {
    let mut server = Server::start(&[]);
    // `hold=/?delay=30`: a fetch rawnet itself holds, for at most 30 s,
    // which keeps Chromium's virtual time waiting until the echo is in
    // (the page then lets the fetch go).
    let url = format!(
        "http://{}/#ws-demo=Hello&hold=%2F%3Fdelay%3D30",
        server.addr
    );
    let dom = chromium(
        &[
            "--virtual-time-budget=1000".into(),
            "--dump-dom".into(),
            url,
        ],
        Duration::from_secs(90),
    );

    // The echo itself, the tutorial one layer up.
    assert!(
        dom.contains("the message itself: </span>You said \"Hello\"</li>"),
        "{dom}"
    );
    // The browser's frame as rawnet received it: every header byte
    // decoded, the masking key, the payload masked and unmasked.
    let row = |bytes: &str, bits: &str, what: &str| {
        format!("<td>{bytes}</td><td class=\"bits\">{bits}</td><td class=\"what\">{what}</td>")
    };
    for needle in [
        "browser → rawnet: text frame, 5 bytes".to_string(),
        row("81", "1 000 0001", "FIN 1, RSV 000, opcode 1 (text)"),
        row("85", "1 0000101", "MASK 1, length 5"),
        "XOR the key, byte by byte</td><td class=\"wrap\">48 65 6c 6c 6f  \"Hello\"</td>".into(),
        // rawnet's answer: not masked.
        "rawnet → browser: text frame, 16 bytes".into(),
        row("10", "0 0010000", "MASK 0, length 16"),
        "open: rawnet answered 101 Switching Protocols".into(),
    ] {
        assert!(dom.contains(&needle), "no {needle:?} in\n{dom}");
    }

    // The key Chromium chose, as rawnet logged it, is the one on the page.
    server.expect("GET /?explain HTTP/1.1 -> 101 Switching Protocols");
    let frame = server.expect("ws frame: FIN text 5 bytes, mask ");
    let mask = frame
        .split("mask ")
        .nth(1)
        .and_then(|rest| rest.get(..8))
        .unwrap_or_else(|| panic!("no mask in {frame}"));
    assert!(
        dom.contains(&format!("masking key {mask}")),
        "{mask}: {dom}"
    );
}

/// The panel's `hold=` names what the page fetches, and anyone can link to
/// the page with any hash: it must never make the visitor's browser
/// request another server. A second listener, on another port of this
/// machine, stands for one; `hold=` points at it as a URL, as `//host`,
/// and as `/\host` and `/<TAB>/host` (both `//host` to a browser). It
/// hears nothing, and the page says why.
#[test]
#[cfg(feature = "websocket")]
fn the_pages_hold_hook_never_fetches_from_another_server() {
    let server = Server::start(&[]);
    let elsewhere = TcpListener::bind("127.0.0.1:0").expect("a second listener");
    // Its backlog takes Chromium's connection, if one comes, without an
    // accept: it is looked for once Chromium is done.
    elsewhere.set_nonblocking(true).unwrap();
    let other = elsewhere.local_addr().unwrap();
    for hold in [
        format!("http://{other}/"),
        format!("//{other}/"),
        format!("/\\{other}/"),
        format!("/\t/{other}/"),
    ] {
        let url = format!(
            "http://{}/#ws-demo=Hello&hold={}",
            server.addr,
            encode_component(&hold)
        );
        let dom = chromium(
            &[
                "--virtual-time-budget=1000".into(),
                "--dump-dom".into(),
                url,
            ],
            Duration::from_secs(90),
        );
        if let Ok((mut conn, _)) = elsewhere.accept() {
            conn.set_nonblocking(false).unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
            let mut got = vec![0; 4096];
            let n = conn.read(&mut got).unwrap_or(0);
            panic!(
                "hold={hold:?} made Chromium connect to {other} and send {:?}",
                String::from_utf8_lossy(&got[..n])
            );
        }
        let note = format!("not held: hold={hold} is not a path on this server");
        assert!(dom.contains(&note), "no {note:?} in\n{dom}");
    }
}

/// `text` with every byte but RFC 3986's unreserved ones as `%XX`, as
/// JavaScript's `encodeURIComponent` would have it.
#[cfg(feature = "websocket")]
fn encode_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn chromium_takes_a_screenshot_of_the_page() {
    let server = Server::start(&[]);
    let png = std::env::temp_dir().join(format!("rawnet-page-{}.png", std::process::id()));
    chromium(
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1200,800".into(),
            format!("http://{}/", server.addr),
        ],
        Duration::from_secs(90),
    );
    let bytes = std::fs::read(&png).expect("chromium wrote a screenshot");
    let _ = std::fs::remove_file(&png);
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 10_000,
        "a blank page compresses to almost nothing: {} bytes",
        bytes.len()
    );
}

/// `https://` on the plain port: Chromium's ClientHello is read and
/// explained in the log (its SNI and ALPN), and the protocol_version alert
/// makes Chromium report the real problem rather than a network fault.
#[test]
#[cfg(feature = "tls")]
fn chromium_at_https_is_told_this_port_speaks_no_tls() {
    let mut server = Server::start(&[]);
    let url = format!("https://localhost:{}/", server.addr.port());
    let (_, stderr) = chromium_with_stderr(&["--dump-dom".into(), url], Duration::from_secs(90));
    let line = server.expect("TLS");
    assert!(
        line.contains("client started a TLS 1.3 handshake for \"localhost\" (ALPN h2, http/1.1;"),
        "{line}"
    );
    assert!(
        line.contains("this port speaks plain TCP: use http://, or put TLS in front; JA4 t13d"),
        "{line}"
    );
    assert!(
        stderr.contains("ERR_SSL_VERSION_OR_CIPHER_MISMATCH"),
        "chromium's stderr: {stderr}"
    );
}
