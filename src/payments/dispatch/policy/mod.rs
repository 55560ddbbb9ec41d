//! Where the next payment goes: the routing policy, free of I/O so that it can be tested
//! with a clock of our own.
//!
//! - **Default first.** Its fee is the lower one, so it takes every payment while it is
//!   healthy and has room; fallback takes the rest while *it* is healthy; otherwise the
//!   payment waits in the queue (it is already durable) and goes later.
//! - **Fallback after a wait, while default refuses.** A refusal is an outage that ends
//!   (the processors fail for stretches), and fallback's fee is the higher: so while
//!   default's last word was a refusal, fallback only takes a payment accepted at least
//!   the policy's `hold` ago ([`Route::waited`]); younger ones wait in the queue for
//!   default to come back. How long is a matter of expected net per payment, [`hold`]:
//!   what the wait saves against what it risks. A default that is only slow, full or
//!   silent holds nothing back: it may stay that way to the end, and a payment still
//!   queued then is never paid.
//! - **Healthy** means: its last answer was not a refusal, its delay is at most
//!   [`MAX_DELAY`], and nothing in flight there has outlived its delay by more than
//!   [`STALL_MARGIN`]: a delay that rose is known as soon as the first attempt outlives
//!   the old one, and the payments after it go elsewhere. The
//!   cap on delay is what keeps the summary consistent: an attempt must be answered
//!   (and recorded) before its requestedAt is 1.5 s old, the age at which the checker's
//!   window ([now − 15 s, now − 1.5 s]) starts to include it.
//! - **Learning.** Every answer tells the delay (its response time) and whether the
//!   processor refuses; the shared health row tells both every 5 s. The newest
//!   observation wins, by when the request that made it was sent.
//! - **Probing.** A failing processor whose delay is within [`MAX_DELAY`] gets one payment
//!   at a time, one per [`PROBE_EVERY`]: a refusal costs nothing (the payment goes back to
//!   the queue) and a success brings the processor back within a second instead of a
//!   health window. A slow one is never probed: the processor decides a payment by its
//!   failure flag when the delay *ends*, so a probe sent into a 2 s delay while it fails
//!   is stored 2 s after its requestedAt if the flag clears meanwhile, inside the checker's
//!   window before we have its answer. Only a health answer brings a slow processor back.

mod lane;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use crate::payments::domain::{Answer, Fees, Processor};
use lane::Lane;

/// The longest delay a processor may have and still be sent payments; see the module doc.
pub const MAX_DELAY: Duration = Duration::from_millis(1200);
/// How often an unhealthy processor is sent a probe.
pub const PROBE_EVERY: Duration = Duration::from_secs(1);
/// How much longer than its known delay an attempt may take before its processor counts as
/// stalled (a delay that just rose, which no answer has told yet): the time an answer
/// takes beyond the processor's delay, on the wire and in an instance whose CPU quota may
/// hold it back for most of a 100 ms scheduling period. 50 ms sent a payment to fallback
/// while default answered at once, on a machine busy compiling beside the tests; at 100 ms
/// a delay of 103 ms that jumps is known after 203 ms, where 2 × delay + 100 ms took 306.
pub const STALL_MARGIN: Duration = Duration::from_millis(100);

/// The length of run a payment's wait is weighed against: the final's 300 s, the longest
/// run the contest plays.
pub const RUN: Duration = Duration::from_secs(300);

/// How long a payment waits for a refusing default before fallback takes it: the longest
/// wait whose expected net is no worse than fallback's at once.
///
/// Per unit of amount, fallback at once nets `1 − fee_f`. Waiting up to `h` for default
/// nets `1 − fee_d` when default comes back within it (its outages end), `1 − fee_f` when it
/// does not (fallback takes the payment then), and nothing when the run ends while the
/// payment waits: it is still in the queue, lag. A payment accepted at a random moment of
/// a run of length [`RUN`] sees the run end within `h` with probability `h / RUN`. Taking
/// default's return as likely, the wait is worth it while
/// `(fee_f − fee_d) ≥ (h / RUN) × (1 − fee_f)`, so
/// `hold = RUN × (fee_f − fee_d) / (1 − fee_f)`: 35 s at the preview's 5 % and 15 %, 10 s
/// at the final's 7 % and 10 %, none when the fees are equal. docs/performance.md measures
/// it against other waits.
pub fn hold(fees: Fees) -> Duration {
    let (default, fallback) = (fees.of(Processor::Default), fees.of(Processor::Fallback));
    RUN.mul_f64((fallback - default) / (1.0 - fallback))
}

