//! HTTP/1.1 on the same TCP connection: the point of the tutorial. A request
//! is text that ends with an empty line (and maybe a body); a response is
//! text built here by hand.
//!
//! [`Session`] is one connection's HTTP state machine. It sees bytes, not a
//! socket: `protocol.rs` hands it what arrives, and the connection writes
//! out what it produces. Requests that arrive together (pipelining) are
//! answered in order, and their responses leave in one write, up to
//! [`OUTPUT_BOUND`] at a time.
//!
//! - `request.rs`: the head (httparse, then Host, Content-Length,
//!   Transfer-Encoding, Connection, Expect).
//! - `body.rs`: Content-Length and chunked bodies.
//! - `response.rs`: status lines, headers and chunked framing.
//! - `refusal.rs`: every reason a request is refused, its status and words.
//! - `page.rs`: the default answer, the request shown back.
//! - `json.rs`: the request view of `page.rs`, as JSON.
//! - `knobs.rs`: the query string's per-request knobs (`?status=503`,
//!   `?delay=1.5`, `?drip=5`, `?size=N`, `?header=Name:Value`), and the
//!   reply they choose.
//! - `stream.rs`: a response that takes time or comes in pieces, written
//!   as its moments come and as the client reads; the session's state
//!   while it is held (`State::Answering`), and its lines in
//!   `stream/events.rs`.
//! - `claims.rs`: addresses claimed in `Forwarded`, `X-Forwarded-For`,
//!   `X-Real-IP` and `Via`.
//! - `upgrade.rs`: a request that asks to become another protocol this
//!   connection speaks, handed back unanswered with the bytes after it
//!   (`protocol.rs` gives it to `src/ws/`); HTTP never learns what the
//!   protocol is.
//! - `layers.rs`: what the request came through, from TCP up (and the
//!   layers plug-ins put under HTTP, such as TLS), for the pages.
//! - `notes.rs`: what the page points out: how the head arrived, and what
//!   RFC 9112 allows but is worth seeing.
//! - `date.rs`: the `Date` header.
//! - `events.rs`: the log lines of a session (`request`, `refusal`, ...),
//!   their words and their JSON.
//!
//! The knobs are a plug-in (the `knobs` feature): without it, `knobs.rs`
//! and `stream.rs` are not built, and a query is only part of the target.
//! They plug in here through their `mod` lines, `Config::knobs`,
//! `State::Answering` (and its arm in each of the session's matches), and
//! the one check in `Session::finish` that hands them a request with a
//! query.

mod body;
#[cfg(feature = "json")]
mod claims;
pub(crate) mod date;
mod events;
// The client reads the JSON view with its types.
#[cfg(feature = "json")]
pub(crate) mod json;
#[cfg(feature = "knobs")]
pub mod knobs;
pub mod layers;
pub(crate) mod notes;
pub(crate) mod page;
mod refusal;
pub(crate) mod request;
pub(crate) mod response;
// `pub(crate)` for its event type, which `log.rs` names.
#[cfg(feature = "knobs")]
pub(crate) mod stream;
pub(crate) mod upgrade;

pub use events::Event;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::budget::{Budget, Reservation};
use crate::log::ConnLog;
use crate::next::Next;
use body::{Progress, Reader};
use refusal::Refusal;
use request::{Head, Parsed, View};
use response::{BodyEnd, ConnectionHeader};

/// Largest request head by default. 8 KiB is what nginx and most servers
/// allow for a request line and headers; a browser's head is under 2 KiB.
pub const DEFAULT_MAX_HEAD: usize = 8 * 1024;
/// A `--max-head` below this could not hold a browser's request line.
pub const MIN_MAX_HEAD: usize = 256;
/// Largest request body by default (nginx's `client_max_body_size` is 1 MiB).
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// Seconds for a whole head to arrive (nginx's `client_header_timeout` is 60;
/// a real client sends its head at once, so 10 is generous).
pub const DEFAULT_HEAD_TIMEOUT_SECS: u64 = 10;
/// Seconds for a whole body to arrive after its head.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 10;
/// The status of every response that is not an error.
pub const DEFAULT_STATUS: u16 = 200;

