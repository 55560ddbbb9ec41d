//! The journal (`--journal`): a payment is answered once it is written there, before
//! PostgreSQL has it; it is stored after, however long PostgreSQL makes it wait, and what
//! an instance that died left there another instance replays. Each payment is paid once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::support::{
    Instance, Payments, Processor, assert_paid_once, database, lock_table, lock_waits, new_id,
};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_payment_is_answered_from_the_journal_while_postgresql_waits_and_paid_once_after,
        what_an_instance_killed_left_in_the_journal_another_pays_once,
    ]
}

/// A transaction holds `LOCK TABLE payments IN EXCLUSIVE MODE` for 2 s after the payment's
/// INSERT began to wait for it: longer than an accept's budget, so that first INSERT
/// stores nothing. The POST was answered 202 while the lock was held (where, without the
/// journal, it is a 503: `accepting.rs`), and the payment is paid once after: its
/// instance tried again. Its journal segment stays, being written.
async fn a_payment_is_answered_from_the_journal_while_postgresql_waits_and_paid_once_after(
    h: Arc<Harness>,
) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let journal = tempfile::tempdir().unwrap();
    let flags = ["--journal", journal.path().to_str().unwrap()];
    let app = Instance::spawn(&db, &default, &fallback, &flags);
    // Once it has answered, its connections are open and their statements prepared:
    // preparing an INSERT waits for the lock too.
    let before = new_id();
    assert_eq!(app.pay(&before, "19.90").await, StatusCode::ACCEPTED);
    let client = db.client().await;
    let locker = lock_table(&db, "payments IN EXCLUSIVE MODE").await;

    let id = new_id();
    let posted = Instant::now();
    assert_eq!(app.pay(&id, "19.90").await, StatusCode::ACCEPTED);
    let answered = posted.elapsed();
    lock_waits(&client, "INSERT INTO payments", 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    locker.batch_execute("ROLLBACK").await.unwrap();
    assert!(
        answered < Duration::from_secs(2),
        "answered after {answered:?}, not before the lock went"
    );
    assert_eq!(
        app.pay(&id, "19.90").await,
        StatusCode::ACCEPTED,
        "a repeat"
    );
    assert_paid_once(
        &app,
        &default,
        &fallback,
        &[before, id],
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(std::fs::read_dir(journal.path()).unwrap().count(), 1);
}

/// Two instances share a journal. PostgreSQL holds every INSERT behind a lock while one
/// instance answers a payment 202 and is killed (SIGKILL); its own INSERT comes too late
/// once the lock goes, 1.5 s later, and stores nothing. The other instance finds the dead
/// one's segment, stores the payment and pays it, once, then removes the segment. Each
/// instance answered a payment before, and paid it.
async fn what_an_instance_killed_left_in_the_journal_another_pays_once(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let journal = tempfile::tempdir().unwrap();
    let flags = ["--journal", journal.path().to_str().unwrap()];
    let doomed = Instance::spawn(&db, &default, &fallback, &flags);
    let survivor = Instance::spawn(&db, &default, &fallback, &flags);
    // Once they have answered, their connections are open and their statements prepared:
    // preparing an INSERT waits for the lock too.
    let before = [new_id(), new_id()];
    assert_eq!(doomed.pay(&before[0], "19.90").await, StatusCode::ACCEPTED);
    assert_eq!(
        survivor.pay(&before[1], "19.90").await,
        StatusCode::ACCEPTED
    );
    let client = db.client().await;
    let locker = lock_table(&db, "payments IN EXCLUSIVE MODE").await;

    let id = new_id();
    assert_eq!(doomed.pay(&id, "19.90").await, StatusCode::ACCEPTED);
    lock_waits(&client, "INSERT INTO payments", 1).await;
    // SAFETY: kill(2) on a child this test started and has not waited for.
    assert_eq!(
        unsafe { libc::kill(doomed.process.id() as i32, libc::SIGKILL) },
        0
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    locker.batch_execute("ROLLBACK").await.unwrap();

    assert_paid_once(
        &survivor,
        &default,
        &fallback,
        &[before[0].clone(), before[1].clone(), id],
        Duration::from_secs(10),
    )
    .await;
    let replayed = survivor
        .log
        .lock()
        .unwrap()
        .iter()
        .any(|line| line.contains("replayed a journal segment whose worker is gone"));
    assert!(replayed, "the survivor says it replayed the segment");
    assert_eq!(
        std::fs::read_dir(journal.path()).unwrap().count(),
        1,
        "the dead instance's segment is gone, the survivor's stays"
    );
}
