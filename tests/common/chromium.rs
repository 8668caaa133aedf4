//! Headless Chromium, as the tests run it: the flags this machine needs
//! as root, a fresh profile each time, both pipes read while it runs, and
//! a time limit.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Runs headless Chromium with the flags this machine needs as root (no
/// sandbox, no background traffic), a fresh profile, and `args`; returns
/// stdout. Killed if it takes longer than `limit`.
pub fn chromium(args: &[String], limit: Duration) -> String {
    chromium_with_stderr(args, limit).0
}

/// [`chromium`], returning its stderr too (where it reports a page that
/// failed to load).
pub fn chromium_with_stderr(args: &[String], limit: Duration) -> (String, String) {
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
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium must be installed: scripts/test.sh installs it");
    // Read both pipes while Chromium runs: a page's DOM or its warnings can
    // be more than a pipe holds, and a writer to a full pipe waits forever.
    let stdout = drain(child.stdout.take().expect("stdout is piped"));
    let stderr = drain(child.stderr.take().expect("stderr is piped"));

    let deadline = Instant::now() + limit;
    let finished = loop {
        if child.try_wait().expect("try_wait").is_some() {
            break true;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // The pipes close once Chromium's helper processes have gone too; they
    // follow the main one, but the wait for them is bounded all the same.
    let closing = Duration::from_secs(5);
    let err = stderr.recv_timeout(closing).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        finished,
        "chromium did not finish within {limit:?}; its stderr:\n{}",
        String::from_utf8_lossy(&err)
    );
    let out = stdout.recv_timeout(closing).unwrap_or_else(|_| {
        panic!(
            "chromium exited but its stdout stayed open; its stderr:\n{}",
            String::from_utf8_lossy(&err)
        )
    });
    (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// Reads `pipe` to its end on a thread of its own; the receiver gets
/// everything once the pipe closes.
pub fn drain(mut pipe: impl Read + Send + 'static) -> Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = pipe.read_to_end(&mut all);
        let _ = tx.send(all);
    });
    rx
}
