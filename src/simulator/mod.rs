//! `rinha processor`: a payment processor simulator for edition 2025, behaving as the
//! contest's official processor does (the 2025 spec, section "The processors"): payments
//! decided after a configurable delay, a failure switch, a rate-limited health check, and
//! the admin endpoints the load test calls.
//!
//! It must never be a benchmark's bottleneck: payments live in memory behind one mutex held
//! for a map operation or a summary's range scan at most, and a request sleeping in its
//! delay costs a timer and a small task, so hundreds can wait at once. Worker threads (one by default) share one
//! ledger, so a payment stored through one is seen through all.

mod auth;
mod decimal;
mod gate;
mod handlers;
mod ledger;
mod limiter;
mod routes;
mod state;
mod timestamp;
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ntex::web::App;

use crate::server::{self, Listen, Server, ServerError};

pub use decimal::Decimal;

use state::Processor;

/// What a processor is told at its start; the admin endpoints change some of it later.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where it listens; port 0 picks a free one (the `listening` log line names it).
    pub listen: SocketAddr,
    /// The fee per transaction the admin summary reports.
    pub fee: Decimal,
    /// The initial admin token, expected in the X-Rinha-Token header.
    pub token: String,
    /// The health check's window: one call per window, shared by every caller.
    pub health_window: Duration,
    /// The initial delay before each payment is decided, in milliseconds.
    pub delay: u32,
    /// Whether every payment answers 500 from the start.
    pub failure: bool,
    /// HTTP worker threads; they share one ledger.
    pub workers: u16,
}

/// Runs the processor until SIGTERM or SIGINT, then stops gracefully (requests sleeping in
/// their delay get the shared plumbing's grace to finish).
pub fn run(settings: Settings) -> Result<(), ServerError> {
    server::block_on("rinha-processor", serve(settings))
}

async fn serve(args: Settings) -> Result<(), ServerError> {
    let processor = Arc::new(Processor::new(&args));
    tracing::info!(
        fee = %args.fee,
        delay_ms = args.delay,
        failing = args.failure,
        health_window = ?args.health_window,
        "processor settings"
    );
    let app = async move || {
        App::new()
            .state(Arc::clone(&processor))
            .configure(routes::configure)
    };
    Server::build(&Listen::Tcp(args.listen), args.workers, None, app)?
        .run_until_stopped()
        .await
}
