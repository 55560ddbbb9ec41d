//! The 2025 bench's own steps: a warm-up through the port, and after the run the
//! settlement: the queue drains, then the whole run's totals are compared. Both processors'
//! admin summaries, our summary and the accepted POSTs must be equal, with nothing left
//! waiting: a payment accepted and never stored is lost; a payment stored beyond the
//! accepted ones was paid twice or paid without its acknowledgement reaching the client.

use std::fmt;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use simd_json::prelude::*;

use crate::tools::launcher::postgres;
use crate::tools::stack::Stack;

/// How long the queue may take to drain once the load stops.
const DRAIN: Duration = Duration::from_secs(90);
/// The processors' admin token, as the official test sets it.
const TOKEN: &str = "123";
const WARM_UP_PAYMENTS: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum SettlementError {
    #[error("cannot ask {0}")]
    Http(String, #[source] reqwest::Error),
    #[error("{0} answered something else than a summary: {1}")]
    NotASummary(String, String),
    #[error("cannot reach the stack's database")]
    Database(#[from] postgres::ClusterError),
    #[error("cannot count the payments still waiting")]
    Query(#[from] tokio_postgres::Error),
    #[error("{0}")]
    Unsettled(Settlement),
    #[error("{0} POST /payments failed or timed out during the run")]
    FailedPosts(u64),
}

/// The whole run's totals once the queue drained (or the drain timed out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub accepted: u64,
    /// Our summary's counts: default, fallback.
    pub ours: [i64; 2],
    /// The processors' admin summaries' counts: default, fallback.
    pub theirs: [i64; 2],
    /// Payments accepted and not yet paid when the drain ended.
    pub waiting: i64,
    /// POSTs that got no answer because the run killed the instance serving them (0 when it
    /// killed none): each may have been stored before the instance died, paid without its
    /// 202 reaching the client.
    pub unanswered: u64,
    pub drained_in: Duration,
}

impl Settlement {
    fn stored(&self) -> i64 {
        self.theirs[0] + self.theirs[1]
    }

    /// Accepted and stored nowhere.
    pub fn lost(&self) -> i64 {
        (self.accepted as i64 - self.stored()).max(0)
    }

    /// Stored more times than accepted: paid twice, or paid without its 202 reaching the
    /// client (an instance killed between its INSERT's commit and its answer).
    pub fn unacknowledged(&self) -> i64 {
        (self.stored() - self.accepted as i64).max(0)
    }

    /// Our summary agrees with the processors, every accepted payment is stored once, and
    /// nothing else is stored but what the unanswered POSTs may have left.
    pub fn holds(&self) -> bool {
        self.ours == self.theirs
            && self.lost() == 0
            && self.unacknowledged() <= self.unanswered as i64
            && self.waiting == 0
    }
}

impl fmt::Display for Settlement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "settlement after {:.1} s of drain: {} accepted; processors stored {} + {}; we count \
             {} + {}; {} waiting, {} lost, {} stored beyond the accepted ({} unanswered): {}",
            self.drained_in.as_secs_f64(),
            self.accepted,
            self.theirs[0],
            self.theirs[1],
            self.ours[0],
            self.ours[1],
            self.waiting,
            self.lost(),
            self.unacknowledged(),
            self.unanswered,
            if self.holds() {
                "every accepted payment paid exactly once"
            } else {
                "THE TOTALS DO NOT AGREE"
            }
        )
    }
}

/// From `at` seconds into the test, how the scenario set both processors (default, fallback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub at: f64,
    pub default: Setting,
    pub fallback: Setting,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    pub delay_ms: f64,
    pub failing: bool,
}

impl Stage {
    pub fn settings(&self) -> [Setting; 2] {
        [self.default, self.fallback]
    }
}

/// The processors' schedule k6/payments/official.js ran, as its summary records it; empty
/// for a summary without one (the bank's).
pub fn schedule(summary: &[u8]) -> Vec<Stage> {
    simd_json::to_owned_value(&mut summary.to_vec())
        .ok()
        .and_then(|summary| summary.get("schedule").cloned())
        .and_then(|stages| simd_json::serde::from_owned_value(stages).ok())
        .unwrap_or_default()
}

/// Sends a few hundred payments through the port, so that connections are open and
/// statements prepared; the official test purges everything in its setup.
pub async fn warm_up(stack: &Stack) {
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{}/payments", stack.port);
    for _ in 0..WARM_UP_PAYMENTS {
        let body = format!(
            r#"{{"correlationId":"{}","amount":1.00}}"#,
            uuid::Uuid::new_v4()
        );
        let request = http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        let _ = request.send().await;
    }
}

