//! A PROXY header in a connection's first bytes (`prelude.rs`): with
//! `--proxy-protocol auto|require`, in `--mode auto|http`, the first bytes
//! may be one. [`Proxy`] is the prelude's one variant for it: it reads the
//! header, once whole, and hands the bytes after it to the prelude that
//! would have read them without the option (`after`), whose decision then
//! carries the client the header named. Bytes that only started like a
//! header are that prelude's too; `--proxy-protocol require` closes a
//! connection whose first bytes are none.
//!
//! Its functions take the whole [`Prelude`], not only their variant: when
//! the bytes turn out to be no header, they replace it with the prelude
//! they go to.

use std::net::SocketAddr;
use std::time::Instant;

use super::{Decoded, Event};
use crate::http;
use crate::log::ConnLog;
use crate::prelude::{Decision, Prelude};
use crate::protocol::Mode;
use crate::sniff;

/// `--proxy-protocol auto|require`: a PROXY header maybe, then the
/// prelude after it.
#[derive(Debug)]
pub(crate) enum Proxy {
    /// Before the first bytes: they may be a PROXY header. `since` is
    /// when the connection came (HTTP mode's head deadline counts from
    /// there). Unboxed, and no bigger than `HttpUnlessTls`, so that a
    /// connection without a header allocates nothing for the check.
    Maybe {
        since: Instant,
        mode: Mode,
        require: bool,
    },
    /// The first bytes started like a PROXY header: it, then the prelude
    /// after it. Boxed: only connections from a proxy pay for it.
    Proxied(Box<Proxied>),
}

/// A connection that started with (what looks like) a PROXY header.
#[derive(Debug)]
pub(crate) struct Proxied {
    /// The header's bytes so far, and any after it in the same read;
    /// emptied once it is whole.
    header: Vec<u8>,
    /// When its first byte came: the rest must follow within
    /// [`sniff::SNIFF_WAIT`], as a TLS hello's must.
    since: Instant,
    /// Whether the header is whole: from then on bytes go to `after`.
    whole: bool,
    /// `--proxy-protocol require`: bytes that turn out to be no header
    /// close the connection.
    require: bool,
    /// The client's address, as the header says it.
    client: Option<SocketAddr>,
    /// What reads the bytes after the header: `Sniffing` or
    /// `HttpUnlessTls`.
    after: Prelude,
}

impl Proxy {
    /// [`Prelude::on_data`] for `prelude`, a [`Prelude::Proxy`].
    pub(crate) fn on_data<'d>(
        prelude: &mut Prelude,
        data: &'d [u8],
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'d> {
        let Prelude::Proxy(proxy) = prelude else {
            return Decision::Undecided;
        };
        match proxy {
            Proxy::Maybe {
                since,
                mode,
                require,
            } => {
                let (after, require) = (Prelude::without_proxy(*mode, *since), *require);
                if !super::could_be(data) {
                    return no_proxy_header(prelude, after, require, data, config, log, out);
                }
                *proxy = Proxy::Proxied(Box::new(Proxied {
                    header: Vec::new(),
                    since: Instant::now(),
                    whole: false,
                    require,
                    client: None,
                    after,
                }));
                prelude.on_data(data, config, log, out)
            }
            Proxy::Proxied(proxied) if proxied.whole => {
                let client = proxied.client;
                let decided = proxied.after.on_data(data, config, log, out);
                with_client(decided, client)
            }
            Proxy::Proxied(_) => proxy_header(prelude, data, config, log, out).into_owned(),
        }
    }

    /// [`Prelude::on_end`] for `prelude`, a [`Prelude::Proxy`].
    pub(crate) fn on_end(
        prelude: &mut Prelude,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'static> {
        let Prelude::Proxy(proxy) = prelude else {
            return Decision::Undecided;
        };
        match proxy {
            Proxy::Maybe { .. } => Decision::Undecided,
            Proxy::Proxied(proxied) if proxied.whole => {
                let client = proxied.client;
                with_client(proxied.after.on_end(config, log, out), client)
            }
            // `PRO`, then the end: data, not a header.
            Proxy::Proxied(_) => header_stopped(prelude, true, Prelude::on_end, config, log, out),
        }
    }

    /// [`Prelude::deadline`]: the wait for the rest of a PROXY header, or
    /// what the prelude after it (or that would read the first bytes
    /// without the option) waits for.
    pub(crate) fn deadline(&self, config: &http::Config) -> Option<Instant> {
        match self {
            Proxy::Maybe { since, mode, .. } => {
                Prelude::without_proxy(*mode, *since).deadline(config)
            }
            Proxy::Proxied(proxied) if proxied.whole => proxied.after.deadline(config),
            Proxy::Proxied(proxied) => Some(proxied.since + sniff::SNIFF_WAIT),
        }
    }

    /// [`Prelude::on_deadline`] for `prelude`, a [`Prelude::Proxy`].
    pub(crate) fn on_deadline(
        prelude: &mut Prelude,
        config: &http::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Decision<'static> {
        let Prelude::Proxy(proxy) = prelude else {
            return Decision::Undecided;
        };
        match proxy {
            // HTTP mode's head deadline, before any byte: as without the
            // option.
            Proxy::Maybe { since, mode, .. } => {
                *prelude = Prelude::without_proxy(*mode, *since);
                prelude.on_deadline(config, log, out)
            }
            Proxy::Proxied(proxied) if proxied.whole => {
                let client = proxied.client;
                with_client(proxied.after.on_deadline(config, log, out), client)
            }
            // A signature, then silence; or `PRO`, then silence: data.
            Proxy::Proxied(_) => {
                header_stopped(prelude, false, Prelude::on_deadline, config, log, out)
            }
        }
    }
}

