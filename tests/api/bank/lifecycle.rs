//! How an instance starts, listens, fails and stops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rinha::bank::store::{Audit, Discrepancy};
use rinha::db::Profile;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Harness, TestApp, TestFn, listening_address, serve, stop_with};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        an_instance_serves_on_a_unix_socket_and_removes_it_on_sigterm,
        sigterm_and_sigint_both_stop_an_instance_cleanly,
        start_up_gives_up_clearly_when_the_database_is_unreachable,
        a_bad_flag_is_refused_before_anything_starts,
        a_failing_database_gets_a_500_and_the_instance_keeps_serving,
        an_unreachable_database_gets_a_503_and_the_instance_reconnects_by_itself,
        both_profiles_build_the_same_working_bank,
        the_ledger_audit_catches_a_balance_changed_behind_its_back,
        the_database_itself_refuses_every_write_that_breaks_a_rule,
    ]
}

async fn an_instance_serves_on_a_unix_socket_and_removes_it_on_sigterm(h: Arc<Harness>) {
    let db = h.database(Profile::Contest).await;
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("api.sock");
    let mut process = serve(&db.url, &format!("unix:{}", socket.display()), &[]);
    assert_eq!(
        listening_address(&mut process),
        format!("unix:{}", socket.display())
    );

    let mut stream = tokio::net::UnixStream::connect(&socket).await.unwrap();
    stream
        .write_all(b"GET /clientes/1/extrato HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();

    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains(r#""limite":100000"#), "{response}");
    let status = stop_with(&mut process, libc::SIGTERM);
    assert!(status.success(), "exit status {status}");
    assert!(!socket.exists(), "the socket file is left behind");
}

async fn sigterm_and_sigint_both_stop_an_instance_cleanly(h: Arc<Harness>) {
    let db = h.database(Profile::Contest).await;
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let mut app = TestApp::spawn(&db).await;
        assert_eq!(app.statement(1).await.status, StatusCode::OK);

        let status = app.stop_with(signal);

        assert!(status.success(), "signal {signal}: exit status {status}");
    }
}

async fn start_up_gives_up_clearly_when_the_database_is_unreachable(_h: Arc<Harness>) {
    let started = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rinha"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--startup-timeout",
            "1s",
        ])
        .env(
            "DATABASE_URL",
            "host=/nonexistent/rinha user=rinha dbname=rinha",
        )
        .output()
        .unwrap();

    assert!(!output.status.success());
    assert!(started.elapsed() < Duration::from_secs(10));
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("the database did not answer within 1s"),
        "{log}"
    );
}

async fn a_bad_flag_is_refused_before_anything_starts(_h: Arc<Harness>) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rinha"))
        .args(["serve", "--listen", "localhost"])
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("--listen"), "{message}");
}

/// Sabotage: the ledger refuses every insert. The transaction is a clean 500, and its
/// balance update is rolled back with it.
async fn a_failing_database_gets_a_500_and_the_instance_keeps_serving(h: Arc<Harness>) {
    let (db, app) = h.app().await;
    db.client()
        .await
        .batch_execute(
            "CREATE FUNCTION sabotage() RETURNS trigger LANGUAGE plpgsql
                 AS $$ BEGIN RAISE EXCEPTION 'sabotage'; END $$;
             CREATE TRIGGER sabotage BEFORE INSERT ON transacoes
                 FOR EACH ROW EXECUTE FUNCTION sabotage();",
        )
        .await
        .unwrap();

    let reply = app.transact(1, 10, "c", "quebrado").await;

    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.body, "");
    assert_eq!(app.statement(1).await.json()["saldo"]["total"], 0);
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

async fn an_unreachable_database_gets_a_503_and_the_instance_reconnects_by_itself(h: Arc<Harness>) {
    let (db, app) = h.app().await;
    assert_eq!(
        app.transact(1, 10, "c", "antes").await.status,
        StatusCode::OK
    );
    let admin = db.admin().await;
    let name = &db.name;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
        ))
        .await
        .unwrap();

    let refused = app.transact(1, 10, "c", "durante").await;
    let statement = app.statement(1).await;
    let health = app.get("/healthz").await;

    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.body, "");
    assert_eq!(statement.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let after = app.transact(1, 10, "c", "depois").await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body, r#"{"limite":100000,"saldo":20}"#);
}

