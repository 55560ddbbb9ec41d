//! The HTTP edge of an instance under hostile or odd clients: every case ends in a fast 4xx
//! or a closed connection, and the instance goes on serving.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Harness, TestApp, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_client_that_trickles_its_request_is_cut_off,
        a_huge_request_head_is_refused,
        pipelined_requests_are_answered_in_order,
        a_malformed_request_line_is_refused,
        an_unknown_method_is_refused,
    ]
}

/// Generous bound on how long the instance may take to give up on a client (its own limit
/// is 5 s); a bound on behaviour, not a benchmark.
const GIVE_UP: Duration = Duration::from_secs(15);

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection or `GIVE_UP` passes.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut response = Vec::new();
    let read = tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut response)).await;
    assert!(
        read.is_ok(),
        "the connection was still open after {GIVE_UP:?}"
    );
    String::from_utf8_lossy(&response).into_owned()
}

async fn assert_still_serving(app: &TestApp) {
    assert_eq!(app.statement(1).await.status, StatusCode::OK);
}

async fn a_client_that_trickles_its_request_is_cut_off(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let mut stream = connect(&app).await;
    let started = Instant::now();

    stream
        .write_all(b"GET /clientes/1/extrato HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut trickle = tokio::time::interval(Duration::from_millis(500));
    let response = loop {
        tokio::select! {
            _ = trickle.tick() => {
                if stream.write_all(b"X-Slow: 1\r\n").await.is_err() {
                    break String::new();
                }
            }
            response = read_until_closed(&mut stream) => break response,
        }
    };

    assert!(started.elapsed() < GIVE_UP);
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 408"),
        "{response}"
    );
    assert_still_serving(&app).await;
}

async fn a_huge_request_head_is_refused(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let mut stream = connect(&app).await;
    let huge = "a".repeat(64 * 1024);

    let request = format!("GET /clientes/1/extrato HTTP/1.1\r\nHost: x\r\nX-Huge: {huge}\r\n\r\n");
    let _ = stream.write_all(request.as_bytes()).await;
    let response = read_until_closed(&mut stream).await;

    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 4"),
        "{}",
        &response[..response.len().min(200)]
    );
    assert_still_serving(&app).await;
}

async fn pipelined_requests_are_answered_in_order(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let mut stream = connect(&app).await;
    let body = r#"{"valor": 5, "tipo": "c", "descricao": "pipe"}"#;

    let requests = format!(
        "POST /clientes/3/transacoes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}\
         GET /clientes/3/extrato HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(requests.as_bytes()).await.unwrap();
    let response = read_until_closed(&mut stream).await;

    let transaction = response.find(r#"{"limite":1000000,"saldo":5}"#);
    let statement = response.find(r#""descricao":"pipe""#);
    assert_eq!(response.matches("HTTP/1.1 200 OK").count(), 2, "{response}");
    assert!(
        transaction.is_some() && transaction < statement,
        "{response}"
    );
}

async fn a_malformed_request_line_is_refused(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let mut stream = connect(&app).await;

    stream.write_all(b"THIS IS NOT HTTP\r\n\r\n").await.unwrap();
    let response = read_until_closed(&mut stream).await;

    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 400"),
        "{response}"
    );
    assert_still_serving(&app).await;
}

async fn an_unknown_method_is_refused(h: Arc<Harness>) {
    let (_db, app) = h.app().await;
    let mut stream = connect(&app).await;

    stream
        .write_all(b"BREW /clientes/1/extrato HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let response = read_until_closed(&mut stream).await;

    let status = response.get(9..12).unwrap_or_default();
    assert!(["400", "404", "405"].contains(&status), "{response}");
    assert_still_serving(&app).await;
}
