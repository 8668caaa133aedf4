//! Differential test of HTTP/1.1 request framing: every case in
//! `tests/differential/cases.txt` is sent to rawnet and to nginx, each
//! followed by `GET /second`, and the two servers' answers are compared.
//! Where both accept a request they must agree on where it ended; every
//! accept/reject disagreement must be listed, with its reason, in the corpus.

mod common;

use rawnet::client::wire;
use std::fmt;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{Daemon, Server};

/// Sent after every case's first request, on the same connection.
const SECOND: &[u8] = b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n";
/// How long a case may take before we stop reading its answers.
const CASE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long we stay a live client before our FIN: long enough for a server
/// to answer what it can (e.g. `100 Continue`) as it would to a slow client.
const BEFORE_FIN: Duration = Duration::from_millis(30);
/// rawnet's body limit, the same as nginx's `client_max_body_size 1m`.
const MAX_BODY: &str = "1048576";

#[test]
fn rawnet_and_nginx_agree_on_request_framing() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/cases.txt");
    let text = fs::read_to_string(&corpus).expect("read tests/differential/cases.txt");
    let cases = parse_corpus(&text).unwrap_or_else(|err| panic!("{}: {err}", corpus.display()));
    assert!(
        cases.len() >= 100,
        "the corpus should keep at least 100 cases"
    );

    let nginx = start_nginx();
    let rawnet = Server::start(&["--mode", "http", "--max-body", MAX_BODY]);

    let started = Instant::now();
    let mut failures = Vec::new();
    let mut rows = Vec::new();
    for case in &cases {
        let head_only = first_method(&case.request) == b"HEAD";
        // Both servers get the case at the same moment, so the case costs
        // one wait, not two.
        let mut ours = Exchange::send(rawnet.addr, &case.request);
        let mut theirs = Exchange::send(nginx.addr, &case.request);
        sleep(BEFORE_FIN);
        ours.finish();
        theirs.finish();
        let deadline = Instant::now() + CASE_TIMEOUT;
        let ours = Observed::new(ours.read_until(deadline), head_only);
        let theirs = Observed::new(theirs.read_until(deadline), head_only);

        let mut problems = Vec::new();
        let note = judge(case, &ours, &theirs, &mut problems);
        rows.push([case.name.clone(), ours.cell(), theirs.cell(), note]);
        for problem in problems {
            failures.push(format!(
                "{} (line {}): {problem}\n    rawnet sent {}\n    nginx sent {}",
                case.name,
                case.line,
                escape(&ours.bytes, 300),
                escape(&theirs.bytes, 300),
            ));
        }
    }
    print_table(&rows);
    println!(
        "{} cases in {:.1}s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        // nginx logs why it refused each request, which is what a `why:`
        // line needs; its directory is gone once the test ends.
        let log = fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
        println!("nginx's reasons (its error log):");
        for line in log.lines().filter(|l| l.contains("client sent")) {
            println!("  {line}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Checks one case's answers against the rules and the corpus; returns the
/// table's note column.
fn judge(case: &Case, ours: &Observed, theirs: &Observed, problems: &mut Vec<String>) -> String {
    // rawnet's own bytes must frame themselves, whatever nginx did.
    if let Err(problem) = strictly_framed(&ours.bytes, first_method(&case.request) == b"HEAD") {
        problems.push(format!("rawnet's answer is not self-delimiting: {problem}"));
    }
    if !ours.closed {
        problems.push("rawnet did not close within 2s of our FIN".into());
    }

    if let Some(pending) = &case.pending {
        if pending.today.matches(&ours.verdict) {
            // The change on main has not reached this branch yet; the case
            // describes the behaviour after it, so nothing more to compare.
            return format!("PENDING merge (today {})", pending.today);
        }
        if pending.after.matches(&ours.verdict) {
            problems.push(format!(
                "rawnet now answers {} as planned: check this case against the new \
                 behaviour and delete its `pending:` line",
                ours.verdict
            ));
        } else {
            problems.push(format!(
                "rawnet answers {}, neither today's {} nor the planned {}",
                ours.verdict, pending.today, pending.after
            ));
        }
    }

    let disagree = ours.verdict.class() != theirs.verdict.class();
    match (&case.expect, disagree) {
        (Some(expect), true) => {
            if !expect.rawnet.matches(&ours.verdict) || !expect.nginx.matches(&theirs.verdict) {
                problems.push(format!(
                    "the corpus expects rawnet {}, nginx {}; got rawnet {}, nginx {}",
                    expect.rawnet, expect.nginx, ours.verdict, theirs.verdict
                ));
            }
            "disagree (listed)".into()
        }
        (Some(expect), false) => {
            problems.push(format!(
                "listed as a disagreement (rawnet {}, nginx {}) but both {}: \
                 delete its `expect:` and `why:` lines",
                expect.rawnet,
                expect.nginx,
                ours.verdict.class()
            ));
            String::new()
        }
        (None, true) => {
            problems.push(format!(
                "rawnet {} but nginx {}: find out why and list it with `expect:` and `why:`",
                ours.verdict, theirs.verdict
            ));
            "DISAGREE (not listed)".into()
        }
        (None, false) => {
            // Both took the first request: the second must fare the same on
            // both, or one of them ended the first request at another byte.
            if ours.verdict.class() == Class::Accepted
                && ours.second_answered != theirs.second_answered
            {
                problems.push(format!(
                    "both accepted the first request, but only {} answered GET /second: \
                     they disagree on where the first request ended",
                    if ours.second_answered {
                        "rawnet"
                    } else {
                        "nginx"
                    }
                ));
            }
            String::new()
        }
    }
}

// ---------------------------------------------------------------------------
// The corpus

/// One case of `cases.txt`.
#[derive(Debug)]
struct Case {
    name: String,
    /// Line of its `case:` line, for failure messages.
    line: usize,
    /// The first request, decoded, with `GET /second` appended.
    request: Vec<u8>,
    expect: Option<Expect>,
    /// Why the servers disagree; required with `expect:`.
    why: String,
    pending: Option<Pending>,
}

#[derive(Debug)]
struct Expect {
    rawnet: Pattern,
    nginx: Pattern,
}

/// A change to rawnet being made on main: what it answers today, and what
/// the case (its `expect:`, or agreement) is written for.
#[derive(Debug)]
struct Pending {
    today: Pattern,
    after: Pattern,
}

/// Outcomes as the corpus writes them, any of which will do: `400`,
/// `405|501`, `accepted`, `rejected`, `none` or `unframed`.
#[derive(Debug)]
struct Pattern {
    text: String,
    options: Vec<Outcome>,
}

#[derive(Debug)]
enum Outcome {
    Status(u16),
    Class(Class),
}

impl Pattern {
    fn parse(text: &str) -> Result<Pattern, String> {
        let options = text
            .split('|')
            .map(|option| match option {
                "accepted" => Ok(Outcome::Class(Class::Accepted)),
                "rejected" => Ok(Outcome::Class(Class::Rejected)),
                "none" => Ok(Outcome::Class(Class::None)),
                "unframed" => Ok(Outcome::Class(Class::Unframed)),
                code if code.len() == 3 => code.parse().map(Outcome::Status).map_err(|_| ()),
                _ => Err(()),
            })
            .collect::<Result<Vec<_>, ()>>()
            .map_err(|()| {
                format!(
                    "{text:?} is not an outcome: a status code, accepted, rejected, none or \
                     unframed, or several joined by |"
                )
            })?;
        Ok(Pattern {
            text: text.to_string(),
            options,
        })
    }

    fn matches(&self, verdict: &Verdict) -> bool {
        self.options.iter().any(|option| match option {
            Outcome::Status(code) => *verdict == Verdict::Status(*code),
            Outcome::Class(class) => verdict.class() == *class,
        })
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_corpus(text: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    for (index, raw_line) in text.lines().enumerate() {
        let line = index + 1;
        let at = |problem: String| format!("line {line}: {problem}");
        if raw_line.trim().is_empty() || raw_line.starts_with('#') {
            continue;
        }
        let (key, value) = raw_line
            .split_once(':')
            .ok_or_else(|| at("expected `key: value`".into()))?;
        let value = value.strip_prefix(' ').unwrap_or(value);
        if key == "case" {
            let name = value.trim();
            if name.is_empty() || cases.iter().any(|c| c.name == name) {
                return Err(at(format!("case name {name:?} is empty or taken")));
            }
            cases.push(Case {
                name: name.to_string(),
                line,
                request: Vec::new(),
                expect: None,
                why: String::new(),
                pending: None,
            });
            continue;
        }
        let case = cases
            .last_mut()
            .ok_or_else(|| at(format!("`{key}:` before the first `case:`")))?;
        add_line(case, key, value).map_err(at)?;
    }
    for case in &mut cases {
        if case.request.is_empty() {
            return Err(format!("case {} has no `send:` line", case.name));
        }
        if case.expect.is_some() == case.why.is_empty() {
            return Err(format!(
                "case {}: `expect:` and `why:` go together",
                case.name
            ));
        }
        case.request.extend_from_slice(SECOND);
    }
    Ok(cases)
}

/// Adds one `key: value` line to the case it belongs to.
fn add_line(case: &mut Case, key: &str, value: &str) -> Result<(), String> {
    match key {
        "send" => {
            // Editors strip trailing blanks, so one that matters must be
            // written as an escape.
            if value.ends_with([' ', '\t']) {
                return Err("a trailing space or tab: write it as \\x20 or \\t".into());
            }
            case.request.extend(unescape(value)?);
        }
        "expect" => {
            let (rawnet, nginx) = value
                .strip_prefix("rawnet ")
                .and_then(|v| v.split_once(", nginx "))
                .ok_or("expected `expect: rawnet OUTCOME, nginx OUTCOME`")?;
            case.expect = Some(Expect {
                rawnet: Pattern::parse(rawnet.trim())?,
                nginx: Pattern::parse(nginx.trim())?,
            });
        }
        "why" => {
            // A long reason goes on several `why:` lines.
            if !case.why.is_empty() {
                case.why.push(' ');
            }
            case.why.push_str(value.trim());
        }
        "pending" => {
            let outcomes = value.split(';').next().unwrap_or_default();
            let (today, after) = outcomes
                .strip_prefix("rawnet ")
                .and_then(|v| v.split_once(" -> "))
                .ok_or("expected `pending: rawnet TODAY -> AFTER; note`")?;
            case.pending = Some(Pending {
                today: Pattern::parse(today.trim())?,
                after: Pattern::parse(after.trim())?,
            });
        }
        _ => return Err(format!("unknown key `{key}:`")),
    }
    Ok(())
}

/// Decodes `\r`, `\n`, `\t`, `\\`, `\xNN` and `\{COUNT*TEXT}` (TEXT, itself
/// escaped, COUNT times; it ends at the first `}`).
fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some((&kind, tail)) = rest.split_first() else {
            return Err("a lone \\ at the end of the line: write \\\\".into());
        };
        rest = tail;
        match kind {
            b'r' => out.push(b'\r'),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'\\' => out.push(b'\\'),
            b'x' => {
                let hex = rest
                    .get(..2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("\\x needs two hex digits")?;
                out.push(hex);
                rest = &rest[2..];
            }
            b'{' => {
                let end = rest
                    .iter()
                    .position(|&b| b == b'}')
                    .ok_or("\\{ without its }")?;
                let inner = std::str::from_utf8(&rest[..end]).map_err(|e| e.to_string())?;
                let (count, unit) = inner.split_once('*').ok_or("write \\{COUNT*TEXT}")?;
                let count: usize = count.parse().map_err(|_| "\\{COUNT*TEXT}: bad COUNT")?;
                out.extend(unescape(unit)?.repeat(count));
                rest = &rest[end + 1..];
            }
            other => return Err(format!("unknown escape \\{}", other as char)),
        }
    }
    Ok(out)
}

/// The method of the first request, after any leading empty lines.
fn first_method(request: &[u8]) -> &[u8] {
    let start = request
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(0);
    let line = &request[start..];
    &line[..line.iter().position(|&b| b == b' ').unwrap_or(0)]
}

// ---------------------------------------------------------------------------
// Talking to a server

/// One case on one server: a fresh connection, everything in one write.
struct Exchange {
    stream: Option<TcpStream>,
}

impl Exchange {
    fn send(addr: SocketAddr, request: &[u8]) -> Exchange {
        let mut stream = TcpStream::connect(addr).expect("connect to a local server");
        // A server that stops reading must not hang the test on our write.
        stream
            .set_write_timeout(Some(CASE_TIMEOUT))
            .expect("write timeout");
        // The server may answer and close before it has read all we send;
        // what it answered is still there to read.
        let _ = stream.write_all(request);
        Exchange {
            stream: Some(stream),
        }
    }

    /// Our FIN: nothing more is coming, so neither server waits for us.
    fn finish(&mut self) {
        if let Some(stream) = &self.stream {
            let _ = stream.shutdown(Shutdown::Write);
        }
    }

    /// Everything the server sends until it closes (`true`) or `deadline`.
    fn read_until(&mut self, deadline: Instant) -> (Vec<u8>, bool) {
        let mut got = Vec::new();
        let Some(stream) = self.stream.as_mut() else {
            return (got, true);
        };
        let mut buf = [0u8; 16 * 1024];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
                return (got, false);
            }
            match stream.read(&mut buf) {
                Ok(0) => return (got, true),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                // A reset after the server closed with our bytes unread:
                // closed all the same, and what arrived before it counts.
                Err(err) if err.kind() == ErrorKind::ConnectionReset => return (got, true),
                Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return (got, false)
                }
                Err(err) => panic!("reading an answer: {err}"),
            }
        }
    }
}

/// What one server made of a case.
struct Observed {
    bytes: Vec<u8>,
    closed: bool,
    /// The first request's fate.
    verdict: Verdict,
    /// A 2xx answer to `GET /second` followed the first request's answer.
    second_answered: bool,
    /// The status codes of every response, 1xx included, for the table.
    statuses: Vec<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// The first final status.
    Status(u16),
    /// Nothing, or only 1xx, before the server closed or time ran out.
    None,
    /// Bytes that are not an HTTP/1.x response (nginx answers HTTP/0.9
    /// requests with the bare body).
    Unframed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Accepted,
    Rejected,
    Other,
    None,
    Unframed,
}

impl Verdict {
    fn class(&self) -> Class {
        match *self {
            Verdict::Status(200..=299) => Class::Accepted,
            Verdict::Status(400..=599) => Class::Rejected,
            Verdict::Status(_) => Class::Other,
            Verdict::None => Class::None,
            Verdict::Unframed => Class::Unframed,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Status(code) => write!(f, "{code}"),
            Verdict::None => f.write_str("none"),
            Verdict::Unframed => f.write_str("unframed"),
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Accepted => "accepted",
            Class::Rejected => "rejected",
            Class::Other => "neither accepted nor rejected",
            Class::None => "gave no answer",
            Class::Unframed => "answered without HTTP framing",
        })
    }
}

