//! The smoke test of the main job: the real `rinha stack`, briefly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use reqwest::StatusCode;

use crate::helpers::{Harness, TestFn, stop_with};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![the_stack_serves_through_nginx_and_stops_without_leftovers]
}

async fn the_stack_serves_through_nginx_and_stops_without_leftovers(_h: Arc<Harness>) {
    let state = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut stack = Command::new(env!("CARGO_BIN_EXE_rinha"))
        .args(["stack", "--port", &port.to_string()])
        .arg("--state-dir")
        .arg(state.path().join("stack"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut table = Vec::new();
    for line in BufReader::new(stack.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with("ready on") {
            break;
        }
        table.push(line);
    }
    let pids: Vec<i32> = table
        .iter()
        .filter(|line| {
            ["postgres", "api1", "api2", "nginx"]
                .iter()
                .any(|s| line.starts_with(s))
        })
        .map(|line| line.split_whitespace().nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 4, "one line per service: {table:#?}");
    assert!(
        table.iter().any(|line| line.starts_with("total")
            && line.contains("1.50")
            && line.contains("550 MB"))
    );

    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let credit = http
        .post(format!("{base}/clientes/1/transacoes"))
        .header("content-type", "application/json")
        .body(r#"{"valor": 7, "tipo": "c", "descricao": "fumaça"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(credit.status(), StatusCode::OK);
    assert_eq!(
        credit.text().await.unwrap(),
        r#"{"limite":100000,"saldo":7}"#
    );
    let statement: serde_json::Value = http
        .get(format!("{base}/clientes/1/extrato"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(statement["ultimas_transacoes"][0]["descricao"], "fumaça");

    let status = stop_with(&mut stack, libc::SIGTERM);

    assert!(status.success(), "the stack exited with {status}");
    for pid in pids {
        // SAFETY: signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        assert!(!alive, "process {pid} outlived the stack");
    }
}
