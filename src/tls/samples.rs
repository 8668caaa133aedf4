//! The hellos the unit tests read: real ones captured from real clients,
//! and the fingerprint vectors (`tests/data/tls/`).
//!
//! Each capture is one client's first TLS record, saved by
//! `scripts/capture-client-hello.py` (a listener on a free 127.0.0.1 port
//! that keeps the first record and closes) while the client connected to
//! `https://localhost:PORT/`:
//!
//! - curl 7.88.1 (OpenSSL 3.0): `curl https://localhost:PORT/` (this one
//!   with `nc -l 127.0.0.1 PORT > FILE`, before the script);
//! - OpenSSL 3.0's own client: `openssl s_client -connect localhost:PORT
//!   -servername localhost`;
//! - Python 3.11's `ssl` (OpenSSL 3.0): `/usr/bin/python3 -c` with
//!   `ssl.create_default_context().wrap_socket(socket.create_connection(
//!   ("localhost", PORT)), server_hostname="localhost")`;
//! - Node 20's `tls`: `node -e` with `require("tls").connect({host:
//!   "localhost", port: PORT, servername: "localhost"})`;
//! - Chromium 156, headless: `chromium --headless --no-sandbox
//!   --disable-gpu --no-first-run --disable-background-networking
//!   --disable-component-update --disable-sync --user-data-dir=$(mktemp
//!   -d) https://localhost:PORT/`; the two connections of one run are
//!   `chromium-1` and `chromium-2`.
//!
//! `captured-fingerprints.json` has their fingerprints as independent
//! implementations gave them (its `about` says which and how).

use serde::Deserialize;

/// Every captured hello, by client.
pub(super) const CAPTURED: [(&str, &[u8]); 6] = [
    (
        "curl",
        include_bytes!("../../tests/data/tls/curl-client-hello.bin"),
    ),
    (
        "openssl",
        include_bytes!("../../tests/data/tls/openssl-client-hello.bin"),
    ),
    (
        "python",
        include_bytes!("../../tests/data/tls/python-client-hello.bin"),
    ),
    (
        "node",
        include_bytes!("../../tests/data/tls/node-client-hello.bin"),
    ),
    (
        "chromium-1",
        include_bytes!("../../tests/data/tls/chromium-1-client-hello.bin"),
    ),
    (
        "chromium-2",
        include_bytes!("../../tests/data/tls/chromium-2-client-hello.bin"),
    ),
];

/// One of `vectors.json`'s hellos, with the fingerprints an independent
/// implementation gave it (see that file's `source` and `note`).
#[derive(Debug, Deserialize)]
pub(super) struct Vector {
    pub(super) source: String,
    pub(super) client_hello_record_hex: String,
    pub(super) ja4: String,
    pub(super) ja4_r: String,
    pub(super) ja4_o: String,
    pub(super) ja3_string: String,
    pub(super) ja3: String,
    #[serde(default)]
    pub(super) note: Option<String>,
}

/// A captured hello's fingerprints as independent implementations gave
/// them (`tests/data/tls/captured-fingerprints.json`).
#[derive(Debug, Deserialize)]
pub(super) struct Expected {
    pub(super) client: String,
    pub(super) ja3_string: String,
    pub(super) ja3: String,
    pub(super) ja4: String,
    pub(super) ja4_r: String,
    pub(super) ja4_o: String,
    pub(super) ja4_ro: String,
}

/// Every capture's [`Expected`], in [`CAPTURED`]'s order.
pub(super) fn captured_fingerprints() -> Vec<Expected> {
    #[derive(Deserialize)]
    struct File {
        hellos: Vec<Expected>,
    }
    let file: File = serde_json::from_str(include_str!(
        "../../tests/data/tls/captured-fingerprints.json"
    ))
    .unwrap();
    file.hellos
}

/// The vectors, from `tests/data/tls/vectors.json`.
pub(super) fn vectors() -> Vec<Vector> {
    serde_json::from_str(include_str!("../../tests/data/tls/vectors.json")).unwrap()
}

/// Hex digits to bytes.
pub(super) fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}
