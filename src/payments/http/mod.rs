//! The 2025 HTTP edge: its routes, handlers and status codes, over the server skeleton both
//! editions share ([`crate::server`]). Each worker writes its own journal and answers; its
//! store and its dispatcher are on its paying thread ([`PayingThread`]).

mod error;
mod handlers;
mod routes;

use std::time::Duration;

use ntex::web::App;

use crate::db::PoolOptions;
use crate::metrics::{self, Metrics};
use crate::payments::dispatch::{self, PayingThread, PaymentMetrics};
use crate::payments::journal::Journal;
use crate::payments::store::Store;
use crate::server::{self, ServeError};

pub use error::ApiError;
pub use routes::configure;

/// What every handler of a worker shares.
pub struct AppState {
    pub paying: PayingThread,
    /// Where payments are written before their 202, if anywhere.
    pub journal: Option<Journal>,
}

/// What a 2025 instance is told: the server's settings and its dispatcher's.
#[derive(Debug, Clone)]
pub struct Settings {
    pub server: server::Settings,
    pub dispatch: dispatch::Settings,
}

/// How long a request keeps trying a database that refuses connections, unless told: 1 s,
/// since a client waits 1.5 s for a `POST /payments` that it may send again (a payment
/// names itself).
pub const RECONNECT_FOR: Duration = Duration::from_secs(1);

/// Runs one 2025 instance until SIGTERM or SIGINT, then stops gracefully.
pub fn run(settings: Settings) -> Result<(), ServeError> {
    server::block_on("rinha-payments", serve(settings))
}

async fn serve(settings: Settings) -> Result<(), ServeError> {
    let Settings {
        server: settings,
        dispatch: paying_settings,
    } = settings;
    let probe = Store::new(
        settings.database.clone(),
        PoolOptions::single(settings.db_timeout),
    );
    if let Some(dir) = &paying_settings.journal {
        std::fs::create_dir_all(dir).map_err(|e| ServeError::Directory(dir.clone(), e))?;
    }
    server::wait_for_database(&settings, async || probe.ping().await).await?;
    // Its connection is closed, not kept beside the workers' (max_connections is small).
    drop(probe);
    let pool = settings.pool(RECONNECT_FOR);
    let database_url = settings.database.clone();
    tracing::info!(
        ?pool,
        default = %paying_settings.processor_default,
        fallback = %paying_settings.processor_fallback,
        fees = ?paying_settings.fees,
        journal = ?paying_settings.journal,
        "serving the payment intermediary (2025)"
    );
    let mut registry = metrics::registry();
    let metrics = Metrics::register(&mut registry);
    let payment_metrics = PaymentMetrics::register(&mut registry);
    let app = async move || {
        let store = Store::new(database_url.clone(), pool);
        let (accepts, rest) = (store.clone(), store.clone());
        metrics.pools.watch(move || accepts.accepts_status());
        metrics.pools.watch(move || rest.pool_status());
        let journal = paying_settings.journal.as_deref().map(Journal::new);
        let paying = PayingThread::start(store, paying_settings.clone(), payment_metrics.clone())
            .await
            .expect("cannot start the worker's paying thread");
        App::new()
            .state(AppState { paying, journal })
            .configure(configure(&metrics.http))
    };
    server::instance(&settings, registry, app)?
        .run_until_stopped()
        .await?;
    Ok(())
}
