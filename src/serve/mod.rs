//! `rinha serve`: one API instance.
//!
//! Threading model: ntex runs `workers` threads, each with its own single-threaded tokio
//! runtime. The app factory runs once per worker and builds that worker's own connection
//! pool there, so every PostgreSQL connection is driven by the thread that uses it: no
//! cross-thread wake-ups on the hot path. With the contest's fraction of a CPU per
//! instance, one worker is the right default.

mod error;
mod extract;
mod handlers;
mod listener;
mod routes;

use std::time::{Duration, Instant};

use ntex::SharedCfg;
use ntex::http::HttpServiceConfig;
use ntex::time::Seconds;
use ntex::web::{App, HttpServer};

use crate::cli::ServeArgs;
use crate::domain::Accounts;
use crate::store::{Store, StoreError};

pub use error::ApiError;
pub use listener::Listen;
pub use routes::configure;

use listener::Bound;

/// The largest request head (request line and headers) read before refusing the request.
const MAX_HEAD: usize = 16 * 1024;
/// How long in-flight requests get to finish after SIGTERM or SIGINT.
const SHUTDOWN_GRACE: Seconds = Seconds(5);

/// What every handler of a worker shares.
pub struct AppState {
    pub store: Store,
    pub accounts: Accounts,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the database did not answer within {0:?}")]
    Database(Duration, #[source] StoreError),
    #[error("the database has no accounts: load sql/ first")]
    NoAccounts,
    #[error("cannot listen on {0}")]
    Listen(Listen, #[source] std::io::Error),
    #[error("the HTTP server failed")]
    Server(#[source] std::io::Error),
}

/// Runs one instance until SIGTERM or SIGINT, then stops gracefully.
pub fn run(args: ServeArgs) -> Result<(), ServeError> {
    ntex::rt::System::build()
        .name("rinha-serve")
        .build(ntex::rt::DefaultRuntime)
        .block_on(serve(args))
}

async fn serve(args: ServeArgs) -> Result<(), ServeError> {
    let accounts = wait_for_accounts(&args).await?;
    let bound = args
        .listen
        .bind()
        .map_err(|e| ServeError::Listen(args.listen.clone(), e))?;
    let address = bound
        .address()
        .map_err(|e| ServeError::Listen(args.listen.clone(), e))?;

    let (database, pool_size, db_timeout) = (args.database_url, args.pool_size, args.db_timeout);
    let app = async move || {
        App::new()
            .state(AppState {
                store: Store::new(database.clone(), pool_size.into(), db_timeout),
                accounts: accounts.clone(),
            })
            .configure(configure)
    };
    let server = HttpServer::new(app)
        .workers(args.workers.into())
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE)
        .config(tuning());
    let server = match bound {
        Bound::Tcp(listener) => server.listen(listener),
        Bound::Unix(listener, _) => server.listen_uds(listener),
    }
    .map_err(|e| ServeError::Listen(address.clone(), e))?
    .run();

    tracing::info!(%address, workers = args.workers, pool_size = args.pool_size, "listening");
    ntex::rt::spawn(stop_on_signal(server.clone()));
    let result = server.await.map_err(ServeError::Server);
    if let Listen::Unix(path) = &address {
        let _ = std::fs::remove_file(path);
    }
    tracing::info!("stopped");
    result
}

/// HTTP settings, in one place. A request head has 2 s to arrive, extended by 2 s each time
/// another 256 bytes come in, 5 s at most; a body likewise: a client that trickles bytes
/// (slowloris) is cut off instead of holding a worker's connection slot. Idle keep-alive
/// connections last longer than NGINX's (60 s), so NGINX closes them first and never
/// reuses one this side is closing.
fn tuning() -> SharedCfg {
    SharedCfg::new("rinha")
        .add(
            HttpServiceConfig::new()
                .set_keepalive_timeout(Seconds(75))
                .set_headers_read_rate(Seconds(2), Seconds(5), 256)
                .set_payload_read_rate(Seconds(2), Seconds(5), 256)
                .set_max_headers(32)
                .set_max_buf_size(MAX_HEAD),
        )
        .into()
}

/// Reads the accounts, retrying until the database answers or the start-up timeout ends.
async fn wait_for_accounts(args: &ServeArgs) -> Result<Accounts, ServeError> {
    let store = Store::new(args.database_url.clone(), 1, args.db_timeout);
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

/// Stops the server gracefully on the first SIGTERM or SIGINT.
async fn stop_on_signal(server: ntex::server::Server) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers; stop with SIGKILL");
        return;
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    tracing::info!(signal = name, "stopping gracefully");
    server.stop(true).await;
}
