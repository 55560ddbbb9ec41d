//! Reading an instance's `GET /metrics`, over TCP or on its Unix socket.

use reqwest::StatusCode;

use super::Api;

/// One scrape of an instance's `GET /metrics`: every sample's value by its series, written
/// as the instance writes it (`name{label="value",…}`).
#[derive(Debug)]
pub struct Scrape(std::collections::HashMap<String, f64>);

impl Scrape {
    /// Scrapes `GET {base}/metrics`, checking that it is a complete OpenMetrics exposition.
    pub async fn of(base: &str) -> Self {
        let reply = Api::at(base.to_owned()).get("/metrics").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            reply.content_type.as_deref(),
            Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
        );
        Self::parse(&reply.body)
    }

    /// Scrapes `GET /metrics` over HTTP/1.1 on a Unix socket, as a sampler of the stack does.
    pub async fn over_unix(socket: &std::path::Path) -> Self {
        let response = unix_get(socket, "/metrics").await;
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        let (_, body) = response.split_once("\r\n\r\n").expect("a head and a body");
        Self::parse(body)
    }

    fn parse(text: &str) -> Self {
        assert!(
            text.ends_with("# EOF\n"),
            "an incomplete exposition:\n{text}"
        );
        let samples = text
            .lines()
            .filter(|line| !line.starts_with('#'))
            .map(|line| {
                let (series, value) = line
                    .rsplit_once(' ')
                    .unwrap_or_else(|| panic!("not a sample: {line}"));
                let value = value
                    .parse()
                    .unwrap_or_else(|e| panic!("{line}: not a number ({e})"));
                (series.to_owned(), value)
            })
            .collect();
        Self(samples)
    }

    /// The sample of `series`, which must be there.
    pub fn value(&self, series: &str) -> f64 {
        self.get(series)
            .unwrap_or_else(|| panic!("no {series} in {:#?}", self.0))
    }

    /// The sample of `series`, if there is one (a counter appears with its first event).
    pub fn get(&self, series: &str) -> Option<f64> {
        self.0.get(series).copied()
    }

    /// How much a counter moved since `before`, counting a series not yet there as 0.
    pub fn moved(&self, before: &Scrape, series: &str) -> f64 {
        self.get(series).unwrap_or(0.0) - before.get(series).unwrap_or(0.0)
    }

    /// Every series of the family `name` (its samples named `name` or `name{…}`).
    pub fn family(&self, name: &str) -> Vec<(&str, f64)> {
        let mut samples: Vec<(&str, f64)> = self
            .0
            .iter()
            .filter(|(series, _)| {
                series
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('{'))
            })
            .map(|(series, value)| (series.as_str(), *value))
            .collect();
        samples.sort_by(|a, b| a.0.cmp(b.0));
        samples
    }
}

/// `GET path` over HTTP/1.1 on a Unix socket: the whole response, head and body.
pub async fn unix_get(socket: &std::path::Path, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::UnixStream::connect(socket)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", socket.display()));
    let request = format!("GET {path} HTTP/1.1\r\nHost: rinha\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}
