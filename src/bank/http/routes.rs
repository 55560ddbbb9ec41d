use ntex::web::{self, ServiceConfig};

use super::handlers;
use crate::metrics::HttpMetrics;
use crate::server;

/// Every route of the API, each measured under its pattern; `serve` and the tests use this
/// one list. Any other method on a known path is a 405 that says, as RFC 9110 asks, which
/// method is allowed.
pub fn configure(metrics: &HttpMetrics) -> impl FnOnce(&mut ServiceConfig) {
    let resource = |path| web::resource(path).middleware(metrics.route(path));
    let (transact, statement, health) = (
        resource("/clientes/{id}/transacoes"),
        resource("/clientes/{id}/extrato"),
        resource("/healthz"),
    );
    move |cfg| {
        cfg.service(
            transact
                .route(web::post().to(handlers::transact))
                .default_service(web::route().to(|| server::not_allowed("POST"))),
        )
        .service(
            statement
                .route(web::get().to(handlers::statement))
                .default_service(web::route().to(|| server::not_allowed("GET"))),
        )
        .service(
            health
                .route(web::get().to(handlers::health))
                .default_service(web::route().to(|| server::not_allowed("GET"))),
        );
    }
}
