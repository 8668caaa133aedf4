//! Test harness: starts the real `rawnet` binary on `--port 0`, reads the
//! port from its first stdout line, and watches its log lines. The child is
//! killed and reaped on `Drop`, so a failing test leaves no server behind.
#![allow(dead_code)] // each test file uses a different part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rawnet::client::wire;

pub mod chromium;

/// Long enough for a loaded CI machine; a passing test never waits this long.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub fn rawnet() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rawnet"));
    // Nothing from the caller's environment may change what rawnet prints.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    lines: Receiver<String>,
    /// Every stdout line read so far, for failure messages.
    pub seen: Vec<String>,
}

impl Server {
    /// Starts `rawnet ARGS --host 127.0.0.1 --port 0` and waits for its
    /// `listening on` line.
    pub fn start(args: &[&str]) -> Server {
        let mut cmd = rawnet();
        cmd.args(args).args(["--host", "127.0.0.1", "--port", "0"]);
        Server::spawn(cmd)
    }

    pub fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the server (scripts/test.sh installs what the tests run)");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            addr: "0.0.0.0:0".parse().unwrap(),
            lines,
            seen: Vec::new(),
        };
        let first = server.next_line().expect("rawnet printed nothing");
        server.addr = listening_addr(&first)
            .unwrap_or_else(|| panic!("first line should be `listening on ADDR`, got {first:?}"));
        server
    }

    /// The next stdout line, or `None` when stdout closed or PATIENCE ran out.
    pub fn next_line(&mut self) -> Option<String> {
        self.next_line_within(PATIENCE)
    }

    pub fn next_line_within(&mut self, limit: Duration) -> Option<String> {
        match self.lines.recv_timeout(limit) {
            Ok(line) => {
                self.seen.push(line.clone());
                Some(line)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Skips lines until one contains `needle`; returns it.
    pub fn expect(&mut self, needle: &str) -> String {
        self.expect_all(&[needle])
    }

    /// Skips lines until one contains every one of `needles`; returns it.
    pub fn expect_all(&mut self, needles: &[&str]) -> String {
        let deadline = Instant::now() + PATIENCE;
        while let Some(line) =
            self.next_line_within(deadline.saturating_duration_since(Instant::now()))
        {
            if needles.iter().all(|n| line.contains(n)) {
                return line;
            }
        }
        panic!(
            "no line containing {needles:?}; saw:\n{}",
            self.seen.join("\n")
        );
    }

    /// Asserts that no line containing `needle` arrives within `limit`.
    pub fn expect_none(&mut self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while let Some(line) =
            self.next_line_within(deadline.saturating_duration_since(Instant::now()))
        {
            assert!(!line.contains(needle), "unexpected line {line:?}");
        }
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).expect("connect to rawnet");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal by name (`INT`, `TERM`) with the `kill` command.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to exit by itself.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "rawnet did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Every remaining stdout line until the process closes stdout.
    pub fn rest(&mut self) -> Vec<String> {
        let mut rest = Vec::new();
        while let Some(line) = self.next_line() {
            rest.push(line);
        }
        rest
    }
}

/// The address in rawnet's first line: `listening on ADDR`, or with `--log
/// json` its `listening` event's `addr`.
fn listening_addr(first: &str) -> Option<SocketAddr> {
    if let Some(addr) = first.strip_prefix("listening on ") {
        return addr.parse().ok();
    }
    let json: serde_json::Value = serde_json::from_str(first).ok()?;
    (json["event"] == "listening").then_some(())?;
    json["addr"].as_str()?.parse().ok()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A connection upgraded to a WebSocket at `/` with RFC 6455's sample
/// key, its 101 read (129 bytes).
pub fn ws_upgraded(server: &Server) -> TcpStream {
    let mut conn = server.connect();
    conn.write_all(
        b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    read_exactly(&mut conn, 129);
    conn
}

/// A bystander's `GET /` on a fresh connection, closed after: its status.
pub fn bystander_get(server: &Server) -> u16 {
    let mut conn = server.connect();
    conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    read_response(&mut conn, &mut Vec::new(), false).status
}

/// Sends `data`, then reads until `expected.len()` bytes arrived (or EOF).
pub fn round_trip(stream: &mut TcpStream, data: &[u8], expected_len: usize) -> Vec<u8> {
    stream.write_all(data).unwrap();
    read_exactly(stream, expected_len)
}

pub fn read_exactly(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut got = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match stream.read(&mut got[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) => panic!("read after {filled} of {len} bytes: {err}"),
        }
    }
    got.truncate(filled);
    got
}

/// Reads until the server closes the connection.
pub fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    stream.read_to_end(&mut got).expect("read until close");
    got
}

pub fn half_close(stream: &TcpStream) {
    stream.shutdown(Shutdown::Write).unwrap();
}

/// Deterministic pseudo-random bytes (xorshift): the same every run, and
/// every byte value appears, including NUL, CR, LF and invalid UTF-8.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The tutorial's reply to one chunk.
pub fn you_said(data: &[u8]) -> Vec<u8> {
    [&b"You said \""[..], data, b"\"\r\n"].concat()
}

/// One HTTP response as read off the wire, taken apart by
/// `rawnet::client::wire` (by hand, not by httparse, so the tests do not
/// share the server's parser), and owned so it outlives the buffer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// The head exactly as received, final CRLF CRLF included.
    pub head: String,
    pub headers: Vec<(String, String)>,
    /// The body; a chunked one decoded (its chunks joined).
    pub body: Vec<u8>,
    /// A chunked body's chunks, each as it was framed (empty otherwise).
    pub chunks: Vec<Vec<u8>>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl From<wire::Response<'_>> for Response {
    fn from(response: wire::Response<'_>) -> Self {
        Response {
            status: response.status,
            head: response.head.to_string(),
            headers: response
                .headers
                .iter()
                .map(|&(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: match response.chunks.is_empty() {
                true => response.body.to_vec(),
                false => response.chunks.concat(),
            },
            chunks: response.chunks.iter().map(|c| c.to_vec()).collect(),
        }
    }
}

/// Reads one complete response (head, then Content-Length bytes of body;
/// `head_only` for HEAD) from `stream`, and panics with what is wrong if
/// it is not a strict HTTP/1.1 response. Bytes past it stay in `pending`
/// for the next call, which is how pipelined responses are taken apart.
pub fn read_response(stream: &mut TcpStream, pending: &mut Vec<u8>, head_only: bool) -> Response {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match wire::split(pending, head_only) {
            Ok(Some((response, used))) => {
                let response = Response::from(response);
                pending.drain(..used);
                return response;
            }
            Ok(None) => {}
            Err(problem) => panic!("{problem}; got {:?}", String::from_utf8_lossy(pending)),
        }
        match stream.read(&mut buf) {
            Ok(0) => {
                let problem = wire::split_closed(pending, head_only)
                    .err()
                    .map_or(String::new(), |p| p.to_string());
                panic!(
                    "connection closed inside a response ({problem}); got {:?}",
                    String::from_utf8_lossy(pending)
                )
            }
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(err) => panic!(
                "reading a response: {err}; got {:?}",
                String::from_utf8_lossy(pending)
            ),
        }
    }
}

/// Asserts that the server closes the connection with nothing more to say.
pub fn assert_closed(stream: &mut TcpStream, pending: &[u8]) {
    assert!(
        pending.is_empty(),
        "unexpected bytes {:?}",
        String::from_utf8_lossy(pending)
    );
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => assert!(
            rest.is_empty(),
            "unexpected bytes {:?}",
            String::from_utf8_lossy(&rest)
        ),
        // A reset after our unread bytes still means closed.
        Err(err) => assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}"),
    }
}

