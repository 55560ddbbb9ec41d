//! The HTTP plumbing both editions share: where an instance listens (its API, and its
//! metrics on a listener of their own), the server's tuning, and the run loop that stops
//! gracefully on SIGTERM or SIGINT.
//!
//! Threading model: ntex runs `workers` threads, each with its own single-threaded tokio
//! runtime. The app factory runs once per worker and builds that worker's own connection
//! pool there, so every PostgreSQL connection is driven by the thread that uses it: no
//! cross-thread wake-ups on the hot path. With the contest's fraction of a CPU per
//! instance, one worker is the right default.

mod body;
mod listener;
mod settings;

use std::sync::Arc;

use ntex::SharedCfg;
use ntex::http::StatusCode;
use ntex::http::header::ALLOW;
use ntex::http::{
    HttpService, HttpServiceConfig, Request, Response, ResponseError, body::MessageBody,
};
use ntex::io::Io;
use ntex::server::{Config, ServerBuilder};
use ntex::service::{IntoServiceFactory, ServiceFactory};
use ntex::time::Seconds;
use ntex::web::{self, App, HttpRequest, HttpResponse};

use crate::metrics::Registry;

pub use body::{BodyError, MAX_BODY, read_body};
pub use listener::{Bound, Listen};
pub use settings::Settings;

/// The largest request head (request line and headers) read before refusing the request.
const MAX_HEAD: usize = 16 * 1024;
/// How long in-flight requests get to finish after SIGTERM or SIGINT.
const SHUTDOWN_GRACE: Seconds = Seconds(5);

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {0}")]
    Listen(Listen, #[source] std::io::Error),
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

/// Where an instance serves its metrics (`GET /metrics`), apart from its API.
pub struct MetricsEndpoint {
    pub listen: Listen,
    pub registry: Arc<Registry>,
}

/// Serves the apps `factory` builds (once per worker) on `listen`, and the metrics on their
/// own listener when given, until SIGTERM or SIGINT, then stops gracefully. Logs
/// `listening address=…` once bound: the real port when asked for port 0, which is how the
/// tests and the stack learn it.
pub async fn serve<F, I, S, B>(
    listen: &Listen,
    metrics: Option<MetricsEndpoint>,
    workers: u16,
    factory: F,
) -> Result<(), ServerError>
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
    let server = ntex::server::build()
        .workers(workers.into())
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE);
    let (server, address) = add_listener(server, "api", listen, async move || {
        HttpService::new(factory().await)
    })?;
    let (server, metrics_address) = match metrics {
        Some(MetricsEndpoint { listen, registry }) => {
            let app = async move || {
                App::new()
                    .state(Arc::clone(&registry))
                    .service(web::resource("/metrics").route(web::get().to(crate::metrics::scrape)))
            };
            let (server, address) = add_listener(server, "metrics", &listen, async move || {
                HttpService::new(app().await)
            })?;
            (server, Some(address))
        }
        None => (server, None),
    };
    let server = server.run();

    if let Some(metrics) = &metrics_address {
        tracing::info!(%metrics, "serving metrics at /metrics");
    }
    tracing::info!(%address, workers, "listening");
    ntex::rt::spawn(stop_on_signal(server.clone()));
    let result = server.await.map_err(ServerError::Server);
    for address in [Some(address), metrics_address].into_iter().flatten() {
        if let Listen::Unix(path) = address {
            let _ = std::fs::remove_file(path);
        }
    }
    tracing::info!("stopped");
    result
}

/// Binds `listen` and adds it to `server` with the HTTP service `factory` makes, tuned as
/// [`tuning`] says; returns the address actually bound.
fn add_listener<F, R>(
    server: ServerBuilder,
    name: &str,
    listen: &Listen,
    factory: F,
) -> Result<(ServerBuilder, Listen), ServerError>
where
    F: AsyncFn() -> R + Send + Clone + 'static,
    R: ServiceFactory<Io, SharedCfg> + 'static,
{
    let error = |e| ServerError::Listen(listen.clone(), e);
    let bound = listen.bind().map_err(error)?;
    let address = bound.address().map_err(error)?;
    let factory = async move |config: Config| {
        config.config(tuning());
        factory().await
    };
    let server = match bound {
        Bound::Tcp(listener) => server.listen(name, listener, factory),
        Bound::Unix(listener, _) => server.listen_uds(name, listener, factory),
    }
    .map_err(error)?;
    Ok((server, address))
}

/// A 405 that says, as RFC 9110 asks, which method the path allows.
pub async fn not_allowed(allow: &'static str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .header(ALLOW, allow)
        .finish()
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
