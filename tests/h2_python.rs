#![cfg(feature = "h2")]
//! rawnet's HTTP/2 against an independent client: Python's `h2`
//! (Debian's python3-h2, which scripts/test.sh installs), the sans-I/O
//! connection `h2.connection.H2Connection` driven over a real socket, on
//! the edges a browser or curl never reaches: windows opened a few bytes
//! at a time, settings changed in the middle of a response, padding,
//! trailers, a reset from either side, a full stream table, hundreds of
//! requests on one connection. Each case runs over h2c (prior knowledge)
//! and, with `tls`, over TLS too (ALPN `h2`, rawnet's own certificate as
//! the CA).
//!
//! `h2` checks what it receives as it goes (flow control, frame sizes,
//! content-length against the DATA), and the script also takes apart
//! every frame rawnet sends with hyperframe, before `h2` sees it, so the
//! tests can assert the frames themselves: their types, lengths, flags.

mod common;

use common::Server;
use serde_json::Value;

/// The Python side's client, put before each case's script: a socket
/// (TLS with ALPN `h2` when a CA is given), `h2`'s connection on it, and
/// a tap that keeps each frame rawnet sent as it came off the wire.
/// `sys.argv` is the port, then the CA file or "".
const CLIENT: &str = r##"
import json, random, socket, ssl, sys
import h2.config, h2.connection, h2.events, h2.settings
from h2.settings import SettingCodes
from hyperframe.frame import DataFrame, Frame, GoAwayFrame

KINDS = {0: "DATA", 1: "HEADERS", 2: "PRIORITY", 3: "RST_STREAM", 4: "SETTINGS",
         5: "PUSH_PROMISE", 6: "PING", 7: "GOAWAY", 8: "WINDOW_UPDATE", 9: "CONTINUATION"}

class Client:
    def __init__(self, settings=None, validate=True):
        sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
        self.alpn = None
        if sys.argv[2]:
            context = ssl.create_default_context(cafile=sys.argv[2])
            context.set_alpn_protocols(["h2"])
            sock = context.wrap_socket(sock, server_hostname="localhost")
            self.alpn = sock.selected_alpn_protocol()
        self.sock = sock
        # validate=False lets the script send what h2 would refuse to
        # (an upper-case name): the malformed requests.
        config = h2.config.H2Configuration(
            client_side=True, header_encoding="utf-8",
            validate_outbound_headers=validate, normalize_outbound_headers=validate)
        self.conn = h2.connection.H2Connection(config)
        if settings:
            # The first SETTINGS says these instead of h2's defaults.
            self.conn.local_settings = h2.settings.Settings(
                client=True,
                initial_values={getattr(SettingCodes, k): v for k, v in settings.items()})
            # h2 takes frames up to a MAX_FRAME_SIZE only once rawnet has
            # acknowledged it, but rawnet may send them from the moment
            # it read it (§6.5.3: the ACK comes after, not before).
            self.conn.max_inbound_frame_size = self.conn.local_settings.max_frame_size
        self.conn.initiate_connection()
        self.flush()
        self.wire = b""
        self.frames = []
        self.events = []

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def tap(self, data):
        """Each whole frame in what came, as hyperframe reads its header."""
        self.wire += data
        while len(self.wire) >= 9:
            frame, length = Frame.parse_frame_header(memoryview(self.wire[:9]))
            if len(self.wire) < 9 + length:
                break
            payload = self.wire[9:9 + length]
            self.frames.append({
                "type": KINDS.get(frame.type, frame.type), "stream": frame.stream_id,
                "flags": sorted(frame.flags), "length": length,
                # A DATA frame's bytes are the body, kept by h2's events.
                "payload": "" if frame.type == 0 else payload.hex()})
            self.wire = self.wire[9 + length:]

    def read(self):
        """What one read brought, as h2's events; at EOF, an error."""
        data = self.sock.recv(1 << 20)
        if not data:
            raise EOFError("rawnet closed the connection")
        self.tap(data)
        events = self.conn.receive_data(data)
        self.events += events
        self.flush()
        return events

    def until(self, kind):
        """Reads until an event of `kind` comes; returns it."""
        while True:
            for event in self.read():
                if isinstance(event, kind):
                    return event

    def barrier(self):
        """Reads until whatever rawnet sent for the frames before is in.
        rawnet answers a PING as it reads it but sends DATA once it has
        read all that came in one read, so one PING's ACK may overtake
        DATA that frames beside it let go; a second PING, sent once the
        first ACK is back, is read after that DATA was written."""
        for _ in range(2):
            self.conn.ping(b"barrier!")
            self.flush()
            self.until(h2.events.PingAckReceived)

    def request(self, path, method="GET", extra=(), end_stream=True):
        stream = self.conn.get_next_available_stream_id()
        fields = [(":method", method), (":scheme", "https" if sys.argv[2] else "http"),
                  (":authority", "localhost"), (":path", path)]
        self.conn.send_headers(stream, fields + list(extra), end_stream=end_stream)
        self.flush()
        return stream

    def response(self, stream, ack=True):
        """The response on `stream`: its fields, its body (the windows
        given back as it comes, unless ack=False), or its reset's code."""
        out = {"stream": stream, "headers": None, "body": "", "length": 0, "reset": None}
        body = b""
        while True:
            for event in self.events_for(stream):
                if isinstance(event, h2.events.ResponseReceived):
                    out["headers"] = dict(event.headers)
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                    if ack:
                        self.conn.acknowledge_received_data(event.flow_controlled_length, stream)
                elif isinstance(event, h2.events.StreamReset):
                    out["reset"] = int(event.error_code)
                    return out
                elif isinstance(event, h2.events.StreamEnded):
                    out["body"], out["length"] = body.decode(), len(body)
                    return out
            self.flush()
            self.read()

    def events_for(self, stream):
        mine = [e for e in self.events if getattr(e, "stream_id", None) == stream]
        self.events = [e for e in self.events if getattr(e, "stream_id", None) != stream]
        return mine

    def sent(self, kind, stream=None):
        return [f for f in self.frames
                if f["type"] == kind and (stream is None or f["stream"] == stream)]

