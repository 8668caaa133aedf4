//! The command line: argh structs (what the user typed) and their checked
//! form (what the server and client run with), kept apart as termscp does.

use std::time::Duration;

use argh::FromArgs;

#[cfg(feature = "bench")]
use crate::bench::{self, BenchMode};
use crate::budget::{Budget, DEFAULT_MEMORY_BUDGET_MIB, MIB};
use crate::client;
use crate::conn::{
    self, DEFAULT_IDLE_CLOSE_SECS, DEFAULT_TIMEOUT_SECS, DEFAULT_WRITE_TIMEOUT_SECS,
};
#[cfg(feature = "knobs")]
use crate::http::knobs::{self, DEFAULT_MAX_DELAY_SECS, DEFAULT_MAX_SIZE};
use crate::http::{
    self, DEFAULT_BODY_TIMEOUT_SECS, DEFAULT_HEAD_TIMEOUT_SECS, DEFAULT_MAX_BODY, DEFAULT_MAX_HEAD,
    DEFAULT_STATUS,
};
use crate::log::{Format, Logger, Verbosity};
use crate::protocol::{Mode, ProxyProtocol, DEFAULT_MODE, DEFAULT_PROXY_PROTOCOL};
use crate::server::{self, DEFAULT_GRACE_SECS};
use crate::settings::Settings;
#[cfg(feature = "tls")]
use crate::tls::{self, ClientCert, DEFAULT_HANDSHAKE_TIMEOUT_SECS};
#[cfg(feature = "websocket")]
use crate::ws::{self, DEFAULT_MAX_MESSAGE, DEFAULT_MESSAGE_TIMEOUT_SECS};

/// The tutorial's `localhost:8081`.
pub(crate) const DEFAULT_HOST: &str = "localhost";
pub(crate) const DEFAULT_PORT: u16 = 8081;
/// `rawnet client --http`'s method unless `--method` says otherwise.
pub(crate) const DEFAULT_METHOD: &str = "GET";

/// rawnet shows what sits under HTTP: bytes on a TCP connection. Without a
/// subcommand it runs the server (`rawnet --port 0` is `rawnet serve --port 0`).
#[derive(FromArgs, Debug, PartialEq)]
pub(crate) struct Args {
    /// print the version and exit
    #[argh(switch)]
    pub version: bool,

    #[argh(subcommand)]
    pub command: Option<Command>,
}

#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand)]
pub(crate) enum Command {
    Serve(ServeArgs),
    Client(ClientArgs),
    #[cfg(feature = "bench")]
    Bench(BenchArgs),
}

/// Run the server (the default): echo and HTTP on one TCP port. Each
/// connection is logged with the client's address and port, then its `data`
/// or HTTP requests, `end`, `timeout` and `close` events.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "serve")]
pub(crate) struct ServeArgs {
    /// host name or address to listen on; every address it resolves to is
    /// served, so localhost means 127.0.0.1 and ::1 (default: localhost)
    #[argh(option, default = "String::from(DEFAULT_HOST)")]
    pub host: String,

    /// TCP port; 0 picks a free one and prints it (default: 8081)
    #[argh(option, default = "DEFAULT_PORT")]
    pub port: u16,

    /// what to speak: `auto` decides per connection from its first line,
    /// HTTP if it is an HTTP request line (`GET / HTTP/1.1`, CRLF or bare
    /// LF), otherwise echo, so curl, browsers and nc share one port; `http`
    /// always HTTP/1.1; `echo` answers each chunk with `You said "<chunk>"`
    /// plus CRLF (the tutorial); `raw` sends every byte back unchanged (a
    /// raw connection never reads HTTP, so it never becomes a WebSocket:
    /// see --ws-echo) (default: auto)
    #[argh(option, default = "DEFAULT_MODE", from_str_fn(mode))]
    pub mode: Mode,

