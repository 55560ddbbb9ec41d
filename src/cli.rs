//! The command line: every flag, its environment variable and its default.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::db::{PoolOptions, Profile, Sharing};
use crate::duration::parse_duration;
use crate::edition::Edition;
use crate::payments::domain::{Fee, Fees, InvalidFees, Processor};
use crate::server::Listen;
use crate::tools::bench::{Against, Scenario};

#[derive(Debug, Parser)]
#[command(
    name = "rinha",
    version,
    about = "The Rinha de Backend: the 2024/Q1 bank and the 2025 payment intermediary"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API: one instance, on a TCP address or a Unix socket.
    Serve(Box<ServeArgs>),
    /// Run the whole contest topology inside its envelope, in the foreground.
    Stack(StackArgs),
    /// Start the stack, run a k6 scenario against it, and write its reports.
    Bench(BenchArgs),
    /// Run a payment processor simulator (edition 2025), as the contest's processors behave.
    Processor(crate::processor::ProcessorArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which scenario of k6/ to run: official, stress or overload for 2024q1 (official by
    /// default), preview or final for 2025 (preview by default).
    #[arg(value_enum)]
    pub scenario: Option<Scenario>,

    /// Where the HTML dashboard, the k6 summary and the services' usage are written.
    #[arg(long, env = "RINHA_REPORTS", default_value = "docs/reports")]
    pub reports: PathBuf,

    /// Kill a service of the stack while k6 runs, as in api1@150s or postgres@150s (see
    /// `rinha::bench::Fault`); may be repeated.
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

    #[command(flatten)]
    pub stack: StackArgs,
}

impl BenchArgs {
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
        })
    }
}

#[derive(Debug, Args)]
pub struct StackArgs {
    /// Which edition's topology to run.
    #[arg(long, env = "RINHA_EDITION", default_value = "2024q1")]
    pub edition: Edition,

    /// The port NGINX listens on.
    #[arg(long, env = "RINHA_PORT", default_value_t = 9999)]
    pub port: u16,

    /// contest (UNLOGGED ledger, no fsync) or durable (logged ledger, synchronous commit).
    #[arg(long, env = "RINHA_PROFILE", default_value = "contest")]
    pub profile: Profile,

    /// Where the services' data, sockets and logs go; emptied at start.
    #[arg(long, env = "RINHA_STATE_DIR", default_value_os_t = std::env::temp_dir().join("rinha-stack"))]
    pub state_dir: PathBuf,

    /// PostgreSQL connections per API instance.
    #[arg(long, env = "RINHA_POOL_SIZE", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub pool_size: u16,

    /// How an instance's requests share its connections (see `rinha serve --help`).
    #[arg(long, env = "RINHA_POOL_SHARING", default_value = "shared")]
    pub pool_sharing: Sharing,

    /// Run without cgroup limits (to compare against the envelope).
    #[arg(long)]
    pub unlimited: bool,

    /// Multiply every CPU quota by this: 0.25 makes a stack that a load generator on the
    /// same machine can overload.
    #[arg(long, env = "RINHA_CPU_SCALE", default_value_t = 1.0, value_parser = parse_scale)]
    pub cpu_scale: f64,

    /// 2025: the default processor to pay through; without it (and its fallback), the stack
    /// starts two `rinha processor`s on ports 8001 and 8002.
    #[arg(
        long,
        env = "PAYMENT_PROCESSOR_URL_DEFAULT",
        requires = "processor_fallback"
    )]
    pub processor_default: Option<String>,

    /// 2025: the fallback processor.
    #[arg(
        long,
        env = "PAYMENT_PROCESSOR_URL_FALLBACK",
        requires = "processor_default"
    )]
    pub processor_fallback: Option<String>,

    /// 2025: default's fee, a fraction: what the processors the stack starts charge, and
    /// what its instances weigh their routing with. By default the final's (0.07) for
    /// `rinha stack`, and the scenario's for `rinha bench` (the preview's is 0.05).
    #[arg(long, env = "PAYMENT_PROCESSOR_FEE_DEFAULT")]
    pub fee_default: Option<Fee>,

    /// 2025: fallback's fee: by default the final's (0.10), or the scenario's (the
    /// preview's is 0.15).
    #[arg(long, env = "PAYMENT_PROCESSOR_FEE_FALLBACK")]
    pub fee_fallback: Option<Fee>,
}

