//! `POST /payments` and `GET /payments/{id}`: 200 once, 422 again, 400 unreadable; the
//! delay first, then the failure flag of that moment; stored even when the caller left.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::TestFn;
use crate::helpers::{Processor, new_id, payment};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_payment_is_stored_once_and_a_duplicate_is_422,
        a_stored_payment_reads_back_exactly,
        an_unknown_or_malformed_id_is_404,
        an_unreadable_body_is_400_and_stores_nothing,
        a_failing_processor_answers_500_and_stores_nothing,
        failure_switched_on_during_the_delay_fails_the_payment,
        failure_switched_off_during_the_delay_stores_the_payment,
        the_delay_is_the_one_set_when_the_payment_arrived,
        a_payment_is_stored_even_when_the_caller_gave_up,
        of_two_racing_duplicates_one_is_stored,
        hundreds_of_payments_wait_in_their_delay_at_once,
        worker_threads_share_one_ledger,
    ]
}

const WHEN: &str = "2025-07-15T12:34:56.000Z";
const PROCESSED: &str = r#"{"message":"payment processed successfully"}"#;

async fn a_payment_is_stored_once_and_a_duplicate_is_422() {
    let processor = Processor::start();
    let id = new_id();
    let first = processor.pay(&id, "19.90", WHEN).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body, PROCESSED);
    assert_eq!(first.content_type.as_deref(), Some("application/json"));

    let again = processor.pay(&id, "5.00", WHEN).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.body, "");
    let stored = processor.get(&format!("/payments/{id}")).await;
    assert_eq!(stored.json()["amount"], serde_json::json!(19.90));
    assert_eq!(processor.stored().await, 1);
}

async fn a_stored_payment_reads_back_exactly() {
    let processor = Processor::start();
    let cases = [
        (
            "19.90",
            "2025-07-15T12:34:56.000Z",
            "19.90",
            "2025-07-15T12:34:56Z",
        ),
        (
            "0.01",
            "2025-07-15T12:34:56.120Z",
            "0.01",
            "2025-07-15T12:34:56.12Z",
        ),
        (
            "1000",
            "2025-07-15T14:34:56.5+02:00",
            "1000.00",
            "2025-07-15T12:34:56.5Z",
        ),
        (
            "7.5",
            "2025-07-15T12:34:56.123456Z",
            "7.50",
            "2025-07-15T12:34:56.123456Z",
        ),
    ];
    for (amount, requested_at, shown_amount, shown_at) in cases {
        let id = new_id();
        let reply = processor.pay(&id, amount, requested_at).await;
        assert_eq!(reply.status, StatusCode::OK, "{amount} at {requested_at}");
        let stored = processor.get(&format!("/payments/{id}")).await;
        assert_eq!(stored.status, StatusCode::OK);
        assert_eq!(
            stored.body,
            format!(
                r#"{{"correlationId":"{id}","amount":{shown_amount},"requestedAt":"{shown_at}"}}"#
            )
        );
    }
}

async fn an_unknown_or_malformed_id_is_404() {
    let processor = Processor::start();
    for path in [
        format!("/payments/{}", new_id()),
        "/payments/not-a-uuid".into(),
    ] {
        let reply = processor.get(&path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.body, "");
    }
}

