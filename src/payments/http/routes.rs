use ntex::web::{self, ServiceConfig};

use super::handlers;
use crate::server;

/// Every route of the 2025 API; `serve` and the tests use this one list. Any other method
/// on a known path is a 405 that says which method is allowed.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        web::resource("/payments")
            .route(web::post().to(handlers::pay))
            .default_service(web::route().to(|| server::not_allowed("POST"))),
    )
    .service(
        web::resource("/payments-summary")
            .route(web::get().to(handlers::summary))
            .default_service(web::route().to(|| server::not_allowed("GET"))),
    )
    .service(
        web::resource("/purge-payments")
            .route(web::post().to(handlers::purge))
            .default_service(web::route().to(|| server::not_allowed("POST"))),
    )
    .service(
        web::resource("/healthz")
            .route(web::get().to(handlers::health))
            .default_service(web::route().to(|| server::not_allowed("GET"))),
    );
}