impl StackArgs {
    /// The stack to start; `fees` unless the fees are given.
    pub fn options(&self, fees: Fees) -> Result<crate::tools::stack::Options, InvalidFees> {
        let fees = Fees::new(
            self.fee_default
                .map_or(fees.of(Processor::Default), |f| f.0),
            self.fee_fallback
                .map_or(fees.of(Processor::Fallback), |f| f.0),
        )?;
        Ok(crate::tools::stack::Options {
            edition: self.edition,
            port: self.port,
            profile: self.profile,
            state_dir: self.state_dir.clone(),
            enforce: !self.unlimited,
            pool_size: self.pool_size,
            pool_sharing: self.pool_sharing,
            cpu_scale: self.cpu_scale,
            processors: self
                .processor_default
                .clone()
                .zip(self.processor_fallback.clone())
                .map(|(default, fallback)| [default, fallback]),
            fees,
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Which edition's API to serve.
    #[arg(long, env = "RINHA_EDITION", default_value = "2024q1")]
    pub edition: Edition,

    /// Where to listen: IP:PORT, or unix:/path/to.sock.
    #[arg(long, env = "RINHA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: Listen,

    /// Where to serve `GET /metrics` (Prometheus text format), apart from the API: IP:PORT,
    /// or unix:/path/to.sock. Without it, no metrics are served.
    #[arg(long, env = "RINHA_METRICS_LISTEN")]
    pub metrics_listen: Option<Listen>,

    /// The database, as a URL or key=value pairs; a Unix socket directory goes in `host`,
    /// as in postgresql:///rinha?host=/run/postgresql&user=rinha.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgresql://rinha@localhost/rinha",
        hide_env_values = true
    )]
    pub database_url: tokio_postgres::Config,

    /// HTTP worker threads.
    #[arg(long, env = "RINHA_WORKERS", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: u16,

    /// PostgreSQL connections per worker.
    #[arg(long, env = "RINHA_POOL_SIZE", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub pool_size: u16,

    /// How a worker's requests share its connections: each has one to itself (exclusive),
    /// or all pipeline their queries over them (shared).
    #[arg(long, env = "RINHA_POOL_SHARING", default_value = "shared")]
    pub pool_sharing: Sharing,

    /// How long a request waits for a database connection before it gets a 503.
    #[arg(long, env = "RINHA_DB_TIMEOUT", default_value = "2s", value_parser = parse_duration)]
    pub db_timeout: Duration,

    /// How long a request that finds the database refusing connections (restarting,
    /// recovering) keeps trying, once every 50 ms, before it gets a 503. By default 0 for
    /// the bank, whose clients get their 503 at once, and 1s for 2025, whose clients wait
    /// 1.5 s for a POST /payments that they may send again (a payment names itself).
    #[arg(long, env = "RINHA_DB_RECONNECT_FOR", value_parser = parse_duration)]
    pub db_reconnect_for: Option<Duration>,

    /// How long start-up waits for the database to answer before giving up.
    #[arg(long, env = "RINHA_STARTUP_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub startup_timeout: Duration,

    #[command(flatten)]
    pub payments: PaymentsArgs,
}

impl ServeArgs {
    /// Each worker's connections to the database.
    pub fn pool(&self) -> PoolOptions {
        PoolOptions {
            size: self.pool_size.into(),
            sharing: self.pool_sharing,
            wait: self.db_timeout,
            reconnect_for: self.db_reconnect_for.unwrap_or(match self.edition {
                Edition::Bank => Duration::ZERO,
                Edition::Payments => Duration::from_secs(1),
            }),
        }
    }
}

/// What only edition 2025 reads: where the processors are and how to talk to them.
#[derive(Debug, Clone, Args)]
pub struct PaymentsArgs {
    /// The default payment processor (the cheaper one). Parsed here, once: a URL that
    /// cannot be one stops the instance at its start, not at each payment.
    #[arg(
        long,
        env = "PAYMENT_PROCESSOR_URL_DEFAULT",
        default_value = "http://payment-processor-default:8080",
        value_parser = parse_processor_url
    )]
    pub processor_default: reqwest::Url,

    /// The fallback payment processor.
    #[arg(
        long,
        env = "PAYMENT_PROCESSOR_URL_FALLBACK",
        default_value = "http://payment-processor-fallback:8080",
        value_parser = parse_processor_url
    )]
    pub processor_fallback: reqwest::Url,

    /// How long an attempt waits for a processor's answer before its outcome counts as
    /// unknown. Longer than any delay a processor is set to, so that an answer, not a
    /// guess, decides what became of a payment.
    #[arg(long, env = "RINHA_PROCESSOR_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub processor_timeout: Duration,

    /// Attempts in flight at once, per processor and instance.
    #[arg(long, env = "RINHA_MAX_IN_FLIGHT", default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_in_flight: u16,

    /// Default's fee, a fraction of each payment (the final's 7 % by default). A backend
    /// cannot ask the processors for it, and the routing weighs every choice with it.
    #[arg(long, env = "PAYMENT_PROCESSOR_FEE_DEFAULT", default_value = "0.07")]
    pub fee_default: Fee,

    /// Fallback's fee (the final's 10 % by default); at least default's.
    #[arg(long, env = "PAYMENT_PROCESSOR_FEE_FALLBACK", default_value = "0.10")]
    pub fee_fallback: Fee,

    /// While default refuses payments, how long a payment waits for it before fallback
    /// takes it; `0s` sends it to fallback at once. By default as long as the fees make
    /// it worth it (src/payments/dispatch/policy/): about 35 s at 5 % and 15 %, 10 s at
    /// 7 % and 10 %. A default that is only slow or full never holds a payment back.
    #[arg(long, env = "RINHA_FALLBACK_AFTER", value_parser = parse_duration)]
    pub fallback_after: Option<Duration>,

    /// The processors' health window: all instances together ask each processor at most
    /// once per this long.
    #[arg(long, env = "RINHA_HEALTH_WINDOW", default_value = "5s", value_parser = parse_duration)]
    pub health_window: Duration,
}

