//! The real `rinha stack --edition 2025`: two instances behind `rinha balance`, or behind
//! NGINX, inside the 2025 envelope, paying through the processors it is given, surviving a
//! killed instance and, in the durable profile, a PostgreSQL crash.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rinha::tools::launcher::postgres::{ROLE, connect};
use time::OffsetDateTime;

use super::support::{Payments, Processor, assert_paid_once, new_id};
use crate::helpers::{Api, Harness, TestFn, free_port, stack_table, stop_with};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        the_stack_pays_through_nginx_and_survives_a_killed_instance,
        the_stack_pays_through_its_balancer_and_survives_a_killed_instance,
        a_durable_stack_survives_a_postgres_crash_and_pays_every_payment_once,
    ]
}

/// A running 2025 stack on a free port; its table's lines.
struct RunningStack {
    process: Child,
    api: Api,
    table: Vec<String>,
    _state: tempfile::TempDir,
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

fn start_stack(default: &Processor, fallback: &Processor, args: &[&str]) -> RunningStack {
    let state = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut process = Command::new(env!("CARGO_BIN_EXE_rinha"))
        .args(["stack", "--edition", "2025", "--port", &port.to_string()])
        .arg("--state-dir")
        .arg(state.path().join("stack"))
        .args(args)
        .env("PAYMENT_PROCESSOR_URL_DEFAULT", &default.url)
        .env("PAYMENT_PROCESSOR_URL_FALLBACK", &fallback.url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let table = stack_table(&mut process);
    RunningStack {
        process,
        api: Api::at(format!("http://127.0.0.1:{port}")),
        table,
        _state: state,
    }
}

impl RunningStack {
    /// After a fault: more than a hundred payments accepted, each paid exactly once, the
    /// stack still running, and a clean stop on SIGTERM.
    async fn assert_paid_once_and_stop(
        mut self,
        default: &Processor,
        fallback: &Processor,
        accepted: &[String],
    ) {
        assert!(accepted.len() > 100, "{} accepted", accepted.len());
        assert_paid_once(
            &self.api,
            default,
            fallback,
            accepted,
            Duration::from_secs(40),
        )
        .await;
        assert!(
            self.process.try_wait().unwrap().is_none(),
            "the stack stopped after the fault"
        );
        let status = stop_with(&mut self.process, libc::SIGTERM);
        assert!(status.success(), "the stack exited with {status}");
    }

    /// A connection of our own to the stack's PostgreSQL, at the socket its table names.
    async fn database(&self) -> tokio_postgres::Client {
        let line = self.line("postgres");
        let address = line.split_whitespace().last().unwrap();
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(address.strip_prefix("unix:").unwrap())
            .user(ROLE)
            .dbname("rinha");
        connect(&config).await.unwrap()
    }

    fn line(&self, service: &str) -> &str {
        self.table
            .iter()
            .find(|line| line.starts_with(service))
            .unwrap_or_else(|| panic!("no {service} in {:#?}", self.table))
    }

    fn pid(&self, service: &str) -> i32 {
        let line = self.line(service);
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

/// The stack starts no processor of its own when it is given theirs, fits the 2025
/// envelope, and pays through NGINX. SIGKILL on one instance while clients post: NGINX
/// sends new payments to the other, and the ones in flight on the dead instance again (a
/// repeated correlationId is accepted once), so every POST is answered 202; the stack
/// starts the dead one again, its attempts in flight are taken over, and every payment is
/// paid exactly once.
async fn the_stack_pays_through_nginx_and_survives_a_killed_instance(_h: Arc<Harness>) {
    let (default, fallback) = Processor::pair(&["--delay", "300"]);
    let stack = start_stack(&default, &fallback, &["--balancer", "nginx"]);
    let total = stack.table.iter().find(|l| l.starts_with("total")).unwrap();
    assert!(
        total.contains("1.50") && total.contains("340 MB"),
        "{total}"
    );
    assert!(
        stack
            .table
            .iter()
            .any(|l| l.contains("processors (not started here)")),
        "{:#?}",
        stack.table
    );
    // A payment in flight on the killed instance is sent again to the other by NGINX, and
    // answered 202 whether or not it was accepted: no client ever sees the kill.
    let (accepted, unanswered) = pay_through_a_killed_instance(&stack).await;
    assert_eq!(unanswered, 0);
    stack
        .assert_paid_once_and_stop(&default, &fallback, &accepted)
        .await;
}

/// The same with the edition's own balancer, `rinha balance`, which hands each connection
/// whole to an instance: a connection on the killed instance dies with it, and whatever
/// was in flight there gets no answer. Its client sends the same payment again, on a new
/// connection that the balancer hands to the instance still alive (the dead one's inbox
/// refuses it), and then to both once the stack has started the dead one again; every
/// payment is paid exactly once.
async fn the_stack_pays_through_its_balancer_and_survives_a_killed_instance(_h: Arc<Harness>) {
    let (default, fallback) = Processor::pair(&["--delay", "300"]);
    let stack = start_stack(&default, &fallback, &[]);
    assert!(
        stack.line("balancer").contains("0.30"),
        "{:#?}",
        stack.table
    );
    assert!(
        !stack.table.iter().any(|l| l.starts_with("nginx")),
        "{:#?}",
        stack.table
    );
    let (accepted, unanswered) = pay_through_a_killed_instance(&stack).await;
    eprintln!(
        "balancer, killed instance: {} accepted, {unanswered} unanswered (sent again)",
        accepted.len()
    );
    stack
        .assert_paid_once_and_stop(&default, &fallback, &accepted)
        .await;
}

/// Six clients post payments 10 ms apart while api1 gets SIGKILL 1.5 s in, for 1.5 s more.
/// A payment whose request gets no answer (its connection died) is sent again until it
/// gets its 202, within 15 s; any other answer fails the test. Returns the payments
/// accepted, and how many requests got no answer.
async fn pay_through_a_killed_instance(stack: &RunningStack) -> (Vec<String>, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let (api, stop) = (stack.api.clone(), Arc::clone(&stop));
            tokio::spawn(async move {
                let (mut accepted, mut unanswered) = (Vec::new(), 0);
                while !stop.load(Ordering::Relaxed) {
                    let id = new_id();
                    let deadline = Instant::now() + Duration::from_secs(15);
                    loop {
                        match api.try_pay(&id, "19.90").await {
                            Ok(status) => {
                                assert_eq!(status, StatusCode::ACCEPTED, "{id}");
                                break;
                            }
                            Err(e) => {
                                assert!(Instant::now() < deadline, "{id}: no 202 within 15 s: {e}");
                                unanswered += 1;
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                        }
                    }
                    accepted.push(id);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                (accepted, unanswered)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // SAFETY: kill has no memory-safety preconditions; api1 is the stack's child.
    unsafe { libc::kill(stack.pid("api1"), libc::SIGKILL) };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut accepted, mut unanswered) = (Vec::new(), 0);
    for client in clients {
        let (ids, count) = client.await.unwrap();
        accepted.extend(ids);
        unanswered += count;
    }
    (accepted, unanswered)
}

/// The durable profile: PostgreSQL gets SIGQUIT (an immediate shutdown, as a crash) while
/// clients post, and the stack starts it again; it recovers every committed row from its
/// log. A client that gets no 202 sends the same payment again until it does, as a client
/// of an idempotent API would (most do not have to: a request that finds the database
/// restarting waits for it): each payment is then paid exactly once, whether or not its
/// earlier tries had been stored, and what the instances learnt while the database was
/// down is recorded once it is back.
async fn a_durable_stack_survives_a_postgres_crash_and_pays_every_payment_once(_h: Arc<Harness>) {
    let (default, fallback) = Processor::pair(&["--delay", "100"]);
    let stack = start_stack(&default, &fallback, &["--profile", "durable"]);

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let (api, stop) = (stack.api.clone(), Arc::clone(&stop));
            tokio::spawn(async move {
                let (mut accepted, mut refused) = (Vec::new(), 0);
                while !stop.load(Ordering::Relaxed) {
                    let id = new_id();
                    let deadline = Instant::now() + Duration::from_secs(15);
                    loop {
                        let status = api.pay(&id, "19.90").await;
                        if status == StatusCode::ACCEPTED {
                            break;
                        }
                        assert!(status.is_server_error(), "{id}: {status}");
                        assert!(Instant::now() < deadline, "{id}: no 202 within 15 s");
                        refused += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    accepted.push(id);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                (accepted, refused)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed = OffsetDateTime::now_utc();
    // SAFETY: kill has no memory-safety preconditions; the postmaster is the stack's child.
    unsafe { libc::kill(stack.pid("postgres"), libc::SIGQUIT) };
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut accepted, mut refused) = (Vec::new(), 0);
    for client in clients {
        let (ids, count) = client.await.unwrap();
        accepted.extend(ids);
        refused += count;
    }
    let started: OffsetDateTime = stack
        .database()
        .await
        .query_one("SELECT pg_postmaster_start_time()", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        started > killed,
        "PostgreSQL was not started again while the clients posted"
    );
    eprintln!(
        "durable crash: {} accepted, {refused} answers other than 202 (sent again)",
        accepted.len()
    );
    stack
        .assert_paid_once_and_stop(&default, &fallback, &accepted)
        .await;
}
