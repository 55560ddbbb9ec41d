//! The tools around the two editions, a wing of their own that nothing else imports:
//! `launcher` (PostgreSQL clusters, cgroups, processes), `stack` (`rinha stack` and the
//! envelope) and `bench` (`rinha bench`, its measures and its report).

pub mod bench;
pub mod launcher;
pub mod stack;
