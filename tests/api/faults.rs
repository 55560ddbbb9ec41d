//! PostgreSQL crashing under load: what each profile keeps of what it acknowledged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rinha::launcher::postgres::{Cluster, connect};
use rinha::store::{Audit, Profile};

use crate::helpers::{Harness, TestApp, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_database_crash_loses_no_acknowledged_transaction_in_the_durable_profile,
        a_database_crash_empties_the_contest_ledger_as_documented,
    ]
}

/// A request may wait this long for the database (the instance's pool waits 2 s); a
/// bound on behaviour, not a benchmark.
const FAIL_FAST: Duration = Duration::from_secs(5);

/// Eight clients posting transactions to `app` until `stop`; each answer with its
/// description and how long it took.
fn load(
    app: &Arc<TestApp>,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<(String, StatusCode, Duration)>>> {
    (0..8)
        .map(|client| {
            let (app, stop) = (Arc::clone(app), Arc::clone(stop));
            tokio::spawn(async move {
                let mut sent = Vec::new();
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let description = format!("q{client}-{n}");
                    let tipo = if n % 2 == 0 { "c" } else { "d" };
                    let started = Instant::now();
                    let reply = app.transact(1 + client % 5, 10, tipo, &description).await;
                    sent.push((description, reply.status, started.elapsed()));
                }
                sent
            })
        })
        .collect()
}

/// Durable profile (logged tables, synchronous commit): an immediate shutdown of
/// PostgreSQL in the middle of a load, then recovery. Requests during the outage get a
/// fast 503, the instance reconnects by itself, and every 200 is in the recovered ledger.
async fn a_database_crash_loses_no_acknowledged_transaction_in_the_durable_profile(
    _h: Arc<Harness>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut cluster = Cluster::start(dir.path(), &[], None).await.unwrap();
    cluster
        .create_database("rinha", Profile::Durable)
        .await
        .unwrap();
    let app = Arc::new(TestApp::serving(&cluster.url("rinha")));
    let stop = Arc::new(AtomicBool::new(false));

    let clients = load(&app, &stop);
    tokio::time::sleep(Duration::from_millis(700)).await;
    cluster.restart(true, None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::Relaxed);
    let mut sent = Vec::new();
    for client in clients {
        sent.extend(client.await.unwrap());
    }

    for (description, status, took) in &sent {
        let expected = [
            StatusCode::OK,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::SERVICE_UNAVAILABLE,
        ];
        assert!(expected.contains(status), "{description}: {status}");
        assert!(*took < FAIL_FAST, "{description} took {took:?}");
    }
    let client = connect(&cluster.config("rinha")).await.unwrap();
    let rows = client
        .query("SELECT descricao FROM transacoes", &[])
        .await
        .unwrap();
    let recorded: std::collections::HashSet<String> = rows.iter().map(|row| row.get(0)).collect();
    let acknowledged: Vec<&String> = sent
        .iter()
        .filter(|(_, status, _)| *status == StatusCode::OK)
        .map(|(d, ..)| d)
        .collect();
    let lost = acknowledged
        .iter()
        .filter(|d| !recorded.contains(**d))
        .count();
    assert_eq!(lost, 0, "acknowledged transactions lost in the crash");
    let audit = Audit::run(&client).await.unwrap();
    assert!(audit.balances(), "{audit}");
    assert_eq!(
        app.statement(1).await.status,
        StatusCode::OK,
        "the instance did not reconnect"
    );
    let unavailable = sent
        .iter()
        .filter(|(_, status, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    eprintln!(
        "durable crash under load: {} sent, {} acknowledged, {unavailable} answered 503, {lost} acknowledged lost",
        sent.len(),
        acknowledged.len()
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
        .create_database("rinha", Profile::Contest)
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
