//! What the dispatcher tells at `GET /metrics`, beside what both editions do:
//! - `rinha_payments_accepted_total`: new payments accepted (a repeated correlationId is not);
//! - `rinha_payments_in_flight{processor}`: sends waiting for their processor's answer;
//! - `rinha_payments_paid_total{processor}`: payments this instance recorded as paid;
//! - `rinha_payments_retried_total`: sends that ended without the payment paid (refused or
//!   unanswered), each of which is sent again;
//! - `rinha_processor_response_seconds{processor}`, `rinha_processor_failing{processor}`: what
//!   the routing policy last knew of each processor's delay and health;
//! - `rinha_payments_accept_store_seconds`: how long each accept's statement took, from
//!   asking for the connection to its row back: its turn on the connection (behind the
//!   statements already sent on it), PostgreSQL's work and both ways over the socket. Beside
//!   the POST's own duration it tells how much of an accept is the database's.
//!
//! Summed over every instance, once the queue has drained, accepted equals paid.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::metrics::LATENCY_BUCKETS;
use crate::payments::domain::Processor;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProcessorLabels {
    processor: &'static str,
}

/// One processor's series.
#[derive(Clone)]
pub struct Lane {
    pub in_flight: Gauge,
    pub paid: Counter,
    response: Gauge<f64, AtomicU64>,
    failing: Gauge,
}

impl Lane {
    /// What the routing policy knows of the processor now.
    pub fn known(&self, delay: Duration, failing: bool) {
        self.response.set(delay.as_secs_f64());
        self.failing.set(failing.into());
    }
}

/// The dispatcher's metrics, shared by every worker.
#[derive(Clone)]
pub struct PaymentMetrics {
    pub accepted: Counter,
    pub retried: Counter,
    pub accept_store: Histogram,
    lanes: [Lane; 2],
}

impl PaymentMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let accepted = Counter::default();
        let retried = Counter::default();
        let accept_store = Histogram::new(LATENCY_BUCKETS);
        let in_flight = Family::<ProcessorLabels, Gauge>::default();
        let paid = Family::<ProcessorLabels, Counter>::default();
        let response = Family::<ProcessorLabels, Gauge<f64, AtomicU64>>::default();
        let failing = Family::<ProcessorLabels, Gauge>::default();
        registry.register(
            "payments_accepted",
            "New payments accepted",
            accepted.clone(),
        );
        registry.register(
            "payments_in_flight",
            "Sends waiting for their processor's answer",
            in_flight.clone(),
        );
        registry.register(
            "payments_paid",
            "Payments recorded as paid, by processor",
            paid.clone(),
        );
        registry.register(
            "payments_retried",
            "Sends that ended without the payment paid (refused or unanswered): each is sent again",
            retried.clone(),
        );
        registry.register(
            "payments_accept_store_seconds",
            "How long each accept's statement took, from asking for the connection to its row back",
            accept_store.clone(),
        );
        registry.register(
            "processor_response_seconds",
            "The processor's response time as the router last knew it",
            response.clone(),
        );
        registry.register(
            "processor_failing",
            "Whether the router last knew the processor as failing (1) or not (0)",
            failing.clone(),
        );
        let lanes = Processor::ALL.map(|p| {
            let labels = ProcessorLabels {
                processor: p.name(),
            };
            Lane {
                in_flight: in_flight.get_or_create_owned(&labels),
                paid: paid.get_or_create_owned(&labels),
                response: response.get_or_create_owned(&labels),
                failing: failing.get_or_create_owned(&labels),
            }
        });
        Self {
            accepted,
            retried,
            accept_store,
            lanes,
        }
    }

    pub fn lane(&self, processor: Processor) -> &Lane {
        &self.lanes[processor.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::text::encode;

    #[test]
    fn every_series_is_there_from_the_start_with_its_processor() {
        let mut registry = crate::metrics::registry();
        let metrics = PaymentMetrics::register(&mut registry);
        metrics.accepted.inc();
        metrics.accept_store.observe(0.0004);
        metrics.lane(Processor::Fallback).paid.inc();
        metrics
            .lane(Processor::Default)
            .known(Duration::from_millis(250), true);

        let mut text = String::new();
        encode(&mut text, &registry).unwrap();

        for line in [
            "rinha_payments_accepted_total 1",
            "rinha_payments_retried_total 0",
            "rinha_payments_accept_store_seconds_count 1",
            r#"rinha_payments_accept_store_seconds_bucket{le="0.0005"} 1"#,
            r#"rinha_payments_accept_store_seconds_bucket{le="0.0003"} 0"#,
            r#"rinha_payments_in_flight{processor="default"} 0"#,
            r#"rinha_payments_paid_total{processor="default"} 0"#,
            r#"rinha_payments_paid_total{processor="fallback"} 1"#,
            r#"rinha_processor_response_seconds{processor="default"} 0.25"#,
            r#"rinha_processor_failing{processor="default"} 1"#,
            r#"rinha_processor_failing{processor="fallback"} 0"#,
        ] {
            assert!(text.lines().any(|l| l == line), "no {line} in\n{text}");
        }
    }
}