impl PaymentsArgs {
    /// The dispatcher's settings, with the two fees checked together: default's is at
    /// most fallback's.
    pub fn settings(&self) -> Result<crate::payments::dispatch::Settings, InvalidFees> {
        Ok(crate::payments::dispatch::Settings {
            processor_default: self.processor_default.clone(),
            processor_fallback: self.processor_fallback.clone(),
            processor_timeout: self.processor_timeout,
            max_in_flight: self.max_in_flight.into(),
            fees: Fees::new(self.fee_default.0, self.fee_fallback.0)?,
            fallback_after: self.fallback_after,
            health_window: self.health_window,
        })
    }
}

/// A processor's base URL: http or https, with a host (`payment-processor-default:8080`,
/// without its scheme, would parse as a URL of scheme `payment-processor-default`).
fn parse_processor_url(s: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(s).map_err(|e| e.to_string())?;
    if matches!(url.scheme(), "http" | "https") && url.host().is_some() {
        Ok(url)
    } else {
        Err("expected an http:// or https:// URL with a host".to_owned())
    }
}

impl clap::ValueEnum for Scenario {
    fn value_variants<'a>() -> &'a [Self] {
        &Scenario::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.about()))
    }
}

/// A factor in (0, 1].
fn parse_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!("{s:?} is not a factor above 0 and at most 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_2025_waits_for_a_restarting_database_unless_told() {
        let reconnect_for = |args: &[&str]| {
            let cli = Cli::try_parse_from([&["rinha", "serve"], args].concat()).unwrap();
            match cli.command {
                Command::Serve(serve) => serve.pool().reconnect_for,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(reconnect_for(&["--edition", "2024q1"]), Duration::ZERO);
        assert_eq!(
            reconnect_for(&["--edition", "2025"]),
            Duration::from_secs(1)
        );
        assert_eq!(
            reconnect_for(&["--edition", "2024q1", "--db-reconnect-for", "300ms"]),
            Duration::from_millis(300)
        );
    }

    #[test]
    fn a_processor_url_that_is_not_one_stops_the_instance_at_its_start() {
        let serve = |url: &str| {
            Cli::try_parse_from([
                "rinha",
                "serve",
                "--edition",
                "2025",
                "--processor-default",
                url,
            ])
        };
        for bad in [
            "payment-processor-default:8080",
            "127.0.0.1:8001",
            "ftp://host",
            "http://",
        ] {
            let error = serve(bad).unwrap_err();
            assert_eq!(
                error.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{bad}"
            );
            assert!(error.to_string().contains("--processor-default"), "{error}");
        }
        assert!(serve("http://127.0.0.1:8001").is_ok());
        assert!(serve("https://processor.example/base/").is_ok());
    }

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
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
