//! Measuring: the stack warmed up, the scenario played against it while every service is
//! sampled and the faults injected, what k6 saw and each service spent, and the checks
//! after the load (the ledger's audit, the settlement); the floor measured the same way.

pub mod error;
pub mod fault;
#[cfg(test)]
pub mod fixtures;
pub mod floor;
pub mod k6;
mod load;
pub mod machine;
pub mod payments;
pub mod record;
pub mod report;
pub mod requests;
pub mod sampler;
pub mod scenario;
pub mod served;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::bank::store::Audit;
use crate::edition::Edition;
use crate::tools::launcher::postgres;
use crate::tools::stack::Stack;
use error::{BenchError, io};
use floor::Floor;
pub use load::Extras;
use load::{K6Run, run_k6, stack_url};
use record::{Run, RunInfo, Verdict};
use report::{Report, Snapshot};
use requests::Requests;
use scenario::Scenario;

/// How long a warm-up request may take.
const WARM_UP_TIMEOUT: Duration = Duration::from_secs(2);

/// A run measured: its record, and how it ended (the checks' error first, then k6's).
pub struct Measured {
    pub run: Run,
    pub outcome: Result<(), BenchError>,
}

/// What the load left, before the checks: the run's report, and what k6 wrote.
pub struct Played {
    pub report: Report,
    info: RunInfo,
    dir: PathBuf,
    summary: Vec<u8>,
    summary_path: PathBuf,
    k6_run: K6Run,
    floor_requests: Option<Requests>,
    /// Whether a fault killed an API instance during the run.
    killed_an_instance: bool,
}

/// Targets the faults, warms the stack up and plays the scenario against it, k6 writing in
/// the run's directory under `reports`: what k6 saw and what each service spent.
pub async fn play(
    stack: &mut Stack,
    scenario: Scenario,
    k6: &Path,
    state_dir: &Path,
    reports: &Path,
    extras: &Extras<'_>,
    floor: Option<(Floor, Requests)>,
) -> Result<Played, BenchError> {
    for fault in extras.faults {
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
    let k6_run = run_k6(stack, scenario, k6, state_dir, &dir, extras).await?;
    let elapsed = started.elapsed();
    let after = Snapshot::take(stack).await;

    let summary_path = dir.join(k6::SUMMARY);
    let Ok(summary) = fs::read(&summary_path) else {
        // Nothing to publish: the run leaves no directory in the archive.
        let _ = fs::remove_dir_all(&dir);
        return Err(BenchError::K6(k6_run.status, k6_run.log));
    };
    let (floor, floor_requests) = floor.unzip();
    let report = Report::new(scenario.name(), &summary, stack, &before, &after, elapsed)
        .map_err(|e| BenchError::Summary(summary_path.clone(), e))?
        .beside(floor);
    Ok(Played {
        report,
        info,
        dir,
        summary,
        summary_path,
        k6_run,
        floor_requests,
        killed_an_instance: extras.faults.iter().any(|f| f.service.starts_with("api")),
    })
}

/// Checks what the load left (the ledger's audit, the settlement): the run's record, to
/// publish before its outcome is returned.
pub async fn conclude(stack: &Stack, played: Played) -> Measured {
    let Played {
        report,
        info,
        dir,
        summary,
        summary_path,
        k6_run,
        floor_requests,
        killed_an_instance,
    } = played;
    let checked = check(stack, &report, killed_an_instance).await;
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
        dashboard: dir.join(k6::DASHBOARD).exists(),
        info,
        verdict,
        report,
        requests,
        recording: k6_run.recording,
        schedule: payments::schedule(&summary),
        floor_requests,
    };
    Measured {
        run,
        outcome: checked.and(thresholds),
    }
}

/// After the load: the ledger's audit (2024/Q1) or the settlement (2025), printed, and its
/// line for the report page; an error when it does not hold.
async fn check(stack: &Stack, report: &Report, killed: bool) -> Result<String, BenchError> {
    match stack.edition {
        Edition::Bank => {
            let audit = audit(stack).await?;
            println!("{audit}");
            if !audit.balances() {
                return Err(BenchError::Unbalanced(audit));
            }
            Ok(audit.to_string())
        }
        Edition::Payments => settle(stack, report, killed).await,
    }
}

/// 2025: lets the queue drain and compares the whole run's totals; fails on any
/// difference, and on a POST that failed during the run, unless the run killed an instance
/// whose balancer does not send its requests in flight again: those get no answer, and
/// each may have been stored before the instance died.
async fn settle(stack: &Stack, report: &Report, killed: bool) -> Result<String, BenchError> {
    let outcome = report.payments.as_ref().ok_or_else(|| {
        BenchError::Summary(PathBuf::from("the k6 summary"), "no 2025 outcome".into())
    })?;
    let excused = killed && !stack.balancer.resends_in_flight();
    let unanswered = if excused { outcome.failed } else { 0 };
    let settlement = payments::settle(stack, outcome.accepted, unanswered).await?;
    println!("{settlement}");
    if !settlement.holds() {
        return Err(payments::SettlementError::Unsettled(settlement).into());
    }
    if outcome.failed > unanswered {
        return Err(payments::SettlementError::FailedPosts(outcome.failed).into());
    }
    Ok(settlement.to_string())
}

/// Sends every kind of request through the port so that connections are open and
/// statements prepared, then empties the ledger: the scenarios expect fresh accounts.
async fn warm_up(stack: &Stack) -> Result<(), BenchError> {
    let http = reqwest::Client::new();
    let base = stack_url(stack);
    for round in 0..300 {
        let id = 1 + round % 5;
        let statement = http.get(format!("{base}/clientes/{id}/extrato"));
        let _ = statement.timeout(WARM_UP_TIMEOUT).send().await;
        for tipo in ["c", "d"] {
            let body = format!(r#"{{"valor": 1, "tipo": "{tipo}", "descricao": "aquecendo"}}"#);
            let transaction = http
                .post(format!("{base}/clientes/{id}/transacoes"))
                .header("content-type", "application/json")
                .body(body);
            let _ = transaction.timeout(WARM_UP_TIMEOUT).send().await;
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
