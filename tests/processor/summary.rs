//! `GET /admin/payments-summary`: `requested_at BETWEEN from AND to`, both inclusive and
//! each optional, amounts as exact decimals, `totalFee = totalRequests × fee`.

use reqwest::StatusCode;

use crate::TestFn;
use crate::helpers::{Processor, new_id};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        bounds_are_inclusive_and_each_optional,
        an_unparsable_bound_is_400,
        an_empty_window_sums_to_zero,
        the_total_fee_is_the_count_times_the_fee,
    ]
}

const T1: &str = "2025-07-15T12:00:01.000Z";
const T2: &str = "2025-07-15T12:00:02.000Z";
const T3: &str = "2025-07-15T12:00:03.000Z";

/// The summary body for `requests` payments adding up to `amount`, at the default fee.
fn body(amount: &str, requests: u64, total_fee: &str) -> String {
    format!(
        r#"{{"totalAmount":{amount},"totalRequests":{requests},"totalFee":{total_fee},"feePerTransaction":0.05}}"#
    )
}

async fn bounds_are_inclusive_and_each_optional() {
    let processor = Processor::start();
    for (amount, at) in [("1.10", T1), ("2.20", T2), ("3.30", T2), ("4.40", T3)] {
        let reply = processor.pay(&new_id(), amount, at).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let cases = [
        (String::new(), body("11.00", 4, "0.20")),
        (format!("?from={T2}"), body("9.90", 3, "0.15")),
        (format!("?to={T2}"), body("6.60", 3, "0.15")),
        (format!("?from={T2}&to={T2}"), body("5.50", 2, "0.10")),
        (format!("?from={T1}&to={T3}"), body("11.00", 4, "0.20")),
        (format!("?from={T2}&to={T1}"), body("0.00", 0, "0.00")),
        (
            "?from=2025-07-15T12:00:01.001Z&to=2025-07-15T12:00:02.999Z".into(),
            body("5.50", 2, "0.10"),
        ),
        (
            "?from=2025-07-15T12%3A00%3A03Z".into(),
            body("4.40", 1, "0.05"),
        ),
        ("?from=&to=".into(), body("11.00", 4, "0.20")),
    ];
    for (query, expected) in cases {
        let reply = processor.summary(&query).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        assert_eq!(reply.body, expected, "{query}");
    }
}

async fn an_unparsable_bound_is_400() {
    let processor = Processor::start();
    for query in [
        "?from=yesterday",
        &format!("?from={T1}&to=tomorrow"),
        "?to=2025-13-01T00:00:00Z",
        "?from=2025-07-15",
        "?from=2025-07-15T12:00:00",
        "?from=1752580800",
    ] {
        let reply = processor.summary(query).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.body, "", "{query}");
    }
}

async fn an_empty_window_sums_to_zero() {
    let processor = Processor::start();
    let reply = processor.summary("").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, body("0.00", 0, "0.00"));
}

async fn the_total_fee_is_the_count_times_the_fee() {
    let processor = Processor::with(&["--fee", "0.15"]);
    for amount in ["19.90", "19.90", "0.01"] {
        assert_eq!(
            processor.pay(&new_id(), amount, T1).await.status,
            StatusCode::OK
        );
    }
    let reply = processor.summary("").await;
    assert_eq!(
        reply.body,
        r#"{"totalAmount":39.81,"totalRequests":3,"totalFee":0.45,"feePerTransaction":0.15}"#
    );
}
