use ntex::web::{self, ServiceConfig};

use super::handlers;

/// Every route of the API; `serve` and the tests use this one list.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        web::resource("/clientes/{id}/transacoes").route(web::post().to(handlers::transact)),
    )
    .service(web::resource("/clientes/{id}/extrato").route(web::get().to(handlers::statement)))
    .service(web::resource("/healthz").route(web::get().to(handlers::health)));
}
