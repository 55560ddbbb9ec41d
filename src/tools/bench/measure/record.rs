//! What one run measured, as it is archived: which run it was, how it ended, and every
//! figure its page is drawn from.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use super::payments::Stage;
use super::report::Report;
use super::requests::Requests;
use super::sampler::Recording;

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

#[cfg(test)]
mod tests {
    use super::*;

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
