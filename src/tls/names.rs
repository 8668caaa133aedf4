//! The names of the numbers in a ClientHello, from IANA's TLS registries
//! (<https://www.iana.org/assignments/tls-parameters/> and
//! `tls-extensiontype-values/`), spelled as the registries spell them:
//! `TLS_AES_128_GCM_SHA256`, `server_name`, `x25519`,
//! `rsa_pss_rsae_sha256`. A few codes that real clients send but IANA
//! never listed (Chromium's drafts, the GOST suites of Russian TLS
//! stacks, TLS 1.2's hash-and-signature pairs that TLS 1.3 retired) carry
//! the name their implementations give them, and say so.
//!
//! Each function answers `None` for a code it does not know, and
//! `Some("GREASE")` for a GREASE value (RFC 8701): those are reserved so
//! that clients can send them at random, and mean nothing else.

/// GREASE (RFC 8701 §2): 0x0a0a, 0x1a1a, ... 0xfafa, values clients send
/// at random among their cipher suites, extensions, groups, versions and
/// signature algorithms, so that servers learn to ignore what they do not
/// know instead of failing on it.
pub fn is_grease(value: u16) -> bool {
    value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
}

/// A TLS version's name; `None` for one rawnet does not know (a draft,
/// a future version).
pub fn version(version: u16) -> Option<&'static str> {
    match version {
        0x0304 => Some("TLS 1.3"),
        0x0303 => Some("TLS 1.2"),
        0x0302 => Some("TLS 1.1"),
        0x0301 => Some("TLS 1.0"),
        0x0300 => Some("SSL 3.0"),
        0x0002 => Some("SSL 2.0"),
        0xfeff => Some("DTLS 1.0"),
        0xfefd => Some("DTLS 1.2"),
        0xfefc => Some("DTLS 1.3"),
        v if is_grease(v) => Some("GREASE"),
        _ => None,
    }
}

/// A cipher suite's name in IANA's TLS Cipher Suites registry: every one
/// that curl, OpenSSL 3, Chromium, Firefox, Python's `ssl` and Node send,
/// and the common legacy ones (RSA key exchange, CBC, 3DES, RC4, DHE,
/// Camellia, ARIA, CCM, PSK).
pub fn cipher_suite(code: u16) -> Option<&'static str> {
    if is_grease(code) {
        return Some("GREASE");
    }
    tls13_suite(code)
        .or_else(|| rsa_dh_suite(code))
        .or_else(|| gcm_camellia_psk_suite(code))
        .or_else(|| ecc_suite(code))
        .or_else(|| aria_ccm_chacha_suite(code))
}

/// TLS 1.3's suites (RFC 8446 §B.4, RFC 9150, the AEGIS draft), the two
/// signalling values, and the GOST suites (RFC 9189, RFC 9367, and the
/// older codes OpenSSL's GOST engine and Wireshark use).
fn tls13_suite(code: u16) -> Option<&'static str> {
    Some(match code {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x1304 => "TLS_AES_128_CCM_SHA256",
        0x1305 => "TLS_AES_128_CCM_8_SHA256",
        0x1306 => "TLS_AEGIS_256_SHA512",
        0x1307 => "TLS_AEGIS_128L_SHA256",
        0xc0b4 => "TLS_SHA256_SHA256",
        0xc0b5 => "TLS_SHA384_SHA384",
        // Not cipher suites: signals (RFC 5746 §3.3, RFC 7507 §2).
        0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        0x5600 => "TLS_FALLBACK_SCSV",
        0xc100 => "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC",
        0xc101 => "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC",
        0xc102 => "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT",
        0xc103 => "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L",
        0xc104 => "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L",
        0xc105 => "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S",
        0xc106 => "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S",
        // Not in IANA's registry: the GOST codes from before RFC 9189
        // (0xff85 is 0xc102's suite under its old private-use code).
        0x0080 => "TLS_GOSTR341094_WITH_28147_CNT_IMIT",
        0x0081 => "TLS_GOSTR341001_WITH_28147_CNT_IMIT",
        0x0082 => "TLS_GOSTR341094_WITH_NULL_GOSTR3411",
        0x0083 => "TLS_GOSTR341001_WITH_NULL_GOSTR3411",
        0xff85 => "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT",
        _ => return None,
    })
}

