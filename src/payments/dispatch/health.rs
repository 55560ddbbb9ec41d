//! The health checks: all instances together ask each processor for its health at most
//! once per window (whose turn it is, the database says), and every instance takes what
//! any of them last learnt.

use std::rc::Rc;
use std::time::{Duration, Instant};

use super::Dispatcher;
use super::policy::HealthReading;
use crate::db::StoreError;
use crate::payments::domain::Processor;

/// How often an instance looks at the processors' health.
const PERIOD: Duration = Duration::from_secs(1);
/// After a health window, how long an instance waits past it before asking again, so that
/// two calls never fall in the same window of the processor's clock.
const HEALTH_MARGIN: Duration = Duration::from_millis(500);

/// What one round of the health checks did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// Processors this instance now asks, its turn come.
    pub asked: usize,
    /// Health answers read, which the policy took unless it had already.
    pub read: usize,
}

/// The worker's health checks.
pub struct Health {
    dispatcher: Rc<Dispatcher>,
}

impl Health {
    pub fn new(dispatcher: Rc<Dispatcher>) -> Self {
        Self { dispatcher }
    }

    /// Runs for the life of the worker: a round every `PERIOD`.
    pub async fn run(self) {
        loop {
            tokio::time::sleep(PERIOD).await;
            if let Err(e) = self.run_once().await {
                tracing::warn!(error = %e, "cannot share the processors' health");
            }
        }
    }

    /// Asks each processor for its health when it is this instance's turn, then takes
    /// what any instance last learnt.
    pub async fn run_once(&self) -> Result<Checked, StoreError> {
        let d = &self.dispatcher;
        let mut asked = 0;
        for processor in Processor::ALL {
            if d.store
                .health_turn(processor, d.health_window + HEALTH_MARGIN)
                .await?
            {
                asked += 1;
                ntex::rt::spawn(ask(Rc::clone(d), processor));
            }
        }
        let now = Instant::now();
        let answers = d.store.health_read().await?;
        for h in &answers {
            let reading = HealthReading {
                failing: h.failing,
                delay: h.min_response_time,
                age: h.age,
                stamp: h.answered,
            };
            d.policy.borrow_mut().health(h.processor, reading, now);
            d.publish(h.processor);
        }
        Ok(Checked {
            asked,
            read: answers.len(),
        })
    }
}

/// Asks `processor` for its health and shares the answer with every instance.
async fn ask(d: Rc<Dispatcher>, processor: Processor) {
    match d.processors.health(processor, d.health_window * 3).await {
        Ok(h) => {
            tracing::info!(%processor, failing = h.failing, min_response_time = ?h.min_response_time, "processor health");
            if let Err(e) = d
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
