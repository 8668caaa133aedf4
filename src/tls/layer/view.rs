//! What a terminated TLS connection shows: the line's facts ([`Agreed`])
//! and the pages' TLS layer ([`below`]): the ClientHello decoded and as
//! bytes, what was agreed, and the client's certificate.

use std::fmt;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::{CommonState, HandshakeKind, ServerConnection};
use serde::Serialize;

use super::super::setup::{fingerprint, ClientCert, Config};
use super::super::{describe, Fingerprints};
use super::Hello;
use crate::http::layers::Below;
use crate::show::{dump_rows_up_to, Escaped, NAME_SHOWN};

/// What the two ends agreed on, once the handshake is done.
#[derive(Debug, Serialize)]
pub struct Agreed {
    pub version: String,
    pub cipher_suite: String,
    /// The key exchange group (`X25519`); none when a TLS 1.2 session was
    /// resumed without one.
    pub group: Option<String>,
    pub alpn: Option<String>,
    pub sni: Option<String>,
    /// A session resumed from an earlier one (a ticket or an id).
    pub resumed: bool,
    /// From the ClientHello whole to the handshake done.
    #[serde(serialize_with = "crate::log::as_seconds")]
    pub took: Duration,
}

impl Agreed {
    /// What `conn`, either end's, agreed on; `sni` is the name the client
    /// sent (the server's line and the client's say the same words).
    pub fn of(conn: &CommonState, sni: Option<&str>, took: Duration) -> Self {
        let named = |name: Option<&'static str>, debug: String| name.map_or(debug, str::to_string);
        let version = conn
            .protocol_version()
            .map(|v| named(v.as_str(), format!("{v:?}")).replace("TLSv1_", "TLS 1."))
            .unwrap_or_default();
        let cipher_suite = conn
            .negotiated_cipher_suite()
            .map(|s| named(s.suite().as_str(), format!("{:?}", s.suite())))
            .unwrap_or_default();
        let group = conn
            .negotiated_key_exchange_group()
            .map(|g| named(g.name().as_str(), format!("{:?}", g.name())));
        Agreed {
            version,
            cipher_suite,
            group,
            alpn: conn
                .alpn_protocol()
                .map(|p| Escaped::bare_preview(p, NAME_SHOWN).to_string()),
            sni: sni.map(|s| Escaped::bare_preview(s.as_bytes(), NAME_SHOWN).to_string()),
            resumed: conn.handshake_kind() == Some(HandshakeKind::Resumed),
            took,
        }
    }
}

impl fmt::Display for Agreed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.version, self.cipher_suite)?;
        if let Some(group) = &self.group {
            write!(f, ", {group}")?;
        }
        match &self.alpn {
            Some(alpn) => write!(f, ", ALPN {alpn}")?,
            None => f.write_str(", no ALPN")?,
        }
        if let Some(sni) = &self.sni {
            write!(f, ", for {sni}")?;
        }
        let session = if self.resumed { "resumed" } else { "new" };
        write!(
            f,
            ", {session} session, in {:.1} ms",
            self.took.as_secs_f64() * 1000.0
        )
    }
}

/// The pages' TLS layer: the facts, kept for the connection's life; its
/// words are made when a page asks.
#[derive(Debug)]
pub struct View {
    /// The ClientHello's bytes and what they say.
    pub hello: Option<Box<Hello>>,
    pub agreed: Agreed,
    pub client_certificates: ClientCertificates,
}

impl Below for View {
    fn name(&self) -> &'static str {
        "TLS"
    }

    fn rows(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        if let Some(hello) = &self.hello {
            hello_rows(hello, &mut rows, &mut serde_json::Map::new());
        }
        rows.push(("agreed".to_string(), self.agreed.to_string()));
        let certs = &self.client_certificates;
        rows.push(("client certificate".to_string(), certs.summary.clone()));
        for (i, cert) in certs.chain.iter().enumerate() {
            let label = match i {
                0 => "its certificate".to_string(),
                _ => format!("chain {i}"),
            };
            rows.push((label, cert.to_string()));
        }
        rows
    }

    fn blocks(&self) -> Vec<(String, String)> {
        let Some(hello) = &self.hello else {
            return Vec::new();
        };
        let dump: Vec<String> = dump_rows_up_to(&hello.record, usize::MAX)
            .map(|row| row.to_string())
            .collect();
        let title = format!(
            "The ClientHello as it crossed the wire ({} bytes)",
            hello.record.len()
        );
        vec![(title, dump.join("\n"))]
    }

    fn json(&self) -> serde_json::Value {
        let mut json = serde_json::Map::new();
        if let Some(hello) = &self.hello {
            hello_rows(hello, &mut Vec::new(), &mut json);
        }
        let agreed = serde_json::to_value(&self.agreed).unwrap_or_default();
        json.insert("agreed".into(), agreed);
        let certs = serde_json::to_value(&self.client_certificates).unwrap_or_default();
        json.insert("client_certificate".into(), certs);
        json.into()
    }
}