/// HTTP settings (`--max-head`, `--status`, ...). WebSocket's are beside
/// these, not in them (`settings.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub max_head: usize,
    pub max_body: usize,
    /// The whole head must arrive within this; dribbling does not extend it.
    pub head_timeout: Duration,
    /// The whole body must arrive within this, counted from the end of the head.
    pub body_timeout: Duration,
    /// `--status`: the status of every response that is not an error.
    pub status: u16,
    /// `--body`: a fixed body instead of the request shown back.
    pub body: Option<Vec<u8>>,
    /// What the query's knobs may ask for (`--max-delay`, `--max-size`,
    /// `--allow-unsafe-headers`).
    #[cfg(feature = "knobs")]
    pub knobs: knobs::Limits,
    /// `--memory-budget`: what all connections together may hold. Here,
    /// with the HTTP settings, because the sessions that hold large
    /// buffers are made from these (WebSocket's too, through HTTP's
    /// upgrade); a reply a client leaves unread counts too (`conn/io.rs`).
    pub budget: Budget,
    /// This machine's host name and `--name`, for the pages' TCP layer.
    pub instance: layers::Instance,
    /// HTTP/2 spoken (`h2/session.rs`); `--no-h2` answers its preface
    /// with GOAWAY HTTP_1_1_REQUIRED instead.
    #[cfg(feature = "h2")]
    pub http2: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_head: DEFAULT_MAX_HEAD,
            max_body: DEFAULT_MAX_BODY,
            head_timeout: Duration::from_secs(DEFAULT_HEAD_TIMEOUT_SECS),
            body_timeout: Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            status: DEFAULT_STATUS,
            body: None,
            #[cfg(feature = "knobs")]
            knobs: knobs::Limits::default(),
            budget: Budget::default(),
            instance: layers::Instance::default(),
            #[cfg(feature = "h2")]
            http2: true,
        }
    }
}

/// One connection's HTTP state.
#[derive(Debug)]
pub(crate) struct Session {
    /// Bytes received and not yet answered. While a body is read, the
    /// request's head stays at the front (so it can be shown back without a
    /// copy) and body bytes are moved out as they are decoded, so this
    /// holds at most one head (bounded by `max_head`) plus one read.
    input: Vec<u8>,
    /// The current request's decoded body, bounded by `max_body`.
    body: Vec<u8>,
    state: State,
    /// Requests answered so far on this connection.
    answered: u64,
    /// Answering stopped at [`OUTPUT_BOUND`] with requests still waiting in
    /// `input`; [`Session::resume`] goes on once the output was sent.
    paused: bool,
    /// The reads that brought the current head, for the page and `--trace`.
    arrival: notes::Arrival,
    /// The client's address as a PROXY header gave it, for the pages.
    pub(crate) proxy_client: Option<SocketAddr>,
    /// The layer a plug-in put between TCP and HTTP (TLS), as it describes
    /// itself; set by `protocol.rs` once that layer is up.
    pub(crate) below: Option<Arc<dyn layers::Below>>,
    /// What `input`, `body` and a held-back response take of the server's
    /// memory budget: each grows only once the budget agreed.
    reservation: Reservation,
    /// What the connection adds to HTTP; nothing by default.
    pub(crate) extensions: &'static Extensions,
}

/// What the connection adds to HTTP, from outside (`protocol.rs` sets it):
/// HTTP shows and hands over these without knowing what they are.
#[derive(Debug)]
pub(crate) struct Extensions {
    /// The protocols a request's `Upgrade` may ask for that the connection
    /// also speaks: such a request is handed back unanswered
    /// (`upgrade.rs`).
    pub upgrades: &'static [&'static str],
    /// Sections the HTML page shows after the response (`page.rs`).
    pub panels: &'static [page::Panel],
}

impl Extensions {
    /// HTTP alone.
    pub(crate) const NONE: Extensions = Extensions {
        upgrades: &[],
        panels: &[],
    };
}

