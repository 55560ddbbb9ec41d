//! Exactly once when an answer never comes: a delay past our timeout, an instance killed
//! with payments in flight, PostgreSQL gone for a moment.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rinha::db::Profile;
use rinha::edition::Edition;
use rinha::tools::launcher::postgres::Cluster;
use tokio_postgres::error::SqlState;

use super::support::{Instance, Payments, Processor, assert_paid_once, database, new_id};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_delay_longer_than_our_timeout_pays_once,
        an_instance_killed_with_payments_in_flight_is_taken_over,
        a_payment_posted_while_postgres_restarts_waits_for_it_and_is_paid_once,
        the_database_itself_refuses_a_progress_that_breaks_a_rule,
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
            "SELECT count(*), count(DISTINCT (progress).owner) FROM payments WHERE (progress).state = 'sending'",
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

/// A payment's progress keeps its rules whoever writes it: each write below breaks one,
/// straight through SQL, and PostgreSQL refuses it; the same writes within the rules go
/// through.
async fn the_database_itself_refuses_a_progress_that_breaks_a_rule(h: Arc<Harness>) {
    let db = database(&h).await;
    let client = db.client().await;
    let insert = |id: u8, amount: i64, progress: &str| {
        format!(
            "INSERT INTO payments (correlation_id, amount, progress) \
             VALUES ('00000000-0000-0000-0000-0000000000{id:02}', {amount}, {progress})"
        )
    };
    let owner = "'6d0f7c2e-9b1a-4c1e-8f7a-2b3c4d5e6f70'::uuid";
    let breaking = [
        // A queued payment with an attempt, or held by an instance.
        insert(1, 100, "ROW('queued', 'default', now(), NULL, NULL)"),
        insert(
            2,
            100,
            &format!("ROW('queued', NULL, NULL, {owner}, now())"),
        ),
        // An attempt without its processor or its instant.
        insert(
            3,
            100,
            &format!("ROW('sending', NULL, now(), {owner}, now())"),
        ),
        insert(4, 100, "ROW('paid', 'default', NULL, NULL, NULL)"),
        // Being sent without a holder, or paid and still held.
        insert(5, 100, "ROW('sending', 'default', now(), NULL, NULL)"),
        insert(
            6,
            100,
            &format!("ROW('unknown', 'fallback', now(), {owner}, NULL)"),
        ),
        insert(
            7,
            100,
            &format!("ROW('paid', 'default', now(), {owner}, now())"),
        ),
        // No state, no progress at all, no amount.
        insert(8, 100, "ROW(NULL, NULL, NULL, NULL, NULL)"),
        insert(9, 100, "NULL"),
        insert(10, 0, "ROW('queued', NULL, NULL, NULL, NULL)"),
    ];
    for sql in &breaking {
        let error = client.batch_execute(sql).await.unwrap_err();
        let code = error.code().cloned();
        assert!(
            code == Some(SqlState::CHECK_VIOLATION) || code == Some(SqlState::NOT_NULL_VIOLATION),
            "{sql}: {error:?}"
        );
    }
    let within = [
        insert(11, 100, "ROW('queued', NULL, NULL, NULL, NULL)"),
        insert(
            12,
            100,
            &format!("ROW('sending', 'default', now(), {owner}, now())"),
        ),
        insert(
            13,
            100,
            &format!("ROW('unknown', 'fallback', now(), {owner}, now())"),
        ),
        insert(14, 100, "ROW('paid', 'default', now(), NULL, NULL)"),
    ];
    for sql in &within {
        client.batch_execute(sql).await.unwrap();
    }
    // A transition that forgets a field breaks the rules too: paid, still held.
    let error = client
        .batch_execute(
            "UPDATE payments SET progress.state = 'paid' WHERE (progress).state = 'sending'",
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&SqlState::CHECK_VIOLATION), "{error:?}");
    let rows: i64 = client
        .query_one("SELECT count(*) FROM payments", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, within.len() as i64);
}

/// A durable PostgreSQL crashes (SIGQUIT: recovery from the log at the next start) and
/// stays down for 600 ms. A payment posted meanwhile is not refused: its request keeps
/// trying to connect until the database is back, then it is accepted and paid once, with
/// the ones before and after it. Both ways of sharing connections.
async fn a_payment_posted_while_postgres_restarts_waits_for_it_and_is_paid_once(_h: Arc<Harness>) {
    for sharing in ["shared", "exclusive"] {
        let dir = tempfile::tempdir().unwrap();
        let mut cluster = Cluster::start(dir.path(), &[], None).await.unwrap();
        cluster
            .create_database("rinha", Edition::Payments, Profile::Durable)
            .await
            .unwrap();
        let (default, fallback) = Processor::pair(&[]);
        let app = Arc::new(Instance::serving(
            &cluster.url("rinha"),
            &default,
            &fallback,
            &["--db-reconnect-for", "10s", "--pool-sharing", sharing],
        ));
        let ids: Vec<String> = (0..3).map(|_| new_id()).collect();
        assert_eq!(app.pay(&ids[0], "19.90").await, StatusCode::ACCEPTED);

        // SAFETY: kill has no memory-safety preconditions; the pid is the cluster's child.
        unsafe { libc::kill(cluster.pid() as i32, libc::SIGQUIT) };
        while cluster.try_wait().unwrap().is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let down = Instant::now();
        let during = tokio::spawn({
            let (app, id) = (Arc::clone(&app), ids[1].clone());
            async move { (app.pay(&id, "19.90").await, Instant::now()) }
        });
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(
            !during.is_finished(),
            "{sharing}: answered while PostgreSQL was down"
        );
        cluster.respawn(None).unwrap();
        let (status, answered) = during.await.unwrap();
        assert_eq!(status, StatusCode::ACCEPTED, "{sharing}");
        assert!(answered - down >= Duration::from_millis(600));
        assert_eq!(app.pay(&ids[2], "19.90").await, StatusCode::ACCEPTED);
        assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(20)).await;
    }
}
