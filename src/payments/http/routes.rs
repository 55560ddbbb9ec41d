use ntex::web::{self, ServiceConfig};

use super::handlers;
use crate::metrics::HttpMetrics;
use crate::server;

/// Every route of the 2025 API, each measured under its pattern; `serve` and the tests use
/// this one list. Any other method on a known path is a 405 that says which method is
/// allowed.
pub fn configure(metrics: &HttpMetrics) -> impl FnOnce(&mut ServiceConfig) {
    let resource = |path| web::resource(path).middleware(metrics.route(path));
    let (pay, summary, purge, health) = (
        resource("/payments"),
        resource("/payments-summary"),
        resource("/purge-payments"),
        resource("/healthz"),
    );
    move |cfg| {
        cfg.service(
            pay.route(web::post().to(handlers::pay))
                .default_service(web::route().to(|| server::not_allowed("POST"))),
        )
        .service(
            summary
                .route(web::get().to(handlers::summary))
                .default_service(web::route().to(|| server::not_allowed("GET"))),
        )
        .service(
            purge
                .route(web::post().to(handlers::purge))
                .default_service(web::route().to(|| server::not_allowed("POST"))),
        )
        .service(
            health
                .route(web::get().to(handlers::health))
                .default_service(web::route().to(|| server::not_allowed("GET"))),
        );
    }
}
