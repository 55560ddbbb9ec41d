//! `rinha stack`'s flags, which `rinha bench` takes too.

use std::error::Error;
use std::path::PathBuf;

use clap::Args;

use crate::db::{Profile, Sharing};
use crate::edition::Edition;
use crate::payments::domain::{Fee, Fees, InvalidFees, Processor};
use crate::tools::stack::{Accept, Balancer};

#[derive(Debug, Args)]
pub struct StackArgs {
    /// Which edition's topology to run.
    #[arg(long, env = "RINHA_EDITION", default_value = "2024q1")]
    pub edition: Edition,

    /// The port the balancer listens on.
    #[arg(long, env = "RINHA_PORT", default_value_t = 9999)]
    pub port: u16,

    /// contest (UNLOGGED ledger, no fsync) or durable (logged ledger, synchronous commit).
    #[arg(long, env = "RINHA_PROFILE", default_value = "contest")]
    pub profile: Profile,

    /// Where the services' data, sockets and logs go; emptied at start.
    #[arg(long, env = "RINHA_STATE_DIR", default_value_os_t = std::env::temp_dir().join("rinha-stack"))]
    pub state_dir: PathBuf,

    /// PostgreSQL connections per API instance (2025: as many again for the accepts alone).
    #[arg(long, env = "RINHA_POOL_SIZE", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub pool_size: u16,

    /// How an instance's requests share its connections (see `rinha serve --help`).
    #[arg(long, env = "RINHA_POOL_SHARING", default_value = "shared")]
    pub pool_sharing: Sharing,

    /// What balances the clients over the instances on the port; by default the edition's
    /// own: nginx for the bank, handoff for 2025.
    #[arg(long, env = "RINHA_BALANCER")]
    pub balancer: Option<Balancer>,

    /// 2025: where a payment is before its 202; by default the profile's own: the
    /// journal for the contest, the database for durable.
    #[arg(long, env = "RINHA_ACCEPT")]
    pub accept: Option<Accept>,

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
    /// Runs the stack, whose processors charge the final's fees unless the fees are given.
    pub fn run(self) -> Result<(), Box<dyn Error>> {
        crate::tools::stack::run(self.options(Fees::FINAL)?).map_err(Into::into)
    }

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
            balancer: self.balancer.unwrap_or(Balancer::of(self.edition)),
            accept: self.accept.unwrap_or(Accept::of(self.profile)),
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

/// A factor in (0, 1].
fn parse_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!("{s:?} is not a factor above 0 and at most 1")),
    }
}