/// The ClientHello: its fingerprints, then decoded, row by row
/// (`describe.rs`), for the pages' rows and the JSON view's object.
fn hello_rows(
    hello: &Hello,
    rows: &mut Vec<(String, String)>,
    json: &mut serde_json::Map<String, serde_json::Value>,
) {
    let prints = Fingerprints::of(&hello.parsed);
    for (label, value) in [
        ("JA4", &prints.ja4),
        ("JA4_r", &prints.ja4_r),
        ("JA4_o", &prints.ja4_o),
        ("JA4_ro", &prints.ja4_ro),
        ("JA3", &prints.ja3),
        ("JA3 (MD5)", &prints.ja3_md5),
    ] {
        rows.push((label.to_string(), value.clone()));
    }
    json.insert(
        "fingerprints".into(),
        serde_json::to_value(&prints).unwrap_or_default(),
    );
    let decoded = describe(&hello.parsed);
    let mut client_hello = serde_json::Map::new();
    for row in &decoded {
        let items = match row.items.is_empty() {
            true => "(none)".to_string(),
            false => row.items.join(", "),
        };
        rows.push((format!("hello: {}", row.label), items));
        client_hello.insert(row.label.to_string(), row.items.clone().into());
    }
    json.insert("client_hello".into(), client_hello.into());
}

/// The client's certificates as the pages show them.
#[derive(Debug, Serialize)]
pub struct ClientCertificates {
    /// One line: none asked, none sent, verified, or not and why.
    summary: String,
    verified: bool,
    chain: Vec<Certificate>,
}

/// One certificate, read with x509-parser: a client's here, the
/// server's in `rawnet client --tls`.
#[derive(Debug, Serialize)]
pub(crate) struct Certificate {
    subject: String,
    issuer: String,
    sans: Vec<String>,
    not_before: String,
    not_after: String,
    serial: String,
    sha256: String,
}

impl fmt::Display for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subject {}, issuer {}", self.subject, self.issuer)?;
        if !self.sans.is_empty() {
            write!(f, ", SANs {}", self.sans.join(", "))?;
        }
        write!(
            f,
            ", valid {} to {}, serial {}, SHA-256 {}",
            self.not_before, self.not_after, self.serial, self.sha256
        )
    }
}

pub fn client_certificates(conn: &ServerConnection, config: &Config) -> ClientCertificates {
    let chain = conn.peer_certificates().unwrap_or_default();
    let (verified, summary) = match (config.client_cert, chain.split_first()) {
        (ClientCert::Off, _) => (false, "not asked for (--client-cert off)".to_string()),
        (_, None) => (false, "asked for; the client sent none".to_string()),
        (_, Some((end, rest))) => match &config.verifier {
            Some(verifier) => match verifier.verify_client_cert(end, rest, UnixTime::now()) {
                Ok(_) => (true, "verified against --client-ca".to_string()),
                Err(error) => (false, format!("not verified: {error}")),
            },
            None => (
                false,
                "not verified: no --client-ca to check it against".to_string(),
            ),
        },
    };
    ClientCertificates {
        summary,
        verified,
        chain: chain.iter().map(read_certificate).collect(),
    }
}

pub(crate) fn read_certificate(der: &CertificateDer<'_>) -> Certificate {
    let sha256 = fingerprint(der);
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return Certificate {
            subject: "(not X.509 that x509-parser reads)".into(),
            issuer: String::new(),
            sans: Vec::new(),
            not_before: String::new(),
            not_after: String::new(),
            serial: String::new(),
            sha256,
        };
    };
    let sans = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| ext.value.general_names.iter().map(san).collect())
        .unwrap_or_default();
    let validity = cert.validity();
    Certificate {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans,
        not_before: validity.not_before.to_string(),
        not_after: validity.not_after.to_string(),
        serial: cert.raw_serial_as_string(),
        sha256,
    }
}

/// A subject alternative name as x509-parser shows it (`DNSName(localhost)`),
/// except an address, which it shows as hex bytes (`7f:00:00:01`): as an
/// address (`IPAddress(127.0.0.1)`).
fn san(name: &x509_parser::extensions::GeneralName<'_>) -> String {
    use std::net::IpAddr;
    use x509_parser::extensions::GeneralName;
    let ip = match name {
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => <[u8; 4]>::try_from(*bytes).ok().map(IpAddr::from),
            16 => <[u8; 16]>::try_from(*bytes).ok().map(IpAddr::from),
            _ => None,
        },
        _ => None,
    };
    match ip {
        Some(ip) => format!("IPAddress({ip})"),
        None => name.to_string(),
    }
}
