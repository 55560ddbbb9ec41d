//! `rinha bench`'s flags: a scenario, where its reports go, and the stack's flags.

use std::error::Error;
use std::path::PathBuf;

use clap::Args;

use super::StackArgs;
use crate::payments::domain::InvalidFees;
use crate::tools::bench::{Against, Scenario};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which scenario of k6/ to run: official, stress or overload for 2024q1 (official by
    /// default), preview or final for 2025 (preview by default).
    #[arg(value_enum)]
    pub scenario: Option<Scenario>,

    /// Where the report page, the k6 summary and the services' usage are written.
    #[arg(long, env = "RINHA_REPORTS", default_value = "docs/reports")]
    pub reports: PathBuf,

    /// Kill a service of the stack while k6 runs, as in api1@150s or postgres@150s (see
    /// `rinha::tools::bench::Fault`); may be repeated.
    #[arg(long = "fault", value_name = "SERVICE@TIME")]
    pub faults: Vec<crate::tools::bench::Fault>,

    /// Play the scenario against the machine's floor first (NGINX alone, answering from
    /// memory, k6/floor/nginx.conf), then against the stack, and report the two side by
    /// side: what the stack adds to what the machine costs at that hour.
    #[arg(long)]
    pub floor: bool,

    /// Play the scenario against the floor alone, print its figures and archive nothing.
    #[arg(long, conflicts_with_all = ["floor", "faults"])]
    pub floor_only: bool,

    /// Also export k6's web dashboard (k6.html) beside the report. Off by default: its
    /// aggregation every 10 s stalls both cores for 15-25 ms here, which the stack's slowest
    /// requests wait out and the floor's run does not.
    #[arg(long)]
    pub dashboard: bool,

    #[command(flatten)]
    pub stack: StackArgs,
}

/// The scenarios as the command line lists them: each by its name, with what it is.
impl clap::ValueEnum for Scenario {
    fn value_variants<'a>() -> &'a [Self] {
        &Scenario::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.about()))
    }
}

impl BenchArgs {
    /// Runs the bench; fails when a k6 threshold fails.
    pub fn run(self) -> Result<(), Box<dyn Error>> {
        crate::tools::bench::run(&self.settings()?).map_err(Into::into)
    }

    /// The scenario to run: the one named, or the edition's main one.
    pub fn scenario(&self) -> Scenario {
        self.scenario
            .unwrap_or(Scenario::default_for(self.stack.edition))
    }

    /// What the bench is told: the stack the scenario runs against, whose processors (and
    /// the floor's) charge the scenario's fees unless the fees are given.
    pub fn settings(&self) -> Result<crate::tools::bench::Settings, InvalidFees> {
        Ok(crate::tools::bench::Settings {
            scenario: self.scenario(),
            stack: self.stack.options(self.scenario().fees())?,
            reports: self.reports.clone(),
            faults: self.faults.clone(),
            against: match (self.floor, self.floor_only) {
                (_, true) => Against::Floor,
                (true, false) => Against::FloorAndStack,
                (false, false) => Against::Stack,
            },
            dashboard: self.dashboard,
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    #[test]
    fn the_floor_comes_before_the_stack_or_alone() {
        let against = |args: &[&str]| {
            let cli =
                Cli::try_parse_from([&["rinha", "bench", "--edition", "2025"], args].concat());
            match cli.map(|cli| cli.command) {
                Ok(Command::Bench(bench)) => Ok(bench.settings().unwrap().against),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e.kind()),
            }
        };
        assert_eq!(against(&["preview"]), Ok(Against::Stack));
        assert_eq!(against(&["--floor"]), Ok(Against::FloorAndStack));
        assert_eq!(against(&["--floor-only", "final"]), Ok(Against::Floor));
        assert_eq!(
            against(&["--floor", "--floor-only"]),
            Err(clap::error::ErrorKind::ArgumentConflict)
        );
    }

    #[test]
    fn k6_exports_its_dashboard_only_when_asked() {
        let dashboard =
            |args: &[&str]| match Cli::parse_from([&["rinha", "bench"], args].concat()).command {
                Command::Bench(bench) => bench.settings().unwrap().dashboard,
                other => panic!("{other:?}"),
            };
        assert!(!dashboard(&["official"]));
        assert!(dashboard(&["official", "--dashboard"]));
    }
}
