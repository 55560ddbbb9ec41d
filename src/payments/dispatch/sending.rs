//! One send of an attempt and what is recorded of it, shared by the accept (a first
//! attempt), the drain (a queued payment's) and the rescue (a resend); and the policy's
//! count of what is in flight at each processor.

use std::rc::Rc;
use std::time::{Duration, Instant};

use super::Dispatcher;
use super::policy::Ticket;
use crate::payments::domain::{Answer, Attempt, Processor};

/// How long an attempt without an answer waits before it is resent.
const RESEND_AFTER: Duration = Duration::from_secs(1);

/// Whether this is an attempt's only send so far, or a resend of one whose earlier sends
/// may still be in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    First,
    Again,
}

impl Dispatcher {
    /// Sends one attempt and records what became of it.
    pub(super) async fn send(self: Rc<Self>, attempt: Attempt, ticket: Ticket, kind: Sending) {
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
                    self.queued_more(1);
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

    /// Whether the attempt's processor holds it from an earlier send, which is then
    /// settled paid.
    pub(super) async fn stored_earlier(&self, attempt: &Attempt) -> bool {
        let stored = self.processors.lookup(attempt).await == Some(true);
        if stored {
            tracing::info!(id = %attempt.id, processor = %attempt.processor, "an attempt without an answer was stored");
            self.settler.settle(*attempt);
        }
        stored
    }

    /// Counts an attempt in flight at `processor`, for the policy and the metrics.
    pub(super) fn start(&self, processor: Processor, now: Instant) -> Ticket {
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
    pub(super) fn cancel(&self, ticket: Ticket) {
        self.metrics.lane(ticket.processor()).in_flight.dec();
        self.policy.borrow_mut().cancel(ticket);
    }

    /// Tells the metrics what the policy now knows of `processor`.
    pub(super) fn publish(&self, processor: Processor) {
        let (delay, failing) = self.policy.borrow().known(processor);
        self.metrics.lane(processor).known(delay, failing);
    }
}
