//! Addresses a request claims in its headers, taken apart by hand:
//! `Forwarded` (RFC 7239), `X-Forwarded-For`, `X-Real-IP` and `Via`
//! (RFC 9110 §7.6.3). Anyone can write these headers, the client as well as
//! every proxy on the way, so the pages show each as a claim, never as the
//! address: only the TCP peer is what rawnet saw itself.

use serde::{Deserialize, Serialize};

use super::request::{self, CLAIMS};

/// Who stands behind each kind of address: the words the pages use for a
/// claim (`CLAIM_SAYS`), and the JSON view for all three.
pub const PEER_SAYS: &str = "the TCP peer: the one address rawnet saw itself";
pub const PROXY_SAYS: &str =
    "the PROXY header, sent by the TCP peer: as true as that peer is trusted";
pub const CLAIM_SAYS: &str = "the client or a proxy: unverified";

/// One header line that claims addresses, with its hops in the order the
/// line lists them. Also read back from the JSON view by `rawnet client`
/// (`json.rs`).
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The header's name as sent, in its own case.
    pub header: String,
    /// Which of [`CLAIMS`] it is, lower-case, as matched once. Not in the
    /// JSON, so read back from it as "".
    #[serde(skip)]
    pub kind: &'static str,
    /// Its value as sent (lossy UTF-8, as every string in the JSON view).
    pub value: String,
    /// The first [`MAX_HOPS`] hops.
    pub hops: Vec<Hop>,
    /// How many hops the line has past those (in JSON only when some).
    #[serde(skip_serializing_if = "is_zero", default)]
    pub hops_not_shown: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Hops shown per header line. A real chain has a few; a head of 8 KiB
/// could list thousands of one-byte hops, each a JSON object and an HTML
/// line of its own, so a view would be many times the head it shows.
pub const MAX_HOPS: usize = 32;

/// One hop of a claim. `Forwarded` fills `for`, `by`, `proto` and `host`;
/// `X-Forwarded-For` and `X-Real-IP` fill `for`; `Via` fills `protocol`,
/// `received_by` and `comment`.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proto: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// What a claim header's order means, for the pages: who writes it and
/// which end of the list is nearest the client. `kind` is one of
/// [`CLAIMS`].
pub fn order_of(kind: &str) -> &'static str {
    match kind {
        "forwarded" => {
            "each proxy appends an element; the first names the original client as claimed \
             (RFC 7239 §4); _name is an obfuscated identifier, unknown an address the proxy \
             does not know or will not say"
        }
        "x-forwarded-for" => {
            "the leftmost is the original client as claimed; each proxy appends the address \
             it got the request from, so the rightmost was added by the last proxy"
        }
        "x-real-ip" => "one address, the client as a proxy (often nginx) saw it",
        _ => {
            "each proxy appends itself as protocol, name and an optional comment; the first \
             is the one nearest the client (RFC 9110 §7.6.3)"
        }
    }
}

/// Every claim in a complete, checked head, in header order. Called only
/// when the head has one (`Head::claims`); the work is bounded by the head.
pub fn find(head: &[u8]) -> Vec<Claim> {
    request::fields(head)
        .filter_map(|(name, value)| {
            let kind = CLAIMS
                .into_iter()
                .find(|c| name.eq_ignore_ascii_case(c.as_bytes()))?;
            // Each header's items, and what one item says; at most
            // `MAX_HOPS` are taken apart, the rest only counted.
            let (mut items, hop): (Items, fn(&[u8]) -> Hop) = match kind {
                "forwarded" => (Box::new(split_list(value, false)), forwarded),
                "x-forwarded-for" => (Box::new(split_list(value, false)), address),
                "x-real-ip" => (Box::new(std::iter::once(value.trim_ascii())), address),
                "via" => (Box::new(split_list(value, true)), via),
                // `CLAIMS` names no other header.
                _ => return None,
            };
            let hops = items.by_ref().take(MAX_HOPS).map(hop).collect();
            let hops_not_shown = items.count();
            Some(Claim {
                header: text(name),
                kind,
                value: text(value.trim_ascii_end()),
                hops,
                hops_not_shown,
            })
        })
        .collect()
}

