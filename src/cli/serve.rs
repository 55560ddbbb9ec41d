//! `rinha serve`'s flags: one instance of either edition, and what only 2025 reads.

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::db::Sharing;
use crate::duration::parse_duration;
use crate::edition::Edition;
use crate::payments::domain::{Fee, Fees, InvalidFees};
use crate::server::{self, Listen};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Which edition's API to serve.
    #[arg(long, env = "RINHA_EDITION", default_value = "2024q1")]
    pub edition: Edition,

    /// Where to listen: IP:PORT, or unix:/path/to.sock.
    #[arg(long, env = "RINHA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: Listen,

    /// Where a balancer (`rinha balance`) hands this instance client connections to serve
    /// as its own: a Unix datagram socket to create. Without it, only `--listen` is served.
    #[arg(long, env = "RINHA_HANDOFF")]
    pub handoff: Option<PathBuf>,

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

    /// PostgreSQL connections per worker (2025: as many again for the accepts alone).
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
    /// Runs the edition's instance until SIGTERM or SIGINT.
    pub fn run(self) -> Result<(), Box<dyn Error>> {
        match self.edition {
            Edition::Bank => crate::bank::http::run(self.server()).map_err(Into::into),
            Edition::Payments => crate::payments::http::run(crate::payments::http::Settings {
                server: self.server(),
                dispatch: self.payments.settings()?,
            })
            .map_err(Into::into),
        }
    }

    /// What the server of either edition is told.
    pub fn server(&self) -> server::Settings {
        server::Settings {
            listen: self.listen.clone(),
            handoff: self.handoff.clone(),
            metrics_listen: self.metrics_listen.clone(),
            workers: self.workers,
            database: self.database_url.clone(),
            pool_size: self.pool_size,
            pool_sharing: self.pool_sharing,
            db_timeout: self.db_timeout,
            db_reconnect_for: self.db_reconnect_for,
            startup_timeout: self.startup_timeout,
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

    /// Where to write each payment before its 202, so that the answer does not wait for
    /// PostgreSQL: a directory every instance shares (made if it is not there), on tmpfs.
    /// An instance replays what one that died left there. Without it, a payment is in
    /// PostgreSQL before its 202.
    #[arg(long, env = "RINHA_JOURNAL")]
    pub journal: Option<PathBuf>,
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
            journal: self.journal.clone(),
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::{bank, payments};

    fn serve(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        let cli = Cli::try_parse_from([&["rinha", "serve"], args].concat())?;
        match cli.command {
            Command::Serve(serve) => Ok(*serve),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_2025_waits_for_a_restarting_database_unless_told() {
        let reconnect_for = |args: &[&str]| {
            let serve = serve(args).unwrap();
            let default = match serve.edition {
                Edition::Bank => bank::http::RECONNECT_FOR,
                Edition::Payments => payments::http::RECONNECT_FOR,
            };
            serve.server().pool(default).reconnect_for
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
        let serve = |url: &str| serve(&["--edition", "2025", "--processor-default", url]);
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
}
