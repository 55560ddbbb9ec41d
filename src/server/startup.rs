//! The HTTP server, built apart from its running: [`Server::build`] binds its listeners and
//! hands back the addresses bound, [`Server::run_until_stopped`] serves until SIGTERM or
//! SIGINT, then stops gracefully.

use std::sync::Arc;

use ntex::SharedCfg;
use ntex::http::{
    HttpService, HttpServiceConfig, KeepAlive, Request, Response, ResponseError, body::MessageBody,
};
use ntex::io::Io;
use ntex::server::{Config, ServerBuilder};
use ntex::service::{IntoServiceFactory, ServiceFactory};
use ntex::time::Seconds;
use ntex::web::{self, App};

use super::handoff::{self, Inbox};
use super::{Bound, Listen, ServerError};
use crate::metrics::Registry;

/// The largest request head (request line and headers) read before refusing the request.
const MAX_HEAD: usize = 16 * 1024;
/// How long in-flight requests get to finish after SIGTERM or SIGINT.
const SHUTDOWN_GRACE: Seconds = Seconds(5);

/// A server whose listeners are bound, not yet serving.
pub struct Server {
    builder: ServerBuilder,
    address: Listen,
    metrics: Option<Listen>,
    workers: u16,
}

impl Server {
    /// Binds `listen` for the apps `factory` builds, once per worker; each worker also serves
    /// the connections handed to `inbox`, if any.
    pub fn build<F, I, S, B>(
        listen: &Listen,
        workers: u16,
        inbox: Option<Inbox>,
        factory: F,
    ) -> Result<Self, ServerError>
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
        let builder = ntex::server::build()
            .workers(workers.into())
            .disable_signals()
            .shutdown_timeout(SHUTDOWN_GRACE);
        let (builder, address) = add_listener(builder, "api", listen, async move || {
            handoff::with_inbox(HttpService::new(factory().await), inbox.clone())
        })?;
        Ok(Self {
            builder,
            address,
            metrics: None,
            workers,
        })
    }

    /// Also serves `GET /metrics` from `registry` on `listen`, apart from the API.
    pub fn serve_metrics(self, listen: &Listen, registry: Registry) -> Result<Self, ServerError> {
        let registry = Arc::new(registry);
        let app = async move || {
            App::new()
                .state(Arc::clone(&registry))
                .service(web::resource("/metrics").route(web::get().to(crate::metrics::scrape)))
        };
        let (builder, address) = add_listener(self.builder, "metrics", listen, async move || {
            HttpService::new(app().await)
        })?;
        Ok(Self {
            builder,
            metrics: Some(address),
            ..self
        })
    }

    /// The API's address as bound: the real port when asked for port 0.
    pub fn address(&self) -> &Listen {
        &self.address
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully and removes its Unix sockets.
    /// Logs `listening address=…` once serving: how the stack and the tests that start the
    /// binary learn the port.
    pub async fn run_until_stopped(self) -> Result<(), ServerError> {
        let server = self.builder.run();
        if let Some(metrics) = &self.metrics {
            tracing::info!(%metrics, "serving metrics at /metrics");
        }
        let (address, workers) = (&self.address, self.workers);
        tracing::info!(%address, workers, "listening");
        ntex::rt::spawn(stop_on_signal(server.clone()));
        let result = server.await.map_err(ServerError::Server);
        for address in [Some(self.address), self.metrics].into_iter().flatten() {
            if let Listen::Unix(path) = address {
                let _ = std::fs::remove_file(path);
            }
        }
        tracing::info!("stopped");
        result
    }
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

/// HTTP settings, in one place. A request head has 2 s to arrive, extended by 2 s each time
/// another 256 bytes come in, 5 s at most; a body likewise: a client that trickles bytes
/// (slowloris) is cut off instead of holding a worker's connection slot. Idle keep-alive
/// connections have no timeout on this side: NGINX closes its own after 60 s, and a client
/// whose connection was handed over (`rinha balance`) keeps it until it closes it. A
/// timeout here would be set again after every request, and each time start ntex's coarse
/// clock, which a thread of its own ticks 5 ms later by waking the worker: about one more
/// context switch per request (docs/performance.md, "Wake-ups per payment").
fn tuning() -> SharedCfg {
    SharedCfg::new("rinha")
        .add(
            HttpServiceConfig::new()
                .set_keepalive(KeepAlive::Os)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_asked_for_port_0_hands_back_the_port_it_bound() {
        let address = crate::server::block_on("test", async {
            let listen = "127.0.0.1:0".parse().unwrap();
            let server = Server::build(&listen, 1, None, async || App::new()).unwrap();
            server.address().clone()
        });
        match address {
            Listen::Tcp(address) => assert_ne!(address.port(), 0),
            other => panic!("{other}"),
        }
    }
}
