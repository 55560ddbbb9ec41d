//! What a bench run measured: k6's view (requests, checks, latency) and each service's
//! cost (CPU-seconds and peak memory from its cgroup), and the capacity that follows.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use simd_json::prelude::*;

use super::floor::Floor;
use super::k6::{Seen, metric};
use super::machine::{CpuTimes, MachineUsage};
use super::served::{self, Buckets, Served};
use crate::tools::launcher::cgroup::Throttling;
use crate::tools::stack::{Sample, Stack};

/// One service's cost over the k6 run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceUsage {
    pub name: String,
    pub cpu_quota: f64,
    pub memory_limit_mb: u64,
    pub cpu_seconds: Option<f64>,
    pub peak_memory_mb: Option<f64>,
    /// CPU-milliseconds spent per request served.
    pub cpu_ms_per_request: Option<f64>,
    /// Requests per second at which this service would use all of its quota.
    pub capacity_per_second: Option<f64>,
    /// Processes the kernel killed for going over the memory limit, since the stack started.
    pub oom_kills: Option<u64>,
    /// Times the stack started the service again after it died.
    pub restarts: u32,
    /// How much the CFS bandwidth controller held it back for having spent its quota
    /// (runs before it was kept, and services without a cgroup, have none).
    #[serde(default)]
    pub throttling: Option<Throttling>,
}

impl ServiceUsage {
    /// `12/600`: the periods that ended with the service throttled, of those it ran in.
    pub fn throttled_periods(&self) -> String {
        self.throttling.map_or("-".to_owned(), |t| {
            format!("{}/{}", t.throttled_periods, t.periods)
        })
    }
}

/// What a 2025 run earned, as the official test scores it (k6/payments/official.js).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentsOutcome {
    pub accepted: u64,
    /// POSTs that were not answered 2xx within the test's 1.5 s.
    pub failed: u64,
    pub paid_default: u64,
    pub paid_fallback: u64,
    /// Accepted minus paid when the test ended: money still in the queue.
    pub lag: i64,
    pub inconsistencies: u64,
    /// The p99 the score uses: every request of the test that got an expected answer.
    pub p99_ms: f64,
    pub net: f64,
    pub score: f64,
}

impl PaymentsOutcome {
    fn from_summary(summary: &simd_json::OwnedValue) -> Option<Self> {
        let rinha = summary.get("rinha")?;
        let f = |key: &str| rinha.get(key).and_then(|v| v.cast_f64());
        Some(Self {
            accepted: f("accepted")? as u64,
            failed: f("failed")? as u64,
            paid_default: f("paid_default")? as u64,
            paid_fallback: f("paid_fallback")? as u64,
            lag: f("lag")? as i64,
            inconsistencies: f("inconsistencies")? as u64,
            p99_ms: f("p99_ms")?,
            net: f("net")?,
            score: f("score")?,
        })
    }

