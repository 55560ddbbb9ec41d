//! Settling paid attempts in batches. Per payment, most of what PostgreSQL spends on
//! recording an outcome is the statement itself, so a worker gathers the attempts its
//! processors confirmed over a few tens of milliseconds and settles them in one statement.
//!
//! The wait is bounded by [`WINDOW`], far inside what the summary's consistency allows: an
//! attempt only has to be recorded before its requestedAt is 1.5 s old, and the routing policy only
//! sends where it will be answered well before. An attempt answered late (its processor
//! slowed down while it was in flight) cuts the wait short: the processors count it by its
//! requestedAt, so every millisecond it waits here the two summaries may differ. A batch that cannot be written (the
//! database is restarting) is written again every [`RETRY`] until it is: its outcomes are
//! known, and recording them as soon as the database is back keeps the summary right
//! sooner than the leases would. Settling is idempotent, so a batch that was written
//! before its answer was lost does no harm the second time.

use std::cell::RefCell;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;

use super::PaymentMetrics;
use crate::db::StoreError;
use crate::payments::domain::{Attempt, Processor};
use crate::payments::store::Store;

/// How long a confirmed attempt may wait for others to share its statement: at the
/// contest's rates a statement then settles several, and it is still recorded more than
/// 200 ms before the checker may ask about it.
pub const WINDOW: Duration = Duration::from_millis(50);
/// An attempt confirmed this long after its requestedAt is settled at once, with whatever
/// waits beside it: the checker may already be counting it at its processor.
const LATE: Duration = Duration::from_secs(1);
/// The most attempts one statement settles.
const MAX_BATCH: usize = 512;
/// How long a batch that could not be written waits before it is written again.
const RETRY: Duration = Duration::from_millis(100);

/// What one batch of the settler did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settled {
    /// Attempts the batch held; none when nothing waited.
    pub attempts: usize,
    /// Payments it settled paid (an attempt settled before, by another instance, is not
    /// counted).
    pub paid: u64,
}

/// The worker's settler: the attempts its processors confirmed, waiting for their batch.
pub struct Settler {
    pending: RefCell<Vec<Attempt>>,
    ready: Notify,
    late: Notify,
    metrics: PaymentMetrics,
}

impl Settler {
    pub fn new(metrics: PaymentMetrics) -> Self {
        Self {
            pending: RefCell::default(),
            ready: Notify::new(),
            late: Notify::new(),
            metrics,
        }
    }

    /// Queues a confirmed attempt for the next batch.
    pub fn settle(&self, attempt: Attempt) {
        let late = OffsetDateTime::now_utc() - attempt.requested_at.get() >= LATE;
        let mut pending = self.pending.borrow_mut();
        pending.push(attempt);
        if pending.len() == 1 {
            self.ready.notify_one();
        }
        if late {
            self.late.notify_one();
        }
    }

    /// Runs for the life of the worker: one statement per window with something in it,
    /// and as many more as it takes to write what waits.
    pub async fn run(&self, store: &Store) {
        loop {
            self.ready.notified().await;
            tokio::select! {
                () = tokio::time::sleep(WINDOW) => {}
                () = self.late.notified() => {}
            }
            loop {
                match self.run_once(store).await {
                    Ok(settled) if settled.attempts == 0 => break,
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(RETRY).await,
                }
            }
        }
    }

    /// Writes one batch of what waits, up to `MAX_BATCH` attempts in one statement. A
    /// batch that cannot be written goes back in front of the others.
    pub async fn run_once(&self, store: &Store) -> Result<Settled, StoreError> {
        let batch: Vec<Attempt> = {
            let mut pending = self.pending.borrow_mut();
            let take = pending.len().min(MAX_BATCH);
            pending.drain(..take).collect()
        };
        if batch.is_empty() {
            return Ok(Settled::default());
        }
        match store.settle_paid(&batch).await {
            Ok(settled) => {
                for (processor, n) in Processor::ALL.into_iter().zip(settled) {
                    self.metrics.lane(processor).paid.inc_by(n);
                }
                Ok(Settled {
                    attempts: batch.len(),
                    paid: settled.iter().sum(),
                })
            }
            Err(e) => {
                tracing::warn!(error = %e, attempts = batch.len(), "cannot settle paid attempts yet; trying again");
                self.pending.borrow_mut().splice(..0, batch);
                Err(e)
            }
        }
    }
}
