use ntex::http::header::ALLOW;
use ntex::web::{self, HttpResponse, ServiceConfig};

use super::handlers;

/// Every route of the API; `serve` and the tests use this one list. Any other method on a
/// known path is a 405 that says, as RFC 9110 asks, which method is allowed.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        web::resource("/clientes/{id}/transacoes")
            .route(web::post().to(handlers::transact))
            .default_service(web::route().to(|| not_allowed("POST"))),
    )
    .service(
        web::resource("/clientes/{id}/extrato")
            .route(web::get().to(handlers::statement))
            .default_service(web::route().to(|| not_allowed("GET"))),
    )
    .service(
        web::resource("/healthz")
            .route(web::get().to(handlers::health))
            .default_service(web::route().to(|| not_allowed("GET"))),
    );
}

async fn not_allowed(allow: &'static str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .header(ALLOW, allow)
        .finish()
}
