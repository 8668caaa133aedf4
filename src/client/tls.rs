//! `rawnet client --tls`: TLS over the client's own TCP stream, with
//! rustls's sans-I/O `ClientConnection`. rustls does no I/O of its own:
//! it is given the bytes that came (records), gives back the plaintext in
//! them, takes plaintext to send and gives back records. [`Records`]
//! moves those bytes between rustls and the socket, and `link.rs` puts it
//! under the one read and write path the client has, with TLS or without.
//!
//! What crosses the wire, in order (TLS 1.3, RFC 8446 §2):
//!
//! ```text
//! client  ClientHello: versions, cipher suites, groups and a key share,
//!         SNI (the host name), ALPN (http/1.1)          in the clear
//! server  ServerHello: its key share, the suite          in the clear
//!         EncryptedExtensions (ALPN), Certificate,
//!         CertificateVerify, Finished                    encrypted
//! client  Finished                                       encrypted
//! both    application data; close_notify at the end      encrypted
//! ```
//!
//! TLS 1.2 takes one round trip more, and sends the certificate in the
//! clear. The ClientHello is the first thing rustls writes, before it has
//! read a byte: taken from it here, it goes through the very parser the
//! server uses (`tls::parse`) and its fingerprints (`Fingerprints::of`),
//! so the client prints the JA4 the server's `tls_hello` line prints for
//! the same handshake.

use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_net::TcpStream;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct,
    RootCertStore, SignatureScheme,
};
use smol::future::FutureExt;
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::Timer;

use super::ClientError;
use crate::show::{Escaped, PREVIEW_HEX_BYTES};
use crate::tls::layer::view::{read_certificate, Agreed, Certificate};
use crate::tls::{self, Fingerprints, Hello};

/// `--ca FILE` or `--insecure`: what says the server is the one meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// The certificates in this PEM file, and no others.
    Ca(String),
    /// Any certificate at all.
    Insecure,
}

/// `--tls`, checked: rustls's settings, made once from the command line.
#[derive(Clone, Debug)]
pub struct Tls {
    pub trust: Trust,
    config: Arc<ClientConfig>,
    /// What the certificate must be for: `--host`. A DNS name is also
    /// sent as SNI; an address is not (RFC 6066 §3 allows names only).
    name: ServerName<'static>,
}

