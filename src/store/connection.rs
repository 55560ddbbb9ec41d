//! A pooled connection that carries the server's two statements, prepared once when the
//! connection is made: a request takes its statement from a field instead of hashing the
//! statement's text into a cache on every call.

use deadpool::managed::{self, Metrics, RecycleResult};
use tokio_postgres::Statement;

use super::{STATEMENT, TRANSACT};

pub struct Connection {
    pub client: deadpool_postgres::ClientWrapper,
    pub transact: Statement,
    pub statement: Statement,
}

/// deadpool-postgres's manager (connecting, recycling), plus the statements.
pub struct Manager(pub deadpool_postgres::Manager);

impl managed::Manager for Manager {
    type Type = Connection;
    type Error = tokio_postgres::Error;

    async fn create(&self) -> Result<Connection, tokio_postgres::Error> {
        let client = self.0.create().await?;
        // Polled together, the two Parse messages share one round trip.
        let (transact, statement) =
            tokio::try_join!(client.prepare(TRANSACT), client.prepare(STATEMENT))?;
        Ok(Connection {
            client,
            transact,
            statement,
        })
    }

    async fn recycle(
        &self,
        connection: &mut Connection,
        metrics: &Metrics,
    ) -> RecycleResult<tokio_postgres::Error> {
        self.0.recycle(&mut connection.client, metrics).await
    }
}

pub type Pool = managed::Pool<Manager>;
