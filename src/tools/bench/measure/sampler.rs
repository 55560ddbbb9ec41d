//! What the stack does while k6 runs, once a second: each service's CPU (as a share of its
//! quota), how long the kernel throttled it for having spent that quota, and its memory
//! (against its limit) from its cgroup, and each API instance's
//! `GET /metrics` (the Prometheus text format) on its own socket.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use prometheus_parse::{Scrape, Value};
use serde::{Deserialize, Serialize};

use super::machine::{CpuTimes, MachineUsage};
use crate::tools::stack::{Sample, Stack};

/// How long one scrape may take before its tick goes without the instance's metrics.
const SCRAPE_TIMEOUT: Duration = Duration::from_millis(300);
const MB: f64 = 1024.0 * 1024.0;

/// Everything sampled during one run, one tick a second.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Recording {
    /// The services in the stack's order; each tick holds one reading per service.
    pub services: Vec<ServiceInfo>,
    pub ticks: Vec<Tick>,
    /// What happened to the stack meanwhile: a service killed, a service started again.
    #[serde(default)]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub unix_ms: u64,
    pub what: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub name: String,
    pub cpu_quota: f64,
    pub memory_limit_mb: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tick {
    /// When the tick was taken, in milliseconds since the Unix epoch (k6's clock too).
    pub unix_ms: u64,
    pub readings: Vec<Reading>,
    /// The whole machine since the previous tick (runs before it was kept have none).
    #[serde(default)]
    pub machine: Option<MachineUsage>,
}

/// One service at one tick; `None` where nothing could be read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Reading {
    /// CPU-seconds spent since the previous tick over what the quota allowed in that time.
    pub cpu_share: Option<f64>,
    /// Milliseconds per second its threads spent throttled since the previous tick (summed
    /// over the CPUs); runs before it was kept have none.
    #[serde(default)]
    pub throttled_ms: Option<f64>,
    pub memory_mb: Option<f64>,
    /// An API instance's own figures.
    pub metrics: Option<InstanceMetrics>,
}

/// What an instance's `/metrics` says of its PostgreSQL pool and (2025) its payments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceMetrics {
    pub pool_size: f64,
    pub pool_in_use: f64,
    pub pool_waiting: f64,
    pub payments: Option<PaymentMetrics>,
}

/// The 2025 figures; each pair is (default, fallback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentMetrics {
    /// Counters since the instance started.
    pub accepted: f64,
    pub paid: [f64; 2],
    /// Gauges.
    pub in_flight: [f64; 2],
    /// The processor's delay as the instance's router last knew it.
    pub response_seconds: [Option<f64>; 2],
}

pub const PROCESSORS: [&str; 2] = ["default", "fallback"];

impl InstanceMetrics {
    /// Reads a scrape; `None` when it does not hold the pool's gauges.
    pub fn parse(text: &str) -> Option<Self> {
        let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).ok()?;
        let value = |name: &str, processor: Option<&str>| {
            scrape
                .samples
                .iter()
                .filter(|s| s.metric == name)
                .filter(|s| processor.is_none_or(|p| s.labels.get("processor") == Some(p)))
                .find_map(|s| match s.value {
                    Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => Some(v),
                    Value::Histogram(_) | Value::Summary(_) => None,
                })
        };
        let each = |name: &str| PROCESSORS.map(|p| value(name, Some(p)));
        let payments =
            value("rinha_payments_accepted_total", None).map(|accepted| PaymentMetrics {
                accepted,
                paid: each("rinha_payments_paid_total").map(|v| v.unwrap_or(0.0)),
                in_flight: each("rinha_payments_in_flight").map(|v| v.unwrap_or(0.0)),
                response_seconds: each("rinha_processor_response_seconds"),
            });
        Some(Self {
            pool_size: value("rinha_db_pool_size", None)?,
            pool_in_use: value("rinha_db_pool_in_use", None)?,
            pool_waiting: value("rinha_db_pool_waiting", None)?,
            payments,
        })
    }
}

/// Takes the ticks of one run.
pub struct Sampler {
    /// Per service: a client bound to its metrics socket, if it has one.
    scrapers: Vec<Option<reqwest::Client>>,
    /// The previous tick's readings, for the CPU spent in between.
    previous: Option<Previous>,
    recording: Recording,
}

/// What a tick read of CPU time: each service's cgroup and the machine's.
struct Previous {
    at: Instant,
    samples: Vec<Sample>,
    machine: Option<CpuTimes>,
}

impl Sampler {
    pub fn new(stack: &Stack) -> Self {
        let services = stack
            .services
            .iter()
            .map(|s| ServiceInfo {
                name: s.name.clone(),
                cpu_quota: s.limits.cpus,
                memory_limit_mb: s.limits.memory_mb,
            })
            .collect();
        let scrapers = stack
            .services
            .iter()
            .map(|s| metrics_client(s.metrics.as_ref()?, SCRAPE_TIMEOUT))
            .collect();
        Self {
            scrapers,
            previous: None,
            recording: Recording {
                services,
                ticks: Vec::new(),
                events: Vec::new(),
            },
        }
    }

    /// Notes what just happened to the stack.
    pub fn event(&mut self, what: String) {
        let unix_ms = unix_ms();
        self.recording.events.push(Event { unix_ms, what });
    }

