//! Runs to draw in the tests: a 2025 run made up second by second (its scrapes parsed by
//! the sampler's own parser), and the report.json of two real runs in tests/data/.

use super::floor::Floor;
use super::machine::MachineUsage;
use super::payments::{Setting, Stage};
use super::record::{Run, RunInfo, Verdict};
use super::report::{PaymentsOutcome, Report, ServiceUsage};
use super::requests::{Requests, Second};
use super::sampler::{Event, InstanceMetrics, Reading, Recording, ServiceInfo, Tick};
use super::served::Served;
use crate::tools::launcher::cgroup::Throttling;

pub const START_MS: u64 = 1_750_000_000_000;
const SECONDS: u64 = 60;

/// An instance's `/metrics` at second `t` of a 2025 run: payments accepted at 100/s,
/// paid a second later, through fallback while default fails (20 s to 30 s).
pub fn scrape(t: u64) -> String {
    let accepted = 100 * t;
    let (default, fallback) = match t {
        0..=20 => (100 * t.saturating_sub(1), 0),
        21..=30 => (1900, 100 * (t - 21)),
        _ => (1900 + 100 * (t - 31), 900),
    };
    format!(
        "# TYPE rinha_db_pool_size gauge\nrinha_db_pool_size 8\n\
         # TYPE rinha_db_pool_in_use gauge\nrinha_db_pool_in_use {}\n\
         # TYPE rinha_db_pool_waiting gauge\nrinha_db_pool_waiting {}\n\
         # TYPE rinha_payments_accepted counter\nrinha_payments_accepted_total {accepted}\n\
         # TYPE rinha_payments_paid counter\n\
         rinha_payments_paid_total{{processor=\"default\"}} {default}\n\
         rinha_payments_paid_total{{processor=\"fallback\"}} {fallback}\n\
         # TYPE rinha_payments_in_flight gauge\n\
         rinha_payments_in_flight{{processor=\"default\"}} {}\n\
         rinha_payments_in_flight{{processor=\"fallback\"}} 3\n\
         # TYPE rinha_processor_response_seconds gauge\n\
         rinha_processor_response_seconds{{processor=\"default\"}} 0.1\n\
         rinha_processor_response_seconds{{processor=\"fallback\"}} 0.02\n# EOF\n",
        t % 8,
        t % 3,
        t % 40,
    )
}

fn service(name: &str, cpu_quota: f64, memory_limit_mb: u64) -> ServiceUsage {
    ServiceUsage {
        name: name.into(),
        cpu_quota,
        memory_limit_mb,
        cpu_seconds: Some(cpu_quota * 30.0),
        peak_memory_mb: Some(memory_limit_mb as f64 / 3.0),
        cpu_ms_per_request: Some(0.05),
        capacity_per_second: Some(cpu_quota / 0.00005),
        oom_kills: Some(0),
        restarts: 0,
        throttling: Some(Throttling {
            periods: 600,
            throttled_periods: 6,
            throttled_seconds: 0.24,
        }),
    }
}