/// How much unsent output a session makes before it stops answering the
/// requests that are still waiting (the same bound for every protocol).
pub use crate::next::OUTPUT_BOUND;

#[derive(Debug)]
enum State {
    /// Reading a head, which started to arrive at `since` (the head
    /// deadline counts from there); `None` between requests.
    Head { since: Option<Instant> },
    Body {
        head: Head,
        reader: Reader,
        since: Instant,
    },
    /// A response that takes time or comes in pieces (`?delay`, `?drip`,
    /// `?size`) is being written for the request whose head is still at
    /// the front of `input`; requests after it wait there, unanswered
    /// (`stream.rs`).
    #[cfg(feature = "knobs")]
    Answering(Box<stream::Held>),
    /// A response with `Connection: close` went out; the rest is ignored.
    Finished,
    /// A request asked to become another protocol (`upgrade.rs`): it and
    /// everything after it wait here for `protocol.rs` to take them.
    HandedOver(Box<upgrade::Upgrade>),
}

/// What a response to a good request is made with, besides its body:
/// the server's settings ([`Reply::usual`]), or what the query's knobs
/// chose instead (`knobs.rs`).
struct Reply<'k> {
    status: u16,
    /// The view of the request to show: the one `Accept` asked for, or
    /// `?format=`'s.
    view: View,
    body_end: BodyEnd,
    connection: ConnectionHeader,
    /// Header lines sent after rawnet's own (`?header`'s).
    extra: &'k [u8],
}

impl Reply<'_> {
    /// The usual reply: `--status`, the view `Accept` chose, a
    /// Content-Length, and the connection as the client asked.
    fn usual(head: &Head, config: &Config) -> Reply<'static> {
        Reply {
            status: config.status,
            view: head.view,
            body_end: BodyEnd::Length,
            connection: connection_of(head),
            extra: &[],
        }
    }

    /// Its response head, for a body of this type and length.
    fn head(&self, content_type: &'static str, content_length: usize) -> response::Head<'_> {
        response::Head {
            status: self.status,
            content_type,
            content_length,
            body_end: self.body_end,
            connection: self.connection,
            extra: self.extra,
        }
    }
}

/// What one step of answering the waiting requests did.
enum Step {
    /// Go on with the next.
    Again,
    /// Stop here, and tell the connection this.
    Stop(Next),
}

impl Step {
    /// After a request was answered: go on with the next, unless the
    /// connection closes.
    fn after(next: Next) -> Step {
        match next {
            Next::Close => Step::Stop(Next::Close),
            Next::Continue => Step::Again,
        }
    }
}

/// Buffers kept between requests up to this size; larger ones (a big body)
/// are given back so an idle keep-alive connection stays small.
const KEEP_BETWEEN_REQUESTS: usize = 16 * 1024;

/// The per-thread render buffers are kept up to this size, so the usual
/// page allocates nothing; a larger one (a big head shown as HTML) is given
/// back after use instead of staying with the thread for good.
const KEEP_RENDER_BUFFER: usize = 64 * 1024;

thread_local! {
    /// Each thread's page and response-head buffers: pages are rendered
    /// here and copied into the connection's output, so rendering allocates
    /// nothing once the buffers have grown to a page's size.
    static RENDER: RefCell<(String, Vec<u8>)> = const { RefCell::new((String::new(), Vec::new())) };
}

impl Session {
    /// A new session, waiting for its first request, whose head deadline
    /// counts from `since`: a client that connects and sends nothing, or
    /// dribbles, is not waited on forever.
    pub fn new(since: Instant, budget: &Budget) -> Self {
        Session {
            input: Vec::new(),
            body: Vec::new(),
            state: State::Head { since: Some(since) },
            answered: 0,
            paused: false,
            arrival: notes::Arrival::default(),
            proxy_client: None,
            below: None,
            reservation: budget.reservation(),
            extensions: &Extensions::NONE,
        }
    }

