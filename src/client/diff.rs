//! What happened to a request on the way: the head `rawnet client --http`
//! wrote, against the head rawnet's JSON view says arrived. A proxy in
//! between rewrites the request line, adds, removes, re-cases and reorders
//! header lines, changes values and may change the body's framing; each
//! difference becomes one line a person can read:
//!
//! ```text
//! ~ version: HTTP/1.1 → HTTP/1.0   (changed)
//! ~ Host: 127.0.0.1:9000 → 127.0.0.1:8081   (changed)
//! + X-Forwarded-For: 127.0.0.1   (added on the way)
//! - Connection: close   (removed on the way)
//! ^ user-agent → User-Agent   (re-cased)
//! ```

use crate::http::request;

/// A header line: its name and value, as sent.
type Field<'a> = (&'a [u8], &'a [u8]);

/// A request head taken apart: the request line's three parts and the
/// header lines in order.
#[derive(Debug, PartialEq, Eq)]
struct Parts<'a> {
    method: &'a [u8],
    target: &'a [u8],
    version: &'a [u8],
    fields: Vec<Field<'a>>,
}

fn parts(head: &[u8]) -> Parts<'_> {
    let [method, target, version] = request::line(head);
    Parts {
        method,
        target,
        version,
        fields: request::fields(head)
            .map(|(name, value)| (name, value.trim_ascii_end()))
            .collect(),
    }
}

