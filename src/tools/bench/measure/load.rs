//! The load: k6 against the stack, the services sampled once a second, the faults injected
//! on their schedule, and the stack's supervision going on meanwhile.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::{BenchError, io};
use super::fault::Fault;
use super::k6::{self, DASHBOARD, SUMMARY};
use super::sampler::{Recording, Sampler};
use super::scenario::Scenario;
use crate::tools::stack::{self, Stack};

/// Where k6 sends its requests.
pub fn stack_url(stack: &Stack) -> String {
    format!("http://localhost:{}", stack.port)
}

/// What a k6 run left: how it ended, its log, its time series and the stack's samples.
pub struct K6Run {
    pub status: std::process::ExitStatus,
    pub log: PathBuf,
    /// k6's gzipped CSV output: every request's duration.
    pub csv: PathBuf,
    pub recording: Recording,
}

/// What the stack's k6 run does besides playing the scenario.
pub struct Extras<'a> {
    /// The services killed on their schedule.
    pub faults: &'a [Fault],
    /// Whether k6 also exports its web dashboard into the run's directory.
    pub dashboard: bool,
}

/// Runs k6 with its output in a log file, its summary (and dashboard, if asked) in the run's
/// directory `dir`, and a progress line on stderr; samples the stack once a second meanwhile.
pub async fn run_k6(
    stack: &mut Stack,
    scenario: Scenario,
    k6: &Path,
    state_dir: &Path,
    dir: &Path,
    extras: &Extras<'_>,
) -> Result<K6Run, BenchError> {
    let log = state_dir.join("logs").join("k6.log");
    let base_url = stack_url(stack);
    let dashboard = extras.dashboard.then(|| dir.join(DASHBOARD));
    let invocation = k6::Invocation {
        scenario,
        base_url: &base_url,
        processors: stack.processor_urls.as_ref(),
        dir: &state_dir.join("k6"),
        log: &log,
        summary: &dir.join(SUMMARY),
        dashboard: dashboard.as_deref(),
    };
    let (mut command, csv) = invocation.command(k6)?;
    let mut child = command.spawn().map_err(io("cannot start k6"))?;
    let started = Instant::now();
    let mut progress = k6::Progress::new(scenario.name().to_owned(), scenario.expected());
    let mut faults: Vec<&Fault> = extras.faults.iter().collect();
    let mut sampler = Sampler::new(stack);
    let mut next_sample = started;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(io("cannot wait for k6"))? {
            break status;
        }
        let (due, later) = faults.iter().partition(|f| f.at <= started.elapsed());
        faults = later;
        for fault in due {
            if let Err(e) = fault.inject(stack) {
                let _ = child.kill();
                return Err(BenchError::Fault(e));
            }
            sampler.event(format!("{} killed (--fault)", fault.service));
        }
        // The stack's supervision goes on while k6 runs: a dead instance comes back.
        if let Some((index, status, log)) = stack.dead_service() {
            stack::revive(stack, index, status, log)?;
            sampler.event(format!("{} started again", stack.services[index].name));
        }
        if let Some(died) = stack.dead_processor() {
            let _ = child.kill();
            return Err(died.into());
        }
        if Instant::now() >= next_sample {
            sampler.tick(stack).await;
            // On the second since k6 started; a late tick skips the seconds it missed.
            while next_sample <= Instant::now() {
                next_sample += Duration::from_secs(1);
            }
        }
        progress.show(|| {
            let cpu: Option<f64> = stack.samples().iter().map(|s| s.cpu_seconds).sum();
            cpu.map_or(String::new(), |cpu| {
                format!("; stack CPU {cpu:.1} s so far")
            })
        });
        // As often as `rinha stack` looks: a dead service is started again within a tick.
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    progress.finish();
    Ok(K6Run {
        status,
        log,
        csv,
        recording: sampler.finish(),
    })
}
