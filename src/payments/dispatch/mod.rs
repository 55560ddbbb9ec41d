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
//!   over and settles it;
//! - with a journal (`crate::payments::journal`), a payment is answered once it is written
//!   there and accepted into PostgreSQL after, by the same statement, tried until it
//!   stores; what a worker that is gone left there, the rescue stores in the queue.
//!
//! A worker's dispatcher runs on the worker's paying thread ([`PayingThread`]), apart from
//! the thread that answers its requests. Each background duty is a service of its own, on
//! its own clock, with a `run_once` that does one round and tells what it did. The clocks
//! are tokio's, which the paying thread's event loop keeps itself; an ntex timer fires on
//! a thread of its own, which then wakes the paying thread: two wake-ups for one. The
//! drain ([`Drain`]) sends queued payments, the rescue ([`Rescue`]) says this instance is
//! alive and takes over the attempts of the others, the health checks ([`Health`]) keep
//! the processors' health known, and the settler records paid attempts in batches. The
//! routing policy they share is pure, in `policy/`; one send and what is recorded of it is
//! `sending.rs`.

mod client;
mod drain;
mod health;
mod metrics;
mod policy;
mod rescue;
mod sending;
mod settler;
mod thread;

use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::db::StoreError;
use crate::payments::domain::{Attempt, Fees, Moment, NewPayment};
use crate::payments::journal::Entry;
use crate::payments::store::{Accepted, Store};
use client::Processors;
pub use drain::{Drain, Drained};
pub use health::{Checked, Health};
pub use metrics::PaymentMetrics;
use policy::{Policy, Route};
pub use rescue::{Rescue, Rescued};
use sending::Sending;
pub use settler::{Settled, Settler};
pub use thread::{PayingThread, Stopped};

/// How many rows one claim or one take-over takes at most.
const BATCH: usize = 64;
/// How long after its request arrived a payment may still be stored. The load generator
/// gives up on a POST after 1.5 s and counts it as never made, so a payment stored later
/// would be paid, and counted, beyond what the clients saw accepted: a negative lag, which
/// disqualifies. A payment that cannot be stored in time is not stored at all, and the
/// client gets a 503 if it still listens. The 300 ms left cover the commit and the answer's
/// way back through NGINX.
pub const ACCEPT_BUDGET: Duration = Duration::from_millis(1200);

/// How long a journaled payment that PostgreSQL did not store waits before it is tried
/// again, doubling each time up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(1);

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
    /// Where payments are written before their 202, in a directory that is there and that
    /// every instance shares; without it, a payment is in PostgreSQL before its 202.
    pub journal: Option<PathBuf>,
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
    /// Where the journal's segments are, to replay those of workers that are gone.
    journal: Option<PathBuf>,
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
            journal: settings.journal.clone(),
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
                self.queued_more(1);
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

    /// Takes a payment written to the journal and answered: accepts it as
    /// [`Dispatcher::accept`] does, each try within a budget of its own, until PostgreSQL
    /// has it, then lets its entry go. Should this worker stop first, the entry stays in
    /// the journal for another instance to replay.
    pub fn keep(self: &Rc<Self>, payment: NewPayment, entry: Entry) {
        ntex::rt::spawn(Rc::clone(self).store_journaled(payment, entry));
    }

    async fn store_journaled(self: Rc<Self>, payment: NewPayment, entry: Entry) {
        let mut pause = RETRY_FIRST;
        loop {
            match self.accept(payment, Instant::now()).await {
                Ok(Accepted::New | Accepted::Repeat) => return entry.stored(),
                Ok(Accepted::Late) => {
                    tracing::debug!(id = %payment.id, "a journaled payment not stored in time: trying again");
                }
                Err(e) => {
                    tracing::debug!(id = %payment.id, error = %e, "a journaled payment not stored: trying again");
                }
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(RETRY_MAX);
        }
    }

    /// `n` more payments this instance put in the queue, for the drain to claim.
    fn queued_more(&self, n: u64) {
        self.queued.set(self.queued.get() + n);
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

    /// Runs the worker's background services for its life, each on its own clock: the
    /// settler, the drain and the health checks in tasks of their own, the rescue here.
    pub async fn run(self: Rc<Self>) {
        let settler = Rc::clone(&self);
        ntex::rt::spawn(async move { settler.settler.run(&settler.store).await });
        ntex::rt::spawn(Drain::new(Rc::clone(&self)).run());
        ntex::rt::spawn(Health::new(Rc::clone(&self)).run());
        Rescue::new(self).run().await;
    }
}
