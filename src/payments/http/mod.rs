//! The 2025 HTTP edge: its routes, handlers and status codes, over the shared server
//! plumbing of [`crate::server`]. Each worker owns its store and its dispatcher.

mod error;
mod handlers;
mod routes;

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ntex::web::App;

use crate::db::{PoolOptions, StoreError};
use crate::metrics::{self, Metrics};
use crate::payments::pay::{self, Dispatcher, PaymentMetrics};
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
}

/// What a 2025 instance is told: the server's settings and its dispatcher's.
#[derive(Debug, Clone)]
pub struct Settings {
    pub server: server::Settings,
    pub dispatch: pay::Settings,
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
        server: args,
        dispatch: paying_settings,
    } = settings;
    wait_for_database(&args).await?;
    let pool = args.pool(RECONNECT_FOR);
    let database_url = args.database.clone();
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
async fn wait_for_database(args: &server::Settings) -> Result<(), ServeError> {
    let store = Store::new(args.database.clone(), PoolOptions::single(args.db_timeout));
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
