//! What an instance tells about itself at `GET /metrics` (its own listener, `--metrics-listen`),
//! in the Prometheus/OpenMetrics text format of the `prometheus-client` crate.
//!
//! Both editions:
//! - `rinha_http_requests_total{route,status}`: answers, by route pattern and status;
//! - `rinha_http_request_duration_seconds{route}`: how long each took, as a histogram;
//! - `rinha_db_pool_size`, `rinha_db_pool_in_use`, `rinha_db_pool_waiting`: the PostgreSQL
//!   pools, read when scraped.
//!
//! Edition 2025 adds the dispatcher's own (see `payments::dispatch::metrics`).
//!
//! Every metric is an atomic shared by the workers; a request pays for two atomic updates
//! and a histogram observation, with its handles resolved before it arrives.

mod http;
mod pool;

use std::sync::Arc;

use ntex::http::header::{CONTENT_TYPE, HeaderValue};
use ntex::web::HttpResponse;
use ntex::web::types::State;
use prometheus_client::encoding::text::encode;
pub use prometheus_client::registry::Registry;

pub use http::{HttpMetrics, LATENCY_BUCKETS, Measured};
pub use pool::DbPools;

/// Every metric name starts with this and an underscore.
const PREFIX: &str = "rinha";

const OPENMETRICS: HeaderValue =
    HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");

/// A registry for one instance's metrics: `rinha_` before every name.
pub fn registry() -> Registry {
    Registry::with_prefix(PREFIX)
}

/// What both editions measure.
#[derive(Clone)]
pub struct Metrics {
    pub http: HttpMetrics,
    pub pools: DbPools,
}

impl Metrics {
    pub fn register(registry: &mut Registry) -> Self {
        Self {
            http: HttpMetrics::register(registry),
            pools: DbPools::register(registry),
        }
    }
}

/// `GET /metrics`: every metric of the registry, as they are now.
pub async fn scrape(registry: State<Arc<Registry>>) -> HttpResponse {
    let mut text = String::with_capacity(8 * 1024);
    match encode(&mut text, &registry) {
        Ok(()) => HttpResponse::Ok()
            .header(CONTENT_TYPE, OPENMETRICS)
            .body(text),
        Err(e) => {
            tracing::error!(error = %e, "cannot encode the metrics");
            HttpResponse::InternalServerError().finish()
        }
    }
}