/// A claim header's items, one per hop.
type Items<'a> = Box<dyn Iterator<Item = &'a [u8]> + 'a>;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The items of a comma-separated list, trimmed, skipping empty ones (RFC
/// 9110 §5.6.1 allows them). Commas inside a quoted string, and with
/// `comments` inside parentheses, do not separate.
fn split_list(value: &[u8], comments: bool) -> impl Iterator<Item = &[u8]> {
    split_outside(value, b',', comments)
        .map(<[u8]>::trim_ascii)
        .filter(|item| !item.is_empty())
}

/// `value` split at `sep` where `sep` is not inside a quoted string (or a
/// comment, when `comments`). A backslash inside quotes escapes the next
/// byte, as RFC 9110 §5.6.4 says.
fn split_outside(value: &[u8], sep: u8, comments: bool) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let current = rest?;
        let (mut quoted, mut escaped, mut depth) = (false, false, 0usize);
        for (i, &b) in current.iter().enumerate() {
            if escaped {
                escaped = false;
            } else if quoted {
                match b {
                    b'\\' => escaped = true,
                    b'"' => quoted = false,
                    _ => {}
                }
            } else if depth > 0 {
                match b {
                    b'\\' => escaped = true,
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    _ => {}
                }
            } else if b == b'"' {
                quoted = true;
            } else if b == b'(' && comments {
                depth = 1;
            } else if b == sep {
                rest = Some(&current[i + 1..]);
                return Some(&current[..i]);
            }
        }
        rest = None;
        Some(current)
    })
}

/// One `Forwarded` element: `for=...;by=...;proto=...;host=...`, names in
/// any case, values a token or a quoted string (an IPv6 address must be
/// quoted, as `for="[2001:db8::1]:4711"`). Other parameters are ignored.
fn forwarded(element: &[u8]) -> Hop {
    let mut hop = Hop::default();
    for pair in split_outside(element, b';', false) {
        let Some(eq) = pair.iter().position(|&b| b == b'=') else {
            continue;
        };
        let (name, value) = (
            pair[..eq].trim_ascii(),
            unquote(pair[eq + 1..].trim_ascii()),
        );
        let slot = match name.to_ascii_lowercase().as_slice() {
            b"for" => &mut hop.for_,
            b"by" => &mut hop.by,
            b"proto" => &mut hop.proto,
            b"host" => &mut hop.host,
            _ => continue,
        };
        *slot = Some(value);
    }
    hop
}

/// An `X-Forwarded-For` item or an `X-Real-IP` value: an address alone.
fn address(item: &[u8]) -> Hop {
    Hop {
        for_: Some(text(item)),
        ..Hop::default()
    }
}