/// The first suites (RFC 5246 §A.5, RFC 4346, RFC 2246): RSA and DH key
/// exchange, RC4, DES, 3DES, and AES in CBC (RFC 3268, RFC 5246).
fn rsa_dh_suite(code: u16) -> Option<&'static str> {
    Some(match code {
        0x0000 => "TLS_NULL_WITH_NULL_NULL",
        0x0001 => "TLS_RSA_WITH_NULL_MD5",
        0x0002 => "TLS_RSA_WITH_NULL_SHA",
        0x0003 => "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
        0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        0x0006 => "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
        0x0007 => "TLS_RSA_WITH_IDEA_CBC_SHA",
        0x0008 => "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
        0x0009 => "TLS_RSA_WITH_DES_CBC_SHA",
        0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x000d => "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA",
        0x0010 => "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0011 => "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
        0x0012 => "TLS_DHE_DSS_WITH_DES_CBC_SHA",
        0x0013 => "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
        0x0014 => "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
        0x0015 => "TLS_DHE_RSA_WITH_DES_CBC_SHA",
        0x0016 => "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0017 => "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",
        0x0018 => "TLS_DH_anon_WITH_RC4_128_MD5",
        0x001b => "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0030 => "TLS_DH_DSS_WITH_AES_128_CBC_SHA",
        0x0031 => "TLS_DH_RSA_WITH_AES_128_CBC_SHA",
        0x0032 => "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
        0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        0x0034 => "TLS_DH_anon_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x0036 => "TLS_DH_DSS_WITH_AES_256_CBC_SHA",
        0x0037 => "TLS_DH_RSA_WITH_AES_256_CBC_SHA",
        0x0038 => "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
        0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        0x003a => "TLS_DH_anon_WITH_AES_256_CBC_SHA",
        0x003b => "TLS_RSA_WITH_NULL_SHA256",
        0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        0x003e => "TLS_DH_DSS_WITH_AES_128_CBC_SHA256",
        0x003f => "TLS_DH_RSA_WITH_AES_128_CBC_SHA256",
        0x0040 => "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
        0x0067 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        0x0068 => "TLS_DH_DSS_WITH_AES_256_CBC_SHA256",
        0x0069 => "TLS_DH_RSA_WITH_AES_256_CBC_SHA256",
        0x006a => "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
        0x006b => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        0x006c => "TLS_DH_anon_WITH_AES_128_CBC_SHA256",
        0x006d => "TLS_DH_anon_WITH_AES_256_CBC_SHA256",
        _ => return None,
    })
}

/// AES-GCM with RSA and DH (RFC 5288), Camellia (RFC 5932), SEED (RFC
/// 4162), and pre-shared keys (RFC 4279, RFC 5487).
fn gcm_camellia_psk_suite(code: u16) -> Option<&'static str> {
    Some(match code {
        0x0041 => "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
        0x0044 => "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA",
        0x0045 => "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",
        0x0084 => "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",
        0x0087 => "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA",
        0x0088 => "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",
        0x008a => "TLS_PSK_WITH_RC4_128_SHA",
        0x008b => "TLS_PSK_WITH_3DES_EDE_CBC_SHA",
        0x008c => "TLS_PSK_WITH_AES_128_CBC_SHA",
        0x008d => "TLS_PSK_WITH_AES_256_CBC_SHA",
        0x0090 => "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",
        0x0091 => "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",
        0x0094 => "TLS_RSA_PSK_WITH_AES_128_CBC_SHA",
        0x0095 => "TLS_RSA_PSK_WITH_AES_256_CBC_SHA",
        0x0096 => "TLS_RSA_WITH_SEED_CBC_SHA",
        0x009a => "TLS_DHE_RSA_WITH_SEED_CBC_SHA",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x00a0 => "TLS_DH_RSA_WITH_AES_128_GCM_SHA256",
        0x00a1 => "TLS_DH_RSA_WITH_AES_256_GCM_SHA384",
        0x00a2 => "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
        0x00a3 => "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
        0x00a4 => "TLS_DH_DSS_WITH_AES_128_GCM_SHA256",
        0x00a5 => "TLS_DH_DSS_WITH_AES_256_GCM_SHA384",
        0x00a6 => "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
        0x00a7 => "TLS_DH_anon_WITH_AES_256_GCM_SHA384",
        0x00a8 => "TLS_PSK_WITH_AES_128_GCM_SHA256",
        0x00a9 => "TLS_PSK_WITH_AES_256_GCM_SHA384",
        0x00aa => "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
        0x00ab => "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
        0x00ac => "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256",
        0x00ad => "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384",
        0x00ae => "TLS_PSK_WITH_AES_128_CBC_SHA256",
        0x00af => "TLS_PSK_WITH_AES_256_CBC_SHA384",
        0x00b0 => "TLS_PSK_WITH_NULL_SHA256",
        0x00b1 => "TLS_PSK_WITH_NULL_SHA384",
        0x00b2 => "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",
        0x00b3 => "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384",
        0x00ba => "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        0x00bd => "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256",
        0x00be => "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        0x00c0 => "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        0x00c3 => "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256",
        0x00c4 => "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        0x00c6 => "TLS_SM4_GCM_SM3",
        0x00c7 => "TLS_SM4_CCM_SM3",
        _ => return None,
    })
}