    /// A session whose head began to arrive before it existed: `--mode
    /// auto` holds the first bytes until it knows they are HTTP. `earlier`
    /// has the reads that brought them (where each ended, and when), and
    /// the page counts those with the reads the session makes itself.
    pub fn after_reads(since: Instant, earlier: notes::Arrival, budget: &Budget) -> Self {
        Session {
            arrival: earlier,
            ..Session::new(since, budget)
        }
    }

    /// Takes bytes from the client and answers every request they complete.
    pub fn on_data(
        &mut self,
        data: &[u8],
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let next = self.receive(data, config, log, out);
        self.settle();
        next
    }

    /// [`Session::on_data`], before the budget is settled.
    fn receive(&mut self, data: &[u8], config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        // A handed-over request is taken, with the connection, as soon as
        // it is handed over (`Protocol::answer_http`): the session never
        // sees another byte.
        if matches!(self.state, State::Finished | State::HandedOver(_)) {
            return Next::Close;
        }
        // While a response is held back, what comes waits behind it,
        // within bounds of its own (`stream.rs`).
        #[cfg(feature = "knobs")]
        if let State::Answering(_) = self.state {
            return self.receive_while_held(data, config, log, out);
        }
        // `input` holds a head and one read, which every request needs (if
        // only to be refused) and `--max-head` bounds: kept without asking
        // the budget, and counted all the same (`process`).
        self.input.extend_from_slice(data);
        if let State::Head { since } = &mut self.state {
            // One clock reading a read: the head's deadline starts at its
            // first byte, and the page notes when each read came.
            let now = Instant::now();
            since.get_or_insert(now);
            self.arrival.read(self.input.len(), now);
        }
        self.process(config, log, out)
    }

    /// Whether answering stopped at [`OUTPUT_BOUND`] with requests waiting.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// The output made so far was sent: answer the requests still waiting.
    pub fn resume(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        self.paused = false;
        let next = self.process(config, log, out);
        self.settle();
        next
    }

    /// The client sent FIN. Everything complete was answered in `on_data`;
    /// a half-sent request is only logged, as there is nobody left to
    /// finish it.
    ///
    /// A response still held back (`?delay`) or dripping is given up: the
    /// connection closes now, as it does for every client that ends (Node's
    /// `allowHalfOpen: false`), rather than holding it for the rest.
    pub fn on_end(&mut self, log: &ConnLog) {
        let pending = match &self.state {
            State::Head { .. } | State::Body { .. } => self.input.len() + self.body.len(),
            #[cfg(feature = "knobs")]
            State::Answering(held) => {
                held.given_up(self.answered, log);
                0
            }
            State::Finished | State::HandedOver(_) => 0,
        };
        if pending > 0 {
            log.emit(Event::EndedMidRequest {
                unanswered: pending,
            });
        }
    }

    /// When the session gives up waiting for the current request, or
    /// when a held-back response's next part is due.
    pub fn deadline(&self, config: &Config) -> Option<Instant> {
        match &self.state {
            // Checked: a timeout too large to add to a point in time
            // (`--head-timeout 18446744073709551615`) means "never".
            State::Head { since } => since.and_then(|since| since.checked_add(config.head_timeout)),
            State::Body { since, .. } => since.checked_add(config.body_timeout),
            #[cfg(feature = "knobs")]
            State::Answering(held) => held.due(),
            State::Finished | State::HandedOver(_) => None,
        }
    }

    /// The deadline passed: answer 408 if part of a request came, else
    /// close quietly (browsers open spare connections and leave them unused).
    pub fn on_deadline(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let next = self.deadline_passed(config, log, out);
        self.settle();
        next
    }

    /// [`Session::on_deadline`], before the budget is settled.
    fn deadline_passed(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        match &self.state {
            State::Head { .. } if self.input.is_empty() => {
                log.emit(Event::NoRequest {
                    head_timeout: config.head_timeout,
                });
                self.state = State::Finished;
                Next::Close
            }
            State::Head { .. } => {
                let timeout = config.head_timeout;
                self.fail(Refusal::HeadTimeout { timeout }, log, out)
            }
            State::Body { .. } => {
                let timeout = config.body_timeout;
                self.fail(Refusal::BodyTimeout { timeout }, log, out)
            }
            // The response's next part is due: write it, and answer what
            // waited behind it once it is done.
            #[cfg(feature = "knobs")]
            State::Answering(_) => self.process(config, log, out),
            State::Finished => Next::Close,
            State::HandedOver(_) => Next::Continue,
        }
    }

