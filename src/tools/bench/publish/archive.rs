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

use super::entry::{Entry, PAGE, REPORT};
use super::{index, page};
use crate::tools::bench::measure::record::Run;

/// The list of runs, beside their directories.
const RUNS: &str = "runs.json";

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
    fs::write(reports.join(PAGE), index::index(&entries))?;
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
    use crate::tools::bench::measure::fixtures::{bank_run, payments_run};

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
}
