//! The browser page's WebSocket panel: a box to send a message over a
//! WebSocket to this same server, and a live list of the frames both ways,
//! each header byte decoded, so a learner watches masking happen.
//!
//! The panel is static text, written once per page (`http/page.rs` shows
//! it as one of the panels `protocol.rs` hands an HTTP session): the frames come from the server itself,
//! which on a connection upgraded at `/?explain` describes every frame it
//! receives, and every frame it sends just before sending it, as one JSON
//! text frame (`explain.rs`). The script only lays those descriptions out.
//! Without JavaScript the panel stays hidden and the page is what it
//! always was.
//!
//! A hook for the Chromium test and `scripts/screenshot-ws.sh`, harmless
//! otherwise: `#ws-demo=Hello` in the page's URL sends `Hello` as soon as
//! the socket opens. A headless browser that dumps or photographs a page
//! after `--virtual-time-budget` waits for pending fetches but not for a
//! WebSocket, so `&hold=URL` also keeps a fetch of URL open until the echo
//! is in (or the socket closes); both point it at rawnet itself,
//! `hold=/?delay=30`. Any page can link to this one with any hash, so the
//! hook holds only a path on this server, checked as rawnet checks a
//! `?header=Location:`, and fetched in `same-origin` mode: a link cannot
//! make a visitor's browser request another server.

use crate::http::page::Panel;

/// The panel as the HTTP page takes it (`http/page.rs` shows it after the
/// response head, without knowing what it is; `protocol.rs` hands it over).
pub const PANEL: Panel = Panel {
    style: STYLE,
    html: HTML,
};

/// The panel's rules, added to the page's style sheet.
pub const STYLE: &str = "\
#ws { max-width: 72rem; margin: 1.25rem auto 0; }
#ws form { display: flex; gap: .5rem; margin: .75rem 0; align-items: center; }
#ws input { flex: 1; min-width: 0; font: inherit; padding: .35rem .6rem; color: var(--fg);
  background: var(--bg); border: 1px solid var(--line); border-radius: 6px; }
#ws button { font: inherit; padding: .35rem 1rem; color: #fff; background: var(--accent);
  border: 0; border-radius: 6px; cursor: pointer; }
#ws ol { list-style: none; margin: 0; padding: 0; display: grid; gap: .6rem; }
#ws li { border-left: 3px solid var(--line); padding: .1rem 0 .1rem .75rem; }
#ws li.in { border-color: var(--accent); }
#ws li.out { border-color: #2f9e6a; }
#ws li.msg { font-weight: 600; }
#ws table { border-collapse: collapse; font: 13px/1.5 ui-monospace, Menlo, Consolas, monospace; }
#ws td { padding: 0 1.25rem 0 0; vertical-align: top; white-space: nowrap; }
#ws td.bits, #ws td.what { color: var(--dim); }
#ws td.wrap { white-space: normal; word-break: break-all; }
";

