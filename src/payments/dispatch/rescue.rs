//! The rescue: says this instance is alive, and takes over the attempts of instances that
//! stopped saying so, and those whose lease ended (their outcome is unknown and due for a
//! resend); each is looked up at its processor, then settled or resent, unchanged. It also
//! stores what the journal segments of workers that are gone hold.

use std::rc::Rc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::sending::Sending;
use super::{ACCEPT_BUDGET, BATCH, Dispatcher};
use crate::db::StoreError;
use crate::payments::domain::Attempt;
use crate::payments::journal;

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
/// How long past the end of its delay a send taken over is first looked up at its
/// processor: the processor stores a payment when its delay ends, give or take the time
/// the request took to arrive there.
const LOOKUP_MARGIN: Duration = Duration::from_millis(50);
/// How often a send taken over and not yet found is looked up again. The send began some
/// time after its requestedAt (the accept's statement waits its turn on the connection:
/// 100-250 ms on a busy machine), so its delay may end later than requestedAt + delay.
const LOOKUP_EVERY: Duration = Duration::from_millis(50);

/// What one round of the rescue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rescued {
    /// Attempts taken over, each now being resolved.
    pub taken_over: usize,
    /// Payments of journal segments whose workers are gone, stored now in the queue.
    pub replayed: u64,
}

/// The worker's rescue.
pub struct Rescue {
    dispatcher: Rc<Dispatcher>,
}

impl Rescue {
    pub fn new(dispatcher: Rc<Dispatcher>) -> Self {
        Self { dispatcher }
    }

    /// Runs for the life of the worker: says this instance is alive at once, then a round
    /// every `SWEEP`.
    pub async fn run(self) {
        self.say_alive().await;
        loop {
            tokio::time::sleep(SWEEP).await;
            if let Err(e) = self.run_once().await {
                tracing::warn!(error = %e, "cannot take over expired attempts");
            }
        }
    }

    /// Says this instance is alive, then takes over every attempt whose lease ended or
    /// whose sender died, batch after batch until one comes back short, and resolves each;
    /// then stores what the journal segments of workers that are gone hold.
    pub async fn run_once(&self) -> Result<Rescued, StoreError> {
        self.say_alive().await;
        let d = &self.dispatcher;
        let mut taken_over = 0;
        loop {
            let attempts = d.store.take_over(d.owner, d.lease, BATCH).await?;
            let full = attempts.len() == BATCH;
            taken_over += attempts.len();
            for attempt in attempts {
                ntex::rt::spawn(resolve(Rc::clone(d), attempt));
            }
            if !full {
                break;
            }
        }
        let replayed = self.replay().await?;
        Ok(Rescued {
            taken_over,
            replayed,
        })
    }

    /// Stores the payments of every orphaned journal segment in the queue, one statement
    /// each, and removes the segment once they are stored.
    async fn replay(&self) -> Result<u64, StoreError> {
        let d = &self.dispatcher;
        let Some(journal) = &d.journal else {
            return Ok(0);
        };
        let orphans = journal::orphans(journal).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the journal");
            Vec::new()
        });
        let mut replayed = 0;
        for orphan in orphans {
            if !orphan.payments.is_empty() {
                let stored = d.store.replay(&orphan.payments).await?;
                tracing::info!(
                    payments = orphan.payments.len(),
                    stored,
                    "replayed a journal segment whose worker is gone"
                );
                replayed += stored;
                d.queued_more(stored);
            }
            if let Err(e) = orphan.replayed() {
                tracing::warn!(error = %e, "cannot remove a replayed journal segment");
            }
        }
        Ok(replayed)
    }

    /// Says this instance is alive for the next [`ALIVE`].
    async fn say_alive(&self) {
        let d = &self.dispatcher;
        if let Err(e) = d.store.heartbeat(d.owner, ALIVE).await {
            tracing::warn!(error = %e, "cannot say this instance is alive");
        }
    }
}

/// An attempt without a known outcome. An earlier send may still be in the processor's
/// delay, to be stored when it ends: until the latest moment that can be, the attempt is
/// looked up rather than resent, so that an earlier send that stored it is recorded at
/// once rather than after a resend's own delay. That send began after its requestedAt, at
/// most [`ACCEPT_BUDGET`] later (an accept that waits longer stores nothing), so its delay
/// ends within requestedAt + budget + delay. Stored: it is paid. Not stored by then: it is
/// resent, unchanged, to the same processor (a send still in flight there and this one
/// cannot both store it: the second is a duplicate).
async fn resolve(d: Rc<Dispatcher>, attempt: Attempt) {
    let (delay, _) = d.policy.borrow().known(attempt.processor);
    let first = attempt.requested_at.get() + delay + LOOKUP_MARGIN;
    let last = first + ACCEPT_BUDGET;
    let wait = first - OffsetDateTime::now_utc();
    if wait.is_positive() {
        tokio::time::sleep(wait.unsigned_abs()).await;
    }
    while !d.stored_earlier(&attempt).await {
        if OffsetDateTime::now_utc() >= last {
            tracing::info!(id = %attempt.id, processor = %attempt.processor, "resending an attempt without a known outcome");
            let ticket = d.start(attempt.processor, Instant::now());
            return d.send(attempt, ticket, Sending::Again).await;
        }
        tokio::time::sleep(LOOKUP_EVERY).await;
    }
}