def say(value):
    json.dump(value, sys.stdout)
"##;

/// rawnet, and the transports a case runs over: h2c on its plain port
/// and, with `tls`, h2 over TLS on the same port, its certificate
/// written where Python's ssl reads it as the CA.
struct Rawnet {
    server: Server,
    #[cfg(feature = "tls")]
    cert: (common::TempDir, String),
}

impl Rawnet {
    fn start(args: &[&str]) -> Rawnet {
        #[cfg(feature = "tls")]
        {
            let dir = common::TempDir::new("h2-python");
            let cert = dir.file("cert.pem");
            let mut all = vec!["--tls", "--tls-cert-out", &cert];
            all.extend_from_slice(args);
            let server = Server::start(&all);
            Rawnet {
                server,
                cert: (dir, cert),
            }
        }
        #[cfg(not(feature = "tls"))]
        Rawnet {
            server: Server::start(args),
        }
    }

    /// `""` for h2c, the CA file for TLS.
    fn transports(&self) -> Vec<String> {
        #[allow(unused_mut)]
        let mut all = vec![String::new()];
        #[cfg(feature = "tls")]
        all.push(self.cert.1.clone());
        all
    }

    /// Runs `script` after [`CLIENT`] over `transport`: what it said, as
    /// JSON.
    fn run(&self, transport: &str, script: &str) -> Value {
        let port = self.server.addr.port().to_string();
        let out = common::python3(&format!("{CLIENT}{script}"), &[&port, transport]);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

/// What a stream's reset said: RST_STREAM's error codes (§7).
const PROTOCOL_ERROR: u64 = 0x1;
const REFUSED_STREAM: u64 = 0x7;
const STREAM_CLOSED: u64 = 0x5;
const CANCEL: u64 = 0x8;

/// `?size=N`'s body: 64-byte lines, each its offset in 12 digits first
/// (src/http/knobs.rs), written again here from its description.
#[cfg(feature = "knobs")]
fn filler(len: usize) -> Vec<u8> {
    let lines = (0..len.div_ceil(64)).map(|i| {
        format!(
            "{:012} rawnet ?size: every line is 64 bytes, offset first\n",
            64 * i
        )
    });
    let mut all: Vec<u8> = lines.flat_map(String::into_bytes).collect();
    all.truncate(len);
    all
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a string: {value}"))
}

fn numbers(value: &Value) -> Vec<u64> {
    let list = value
        .as_array()
        .unwrap_or_else(|| panic!("a list: {value}"));
    list.iter().map(|n| n.as_u64().expect("a number")).collect()
}

/// 300 DATA frames of 0 to 39 bytes, most of them padded (none, 0, 1,
/// 255 bytes or any between), then an empty one with END_STREAM: the
/// page has every byte in order, and rawnet gave back on both windows
/// exactly what the frames took of them, padding and Pad Length byte
/// included (§6.9.1).
#[test]
fn a_body_in_many_small_padded_data_frames_arrives_whole() {
    let rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
stream = c.request("/padded", "POST", [("accept", "application/json")], end_stream=False)
rng = random.Random(7)
body, taken, first = b"", 0, []
for _ in range(300):
    piece = bytes(rng.randrange(0x20, 0x7f) for _ in range(rng.randrange(40)))
    pad = rng.choice([None, 0, 1, 255, rng.randrange(256)])
    cost = len(piece) + (0 if pad is None else 1 + pad)
    # h2 will not send past a window: wait for rawnet's WINDOW_UPDATEs.
    while c.conn.local_flow_control_window(stream) < cost:
        c.read()
    c.conn.send_data(stream, piece, pad_length=pad)
    c.flush()
    body, taken = body + piece, taken + cost
    first.append([cost, pad is not None])
c.conn.end_stream(stream)
c.flush()
r = c.response(stream)
updates = lambda s: sum(int(f["payload"], 16) for f in c.sent("WINDOW_UPDATE", s))
say({"sent": body.decode(), "taken": taken, "page": json.loads(r["body"]),
     "given_back": [updates(0), updates(stream)], "first": first[:3]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        let sent = text(&out["sent"]);
        assert!(sent.len() > 5000, "{}", sent.len());
        let page = &out["page"];
        assert_eq!(page["body"]["length"].as_u64(), Some(sent.len() as u64));
        assert_eq!(text(&page["body"]["content"]), sent);
        let taken = out["taken"].as_u64().unwrap();
        assert!(taken > 20_000, "padding counts: {taken}");
        assert_eq!(numbers(&out["given_back"]), [taken, taken]);
        // The page's frames: the HEADERS, then the first DATA frames as
        // they came, padded or not.
        let frames: Vec<&str> = page["frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(text)
            .collect();
        assert!(frames[0].starts_with("> HEADERS, "), "{frames:?}");
        for (shown, sent) in frames[1..].iter().zip(out["first"].as_array().unwrap()) {
            let flags = match sent[1].as_bool().unwrap() {
                true => ", flags PADDED",
                false => "",
            };
            let words = format!("> DATA, {} bytes{flags}, stream 1 (", sent[0]);
            assert!(shown.starts_with(&words), "{words:?}: {frames:?}");
        }
    }
}

/// A body, then a second HEADERS with END_STREAM: the trailers (§8.1),
/// which the text page lists after the request's fields.
#[test]
fn trailers_after_a_body_are_on_the_page() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
stream = c.request("/with-trailers", "POST", [("te", "trailers")], end_stream=False)
c.conn.send_data(stream, b"the body")
c.conn.send_headers(stream, [("x-checksum", "c0ffee"), ("x-rows", "3")], end_stream=True)
c.flush()
say(c.response(stream))
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(text(&out["headers"][":status"]), "200");
        let page = text(&out["body"]);
        for line in [
            "\n:method: POST — indexed, static 3 (83)\n",
            "\n:path: /with-trailers — literal",
            "\nte: trailers — literal",
            "\ntrailer x-checksum: c0ffee\ntrailer x-rows: 3\n\nits body, 8 bytes: \"the body\"\n",
            "  > HEADERS, ",
            ", flags END_STREAM END_HEADERS, stream 1 (",
        ] {
            assert!(page.contains(line), "{line:?} in {page}");
        }
        rawnet
            .server
            .expect("stream 1: POST /with-trailers HTTP/2 -> 200 OK");
    }
}

/// Trailers held to a request's rules (§8.1, §8.2): a pseudo-header, an
/// upper-case name or a connection-specific field in them makes the
/// request malformed, RST_STREAM PROTOCOL_ERROR (rawnet used to take
/// them all and show them on the page), and the connection goes on.
#[test]
fn malformed_trailers_reset_their_stream() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client(validate=False)
resets = []
for trailer in [(":path", "/elsewhere"), ("X-Upper", "1"), ("connection", "close")]:
    stream = c.request("/malformed-trailers", "POST", end_stream=False)
    c.conn.send_data(stream, b"the body")
    c.conn.send_headers(stream, [trailer], end_stream=True)
    c.flush()
    resets.append(c.response(stream)["reset"])
after = c.response(c.request("/after"))
say({"resets": resets, "after": after["headers"][":status"]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(numbers(&out["resets"]), [PROTOCOL_ERROR; 3]);
        assert_eq!(text(&out["after"]), "200");
        for words in [
            "stream 1 reset with RST_STREAM PROTOCOL_ERROR: the pseudo-header :path in trailers (§8.3)",
            "stream 3 reset with RST_STREAM PROTOCOL_ERROR: the field name \"X-Upper\" has upper case (§8.2.1)",
            "stream 5 reset with RST_STREAM PROTOCOL_ERROR: connection is a connection-specific field, which HTTP/2 forbids (§8.2.2)",
            "stream 7: GET /after HTTP/2 -> 200 OK",
        ] {
            rawnet.server.expect(words);
        }
    }
}

/// SETTINGS_INITIAL_WINDOW_SIZE 10, then `?size=100000` with the window
/// opened a little at a time (1 byte, 7, 100, ... up to 50,000, and the
/// connection's as it runs out): after each, rawnet has sent exactly what
/// was opened, in as few frames as the 16,384-byte frame size allows, and
/// not a byte more (a PING after each opening: its ACK comes after any
/// DATA the opening let go). The body is `?size`'s filler, byte for byte.
#[cfg(feature = "knobs")]
#[test]
fn a_tiny_window_gets_exactly_what_the_client_opens() {
    let rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client({"INITIAL_WINDOW_SIZE": 10})
stream = c.request("/?size=100000")
opened, connection = 10, 65535
steps, body, frames_seen = [], b"", 0
openings = [1, 7, 100, 1000, 16384, 20000, 40000, 50000]
while True:
    c.barrier()
    for event in c.events_for(stream):
        if isinstance(event, h2.events.DataReceived):
            body += event.data
    data = c.sent("DATA", stream)
    steps.append({"opened": min(opened, connection), "received": len(body),
                  "frames": [f["length"] for f in data[frames_seen:]]})
    frames_seen = len(data)
    if data and "END_STREAM" in data[-1]["flags"]:
        break
    step = openings[len(steps) - 1]
    c.conn.increment_flow_control_window(step, stream)
    opened += step
    if connection < opened:
        c.conn.increment_flow_control_window(65535)
        connection += 65535
    c.flush()
say({"steps": steps, "body": body.decode()})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        let steps = out["steps"].as_array().unwrap();
        let got: Vec<(u64, u64, Vec<u64>)> = steps
            .iter()
            .map(|s| {
                let n = |k: &str| s[k].as_u64().unwrap();
                (n("opened"), n("received"), numbers(&s["frames"]))
            })
            .collect();
        let expected: Vec<(u64, u64, Vec<u64>)> = vec![
            (10, 10, vec![10]),
            (11, 11, vec![1]),
            (18, 18, vec![7]),
            (118, 118, vec![100]),
            (1118, 1118, vec![1000]),
            (17_502, 17_502, vec![16_384]),
            (37_502, 37_502, vec![16_384, 3616]),
            (77_502, 77_502, vec![16_384, 16_384, 7232]),
            // The last opening is more than is left: the rest, 22,498.
            (127_502, 100_000, vec![16_384, 6114]),
        ];
        assert_eq!(got, expected);
        assert!(
            text(&out["body"]).as_bytes() == filler(100_000),
            "the filler"
        );
    }
}

/// SETTINGS_INITIAL_WINDOW_SIZE changed while a response is waiting for
/// its window: every open stream's window moves by the difference
/// (§6.9.2), down past zero too. 1000 bytes come; 5000 lets 4000 more;
/// 2000 takes the window to -3000, so nothing comes until a
/// WINDOW_UPDATE of 3500 lets exactly 500 through; then a window of
/// 1 MiB and frames of up to 65,536 bytes finish it.
#[cfg(feature = "knobs")]
#[test]
fn initial_window_size_changed_mid_response_moves_its_window() {
    let rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client({"INITIAL_WINDOW_SIZE": 1000})
stream = c.request("/?size=100000")
received, body = [], b""
def settle():
    global body
    c.barrier()
    for event in c.events_for(stream):
        if isinstance(event, h2.events.DataReceived):
            body += event.data
    received.append(len(body))
settle()
c.conn.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: 5000}); c.flush(); settle()
c.conn.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: 2000}); c.flush(); settle()
c.conn.increment_flow_control_window(3500, stream); c.flush(); settle()
c.conn.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20, SettingCodes.MAX_FRAME_SIZE: 65536})
c.conn.max_inbound_frame_size = 65536
c.conn.increment_flow_control_window(1 << 20)
c.flush()
rest = c.response(stream, ack=False)
say({"received": received, "body": body.decode() + rest["body"],
     "frames": [f["length"] for f in c.sent("DATA", stream)]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(numbers(&out["received"]), [1000, 5000, 5000, 5500]);
        assert_eq!(
            numbers(&out["frames"]),
            [1000, 4000, 500, 65_536, 100_000 - 5500 - 65_536]
        );
        assert!(
            text(&out["body"]).as_bytes() == filler(100_000),
            "the filler"
        );
    }
}

