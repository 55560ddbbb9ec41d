//! Where the next payment goes: the routing policy, free of I/O so that it can be tested
//! with a clock of our own.
//!
//! - **Default first.** Its fee is the lower one, so it takes every payment while it is
//!   healthy and has room; fallback takes the rest while *it* is healthy; otherwise the
//!   payment waits in the queue (it is already durable) and goes later.
//! - **Fallback after a wait, while default refuses.** A refusal is an outage that ends
//!   (the processors fail for stretches), and fallback's fee is the higher: so while
//!   default's last word was a refusal, fallback only takes a payment accepted at least
//!   the router's `hold` ago ([`Route::waited`]); younger ones wait in the queue for
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

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::payments::domain::{Answer, Fees, Processor};

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

/// A health answer as the router takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthReading {
    pub failing: bool,
    pub delay: Duration,
    /// How long ago the processor gave it.
    pub age: Duration,
    /// When it was given (milliseconds since the epoch): the same stamp is the same answer.
    pub stamp: i64,
}

/// One attempt in flight, to be handed back to [`Router::finish`].
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

#[derive(Debug)]
struct Lane {
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
    fn new() -> Self {
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
    fn room(&self, now: Instant, max_in_flight: usize) -> usize {
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
    fn observe(&mut self, sent: Instant, failing: bool, delay: Duration, now: Instant) {
        if self.observed.is_some_and(|t| t > sent) {
            return;
        }
        self.observed = Some(sent);
        self.failing = failing;
        self.delay = delay;
        self.next_probe = (failing || delay > MAX_DELAY).then_some(now + PROBE_EVERY);
    }
}

/// The routing state of one dispatcher: a lane per processor.
#[derive(Debug)]
pub struct Router {
    lanes: [Lane; 2],
    max_in_flight: usize,
    /// How long a payment waits for a refusing default before fallback takes it.
    hold: Duration,
    serial: u64,
}

impl Router {
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
            Processor::Fallback if self.lanes[Processor::Default.index()].failing => self.hold,
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
        let lane = self.lane(processor);
        lane.in_flight.insert((now, serial));
        if !lane.healthy(now) {
            lane.next_probe = Some(now + PROBE_EVERY);
        }
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
        lane.in_flight.remove(&(ticket.started, ticket.serial));
        let took = now.duration_since(ticket.started);
        match answer {
            Answer::Stored | Answer::Duplicate => lane.observe(ticket.started, false, took, now),
            Answer::Refused => lane.observe(ticket.started, true, took, now),
            Answer::Unknown(_) => {
                let failing = lane.failing;
                lane.observe(ticket.started, failing, took.max(MAX_DELAY * 2), now);
            }
        }
    }

    /// What the router knows of `processor` now: its delay, and whether it is failing.
    pub fn known(&self, processor: Processor) -> (Duration, bool) {
        let lane = &self.lanes[processor.index()];
        (lane.delay, lane.failing)
    }

    /// An attempt that was counted but never sent (the payment was a repeat, or the
    /// database refused it).
    pub fn cancel(&mut self, ticket: Ticket) {
        let lane = self.lane(ticket.processor);
        lane.in_flight.remove(&(ticket.started, ticket.serial));
    }

    /// What a health call answered, `age` ago; `stamp` names the answer (the same
    /// answer read twice is taken once).
    pub fn health(&mut self, processor: Processor, answer: HealthReading, now: Instant) {
        let lane = self.lane(processor);
        if lane.health_seen == Some(answer.stamp) {
            return;
        }
        lane.health_seen = Some(answer.stamp);
        let answered = now.checked_sub(answer.age).unwrap_or(now);
        lane.observe(answered, answer.failing, answer.delay, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Processor::{Default, Fallback};

    const HOLD: Duration = Duration::from_secs(30);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn router(max_in_flight: usize) -> Router {
        Router::new(max_in_flight, HOLD)
    }

    fn at_once(processor: Processor) -> Option<Route> {
        Some(Route {
            processor,
            waited: Duration::ZERO,
        })
    }

    fn reading(failing: bool, delay: u64, stamp: i64) -> HealthReading {
        HealthReading {
            failing,
            delay: ms(delay),
            age: Duration::ZERO,
            stamp,
        }
    }

    #[test]
    fn the_wait_for_a_refusing_default_follows_the_fees() {
        let secs = |fees| hold(fees).as_secs_f64();
        assert!((secs(Fees::PREVIEW) - 300.0 * 0.10 / 0.85).abs() < 1e-6);
        assert!((secs(Fees::FINAL) - 10.0).abs() < 1e-6);
        assert_eq!(hold(Fees::new(0.1, 0.1).unwrap()), Duration::ZERO);
        let wider = Fees::new(0.07, 0.12).unwrap();
        assert!(
            hold(wider) > hold(Fees::FINAL),
            "a wider gap is worth a longer wait"
        );
    }

    #[test]
    fn a_fresh_router_sends_to_default() {
        let router = router(4);
        assert_eq!(router.choose(Instant::now()), at_once(Default));
    }

    #[test]
    fn a_full_default_overflows_to_fallback_then_to_the_queue() {
        let now = Instant::now();
        let mut router = router(2);
        for _ in 0..2 {
            router.start(Default, now);
        }
        assert_eq!(router.choose(now), at_once(Fallback));
        for _ in 0..2 {
            router.start(Fallback, now);
        }
        assert_eq!(router.choose(now), None);
    }

    #[test]
    fn while_default_refuses_fallback_takes_only_payments_that_waited_for_it() {
        let now = Instant::now();
        let mut router = router(4);
        let t = router.start(Default, now);
        router.finish(t, Answer::Refused, now + ms(10));
        let held = Some(Route {
            processor: Fallback,
            waited: HOLD,
        });
        assert_eq!(router.choose(now + ms(20)), held);
        router.health(Default, reading(true, 3000, 1), now + ms(30));
        assert_eq!(router.choose(now + ms(40)), held, "slow and refusing");
        router.health(Default, reading(false, 3000, 2), now + ms(50));
        assert_eq!(
            router.choose(now + ms(60)),
            at_once(Fallback),
            "only slow: it may stay so to the end"
        );
    }

    #[test]
    fn with_no_wait_a_refusing_default_sends_payments_to_fallback_at_once() {
        let now = Instant::now();
        let mut router = Router::new(4, Duration::ZERO);
        let t = router.start(Default, now);
        router.finish(t, Answer::Refused, now + ms(10));
        assert_eq!(router.choose(now + ms(20)), at_once(Fallback));
    }

    #[test]
    fn a_failing_processor_gets_one_probe_per_interval() {
        let now = Instant::now();
        let mut router = router(4);
        let t = router.start(Default, now);
        router.finish(t, Answer::Refused, now);
        assert_eq!(router.room(Default, now + ms(500)), 0);
        let later = now + PROBE_EVERY;
        assert_eq!(router.room(Default, later), 1);
        let probe = router.start(Default, later);
        assert_eq!(router.room(Default, later), 0, "one probe at a time");
        router.finish(probe, Answer::Stored, later + ms(5));
        assert_eq!(router.room(Default, later + ms(6)), 4, "recovered");
    }

    #[test]
    fn a_slow_failing_processor_is_never_probed_until_its_health_says_it_is_fast() {
        let now = Instant::now();
        let mut router = router(4);
        let t = router.start(Default, now);
        router.finish(t, Answer::Refused, now + ms(2000));
        for wait in [PROBE_EVERY, PROBE_EVERY * 10] {
            assert_eq!(router.room(Default, now + ms(2000) + wait), 0);
        }
        let later = now + ms(2000) + PROBE_EVERY * 10;
        router.health(Default, reading(true, 20, 1), later);
        assert_eq!(
            router.room(Default, later),
            0,
            "fast but failing: probe later"
        );
        assert_eq!(router.room(Default, later + PROBE_EVERY), 1);
        router.health(Default, reading(false, 20, 2), later + PROBE_EVERY);
        assert_eq!(router.room(Default, later + PROBE_EVERY), 4);
    }

    #[test]
    fn a_delay_above_the_cap_stops_the_lane() {
        let now = Instant::now();
        let mut router = router(4);
        router.health(Default, reading(false, 2000, 1), now);
        assert_eq!(router.choose(now), at_once(Fallback));
        router.health(Default, reading(false, 1000, 2), now + ms(1));
        assert_eq!(router.choose(now + ms(1)), at_once(Default));
    }

    #[test]
    fn an_attempt_outliving_its_delay_stalls_the_lane() {
        let now = Instant::now();
        let mut router = router(4);
        router.health(Default, reading(false, 103, 1), now);
        router.start(Default, now);
        let outlived = ms(103) + STALL_MARGIN;
        assert_eq!(router.choose(now + outlived), at_once(Default));
        assert_eq!(router.choose(now + outlived + ms(1)), at_once(Fallback));
    }

    #[test]
    fn an_older_observation_does_not_override_a_newer_one() {
        let now = Instant::now();
        let mut router = router(4);
        let old = router.start(Default, now);
        let new = router.start(Default, now + ms(10));
        router.finish(new, Answer::Stored, now + ms(20));
        router.finish(old, Answer::Refused, now + ms(30));
        assert_eq!(router.choose(now + ms(40)), at_once(Default));
    }

    #[test]
    fn the_same_health_answer_read_again_does_not_delay_the_probe() {
        let now = Instant::now();
        let mut router = router(4);
        router.health(Default, reading(true, 0, 7), now);
        router.health(Default, reading(true, 0, 7), now + PROBE_EVERY);
        assert_eq!(router.room(Default, now + PROBE_EVERY), 1);
    }

    #[test]
    fn silence_makes_a_processor_slow_until_it_answers() {
        let now = Instant::now();
        let mut router = router(4);
        let t = router.start(Default, now);
        router.finish(t, Answer::Unknown(None), now + ms(10_000));
        assert_eq!(router.choose(now + ms(10_001)), at_once(Fallback));
    }
}
