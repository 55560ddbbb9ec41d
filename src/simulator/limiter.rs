//! The rate limit of `GET /payments/service-health`, with the semantics of ASP.NET's
//! `FixedWindowRateLimiter { PermitLimit = 1, QueueLimit = 2, OldestFirst,
//! AutoReplenishment }` that the official processor uses:
//!
//! - time is cut into fixed windows from the limiter's creation; each window brings one
//!   permit, shared by every caller, which does not carry over to the next window;
//! - a caller finding the permit taken waits in a queue of at most two, and at the start of
//!   each window the oldest waiter gets that window's permit, before any newcomer;
//! - a caller finding the queue full is refused at once (the official answers 429).
//!
//! The clock is a parameter, the time elapsed since the limiter's creation, so that this
//! logic is tested without sleeping; `gate.rs` feeds it the real clock.

use std::collections::VecDeque;
use std::time::Duration;

/// How many callers may wait for a later window.
pub const QUEUE_LIMIT: usize = 2;

/// A waiting caller's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

/// What a caller gets on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// This window's permit: go ahead.
    Now,
    /// Wait: the permit of a later window is promised to this ticket, oldest first.
    Queued(Ticket),
    /// The queue is full.
    Refused,
}

#[derive(Debug)]
pub struct Limiter {
    window: Duration,
    /// The window whose state `permit` describes.
    current: u128,
    permit: bool,
    /// Waiting callers, oldest first.
    queue: VecDeque<Ticket>,
    /// Callers given a window's permit who have not come back for it yet.
    granted: Vec<Ticket>,
    issued: u64,
}

impl Limiter {
    /// # Panics
    ///
    /// If `window` is zero: time could not be cut into windows.
    pub fn new(window: Duration) -> Self {
        assert!(!window.is_zero(), "a rate-limit window must not be zero");
        Self {
            window,
            current: 0,
            permit: true,
            queue: VecDeque::with_capacity(QUEUE_LIMIT),
            granted: Vec::with_capacity(QUEUE_LIMIT),
            issued: 0,
        }
    }

    /// A caller arrives at `now`.
    pub fn admit(&mut self, now: Duration) -> Admission {
        self.catch_up(now);
        // After catching up, the permit is never free while someone waits: a window that
        // began with a waiter gave its permit to the oldest one.
        if self.permit {
            self.permit = false;
            Admission::Now
        } else if self.queue.len() < QUEUE_LIMIT {
            let ticket = Ticket(self.issued);
            self.issued += 1;
            self.queue.push_back(ticket);
            Admission::Queued(ticket)
        } else {
            Admission::Refused
        }
    }

    /// Whether a queued caller has been given a permit by `now`; `true` once only.
    pub fn collect(&mut self, ticket: Ticket, now: Duration) -> bool {
        self.catch_up(now);
        let position = self.granted.iter().position(|t| *t == ticket);
        position.map(|p| self.granted.swap_remove(p)).is_some()
    }

    /// A queued caller gives up at `now` and frees its place. A permit already given to it
    /// is spent, as a lease handed out is; a ticket already collected is no longer known.
    pub fn withdraw(&mut self, ticket: Ticket, now: Duration) {
        self.catch_up(now);
        self.queue.retain(|t| *t != ticket);
        self.granted.retain(|t| *t != ticket);
    }

