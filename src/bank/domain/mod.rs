//! The bank's rules, free of HTTP and SQL: what a valid transaction is, which accounts exist,
//! and what a statement holds. Values here are parsed once at the edge and cannot be invalid.

mod account;
mod statement;
mod timestamp;
mod transaction;

pub use account::{AccountId, Accounts, Balance};
pub use statement::{Entry, Statement, Summary};
pub use timestamp::Timestamp;
pub use transaction::{Amount, Description, InvalidTransaction, Kind, NewTransaction, Rejection};