/// Where payments go now: the processor, and how long a payment must have waited since it
/// was accepted to go there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub processor: Processor,
    pub waited: Duration,
}

/// A health answer as the policy takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthReading {
    pub failing: bool,
    pub delay: Duration,
    /// How long ago the processor gave it.
    pub age: Duration,
    /// When it was given (milliseconds since the epoch): the same stamp is the same answer.
    pub stamp: i64,
}

/// One attempt in flight, to be handed back to [`Policy::finish`].
#[derive(Debug, PartialEq, Eq)]
pub struct Ticket {
    started: Instant,
    serial: u64,
    processor: Processor,
}

impl Ticket {
    /// Where the attempt was sent.
    pub fn processor(&self) -> Processor {
        self.processor
    }
}

/// The routing policy of one dispatcher: a lane per processor.
#[derive(Debug)]
pub struct Policy {
    lanes: [Lane; 2],
    max_in_flight: usize,
    /// How long a payment waits for a refusing default before fallback takes it.
    hold: Duration,
    serial: u64,
}

impl Policy {
    pub fn new(max_in_flight: usize, hold: Duration) -> Self {
        Self {
            lanes: [Lane::new(), Lane::new()],
            max_in_flight,
            hold,
            serial: 0,
        }
    }

    fn lane(&mut self, processor: Processor) -> &mut Lane {
        &mut self.lanes[processor.index()]
    }

    /// Where payments should go now, if anywhere: default first.
    pub fn choose(&self, now: Instant) -> Option<Route> {
        let processor = Processor::ALL
            .into_iter()
            .find(|p| self.room(*p, now) > 0)?;
        let waited = match processor {
            Processor::Fallback if self.known(Processor::Default).1 => self.hold,
            _ => Duration::ZERO,
        };
        Some(Route { processor, waited })
    }

    /// How many new attempts `processor` takes now.
    pub fn room(&self, processor: Processor, now: Instant) -> usize {
        self.lanes[processor.index()].room(now, self.max_in_flight)
    }

    /// Counts an attempt in flight at `processor` (a first attempt or a resend).
    pub fn start(&mut self, processor: Processor, now: Instant) -> Ticket {
        self.serial += 1;
        let serial = self.serial;
        self.lane(processor).start(now, serial);
        Ticket {
            started: now,
            serial,
            processor,
        }
    }

    /// The attempt ended; what its answer said updates the processor's lane: a stored
    /// payment says the processor stores, a refusal that it stores nothing now, and no
    /// answer (or a proxy's, such as a 504: the processor's silence, told by the proxy)
    /// that it is at least as slow as the wait.
    pub fn finish(&mut self, ticket: Ticket, answer: Answer, now: Instant) {
        let lane = self.lane(ticket.processor);
        lane.end(ticket.started, ticket.serial);
        let took = now.duration_since(ticket.started);
        match answer {
            Answer::Stored | Answer::Duplicate => lane.observe(ticket.started, false, took, now),
            Answer::Refused => lane.observe(ticket.started, true, took, now),
            Answer::Unknown(_) => {
                let (_, failing) = lane.known();
                lane.observe(ticket.started, failing, took.max(MAX_DELAY * 2), now);
            }
        }
    }

    /// What the policy knows of `processor` now: its delay, and whether it is failing.
    pub fn known(&self, processor: Processor) -> (Duration, bool) {
        self.lanes[processor.index()].known()
    }

    /// An attempt that was counted but never sent (the payment was a repeat, or the
    /// database refused it).
    pub fn cancel(&mut self, ticket: Ticket) {
        self.lane(ticket.processor)
            .end(ticket.started, ticket.serial);
    }

    /// What a health call answered, `age` ago; `stamp` names the answer (the same
    /// answer read twice is taken once).
    pub fn health(&mut self, processor: Processor, answer: HealthReading, now: Instant) {
        self.lane(processor).health(answer, now);
    }
}
