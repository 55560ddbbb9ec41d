//! The health check's rate limit on the real clock, shared by every worker thread.
//!
//! No timer task replenishes the windows: a queued caller sleeps until the next window
//! starts and then asks the limiter, which plays every window start it has missed. The
//! oldest waiter wakes at that start too, so its permit is collected on time.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::limiter::{Admission, Limiter, Ticket};

/// The queue is full: the caller is refused at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

#[derive(Debug)]
pub struct HealthGate {
    /// The start of the first window: when the processor started.
    origin: Instant,
    limiter: Mutex<Limiter>,
}

impl HealthGate {
    pub fn new(window: Duration) -> Self {
        Self {
            origin: Instant::now(),
            limiter: Mutex::new(Limiter::new(window)),
        }
    }

    /// Waits for a permit, in the queue when this window's is taken.
    pub async fn enter(&self) -> Result<(), Refused> {
        let ticket = match self.with_limiter(Limiter::admit) {
            Admission::Now => return Ok(()),
            Admission::Refused => return Err(Refused),
            Admission::Queued(ticket) => ticket,
        };
        // A caller that goes away (the connection closed, so ntex drops this future) must
        // free its place in the queue; once the permit is collected this does nothing.
        let _leave = Leave { gate: self, ticket };
        loop {
            let next = self.with_limiter(|limiter, now| limiter.next_window(now));
            tokio::time::sleep_until((self.origin + next).into()).await;
            if self.with_limiter(|limiter, now| limiter.collect(ticket, now)) {
                return Ok(());
            }
        }
    }

    /// Runs `f` on the limiter with the time elapsed since the origin, read under the lock
    /// so that the limiter sees time move forward only.
    fn with_limiter<T>(&self, f: impl FnOnce(&mut Limiter, Duration) -> T) -> T {
        let mut limiter = self.limiter.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut limiter, self.origin.elapsed())
    }
}

/// Withdraws a ticket when its caller stops waiting, for whatever reason.
struct Leave<'a> {
    gate: &'a HealthGate,
    ticket: Ticket,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let ticket = self.ticket;
        self.gate
            .with_limiter(|limiter, now| limiter.withdraw(ticket, now));
    }
}
