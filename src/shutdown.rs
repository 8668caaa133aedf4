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

use crate::log::{Event, Logger};

/// Held by the server; dropping it tells every connection to stop now.
pub struct Trigger {
    _tx: Sender<()>,
}

/// Held by every connection; `wait()` returns once the trigger is dropped.
#[derive(Clone, Debug)]
pub struct Shutdown {
    rx: Receiver<()>,
}

pub fn channel() -> (Trigger, Shutdown) {
    let (tx, rx) = channel::bounded(1);
    (Trigger { _tx: tx }, Shutdown { rx })
}

impl Shutdown {
    /// Waits until the server asks connections to close.
    pub async fn wait(&self) {
        // Nobody sends, so this only returns when the channel closes.
        let _ = self.rx.recv().await;
    }
}

/// Registers SIGINT and SIGTERM and returns a future that completes on the
/// first one. A second signal after that exits the process at once: the
/// escape hatch when the grace period is too long for a user at a terminal.
///
/// Registering happens here, before the server prints `listening on`, so a
/// signal sent right after that line is never missed.
pub fn on_signal(logger: Logger) -> io::Result<impl Future<Output = ()>> {
    let mut signals = Signals::new([Signal::Int, Signal::Term])?;
    Ok(async move {
        let first = signals.next().await;
        logger.emit(Event::ShuttingDown {
            signal: name(first),
        });
        smol::spawn(async move {
            let second = signals.next().await;
            eprintln!("rawnet: received {} again, exiting now", name(second));
            std::process::exit(130);
        })
        .detach();
    })
}

fn name(signal: Option<io::Result<Signal>>) -> &'static str {
    match signal {
        Some(Ok(Signal::Term)) => "SIGTERM",
        _ => "SIGINT",
    }
}
