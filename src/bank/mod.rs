//! Edition 2024/Q1, the bank ("crébitos"): `domain` holds the rules, `store` the PostgreSQL
//! side, `http` the edge. Contract: `shared/spec/2024q1.md`.

pub mod domain;
pub mod http;
pub mod store;
