//! The bank's HTTP edge: its routes, handlers and status codes, over the shared server
//! plumbing of [`crate::server`].

mod error;
mod extract;
mod handlers;
mod routes;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ntex::web::App;

use crate::bank::domain::Accounts;
use crate::bank::store::Store;
use crate::db::PoolOptions;
use crate::db::StoreError;
use crate::metrics::{self, Metrics};
use crate::server::{self, MetricsEndpoint, ServerError, Settings};

pub use error::ApiError;
pub use routes::configure;

/// What every handler of a worker shares.
pub struct AppState {
    pub store: Store,
    pub accounts: Accounts,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the database did not answer within {0:?}")]
    Database(Duration, #[source] StoreError),
    #[error("the database has no accounts: load sql/bank/ first")]
    NoAccounts,
    #[error(transparent)]
    Server(#[from] ServerError),
}

/// How long a request keeps trying a database that refuses connections, unless told: not
/// at all, the bank's clients get their 503 at once.
pub const RECONNECT_FOR: Duration = Duration::ZERO;

/// Runs one bank instance until SIGTERM or SIGINT, then stops gracefully.
pub fn run(settings: Settings) -> Result<(), ServeError> {
    server::block_on("rinha-bank", serve(settings))
}

async fn serve(args: Settings) -> Result<(), ServeError> {
    let accounts = wait_for_accounts(&args).await?;
    let (database, pool) = (args.database.clone(), args.pool(RECONNECT_FOR));
    tracing::info!(?pool, "serving the bank (2024/Q1)");
    let mut registry = metrics::registry();
    let metrics = Metrics::register(&mut registry);
    let endpoint = args.metrics_listen.map(|listen| MetricsEndpoint {
        listen,
        registry: Arc::new(registry),
    });
    let app = async move || {
        let store = Store::new(database.clone(), pool);
        let watched = store.clone();
        metrics.pools.watch(move || watched.pool_status());
        App::new()
            .state(AppState {
                store,
                accounts: accounts.clone(),
            })
            .configure(configure(&metrics.http))
    };
    server::serve(&args.listen, endpoint, args.workers, app).await?;
    Ok(())
}

/// Reads the accounts, retrying until the database answers or the start-up timeout ends.
async fn wait_for_accounts(args: &Settings) -> Result<Accounts, ServeError> {
    let store = Store::new(args.database.clone(), PoolOptions::single(args.db_timeout));
    let deadline = Instant::now() + args.startup_timeout;
    loop {
        match store.accounts().await {
            Ok(accounts) if accounts.is_empty() => return Err(ServeError::NoAccounts),
            Ok(accounts) => {
                tracing::info!(accounts = accounts.len(), "database ready");
                return Ok(accounts);
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
