//! The real `rinha stack`: it serves through NGINX, survives a killed instance without
//! losing an acknowledged transaction, stops when PostgreSQL dies, conforms to its OpenAPI
//! document, and never leaves a process behind.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rinha::bank::store::Audit;

use crate::helpers::{
    Api, Harness, Scrape, TestFn, assert_none_lost, finish, free_port, load, stack_table, stop_with,
};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        the_stack_serves_through_nginx_and_stops_without_leftovers,
        a_killed_instance_under_load_loses_no_acknowledged_transaction_and_comes_back,
        postgres_dying_stops_the_stack_with_a_failure_and_no_leftovers,
        the_stack_conforms_to_its_openapi_document,
    ]
}

/// A running `rinha stack` on a free port: the pids of its table and its log lines.
struct RunningStack {
    process: Child,
    port: u16,
    pids: Vec<(String, i32)>,
    log: mpsc::Receiver<String>,
    state: tempfile::TempDir,
}

/// A test that fails midway stops its stack all the same: SIGTERM, as an operator would,
/// and the launcher stops every service and removes its cgroups.
impl Drop for RunningStack {
    fn drop(&mut self) {
        if let Ok(None) = self.process.try_wait() {
            stop_with(&mut self.process, libc::SIGTERM);
        }
    }
}

