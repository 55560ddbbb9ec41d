//! `rinha processor`: a payment processor simulator for edition 2025, behaving as the
//! contest's official processor does (the 2025 spec, section "The processors"): payments
//! decided after a configurable delay, a failure switch, a rate-limited health check, and
//! the admin endpoints the load test calls.
//!
//! It must never be a benchmark's bottleneck: payments live in memory behind one mutex held
//! for a map operation or a summary's range scan at most, and a request sleeping in its
//! delay costs a timer and a small task, so hundreds can wait at once. Worker threads (one by default) share one
//! ledger, so a payment stored through one is seen through all.

mod args;
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

use ntex::web::App;

use crate::server::{self, Listen, ServerError};

pub use args::ProcessorArgs;

use state::Processor;

/// Runs the processor until SIGTERM or SIGINT, then stops gracefully (requests sleeping in
/// their delay get the shared plumbing's grace to finish).
pub fn run(args: ProcessorArgs) -> Result<(), ServerError> {
    server::block_on("rinha-processor", serve(args))
}

async fn serve(args: ProcessorArgs) -> Result<(), ServerError> {
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
    let listen = Listen::Tcp(SocketAddr::new(args.host, args.port));
    server::serve(&listen, None, args.workers, app).await
}
