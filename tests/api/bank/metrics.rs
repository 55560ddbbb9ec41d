//! `GET /metrics` on the instance's own listener: the counters move by exactly the requests
//! made, and the API's listener does not serve them.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use rinha::db::Profile;

use crate::helpers::{
    Api, Harness, Scrape, TestApp, TestFn, free_port, listening_address, serve, stop_with, unix_get,
};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        the_metrics_count_every_answer_by_route_and_status,
        metrics_are_served_on_a_unix_socket_that_goes_with_the_instance,
    ]
}

const TRANSACT: &str = "/clientes/{id}/transacoes";
const STATEMENT: &str = "/clientes/{id}/extrato";

fn requests(route: &str, status: u16) -> String {
    format!(r#"rinha_http_requests_total{{route="{route}",status="{status}"}}"#)
}

fn durations(route: &str, sample: &str) -> String {
    format!(r#"rinha_http_request_duration_seconds_{sample}{{route="{route}"}}"#)
}

async fn the_metrics_count_every_answer_by_route_and_status(h: Arc<Harness>) {
    let db = h.database(Profile::Contest).await;
    let metrics_address = format!("127.0.0.1:{}", free_port());
    let mut process = serve(
        &db.url,
        "127.0.0.1:0",
        &["--metrics-listen", &metrics_address, "--pool-size", "4"],
    );
    let app = TestApp {
        api: Api::at(format!("http://{}", listening_address(&mut process))),
        process,
    };
    let metrics = format!("http://{metrics_address}");

    // The worker makes its four connections as it starts, before any request asks.
    let opened = rinha::deadline::poll_async(
        Duration::from_secs(5),
        Duration::from_millis(50),
        async || {
            let size = Scrape::of(&metrics).await.value("rinha_db_pool_size");
            (size == 4.0).then_some(size)
        },
    )
    .await;
    assert_eq!(
        opened,
        Some(4.0),
        "every connection open before the first request"
    );
    let before = Scrape::of(&metrics).await;
    assert_eq!(before.value(&durations(TRANSACT, "count")), 0.0);
    assert_eq!(before.value(&durations(STATEMENT, "count")), 0.0);

    for n in 0..4 {
        let reply = app.transact(1, 100, "c", &format!("m{n}")).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    for _ in 0..3 {
        assert_eq!(
            app.transact(6, 100, "c", "nobody").await.status,
            StatusCode::NOT_FOUND
        );
    }
    for _ in 0..2 {
        assert_eq!(
            app.post_transaction(1, "{}").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(app.statement(1).await.status, StatusCode::OK);
    }
    assert_eq!(
        app.get("/clientes/1/transacoes").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let after = Scrape::of(&metrics).await;

    for (route, status, n) in [
        (TRANSACT, 200, 4.0),
        (TRANSACT, 404, 3.0),
        (TRANSACT, 422, 2.0),
        (TRANSACT, 405, 1.0),
        (STATEMENT, 200, 2.0),
        (STATEMENT, 404, 0.0),
    ] {
        let series = requests(route, status);
        assert_eq!(after.moved(&before, &series), n, "{series}");
    }
    assert_eq!(after.moved(&before, &durations(TRANSACT, "count")), 10.0);
    assert_eq!(after.moved(&before, &durations(STATEMENT, "count")), 2.0);
    assert!(after.moved(&before, &durations(TRANSACT, "sum")) > 0.0);
    for route in [TRANSACT, STATEMENT] {
        let every =
            format!(r#"rinha_http_request_duration_seconds_bucket{{le="+Inf",route="{route}"}}"#);
        assert_eq!(after.value(&every), after.value(&durations(route, "count")));
    }
    assert_eq!(after.value("rinha_db_pool_size"), 4.0);
    assert_eq!(
        after.value("rinha_db_pool_in_use"),
        0.0,
        "nothing in flight"
    );
    assert_eq!(after.value("rinha_db_pool_waiting"), 0.0);

    let public = app.get("/metrics").await;
    assert_eq!(public.status, StatusCode::NOT_FOUND, "{}", public.body);
    let api_on_metrics = Api::at(metrics.clone()).statement(1).await;
    assert_eq!(api_on_metrics.status, StatusCode::NOT_FOUND);
    let again = Scrape::of(&metrics).await;
    assert_eq!(
        again.family("rinha_http_requests_total"),
        after.family("rinha_http_requests_total"),
        "scrapes and paths outside the API's routes are not counted"
    );
}

async fn metrics_are_served_on_a_unix_socket_that_goes_with_the_instance(h: Arc<Harness>) {
    let db = h.database(Profile::Contest).await;
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("api1-metrics.sock");
    let listen = format!("unix:{}", socket.display());
    let mut process = serve(&db.url, "127.0.0.1:0", &["--metrics-listen", &listen]);
    let api = Api::at(format!("http://{}", listening_address(&mut process)));

    assert_eq!(api.statement(2).await.status, StatusCode::OK);
    let scrape = Scrape::over_unix(&socket).await;

    assert_eq!(scrape.value(&requests(STATEMENT, 200)), 1.0);
    assert!(
        unix_get(&socket, "/healthz")
            .await
            .starts_with("HTTP/1.1 404 Not Found\r\n")
    );
    let status = stop_with(&mut process, libc::SIGTERM);
    assert!(status.success(), "exit status {status}");
    assert!(!socket.exists(), "the metrics socket is left behind");
}
