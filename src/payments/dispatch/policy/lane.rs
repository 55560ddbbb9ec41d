//! One processor's lane: what the policy knows of it, and what it has in flight.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::{HealthReading, MAX_DELAY, PROBE_EVERY, STALL_MARGIN};

/// One processor as the policy knows it.
#[derive(Debug)]
pub struct Lane {
    failing: bool,
    delay: Duration,
    /// When the request behind the newest observation was sent.
    observed: Option<Instant>,
    in_flight: BTreeSet<(Instant, u64)>,
    next_probe: Option<Instant>,
    /// The health answer last taken, so that reading the same one again changes nothing.
    health_seen: Option<i64>,
}

impl Lane {
    pub fn new() -> Self {
        Self {
            failing: false,
            delay: Duration::ZERO,
            observed: None,
            in_flight: BTreeSet::new(),
            next_probe: None,
            health_seen: None,
        }
    }

    fn stalled(&self, now: Instant) -> bool {
        self.in_flight
            .first()
            .is_some_and(|(started, _)| now.duration_since(*started) > self.delay + STALL_MARGIN)
    }

    fn healthy(&self, now: Instant) -> bool {
        !self.failing && self.delay <= MAX_DELAY && !self.stalled(now)
    }

    /// How many new attempts it takes now.
    pub fn room(&self, now: Instant, max_in_flight: usize) -> usize {
        if self.healthy(now) {
            max_in_flight.saturating_sub(self.in_flight.len())
        } else if self.delay <= MAX_DELAY
            && self.in_flight.is_empty()
            && self.next_probe.is_none_or(|t| now >= t)
        {
            1
        } else {
            0
        }
    }

    /// Takes an observation made by a request sent at `sent`, unless a newer one is known.
    pub fn observe(&mut self, sent: Instant, failing: bool, delay: Duration, now: Instant) {
        if self.observed.is_some_and(|t| t > sent) {
            return;
        }
        self.observed = Some(sent);
        self.failing = failing;
        self.delay = delay;
        self.next_probe = (failing || delay > MAX_DELAY).then_some(now + PROBE_EVERY);
    }

    /// Counts an attempt in flight from `now`; an unhealthy lane's next probe waits for
    /// this one.
    pub fn start(&mut self, now: Instant, serial: u64) {
        self.in_flight.insert((now, serial));
        if !self.healthy(now) {
            self.next_probe = Some(now + PROBE_EVERY);
        }
    }

    /// The attempt started at `started` is no longer in flight.
    pub fn end(&mut self, started: Instant, serial: u64) {
        self.in_flight.remove(&(started, serial));
    }

    /// Its delay, and whether it is failing.
    pub fn known(&self) -> (Duration, bool) {
        (self.delay, self.failing)
    }

    /// Takes a health answer, unless it is the one taken last.
    pub fn health(&mut self, answer: HealthReading, now: Instant) {
        if self.health_seen == Some(answer.stamp) {
            return;
        }
        self.health_seen = Some(answer.stamp);
        let answered = now.checked_sub(answer.age).unwrap_or(now);
        self.observe(answered, answer.failing, answer.delay, now);
    }
}
