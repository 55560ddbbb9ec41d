//! The drain: sends the queue's payments to the processor the policy picks, as fast as
//! the queue this instance knows of needs, and now and then looks for payments queued by
//! an instance that died.

use std::rc::Rc;
use std::time::{Duration, Instant};

use super::policy::Route;
use super::sending::Sending;
use super::{BATCH, Dispatcher};
use crate::db::StoreError;

/// How often the drain looks for queued payments it knows of.
const TICK: Duration = Duration::from_millis(50);
/// How often it looks for queued payments it does not know of (another instance queued
/// them, then died): an empty claim is a statement like any other, so an instance only
/// claims every tick while it has queued payments itself.
const QUEUE_SWEEP: Duration = Duration::from_secs(1);

/// What one round of the drain did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// Queued payments claimed, each now sent.
    pub sent: usize,
    /// Whether the queue may hold more that this instance may send now: the claim was
    /// full, or no processor had room (which costs no statement until one has).
    pub more: bool,
}

/// The worker's drain.
pub struct Drain {
    dispatcher: Rc<Dispatcher>,
}

impl Drain {
    pub fn new(dispatcher: Rc<Dispatcher>) -> Self {
        Self { dispatcher }
    }

    /// Runs for the life of the worker: a round every `TICK` while the queue may hold
    /// payments this instance queued, released or left behind, every `QUEUE_SWEEP`
    /// otherwise.
    pub async fn run(self) {
        let mut swept = Instant::now();
        let mut more = false;
        loop {
            tokio::time::sleep(TICK).await;
            if more || self.dispatcher.queued.get() > 0 || swept.elapsed() >= QUEUE_SWEEP {
                swept = Instant::now();
                more = self.run_once().await.map_or_else(
                    |e| {
                        tracing::warn!(error = %e, "cannot claim queued payments");
                        false
                    },
                    |drained| drained.more,
                );
            }
        }
    }

    /// Claims queued payments for the processor the policy picks, as many as it has room
    /// (at most `BATCH`), of those that have waited as long as it asks, and sends each.
    /// A claim that comes back short tells that the queue holds nothing more this
    /// instance may send now.
    pub async fn run_once(&self) -> Result<Drained, StoreError> {
        let d = &self.dispatcher;
        let now = Instant::now();
        let chosen = {
            let policy = d.policy.borrow();
            policy
                .choose(now)
                .map(|r| (r, policy.room(r.processor, now)))
        };
        let Some((Route { processor, waited }, room)) = chosen else {
            return Ok(Drained {
                sent: 0,
                more: true,
            });
        };
        let wanted = room.min(BATCH);
        let seen = d.queued.get();
        let claimed = d
            .store
            .claim_queued(processor, d.owner, d.lease, wanted, waited)
            .await?;
        let full = claimed.len() == wanted;
        if !full {
            d.queued.set(d.queued.get() - seen);
        }
        let sent = claimed.len();
        for attempt in claimed {
            let ticket = d.start(processor, Instant::now());
            ntex::rt::spawn(Rc::clone(d).send(attempt, ticket, Sending::First));
        }
        Ok(Drained { sent, more: full })
    }
}
