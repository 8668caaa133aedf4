//! The lines of a TLS connection rawnet terminates (`--tls`): the
//! handshake done and what was agreed, or how it failed or was cut, and
//! how the client ended. Their words and JSON are here, beside the layer
//! that finds the facts (`layer.rs`); `log.rs` only prints them.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::view::Agreed;
use crate::budget::Spent;
use crate::log::{self, Line};
use crate::show::Escaped;

/// What the log says about a terminated TLS connection.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// The handshake is done: what the two ends agreed on.
    #[serde(rename = "tls_handshake")]
    Handshake {
        #[serde(flatten)]
        agreed: &'a Agreed,
        /// How many certificates the client sent, when it sent any.
        client_cert: Option<usize>,
    },
    /// rustls refused what came: a broken or unexpected record, a failed
    /// handshake, a renegotiation. Its alert is sent, and the connection
    /// closes.
    #[serde(rename = "tls_failed")]
    Failed { error: &'a str, handshaking: bool },
    /// A TLS 1.2 client asked to renegotiate: refused with a warning.
    #[serde(rename = "tls_renegotiation_refused")]
    Renegotiation,
    /// The client said close_notify: TLS's own end of stream.
    #[serde(rename = "tls_close_notify")]
    CloseNotify,
    /// The TCP stream ended (FIN) before the handshake was done.
    #[serde(rename = "tls_ended_in_handshake")]
    EndedInHandshake,
    /// The TCP stream ended without close_notify first: a truncation
    /// attack looks like this, and so does a client that just closes.
    #[serde(rename = "tls_ended_without_close_notify")]
    EndedWithoutCloseNotify,
    /// The handshake was not done within `--tls-handshake-timeout`.
    #[serde(rename = "tls_handshake_timeout")]
    HandshakeTimeout {
        #[serde(serialize_with = "crate::log::as_seconds")]
        after: Duration,
    },
    /// At start, after the `listening` lines: TLS is on, and with which
    /// certificate.
    #[serde(rename = "tls_ready")]
    Ready {
        /// The certificate's SHA-256, `AB:CD:...`.
        sha256: &'a str,
        /// `--cert`'s file; `None` for one made at start.
        cert: Option<&'a str>,
        /// `--tls-cert-out`'s file.
        written_to: Option<&'a str>,
    },
    /// `--memory-budget` could not cover one more handshake: an
    /// internal_error alert, and the connection closes.
    #[serde(rename = "tls_over_budget")]
    OverBudget {
        #[serde(serialize_with = "as_words")]
        spent: Spent,
    },
    /// The client's ALPN names no protocol rawnet speaks inside TLS.
    #[serde(rename = "tls_no_common_alpn")]
    NoCommonAlpn,
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::TlsLayer(event)
    }
}

impl Line for Event<'_> {}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Handshake {
                agreed,
                client_cert,
            } => {
                write!(f, "TLS handshake done: {agreed}")?;
                match client_cert {
                    Some(n) => write!(f, "; client certificate ({n} in its chain)"),
                    None => Ok(()),
                }
            }
            Event::Failed {
                error,
                handshaking: true,
            } => write!(
                f,
                "TLS handshake failed: {}",
                Escaped::bare(error.as_bytes())
            ),
            Event::Failed { error, .. } => {
                write!(
                    f,
                    "TLS failed: {}; closing",
                    Escaped::bare(error.as_bytes())
                )
            }
            Event::Renegotiation => f.write_str(
                "client asked to renegotiate TLS 1.2 (a new ClientHello inside the \
                 connection); refused with a no_renegotiation warning",
            ),
            Event::CloseNotify => f.write_str("client sent TLS close_notify: it has finished"),
            Event::EndedInHandshake => {
                f.write_str("client ended its TCP stream in the middle of the TLS handshake")
            }
            Event::EndedWithoutCloseNotify => {
                f.write_str("client ended its TCP stream without TLS close_notify")
            }
            Event::HandshakeTimeout { after } => {
                write!(f, "no TLS handshake within {}s; closing", after.as_secs())
            }
            Event::Ready {
                sha256,
                cert,
                written_to,
            } => {
                f.write_str("TLS on the same port: ")?;
                match cert {
                    Some(file) => write!(f, "certificate from {file}")?,
                    None => write!(
                        f,
                        "certificate for {} made at start",
                        crate::tls::setup::MADE_FOR.join(", ")
                    )?,
                }
                write!(f, ", SHA-256 {sha256}")?;
                match written_to {
                    Some(file) => write!(f, ", written to {file}"),
                    None => Ok(()),
                }
            }
            Event::OverBudget { spent } => write!(
                f,
                "TLS handshake refused with an internal_error alert: {spent}"
            ),
            Event::NoCommonAlpn => f.write_str(
                "client's ALPN offers no http/1.1, the protocol rawnet speaks inside TLS \
                 (HTTP/2 it does not speak yet); the handshake fails with \
                 no_application_protocol",
            ),
        }
    }
}

/// What the budget says, in JSON as in text.
fn as_words<S: serde::Serializer>(spent: &Spent, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(spent)
}
