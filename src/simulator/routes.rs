//! Every route of the processor, as the official one exposes them.

use ntex::web::{self, ServiceConfig};

use super::handlers;

/// The health check is listed before `/payments/{id}`, which would match its path too.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route("/payments", web::post().to(handlers::pay))
        .route("/payments/service-health", web::get().to(handlers::health))
        .route("/payments/{id}", web::get().to(handlers::payment))
        .route("/admin/payments-summary", web::get().to(handlers::summary))
        .route(
            "/admin/configurations/delay",
            web::put().to(handlers::set_delay),
        )
        .route(
            "/admin/configurations/failure",
            web::put().to(handlers::set_failure),
        )
        .route(
            "/admin/configurations/token",
            web::put().to(handlers::set_token),
        )
        .route("/admin/purge-payments", web::post().to(handlers::purge));
}
