//! What makes a decoded header list an HTTP/2 request (RFC 9113 §8.3),
//! and what makes it malformed (§8.1.1), which is a stream error of type
//! PROTOCOL_ERROR: the request line of HTTP/1.1 is here four
//! pseudo-header fields (`:method`, `:scheme`, `:authority`, `:path`),
//! first, each once; names are lower case; and the fields that describe
//! an HTTP/1.1 connection (`Connection`, `Keep-Alive`, `Upgrade`, ...)
//! mean nothing on a stream and may not come.

use crate::h2::hpack::Field;

/// A request, as its fields came, with its pseudo-headers picked out.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: Vec<u8>,
    pub scheme: Vec<u8>,
    pub authority: Option<Vec<u8>>,
    pub path: Vec<u8>,
    /// Every field in the order it came, pseudo-headers first, with how
    /// HPACK sent it.
    pub fields: Vec<Field>,
    /// The trailers' fields, if a second HEADERS came.
    pub trailers: Vec<Field>,
    /// The header block as sent, compressed (at most `MAX_BLOCK`): the
    /// page shows each field's bytes in it.
    pub block: Vec<u8>,
    /// `content-length`, when sent: the DATA must add up to it (§8.1.1).
    pub content_length: Option<u64>,
    /// `:protocol`, which only an extended CONNECT has (RFC 8441 §4):
    /// `websocket` opens a WebSocket on the stream (`tunnel.rs`).
    #[cfg(feature = "websocket")]
    pub protocol: Option<Vec<u8>>,
}

impl Request {
    /// The memory it holds, for the budget: every buffer's capacity.
    pub fn bytes(&self) -> usize {
        let field =
            |f: &Field| std::mem::size_of::<Field>() + f.name.capacity() + f.value.capacity();
        let fields: usize = self.fields.iter().chain(&self.trailers).map(field).sum();
        let authority = self.authority.as_ref().map_or(0, Vec::capacity);
        fields
            + self.method.capacity()
            + self.scheme.capacity()
            + authority
            + self.path.capacity()
            + self.block.capacity()
    }
}

/// Fields that are HTTP/1.1's connection's, not a request's (§8.2.2).
const CONNECTION_SPECIFIC: [&[u8]; 5] = [
    b"connection",
    b"keep-alive",
    b"proxy-connection",
    b"transfer-encoding",
    b"upgrade",
];

/// The request `fields` make, or what is wrong with them.
pub(crate) fn read(fields: Vec<Field>, block: Vec<u8>) -> Result<Request, String> {
    let mut pseudo = Pseudo::default();
    let mut regular = false;
    let mut content_length = None;
    for field in &fields {
        let name = field.name.as_slice();
        check_case(name)?;
        if let Some(pseudo_name) = name.strip_prefix(b":") {
            if regular {
                return Err("a pseudo-header after a regular field (§8.3)".into());
            }
            pseudo.take(pseudo_name, &field.value)?;
            continue;
        }
        regular = true;
        check_regular(name, &field.value)?;
        if name == b"content-length" {
            let value = std::str::from_utf8(&field.value).ok();
            let length = value.and_then(|v| v.parse::<u64>().ok());
            content_length = Some(length.ok_or("content-length is not a number (§8.1.1)")?);
        }
    }
    pseudo.finish(fields, block, content_length)
}

/// What makes trailers, a request's second HEADERS (§8.1), malformed: a
/// pseudo-header, which belongs to the first only (§8.3), or a field a
/// request's own fields may not be.
pub(crate) fn check_trailers(fields: &[Field]) -> Result<(), String> {
    for field in fields {
        let name = field.name.as_slice();
        check_case(name)?;
        if name.starts_with(b":") {
            return Err(format!(
                "the pseudo-header {} in trailers (§8.3)",
                show(name)
            ));
        }
        check_regular(name, &field.value)?;
    }
    Ok(())
}

