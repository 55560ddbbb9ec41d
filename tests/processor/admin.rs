//! The admin endpoints: the X-Rinha-Token header or 401, the token replaced, settings
//! bodies checked, the purge; and a graceful stop on SIGTERM.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::TestFn;
use crate::helpers::{Processor, TOKEN, new_id};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        every_admin_endpoint_needs_the_current_token,
        a_new_token_replaces_the_old_one,
        the_initial_token_comes_from_the_command_line,
        unreadable_settings_are_400_and_change_nothing,
        a_purge_forgets_every_payment,
        sigterm_lets_a_payment_in_its_delay_finish,
    ]
}

const WHEN: &str = "2025-07-15T12:34:56.000Z";

/// Every admin call, with a body that would succeed.
const ADMIN_CALLS: [(Method, &str, Option<&str>); 5] = [
    (Method::GET, "/admin/payments-summary", None),
    (
        Method::PUT,
        "/admin/configurations/delay",
        Some(r#"{"delay":5000}"#),
    ),
    (
        Method::PUT,
        "/admin/configurations/failure",
        Some(r#"{"failure":true}"#),
    ),
    (
        Method::PUT,
        "/admin/configurations/token",
        Some(r#"{"token":"stolen"}"#),
    ),
    (Method::POST, "/admin/purge-payments", None),
];

async fn every_admin_endpoint_needs_the_current_token() {
    let processor = Processor::start();
    let id = new_id();
    assert_eq!(processor.pay(&id, "1", WHEN).await.status, StatusCode::OK);
    for token in [None, Some("124"), Some(""), Some("1234")] {
        for (method, path, body) in ADMIN_CALLS {
            let reply = processor.admin_as(token, method.clone(), path, body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} {token:?}"
            );
            assert_eq!(reply.body, "");
        }
    }
    // Nothing the refused calls asked for happened.
    assert_eq!(
        processor.get(&format!("/payments/{id}")).await.status,
        StatusCode::OK
    );
    let health = processor.get("/payments/service-health").await;
    assert_eq!(health.body, r#"{"failing":false,"minResponseTime":0}"#);
    assert_eq!(processor.stored().await, 1, "the token did not change");
}

async fn a_new_token_replaces_the_old_one() {
    let processor = Processor::start();
    let path = "/admin/configurations/token";
    let reply = processor
        .admin(Method::PUT, path, Some(r#"{"token":"s3cret"}"#))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.body, "");

    let summary = "/admin/payments-summary";
    let old = processor
        .admin_as(Some(TOKEN), Method::GET, summary, None)
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = processor
        .admin_as(Some("s3cret"), Method::GET, summary, None)
        .await;
    assert_eq!(new.status, StatusCode::OK);
}

async fn the_initial_token_comes_from_the_command_line() {
    let processor = Processor::with(&["--token", "abc"]);
    let summary = "/admin/payments-summary";
    let default = processor
        .admin_as(Some(TOKEN), Method::GET, summary, None)
        .await;
    assert_eq!(default.status, StatusCode::UNAUTHORIZED);
    let given = processor
        .admin_as(Some("abc"), Method::GET, summary, None)
        .await;
    assert_eq!(given.status, StatusCode::OK);
}

async fn unreadable_settings_are_400_and_change_nothing() {
    let processor = Processor::start();
    let cases = [
        ("delay", ""),
        ("delay", "{}"),
        ("delay", r#"{"delay":-1}"#),
        ("delay", r#"{"delay":1.5}"#),
        ("delay", r#"{"delay":"100"}"#),
        ("delay", r#"{"delay":null}"#),
        ("failure", r#"{"failure":"true"}"#),
        ("failure", r#"{"failure":1}"#),
        ("failure", "[true]"),
        ("token", r#"{"token":5}"#),
        ("token", r#"{"token":null}"#),
        ("token", "not json"),
    ];
    for (setting, body) in cases {
        let path = format!("/admin/configurations/{setting}");
        let reply = processor.admin(Method::PUT, &path, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{setting} {body:?}");
    }
    let health = processor.get("/payments/service-health").await;
    assert_eq!(health.body, r#"{"failing":false,"minResponseTime":0}"#);
    assert_eq!(processor.stored().await, 0, "the token still works");
}

async fn a_purge_forgets_every_payment() {
    let processor = Processor::start();
    let ids: Vec<String> = (0..3).map(|_| new_id()).collect();
    for id in &ids {
        assert_eq!(
            processor.pay(id, "19.90", WHEN).await.status,
            StatusCode::OK
        );
    }
    let reply = processor
        .admin(Method::POST, "/admin/purge-payments", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "");
    assert_eq!(processor.stored().await, 0);
    for id in &ids {
        let lookup = processor.get(&format!("/payments/{id}")).await;
        assert_eq!(lookup.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        processor.pay(&ids[0], "1", WHEN).await.status,
        StatusCode::OK
    );
}

async fn sigterm_lets_a_payment_in_its_delay_finish() {
    let mut processor = Processor::with(&["--delay", "1000"]);
    let id = new_id();
    let (reply, ()) = tokio::join!(processor.pay(&id, "1", WHEN), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        processor.signal(libc::SIGTERM);
    });
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        r#"{"message":"payment processed successfully"}"#
    );
    let status = processor.wait();
    assert!(status.success(), "{status}");
}
