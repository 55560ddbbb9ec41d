use ntex::web::{self, ServiceConfig};

use super::handlers;
use crate::server;

/// Every route of the API; `serve` and the tests use this one list. Any other method on a
/// known path is a 405 that says, as RFC 9110 asks, which method is allowed.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        web::resource("/clientes/{id}/transacoes")
            .route(web::post().to(handlers::transact))
            .default_service(web::route().to(|| server::not_allowed("POST"))),
    )
    .service(
        web::resource("/clientes/{id}/extrato")
            .route(web::get().to(handlers::statement))
            .default_service(web::route().to(|| server::not_allowed("GET"))),
    )
    .service(
        web::resource("/healthz")
            .route(web::get().to(handlers::health))
            .default_service(web::route().to(|| server::not_allowed("GET"))),
    );
}
