//! Edition 2025, the payment intermediary, against real `rinha processor`s.

mod accepting;
mod answers;
mod consistency;
mod exactly_once;
mod journal;
mod metrics;
mod proxies;
mod routing;
mod services;
mod settling;
mod stack;
mod support;
mod takeover;
mod threads;

use crate::helpers::TestFn;

pub fn all() -> Vec<(&'static str, TestFn)> {
    [
        answers::all(),
        accepting::all(),
        routing::all(),
        exactly_once::all(),
        journal::all(),
        proxies::all(),
        settling::all(),
        services::all(),
        consistency::all(),
        metrics::all(),
        stack::all(),
        takeover::all(),
        threads::all(),
    ]
    .concat()
}