/// SETTINGS_MAX_FRAME_SIZE 65,536 in the first SETTINGS, and windows of
/// 1 MiB: a 200,000-byte response comes in frames of exactly that size,
/// never more, the last one the rest.
#[cfg(feature = "knobs")]
#[test]
fn a_larger_max_frame_size_gets_frames_up_to_it() {
    let rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client({"MAX_FRAME_SIZE": 65536, "INITIAL_WINDOW_SIZE": 1 << 20})
c.conn.increment_flow_control_window(1 << 20)
r = c.response(c.request("/?size=200000"), ack=False)
say({"length": r["length"], "ok": r["body"][-64:],
     "frames": [f["length"] for f in c.sent("DATA")]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(out["length"].as_u64(), Some(200_000));
        assert_eq!(
            numbers(&out["frames"]),
            [65_536, 65_536, 65_536, 200_000 - 3 * 65_536]
        );
        assert_eq!(
            text(&out["ok"]).as_bytes(),
            &filler(200_000)[200_000 - 64..]
        );
    }
}

/// SETTINGS_HEADER_TABLE_SIZE 0 once rawnet's encoder has filled its
/// dynamic table: the next response's header block starts with a table
/// size update to 0 (`20`, RFC 7541 §4.2), h2's decoder table is empty
/// from then on and every response still decodes; back to 4096, the
/// next block says so (`3f e1 1f`) and the table fills again.
#[test]
fn header_table_size_zero_and_back_and_the_responses_still_decode() {
    let rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
def three(name):
    out = []
    for i in range(3):
        before = len(c.sent("HEADERS"))
        r = c.response(c.request("/%s/%d" % (name, i), extra=[("x-same", "same value")]))
        block = c.sent("HEADERS")[before]["payload"]
        out.append({"status": r["headers"][":status"], "server": r["headers"]["server"],
                    "starts": block[:8], "table": len(c.conn.decoder.header_table.dynamic_entries)})
    return out
warm = three("warm")
c.conn.update_settings({SettingCodes.HEADER_TABLE_SIZE: 0}); c.flush()
empty = three("empty")
c.conn.update_settings({SettingCodes.HEADER_TABLE_SIZE: 4096}); c.flush()
again = three("again")
say({"warm": warm, "empty": empty, "again": again})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        for part in ["warm", "empty", "again"] {
            for response in out[part].as_array().unwrap() {
                assert_eq!(text(&response["status"]), "200", "{part}: {response}");
                assert!(text(&response["server"]).starts_with("rawnet/"));
            }
        }
        let tables = |part: &str| -> Vec<u64> {
            (out[part].as_array().unwrap().iter())
                .map(|r| r["table"].as_u64().unwrap())
                .collect()
        };
        assert!(tables("warm")[2] > 0, "{}", out["warm"]);
        assert_eq!(tables("empty"), [0, 0, 0]);
        assert!(tables("again")[2] > 0, "{}", out["again"]);
        // The block after each change begins with its size update.
        // (Back to 4096, rawnet says the smallest size since its last
        // block first, 0, though that block already said it: two
        // updates, as RFC 7541 §4.2 allows.)
        // `20` the update to 0, `88` :status 200, `0f 12` date as a
        // literal not indexed (name static 33): nothing goes in a table.
        assert_eq!(text(&out["empty"][0]["starts"]), "20880f12");
        assert_eq!(text(&out["again"][0]["starts"]), "203fe11f");
    }
}

