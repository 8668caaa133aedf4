//! The request view as JSON, for `curl ... | jq` and for programs (rawnet's
//! own `client --http` reads it to show what a proxy changed): the same
//! facts as the text and HTML pages, serialized by serde_json.
//!
//! Strings are UTF-8 in JSON; a head with other bytes (obs-text, RFC 9110
//! §5.5) is shown with each such byte as U+FFFD and `"lossy": true`, and
//! the exact bytes are in the text page. A body is text when the part shown
//! is UTF-8, else base64.

use std::borrow::Cow;

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::claims::{self, Claim, CLAIM_SAYS, PEER_SAYS, PROXY_SAYS};
use super::notes;
use super::page::{self, Origin, Shown, BODY_SHOWN};
use super::request;

// These types are the JSON view's one definition: the server serializes
// them, and `rawnet client --http` deserializes the same types to see what
// arrived (`client/mod.rs`), so the two cannot drift apart.
//
// The server fills the fixed words (`says`, `encoding`, `claimed_by`,
// `order`) with `&'static str` constants, as before; a `&'static str`
// cannot be deserialized from a response read at run time, so those fields
// are `Cow<'a, str>`. `Cow::Borrowed` serializes exactly as the `&str` did
// and costs the server no copy; the client's side borrows them from its
// buffer where the JSON has no escapes (`#[serde(borrow)]`), and owns them
// where it has. The other strings were owned `String`s already.

/// One request, as its JSON view shows it.
#[derive(Serialize, Deserialize)]
pub(crate) struct View<'a> {
    pub connection: u64,
    pub request: u64,
    pub method: String,
    pub target: String,
    pub version: String,
    /// `[name, value]` pairs in the order and case they were sent.
    pub headers: Vec<[String; 2]>,
    /// The whole head, request line to empty line.
    pub head: String,
    /// Some byte of the head was not UTF-8 and is shown as U+FFFD.
    pub lossy: bool,
    #[serde(borrow)]
    pub body: Body<'a>,
    #[serde(borrow)]
    pub addresses: Addresses<'a>,
    /// What the page's "Worth noting" list says.
    pub notes: Vec<String>,
    /// What the request came through, from the bottom up: `tcp`, then
    /// `proxy` and `tls` when they were there (`layers.rs`).
    #[serde(default)]
    pub layers: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Body<'a> {
    /// The body's length in bytes.
    pub length: usize,
    /// `text`, `base64`, or `none` when there is no body.
    #[serde(borrow)]
    pub encoding: Cow<'a, str>,
    pub content: String,
    /// Bytes past the part shown (the page's bound, `BODY_SHOWN`).
    pub not_shown: usize,
}

/// Every address the request came with, each with who stands behind it.
#[derive(Serialize, Deserialize)]
pub(crate) struct Addresses<'a> {
    #[serde(borrow)]
    pub peer: Address<'a>,
    #[serde(borrow)]
    pub proxy_header: Option<Address<'a>>,
    #[serde(borrow)]
    pub claims: Vec<Claimed<'a>>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Address<'a> {
    pub address: String,
    #[serde(borrow)]
    pub says: Cow<'a, str>,
}

/// A header line's claim, and what the view says of it.
#[derive(Serialize, Deserialize)]
pub(crate) struct Claimed<'a> {
    #[serde(flatten)]
    pub claim: Claim,
    #[serde(borrow)]
    pub claimed_by: Cow<'a, str>,
    #[serde(borrow)]
    pub order: Cow<'a, str>,
}

/// The JSON view of one request, pretty-printed, ending in a newline.
pub fn render(origin: Origin, shown: Shown) -> Vec<u8> {
    let head = shown.head_bytes();
    let lossy = std::str::from_utf8(head).is_err();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let [_, _, version] = request::line(head);
    let mut notes = Vec::new();
    notes::find(shown.reads, head, |note| notes.push(page::note_text(&note)));
    let claims = if shown.head.claims {
        claims::find(head)
            .into_iter()
            .map(|claim| Claimed {
                order: Cow::Borrowed(claims::order_of(claim.kind)),
                claim,
                claimed_by: Cow::Borrowed(CLAIM_SAYS),
            })
            .collect()
    } else {
        Vec::new()
    };
    let view = View {
        connection: origin.conn,
        request: origin.request,
        method: text(shown.part(&shown.head.method)),
        target: text(shown.part(&shown.head.target)),
        version: text(version),
        headers: request::fields(head)
            .map(|(name, value)| [text(name), text(value.trim_ascii_end())])
            .collect(),
        head: text(head),
        lossy,
        body: body(shown.body),
        addresses: Addresses {
            peer: Address {
                address: origin.peer.to_string(),
                says: Cow::Borrowed(PEER_SAYS),
            },
            proxy_header: origin.proxy_client.map(|client| Address {
                address: client.to_string(),
                says: Cow::Borrowed(PROXY_SAYS),
            }),
            claims,
        },
        notes,
        layers: origin.layers().json(),
    };
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Pairs::default());
    // Serializing plain structs of strings and numbers into memory cannot
    // fail; were it to, the response would say so by being empty.
    let _ = view.serialize(&mut serializer);
    out.push(b'\n');
    out
}

