//! Edition 2025, the payment intermediary: `domain` holds the rules, `store` the
//! PostgreSQL side (one statement per transition of a payment's life), `journal` where a
//! payment is written before its 202 when the answer is not to wait for PostgreSQL,
//! `dispatch` the dispatcher that pays every accepted payment exactly once, `http` the edge.
//! Contract: `shared/spec/2025.md`.
//!
//! How the summary agrees with the processors at any moment: the processor counts a
//! payment by the requestedAt we send and stores it only when its delay ends, and we count
//! it once we have its answer. The two counts can only differ for an attempt that the
//! processor has stored and whose answer we have not yet recorded, and the checker only
//! asks about requestedAt at least 1.5 s old. So every attempt must be answered, and
//! recorded, within 1.5 s of its requestedAt: the routing policy sends only to a processor
//! whose delay is known to be below 1.2 s and stops sending to one as soon as an attempt
//! outlives its delay (see `dispatch/policy/`), and an attempt's requestedAt is taken when
//! it is recorded, just before it is sent, never earlier.

pub mod dispatch;
pub mod domain;
pub mod http;
pub mod journal;
pub mod store;
