//! Real `rinha processor` processes, spoken to over HTTP.

use std::process::{Child, Command, ExitStatus, Stdio};

use reqwest::StatusCode;

/// The initial admin token, unless a test passes `--token`.
pub const TOKEN: &str = "123";

/// Every setting the processor reads from its environment, removed so that the caller's
/// environment cannot change a test.
const SETTINGS: [&str; 8] = [
    "PROCESSOR_PORT",
    "PROCESSOR_HOST",
    "PROCESSOR_FEE",
    "PROCESSOR_TOKEN",
    "PROCESSOR_HEALTH_WINDOW",
    "PROCESSOR_DELAY",
    "PROCESSOR_FAILURE",
    "PROCESSOR_WORKERS",
];

/// A running processor on a free port of 127.0.0.1; killed when dropped.
pub struct Processor {
    pub base: String,
    pub http: reqwest::Client,
    process: Child,
}

impl Processor {
    /// Starts a processor with the default settings.
    pub fn start() -> Self {
        Self::with(&[])
    }

    /// Starts a processor with extra flags.
    pub fn with(flags: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rinha"));
        command
            .args(["processor", "--port", "0"])
            .args(flags)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for name in SETTINGS {
            command.env_remove(name);
        }
        let mut process = command.spawn().expect("rinha processor starts");
        let (address, _) = listening_address_and_log(&mut process);
        Self {
            base: format!("http://{address}"),
            http: reqwest::Client::new(),
            process,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /payments` with a raw body.
    pub async fn post_payment(&self, body: &str) -> Reply {
        let request = self.http.post(self.url("/payments"));
        send(
            request
                .header("content-type", "application/json")
                .body(body.to_owned()),
        )
        .await
    }

    /// `POST /payments` of a well-formed payment.
    pub async fn pay(&self, id: &str, amount: &str, requested_at: &str) -> Reply {
        self.post_payment(&payment(id, amount, requested_at)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        send(self.http.get(self.url(path))).await
    }

    /// An admin call with the current default token.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<&str>) -> Reply {
        self.admin_as(Some(TOKEN), method, path, body).await
    }

    /// An admin call with `token` in X-Rinha-Token, or without the header.
    pub async fn admin_as(
        &self,
        token: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<&str>,
    ) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.header("X-Rinha-Token", token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        send(request).await
    }

    pub async fn set_delay(&self, ms: u64) {
        let body = format!(r#"{{"delay":{ms}}}"#);
        let reply = self
            .admin(
                reqwest::Method::PUT,
                "/admin/configurations/delay",
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    }

    pub async fn set_failure(&self, failing: bool) {
        let body = format!(r#"{{"failure":{failing}}}"#);
        let reply = self
            .admin(
                reqwest::Method::PUT,
                "/admin/configurations/failure",
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    }

    /// The admin summary for a query such as `?from=...`, as JSON.
    pub async fn summary(&self, query: &str) -> Reply {
        let path = format!("/admin/payments-summary{query}");
        self.admin(reqwest::Method::GET, &path, None).await
    }

    /// How many payments the whole ledger holds.
    pub async fn stored(&self) -> u64 {
        let reply = self.summary("").await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        reply.json()["totalRequests"].as_u64().expect("a count")
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, sig: i32) {
        signal(&self.process, sig);
    }

    /// Waits (up to 10 s) for the process to exit.
    pub fn wait(&mut self) -> ExitStatus {
        wait(&mut self.process)
    }
}

impl Drop for Processor {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A payment body.
pub fn payment(id: &str, amount: &str, requested_at: &str) -> String {
    format!(r#"{{"correlationId":"{id}","amount":{amount},"requestedAt":"{requested_at}"}}"#)
}

/// A fresh correlation id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[path = "../common/process.rs"]
mod process;

pub use process::Reply;
use process::{listening_address_and_log, signal, wait};

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request
        .send()
        .await
        .expect("the request reaches the processor");
    Reply::from(response).await
}
