//! Paying: the dispatcher of one worker sends each accepted payment to a processor and
//! records the outcome, resends what has no known outcome, drains the queue, and keeps
//! the processors' health known without ever asking more than the processors allow.
//!
//! The rules that make every accepted payment paid exactly once:
//! - an attempt (processor, requestedAt) is recorded before it is sent;
//! - only its own answer decides it: 200 or 422 settle it paid; a refusal of its only send
//!   (the processor's own 500, or a connection never made) returns the payment to the
//!   queue; anything else (no answer, a proxy's 502, 503 or 504) pins it to that
//!   processor, to be resent unchanged until the processor says it stored it;
//! - a processor stores a correlationId once, so resending to the same processor can never
//!   pay twice; a payment only moves to the other processor after a refusal, which proves
//!   nothing was stored;
//! - a lease marks who is sending; when the sender stops saying it is alive, or the lease
//!   ends (the outcome is unknown and due for a resend), any instance takes the attempt
//!   over and settles it.

mod client;
mod metrics;
mod policy;
mod settler;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::db::StoreError;
use crate::payments::domain::{Answer, Attempt, Fees, Moment, NewPayment, Processor};
use crate::payments::store::{Accepted, Store};
use settler::Settler;

use client::Processors;
pub use metrics::PaymentMetrics;
use policy::{HealthReading, Policy, Route, Ticket};

/// How often the dispatcher looks for queued payments it knows of, expired leases and
/// health.
const TICK: Duration = Duration::from_millis(50);
/// How often it looks for queued payments it does not know of (another instance queued
/// them, then died): an empty claim is a statement like any other, so an instance only
/// claims every tick while it has queued payments itself.
const QUEUE_SWEEP: Duration = Duration::from_secs(1);
/// How many rows one claim takes at most.
const BATCH: usize = 64;
/// After a health window, how long an instance waits past it before asking again, so that
/// two calls never fall in the same window of the processor's clock.
const HEALTH_MARGIN: Duration = Duration::from_millis(500);
/// How often an instance says it is alive and looks for attempts to take over.
const SWEEP: Duration = Duration::from_millis(100);
/// How long an instance counts as alive after it last said so. With [`SWEEP`], an
/// instance that dies has its attempts taken over within 350 ms: what it had sent, or
/// learnt was stored without recording it yet, is recorded before the checker's window
/// (requestedAt at least 1.5 s old in the preview, 2 s in the final) reaches it, even when
/// the processor's delay is 1 s and the payment was stored as the instance died, which
/// leaves half a second. An instance alive but late to say so (two renewals missed) only
/// costs lookups: its attempts are looked up, and settling one twice changes nothing.
const ALIVE: Duration = Duration::from_millis(250);
/// How long an attempt without an answer waits before it is resent.
const RESEND_AFTER: Duration = Duration::from_secs(1);
/// How long past the end of its delay a send taken over is first looked up at its
/// processor: the processor stores a payment when its delay ends, give or take the time
/// the request took to arrive there.
const LOOKUP_MARGIN: Duration = Duration::from_millis(50);
/// How often a send taken over and not yet found is looked up again. The send began some
/// time after its requestedAt (the accept's statement waits its turn on the connection:
/// 100-250 ms on a busy machine), so its delay may end later than requestedAt + delay.
const LOOKUP_EVERY: Duration = Duration::from_millis(50);
/// How long after its request arrived a payment may still be stored. The load generator
/// gives up on a POST after 1.5 s and counts it as never made, so a payment stored later
/// would be paid, and counted, beyond what the clients saw accepted: a negative lag, which
/// disqualifies. A payment that cannot be stored in time is not stored at all, and the
/// client gets a 503 if it still listens. The 300 ms left cover the commit and the answer's
/// way back through NGINX.
pub const ACCEPT_BUDGET: Duration = Duration::from_millis(1200);

/// What a dispatcher is told: where the processors are, how to talk to them, what they
/// charge, and how long a refusing default may hold payments back.
#[derive(Debug, Clone)]
pub struct Settings {
    pub processor_default: reqwest::Url,
    pub processor_fallback: reqwest::Url,
    /// How long an attempt waits for an answer before its outcome counts as unknown.
    pub processor_timeout: Duration,
    /// Attempts in flight at once, per processor and instance.
    pub max_in_flight: usize,
    pub fees: Fees,
    /// While default refuses, how long a payment waits for it; by default the fees' rule.
    pub fallback_after: Option<Duration>,
    /// All instances together ask each processor for its health at most once per window.
    pub health_window: Duration,
}

