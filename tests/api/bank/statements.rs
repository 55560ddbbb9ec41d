//! `GET /clientes/{id}/extrato`: the shape, the order, the limit of ten, the timestamps.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Harness, TestFn, assert_timestamp};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        every_seeded_account_starts_with_its_limit_and_a_zero_balance,
        a_new_account_has_an_exact_empty_statement,
        a_statement_lists_the_ten_newest_transactions_newest_first,
        a_statement_shows_each_transaction_as_applied,
        the_acceptance_run_start_up_sequence_holds,
        the_health_check_answers_once_the_database_is_reachable,
    ]
}

async fn every_seeded_account_starts_with_its_limit_and_a_zero_balance(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let limits = [
        (1, 100_000),
        (2, 80_000),
        (3, 1_000_000),
        (4, 10_000_000),
        (5, 500_000),
    ];

    for (id, limit) in limits {
        let reply = app.statement(id).await;

        assert_eq!(reply.status, StatusCode::OK, "account {id}");
        let body = reply.json();
        assert_eq!(body["saldo"]["limite"], limit, "account {id}");
        assert_eq!(body["saldo"]["total"], 0, "account {id}");
        assert_eq!(body["ultimas_transacoes"], json!([]), "account {id}");
    }
}

async fn a_new_account_has_an_exact_empty_statement(h: Arc<Harness>) {
    let (_db, app) = h.app().await;

    let reply = app.statement(1).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    let body = reply.json();
    let taken_at = assert_timestamp(&body["saldo"]["data_extrato"]);
    assert_eq!(
        reply.body,
        format!(
            r#"{{"saldo":{{"total":0,"data_extrato":"{taken_at}","limite":100000}},"ultimas_transacoes":[]}}"#
        )
    );
}

async fn a_statement_lists_the_ten_newest_transactions_newest_first(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let mut expected_total = 0;
    for n in 1..=12 {
        let (tipo, sign) = if n % 3 == 0 { ("d", -1) } else { ("c", 1) };
        let reply = app.transact(5, n * 100, tipo, &format!("t{n}")).await;
        assert_eq!(reply.status, StatusCode::OK, "transaction {n}");
        expected_total += sign * n * 100;
    }

    let body = app.statement(5).await.json();

    assert_eq!(body["saldo"]["total"], expected_total);
    let listed = body["ultimas_transacoes"].as_array().unwrap();
    let descriptions: Vec<&str> = listed
        .iter()
        .map(|t| t["descricao"].as_str().unwrap())
        .collect();
    assert_eq!(
        descriptions,
        [
            "t12", "t11", "t10", "t9", "t8", "t7", "t6", "t5", "t4", "t3"
        ]
    );
    let applied_at: Vec<String> = listed
        .iter()
        .map(|t| assert_timestamp(&t["realizada_em"]))
        .collect();
    assert!(
        applied_at.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {applied_at:?}"
    );
    let taken_at = assert_timestamp(&body["saldo"]["data_extrato"]);
    assert!(
        taken_at >= applied_at[0],
        "taken {taken_at} before {}",
        applied_at[0]
    );
}

async fn a_statement_shows_each_transaction_as_applied(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    app.transact(4, 10, "c", "descricao").await;
    app.transact(4, 7, "d", "saque").await;

    let body = app.statement(4).await.json();

    let listed = body["ultimas_transacoes"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    for (entry, (valor, tipo, descricao)) in listed
        .iter()
        .zip([(7, "d", "saque"), (10, "c", "descricao")])
    {
        let applied_at = assert_timestamp(&entry["realizada_em"]);
        assert_eq!(
            *entry,
            json!({"valor": valor, "tipo": tipo, "descricao": descricao, "realizada_em": applied_at})
        );
    }
    assert_eq!(
        body["saldo"],
        json!({"total": 3, "data_extrato": body["saldo"]["data_extrato"], "limite": 10_000_000})
    );
}

/// The validations the public acceptance run makes before its load, in its order.
async fn the_acceptance_run_start_up_sequence_holds(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let app = Arc::new(app);

    let debits = (0..25).map(|_| {
        let app = Arc::clone(&app);
        tokio::spawn(async move { app.transact(1, 1, "d", "debito").await.status })
    });
    for debit in debits {
        assert_eq!(debit.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(app.statement(1).await.json()["saldo"]["total"], -25);
    let credits = (0..25).map(|_| {
        let app = Arc::clone(&app);
        tokio::spawn(async move { app.transact(1, 1, "c", "credito").await.status })
    });
    for credit in credits {
        assert_eq!(credit.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(app.statement(1).await.json()["saldo"]["total"], 0);

    for id in 1..=5 {
        let start = app.statement(id).await.json()["saldo"]["total"]
            .as_i64()
            .unwrap();
        assert_eq!(
            app.transact(id, 1, "c", "toma").await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.transact(id, 1, "d", "devolve").await.status,
            StatusCode::OK
        );
        let body = app.statement(id).await.json();
        assert_eq!(body["ultimas_transacoes"][0]["descricao"], "devolve");
        assert_eq!(body["ultimas_transacoes"][1]["descricao"], "toma");

        let danada = app.transact(id, 1, "c", "danada").await.json();
        assert_eq!(danada["saldo"], start + 1);
        let reads = (0..4).map(|_| {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.statement(id).await.json() })
        });
        for read in reads {
            let body = read.await.unwrap();
            assert_eq!(
                body["ultimas_transacoes"][0]["descricao"], "danada",
                "account {id}"
            );
            assert_eq!(body["saldo"]["total"], start + 1, "account {id}");
        }
    }
    assert_eq!(app.statement(6).await.status, StatusCode::NOT_FOUND);
}

async fn the_health_check_answers_once_the_database_is_reachable(h: Arc<Harness>) {
    let (_db, app) = h.app().await;

    let reply = app.get("/healthz").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "Healthy");
}