    /// in modes auto and http, a PROXY protocol header (v1 or v2, what
    /// HAProxy's send-proxy and load balancers send first, naming the
    /// client): `auto` reads one when the first bytes start like one, logs
    /// the client it names and goes on with the bytes after it; `off`
    /// treats them as data; `require` closes a connection without one
    /// (default: auto)
    #[cfg(feature = "proxy")]
    #[argh(
        option,
        default = "DEFAULT_PROXY_PROTOCOL",
        from_str_fn(proxy_protocol)
    )]
    pub proxy_protocol: ProxyProtocol,

    /// HTTP: the status of every response, with its standard reason phrase,
    /// 200 to 599 (default: 200)
    #[argh(option, default = "DEFAULT_STATUS")]
    pub status: u16,

    /// HTTP: serve this fixed text as the body instead of showing the
    /// request back (the tutorial's `hello,world`)
    #[argh(option)]
    pub body: Option<String>,

    /// HTTP: largest request head (request line and headers) in bytes; more
    /// gets 414 or 431, as do more than 64 header lines (default: 8192)
    #[argh(option, default = "DEFAULT_MAX_HEAD")]
    pub max_head: usize,

    /// HTTP: largest request body in bytes; more gets 413 (default: 1048576)
    #[argh(option, default = "DEFAULT_MAX_BODY")]
    pub max_body: usize,

    /// HTTP: the longest a request's `?delay` may hold its response, in
    /// seconds, `?drip`'s chunks included; more gets 400 (default: 30)
    #[cfg(feature = "knobs")]
    #[argh(option, default = "DEFAULT_MAX_DELAY_SECS")]
    pub max_delay: u64,

    /// HTTP: the largest body a request's `?size` may ask for, in bytes;
    /// more gets 400 (default: 10485760)
    #[cfg(feature = "knobs")]
    #[argh(option, default = "DEFAULT_MAX_SIZE")]
    pub max_size: u64,

    /// HTTP: let `?header` add headers that act on the browser (Set-Cookie,
    /// Access-Control-*, WWW-Authenticate, Refresh, a Location off this
    /// server...). Unsafe: any link to this server can then set cookies for
    /// its host, which every port on it shares (other apps on localhost
    /// included), grant other origins CORS access to its answers, ask for
    /// passwords, and redirect off-site
    #[cfg(feature = "knobs")]
    #[argh(switch)]
    pub allow_unsafe_headers: bool,

    /// websocket: largest message, assembled from its frames, in bytes;
    /// more gets close code 1009 (default: 1048576)
    #[cfg(feature = "websocket")]
    #[argh(option, default = "DEFAULT_MAX_MESSAGE")]
    pub ws_max_message: usize,

    /// websocket: what each message is answered with, as one frame of its
    /// type: `you-said` is `You said "<message>"`, the tutorial one layer
    /// up; `raw` the message unchanged, the WebSocket counterpart of
    /// --mode raw (default: you-said)
    #[cfg(feature = "websocket")]
    #[argh(option, default = "ws::DEFAULT_ECHO", from_str_fn(ws_echo))]
    pub ws_echo: ws::Echo,

    /// websocket: seconds for a whole message to arrive, every frame of it,
    /// once it has begun; then close code 1008 (default: 10)
    #[cfg(feature = "websocket")]
    #[argh(option, default = "DEFAULT_MESSAGE_TIMEOUT_SECS")]
    pub ws_message_timeout: u64,

    /// HTTP: seconds for a whole request head to arrive, however it is
    /// dribbled; then 408 and close (default: 10)
    #[argh(option, default = "DEFAULT_HEAD_TIMEOUT_SECS")]
    pub head_timeout: u64,

    /// HTTP: seconds for a whole request body to arrive after its head;
    /// then 408 and close (default: 10)
    #[argh(option, default = "DEFAULT_BODY_TIMEOUT_SECS")]
    pub body_timeout: u64,

    /// seconds without data from a client before its `timeout` event; the
    /// connection stays open, as in Node, and an echo connection starts to
    /// pipe each chunk back raw as well, as the tutorial's timeout handler
    /// does; 0 turns it off (default: 3)
    #[argh(option, default = "DEFAULT_TIMEOUT_SECS")]
    pub timeout: u64,

    /// keep the echo plain: a timeout only logs, and does not add the
    /// tutorial's raw pipe (`socket.pipe(socket)`)
    #[argh(switch)]
    pub plain_echo: bool,

    /// seconds without data after which a connection is closed; 0 = never
    /// (default: 60)
    #[argh(option, default = "DEFAULT_IDLE_CLOSE_SECS")]
    pub idle_close: u64,

    /// connections open at once; one more is accepted, logged as refused and
    /// closed at once (default: the open-file limit less 32)
    #[argh(option)]
    pub max_connections: Option<usize>,

    /// memory, in MiB, that all connections together may hold in request
    /// bodies, requests waiting behind a held response, WebSocket messages
    /// and replies their clients have not read; a connection that would
    /// pass it gets 503 (WebSocket: close code 1013), or is closed if it is
    /// not reading, and the others go on (default: 256)
    #[argh(option, default = "DEFAULT_MEMORY_BUDGET_MIB")]
    pub memory_budget: usize,

    /// seconds a client may take none of a reply before the connection is
    /// closed (the clock starts again whenever it takes bytes); nothing more
    /// is read from it meanwhile; 0 = never (default: 30)
    #[argh(option, default = "DEFAULT_WRITE_TIMEOUT_SECS")]
    pub write_timeout: u64,

    /// seconds open connections get to finish after Ctrl-C or SIGTERM before
    /// they are closed; a second Ctrl-C exits at once (default: 5)
    #[argh(option, default = "DEFAULT_GRACE_SECS")]
    pub grace: u64,

    /// OS threads serving connections (default: one per core)
    #[argh(option)]
    pub threads: Option<usize>,

    /// answer HTTP/2 (prior knowledge, or `h2` by ALPN with --tls) with
    /// GOAWAY HTTP_1_1_REQUIRED and the client's settings explained,
    /// instead of speaking it
    #[cfg(feature = "h2")]
    #[argh(switch)]
    pub no_h2: bool,

    /// a label for this instance, shown beside its host name in the pages'
    /// TCP layer: which of several rawnets behind a load balancer answered
    #[argh(option)]
    pub name: Option<String>,

    /// TLS on the same port: a ClientHello gets a real handshake (TLS 1.2
    /// and 1.3, ALPN http/1.1) and what is inside is served as a plain
    /// connection is; plain connections go on working. Without --cert, a
    /// certificate for localhost, 127.0.0.1 and ::1 is made at start
    /// (its SHA-256 on the start-up line). SSLKEYLOGFILE=FILE writes the
    /// secrets for Wireshark
    #[cfg(feature = "tls")]
    #[argh(switch)]
    pub tls: bool,

    /// with --tls: the certificate chain to serve, PEM, the server's first
    #[cfg(feature = "tls")]
    #[argh(option)]
    pub cert: Option<String>,

    /// with --tls: the private key of --cert, PEM (PKCS#8, PKCS#1 or SEC1)
    #[cfg(feature = "tls")]
    #[argh(option)]
    pub key: Option<String>,

    /// with --tls: write the certificate made at start to this file, as
    /// PEM, for `curl --cacert FILE`
    #[cfg(feature = "tls")]
    #[argh(option)]
    pub tls_cert_out: Option<String>,

    /// with --tls: ask each client for a certificate: `off`, `optional`
    /// (the pages show it, or that none came) or `require` (no certificate
    /// gets a certificate_required alert) (default: off)
    #[cfg(feature = "tls")]
    #[argh(option, default = "ClientCert::Off", from_str_fn(client_cert))]
    pub client_cert: ClientCert,

    /// with --client-cert: the CA certificates (PEM) a client's must chain
    /// to; without it any certificate is taken, shown as unverified
    #[cfg(feature = "tls")]
    #[argh(option)]
    pub client_ca: Option<String>,

    /// with --tls: seconds a TLS handshake may take, from the ClientHello
    /// to the client's Finished, before the connection is cut (default: 10)
    #[cfg(feature = "tls")]
    #[argh(option, default = "DEFAULT_HANDSHAKE_TIMEOUT_SECS")]
    pub tls_handshake_timeout: u64,

    /// print only the start-up and shutdown lines
    #[argh(switch, short = 'q')]
    pub quiet: bool,

    /// also print the exact bytes of each connection, `>` received and `<`
    /// sent, escaped so that \r, \n and non-UTF-8 bytes show
    #[argh(switch)]
    pub trace: bool,

    /// how each line is printed: `text` for people, `json` for one JSON
    /// object per line (for jq or a log collector) (default: text)
    #[argh(option, default = "Format::Text", from_str_fn(log_format))]
    pub log: Format,
}

/// Connect, send a message and print the reply: the tutorial's net.Socket
/// client.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "client")]
pub(crate) struct ClientArgs {
    /// server host name or address (default: localhost)
    #[argh(option, default = "String::from(DEFAULT_HOST)")]
    pub host: String,