/// Elliptic curve key exchange (RFC 8422, RFC 5289, RFC 5489), the
/// ECDHE suites every browser still offers for TLS 1.2.
fn ecc_suite(code: u16) -> Option<&'static str> {
    Some(match code {
        0xc001 => "TLS_ECDH_ECDSA_WITH_NULL_SHA",
        0xc002 => "TLS_ECDH_ECDSA_WITH_RC4_128_SHA",
        0xc003 => "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",
        0xc004 => "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA",
        0xc005 => "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",
        0xc006 => "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
        0xc007 => "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        0xc008 => "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xc00b => "TLS_ECDH_RSA_WITH_NULL_SHA",
        0xc00c => "TLS_ECDH_RSA_WITH_RC4_128_SHA",
        0xc00d => "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",
        0xc00e => "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",
        0xc00f => "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
        0xc010 => "TLS_ECDHE_RSA_WITH_NULL_SHA",
        0xc011 => "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        0xc012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xc015 => "TLS_ECDH_anon_WITH_NULL_SHA",
        0xc016 => "TLS_ECDH_anon_WITH_RC4_128_SHA",
        0xc017 => "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",
        0xc018 => "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
        0xc019 => "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
        0xc023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        0xc024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0xc025 => "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
        0xc026 => "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",
        0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xc028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0xc029 => "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
        0xc02a => "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02d => "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02e => "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xc031 => "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
        0xc032 => "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
        0xc035 => "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",
        0xc036 => "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA",
        0xc037 => "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
        0xc038 => "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384",
        0xc072 => "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",
        0xc073 => "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",
        0xc076 => "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        0xc077 => "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384",
        0xd001 => "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
        0xd002 => "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384",
        0xd003 => "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256",
        0xd005 => "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256",
        _ => return None,
    })
}

/// ARIA (RFC 6209), AES-CCM (RFC 6655, RFC 7251) and ChaCha20-Poly1305
/// (RFC 7905).
fn aria_ccm_chacha_suite(code: u16) -> Option<&'static str> {
    Some(match code {
        0xc03c => "TLS_RSA_WITH_ARIA_128_CBC_SHA256",
        0xc03d => "TLS_RSA_WITH_ARIA_256_CBC_SHA384",
        0xc044 => "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256",
        0xc045 => "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384",
        0xc048 => "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256",
        0xc049 => "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384",
        0xc04c => "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256",
        0xc04d => "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384",
        0xc050 => "TLS_RSA_WITH_ARIA_128_GCM_SHA256",
        0xc051 => "TLS_RSA_WITH_ARIA_256_GCM_SHA384",
        0xc052 => "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256",
        0xc053 => "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384",
        0xc056 => "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256",
        0xc057 => "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384",
        0xc05c => "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256",
        0xc05d => "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384",
        0xc060 => "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256",
        0xc061 => "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384",
        0xc09c => "TLS_RSA_WITH_AES_128_CCM",
        0xc09d => "TLS_RSA_WITH_AES_256_CCM",
        0xc09e => "TLS_DHE_RSA_WITH_AES_128_CCM",
        0xc09f => "TLS_DHE_RSA_WITH_AES_256_CCM",
        0xc0a0 => "TLS_RSA_WITH_AES_128_CCM_8",
        0xc0a1 => "TLS_RSA_WITH_AES_256_CCM_8",
        0xc0a2 => "TLS_DHE_RSA_WITH_AES_128_CCM_8",
        0xc0a3 => "TLS_DHE_RSA_WITH_AES_256_CCM_8",
        0xc0a4 => "TLS_PSK_WITH_AES_128_CCM",
        0xc0a5 => "TLS_PSK_WITH_AES_256_CCM",
        0xc0a6 => "TLS_DHE_PSK_WITH_AES_128_CCM",
        0xc0a7 => "TLS_DHE_PSK_WITH_AES_256_CCM",
        0xc0a8 => "TLS_PSK_WITH_AES_128_CCM_8",
        0xc0a9 => "TLS_PSK_WITH_AES_256_CCM_8",
        0xc0aa => "TLS_PSK_DHE_WITH_AES_128_CCM_8",
        0xc0ab => "TLS_PSK_DHE_WITH_AES_256_CCM_8",
        0xc0ac => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
        0xc0ad => "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
        0xc0ae => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        0xc0af => "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xccaa => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xccab => "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
        0xccac => "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        0xccad => "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        0xccae => "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256",
        _ => return None,
    })
}

