//! A real browser: headless Chromium opens the default (auto) port and the
//! page it renders shows Chromium's own request line and User-Agent, next to
//! the response head rawnet sent.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Server;

/// Runs headless Chromium with the flags this machine needs as root (no
/// sandbox, no background traffic), a fresh profile, and `args`; returns
/// stdout. Killed if it takes longer than `limit`.
fn chromium(args: &[String], limit: Duration) -> String {
    let profile = std::env::temp_dir().join(format!(
        "rawnet-chromium-{}-{:?}",
        std::process::id(),
        Instant::now()
    ));
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium must be installed: scripts/test.sh installs it");
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

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