    /// server port (default: 8081)
    #[argh(option, default = "DEFAULT_PORT")]
    pub port: u16,

    /// what to send (default: "I am happyGloria.")
    #[argh(option, default = "String::from(\"I am happyGloria.\")")]
    pub message: String,

    /// after sending, close our side (FIN) and print everything until the
    /// server closes, so its `end` event shows
    #[argh(switch)]
    pub half_close: bool,

    /// copy stdin to the server and its replies to stdout, like nc; status
    /// lines go to stderr
    #[argh(switch)]
    pub stdin: bool,

    /// seconds to wait for the server to answer (default: 5)
    #[argh(option, default = "5")]
    pub wait: u64,

    /// speak TLS (rustls: TLS 1.2 and 1.3, ALPN http/1.1, SNI the --host
    /// when it is a name), print what was agreed, the server's certificate
    /// and this client's own ClientHello's JA4 and JA3, then talk as
    /// without it; needs --ca or --insecure; the handshake has --wait to
    /// be done
    #[cfg(feature = "tls")]
    #[argh(switch)]
    pub tls: bool,

    /// with --tls, the certificates to trust (PEM), such as the one
    /// `rawnet serve --tls --tls-cert-out FILE` writes
    #[cfg(feature = "tls")]
    #[argh(option)]
    pub ca: Option<String>,

    /// with --tls, take any certificate without checking it: encrypted,
    /// but to whoever is there
    #[cfg(feature = "tls")]
    #[argh(switch)]
    pub insecure: bool,

    /// send a hand-built HTTP request for PATH (default /) instead of the
    /// message, and print the raw response as received; from rawnet, also
    /// what changed on the way, and when each chunk arrived
    #[argh(switch)]
    pub http: bool,

    /// with --http, speak HTTP/2 (prior knowledge, or h2 by ALPN with
    /// --tls) and print every frame both ways on stderr
    #[cfg(feature = "h2")]
    #[argh(switch)]
    pub http2: bool,

    /// with --http, the request method (default: GET)
    #[argh(option, default = "String::from(DEFAULT_METHOD)")]
    pub method: String,

    /// with --http, a header line `Name:Value` to send (repeatable); one
    /// named Host, User-Agent, Accept or Connection replaces the client's
    #[argh(option)]
    pub header: Vec<String>,

    /// with --http, a body to send: TEXT, or @FILE for a file's bytes;
    /// framed by a Content-Length counted by hand, or as one chunk when a
    /// --header gives Transfer-Encoding
    #[argh(option)]
    pub data: Option<String>,

    /// with --http, the path to request (default: /)
    #[argh(positional)]
    pub path: Option<String>,
}

/// Load a server with many connections, check every reply, and report
/// requests/s, MB/s, latency percentiles and errors.
#[cfg(feature = "bench")]
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "bench")]
pub(crate) struct BenchArgs {
    /// server host name or address (default: localhost)
    #[argh(option, default = "String::from(DEFAULT_HOST)")]
    pub host: String,

    /// server port (default: 8081)
    #[argh(option, default = "DEFAULT_PORT")]
    pub port: u16,

    /// what to send: `echo` expects `You said "<payload>"` plus CRLF, `raw`
    /// the payload back, `http` a 200 response to `GET /`, `ws` a WebSocket
    /// upgrade, then masked text messages each answered by one text frame
    /// `You said "<message>"` (default: echo)
    #[argh(option, default = "BenchMode::Echo", from_str_fn(bench_mode))]
    pub mode: BenchMode,

    /// connections open at once (default: 32)
    #[argh(option, default = "32")]
    pub connections: usize,

    /// seconds to run (default: 5)
    #[argh(option, default = "5.0")]
    pub duration: f64,

    /// payload bytes per request in echo, raw and ws modes (default: 64)
    #[argh(option, default = "64")]
    pub size: usize,

    /// requests sent together on a connection before reading the replies
    /// (default: 1)
    #[argh(option, default = "1")]
    pub pipeline: usize,

    /// http: the body every response must have
    #[argh(option)]
    pub expect: Option<String>,

    /// OS threads for the load generator (default: one per core)
    #[argh(option)]
    pub threads: Option<usize>,
}

/// The words of each option that names a choice, and the core's value for
/// each. They live here rather than as argh derives on the core's enums,
/// so that `protocol.rs`, `ws/` and `bench/` know nothing of the command
/// line; a new variant needs its word here too.
const MODES: [(&str, Mode); 4] = [
    ("auto", Mode::Auto),
    ("echo", Mode::Echo),
    ("raw", Mode::Raw),
    ("http", Mode::Http),
];
#[cfg(feature = "proxy")]
const PROXY_PROTOCOLS: [(&str, ProxyProtocol); 3] = [
    ("auto", ProxyProtocol::Auto),
    ("off", ProxyProtocol::Off),
    ("require", ProxyProtocol::Require),
];
#[cfg(feature = "websocket")]
const WS_ECHOES: [(&str, ws::Echo); 2] = [("you-said", ws::Echo::YouSaid), ("raw", ws::Echo::Raw)];
const LOG_FORMATS: [(&str, Format); 2] = [("text", Format::Text), ("json", Format::Json)];
#[cfg(feature = "bench")]
const BENCH_MODES: [(&str, BenchMode); 4] = [
    ("echo", BenchMode::Echo),
    ("raw", BenchMode::Raw),
    ("http", BenchMode::Http),
    ("ws", BenchMode::Ws),
];

fn mode(word: &str) -> Result<Mode, String> {
    choose(&MODES, word)
}

#[cfg(feature = "proxy")]
fn proxy_protocol(word: &str) -> Result<ProxyProtocol, String> {
    choose(&PROXY_PROTOCOLS, word)
}

#[cfg(feature = "websocket")]
fn ws_echo(word: &str) -> Result<ws::Echo, String> {
    choose(&WS_ECHOES, word)
}

#[cfg(feature = "tls")]
fn client_cert(word: &str) -> Result<ClientCert, String> {
    let choices = [
        ("off", ClientCert::Off),
        ("optional", ClientCert::Optional),
        ("require", ClientCert::Require),
    ];
    choose(&choices, word)
}

fn log_format(word: &str) -> Result<Format, String> {
    choose(&LOG_FORMATS, word)
}

#[cfg(feature = "bench")]
fn bench_mode(word: &str) -> Result<BenchMode, String> {
    choose(&BENCH_MODES, word)
}

