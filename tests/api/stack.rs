//! The smoke test of the main job: the real `rinha stack`, briefly.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use rinha::store::Audit;

use crate::helpers::{Harness, TestFn, stop_with};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        the_stack_serves_through_nginx_and_stops_without_leftovers,
        a_dead_service_stops_the_stack_with_a_failure_and_no_leftovers,
        the_stack_conforms_to_its_openapi_document,
    ]
}

/// A running `rinha stack` on a free port, and the pids of its table.
struct RunningStack {
    process: Child,
    port: u16,
    pids: Vec<(String, i32)>,
    state: tempfile::TempDir,
}

fn start_stack() -> RunningStack {
    let state = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut process = Command::new(env!("CARGO_BIN_EXE_rinha"))
        .args(["stack", "--port", &port.to_string()])
        .arg("--state-dir")
        .arg(state.path().join("stack"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut table = Vec::new();
    for line in BufReader::new(process.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with("ready on") {
            break;
        }
        table.push(line);
    }
    let pids: Vec<(String, i32)> = table
        .iter()
        .filter(|line| {
            ["postgres", "api1", "api2", "nginx"]
                .iter()
                .any(|s| line.starts_with(s))
        })
        .map(|line| {
            let mut fields = line.split_whitespace();
            (
                fields.next().unwrap().to_owned(),
                fields.next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(pids.len(), 4, "one line per service: {table:#?}");
    let total = |line: &&String| {
        line.starts_with("total") && line.contains("1.50") && line.contains("550 MB")
    };
    assert!(table.iter().any(|line| total(&line)), "{table:#?}");
    RunningStack {
        process,
        port,
        pids,
        state,
    }
}

fn assert_all_gone(pids: &[(String, i32)]) {
    for (name, pid) in pids {
        // SAFETY: signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(*pid, 0) } == 0;
        assert!(!alive, "{name} ({pid}) outlived the stack");
    }
}

async fn the_stack_serves_through_nginx_and_stops_without_leftovers(_h: Arc<Harness>) {
    let RunningStack {
        process: mut stack,
        port,
        pids,
        state: _state,
    } = start_stack();

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
    assert_all_gone(&pids);
}

async fn a_dead_service_stops_the_stack_with_a_failure_and_no_leftovers(_h: Arc<Harness>) {
    let RunningStack {
        process: mut stack,
        pids,
        state: _state,
        ..
    } = start_stack();
    let api1 = pids.iter().find(|(name, _)| name == "api1").unwrap().1;

    // SAFETY: kill has no memory-safety preconditions; api1 is the stack's child.
    unsafe { libc::kill(api1, libc::SIGKILL) };
    let status = wait_with_timeout(&mut stack, Duration::from_secs(15));

    assert!(
        !status.success(),
        "the stack exited with {status} after losing api1"
    );
    let mut log = String::new();
    stack
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("api1 died"), "{log}");
    assert_all_gone(&pids);
}

fn wait_with_timeout(process: &mut Child, timeout: Duration) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = process.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the stack did not stop within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Property-based: schemathesis (from PyPI) generates requests from docs/openapi.yaml,
/// valid and invalid, and checks every answer against the document: no 5xx, documented
/// codes, content types and bodies, 4xx for invalid input, an Allow header on every 405.
/// Valid transactions may still be refused (a debit past the limit is a documented 422),
/// hence `positive_data_acceptance` is left out.
async fn the_stack_conforms_to_its_openapi_document(_h: Arc<Harness>) {
    let RunningStack {
        process: mut stack,
        port,
        pids,
        state,
    } = start_stack();
    let document = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.yaml");

    let run = Command::new("schemathesis")
        .args([
            "run",
            document,
            "--url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        .args(["--max-examples", "100", "--no-color"])
        .output()
        .expect("schemathesis runs (pip install schemathesis; make test installs it)");

    let report = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{report}");
    assert!(report.contains("No issues found"), "{report}");
    let mut ledger = tokio_postgres::Config::new();
    ledger
        .host_path(state.path().join("stack/postgres/run"))
        .user("rinha")
        .dbname("rinha");
    let client = rinha::launcher::postgres::connect(&ledger).await.unwrap();
    let audit = Audit::run(&client).await.unwrap();
    assert!(audit.balances(), "{audit}");
    assert!(stop_with(&mut stack, libc::SIGTERM).success());
    assert_all_gone(&pids);
}
