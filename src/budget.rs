//! The server's one memory budget: how much all connections together may
//! hold in the buffers a client can make large. Request bodies, requests
//! waiting behind a held-back response, the held response itself,
//! WebSocket messages, and replies a client leaves unread.
//!
//! Each connection's own limits (`--max-body`, `--ws-max-message`, the
//! output bound) keep one connection small; this keeps their sum small,
//! so that 20,000 connections each holding its limit cannot take 20 GB.
//! It is one counter, shared by every thread. A connection asks it for
//! bytes before a buffer grows, through its [`Reservation`], and the
//! reservation gives them back when the buffer shrinks, or all at once
//! when it is dropped: a connection that ends, however it ends (a panic
//! included), holds nothing.
//!
//! What each protocol says when the budget is spent is its own business:
//! HTTP answers 503 (`http/refusal.rs`), WebSocket closes with 1013
//! (`ws/frame.rs`), and a connection whose client does not read its reply
//! is closed (`conn/io.rs`).

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// `--memory-budget`, in MiB. Enough for 256 bodies of `--max-body` (or
/// WebSocket messages of `--ws-max-message`) at once, far more uploads than
/// a tool for looking at bytes sees together, while the whole server
/// stays inside a small container's 512 MiB. Idle connections are not
/// what it holds: 20,000 of them take about 20 MB.
pub const DEFAULT_MEMORY_BUDGET_MIB: usize = 256;

/// One MiB, the budget's unit on the command line.
pub const MIB: usize = 1024 * 1024;

/// A handle on the server's budget; clones share the same counter.
#[derive(Clone)]
pub struct Budget {
    shared: Arc<Counter>,
}

struct Counter {
    /// Bytes all connections together may hold.
    limit: usize,
    /// Bytes they hold now.
    used: AtomicUsize,
}

impl Budget {
    /// A budget of `limit` bytes, none of them used.
    pub fn new(limit: usize) -> Budget {
        Budget {
            shared: Arc::new(Counter {
                limit,
                used: AtomicUsize::new(0),
            }),
        }
    }

    /// The limit, in bytes.
    pub fn limit(&self) -> usize {
        self.shared.limit
    }

    /// The bytes all connections hold now.
    pub fn used(&self) -> usize {
        self.shared.used.load(Ordering::Relaxed)
    }

    /// An empty reservation, for a connection's buffers to grow into.
    pub(crate) fn reservation(&self) -> Reservation {
        Reservation {
            budget: self.clone(),
            held: 0,
        }
    }

    /// A reservation of `bytes`, if the budget has them.
    pub(crate) fn hold(&self, bytes: usize) -> Result<Reservation, Spent> {
        let mut reservation = self.reservation();
        reservation.take(bytes)?;
        Ok(reservation)
    }

    /// The words a client reads when its connection would pass the budget.
    fn spent(&self) -> Spent {
        Spent {
            limit: self.shared.limit,
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(DEFAULT_MEMORY_BUDGET_MIB * MIB)
    }
}

/// Two budgets are the same setting when their limits are; the bytes in
/// use are state, not configuration.
impl PartialEq for Budget {
    fn eq(&self, other: &Self) -> bool {
        self.limit() == other.limit()
    }
}

impl Eq for Budget {}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("limit", &self.limit())
            .field("used", &self.used())
            .finish()
    }
}

/// The bytes one connection holds of the budget. Dropping it gives them
/// all back.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Budget,
    held: usize,
}

impl Reservation {
    /// Takes `more` bytes from the budget, unless that would pass its
    /// limit. One compare-and-swap: two threads asking at once cannot both
    /// slip under the limit.
    pub(crate) fn take(&mut self, more: usize) -> Result<(), Spent> {
        let limit = self.budget.shared.limit;
        let taken =
            self.budget
                .shared
                .used
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                    used.checked_add(more).filter(|&after| after <= limit)
                });
        match taken {
            Ok(_) => {
                self.held += more;
                Ok(())
            }
            Err(_) => Err(self.budget.spent()),
        }
    }

    /// Makes room in `buf` for `more` bytes, once the budget agreed to
    /// what it grows by. It grows as a `Vec` grows by itself (doubling, so
    /// a buffer filled in many small pieces is copied only a few times),
    /// but not by doubling past `most`, the most it can ever need; so the
    /// budget counts what is really allocated. An allocation the system
    /// refuses (a budget set larger than the machine) is refused as the
    /// budget would refuse it, not a crash.
    pub(crate) fn make_room(
        &mut self,
        buf: &mut Vec<u8>,
        more: usize,
        most: usize,
    ) -> Result<(), Spent> {
        let needed = buf.len().saturating_add(more);
        if needed <= buf.capacity() {
            return Ok(());
        }
        let grown = needed.max(buf.capacity().saturating_mul(2).min(most));
        let growth = grown - buf.capacity();
        self.take(growth)?;
        if buf.try_reserve_exact(grown - buf.len()).is_err() {
            self.settle(self.held - growth);
            return Err(self.budget.spent());
        }
        Ok(())
    }

    /// Counts what the connection holds now, after its buffers shrank (a
    /// body given back after its request) or grew by a bounded amount
    /// without asking: the reservation becomes `held` bytes.
    pub(crate) fn settle(&mut self, held: usize) {
        let used = &self.budget.shared.used;
        if held > self.held {
            used.fetch_add(held - self.held, Ordering::Relaxed);
        } else if held < self.held {
            used.fetch_sub(self.held - held, Ordering::Relaxed);
        }
        self.held = held;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.settle(0);
    }
}