/// A response head with its `Date` line removed, for comparing two heads.
pub fn without_date(head: &str) -> String {
    head.split("\r\n")
        .filter(|l| !l.starts_with("Date: "))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Someone else's server (nginx, HAProxy) that a test runs beside rawnet:
/// in the foreground, on a free loopback port, with its config, pid file
/// and logs in a fresh temporary directory. Killed, and the directory
/// removed, on `Drop`, even when the test panics.
pub struct Daemon {
    child: Child,
    pub addr: SocketAddr,
    pub dir: std::path::PathBuf,
}

impl Daemon {
    /// nginx from nginx-light with the config `config(dir, addr)`: its
    /// prefix and error log in the daemon's directory too (without `-e`,
    /// nginx opens /var/log/nginx/error.log before it has read the config
    /// that says otherwise).
    pub fn nginx(config: impl Fn(&std::path::Path, SocketAddr) -> String) -> Daemon {
        Daemon::start("nginx", "nginx-light", config, |dir, file| {
            vec![
                "-p".into(),
                dir.into(),
                "-c".into(),
                file.into(),
                "-e".into(),
                dir.join("error.log").into(),
            ]
        })
    }

    /// nginx as an HTTP server on its free port with one `location /`
    /// whose body is `location` (a `proxy_pass` to rawnet): every path
    /// nginx would write to is in its directory.
    pub fn nginx_http(location: &str) -> Daemon {
        Daemon::nginx_http_listening("", location)
    }

    /// [`Daemon::nginx_http`] with `options` after its `listen` address
    /// (`http2`: HTTP/2 with prior knowledge).
    pub fn nginx_http_listening(options: &str, location: &str) -> Daemon {
        Daemon::nginx(|dir, listen| {
            let dir = dir.display();
            format!(
                "daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen {listen} {options};
        location / {{
{location}
        }}
    }}
}}
"
            )
        })
    }

    /// Debian's haproxy in the foreground (`-db`), one `listen` section in
    /// front of rawnet: `defaults` is what the defaults section says
    /// besides its timeouts (`mode tcp`), `server_line` what follows
    /// `server rawnet ADDR` (`send-proxy-v2`) and any lines after it.
    pub fn haproxy(rawnet: SocketAddr, defaults: &str, server_line: &str) -> Daemon {
        Daemon::start(
            "haproxy",
            "haproxy",
            |_, listen| {
                format!(
                    "global\n  maxconn 64\n\
                     defaults\n  {defaults}\n  timeout connect 5s\n  timeout client 10s\n\
                     \x20 timeout server 10s\n\
                     listen front\n  bind {listen}\n  server rawnet {rawnet} {server_line}\n"
                )
            },
            |_, file| vec!["-f".into(), file.into(), "-db".into()],
        )
    }

    /// Runs `program` (found in PATH, then /usr/sbin; `install` says what
    /// to install when it is missing) with the config `config(dir, addr)`
    /// written to `dir/NAME.conf`, and the arguments `args(dir, config
    /// file)`. Returns once it listens on `addr`.
    pub fn start(
        program: &str,
        install: &str,
        config: impl Fn(&std::path::Path, SocketAddr) -> String,
        args: impl Fn(&std::path::Path, &std::path::Path) -> Vec<std::ffi::OsString>,
    ) -> Daemon {
        let binary = find_program(program, install);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("rawnet-{program}-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the daemon's directory");
        let file = dir.join(format!("{program}.conf"));
        // Another process may take the free port between our probe and
        // the daemon's bind; a few tries make that harmless.
        let mut last_error = String::new();
        for _ in 0..3 {
            let addr = free_port();
            std::fs::write(&file, config(&dir, addr)).expect("write the config");
            let mut child = Command::new(&binary)
                .args(args(&dir, &file))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|err| panic!("run {}: {err}", binary.display()));
            match wait_listening(&mut child, addr, &dir) {
                Ok(()) => return Daemon { child, addr, dir },
                Err(err) => last_error = err,
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&dir);
        panic!("{program} did not start: {last_error}");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh temporary directory of the test's own, removed on `Drop`.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("rawnet-{name}-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TempDir(dir)
    }

    /// A path in it, as a string for a command line.
    pub fn file(&self, name: &str) -> String {
        self.0
            .join(name)
            .to_str()
            .expect("a UTF-8 path")
            .to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `curl -sS --max-time 10 ARGS`, its output whatever its exit status.
pub fn curl(args: &[&str]) -> std::process::Output {
    Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run curl (scripts/test.sh installs it)")
}

/// Debian's Python (`/usr/bin/python3`, where python3-websockets is) runs
/// `script` with `args`; its stdout, once it exited successfully.
pub fn python3(script: &str, args: &[&str]) -> String {
    let output = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("/usr/bin/python3 (scripts/test.sh installs python3-websockets)");
    assert!(
        output.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("python3 printed UTF-8")
}

/// Waits until the daemon has bound `addr`: a bind of our own fails then.
/// (A probe connection would go through a proxy to rawnet and add a line
/// to its log.)
fn wait_listening(
    child: &mut Child,
    addr: SocketAddr,
    dir: &std::path::Path,
) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            return Err(format!("it exited ({status}): {stderr}{log}"));
        }
        if std::net::TcpListener::bind(addr).is_err() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err("it was not listening after 10s".into())
}