/// An extension's name in IANA's TLS ExtensionType Values registry, and
/// the few that browsers send under a draft's code.
pub fn extension(code: u16) -> Option<&'static str> {
    if is_grease(code) {
        return Some("GREASE");
    }
    Some(match code {
        0 => "server_name",
        1 => "max_fragment_length",
        2 => "client_certificate_url",
        3 => "trusted_ca_keys",
        4 => "truncated_hmac",
        5 => "status_request",
        6 => "user_mapping",
        7 => "client_authz",
        8 => "server_authz",
        9 => "cert_type",
        10 => "supported_groups",
        11 => "ec_point_formats",
        12 => "srp",
        13 => "signature_algorithms",
        14 => "use_srtp",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        17 => "status_request_v2",
        18 => "signed_certificate_timestamp",
        19 => "client_certificate_type",
        20 => "server_certificate_type",
        21 => "padding",
        22 => "encrypt_then_mac",
        23 => "extended_master_secret",
        24 => "token_binding",
        25 => "cached_info",
        26 => "tls_lts",
        27 => "compress_certificate",
        28 => "record_size_limit",
        29 => "pwd_protect",
        30 => "pwd_clear",
        31 => "password_salt",
        32 => "ticket_pinning",
        33 => "tls_cert_with_extern_psk",
        34 => "delegated_credential",
        35 => "session_ticket",
        36 => "TLMSP",
        37 => "TLMSP_proxying",
        38 => "TLMSP_delegate",
        39 => "supported_ekt_ciphers",
        41 => "pre_shared_key",
        42 => "early_data",
        43 => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        47 => "certificate_authorities",
        48 => "oid_filters",
        49 => "post_handshake_auth",
        50 => "signature_algorithms_cert",
        51 => "key_share",
        52 => "transparency_info",
        54 => "connection_id",
        55 => "external_id_hash",
        56 => "external_session_id",
        57 => "quic_transport_parameters",
        58 => "ticket_request",
        59 => "dnssec_chain",
        // ALPS, Chromium's application settings (a draft): its first code
        // (17513) and the one Chromium sends now (17613).
        0x4469 => "application_settings",
        0x44cd => "application_settings",
        // Trust Anchor Identifiers (a draft), as Chromium sends it.
        0xca34 => "trust_anchors",
        0xfd00 => "ech_outer_extensions",
        0xfe0d => "encrypted_client_hello",
        0xff01 => "renegotiation_info",
        // Not in IANA's registry: Google's NPN and Channel ID, long gone
        // from browsers but still in old clients.
        0x3374 => "next_protocol_negotiation",
        0x7550 => "channel_id",
        _ => return None,
    })
}

