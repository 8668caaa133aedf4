//! Everything a running server is set to, in one value: each layer's own
//! settings side by side, none inside another's.
//!
//! The server's accept loop reads `server`; every connection gets the
//! whole value behind one `Arc` (8 bytes in its future, whatever it
//! holds), and hands each layer only its part: `&settings.http` to HTTP,
//! `&settings.ws` to WebSocket. So HTTP does not carry WebSocket's
//! settings to pass them on, and a layer taken out of rawnet takes its
//! field out of here, and nothing else.
//!
//! Each part's defaults are named constants next to what they configure
//! (`conn::DEFAULT_TIMEOUT_SECS`, `http::DEFAULT_MAX_HEAD`, ...); the
//! command line (`cli.rs`) is the only place that turns options into
//! these values.

use crate::conn;
use crate::http;
use crate::protocol::{ProxyProtocol, DEFAULT_PROXY_PROTOCOL};
use crate::server;
#[cfg(feature = "websocket")]
use crate::ws;

/// What the server and each of its connections run with.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The accept loop's: `--max-connections`, `--grace`, `--threads`
    /// and the log.
    pub server: server::Config,
    /// The core's: what a connection speaks (`--mode`) and its timers.
    pub conn: conn::Config,
    /// `--proxy-protocol`: whether a PROXY header may (or must) come
    /// first.
    pub proxy: ProxyProtocol,
    /// HTTP's limits and answers (`--max-head`, `--status`, ...).
    pub http: http::Config,
    /// `--tls`: the handshake's certificate and settings; `None` answers
    /// a ClientHello with an alert, as a plain port does.
    #[cfg(feature = "tls")]
    pub tls: Option<std::sync::Arc<crate::tls::Config>>,
    /// WebSocket's, after an upgrade (`--ws-max-message`, `--ws-echo`).
    #[cfg(feature = "websocket")]
    pub ws: ws::Config,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server: server::Config::default(),
            conn: conn::Config::default(),
            proxy: DEFAULT_PROXY_PROTOCOL,
            http: http::Config::default(),
            #[cfg(feature = "tls")]
            tls: None,
            #[cfg(feature = "websocket")]
            ws: ws::Config::default(),
        }
    }
}