/// 101 requests opened and not finished (HEADERS without END_STREAM):
/// the 101st is refused with RST_STREAM REFUSED_STREAM (rawnet's
/// SETTINGS_MAX_CONCURRENT_STREAMS is 100), the 100 others are answered
/// once they end, and a stream after them is answered too.
#[test]
fn the_101st_open_stream_is_refused() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
streams = [c.request("/open/%d" % i, "POST", end_stream=False) for i in range(101)]
refused = c.until(h2.events.StreamReset)
for stream in streams[:100]:
    c.conn.end_stream(stream)
c.flush()
statuses = [c.response(s)["headers"][":status"] for s in streams[:100]]
after = c.response(c.request("/after"))
say({"refused": [refused.stream_id, int(refused.error_code)], "statuses": statuses,
     "after": [after["stream"], after["headers"][":status"]]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(numbers(&out["refused"]), [201, REFUSED_STREAM]);
        let statuses = out["statuses"].as_array().unwrap();
        assert_eq!(statuses.len(), 100);
        assert!(statuses.iter().all(|s| s == "200"), "{statuses:?}");
        assert_eq!(out["after"], serde_json::json!([203, "200"]));
        rawnet.server.expect(
            "stream 201 reset with RST_STREAM REFUSED_STREAM: more than 100 streams open at once",
        );
    }
}