fn start_stack() -> RunningStack {
    let state = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut process = Command::new(env!("CARGO_BIN_EXE_rinha"))
        .args(["stack", "--port", &port.to_string()])
        .arg("--state-dir")
        .arg(state.path().join("stack"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (sender, log) = mpsc::channel();
    let stderr = BufReader::new(process.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let table = stack_table(&mut process);
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
        log,
        state,
    }
}

impl RunningStack {
    fn pid(&self, service: &str) -> i32 {
        self.pids
            .iter()
            .find(|(name, _)| name == service)
            .unwrap()
            .1
    }

    /// The first log line containing every one of `needles`, waiting up to `timeout`.
    fn wait_for_log(&self, needles: &[&str], timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) if needles.iter().all(|n| line.contains(n)) => return line,
                Ok(_) => {}
                Err(_) => panic!("no log line with {needles:?} within {timeout:?}"),
            }
        }
    }

    /// A direct connection to the stack's database.
    async fn ledger(&self) -> tokio_postgres::Client {
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(self.state.path().join("stack/postgres/run"))
            .user("rinha")
            .dbname("rinha");
        rinha::tools::launcher::postgres::connect(&config)
            .await
            .unwrap()
    }

    async fn assert_books_balance(&self) {
        let audit = Audit::run(&self.ledger().await).await.unwrap();
        assert!(audit.balances(), "{audit}");
    }
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only asks whether the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn assert_all_gone(pids: &[(String, i32)]) {
    for (name, pid) in pids {
        assert!(!alive(*pid), "{name} ({pid}) outlived the stack");
    }
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

impl RunningStack {
    /// The API through NGINX.
    fn api(&self) -> Api {
        Api::at(format!("http://127.0.0.1:{}", self.port))
    }
}

async fn the_stack_serves_through_nginx_and_stops_without_leftovers(_h: Arc<Harness>) {
    let mut stack = start_stack();
    let api = stack.api();

    let credit = api.transact(1, 7, "c", "fumaça").await;
    let statement = api.statement(1).await.json();

    assert_eq!(credit.status, StatusCode::OK);
    assert_eq!(credit.body, r#"{"limite":100000,"saldo":7}"#);
    assert_eq!(statement["ultimas_transacoes"][0]["descricao"], "fumaça");
    let run = stack.state.path().join("stack/run");
    let sockets = [run.join("api1-metrics.sock"), run.join("api2-metrics.sock")];
    let mut credits = 0.0;
    for socket in &sockets {
        let scrape = Scrape::over_unix(socket).await;
        credits += scrape
            .get(r#"rinha_http_requests_total{route="/clientes/{id}/transacoes",status="200"}"#)
            .unwrap_or(0.0);
    }
    assert_eq!(
        credits, 1.0,
        "the one credit, counted by the instance that took it"
    );
    let status = stop_with(&mut stack.process, libc::SIGTERM);
    assert!(status.success(), "the stack exited with {status}");
    assert_all_gone(&stack.pids);
    for socket in &sockets {
        assert!(!socket.exists(), "{} is left behind", socket.display());
    }
}

/// SIGKILL on an instance while eight clients post transactions through NGINX: requests in
/// flight on that instance get a 502 (NGINX never retries a POST that reached an
/// instance), new ones go to the other instance, the stack starts the dead one again, and
/// every 200 is in a ledger that balances.
async fn a_killed_instance_under_load_loses_no_acknowledged_transaction_and_comes_back(
    _h: Arc<Harness>,
) {
    let mut stack = start_stack();
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(
        &Api::at(format!("http://127.0.0.1:{}", stack.port)),
        "k",
        &stop,
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    // SAFETY: kill has no memory-safety preconditions; api1 is the stack's child.
    unsafe { libc::kill(stack.pid("api1"), libc::SIGKILL) };
    let restarted = stack.wait_for_log(&["restarted", "api1"], Duration::from_secs(10));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = finish(&stop, clients).await;

    let count = |wanted: StatusCode| sent.iter().filter(|s| s.status == wanted).count();
    let (ok, bad_gateway) = (count(StatusCode::OK), count(StatusCode::BAD_GATEWAY));
    assert!(
        bad_gateway <= 8,
        "{bad_gateway} requests failed: more than were in flight"
    );
    assert_eq!(
        ok + count(StatusCode::UNPROCESSABLE_ENTITY) + bad_gateway,
        sent.len()
    );
    assert!(ok > 100, "only {ok} of {} transactions applied", sent.len());
    assert_eq!(assert_none_lost(&stack.ledger().await, &sent).await, ok);
    stack.assert_books_balance().await;
    eprintln!(
        "api1 killed under load: {} sent, {ok} applied, {bad_gateway} answered 502, 0 acknowledged lost",
        sent.len()
    );
    let new_pid: i32 = restarted
        .split("pid=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(alive(new_pid), "{restarted}");
    assert!(stop_with(&mut stack.process, libc::SIGTERM).success());
    assert_all_gone(&stack.pids);
    assert!(!alive(new_pid), "the restarted api1 outlived the stack");
}

async fn postgres_dying_stops_the_stack_with_a_failure_and_no_leftovers(_h: Arc<Harness>) {
    let mut stack = start_stack();

    // SAFETY: kill has no memory-safety preconditions; the postmaster is the stack's child.
    unsafe { libc::kill(stack.pid("postgres"), libc::SIGKILL) };
    let status = wait_with_timeout(&mut stack.process, Duration::from_secs(15));

    assert!(
        !status.success(),
        "the stack exited with {status} after losing PostgreSQL"
    );
    stack.wait_for_log(&["postgres died"], Duration::from_secs(1));
    assert_all_gone(&stack.pids);
}

/// Property-based: schemathesis (from PyPI) generates requests from docs/openapi.yaml,
/// valid and invalid, and checks every answer against the document: no 5xx, documented
/// codes, content types and bodies, 4xx for invalid input, an Allow header on every 405.
/// Valid transactions may still be refused (a debit past the limit is a documented 422),
/// hence `positive_data_acceptance` is left out.
async fn the_stack_conforms_to_its_openapi_document(_h: Arc<Harness>) {
    let mut stack = start_stack();
    let document = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.yaml");

    // From the stack's state directory, where schemathesis may leave its cache.
    let run = Command::new("schemathesis")
        .current_dir(stack.state.path())
        .arg("run")
        .arg(&document)
        .args(["--url", &format!("http://127.0.0.1:{}", stack.port)])
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        .args(["--max-examples", "100", "--no-color"])
        .output()
        .expect("schemathesis runs (make test installs it in .venv/)");

    let report = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{report}");
    assert!(report.contains("No issues found"), "{report}");
    stack.assert_books_balance().await;
    assert!(stop_with(&mut stack.process, libc::SIGTERM).success());
    assert_all_gone(&stack.pids);
}
