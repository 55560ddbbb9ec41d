//! Two instances on one database under concurrent load: the ledger stays exact.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::StatusCode;
use rinha::db::Profile;

use crate::helpers::{Harness, TestApp, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        concurrent_debits_and_credits_on_two_instances_keep_the_ledger_exact,
        a_statement_from_either_instance_shows_a_transaction_right_after_its_200,
    ]
}

const TASKS: u64 = 40;
const REQUESTS_PER_TASK: u64 = 10;
const LIMITS: [(i32, i64); 2] = [(1, 100_000), (2, 80_000)];

/// One request the load sent, and what it got.
struct Sent {
    account: i32,
    description: String,
    signed_amount: i64,
    status: StatusCode,
    balance: Option<i64>,
}

/// One instance pipelines its queries over one shared connection (the default), the other
/// gives each request a connection of its own from a pool of eight: both ways of sharing
/// are held to the same ledger.
async fn concurrent_debits_and_credits_on_two_instances_keep_the_ledger_exact(h: Arc<Harness>) {
    let db = h.database(Profile::Contest).await;
    let exclusive = ["--pool-sharing", "exclusive", "--pool-size", "8"];
    let instances = Arc::new([
        TestApp::spawn(&db).await,
        TestApp::spawn_with(&db, &exclusive).await,
    ]);

    let tasks = (0..TASKS).map(|task| {
        let instances = Arc::clone(&instances);
        tokio::spawn(async move {
            let mut sent = Vec::new();
            let mut seed = task * 7919 + 1;
            for i in 0..REQUESTS_PER_TASK {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let (account, _) = LIMITS[(seed >> 33) as usize % 2];
                let debit = (seed >> 40) % 3 != 0;
                let amount = 1 + (seed >> 20) as i64 % if debit { 30_000 } else { 10_000 };
                let description = format!("{task}-{i}");
                let app = &instances[(task + i) as usize % 2];
                let tipo = if debit { "d" } else { "c" };
                let reply = app.transact(account, amount, tipo, &description).await;
                let balance = (reply.status == StatusCode::OK)
                    .then(|| reply.json()["saldo"].as_i64().unwrap());
                sent.push(Sent {
                    account,
                    description,
                    signed_amount: if debit { -amount } else { amount },
                    status: reply.status,
                    balance,
                });
            }
            sent
        })
    });
    let mut sent = Vec::new();
    for task in tasks {
        sent.extend(task.await.unwrap());
    }

    let limits: HashMap<i32, i64> = LIMITS.into_iter().collect();
    let applied: HashMap<&str, &Sent> = sent
        .iter()
        .filter(|s| s.status == StatusCode::OK)
        .map(|s| (s.description.as_str(), s))
        .collect();
    for s in &sent {
        assert!(
            s.status == StatusCode::OK
                || (s.status == StatusCode::UNPROCESSABLE_ENTITY && s.signed_amount < 0),
            "{} got {}",
            s.description,
            s.status
        );
        if let Some(balance) = s.balance {
            assert!(
                balance >= -limits[&s.account],
                "{} answered {balance}",
                s.description
            );
        }
    }
    assert!(
        applied.len() > 100,
        "only {} of {} applied",
        applied.len(),
        sent.len()
    );
    assert!(
        applied.len() < sent.len(),
        "no debit was ever refused: the load is too light"
    );

    // Replaying the ledger in order gives, after each entry, the balance its 200 answered.
    let client = db.client().await;
    let ledger = client
        .query(
            "SELECT cliente_id, valor, tipo, descricao FROM transacoes ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        ledger.len(),
        applied.len(),
        "every 200, and only those, is in the ledger"
    );
    let mut running: HashMap<i32, i64> = HashMap::new();
    for row in &ledger {
        let (account, valor, tipo, description): (i32, i64, &str, &str) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let s = applied
            .get(description)
            .unwrap_or_else(|| panic!("{description} is not a 200"));
        assert_eq!(
            (account, if tipo == "d" { -valor } else { valor }),
            (s.account, s.signed_amount)
        );
        let balance = running.entry(account).or_default();
        *balance += s.signed_amount;
        assert!(*balance >= -limits[&account]);
        assert_eq!(Some(*balance), s.balance, "balance after {description}");
    }
    for (account, _) in LIMITS {
        let expected: i64 = applied
            .values()
            .filter(|s| s.account == account)
            .map(|s| s.signed_amount)
            .sum();
        for app in instances.iter() {
            let total = app.statement(account).await.json()["saldo"]["total"]
                .as_i64()
                .unwrap();
            assert_eq!(total, expected, "account {account}");
        }
    }
}

async fn a_statement_from_either_instance_shows_a_transaction_right_after_its_200(h: Arc<Harness>) {
    let db = h.database(Profile::Contest).await;
    let instances = Arc::new([TestApp::spawn(&db).await, TestApp::spawn(&db).await]);

    let writers = (1..=5).map(|account: i32| {
        let instances = Arc::clone(&instances);
        tokio::spawn(async move {
            for i in 0..20_usize {
                let description = format!("rw-{i}");
                let tipo = if i % 2 == 0 { "c" } else { "d" };
                let reply = instances[i % 2]
                    .transact(account, 50, tipo, &description)
                    .await;
                assert_eq!(reply.status, StatusCode::OK);
                let balance = reply.json()["saldo"].clone();

                let statement = instances[(i + 1) % 2].statement(account).await.json();

                assert_eq!(
                    statement["ultimas_transacoes"][0]["descricao"],
                    description.as_str()
                );
                assert_eq!(
                    statement["saldo"]["total"], balance,
                    "account {account}, {description}"
                );
            }
        })
    });
    for writer in writers {
        writer.await.unwrap();
    }
}