/// HTTP/2's field names are lower case (§8.2.1).
fn check_case(name: &[u8]) -> Result<(), String> {
    match name.iter().any(u8::is_ascii_uppercase) {
        true => Err(format!(
            "the field name {:?} has upper case (§8.2.1)",
            show(name)
        )),
        false => Ok(()),
    }
}

/// A regular field's own rules.
fn check_regular(name: &[u8], value: &[u8]) -> Result<(), String> {
    if CONNECTION_SPECIFIC.contains(&name) {
        return Err(format!(
            "{} is a connection-specific field, which HTTP/2 forbids (§8.2.2)",
            show(name)
        ));
    }
    if name == b"te" && value != b"trailers" {
        return Err("te other than \"trailers\" (§8.2.2)".into());
    }
    if name.is_empty() {
        return Err("an empty field name (§8.2.1)".into());
    }
    Ok(())
}

/// The pseudo-headers seen so far.
#[derive(Default)]
struct Pseudo {
    method: Option<Vec<u8>>,
    scheme: Option<Vec<u8>>,
    authority: Option<Vec<u8>>,
    path: Option<Vec<u8>>,
    #[cfg(feature = "websocket")]
    protocol: Option<Vec<u8>>,
}

impl Pseudo {
    fn take(&mut self, name: &[u8], value: &[u8]) -> Result<(), String> {
        let slot = match name {
            b"method" => &mut self.method,
            b"scheme" => &mut self.scheme,
            b"authority" => &mut self.authority,
            b"path" => &mut self.path,
            // Only because rawnet's SETTINGS said ENABLE_CONNECT_PROTOCOL.
            #[cfg(feature = "websocket")]
            b"protocol" => &mut self.protocol,
            _ => {
                return Err(format!(
                    "the pseudo-header :{} is not a request's (§8.3)",
                    show(name)
                ))
            }
        };
        if slot.is_some() {
            return Err(format!("the pseudo-header :{} twice (§8.3)", show(name)));
        }
        *slot = Some(value.to_vec());
        Ok(())
    }

    fn finish(
        self,
        fields: Vec<Field>,
        block: Vec<u8>,
        content_length: Option<u64>,
    ) -> Result<Request, String> {
        let method = self.method.ok_or("no :method (§8.3.1)")?;
        let scheme = self.scheme.ok_or("no :scheme (§8.3.1)")?;
        let path = self.path.ok_or("no :path (§8.3.1)")?;
        if path.is_empty() {
            return Err("an empty :path (§8.3.1)".into());
        }
        #[cfg(feature = "websocket")]
        if self.protocol.is_some() && method != b"CONNECT" {
            return Err(":protocol on a request that is not a CONNECT (RFC 8441 §4)".into());
        }
        Ok(Request {
            method,
            scheme,
            authority: self.authority,
            path,
            fields,
            trailers: Vec::new(),
            block,
            content_length,
            #[cfg(feature = "websocket")]
            protocol: self.protocol,
        })
    }
}

impl Request {
    /// The order of its pseudo-headers, as Akamai's fingerprint writes it:
    /// `m,a,s,p` for `:method`, `:authority`, `:scheme`, `:path`.
    pub fn pseudo_order(&self) -> String {
        let letters: Vec<&str> = (self.fields.iter())
            .filter_map(|field| match field.name.as_slice() {
                b":method" => Some("m"),
                b":authority" => Some("a"),
                b":scheme" => Some("s"),
                b":path" => Some("p"),
                _ => None,
            })
            .collect();
        letters.join(",")
    }

    /// The body's length against its `content-length` (§8.1.1).
    pub fn check_length(&self, got: usize) -> Result<(), String> {
        match self.content_length {
            Some(length) if length != got as u64 => Err(format!(
                "content-length says {length} bytes and the DATA frames carried {got} (§8.1.1)"
            )),
            _ => Ok(()),
        }
    }
}

/// Bytes from the wire, escaped, for an error's words.
fn show(bytes: &[u8]) -> String {
    crate::show::Escaped::bare_preview(bytes, crate::show::NAME_SHOWN).to_string()
}