    /// Answers as many complete requests as `input` holds, then gives back
    /// a large input buffer once it is empty.
    fn process(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let next = self.answer_waiting(config, log, out);
        if self.input.is_empty() && self.input.capacity() > KEEP_BETWEEN_REQUESTS {
            self.input = Vec::new();
        }
        next
    }

    /// Tells the budget what the session holds now, after each call: what
    /// its buffers gave back. A finished session reads nothing more, so
    /// its buffers go now, not when the connection closes (a refusal's
    /// lingering close can take seconds).
    fn settle(&mut self) {
        if let State::Finished = self.state {
            self.input = Vec::new();
            self.body = Vec::new();
        }
        self.reservation.settle(self.held());
    }

    /// The bytes the session holds in its buffers, as the budget counts
    /// them: what is allocated, not what is filled.
    fn held(&self) -> usize {
        let response = match &self.state {
            #[cfg(feature = "knobs")]
            State::Answering(held) => held.bytes(),
            State::Head { .. } | State::Body { .. } | State::Finished | State::HandedOver(_) => 0,
        };
        self.input.capacity() + self.body.capacity() + response
    }

    fn answer_waiting(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        loop {
            let step = match &mut self.state {
                State::Finished => return Next::Close,
                State::HandedOver(_) => return Next::Continue,
                State::Head { .. } => self.next_head(config, log, out),
                State::Body { .. } => self.more_body(config, log, out),
                #[cfg(feature = "knobs")]
                State::Answering(_) => self.advance_held(log, out),
            };
            if let Step::Stop(next) = step {
                return next;
            }
        }
    }