/// One worker's dispatcher.
pub struct Dispatcher {
    store: Store,
    processors: Processors,
    policy: RefCell<Policy>,
    settler: Settler,
    /// This dispatcher's name in the leases it holds.
    owner: Uuid,
    /// Payments this instance queued or released that no claim has yet seen come back
    /// short of a full batch: while there are any, the queue may hold some of them. A
    /// count rather than a flag, so that one queued while a claim is under way is not
    /// forgotten when that claim comes back short.
    queued: Cell<u64>,
    /// How long an attempt is held by its sender: longer than the send may take.
    lease: Duration,
    health_window: Duration,
    metrics: PaymentMetrics,
}

impl Dispatcher {
    /// The fees are what the processors charge; the routing weighs its choices with them.
    pub fn new(store: Store, settings: &Settings, metrics: PaymentMetrics) -> Rc<Self> {
        let hold = settings
            .fallback_after
            .unwrap_or_else(|| policy::hold(settings.fees));
        Rc::new(Self {
            store,
            processors: Processors::new(
                &settings.processor_default,
                &settings.processor_fallback,
                settings.processor_timeout,
            ),
            policy: RefCell::new(Policy::new(settings.max_in_flight, hold)),
            settler: Settler::new(metrics.clone()),
            owner: Uuid::new_v4(),
            queued: Cell::new(0),
            lease: settings.processor_timeout + Duration::from_secs(2),
            health_window: settings.health_window,
            metrics,
        })
    }

    /// Accepts a payment durably, within [`ACCEPT_BUDGET`] of its request's `arrival` or
    /// not at all: with its first attempt when a processor can take it now (sent once the
    /// caller has its answer), in the queue otherwise.
    pub async fn accept(
        self: &Rc<Self>,
        payment: NewPayment,
        arrival: Instant,
    ) -> Result<Accepted, StoreError> {
        let deadline = arrival + ACCEPT_BUDGET;
        let now = Instant::now();
        // A new payment has waited for nothing: a route that asks for a wait queues it.
        let chosen = self.policy.borrow().choose(now);
        let Some(Route { processor, .. }) = chosen.filter(|r| r.waited.is_zero()) else {
            let accepted = self
                .stored(self.store.accept_queued(&payment, deadline))
                .await;
            if let Ok(Accepted::New) = accepted {
                self.metrics.accepted.inc();
                self.queued.set(self.queued.get() + 1);
            }
            return accepted;
        };
        let ticket = self.start(processor, now);
        let attempt = Attempt {
            id: payment.id,
            amount: payment.amount,
            processor,
            requested_at: Moment::now(),
        };
        match self
            .stored(
                self.store
                    .accept_sending(&attempt, self.owner, self.lease, deadline),
            )
            .await
        {
            Ok(Accepted::New) => {
                self.metrics.accepted.inc();
                ntex::rt::spawn(Rc::clone(self).send(attempt, ticket, Sending::First));
                Ok(Accepted::New)
            }
            other => {
                self.cancel(ticket);
                other
            }
        }
    }

    /// Runs an accept's statement, timed for `rinha_payments_accept_store_seconds`.
    async fn stored(
        &self,
        statement: impl Future<Output = Result<Accepted, StoreError>>,
    ) -> Result<Accepted, StoreError> {
        let started = Instant::now();
        let accepted = statement.await;
        self.metrics
            .accept_store
            .observe(started.elapsed().as_secs_f64());
        accepted
    }

