//! What every test binary needs of the processes it starts and the answers it reads: the
//! address a process listens on (from its log), a clean stop, and a response's text.
//! Included by path from each binary's helpers.

use std::io::{BufRead, BufReader};
use std::process::{Child, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

/// Every line a process logged after it started listening.
pub type Log = Arc<Mutex<Vec<String>>>;

/// Reads the process's log until its `listening` line and returns the bound address; the
/// rest of the log is kept, and drained in the background (printed when TEST_LOG is set).
pub fn listening_address_and_log(process: &mut Child) -> (String, Log) {
    let stderr = process.stderr.take().expect("stderr is piped");
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    let address = loop {
        let Some(Ok(line)) = lines.next() else {
            panic!(
                "the process exited before listening; its log:\n{}",
                seen.join("\n")
            );
        };
        if line.contains("listening")
            && let Some(rest) = line.split(" address=").nth(1)
        {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
        }
        seen.push(line);
    };
    let log = Log::default();
    let kept = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if std::env::var_os("TEST_LOG").is_some() {
                eprintln!("{line}");
            }
            kept.lock().unwrap().push(line);
        }
    });
    (address, log)
}

/// Sends `signal` to the process.
pub fn signal(process: &Child, signal: i32) {
    // SAFETY: kill has no memory-safety preconditions; the pid is our own child.
    unsafe { libc::kill(process.id() as i32, signal) };
}

/// Waits (up to 10 s) for the process to exit.
pub fn wait(process: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = process.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the process did not stop within 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A response: status and body text.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: String,
}

impl Reply {
    pub async fn from(response: reqwest::Response) -> Self {
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        let body = response.text().await.expect("a readable body");
        Self {
            status,
            content_type,
            body,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}
