//! What a bench run measured: k6's view (requests, checks, latency) and each service's
//! cost (CPU-seconds and peak memory from its cgroup), and the capacity that follows.

use std::time::Duration;

use serde::Serialize;

use super::metric;
use crate::stack::{Sample, Stack};

/// One service's cost over the k6 run.
#[derive(Debug, Clone, Serialize)]
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
}

#[derive(Debug, Clone, Serialize)]
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
}

impl Report {
    pub fn new(
        scenario: &str,
        summary: &[u8],
        stack: &Stack,
        before: &[Sample],
        after: &[Sample],
        elapsed: Duration,
    ) -> Result<Self, String> {
        let summary: simd_json::OwnedValue =
            simd_json::to_owned_value(&mut summary.to_vec()).map_err(|e| e.to_string())?;
        let get = |name, stat| metric(&summary, name, stat).ok_or(format!("no {name} {stat}"));
        let requests = get("http_reqs", "count")? as u64;
        let services: Vec<ServiceUsage> = stack
            .services
            .iter()
            .zip(before.iter().zip(after))
            .map(|(service, (before, after))| {
                let cpu_seconds = before
                    .cpu_seconds
                    .zip(after.cpu_seconds)
                    .map(|(a, b)| b - a);
                let per_request = cpu_seconds.map(|cpu| cpu / requests.max(1) as f64);
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
                }
            })
            .collect();
        let cpu_ms_per_request = services
            .iter()
            .map(|s| s.cpu_ms_per_request)
            .sum::<Option<f64>>();
        let envelope_capacity = services
            .iter()
            .filter_map(|s| Some((s.name.clone(), s.capacity_per_second?)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        Ok(Self {
            scenario: scenario.to_owned(),
            seconds: elapsed.as_secs_f64(),
            requests,
            requests_per_second: get("http_reqs", "rate")?,
            checks_failed: get("checks", "fails")? as u64,
            inconsistencies: metric(&summary, "inconsistencies", "count").unwrap_or(0.0) as u64,
            p50_ms: get("http_req_duration", "med")?,
            p99_ms: get("http_req_duration", "p(99)")?,
            max_ms: get("http_req_duration", "max")?,
            services,
            cpu_ms_per_request,
            envelope_capacity,
        })
    }

    pub fn services_json(&self) -> String {
        simd_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The short table `rinha bench` prints.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{}: {} requests in {:.0} s ({:.0}/s); failed checks {}; inconsistencies {}\n\
             latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms\n",
            self.scenario,
            self.requests,
            self.seconds,
            self.requests_per_second,
            self.checks_failed,
            self.inconsistencies,
            self.p50_ms,
            self.p99_ms,
            self.max_ms
        );
        out += &format!(
            "{:<9} {:>6} {:>9} {:>10} {:>12} {:>14} {:>4} {:>8}\n",
            "service",
            "quota",
            "CPU-s",
            "ms/request",
            "capacity/s",
            "peak/limit MB",
            "OOM",
            "restarts"
        );
        let opt =
            |v: Option<f64>, digits: usize| v.map_or("-".to_owned(), |v| format!("{v:.digits$}"));
        for s in &self.services {
            out += &format!(
                "{:<9} {:>6.2} {:>9} {:>10} {:>12} {:>8}/{:<5} {:>4} {:>8}\n",
                s.name,
                s.cpu_quota,
                opt(s.cpu_seconds, 2),
                opt(s.cpu_ms_per_request, 4),
                opt(s.capacity_per_second, 0),
                opt(s.peak_memory_mb, 1),
                s.memory_limit_mb,
                s.oom_kills.map_or("-".to_owned(), |n| n.to_string()),
                s.restarts
            );
        }
        out += &format!(
            "stack CPU per request: {} ms\n",
            opt(self.cpu_ms_per_request, 4)
        );
        match &self.envelope_capacity {
            Some((name, capacity)) => {
                out += &format!("envelope capacity: {capacity:.0} requests/s (limited by {name})")
            }
            None => out += "envelope capacity: unknown (no cgroup accounting)",
        }
        out
    }
}