    /// Sends one attempt and records what became of it.
    async fn send(self: Rc<Self>, attempt: Attempt, ticket: Ticket, kind: Sending) {
        let answer = self.processors.send(&attempt).await;
        if !answer.stored() {
            self.metrics.retried.inc();
        }
        self.finish(ticket, answer);
        let recorded = match (answer, kind) {
            (Answer::Stored | Answer::Duplicate, _) => {
                self.settler.settle(attempt);
                Ok(true)
            }
            (Answer::Refused, Sending::First) => {
                let released = self.store.release(&attempt, self.owner).await;
                if let Ok(true) = released {
                    self.queued.set(self.queued.get() + 1);
                }
                released
            }
            (Answer::Unknown(_), Sending::First) => {
                self.store
                    .mark_unknown(&attempt, self.owner, RESEND_AFTER)
                    .await
            }
            // A resend's refusal says nothing of the earlier sends, but one of them may have
            // been stored meanwhile (its delay ended while the processor did not fail): it
            // is looked up at once rather than left pinned until its lease ends.
            (Answer::Refused, Sending::Again) => Ok(self.stored_earlier(&attempt).await),
            // An unknown outcome says nothing either, and the lease brings the attempt back.
            (Answer::Unknown(_), Sending::Again) => Ok(false),
        };
        tracing::debug!(id = %attempt.id, processor = %attempt.processor, ?answer, ?kind, "sent");
        if let Err(e) = recorded {
            // The lease brings the attempt back to whoever resends it: a processor that
            // stored it answers 422, and the payment is settled then.
            tracing::warn!(id = %attempt.id, error = %e, "cannot record an outcome yet");
        }
    }