/// The budget could not cover what a connection was about to hold. Its
/// words are what the client reads (in a 503's body, a close frame's
/// reason) and the log says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spent {
    /// The budget's limit, in bytes.
    pub limit: usize,
}

impl Spent {
    /// The budget, named: `the server's memory budget for all connections
    /// (256 MiB, --memory-budget)`, for a log line to say what of it.
    pub fn budget(&self) -> impl fmt::Display {
        Named(self.limit)
    }
}

/// What a client reads.
impl fmt::Display for Spent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is spent; try again later", self.budget())
    }
}

/// See [`Spent::budget`].
struct Named(usize);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server's memory budget for all connections ({}, --memory-budget)",
            Size(self.0)
        )
    }
}

/// A size in MiB when it is whole MiB (as `--memory-budget` gives it),
/// else in bytes.
struct Size(usize);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 % MIB {
            0 => write!(f, "{} MiB", self.0 / MIB),
            _ => write!(f, "{} bytes", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_take_up_to_the_limit_and_give_back_on_drop() {
        let budget = Budget::new(100);
        let mut a = budget.reservation();
        let mut b = budget.reservation();
        assert_eq!(a.take(60), Ok(()));
        assert_eq!(b.take(41), Err(Spent { limit: 100 }));
        assert_eq!(budget.used(), 60, "a refusal takes nothing");
        assert_eq!(b.take(40), Ok(()));
        assert_eq!(budget.used(), 100);
        a.settle(10);
        assert_eq!(budget.used(), 50);
        drop(b);
        assert_eq!(budget.used(), 10);
        drop(a);
        assert_eq!(budget.used(), 0);
        // A size near usize::MAX is refused, never wrapped around.
        let mut c = budget.reservation();
        assert!(c.take(usize::MAX).is_err());
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn make_room_grows_by_doubling_up_to_the_most_needed() {
        let budget = Budget::new(1000);
        let mut reservation = budget.reservation();
        let mut buf = Vec::new();
        reservation.make_room(&mut buf, 100, 300).unwrap();
        assert_eq!((buf.capacity(), budget.used()), (100, 100));
        buf.resize(100, 0);
        // Doubling: room for one byte more makes it 200.
        reservation.make_room(&mut buf, 1, 300).unwrap();
        assert_eq!((buf.capacity(), budget.used()), (200, 200));
        buf.resize(200, 0);
        // Doubling would pass the most it needs (300): it stops there.
        reservation.make_room(&mut buf, 1, 300).unwrap();
        assert_eq!((buf.capacity(), budget.used()), (300, 300));
        buf.resize(300, 0);
        // Past what the budget has: refused, and the buffer unchanged.
        assert_eq!(
            reservation.make_room(&mut buf, 800, 2000),
            Err(Spent { limit: 1000 })
        );
        assert_eq!((buf.capacity(), budget.used()), (300, 300));
        drop(buf);
        reservation.settle(0);
        assert_eq!(budget.used(), 0);
        // Within a huge budget, a size no allocator can give is refused
        // too, and nothing stays taken.
        let huge = Budget::new(usize::MAX);
        let mut reservation = huge.reservation();
        let mut buf = vec![0u8; 1];
        assert!(reservation
            .make_room(&mut buf, usize::MAX / 2, usize::MAX)
            .is_err());
        assert_eq!(huge.used(), 0);
    }

    #[test]
    fn the_words_name_the_budget_and_its_option() {
        assert_eq!(
            Spent { limit: 256 * MIB }.to_string(),
            "the server's memory budget for all connections (256 MiB, --memory-budget) is spent; try again later"
        );
        assert!(Spent { limit: 1000 }.to_string().contains("(1000 bytes, "));
    }
}
