//! rinha: the Rinha de Backend bank. `domain` holds the rules, `store` the PostgreSQL side,
//! `serve` the HTTP edge and `launcher` what starts the services around it.

pub mod bench;
pub mod cli;
pub mod domain;
pub mod launcher;
pub mod serve;
pub mod stack;
pub mod store;
pub mod telemetry;