/// rustls's client settings for `--host`, trusting what `trust` says, or
/// why not in one line (a usage error: it is all in the command line).
pub fn configure(trust: Trust, host: &str, http2: bool) -> Result<Tls, String> {
    let name = ServerName::try_from(host.to_string()).map_err(|_| {
        format!("--tls: --host {host:?} is neither a DNS name nor an address to check a certificate against")
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("--tls: {e}"))?;
    let mut config = match &trust {
        Trust::Ca(file) => {
            let mut roots = RootCertStore::empty();
            for cert in tls::setup::read_certs(file, "--ca")? {
                roots.add(cert).map_err(|e| format!("--ca {file}: {e}"))?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Trust::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate { provider }))
            .with_no_client_auth(),
    };
    // The one protocol spoken inside: HTTP/1.1, or `h2` with `--http2`.
    config.alpn_protocols = match http2 {
        true => vec![b"h2".to_vec()],
        false => vec![tls::ALPN.to_vec()],
    };
    // SSLKEYLOGFILE=FILE writes the secrets, as the server does, for
    // Wireshark to decrypt a capture.
    config.key_log = Arc::new(rustls::KeyLogFile::new());
    Ok(Tls {
        trust,
        config: Arc::new(config),
        name,
    })
}

/// One connection's TLS: rustls's state and the bytes on their way
/// through it. Every `await` in here is a socket read that has taken
/// nothing yet, or a write of `out` that drains only what was written, so
/// a read dropped half-way (as `--stdin`'s relay drops one when stdin
/// wins the race) loses no byte.
pub(super) struct Records {
    conn: ClientConnection,
    /// Records rustls made, not yet written to the socket.
    out: Vec<u8>,
    /// Plaintext opened from records, not yet taken by a read.
    plain: Vec<u8>,
    /// The server said close_notify: TLS's own end of the stream.
    ended: bool,
    /// The first bytes that came back and how many came in all, to say
    /// what a handshake that failed was answered with.
    first: Vec<u8>,
    received: usize,
    /// The start of our ClientHello, to know it if it comes back.
    hello: Vec<u8>,
}

impl Records {
    fn new(conn: ClientConnection) -> Self {
        Records {
            conn,
            out: Vec::new(),
            plain: Vec::new(),
            ended: false,
            first: Vec::new(),
            received: 0,
            hello: Vec::new(),
        }
    }

    /// Takes every record rustls has to send (a flight of the handshake,
    /// sealed data, an alert) into `out`.
    fn seal(&mut self) {
        while self.conn.wants_write() {
            // Into a Vec: it cannot fail.
            if self.conn.write_tls(&mut self.out).is_err() {
                break;
            }
        }
    }

    /// Writes what is sealed to the socket.
    async fn flush(&mut self, tcp: &mut TcpStream) -> io::Result<()> {
        self.seal();
        while !self.out.is_empty() {
            let n = tcp.write(&self.out).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            self.out.drain(..n);
        }
        Ok(())
    }

    /// One read of records from the socket, opened: their plaintext is
    /// kept for [`Records::read`]. `Ok(0)` is TCP's end. A record rustls
    /// refuses is an `InvalidData` error holding rustls's, after the
    /// alert rustls answers it with has been sent.
    async fn receive(&mut self, tcp: &mut TcpStream) -> io::Result<usize> {
        let mut buf = [0u8; 16 * 1024];
        let n = tcp.read(&mut buf).await?;
        let keep = n.min(PREVIEW_HEX_BYTES.saturating_sub(self.first.len()));
        self.first.extend_from_slice(&buf[..keep]);
        self.received += n;
        if let Err(refused) = self.open(&buf[..n]) {
            // Best effort: the server's log then says why we left.
            let _ = self.flush(tcp).await;
            return Err(io::Error::new(io::ErrorKind::InvalidData, refused));
        }
        Ok(n)
    }

    /// Records in, plaintext out: rustls checks and decrypts each record;
    /// the handshake's own messages stay inside it.
    fn open(&mut self, mut records: &[u8]) -> Result<(), rustls::Error> {
        // After close_notify rustls takes nothing more (`read_tls` gives 0):
        // whatever follows it is not the server's.
        while !records.is_empty() && !self.ended {
            // From a slice: only a full buffer refuses, and each round
            // below empties it.
            match self.conn.read_tls(&mut records) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) => return Err(rustls::Error::General(error.to_string())),
            }
            self.conn.process_new_packets()?;
            let mut chunk = [0u8; 4096];
            loop {
                match self.conn.reader().read(&mut chunk) {
                    // close_notify: no more data will come.
                    Ok(0) => {
                        self.ended = true;
                        break;
                    }
                    Ok(n) => self.plain.extend_from_slice(&chunk[..n]),
                    // Nothing more for now.
                    Err(_) => break,
                }
            }
        }
        Ok(())
    }

    /// The plaintext the server sent: what is already open, or one more
    /// read of records. `Ok(0)` at close_notify, and at a TCP end without
    /// one: for this client the reply has ended either way (a server that
    /// is cut off mid-response shows as an HTTP body shorter than said).
    pub(super) async fn read(&mut self, tcp: &mut TcpStream, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if !self.plain.is_empty() {
                let n = buf.len().min(self.plain.len());
                buf[..n].copy_from_slice(&self.plain[..n]);
                self.plain.drain(..n);
                return Ok(n);
            }
            if self.ended {
                return Ok(0);
            }
            // Whatever rustls has to say first (an alert, a key update).
            self.flush(tcp).await?;
            if self.receive(tcp).await? == 0 {
                return Ok(0);
            }
        }
    }

    /// Plaintext out as records: rustls seals it (up to its 64 KiB
    /// buffer at a time), and the records go to the socket.
    pub(super) async fn write_all(
        &mut self,
        tcp: &mut TcpStream,
        mut plain: &[u8],
    ) -> io::Result<()> {
        while !plain.is_empty() {
            let n = self.conn.writer().write(plain)?;
            plain = &plain[n..];
            self.flush(tcp).await?;
        }
        Ok(())
    }

    /// Says close_notify: this client has finished sending (TCP's FIN is
    /// the caller's to send after it).
    pub(super) async fn close(&mut self, tcp: &mut TcpStream) -> io::Result<()> {
        self.conn.send_close_notify();
        self.flush(tcp).await
    }
}

