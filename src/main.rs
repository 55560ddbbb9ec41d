use std::process::ExitCode;

use clap::Parser;
use rinha::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    rinha::telemetry::init();
    let result = match cli.command {
        Command::Serve(args) => rinha::serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            tracing::error!(error = message, "rinha failed");
            ExitCode::FAILURE
        }
    }
}
