use std::process::ExitCode;

use clap::Parser;
use rinha::cli::{Cli, Command};
use rinha::edition::Edition;
use rinha::payments::domain::Fees;

fn main() -> ExitCode {
    let cli = Cli::parse();
    rinha::telemetry::init();
    let result: Result<(), Box<dyn std::error::Error>> = match cli.command {
        Command::Serve(args) => match args.edition {
            Edition::Bank => rinha::bank::http::run(*args).map_err(Into::into),
            Edition::Payments => rinha::payments::http::run(*args).map_err(Into::into),
        },
        Command::Stack(args) => args
            .options(Fees::FINAL)
            .map_err(Into::into)
            .and_then(|options| rinha::tools::stack::run(options).map_err(Into::into)),
        Command::Processor(args) => rinha::processor::run(args).map_err(Into::into),
        Command::Bench(args) => args
            .settings()
            .map_err(Into::into)
            .and_then(|settings| rinha::tools::bench::run(&settings).map_err(Into::into)),
    };
    match result {
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
