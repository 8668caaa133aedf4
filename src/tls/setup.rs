//! What `--tls` runs with, made once at start: the certificate (made for
//! localhost, or read from `--cert` and `--key`), rustls's server
//! settings, and how client certificates are asked for. Every problem is
//! a one-line error before the server listens.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};

/// The names the certificate made at start is for: what a client on
/// this machine types.
pub const MADE_FOR: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The ALPN protocol always offered: HTTP/1.1 (and `h2` before it, when
/// HTTP/2 is spoken).
pub const ALPN: &[u8] = b"http/1.1";

/// `--tls-handshake-timeout`, in seconds: a handshake not done by then is
/// cut, as a head that is too slow is.
pub const DEFAULT_HANDSHAKE_TIMEOUT_SECS: u64 = 10;

/// `--client-cert`: whether a client is asked for a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientCert {
    /// Not asked (the default): most clients have none.
    Off,
    /// Asked; a client without one goes on, and the pages say so.
    Optional,
    /// Asked; a client without one gets a `certificate_required` alert.
    Require,
}

/// What the command line asks of TLS (`cli.rs` fills it in).
#[derive(Clone, Debug)]
pub struct Options {
    /// `--cert` and `--key`: PEM files; `None` makes one at start.
    pub cert_and_key: Option<(String, String)>,
    /// `--tls-cert-out`: where to write the certificate as PEM.
    pub cert_out: Option<String>,
    pub client_cert: ClientCert,
    /// `--client-ca`: PEM certificates a client's must chain to.
    pub client_ca: Option<String>,
    pub handshake_timeout: Duration,
    /// Offer `h2` by ALPN before `http/1.1` (HTTP/2 spoken; not with
    /// `--no-h2`).
    pub http2: bool,
}

/// The server's TLS, ready: shared by every connection behind one `Arc`.
#[derive(Debug)]
pub struct Config {
    /// rustls's server settings: the certificate, ALPN, the verifier.
    pub rustls: Arc<rustls::ServerConfig>,
    /// The certificate's SHA-256, as browsers show it (`AB:CD:...`).
    pub fingerprint: String,
    /// Where the certificate came from, for the start-up line.
    pub origin: CertOrigin,
    pub client_cert: ClientCert,
    /// With `--client-ca`: the CA's check, run again for the pages, which
    /// says why a certificate `optional` let through is not verified.
    pub verifier: Option<Arc<dyn ClientCertVerifier>>,
    pub handshake_timeout: Duration,
}

/// Where the certificate came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertOrigin {
    /// Made at start for [`MADE_FOR`]; written to this file, if asked.
    Made { written_to: Option<String> },
    /// Read from `--cert`.
    File(String),
}

/// Makes the server's TLS from the options, or says in one line why not.
pub fn configure(options: &Options) -> Result<Config, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (chain, key, origin) = match &options.cert_and_key {
        Some((cert, key)) => {
            let (chain, key) = read_cert_and_key(cert, key)?;
            (chain, key, CertOrigin::File(cert.clone()))
        }
        None => {
            let (cert, key) = make_certificate(options.cert_out.as_deref())?;
            let written_to = options.cert_out.clone();
            (vec![cert], key, CertOrigin::Made { written_to })
        }
    };
    let fingerprint = fingerprint(&chain[0]);
    let (verifier, check) = client_verifier(options, &provider)?;
    let mut rustls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("--tls: {e}"))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| format!("--tls: the certificate and key do not go together: {e}"))?;
    // The server picks by its own order: h2 when the client offers it.
    rustls.alpn_protocols = match options.http2 {
        true => vec![b"h2".to_vec(), ALPN.to_vec()],
        false => vec![ALPN.to_vec()],
    };
    // SSLKEYLOGFILE=FILE writes each connection's secrets, as curl and
    // browsers do, so Wireshark can decrypt a capture of it.
    rustls.key_log = Arc::new(rustls::KeyLogFile::new());
    Ok(Config {
        rustls: Arc::new(rustls),
        fingerprint,
        origin,
        client_cert: options.client_cert,
        verifier: check,
        handshake_timeout: options.handshake_timeout,
    })
}