/// serde_json's pretty printing, except that an array inside an array (a
/// header's `[name, value]`) stays on one line: one header a line, as in
/// the head itself.
#[derive(Default)]
struct Pairs {
    pretty: serde_json::ser::PrettyFormatter<'static>,
    /// For each open container, whether it is an array.
    open: Vec<bool>,
    /// Inner arrays open and written on one line.
    inline: usize,
}

impl serde_json::ser::Formatter for Pairs {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        let inner = self.inline > 0 || self.open.last() == Some(&true);
        self.open.push(true);
        if inner {
            self.inline += 1;
            w.write_all(b"[")
        } else {
            self.pretty.begin_array(w)
        }
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open.pop();
        if self.inline > 0 {
            self.inline -= 1;
            w.write_all(b"]")
        } else {
            self.pretty.end_array(w)
        }
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        match (self.inline > 0, first) {
            (true, true) => Ok(()),
            (true, false) => w.write_all(b", "),
            (false, _) => self.pretty.begin_array_value(w, first),
        }
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if self.inline > 0 {
            Ok(())
        } else {
            self.pretty.end_array_value(w)
        }
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open.push(false);
        self.pretty.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open.pop();
        self.pretty.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

/// Up to `BODY_SHOWN` bytes of the body: as text when they are UTF-8 (a
/// character cut by the bound is left out), else as base64.
fn body(body: &[u8]) -> Body<'static> {
    let part = &body[..body.len().min(BODY_SHOWN)];
    let (encoding, content, shown) = match std::str::from_utf8(part) {
        _ if body.is_empty() => ("none", String::new(), 0),
        Ok(text) => ("text", text.to_string(), part.len()),
        // Cut inside a character at the bound, and valid up to there.
        Err(err) if err.error_len().is_none() && part.len() < body.len() => {
            let valid = &part[..err.valid_up_to()];
            (
                "text",
                String::from_utf8_lossy(valid).into_owned(),
                valid.len(),
            )
        }
        Err(_) => (
            "base64",
            base64::engine::general_purpose::STANDARD.encode(part),
            part.len(),
        ),
    };
    Body {
        length: body.len(),
        encoding: Cow::Borrowed(encoding),
        content,
        not_shown: body.len() - shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static INSTANCE: crate::http::layers::Instance = crate::http::layers::Instance {
        host: String::new(),
        name: None,
        listener: None,
    };
    use crate::http::notes::Reads;
    use crate::http::request::{parse, Parsed};

    fn view(raw: &[u8], body: &[u8], proxy_client: Option<&str>) -> serde_json::Value {
        let Ok(Parsed::Complete(head, _)) = parse(raw, 8192) else {
            panic!("a complete head")
        };
        let origin = Origin {
            conn: 3,
            request: 2,
            peer: "127.0.0.1:5000".parse().unwrap(),
            proxy_client: proxy_client.map(|c| c.parse().unwrap()),
            instance: &INSTANCE,
            below: None,
        };
        let shown = Shown {
            head: &head,
            raw,
            body,
            reads: Reads::default(),
        };
        let json = render(origin, shown);
        assert!(json.ends_with(b"}\n"));
        // One header a line; everything else pretty-printed.
        let text = String::from_utf8_lossy(&json);
        assert!(
            text.contains("  \"headers\": [\n    [\"Host\", \"x\"],\n"),
            "{text}"
        );
        assert!(text.starts_with("{\n  \"connection\": 3,\n"), "{text}");
        serde_json::from_slice(&json).unwrap()
    }

    #[test]
    fn the_facts_of_a_request() {
        let raw =
            b"POST /a?b HTTP/1.1\r\nHost: x\r\nX-Mixed-Case:  v \r\ncontent-length: 2\r\n\r\n";
        let json = view(raw, b"hi", None);
        assert_eq!(json["connection"], 3);
        assert_eq!(json["request"], 2);
        assert_eq!(json["method"], "POST");
        assert_eq!(json["target"], "/a?b");
        assert_eq!(json["version"], "HTTP/1.1");
        assert_eq!(
            json["headers"],
            serde_json::json!([
                ["Host", "x"],
                ["X-Mixed-Case", "v"],
                ["content-length", "2"]
            ])
        );
        assert_eq!(json["head"], std::str::from_utf8(raw).unwrap());
        assert_eq!(json["lossy"], false);
        assert_eq!(
            json["body"],
            serde_json::json!({"length": 2, "encoding": "text", "content": "hi", "not_shown": 0})
        );
        assert_eq!(json["addresses"]["peer"]["address"], "127.0.0.1:5000");
        assert_eq!(json["addresses"]["proxy_header"], serde_json::Value::Null);
        assert_eq!(json["addresses"]["claims"], serde_json::json!([]));
        // The trailing whitespace note.
        assert_eq!(json["notes"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn a_binary_body_is_base64_and_a_large_one_bounded() {
        let raw = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n";
        let json = view(raw, b"\x00\xff\x01", None);
        assert_eq!(json["body"]["encoding"], "base64");
        assert_eq!(json["body"]["content"], "AP8B");
        let big = vec![b'a'; BODY_SHOWN + 10];
        let json = view(raw, &big, None);
        assert_eq!(json["body"]["not_shown"], 10);
        // A character cut at the bound is left out, not made binary.
        let mut cut = vec![b'a'; BODY_SHOWN - 1];
        cut.extend("é".as_bytes());
        let json = view(raw, &cut, None);
        assert_eq!(json["body"]["encoding"], "text");
        assert_eq!(json["body"]["not_shown"], 2);
    }

    #[test]
    fn addresses_by_who_claims_them() {
        let raw = b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n\r\n";
        let json = view(raw, b"", Some("192.0.2.1:4000"));
        let addresses = &json["addresses"];
        assert_eq!(addresses["proxy_header"]["address"], "192.0.2.1:4000");
        assert_eq!(addresses["proxy_header"]["says"], PROXY_SAYS);
        assert_eq!(
            addresses["claims"][0]["hops"],
            serde_json::json!([{"for": "203.0.113.7"}, {"for": "10.0.0.1"}])
        );
        assert_eq!(addresses["claims"][0]["claimed_by"], CLAIM_SAYS);
        assert_eq!(addresses["claims"][0]["header"], "X-Forwarded-For");
    }

    /// The client reads the view with the server's own types: what it
    /// reads back is what was written, to the byte once written again.
    #[test]
    fn the_view_reads_back_as_it_was_written() {
        let raw = b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n";
        let Ok(Parsed::Complete(head, _)) = parse(raw, 8192) else {
            panic!("a complete head")
        };
        let origin = Origin {
            conn: 1,
            request: 1,
            peer: "127.0.0.1:5000".parse().unwrap(),
            proxy_client: Some("192.0.2.1:4000".parse().unwrap()),
            instance: &INSTANCE,
            below: None,
        };
        let shown = Shown {
            head: &head,
            raw,
            body: b"\"quoted\"",
            reads: Reads::default(),
        };
        let json = render(origin, shown);
        let view: View = serde_json::from_slice(&json).unwrap();
        assert_eq!(view.head, std::str::from_utf8(raw).unwrap());
        assert_eq!(view.addresses.peer.says, PEER_SAYS);
        assert_eq!(view.addresses.claims[0].claim.header, "X-Forwarded-For");
        assert_eq!(view.addresses.claims[0].claimed_by, CLAIM_SAYS);
        let mut again = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut again, Pairs::default());
        view.serialize(&mut serializer).unwrap();
        again.push(b'\n');
        assert_eq!(
            String::from_utf8_lossy(&again),
            String::from_utf8_lossy(&json)
        );
    }

    #[test]
    fn a_head_with_other_bytes_is_lossy() {
        let json = view(b"GET / HTTP/1.1\r\nHost: x\r\nX: \xff\r\n\r\n", b"", None);
        assert_eq!(json["lossy"], true);
        assert_eq!(json["headers"][1][1], "\u{fffd}");
    }
}
