//! The dispatcher's services, one round at a time (`run_once`, no timers), against a real
//! database and real processors: what each round did is what the database shows.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rinha::db::PoolOptions;
use rinha::payments::dispatch::{
    Dispatcher, Drain, Drained, Health, PaymentMetrics, Rescue, Rescued, Settings, Settled, Settler,
};
use rinha::payments::domain::{Attempt, Cents, Fees, Moment, NewPayment, Processor};
use rinha::payments::store::{Accepted, Store};
use tokio::task::LocalSet;
use uuid::Uuid;

use super::support::{self, database, in_flight};
use crate::helpers::{Database, Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_drain_round_claims_the_queued_payments_and_sends_them,
        a_rescue_round_takes_over_the_attempts_of_a_dead_instance_once,
        a_health_round_asks_each_processor_once_per_window,
        a_settler_round_settles_its_batch_and_counts_only_what_it_settled,
    ]
}

fn store(db: &Database) -> Store {
    Store::new(
        db.config.clone(),
        PoolOptions::single(Duration::from_secs(30)),
    )
}

/// A dispatcher paying through `default` and `fallback`, its metrics in a registry of
/// its own.
fn dispatcher(
    store: Store,
    default: &support::Processor,
    fallback: &support::Processor,
) -> Rc<Dispatcher> {
    let settings = Settings {
        processor_default: default.url.parse().unwrap(),
        processor_fallback: fallback.url.parse().unwrap(),
        processor_timeout: Duration::from_secs(3),
        max_in_flight: 16,
        fees: Fees::FINAL,
        fallback_after: None,
        health_window: Duration::from_secs(5),
        journal: None,
    };
    let metrics = PaymentMetrics::register(&mut rinha::metrics::registry());
    Dispatcher::new(store, &settings, metrics)
}

fn ids(n: u128) -> Vec<Uuid> {
    (1..=n).map(Uuid::from_u128).collect()
}

async fn count(db: &Database, condition: &str) -> i64 {
    let query = format!("SELECT count(*) FROM payments WHERE {condition}");
    db.client()
        .await
        .query_one(&query, &[])
        .await
        .unwrap()
        .get(0)
}

/// Three payments wait in the queue: one round claims the three for default and sends
/// them; the next finds nothing more to claim.
async fn a_drain_round_claims_the_queued_payments_and_sends_them(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = support::Processor::pair(&[]);
    let store = store(&db);
    for id in ids(3) {
        let payment = NewPayment {
            id,
            amount: Cents::new(1990),
        };
        let deadline = Instant::now() + Duration::from_secs(1);
        let accepted = store.accept_queued(&payment, deadline).await.unwrap();
        assert_eq!(accepted, Accepted::New);
    }

    let drain = Drain::new(dispatcher(store, &default, &fallback));
    let (first, second) = LocalSet::new()
        .run_until(async { (drain.run_once().await, drain.run_once().await) })
        .await;

    assert_eq!(
        first.unwrap(),
        Drained {
            sent: 3,
            more: false
        }
    );
    assert_eq!(
        second.unwrap(),
        Drained {
            sent: 0,
            more: false
        }
    );
    assert_eq!(count(&db, "(progress).processor = 'default'").await, 3);
}

/// Two attempts of an instance that never said it was alive: one round takes both over
/// (and says this instance is alive); the next takes none, since their new holder lives.
async fn a_rescue_round_takes_over_the_attempts_of_a_dead_instance_once(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = support::Processor::pair(&[]);
    in_flight(&db, &ids(2), Moment::now()).await;

    let rescue = Rescue::new(dispatcher(store(&db), &default, &fallback));
    let (first, second) = LocalSet::new()
        .run_until(async { (rescue.run_once().await, rescue.run_once().await) })
        .await;

    assert_eq!(
        first.unwrap(),
        Rescued {
            taken_over: 2,
            replayed: 0
        }
    );
    assert_eq!(
        second.unwrap(),
        Rescued {
            taken_over: 0,
            replayed: 0
        }
    );
    assert_eq!(count(&db, "(progress).state = 'unknown'").await, 2);
}

/// The first round asks both processors for their health; a second one at once asks
/// neither: the window is shared by every caller.
async fn a_health_round_asks_each_processor_once_per_window(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = support::Processor::pair(&[]);

    let health = Health::new(dispatcher(store(&db), &default, &fallback));
    let (first, second) = LocalSet::new()
        .run_until(async { (health.run_once().await, health.run_once().await) })
        .await;

    assert_eq!(first.unwrap().asked, 2);
    assert_eq!(second.unwrap().asked, 0);
}

/// Two confirmed attempts make one batch that settles both; the same two again make a
/// batch that settles none (they were paid already); with nothing waiting, a round writes
/// nothing.
async fn a_settler_round_settles_its_batch_and_counts_only_what_it_settled(h: Arc<Harness>) {
    let db = database(&h).await;
    let requested_at = Moment::now();
    in_flight(&db, &ids(2), requested_at).await;
    let attempts = ids(2).into_iter().map(|id| Attempt {
        id,
        amount: Cents::new(1990),
        processor: Processor::Default,
        requested_at,
    });
    let store = store(&db);
    let settler = Settler::new(PaymentMetrics::register(&mut rinha::metrics::registry()));

    attempts.clone().for_each(|a| settler.settle(a));
    let settled = settler.run_once(&store).await.unwrap();
    attempts.for_each(|a| settler.settle(a));
    let again = settler.run_once(&store).await.unwrap();
    let idle = settler.run_once(&store).await.unwrap();

    assert_eq!(
        settled,
        Settled {
            attempts: 2,
            paid: 2
        }
    );
    assert_eq!(
        again,
        Settled {
            attempts: 2,
            paid: 0
        }
    );
    assert_eq!(idle, Settled::default());
    assert_eq!(count(&db, "(progress).state = 'paid'").await, 2);
}
