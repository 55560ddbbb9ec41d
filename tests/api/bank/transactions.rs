//! `POST /clientes/{id}/transacoes`: every rule of the contract.

use std::sync::Arc;

use reqwest::StatusCode;

use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_credit_answers_the_limit_and_the_new_balance,
        a_debit_answers_the_limit_and_the_new_balance,
        a_debit_landing_exactly_on_the_limit_succeeds,
        a_debit_past_the_limit_gets_422_and_changes_nothing,
        every_invalid_body_gets_422_and_changes_nothing,
        an_unknown_account_gets_404_whatever_the_body,
        a_description_is_counted_in_characters_not_bytes,
        a_credit_that_would_overflow_the_balance_gets_422,
        a_debit_larger_than_any_balance_gets_422,
        wrong_methods_and_unknown_paths_are_refused,
        an_oversized_body_is_refused,
    ]
}

async fn a_credit_answers_the_limit_and_the_new_balance(h: Arc<Harness>) {
    let (_db, app) = h.app().await;

    let reply = app.transact(1, 1000, "c", "descricao").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, r#"{"limite":100000,"saldo":1000}"#);
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
}

async fn a_debit_answers_the_limit_and_the_new_balance(h: Arc<Harness>) {
    let (_db, app) = h.app().await;

    let reply = app.transact(3, 9098, "d", "devolve").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, r#"{"limite":1000000,"saldo":-9098}"#);
}