/// A 1 MB `?size` response reset by the client with CANCEL once its
/// first window (65,535 bytes) is in: no more DATA comes on it, and once
/// the connection's window is given back a new stream gets its whole
/// page on the same connection.
#[cfg(feature = "knobs")]
#[test]
fn a_client_reset_mid_response_stops_it_and_the_connection_goes_on() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
stream = c.request("/?size=1000000")
got = 0
while got < 65535:
    for event in c.read():
        if isinstance(event, h2.events.DataReceived):
            got += len(event.data)
c.conn.reset_stream(stream, 8)
c.conn.increment_flow_control_window(got)
c.flush()
c.barrier()
late = sum(f["length"] for f in c.sent("DATA", stream)) - got
after = c.response(c.request("/after-the-reset"))
say({"got": got, "late": late, "status": after["headers"][":status"],
     "first": after["body"].splitlines()[0]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(out["got"].as_u64(), Some(65_535));
        assert_eq!(out["late"].as_u64(), Some(0), "DATA after the reset");
        assert_eq!(text(&out["status"]), "200");
        assert!(
            text(&out["first"]).starts_with("rawnet got this request on connection #")
                && text(&out["first"]).contains(" (stream 3, request 2 on it) from "),
            "{}",
            out["first"]
        );
        rawnet
            .server
            .expect("h2 frame: RST_STREAM stream 1, CANCEL");
        rawnet
            .server
            .expect("stream 3: GET /after-the-reset HTTP/2 -> 200 OK");
    }
}

