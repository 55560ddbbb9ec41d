//! What every instance of either edition does at its start: wait for its database, then
//! bind its API, and its metrics where told.

use std::time::Duration;

use ntex::SharedCfg;
use ntex::http::{Request, Response, ResponseError, body::MessageBody};
use ntex::service::{IntoServiceFactory, ServiceFactory};

use super::{Inbox, Server, ServerError, Settings};
use crate::db::StoreError;
use crate::deadline;
use crate::metrics::Registry;

/// How often start-up asks a database that does not answer yet.
const STARTUP_RETRY: Duration = Duration::from_millis(250);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the database did not answer within {0:?}")]
    Database(Duration, #[source] StoreError),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error("cannot make the directory {0}")]
    Directory(std::path::PathBuf, #[source] std::io::Error),
}

/// Asks `probe` until it answers, or the start-up timeout ends.
pub async fn wait_for_database<T>(
    settings: &Settings,
    probe: impl AsyncFn() -> Result<T, StoreError>,
) -> Result<T, ServeError> {
    let mut refused = None;
    let answer = deadline::poll_async(
        settings.startup_timeout,
        STARTUP_RETRY,
        async || match probe().await {
            Ok(answer) => Some(answer),
            Err(e) => {
                tracing::warn!(error = %e, "waiting for the database");
                refused = Some(e);
                None
            }
        },
    )
    .await;
    match (answer, refused) {
        (Some(answer), _) => {
            tracing::info!("database ready");
            Ok(answer)
        }
        (None, Some(e)) => Err(ServeError::Database(settings.startup_timeout, e)),
        (None, None) => unreachable!("the first question is asked before any deadline"),
    }
}

/// Makes a worker's connections before it serves (`open`: its store's), so that its first
/// requests do not each wait for a backend to start. A database that cannot be reached now
/// leaves them to those requests, which try again.
pub async fn open_connections(open: impl Future<Output = Result<(), StoreError>>) {
    if let Err(e) = open.await {
        tracing::warn!(error = %e, "cannot open the worker's connections yet");
    }
}

/// An instance's server: the apps `factory` builds, one per worker, on the settings'
/// address, and `registry`'s metrics on theirs, if any.
pub fn instance<F, I, S, B>(
    settings: &Settings,
    registry: Registry,
    factory: F,
) -> Result<Server, ServerError>
where
    F: AsyncFn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request, SharedCfg>,
    S: ServiceFactory<Request, SharedCfg> + 'static,
    S::Error: ResponseError,
    S::InitError: std::fmt::Debug,
    S::Response: Into<Response<B>>,
    S::Service: 'static,
    B: MessageBody + 'static,
{
    let inbox = match &settings.handoff {
        Some(path) => Some(Inbox::bind(path).map_err(|e| ServerError::Inbox(path.clone(), e))?),
        None => None,
    };
    let server = Server::build(&settings.listen, settings.workers, inbox, factory)?;
    match &settings.metrics_listen {
        Some(listen) => server.serve_metrics(listen, registry),
        None => Ok(server),
    }
}