/// PATH first, then Debian's /usr/sbin, which a non-root PATH often lacks.
pub fn find_program(name: &str, install: &str) -> std::path::PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .chain([std::path::PathBuf::from("/usr/sbin").join(name)])
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed (not in PATH nor /usr/sbin): run scripts/test.sh, \
                 which installs it, or apt-get install {install}"
            )
        })
}

/// A process's resident memory, in KiB, from `/proc/PID/status`.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// curl 7.88.1's ClientHello fingerprints (Debian 12's curl and OpenSSL
/// 3.0, to `localhost`), as independent implementations gave them (see
/// `data/tls/captured-fingerprints.json`).
pub const CURL_JA4: &str = "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6";
pub const CURL_JA3: &str = "0149f47eabf9a20d0893e2a44e5a6323";

/// The JA4 and JA3 at the end of a `tls_hello` text line.
pub fn hello_fingerprints(line: &str) -> (String, String) {
    let (_, tail) = line.rsplit_once("; JA4 ").expect("a JA4");
    let (ja4, ja3) = tail.split_once(", JA3 ").expect("a JA3");
    assert!(
        ja3.len() == 32 && ja3.bytes().all(|b| b.is_ascii_hexdigit()),
        "{line}"
    );
    (ja4.to_string(), ja3.to_string())
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    listener.local_addr().expect("its address")
}