    /// When the window after the one of `now` starts: when a waiter should look again.
    pub fn next_window(&self, now: Duration) -> Duration {
        let next = self.index(now) + 1;
        let nanos = self.window.as_nanos().saturating_mul(next);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    fn index(&self, now: Duration) -> u128 {
        now.as_nanos() / self.window.as_nanos()
    }

    /// Plays the start of every window begun since the last call: each brings a fresh
    /// permit, which goes to the oldest waiter if there is one.
    fn catch_up(&mut self, now: Duration) {
        let index = self.index(now);
        if index <= self.current {
            return;
        }
        let started = usize::try_from(index - self.current).unwrap_or(usize::MAX);
        self.current = index;
        let served = self.queue.len().min(started);
        self.granted.extend(self.queue.drain(..served));
        // The latest window's permit is still free unless that window served a waiter.
        self.permit = served < started;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(5);

    fn at(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    fn queued(admission: Admission) -> Ticket {
        match admission {
            Admission::Queued(ticket) => ticket,
            other => panic!("expected a place in the queue, got {other:?}"),
        }
    }

    #[test]
    fn one_call_per_window_then_two_wait_then_refusal() {
        let mut limiter = Limiter::new(WINDOW);
        assert_eq!(limiter.admit(at(100)), Admission::Now);
        let first = queued(limiter.admit(at(200)));
        let second = queued(limiter.admit(at(300)));
        assert_eq!(limiter.admit(at(400)), Admission::Refused);
        assert!(!limiter.collect(first, at(4_999)));
        assert!(limiter.collect(first, at(5_000)));
        assert!(!limiter.collect(second, at(9_999)));
        assert!(limiter.collect(second, at(10_000)));
    }

    #[test]
    fn the_oldest_waiter_goes_first_whoever_looks_first() {
        let mut limiter = Limiter::new(WINDOW);
        limiter.admit(at(0));
        let first = queued(limiter.admit(at(1)));
        let second = queued(limiter.admit(at(2)));
        assert!(!limiter.collect(second, at(5_001)));
        assert!(limiter.collect(first, at(5_002)));
        assert!(limiter.collect(second, at(10_000)));
    }

    #[test]
    fn a_permit_is_collected_once() {
        let mut limiter = Limiter::new(WINDOW);
        limiter.admit(at(0));
        let ticket = queued(limiter.admit(at(1)));
        assert!(limiter.collect(ticket, at(5_000)));
        assert!(!limiter.collect(ticket, at(15_000)));
    }

    #[test]
    fn a_window_served_to_a_waiter_has_no_permit_left() {
        let mut limiter = Limiter::new(WINDOW);
        limiter.admit(at(0));
        let waiter = queued(limiter.admit(at(1)));
        assert_eq!(limiter.admit(at(5_100)), Admission::Queued(Ticket(1)));
        assert!(limiter.collect(waiter, at(5_200)));
    }

    #[test]
    fn an_unused_window_leaves_a_permit_for_a_newcomer() {
        let mut limiter = Limiter::new(WINDOW);
        limiter.admit(at(0));
        let waiter = queued(limiter.admit(at(1)));
        assert_eq!(limiter.admit(at(10_500)), Admission::Now);
        assert!(limiter.collect(waiter, at(10_600)));
    }

    #[test]
    fn a_permit_does_not_carry_over_to_the_next_window() {
        let mut limiter = Limiter::new(WINDOW);
        assert_eq!(limiter.admit(at(4_900)), Admission::Now);
        assert_eq!(limiter.admit(at(5_000)), Admission::Now);
        assert!(matches!(limiter.admit(at(5_001)), Admission::Queued(_)));
    }

    #[test]
    fn windows_start_at_creation_not_at_the_first_call() {
        let mut limiter = Limiter::new(WINDOW);
        assert_eq!(limiter.admit(at(3_000)), Admission::Now);
        let waiter = queued(limiter.admit(at(3_001)));
        assert_eq!(limiter.next_window(at(3_001)), at(5_000));
        assert!(limiter.collect(waiter, at(5_000)));
    }

    #[test]
    fn a_waiter_who_gives_up_frees_its_place_and_the_permit() {
        let mut limiter = Limiter::new(WINDOW);
        limiter.admit(at(0));
        let gone = queued(limiter.admit(at(1)));
        let stays = queued(limiter.admit(at(2)));
        limiter.withdraw(gone, at(3));
        let newcomer = queued(limiter.admit(at(4)));
        assert!(limiter.collect(stays, at(5_000)));
        assert!(!limiter.collect(newcomer, at(5_000)));
        assert!(limiter.collect(newcomer, at(10_000)));
    }

    #[test]
    fn a_permit_given_to_a_waiter_who_left_is_spent() {
        let mut limiter = Limiter::new(WINDOW);
        limiter.admit(at(0));
        let gone = queued(limiter.admit(at(1)));
        limiter.withdraw(gone, at(5_001));
        assert!(matches!(limiter.admit(at(5_002)), Admission::Queued(_)));
    }
}