async fn an_unreadable_body_is_400_and_stores_nothing() {
    let processor = Processor::start();
    let id = new_id();
    let bodies = [
        String::new(),
        "{".into(),
        "not json".into(),
        "[]".into(),
        "null".into(),
        format!(r#"["{id}",19.90,"{WHEN}"]"#),
        format!(r#"{{"amount":19.90,"requestedAt":"{WHEN}"}}"#),
        format!(r#"{{"correlationId":"{id}","requestedAt":"{WHEN}"}}"#),
        format!(r#"{{"correlationId":"{id}","amount":19.90}}"#),
        payment("not-a-uuid", "19.90", WHEN),
        format!(r#"{{"correlationId":null,"amount":19.90,"requestedAt":"{WHEN}"}}"#),
        format!(r#"{{"correlationId":42,"amount":19.90,"requestedAt":"{WHEN}"}}"#),
        payment(&id, "null", WHEN),
        payment(&id, "\"19.90\"", WHEN),
        payment(&id, "true", WHEN),
        payment(&id, "19.999", WHEN),
        payment(&id, "0.001", WHEN),
        payment(&id, "1e300", WHEN),
        payment(&id, "19.90", "yesterday"),
        payment(&id, "19.90", "2025-13-01T00:00:00Z"),
        payment(&id, "19.90", "2025-07-15T12:34:56"),
        payment(&id, "19.90", "2025-07-15"),
        format!(r#"{{"correlationId":"{id}","amount":19.90,"requestedAt":1752582896}}"#),
    ];
    for body in &bodies {
        let reply = processor.post_payment(body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(reply.body, "", "{body:?}");
    }
    assert_eq!(processor.stored().await, 0);
    assert_eq!(
        processor.pay(&id, "19.90", WHEN).await.status,
        StatusCode::OK
    );
}

async fn a_failing_processor_answers_500_and_stores_nothing() {
    let processor = Processor::with(&["--failure"]);
    let id = new_id();
    let reply = processor.pay(&id, "19.90", WHEN).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.body, "");
    let lookup = processor.get(&format!("/payments/{id}")).await;
    assert_eq!(lookup.status, StatusCode::NOT_FOUND);
    assert_eq!(processor.stored().await, 0);

    processor.set_failure(false).await;
    let retry = processor.pay(&id, "19.90", WHEN).await;
    assert_eq!(
        retry.status,
        StatusCode::OK,
        "the failed attempt stored nothing"
    );
}

/// The delay, and when the flag changes during it: long enough that the payment has
/// surely arrived before the change, even on a busy machine.
const DELAY: Duration = Duration::from_millis(1000);
const CHANGE_AFTER: Duration = Duration::from_millis(300);

async fn failure_switched_on_during_the_delay_fails_the_payment() {
    let processor = Processor::with(&["--delay", "1000"]);
    let id = new_id();
    let started = Instant::now();
    let (reply, ()) = tokio::join!(processor.pay(&id, "19.90", WHEN), async {
        tokio::time::sleep(CHANGE_AFTER).await;
        processor.set_failure(true).await;
    });
    assert!(started.elapsed() >= DELAY, "answered before its delay");
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    let lookup = processor.get(&format!("/payments/{id}")).await;
    assert_eq!(lookup.status, StatusCode::NOT_FOUND);
    assert_eq!(processor.stored().await, 0);
}

async fn failure_switched_off_during_the_delay_stores_the_payment() {
    let processor = Processor::with(&["--delay", "1000", "--failure"]);
    let id = new_id();
    let started = Instant::now();
    let (reply, ()) = tokio::join!(processor.pay(&id, "19.90", WHEN), async {
        tokio::time::sleep(CHANGE_AFTER).await;
        processor.set_failure(false).await;
    });
    assert!(started.elapsed() >= DELAY, "answered before its delay");
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, PROCESSED);
    let lookup = processor.get(&format!("/payments/{id}")).await;
    assert_eq!(lookup.status, StatusCode::OK);
}

async fn the_delay_is_the_one_set_when_the_payment_arrived() {
    let processor = Processor::with(&["--delay", "1000"]);
    let id = new_id();
    let started = Instant::now();
    let (slow, ()) = tokio::join!(processor.pay(&id, "1", WHEN), async {
        tokio::time::sleep(CHANGE_AFTER).await;
        processor.set_delay(0).await;
    });
    assert_eq!(slow.status, StatusCode::OK);
    assert!(started.elapsed() >= DELAY, "the delay was cut short");

    let started = Instant::now();
    let fast = processor.pay(&new_id(), "1", WHEN).await;
    assert_eq!(fast.status, StatusCode::OK);
    assert!(started.elapsed() < DELAY, "the new delay did not apply");
}

async fn a_payment_is_stored_even_when_the_caller_gave_up() {
    let processor = Processor::with(&["--delay", "1000"]);
    let id = new_id();
    let impatient = processor
        .http
        .post(processor.url("/payments"))
        .header("content-type", "application/json")
        .body(payment(&id, "19.90", WHEN))
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    let error = impatient.expect_err("the caller gives up before the delay ends");
    assert!(error.is_timeout(), "{error}");
    let path = format!("/payments/{id}");
    assert_eq!(processor.get(&path).await.status, StatusCode::NOT_FOUND);

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let lookup = processor.get(&path).await;
        if lookup.status == StatusCode::OK {
            assert_eq!(lookup.json()["amount"], serde_json::json!(19.90));
            break;
        }
        assert!(Instant::now() < deadline, "never stored: {lookup:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(processor.stored().await, 1);
}

async fn of_two_racing_duplicates_one_is_stored() {
    let processor = Processor::with(&["--delay", "300"]);
    let id = new_id();
    let (a, b) = tokio::join!(processor.pay(&id, "1", WHEN), processor.pay(&id, "2", WHEN));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY]);
    assert_eq!(processor.stored().await, 1);
}

async fn hundreds_of_payments_wait_in_their_delay_at_once() {
    const PAYMENTS: usize = 300;
    let processor = Processor::with(&["--delay", "1000"]);
    let started = Instant::now();
    let replies = post_at_once(&processor, PAYMENTS).await;
    assert!(
        replies.iter().all(|status| *status == StatusCode::OK),
        "{replies:?}"
    );
    // One after another they would take 300 s; waiting together, about one delay.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(processor.stored().await, PAYMENTS as u64);
}

/// Posts `count` payments at once and returns their statuses.
async fn post_at_once(processor: &Processor, count: usize) -> Vec<StatusCode> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        let (http, url) = (processor.http.clone(), processor.url("/payments"));
        tasks.spawn(async move {
            let body = payment(&new_id(), "19.90", WHEN);
            let request = http.post(url).header("content-type", "application/json");
            request.body(body).send().await.expect("a reply").status()
        });
    }
    tasks.join_all().await
}

async fn worker_threads_share_one_ledger() {
    const PAYMENTS: usize = 20;
    let processor = Processor::with(&["--workers", "2"]);
    let ids: Vec<String> = (0..PAYMENTS).map(|_| new_id()).collect();
    // A client of its own per request: a connection of its own, which the server hands to
    // either worker in turn, so the second post of an id may meet another worker.
    for attempt in [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY] {
        for id in &ids {
            let reply = reqwest::Client::new()
                .post(processor.url("/payments"))
                .header("content-type", "application/json")
                .body(payment(id, "1", WHEN))
                .send()
                .await
                .expect("a reply");
            assert_eq!(reply.status(), attempt, "{id}");
        }
    }
    assert_eq!(processor.stored().await, PAYMENTS as u64);
}