async fn both_profiles_build_the_same_working_bank(h: Arc<Harness>) {
    for (profile, persistence) in [(Profile::Contest, "u"), (Profile::Durable, "p")] {
        let db = h.database(profile).await;
        let app = TestApp::spawn(&db).await;

        let reply = app.transact(1, 10, "d", profile.name()).await;

        assert_eq!(reply.body, r#"{"limite":100000,"saldo":-10}"#, "{profile}");
        let rows = db
            .client()
            .await
            .query(
                "SELECT relname::text, relpersistence::text FROM pg_class \
                 WHERE relname IN ('clientes', 'transacoes') ORDER BY relname",
                &[],
            )
            .await
            .unwrap();
        for row in rows {
            let (table, actual): (String, String) = (row.get(0), row.get(1));
            assert_eq!(actual, persistence, "{profile}: {table}");
        }
    }
}

async fn the_ledger_audit_catches_a_balance_changed_behind_its_back(h: Arc<Harness>) {
    let (db, app) = h.app().await;
    app.transact(2, 500, "d", "legitimo").await;
    let client = db.client().await;
    assert!(Audit::run(&client).await.unwrap().balances());

    client
        .batch_execute("UPDATE clientes SET saldo = saldo - 100 WHERE id = 2")
        .await
        .unwrap();
    let audit = Audit::run(&client).await.unwrap();

    assert_eq!(
        audit.discrepancies,
        [Discrepancy {
            account: 2,
            limit: 80_000,
            balance: -600,
            ledger: "-500".into()
        }]
    );
    assert!(
        audit.to_string().contains("THE BOOKS DO NOT BALANCE"),
        "{audit}"
    );
    // Put the books back, or the audit after this test fails it.
    client
        .batch_execute("UPDATE clientes SET saldo = saldo + 100 WHERE id = 2")
        .await
        .unwrap();
}

/// The rules hold whoever writes: each write below breaks one, straight through SQL, and
/// PostgreSQL refuses it, whether the rule is a domain's or the table's.
async fn the_database_itself_refuses_every_write_that_breaks_a_rule(h: Arc<Harness>) {
    let db = h.database(Profile::Contest).await;
    let client = db.client().await;
    let insert = |valor: &str, tipo: &str, descricao: &str| {
        format!(
            "INSERT INTO transacoes (cliente_id, valor, tipo, descricao, realizada_em) \
             VALUES (1, {valor}, '{tipo}', '{descricao}', now())"
        )
    };
    let breaking = [
        "UPDATE clientes SET saldo = -limite - 1 WHERE id = 2".to_owned(),
        "UPDATE clientes SET limite = -1, saldo = 0 WHERE id = 2".to_owned(),
        "INSERT INTO clientes (id, limite) VALUES (6, -1)".to_owned(),
        insert("0", "c", "zero"),
        insert("-5", "d", "negativo"),
        insert("5", "x", "tipo"),
        insert("5", "c", ""),
        insert("5", "c", "onze letras"),
    ];
    for sql in breaking {
        let error = client.batch_execute(&sql).await.unwrap_err();
        assert_eq!(
            error.code(),
            Some(&tokio_postgres::error::SqlState::CHECK_VIOLATION),
            "{sql}: {error:?}"
        );
    }
    // The same writes within the rules go through (and keep the books balanced).
    let within = format!(
        "UPDATE clientes SET saldo = saldo + 5 WHERE id = 1; {}",
        insert("5", "c", "dez letras")
    );
    client.batch_execute(&within).await.unwrap();
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM clientes), (SELECT sum(saldo)::bigint FROM clientes), \
             (SELECT count(*) FROM transacoes)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i64>(0),
            row.get::<_, i64>(1),
            row.get::<_, i64>(2)
        ),
        (5, 5, 1)
    );
}
