//! What both editions' storage shares: a pool whose connections carry prepared
//! statements, how a storage failure is classified, and the SQL of `sql/` that creates
//! each edition's database in either durability profile.

mod error;
mod pool;
mod schema;

pub use error::StoreError;
pub use pool::{Connection, Lease, Pool, PoolOptions, Sharing, Statements, pool};
pub use schema::{Profile, SERVER_CONF};