/// How a head says its body is delimited, for the framing line.
fn framing(fields: &[Field]) -> String {
    let find = |wanted: &str| {
        fields
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted.as_bytes()))
            .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
    };
    match (find("transfer-encoding"), find("content-length")) {
        (Some(coding), _) => format!("Transfer-Encoding: {coding}"),
        (None, Some(length)) => format!("Content-Length: {length}"),
        (None, None) => "no body".to_string(),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The lines that say how `arrived` differs from `sent`, most telling
/// first: the request line, then each header line in the order it arrived,
/// then what was removed, the order, and the framing. One line saying so
/// when nothing changed.
pub fn lines(sent: &[u8], arrived: &[u8]) -> Vec<String> {
    let (sent, arrived) = (parts(sent), parts(arrived));
    let mut out = request_line(&sent, &arrived);
    let paired = pair(&sent.fields, &arrived.fields);
    let unchanged = header_lines(&sent.fields, &arrived.fields, &paired, &mut out);
    removed(&sent.fields, &paired, &mut out);
    out.extend(order(&sent.fields, &paired));
    let (before, after) = (framing(&sent.fields), framing(&arrived.fields));
    if before != after {
        out.push(format!("= framing: {before} → {after}   (framing changed)"));
    }
    if out.is_empty() {
        out.push("= the head arrived exactly as it was sent".to_string());
    } else if unchanged > 0 {
        out.push(format!(
            "= {unchanged} other header line{} arrived as sent",
            if unchanged == 1 { "" } else { "s" }
        ));
    }
    out
}

/// The parts of the request line that changed.
fn request_line(sent: &Parts, arrived: &Parts) -> Vec<String> {
    let mut out = Vec::new();
    for (what, before, after) in [
        ("method", sent.method, arrived.method),
        ("target", sent.target, arrived.target),
        ("version", sent.version, arrived.version),
    ] {
        if before != after {
            out.push(format!(
                "~ {what}: {} → {}   (changed)",
                text(before),
                text(after)
            ));
        }
    }
    out
}

/// For each arrived line, the sent line it is (its index in `sent`), if
/// any. Each is paired with an unpaired sent line of the same name, one
/// with the same value first: `Via` sent twice and kept, with a third
/// added, shows as one addition.
fn pair(sent: &[Field], arrived: &[Field]) -> Vec<Option<usize>> {
    let mut paired = vec![None; arrived.len()];
    let mut taken = vec![false; sent.len()];
    for same_value in [true, false] {
        for (i, (name, value)) in arrived.iter().enumerate() {
            if paired[i].is_some() {
                continue;
            }
            let found = sent.iter().enumerate().position(|(j, (n, v))| {
                !taken[j] && n.eq_ignore_ascii_case(name) && (!same_value || v == value)
            });
            if let Some(j) = found {
                taken[j] = true;
                paired[i] = Some(j);
            }
        }
    }
    paired
}

/// A line for each arrived header line that was added, re-cased or
/// changed on the way; returns how many arrived exactly as sent.
fn header_lines(
    sent: &[Field],
    arrived: &[Field],
    paired: &[Option<usize>],
    out: &mut Vec<String>,
) -> usize {
    let mut unchanged = 0;
    for (&(name, value), pair) in arrived.iter().zip(paired) {
        let Some(j) = *pair else {
            out.push(format!(
                "+ {}: {}   (added on the way)",
                text(name),
                text(value)
            ));
            continue;
        };
        let (sent_name, sent_value) = sent[j];
        if sent_name != name {
            out.push(format!(
                "^ {} → {}   (re-cased)",
                text(sent_name),
                text(name)
            ));
        }
        if sent_value != value {
            out.push(format!(
                "~ {}: {} → {}   (changed)",
                text(name),
                text(sent_value),
                text(value)
            ));
        }
        if sent_name == name && sent_value == value {
            unchanged += 1;
        }
    }
    unchanged
}

/// A line for each sent header line that no arrived line is.
fn removed(sent: &[Field], paired: &[Option<usize>], out: &mut Vec<String>) {
    for (j, &(name, value)) in sent.iter().enumerate() {
        if !paired.contains(&Some(j)) {
            out.push(format!(
                "- {}: {}   (removed on the way)",
                text(name),
                text(value)
            ));
        }
    }
}

/// The lines both heads have, in the order each has them, when that
/// order changed.
fn order(sent: &[Field], paired: &[Option<usize>]) -> Option<String> {
    let order: Vec<usize> = paired.iter().flatten().copied().collect();
    if !order.windows(2).any(|w| w[0] > w[1]) {
        return None;
    }
    let mut before = order.clone();
    before.sort_unstable();
    let names = |indices: &[usize]| {
        indices
            .iter()
            .map(|&j| text(sent[j].0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(format!(
        "↕ order: {} → {}   (reordered)",
        names(&before),
        names(&order)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_untouched_head_says_so() {
        let head = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(
            lines(head, head),
            ["= the head arrived exactly as it was sent"]
        );
    }

    /// What nginx's `proxy_pass` does by default.
    #[test]
    fn request_line_added_removed_changed_and_framing() {
        let sent = b"POST /a HTTP/1.1\r\nHost: localhost:9000\r\nUser-Agent: r\r\n\
                     Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n";
        let arrived = b"POST /a HTTP/1.0\r\nHost: 127.0.0.1:8081\r\nConnection: close\r\n\
                        Content-Length: 5\r\nUser-Agent: r\r\n\r\n";
        assert_eq!(
            lines(sent, arrived),
            [
                "~ version: HTTP/1.1 → HTTP/1.0   (changed)",
                "~ Host: localhost:9000 → 127.0.0.1:8081   (changed)",
                "~ Connection: keep-alive → close   (changed)",
                "+ Content-Length: 5   (added on the way)",
                "- Transfer-Encoding: chunked   (removed on the way)",
                "↕ order: Host, User-Agent, Connection → Host, Connection, User-Agent   (reordered)",
                "= framing: Transfer-Encoding: chunked → Content-Length: 5   (framing changed)",
                "= 1 other header line arrived as sent",
            ]
        );
    }

    #[test]
    fn re_cased_and_repeated_lines() {
        let sent = b"GET / HTTP/1.1\r\nhost: a\r\nVia: 1.1 x\r\n\r\n";
        let arrived = b"GET / HTTP/1.1\r\nHost: a\r\nVia: 1.1 x\r\nVia: 1.1 y\r\n\r\n";
        assert_eq!(
            lines(sent, arrived),
            [
                "^ host → Host   (re-cased)",
                "+ Via: 1.1 y   (added on the way)",
                "= 1 other header line arrived as sent",
            ]
        );
    }
}
