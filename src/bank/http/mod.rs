//! The bank's HTTP edge: its routes, handlers and status codes, over the server skeleton
//! both editions share ([`crate::server`]).

mod error;
mod extract;
mod handlers;
mod routes;

use std::time::Duration;

use ntex::web::App;

use crate::bank::domain::Accounts;
use crate::bank::store::Store;
use crate::db::PoolOptions;
use crate::metrics::{self, Metrics};
use crate::server::{self, Settings};

pub use error::ApiError;
pub use routes::configure;

/// How long a request keeps trying a database that refuses connections, unless told: not
/// at all, the bank's clients get their 503 at once.
pub const RECONNECT_FOR: Duration = Duration::ZERO;

/// What every handler of a worker shares.
pub struct AppState {
    pub store: Store,
    pub accounts: Accounts,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the database has no accounts: load sql/bank/ first")]
    NoAccounts,
    #[error(transparent)]
    Serve(#[from] server::ServeError),
}

impl From<server::ServerError> for ServeError {
    fn from(error: server::ServerError) -> Self {
        Self::Serve(error.into())
    }
}

/// Runs one bank instance until SIGTERM or SIGINT, then stops gracefully.
pub fn run(settings: Settings) -> Result<(), ServeError> {
    server::block_on("rinha-bank", serve(settings))
}

async fn serve(settings: Settings) -> Result<(), ServeError> {
    let probe = Store::new(
        settings.database.clone(),
        PoolOptions::single(settings.db_timeout),
    );
    let accounts = server::wait_for_database(&settings, async || probe.accounts().await).await?;
    // Its connection is closed, not kept beside the workers' (max_connections is small).
    drop(probe);
    if accounts.is_empty() {
        return Err(ServeError::NoAccounts);
    }
    let (database, pool) = (settings.database.clone(), settings.pool(RECONNECT_FOR));
    tracing::info!(
        ?pool,
        accounts = accounts.len(),
        "serving the bank (2024/Q1)"
    );
    let mut registry = metrics::registry();
    let metrics = Metrics::register(&mut registry);
    let app = async move || {
        let store = Store::new(database.clone(), pool);
        server::open_connections(store.open()).await;
        let watched = store.clone();
        metrics.pools.watch(move || watched.pool_status());
        App::new()
            .state(AppState {
                store,
                accounts: accounts.clone(),
            })
            .configure(configure(&metrics.http))
    };
    server::instance(&settings, registry, app)?
        .run_until_stopped()
        .await?;
    Ok(())
}
