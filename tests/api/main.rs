//! HTTP tests against real `rinha serve` processes (both editions), a real PostgreSQL and,
//! for 2025, real `rinha processor` processes.
//! Run with `cargo test --test api`; `TEST_LOG=1` shows the servers' logs.

/// Lists async test functions as (name, function) pairs for the runner.
macro_rules! tests {
    ($($path:path),* $(,)?) => {
        vec![$((stringify!($path), (|h| Box::pin($path(h))) as TestFn)),*]
    };
}

mod bank;
mod helpers;
mod payments;

use std::process::ExitCode;
use std::sync::Arc;

use helpers::{Harness, Shared, TestFn};
use libtest_mimic::{Arguments, Trial};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    // Named `bank::…` and `payments::…`, so that one edition's tests run with a filter.
    let tests: Vec<(&str, TestFn)> = [("bank", bank::all()), ("payments", payments::all())]
        .into_iter()
        .flat_map(|(edition, tests)| {
            tests.into_iter().map(move |(name, test)| {
                let name: &'static str = format!("{edition}::{name}").leak();
                (name, test)
            })
        })
        .collect();
    if args.list {
        let trials = tests
            .iter()
            .map(|(name, _)| Trial::test(*name, || Ok(())))
            .collect();
        return libtest_mimic::run(&args, trials).exit_code();
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let shared = Shared::start(&runtime);
    let trials = tests
        .into_iter()
        .map(|(name, test)| {
            let shared = Arc::clone(&shared);
            Trial::test(name.replace(' ', ""), move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                let harness = Harness::new(shared);
                runtime.block_on(async {
                    test(Arc::clone(&harness)).await;
                    harness.audit().await;
                });
                Ok(())
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(shared);
    conclusion.exit_code()
}
