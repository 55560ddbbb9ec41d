//! The HTTP plumbing both editions share: where an instance listens (its API, and its
//! metrics on a listener of their own), the server's tuning and the run loop that stops
//! gracefully on SIGTERM or SIGINT ([`Server`]), an instance's start-up ([`instance`]:
//! waiting for its database, its metrics), and its routes' 405s ([`routes`]).
//!
//! Threading model: ntex runs `workers` threads, each with its own single-threaded tokio
//! runtime. The app factory runs once per worker and builds that worker's own connection
//! pool, so every PostgreSQL connection is driven by the one thread that uses it. The bank
//! uses them on the worker's thread: a transaction's answer is its statement's. A 2025
//! worker answers from its journal, and keeps its connections and its dispatcher on a
//! paying thread of its own (`crate::payments::dispatch::PayingThread`), so that a request
//! never waits behind the paying. With the contest's fraction of a CPU per instance, one
//! worker is the right default.

pub mod balancer;
mod body;
pub mod handoff;
mod instance;
mod listener;
mod routes;
mod settings;
mod startup;

use ntex::http::StatusCode;
use ntex::web::{HttpRequest, HttpResponse};

pub use body::{BodyError, MAX_BODY, read_body};
pub use handoff::Inbox;
pub use instance::{ServeError, instance, open_connections, wait_for_database};
pub use listener::{Bound, Listen};
pub use routes::routes;
pub use settings::Settings;
pub use startup::Server;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {0}")]
    Listen(Listen, #[source] std::io::Error),
    #[error("cannot take connections handed over at {}", .0.display())]
    Inbox(std::path::PathBuf, #[source] std::io::Error),
    #[error("the HTTP server failed")]
    Server(#[source] std::io::Error),
}

/// Runs `future` on a fresh ntex system (the tokio runtime of the main thread).
pub fn block_on<T: 'static>(name: &str, future: impl Future<Output = T> + 'static) -> T {
    ntex::rt::System::build()
        .name(name)
        .build(ntex::rt::DefaultRuntime)
        .block_on(future)
}

/// An error's response: its status and an empty body. A server error is logged with its
/// cause; a refusal only at debug level.
pub fn error_response(
    status: StatusCode,
    req: &HttpRequest,
    error: &dyn std::error::Error,
) -> HttpResponse {
    if status.is_server_error() {
        tracing::error!(path = req.path(), %error, cause = ?error.source(), "request failed");
    } else {
        tracing::debug!(path = req.path(), %error, "request refused");
    }
    HttpResponse::new(status)
}
