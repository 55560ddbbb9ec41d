//! Exact answers of the 2025 API: invalid bodies, repeats, the summary's bounds, purge.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use super::support::{Instance, Payments, Processor, assert_paid_once, database, iso, new_id};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        every_invalid_body_is_a_422_and_pays_nothing,
        a_repeated_correlation_id_is_accepted_and_paid_once,
        the_summary_bounds_are_inclusive_and_optional,
        a_summary_past_the_range_of_bigint_is_exact,
        an_unparsable_bound_is_a_400,
        purge_forgets_every_payment,
        a_wrong_method_is_a_405,
    ]
}

const ID: &str = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3";

async fn every_invalid_body_is_a_422_and_pays_nothing(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let cases = [
        ("not JSON", "{".to_owned()),
        ("empty", String::new()),
        ("an array", format!(r#"["{ID}", 19.90]"#)),
        ("no amount", format!(r#"{{"correlationId":"{ID}"}}"#)),
        ("no correlationId", r#"{"amount":19.90}"#.to_owned()),
        (
            "null amount",
            format!(r#"{{"correlationId":"{ID}","amount":null}}"#),
        ),
        (
            "null correlationId",
            r#"{"correlationId":null,"amount":19.90}"#.to_owned(),
        ),
        (
            "amount as text",
            format!(r#"{{"correlationId":"{ID}","amount":"19.90"}}"#),
        ),
        (
            "three decimals",
            format!(r#"{{"correlationId":"{ID}","amount":19.901}}"#),
        ),
        ("zero", format!(r#"{{"correlationId":"{ID}","amount":0}}"#)),
        (
            "negative",
            format!(r#"{{"correlationId":"{ID}","amount":-19.90}}"#),
        ),
        (
            "huge",
            format!(r#"{{"correlationId":"{ID}","amount":1e300}}"#),
        ),
        (
            "not a UUID",
            r#"{"correlationId":"abc","amount":19.90}"#.to_owned(),
        ),
        (
            "UUID as a number",
            r#"{"correlationId":42,"amount":19.90}"#.to_owned(),
        ),
        (
            "amount as bool",
            format!(r#"{{"correlationId":"{ID}","amount":true}}"#),
        ),
    ];
    for (case, body) in &cases {
        let reply = app.post("/payments", body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}: {body}"
        );
        assert_eq!(reply.body, "", "{case}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.counted("").await, (0, 0));
    assert_eq!(
        (default.stored("").await, fallback.stored("").await),
        (0, 0)
    );
}

async fn a_repeated_correlation_id_is_accepted_and_paid_once(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let id = new_id();
    for _ in 0..3 {
        assert_eq!(app.pay(&id, "19.90").await, StatusCode::ACCEPTED);
    }
    assert_eq!(app.pay(&id, "5.00").await, StatusCode::ACCEPTED);
    let paid = assert_paid_once(&app, &default, &fallback, &[id], Duration::from_secs(10)).await;
    assert_eq!(paid, (1, 0));
    let summary = app.get("/payments-summary").await.json();
    assert_eq!(summary["default"]["totalAmount"].as_f64(), Some(19.90));
}

/// Reads the requestedAt the processor stored for a payment.
async fn requested_at(processor: &Processor, id: &str) -> time::OffsetDateTime {
    let reply = reqwest::get(format!("{}/payments/{id}", processor.url))
        .await
        .unwrap();
    let json: serde_json::Value = reply.json().await.unwrap();
    let text = json["requestedAt"].as_str().expect("requestedAt");
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
}

async fn the_summary_bounds_are_inclusive_and_optional(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let ids: Vec<String> = (0..3).map(|_| new_id()).collect();
    for id in &ids {
        assert_eq!(app.pay(id, "10.01").await, StatusCode::ACCEPTED);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(10)).await;
    let middle = requested_at(&default, &ids[1]).await;
    let at = iso(middle);
    let ms = time::Duration::milliseconds(1);
    let (before, after) = (iso(middle - ms), iso(middle + ms));
    for (query, expected) in [
        (format!("from={at}&to={at}"), 1),
        (format!("from={after}"), 1),
        (format!("to={before}"), 1),
        (format!("from={at}"), 2),
        (format!("to={at}"), 2),
        (format!("from={after}&to={before}"), 0),
        (String::new(), 3),
        ("from=&to=".to_owned(), 3),
    ] {
        assert_eq!(app.counted(&query).await, (expected, 0), "{query}");
        assert_eq!(default.stored(&query).await, expected, "theirs, {query}");
    }
    let summary = app
        .get(&format!("/payments-summary?from={at}&to={at}"))
        .await;
    assert_eq!(
        summary.body,
        r#"{"default":{"totalRequests":1,"totalAmount":10.01},"fallback":{"totalRequests":0,"totalAmount":0.00}}"#
    );
    assert_eq!(summary.content_type.as_deref(), Some("application/json"));
}

/// The processors take amounts up to 9,999,999,999,999.99 (999,999,999,999,999 cents), and
/// 9,224 of them add up to more cents than a bigint holds (9,223,372,036,854,775,807).
/// Fallback fails, so that default takes every one: each is paid, and the summary tells
/// their total exactly, to the cent.
async fn a_summary_past_the_range_of_bigint_is_exact(h: Arc<Harness>) {
    const CENTS: i128 = 999_999_999_999_999;
    const CLIENTS: usize = 8;
    const EACH: usize = 1_153;
    assert!(CENTS * (CLIENTS * EACH) as i128 > i128::from(i64::MAX));
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    fallback.set_failure(true).await;
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let api = app.api.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for _ in 0..EACH {
                    let id = new_id();
                    assert_eq!(api.pay(&id, "9999999999999.99").await, StatusCode::ACCEPTED);
                    ids.push(id);
                }
                ids
            })
        })
        .collect();
    let mut ids = Vec::new();
    for client in clients {
        ids.extend(client.await.unwrap());
    }
    let paid = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(120)).await;
    assert_eq!(paid, ((CLIENTS * EACH) as i64, 0));
    let total = |requests: i64| {
        let cents = CENTS * i128::from(requests);
        format!(
            r#"{{"totalRequests":{requests},"totalAmount":{}.{:02}}}"#,
            cents / 100,
            cents % 100
        )
    };
    let summary = app.get("/payments-summary").await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert_eq!(
        summary.body,
        format!(
            r#"{{"default":{},"fallback":{}}}"#,
            total(paid.0),
            total(paid.1)
        )
    );
}

async fn an_unparsable_bound_is_a_400(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    for query in [
        "from=yesterday",
        "to=2025-07-15",
        "from=2025-07-15T12:34:56.000Z&to=soon",
        "to=2025-13-45T00:00:00.000Z",
    ] {
        let reply = app.get(&format!("/payments-summary?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
    }
}

async fn purge_forgets_every_payment(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let ids: Vec<String> = (0..5).map(|_| new_id()).collect();
    for id in &ids {
        assert_eq!(app.pay(id, "1.00").await, StatusCode::ACCEPTED);
    }
    assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(10)).await;
    assert_eq!(app.post("/purge-payments", "").await.status, StatusCode::OK);
    assert_eq!(app.counted("").await, (0, 0));
    let client = db.client().await;
    let rows: i64 = client
        .query_one("SELECT count(*) FROM payments", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
}

async fn a_wrong_method_is_a_405(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let reply = app.get("/payments").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        app.post("/payments-summary", "").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}
