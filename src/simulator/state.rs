//! What every worker thread shares: the ledger, the settings the admin changes, and the
//! health check's limiter. Locks are held for a map operation or a summary's range scan at
//! most, never across an await, so a request sleeping in its delay holds nothing.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use uuid::Uuid;

use super::Settings;
use super::decimal::Decimal;
use super::gate::HealthGate;
use super::ledger::{Ledger, Payment, Summary, Window};

#[derive(Debug)]
pub struct Processor {
    ledger: Mutex<Ledger>,
    delay_ms: AtomicU32,
    failing: AtomicBool,
    token: Mutex<String>,
    pub fee: Decimal,
    pub health: HealthGate,
}

/// What became of a payment once its delay was over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    /// Its id was already stored.
    Duplicate,
    /// The processor was failing: nothing stored.
    Failing,
}

impl Processor {
    /// A processor with its initial settings; the health windows start now.
    pub fn new(args: &Settings) -> Self {
        Self {
            ledger: Mutex::default(),
            delay_ms: AtomicU32::new(args.delay),
            failing: AtomicBool::new(args.failure),
            token: Mutex::new(args.token.clone()),
            fee: args.fee,
            health: HealthGate::new(args.health_window),
        }
    }

    /// Waits the delay set when the payment arrived, then decides by the failure flag of
    /// that moment. The wait and the decision run in a task of their own: ntex drops a
    /// handler's future when its client goes away, and a caller that gave up must still
    /// find its payment decided (stored, most often), as the official processor does.
    pub async fn pay(self: &Arc<Self>, payment: Payment) -> Outcome {
        let delay = Duration::from_millis(self.delay_ms().into());
        if delay.is_zero() {
            // Nothing to wait for: decided before the future can be dropped.
            return self.decide(payment);
        }
        let processor = Arc::clone(self);
        let decision = ntex::rt::spawn(async move {
            tokio::time::sleep(delay).await;
            processor.decide(payment)
        });
        // The task ends before deciding only when the runtime stops: nothing was stored,
        // and the caller learns it as a failure.
        decision.await.unwrap_or(Outcome::Failing)
    }

    fn decide(&self, payment: Payment) -> Outcome {
        if self.failing() {
            Outcome::Failing
        } else if self.ledger().insert(payment) {
            Outcome::Stored
        } else {
            Outcome::Duplicate
        }
    }

    pub fn payment(&self, id: &Uuid) -> Option<Payment> {
        self.ledger().get(id)
    }

    pub fn summary(&self, window: &Window) -> Summary {
        self.ledger().summary(window)
    }

    pub fn purge(&self) {
        self.ledger().purge();
    }

    pub fn delay_ms(&self) -> u32 {
        self.delay_ms.load(Ordering::Relaxed)
    }

    pub fn set_delay_ms(&self, delay_ms: u32) {
        self.delay_ms.store(delay_ms, Ordering::Relaxed);
    }

    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::Relaxed);
    }

    /// Whether `token` is the current admin token.
    pub fn admits(&self, token: &[u8]) -> bool {
        lock(&self.token).as_bytes() == token
    }

    pub fn set_token(&self, token: String) {
        *lock(&self.token) = token;
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        lock(&self.ledger)
    }
}

/// Locks, going on after a panic elsewhere: nothing done under these locks panics short of
/// running out of memory, which aborts, so no change is ever left half made.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
