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
//!   `?delay=1.5`, `?drip=5`, `?size=N`, `?header=Name:Value`).
//! - `stream.rs`: a response that takes time or comes in pieces, written
//!   as its moments come and as the client reads.
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

mod body;
#[cfg(feature = "json")]
mod claims;
mod date;
mod events;
// The client reads the JSON view with its types.
#[cfg(feature = "json")]
pub(crate) mod json;
pub mod knobs;
pub mod layers;
pub(crate) mod notes;
pub(crate) mod page;
mod refusal;
pub(crate) mod request;
pub(crate) mod response;
mod stream;
pub(crate) mod upgrade;

pub use events::Event;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::budget::{Budget, Reservation, Spent};
use crate::log::ConnLog;
use crate::next::Next;
use body::{Progress, Reader};
use knobs::Knobs;
use refusal::Refusal;
use request::{Head, Parsed, View};
use response::{BodyEnd, ConnectionHeader};
use stream::{Advance, Stream};

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
/// `--max-delay`: the longest a `?delay` or a `?drip` may hold a response,
/// in seconds. Long enough to outlast the usual proxy and client timeouts
/// being tested (nginx's `proxy_read_timeout` is 60 s, but most test one
/// shorter); short enough that a forgotten request does not hold a
/// connection for long.
pub const DEFAULT_MAX_DELAY_SECS: u64 = 30;
/// `--max-size`: the largest `?size` body, 10 MiB. Enough to see a proxy's
/// buffers fill (nginx's `proxy_buffers` hold 64 KiB by default, its
/// temporary file 1 GiB) and a download's progress, small enough that a
/// loop of requests cannot turn rawnet into a bandwidth test. Memory is not
/// the reason: the body is made in pieces of at most [`OUTPUT_BOUND`].
pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;

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
    /// `--max-delay`: the longest `?delay`, and `?drip` with it.
    pub max_delay: Duration,
    /// `--max-size`: the largest `?size` body, in bytes.
    pub max_size: u64,
    /// `--allow-unsafe-headers`: a `?header` may add headers that act on
    /// the browser (`knobs::BROWSER_HEADERS`). Off unless asked for.
    pub allow_unsafe_headers: bool,
    /// `--memory-budget`: what all connections together may hold. Here,
    /// with the HTTP settings, because the sessions that hold large
    /// buffers are made from these (WebSocket's too, through HTTP's
    /// upgrade); a reply a client leaves unread counts too (`conn/io.rs`).
    pub budget: Budget,
    /// This machine's host name and `--name`, for the pages' TCP layer.
    pub instance: layers::Instance,
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
            max_delay: Duration::from_secs(DEFAULT_MAX_DELAY_SECS),
            max_size: DEFAULT_MAX_SIZE,
            allow_unsafe_headers: false,
            budget: Budget::default(),
            instance: layers::Instance::default(),
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
    /// The budget refused what came while a response was held back:
    /// nothing more is kept, and once that response is out the next
    /// request gets 503 (see [`Session::over_budget`]).
    spent: Option<Spent>,
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
    /// `?size`) is being written for the request whose `head` is still at
    /// the front of `input`; requests after it wait there, unanswered.
    Answering { head: Head, stream: Box<Stream> },
    /// A response with `Connection: close` went out; the rest is ignored.
    Finished,
    /// A request asked to become another protocol (`upgrade.rs`): it and
    /// everything after it wait here for `protocol.rs` to take them.
    HandedOver(Box<upgrade::Upgrade>),
}

