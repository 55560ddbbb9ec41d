//! An edition's routes, wired the one way both editions want them.

use ntex::http::Method;
use ntex::http::header::ALLOW;
use ntex::web::{self, HttpResponse, Route, ServiceConfig};

use crate::metrics::HttpMetrics;

/// Every route of an API, each `(pattern, method, route)` measured under its pattern; the
/// edition's `serve` and its tests use this one list. Any other method on a known path is
/// a 405 that says, as RFC 9110 asks, which method is allowed.
pub fn routes<const N: usize>(
    metrics: &HttpMetrics,
    routes: [(&'static str, Method, Route); N],
) -> impl FnOnce(&mut ServiceConfig) + use<N> {
    let resources = routes.map(|(path, method, route)| {
        web::resource(path)
            .middleware(metrics.route(path))
            .route(route.method(method.clone()))
            .default_service(web::route().to(move || not_allowed(method.clone())))
    });
    move |cfg| {
        for resource in resources {
            cfg.service(resource);
        }
    }
}

/// A 405 that names the method the path allows.
async fn not_allowed(allow: Method) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .header(ALLOW, allow.as_str())
        .finish()
}
