//! Settling from two instances at once: batches that share attempts lock their rows in
//! one order, so that neither waits for the other in a cycle.

use std::sync::Arc;
use std::time::Duration;

use rinha::db::PoolOptions;
use rinha::payments::domain::{Attempt, Cents, Moment, Processor};
use rinha::payments::store::Store;
use uuid::Uuid;

use super::support::{database, in_flight, lock_waits};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![two_settles_of_the_same_attempts_in_opposite_orders_both_go_through]
}

/// Three attempts in flight at default. A transaction holds the middle one's row while
/// one store settles the three in ascending order of correlationId and another, on its
/// own connection, in descending order: both wait. When the transaction ends, both
/// statements go through (PostgreSQL aborts neither as a deadlock), and each attempt is
/// settled once, by one of them.
async fn two_settles_of_the_same_attempts_in_opposite_orders_both_go_through(h: Arc<Harness>) {
    let db = database(&h).await;
    let client = db.client().await;
    let requested_at = Moment::now();
    let attempts: Vec<Attempt> = (1..=3)
        .map(|n| Attempt {
            id: Uuid::from_u128(n),
            amount: Cents::new(1990),
            processor: Processor::Default,
            requested_at,
        })
        .collect();
    let ids: Vec<Uuid> = attempts.iter().map(|a| a.id).collect();
    in_flight(&db, &ids, requested_at).await;
    let holder = db.client().await;
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT FROM payments WHERE correlation_id = '{}' FOR UPDATE",
            ids[1]
        ))
        .await
        .unwrap();

    let settle = |batch: Vec<Attempt>| {
        let store = Store::new(
            db.config.clone(),
            PoolOptions::single(Duration::from_secs(30)),
        );
        tokio::spawn(async move { store.settle_paid(&batch).await })
    };
    let ascending = settle(attempts.clone());
    lock_waits(&client, "UPDATE payments p", 1).await;
    let descending = settle(attempts.iter().rev().copied().collect());
    lock_waits(&client, "UPDATE payments p", 2).await;
    holder.batch_execute("COMMIT").await.unwrap();

    let ascending = ascending.await.unwrap().expect("the ascending batch");
    let descending = descending.await.unwrap().expect("the descending batch");
    assert_eq!(
        [ascending[0] + descending[0], ascending[1] + descending[1]],
        [3, 0],
        "settled at (default, fallback): {ascending:?} and {descending:?}"
    );
    let paid: i64 = client
        .query_one(
            "SELECT count(*) FROM payments WHERE (progress).state = 'paid'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(paid, 3);
}
