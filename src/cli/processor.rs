//! `rinha processor`'s flags, each with a `PROCESSOR_*` environment variable.

use std::error::Error;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Args;

use crate::duration::parse_duration;
use crate::simulator::{self, Decimal};

#[derive(Debug, Clone, Args)]
pub struct ProcessorArgs {
    /// The TCP port; 0 picks a free one (the `listening` log line names it).
    #[arg(long, env = "PROCESSOR_PORT", default_value_t = 8080)]
    pub port: u16,

    /// The address to listen on; 0.0.0.0 for every interface, as in a container.
    #[arg(long, env = "PROCESSOR_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// The fee per transaction the admin summary reports: the contest's default processor
    /// charges 0.05, its fallback 0.15.
    #[arg(long, env = "PROCESSOR_FEE", default_value = "0.05", value_parser = parse_fee)]
    pub fee: Decimal,

    /// The initial admin token, expected in the X-Rinha-Token header.
    #[arg(
        long,
        env = "PROCESSOR_TOKEN",
        default_value = "123",
        hide_env_values = true
    )]
    pub token: String,

    /// The health check's window: one call per window, shared by every caller; a whole
    /// number of ms or s, as in 500ms or 5s.
    #[arg(long, env = "PROCESSOR_HEALTH_WINDOW", default_value = "5s", value_parser = parse_window)]
    pub health_window: Duration,

    /// The initial delay before each payment is decided, in milliseconds.
    #[arg(long, env = "PROCESSOR_DELAY", default_value_t = 0)]
    pub delay: u32,

    /// Start failing: every payment answers 500 until the admin switches it off.
    #[arg(long, env = "PROCESSOR_FAILURE")]
    pub failure: bool,

    /// HTTP worker threads; they share one ledger.
    #[arg(long, env = "PROCESSOR_WORKERS", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: u16,
}

impl ProcessorArgs {
    /// Runs the simulator until SIGTERM or SIGINT.
    pub fn run(self) -> Result<(), Box<dyn Error>> {
        simulator::run(self.settings()).map_err(Into::into)
    }

    /// The simulator's settings.
    pub fn settings(&self) -> simulator::Settings {
        simulator::Settings {
            listen: SocketAddr::new(self.host, self.port),
            fee: self.fee,
            token: self.token.clone(),
            health_window: self.health_window,
            delay: self.delay,
            failure: self.failure,
            workers: self.workers,
        }
    }
}

/// The most decimal places a fee may have.
const FEE_MAX_SCALE: u32 = 9;

/// A non-negative decimal of at most nine places whose digits fit in 63 bits, so that
/// `totalRequests × fee` is always exact.
fn parse_fee(text: &str) -> Result<Decimal, String> {
    Decimal::parse(text, FEE_MAX_SCALE)
        .filter(|fee| (0..=i128::from(i64::MAX)).contains(&fee.mantissa()))
        .ok_or_else(|| {
            format!("{text:?} is not a non-negative decimal of at most {FEE_MAX_SCALE} places")
        })
}

/// The longest health window: a day, far beyond any use, and far from overflowing a clock.
const MAX_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// A positive whole number of milliseconds (`500ms`) or seconds (`5s`), a day at most.
fn parse_window(text: &str) -> Result<Duration, String> {
    let window = parse_duration(text)?;
    if window.is_zero() || window > MAX_WINDOW {
        return Err(format!("{text:?} is not between 1ms and a day"));
    }
    Ok(window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_take_milliseconds_or_seconds() {
        assert_eq!(parse_window("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_window("5s"), Ok(Duration::from_secs(5)));
    }

    #[test]
    fn a_window_without_a_unit_or_a_number_or_out_of_range_is_refused() {
        for bad in [
            "5", "s", "ms", "1.5s", "-1s", "5m", "0s", "0ms", " 5s", "5 s",
        ] {
            assert!(parse_window(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fees_are_exact_decimals() {
        assert_eq!(parse_fee("0.05").map(|f| f.to_string()), Ok("0.05".into()));
        assert_eq!(parse_fee("0").map(|f| f.to_string()), Ok("0".into()));
    }

    #[test]
    fn a_negative_too_precise_or_too_large_fee_is_refused() {
        for bad in [
            "-0.05",
            "0.0000000001",
            "9223372036854775808",
            "five",
            "1e-2",
        ] {
            assert!(parse_fee(bad).is_err(), "{bad:?}");
        }
    }
}
