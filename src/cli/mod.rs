//! The command line, the top floor: every flag, its environment variable and its default,
//! one file per command. Each command turns its flags into the plain settings of the module
//! it runs; nothing below this one knows of clap.

mod balance;
mod bench;
mod processor;
mod serve;
mod stack;

use std::error::Error;

use clap::builder::PossibleValue;
use clap::{Parser, Subcommand};

use crate::db::Sharing;
use crate::tools::stack::{Accept, Balancer};

pub use balance::BalanceArgs;
pub use bench::BenchArgs;
pub use processor::ProcessorArgs;
pub use serve::{PaymentsArgs, ServeArgs};
pub use stack::StackArgs;

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
    /// Balance client connections over instances, handing each whole to one of them.
    Balance(BalanceArgs),
    /// Run the whole contest topology inside its envelope, in the foreground.
    Stack(StackArgs),
    /// Start the stack, run a k6 scenario against it, and write its reports.
    Bench(BenchArgs),
    /// Run a payment processor simulator (edition 2025), as the contest's processors behave.
    Processor(ProcessorArgs),
}

impl Cli {
    /// Runs the command until it is done or stopped.
    pub fn run(self) -> Result<(), Box<dyn Error>> {
        match self.command {
            Command::Serve(args) => args.run(),
            Command::Balance(args) => args.run(),
            Command::Stack(args) => args.run(),
            Command::Bench(args) => args.run(),
            Command::Processor(args) => args.run(),
        }
    }
}

/// Lists a choice on the command line by each value's name, with what it means: the enum
/// has `ALL`, `name()` and `meaning()`.
macro_rules! value_enum {
    ($($choice:ty),* $(,)?) => {$(
        impl clap::ValueEnum for $choice {
            fn value_variants<'a>() -> &'a [Self] {
                &<$choice>::ALL
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(PossibleValue::new(self.name()).help(self.meaning()))
            }
        }
    )*};
}

// The ways of sharing connections, where a payment is before its 202, the balancers.
value_enum![Sharing, Accept, Balancer];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