/// What a handshake came to, for the lines printed after it.
pub(super) struct Done {
    agreed: Agreed,
    /// The server's certificate chain, its own first.
    certificates: Vec<Certificate>,
    trust: Trust,
    name: String,
    /// This client's ClientHello: its size and fingerprints, or why it
    /// could not be read back.
    hello: Result<(usize, Fingerprints), &'static str>,
}

/// Runs the handshake over `tcp`, within `wait` (`--wait`): the
/// ClientHello out, the server's flight in, our Finished out.
pub(super) async fn handshake(
    tcp: &mut TcpStream,
    tls: &Tls,
    wait: Duration,
    target: &str,
) -> Result<(Records, Done), ClientError> {
    let failed = |why: String| ClientError::Tls {
        target: target.to_string(),
        why,
    };
    let conn = ClientConnection::new(tls.config.clone(), tls.name.clone())
        .map_err(|e| failed(e.to_string()))?;
    let mut records = Records::new(conn);
    // The first records rustls makes, before anything has come back: the
    // ClientHello, the very bytes the server's prelude reads.
    records.seal();
    records.hello = records.out[..records.out.len().min(PREVIEW_HEX_BYTES)].to_vec();
    let (hello, sni) = read_back(&records.out);
    let started = Instant::now();
    let steps = async {
        loop {
            records.flush(tcp).await?;
            if !records.conn.is_handshaking() {
                return Ok(true);
            }
            if records.receive(tcp).await? == 0 {
                return Ok(false);
            }
        }
    };
    let timer = async {
        Timer::after(wait).await;
        Err(io::ErrorKind::TimedOut.into())
    };
    match steps.or(timer).await {
        Ok(true) => {}
        Ok(false) => return Err(failed(closed(records.received))),
        Err(err) => return Err(failed(stopped(&err, &records, &tls.trust, wait))),
    }
    let certificates = records.conn.peer_certificates().unwrap_or_default();
    let done = Done {
        agreed: Agreed::of(&records.conn, sni.as_deref(), started.elapsed()),
        certificates: certificates.iter().map(read_certificate).collect(),
        trust: tls.trust.clone(),
        name: tls.name.to_str().into_owned(),
        hello,
    };
    Ok((records, done))
}

/// This client's ClientHello read back by the server's parser: its size
/// and fingerprints, and the SNI in it.
type ReadBack = (Result<(usize, Fingerprints), &'static str>, Option<String>);

fn read_back(records: &[u8]) -> ReadBack {
    match tls::parse(records) {
        Hello::Complete(hello, used) => (Ok((used, Fingerprints::of(&hello))), hello.sni),
        Hello::NeedMore { .. } => (Err("it does not fit in rustls's first record"), None),
        Hello::Invalid(why) => (Err(why), None),
    }
}

/// The server closed the connection before the handshake was done.
fn closed(received: usize) -> String {
    match received {
        0 => "the server closed the connection without answering our ClientHello".into(),
        n => format!(
            "the server closed the connection in the middle of the handshake, after {n} bytes"
        ),
    }
}

/// Why a handshake stopped: rustls refused what came, the server said
/// nothing in time, or the socket failed.
fn stopped(err: &io::Error, records: &Records, trust: &Trust, wait: Duration) -> String {
    let secs = wait.as_secs();
    if err.kind() == io::ErrorKind::TimedOut {
        return match records.received {
            0 => format!("no answer to our ClientHello within {secs}s (--wait): is it a TLS port?"),
            n => {
                format!("not done within {secs}s (--wait): the server sent {n} bytes, then nothing")
            }
        };
    }
    match err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(refused) if records.first == records.hello => format!(
            "the server sent our own ClientHello back (rustls says \"{refused}\"): it echoes \
             bytes as they come, as a rawnet in --mode raw does, and speaks no TLS"
        ),
        Some(refused) => refused_by_rustls(refused, &records.first, trust),
        None => format!("the connection failed: {err}"),
    }
}

