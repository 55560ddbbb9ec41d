//! Requests by route and status, and how long they took: a middleware on each resource,
//! which knows its route pattern from the start, so no request looks its labels up by text.

use std::cell::RefCell;
use std::time::Instant;

use ntex::service::{Middleware, Service, ServiceCtx};
use ntex::web::{WebRequest, WebResponse};
use ntex::{SharedCfg, forward_poll, forward_ready, forward_shutdown};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The histogram's upper bounds, in seconds: 100 µs to 10 s, finer below 10 ms, where the
/// contest's p99 lies, so that a quantile read from them is within a quarter millisecond.
pub const LATENCY_BUCKETS: [f64; 22] = [
    0.0001, 0.0002, 0.0003, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005,
    0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The HTTP families, shared by every worker.
#[derive(Clone)]
pub struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl HttpMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = Self {
            requests: Family::default(),
            durations: Family::new_with_constructor(latency_histogram),
        };
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern and status",
            metrics.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "How long the instance took to answer, by route pattern",
            metrics.durations.clone(),
        );
        metrics
    }

    /// The middleware measuring the resource of `route` (its pattern, as
    /// `/clientes/{id}/transacoes`). Its latency series exists from now on, empty.
    pub fn route(&self, route: &'static str) -> Measured {
        Measured {
            route,
            requests: self.requests.clone(),
            duration: self.durations.get_or_create_owned(&RouteLabels { route }),
        }
    }
}

/// Measures one resource: see [`HttpMetrics::route`].
pub struct Measured {
    route: &'static str,
    requests: Family<RequestLabels, Counter>,
    duration: Histogram,
}

impl<S> Middleware<S, SharedCfg> for Measured {
    type Service = MeasuredService<S>;

    fn create(&self, service: S, _: SharedCfg) -> Self::Service {
        MeasuredService {
            service,
            route: self.route,
            requests: self.requests.clone(),
            duration: self.duration.clone(),
            by_status: RefCell::new(Vec::new()),
        }
    }
}

pub struct MeasuredService<S> {
    service: S,
    route: &'static str,
    requests: Family<RequestLabels, Counter>,
    duration: Histogram,
    /// This worker's counters of the statuses seen so far: a resource answers with a
    /// handful, so a scan beats hashing the labels into the family on every request.
    by_status: RefCell<Vec<(u16, Counter)>>,
}

impl<S> MeasuredService<S> {
    fn count(&self, status: u16) {
        let mut by_status = self.by_status.borrow_mut();
        if let Some((_, counter)) = by_status.iter().find(|(s, _)| *s == status) {
            counter.inc();
            return;
        }
        let labels = RequestLabels {
            route: self.route,
            status,
        };
        let counter = self.requests.get_or_create_owned(&labels);
        counter.inc();
        by_status.push((status, counter));
    }
}

impl<S, E> Service<WebRequest<E>> for MeasuredService<S>
where
    S: Service<WebRequest<E>, Response = WebResponse>,
{
    type Response = WebResponse;
    type Error = S::Error;

    forward_poll!(service);
    forward_ready!(service);
    forward_shutdown!(service);

    async fn call(
        &self,
        req: WebRequest<E>,
        ctx: ServiceCtx<'_, Self>,
    ) -> Result<WebResponse, S::Error> {
        let started = Instant::now();
        let result = ctx.call(&self.service, req).await;
        self.duration.observe(started.elapsed().as_secs_f64());
        // Handlers turn their errors into responses; an error that still gets here is
        // answered as a 500 by the server.
        let status = result.as_ref().map_or(500, |res| res.status().as_u16());
        self.count(status);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::text::encode;

    #[test]
    fn counters_and_histograms_are_named_and_labelled_as_the_report_reads_them() {
        let mut registry = crate::metrics::registry();
        let http = HttpMetrics::register(&mut registry);
        let measured = http.route("/clientes/{id}/transacoes");
        let service = measured.create((), SharedCfg::default());
        service.count(200);
        service.count(200);
        service.count(422);
        service.duration.observe(0.0003);

        let mut text = String::new();
        encode(&mut text, &registry).unwrap();

        for line in [
            r#"rinha_http_requests_total{route="/clientes/{id}/transacoes",status="200"} 2"#,
            r#"rinha_http_requests_total{route="/clientes/{id}/transacoes",status="422"} 1"#,
            r#"rinha_http_request_duration_seconds_count{route="/clientes/{id}/transacoes"} 1"#,
            r#"rinha_http_request_duration_seconds_bucket{le="0.0005",route="/clientes/{id}/transacoes"} 1"#,
            r#"rinha_http_request_duration_seconds_bucket{le="0.0002",route="/clientes/{id}/transacoes"} 0"#,
        ] {
            assert!(text.lines().any(|l| l == line), "no {line} in\n{text}");
        }
    }
}
