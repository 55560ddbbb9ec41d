//! PostgreSQL crashing under load: what each profile keeps of what it acknowledged.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use reqwest::StatusCode;
use rinha::bank::store::Audit;
use rinha::db::Profile;
use rinha::edition::Edition;
use rinha::tools::launcher::postgres::{Cluster, connect};

use crate::helpers::{Harness, TestApp, TestFn, assert_none_lost, finish, load};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_database_crash_loses_no_acknowledged_transaction_in_the_durable_profile,
        a_database_crash_empties_the_contest_ledger_as_documented,
    ]
}

/// A request may wait this long for the database (the instance's pool waits 2 s); a
/// bound on behaviour, not a benchmark.
const FAIL_FAST: Duration = Duration::from_secs(5);

/// Durable profile (logged tables, synchronous commit): an immediate shutdown of
/// PostgreSQL in the middle of a load, then recovery. Requests during the outage get a
/// fast 503, the instance reconnects by itself, and every 200 is in the recovered ledger.
async fn a_database_crash_loses_no_acknowledged_transaction_in_the_durable_profile(
    _h: Arc<Harness>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut cluster = Cluster::start(dir.path(), &[], None).await.unwrap();
    cluster
        .create_database("rinha", Edition::Bank, Profile::Durable)
        .await
        .unwrap();
    let app = TestApp::serving(&cluster.url("rinha"));
    let stop = Arc::new(AtomicBool::new(false));

    let clients = load(&app, "q", &stop);
    tokio::time::sleep(Duration::from_millis(700)).await;
    cluster.restart(true, None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let sent = finish(&stop, clients).await;

    let expected = [
        StatusCode::OK,
        StatusCode::UNPROCESSABLE_ENTITY,
        StatusCode::SERVICE_UNAVAILABLE,
    ];
    for s in &sent {
        assert!(
            expected.contains(&s.status),
            "{}: {}",
            s.description,
            s.status
        );
        assert!(s.took < FAIL_FAST, "{} took {:?}", s.description, s.took);
    }
    let client = connect(&cluster.config("rinha")).await.unwrap();
    let acknowledged = assert_none_lost(&client, &sent).await;
    let audit = Audit::run(&client).await.unwrap();
    assert!(audit.balances(), "{audit}");
    assert_eq!(
        app.statement(1).await.status,
        StatusCode::OK,
        "the instance did not reconnect"
    );
    let unavailable = sent
        .iter()
        .filter(|s| s.status == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    eprintln!(
        "durable crash under load: {} sent, {acknowledged} acknowledged, {unavailable} answered 503, 0 acknowledged lost",
        sent.len()
    );
}

/// Contest profile (UNLOGGED tables): the same crash empties both tables, acknowledged
/// transactions and the accounts themselves. The instances then answer 404, as for any
/// account that does not exist. This is the trade-off the contest profile makes.
async fn a_database_crash_empties_the_contest_ledger_as_documented(_h: Arc<Harness>) {
    let dir = tempfile::tempdir().unwrap();
    let mut cluster = Cluster::start(dir.path(), &[("fsync", "off")], None)
        .await
        .unwrap();
    cluster
        .create_database("rinha", Edition::Bank, Profile::Contest)
        .await
        .unwrap();
    let app = TestApp::serving(&cluster.url("rinha"));
    assert_eq!(
        app.transact(1, 10, "c", "antes").await.status,
        StatusCode::OK
    );

    cluster.restart(true, None).await.unwrap();

    let client = connect(&cluster.config("rinha")).await.unwrap();
    let counts = client
        .query_one(
            "SELECT (SELECT count(*) FROM clientes), (SELECT count(*) FROM transacoes)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((counts.get::<_, i64>(0), counts.get::<_, i64>(1)), (0, 0));
    let mut answer = app.statement(1).await.status;
    for _ in 0..20 {
        if answer != StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = app.statement(1).await.status;
    }
    assert_eq!(answer, StatusCode::NOT_FOUND);
    assert_eq!(
        app.transact(1, 10, "c", "depois").await.status,
        StatusCode::NOT_FOUND
    );
}