/// The value `word` names among `choices`, or the words argh's own derive
/// would say: `expected "auto", "echo", "raw" or "http"`.
fn choose<T: Copy>(choices: &[(&str, T)], word: &str) -> Result<T, String> {
    if let Some(&(_, value)) = choices.iter().find(|(name, _)| *name == word) {
        return Ok(value);
    }
    let names: Vec<String> = choices
        .iter()
        .map(|(name, _)| format!("{name:?}"))
        .collect();
    Err(match names.split_last() {
        Some((last, [])) => format!("expected {last}"),
        Some((last, rest)) => format!("expected {} or {last}", rest.join(", ")),
        None => "expected nothing".into(),
    })
}

/// What `main` should do, once the arguments are checked.
#[derive(Debug)]
pub enum Action {
    Serve {
        host: String,
        port: u16,
        settings: Settings,
    },
    Client(client::Options),
    #[cfg(feature = "bench")]
    Bench(bench::Options),
    /// `--help` or `--version`: print this on stdout and exit 0.
    Print(String),
}

/// A usage error: printed on stderr, exit code 2.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

/// The subcommands whose help the full `--help` shows.
#[cfg(feature = "bench")]
const SUBCOMMANDS: [&str; 3] = ["serve", "client", "bench"];
#[cfg(not(feature = "bench"))]
const SUBCOMMANDS: [&str; 2] = ["serve", "client"];

/// Parses `argv` (program name first).
pub fn parse(argv: &[String]) -> Result<Action, UsageError> {
    let mut args: Vec<&str> = argv.iter().skip(1).map(String::as_str).collect();
    match args.first().copied() {
        Some("--help" | "-h" | "help") if args.len() == 1 => return Ok(Action::Print(full_help())),
        // No subcommand means serve: `rawnet --port 0` is `rawnet serve --port 0`.
        None => args.insert(0, "serve"),
        Some(first) if first.starts_with('-') && first != "--version" => args.insert(0, "serve"),
        _ => {}
    }

    let parsed = match Args::from_args(&["rawnet"], &args) {
        Ok(parsed) => parsed,
        Err(exit) if exit.status.is_ok() => return Ok(Action::Print(exit.output)),
        Err(exit) => {
            return Err(UsageError(format!(
                "{}\nRun 'rawnet --help' for the options.",
                exit.output.trim_end()
            )))
        }
    };
    if parsed.version {
        return Ok(Action::Print(format!(
            "rawnet {}\n",
            env!("CARGO_PKG_VERSION")
        )));
    }
    match parsed.command {
        Some(Command::Serve(serve)) => serve_action(serve),
        Some(Command::Client(client)) => client_action(client),
        #[cfg(feature = "bench")]
        Some(Command::Bench(args)) => bench_action(args),
        None => unreachable!("a subcommand is inserted when none is given"),
    }
}

/// The serve options checked together: how much to print, and the memory
/// budget in bytes.
fn serve_checks(args: &ServeArgs) -> Result<(Verbosity, Budget), UsageError> {
    let verbosity = match (args.quiet, args.trace) {
        (true, true) => {
            return Err(UsageError(
                "--quiet and --trace cannot be used together".into(),
            ))
        }
        (true, false) => Verbosity::Quiet,
        (false, true) => Verbosity::Trace,
        (false, false) => Verbosity::Events,
    };
    if args.max_connections == Some(0) {
        return Err(UsageError("--max-connections must be at least 1".into()));
    }
    if !(200..=599).contains(&args.status) {
        return Err(UsageError(format!(
            "--status {} is not a final status code; use 200 to 599",
            args.status
        )));
    }
    if args.threads == Some(0) {
        return Err(UsageError("--threads must be at least 1".into()));
    }
    if args.max_head < http::MIN_MAX_HEAD {
        return Err(UsageError(format!(
            "--max-head must be at least {} bytes",
            http::MIN_MAX_HEAD
        )));
    }
    #[cfg(feature = "websocket")]
    let ws_message_timeout = args.ws_message_timeout;
    #[cfg(not(feature = "websocket"))]
    let ws_message_timeout = 1;
    if args.head_timeout == 0 || args.body_timeout == 0 || ws_message_timeout == 0 {
        return Err(UsageError(
            "--head-timeout, --body-timeout and --ws-message-timeout must be at least 1 second"
                .into(),
        ));
    }
    let budget = match args.memory_budget.checked_mul(MIB) {
        Some(bytes) if bytes > 0 => Budget::new(bytes),
        _ => {
            return Err(UsageError(format!(
                "--memory-budget is in MiB: at least 1, at most {}",
                usize::MAX / MIB
            )))
        }
    };
    Ok((verbosity, budget))
}

fn serve_action(args: ServeArgs) -> Result<Action, UsageError> {
    let (verbosity, budget) = serve_checks(&args)?;
    let (http, proxy) = (http_config(&args, budget), proxy_protocol_of(&args));
    #[cfg(feature = "tls")]
    let tls = tls_of(&args)?;
    Ok(Action::Serve {
        host: args.host,
        port: args.port,
        settings: Settings {
            server: server::Config {
                max_connections: args
                    .max_connections
                    .unwrap_or_else(|| server::default_max_connections().0),
                grace: Duration::from_secs(args.grace),
                threads: args.threads.unwrap_or_else(crate::threads::default_count),
                logger: Logger {
                    verbosity,
                    format: args.log,
                },
            },
            conn: conn::Config {
                mode: args.mode,
                timeout: seconds_or_off(args.timeout),
                idle_close: seconds_or_off(args.idle_close),
                write_timeout: seconds_or_off(args.write_timeout),
                plain_echo: args.plain_echo,
            },
            proxy,
            http,
            #[cfg(feature = "tls")]
            tls,
            #[cfg(feature = "websocket")]
            ws: ws::Config {
                max_message: args.ws_max_message,
                echo: args.ws_echo,
                message_timeout: Duration::from_secs(args.ws_message_timeout),
            },
        },
    })
}

