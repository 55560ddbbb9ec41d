//! Talking to the two payment processors over HTTP.

use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde::Deserialize;

use crate::payments::domain::{Answer, Attempt, Processor};

/// A processor's health, as `GET /payments/service-health` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthAnswer {
    pub failing: bool,
    pub min_response_time: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("the health call failed")]
    Http(#[from] reqwest::Error),
    #[error("the health call answered {0}")]
    Status(StatusCode),
    #[error("the health answer is not JSON of the expected shape")]
    Json(#[from] simd_json::Error),
}

#[derive(Deserialize)]
struct HealthWire {
    failing: bool,
    #[serde(rename = "minResponseTime")]
    min_response_time: u64,
}

/// One processor's endpoints, built from its base URL once rather than parsed at each call.
struct Endpoints {
    payments: Url,
    health: Url,
}

impl Endpoints {
    fn of(base: &Url) -> Self {
        let at = |path: &str| {
            let mut url = base.clone();
            url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
            url
        };
        Self {
            payments: at("/payments"),
            health: at("/payments/service-health"),
        }
    }
}

/// The processors' endpoints and one HTTP client (with its pool of kept-alive connections).
pub struct Processors {
    http: reqwest::Client,
    endpoints: [Endpoints; 2],
    timeout: Duration,
}

impl Processors {
    /// `default` and `fallback` are base URLs such as `http://127.0.0.1:8001`; `timeout`
    /// bounds a payment's send. The processors are reached at those URLs and nowhere else:
    /// `HTTP_PROXY`, `ALL_PROXY` and the like are ignored, since a proxy that cannot be
    /// reached would look like a processor that refuses, and one that times out like a
    /// processor that gave no answer.
    pub fn new(default: &Url, fallback: &Url, timeout: Duration) -> Self {
        Self {
            http: reqwest::Client::builder()
                .no_proxy()
                .pool_idle_timeout(Duration::from_secs(30))
                .tcp_nodelay(true)
                .build()
                .expect("an HTTP client without TLS always builds"),
            endpoints: [Endpoints::of(default), Endpoints::of(fallback)],
            timeout,
        }
    }

    fn endpoints(&self, processor: Processor) -> &Endpoints {
        &self.endpoints[processor.index()]
    }

    /// Sends one attempt: the same body every time it is sent.
    pub async fn send(&self, attempt: &Attempt) -> Answer {
        let body = format!(
            r#"{{"correlationId":"{}","amount":{},"requestedAt":"{}"}}"#,
            attempt.id, attempt.amount, attempt.requested_at
        );
        let sent = self
            .http
            .post(self.endpoints(attempt.processor).payments.clone())
            .header("content-type", "application/json")
            .body(body)
            .timeout(self.timeout)
            .send()
            .await;
        match sent {
            Ok(response) => match response.status() {
                StatusCode::OK => Answer::Stored,
                StatusCode::UNPROCESSABLE_ENTITY => Answer::Duplicate,
                StatusCode::INTERNAL_SERVER_ERROR => Answer::Refused,
                other => Answer::Unknown(Some(other.as_u16())),
            },
            Err(e) if e.is_connect() => Answer::Refused,
            Err(_) => Answer::Unknown(None),
        }
    }

    /// Whether the attempt's processor has stored it, from `GET /payments/{id}`, which no
    /// delay or failure flag holds back. `None` when the processor could not tell.
    pub async fn lookup(&self, attempt: &Attempt) -> Option<bool> {
        let mut url = self.endpoints(attempt.processor).payments.clone();
        url.set_path(&format!("{}/{}", url.path(), attempt.id));
        let response = self.http.get(url).timeout(self.timeout).send().await.ok()?;
        match response.status() {
            StatusCode::OK => Some(true),
            StatusCode::NOT_FOUND => Some(false),
            _ => None,
        }
    }

    /// Asks a processor for its health, waiting up to `wait` (the processor may queue the
    /// call until its next window).
    pub async fn health(
        &self,
        processor: Processor,
        wait: Duration,
    ) -> Result<HealthAnswer, HealthError> {
        let response = self
            .http
            .get(self.endpoints(processor).health.clone())
            .timeout(wait)
            .send()
            .await?;
        if response.status() != StatusCode::OK {
            return Err(HealthError::Status(response.status()));
        }
        let mut body = response.bytes().await?.to_vec();
        let wire: HealthWire = simd_json::serde::from_slice(&mut body)?;
        Ok(HealthAnswer {
            failing: wire.failing,
            min_response_time: Duration::from_millis(wire.min_response_time),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoints_sit_under_the_base_path_with_or_without_its_slash() {
        for (base, payments) in [
            (
                "http://payment-processor-default:8080",
                "http://payment-processor-default:8080/payments",
            ),
            ("http://127.0.0.1:8001/", "http://127.0.0.1:8001/payments"),
            ("http://proxy/processor/", "http://proxy/processor/payments"),
        ] {
            let endpoints = Endpoints::of(&Url::parse(base).unwrap());
            assert_eq!(endpoints.payments.as_str(), payments);
            assert_eq!(
                endpoints.health.as_str(),
                format!("{payments}/service-health")
            );
        }
    }
}