impl Observed {
    fn new((bytes, closed): (Vec<u8>, bool), head_only: bool) -> Observed {
        let (responses, _) = split_responses(&bytes, head_only);
        let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
        let mut finals = responses.iter().filter(|r| r.status >= 200);
        let verdict = match finals.next() {
            Some(first) => Verdict::Status(first.status),
            None if responses.is_empty() && !bytes.is_empty() => Verdict::Unframed,
            None => Verdict::None,
        };
        let second_answered = finals
            .next()
            .is_some_and(|r| (200..300).contains(&r.status) && answers_second(&r.body));
        Observed {
            bytes,
            closed,
            verdict,
            second_answered,
            statuses,
        }
    }

    fn cell(&self) -> String {
        let statuses: Vec<String> = self.statuses.iter().map(u16::to_string).collect();
        let mut cell = match self.verdict {
            Verdict::Unframed => "unframed".to_string(),
            _ if statuses.is_empty() => "none".to_string(),
            _ => statuses.join(" "),
        };
        if self.second_answered {
            cell.push_str(" (2nd)");
        }
        if !self.closed {
            cell.push_str(" open");
        }
        cell
    }
}

/// Whether a body answers `GET /second`, not some other request made of
/// the first one's leftovers: nginx's body is `$request_method $request_uri`,
/// rawnet's shows the request line back on a line of its own.
fn answers_second(body: &[u8]) -> bool {
    const SHOWN: &[u8] = b"\nGET /second HTTP/1.1\\r\\n\n";
    body == b"GET /second\n" || body.windows(SHOWN.len()).any(|w| w == SHOWN)
}