/// A key exchange group's name in IANA's TLS Supported Groups registry
/// (`elliptic_curves` before TLS 1.3, RFC 8422 §5.1.1), and the hybrid
/// post-quantum ones browsers send.
pub fn group(code: u16) -> Option<&'static str> {
    if is_grease(code) {
        return Some("GREASE");
    }
    Some(match code {
        1 => "sect163k1",
        2 => "sect163r1",
        3 => "sect163r2",
        4 => "sect193r1",
        5 => "sect193r2",
        6 => "sect233k1",
        7 => "sect233r1",
        8 => "sect239k1",
        9 => "sect283k1",
        10 => "sect283r1",
        11 => "sect409k1",
        12 => "sect409r1",
        13 => "sect571k1",
        14 => "sect571r1",
        15 => "secp160k1",
        16 => "secp160r1",
        17 => "secp160r2",
        18 => "secp192k1",
        19 => "secp192r1",
        20 => "secp224k1",
        21 => "secp224r1",
        22 => "secp256k1",
        23 => "secp256r1",
        24 => "secp384r1",
        25 => "secp521r1",
        26 => "brainpoolP256r1",
        27 => "brainpoolP384r1",
        28 => "brainpoolP512r1",
        29 => "x25519",
        30 => "x448",
        31 => "brainpoolP256r1tls13",
        32 => "brainpoolP384r1tls13",
        33 => "brainpoolP512r1tls13",
        34 => "GC256A",
        35 => "GC256B",
        36 => "GC256C",
        37 => "GC256D",
        38 => "GC512A",
        39 => "GC512B",
        40 => "GC512C",
        41 => "curveSM2",
        256 => "ffdhe2048",
        257 => "ffdhe3072",
        258 => "ffdhe4096",
        259 => "ffdhe6144",
        260 => "ffdhe8192",
        0x0200 => "MLKEM512",
        0x0201 => "MLKEM768",
        0x0202 => "MLKEM1024",
        0x11eb => "SecP256r1MLKEM768",
        0x11ec => "X25519MLKEM768",
        0x11ed => "SecP384r1MLKEM1024",
        // The drafts' Kyber, before ML-KEM was final (Chrome 124 to 130).
        0x6399 => "X25519Kyber768Draft00",
        0x639a => "SecP256r1Kyber768Draft00",
        0xff01 => "arbitrary_explicit_prime_curves",
        0xff02 => "arbitrary_explicit_char2_curves",
        _ => return None,
    })
}

/// A signature scheme's name in IANA's TLS SignatureScheme registry (RFC
/// 8446 §4.2.3), and TLS 1.2's hash-and-signature pairs (RFC 5246
/// §7.4.1.4.1) that TLS 1.3 did not keep, named as OpenSSL names them.
pub fn signature_scheme(code: u16) -> Option<&'static str> {
    if is_grease(code) {
        return Some("GREASE");
    }
    Some(match code {
        0x0201 => "rsa_pkcs1_sha1",
        0x0203 => "ecdsa_sha1",
        0x0401 => "rsa_pkcs1_sha256",
        0x0403 => "ecdsa_secp256r1_sha256",
        0x0420 => "rsa_pkcs1_sha256_legacy",
        0x0501 => "rsa_pkcs1_sha384",
        0x0503 => "ecdsa_secp384r1_sha384",
        0x0520 => "rsa_pkcs1_sha384_legacy",
        0x0601 => "rsa_pkcs1_sha512",
        0x0603 => "ecdsa_secp521r1_sha512",
        0x0620 => "rsa_pkcs1_sha512_legacy",
        0x0704 => "eccsi_sha256",
        0x0705 => "iso_ibs1",
        0x0706 => "iso_ibs2",
        0x0707 => "iso_chinese_ibs",
        0x0708 => "sm2sig_sm3",
        0x0709 => "gostr34102012_256a",
        0x070a => "gostr34102012_256b",
        0x070b => "gostr34102012_256c",
        0x070c => "gostr34102012_256d",
        0x070d => "gostr34102012_512a",
        0x070e => "gostr34102012_512b",
        0x070f => "gostr34102012_512c",
        0x0804 => "rsa_pss_rsae_sha256",
        0x0805 => "rsa_pss_rsae_sha384",
        0x0806 => "rsa_pss_rsae_sha512",
        0x0807 => "ed25519",
        0x0808 => "ed448",
        0x0809 => "rsa_pss_pss_sha256",
        0x080a => "rsa_pss_pss_sha384",
        0x080b => "rsa_pss_pss_sha512",
        0x081a => "ecdsa_brainpoolP256r1tls13_sha256",
        0x081b => "ecdsa_brainpoolP384r1tls13_sha384",
        0x081c => "ecdsa_brainpoolP512r1tls13_sha512",
        0x0904 => "mldsa44",
        0x0905 => "mldsa65",
        0x0906 => "mldsa87",
        // TLS 1.2's pairs of (hash, signature) outside the registry.
        0x0202 => "dsa_sha1",
        0x0301 => "rsa_pkcs1_sha224",
        0x0302 => "dsa_sha224",
        0x0303 => "ecdsa_sha224",
        0x0402 => "dsa_sha256",
        0x0502 => "dsa_sha384",
        0x0602 => "dsa_sha512",
        // GOST's pairs before RFC 9189, as OpenSSL's GOST engine sends them.
        0xeded => "gostr34102001_gostr3411",
        0xeeee => "gostr34102012_256_gostr34112012_256",
        0xefef => "gostr34102012_512_gostr34112012_512",
        _ => return None,
    })
}

