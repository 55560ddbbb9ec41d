//! `rinha bench`: start the stack, warm it up, run a k6 scenario against its port while
//! sampling every service once a second, and report what k6 saw and what each service
//! spent, read from its cgroup: a table, and a page of charts in the reports' archive. With
//! the floor, the same scenario against NGINX alone comes first, and the report sets the
//! two side by side.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use simd_json::prelude::*;

use archive::{Run, RunInfo, Verdict};
use floor::Floor;
use requests::Requests;
use sampler::{Recording, Sampler};

use crate::bank::store::Audit;
use crate::edition::Edition;
use crate::payments::domain::Fees;
use crate::tools::launcher::{Tool, find_tool, http, postgres};
use crate::tools::stack::{self, Stack, StackError};

mod archive;
mod charts;
mod fault;
#[cfg(test)]
mod fixtures;
mod floor;
mod k6;
mod machine;
mod page;
mod payments;
mod plots;
mod report;
mod requests;
mod sampler;
mod served;

pub use fault::Fault;
use report::Snapshot;
pub use report::{PaymentsOutcome, Report, ServiceUsage};

/// The scenarios of `k6/`, built in so that the binary needs no checkout.
const BANK_COMMON: &str = include_str!("../../../k6/bank/common.js");
const PAYMENTS_COMMON: &str = include_str!("../../../k6/payments/common.js");

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// 2024/Q1: the public acceptance run, open model (about 246 s).
    Official,
    /// 2024/Q1: closed-model saturation (DURATION, 30 s by default).
    Stress,
    /// 2024/Q1: a minute at RATE requests per second (6000 by default), then the recovery.
    Overload,
    /// 2025: the official test's published 60 s script (processors at 5 % and 15 %).
    Preview,
    /// 2025: the final as it was run: its own 300 s script, 603 VUs, processors at 7 % and
    /// 10 %, scored from the processors' summaries.
    Final,
    /// 2025, ours: both processors failing for 30 s of the preview's load, then back.
    Outage,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::Stress => "stress",
            Self::Overload => "overload",
            Self::Preview => "preview",
            Self::Final => "final",
            Self::Outage => "outage",
        }
    }

    /// The edition the scenario runs against.
    pub fn edition(self) -> Edition {
        match self {
            Self::Official | Self::Stress | Self::Overload => Edition::Bank,
            Self::Preview | Self::Final | Self::Outage => Edition::Payments,
        }
    }

    /// What `rinha bench` runs when no scenario is named.
    pub fn default_for(edition: Edition) -> Self {
        match edition {
            Edition::Bank => Self::Official,
            Edition::Payments => Self::Preview,
        }
    }

    /// 2025: what the processors charge in this scenario (the bank's have no processors).
    pub fn fees(self) -> Fees {
        match self {
            Self::Final => Fees::FINAL,
            _ => Fees::PREVIEW,
        }
    }

    fn script(self) -> &'static str {
        match self {
            Self::Official => include_str!("../../../k6/bank/official.js"),
            Self::Stress => include_str!("../../../k6/bank/stress.js"),
            Self::Overload => include_str!("../../../k6/bank/overload.js"),
            Self::Preview | Self::Outage => include_str!("../../../k6/payments/preview.js"),
            Self::Final => include_str!("../../../k6/payments/final.js"),
        }
    }

    /// How long k6 runs, for the progress line.
    fn expected(self) -> Duration {
        match self {
            Self::Official => Duration::from_secs(246),
            Self::Stress => Duration::from_secs(30),
            Self::Overload => Duration::from_secs(95),
            Self::Preview => Duration::from_secs(60),
            Self::Final => Duration::from_secs(310),
            Self::Outage => Duration::from_secs(60),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Stack(#[from] StackError),
    #[error(transparent)]
    Missing(#[from] crate::tools::launcher::MissingTool),
    #[error("{0}")]
    Io(String, #[source] std::io::Error),
    #[error("cannot reset the ledger after the warm-up")]
    Reset(#[source] tokio_postgres::Error),
    #[error("cannot connect to the stack's database")]
    Database(#[source] postgres::ClusterError),
    #[error("k6 failed ({0}) before writing its summary; see {1}")]
    K6(std::process::ExitStatus, PathBuf),
    #[error("the k6 summary {0} is not what k6 writes: {1}")]
    Summary(PathBuf, String),
    #[error("k6 thresholds failed: see {0}")]
    Thresholds(PathBuf),
    #[error("cannot audit the ledger")]
    AuditFailed(#[source] tokio_postgres::Error),
    #[error("{0}")]
    Unbalanced(Audit),
    #[error("the {} scenario runs against the {} edition, not {edition}", .scenario.name(), .scenario.edition())]
    WrongEdition {
        scenario: Scenario,
        edition: Edition,
    },
    #[error(transparent)]
    Payments(#[from] payments::SettlementError),
    #[error("{0}")]
    Fault(String),
    #[error("{0}")]
    Floor(String),
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
    let context = context.into();
    move |e| BenchError::Io(context, e)
}

/// What a bench run plays the scenario against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// The stack.
    Stack,
    /// The machine's floor first, then the stack, the two set side by side.
    FloorAndStack,
    /// The floor alone: its figures are printed, and nothing is archived.
    Floor,
}

/// Everything a bench run is told.
#[derive(Debug, Clone)]
pub struct Settings {
    pub scenario: Scenario,
    pub stack: stack::Options,
    /// Where the runs are archived.
    pub reports: PathBuf,
    /// The services to kill while k6 runs.
    pub faults: Vec<Fault>,
    pub against: Against,
}

/// Plays the scenario against the floor and, unless told not to, a fresh stack, injecting
/// the faults on their schedule, and archives the stack's run under the reports directory.
pub fn run(settings: &Settings) -> Result<(), BenchError> {
    let Settings {
        scenario,
        stack: options,
        reports,
        against,
        ..
    } = settings;
    if scenario.edition() != options.edition {
        return Err(BenchError::WrongEdition {
            scenario: *scenario,
            edition: options.edition,
        });
    }
    let k6 = find_tool(Tool::K6)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(io("cannot start the runtime"))?;
    runtime.block_on(async {
        let floor = match against {
            Against::Stack => None,
            Against::FloorAndStack | Against::Floor => {
                let (floor, requests) = floor::play(*scenario, &k6, options.fees).await?;
                println!("{}", floor.table(scenario.name()));
                Some((floor, requests))
            }
        };
        if *against == Against::Floor {
            return Ok(());
        }
        fs::create_dir_all(reports).map_err(io(format!("cannot create {}", reports.display())))?;
        let mut stack = Stack::start(options).await?;
        println!("{}", stack::table(&stack));
        let outcome = measure(&mut stack, settings, &k6, floor).await;
        stack.stop();
        outcome
    })
}

async fn measure(
    stack: &mut Stack,
    settings: &Settings,
    k6: &Path,
    floor: Option<(Floor, Requests)>,
) -> Result<(), BenchError> {
    let Settings {
        scenario,
        stack: options,
        reports,
        faults,
        ..
    } = settings;
    let scenario = *scenario;
    for fault in faults {
        fault.target(stack).map_err(BenchError::Fault)?;
    }
    match stack.edition {
        Edition::Bank => warm_up(stack).await?,
        Edition::Payments => payments::warm_up(stack).await,
    }
    let info = RunInfo::now(stack.edition.name(), scenario.name());
    let dir = info.dir(reports);
    fs::create_dir_all(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
    let before = Snapshot::take(stack).await;
    let started = Instant::now();
    let k6_run = run_k6(stack, scenario, k6, &options.state_dir, &dir, faults).await?;
    let elapsed = started.elapsed();
    let after = Snapshot::take(stack).await;

    let summary_path = dir.join(archive::SUMMARY);
    let Ok(summary) = fs::read(&summary_path) else {
        // Nothing to publish: the run leaves no directory in the archive.
        let _ = fs::remove_dir_all(&dir);
        return Err(BenchError::K6(k6_run.status, k6_run.log));
    };
    let (floor, floor_requests) = floor.unzip();
    let report = Report::new(scenario.name(), &summary, stack, &before, &after, elapsed)
        .map_err(|e| BenchError::Summary(summary_path.clone(), e))?
        .beside(floor);
    println!("{}", report.table());
    let checked = check(stack, &report).await;
    let thresholds = match k6_run.status.code() {
        Some(0) => Ok(()),
        Some(99) => Err(BenchError::Thresholds(summary_path)),
        _ => Err(BenchError::K6(k6_run.status, k6_run.log)),
    };
    let verdict = Verdict {
        passed: checked.is_ok() && thresholds.is_ok(),
        text: [
            checked
                .as_ref()
                .map_or_else(ToString::to_string, Clone::clone),
            match &thresholds {
                Ok(()) => String::new(),
                // The page links the summary; the local path means nothing there.
                Err(BenchError::Thresholds(_)) => "k6's thresholds failed".into(),
                Err(e) => e.to_string(),
            },
        ]
        .into_iter()
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(". "),
    };
    let requests = Requests::from_csv_gz(&k6_run.csv, &stack_url(stack)).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot read k6's time series: the page has no request charts");
        Requests::default()
    });
    let run = Run {
        dashboard: dir.join(archive::DASHBOARD).exists(),
        info,
        verdict,
        report,
        requests,
        recording: k6_run.recording,
        schedule: payments::schedule(&summary),
        floor_requests,
    };
    let page = archive::publish(reports, &run).map_err(io(format!(
        "cannot publish the run in {}",
        reports.display()
    )))?;
    println!("report: {}", page.display());
    checked?;
    thresholds
}

/// After the load: the ledger's audit (2024/Q1) or the settlement (2025), printed, and its
/// line for the report page; an error when it does not hold.
async fn check(stack: &Stack, report: &Report) -> Result<String, BenchError> {
    match stack.edition {
        Edition::Bank => {
            let audit = audit(stack).await?;
            println!("{audit}");
            if !audit.balances() {
                return Err(BenchError::Unbalanced(audit));
            }
            Ok(audit.to_string())
        }
        Edition::Payments => settle(stack, report).await,
    }
}

/// 2025: lets the queue drain and compares the whole run's totals; fails on any
/// difference, and on a POST that failed during the run.
async fn settle(stack: &Stack, report: &Report) -> Result<String, BenchError> {
    let outcome = report.payments.as_ref().ok_or_else(|| {
        BenchError::Summary(PathBuf::from("the k6 summary"), "no 2025 outcome".into())
    })?;
    let settlement = payments::settle(stack, outcome.accepted).await?;
    println!("{settlement}");
    if !settlement.holds() {
        return Err(payments::SettlementError::Unsettled(settlement).into());
    }
    if outcome.failed > 0 {
        return Err(payments::SettlementError::FailedPosts(outcome.failed).into());
    }
    Ok(settlement.to_string())
}

/// Sends every kind of request through the port so that connections are open and
/// statements prepared, then empties the ledger: the scenarios expect fresh accounts.
async fn warm_up(stack: &Stack) -> Result<(), BenchError> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, stack.port));
    for round in 0..300 {
        let id = 1 + round % 5;
        let _ = http::request(address, "GET", &format!("/clientes/{id}/extrato"), None);
        for tipo in ["c", "d"] {
            let body = format!(r#"{{"valor": 1, "tipo": "{tipo}", "descricao": "aquecendo"}}"#);
            let _ = http::request(
                address,
                "POST",
                &format!("/clientes/{id}/transacoes"),
                Some(&body),
            );
        }
    }
    let client = postgres::connect(stack.database())
        .await
        .map_err(BenchError::Database)?;
    client
        .batch_execute("TRUNCATE transacoes; UPDATE clientes SET saldo = 0")
        .await
        .map_err(BenchError::Reset)
}

/// The ledger audit of the stack's database, after the load.
async fn audit(stack: &Stack) -> Result<Audit, BenchError> {
    let client = postgres::connect(stack.database())
        .await
        .map_err(BenchError::Database)?;
    Audit::run(&client).await.map_err(BenchError::AuditFailed)
}

/// Where k6 sends its requests.
fn stack_url(stack: &Stack) -> String {
    format!("http://localhost:{}", stack.port)
}

/// What a k6 run left: how it ended, its log, its time series and the stack's samples.
struct K6Run {
    status: std::process::ExitStatus,
    log: PathBuf,
    /// k6's gzipped CSV output: every request's duration.
    csv: PathBuf,
    recording: Recording,
}

/// Runs k6 with its output in a log file, its summary and dashboard in the run's directory
/// `dir`, and a progress line on stderr; samples the stack once a second meanwhile.
async fn run_k6(
    stack: &mut Stack,
    scenario: Scenario,
    k6: &Path,
    state_dir: &Path,
    dir: &Path,
    faults: &[Fault],
) -> Result<K6Run, BenchError> {
    let log = state_dir.join("logs").join("k6.log");
    let base_url = stack_url(stack);
    let invocation = k6::Invocation {
        scenario,
        base_url: &base_url,
        processors: stack.processor_urls.as_ref(),
        dir: &state_dir.join("k6"),
        log: &log,
        summary: &dir.join(archive::SUMMARY),
    };
    let (mut command, csv) = invocation.command(k6)?;
    let mut child = command
        .env("K6_WEB_DASHBOARD", "true")
        .env("K6_WEB_DASHBOARD_PORT", "-1")
        .env(
            "K6_WEB_DASHBOARD_EXPORT",
            k6::absolute(&dir.join(archive::DASHBOARD)),
        )
        .spawn()
        .map_err(io("cannot start k6"))?;
    let started = Instant::now();
    let mut progress = k6::Progress::new(scenario.name().to_owned(), scenario.expected());
    let mut faults: Vec<&Fault> = faults.iter().collect();
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

/// The k6 summary's metric `name`, value `stat`.
pub fn metric(summary: &simd_json::OwnedValue, name: &str, stat: &str) -> Option<f64> {
    summary
        .get("metrics")?
        .get(name)?
        .get("values")?
        .get(stat)?
        .cast_f64()
}
