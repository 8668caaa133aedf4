//! Stopping: Ctrl-C and SIGTERM, and telling every connection to finish.
//!
//! The pattern is mini-redis's: a channel that nobody ever sends on. Each
//! connection holds a receiver; dropping the one sender closes the channel,
//! and every `recv()` everywhere returns at once. One drop is a broadcast.

use smol::channel::{self, Receiver, Sender};
use smol::stream::StreamExt;
use std::future::Future;
use std::io;

use async_signal::{Signal, Signals};

use crate::log::Logger;
use crate::server;

/// Held by the server; dropping it tells every connection to stop now.
pub(crate) struct Trigger {
    _tx: Sender<()>,
}

/// Held by every connection; `wait()` returns once the trigger is dropped.
#[derive(Clone, Debug)]
pub(crate) struct Shutdown {
    rx: Receiver<()>,
}

pub(crate) fn channel() -> (Trigger, Shutdown) {
    let (tx, rx) = channel::bounded(1);
    (Trigger { _tx: tx }, Shutdown { rx })
}

impl Shutdown {
    /// Waits until the server asks connections to close.
    pub(crate) async fn wait(&self) {
        // Nobody sends, so this only returns when the channel closes.
        let _ = self.rx.recv().await;
    }
}

/// Registers SIGINT and SIGTERM and returns a future that completes on the
/// first one. A second signal after that exits the process at once: the
/// escape hatch when the grace period is too long for a user at a terminal.
/// It exits with 128 + that signal's number (130 for SIGINT, 143 for
/// SIGTERM), the status a shell reports for a process the signal killed, so
/// a supervisor sees which signal ended it.
///
/// Registering happens here, before the server prints `listening on`, so a
/// signal sent right after that line is never missed.
pub fn on_signal(logger: Logger) -> io::Result<impl Future<Output = ()>> {
    let mut signals = Signals::new([Signal::Int, Signal::Term])?;
    Ok(async move {
        let first = which(signals.next().await);
        logger.emit(server::Event::ShuttingDown {
            signal: name(first),
        });
        smol::spawn(async move {
            let second = which(signals.next().await);
            eprintln!("rawnet: received {} again, exiting now", name(second));
            // The enum's discriminants are the signal numbers (repr(i32)).
            std::process::exit(128 + second as i32);
        })
        .detach();
    })
}

/// Only SIGINT and SIGTERM are registered, so anything but SIGTERM (the
/// stream ending or failing, which it should not) counts as Ctrl-C.
fn which(signal: Option<io::Result<Signal>>) -> Signal {
    match signal {
        Some(Ok(Signal::Term)) => Signal::Term,
        _ => Signal::Int,
    }
}

fn name(signal: Signal) -> &'static str {
    match signal {
        Signal::Term => "SIGTERM",
        _ => "SIGINT",
    }
}