/// `--tls` and its options: the server's TLS, made now (a certificate
/// made or read), or why not in one line.
#[cfg(feature = "tls")]
fn tls_of(args: &ServeArgs) -> Result<Option<std::sync::Arc<tls::Config>>, UsageError> {
    let needs_tls = args.cert.is_some()
        || args.key.is_some()
        || args.tls_cert_out.is_some()
        || args.client_cert != ClientCert::Off
        || args.client_ca.is_some();
    if !args.tls {
        if needs_tls {
            let what = "--cert, --key, --tls-cert-out, --client-cert and --client-ca";
            return Err(UsageError(format!("{what} need --tls")));
        }
        return Ok(None);
    }
    let cert_and_key = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
        (None, None) => None,
        _ => return Err(UsageError("--cert and --key go together".into())),
    };
    if cert_and_key.is_some() && args.tls_cert_out.is_some() {
        let why = "--tls-cert-out writes the certificate made at start; with --cert there is none";
        return Err(UsageError(why.into()));
    }
    if args.client_ca.is_some() && args.client_cert == ClientCert::Off {
        return Err(UsageError(
            "--client-ca needs --client-cert optional or require".into(),
        ));
    }
    if args.tls_handshake_timeout == 0 {
        return Err(UsageError(
            "--tls-handshake-timeout is at least 1 second".into(),
        ));
    }
    let options = tls::Options {
        cert_and_key,
        cert_out: args.tls_cert_out.clone(),
        client_cert: args.client_cert,
        client_ca: args.client_ca.clone(),
        handshake_timeout: Duration::from_secs(args.tls_handshake_timeout),
        http2: cfg!(feature = "h2") && !no_h2(args),
    };
    let config = tls::configure(&options).map_err(UsageError)?;
    Ok(Some(std::sync::Arc::new(config)))
}

/// `--no-h2`, where HTTP/2 is spoken at all.
#[cfg(feature = "tls")]
fn no_h2(args: &ServeArgs) -> bool {
    #[cfg(feature = "h2")]
    return args.no_h2;
    #[cfg(not(feature = "h2"))]
    {
        let _ = args;
        true
    }
}

/// `--proxy-protocol`, where PROXY headers are read at all.
fn proxy_protocol_of(args: &ServeArgs) -> ProxyProtocol {
    #[cfg(feature = "proxy")]
    return args.proxy_protocol;
    #[cfg(not(feature = "proxy"))]
    {
        let _ = args;
        DEFAULT_PROXY_PROTOCOL
    }
}

/// HTTP's settings from the serve options: the core's, and the knobs'.
fn http_config(args: &ServeArgs, budget: Budget) -> http::Config {
    http::Config {
        max_head: args.max_head,
        max_body: args.max_body,
        head_timeout: Duration::from_secs(args.head_timeout),
        body_timeout: Duration::from_secs(args.body_timeout),
        status: args.status,
        body: args.body.clone().map(String::into_bytes),
        #[cfg(feature = "knobs")]
        knobs: knobs::Limits {
            max_delay: Duration::from_secs(args.max_delay),
            max_size: args.max_size,
            allow_unsafe_headers: args.allow_unsafe_headers,
        },
        budget,
        instance: http::layers::Instance::here(args.name.clone()),
        #[cfg(feature = "h2")]
        http2: !args.no_h2,
    }
}

fn client_action(args: ClientArgs) -> Result<Action, UsageError> {
    if args.half_close && args.stdin {
        return Err(UsageError(
            "--half-close and --stdin cannot be used together (--stdin already sends FIN when stdin ends)"
                .into(),
        ));
    }
    if args.path.is_some() && !args.http {
        return Err(UsageError("a PATH is only used with --http".into()));
    }
    if args.http && (args.half_close || args.stdin) {
        return Err(UsageError(
            "--http cannot be combined with --half-close or --stdin".into(),
        ));
    }
    let http = http_request(&args)?;
    #[cfg(feature = "tls")]
    let tls = client_tls(&args)?;
    let path = args.path.unwrap_or_else(|| "/".into());
    if args.http && (!path.starts_with('/') || path.bytes().any(|b| !b.is_ascii_graphic())) {
        return Err(UsageError(format!(
            "--http path {path:?} must start with / and contain no spaces or control characters"
        )));
    }
    if args.wait == 0 {
        return Err(UsageError("--wait must be at least 1 second".into()));
    }
    Ok(Action::Client(client::Options {
        host: args.host,
        port: args.port,
        message: args.message.into_bytes(),
        half_close: args.half_close,
        stdin: args.stdin,
        wait: Duration::from_secs(args.wait),
        http_path: args.http.then_some(path),
        http,
        #[cfg(feature = "tls")]
        tls,
        #[cfg(feature = "h2")]
        http2: args.http2,
    }))
}

/// `--http2`, where HTTP/2 is built.
#[cfg(feature = "tls")]
fn client_http2(args: &ClientArgs) -> bool {
    #[cfg(feature = "h2")]
    return args.http2;
    #[cfg(not(feature = "h2"))]
    {
        let _ = args;
        false
    }
}

/// `--tls`, `--ca` and `--insecure`: what the server's certificate is
/// checked against, read now (a `--ca` that cannot be read is a usage
/// error, as `--data @FILE` is). This build has no list of public CAs
/// (no webpki-roots, no system store), so one of the two is required.
#[cfg(feature = "tls")]
fn client_tls(args: &ClientArgs) -> Result<Option<client::tls::Tls>, UsageError> {
    use client::tls::Trust;
    if !args.tls {
        if args.ca.is_some() || args.insecure {
            return Err(UsageError("--ca and --insecure need --tls".into()));
        }
        return Ok(None);
    }
    let trust = match (&args.ca, args.insecure) {
        (Some(file), false) => Trust::Ca(file.clone()),
        (None, true) => Trust::Insecure,
        (Some(_), true) => {
            return Err(UsageError(
                "--ca and --insecure cannot be used together: --ca checks the certificate, --insecure does not"
                    .into(),
            ))
        }
        (None, false) => {
            return Err(UsageError(
                "--tls needs --ca FILE, the certificate to trust (PEM; `rawnet serve --tls --tls-cert-out FILE` writes one), or --insecure to take any: this build knows no public CAs"
                    .into(),
            ))
        }
    };
    client::tls::configure(trust, &args.host, client_http2(args))
        .map(Some)
        .map_err(UsageError)
}