/// A certificate for [`MADE_FOR`], signed by its own ECDSA P-256 key (the
/// kind nginx is benchmarked with here), written as PEM when asked.
fn make_certificate(
    out: Option<&str>,
) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), String> {
    let failed = |e: rcgen::Error| format!("--tls: could not make a certificate: {e}");
    let names: Vec<String> = MADE_FOR.iter().map(|name| name.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).map_err(failed)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "rawnet on localhost (made at start)",
    );
    let signing_key = rcgen::KeyPair::generate().map_err(failed)?;
    let cert = params.self_signed(&signing_key).map_err(failed)?;
    let made = rcgen::CertifiedKey { cert, signing_key };
    if let Some(file) = out {
        std::fs::write(file, made.cert.pem()).map_err(|e| format!("--tls-cert-out {file}: {e}"))?;
    }
    let key = PrivatePkcs8KeyDer::from(made.signing_key.serialize_der());
    Ok((made.cert.der().clone(), key.into()))
}

/// `--cert` (a chain, the server's first) and `--key`, both PEM.
fn read_cert_and_key(
    cert: &str,
    key: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain = read_certs(cert, "--cert")?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("--key {key}: no private key read: {e}"))?;
    Ok((chain, key))
}

/// Every certificate in a PEM file; at least one (`--cert`, `--client-ca`,
/// and the client's `--ca`).
pub(crate) fn read_certs(file: &str, option: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{option} {file}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{option} {file}: no PEM certificate in it"));
    }
    Ok(certs)
}

/// A certificate's SHA-256 over its DER bytes, as `AB:CD:...`: what
/// browsers and `openssl x509 -fingerprint -sha256` show.
pub fn fingerprint(cert: &[u8]) -> String {
    let digest = Sha256::digest(cert);
    let hex: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
    hex.join(":")
}

/// The verifier the handshake runs (`--client-cert`, `--client-ca`), and
/// the check the pages run after it, where the handshake lets an
/// unverified certificate through.
type Verifiers = (
    Arc<dyn ClientCertVerifier>,
    Option<Arc<dyn ClientCertVerifier>>,
);

fn client_verifier(
    options: &Options,
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Verifiers, String> {
    // The CA's check, letting a client without a certificate through:
    // whether one is required is the mode's to say.
    let ca = match &options.client_ca {
        Some(file) => Some(webpki(file, provider, true)?),
        None => None,
    };
    let any = |mandatory| -> Arc<dyn ClientCertVerifier> {
        Arc::new(AnyCertificate {
            mandatory,
            provider: provider.clone(),
        })
    };
    Ok(match (options.client_cert, ca) {
        (ClientCert::Off, _) => (WebPkiClientVerifier::no_client_auth(), None),
        // Asked for, and any certificate goes on: the pages say whether
        // the CA's check would pass it, and why not.
        (ClientCert::Optional, check) => (any(false), check),
        // Required and checked: a certificate that fails gets an alert.
        (ClientCert::Require, Some(_)) => {
            let file = options.client_ca.as_deref().unwrap_or_default();
            let strict = webpki(file, provider, false)?;
            (strict.clone(), Some(strict))
        }
        (ClientCert::Require, None) => (any(true), None),
    })
}

/// The CA's check (webpki's, as rustls ships it) for the certificates in
/// `file`; `anonymous`: a client without a certificate passes too.
fn webpki(
    file: &str,
    provider: &Arc<rustls::crypto::CryptoProvider>,
    anonymous: bool,
) -> Result<Arc<dyn ClientCertVerifier>, String> {
    let mut roots = RootCertStore::empty();
    for cert in read_certs(file, "--client-ca")? {
        roots
            .add(cert)
            .map_err(|e| format!("--client-ca {file}: {e}"))?;
    }
    let builder = WebPkiClientVerifier::builder_with_provider(roots.into(), provider.clone());
    let builder = if anonymous {
        builder.allow_unauthenticated()
    } else {
        builder
    };
    builder
        .build()
        .map_err(|e| format!("--client-ca {file}: {e}"))
}

/// A client certificate is asked for and taken as it is: no CA says who
/// may connect. The client still proves it holds the certificate's key
/// (its CertificateVerify signature is checked); the pages show the
/// certificate as unverified.
#[derive(Debug)]
struct AnyCertificate {
    mandatory: bool,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl Config {
    /// The start-up line: TLS is on, with this certificate.
    pub fn ready(&self) -> super::layer::Event<'_> {
        let (cert, written_to) = match &self.origin {
            CertOrigin::File(file) => (Some(file.as_str()), None),
            CertOrigin::Made { written_to } => (None, written_to.as_deref()),
        };
        super::layer::Event::Ready {
            sha256: &self.fingerprint,
            cert,
            written_to,
        }
    }
}

impl ClientCertVerifier for AnyCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
