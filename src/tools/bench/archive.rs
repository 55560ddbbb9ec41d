//! The archive of runs in the reports directory. Each run has a directory of its own, named
//! by when it started, its edition and its scenario (`2025-07-01-143012-2025-final/`), so
//! that no run overwrites another and the names sort by date: its page (`index.html`), k6's
//! dashboard (`k6.html`) and summary (`summary.json`), and `report.json`, everything the
//! page is drawn from (with the floor's figures and requests when it was played).
//! `runs.json` lists the runs, each with its headline figures and its floor's; `index.html`
//! is drawn from it after each.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use super::Report;
use super::floor::Floor;
use super::page;
use super::payments::Stage;
use super::requests::Requests;
use super::sampler::Recording;

/// The files of a run's directory.
pub const PAGE: &str = "index.html";
pub const DASHBOARD: &str = "k6.html";
pub const SUMMARY: &str = "summary.json";
pub const REPORT: &str = "report.json";
const RUNS: &str = "runs.json";

/// Which run: its directory's name, when, from which commit, what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub id: String,
    /// When k6 started, RFC 3339 in UTC.
    pub date: String,
    /// The code the binary was built from: the last commit that changed its sources, with
    /// `+modified` when they differed from it (see `build.rs`); for a binary built without
    /// git, `git rev-parse --short HEAD` where the bench ran; or "unknown".
    pub commit: String,
    pub edition: String,
    pub scenario: String,
}

impl RunInfo {
    /// A run starting now, by this binary.
    pub fn now(edition: &str, scenario: &str) -> Self {
        let now = OffsetDateTime::now_utc();
        let stamp = format_description!("[year]-[month]-[day]-[hour][minute][second]");
        let stamp = now.format(&stamp).unwrap_or_default();
        Self {
            id: format!("{stamp}-{edition}-{scenario}"),
            date: now
                .replace_nanosecond(0)
                .unwrap_or(now)
                .format(&Rfc3339)
                .unwrap_or(stamp),
            commit: option_env!("RINHA_BUILD_COMMIT")
                .map(str::to_owned)
                .or_else(checked_out)
                .unwrap_or_else(|| "unknown".into()),
            edition: edition.into(),
            scenario: scenario.into(),
        }
    }

    pub fn dir(&self, reports: &Path) -> PathBuf {
        reports.join(&self.id)
    }
}

/// The commit checked out in the working directory.
fn checked_out() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !commit.is_empty()).then_some(commit)
}

/// How the run ended: passed, or why not (a threshold, the audit, the settlement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub passed: bool,
    pub text: String,
}

/// Everything one run's page shows (its `report.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    pub info: RunInfo,
    pub verdict: Verdict,
    /// Whether k6 exported its dashboard (it skips a run too short to chart).
    pub dashboard: bool,
    pub report: Report,
    pub requests: Requests,
    pub recording: Recording,
    /// 2025: the processors' settings over time; empty for the bank.
    pub schedule: Vec<Stage>,
    /// The floor's requests second by second, when it was played (`--floor`).
    #[serde(default)]
    pub floor_requests: Option<Requests>,
}

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

/// Writes the run's page and `report.json` into its directory, adds it to `runs.json` and
/// draws the archive's `index.html` again; returns the page's path.
pub fn publish(reports: &Path, run: &Run) -> io::Result<PathBuf> {
    let dir = run.info.dir(reports);
    fs::create_dir_all(&dir)?;
    let json = simd_json::to_string_pretty(run).map_err(io::Error::other)?;
    fs::write(dir.join(REPORT), json)?;
    let page = dir.join(PAGE);
    fs::write(&page, page::run(run))?;
    let mut entries = read_entries(reports)?;
    entries.retain(|e| e.info.id != run.info.id);
    entries.push(Entry::of(run));
    entries.sort_by(|a, b| b.info.id.cmp(&a.info.id));
    let json = simd_json::to_string_pretty(&entries).map_err(io::Error::other)?;
    fs::write(reports.join(RUNS), json)?;
    fs::write(reports.join(PAGE), page::index(&entries))?;
    Ok(page)
}

/// The runs listed so far, newest first; none when there is no list yet.
fn read_entries(reports: &Path) -> io::Result<Vec<Entry>> {
    match fs::read(reports.join(RUNS)) {
        Ok(mut bytes) => simd_json::serde::from_slice(&mut bytes).map_err(io::Error::other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::bench::fixtures::{bank_run, payments_run};

    #[test]
    fn each_run_is_kept_in_its_directory_and_listed_newest_first() {
        let reports = tempfile::tempdir().unwrap();
        let first = bank_run();
        let mut second = bank_run();
        second.info.id = "2099-01-01-000000-2024q1-stress".into();
        second.verdict.passed = false;

        for run in [&first, &second, &first] {
            publish(reports.path(), run).unwrap();
        }

        let entries = read_entries(reports.path()).unwrap();
        let ids: Vec<&str> = entries.iter().map(|e| e.info.id.as_str()).collect();
        assert_eq!(ids, [second.info.id.as_str(), first.info.id.as_str()]);
        assert_eq!(entries[1], Entry::of(&first));
        for run in [&first, &second] {
            let dir = run.info.dir(reports.path());
            assert!(dir.join(PAGE).is_file());
            let mut json = fs::read(dir.join(REPORT)).unwrap();
            let again: Run = simd_json::serde::from_slice(&mut json).unwrap();
            assert_eq!(again.info, run.info);
        }
        let index = fs::read_to_string(reports.path().join(PAGE)).unwrap();
        assert!(index.contains(&format!("{}/index.html", first.info.id)));
        assert!(index.contains(&format!("{}/index.html", second.info.id)));
    }

    #[test]
    fn the_floor_is_kept_with_its_run_and_in_the_list() {
        let reports = tempfile::tempdir().unwrap();
        let run = payments_run();

        publish(reports.path(), &run).unwrap();

        let entries = read_entries(reports.path()).unwrap();
        assert_eq!(entries[0].floor, run.report.floor);
        let mut json = fs::read(run.info.dir(reports.path()).join(REPORT)).unwrap();
        let again: Run = simd_json::serde::from_slice(&mut json).unwrap();
        assert_eq!(again.report.floor, run.report.floor);
        let floor = again.report.floor.unwrap();
        assert_eq!(
            (floor.requests, floor.p50_ms, floor.p99_ms, floor.max_ms),
            (11_950, 0.3, 1.5, 9.0)
        );
        assert_eq!(
            (
                floor.nginx_cpu_ms_per_request,
                floor.steal_percent,
                floor.busy_percent
            ),
            (Some(0.04), Some(0.8), Some(40.0))
        );
        assert_eq!(again.floor_requests.unwrap().seconds.len(), 60);
        assert_eq!(
            again.report.services[1].throttling,
            run.report.services[1].throttling
        );
    }

    #[test]
    fn a_run_is_named_by_its_start_edition_and_scenario() {
        let info = RunInfo::now("2025", "final");

        let (stamp, rest) = info.id.split_at("2025-07-01-143012".len());
        assert_eq!(rest, "-2025-final");
        assert!(
            stamp.bytes().all(|b| b.is_ascii_digit() || b == b'-'),
            "{stamp}"
        );
        assert!(info.date.ends_with('Z'), "{}", info.date);
        assert!(!info.commit.is_empty());
    }
}