/// `--method`, `--header` and `--data`, checked: each goes on the wire as
/// typed, so nothing may break the request's lines.
fn http_request(args: &ClientArgs) -> Result<client::HttpRequest, UsageError> {
    let extras = args.method != DEFAULT_METHOD || !args.header.is_empty() || args.data.is_some();
    if extras && !args.http {
        return Err(UsageError(
            "--method, --header and --data are only used with --http".into(),
        ));
    }
    // A token (RFC 9110 §5.6.2): what a method and a header name are made of.
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if !token(&args.method) {
        return Err(UsageError(format!(
            "--method {:?} must be a token, such as GET or POST",
            args.method
        )));
    }
    let mut headers = Vec::new();
    for header in &args.header {
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        let value = value.trim_matches([' ', '\t']);
        if !header.contains(':')
            || !token(name)
            || value.bytes().any(|b| b.is_ascii_control() && b != b'\t')
        {
            return Err(UsageError(format!(
                "--header {header:?} must be Name:Value, a name without spaces and a value without line breaks"
            )));
        }
        headers.push((name.to_string(), value.to_string()));
    }
    let data = match args.data.as_deref() {
        None => None,
        Some(text) => Some(match text.strip_prefix('@') {
            Some(file) => read_data_file(file)?,
            None => text.as_bytes().to_vec(),
        }),
    };
    Ok(client::HttpRequest {
        method: args.method.clone(),
        headers,
        data,
    })
}

/// Largest `--data @FILE` the client sends: a body is read whole before it
/// is framed by hand, so `@/dev/zero` (or a FIFO that never ends) must not
/// grow the client without bound.
pub const MAX_DATA_FILE: u64 = 64 * 1024 * 1024;

/// Reads `--data @FILE`, up to [`MAX_DATA_FILE`] bytes.
fn read_data_file(file: &str) -> Result<Vec<u8>, UsageError> {
    use std::io::Read;
    let cannot = |err: std::io::Error| UsageError(format!("--data @{file}: cannot read it: {err}"));
    let mut data = Vec::new();
    std::fs::File::open(file)
        .map_err(cannot)?
        .take(MAX_DATA_FILE + 1)
        .read_to_end(&mut data)
        .map_err(cannot)?;
    if data.len() as u64 > MAX_DATA_FILE {
        return Err(UsageError(format!(
            "--data @{file}: more than {MAX_DATA_FILE} bytes; rawnet client sends a body it has read whole"
        )));
    }
    Ok(data)
}

#[cfg(feature = "bench")]
fn bench_action(args: BenchArgs) -> Result<Action, UsageError> {
    if args.connections == 0 || args.pipeline == 0 {
        return Err(UsageError(
            "--connections and --pipeline must be at least 1".into(),
        ));
    }
    if !(args.duration > 0.0 && args.duration <= 3600.0) {
        return Err(UsageError(
            "--duration must be more than 0 and at most 3600 seconds".into(),
        ));
    }
    if args.size == 0 && args.mode != BenchMode::Http {
        return Err(UsageError("--size must be at least 1 byte".into()));
    }
    if args.expect.is_some() && args.mode != BenchMode::Http {
        return Err(UsageError("--expect is for --mode http".into()));
    }
    if args.threads == Some(0) {
        return Err(UsageError("--threads must be at least 1".into()));
    }
    Ok(Action::Bench(bench::Options {
        host: args.host,
        port: args.port,
        mode: args.mode,
        connections: args.connections,
        duration: Duration::from_secs_f64(args.duration),
        size: args.size,
        pipeline: args.pipeline,
        expect: args.expect.map(String::into_bytes),
        threads: args.threads.unwrap_or_else(crate::threads::default_count),
    }))
}

