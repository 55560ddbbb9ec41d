//! The 2025 HTTP edge: its routes, handlers and status codes, over the shared server
//! plumbing of [`crate::server`]. Each worker owns its store and its dispatcher.

mod error;
mod handlers;
mod routes;

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ntex::web::App;

use crate::cli::ServeArgs;
use crate::db::{PoolOptions, StoreError};
use crate::metrics::{self, Metrics};
use crate::payments::dispatch::{Dispatcher, PaymentMetrics};
use crate::payments::domain::InvalidFees;
use crate::payments::store::Store;
use crate::server::{self, MetricsEndpoint, ServerError};

pub use error::ApiError;
pub use routes::configure;

/// What every handler of a worker shares.
pub struct AppState {
    pub store: Store,
    pub dispatcher: Rc<Dispatcher>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the database did not answer within {0:?}")]
    Database(Duration, #[source] StoreError),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Fees(#[from] InvalidFees),
}

/// Runs one 2025 instance until SIGTERM or SIGINT, then stops gracefully.
pub fn run(args: ServeArgs) -> Result<(), ServeError> {
    server::block_on("rinha-payments", serve(args))
}

async fn serve(args: ServeArgs) -> Result<(), ServeError> {
    let paying_settings = args.payments.settings()?;
    wait_for_database(&args).await?;
    let pool = args.pool();
    let database_url = args.database_url.clone();
    tracing::info!(
        ?pool,
        default = %paying_settings.processor_default,
        fallback = %paying_settings.processor_fallback,
        fees = ?paying_settings.fees,
        "serving the payment intermediary (2025)"
    );
    let mut registry = metrics::registry();
    let metrics = Metrics::register(&mut registry);
    let paying = PaymentMetrics::register(&mut registry);
    let endpoint = args.metrics_listen.map(|listen| MetricsEndpoint {
        listen,
        registry: Arc::new(registry),
    });
    let app = async move || {
        let store = Store::new(database_url.clone(), pool);
        let watched = store.clone();
        metrics.pools.watch(move || watched.pool_status());
        let dispatcher = Dispatcher::new(store.clone(), &paying_settings, paying.clone());
        ntex::rt::spawn(Rc::clone(&dispatcher).run());
        App::new()
            .state(AppState { store, dispatcher })
            .configure(configure(&metrics.http))
    };
    server::serve(&args.listen, endpoint, args.workers, app).await?;
    Ok(())
}

/// Waits until the database answers, or the start-up timeout ends.
async fn wait_for_database(args: &ServeArgs) -> Result<(), ServeError> {
    let store = Store::new(
        args.database_url.clone(),
        PoolOptions::single(args.db_timeout),
    );
    let deadline = Instant::now() + args.startup_timeout;
    loop {
        match store.ping().await {
            Ok(()) => {
                tracing::info!("database ready");
                return Ok(());
            }
            Err(e) if Instant::now() >= deadline => {
                return Err(ServeError::Database(args.startup_timeout, e));
            }
            Err(e) => {
                tracing::warn!(error = %e, "waiting for the database");
                ntex::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
}