/// A 2025 preview run as the sampler, k6's CSV and the summary would have it.
pub fn payments_run() -> Run {
    let services = [
        service("postgres", 0.5, 200),
        service("api1", 0.4, 50),
        service("api2", 0.4, 50),
        service("nginx", 0.2, 50),
    ];
    let ticks = (0..=SECONDS)
        .map(|t| Tick {
            unix_ms: START_MS + 1000 * t,
            readings: services
                .iter()
                .map(|s| Reading {
                    cpu_share: (t > 0).then(|| (t % 10) as f64 / 10.0),
                    // Throttled in the seconds at 90 % of the quota.
                    throttled_ms: (t > 0).then_some(if t % 10 == 9 { 40.0 } else { 0.0 }),
                    memory_mb: Some(s.memory_limit_mb as f64 / 4.0 + t as f64 / 10.0),
                    metrics: s
                        .name
                        .starts_with("api")
                        .then(|| InstanceMetrics::parse(&scrape(t)).unwrap()),
                })
                .collect(),
            machine: (t > 0).then(|| MachineUsage {
                cores: 2,
                steal_percent: (t % 4) as f64,
                busy_cpus: 1.0 + (t % 3) as f64 / 10.0,
                outside_cpus: Some(0.6),
            }),
        })
        .collect();
    let setting = |delay_ms, failing| Setting { delay_ms, failing };
    let stage = |at, default, fallback| Stage {
        at,
        default,
        fallback,
    };
    Run {
        info: RunInfo {
            id: "2025-07-01-120000-2025-preview".into(),
            date: "2025-07-01T12:00:00Z".into(),
            commit: "abc1234".into(),
            edition: "2025".into(),
            scenario: "preview".into(),
        },
        verdict: Verdict {
            passed: true,
            text: "every accepted payment paid exactly once".into(),
        },
        dashboard: true,
        report: Report {
            scenario: "preview".into(),
            seconds: 60.0,
            requests: 12_000,
            requests_per_second: 200.0,
            checks_failed: 0,
            inconsistencies: 0,
            p50_ms: 1.2,
            p99_ms: 4.5,
            max_ms: 30.0,
            cpu_ms_per_request: Some(0.2),
            envelope_capacity: Some(("api1".into(), 8000.0)),
            services: services.to_vec(),
            unit: "payment".into(),
            payments: Some(PaymentsOutcome {
                accepted: 12_000,
                failed: 0,
                paid_default: 10_000,
                paid_fallback: 2_000,
                lag: 0,
                inconsistencies: 0,
                p99_ms: 4.5,
                net: 200_000.0,
                score: 210_000.0,
            }),
            machine: Some(MachineUsage {
                cores: 2,
                steal_percent: 3.5,
                busy_cpus: 1.1,
                outside_cpus: Some(0.9),
            }),
            served: Some(Served {
                requests: 12_000,
                p50_ms: Some(0.42),
                p99_ms: Some(2.75),
            }),
            floor: Some(Floor {
                requests: 11_950,
                seconds: 61.0,
                p50_ms: 0.3,
                p99_ms: 1.5,
                max_ms: 9.0,
                nginx_cpu_ms_per_request: Some(0.04),
                steal_percent: Some(0.8),
                busy_percent: Some(40.0),
            }),
        },
        requests: Requests {
            started_unix_ms: START_MS,
            seconds: (0..SECONDS as i64)
                .map(|at| Second {
                    at,
                    requests: 200,
                    p50_ms: 1.0 + (at % 5) as f64 / 10.0,
                    p99_ms: 4.0 + (at % 7) as f64,
                })
                .collect(),
        },
        recording: Recording {
            services: services
                .iter()
                .map(|s| ServiceInfo {
                    name: s.name.clone(),
                    cpu_quota: s.cpu_quota,
                    memory_limit_mb: s.memory_limit_mb,
                })
                .collect(),
            ticks,
            events: vec![Event {
                unix_ms: START_MS + 33_500,
                what: "api1 killed (--fault)".into(),
            }],
        },
        schedule: vec![
            stage(1.0, setting(0.0, false), setting(0.0, false)),
            stage(20.0, setting(100.0, true), setting(0.0, false)),
            stage(30.0, setting(2000.0, true), setting(1000.0, true)),
            stage(40.0, setting(20.0, false), setting(20.0, false)),
        ],
        floor_requests: Some(Requests {
            started_unix_ms: START_MS - 90_000,
            seconds: (0..SECONDS as i64)
                .map(|at| Second {
                    at,
                    requests: 199,
                    p50_ms: 0.3,
                    p99_ms: 1.0 + (at % 3) as f64 / 2.0,
                })
                .collect(),
        }),
    }
}

fn recorded(json: &[u8]) -> Run {
    simd_json::serde::from_slice(&mut json.to_vec()).expect("a report.json")
}

/// The report.json of a real `rinha bench stress` (DURATION=10s), before the instances
/// served metrics.
pub fn bank_run() -> Run {
    recorded(include_bytes!(
        "../../../../tests/data/2024q1-stress-report.json"
    ))
}

/// The report.json of a real `rinha bench --edition 2025 preview --fault api1@35s`.
pub fn preview_run() -> Run {
    recorded(include_bytes!(
        "../../../../tests/data/2025-preview-report.json"
    ))
}
