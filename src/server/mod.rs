//! The HTTP plumbing both editions share: where an instance listens, the server's tuning,
//! and the run loop that stops gracefully on SIGTERM or SIGINT.
//!
//! Threading model: ntex runs `workers` threads, each with its own single-threaded tokio
//! runtime. The app factory runs once per worker and builds that worker's own connection
//! pool there, so every PostgreSQL connection is driven by the thread that uses it: no
//! cross-thread wake-ups on the hot path. With the contest's fraction of a CPU per
//! instance, one worker is the right default.

mod body;
mod listener;

use ntex::SharedCfg;
use ntex::http::StatusCode;
use ntex::http::header::ALLOW;
use ntex::http::{HttpServiceConfig, Request, Response, ResponseError, body::MessageBody};
use ntex::service::{IntoServiceFactory, ServiceFactory};
use ntex::time::Seconds;
use ntex::web::{HttpRequest, HttpResponse, HttpServer};

pub use body::{BodyError, MAX_BODY, read_body};
pub use listener::{Bound, Listen};

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

/// Serves the apps `factory` builds (once per worker) on `listen` until SIGTERM or SIGINT,
/// then stops gracefully. Logs `listening address=…` once bound: the real port when asked
/// for port 0, which is how the tests and the stack learn it.
pub async fn serve<F, I, S, B>(listen: &Listen, workers: u16, factory: F) -> Result<(), ServerError>
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
    let bound = listen
        .bind()
        .map_err(|e| ServerError::Listen(listen.clone(), e))?;
    let address = bound
        .address()
        .map_err(|e| ServerError::Listen(listen.clone(), e))?;
    let server = HttpServer::new(factory)
        .workers(workers.into())
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE)
        .config(tuning());
    let server = match bound {
        Bound::Tcp(listener) => server.listen(listener),
        Bound::Unix(listener, _) => server.listen_uds(listener),
    }
    .map_err(|e| ServerError::Listen(address.clone(), e))?
    .run();

    tracing::info!(%address, workers, "listening");
    ntex::rt::spawn(stop_on_signal(server.clone()));
    let result = server.await.map_err(ServerError::Server);
    if let Listen::Unix(path) = &address {
        let _ = std::fs::remove_file(path);
    }
    tracing::info!("stopped");
    result
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
