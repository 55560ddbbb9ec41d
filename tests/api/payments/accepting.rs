//! Accepting within the client's patience: the load generator gives up on a POST after
//! 1.5 s, and a payment stored after that is money paid that no client saw accepted. So a
//! payment that cannot be stored within 1.2 s of its arrival is a 503, and stored nowhere.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use super::support::{
    Instance, Payments, Processor, assert_paid_once, database, lock_table, lock_waits, new_id,
};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_payment_that_cannot_be_stored_in_time_is_a_503_and_never_paid,
        an_accept_never_waits_behind_the_dispatchers_statements,
    ]
}

/// A transaction holds `LOCK TABLE payments IN EXCLUSIVE MODE` while a payment arrives, and
/// lets go 1.5 s after the payment's INSERT started to wait for it. That payment is a 503:
/// no row, and neither processor ever has it. Before and after, a payment and its repeat
/// are 202s, and each is paid once. Each request has a connection of its own here
/// (`exclusive`), so that the INSERT, not a statement queued before it, waits for the lock.
async fn a_payment_that_cannot_be_stored_in_time_is_a_503_and_never_paid(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let flags = ["--pool-sharing", "exclusive", "--pool-size", "8"];
    let app = Instance::spawn(&db, &default, &fallback, &flags);
    let before = new_id();
    for _ in 0..2 {
        assert_eq!(app.pay(&before, "19.90").await, StatusCode::ACCEPTED);
    }

    let client = db.client().await;
    let locker = lock_table(&db, "payments IN EXCLUSIVE MODE").await;
    let late = new_id();
    let posted = tokio::spawn({
        let (api, id) = (app.api.clone(), late.clone());
        async move { api.pay(&id, "19.90").await }
    });
    lock_waits(&client, "INSERT INTO payments", 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    locker.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(posted.await.unwrap(), StatusCode::SERVICE_UNAVAILABLE);

    let after = new_id();
    for _ in 0..2 {
        assert_eq!(app.pay(&after, "19.90").await, StatusCode::ACCEPTED);
    }
    assert_paid_once(
        &app,
        &default,
        &fallback,
        &[before, after],
        Duration::from_secs(10),
    )
    .await;
    // Whatever might still send it would have done so by now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rows: i64 = client
        .query_one(
            "SELECT count(*) FROM payments WHERE correlation_id = $1::text::uuid",
            &[&late],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0, "the late payment is stored");
    assert_eq!(
        (default.has(&late).await, fallback.has(&late).await),
        (false, false),
        "the late payment is at a processor"
    );
}

/// A transaction holds `LOCK TABLE instances IN ACCESS EXCLUSIVE MODE` until one of the
/// dispatcher's statements (its heartbeat or its take-over, which both use that table)
/// waits for it: every statement the dispatcher sends after that, on the same connection,
/// waits too. A payment posted then is still a 202 within the client's 1.5 s, on the
/// accepts' own connection; once the lock is gone it is paid once.
async fn an_accept_never_waits_behind_the_dispatchers_statements(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let app = Instance::spawn(&db, &default, &fallback, &[]);
    // Paid: the instance serves, and its dispatcher runs.
    let before = new_id();
    assert_eq!(app.pay(&before, "19.90").await, StatusCode::ACCEPTED);
    assert_paid_once(
        &app,
        &default,
        &fallback,
        std::slice::from_ref(&before),
        Duration::from_secs(10),
    )
    .await;

    let client = db.client().await;
    let locker = lock_table(&db, "instances IN ACCESS EXCLUSIVE MODE").await;
    lock_waits(&client, "instances", 1).await;
    let id = new_id();
    let posted = tokio::time::timeout(Duration::from_millis(1500), app.pay(&id, "19.90")).await;
    locker.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(
        posted.expect("the POST is answered while the dispatcher waits"),
        StatusCode::ACCEPTED
    );
    assert_paid_once(
        &app,
        &default,
        &fallback,
        &[before, id],
        Duration::from_secs(10),
    )
    .await;
}
