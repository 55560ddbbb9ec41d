use ntex::http::Method;
use ntex::web::{self, ServiceConfig};

use super::handlers;
use crate::metrics::HttpMetrics;
use crate::server;

/// Every route of the 2025 API, as [`server::routes`] wires them.
pub fn configure(metrics: &HttpMetrics) -> impl FnOnce(&mut ServiceConfig) {
    server::routes(
        metrics,
        [
            ("/payments", Method::POST, web::route().to(handlers::pay)),
            (
                "/payments-summary",
                Method::GET,
                web::route().to(handlers::summary),
            ),
            (
                "/purge-payments",
                Method::POST,
                web::route().to(handlers::purge),
            ),
            ("/healthz", Method::GET, web::route().to(handlers::health)),
        ],
    )
}