    /// Reads every service now.
    pub async fn tick(&mut self, stack: &Stack) {
        let now = Instant::now();
        let unix_ms = unix_ms();
        let cpu_times = CpuTimes::now();
        let samples = stack.samples();
        let seconds = self
            .previous
            .as_ref()
            .map(|p| now.duration_since(p.at).as_secs_f64());
        // Each service's CPU-seconds since the previous tick.
        let spent: Vec<Option<f64>> = match &self.previous {
            Some(previous) => (samples.iter().zip(&previous.samples))
                .map(|(sample, before)| Some(sample.cpu_seconds? - before.cpu_seconds?))
                .collect(),
            None => vec![None; samples.len()],
        };
        let machine = self.previous.as_ref().and_then(|previous| {
            let stack_spent = spent.iter().copied().sum();
            MachineUsage::between(previous.machine?, cpu_times?, seconds?, stack_spent)
        });
        let mut readings = Vec::with_capacity(samples.len());
        for (index, sample) in samples.iter().enumerate() {
            let cpu_share = spent[index].zip(seconds).and_then(|(spent, seconds)| {
                let allowed = seconds * self.recording.services[index].cpu_quota;
                (allowed > 0.0).then(|| spent / allowed)
            });
            let throttled_ms = self.previous.as_ref().and_then(|previous| {
                let before = previous.samples.get(index)?.throttling?;
                let throttled = sample.throttling?.since(&before).throttled_seconds;
                seconds.filter(|s| *s > 0.0).map(|s| throttled * 1000.0 / s)
            });
            let metrics = match &self.scrapers[index] {
                Some(client) => scrape(client).await,
                None => None,
            };
            readings.push(Reading {
                cpu_share,
                throttled_ms,
                memory_mb: sample.memory.map(|bytes| bytes as f64 / MB),
                metrics,
            });
        }
        self.previous = Some(Previous {
            at: now,
            samples,
            machine: cpu_times,
        });
        self.recording.ticks.push(Tick {
            unix_ms,
            readings,
            machine,
        });
    }

    pub fn finish(self) -> Recording {
        self.recording
    }
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A client for an instance's metrics socket, whose calls give up after `timeout`.
pub fn metrics_client(socket: &Path, timeout: Duration) -> Option<reqwest::Client> {
    reqwest::Client::builder()
        .unix_socket(socket)
        .timeout(timeout)
        .build()
        .inspect_err(|e| tracing::warn!(socket = %socket.display(), error = %e, "cannot scrape"))
        .ok()
}

/// The instance's `GET /metrics`, as text; `None` when it did not answer.
pub async fn metrics_text(client: &reqwest::Client) -> Option<String> {
    let response = client.get("http://localhost/metrics").send().await.ok()?;
    response.error_for_status().ok()?.text().await.ok()
}

async fn scrape(client: &reqwest::Client) -> Option<InstanceMetrics> {
    InstanceMetrics::parse(&metrics_text(client).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract of `/metrics`, as prometheus-client writes it (OpenMetrics text).
    const SCRAPE: &str = "\
# HELP rinha_http_requests Requests answered.
# TYPE rinha_http_requests counter
rinha_http_requests_total{route=\"/payments\",status=\"202\"} 1200
# HELP rinha_db_pool_size PostgreSQL connections in the pool.
# TYPE rinha_db_pool_size gauge
rinha_db_pool_size 8
# TYPE rinha_db_pool_in_use gauge
rinha_db_pool_in_use 3
# TYPE rinha_db_pool_waiting gauge
rinha_db_pool_waiting 1
# TYPE rinha_payments_accepted counter
rinha_payments_accepted_total 1200
# TYPE rinha_payments_paid counter
rinha_payments_paid_total{processor=\"default\"} 1000
rinha_payments_paid_total{processor=\"fallback\"} 150
# TYPE rinha_payments_in_flight gauge
rinha_payments_in_flight{processor=\"default\"} 40
rinha_payments_in_flight{processor=\"fallback\"} 2
# TYPE rinha_processor_response_seconds gauge
rinha_processor_response_seconds{processor=\"default\"} 0.1
# TYPE rinha_processor_failing gauge
rinha_processor_failing{processor=\"default\"} 0
rinha_processor_failing{processor=\"fallback\"} 1
# EOF
";

    #[test]
    fn a_scrape_gives_the_pool_and_the_payments() {
        let metrics = InstanceMetrics::parse(SCRAPE).expect("the pool's gauges");

        assert_eq!(
            metrics,
            InstanceMetrics {
                pool_size: 8.0,
                pool_in_use: 3.0,
                pool_waiting: 1.0,
                payments: Some(PaymentMetrics {
                    accepted: 1200.0,
                    paid: [1000.0, 150.0],
                    in_flight: [40.0, 2.0],
                    response_seconds: [Some(0.1), None],
                }),
            }
        );
    }

    #[test]
    fn a_bank_scrape_has_no_payments_and_a_foreign_one_is_nothing() {
        let bank: String = SCRAPE
            .lines()
            .filter(|l| !l.contains("payments_") && !l.contains("processor_"))
            .map(|l| format!("{l}\n"))
            .collect();

        assert_eq!(InstanceMetrics::parse(&bank).unwrap().payments, None);
        assert_eq!(InstanceMetrics::parse("up 1\n"), None);
    }
}
