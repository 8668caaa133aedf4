//! OS threads running one shared executor: what the server and `rawnet
//! bench` both stand on.
//!
//! smol's executor does nothing by itself; a thread has to call
//! `ex.run(...)`. Every thread here runs the same executor until told to
//! stop, so a task spawned on it goes to whichever thread is free.

use std::sync::Arc;
use std::thread::JoinHandle;

use smol::Executor;

use crate::shutdown::{self, Trigger};

/// The default `--threads`, for the server and the bench: one per core, as
/// the kernel reports them for this process.
pub(crate) fn default_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The running threads. [`Threads::stop`], or dropping this, tells them to
/// stop and waits until they have.
pub struct Threads {
    /// Dropping it closes the channel every thread's `run` is waiting on.
    stop: Option<Trigger>,
    handles: Vec<JoinHandle<()>>,
}

impl Threads {
    /// Starts `n` threads (at least one) named `name-0`, `name-1`, ... and
    /// returns the executor they run, to spawn tasks on.
    pub fn start(n: usize, name: &str) -> (Arc<Executor<'static>>, Threads) {
        let ex = Arc::new(Executor::new());
        let (trigger, stopped) = shutdown::channel();
        let handles = (0..n.max(1))
            .map(|i| {
                let ex = ex.clone();
                let stopped = stopped.clone();
                std::thread::Builder::new()
                    .name(format!("{name}-{i}"))
                    .spawn(move || smol::block_on(ex.run(stopped.wait())))
                    .expect("spawn a worker thread")
            })
            .collect();
        let threads = Threads {
            stop: Some(trigger),
            handles,
        };
        (ex, threads)
    }

    /// Tells every thread to stop and waits for them. Tasks still on the
    /// executor are not run further.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Threads {
    fn drop(&mut self) {
        self.stop.take();
        for handle in self.handles.drain(..) {
            // A thread that panicked has already printed why; nothing to add.
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_run_on_the_named_threads_until_stopped() {
        let (ex, threads) = Threads::start(2, "test-pool");
        let task = ex.spawn(async { std::thread::current().name().map(String::from) });
        let name = smol::block_on(task).unwrap_or_default();
        assert!(name.starts_with("test-pool-"), "{name}");
        threads.stop();
    }
}
