//! Routing: default while it answers; while it refuses, a wait for it, then fallback; the
//! queue while both fail.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::support::{Instance, Payments, Processor, assert_paid_once, database, new_id};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        while_default_answers_every_payment_goes_to_default,
        while_default_refuses_a_payment_waits_for_it_then_goes_to_fallback,
        with_equal_fees_nothing_waits_for_a_refusing_default,
        a_default_that_comes_back_within_the_wait_takes_every_payment_held_for_it,
        while_both_fail_payments_wait_and_are_paid_once_they_recover,
        a_slow_failing_processor_is_not_probed_so_its_recovery_stores_nothing_late,
    ]
}

/// Posts `n` new payments of 19.90 and returns their ids, every one accepted.
async fn post(app: &Instance, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        let id = new_id();
        assert_eq!(app.pay(&id, "19.90").await, StatusCode::ACCEPTED);
        ids.push(id);
    }
    ids
}

async fn while_default_answers_every_payment_goes_to_default(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let ids = post(&app, 50).await;
    let paid = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(10)).await;
    assert_eq!(paid, (50, 0));
}

async fn while_default_refuses_a_payment_waits_for_it_then_goes_to_fallback(h: Arc<Harness>) {
    let db = database(&h).await;
    let default = Processor::spawn("0.05", &["--failure"]);
    let fallback = Processor::spawn("0.15", &[]);
    let wait = Duration::from_secs(3);
    let app = Instance::spawn(&db, &default, &fallback, &["--fallback-after", "3s"]);
    let first = Instant::now();
    let ids = post(&app, 100).await;
    let posted = Instant::now();
    assert!(posted - first < wait, "posting took {:?}", posted - first);
    assert_eq!(
        (default.stored("").await, fallback.stored("").await),
        (0, 0),
        "held for default"
    );
    assert_eq!(app.counted("").await, (0, 0));
    tokio::time::sleep_until((posted + wait).into()).await;
    let paid = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(5)).await;
    assert_eq!(paid, (0, 100));
}

/// The wait for a refusing default is what the fees make worth it: with both processors
/// charging the same, none (with the final's 7 % and 10 %, 10 s).
async fn with_equal_fees_nothing_waits_for_a_refusing_default(h: Arc<Harness>) {
    let db = database(&h).await;
    let default = Processor::spawn("0.10", &["--failure"]);
    let fallback = Processor::spawn("0.10", &[]);
    let fees = ["--fee-default", "0.10", "--fee-fallback", "0.10"];
    let app = Instance::spawn(&db, &default, &fallback, &fees);
    let ids = post(&app, 100).await;
    let paid = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(5)).await;
    assert_eq!(paid, (0, 100));
}

/// Default refuses, fast, and comes back well within the wait: fallback, healthy all along,
/// takes none of the payments held for default. They are more than one claim takes, and go
/// claim after claim as soon as default is back, not one claim per queue sweep (a second
/// each, eight seconds for these).
async fn a_default_that_comes_back_within_the_wait_takes_every_payment_held_for_it(
    h: Arc<Harness>,
) {
    let db = database(&h).await;
    let default = Processor::spawn("0.05", &["--failure"]);
    let fallback = Processor::spawn("0.15", &[]);
    let app = Instance::spawn(&db, &default, &fallback, &["--fallback-after", "30s"]);
    let ids = post(&app, 512).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        (default.stored("").await, fallback.stored("").await),
        (0, 0)
    );
    default.set_failure(false).await;
    // Default's recovery is known at its next probe, within a second.
    let paid = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(4)).await;
    assert_eq!(paid, (512, 0));
}

async fn while_both_fail_payments_wait_and_are_paid_once_they_recover(h: Arc<Harness>) {
    let db = database(&h).await;
    let default = Processor::spawn("0.05", &["--failure", "--delay", "50"]);
    let fallback = Processor::spawn("0.15", &["--failure", "--delay", "50"]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let ids = post(&app, 60).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        (default.stored("").await, fallback.stored("").await),
        (0, 0)
    );
    assert_eq!(app.counted("").await, (0, 0));
    let client = db.client().await;
    let waiting: i64 = client
        .query_one(
            "SELECT count(*) FROM payments WHERE (progress).state <> 'paid'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(waiting, 60, "every accepted payment is kept");
    default.set_failure(false).await;
    fallback.set_failure(false).await;
    assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(20)).await;
}

/// A processor decides a payment when its delay ends, by the failure flag then. Default
/// fails with a 5 s delay while fallback fails fast; default's flag clears 8.5 s in, with
/// any probe sent to it then still sleeping, and that probe would be stored 1.5 s or more
/// after its requestedAt: counted by default before we could know. So default is never
/// probed, and every payment waits for fallback.
async fn a_slow_failing_processor_is_not_probed_so_its_recovery_stores_nothing_late(
    h: Arc<Harness>,
) {
    let db = database(&h).await;
    let default = Processor::spawn("0.05", &["--failure", "--delay", "5000"]);
    let fallback = Processor::spawn("0.15", &["--failure", "--delay", "50"]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    let ids = post(&app, 20).await;
    tokio::time::sleep(Duration::from_millis(8500)).await;
    default.set_failure(false).await;
    fallback.set_failure(false).await;
    let paid = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(20)).await;
    assert_eq!(paid, (0, 20));
}