/// PINGs with 8 bytes of every kind come back as PING ACK with the same
/// 8 bytes (§6.7), on stream 0.
#[test]
fn a_ping_is_answered_with_its_eight_bytes() {
    let rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
sent, acks = [], []
for data in [b"\x00" * 8, b"\xff" * 8, b"\x00\x01\xfe\xffabcd", bytes(range(8))]:
    c.conn.ping(data)
    c.flush()
    acks.append(c.until(h2.events.PingAckReceived).ping_data.hex())
    sent.append(data.hex())
frames = [[f["stream"], f["flags"], f["payload"]] for f in c.sent("PING")]
say({"sent": sent, "acks": acks, "frames": frames})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(out["acks"], out["sent"]);
        let frames: Vec<Value> = (out["sent"].as_array().unwrap().iter())
            .map(|data| serde_json::json!([0, ["ACK"], data]))
            .collect();
        assert_eq!(out["frames"], Value::Array(frames));
    }
}

/// GOAWAY from the client (written by hand: h2 reads nothing more once
/// it has sent one) while a `?delay`ed response is still to come: the
/// client is leaving, not cancelling, so that response arrives whole,
/// and rawnet sends no GOAWAY of its own for it.
#[cfg(feature = "knobs")]
#[test]
fn goaway_from_the_client_lets_the_open_stream_finish() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
stream = c.request("/?delay=0.2")
goaway = GoAwayFrame(0)
goaway.last_stream_id = 0
goaway.error_code = 0
c.sock.sendall(goaway.serialize())
r = c.response(stream)
c.barrier()
say({"status": r["headers"][":status"], "length": r["length"],
     "content_length": int(r["headers"]["content-length"]),
     "goaways": len(c.sent("GOAWAY"))})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(text(&out["status"]), "200");
        assert!(out["length"].as_u64().unwrap() > 500, "{out}");
        assert_eq!(out["length"], out["content_length"]);
        assert_eq!(out["goaways"].as_u64(), Some(0));
        rawnet
            .server
            .expect("h2 frame: GOAWAY last stream 0, NO_ERROR");
        rawnet
            .server
            .expect("stream 1: GET /?delay=0.2 HTTP/2 -> 200 OK");
    }
}