    /// The share of paid payments that went through default, in percent.
    pub fn default_share(&self) -> f64 {
        let paid = (self.paid_default + self.paid_fallback).max(1);
        100.0 * self.paid_default as f64 / paid as f64
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    pub seconds: f64,
    pub requests: u64,
    pub requests_per_second: f64,
    pub checks_failed: u64,
    pub inconsistencies: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub services: Vec<ServiceUsage>,
    /// The stack's CPU-milliseconds per request, all services together.
    pub cpu_ms_per_request: Option<f64>,
    /// The smallest of the services' capacities, and whose it is.
    pub envelope_capacity: Option<(String, f64)>,
    /// What the CPU figures are per: a request (2024/Q1), or an accepted payment (2025).
    pub unit: String,
    /// 2025: the official test's outcome.
    pub payments: Option<PaymentsOutcome>,
    /// What the rest of the machine was doing meanwhile (runs before it was kept have none).
    #[serde(default)]
    pub machine: Option<MachineUsage>,
    /// How long the instances themselves took (runs before it was kept have none).
    #[serde(default)]
    pub served: Option<Served>,
    /// The machine's floor, played just before the stack (`--floor`).
    #[serde(default)]
    pub floor: Option<Floor>,
}

/// What the bench reads at the start and at the end of a run: each service's cgroup, the
/// machine's CPU times and the instances' latency histograms.
pub struct Snapshot {
    services: Vec<Sample>,
    machine: Option<CpuTimes>,
    histograms: Vec<Option<Buckets>>,
}

impl Snapshot {
    pub async fn take(stack: &Stack) -> Self {
        let histograms = served::read(stack).await;
        Self {
            services: stack.samples(),
            machine: CpuTimes::now(),
            histograms,
        }
    }
}

impl Report {
    pub fn new(
        scenario: &str,
        summary: &[u8],
        stack: &Stack,
        before: &Snapshot,
        after: &Snapshot,
        elapsed: Duration,
    ) -> Result<Self, String> {
        let summary: simd_json::OwnedValue =
            simd_json::to_owned_value(&mut summary.to_vec()).map_err(|e| e.to_string())?;
        let seen = Seen::read(&summary)?;
        let requests = seen.requests;
        let payments = PaymentsOutcome::from_summary(&summary);
        let (unit, units) = match &payments {
            Some(p) => ("payment".to_owned(), p.accepted),
            None => ("request".to_owned(), requests),
        };
        let services: Vec<ServiceUsage> = stack
            .services
            .iter()
            .zip(before.services.iter().zip(&after.services))
            .map(|(service, (before, after))| {
                let cpu_seconds = before
                    .cpu_seconds
                    .zip(after.cpu_seconds)
                    .map(|(a, b)| b - a);
                let per_request = cpu_seconds.map(|cpu| cpu / units.max(1) as f64);
                ServiceUsage {
                    name: service.name.clone(),
                    cpu_quota: service.limits.cpus,
                    memory_limit_mb: service.limits.memory_mb,
                    cpu_seconds,
                    peak_memory_mb: after
                        .peak_memory
                        .map(|bytes| bytes as f64 / (1024.0 * 1024.0)),
                    cpu_ms_per_request: per_request.map(|s| s * 1000.0),
                    capacity_per_second: per_request
                        .filter(|s| *s > 0.0)
                        .map(|s| service.limits.cpus / s),
                    oom_kills: after.oom_kills,
                    restarts: service.restarts,
                    throttling: after
                        .throttling
                        .zip(before.throttling)
                        .map(|(a, b)| a.since(&b)),
                }
            })
            .collect();
        let cpu_ms_per_request = services
            .iter()
            .map(|s| s.cpu_ms_per_request)
            .sum::<Option<f64>>();
        let machine = match (before.machine, after.machine) {
            (Some(before), Some(after)) => MachineUsage::between(
                before,
                after,
                elapsed.as_secs_f64(),
                services.iter().map(|s| s.cpu_seconds).sum(),
            ),
            _ => None,
        };
        let envelope_capacity = services
            .iter()
            .filter_map(|s| Some((s.name.clone(), s.capacity_per_second?)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        Ok(Self {
            scenario: scenario.to_owned(),
            seconds: elapsed.as_secs_f64(),
            requests,
            requests_per_second: metric(&summary, "http_reqs", "rate")
                .ok_or("no http_reqs rate")?,
            checks_failed: metric(&summary, "checks", "fails").unwrap_or(0.0) as u64,
            inconsistencies: metric(&summary, "inconsistencies", "count").unwrap_or(0.0) as u64,
            p50_ms: seen.p50_ms,
            p99_ms: seen.p99_ms,
            max_ms: seen.max_ms,
            services,
            cpu_ms_per_request,
            envelope_capacity,
            unit,
            payments,
            machine,
            served: Served::between(&before.histograms, &after.histograms),
            floor: None,
        })
    }

    /// The same report, beside the floor played before it.
    pub fn beside(self, floor: Option<Floor>) -> Self {
        Self { floor, ..self }
    }
}