/// `0` means "off" for the timers, as in Node's `socket.setTimeout(0)`.
fn seconds_or_off(secs: u64) -> Option<Duration> {
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// `rawnet --help`: the top level and every subcommand's options on one page,
/// so nobody has to guess that the options live under `serve`.
pub fn full_help() -> String {
    let mut help = help_for(&[]);
    for sub in SUBCOMMANDS {
        help.push('\n');
        help.push_str(&help_for(&[sub]));
    }
    help
}

fn help_for(sub: &[&str]) -> String {
    let mut args = sub.to_vec();
    args.push("--help");
    match Args::from_args(&["rawnet"], &args) {
        Ok(_) => String::new(),
        Err(exit) => exit.output,
    }
}

// The command line's tests name every plug-in's flags: they run in the
// full build.
#[cfg(all(test, feature = "full"))]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Action, UsageError> {
        let argv: Vec<String> = std::iter::once("rawnet")
            .chain(words.iter().copied())
            .map(String::from)
            .collect();
        parse(&argv)
    }

    fn serve_settings(words: &[&str]) -> (String, u16, Settings) {
        match parse_words(words) {
            Ok(Action::Serve {
                host,
                port,
                settings,
            }) => (host, port, settings),
            other => panic!("expected serve, got {other:?}"),
        }
    }

    #[test]
    fn no_arguments_serves_the_tutorial_on_localhost_8081() {
        let (host, port, settings) = serve_settings(&[]);
        assert_eq!((host.as_str(), port), ("localhost", 8081));
        // Every default is the named constant the code uses.
        assert_eq!(settings.conn, conn::Config::default());
        assert_eq!(settings.proxy, DEFAULT_PROXY_PROTOCOL);
        let instance = http::layers::Instance::here(None);
        let http = http::Config {
            instance,
            ..http::Config::default()
        };
        assert_eq!(settings.http, http);
        assert_eq!(settings.ws, ws::Config::default());
        let server = &settings.server;
        assert_eq!(server.max_connections, server::default_max_connections().0);
        assert_eq!(server.grace, Duration::from_secs(DEFAULT_GRACE_SECS));
        assert_eq!(server.logger, Logger::default());
        assert_eq!(settings.conn.mode, Mode::Auto);
        assert_eq!(settings.conn.timeout, Some(Duration::from_secs(3)));
    }

    #[test]
    fn options_without_subcommand_mean_serve() {
        let (_, port, settings) = serve_settings(&["--port", "0", "--mode", "raw", "--trace"]);
        assert_eq!(port, 0);
        assert_eq!(settings.conn.mode, Mode::Raw);
        assert_eq!(settings.proxy, DEFAULT_PROXY_PROTOCOL);
        assert_eq!(settings.server.logger.verbosity, Verbosity::Trace);
        let (_, _, settings) = serve_settings(&["--proxy-protocol", "require"]);
        assert_eq!(settings.proxy, ProxyProtocol::Require);
        assert_eq!(serve_settings(&["serve", "--port", "0"]).1, 0);
    }

    /// Each choice's words, and argh's words for one that is none of them.
    #[test]
    fn choices_are_read_by_their_words() {
        let (_, _, settings) = serve_settings(&["--ws-echo", "raw", "--log", "json"]);
        assert_eq!(settings.ws.echo, ws::Echo::Raw);
        assert_eq!(settings.server.logger.format, Format::Json);
        assert_eq!(mode("http"), Ok(Mode::Http));
        assert_eq!(bench_mode("ws"), Ok(BenchMode::Ws));
        assert_eq!(
            mode("telnet"),
            Err(r#"expected "auto", "echo", "raw" or "http""#.into())
        );
        assert_eq!(ws_echo("x"), Err(r#"expected "you-said" or "raw""#.into()));
        let Err(UsageError(message)) = parse_words(&["--mode", "telnet"]) else {
            panic!("--mode telnet should be refused")
        };
        assert!(
            message.contains(r#"expected "auto", "echo", "raw" or "http""#),
            "{message}"
        );
    }

    #[test]
    fn zero_turns_the_timers_off() {
        let (_, _, settings) = serve_settings(&["--timeout", "0", "--idle-close", "0"]);
        let conn = &settings.conn;
        assert_eq!((conn.timeout, conn.idle_close), (None, None));
    }

    #[test]
    fn quiet_and_limits() {
        let (_, _, settings) = serve_settings(&["-q", "--max-connections", "2", "--grace", "1"]);
        let server = &settings.server;
        assert_eq!(server.logger.verbosity, Verbosity::Quiet);
        assert_eq!(server.max_connections, 2);
        assert_eq!(server.grace, Duration::from_secs(1));
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for words in [
            &["--port", "70000"][..],
            &["--mode", "telnet"],
            &["--timeout", "-1"],
            &["--quiet", "--trace"],
            &["--max-connections", "0"],
            &["--bogus"],
            &["client", "--half-close", "--stdin"],
            &["--status", "100"],
            &["--status", "600"],
            &["--max-head", "10"],
            &["--head-timeout", "0"],
            &["--ws-message-timeout", "0"],
            &["--memory-budget", "0"],
            &["--memory-budget", "18446744073709551615"],
            &["client", "/path"],
            &["client", "--http", "no-slash"],
            &["client", "--method", "POST"],
            &["client", "--http", "--method", "GE T"],
            &["client", "--http", "--header", "NoColon"],
            &["client", "--http", "--header", "Bad Name: x"],
            &["client", "--http", "--header", "X: a\r\nY: b"],
            &["client", "--http", "--data", "@/nonexistent/rawnet-data"],
            // Endless: read up to the limit, then refused.
            &["client", "--http", "--data", "@/dev/zero"],
            // No public CAs in this build: --tls says whom to trust.
            &["client", "--tls"],
            &["client", "--ca", "cert.pem"],
            &["client", "--insecure"],
            &["client", "--tls", "--ca", "cert.pem", "--insecure"],
            &["client", "--tls", "--ca", "/nonexistent/rawnet-ca.pem"],
            &["client", "--tls", "--insecure", "--host", "not a name"],
            &["bench", "--connections", "0"],
            &["bench", "--duration", "0"],
            &["bench", "--mode", "raw", "--expect", "x"],
        ] {
            assert!(parse_words(words).is_err(), "{words:?} should be rejected");
        }
    }

    #[test]
    fn client_http_method_headers_and_data() {
        let Ok(Action::Client(opts)) = parse_words(&["client", "--http"]) else {
            panic!("expected client")
        };
        assert_eq!(opts.http.method, DEFAULT_METHOD);
        assert!(opts.http.headers.is_empty() && opts.http.data.is_none());
        let words = [
            "client",
            "--http",
            "--method",
            "PUT",
            "--header",
            "X-A: 1",
            "--header",
            "x-b:two words",
            "--data",
            "hi",
        ];
        let Ok(Action::Client(opts)) = parse_words(&words) else {
            panic!("expected client")
        };
        assert_eq!(opts.http.method, "PUT");
        assert_eq!(
            opts.http.headers,
            [
                ("X-A".into(), "1".into()),
                ("x-b".into(), "two words".into())
            ]
        );
        assert_eq!(opts.http.data.as_deref(), Some(&b"hi"[..]));
    }

    #[test]
    fn client_defaults_to_the_tutorial_message() {
        match parse_words(&["client"]) {
            Ok(Action::Client(opts)) => {
                assert_eq!(opts.message, b"I am happyGloria.");
                assert_eq!((opts.host.as_str(), opts.port), ("localhost", 8081));
                assert!(!opts.half_close && !opts.stdin);
            }
            other => panic!("expected client, got {other:?}"),
        }
        match parse_words(&["client", "--port", "9", "--message", "hi", "--half-close"]) {
            Ok(Action::Client(opts)) => {
                assert_eq!(
                    (opts.port, opts.message.as_slice(), opts.half_close),
                    (9, &b"hi"[..], true)
                )
            }
            other => panic!("expected client, got {other:?}"),
        }
    }

    #[test]
    fn http_options() {
        let (_, _, settings) = serve_settings(&[
            "--mode",
            "http",
            "--status",
            "404",
            "--body",
            "hello,world",
            "--max-head",
            "1024",
            "--max-body",
            "10",
            "--head-timeout",
            "2",
            "--body-timeout",
            "3",
            "--max-delay",
            "5",
            "--max-size",
            "100",
            "--allow-unsafe-headers",
        ]);
        assert_eq!(settings.conn.mode, Mode::Http);
        let expected = http::Config {
            max_head: 1024,
            max_body: 10,
            head_timeout: Duration::from_secs(2),
            body_timeout: Duration::from_secs(3),
            status: 404,
            body: Some(b"hello,world".to_vec()),
            knobs: knobs::Limits {
                max_delay: Duration::from_secs(5),
                max_size: 100,
                allow_unsafe_headers: true,
            },
            budget: Budget::default(),
            instance: http::layers::Instance::here(None),
            http2: true,
        };
        assert_eq!(settings.http, expected);
        assert_eq!(settings.ws, ws::Config::default());
        match parse_words(&["client", "--http", "/x?y=1"]) {
            Ok(Action::Client(opts)) => assert_eq!(opts.http_path.as_deref(), Some("/x?y=1")),
            other => panic!("expected client, got {other:?}"),
        }
        match parse_words(&["client", "--http"]) {
            Ok(Action::Client(opts)) => assert_eq!(opts.http_path.as_deref(), Some("/")),
            other => panic!("expected client, got {other:?}"),
        }
    }

    #[test]
    fn the_memory_budget_and_the_message_timeout() {
        let (_, _, settings) =
            serve_settings(&["--memory-budget", "64", "--ws-message-timeout", "3"]);
        assert_eq!(settings.http.budget.limit(), 64 * MIB);
        assert_eq!(settings.http.budget.used(), 0);
        assert_eq!(settings.ws.message_timeout, Duration::from_secs(3));
        let (_, _, settings) = serve_settings(&[]);
        assert_eq!(
            settings.http.budget.limit(),
            DEFAULT_MEMORY_BUDGET_MIB * MIB
        );
    }

    /// The words of option `name` in `help`, white space folded. A name
    /// too long for argh's column has its words on the next line.
    fn option_help(help: &str, name: &str) -> String {
        let start = help
            .find(&format!("\n  {name} "))
            .or_else(|| help.find(&format!("\n  {name}\n")))
            .unwrap_or_else(|| panic!("{name} not in help"));
        let rest = &help[start + 1..];
        let end = rest[2..].find("\n  -").map_or(rest.len(), |end| end + 2);
        rest[..end].split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Each serve option with a default: its name, the default as `--help`
    /// must state it, and as the README's "Limits" table must, if it is
    /// there.
    fn option_defaults() -> Vec<(&'static str, String, Option<String>)> {
        let mib = DEFAULT_MAX_BODY / (1024 * 1024);
        vec![
            ("--port", DEFAULT_PORT.to_string(), None),
            ("--proxy-protocol", "auto".to_string(), None),
            ("--status", DEFAULT_STATUS.to_string(), None),
            ("--ws-echo", "you-said".to_string(), None),
            (
                "--ws-max-message",
                DEFAULT_MAX_MESSAGE.to_string(),
                Some(format!("{} MiB", DEFAULT_MAX_MESSAGE / (1024 * 1024))),
            ),
            (
                "--ws-message-timeout",
                DEFAULT_MESSAGE_TIMEOUT_SECS.to_string(),
                Some(format!("{DEFAULT_MESSAGE_TIMEOUT_SECS} s")),
            ),
            (
                "--memory-budget",
                DEFAULT_MEMORY_BUDGET_MIB.to_string(),
                Some(format!("{DEFAULT_MEMORY_BUDGET_MIB} MiB")),
            ),
            (
                "--max-head",
                DEFAULT_MAX_HEAD.to_string(),
                Some(format!("{DEFAULT_MAX_HEAD} bytes")),
            ),
            (
                "--max-body",
                DEFAULT_MAX_BODY.to_string(),
                Some(format!("{mib} MiB")),
            ),
            (
                "--max-delay",
                DEFAULT_MAX_DELAY_SECS.to_string(),
                Some(format!("{DEFAULT_MAX_DELAY_SECS} s")),
            ),
            (
                "--max-size",
                DEFAULT_MAX_SIZE.to_string(),
                Some(format!("{} MiB", DEFAULT_MAX_SIZE / (1024 * 1024))),
            ),
            (
                "--head-timeout",
                DEFAULT_HEAD_TIMEOUT_SECS.to_string(),
                Some(format!("{DEFAULT_HEAD_TIMEOUT_SECS} s")),
            ),
            (
                "--body-timeout",
                DEFAULT_BODY_TIMEOUT_SECS.to_string(),
                Some(format!("{DEFAULT_BODY_TIMEOUT_SECS} s")),
            ),
            (
                "--timeout",
                DEFAULT_TIMEOUT_SECS.to_string(),
                Some(format!("{DEFAULT_TIMEOUT_SECS} s")),
            ),
            (
                "--idle-close",
                DEFAULT_IDLE_CLOSE_SECS.to_string(),
                Some(format!("{DEFAULT_IDLE_CLOSE_SECS} s")),
            ),
            (
                "--write-timeout",
                DEFAULT_WRITE_TIMEOUT_SECS.to_string(),
                Some(format!("{DEFAULT_WRITE_TIMEOUT_SECS} s")),
            ),
            (
                "--grace",
                DEFAULT_GRACE_SECS.to_string(),
                Some(format!("{DEFAULT_GRACE_SECS} s")),
            ),
        ]
    }

    /// Each default is one constant: argh's default uses it, and `--help`
    /// and the README's "Limits" table must say the same.
    #[test]
    fn help_and_the_readme_state_the_defaults_the_code_uses() {
        let help = help_for(&["serve"]);
        for (option, default, readme) in option_defaults() {
            let words = option_help(&help, option);
            assert!(
                words.ends_with(&format!("(default: {default})")),
                "--help for {option} should end with (default: {default}): {words}"
            );
            if let Some(readme_default) = readme {
                let row = format!("| `{option}` | {readme_default} |");
                assert!(README.contains(&row), "README's Limits table lacks {row:?}");
            }
        }
    }

    /// The limits that are no option: the README's "Limits" table states
    /// the constants the code uses.
    #[test]
    fn the_readme_states_the_fixed_limits() {
        for (name, value, readme) in [
            (
                "header lines",
                http::request::MAX_HEADERS,
                "64 (`MAX_HEADERS`)",
            ),
            (
                "unsent output",
                http::OUTPUT_BOUND / 1024,
                "64 KiB (`OUTPUT_BOUND`)",
            ),
            (
                "body shown on a page",
                http::page::BODY_SHOWN / 1024,
                "8 KiB (`BODY_SHOWN`)",
            ),
        ] {
            let row = format!("| {name} | {readme} |");
            assert!(README.contains(&row), "README's Limits table lacks {row:?}");
            assert!(
                readme.starts_with(&value.to_string()),
                "{name}: {value} in the code"
            );
        }
    }

    const README: &str = include_str!("../README.md");

    #[test]
    fn help_covers_every_subcommand_and_version_prints() {
        let Ok(Action::Print(help)) = parse_words(&["--help"]) else {
            panic!("--help should print")
        };
        for needle in [
            "Usage: rawnet",
            "rawnet serve",
            "--max-connections",
            "rawnet client",
            "--half-close",
            "--method",
            "--header",
            "--data",
            "(default: GET)",
        ] {
            assert!(help.contains(needle), "help lacks {needle}:\n{help}");
        }
        let Ok(Action::Print(version)) = parse_words(&["--version"]) else {
            panic!("--version should print")
        };
        assert_eq!(version, format!("rawnet {}\n", env!("CARGO_PKG_VERSION")));
    }
}