/// 500 requests one after another on one connection, each with a field
/// that never changes and one that always does: both HPACK tables stay
/// in step for 500 blocks each way (h2 would fail a response it cannot
/// decode), the 500th page numbers it, and shows the unchanging field
/// sent as an index into rawnet's dynamic table.
#[test]
fn five_hundred_requests_on_one_connection_keep_both_tables_in_step() {
    let rawnet = Rawnet::start(&["--quiet"]);
    let script = r##"
c = Client()
bad, lengths = [], []
for i in range(500):
    r = c.response(c.request("/seq/%d" % i, extra=[("x-session", "the same every time"), ("x-count", str(i))]))
    expected = "(stream %d, request %d on it)" % (2 * i + 1, i + 1)
    if r["headers"][":status"] != "200" or expected not in r["body"].splitlines()[0] \
            or int(r["headers"]["content-length"]) != r["length"]:
        bad.append(i)
last = r["body"].splitlines()
blocks = [f["length"] for f in c.sent("HEADERS")]
say({"bad": bad, "fields": [l for l in last if l.startswith(("x-session", "x-count", ":path"))],
     "blocks": [blocks[0], blocks[-1], len(blocks)]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(out["bad"], serde_json::json!([]));
        let fields: Vec<&str> = out["fields"].as_array().unwrap().iter().map(text).collect();
        assert_eq!(fields.len(), 3, "{fields:?}");
        assert!(
            fields[0].starts_with(":path: /seq/499 — literal"),
            "{fields:?}"
        );
        assert!(
            fields[1].starts_with("x-session: the same every time — indexed, dynamic "),
            "{fields:?}"
        );
        assert!(
            fields[2].starts_with("x-count: 499 — literal"),
            "{fields:?}"
        );
        // rawnet's own blocks shrink once its table holds date and server.
        let blocks = numbers(&out["blocks"]);
        assert_eq!(blocks[2], 500);
        assert!(blocks[1] < blocks[0], "{blocks:?}");
    }
}

/// `content-length` that the DATA frames do not add up to, shorter or
/// longer, makes the request malformed (§8.1.1): RST_STREAM
/// PROTOCOL_ERROR, and the connection goes on.
#[test]
fn a_content_length_the_body_disagrees_with_resets_the_stream() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
out = []
for declared, pieces in [("10", [b"12345"]), ("3", [b"12345", b"6"])]:
    stream = c.request("/length", "POST", [("content-length", declared)], end_stream=False)
    for piece in pieces:
        c.conn.send_data(stream, piece)
    c.conn.end_stream(stream)
    c.flush()
    out.append(c.response(stream)["reset"])
after = c.response(c.request("/after"))
say({"resets": out, "after": after["headers"][":status"]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(numbers(&out["resets"]), [PROTOCOL_ERROR, PROTOCOL_ERROR]);
        assert_eq!(text(&out["after"]), "200");
        rawnet.server.expect(
            "stream 1 reset with RST_STREAM PROTOCOL_ERROR: content-length says 10 bytes and the DATA frames carried 5 (§8.1.1)",
        );
        rawnet.server.expect(
            "stream 3 reset with RST_STREAM PROTOCOL_ERROR: content-length says 3 bytes and the DATA frames carried 6 (§8.1.1)",
        );
    }
}

/// A POST with an upper-case field name, its HEADERS and its DATA sent
/// together: rawnet resets the stream (PROTOCOL_ERROR, §8.2.1) while the
/// DATA is already on its way. That DATA is ignored, as §5.1 says frames
/// on a stream the server reset must be (rawnet used to end the whole
/// connection for it, GOAWAY STREAM_CLOSED), its bytes given back on the
/// connection's window, and the next stream is answered.
#[test]
fn an_uppercase_name_resets_its_stream_and_the_body_in_flight_is_ignored() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client(validate=False)
stream = c.request("/upper", "POST", [("X-Upper", "y")], end_stream=False)
c.conn.send_data(stream, b"a body already on its way", end_stream=True)
c.flush()
reset = c.response(stream)["reset"]
after = c.response(c.request("/after"))
c.barrier()
say({"reset": reset, "after": after["headers"][":status"], "goaways": len(c.sent("GOAWAY")),
     "given_back": sum(int(f["payload"], 16) for f in c.sent("WINDOW_UPDATE", 0))})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(out["reset"].as_u64(), Some(PROTOCOL_ERROR));
        assert_eq!(text(&out["after"]), "200");
        assert_eq!(out["goaways"].as_u64(), Some(0));
        assert_eq!(out["given_back"].as_u64(), Some(25));
        rawnet.server.expect(
            "stream 1 reset with RST_STREAM PROTOCOL_ERROR: the field name \"X-Upper\" has upper case (§8.2.1)",
        );
        rawnet
            .server
            .expect("stream 3: GET /after HTTP/2 -> 200 OK");
    }
}