/// The words for what rustls refused, by what it was.
fn refused_by_rustls(error: &rustls::Error, first: &[u8], trust: &Trust) -> String {
    // Every TLS record starts with its type (20 to 23) and a version 3.x.
    let looks_like_tls = matches!(first, [0x14..=0x17, 0x03, ..]);
    match error {
        rustls::Error::AlertReceived(AlertDescription::ProtocolVersion) => {
            "the server answered our ClientHello with a protocol_version alert: it speaks \
             no TLS version we offer here, which is what a rawnet without --tls says \
             (it reads the hello, logs it and refuses it; start it with `rawnet serve --tls`)"
                .into()
        }
        rustls::Error::AlertReceived(alert) => {
            format!(
                "the server refused the handshake with a {alert:?} alert (rustls says \"{error}\")"
            )
        }
        rustls::Error::InvalidCertificate(why) => {
            let hint = match (why, trust) {
                (CertificateError::UnknownIssuer, Trust::Ca(file)) => {
                    format!(" (no certificate in --ca {file} issued it)")
                }
                // webpki finds the issuer by name: two certificates made
                // by `rawnet serve --tls` have the same one, and the
                // other's key did not make this signature.
                (CertificateError::BadSignature, Trust::Ca(file)) => format!(
                    " (a certificate in --ca {file} has its issuer's name, but another key)"
                ),
                _ => String::new(),
            };
            format!("the server's certificate is not trusted: rustls says \"{error}\"{hint}")
        }
        _ if !looks_like_tls => format!(
            "the server's answer is not TLS: it starts {} (rustls says \"{error}\"); \
             does this port speak plain TCP?",
            Escaped::all(first)
        ),
        _ => format!("rustls says \"{error}\""),
    }
}

impl fmt::Display for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The words of the server's own `tls_handshake` line.
        writeln!(f, "TLS handshake done: {}", self.agreed)?;
        match self.certificates.split_first() {
            Some((cert, [])) => writeln!(f, "  the server's certificate: {cert}")?,
            Some((cert, rest)) => writeln!(
                f,
                "  the server's certificate: {cert} (and {} more in its chain)",
                rest.len()
            )?,
            None => writeln!(f, "  the server sent no certificate")?,
        }
        match &self.trust {
            Trust::Ca(file) => writeln!(
                f,
                "  trusted: it is for {} and chains to --ca {file}",
                self.name
            )?,
            Trust::Insecure => writeln!(
                f,
                "  not checked (--insecure): encrypted, but to whoever holds that certificate's key"
            )?,
        }
        match &self.hello {
            Ok((len, prints)) => writeln!(
                f,
                "  this client's ClientHello ({len} bytes): JA4 {}, JA3 {}",
                prints.ja4, prints.ja3_md5
            ),
            Err(why) => writeln!(f, "  this client's ClientHello was not read back: {why}"),
        }
    }
}

/// `--insecure`: any certificate is taken, for any name. The server still
/// proves it holds the certificate's key (its signature over the
/// handshake is checked below), so the bytes are encrypted to that key;
/// only who holds it is unknown.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
