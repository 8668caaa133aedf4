//! HTTP's side of WebSocket, in one place: a request whose `Upgrade`
//! names `websocket` is read for what the handshake needs (`ws/handshake.rs`
//! judges it), answered with `101 Switching Protocols`, and its connection
//! handed to a WebSocket session (`src/ws/`). The rest of `http/` reaches
//! WebSocket only through this file: the refusal's words name [`Wrong`],
//! the page shows the [`panel`], the session keeps an [`Upgraded`].

use super::knobs;
use super::refusal::Refusal;
use super::request::{self, Head};
use super::{Session, State};
use crate::log::ConnLog;
use crate::next::Next;
use crate::ws::handshake::{self, Asked};

pub(super) use crate::ws::handshake::{Wrong, VERSION};
pub(super) use crate::ws::panel;
pub use crate::ws::Config;

/// The WebSocket session a 101 started, which takes the connection over.
pub(crate) type Upgraded = Box<crate::ws::Session>;

impl Session {
    /// A request that asks to become a WebSocket: checked as RFC 6455
    /// §4.2.1 says, then 101 and the session that reads frames from here
    /// on, with any bytes that came after the head; or the refusal.
    pub(super) fn upgrade(
        &mut self,
        head: &Head,
        config: &super::Config,
        log: &ConnLog,
        out: &mut Vec<u8>,
    ) -> Next {
        let accepted = match handshake::check(asked(&self.input[..head.len], head)) {
            Ok(accepted) => accepted,
            Err(wrong) => return self.fail(Refusal::WebSocket(wrong), log, out),
        };
        self.answered += 1;
        let start = out.len();
        handshake::write_101(out, &accepted.accept);
        self.log_answer(head, 101, out.len() - start, log);
        let explain = knobs::explain(&self.input[head.target.clone()]);
        log.emit(crate::ws::Event::Upgraded {
            key: &accepted.key,
            accept: &accepted.accept,
            explain,
        });
        let mut session = Box::new(crate::ws::Session::new(explain));
        let after = self.input.split_off(head.len);
        self.input = Vec::new();
        self.body = Vec::new();
        let next = if after.is_empty() {
            Next::Continue
        } else {
            session.on_data(&after, &config.ws, log, out)
        };
        self.state = State::Upgraded(session);
        next
    }

    /// The WebSocket session a handshake started, if one did: the
    /// connection's protocol from now on.
    pub(crate) fn take_upgraded(&mut self) -> Option<Upgraded> {
        if !matches!(self.state, State::Upgraded(_)) {
            return None;
        }
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Upgraded(session) => Some(session),
            _ => None,
        }
    }
}

/// What the handshake needs, read from the head `request.rs` checked:
/// its field lines walked once more, only for an upgrade, so an ordinary
/// request pays nothing for them.
fn asked<'a>(raw: &'a [u8], head: &Head) -> Asked<'a> {
    let mut asked = Asked {
        get: &raw[head.method.clone()] == b"GET",
        http11: head.minor == 1 && !head.later_1x,
        body: !matches!(
            head.framing,
            request::Framing::None | request::Framing::Length(0)
        ),
        ..Asked::default()
    };
    for (name, value) in request::fields(raw) {
        if name.eq_ignore_ascii_case(b"connection") {
            asked.connection_upgrade |=
                request::list_items(value).any(|option| option.eq_ignore_ascii_case(b"upgrade"));
        } else if name.eq_ignore_ascii_case(b"sec-websocket-version") {
            asked.version = asked.version.or(Some(value));
        } else if name.eq_ignore_ascii_case(b"sec-websocket-key") {
            asked.keys += 1;
            asked.key = asked.key.or(Some(value));
        }
    }
    asked
}

#[cfg(test)]
mod tests {
    use super::*;
    use request::Parsed;

    fn check_head(head: &str) -> Result<String, Wrong> {
        let Ok(Parsed::Complete(parsed, _)) = request::parse(head.as_bytes(), 8192) else {
            panic!("not a complete head: {head:?}");
        };
        handshake::check(asked(head.as_bytes(), &parsed)).map(|accepted| accepted.accept)
    }

    #[test]
    fn what_an_upgrade_needs_read_from_the_head() {
        let good = "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
                    Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13 \r\n\
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        assert_eq!(check_head(good), Ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".into()));
        assert_eq!(check_head(&good.replace("GET", "POST")), Err(Wrong::NotGet));
        for version in ["HTTP/1.0", "HTTP/1.2"] {
            let head = good.replace("HTTP/1.1", version);
            assert_eq!(check_head(&head), Err(Wrong::NotHttp11), "{version}");
        }
        assert_eq!(
            check_head(&good.replace("keep-alive, Upgrade", "keep-alive")),
            Err(Wrong::NoConnectionUpgrade)
        );
        assert_eq!(
            check_head(&good.replace(": 13 ", ": 8")),
            Err(Wrong::Version(b"8".to_vec()))
        );
        assert_eq!(
            check_head(&good.replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=")),
            Err(Wrong::InvalidKey(b"c2hvcnQ=".to_vec()))
        );
        assert_eq!(
            check_head(&good.replace("Sec-WebSocket-Key", "X-Key")),
            Err(Wrong::NoKey)
        );
        let two_keys = good.replace(
            "\r\n\r\n",
            "\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n",
        );
        assert_eq!(check_head(&two_keys), Err(Wrong::NoKey));
    }
}
