//! `rawnet client`: the tutorial's `net.Socket` client.
//!
//! ```text
//! connect to localhost:8081
//! DATA: You said "I am happyGloria."
//! Connection closed
//! ```
//!
//! Four ways to talk: the tutorial's one message and one reply (default),
//! `--half-close` (send, then FIN, then print everything until the server
//! closes, so the server's `end` event is seen), `--stdin` (copy stdin to
//! the socket and the socket to stdout, like `nc`), and `--http [PATH]` (a
//! GET request typed out by hand, and the raw response: the other half of
//! "HTTP is just text").

use std::fmt;
use std::io::{self, Write};
use std::net::Shutdown;
use std::time::Duration;

use async_net::TcpStream;
use smol::future::{self, FutureExt};
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::{Timer, Unblock};

/// Checked client settings.
#[derive(Clone, Debug)]
pub struct Options {
    pub host: String,
    pub port: u16,
    pub message: Vec<u8>,
    pub half_close: bool,
    pub stdin: bool,
    /// How long to wait for the server to say something before giving up.
    pub wait: Duration,
    /// `--http PATH`: send a hand-built GET for this path instead.
    pub http_path: Option<String>,
}

/// After the first bytes of a reply, how long the line must stay quiet before
/// the reply counts as complete. Node's client takes only the first chunk;
/// a reply that TCP happens to split would then be cut, so wait a moment.
const REPLY_SETTLE: Duration = Duration::from_millis(50);

#[derive(Debug)]
pub enum ClientError {
    Connect { target: String, err: io::Error },
    Silent { target: String, wait: Duration },
    Io { target: String, err: io::Error },
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Connect { target, err } => {
                let hint = match err.kind() {
                    io::ErrorKind::ConnectionRefused => {
                        " (is a server running there? start one with `rawnet`)"
                    }
                    _ => "",
                };
                write!(f, "cannot connect to {target}: {}{hint}", describe(err))
            }
            ClientError::Silent { target, wait } => write!(
                f,
                "{target} sent nothing for {}s (is it an echo server? try --half-close or --stdin)",
                wait.as_secs_f64()
            ),
            ClientError::Io { target, err } => write!(f, "connection to {target} failed: {err}"),
        }
    }
}

impl std::error::Error for ClientError {}

fn describe(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        _ => err.to_string(),
    }
}

/// Runs the client to completion.
pub async fn run(opts: &Options) -> Result<(), ClientError> {
    let target = format!("{}:{}", opts.host, opts.port);
    let io_err = |err| ClientError::Io {
        target: target.clone(),
        err,
    };
    let mut stream = TcpStream::connect((opts.host.as_str(), opts.port))
        .await
        .map_err(|err| ClientError::Connect {
            target: target.clone(),
            err,
        })?;

    if let Some(path) = &opts.http_path {
        return http_get(&mut stream, opts, path, &target).await;
    }

    if opts.stdin {
        // stdout carries only the server's bytes, so it can be piped on.
        eprintln!("connect to {target}");
        relay_stdio(&stream).await.map_err(io_err)?;
        eprintln!("Connection closed");
        return Ok(());
    }

    say(format_args!("connect to {target}\n"));
    stream.write_all(&opts.message).await.map_err(io_err)?;

    let reply = if opts.half_close {
        // FIN: "I have finished sending". The server logs `end`, writes what
        // it still owes and closes, which is our EOF below.
        stream.shutdown(Shutdown::Write).map_err(io_err)?;
        read_until_closed(&mut stream, opts.wait).await
    } else {
        read_reply(&mut stream, opts.wait).await
    };
    let reply = match reply {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return Err(ClientError::Silent {
                target,
                wait: opts.wait,
            })
        }
        Err(err) => return Err(io_err(err)),
    };

    if !reply.is_empty() {
        let mut out = io::stdout().lock();
        let _ = out.write_all(b"DATA: ");
        // The reply as received, byte for byte: `\r\n` and all.
        let _ = out.write_all(&reply);
        if !reply.ends_with(b"\n") {
            let _ = out.write_all(b"\n");
        }
    }
    // The tutorial's `client.destroy()`: closing is dropping the socket.
    drop(stream);
    say(format_args!("Connection closed\n"));
    Ok(())
}