/// An EC point format (RFC 8422 §5.1.2).
pub fn point_format(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "uncompressed",
        1 => "ansiX962_compressed_prime",
        2 => "ansiX962_compressed_char2",
        _ => return None,
    })
}

/// A compression method (RFC 5246 §6.1, RFC 3749): only `null` is left.
pub fn compression_method(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "null",
        1 => "DEFLATE",
        64 => "LZS",
        _ => return None,
    })
}

/// A PSK key exchange mode (RFC 8446 §4.2.9), and its GREASE values (RFC
/// 8701 §2: 0x0b, 0x2a, ... 0xe4, one byte each).
pub fn psk_mode(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "psk_ke",
        1 => "psk_dhe_ke",
        0x0b | 0x2a | 0x49 | 0x68 | 0x87 | 0xa6 | 0xc5 | 0xe4 => "GREASE",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grease_is_every_0x_a_a_pair() {
        let grease: Vec<u16> = (0..=u16::MAX).filter(|&v| is_grease(v)).collect();
        assert_eq!(grease.len(), 16);
        assert_eq!(grease[0], 0x0a0a);
        assert_eq!(grease[15], 0xfafa);
        assert!(!is_grease(0x0a1a));
        for value in grease {
            for name in [
                cipher_suite(value),
                extension(value),
                group(value),
                signature_scheme(value),
                version(value),
            ] {
                assert_eq!(name, Some("GREASE"));
            }
        }
    }

    #[test]
    fn common_codes_have_their_registry_names() {
        assert_eq!(cipher_suite(0x1301), Some("TLS_AES_128_GCM_SHA256"));
        assert_eq!(
            cipher_suite(0xc02b),
            Some("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        );
        assert_eq!(
            cipher_suite(0x00ff),
            Some("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
        );
        assert_eq!(extension(0xfe0d), Some("encrypted_client_hello"));
        assert_eq!(extension(17513), Some("application_settings"));
        assert_eq!(extension(17613), Some("application_settings"));
        assert_eq!(group(0x11ec), Some("X25519MLKEM768"));
        assert_eq!(group(0x6399), Some("X25519Kyber768Draft00"));
        assert_eq!(signature_scheme(0x0804), Some("rsa_pss_rsae_sha256"));
        assert_eq!(psk_mode(1), Some("psk_dhe_ke"));
        assert_eq!(cipher_suite(0x1234), None);
    }

    /// Every code the captured clients and the vectors send has a name,
    /// GREASE and Chromium's drafts included.
    #[test]
    fn every_code_real_clients_send_is_named() {
        use super::super::hello::{parse, Hello};
        use super::super::samples::{unhex, vectors, CAPTURED};
        let mut records: Vec<Vec<u8>> = CAPTURED.iter().map(|(_, bytes)| bytes.to_vec()).collect();
        for vector in vectors() {
            records.push(unhex(&vector.client_hello_record_hex));
        }
        for record in records {
            let Hello::Complete(hello, _) = parse(&record) else {
                panic!("a hello")
            };
            for &code in &hello.cipher_suites {
                assert!(cipher_suite(code).is_some(), "suite {code:#06x}");
            }
            for &code in &hello.extensions {
                assert!(extension(code).is_some(), "extension {code:#06x}");
            }
            for &code in hello.groups.iter().chain(&hello.key_share_groups) {
                assert!(group(code).is_some(), "group {code:#06x}");
            }
            for &code in &hello.signature_algorithms {
                assert!(signature_scheme(code).is_some(), "scheme {code:#06x}");
            }
            for &code in &hello.versions_sent {
                assert!(version(code).is_some(), "version {code:#06x}");
            }
        }
    }
}