/// What [`Session::respond`] did with a request.
enum Answer {
    /// Wrote the whole response.
    Now(Next),
    /// Made the stream that will write it.
    Later(Box<Stream>),
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
            spent: None,
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
        if self.spent.is_some() {
            return Next::Continue;
        }
        // While a response is held back, what comes waits in `input`, up
        // to a head and a body: the budget must agree to it. Otherwise
        // `input` holds a head and one read, which every request needs
        // (if only to be refused) and `--max-head` bounds: kept without
        // asking, and counted all the same (`process`).
        if let State::Answering { .. } = self.state {
            let most = config.max_head.saturating_add(config.max_body);
            if let Err(spent) = self
                .reservation
                .make_room(&mut self.input, data.len(), most)
            {
                return self.over_budget(spent, log, out);
            }
        }
        self.input.extend_from_slice(data);
        match &mut self.state {
            State::Head { since } => {
                // One clock reading a read: the head's deadline starts at its
                // first byte, and the page notes when each read came.
                let now = Instant::now();
                since.get_or_insert(now);
                self.arrival.read(self.input.len(), now);
            }
            // Bytes that come while a response is held back wait, but no
            // more than one request's worth, counting the held request's
            // body: a client that sends more without waiting for the
            // answer is closed, as rawnet's memory per connection is
            // bounded (see the README's Limits).
            State::Answering { head, stream } => {
                let held = self.input.len() - head.len + self.body.len();
                if held > config.max_head + config.max_body {
                    log.emit(Event::SentWhileHeld {
                        number: self.answered,
                        held,
                        sent: stream.written,
                    });
                    self.state = State::Finished;
                    return Next::Close;
                }
            }
            State::Body { .. } | State::Finished | State::HandedOver(_) => {}
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
            State::Answering { stream, .. } => {
                log.emit(Event::EndedMidResponse {
                    number: self.answered,
                    sent: stream.written,
                });
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
            State::Answering { stream, .. } => stream.due(),
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
            State::Answering { .. } => self.process(config, log, out),
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
            State::Answering { stream, .. } => stream.held(),
            _ => 0,
        };
        self.input.capacity() + self.body.capacity() + response
    }

    /// The budget cannot cover what the connection would hold next: 503
    /// and close. While a response is held back, it goes first (answers
    /// leave in order), so the 503 waits for it, and nothing more is kept
    /// meanwhile.
    fn over_budget(&mut self, spent: Spent, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        if let State::Answering { .. } = self.state {
            self.spent = Some(spent);
            return Next::Continue;
        }
        self.fail(Refusal::OverBudget(spent), log, out)
    }