/// Waits for the queue to drain, then compares the whole run's totals; `unanswered` POSTs
/// (their instance killed) may each have been stored without being acknowledged.
pub async fn settle(
    stack: &Stack,
    accepted: u64,
    unanswered: u64,
) -> Result<Settlement, SettlementError> {
    let http = reqwest::Client::new();
    let client = postgres::connect(stack.database()).await?;
    let started = Instant::now();
    loop {
        let waiting: i64 = client
            .query_one(
                "SELECT count(*) FROM payments WHERE (progress).state <> 'paid'",
                &[],
            )
            .await?
            .get(0);
        let settlement = Settlement {
            accepted,
            ours: ours(&http, stack.port).await?,
            theirs: theirs(&http, stack).await?,
            waiting,
            unanswered,
            drained_in: started.elapsed(),
        };
        if settlement.holds() || started.elapsed() >= DRAIN {
            return Ok(settlement);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn get_json(
    request: reqwest::RequestBuilder,
    what: &str,
) -> Result<simd_json::OwnedValue, SettlementError> {
    let http = |e| SettlementError::Http(what.to_owned(), e);
    let mut body = request
        .send()
        .await
        .map_err(http)?
        .bytes()
        .await
        .map_err(http)?
        .to_vec();
    let text = String::from_utf8_lossy(&body).into_owned();
    simd_json::to_owned_value(&mut body)
        .map_err(|_| SettlementError::NotASummary(what.to_owned(), text))
}

fn count(value: &simd_json::OwnedValue, path: &[&str], what: &str) -> Result<i64, SettlementError> {
    path.iter()
        .try_fold(value, |v, key| v.get(*key))
        .and_then(|v| v.cast_f64())
        .map(|n| n as i64)
        .ok_or_else(|| SettlementError::NotASummary(what.to_owned(), value.encode()))
}

async fn ours(http: &reqwest::Client, port: u16) -> Result<[i64; 2], SettlementError> {
    let what = "our GET /payments-summary";
    let summary = get_json(
        http.get(format!("http://127.0.0.1:{port}/payments-summary")),
        what,
    )
    .await?;
    Ok([
        count(&summary, &["default", "totalRequests"], what)?,
        count(&summary, &["fallback", "totalRequests"], what)?,
    ])
}

async fn theirs(http: &reqwest::Client, stack: &Stack) -> Result<[i64; 2], SettlementError> {
    let Some(urls) = &stack.processor_urls else {
        return Ok([0, 0]);
    };
    let mut counts = [0; 2];
    for (count_at, url) in counts.iter_mut().zip(urls) {
        let what = format!("{url}/admin/payments-summary");
        let request = http.get(&what).header("X-Rinha-Token", TOKEN);
        let summary = get_json(request, &what).await?;
        *count_at = count(&summary, &["totalRequests"], &what)?;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settlement(accepted: u64, ours: [i64; 2], theirs: [i64; 2], waiting: i64) -> Settlement {
        Settlement {
            accepted,
            ours,
            theirs,
            waiting,
            unanswered: 0,
            drained_in: Duration::ZERO,
        }
    }

    #[test]
    fn equal_totals_and_an_empty_queue_hold() {
        assert!(settlement(10, [7, 3], [7, 3], 0).holds());
    }

    #[test]
    fn a_payment_stored_nowhere_is_lost() {
        let s = settlement(10, [7, 2], [7, 2], 0);
        assert_eq!((s.lost(), s.unacknowledged(), s.holds()), (1, 0, false));
    }

    #[test]
    fn a_payment_stored_beyond_the_accepted_does_not_hold() {
        let s = settlement(10, [7, 3], [7, 4], 0);
        assert_eq!((s.lost(), s.unacknowledged(), s.holds()), (0, 1, false));
    }

    #[test]
    fn a_killed_instance_may_have_stored_what_it_did_not_answer_and_no_more() {
        let killed = |theirs| Settlement {
            unanswered: 2,
            ..settlement(10, theirs, theirs, 0)
        };
        assert!(killed([7, 3]).holds());
        assert!(killed([8, 4]).holds());
        assert!(
            !killed([8, 5]).holds(),
            "three stored beyond two unanswered"
        );
        assert!(
            !killed([7, 2]).holds(),
            "an accepted payment stored nowhere"
        );
    }

    #[test]
    fn a_waiting_payment_or_a_different_count_does_not_hold() {
        assert!(!settlement(10, [7, 3], [7, 3], 1).holds());
        assert!(!settlement(10, [8, 2], [7, 3], 0).holds());
    }
}
