use ntex::http::Method;
use ntex::web::{self, ServiceConfig};

use super::handlers;
use crate::metrics::HttpMetrics;
use crate::server;

/// Every route of the API, as [`server::routes`] wires them.
pub fn configure(metrics: &HttpMetrics) -> impl FnOnce(&mut ServiceConfig) {
    server::routes(
        metrics,
        [
            (
                "/clientes/{id}/transacoes",
                Method::POST,
                web::route().to(handlers::transact),
            ),
            (
                "/clientes/{id}/extrato",
                Method::GET,
                web::route().to(handlers::statement),
            ),
            ("/healthz", Method::GET, web::route().to(handlers::health)),
        ],
    )
}
