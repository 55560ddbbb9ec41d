//! Exactly once when an answer never comes: a delay past our timeout, an instance killed
//! with payments in flight.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use super::support::{Instance, Payments, Processor, assert_paid_once, database, new_id};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_delay_longer_than_our_timeout_pays_once,
        an_instance_killed_with_payments_in_flight_is_taken_over,
    ]
}

/// The processor stores each payment 1.5 s after it arrives; we stop waiting after 0.5 s.
/// Every attempt's outcome is unknown when we give up, and the processor stores it anyway.
async fn a_delay_longer_than_our_timeout_pays_once(h: Arc<Harness>) {
    let db = database(&h).await;
    let default = Processor::spawn("0.05", &["--delay", "1500"]);
    let fallback = Processor::spawn("0.15", &[]);
    let app = Instance::spawn(&db, &default, &fallback, &["--processor-timeout", "500ms"]);
    let mut ids = Vec::new();
    for _ in 0..20 {
        let id = new_id();
        assert_eq!(app.pay(&id, "19.90").await, StatusCode::ACCEPTED);
        ids.push(id);
    }
    let (at_default, at_fallback) =
        assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(30)).await;
    assert!(
        at_default >= 1,
        "the first attempts went to default and were stored there"
    );
    eprintln!("delay past the timeout: {at_default} at default, {at_fallback} at fallback");
}

/// Two instances share the database; one is killed (SIGKILL) while its attempts sleep in
/// the processor's delay. The processor stores them anyway; the survivor takes the
/// attempts over as soon as the dead instance stops saying it is alive, long before their
/// 4 s lease ends, and finds them stored: each is paid once, and counted in time.
async fn an_instance_killed_with_payments_in_flight_is_taken_over(h: Arc<Harness>) {
    let db = database(&h).await;
    let default = Processor::spawn("0.05", &["--delay", "800"]);
    let fallback = Processor::spawn("0.15", &[]);
    let flags = ["--processor-timeout", "2s"];
    let mut doomed = Instance::spawn(&db, &default, &fallback, &flags);
    let survivor = Instance::spawn(&db, &default, &fallback, &flags);
    let mut ids = Vec::new();
    for n in 0..40 {
        let id = new_id();
        let app = if n % 2 == 0 { &doomed } else { &survivor };
        assert_eq!(app.pay(&id, "19.90").await, StatusCode::ACCEPTED);
        ids.push(id);
    }
    doomed.process.kill().unwrap();
    doomed.process.wait().unwrap();
    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT owner) FROM payments WHERE state = 'sending'",
            &[],
        )
        .await
        .unwrap();
    let (orphans, owners): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(
        owners, 2,
        "both instances, the killed one too, had attempts in flight"
    );
    // The dead instance stops saying it is alive; within about a second the survivor takes
    // its attempts over and records what the processor stored (it stores after 800 ms), so
    // that the summary agrees with the processors well before their lease would end.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let theirs = (default.stored("").await, fallback.stored("").await);
    assert_eq!(
        theirs.0 + theirs.1,
        ids.len() as i64,
        "the processor stored every send"
    );
    assert_eq!(survivor.counted("").await, theirs, "2.5 s after the kill");
    assert_paid_once(
        &survivor,
        &default,
        &fallback,
        &ids,
        Duration::from_secs(30),
    )
    .await;
    eprintln!("SIGKILL: {orphans} attempts in flight at the kill, every payment paid once");
}