fn say(args: fmt::Arguments) {
    let _ = io::stdout().lock().write_fmt(args);
}

/// `--http`: writes a GET request by hand and prints the response exactly as
/// it arrives. The request goes to stderr line by line (`> `), so stdout holds
/// nothing but the server's bytes.
async fn http_get(
    stream: &mut TcpStream,
    opts: &Options,
    path: &str,
    target: &str,
) -> Result<(), ClientError> {
    let io_err = |err| ClientError::Io {
        target: target.to_string(),
        err,
    };
    // An IPv6 address goes in brackets in Host, as in a URL.
    let host = if opts.host.contains(':') {
        format!("[{}]", opts.host)
    } else {
        opts.host.clone()
    };
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}:{}\r\nUser-Agent: rawnet/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        opts.port,
        env!("CARGO_PKG_VERSION")
    );
    eprintln!("connect to {target}");
    for line in request.split_inclusive("\r\n") {
        eprintln!("> {}\\r\\n", line.trim_end_matches("\r\n"));
    }
    stream.write_all(request.as_bytes()).await.map_err(io_err)?;

    // `Connection: close` asked the server to close after the response, so
    // the response is everything until EOF: no need to parse its framing.
    let response = match read_until_closed(stream, opts.wait).await.map_err(io_err)? {
        Some(response) => response,
        None => {
            return Err(ClientError::Silent {
                target: target.to_string(),
                wait: opts.wait,
            })
        }
    };
    let mut out = io::stdout().lock();
    let _ = out.write_all(&response);
    let _ = out.flush();
    eprintln!("Connection closed ({} bytes received)", response.len());
    Ok(())
}

/// Reads the reply to one message: the first chunk, plus whatever follows
/// within [`REPLY_SETTLE`]. `Ok(None)` if nothing came within `wait`.
async fn read_reply(stream: &mut TcpStream, wait: Duration) -> io::Result<Option<Vec<u8>>> {
    let mut reply = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut limit = wait;
    loop {
        match read_within(stream, &mut buf, limit).await? {
            Some(0) => return Ok(Some(reply)),
            Some(n) => reply.extend_from_slice(&buf[..n]),
            None if reply.is_empty() => return Ok(None),
            None => return Ok(Some(reply)),
        }
        limit = REPLY_SETTLE;
    }
}

/// Reads until the server closes. `Ok(None)` if it went silent for `wait`.
async fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> io::Result<Option<Vec<u8>>> {
    let mut reply = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match read_within(stream, &mut buf, wait).await? {
            Some(0) => return Ok(Some(reply)),
            Some(n) => reply.extend_from_slice(&buf[..n]),
            None => return Ok(None),
        }
    }
}

/// One read, or `None` if nothing arrived within `limit`.
async fn read_within(
    stream: &mut TcpStream,
    buf: &mut [u8],
    limit: Duration,
) -> io::Result<Option<usize>> {
    let read = async { stream.read(buf).await.map(Some) };
    let timer = async {
        Timer::after(limit).await;
        Ok(None)
    };
    read.or(timer).await
}

/// `nc`: stdin to the socket, the socket to stdout, until the server closes.
/// When stdin ends we send FIN (like `nc -N`) and keep printing the replies.
async fn relay_stdio(stream: &TcpStream) -> io::Result<()> {
    let upload = async {
        let mut to_server = stream.clone();
        smol::io::copy(Unblock::new(io::stdin()), &mut to_server).await?;
        stream.shutdown(Shutdown::Write)?;
        // Nothing more to send; keep the download going until it ends.
        future::pending::<io::Result<()>>().await
    };
    let download = async {
        let mut stdout = Unblock::new(io::stdout());
        smol::io::copy(stream.clone(), &mut stdout).await?;
        stdout.flush().await
    };
    download.or(upload).await
}
