//! HTTP tests against real `rinha processor` processes: every behaviour of the spec's
//! processor section, with exact status codes and bodies. Run with
//! `cargo test --test processor`; `TEST_LOG=1` shows the processors' logs.

/// Lists async test functions as (name, function) pairs for the runner.
macro_rules! tests {
    ($($path:path),* $(,)?) => {
        vec![$((stringify!($path), (|| Box::pin($path())) as TestFn)),*]
    };
}

mod admin;
mod health;
mod helpers;
mod payments;
mod summary;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

use libtest_mimic::{Arguments, Trial};

pub type TestFn = fn() -> Pin<Box<dyn Future<Output = ()>>>;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let tests: Vec<(&str, TestFn)> =
        [payments::all(), health::all(), summary::all(), admin::all()].concat();
    let trials = tests
        .into_iter()
        .map(|(name, test)| {
            Trial::test(name.replace(' ', ""), move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                runtime.block_on(test());
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
