//! `rinha bench`: start the stack, warm it up, run a k6 scenario against its port while
//! sampling every service once a second, and report what k6 saw and what each service
//! spent, read from its cgroup: a table, and a page of charts in the reports' archive. With
//! the floor, the same scenario against NGINX alone comes first, and the report sets the
//! two side by side. `measure/` plays and measures; `publish/` draws and archives what it
//! measured.

use std::fs;
use std::path::{Path, PathBuf};

use crate::tools::launcher::{Tool, find_tool};
use crate::tools::stack::{self, Stack};
use measure::error::io;
use measure::floor::{self, Floor};
use measure::requests::Requests;

mod measure;
mod publish;

pub use measure::error::BenchError;
pub use measure::fault::Fault;
pub use measure::report::{PaymentsOutcome, Report, ServiceUsage};
pub use measure::scenario::Scenario;

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
    /// Whether k6 also exports its web dashboard (`k6.html`) beside the report; what it
    /// costs is said at `measure::k6::Invocation::dashboard`.
    pub dashboard: bool,
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
                println!("{}", publish::table::floor(&floor, scenario.name()));
                Some((floor, requests))
            }
        };
        if *against == Against::Floor {
            return Ok(());
        }
        fs::create_dir_all(reports).map_err(io(format!("cannot create {}", reports.display())))?;
        let mut stack = Stack::start(options).await?;
        println!("{}", stack::table(&stack));
        let outcome = measure_and_publish(&mut stack, settings, &k6, floor).await;
        stack.stop();
        outcome
    })
}

/// Measures the run against the stack, publishes it whether or not it held, then says how
/// it ended.
async fn measure_and_publish(
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
        dashboard,
        ..
    } = settings;
    let extras = measure::Extras {
        faults,
        dashboard: *dashboard,
    };
    let played = measure::play(
        stack,
        *scenario,
        k6,
        &options.state_dir,
        reports,
        &extras,
        floor,
    )
    .await?;
    println!("{}", publish::table::run(&played.report));
    let measured = measure::conclude(stack, played).await;
    let page = publish::archive::publish(reports, &measured.run).map_err(io(format!(
        "cannot publish the run in {}",
        reports.display()
    )))?;
    println!("report: {}", page.display());
    measured.outcome
}