    /// Reads the next head in `input`, if it is whole, and answers it or
    /// starts on its body.
    fn next_head(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Step {
        if self.input.is_empty() {
            return Step::Stop(Next::Continue);
        }
        if out.len() >= OUTPUT_BOUND {
            self.paused = true;
            return Step::Stop(Next::Continue);
        }
        let head = match request::parse(&self.input, config.max_head) {
            Ok(Parsed::Partial) => return Step::Stop(Next::Continue),
            Ok(Parsed::Complete(head, _)) => head,
            Err(refusal) => return Step::Stop(self.fail(refusal, log, out)),
        };
        // A request to become another protocol is not HTTP's
        // to answer (`upgrade.rs`).
        if self.asks_for_upgrade(&head) {
            return Step::Stop(self.hand_over(head));
        }
        let Some(reader) = Reader::new(head.framing) else {
            return Step::after(self.finish(head, config, log, out));
        };
        if let request::Framing::Length(n) = head.framing {
            if n > config.max_body as u64 {
                let too_large = Refusal::DeclaredBodyTooLarge {
                    declared: n,
                    max_body: config.max_body,
                };
                return Step::Stop(self.fail(too_large, log, out));
            }
            // The whole body is declared: its room is asked
            // for now, in one piece, before a 100 Continue
            // invites it (a 503 instead, past the budget).
            let n = n as usize;
            if let Err(spent) = self.reservation.make_room(&mut self.body, n, n) {
                return Step::Stop(self.fail(Refusal::OverBudget(spent), log, out));
            }
        }
        // Tell a waiting client to go on, unless it already did.
        if head.expects_continue && self.input.len() == head.len {
            out.extend_from_slice(response::CONTINUE);
        }
        self.state = State::Body {
            head,
            reader,
            since: Instant::now(),
        };
        Step::Again
    }

    /// Decodes what came of the current request's body, and answers the
    /// request once the body is whole.
    fn more_body(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Step {
        let State::Body { head, reader, .. } = &mut self.state else {
            return Step::Stop(Next::Continue);
        };
        let start = head.len;
        // A chunked body grows as it comes: room for what
        // arrived (decoding never makes more bytes than it
        // reads), within `--max-body` and the budget. A body
        // with a Content-Length has its room already.
        let room = config.max_body.saturating_sub(self.body.len());
        let left = usize::try_from(reader.left()).unwrap_or(usize::MAX);
        let arrived = (self.input.len() - start).min(room).min(left);
        if let Err(spent) = self
            .reservation
            .make_room(&mut self.body, arrived, config.max_body)
        {
            return Step::Stop(self.fail(Refusal::OverBudget(spent), log, out));
        }
        let (used, progress) =
            match reader.read(&self.input[start..], &mut self.body, config.max_body) {
                Ok(read) => read,
                Err(refusal) => return Step::Stop(self.fail(refusal, log, out)),
            };
        self.input.drain(start..start + used);
        if progress == Progress::NeedMore {
            return Step::Stop(Next::Continue);
        }
        let between = State::Head { since: None };
        let State::Body { head, .. } = std::mem::replace(&mut self.state, between) else {
            unreachable!("matched Body above");
        };
        Step::after(self.finish(head, config, log, out))
    }

    /// Answers a complete request and makes room for the next one.
    fn finish(&mut self, head: Head, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        // Only a target with a query can have knobs (`knobs.rs`), which
        // choose the reply or hold it back: the usual request pays one
        // scan of its target for them. Without the `knobs` feature, a
        // query is only part of the target.
        #[cfg(feature = "knobs")]
        if self.input[head.target.clone()].contains(&b'?') {
            return self.finish_with_knobs(head, config, log, out);
        }
        let next = self.respond(&head, &Reply::usual(&head, config), config, log, out);
        self.make_room(&head, next)
    }

    /// Drops an answered request from `input` and its body.
    fn make_room(&mut self, head: &Head, next: Next) -> Next {
        self.input.drain(..head.len);
        self.body.clear();
        if self.body.capacity() > KEEP_BETWEEN_REQUESTS {
            self.body = Vec::new();
        }
        if let State::Head { since } = &mut self.state {
            // The next head's deadline counts from its first byte: here, if
            // a pipelined request has started to arrive; else when one does.
            *since = (!self.input.is_empty()).then(Instant::now);
            self.arrival.restart(self.input.len(), *since);
        }
        next
    }

    /// Writes the whole response to one good request, as `reply` says,
    /// and logs it.
    fn respond(
        &mut self,
        head: &Head,
        reply: &Reply,
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        // Counted as answered once its response is made.
        let number = self.answered + 1;
        let start = out.len();
        self.write_response(number, head, reply, config, log, out);
        self.answered = number;
        self.log_answer(head, reply.status, out.len() - start, log);
        if reply.connection == ConnectionHeader::Close {
            self.state = State::Finished;
            Next::Close
        } else {
            Next::Continue
        }
    }

    /// Appends the response to the request at the front of `input`, the
    /// `number`th on this connection: `--body`, or the request shown back
    /// in the view `reply` names.
    fn write_response(
        &self,
        number: u64,
        head: &Head,
        reply: &Reply,
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) {
        let send_body = self.sends_body(head, reply.status);
        let (origin, shown) = self.shown(number, head, config, log);
        match (&config.body, reply.view) {
            (Some(fixed), _) => {
                let fixed_head = reply.head(response::TEXT, fixed.len());
                response::write(out, &fixed_head, fixed, send_body)
            }
            #[cfg(feature = "json")]
            (None, View::Json) => {
                let json = json::render(origin, shown);
                let json_head = reply.head(response::JSON, json.len());
                response::write(out, &json_head, &json, send_body);
            }
            (None, View::Text) => RENDER.with_borrow_mut(|(page, response_head)| {
                page.clear();
                page::text(origin, shown, page);
                let text = page.as_bytes();
                let text_head = reply.head(response::TEXT, text.len());
                response::write(out, &text_head, text, send_body);
                give_back_if_large(page, response_head);
            }),
            // The page shows its own response head, so the two are made
            // together (see `page::html_response`).
            (None, View::Html) => RENDER.with_borrow_mut(|(page, response_head)| {
                page::html_response(
                    origin,
                    shown,
                    self.extensions.panels,
                    reply.head(response::HTML, 0),
                    response_head,
                    page,
                );
                out.extend_from_slice(response_head);
                if send_body {
                    out.extend_from_slice(page.as_bytes());
                }
                give_back_if_large(page, response_head);
            }),
        }
    }

    /// Whether a response with `status` to `head` carries a body: not to
    /// HEAD, and not with a status that has no content.
    fn sends_body(&self, head: &Head, status: u16) -> bool {
        let method = &self.input[head.method.clone()];
        method != b"HEAD" && !response::has_no_body(status)
    }

    /// The request at the front of `input` as the views show it: who sent
    /// it, and its bytes.
    fn shown<'s>(
        &'s self,
        number: u64,
        head: &'s Head,
        config: &'s Config,
        log: &ConnLog,
    ) -> (page::Origin<'s>, page::Shown<'s>) {
        let origin = page::Origin {
            conn: log.id,
            request: number,
            peer: log.peer,
            proxy_client: self.proxy_client,
            instance: &config.instance,
            below: self.below.as_deref(),
        };
        let shown = page::Shown {
            head,
            raw: &self.input,
            body: &self.body,
            reads: self.arrival.of_head(head.len),
        };
        (origin, shown)
    }

    /// The request's event line, once its response is all written; with
    /// `--trace`, what the page points out about it.
    fn log_answer(&self, head: &Head, status: u16, bytes: usize, log: &ConnLog) {
        let reads = self.arrival.of_head(head.len);
        let (number, proxy_client) = (self.answered, self.proxy_client);
        log_answer(
            number,
            &self.input,
            head,
            reads,
            proxy_client,
            status,
            bytes,
            log,
        );
    }

    /// Answers a request rawnet will not serve, then closes: after a framing
    /// error nobody can tell where the next request would start.
    fn fail(&mut self, refusal: Refusal, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        refusal.write_response(out);
        log.emit(Event::Refusal {
            number: self.answered + 1,
            status: refusal.status(),
            reason: refusal.reason(),
            problem: &refusal.to_string(),
        });
        self.state = State::Finished;
        Next::Close
    }
}

/// The line for an answered request (`request 1: GET / HTTP/1.1 -> 200
/// OK, 408 bytes`), and with `--trace` what its head's notes point out.
/// `raw` starts with the head `head` parsed.
#[allow(clippy::too_many_arguments)] // each is one fact of the line
fn log_answer(
    number: u64,
    raw: &[u8],
    head: &Head,
    reads: notes::Reads,
    proxy_client: Option<SocketAddr>,
    status: u16,
    bytes: usize,
    log: &ConnLog,
) {
    if log.events() {
        log.emit(Event::Request {
            number,
            method: &raw[head.method.clone()],
            target: &raw[head.target.clone()],
            minor: head.minor,
            status,
            reason: response::reason(status),
            bytes,
            proxy_client,
        });
    }
    if log.traces() {
        let mut found = Vec::new();
        notes::find(reads, &raw[..head.len], |note| found.push(note));
        if !found.is_empty() {
            log.emit(Event::RequestNotes {
                number,
                notes: &found,
            });
        }
    }
}

/// What a response to `head` says of the connection: what the client
/// asked for, or the HTTP/1.x default.
fn connection_of(head: &Head) -> ConnectionHeader {
    match (head.keep_alive, head.minor) {
        (false, _) => ConnectionHeader::Close,
        (true, 0) => ConnectionHeader::KeepAlive,
        (true, _) => ConnectionHeader::Persistent,
    }
}

/// See [`KEEP_RENDER_BUFFER`].
fn give_back_if_large(page: &mut String, response_head: &mut Vec<u8>) {
    if page.capacity() > KEEP_RENDER_BUFFER {
        *page = String::new();
    }
    if response_head.capacity() > KEEP_RENDER_BUFFER {
        *response_head = Vec::new();
    }
}
