//! The 2025 rules, free of HTTP and SQL: what a valid payment is, money in cents, an
//! attempt at a processor, the instant it carries and what its answer means, the two processors and their fees,
//! and the summary a window asks for.

mod answer;
mod attempt;
mod fees;
mod moment;
mod money;
mod payment;
mod processor;
mod summary;

pub use answer::Answer;
pub use attempt::Attempt;
pub use fees::{Fee, Fees, InvalidFees};
pub use moment::{InvalidInstant, Moment};
pub use money::{Cents, CentsTotal};
pub use payment::{InvalidPayment, NewPayment};
pub use processor::Processor;
pub use summary::{Summary, Totals, Window};
