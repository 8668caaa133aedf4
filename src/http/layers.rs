//! What the request came through, from the bottom up: TCP (who connected,
//! to which of this server's addresses, which instance answered), then a
//! PROXY header if one came, then each layer a plug-in put under HTTP (TLS,
//! by `tls/layer.rs`). The HTML page shows them as a panel above the
//! request, the text page under its first line, the JSON view as
//! `layers`.
//!
//! HTTP knows no layer but TCP: a plug-in hands it a [`Below`], which
//! makes rows of its own words when a page asks (not before: an idle
//! connection keeps only the facts, not a page's worth of text), and HTTP
//! shows them as they are.

use std::fmt::Write;
use std::net::SocketAddr;

/// A layer under HTTP, as its plug-in describes it.
pub trait Below: std::fmt::Debug + Send + Sync {
    /// Its name, the panel's title: `TLS`.
    fn name(&self) -> &'static str;
    /// What it says, a line each: `("agreed", "TLS 1.3, ...")`.
    fn rows(&self) -> Vec<(String, String)>;
    /// Longer parts, shown whole under the rows: `("ClientHello", hex
    /// dump)`. Only on the pages; the JSON has the same facts.
    fn blocks(&self) -> Vec<(String, String)>;
    /// Its object in the JSON view, under its name in lower case.
    fn json(&self) -> serde_json::Value;
}

/// Where this instance is, for the TCP layer: as whoami does, so that a
/// request behind a load balancer says which instance answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Instance {
    /// The machine's host name, read once at start.
    pub host: String,
    /// `--name`: a label of the user's own.
    pub name: Option<String>,
    /// The listener a connection came in on (set per listener by
    /// `server.rs`): the address it connected to, or `0.0.0.0:PORT`
    /// (`[::]:PORT`) when the listener takes every address.
    pub listener: Option<SocketAddr>,
}

impl Instance {
    /// This machine's, with `name`.
    pub fn here(name: Option<String>) -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|host| host.trim().to_string())
            .unwrap_or_default();
        Instance {
            host,
            name,
            listener: None,
        }
    }
}

/// One connection's layers, for the pages.
#[derive(Clone, Copy, Debug)]
pub struct Layers<'a> {
    /// The TCP peer.
    pub peer: SocketAddr,
    pub instance: &'a Instance,
    /// The client a PROXY header named.
    pub proxy_client: Option<SocketAddr>,
    /// What plug-ins put between TCP and HTTP, bottom first.
    pub below: Option<&'a dyn Below>,
}

impl Layers<'_> {
    /// The TCP layer's rows.
    fn tcp(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![("client", self.peer.to_string())];
        if let Some(server) = self.instance.listener {
            let what = match server.ip().is_unspecified() {
                true => "the listener on every address of this machine",
                false => "the address it connected to",
            };
            rows.push(("server", format!("{server} ({what})")));
        }
        rows.push(("instance", self.instance.host.clone()));
        if let Some(name) = &self.instance.name {
            rows.push(("name", name.clone()));
        }
        rows
    }

    /// The text page's part: each layer a heading and its rows.
    pub fn text(&self, page: &mut String) {
        page.push_str("It came through these layers, from the bottom up:\n");
        write_layer(
            page,
            "TCP",
            self.tcp().iter().map(|(k, v)| (*k, v.as_str())),
        );
        if let Some(client) = self.proxy_client {
            let says = format!("{client} (what the PROXY header says; the TCP peer sent it)");
            write_layer(page, "PROXY", [("client", says.as_str())].into_iter());
        }
        if let Some(below) = self.below {
            let rows = below.rows();
            let rows = rows.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            write_layer(page, below.name(), rows);
            for (title, block) in &below.blocks() {
                let _ = writeln!(page, "  {title}:");
                for line in block.lines() {
                    let _ = writeln!(page, "    {line}");
                }
            }
        }
        page.push_str("  HTTP: the request below\n\n");
    }

    /// The HTML page's panel, above the request.
    pub fn html(&self, page: &mut String) {
        page.push_str("<section class=\"layers\">\n<h2>The layers, from the bottom up</h2>\n");
        html_layer(
            page,
            "TCP",
            self.tcp().iter().map(|(k, v)| (*k, v.as_str())),
        );
        if let Some(client) = self.proxy_client {
            let says = format!("{client}, as the PROXY header says");
            html_layer(page, "PROXY", [("client", says.as_str())].into_iter());
        }
        if let Some(below) = self.below {
            let rows = below.rows();
            let rows = rows.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            html_layer(page, below.name(), rows);
            for (title, block) in &below.blocks() {
                page.push_str("<details><summary>");
                escape(title, page);
                page.push_str("</summary><pre>");
                escape(block, page);
                page.push_str("</pre></details>\n");
            }
        }
        page.push_str("<h3>HTTP</h3><p class=\"note\">the request, next.</p>\n</section>\n");
    }

    /// The JSON view's `layers`: `tcp`, then `proxy` and each plug-in's
    /// object under its name in lower case.
    pub fn json(&self) -> serde_json::Value {
        let mut layers = serde_json::Map::new();
        let tcp = serde_json::json!({
            "client": self.peer.to_string(),
            "server": self.instance.listener.map(|a| a.to_string()),
            "instance": self.instance.host,
            "name": self.instance.name,
        });
        layers.insert("tcp".into(), tcp);
        if let Some(client) = self.proxy_client {
            let proxy = serde_json::json!({ "client": client.to_string() });
            layers.insert("proxy".into(), proxy);
        }
        if let Some(below) = self.below {
            layers.insert(below.name().to_ascii_lowercase(), below.json());
        }
        layers.into()
    }
}

fn write_layer<'r>(page: &mut String, name: &str, rows: impl Iterator<Item = (&'r str, &'r str)>) {
    let _ = writeln!(page, "  {name}:");
    for (label, value) in rows {
        let _ = writeln!(page, "    {label}: {value}");
    }
}

fn html_layer<'r>(page: &mut String, name: &str, rows: impl Iterator<Item = (&'r str, &'r str)>) {
    page.push_str("<h3>");
    escape(name, page);
    page.push_str("</h3>\n<table>\n");
    for (label, value) in rows {
        page.push_str("<tr><th>");
        escape(label, page);
        page.push_str("</th><td>");
        escape(value, page);
        page.push_str("</td></tr>\n");
    }
    page.push_str("</table>\n");
}

/// Text into HTML: the five characters that mean markup, as entities.
/// Bytes from the wire are escaped for reading first (`show.rs`), as
/// every value here is; the HTTP/2 page escapes its text with this too.
pub(crate) fn escape(text: &str, page: &mut String) {
    for c in text.chars() {
        match c {
            '<' => page.push_str("&lt;"),
            '>' => page.push_str("&gt;"),
            '&' => page.push_str("&amp;"),
            '"' => page.push_str("&quot;"),
            '\'' => page.push_str("&#39;"),
            c => page.push(c),
        }
    }
}

/// The panel's style rules.
pub const STYLE: &str = "\
section.layers { grid-column: 1 / -1; }
.layers h3 { margin: .5rem 0 .25rem; font-size: .95rem; }
.layers table { border-collapse: collapse; font: 13.5px/1.5 ui-monospace, Menlo, Consolas, monospace; }
.layers th { text-align: left; color: var(--dim); font-weight: normal; padding: 0 1rem 0 0; vertical-align: top; }
.layers td { word-break: break-all; }
.layers details { margin: .25rem 0; }
";
