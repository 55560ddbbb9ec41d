//! `rinha balance`'s flags: where it listens, and the instances it hands connections to.

use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::server::balancer::{self, Settings};

#[derive(Debug, Clone, Args)]
pub struct BalanceArgs {
    /// Where clients connect: IP:PORT. Not `RINHA_LISTEN`, which the image sets for `rinha
    /// serve`.
    #[arg(long, env = "RINHA_BALANCE_LISTEN", default_value = "0.0.0.0:9999")]
    pub listen: SocketAddr,

    /// An instance's inbox (its `rinha serve --handoff`), once per instance; each new
    /// connection goes to the next in turn.
    #[arg(
        long = "to",
        env = "RINHA_BALANCE_TO",
        value_delimiter = ',',
        required = true
    )]
    pub inboxes: Vec<PathBuf>,
}

impl BalanceArgs {
    /// Balances until SIGTERM or SIGINT.
    pub fn run(self) -> Result<(), Box<dyn Error>> {
        balancer::run(Settings {
            listen: self.listen,
            inboxes: self.inboxes,
        })
        .map_err(Into::into)
    }
}
