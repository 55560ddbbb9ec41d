//! Each worker pays on a thread of its own (`src/payments/dispatch/thread.rs`), below its
//! HTTP thread's priority, so that a request is never read after the paying.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use super::support::{Instance, Payments, Processor, assert_paid_once, database, new_id};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![each_worker_pays_on_a_thread_of_its_own_at_a_lower_priority]
}

/// A thread of the process `pid`: its name and its nice value, from
/// `/proc/<pid>/task/<tid>/stat` (the name in parentheses, the nice value the 19th field).
fn threads(pid: u32) -> Vec<(String, i64)> {
    let mut threads = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let stat = std::fs::read_to_string(task.unwrap().path().join("stat")).unwrap();
        let (head, tail) = stat.rsplit_once(") ").expect("pid (comm) state …");
        let name = head.split_once(" (").expect("pid (comm").1.to_owned();
        let nice = tail.split(' ').nth(19 - 3).unwrap().parse().unwrap();
        threads.push((name, nice));
    }
    threads
}

/// An instance of two workers and a journal has two paying threads, 10 nicer than every
/// other thread, which keep the nice value the instance was started with (this test's);
/// both workers' payments are paid once.
async fn each_worker_pays_on_a_thread_of_its_own_at_a_lower_priority(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    let journal = tempfile::tempdir().unwrap();
    let flags = [
        "--workers",
        "2",
        "--journal",
        journal.path().to_str().unwrap(),
    ];
    let app = Instance::spawn(&db, &default, &fallback, &flags);
    let ids: Vec<String> = (0..8).map(|_| new_id()).collect();
    for id in &ids {
        assert_eq!(app.pay(id, "19.90").await, StatusCode::ACCEPTED);
    }
    assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(10)).await;

    let own = threads(std::process::id())[0].1;
    let threads = threads(app.process.id());
    let paying: Vec<i64> = threads
        .iter()
        .filter(|(name, _)| name == "rinha-paying")
        .map(|&(_, nice)| nice)
        .collect();
    assert_eq!(paying, [own + 10; 2], "{threads:?}");
    assert!(
        threads
            .iter()
            .all(|(name, nice)| name == "rinha-paying" || *nice == own),
        "{threads:?}"
    );
}