/// Bytes that started like a PROXY header: the header, once whole,
/// and what follows it.
fn proxy_header(
    prelude: &mut Prelude,
    data: &[u8],
    config: &http::Config,
    log: &ConnLog,
    out: &mut Vec<u8>,
) -> Decision<'static> {
    let Prelude::Proxy(Proxy::Proxied(proxied)) = prelude else {
        return Decision::Undecided;
    };
    proxied.header.extend_from_slice(data);
    match super::decode(&proxied.header) {
        Decoded::NeedMore => Decision::Undecided,
        Decoded::Complete(header, used) => {
            log.emit(Event::Header {
                version: header.version,
                says: &header.says,
                via: log.peer,
                tlvs: &header.tlvs,
            });
            proxied.whole = true;
            proxied.client = header.source();
            let rest = proxied.header.split_off(used);
            proxied.header = Vec::new();
            if rest.is_empty() {
                return Decision::Undecided;
            }
            prelude.on_data(&rest, config, log, out).into_owned()
        }
        // Started like `PROXY ` or the v2 signature, then went another
        // way: the connection's data after all.
        Decoded::Invalid(_) if !super::has_signature(&proxied.header) => {
            not_a_header(prelude, config, log, out)
        }
        Decoded::Invalid(reason) => {
            log.emit(Event::Invalid { reason });
            Decision::Close
        }
    }
}

/// The bytes held as a possible PROXY header are none (`PRO`, then
/// something else, an end or silence): they are the connection's data.
fn not_a_header(
    prelude: &mut Prelude,
    config: &http::Config,
    log: &ConnLog,
    out: &mut Vec<u8>,
) -> Decision<'static> {
    let Prelude::Proxy(Proxy::Proxied(proxied)) = prelude else {
        return Decision::Undecided;
    };
    let first = std::mem::take(&mut proxied.header);
    let after = std::mem::replace(
        &mut proxied.after,
        Prelude::HttpUnlessTls {
            since: proxied.since,
            seen: 0,
        },
    );
    let require = proxied.require;
    no_proxy_header(prelude, after, require, &first, config, log, out).into_owned()
}

/// A PROXY header stopped coming before it was whole: at the client's
/// end (`ended`) or at its deadline. Bytes that only started like one
/// (`PRO`) are the connection's data, and `then` (the same event, for
/// the prelude they go to) decides what they are; a real signature
/// cut short is said so, and closed.
fn header_stopped(
    prelude: &mut Prelude,
    ended: bool,
    then: fn(&mut Prelude, &http::Config, &ConnLog, &mut Vec<u8>) -> Decision<'static>,
    config: &http::Config,
    log: &ConnLog,
    out: &mut Vec<u8>,
) -> Decision<'static> {
    let Prelude::Proxy(Proxy::Proxied(proxied)) = prelude else {
        return Decision::Undecided;
    };
    if super::has_signature(&proxied.header) {
        let got = proxied.header.len();
        log.emit(Event::Cut { got, ended });
        return Decision::Close;
    }
    match not_a_header(prelude, config, log, out) {
        Decision::Undecided => then(prelude, config, log, out),
        decided => decided,
    }
}

/// The first bytes are no PROXY header: with `--proxy-protocol
/// require`, close; otherwise they go to the prelude that would have
/// read them without the option.
fn no_proxy_header<'d>(
    prelude: &mut Prelude,
    after: Prelude,
    require: bool,
    data: &'d [u8],
    config: &http::Config,
    log: &ConnLog,
    out: &mut Vec<u8>,
) -> Decision<'d> {
    if require {
        log.emit(Event::Missing);
        return Decision::Close;
    }
    *prelude = after;
    prelude.on_data(data, config, log, out)
}

/// The same decision, for a connection whose PROXY header named
/// `client`.
fn with_client(decided: Decision<'_>, client: Option<SocketAddr>) -> Decision<'_> {
    match decided {
        Decision::Http { session, first, .. } => Decision::Http {
            session,
            first,
            client,
        },
        #[cfg(feature = "tls")]
        Decision::Tls { hello, first, .. } => Decision::Tls {
            hello,
            first,
            client,
        },
        #[cfg(feature = "h2")]
        Decision::Http2 { first, .. } => Decision::Http2 { first, client },
        other => other,
    }
}