/// The same malformed POST with trailers after its body, all sent at
/// once: after the reset, the trailers' HEADERS is still decoded (h2's
/// encoder put its field in the dynamic table, which the next request
/// then names by index) and ignored, where rawnet used to end the
/// connection (GOAWAY STREAM_CLOSED, "HEADERS on a stream already
/// closed").
#[test]
fn trailers_in_flight_after_a_reset_are_decoded_and_ignored() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client(validate=False)
stream = c.request("/upper", "POST", [("X-Upper", "y")], end_stream=False)
c.conn.send_data(stream, b"a body")
c.conn.send_headers(stream, [("x-after", "trailer value")], end_stream=True)
c.flush()
reset = c.response(stream)["reset"]
after = c.response(c.request("/after", extra=[("x-after", "trailer value")]))
c.barrier()
say({"reset": reset, "after": after["headers"][":status"], "goaways": len(c.sent("GOAWAY")),
     "field": [l for l in after["body"].splitlines() if l.startswith("x-after")]})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(out["reset"].as_u64(), Some(PROTOCOL_ERROR));
        assert_eq!(text(&out["after"]), "200");
        assert_eq!(out["goaways"].as_u64(), Some(0));
        // Entry 63: the trailer's field, one older than this request's
        // own `:path`, which went in just before it (62).
        assert_eq!(
            text(&out["field"][0]),
            "x-after: trailer value — indexed, dynamic 63 (bf)"
        );
        rawnet
            .server
            .expect("stream 3: GET /after HTTP/2 -> 200 OK");
    }
}

/// DATA on a stream the *client* reset is still the client's error
/// (§5.1: after receiving RST_STREAM, any frame but PRIORITY is
/// STREAM_CLOSED): only streams rawnet reset have their late frames
/// ignored. (Written by hand: h2 sends nothing on a stream it reset.)
#[test]
fn data_on_a_stream_the_client_reset_is_still_an_error() {
    let rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
stream = c.request("/", "POST", end_stream=False)
c.conn.reset_stream(stream, 8)
c.flush()
late = DataFrame(stream, b"late", flags=["END_STREAM"])
c.sock.sendall(late.serialize())
ended = c.until(h2.events.ConnectionTerminated)
say({"code": int(ended.error_code), "debug": ended.additional_data.decode()})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(out["code"].as_u64(), Some(STREAM_CLOSED));
        assert_eq!(text(&out["debug"]), "DATA on a closed stream (§5.1)");
    }
}

/// An upload of 10 frames of 500 bytes to a rawnet with `--max-body
/// 1000`, all sent before any answer: the third frame takes the body
/// past the bound, so the stream is reset with CANCEL, the seven frames
/// behind it are ignored and their bytes given back, and the connection
/// still serves.
#[test]
fn an_upload_past_max_body_is_cancelled_and_the_rest_ignored() {
    let mut rawnet = Rawnet::start(&["--max-body", "1000"]);
    let script = r##"
c = Client()
stream = c.request("/upload", "POST", end_stream=False)
for i in range(10):
    c.conn.send_data(stream, bytes([0x41 + i]) * 500, end_stream=i == 9)
c.flush()
reset = c.response(stream)["reset"]
after = c.response(c.request("/after"))
c.barrier()
say({"reset": reset, "after": after["headers"][":status"],
     "given_back": sum(int(f["payload"], 16) for f in c.sent("WINDOW_UPDATE", 0))})
"##;
    for transport in rawnet.transports() {
        let out = rawnet.run(&transport, script);
        assert_eq!(out["reset"].as_u64(), Some(CANCEL));
        assert_eq!(text(&out["after"]), "200");
        assert_eq!(out["given_back"].as_u64(), Some(5000));
        rawnet.server.expect(
            "stream 1 reset with RST_STREAM CANCEL: the bodies of this connection's streams together past --max-body (1000 bytes)",
        );
        rawnet
            .server
            .expect("stream 3: GET /after HTTP/2 -> 200 OK");
    }
}

/// Over TLS, Python's ssl offers ALPN `h2` and trusts rawnet's
/// certificate (`--tls-cert-out`): the handshake agrees on h2, and the
/// page says HTTP/2 with the TLS layer under it.
#[cfg(feature = "tls")]
#[test]
fn over_tls_alpn_agrees_on_h2_and_the_page_shows_the_layer() {
    let mut rawnet = Rawnet::start(&[]);
    let script = r##"
c = Client()
r = c.response(c.request("/over-tls"))
say({"alpn": c.alpn, "status": r["headers"][":status"], "page": r["body"]})
"##;
    let out = rawnet.run(&rawnet.cert.1, script);
    assert_eq!(text(&out["alpn"]), "h2");
    assert_eq!(text(&out["status"]), "200");
    let page = text(&out["page"]);
    for words in [
        " (stream 1, request 1 on it) from 127.0.0.1:",
        ", over HTTP/2.\n",
        "\n  TLS:\n    JA4: t13d",
        "\n:scheme: https — indexed, static 7 (87)\n",
        "\n:path: /over-tls — literal",
    ] {
        assert!(page.contains(words), "{words:?} in {page}");
    }
    let line = rawnet.server.expect("TLS handshake done:");
    assert!(line.contains("ALPN h2"), "{line}");
    rawnet
        .server
        .expect("stream 1: GET /over-tls HTTP/2 -> 200 OK");
}
