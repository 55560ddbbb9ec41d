use std::process::ExitCode;

use clap::Parser;
use rinha::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    rinha::telemetry::init();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = error.to_string();
            let mut source = error.source();
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
