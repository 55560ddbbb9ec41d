//! Edition 2024/Q1, the bank.

mod concurrency;
mod edge;
mod faults;
mod lifecycle;
mod metrics;
mod stack;
mod statements;
mod transactions;

use crate::helpers::TestFn;

pub fn all() -> Vec<(&'static str, TestFn)> {
    [
        transactions::all(),
        statements::all(),
        concurrency::all(),
        edge::all(),
        faults::all(),
        lifecycle::all(),
        metrics::all(),
        stack::all(),
    ]
    .concat()
}