async fn a_debit_landing_exactly_on_the_limit_succeeds(h: Arc<Harness>) {
    let (_db, app) = h.app().await;

    let to_the_limit = app.transact(2, 80000, "d", "tudo").await;
    let one_more = app.transact(2, 1, "d", "mais um").await;

    assert_eq!(to_the_limit.status, StatusCode::OK);
    assert_eq!(to_the_limit.body, r#"{"limite":80000,"saldo":-80000}"#);
    assert_eq!(one_more.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(one_more.body, "");
    assert_eq!(app.statement(2).await.json()["saldo"]["total"], -80000);
}

async fn a_debit_past_the_limit_gets_422_and_changes_nothing(h: Arc<Harness>) {
    let (db, app) = h.app().await;

    let reply = app.transact(1, 100_001, "d", "demais").await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body, "");
    let statement = app.statement(1).await.json();
    assert_eq!(statement["saldo"]["total"], 0);
    assert_eq!(statement["ultimas_transacoes"], serde_json::json!([]));
    assert_ledger_is_empty(&db).await;
}

/// Every body the contract calls invalid, and the edge cases around them.
const INVALID_BODIES: &[(&str, &str)] = &[
    (
        "valor with a fraction",
        r#"{"valor": 1.2, "tipo": "d", "descricao": "devolve"}"#,
    ),
    (
        "valor 1.0",
        r#"{"valor": 1.0, "tipo": "c", "descricao": "x"}"#,
    ),
    (
        "valor in exponent form",
        r#"{"valor": 1e3, "tipo": "c", "descricao": "x"}"#,
    ),
    (
        "valor as a string",
        r#"{"valor": "10", "tipo": "c", "descricao": "x"}"#,
    ),
    (
        "valor zero",
        r#"{"valor": 0, "tipo": "c", "descricao": "x"}"#,
    ),
    (
        "negative valor",
        r#"{"valor": -5, "tipo": "c", "descricao": "x"}"#,
    ),
    (
        "valor past 2^63-1",
        r#"{"valor": 9223372036854775808, "tipo": "c", "descricao": "x"}"#,
    ),
    (
        "valor null",
        r#"{"valor": null, "tipo": "c", "descricao": "x"}"#,
    ),
    ("valor missing", r#"{"tipo": "c", "descricao": "x"}"#),
    (
        "tipo x",
        r#"{"valor": 1, "tipo": "x", "descricao": "devolve"}"#,
    ),
    (
        "tipo upper case",
        r#"{"valor": 1, "tipo": "D", "descricao": "x"}"#,
    ),
    (
        "tipo null",
        r#"{"valor": 1, "tipo": null, "descricao": "x"}"#,
    ),
    ("tipo missing", r#"{"valor": 1, "descricao": "x"}"#),
    (
        "descricao of 25 characters",
        r#"{"valor": 1, "tipo": "c", "descricao": "123456789 123456789 12345"}"#,
    ),
    (
        "descricao of 11 characters",
        r#"{"valor": 1, "tipo": "c", "descricao": "12345678901"}"#,
    ),
    (
        "descricao empty",
        r#"{"valor": 1, "tipo": "c", "descricao": ""}"#,
    ),
    (
        "descricao with a NUL, which PostgreSQL cannot store",
        r#"{"valor": 1, "tipo": "c", "descricao": "a\u0000b"}"#,
    ),
    (
        "descricao null",
        r#"{"valor": 1, "tipo": "c", "descricao": null}"#,
    ),
    (
        "descricao a number",
        r#"{"valor": 1, "tipo": "c", "descricao": 123}"#,
    ),
    ("descricao missing", r#"{"valor": 1, "tipo": "c"}"#),
    ("body null", "null"),
    ("body empty", ""),
    ("body an array", r#"[1, "c", "x"]"#),
    ("body a string", r#""valor""#),
    (
        "malformed JSON",
        r#"{"valor": 1, "tipo": "c", "descricao": "x""#,
    ),
    (
        "trailing garbage",
        r#"{"valor": 1, "tipo": "c", "descricao": "x"} {}"#,
    ),
    ("not JSON at all", "valor=1&tipo=c&descricao=x"),
];

async fn every_invalid_body_gets_422_and_changes_nothing(h: Arc<Harness>) {
    let (db, app) = h.app().await;

    for (case, body) in INVALID_BODIES {
        let reply = app.post_transaction(1, body).await;

        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}: {body}"
        );
        assert_eq!(reply.body, "", "{case}");
    }
    assert_eq!(app.statement(1).await.json()["saldo"]["total"], 0);
    assert_ledger_is_empty(&db).await;
}

async fn an_unknown_account_gets_404_whatever_the_body(h: Arc<Harness>) {
    let (db, app) = h.app().await;
    let valid = r#"{"valor": 1, "tipo": "c", "descricao": "x"}"#;

    for id in [
        "6",
        "0",
        "-1",
        "2147483648",
        "99999999999999999999",
        "abc",
        "1.0",
        "1a",
    ] {
        for body in [valid, "null", INVALID_BODIES[0].1] {
            let reply = app.post_transaction(id, body).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "POST id {id}, body {body}"
            );
        }
        let reply = app.statement(id).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "GET id {id}");
        assert_eq!(reply.body, "", "GET id {id}");
    }
    assert_ledger_is_empty(&db).await;
}

async fn a_description_is_counted_in_characters_not_bytes(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let ten_characters = "ação çãõ ü"; // 10 characters, 15 bytes

    let accepted = app.transact(1, 5, "c", ten_characters).await;
    let refused = app.transact(1, 5, "c", "ação çãõ üé").await;

    assert_eq!(accepted.status, StatusCode::OK);
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let statement = app.statement(1).await.json();
    assert_eq!(
        statement["ultimas_transacoes"][0]["descricao"],
        ten_characters
    );
    assert_eq!(statement["ultimas_transacoes"].as_array().unwrap().len(), 1);
}

async fn a_credit_that_would_overflow_the_balance_gets_422(h: Arc<Harness>) {
    let (_db, app) = h.app().await;

    let to_the_top = app.transact(1, i64::MAX, "c", "teto").await;
    let past_the_top = app.transact(1, 1, "c", "estouro").await;

    assert_eq!(to_the_top.status, StatusCode::OK);
    assert_eq!(
        to_the_top.body,
        r#"{"limite":100000,"saldo":9223372036854775807}"#
    );
    assert_eq!(past_the_top.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.statement(1).await.json()["saldo"]["total"], i64::MAX);
}

async fn a_debit_larger_than_any_balance_gets_422(h: Arc<Harness>) {
    let (db, app) = h.app().await;
    app.transact(1, 100_000, "d", "no limite").await;

    let reply = app.transact(1, i64::MAX, "d", "enorme").await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.statement(1).await.json()["saldo"]["total"], -100_000);
    let rows = db
        .client()
        .await
        .query("SELECT 1 FROM transacoes", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
}

async fn wrong_methods_and_unknown_paths_are_refused(h: Arc<Harness>) {
    let (_db, app) = h.app().await;

    let get_transactions = app.get("/clientes/1/transacoes").await;
    let post_statement = app
        .http
        .post(format!("{}/clientes/1/extrato", app.base))
        .send()
        .await
        .unwrap();
    let unknown = app.get("/clientes/1").await;

    assert_eq!(get_transactions.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post_statement.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn an_oversized_body_is_refused(h: Arc<Harness>) {
    let (db, app) = h.app().await;
    let padding = " ".repeat(64 * 1024);
    let body = format!(r#"{{"valor": 1, "tipo": "c", "descricao": "x"{padding}}}"#);

    let reply = app.post_transaction(1, &body).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_ledger_is_empty(&db).await;
}

async fn assert_ledger_is_empty(db: &crate::helpers::Database) {
    let client = db.client().await;
    let rows = client
        .query("SELECT id FROM transacoes", &[])
        .await
        .unwrap();
    assert!(rows.is_empty(), "the ledger has {} rows", rows.len());
    let rows = client
        .query("SELECT id FROM clientes WHERE saldo <> 0", &[])
        .await
        .unwrap();
    assert!(rows.is_empty(), "{} balances changed", rows.len());
}