    fn answer_waiting(&mut self, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        loop {
            let step = match &mut self.state {
                State::Finished => return Next::Close,
                State::HandedOver(_) => return Next::Continue,
                State::Head { .. } => self.next_head(config, log, out),
                State::Body { .. } => self.more_body(config, log, out),
                State::Answering { stream, .. } => match stream.advance(Instant::now(), out) {
                    Advance::Until(_) => return Next::Continue,
                    Advance::Room => {
                        self.paused = true;
                        return Next::Continue;
                    }
                    Advance::Done => Step::after(self.streamed(log, out)),
                },
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

    /// Answers a complete request and makes room for the next one, or,
    /// when its knobs make the response take time or come in pieces,
    /// starts it: it goes on in `process` as its moments come and the
    /// client reads, and the request stays in `input` until it is done.
    fn finish(&mut self, head: Head, config: &Config, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        match self.respond(&head, config, log, out) {
            Answer::Now(next) => self.make_room(&head, next),
            Answer::Later(stream) => {
                self.state = State::Answering { head, stream };
                Next::Continue
            }
        }
    }

    /// The streamed response is all written: log it, make room for the
    /// next request.
    fn streamed(&mut self, log: &ConnLog, out: &mut Vec<u8>) -> Next {
        let between = State::Head { since: None };
        let State::Answering { head, stream } = std::mem::replace(&mut self.state, between) else {
            return Next::Continue;
        };
        self.log_answer(&head, stream.status, stream.written, log);
        let next = match (stream.close, self.spent.take()) {
            (true, _) => {
                self.state = State::Finished;
                Next::Close
            }
            // What came while it was held could not be kept: the next
            // request gets the 503 (see `over_budget`).
            (false, Some(spent)) => return self.fail(Refusal::OverBudget(spent), log, out),
            (false, None) => Next::Continue,
        };
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

    /// Writes the response to one good request, or makes the [`Stream`]
    /// that will.
    fn respond(
        &mut self,
        head: &Head,
        config: &Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Answer {
        let knobs = match self.knobs_of(head, config) {
            Ok(knobs) => knobs,
            Err(bad) => return Answer::Now(self.fail(Refusal::BadKnob(bad), log, out)),
        };
        // Counted as answered once its response is made (below).
        let number = self.answered + 1;
        let (body_end, connection) = framing_of(head, knobs.drip.is_some());
        let status = knobs.status.unwrap_or(config.status);
        let method = &self.input[head.method.clone()];
        let send_body = method != b"HEAD" && !response::has_no_body(status);
        let start = out.len();
        let (origin, shown) = self.shown(number, head, config, log);

        let head_of = |content_type, content_length| response::Head {
            status,
            content_type,
            content_length,
            body_end,
            connection,
            extra: &knobs.headers,
        };
        // `?format=` overrides `Accept`: a link or a proxy's health check
        // can carry a URL, not a header.
        let view = knobs.format.unwrap_or(head.view);
        match (&config.body, view) {
            // The body is the knobs' own: only the head is made now.
            _ if knobs.drip.is_some() || knobs.size.is_some() => {
                let size = knobs.size.unwrap_or(0);
                let length = usize::try_from(size).unwrap_or(usize::MAX);
                response::write_head(out, &head_of(response::TEXT, length));
            }
            (Some(fixed), _) => {
                response::write(out, &head_of(response::TEXT, fixed.len()), fixed, send_body)
            }
            #[cfg(feature = "json")]
            (None, View::Json) => {
                let json = json::render(origin, shown);
                response::write(out, &head_of(response::JSON, json.len()), &json, send_body);
            }
            (None, View::Text) => RENDER.with_borrow_mut(|(page, response_head)| {
                page.clear();
                page::text(origin, shown, page);
                let text = page.as_bytes();
                response::write(out, &head_of(response::TEXT, text.len()), text, send_body);
                give_back_if_large(page, response_head);
            }),
            // The page shows its own response head, so the two are made
            // together (see `page::html_response`).
            (None, View::Html) => RENDER.with_borrow_mut(|(page, response_head)| {
                page::html_response(
                    origin,
                    shown,
                    self.extensions.panels,
                    head_of(response::HTML, 0),
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

        if knobs.streams() {
            // What was made waits in the stream, for its moment: in
            // memory, so within the budget, or the request gets 503.
            let ready = out.split_off(start);
            if let Err(spent) = self.reservation.take(ready.capacity()) {
                return Answer::Now(self.fail(Refusal::OverBudget(spent), log, out));
            }
            self.answered = number;
            let arrived = Instant::now();
            let mut stream = Stream::new(arrived, &knobs, ready, send_body, body_end, status);
            stream.close = connection == ConnectionHeader::Close;
            return Answer::Later(Box::new(stream));
        }
        self.answered = number;
        self.log_answer(head, status, out.len() - start, log);
        if connection == ConnectionHeader::Close {
            self.state = State::Finished;
            Answer::Now(Next::Close)
        } else {
            Answer::Now(Next::Continue)
        }
    }

    /// The knobs in the request's query. Only a target with a query can
    /// have knobs: the usual request pays one scan of its target for them.
    /// Without the `knobs` feature, a query is only part of the target.
    fn knobs_of(&self, head: &Head, config: &Config) -> Result<Knobs, knobs::BadKnob> {
        let target = &self.input[head.target.clone()];
        if cfg!(feature = "knobs") && target.contains(&b'?') {
            Knobs::parse(target, config)
        } else {
            Ok(Knobs::default())
        }
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
            local: log.local,
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

/// How a response to `head` ends its body, and what it says of the
/// connection. A drip to an HTTP/1.0 client cannot be chunked: its body
/// ends with the connection.
fn framing_of(head: &Head, drips: bool) -> (BodyEnd, ConnectionHeader) {
    let body_end = match (drips, head.minor) {
        (false, _) => BodyEnd::Length,
        (true, 0) => BodyEnd::Close,
        (true, _) => BodyEnd::Chunked,
    };
    let connection = match (head.keep_alive, head.minor) {
        (false, _) => ConnectionHeader::Close,
        _ if body_end == BodyEnd::Close => ConnectionHeader::Close,
        (true, 0) => ConnectionHeader::KeepAlive,
        (true, _) => ConnectionHeader::Persistent,
    };
    (body_end, connection)
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