/// The form, the frames' list and the script: the panel's part that is the
/// same whichever HTTP carried the page (a macro, so that `concat!` can
/// put it after each one's words).
macro_rules! form_and_script {
    () => {
        r#"<form id="ws-form"><input id="ws-text" value="Hello" aria-label="message">
<button>Send</button><span id="ws-state" class="note"></span></form>
<ol id="ws-frames"></ol>
</section>
<script>
(() => {
  const panel = document.getElementById('ws');
  if (!window.WebSocket) return;
  panel.hidden = false;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/?explain';
  const list = document.getElementById('ws-frames');
  const state = document.getElementById('ws-state');
  document.getElementById('ws-url').textContent = url;

  // What the server sends is shown as text, never parsed as HTML.
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const add = (item) => {
    list.append(item);
    // A long session must not grow the page without bound.
    while (list.children.length > 100) list.firstElementChild.remove();
  };
  const bits = (n, width) => n.toString(2).padStart(width, '0');
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join(' ');

  // The header bytes with their fields, as RFC 6455 §5.2 draws them.
  const headerRows = (d) => {
    const h = d.header.split(' ');
    const b0 = parseInt(h[0], 16), b1 = parseInt(h[1], 16), len7 = b1 & 127;
    const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const rows = [
      [h[0], `${bits(b0 >> 7, 1)} ${bits((b0 >> 4) & 7, 3)} ${bits(b0 & 15, 4)}`,
        `FIN ${d.fin ? 1 : 0}, RSV ${d.rsv.map(Number).join('')}, opcode ${b0 & 15} (${d.opcode})`],
      [h[1], `${bits(b1 >> 7, 1)} ${bits(len7, 7)}`,
        `MASK ${d.masked ? 1 : 0}, length ${ext ? `${len7}: the next ${ext} bytes say` : len7}`],
    ];
    if (ext) rows.push([h.slice(2, 2 + ext).join(' '), '', `length ${d.length}`]);
    if (d.masked) rows.push([h.slice(2 + ext, 6 + ext).join(' '), '', `masking key ${d.mask}`]);
    return rows;
  };

  const describe = (d) => {
    const received = d.explain === 'received';
    const item = el('li', received ? 'in' : 'out');
    item.append(el('div', '', `${received ? 'browser → rawnet' : 'rawnet → browser'}: ${d.opcode} frame, ${d.length} bytes`));
    const table = el('table');
    const row = (bytes, bits, what) => {
      const tr = el('tr');
      tr.append(el('td', '', bytes), el('td', 'bits', bits), el('td', 'what', what));
      table.append(tr);
    };
    for (const [bytes, fields, what] of headerRows(d)) row(bytes, fields, what);
    // A payload's bytes can be long: they get the wide column, and wrap.
    const payload = (what, bytes) => {
      const tr = el('tr');
      const label = el('td', 'what', what);
      label.colSpan = 2;
      tr.append(label, el('td', 'wrap', bytes + (d.truncated ? ` … and ${d.truncated} more bytes` : '')));
      table.append(tr);
    };
    if (d.masked) payload('payload as sent, masked', d.payload_masked);
    const text = d.payload === null ? '(not UTF-8)'
      : JSON.stringify(d.payload.length > 200 ? d.payload.slice(0, 200) + '…' : d.payload);
    payload(d.masked ? 'XOR the key, byte by byte' : 'payload, not masked', `${d.payload_hex}  ${text}`);
    if (d.opcode === 'close') {
      payload('close code, reason', d.code === null ? 'none' : `${d.code} ${JSON.stringify(d.reason)}`);
    }
    item.append(table);
    add(item);
  };

  let socket, described = false, release = () => {};
  const connect = () => {
    socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    state.textContent = 'connecting…';
    socket.onopen = () => { state.textContent = panel.dataset.opened; };
    socket.onmessage = (e) => {
      // A description of a text or binary frame rawnet sends comes just
      // before that frame: the next message is the echo itself.
      if (described) {
        described = false;
        const item = el('li', 'msg');
        item.append(el('span', 'note', 'the message itself: '), typeof e.data === 'string' ? e.data : hex(e.data));
        add(item);
        release();
        return;
      }
      try {
        const d = JSON.parse(e.data);
        describe(d);
        described = d.explain === 'sent' && (d.opcode === 'text' || d.opcode === 'binary');
      } catch {
        add(el('li', 'msg', String(e.data)));
      }
    };
    socket.onclose = (e) => {
      described = false;
      release();
      state.textContent = `closed, code ${e.code}${e.reason ? ' ' + e.reason : ''}; Send opens a new connection`;
    };
  };
  const send = (text) => {
    if (socket.readyState === WebSocket.OPEN) return socket.send(text);
    if (socket.readyState !== WebSocket.CONNECTING) connect();
    socket.addEventListener('open', () => socket.send(text), { once: true });
  };

  connect();
  document.getElementById('ws-form').onsubmit = (e) => {
    e.preventDefault();
    send(document.getElementById('ws-text').value);
  };
  // The test hook, documented in rawnet's src/ws/panel.rs. Any page can
  // link here with any hash, so `hold=` may only name a path on this
  // server, read as a browser reads a URL, the way rawnet reads
  // `?header=Location:` (is_local_path in src/http/knobs.rs): with tabs
  // and newlines dropped and `\` read as `/`, it must start with one `/`
  // and not two (`//host` and `/\host` are another host). And the fetch
  // is `same-origin`, so the browser itself refuses any other origin,
  // through a redirect too.
  const decode = (text) => { try { return decodeURIComponent(text); } catch { return null; } };
  const isLocalPath = (url) => /^\/(?!\/)/.test(url.replace(/[\t\n\r]/g, '').replace(/\\/g, '/'));
  const demo = location.hash.match(/^#ws-demo=([^&]*)(?:&hold=(.*))?$/);
  const held = demo && demo[2] !== undefined ? decode(demo[2]) : null;
  if (held !== null && isLocalPath(held)) {
    const hold = new AbortController();
    fetch(held, { mode: 'same-origin', signal: hold.signal }).catch(() => {});
    release = () => hold.abort();
  } else if (held !== null) {
    add(el('li', 'note', `not held: hold=${held} is not a path on this server`));
  }
  const text = demo ? decode(demo[1]) : null;
  if (text !== null) send(text);
})();
</script>
"#
    };
}

/// The panel's section and its script, placed below the two halves of the
/// exchange.
pub const HTML: &str = concat!(
    r#"<section id="ws" hidden data-opened="open: rawnet answered 101 Switching Protocols">
<h2>HTTP becomes WebSocket</h2>
<p class="note">This panel opens <code id="ws-url"></code>: a GET that asks to
<code>Upgrade: websocket</code>, answered <code>101 Switching Protocols</code>. From then on
the same TCP connection carries frames. With <code>?explain</code>, rawnet describes each
frame it receives, and each it sends just before sending it. Your browser masks every
frame it sends with a fresh random key; rawnet never masks.</p>
"#,
    form_and_script!()
);

/// The same panel on the HTTP/2 page (`h2/session/view/html.rs`): over
/// HTTP/2 a browser opens its WebSocket on a stream of the page's own
/// connection (RFC 8441), and the words above the form say so. The form,
/// the script and the frames are the same.
#[cfg(feature = "h2")]
pub const HTML_OVER_H2: &str = concat!(
    r#"<section id="ws" hidden data-opened="open: rawnet answered :status 200">
<h2>HTTP/2 carries a WebSocket</h2>
<p class="note">This panel opens <code id="ws-url"></code>. Over HTTP/2 a browser asks on
a new stream of this same connection, with an extended CONNECT (<code>:method CONNECT</code>,
<code>:protocol websocket</code>, RFC 8441), no <code>Upgrade</code> and no key, answered
<code>:status 200</code>; from then on that stream's DATA frames carry the WebSocket's frames,
beside the connection's other streams (rawnet's log line says <code>CONNECT ... with :protocol
websocket</code>). With <code>?explain</code>, rawnet describes each frame it receives, and each
it sends just before sending it. Your browser masks every frame it sends with a fresh random
key; rawnet never masks.</p>
"#,
    form_and_script!()
);
