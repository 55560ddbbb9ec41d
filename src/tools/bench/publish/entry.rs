//! The archive's list of runs (`runs.json`), one entry each, and the files publishing
//! writes into a run's directory.

use serde::{Deserialize, Serialize};

use crate::tools::bench::measure::floor::Floor;
use crate::tools::bench::measure::record::{Run, RunInfo};

/// The run's page, and everything it is drawn from.
pub const PAGE: &str = "index.html";
pub const REPORT: &str = "report.json";

/// One run in `runs.json`: what the archive's table shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub info: RunInfo,
    pub passed: bool,
    pub requests: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub checks_failed: u64,
    pub inconsistencies: u64,
    /// The stack's CPU-milliseconds per `unit`.
    pub cpu_ms: Option<f64>,
    pub unit: String,
    /// 2025: the contest's score.
    pub score: Option<f64>,
    /// The share of the machine's time stolen by the hypervisor during the run, in percent.
    #[serde(default)]
    pub steal_percent: Option<f64>,
    /// The machine's floor, played just before the run (`--floor`).
    #[serde(default)]
    pub floor: Option<Floor>,
}

impl Entry {
    pub fn of(run: &Run) -> Self {
        let r = &run.report;
        Self {
            info: run.info.clone(),
            passed: run.verdict.passed,
            requests: r.requests,
            requests_per_second: r.requests_per_second,
            p50_ms: r.p50_ms,
            p99_ms: r.p99_ms,
            checks_failed: r.checks_failed,
            inconsistencies: r.inconsistencies,
            cpu_ms: r.cpu_ms_per_request,
            unit: r.unit.clone(),
            score: r.payments.as_ref().map(|p| p.score),
            steal_percent: r.machine.as_ref().map(|m| m.steal_percent),
            floor: r.floor.clone(),
        }
    }
}
