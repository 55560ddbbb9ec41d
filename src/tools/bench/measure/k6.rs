//! Running k6 the same way against the stack and against the floor: the scenario's scripts
//! written where k6 reads them, one command with the environment the scenario reads, and
//! the progress line while it runs; and what its summary says.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simd_json::prelude::*;

use super::error::{BenchError, io};
use super::scenario::Scenario;

/// The files k6 writes into a run's directory: its dashboard and its summary.
pub const DASHBOARD: &str = "k6.html";
pub const SUMMARY: &str = "summary.json";

/// One k6 run of a scenario against a target.
pub struct Invocation<'a> {
    pub scenario: Scenario,
    /// Where k6 sends its requests: NGINX's port.
    pub base_url: &'a str,
    /// 2025: the processors the scenario sets and reads (default, fallback).
    pub processors: Option<&'a [String; 2]>,
    /// Where the scripts and the time series go.
    pub dir: &'a Path,
    /// k6's output.
    pub log: &'a Path,
    /// Where its summary (JSON) goes.
    pub summary: &'a Path,
    /// Where k6 exports its web dashboard, if it does. Its aggregation every 10 s keeps both
    /// cores busy for 15-25 ms here, a stall every request in flight waits out; a run
    /// compared with another has it in both or in neither.
    pub dashboard: Option<&'a Path>,
}

impl Invocation<'_> {
    /// Writes the scripts and returns k6's command, and where its time series will be:
    /// every request's duration, gzipped CSV with times in Unix milliseconds.
    pub fn command(&self, k6: &Path) -> Result<(Command, PathBuf), BenchError> {
        fs::create_dir_all(self.dir).map_err(io("cannot create the k6 directory"))?;
        fs::write(self.dir.join("common.js"), self.scenario.common())
            .map_err(io("cannot write common.js"))?;
        let script = self.dir.join(format!("{}.js", self.scenario.name()));
        fs::write(&script, self.scenario.script()).map_err(io("cannot write the scenario"))?;
        let out = fs::File::create(self.log).map_err(io("cannot create the k6 log"))?;
        let err = out.try_clone().map_err(io("cannot share the k6 log"))?;
        let csv = absolute(&self.dir.join("requests.csv.gz"));
        let mut command = Command::new(k6);
        if let Some([default, fallback]) = self.processors {
            command
                .env("SCHEDULE", self.scenario.name())
                .env("PROCESSOR_DEFAULT_URL", default)
                .env("PROCESSOR_FALLBACK_URL", fallback);
        }
        command
            .args(["run", "--no-color", "--out"])
            .arg(format!("csv={}", csv.display()))
            .arg(&script)
            .env("BASE_URL", self.base_url)
            .env("SUMMARY", absolute(self.summary))
            .env("K6_CSV_TIME_FORMAT", "unix_milli")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        if let Some(dashboard) = self.dashboard {
            command
                .env("K6_WEB_DASHBOARD", "true")
                .env("K6_WEB_DASHBOARD_PORT", "-1")
                .env("K6_WEB_DASHBOARD_EXPORT", absolute(dashboard));
        }
        Ok((command, csv))
    }
}

pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// The line that says how far k6 is: on a terminal it rewrites itself every second; in a
/// log, a line every 15 s.
pub struct Progress {
    label: String,
    expected: Duration,
    terminal: bool,
    started: Instant,
    reported: Option<u64>,
}

impl Progress {
    pub fn new(label: String, expected: Duration) -> Self {
        Self {
            label,
            expected,
            terminal: std::io::stderr().is_terminal(),
            started: Instant::now(),
            reported: None,
        }
    }

    /// Shows the line if it is due, with `more` after the seconds.
    pub fn show(&mut self, more: impl FnOnce() -> String) {
        let seconds = self.started.elapsed().as_secs();
        if self.reported == Some(seconds) || !(self.terminal || seconds.is_multiple_of(15)) {
            return;
        }
        self.reported = Some(seconds);
        let line = format!(
            "{}: {seconds:>3} s of about {} s{}",
            self.label,
            self.expected.as_secs(),
            more()
        );
        if self.terminal {
            eprint!("\r{line} ")
        } else {
            eprintln!("{line}")
        }
    }

    /// Ends the line on a terminal.
    pub fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

/// What k6 saw of a run, as its summary says: the requests and their latency, every
/// request of the test counted, whatever its answer. The stack's run and the floor's are
/// read alike, so that they compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seen {
    pub requests: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Seen {
    pub fn read(summary: &simd_json::OwnedValue) -> Result<Self, String> {
        let get = |name, stat| metric(summary, name, stat).ok_or(format!("no {name} {stat}"));
        Ok(Self {
            requests: get("http_reqs", "count")? as u64,
            p50_ms: get("http_req_duration", "med")?,
            p99_ms: get("http_req_duration", "p(99)")?,
            max_ms: get("http_req_duration", "max")?,
        })
    }
}

/// The k6 summary's metric `name`, value `stat`.
pub fn metric(summary: &simd_json::OwnedValue, name: &str, stat: &str) -> Option<f64> {
    summary
        .get("metrics")?
        .get(name)?
        .get("values")?
        .get(stat)?
        .cast_f64()
}
