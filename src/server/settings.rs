//! What an instance of either edition is told: where it listens, with how many workers,
//! and how it reaches its database.

use std::path::PathBuf;
use std::time::Duration;

use super::Listen;
use crate::db::{PoolOptions, Sharing};

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the API listens.
    pub listen: Listen,
    /// Where a balancer hands this instance client connections to serve (a Unix datagram
    /// socket, `rinha balance`); none without it.
    pub handoff: Option<PathBuf>,
    /// Where `GET /metrics` is served, apart from the API; nowhere without it.
    pub metrics_listen: Option<Listen>,
    /// HTTP worker threads.
    pub workers: u16,
    pub database: tokio_postgres::Config,
    /// PostgreSQL connections per worker (2025: as many again for the accepts alone).
    pub pool_size: u16,
    pub pool_sharing: Sharing,
    /// How long a request waits for a database connection.
    pub db_timeout: Duration,
    /// How long a request keeps trying a database that refuses connections; without it,
    /// the edition's own default.
    pub db_reconnect_for: Option<Duration>,
    /// How long start-up waits for the database to answer.
    pub startup_timeout: Duration,
}

impl Settings {
    /// Each worker's connections; a request keeps trying a refusing database for
    /// `reconnect_for`, the edition's default, unless told otherwise.
    pub fn pool(&self, reconnect_for: Duration) -> PoolOptions {
        PoolOptions {
            size: self.pool_size.into(),
            sharing: self.pool_sharing,
            wait: self.db_timeout,
            reconnect_for: self.db_reconnect_for.unwrap_or(reconnect_for),
        }
    }
}
