//! `GET /metrics` of a 2025 instance: payments accepted, in flight, paid per processor and
//! retried, and what the router knows of each processor, against real processors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::support::{Instance, Payments, Processor, assert_paid_once, database, new_id};
use crate::helpers::{Harness, Scrape, TestFn, free_port};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![the_metrics_follow_payments_from_accepted_to_paid_at_each_processor]
}

fn labelled(name: &str, processor: &str) -> String {
    format!(r#"{name}{{processor="{processor}"}}"#)
}

/// Scrapes until `done` holds (the paid counters move once the batch that settles them is
/// committed, a moment after the summary shows it), for at most 5 s.
async fn scrape_until(metrics: &str, done: impl Fn(&Scrape) -> bool) -> Scrape {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let scrape = Scrape::of(metrics).await;
        if done(&scrape) {
            return scrape;
        }
        assert!(Instant::now() < deadline, "after 5 s: {scrape:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn the_metrics_follow_payments_from_accepted_to_paid_at_each_processor(h: Arc<Harness>) {
    let db = database(&h).await;
    // A delay of their own, which the router learns from their health and their answers.
    let (default, fallback) = Processor::pair(&["--delay", "20"]);
    let metrics_address = format!("127.0.0.1:{}", free_port());
    // A long health window: after the first health call, only the answers to payments tell
    // the router that default fails, so some of them are refused and sent again. No wait
    // for a refusing default: fallback pays at once.
    let flags = [
        "--metrics-listen",
        &metrics_address,
        "--health-window",
        "60s",
        "--fallback-after",
        "0s",
    ];
    let app = Instance::spawn(&db, &default, &fallback, &flags);
    let metrics = format!("http://{metrics_address}");
    let paid = |scrape: &Scrape, processor| {
        scrape.value(&labelled("rinha_payments_paid_total", processor))
    };

    let before = Scrape::of(&metrics).await;
    assert_eq!(before.value("rinha_payments_accepted_total"), 0.0);
    assert_eq!(before.value("rinha_payments_retried_total"), 0.0);
    for processor in ["default", "fallback"] {
        assert_eq!(paid(&before, processor), 0.0);
        assert_eq!(
            before.value(&labelled("rinha_payments_in_flight", processor)),
            0.0
        );
    }
    assert!(before.get("rinha_db_pool_size").is_some(), "{before:#?}");

    let mut ids: Vec<String> = (0..20).map(|_| new_id()).collect();
    for id in &ids {
        assert_eq!(app.pay(id, "19.90").await, StatusCode::ACCEPTED);
    }
    assert_eq!(app.pay(&ids[0], "19.90").await, StatusCode::ACCEPTED);
    let refused = app.post("/payments", r#"{"amount":1}"#).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stored = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(10)).await;
    let healthy = scrape_until(&metrics, |s| {
        (paid(s, "default"), paid(s, "fallback")) == (stored.0 as f64, stored.1 as f64)
    })
    .await;

    assert_eq!(
        healthy.value("rinha_payments_accepted_total"),
        20.0,
        "a repeated correlationId is accepted once"
    );
    assert_eq!(healthy.value("rinha_payments_retried_total"), 0.0);
    let accepted = r#"rinha_http_requests_total{route="/payments",status="202"}"#;
    let invalid = r#"rinha_http_requests_total{route="/payments",status="422"}"#;
    assert_eq!(healthy.value(accepted), 21.0);
    assert_eq!(healthy.value(invalid), 1.0);
    assert!(
        healthy.value(r#"rinha_http_request_duration_seconds_count{route="/payments-summary"}"#)
            >= 1.0
    );
    let response = healthy.value(&labelled("rinha_processor_response_seconds", "default"));
    assert!(
        (0.02..1.2).contains(&response),
        "default answers in {response} s"
    );
    assert_eq!(
        healthy.value(&labelled("rinha_processor_failing", "default")),
        0.0
    );

    // Default fails from after its first health answer on: the next is a minute away.
    let client = db.client().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while client
        .query_opt(
            "SELECT 1 FROM processor_health WHERE processor = 'default' AND answered_at IS NOT NULL",
            &[],
        )
        .await
        .unwrap()
        .is_none()
    {
        assert!(Instant::now() < deadline, "no health call within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    default.set_failure(true).await;
    let later: Vec<String> = (0..10).map(|_| new_id()).collect();
    for id in &later {
        assert_eq!(app.pay(id, "19.90").await, StatusCode::ACCEPTED);
    }
    ids.extend(later);
    let before_failure = stored;
    let stored = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(15)).await;
    assert_eq!(
        stored.0, before_failure.0,
        "a failing default stores nothing"
    );
    let failing = scrape_until(&metrics, |s| {
        (paid(s, "default"), paid(s, "fallback")) == (stored.0 as f64, stored.1 as f64)
            && s.value(&labelled("rinha_payments_in_flight", "default")) == 0.0
            && s.value(&labelled("rinha_payments_in_flight", "fallback")) == 0.0
    })
    .await;

    assert_eq!(failing.value("rinha_payments_accepted_total"), 30.0);
    let retried = failing.value("rinha_payments_retried_total");
    assert!(
        retried >= 1.0,
        "the sends default refused are sent again: {failing:#?}"
    );
    assert_eq!(
        failing.value(&labelled("rinha_processor_failing", "default")),
        1.0
    );
    assert_eq!(
        failing.value(&labelled("rinha_processor_failing", "fallback")),
        0.0
    );
    assert_eq!(failing.value("rinha_db_pool_waiting"), 0.0);
}