/// A quoted string's content with its backslash escapes undone; anything
/// else as it is.
fn unquote(value: &[u8]) -> String {
    let Some(inner) = value
        .strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
    else {
        return text(value);
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut escaped = false;
    for &b in inner {
        if b == b'\\' && !escaped {
            escaped = true;
        } else {
            out.push(b);
            escaped = false;
        }
    }
    text(&out)
}

/// One `Via` item: `[protocol-name "/"] protocol-version received-by
/// [comment]`, such as `1.1 nginx` or `HTTP/1.1 proxy.example:8080 (Squid)`.
fn via(item: &[u8]) -> Hop {
    let mut words = item.splitn(3, |b| b.is_ascii_whitespace());
    let protocol = words.next().map(text);
    let received_by = words.next().map(text);
    let comment = words
        .next()
        .map(<[u8]>::trim_ascii)
        .filter(|c| !c.is_empty())
        .map(text);
    Hop {
        protocol,
        received_by,
        comment,
        ..Hop::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(pairs: &[(&str, &str)]) -> Hop {
        let mut hop = Hop::default();
        for &(name, value) in pairs {
            let value = Some(value.to_string());
            match name {
                "for" => hop.for_ = value,
                "by" => hop.by = value,
                "proto" => hop.proto = value,
                "host" => hop.host = value,
                "protocol" => hop.protocol = value,
                "received_by" => hop.received_by = value,
                _ => hop.comment = value,
            }
        }
        hop
    }

    fn claims(fields: &str) -> Vec<Claim> {
        find(format!("GET / HTTP/1.1\r\nHost: a\r\n{fields}\r\n").as_bytes())
    }

    #[test]
    fn forwarded_elements_quotes_ipv6_and_obfuscated_names() {
        let found = claims(
            "forwarded: for=192.0.2.60;proto=http;by=203.0.113.43, \
             For=\"[2001:db8:cafe::17]:4711\";host=\"a,b;c\", for=_hidden;by=unknown\r\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].header, "forwarded");
        assert_eq!(
            found[0].hops,
            [
                hop(&[
                    ("for", "192.0.2.60"),
                    ("proto", "http"),
                    ("by", "203.0.113.43")
                ]),
                hop(&[("for", "[2001:db8:cafe::17]:4711"), ("host", "a,b;c")]),
                hop(&[("for", "_hidden"), ("by", "unknown")]),
            ]
        );
    }

    #[test]
    fn x_forwarded_for_keeps_its_order_and_x_real_ip_is_one() {
        let found = claims("X-Forwarded-For: 203.0.113.7, ,10.0.0.1\r\nX-Real-IP:  10.0.0.2 \r\n");
        assert_eq!(found[0].header, "X-Forwarded-For");
        assert_eq!(
            found[0].hops,
            [hop(&[("for", "203.0.113.7")]), hop(&[("for", "10.0.0.1")])]
        );
        assert_eq!(found[1].hops, [hop(&[("for", "10.0.0.2")])]);
        assert_eq!(found[1].value, "10.0.0.2");
    }

    #[test]
    fn via_items_with_comments_that_hold_commas() {
        let found = claims("Via: 1.0 fred, HTTP/1.1 p.example:8080 (Squid, v5), 1.1 nginx\r\n");
        assert_eq!(
            found[0].hops,
            [
                hop(&[("protocol", "1.0"), ("received_by", "fred")]),
                hop(&[
                    ("protocol", "HTTP/1.1"),
                    ("received_by", "p.example:8080"),
                    ("comment", "(Squid, v5)")
                ]),
                hop(&[("protocol", "1.1"), ("received_by", "nginx")]),
            ]
        );
    }

    #[test]
    fn broken_quotes_and_comments_take_the_rest_of_the_line() {
        let found = claims(
            "Forwarded: for=\"a, b;for=c\r\nVia: 1.1 x (open, 1.0 y\r\nForwarded: =;;for\r\n",
        );
        assert_eq!(found[0].hops, [hop(&[("for", "\"a, b;for=c")])]);
        assert_eq!(
            found[1].hops,
            [hop(&[
                ("protocol", "1.1"),
                ("received_by", "x"),
                ("comment", "(open, 1.0 y")
            ])]
        );
        assert_eq!(found[2].hops, [Hop::default()]);
    }

    #[test]
    fn other_headers_claim_nothing() {
        assert!(claims("X-Forwarded-Host: a\r\nUser-Agent: b\r\n").is_empty());
    }

    /// Thousands of one-byte hops in one line: the first 32 are kept and
    /// the rest counted, so a view stays near the size of the head.
    #[test]
    fn a_long_chain_is_cut_and_counted() {
        let head = format!(
            "GET / HTTP/1.1\r\nX-Forwarded-For: {}1\r\n\r\n",
            "1,".repeat(3000)
        );
        let found = find(head.as_bytes());
        assert_eq!(found[0].hops.len(), MAX_HOPS);
        assert_eq!(found[0].hops_not_shown, 3001 - MAX_HOPS);
    }
}