// ---------------------------------------------------------------------------
// Taking responses apart

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits `bytes` into responses: a status line, CRLF-terminated headers,
/// then Content-Length bytes of body (none for 1xx, 204, 304, or the
/// answer to HEAD). Stops at the first thing that is not a whole response
/// and says what it was.
fn split_responses(bytes: &[u8], head_only: bool) -> (Vec<Response>, Result<(), String>) {
    let mut responses = Vec::new();
    let mut rest = bytes;
    let mut answered_first = false;
    while !rest.is_empty() {
        match one_response(rest, head_only && !answered_first) {
            Ok((response, used)) => {
                answered_first |= response.status >= 200;
                responses.push(response);
                rest = &rest[used..];
            }
            Err(problem) => return (responses, Err(problem)),
        }
    }
    (responses, Ok(()))
}

/// One whole response at the start of `bytes`, read by `rawnet::client::wire`
/// (the reader `rawnet bench` and the other tests use; written by hand, not
/// with the server's parser), which is strict: a status line, token header
/// names, CRLF everywhere, exactly one Content-Length unless the status
/// carries no body.
fn one_response(bytes: &[u8], head_only: bool) -> Result<(Response, usize), String> {
    let (response, used) = wire::split_closed(bytes, head_only)
        .map_err(|problem| format!("{problem} in {}", escape(bytes, 120)))?;
    let response_owned = Response {
        status: response.status,
        headers: response
            .headers
            .iter()
            .map(|&(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        body: response.body.to_vec(),
    };
    Ok((response_owned, used))
}

/// rawnet's answer is a run of whole responses and nothing else,
/// and an error response says `Connection: close` and is the last thing sent.
fn strictly_framed(bytes: &[u8], head_only: bool) -> Result<(), String> {
    let (responses, parsed) = split_responses(bytes, head_only);
    parsed?;
    for (i, response) in responses.iter().enumerate() {
        if response.status >= 200
            && response.status != 204
            && response.status != 304
            && response.header("Content-Length").is_none()
        {
            return Err(format!("no Content-Length on a {}", response.status));
        }
        if response.status >= 400 {
            if response.header("Connection") != Some("close") {
                return Err(format!("a {} without Connection: close", response.status));
            }
            if i + 1 != responses.len() {
                return Err(format!("more was sent after a {}", response.status));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// nginx

/// nginx from nginx-light, in the foreground with no master process, its
/// config, pid file, temp paths and logs all in a fresh directory (see
/// `common::Daemon`).
fn start_nginx() -> Daemon {
    Daemon::nginx(config)
}

/// `return` answers at once and then reads and throws away the request's
/// body (`ngx_http_discard_request_body`), as nginx does before any
/// response it makes itself; that is how it finds where the next request
/// starts. `client_max_body_size` (1m, the default, written out) is checked
/// against Content-Length before that; a chunked body being discarded has no
/// limit. The body names the request, so a response to `GET /second` can be
/// told from a response to leftovers of the first request.
fn config(dir: &Path, addr: SocketAddr) -> String {
    let dir = dir.display();
    format!(
        "daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 1m;
    server {{
        listen {addr};
        location / {{
            default_type text/plain;
            return 200 \"$request_method $request_uri\\n\";
        }}
    }}
}}
"
    )
}

// ---------------------------------------------------------------------------
// Showing the results

fn print_table(rows: &[[String; 4]]) {
    let header = [
        "case".to_string(),
        "rawnet".to_string(),
        "nginx".to_string(),
        "note".to_string(),
    ];
    let mut widths = [0; 4];
    for row in rows.iter().chain([&header]) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let line = |row: &[String; 4]| {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    };
    println!("statuses of every response; (2nd): GET /second was answered; open: not closed in 2s");
    line(&header);
    for row in rows {
        line(row);
    }
}

/// Bytes for a failure message: printable ASCII as is, the rest escaped,
/// cut after `limit` bytes.
fn escape(bytes: &[u8], limit: usize) -> String {
    let mut text: String = bytes
        .iter()
        .take(limit)
        .map(|&b| match b {
            b'\r' => "\\r".to_string(),
            b'\n' => "\\n".to_string(),
            b'\\' => "\\\\".to_string(),
            0x20..=0x7e => (b as char).to_string(),
            _ => format!("\\x{b:02x}"),
        })
        .collect();
    if bytes.len() > limit {
        text.push_str(&format!("... ({} bytes)", bytes.len()));
    }
    format!("\"{text}\"")
}