    /// Runs for the life of the worker: drains the queue into processors with room,
    /// resends attempts whose lease ended, and keeps the processors' health known.
    pub async fn run(self: Rc<Self>) {
        let settler = Rc::clone(&self);
        ntex::rt::spawn(async move { settler.settler.run(&settler.store).await });
        if let Err(e) = self.store.heartbeat(self.owner, ALIVE).await {
            tracing::warn!(error = %e, "cannot say this instance is alive");
        }
        let (mut last_sweep, mut last_health) = (Instant::now(), Instant::now());
        let mut last_queue_sweep = Instant::now();
        // Whether the queue may hold more than the last claim took, whoever queued it.
        let mut more = false;
        loop {
            ntex::time::sleep(TICK).await;
            if more || self.queued.get() > 0 || last_queue_sweep.elapsed() >= QUEUE_SWEEP {
                last_queue_sweep = Instant::now();
                more = self.drain_queue().await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot claim queued payments");
                    false
                });
            }
            if last_sweep.elapsed() >= SWEEP {
                last_sweep = Instant::now();
                if let Err(e) = self.store.heartbeat(self.owner, ALIVE).await {
                    tracing::warn!(error = %e, "cannot say this instance is alive");
                }
                if let Err(e) = self.take_over().await {
                    tracing::warn!(error = %e, "cannot take over expired attempts");
                }
            }
            if last_health.elapsed() >= Duration::from_secs(1) {
                last_health = Instant::now();
                if let Err(e) = self.health().await {
                    tracing::warn!(error = %e, "cannot share the processors' health");
                }
            }
        }
    }

    /// Claims queued payments for the processor the policy picks, as many as it has room,
    /// of those that have waited as long as it asks. False once a claim comes back short:
    /// the queue holds nothing more that this instance may send now. True with no
    /// processor to send to: the next tick looks again, which costs no statement until one
    /// has room.
    async fn drain_queue(self: &Rc<Self>) -> Result<bool, StoreError> {
        let now = Instant::now();
        let chosen = {
            let policy = self.policy.borrow();
            policy
                .choose(now)
                .map(|r| (r, policy.room(r.processor, now)))
        };
        let Some((Route { processor, waited }, room)) = chosen else {
            return Ok(true);
        };
        let wanted = room.min(BATCH);
        let seen = self.queued.get();
        let claimed = self
            .store
            .claim_queued(processor, self.owner, self.lease, wanted, waited)
            .await?;
        let full = claimed.len() == wanted;
        if !full {
            self.queued.set(self.queued.get() - seen);
        }
        for attempt in claimed {
            let ticket = self.start(processor, Instant::now());
            ntex::rt::spawn(Rc::clone(self).send(attempt, ticket, Sending::First));
        }
        Ok(full)
    }

    /// Takes over every attempt whose lease ended or whose sender died, batch after batch
    /// until one comes back short, and settles each.
    async fn take_over(self: &Rc<Self>) -> Result<(), StoreError> {
        loop {
            let attempts = self.store.take_over(self.owner, self.lease, BATCH).await?;
            let full = attempts.len() == BATCH;
            for attempt in attempts {
                ntex::rt::spawn(Rc::clone(self).resolve(attempt));
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// An attempt without a known outcome. An earlier send may still be in the processor's
    /// delay, to be stored when it ends: until the latest moment that can be, the attempt
    /// is looked up rather than resent, so that an earlier send that stored it is recorded
    /// at once rather than after a resend's own delay. That send began after its
    /// requestedAt, at most [`ACCEPT_BUDGET`] later (an accept that waits longer stores
    /// nothing), so its delay ends within requestedAt + budget + delay. Stored: it is paid.
    /// Not stored by then: it is resent, unchanged, to the same processor (a send still in
    /// flight there and this one cannot both store it: the second is a duplicate).
    async fn resolve(self: Rc<Self>, attempt: Attempt) {
        let (delay, _) = self.policy.borrow().known(attempt.processor);
        let first = attempt.requested_at.get() + delay + LOOKUP_MARGIN;
        let last = first + ACCEPT_BUDGET;
        let wait = first - time::OffsetDateTime::now_utc();
        if wait.is_positive() {
            ntex::time::sleep(wait.unsigned_abs()).await;
        }
        while !self.stored_earlier(&attempt).await {
            if time::OffsetDateTime::now_utc() >= last {
                tracing::info!(id = %attempt.id, processor = %attempt.processor, "resending an attempt without a known outcome");
                let ticket = self.start(attempt.processor, Instant::now());
                return self.send(attempt, ticket, Sending::Again).await;
            }
            ntex::time::sleep(LOOKUP_EVERY).await;
        }
    }

    /// Whether the attempt's processor holds it from an earlier send, which is then
    /// settled paid.
    async fn stored_earlier(&self, attempt: &Attempt) -> bool {
        let stored = self.processors.lookup(attempt).await == Some(true);
        if stored {
            tracing::info!(id = %attempt.id, processor = %attempt.processor, "an attempt without an answer was stored");
            self.settler.settle(*attempt);
        }
        stored
    }

    /// Asks each processor for its health when it is this instance's turn, then takes
    /// what any instance last learnt.
    async fn health(self: &Rc<Self>) -> Result<(), StoreError> {
        for processor in Processor::ALL {
            if self
                .store
                .health_turn(processor, self.health_window + HEALTH_MARGIN)
                .await?
            {
                ntex::rt::spawn(Rc::clone(self).ask_health(processor));
            }
        }
        let now = Instant::now();
        for h in self.store.health_read().await? {
            let reading = HealthReading {
                failing: h.failing,
                delay: h.min_response_time,
                age: h.age,
                stamp: h.answered,
            };
            self.policy.borrow_mut().health(h.processor, reading, now);
            self.publish(h.processor);
        }
        Ok(())
    }

    /// Counts an attempt in flight at `processor`, for the policy and the metrics.
    fn start(&self, processor: Processor, now: Instant) -> Ticket {
        self.metrics.lane(processor).in_flight.inc();
        self.policy.borrow_mut().start(processor, now)
    }

    /// An attempt was answered (or not): the policy learns from it.
    fn finish(&self, ticket: Ticket, answer: Answer) {
        let processor = ticket.processor();
        self.metrics.lane(processor).in_flight.dec();
        self.policy
            .borrow_mut()
            .finish(ticket, answer, Instant::now());
        self.publish(processor);
    }

    /// An attempt counted in flight was never sent.
    fn cancel(&self, ticket: Ticket) {
        self.metrics.lane(ticket.processor()).in_flight.dec();
        self.policy.borrow_mut().cancel(ticket);
    }

    /// Tells the metrics what the policy now knows of `processor`.
    fn publish(&self, processor: Processor) {
        let (delay, failing) = self.policy.borrow().known(processor);
        self.metrics.lane(processor).known(delay, failing);
    }

    async fn ask_health(self: Rc<Self>, processor: Processor) {
        match self
            .processors
            .health(processor, self.health_window * 3)
            .await
        {
            Ok(h) => {
                tracing::info!(%processor, failing = h.failing, min_response_time = ?h.min_response_time, "processor health");
                if let Err(e) = self
                    .store
                    .health_record(processor, h.failing, h.min_response_time)
                    .await
                {
                    tracing::warn!(%processor, error = %e, "cannot record the health answer");
                }
            }
            Err(e) => tracing::warn!(%processor, error = %e, "health call failed"),
        }
    }
}

/// Whether this is an attempt's only send so far, or a resend of one whose earlier sends
/// may still be in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sending {
    First,
    Again,
}
