//! rinha: the Rinha de Backend, both editions in one binary.
//!
//! - `bank`: edition 2024/Q1, the bank ("crébitos"): its rules, storage and HTTP edge;
//! - `payments`: edition 2025, the payment intermediary: its rules, storage, HTTP edge and
//!   the dispatcher that pays every accepted payment exactly once;
//! - `simulator`: the 2025 payment processor simulator (`rinha processor`) the tests and the
//!   stack run;
//! - the appliance both share: `server` (HTTP plumbing), `db` (storage errors, the SQL of
//!   `sql/`), `metrics` (what `GET /metrics` tells);
//! - `tools`: the wing around them, `launcher` (PostgreSQL, cgroups, processes), `stack`
//!   and `bench`.

pub mod bank;
pub mod cli;
pub mod db;
pub mod deadline;
pub mod duration;
pub mod edition;
pub mod iso8601;
pub mod json;
pub mod metrics;
pub mod payments;
pub mod server;
pub mod simulator;
pub mod telemetry;
pub mod tools;
